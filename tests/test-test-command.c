/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PacerTestCommand and the runner's commands: arguments, working directory,
 * environment, TAP or not, and exclusive commands running alone. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

static char *
helper (const char *name)
{
  return g_test_build_filename (G_TEST_BUILT, name, NULL);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static guint
count (PacerRunner      *runner,
       PacerTestOutcome  outcome)
{
  return pacer_runner_get_count (runner, outcome);
}

static void
notify_count (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_properties (void)
{
  const char *argv[] = { "prog", "--arg", "two words", NULL };
  const char *env[] = { "A=1", "B=two", NULL };
  g_autoptr(PacerTestCommand) command = pacer_test_command_new ("prog.test", argv);
  g_auto(GStrv) got_env = NULL;
  g_autofree char *cwd = NULL;
  guint n_notify = 0;

  g_test_summary ("A command keeps its name and argv, defaults to TAP and not exclusive, and notifies changes once");

  g_assert_cmpstr (pacer_test_command_get_name (command), ==, "prog.test");
  g_assert_true (g_strv_equal (pacer_test_command_get_argv (command), argv));
  g_assert_null (pacer_test_command_get_working_directory (command));
  g_assert_null (pacer_test_command_get_environment (command));
  g_assert_true (pacer_test_command_get_tap (command));
  g_assert_false (pacer_test_command_get_exclusive (command));

  g_signal_connect (command, "notify", G_CALLBACK (notify_count), &n_notify);
  pacer_test_command_set_working_directory (command, "/tmp");
  pacer_test_command_set_working_directory (command, "/tmp");
  pacer_test_command_set_environment (command, env);
  pacer_test_command_set_environment (command, env);
  pacer_test_command_set_tap (command, FALSE);
  pacer_test_command_set_tap (command, FALSE);
  pacer_test_command_set_exclusive (command, TRUE);
  pacer_test_command_set_exclusive (command, TRUE);
  g_assert_cmpuint (n_notify, ==, 4);

  g_object_get (command, "working-directory", &cwd, "environment", &got_env, NULL);
  g_assert_cmpstr (cwd, ==, "/tmp");
  g_assert_true (g_strv_equal ((const char * const *) got_env, env));
  g_assert_false (pacer_test_command_get_tap (command));
  g_assert_true (pacer_test_command_get_exclusive (command));

  /* Any negative timeout means none, stored as -1: one notification. */
  g_assert_cmpfloat (pacer_test_command_get_timeout (command), ==, 0);
  pacer_test_command_set_timeout (command, -5);
  pacer_test_command_set_timeout (command, -1);
  g_assert_cmpuint (n_notify, ==, 5);
  g_assert_cmpfloat (pacer_test_command_get_timeout (command), ==, -1);
  g_object_set (command, "timeout", 2.5, NULL);
  g_assert_cmpfloat (pacer_test_command_get_timeout (command), ==, 2.5);
  g_assert_cmpuint (n_notify, ==, 6);
}

static PacerRunner *
new_runner (guint n_workers)
{
  PacerRunner *runner = pacer_runner_new (NULL);

  g_object_set (runner, "n-workers", n_workers, NULL);
  return runner;
}

static void
run_ok (PacerRunner *runner)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
}

static void
test_gtest_split (void)
{
  g_autofree char *fake = helper ("fake-gtest");
  g_autofree char *log = g_build_filename (tmp_dir, "split.log", NULL);
  g_autofree char *log_env = g_strconcat ("FAKE_GTEST_LOG=", log, NULL);
  /* GTest ignores options it does not know: --verbose stands for Exec's arguments. */
  const char *argv[] = { fake, "--verbose", NULL };
  const char *env[] = { "FAKE_GTEST_TESTS=pass:/s/1,pass:/s/2,pass:/s/3,pass:/s/4,fail:/s/5,pass:/t/1,pass:/t/2,pass:/t/3",
                        log_env, NULL };
  g_autoptr(PacerTestCommand) command = pacer_test_command_new ("split.test", argv);
  g_autoptr(PacerRunner) runner = new_runner (2);
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *contents = NULL;
  PacerTestResult *failed = NULL;

  g_test_summary ("A GTest command's tests are spread over the workers, its arguments kept; results carry its name");

  g_unlink (log);
  pacer_test_command_set_environment (command, env);
  pacer_test_command_set_working_directory (command, tmp_dir);
  pacer_runner_add_command (runner, command);
  run_ok (runner);

  g_assert_cmpuint (pacer_runner_get_n_tests (runner), ==, 8);
  g_assert_cmpuint (pacer_runner_get_n_whole_programs (runner), ==, 0);
  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_PASS), ==, 7);
  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_FAIL), ==, 1);

  results = pacer_runner_get_results (runner);
  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);

      g_assert_cmpstr (pacer_test_result_get_program (result), ==, "split.test");
      if (pacer_test_result_get_outcome (result) == PACER_TEST_OUTCOME_FAIL)
        failed = result;
    }
  g_assert_nonnull (failed);
  g_assert_cmpstr (pacer_test_result_get_path (failed), ==, "/s/5");
  /* The command to reproduce it keeps the command's own arguments. */
  g_assert_true (g_str_has_suffix (pacer_test_result_get_command (failed)[0], "/fake-gtest"));
  g_assert_cmpstr (pacer_test_result_get_command (failed)[1], ==, "--verbose");

  /* Both workers ran tests of the one program. */
  contents = read_file (log);
  g_assert_nonnull (strstr (contents, " gw0 "));
  g_assert_nonnull (strstr (contents, " gw1 "));
}

