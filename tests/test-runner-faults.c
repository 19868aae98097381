/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PacerRunner against tests that crash, hang, fail or fail only once: who
 * is blamed, what runs after, and when the run gives up (restart limit,
 * -x, --retries, --timeout). */

#include "config.h"

#include <string.h>

#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"
#include "runner-test-utils.h"

static char *tmp_dir;

static void
test_crash_every_position (void)
{
  const char *kinds[] = { "segv", "abort", "assert", "exit0" };
  const char *messages[] = { "signal 11", "signal 6", "assertion failed", "status 0" };

  g_test_summary ("A crash at any position of a batch blames that test, and the rest runs in a fresh process");

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint position = 0; position < 5; position++)
      {
        g_autoptr(GString) spec = g_string_new (NULL);
        g_autoptr(PacerRunner) runner = NULL;
        g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) log = NULL;
        g_autofree char *culprit = g_strdup_printf ("/c/%u", position);
        PacerTestResult *result;
        int before_pid = 0, after_pid = 0;

        for (guint i = 0; i < 5; i++)
          g_string_append_printf (spec, "%s%s:/c/%u", i ? "," : "", i == position ? kinds[k] : "pass", i);

        runner = new_runner (spec->str);
        g_object_set (runner, "n-workers", 1, "scheduler", scheduler, NULL);
        g_assert_true (pacer_runner_run (runner, NULL, &error));
        g_assert_no_error (error);

        g_assert_cmpuint (n_results (runner), ==, 5);
        result = find_result (runner, culprit);
        g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_CRASH);
        g_assert_nonnull (strstr (pacer_test_result_get_message (result), messages[k]));
        if (k == 0)
          g_assert_nonnull (strstr (pacer_test_result_get_output (result), "segv: output before the crash"));
        g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 4);

        log = read_log ();
        g_assert_cmpuint (log->len, ==, 5);
        for (guint i = 0; i < 5; i++)
          {
            g_autofree char *path = g_strdup_printf ("/c/%u", i);
            LogLine *line = log_find (log, path);

            g_assert_cmpuint (log_count (log, path), ==, 1);
            if (i <= position)
              {
                /* One process ran everything up to the crash ... */
                if (before_pid == 0)
                  before_pid = line->pid;
                g_assert_cmpint (line->pid, ==, before_pid);
              }
            else
              {
                /* ... and a fresh one the rest of the batch. */
                if (after_pid == 0)
                  after_pid = line->pid;
                g_assert_cmpint (line->pid, ==, after_pid);
                g_assert_cmpint (line->pid, !=, before_pid);
              }
          }
      }
}

static void
test_restart_limit (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("segv:/r/0,segv:/r/1,segv:/r/2,segv:/r/3,pass:/r/4,pass:/r/5");
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
  g_autoptr(GError) error = NULL;
  Counts counts = { 0 };

  g_test_summary ("Past --max-worker-restart the run stops and the tests left are reported not run");

  g_object_set (runner, "n-workers", 1, "max-worker-restart", 1, "scheduler", scheduler, NULL);
  g_signal_connect (runner, "worker-down", G_CALLBACK (on_worker_down), &counts);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (n_results (runner), ==, 6);
  g_assert_cmpint (outcome_of (runner, "/r/0"), ==, PACER_TEST_OUTCOME_CRASH);
  g_assert_cmpint (outcome_of (runner, "/r/1"), ==, PACER_TEST_OUTCOME_CRASH);
  for (guint i = 2; i < 6; i++)
    {
      g_autofree char *path = g_strdup_printf ("/r/%u", i);
      PacerTestResult *result = find_result (runner, path);

      g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_NOT_RUN);
      g_assert_nonnull (strstr (pacer_test_result_get_message (result), "restart limit"));
      g_assert_null (pacer_test_result_get_worker (result));
    }
  g_assert_cmpuint (counts.worker_down_error, ==, 2);

  /* The re-queued rest ran as `-p /r -s /r/0`: nothing ran twice. */
  {
    g_autoptr(GPtrArray) log = read_log ();

    g_assert_cmpuint (log->len, ==, 2);
    g_assert_cmpuint (log_count (log, "/r/0"), ==, 1);
    g_assert_cmpuint (log_count (log, "/r/1"), ==, 1);
  }
}

static void
test_restart_limit_zero (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("segv:/z/0,pass:/z/1,pass:/z/2");
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("--max-worker-restart 0 stops at the first crash without losing a test");

  g_object_set (runner, "n-workers", 1, "max-worker-restart", 0, "scheduler", scheduler, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_results (runner), ==, 3);
  g_assert_cmpint (outcome_of (runner, "/z/0"), ==, PACER_TEST_OUTCOME_CRASH);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN), ==, 2);

  /* With a retry due when the run stops, the crash stays the test's result. */
  {
    g_autoptr(PacerRunner) again = new_runner ("segv:/z/0,pass:/z/1");
    g_autoptr(PacerScheduler) all = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
    PacerTestResult *result;

    g_object_set (again, "n-workers", 1, "max-worker-restart", 0, "retries", 1, "scheduler", all, NULL);
    g_assert_true (pacer_runner_run (again, NULL, &error));
    g_assert_no_error (error);
    result = find_result (again, "/z/0");
    g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_CRASH);
    g_assert_nonnull (strstr (pacer_test_result_get_message (result), "not retried"));
    g_assert_cmpint (outcome_of (again, "/z/1"), ==, PACER_TEST_OUTCOME_NOT_RUN);
  }
}

