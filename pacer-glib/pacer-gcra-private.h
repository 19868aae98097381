/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One step of the generic cell rate algorithm (virtual scheduling) the
 * token bucket paces with: from the theoretical arrival time (TAT) a store
 * holds, the time now and the rate, the slot a call gets and the TAT it
 * leaves. Nothing here reads a clock or a store, so the rules can be tested
 * at any instant; pacer-redis-gcra.c runs the same step in Lua, on the
 * server's clock, and must keep to the same rules. Times are µs. */

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean accepted;  /* FALSE: the slot lies beyond the timeout; keep the state */
  gint64 slot;        /* the instant the call may go, never before now */
  gint64 wait;        /* slot - now */
  gint64 tat_after;   /* the TAT to store if accepted */
} PacerGcraStep;

gint64 _pacer_gcra_interval  (double per_second);
gint64 _pacer_gcra_tolerance (guint  burst_capacity,
                              gint64 interval);

void   _pacer_gcra_step      (gboolean       has_tat,
                              gint64         tat_before,
                              gint64         now,
                              gint64         interval,
                              gint64         tolerance,
                              double         timeout,
                              PacerGcraStep *step);

G_END_DECLS