static void
test_directory_and_environment (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "cwd", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  const char *argv[] = { "sh", "-c", "printf '%s %s %s' \"$(pwd)\" \"$MY_VAR\" \"$PACER_WORKER\" > out", NULL };
  const char *env[] = { "MY_VAR=from the command", "PACER_WORKER=overridden", "NOEQUALS", NULL };
  g_autoptr(PacerTestCommand) command = pacer_test_command_new ("cwd.test", argv);
  g_autoptr(PacerRunner) runner = new_runner (1);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *real_dir = NULL;

  g_test_summary ("A command runs in its working directory with its variables; the worker id stays the runner's");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  pacer_test_command_set_working_directory (command, dir);
  pacer_test_command_set_environment (command, env);
  pacer_runner_add_command (runner, command);
  run_ok (runner);

  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_PASS), ==, 1);
  contents = read_file (out);
  real_dir = g_canonicalize_filename (dir, NULL);
  expected = g_strdup_printf ("%s from the command gw0", real_dir);
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_tap_or_not (void)
{
  g_autofree char *plain = helper ("fake-plain");
  const char *argv[] = { plain, NULL };
  const char *env[] = { "FAKE_PLAIN_OUTPUT=1..2\nok 1 - first\nnot ok 2 - second\n", "FAKE_PLAIN_EXIT=0", NULL };
  g_autoptr(PacerTestCommand) tap = pacer_test_command_new ("tap.test", argv);
  g_autoptr(PacerTestCommand) silent = pacer_test_command_new ("not-tap.test", argv);
  g_autoptr(PacerRunner) runner = new_runner (2);
  g_autoptr(GPtrArray) results = NULL;
  gboolean saw_whole = FALSE;

  g_test_summary ("A whole command's TAP lines are results only when it says its output is TAP");

  pacer_test_command_set_environment (tap, env);
  pacer_test_command_set_environment (silent, env);
  pacer_test_command_set_tap (silent, FALSE);
  pacer_runner_add_command (runner, tap);
  pacer_runner_add_command (runner, silent);
  run_ok (runner);

  /* tap.test: its two lines; not-tap.test: its exit status. */
  g_assert_cmpuint (pacer_runner_get_n_whole_programs (runner), ==, 2);
  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_PASS), ==, 2);
  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_FAIL), ==, 1);
  results = pacer_runner_get_results (runner);
  g_assert_cmpuint (results->len, ==, 3);
  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);

      if (g_str_equal (pacer_test_result_get_program (result), "not-tap.test"))
        {
          g_assert_cmpstr (pacer_test_result_get_path (result), ==, "not-tap.test");
          g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_PASS);
          saw_whole = TRUE;
        }
      else
        g_assert_true (g_str_has_prefix (pacer_test_result_get_path (result), "tap.test: "));
    }
  g_assert_true (saw_whole);
}

