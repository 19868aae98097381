/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The pacer-run command line, run as a user would: exit statuses, console
 * output, bad input, and Ctrl-C while tests hang. PACER_RUN (set by
 * tests/meson.build) names the pacer-run that was built. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

static GSubprocess *
spawn_cli (const char         *tests,
           const char * const *args)
{
  g_autofree char *log = g_build_filename (tmp_dir, "cli.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new (tests, log);

  return pacer_test_spawn_pacer_run (launcher, args);
}

/* Runs pacer-run to the end; returns its exit status. */
static int
run_cli (const char          *tests,
         const char * const  *args,
         char               **out,
         char               **err)
{
  g_autoptr(GSubprocess) process = spawn_cli (tests, args);

  return pacer_test_wait (process, out, err);
}

static char *
fake_gtest (void)
{
  return g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
}

static void
test_summary_line (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  const char *args[] = { "-n", "2", "--cache-dir", cache, program, NULL };
  g_autofree char *out = NULL, *err = NULL, *last = NULL;

  g_test_summary ("A failing run exits 1, shows the failure's output and command, and ends with the counts");

  g_assert_cmpint (run_cli ("pass:/o/pass,fail:/o/fail,skip:/o/skip,incomplete:/o/inc,print:/o/print",
                            args, &out, &err), ==, 1);
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "2 passed, 1 failed, 2 skipped");
  g_assert_nonnull (strstr (out, "seed R02S"));
  g_assert_nonnull (strstr (out, "FAIL /o/fail"));
  g_assert_nonnull (strstr (out, "fail: output of the failing test"));
  g_assert_nonnull (strstr (out, "Reproduce with: "));
  g_assert_nonnull (strstr (out, " -p /o/fail"));
  /* The history went where --cache-dir said. */
  {
    g_autofree char *history = g_build_filename (cache, "durations.json", NULL);
    g_assert_true (g_file_test (history, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_verbose (void)
{
  g_autofree char *program = fake_gtest ();
  const char *args[] = { "-v", "-n2", program, NULL };
  g_autofree char *out = NULL, *err = NULL, *last = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("^\\[gw[01]\\] PASS /v/[0-2] \\([0-9]+ ms\\)$",
                                         G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint n = 0;

  g_test_summary ("-v prints every result as [gwN] PASS /path (N ms); all passing exits 0; -n2 works");

  g_assert_cmpint (run_cli ("pass:/v/0,pass:/v/1,pass:/v/2", args, &out, &err), ==, 0);
  for (g_regex_match (regex, out, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    n++;
  g_assert_cmpuint (n, ==, 3);
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "3 passed, 0 failed");
}

static void
test_whole_program_counts (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *plain = g_test_build_filename (G_TEST_BUILT, "fake-plain", NULL);
  const char *args[] = { "-n", "2", program, plain, NULL };
  g_autofree char *out = NULL, *err = NULL, *last = NULL;

  g_test_summary ("A program run whole is named so in the header and counted by its TAP lines at the end");

  g_setenv ("FAKE_PLAIN_OUTPUT", "1..2\nok 1 one\nok 2 two\n", TRUE);
  g_assert_cmpint (run_cli ("pass:/w/a", args, &out, &err), ==, 0);
  g_unsetenv ("FAKE_PLAIN_OUTPUT");
  g_assert_nonnull (strstr (out, "1 test from 1 program(s) and 1 program(s) run whole"));
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "3 passed, 0 failed");
}

static void
test_flaky_and_not_run (void)
{
  g_autofree char *program = fake_gtest ();
  const char *retry_args[] = { "-q", "--retries", "1", program, NULL };
  const char *x_args[] = { "-x", "-n", "1", program, NULL };
  g_autofree char *out = NULL, *err = NULL, *last = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL, *last2 = NULL;

  g_test_summary ("Flaky and not-run tests are counted on the last line");

  g_assert_cmpint (run_cli ("flaky:/f/flaky,pass:/f/pass", retry_args, &out, &err), ==, 0);
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "1 passed, 0 failed, 1 flaky");

  g_assert_cmpint (run_cli ("fail:/f/fail,pass:/f/a,pass:/f/b,pass:/f/c", x_args, &out2, &err2), ==, 1);
  last2 = pacer_test_last_line (out2);
  g_assert_true (g_str_has_suffix (last2, " not run"));
  g_assert_true (g_str_has_prefix (last2, "0 passed, 1 failed") || strstr (last2, "1 failed") != NULL);
}

static void
test_bad_input (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *not_exec = g_build_filename (tmp_dir, "not-executable", NULL);
  struct {
    const char *tests;
    const char *args[6];
    const char *message;
  } cases[] = {
    { NULL, { "/nonexistent/test-program", NULL }, "does not exist" },
    { NULL, { not_exec, NULL }, "not an executable" },
    { NULL, { "--frobnicate", program, NULL }, "Unknown option" },
    { NULL, { "-n", "0", program, NULL }, "not a number of workers" },
    { NULL, { "-n", "-3", program, NULL }, "not a number of workers" },
    { NULL, { "--max-workers", "lots", program, NULL }, "pacer-run: --max-workers " },
    { NULL, { "-n", "4", "--max-workers", "3", program, NULL }, "fewer than the 4 workers" },
    { NULL, { "--dist", "loadsope", program, NULL }, "not a distribution mode" },
    { NULL, { "--dist", "bogus", program, NULL }, "not a distribution mode" },
    { NULL, { "--seed", "42", program, NULL }, "not a GTest seed" },
    { NULL, { "-m", "fast", program, NULL }, "not a GTest mode" },
    { NULL, { NULL }, "no test program" },
  };

  g_test_summary ("Bad input gives a clear message and exit status 2");

  g_assert_true (g_file_set_contents (not_exec, "#!/bin/sh\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_test_message ("case %u: %s", i, cases[i].message);
      g_assert_cmpint (run_cli (cases[i].tests ? cases[i].tests : "pass:/b/0", cases[i].args, &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].message));
    }
}

static void
test_version_and_list (void)
{
  g_autofree char *program = fake_gtest ();
  const char *version_args[] = { "--version", NULL };
  const char *list_args[] = { "--list", program, NULL };
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

  g_test_summary ("--version prints the version; --list prints the tests without running them");

  g_assert_cmpint (run_cli (NULL, version_args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "pacer-run " PACKAGE_VERSION "\n");

  g_assert_cmpint (run_cli ("segv:/l/a,pass:/l/b", list_args, &out2, &err2), ==, 0);
  g_assert_cmpstr (out2, ==, "/l/a\n/l/b\n");
}

static void
test_list_as_run (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *plain = g_test_build_filename (G_TEST_BUILT, "fake-plain", NULL);
  g_autofree char *plain_log = g_build_filename (tmp_dir, "list-plain.log", NULL);
  g_autofree char *expected = NULL;
  const char *args[] = { "--list", "-s", "/l/b", program, plain, NULL };
  const char *sliced[] = { "--list", "--partition", "slice:2/2", program, NULL };
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

  g_test_summary ("--list lists what a run would start: filters and partitions apply, a plain program is not run");

  g_setenv ("FAKE_PLAIN_LOG", plain_log, TRUE);
  g_assert_cmpint (run_cli ("pass:/l/a,pass:/l/b,pass:/l/c", args, &out, &err), ==, 0);
  g_unsetenv ("FAKE_PLAIN_LOG");
  expected = g_strdup_printf ("%s: /l/a\n%s: /l/c\n%s\n", program, program, plain);
  g_assert_cmpstr (out, ==, expected);
  /* Not even asked for -l: it would have run. */
  g_assert_false (g_file_test (plain_log, G_FILE_TEST_EXISTS));

  g_assert_cmpint (run_cli ("pass:/l/a,pass:/l/b,pass:/l/c,pass:/l/d", sliced, &out2, &err2), ==, 0);
  g_assert_cmpstr (out2, ==, "/l/b\n/l/d\n");
}

static void
test_filters (void)
{
  g_autofree char *program = fake_gtest ();
  const char *args[] = { "-v", "-p", "/f", "-s", "/f/b", "--", program, NULL };
  g_autofree char *out = NULL, *err = NULL, *last = NULL;

  g_test_summary ("-p and -s filter as in GTest: -s tests are reported skipped without running");

  g_assert_cmpint (run_cli ("pass:/f/a,pass:/f/b,fail:/g/c", args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "PASS /f/a"));
  g_assert_nonnull (strstr (out, "SKIP /f/b"));
  g_assert_null (strstr (out, "/g/c"));
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "1 passed, 0 failed, 1 skipped");
}

static void
test_progress_line (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *script = g_find_program_in_path ("script");
  g_autofree char *command = NULL;
  g_autofree char *out = NULL, *err = NULL;

  g_test_summary ("On a terminal a live progress line shows done/total, failures, elapsed time and ETA");

  if (script == NULL)
    {
      g_test_skip ("script(1) is needed to give pacer-run a terminal");
      return;
    }

  /* script(1) runs pacer-run on a pseudo-terminal and copies what it prints. */
  command = g_strdup_printf ("%s -n 2 %s", pacer_test_pacer_run (), program);
  {
    const char *argv[] = { script, "-qec", command, "/dev/null", NULL };
    g_autoptr(GSubprocessLauncher) launcher = pacer_test_launcher_new ();
    g_autoptr(GSubprocess) process = NULL;

    g_subprocess_launcher_setenv (launcher, "FAKE_GTEST_TESTS",
                                  "slow:/p/0,slow:/p/1,slow:/p/2,slow:/p/3,fail:/p/4", TRUE);
    process = pacer_test_spawn (launcher, argv);
    g_assert_cmpint (pacer_test_wait (process, &out, &err), ==, 1);
  }

  g_assert_nonnull (strstr (out, "\r\033[K["));
  g_assert_nonnull (strstr (out, "/5] "));
  g_assert_nonnull (strstr (out, " failed, "));
  g_assert_nonnull (strstr (out, ", ETA "));
  g_assert_nonnull (strstr (out, "4 passed, 1 failed"));
}

static int
read_pid (const char *file)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return 0;
  return atoi (text);
}

/* Dead: gone, or a zombie waiting for whoever it was re-parented to. */
static gboolean
is_dead (int pid)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *stat_file = g_strdup_printf ("/proc/%d/stat", pid);
      g_autofree char *stat = NULL;
      const char *paren;

      if (kill (pid, 0) == -1 && errno == ESRCH)
        return TRUE;
      if (g_file_get_contents (stat_file, &stat, NULL, NULL) &&
          (paren = strrchr (stat, ')')) != NULL && paren[1] == ' ' && paren[2] == 'Z')
        return TRUE;
      g_usleep (10 * 1000);
    }
  return FALSE;
}

static void
test_interrupt (void)
{
  int signals[] = { SIGINT, SIGTERM };
  g_autofree char *program = fake_gtest ();
  g_autofree char *log = g_build_filename (tmp_dir, "cli.log", NULL);
  g_autofree char *child_file = g_strconcat (log, ".child", NULL);

  g_test_summary ("SIGINT and SIGTERM kill every process group, write the reports, leave no "
                  "process and exit as a shell says: 130 and 143");

  for (guint s = 0; s < G_N_ELEMENTS (signals); s++)
    {
      g_autofree char *junit = g_build_filename (tmp_dir, "interrupt.xml", NULL);
      const char *args[] = { "-n", "2", "--junit-xml", junit, program, NULL };
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *out = NULL, *err = NULL, *last = NULL, *text = NULL, *report = NULL;
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      int orphan = 0;

      g_unlink (log);
      g_unlink (child_file);
      g_unlink (junit);
      process = spawn_cli ("pass:/i/pass,hang:/i/hang,orphan:/i/orphan", args);

      /* Wait until both hanging tests run and the orphan has its child. */
      while (g_get_monotonic_time () < deadline)
        {
          g_clear_pointer (&text, g_free);
          if (g_file_get_contents (log, &text, NULL, NULL) &&
              strstr (text, "/i/hang ") != NULL && (orphan = read_pid (child_file)) > 0)
            break;
          g_usleep (20 * 1000);
        }
      g_assert_cmpint (orphan, >, 0);

      g_subprocess_send_signal (process, signals[s]);
      g_assert_cmpint (pacer_test_wait (process, &out, &err), ==, 128 + signals[s]);
      g_assert_nonnull (strstr (err, "interrupted"));
      last = pacer_test_last_line (out);
      g_assert_true (g_str_has_suffix (last, ", 2 not run"));

      /* The report holds the run as far as it went, the tests it never finished included. */
      g_assert_true (g_file_get_contents (junit, &report, NULL, NULL));
      g_assert_nonnull (strstr (report, "/i/pass"));
      g_assert_nonnull (strstr (report, "/i/hang"));

      /* The grandchild left in the orphan test's process group is gone too. */
      g_assert_true (is_dead (orphan));
    }
}

static void
test_order_dependent (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *json_file = g_build_filename (tmp_dir, "order.json", NULL);
  g_autofree char *junit_file = g_build_filename (tmp_dir, "order.xml", NULL);
  g_autofree char *cache = g_build_filename (tmp_dir, "order-cache", NULL);
  const char *args[] = { "-n", "2", "--dist", "worksteal", "--tap", "-", "--json", json_file,
                         "--junit-xml", junit_file, "--cache-dir", cache, program, NULL };
  const char *strict[] = { "-n", "2", "--dist", "worksteal", "--strict-order", program, NULL };
  g_autofree char *out = NULL, *err = NULL, *json = NULL, *junit = NULL, *last = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;

  g_test_summary ("An order-dependent test passes, says so in the console, TAP, JSON and JUnit, "
                  "and fails the run under --strict-order");

  /* Worksteal puts the two tests in two queues: the second runs split. */
  g_assert_cmpint (run_cli ("setstate:/o/1,needstate:/o/2", args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "ok 2 - "));
  g_assert_nonnull (strstr (out, "# order-dependent: "));
  g_assert_nonnull (strstr (err, "order-dependent"));
  last = pacer_test_last_line (err);
  g_assert_cmpstr (last, ==, "2 passed, 0 failed, 1 order-dependent");
  g_assert_true (g_file_get_contents (json_file, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "\"order_dependent\" : true"));
  g_assert_true (g_file_get_contents (junit_file, &junit, NULL, NULL));
  g_assert_nonnull (strstr (junit, "<property name=\"order-dependent\" value=\"/o/2\"/>"));

  /* A fresh history: the next run must split the program again. */
  g_assert_cmpint (run_cli ("setstate:/o/1,needstate:/o/2", strict, &out2, &err2), ==, 1);
  g_assert_nonnull (strstr (out2, "order-dependent: failed when split from its program"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  pacer_test_keep_segv_a_signal ();
  tmp_dir = pacer_test_make_tmp_dir ("pacer-run-test-XXXXXX");

  g_test_add_func ("/Pacer/PacerRun/summary-line", test_summary_line);
  g_test_add_func ("/Pacer/PacerRun/verbose", test_verbose);
  g_test_add_func ("/Pacer/PacerRun/whole-program-counts", test_whole_program_counts);
  g_test_add_func ("/Pacer/PacerRun/flaky-and-not-run", test_flaky_and_not_run);
  g_test_add_func ("/Pacer/PacerRun/bad-input", test_bad_input);
  g_test_add_func ("/Pacer/PacerRun/version-and-list", test_version_and_list);
  g_test_add_func ("/Pacer/PacerRun/list-as-run", test_list_as_run);
  g_test_add_func ("/Pacer/PacerRun/filters", test_filters);
  g_test_add_func ("/Pacer/PacerRun/progress-line", test_progress_line);
  g_test_add_func ("/Pacer/PacerRun/interrupt", test_interrupt);
  g_test_add_func ("/Pacer/PacerRun/order-dependent", test_order_dependent);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
