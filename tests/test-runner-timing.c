/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How PacerRunner times tests: by GTest's own clock however late it reads
 * the results, by the lines when GTest's log is silenced, and into the
 * duration history the next run schedules by. */

#include "config.h"

#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"
#include "runner-test-utils.h"

static char *tmp_dir;

static void
test_history (void)
{
  g_autofree char *file = g_build_filename (tmp_dir, "history", "durations.json", NULL);
  g_autoptr(PacerDurationHistory) history = pacer_duration_history_new (file);
  g_autoptr(PacerDurationHistory) reread = pacer_duration_history_new (file);
  g_autoptr(PacerRunner) runner = new_runner ("slow:/h/slow,pass:/h/fast");
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);

  g_test_summary ("Durations of a run are saved to the history for the next one");

  g_object_set (runner, "n-workers", 2, "history", history, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (pacer_duration_history_load (reread, &error));
  g_assert_no_error (error);
  /* GTest's own clock times the 300 ms test. */
  g_assert_cmpfloat (pacer_duration_history_lookup (reread, program, "/h/slow"), >=, 0.3);
  g_assert_cmpfloat (pacer_duration_history_lookup (reread, program, "/h/fast"), <,
                     pacer_duration_history_lookup (reread, program, "/h/slow"));
  g_assert_cmpfloat (pacer_duration_history_lookup (reread, program, "/h/fast"), >=, 0);
}

static void
stall_on_slow (PacerRunner *runner,
               const char  *program,
               const char  *path,
               const char  *worker,
               gpointer     user_data)
{
  /* The controller looks away while the slow test and those after it run,
   * so their result lines all arrive in one read. */
  if (g_str_equal (path, "/c/slow"))
    g_usleep (700 * G_TIME_SPAN_MILLISECOND);
}

static void
test_gtest_clock (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("slow:/c/slow,pass:/c/a,pass:/c/b,pass:/c/c,pass:/c/d,trap:/c/trap");
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
  g_autoptr(GError) error = NULL;
  const char *fast[] = { "/c/a", "/c/b", "/c/c", "/c/d" };
  PacerTestResult *slow, *trap;

  g_test_summary ("Tests are timed by GTest's own clock, however late the runner reads their results");

  g_object_set (runner, "n-workers", 1, "scheduler", scheduler, NULL);
  g_signal_connect (runner, "test-started", G_CALLBACK (stall_on_slow), NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 6);

  /* Timing by arrival would share the 0.7 s stall out over all five. */
  slow = find_result (runner, "/c/slow");
  g_assert_cmpfloat (pacer_test_result_get_duration (slow), >=, 0.3);
  g_assert_cmpfloat (pacer_test_result_get_duration (slow), <, 0.5);
  g_assert_cmpfloat_with_epsilon (pacer_test_result_get_end_time (slow) - pacer_test_result_get_start_time (slow),
                                  pacer_test_result_get_duration (slow), 1e-6);
  for (guint i = 0; i < G_N_ELEMENTS (fast); i++)
    {
      PacerTestResult *result = find_result (runner, fast[i]);

      g_assert_cmpfloat (pacer_test_result_get_duration (result), <, 0.05);
      g_assert_cmpfloat (pacer_test_result_get_start_time (result), >=,
                         pacer_test_result_get_end_time (slow) - 0.05);
    }

  /* The trap subprocess's own STOP_CASE (50 ms) is not the test's (200 ms). */
  trap = find_result (runner, "/c/trap");
  g_assert_cmpfloat (pacer_test_result_get_duration (trap), >=, 0.2);
}

static void
test_gtest_clock_lost (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/m/before,muted:/m/muted,slow:/m/after");
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_test_summary ("A test that silences GTest's log is timed by its lines, and the run goes on");

  g_object_set (runner, "n-workers", 1, "scheduler", scheduler, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 3);
  /* By lines: from reading the result before to reading its own, so a
   * little under the 100 ms it slept if the line before was read late. */
  g_assert_cmpfloat (pacer_test_result_get_duration (find_result (runner, "/m/muted")), >=, 0.09);
  g_assert_cmpfloat (pacer_test_result_get_duration (find_result (runner, "/m/after")), >=, 0.29);
  /* The grandchild holding the log open sleeps 30 s: nobody waits for it. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 15 * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  pacer_test_keep_segv_a_signal ();
  tmp_dir = pacer_test_make_tmp_dir ("pacer-test-XXXXXX");
  runner_test_utils_init (tmp_dir);

  g_test_add_func ("/Pacer/Runner/history", test_history);
  g_test_add_func ("/Pacer/Runner/gtest-clock", test_gtest_clock);
  g_test_add_func ("/Pacer/Runner/gtest-clock-lost", test_gtest_clock_lost);

  status = g_test_run ();
  runner_test_utils_clear ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