static PacerTestCommand *
logging_command (const char *name,
                 const char *log,
                 gboolean    exclusive)
{
  g_autofree char *script = g_strdup_printf ("echo \"start %s $PACER_WORKER\" >> '%s'; sleep 0.2; "
                                             "echo \"end %s\" >> '%s'", name, log, name, log);
  const char *argv[] = { "sh", "-c", script, NULL };
  PacerTestCommand *command = pacer_test_command_new (name, argv);

  pacer_test_command_set_exclusive (command, exclusive);
  return command;
}

static void
test_exclusive (void)
{
  g_autofree char *log = g_build_filename (tmp_dir, "exclusive.log", NULL);
  const char *names[] = { "a", "X1", "b", "c", "X2", "d", NULL };
  g_autoptr(PacerRunner) runner = new_runner (2);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_lines;

  g_test_summary ("Exclusive commands run after all others, one at a time on gw0, nothing overlapping them");

  g_unlink (log);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(PacerTestCommand) command = logging_command (names[i], log, names[i][0] == 'X');

      pacer_runner_add_command (runner, command);
    }
  run_ok (runner);
  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_PASS), ==, 6);
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), ==, 2);

  contents = read_file (log);
  lines = g_strsplit (g_strstrip (contents), "\n", -1);
  n_lines = g_strv_length (lines);
  g_assert_cmpuint (n_lines, ==, 12);
  /* The last four lines: each exclusive command's start right before its end, on gw0. */
  for (guint i = 8; i < 12; i += 2)
    {
      g_autofree char *name = g_strndup (lines[i] + 6, 2);
      g_autofree char *end = g_strdup_printf ("end %s", name);

      g_assert_true (g_str_has_prefix (lines[i], "start X"));
      g_assert_true (g_str_has_suffix (lines[i], " gw0"));
      g_assert_cmpstr (lines[i + 1], ==, end);
    }
  for (guint i = 0; i < 8; i++)
    g_assert_null (strstr (lines[i], "X"));
}

static void
test_exclusive_not_run (void)
{
  g_autofree char *plain = helper ("fake-plain");
  g_autofree char *log = g_build_filename (tmp_dir, "not-run.log", NULL);
  const char *argv[] = { plain, NULL };
  const char *env[] = { "FAKE_PLAIN_EXIT=1", NULL };
  g_autoptr(PacerTestCommand) failing = pacer_test_command_new ("failing.test", argv);
  g_autoptr(PacerTestCommand) exclusive = logging_command ("X", log, TRUE);
  g_autoptr(PacerRunner) runner = new_runner (2);
  g_autoptr(GPtrArray) results = NULL;

  g_test_summary ("A run stopped by -x reports its exclusive commands as not run, and never starts them");

  g_unlink (log);
  pacer_test_command_set_environment (failing, env);
  pacer_runner_add_command (runner, failing);
  pacer_runner_add_command (runner, exclusive);
  g_object_set (runner, "maxfail", 1, NULL);
  run_ok (runner);

  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_FAIL), ==, 1);
  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_NOT_RUN), ==, 1);
  results = pacer_runner_get_results (runner);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
}

static PacerTestResult *
find_result (PacerRunner *runner,
             const char  *program,
             const char  *path)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);

  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);

      if (g_str_equal (pacer_test_result_get_program (result), program) &&
          g_str_equal (pacer_test_result_get_path (result), path))
        return result;
    }
  g_assert_not_reached ();
}

