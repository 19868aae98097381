/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-event.h"

G_BEGIN_DECLS

/* What every event shares; the token bucket fills it in. */
typedef struct
{
  PacerTokenBucket *limiter;
  JsonObject *snapshot;
  gint64 call_count;
  gint64 exceptions;
  double start_time;
  double elapsed_time;
} PacerEventCommon;

PacerEvent *_pacer_drift_event_new          (const PacerEventCommon *common,
                                             double                  current_rate,
                                             double                  target_rate,
                                             double                  drift,
                                             double                  max_drift);
PacerEvent *_pacer_max_calls_event_new      (const PacerEventCommon *common,
                                             gint64                  max_calls);
/* Takes the digests, which may be NULL; windowed_rates is a floating or full a{ud}. */
PacerEvent *_pacer_periodic_check_event_new (const PacerEventCommon *common,
                                             guint                   worker_count,
                                             PacerTDigest           *durations,
                                             PacerTDigest           *waits,
                                             guint64                 sample_count,
                                             GVariant               *windowed_rates,
                                             double                  target_rate,
                                             double                  current_rate,
                                             double                  drift);

G_END_DECLS