static void
test_timeout (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("hang:/t/hang,pass:/t/after,hangterm:/t/stubborn,pass:/t/last");
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;
  PacerTestResult *result;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  g_test_summary ("A test past --timeout has its group killed (TERM, then KILL after 2 s) and the batch goes on");

  g_object_set (runner, "n-workers", 1, "timeout", 0.3, "scheduler", scheduler, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  result = find_result (runner, "/t/hang");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_TIMEOUT);
  g_assert_nonnull (strstr (pacer_test_result_get_message (result), "timed out"));
  g_assert_nonnull (strstr (pacer_test_result_get_output (result), "hang: going to sleep"));
  g_assert_cmpfloat (pacer_test_result_get_duration (result), >=, 0.3);
  g_assert_cmpint (outcome_of (runner, "/t/stubborn"), ==, PACER_TEST_OUTCOME_TIMEOUT);
  g_assert_cmpint (outcome_of (runner, "/t/after"), ==, PACER_TEST_OUTCOME_PASS);
  g_assert_cmpint (outcome_of (runner, "/t/last"), ==, PACER_TEST_OUTCOME_PASS);

  /* 0.3 s, then 0.3 s plus the 2 s grace for the one ignoring SIGTERM. */
  g_assert_cmpfloat (elapsed, >=, 2.5);
  g_assert_cmpfloat (elapsed, <, 8);

  log = read_log ();
  assert_dead (log_find (log, "/t/hang")->pid);
  assert_dead (log_find (log, "/t/stubborn")->pid);
}

static void
test_maxfail (void)
{
  const char *first_kinds[] = { "fail", "segv" };

  g_test_summary ("-x stops at once on a failure or a crash: queued and running tests are not run");

  for (guint k = 0; k < G_N_ELEMENTS (first_kinds); k++)
    {
      g_autoptr(GString) spec = g_string_new (NULL);
      g_autoptr(PacerRunner) runner = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start;
      double elapsed;

      g_string_append_printf (spec, "%s:/x/first", first_kinds[k]);
      for (guint i = 0; i < 20; i++)
        g_string_append_printf (spec, ",slow:/x/slow%02u", i);

      runner = new_runner (spec->str);
      g_object_set (runner, "n-workers", 2, "maxfail", 1, NULL);
      start = g_get_monotonic_time ();
      g_assert_true (pacer_runner_run (runner, NULL, &error));
      g_assert_no_error (error);
      elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

      g_assert_cmpuint (n_results (runner), ==, 21);
      g_assert_cmpint (outcome_of (runner, "/x/first"), ==, k == 0 ? PACER_TEST_OUTCOME_FAIL : PACER_TEST_OUTCOME_CRASH);
      /* 20 × 0.3 s on two workers would take 3 s: the run stopped long before. */
      g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN), >=, 18);
      g_assert_cmpfloat (elapsed, <, 2.5);
    }
}

static void
test_retries (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("flaky:/y/flaky,fail:/y/fail,crashonce:/y/crashonce,pass:/y/pass");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;
  PacerTestResult *result;

  g_test_summary ("--retries reruns failures alone: a pass on retry is flaky, a steady failure stays failed");

  /* Run counts below leave out the confirmation of a failure in listing order. */
  g_object_set (runner, "n-workers", 2, "retries", 2, "order-check", FALSE, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (n_results (runner), ==, 4);
  result = find_result (runner, "/y/flaky");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_FLAKY);
  g_assert_nonnull (strstr (pacer_test_result_get_message (result), "attempt 2"));
  g_assert_cmpint (outcome_of (runner, "/y/fail"), ==, PACER_TEST_OUTCOME_FAIL);
  g_assert_cmpint (outcome_of (runner, "/y/crashonce"), ==, PACER_TEST_OUTCOME_FLAKY);
  g_assert_cmpint (outcome_of (runner, "/y/pass"), ==, PACER_TEST_OUTCOME_PASS);

  log = read_log ();
  g_assert_cmpuint (log_count (log, "/y/flaky"), ==, 2);
  g_assert_cmpuint (log_count (log, "/y/fail"), ==, 3);
  g_assert_cmpuint (log_count (log, "/y/crashonce"), ==, 2);
  g_assert_cmpuint (log_count (log, "/y/pass"), ==, 1);
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

  g_test_add_func ("/Pacer/Runner/crash-every-position", test_crash_every_position);
  g_test_add_func ("/Pacer/Runner/restart-limit", test_restart_limit);
  g_test_add_func ("/Pacer/Runner/restart-limit-zero", test_restart_limit_zero);
  g_test_add_func ("/Pacer/Runner/timeout", test_timeout);
  g_test_add_func ("/Pacer/Runner/maxfail", test_maxfail);
  g_test_add_func ("/Pacer/Runner/retries", test_retries);

  status = g_test_run ();
  runner_test_utils_clear ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