static void
test_timeout (void)
{
  g_autofree char *fake = helper ("fake-gtest");
  const char *gtest_argv[] = { fake, NULL };
  const char *gtest_env[] = { "FAKE_GTEST_TESTS=pass:/t/1,hang:/t/2,pass:/t/3", NULL };
  const char *sleep_argv[] = { "sleep", "60", NULL };
  const char *quick_argv[] = { "sh", "-c", "sleep 1", NULL };
  g_autoptr(PacerTestCommand) gtest = pacer_test_command_new ("gtest", gtest_argv);
  g_autoptr(PacerTestCommand) whole = pacer_test_command_new ("whole", sleep_argv);
  g_autoptr(PacerTestCommand) unlimited = pacer_test_command_new ("unlimited", quick_argv);
  g_autoptr(PacerRunner) runner = new_runner (2);
  g_autoptr(PacerRunner) limited_run = new_runner (1);
  PacerTestResult *result;

  g_test_summary ("A command's own timeout wins over the run's: per test of a GTest command, "
                  "for the whole of any other, and a negative one means none");

  /* No run timeout: it would bound listing too, which a loaded or
   * sanitized build may make slow. Generous for the tests that pass. */
  pacer_test_command_set_environment (gtest, gtest_env);
  pacer_test_command_set_timeout (gtest, 2);
  pacer_test_command_set_timeout (whole, 0.5);
  pacer_runner_add_command (runner, gtest);
  pacer_runner_add_command (runner, whole);
  run_ok (runner);

  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_PASS), ==, 2);
  g_assert_cmpuint (count (runner, PACER_TEST_OUTCOME_TIMEOUT), ==, 2);
  result = find_result (runner, "gtest", "/t/2");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_TIMEOUT);
  g_assert_cmpstr (pacer_test_result_get_message (result), ==, "timed out after 2 s");
  result = find_result (runner, "whole", "whole");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_TIMEOUT);
  g_assert_cmpstr (pacer_test_result_get_message (result), ==, "timed out after 0.5 s");

  /* sh is no GTest program: nothing to list, so the run's timeout can be
   * far below what sleep 1 needs; only the command's "none" lets it pass. */
  pacer_test_command_set_timeout (unlimited, -1);
  pacer_runner_add_command (limited_run, unlimited);
  g_object_set (limited_run, "timeout", 0.2, NULL);
  run_ok (limited_run);
  result = find_result (limited_run, "unlimited", "unlimited");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_PASS);
}

static void
test_bad_input (void)
{
  const char *argv[] = { "sh", "-c", "true", NULL };
  const char *missing[] = { "/nonexistent/program", NULL };
  g_autoptr(GError) error = NULL;

  g_test_summary ("Two commands of one name, a missing working directory or program fail the run before it starts");

  {
    g_autoptr(PacerRunner) runner = new_runner (1);
    g_autoptr(PacerTestCommand) one = pacer_test_command_new ("same.test", argv);
    g_autoptr(PacerTestCommand) two = pacer_test_command_new ("same.test", argv);
    g_autoptr(GPtrArray) results = NULL;

    pacer_runner_add_command (runner, one);
    pacer_runner_add_command (runner, two);
    g_assert_false (pacer_runner_run (runner, NULL, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "same.test"));
    results = pacer_runner_get_results (runner);
    g_assert_cmpuint (results->len, ==, 0);
    g_clear_error (&error);
  }
  {
    g_autoptr(PacerRunner) runner = new_runner (1);
    g_autoptr(PacerTestCommand) command = pacer_test_command_new ("cwd.test", argv);

    pacer_test_command_set_working_directory (command, "/nonexistent/directory");
    pacer_runner_add_command (runner, command);
    g_assert_false (pacer_runner_run (runner, NULL, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "cwd.test"));
    g_clear_error (&error);
  }
  {
    g_autoptr(PacerRunner) runner = new_runner (1);
    g_autoptr(PacerTestCommand) command = pacer_test_command_new ("missing.test", missing);

    pacer_runner_add_command (runner, command);
    g_assert_false (pacer_runner_run (runner, NULL, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "missing.test"));
    g_clear_error (&error);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("test-command-XXXXXX");

  g_test_add_func ("/Pacer/TestCommand/properties", test_properties);
  g_test_add_func ("/Pacer/TestCommand/gtest-split", test_gtest_split);
  g_test_add_func ("/Pacer/TestCommand/directory-and-environment", test_directory_and_environment);
  g_test_add_func ("/Pacer/TestCommand/tap-or-not", test_tap_or_not);
  g_test_add_func ("/Pacer/TestCommand/exclusive", test_exclusive);
  g_test_add_func ("/Pacer/TestCommand/exclusive-not-run", test_exclusive_not_run);
  g_test_add_func ("/Pacer/TestCommand/timeout", test_timeout);
  g_test_add_func ("/Pacer/TestCommand/bad-input", test_bad_input);

  status = g_test_run ();

  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
