/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Every --dist mode of PacerRunner against fake-gtest: each keeps the
 * runner's guarantees (a crash re-runs nothing and never loops, -x stops,
 * timeouts kill, retries retry, the restart limit holds), and serial tests
 * run while nothing else does. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;
static char *log_file;
static char *spans_file;

static const PacerDistMode all_modes[] = {
  PACER_DIST_MODE_LOAD, PACER_DIST_MODE_LOADSCOPE, PACER_DIST_MODE_LOADFILE, PACER_DIST_MODE_LOADGROUP,
  PACER_DIST_MODE_WORKSTEAL, PACER_DIST_MODE_EACH, PACER_DIST_MODE_NO,
};

/* How many copies of each test a mode runs on two workers. */
static guint
copies (PacerDistMode mode)
{
  return mode == PACER_DIST_MODE_EACH ? 2 : 1;
}

static PacerRunner *
new_runner (const char    *tests,
            PacerDistMode  mode)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  const char *programs[] = { program, NULL };
  const char *groups[] = { "/c/*=crashy", NULL };
  PacerRunner *runner;

  g_setenv ("FAKE_GTEST_TESTS", tests, TRUE);
  g_unlink (log_file);
  g_unlink (spans_file);
  g_setenv ("FAKE_GTEST_LOG", log_file, TRUE);
  g_setenv ("FAKE_GTEST_SPANS", spans_file, TRUE);
  runner = pacer_runner_new (programs);
  /* Run counts here leave out the confirmation of failures in listing order:
   * test-real-suites checks that in every mode. */
  g_object_set (runner, "dist", mode, "groups", groups, "n-workers", 2, "order-check", FALSE, NULL);
  return runner;
}

static GStrv
read_lines (const char *file)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return g_new0 (char *, 1);
  g_strchomp (text);
  return g_strsplit (text, "\n", -1);
}

/* Log lines are `PATH KIND WORKER RUN-DIR PID SEED COUNT`. */
static guint
times_run (GStrv       lines,
           const char *path,
           const char *worker)
{
  g_autofree char *prefix = g_strconcat (path, " ", NULL);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);

        if (worker == NULL || g_str_equal (f[2], worker))
          n++;
      }
  return n;
}

static char *
field_of (GStrv       lines,
          const char *path,
          guint       field)
{
  g_autofree char *prefix = g_strconcat (path, " ", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);

        return g_strdup (f[field]);
      }
  return NULL;
}

static guint
count_results (PacerRunner      *runner,
               const char       *path,
               PacerTestOutcome  outcome)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);
  guint n = 0;

  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);

      if (g_str_equal (pacer_test_result_get_path (result), path) &&
          pacer_test_result_get_outcome (result) == outcome)
        n++;
    }
  return n;
}

static guint
n_results (PacerRunner *runner)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);

  return results->len;
}

static void
count_down (PacerRunner *runner,
            const char  *worker,
            const char  *error,
            guint       *n)
{
  if (error != NULL)
    (*n)++;
}

static void
test_crash_every_position (void)
{
  g_test_summary ("In every mode a crash anywhere in a unit blames one test, re-runs nothing, never loops, "
                  "and the unit's rest runs on the same worker in a fresh process");

  for (guint m = 0; m < G_N_ELEMENTS (all_modes); m++)
    for (guint position = 0; position < 4; position++)
      {
        PacerDistMode mode = all_modes[m];
        g_autoptr(GString) spec = g_string_new ("pass:/d/0,pass:/d/1");
        g_autoptr(PacerRunner) runner = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) log = NULL;
        g_autofree char *culprit = g_strdup_printf ("/c/%u", position);
        g_autofree char *unit_worker = NULL;
        g_autofree char *unit_pid = NULL;
        guint n_down = 0;

        for (guint i = 0; i < 4; i++)
          g_string_append_printf (spec, ",%s:/c/%u", i == position ? "segv" : "pass", i);

        runner = new_runner (spec->str, mode);
        g_signal_connect (runner, "worker-down", G_CALLBACK (count_down), &n_down);
        g_assert_true (pacer_runner_run (runner, NULL, &error));
        g_assert_no_error (error);

        g_assert_cmpuint (n_results (runner), ==, 6 * copies (mode));
        g_assert_cmpuint (count_results (runner, culprit, PACER_TEST_OUTCOME_CRASH), ==, copies (mode));
        g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 5 * copies (mode));
        /* One crash per copy, and nothing more: no loop. */
        g_assert_cmpuint (n_down, ==, copies (mode));

        log = read_lines (log_file);
        unit_worker = field_of (log, "/c/0", 2);
        unit_pid = field_of (log, "/c/0", 4);
        for (guint i = 0; i < 4; i++)
          {
            g_autofree char *path = g_strdup_printf ("/c/%u", i);
            g_autofree char *pid = field_of (log, path, 4);

            g_assert_cmpuint (times_run (log, path, NULL), ==, copies (mode));
            if (mode == PACER_DIST_MODE_LOADSCOPE || mode == PACER_DIST_MODE_LOADFILE ||
                mode == PACER_DIST_MODE_LOADGROUP || mode == PACER_DIST_MODE_NO)
              {
                /* The unit stays on one worker, across the crash ... */
                g_assert_cmpuint (times_run (log, path, unit_worker), ==, 1);
                /* ... and what follows the crash runs in a fresh process. */
                if (i > position)
                  g_assert_cmpstr (pid, !=, unit_pid);
              }
          }
        g_assert_cmpuint (times_run (log, "/d/0", NULL), ==, copies (mode));
      }
}

