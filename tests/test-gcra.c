/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib.h>

#include "pacer-glib/pacer-gcra-private.h"

/* 100 calls a second: the grid is 10 ms. */
#define INTERVAL 10000
#define SECOND G_USEC_PER_SEC
#define T0 ((gint64) 1700000000 * SECOND)

static void
test_first_call (void)
{
  PacerGcraStep step;

  g_test_summary ("A bucket no call has used lets the first call go now");

  _pacer_gcra_step (FALSE, 0, T0, INTERVAL, 0, -1, &step);
  g_assert_true (step.accepted);
  g_assert_cmpint (step.slot, ==, T0);
  g_assert_cmpint (step.wait, ==, 0);
  g_assert_cmpint (step.tat_after, ==, T0 + INTERVAL);
}

static void
test_even_spacing (void)
{
  gint64 tat = 0;
  gboolean has_tat = FALSE;

  g_test_summary ("Calls arriving together with a burst of 1 get slots one interval apart");

  for (int i = 0; i < 5; i++)
    {
      PacerGcraStep step;

      _pacer_gcra_step (has_tat, tat, T0, INTERVAL, 0, -1, &step);
      g_assert_true (step.accepted);
      g_assert_cmpint (step.slot, ==, T0 + i * INTERVAL);
      g_assert_cmpint (step.wait, ==, i * INTERVAL);
      tat = step.tat_after;
      has_tat = TRUE;
    }
}

static void
test_burst (void)
{
  gint64 tolerance = _pacer_gcra_tolerance (3, INTERVAL);
  gint64 tat = 0;
  gboolean has_tat = FALSE;

  g_test_summary ("A burst capacity of 3 lets three calls through at once, then paces");

  g_assert_cmpint (tolerance, ==, 2 * INTERVAL);
  g_assert_cmpint (_pacer_gcra_tolerance (1, INTERVAL), ==, 0);

  for (int i = 0; i < 5; i++)
    {
      PacerGcraStep step;

      _pacer_gcra_step (has_tat, tat, T0, INTERVAL, tolerance, -1, &step);
      g_assert_cmpint (step.slot, ==, i < 3 ? T0 : T0 + (i - 2) * INTERVAL);
      tat = step.tat_after;
      has_tat = TRUE;
    }
}

static void
test_interval (void)
{
  g_test_summary ("The interval is the rate's, rounded to the microsecond and at least one");

  g_assert_cmpint (_pacer_gcra_interval (100), ==, 10000);
  g_assert_cmpint (_pacer_gcra_interval (3), ==, 333333);
  g_assert_cmpint (_pacer_gcra_interval (1.5), ==, 666667);
  g_assert_cmpint (_pacer_gcra_interval (1e9), ==, 1);
}

static void
test_timeout (void)
{
  PacerGcraStep step;
  gint64 tat = T0 + 3 * INTERVAL;

  g_test_summary ("A slot beyond the timeout is refused; one exactly at it is not");

  /* The wait is 30 ms. */
  _pacer_gcra_step (TRUE, tat, T0, INTERVAL, 0, 0.029, &step);
  g_assert_false (step.accepted);
  g_assert_cmpint (step.wait, ==, 3 * INTERVAL);

  _pacer_gcra_step (TRUE, tat, T0, INTERVAL, 0, 0.03, &step);
  g_assert_true (step.accepted);
  g_assert_cmpint (step.slot, ==, tat);

  _pacer_gcra_step (TRUE, tat, T0, INTERVAL, 0, -1, &step);
  g_assert_true (step.accepted);

  /* No wait fits any timeout, even none at all. */
  _pacer_gcra_step (TRUE, T0, T0, INTERVAL, 0, 0, &step);
  g_assert_true (step.accepted);
}

