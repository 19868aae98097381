/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>

#include "pacer-gcra-private.h"

#define USEC_PER_SEC 1000000.0

/* At least 1 µs, so a rate above a million a second still moves the TAT. */
gint64
_pacer_gcra_interval (double per_second)
{
  return MAX (1, (gint64) llround (USEC_PER_SEC / per_second));
}

/* How early a slot may come: burst_capacity calls fit into one instant. */
gint64
_pacer_gcra_tolerance (guint  burst_capacity,
                       gint64 interval)
{
  return (gint64) (burst_capacity - 1) * interval;
}

/* @has_tat is FALSE for a bucket no call has used yet; @timeout is in
 * seconds, negative for none. */
void
_pacer_gcra_step (gboolean       has_tat,
                  gint64         tat_before,
                  gint64         now,
                  gint64         interval,
                  gint64         tolerance,
                  double         timeout,
                  PacerGcraStep *step)
{
  gint64 tat;

  if (!has_tat)
    tat_before = now;

  /* The late-caller rule. A caller that comes back a little after its
   * schedule (woken late, or busy for a moment between calls) keeps the
   * schedule rather than restarting it from now: otherwise every late
   * wake-up is lost for good, and at 2000/s on a loaded machine that is a
   * rate 1-3 % short. The half-interval bound: slots then lie within half
   * an interval after the grid, so no second holds more than the rate plus
   * the burst. Idle longer, and the schedule restarts. */
  if (now - tat_before <= interval / 2)
    tat = tat_before;
  else
    tat = now;

  step->slot = MAX (now, tat_before - tolerance);
  step->wait = step->slot - now;
  step->accepted = !(timeout >= 0 && (double) step->wait > timeout * USEC_PER_SEC);
  step->tat_after = tat + interval;
}