static void
test_guarantees (void)
{
  g_test_summary ("-x, --timeout, --retries and --max-worker-restart keep their promises in every mode");

  for (guint m = 0; m < G_N_ELEMENTS (all_modes); m++)
    {
      PacerDistMode mode = all_modes[m];
      g_autoptr(GError) error = NULL;

      /* -x: the first failure stops the run; 10 × 0.3 s are not waited for. */
      {
        g_autoptr(GString) spec = g_string_new ("fail:/c/first");
        g_autoptr(PacerRunner) runner = NULL;

        for (guint i = 0; i < 10; i++)
          g_string_append_printf (spec, ",slow:/c/slow%02u", i);
        runner = new_runner (spec->str, mode);
        g_object_set (runner, "maxfail", 1, NULL);
        g_assert_true (pacer_runner_run (runner, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (n_results (runner), ==, 11 * copies (mode));
        g_assert_cmpuint (count_results (runner, "/c/first", PACER_TEST_OUTCOME_FAIL), >=, 1);
        g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN), >=, 8);
      }

      /* --timeout: the hung test is killed and the rest of its unit still runs. */
      {
        g_autoptr(PacerRunner) runner = new_runner ("hang:/c/hang,pass:/c/after,pass:/d/other", mode);

        g_object_set (runner, "timeout", 0.3, NULL);
        g_assert_true (pacer_runner_run (runner, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (count_results (runner, "/c/hang", PACER_TEST_OUTCOME_TIMEOUT), ==, copies (mode));
        g_assert_cmpuint (count_results (runner, "/c/after", PACER_TEST_OUTCOME_PASS), ==, copies (mode));
        g_assert_cmpuint (count_results (runner, "/d/other", PACER_TEST_OUTCOME_PASS), ==, copies (mode));
      }

      /* --retries: a flaky test passes on its retry, a crash-once test too. */
      {
        g_autoptr(PacerRunner) runner = new_runner ("flaky:/c/flaky,crashonce:/c/once,fail:/c/fail,pass:/c/pass", mode);
        g_auto(GStrv) log = NULL;

        /* Each copy of --dist each shares the run dir, so only one copy is flaky. */
        g_object_set (runner, "retries", 1, NULL);
        g_assert_true (pacer_runner_run (runner, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (n_results (runner), ==, 4 * copies (mode));
        g_assert_cmpuint (count_results (runner, "/c/flaky", PACER_TEST_OUTCOME_FLAKY), >=, 1);
        g_assert_cmpuint (count_results (runner, "/c/once", PACER_TEST_OUTCOME_FLAKY), >=, 1);
        g_assert_cmpuint (count_results (runner, "/c/fail", PACER_TEST_OUTCOME_FAIL), ==, copies (mode));
        log = read_lines (log_file);
        g_assert_cmpuint (times_run (log, "/c/fail", NULL), ==, 2 * copies (mode));
        g_assert_cmpuint (times_run (log, "/c/pass", NULL), ==, copies (mode));
      }

      /* --max-worker-restart 0: the first crash stops the run, and nothing is lost. */
      {
        g_autoptr(PacerRunner) runner = new_runner ("segv:/c/0,slow:/c/1,slow:/c/2,slow:/d/0", mode);

        /* One worker, so what the crash strands does not depend on timing. */
        g_object_set (runner, "max-worker-restart", 0, "n-workers", 1, NULL);
        g_assert_true (pacer_runner_run (runner, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (n_results (runner), ==, 4);
        g_assert_cmpuint (count_results (runner, "/c/0", PACER_TEST_OUTCOME_CRASH), ==, 1);
        g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN), ==, 3);
      }
    }
}

/* A serial test runs while nothing else runs: when it starts every test
 * that started has ended, and nothing starts before it ends. */
static void
assert_alone (GStrv       spans,
              const char *serial)
{
  g_autofree char *start = g_strconcat ("start ", serial, NULL);
  g_autofree char *end = g_strconcat ("end ", serial, NULL);
  int open = 0;
  gboolean found = FALSE;

  for (guint i = 0; spans[i] != NULL; i++)
    {
      if (g_str_equal (spans[i], start))
        {
          g_assert_cmpint (open, ==, 0);
          g_assert_nonnull (spans[i + 1]);
          g_assert_cmpstr (spans[i + 1], ==, end);
          found = TRUE;
        }
      open += g_str_has_prefix (spans[i], "start ") ? 1 : -1;
    }
  g_assert_true (found);
}

static void
test_serial (void)
{
  g_test_summary ("In every mode --serial tests run while nothing else runs, and the others still run in parallel");

  for (guint m = 0; m < G_N_ELEMENTS (all_modes); m++)
    {
      PacerDistMode mode = all_modes[m];
      g_autoptr(PacerRunner) runner =
        new_runner ("slow:/c/0,slow:/c/1,pass:/s/one,slow:/d/0,slow:/d/1,pass:/s/two,slow:/d/2", mode);
      const char *serial[] = { "/s/*", NULL };
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) spans = NULL;

      g_object_set (runner, "serial", serial, NULL);
      g_assert_true (pacer_runner_run (runner, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 7 * copies (mode));

      spans = read_lines (spans_file);
      g_assert_cmpuint (g_strv_length (spans), ==, 14 * copies (mode));
      assert_alone (spans, "/s/one");
      assert_alone (spans, "/s/two");
    }
}

static void
test_each (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/e/0,fail:/e/1,skip:/e/2", PACER_DIST_MODE_EACH);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = NULL;

  g_test_summary ("--dist each: every worker runs every test, each result names its worker, every run counts");

  g_object_set (runner, "n-workers", 3, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_n_tests (runner), ==, 9);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 3);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FAIL), ==, 3);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_SKIP), ==, 3);

  log = read_lines (log_file);
  results = pacer_runner_get_results (runner);
  for (guint w = 0; w < 3; w++)
    {
      g_autofree char *worker = g_strdup_printf ("gw%u", w);

      for (guint t = 0; t < 3; t++)
        {
          g_autofree char *path = g_strdup_printf ("/e/%u", t);
          guint n = 0;

          g_assert_cmpuint (times_run (log, path, worker), ==, 1);
          for (guint i = 0; i < results->len; i++)
            if (g_str_equal (pacer_test_result_get_path (g_ptr_array_index (results, i)), path) &&
                g_strcmp0 (pacer_test_result_get_worker (g_ptr_array_index (results, i)), worker) == 0)
              n++;
          g_assert_cmpuint (n, ==, 1);
        }
    }
}