static void
test_late_caller (void)
{
  PacerGcraStep step;
  gint64 tat = T0;

  g_test_summary ("A caller at most half an interval late keeps the schedule; "
                  "one later restarts it from now");

  /* Exactly half an interval late: the grid holds. */
  _pacer_gcra_step (TRUE, tat, tat + INTERVAL / 2, INTERVAL, 0, -1, &step);
  g_assert_true (step.accepted);
  g_assert_cmpint (step.slot, ==, tat + INTERVAL / 2);
  g_assert_cmpint (step.tat_after, ==, tat + INTERVAL);

  /* A µs later: the schedule restarts from now. */
  _pacer_gcra_step (TRUE, tat, tat + INTERVAL / 2 + 1, INTERVAL, 0, -1, &step);
  g_assert_cmpint (step.slot, ==, tat + INTERVAL / 2 + 1);
  g_assert_cmpint (step.tat_after, ==, tat + INTERVAL / 2 + 1 + INTERVAL);

  /* Idle for long: no calls are banked beyond the burst. */
  _pacer_gcra_step (TRUE, tat, tat + 100 * INTERVAL, INTERVAL, 0, -1, &step);
  g_assert_cmpint (step.tat_after, ==, tat + 101 * INTERVAL);

  /* A caller always a little late keeps the full rate: 1000 calls each
   * woken 4 ms after its slot still take 1000 intervals. */
  for (int i = 0; i < 1000; i++)
    {
      _pacer_gcra_step (TRUE, tat, tat + 4000, INTERVAL, 0, -1, &step);
      tat = step.tat_after;
    }
  g_assert_cmpint (tat, ==, T0 + 1000 * INTERVAL);
}

/* Callers that come back at random up to an interval before or after their
 * grid point, now and then after a pause; every slot is checked against the grid it belongs
 * to and every second of slots against the rate. */
static void
check_half_interval_bound (guint burst)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 tolerance = _pacer_gcra_tolerance (burst, INTERVAL);
  gint64 now = T0;
  gint64 tat = 0;
  gboolean has_tat = FALSE;
  guint kept = 0;
  guint restarted = 0;
  guint64 per_second = SECOND / INTERVAL;

  for (int i = 0; i < 20000; i++)
    {
      PacerGcraStep step;

      _pacer_gcra_step (has_tat, tat, now, INTERVAL, tolerance, -1, &step);
      g_assert_true (step.accepted);

      /* The bound: a call that kept the schedule (its TAT moved one
       * interval on) went at most half an interval after its grid point. */
      if (has_tat && step.tat_after == tat + INTERVAL)
        {
          g_assert_cmpint (step.slot, <=, tat + INTERVAL / 2);
          kept++;
        }
      else
        {
          g_assert_cmpint (step.slot, ==, now);
          restarted++;
        }

      g_array_append_val (slots, step.slot);
      tat = step.tat_after;
      has_tat = TRUE;

      if (g_rand_int_range (rand, 0, 50) == 0)
        now = tat + g_rand_int_range (rand, 0, 5 * INTERVAL);
      else
        now = tat + g_rand_int_range (rand, -INTERVAL, INTERVAL + 1);
    }

  /* Both branches ran, or the bound was not tested. */
  g_assert_cmpuint (kept, >, 1000);
  g_assert_cmpuint (restarted, >, 1000);

  /* Slots come in order: a window is a run of the array. */
  for (guint first = 0, last = 0; first < slots->len; first++)
    {
      gint64 start = g_array_index (slots, gint64, first);

      while (last < slots->len && g_array_index (slots, gint64, last) < start + SECOND)
        last++;
      g_assert_cmpuint (last - first, <=, per_second + burst);
    }
}

static void
test_half_interval_bound (void)
{
  g_test_summary ("Late callers keep each slot within half an interval after the grid, "
                  "so no second holds more than the rate plus the burst");

  check_half_interval_bound (1);
  check_half_interval_bound (4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/Gcra/first-call", test_first_call);
  g_test_add_func ("/Pacer/Gcra/even-spacing", test_even_spacing);
  g_test_add_func ("/Pacer/Gcra/burst", test_burst);
  g_test_add_func ("/Pacer/Gcra/interval", test_interval);
  g_test_add_func ("/Pacer/Gcra/timeout", test_timeout);
  g_test_add_func ("/Pacer/Gcra/late-caller", test_late_caller);
  g_test_add_func ("/Pacer/Gcra/half-interval-bound", test_half_interval_bound);

  return g_test_run ();
}
