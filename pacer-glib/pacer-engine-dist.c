/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The runner's part in the distribution modes, and serial tests.
 *
 * Most of a mode lives in its scheduler; the runner only picks it, gives
 * `--dist no` one worker, and for `--dist each` indexes every test once per
 * worker. Those copies share their program and path; Test.copy says which
 * worker's copy a test is, and the runner's per-program tables, built
 * before copying, name copy 0 (copy c of test i is i + c × n_base_tests).
 *
 * A serial test (PacerRunner:serial) is handed to the scheduler as one that
 * must run alone. When a worker's next batch is a serial test, the runner
 * holds it until every running batch is over, runs it while the other
 * workers wait, then lets them go on. That needs no help from the
 * scheduler, so it works in every mode, with user-written schedulers too. */

#include "config.h"

#include "pacer-engine-state-private.h"

gboolean
_pacer_engine_check_dist (const PacerEngineSettings  *settings,
                          GError                    **error)
{
  g_autoptr(PacerScheduler) scheduler = NULL;

  if (settings->dist != PACER_DIST_MODE_LOADGROUP || settings->scheduler != NULL)
    return TRUE;
  scheduler = pacer_scheduler_new_for_dist (settings->dist, (const char * const *) settings->groups, error);
  return scheduler != NULL;
}

PacerScheduler *
_pacer_engine_make_scheduler (PacerEngine *run)
{
  PacerScheduler *scheduler;

  if (run->settings->scheduler != NULL)
    return g_object_ref (run->settings->scheduler);
  /* The groups were checked when the run started. */
  scheduler = pacer_scheduler_new_for_dist (run->settings->dist, (const char * const *) run->settings->groups, NULL);
  g_assert (scheduler != NULL);
  return scheduler;
}

/* `--dist no` runs the suite as one process after another would. */
guint
_pacer_engine_n_slots (PacerEngine *run,
                       guint        wanted)
{
  if (run->settings->dist == PACER_DIST_MODE_NO)
    return MIN (wanted, 1);
  return wanted;
}

void
_pacer_engine_copy_for_each (PacerEngine *run)
{
  guint n_base = run->tests->len;

  run->n_base_tests = n_base;
  if (run->settings->dist != PACER_DIST_MODE_EACH || run->n_slots < 2)
    return;

  g_array_set_size (run->tests, n_base * run->n_slots);
  for (guint copy = 1; copy < run->n_slots; copy++)
    for (guint i = 0; i < n_base; i++)
      {
        PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, copy * n_base + i);

        *test = g_array_index (run->tests, PacerEngineTest, i);
        test->copy = copy;
        test->first_failure = NULL;
      }
}

void
_pacer_engine_mark_serial (PacerEngine *run)
{
  const char * const *globs = (const char * const *) run->settings->serial;

  if (globs == NULL || globs[0] == NULL)
    return;

  for (guint i = 0; i < run->tests->len; i++)
    {
      PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, i);

      for (guint g = 0; globs[g] != NULL && !test->serial; g++)
        test->serial = g_pattern_match_simple (globs[g], test->path);
      /* Alone: its batch then holds nothing else, whatever the scheduler. */
      if (test->serial)
        test->alone = TRUE;
    }
}

static gboolean
is_serial (PacerEngine *run,
           guint        test_index)
{
  return g_array_index (run->tests, PacerEngineTest, test_index).serial;
}

/* Called with a worker's next batch. A serial test shares no batch; a
 * batch that is one serial test starts now if nothing runs, and is held
 * (TRUE, *tests taken) until the running batches are over otherwise. */
gboolean
_pacer_engine_hold_serial (PacerEngine  *run,
                           guint         slot,
                           GArray      **tests)
{
  GArray *batch = *tests;

  if (batch->len > 1)
    {
      guint kept = 0, first_serial = G_MAXUINT;

      for (guint i = 0; i < batch->len; i++)
        {
          guint test_index = g_array_index (batch, guint, i);

          if (!is_serial (run, test_index))
            g_array_index (batch, guint, kept++) = test_index;
          else if (first_serial == G_MAXUINT)
            first_serial = test_index;
          else
            _pacer_engine_requeue (run, test_index);
        }
      if (kept > 0 && first_serial != G_MAXUINT)
        _pacer_engine_requeue (run, first_serial);
      else if (kept == 0)
        g_array_index (batch, guint, kept++) = first_serial;
      g_array_set_size (batch, kept);
    }

  if (!is_serial (run, g_array_index (batch, guint, 0)))
    return FALSE;

  if (run->n_running == 0)
    {
      run->slots[slot].serial = TRUE;
      return FALSE;
    }

  g_assert (run->parked == NULL);
  run->parked = g_steal_pointer (tests);
  run->parked_slot = slot;
  return TRUE;
}

/* No batch may start while a serial one waits or runs. */
gboolean
_pacer_engine_serial_blocks (PacerEngine *run)
{
  if (run->parked != NULL)
    return TRUE;
  for (guint i = 0; i < run->n_slots; i++)
    if (run->slots[i].batch != NULL && run->slots[i].serial)
      return TRUE;
  return FALSE;
}

/* The run stops: a held serial batch will never run. */
void
_pacer_engine_park_stop (PacerEngine  *run,
                         void (*report_not_run) (PacerEngine *run, guint test_index))
{
  g_autoptr(GArray) parked = g_steal_pointer (&run->parked);

  for (guint i = 0; parked != NULL && i < parked->len; i++)
    report_not_run (run, g_array_index (parked, guint, i));
}
