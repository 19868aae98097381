/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How PacerRunner deals tests out: how many workers, suites that are also
 * tests, a scheduler that ignores the runner's advice, several programs in
 * one pool. */

#include "config.h"

#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"
#include "runner-test-utils.h"

static char *tmp_dir;

static void
test_workers_capped (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/w/0,pass:/w/1");
  g_autoptr(GError) error = NULL;

  g_test_summary ("Never more workers than tests; -n auto uses the usable CPUs");

  g_object_set (runner, "n-workers", 8, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), ==, 2);

  g_object_set (runner, "n-workers", 0, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), ==, MIN (2, pacer_runner_get_usable_cpus ()));
  g_assert_cmpuint (pacer_runner_get_usable_cpus (), >=, 1);
}

static void
test_suite_path (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/s,pass:/s/child,pass:/s/other,pass:/t");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;

  g_test_summary ("A path that is also a suite runs exactly once, as -p P -x P/");

  g_object_set (runner, "n-workers", 1, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 4);
  log = read_log ();
  g_assert_cmpuint (log_count (log, "/s"), ==, 1);
  g_assert_cmpuint (log_count (log, "/s/child"), ==, 1);
  g_assert_cmpuint (log_count (log, "/s/other"), ==, 1);
  g_assert_cmpuint (log_count (log, "/t"), ==, 1);
}

static void
test_careless_scheduler (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/s,pass:/s/a,pass:/s/b,pass:/t");
  g_autoptr(TestAllScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;

  g_test_summary ("A scheduler that batches an ALONE test with others cannot make the runner skip tests");

  test_all_scheduler_set_ignore_alone (scheduler, TRUE);
  g_object_set (runner, "n-workers", 1, "scheduler", scheduler, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 4);
  log = read_log ();
  g_assert_cmpuint (log->len, ==, 4);
  g_assert_cmpuint (log_count (log, "/s"), ==, 1);
  g_assert_cmpuint (log_count (log, "/s/a"), ==, 1);
}
static void
test_shared_pool (void)
{
  g_autofree char *gtest = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autofree char *plain = g_test_build_filename (G_TEST_BUILT, "fake-plain", NULL);
  const char *programs[] = { gtest, plain, NULL };
  g_autoptr(PacerRunner) runner = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("Several programs share one pool of workers");

  g_setenv ("FAKE_GTEST_TESTS", "pass:/p/0,pass:/p/1,pass:/p/2", TRUE);
  g_setenv ("FAKE_PLAIN_EXIT", "0", TRUE);
  reset_log ();
  runner = pacer_runner_new (programs);
  g_object_set (runner, "n-workers", 2, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_n_tests (runner), ==, 4);
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), ==, 2);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 4);
  g_unsetenv ("FAKE_PLAIN_EXIT");
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

  g_test_add_func ("/Pacer/Runner/workers-capped", test_workers_capped);
  g_test_add_func ("/Pacer/Runner/suite-path", test_suite_path);
  g_test_add_func ("/Pacer/Runner/careless-scheduler", test_careless_scheduler);
  g_test_add_func ("/Pacer/Runner/shared-pool", test_shared_pool);

  status = g_test_run ();
  runner_test_utils_clear ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