static void
test_no (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("pass:/n/b,pass:/n/a,pass:/m/z,pass:/n/c", PACER_DIST_MODE_NO);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = NULL;
  /* GTest lists a suite's tests together, in the order they were added. */
  const char *order[] = { "/n/b", "/n/a", "/n/c", "/m/z" };

  g_test_summary ("--dist no: one worker, the tests in listing order, whatever -n says");

  g_object_set (runner, "n-workers", 4, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), ==, 1);

  log = read_lines (log_file);
  g_assert_cmpuint (g_strv_length (log), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (g_str_has_prefix (log[i], order[i]));
      g_assert_nonnull (strstr (log[i], " gw0 "));
    }
}

static void
test_groups (void)
{
  const char *groups[] = { "/g/*=together", NULL };
  g_autoptr(GString) spec = g_string_new ("slow:/free/0,slow:/free/1,slow:/free/2");
  g_autoptr(PacerRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = NULL;
  g_autofree char *worker = NULL;

  g_test_summary ("--dist loadgroup: a group runs on one worker, the other tests on any");

  for (guint i = 0; i < 6; i++)
    g_string_append_printf (spec, ",pass:/g/%u", i);
  runner = new_runner (spec->str, PACER_DIST_MODE_LOADGROUP);
  g_object_set (runner, "groups", groups, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 9);

  log = read_lines (log_file);
  worker = field_of (log, "/g/0", 2);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *path = g_strdup_printf ("/g/%u", i);

      g_assert_cmpuint (times_run (log, path, worker), ==, 1);
    }
}

static void
test_bad_groups (void)
{
  const char *groups[] = { "/g/*", NULL };
  g_autoptr(PacerRunner) runner = new_runner ("pass:/g/0", PACER_DIST_MODE_LOADGROUP);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A group that is not GLOB=NAME fails the run before anything runs");

  g_object_set (runner, "groups", groups, NULL);
  g_assert_false (pacer_runner_run (runner, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (n_results (runner), ==, 0);
  g_assert_false (g_file_test (log_file, G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  tmp_dir = pacer_test_make_tmp_dir ("pacer-test-dist-XXXXXX");
  log_file = g_build_filename (tmp_dir, "fake-gtest.log", NULL);
  spans_file = g_build_filename (tmp_dir, "fake-gtest.spans", NULL);

  g_test_add_func ("/Pacer/Dist/crash-every-position", test_crash_every_position);
  g_test_add_func ("/Pacer/Dist/guarantees", test_guarantees);
  g_test_add_func ("/Pacer/Dist/serial", test_serial);
  g_test_add_func ("/Pacer/Dist/each", test_each);
  g_test_add_func ("/Pacer/Dist/no", test_no);
  g_test_add_func ("/Pacer/Dist/groups", test_groups);
  g_test_add_func ("/Pacer/Dist/bad-groups", test_bad_groups);

  status = g_test_run ();

  g_free (log_file);
  g_free (spans_file);
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
