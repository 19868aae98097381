/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-token-bucket.h"

G_BEGIN_DECLS

/* The clock a token bucket paces by. @now gives Unix time in microseconds;
 * @sleep_until waits until that time (on the same clock) and returns FALSE if
 * @cancellable was cancelled first. Tests swap in a simulated clock so that
 * minutes of pacing run in milliseconds. The asynchronous acquire always waits
 * on the main loop's clock, so it should be used with the default clock. */
typedef struct
{
  gint64   (*now)         (gpointer      user_data);
  gboolean (*sleep_until) (gint64        until,
                           GCancellable *cancellable,
                           gpointer      user_data);
  gpointer user_data;
} PacerClock;

/* Pass NULL to go back to the real clock. Set it before the first call. */
void _pacer_token_bucket_set_clock (PacerTokenBucket *self,
                                    const PacerClock *clock);

/* Ends a call @started at that time (on the bucket's clock); see
 * pacer_call_complete(). */
void _pacer_token_bucket_complete_call (PacerTokenBucket *self,
                                        gint64            started,
                                        gboolean          succeeded);

G_END_DECLS
