/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PacerRunner's API as a user meets it: outcomes and signals, the
 * environment of the test processes, programs run whole, bad input,
 * cancelling, listing; and PacerTestResult. How the runner survives
 * misbehaving tests is in test-runner-faults.c, how it deals tests out in
 * test-runner-scheduling.c, how it times them in test-runner-timing.c. */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"
#include "runner-test-utils.h"

static char *tmp_dir;

static void
test_outcomes (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/o/pass,fail:/o/fail,skip:/o/skip,incomplete:/o/incomplete,print:/o/print");
  g_autoptr(GError) error = NULL;
  PacerTestResult *result;
  const char * const *command;
  Counts counts = { 0 };

  g_test_summary ("Pass, fail, skip, incomplete and printed output are reported once each, with signals");

  g_object_set (runner, "n-workers", 2, NULL);
  g_signal_connect (runner, "run-started", G_CALLBACK (on_run_started), &counts);
  g_signal_connect (runner, "run-finished", G_CALLBACK (on_run_finished), &counts);
  g_signal_connect (runner, "test-started", G_CALLBACK (on_test_started), &counts);
  g_signal_connect (runner, "test-finished", G_CALLBACK (on_test_finished), &counts);
  g_signal_connect (runner, "worker-ready", G_CALLBACK (on_worker_ready), &counts);
  g_signal_connect (runner, "worker-down", G_CALLBACK (on_worker_down), &counts);

  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (pacer_runner_get_n_tests (runner), ==, 5);
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), ==, 2);
  g_assert_cmpuint (n_results (runner), ==, 5);
  g_assert_cmpint (outcome_of (runner, "/o/pass"), ==, PACER_TEST_OUTCOME_PASS);
  g_assert_cmpint (outcome_of (runner, "/o/fail"), ==, PACER_TEST_OUTCOME_FAIL);
  g_assert_cmpint (outcome_of (runner, "/o/skip"), ==, PACER_TEST_OUTCOME_SKIP);
  g_assert_cmpint (outcome_of (runner, "/o/incomplete"), ==, PACER_TEST_OUTCOME_SKIP);
  g_assert_cmpint (outcome_of (runner, "/o/print"), ==, PACER_TEST_OUTCOME_PASS);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 2);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FAIL), ==, 1);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_SKIP), ==, 2);

  result = find_result (runner, "/o/skip");
  g_assert_cmpstr (pacer_test_result_get_message (result), ==, "not today");
  result = find_result (runner, "/o/print");
  g_assert_nonnull (strstr (pacer_test_result_get_output (result), "print: a line on stdout"));
  g_assert_nonnull (strstr (pacer_test_result_get_output (result), "print: a line on stderr"));
  result = find_result (runner, "/o/fail");
  g_assert_nonnull (strstr (pacer_test_result_get_output (result), "fail: output of the failing test"));
  g_assert_true (g_str_has_prefix (pacer_test_result_get_worker (result), "gw"));
  g_assert_true (g_str_has_suffix (pacer_test_result_get_program (result), "fake-gtest"));
  g_assert_cmpfloat (pacer_test_result_get_duration (result), >=, 0);
  command = pacer_test_result_get_command (result);
  g_assert_nonnull (command);
  g_assert_true (g_strv_contains (command, "/o/fail"));
  g_assert_true (g_strv_contains (command, pacer_runner_get_seed (runner)));
  g_assert_false (g_strv_contains (command, "/o/pass"));

  g_assert_cmpuint (counts.run_started, ==, 1);
  g_assert_cmpuint (counts.run_finished, ==, 1);
  g_assert_cmpuint (counts.test_finished, ==, 5);
  g_assert_cmpuint (counts.test_started, ==, 5);
  g_assert_cmpuint (counts.worker_ready, ==, 2);
  g_assert_cmpuint (counts.worker_down_null, ==, 2);
  g_assert_cmpuint (counts.worker_down_error, ==, 0);
}
static void
check_run_dir (PacerRunner *runner,
               const char  *program,
               const char  *path,
               const char  *worker,
               guint       *checked)
{
  g_autoptr(GPtrArray) log = read_log ();
  struct stat st;

  /* While the run goes on, its directory exists and is private. */
  for (guint i = 0; i < log->len; i++)
    {
      LogLine *line = g_ptr_array_index (log, i);

      g_assert_cmpint (g_stat (line->run_dir, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0700);
      (*checked)++;
    }
}

static void
test_environment (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/e/0,pass:/e/1,pass:/e/2,pass:/e/3,pass:/e/4,pass:/e/5");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;
  const char *seed = "R02S0123456789abcdef0123456789abcdef";
  const char *run_dir = NULL;

  g_test_summary ("Every process gets PACER_WORKER/_COUNT/_RUN_DIR and one seed; the run dir goes after");

  guint checked = 0;

  g_object_set (runner, "n-workers", 2, "seed", seed, NULL);
  g_signal_connect (runner, "test-started", G_CALLBACK (check_run_dir), &checked);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_cmpuint (checked, >, 0);
  g_assert_no_error (error);
  g_assert_cmpstr (pacer_runner_get_seed (runner), ==, seed);

  log = read_log ();
  g_assert_cmpuint (log->len, ==, 6);
  for (guint i = 0; i < log->len; i++)
    {
      LogLine *line = g_ptr_array_index (log, i);

      g_assert_true (g_str_equal (line->worker, "gw0") || g_str_equal (line->worker, "gw1"));
      g_assert_cmpstr (line->count, ==, "2");
      g_assert_cmpstr (line->seed, ==, seed);
      if (run_dir == NULL)
        run_dir = line->run_dir;
      g_assert_cmpstr (line->run_dir, ==, run_dir);
    }
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
}
static void
test_whole_program (void)
{
  struct { const char *exit_status; const char *sig; PacerTestOutcome outcome; } cases[] = {
    { "0", NULL, PACER_TEST_OUTCOME_PASS },
    { "77", NULL, PACER_TEST_OUTCOME_SKIP },
    { "3", NULL, PACER_TEST_OUTCOME_FAIL },
    { "0", "11", PACER_TEST_OUTCOME_CRASH },
  };
  g_autofree char *plain = g_test_build_filename (G_TEST_BUILT, "fake-plain", NULL);
  const char *programs[] = { plain, NULL };

  g_test_summary ("A program without a GTest -l runs whole, judged by exit status, its TAP read as results");

  g_unsetenv ("FAKE_PLAIN_OUTPUT");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
      g_autoptr(GError) error = NULL;

      g_setenv ("FAKE_PLAIN_EXIT", cases[i].exit_status, TRUE);
      if (cases[i].sig != NULL)
        g_setenv ("FAKE_PLAIN_SIGNAL", cases[i].sig, TRUE);
      else
        g_unsetenv ("FAKE_PLAIN_SIGNAL");

      g_assert_true (pacer_runner_run (runner, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_results (runner), ==, 1);
      g_assert_cmpint (outcome_of (runner, plain), ==, cases[i].outcome);
    }
  g_unsetenv ("FAKE_PLAIN_SIGNAL");

  {
    g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
    g_autoptr(GError) error = NULL;
    g_autofree char *first = g_strdup_printf ("%s: first", plain);
    g_autofree char *second = g_strdup_printf ("%s: second", plain);

    g_setenv ("FAKE_PLAIN_EXIT", "1", TRUE);
    g_setenv ("FAKE_PLAIN_OUTPUT", "1..2\nok 1 first\nsome output\nnot ok 2 second\n", TRUE);
    g_assert_true (pacer_runner_run (runner, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (outcome_of (runner, first), ==, PACER_TEST_OUTCOME_PASS);
    g_assert_cmpint (outcome_of (runner, second), ==, PACER_TEST_OUTCOME_FAIL);
    g_assert_nonnull (strstr (pacer_test_result_get_output (find_result (runner, second)), "some output"));
    /* Its TAP lines are its tests, as meson's subtests: the failing exit is
     * explained by the `not ok`, so the program adds no verdict of its own. */
    g_assert_cmpuint (n_results (runner), ==, 2);
    g_assert_cmpuint (pacer_runner_get_n_whole_programs (runner), ==, 1);
    /* Reproduced by running the program itself. */
    g_assert_cmpuint (g_strv_length ((GStrv) pacer_test_result_get_command (find_result (runner, second))), ==, 1);
    g_assert_true (g_str_has_suffix (pacer_test_result_get_command (find_result (runner, second))[0], "/fake-plain"));
  }

  {
    struct { const char *output; const char *exit_status; guint n_results; PacerTestOutcome own; const char *says; } tap_cases[] = {
      /* All ok, exit 0: two passes, nothing more. */
      { "1..2\nok 1 first\nok 2 second\n", "0", 2, PACER_TEST_OUTCOME_N_OUTCOMES, NULL },
      /* All ok but a failing exit: the program's own failure is reported. */
      { "1..2\nok 1 first\nok 2 second\n", "3", 3, PACER_TEST_OUTCOME_FAIL, "status 3" },
      /* A broken plan is a failure even with exit 0. */
      { "1..3\nok 1 first\nok 2 second\n", "0", 3, PACER_TEST_OUTCOME_FAIL, "planned 3 tests but reported 2" },
      /* A trailing plan counts too; no plan at all is fine. */
      { "ok 1 first\nok 2 second\n1..2\n", "0", 2, PACER_TEST_OUTCOME_N_OUTCOMES, NULL },
      { "ok 1 first\nok 2 second\n", "0", 2, PACER_TEST_OUTCOME_N_OUTCOMES, NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (tap_cases); i++)
      {
        g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) results = NULL;
        PacerTestResult *own = NULL;

        g_setenv ("FAKE_PLAIN_OUTPUT", tap_cases[i].output, TRUE);
        g_setenv ("FAKE_PLAIN_EXIT", tap_cases[i].exit_status, TRUE);
        g_assert_true (pacer_runner_run (runner, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (n_results (runner), ==, tap_cases[i].n_results);
        results = pacer_runner_get_results (runner);
        for (guint j = 0; j < results->len; j++)
          if (g_str_equal (pacer_test_result_get_path (g_ptr_array_index (results, j)), plain))
            own = g_ptr_array_index (results, j);
        if (tap_cases[i].own == PACER_TEST_OUTCOME_N_OUTCOMES)
          g_assert_null (own);
        else
          {
            g_assert_nonnull (own);
            g_assert_cmpint (pacer_test_result_get_outcome (own), ==, tap_cases[i].own);
            g_assert_nonnull (strstr (pacer_test_result_get_message (own), tap_cases[i].says));
          }
      }
  }
  g_unsetenv ("FAKE_PLAIN_OUTPUT");
  g_unsetenv ("FAKE_PLAIN_EXIT");

  {
    g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
    g_autoptr(GError) error = NULL;
    g_autofree char *name = g_strdup_printf ("pacer-fake-plain-runs-%d.log", (int) getpid ());
    g_autofree char *log = g_build_filename (g_get_tmp_dir (), name, NULL);
    g_autofree char *contents = NULL;

    /* Not a GTest program: never asked for -l, so it runs exactly once. */
    g_unlink (log);
    g_setenv ("FAKE_PLAIN_LOG", log, TRUE);
    g_assert_true (pacer_runner_run (runner, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "run\n");
    g_unsetenv ("FAKE_PLAIN_LOG");
    g_unlink (log);
  }

  {
    g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
    g_autoptr(GError) error = NULL;
    PacerTestResult *result;

    g_setenv ("FAKE_PLAIN_HANG", "1", TRUE);
    g_object_set (runner, "timeout", 0.3, NULL);
    g_assert_true (pacer_runner_run (runner, NULL, &error));
    g_assert_no_error (error);
    result = find_result (runner, plain);
    g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_TIMEOUT);
    g_assert_cmpfloat (pacer_test_result_get_duration (result), >=, 0.3);
    g_unsetenv ("FAKE_PLAIN_HANG");
  }
}
static void
test_same_program_twice (void)
{
  g_autofree char *gtest = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autofree char *dir = g_path_get_dirname (gtest);
  g_autofree char *other_spelling = g_build_filename (dir, ".", "fake-gtest", NULL);
  const char *programs[] = { gtest, other_spelling, NULL };
  g_autoptr(PacerRunner) runner = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A program given twice, however spelt, runs once");

  g_setenv ("FAKE_GTEST_TESTS", "pass:/d/a,pass:/d/b", TRUE);
  reset_log ();
  runner = pacer_runner_new (programs);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_n_tests (runner), ==, 2);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 2);
}

static void
test_bad_input (void)
{
  g_autofree char *not_exec = g_build_filename (tmp_dir, "not-executable", NULL);
  const char *missing[] = { "/nonexistent/test-program", NULL };
  const char *plain_file[] = { not_exec, NULL };
  g_autoptr(GError) error = NULL;

  g_test_summary ("A missing or non-executable program or a bad seed is an error; a program's own misbehaviour is not");

  {
    g_autoptr(PacerRunner) runner = pacer_runner_new (missing);

    g_assert_false (pacer_runner_run (runner, NULL, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "/nonexistent/test-program"));
    g_clear_error (&error);
  }

  g_assert_true (g_file_set_contents (not_exec, "#!/bin/sh\n", -1, NULL));
  {
    g_autoptr(PacerRunner) runner = pacer_runner_new (plain_file);

    g_assert_false (pacer_runner_run (runner, NULL, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "not an executable"));
    g_clear_error (&error);
  }

  {
    g_autoptr(PacerRunner) runner = new_runner ("pass:/b/0");

    g_object_set (runner, "seed", "12345", NULL);
    g_assert_false (pacer_runner_run (runner, NULL, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  {
    g_autoptr(PacerRunner) runner = new_runner ("pass:/b/0");

    /* A program that hangs when listed is stopped by --timeout, and runs whole. */
    g_setenv ("FAKE_GTEST_HANG_LIST", "1", TRUE);
    g_object_set (runner, "timeout", 1.0, NULL);
    g_assert_true (pacer_runner_run (runner, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (pacer_runner_get_n_whole_programs (runner), ==, 1);
    g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 1);
    g_unsetenv ("FAKE_GTEST_HANG_LIST");
  }

  {
    g_autoptr(PacerRunner) runner = new_runner ("changing:/changing/pid,pass:/b/0");

    /* A listed test missing when it runs: the program runs whole instead. */
    g_assert_true (pacer_runner_run (runner, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 2);
    g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN), ==, 0);
  }
}

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (pacer_runner_run_finish (PACER_RUNNER (source), result, error));
}

static void
on_started_cancel (PacerRunner  *runner,
                   const char   *program,
                   const char   *path,
                   const char   *worker,
                   GCancellable *cancellable)
{
  if (g_str_equal (path, "/a/hang"))
    g_cancellable_cancel (cancellable);
}

static void
test_async_cancel (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("hang:/a/hang,pass:/a/0,pass:/a/1,pass:/a/2");
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_ALL_SCHEDULER, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = NULL;

  g_test_summary ("run_async with a cancelled cancellable kills the processes and reports the rest not run");

  g_object_set (runner, "n-workers", 1, "scheduler", scheduler, NULL);
  g_signal_connect (runner, "test-started", G_CALLBACK (on_started_cancel), cancellable);
  pacer_runner_run_async (runner, cancellable, on_async_done, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (n_results (runner), ==, 4);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN), ==, 4);

  /* The test process may have been killed before it logged anything. */
  log = read_log ();
  if (log->len > 0)
    assert_dead (((LogLine *) g_ptr_array_index (log, 0))->pid);
}
static void
test_list_tests (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/l/a,fail:/l/b,pass:/l/c,pass:/l/d");
  g_autoptr(GPtrArray) listed = NULL, sliced = NULL, again = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  const char *skip[] = { "/l/b", NULL };
  Counts counts = { 0, };

  g_test_summary ("list_tests() gives what a run would start, runs nothing, and a run can follow");

  g_signal_connect (runner, "run-started", G_CALLBACK (on_run_started), &counts);
  g_signal_connect (runner, "run-finished", G_CALLBACK (on_run_finished), &counts);
  g_signal_connect (runner, "test-started", G_CALLBACK (on_test_started), &counts);

  g_object_set (runner, "skip-paths", skip, NULL);
  listed = pacer_runner_list_tests (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  for (guint i = 0; i < listed->len; i++)
    {
      PacerTestResult *test = g_ptr_array_index (listed, i);
      const char *paths[] = { "/l/a", "/l/c", "/l/d" };

      g_assert_cmpstr (pacer_test_result_get_path (test), ==, paths[i]);
      g_assert_cmpstr (pacer_test_result_get_program (test), ==, program);
      g_assert_cmpint (pacer_test_result_get_outcome (test), ==, PACER_TEST_OUTCOME_NOT_RUN);
      g_assert_null (pacer_test_result_get_worker (test));
    }

  /* The partition applies after -s, as in a run. */
  g_object_set (runner, "partition", "slice:1/2", NULL);
  sliced = pacer_runner_list_tests (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sliced->len, ==, 2);

  log = read_log ();
  g_assert_cmpuint (log->len, ==, 0);
  g_assert_cmpuint (counts.run_started + counts.run_finished + counts.test_started, ==, 0);
  g_assert_cmpuint (n_results (runner), ==, 0);

  /* A run after a listing runs as ever, and a listing after a run clears it. */
  g_object_set (runner, "partition", NULL, "skip-paths", NULL, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_results (runner), ==, 4);
  g_assert_cmpuint (counts.run_started, ==, 1);
  again = pacer_runner_list_tests (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 4);
  g_assert_cmpuint (n_results (runner), ==, 0);
  g_assert_cmpuint (counts.run_finished, ==, 1);
}

static void
test_result_object (void)
{
  g_autoptr(PacerTestResult) result = pacer_test_result_new ("prog", "/x", PACER_TEST_OUTCOME_TIMEOUT,
                                                             1.5, "gw3", "slow", "out");

  g_test_summary ("PacerTestResult holds what it was given; outcomes that fail a run are known");

  g_assert_cmpstr (pacer_test_result_get_program (result), ==, "prog");
  g_assert_cmpstr (pacer_test_result_get_path (result), ==, "/x");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_TIMEOUT);
  g_assert_cmpfloat (pacer_test_result_get_duration (result), ==, 1.5);
  g_assert_cmpstr (pacer_test_result_get_worker (result), ==, "gw3");
  g_assert_cmpstr (pacer_test_result_get_message (result), ==, "slow");
  g_assert_cmpstr (pacer_test_result_get_output (result), ==, "out");
  g_assert_null (pacer_test_result_get_command (result));
  g_assert_true (pacer_test_outcome_is_failure (PACER_TEST_OUTCOME_CRASH));
  g_assert_true (pacer_test_outcome_is_failure (PACER_TEST_OUTCOME_TIMEOUT));
  g_assert_false (pacer_test_outcome_is_failure (PACER_TEST_OUTCOME_FLAKY));
  g_assert_false (pacer_test_outcome_is_failure (PACER_TEST_OUTCOME_NOT_RUN));
  g_assert_true (pacer_runner_seed_is_valid ("R02S0123456789abcdef0123456789abcdef"));
  g_assert_false (pacer_runner_seed_is_valid ("R02S0123"));
  {
    g_autofree char *seed = pacer_runner_generate_seed ();
    g_assert_true (pacer_runner_seed_is_valid (seed));
  }
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

  g_test_add_func ("/Pacer/Runner/outcomes", test_outcomes);
  g_test_add_func ("/Pacer/Runner/environment", test_environment);
  g_test_add_func ("/Pacer/Runner/whole-program", test_whole_program);
  g_test_add_func ("/Pacer/Runner/same-program-twice", test_same_program_twice);
  g_test_add_func ("/Pacer/Runner/bad-input", test_bad_input);
  g_test_add_func ("/Pacer/Runner/async-cancel", test_async_cancel);
  g_test_add_func ("/Pacer/Runner/list-tests", test_list_tests);
  g_test_add_func ("/Pacer/TestResult/properties", test_result_object);

  status = g_test_run ();
  runner_test_utils_clear ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
