/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A GTest program whose tests misbehave in every way a runner must survive.
 *
 * The tests to register come from FAKE_GTEST_TESTS, a comma-separated list of
 * `KIND:NAME` (for example `pass:/a/1,segv:/a/2`), so one binary serves every
 * case of the runner's tests. Without it a small mixed default set is used.
 * FAKE_GTEST_COUNT=N adds N trivial passing tests `/many/N` (in suites of
 * 1000 from 10 000 on), and
 * FAKE_GTEST_SLOW=N:MS adds N tests `/slow/N` sleeping MS milliseconds, for the
 * benchmarks. FAKE_GTEST_LOG, if set, names a file that gets one line per test
 * started, so tests can check what ran and where; FAKE_GTEST_SPANS one line
 * as each test starts and ends. FAKE_GTEST_LIST_EXIT makes `-l` misbehave as
 * real programs do: `77` skips the whole program (a TAP skip line and exit
 * status 77, as programs that need a bus do), `crash` dies of SIGSEGV, a
 * number exits with it.
 * FAKE_GTEST_FLOOD_BYTES sets how much the
 * `flood` (lines) and `longline` (no newline) kinds print; 100 MB by default.
 * FAKE_GTEST_CLAIM_CWD makes main() set up its working directory as
 * ostree's C tests do, also when listing: it needs `.testtmp` there and
 * creates `files`, failing if another process of it already has.
 * FAKE_GTEST_EXIT_HANG makes a process that ran tests hang after them, as
 * libsoup's timeout-test does when a failed test leaves its server thread
 * waiting.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

static const char *seed_arg;
static const char *log_fd_arg;
/* Set by a `setstate` test, needed by a `needstate` one: an order-dependent pair. */
static gboolean state_set;

static void
log_start (const char *kind)
{
  const char *log = g_getenv ("FAKE_GTEST_LOG");
  FILE *file;

  if (log == NULL)
    return;

  /* Appends are atomic for short lines, so several workers can share the log. */
  file = fopen (log, "a");
  if (file == NULL)
    return;
  fprintf (file, "%s %s %s %s %d %s %s\n", g_test_get_path (), kind,
           g_getenv ("PACER_WORKER") ? g_getenv ("PACER_WORKER") : "-",
           g_getenv ("PACER_RUN_DIR") ? g_getenv ("PACER_RUN_DIR") : "-",
           (int) getpid (), seed_arg != NULL ? seed_arg : "-",
           g_getenv ("PACER_WORKER_COUNT") ? g_getenv ("PACER_WORKER_COUNT") : "-");
  fclose (file);
}

/* A test that fails once per run directory and passes afterwards. */
static gboolean
first_attempt (void)
{
  const char *run_dir = g_getenv ("PACER_RUN_DIR");
  g_autofree char *flag = NULL;
  g_autofree char *name = NULL;

  if (run_dir == NULL)
    return TRUE;
  name = g_strdelimit (g_strdup (g_test_get_path ()), "/", '_');
  flag = g_build_filename (run_dir, name, NULL);
  if (g_file_test (flag, G_FILE_TEST_EXISTS))
    return FALSE;
  g_file_set_contents (flag, "", 0, NULL);
  return TRUE;
}

/* FAKE_GTEST_SPANS, if set, names a file that gets `start PATH` and `end
 * PATH` lines, so tests can check what ran at the same time as what. */
static void
log_span (const char *what)
{
  const char *spans = g_getenv ("FAKE_GTEST_SPANS");
  FILE *file;

  if (spans == NULL || (file = fopen (spans, "a")) == NULL)
    return;
  fprintf (file, "%s %s\n", what, g_test_get_path ());
  fclose (file);
}

static void run_kind_body (const char *kind);

static void
run_kind (gconstpointer data)
{
  log_span ("start");
  run_kind_body (data);
  log_span ("end");
}

static void
run_kind_body (const char *kind)
{
  log_start (kind);

  if (g_str_equal (kind, "pass"))
    return;
  if (g_str_equal (kind, "fail"))
    {
      g_test_message ("about to fail");
      g_printerr ("fail: output of the failing test\n");
      g_test_fail ();
      return;
    }
  if (g_str_equal (kind, "skip"))
    {
      g_test_skip ("not today");
      return;
    }
  if (g_str_equal (kind, "incomplete"))
    {
      g_test_incomplete ("not written yet");
      return;
    }
  if (g_str_equal (kind, "segv"))
    {
      g_printerr ("segv: output before the crash\n");
      raise (SIGSEGV);
      return;
    }
  if (g_str_equal (kind, "assert"))
    {
      g_assert_cmpint (1, ==, 2);
      return;
    }
  if (g_str_equal (kind, "abort"))
    {
      abort ();
      return;
    }
  if (g_str_equal (kind, "hang"))
    {
      g_print ("hang: going to sleep\n");
      for (;;)
        pause ();
    }
  if (g_str_equal (kind, "hangterm"))
    {
      /* Ignores SIGTERM, so only the grace period's SIGKILL ends it. */
      signal (SIGTERM, SIG_IGN);
      for (;;)
        pause ();
    }
  if (g_str_equal (kind, "exit0"))
    {
      exit (0);
    }
  if (g_str_equal (kind, "print"))
    {
      g_print ("print: a line on stdout\n");
      g_printerr ("print: a line on stderr\n");
      return;
    }
  if (g_str_equal (kind, "flood") || g_str_equal (kind, "longline"))
    {
      /* Lines of 100 bytes, or one line without end, then a last line the
       * runner must still show: the end of a test's output explains it. */
      const char *bytes_text = g_getenv ("FAKE_GTEST_FLOOD_BYTES");
      guint64 total = bytes_text != NULL ? g_ascii_strtoull (bytes_text, NULL, 10) : 100000000;
      gboolean lines = g_str_equal (kind, "flood");
      char chunk[65500];

      for (gsize i = 0; i < sizeof chunk; i++)
        chunk[i] = lines && i % 100 == 99 ? '\n' : 'a' + i % 26;
      g_print ("%s: first line\n", kind);
      for (guint64 done = 0; done < total; done += sizeof chunk)
        fwrite (chunk, 1, MIN (sizeof chunk, total - done), stdout);
      g_print ("\n%s: last line\n", kind);
      g_test_fail ();
      return;
    }
  if (g_str_equal (kind, "slow"))
    {
      g_usleep (300 * G_TIME_SPAN_MILLISECOND);
      return;
    }
  if (g_str_equal (kind, "trap"))
    {
      /* The child writes its own START_CASE and STOP_CASE for this path to
       * the inherited log fd, nested inside the parent's. */
      if (g_test_subprocess ())
        {
          g_usleep (50 * G_TIME_SPAN_MILLISECOND);
          return;
        }
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_usleep (150 * G_TIME_SPAN_MILLISECOND);
      return;
    }
  if (g_str_equal (kind, "muted"))
    {
      /* Leaves the GTest log fd open in a grandchild and points its own at
       * /dev/null: no STOP_CASE ever comes, and no end of the stream. */
      int null_fd = open ("/dev/null", O_WRONLY);
      pid_t child = fork ();

      if (child == 0)
        {
          g_usleep (30 * G_USEC_PER_SEC);
          _exit (0);
        }
      g_assert_nonnull (log_fd_arg);
      dup2 (null_fd, atoi (log_fd_arg));
      close (null_fd);
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
      return;
    }
  if (g_str_equal (kind, "setstate"))
    {
      state_set = TRUE;
      return;
    }
  if (g_str_equal (kind, "needstate"))
    {
      if (!state_set)
        {
          g_printerr ("needstate: an earlier test did not set the state\n");
          g_test_fail ();
        }
      return;
    }
  if (g_str_equal (kind, "hangalone"))
    {
      /* Waits for what an earlier test set up, as real suites' tests wait
       * for a server an earlier test started. */
      while (!state_set)
        pause ();
      return;
    }
  if (g_str_equal (kind, "testtmp"))
    {
      /* An installed test that only writes where gnome-desktop-testing-runner lets it. */
      if (!g_file_test (".testtmp", G_FILE_TEST_EXISTS))
        {
          g_printerr ("testtmp: not in a directory of its own\n");
          g_test_fail ();
        }
      return;
    }
  if (g_str_equal (kind, "flaky"))
    {
      if (first_attempt ())
        g_test_fail ();
      return;
    }
  if (g_str_equal (kind, "crashonce"))
    {
      if (first_attempt ())
        raise (SIGSEGV);
      return;
    }
  if (g_str_equal (kind, "env"))
    {
      g_print ("env: %s %s %s\n", g_getenv ("PACER_WORKER"), g_getenv ("PACER_WORKER_COUNT"),
               g_getenv ("PACER_TESTRUN_UID"));
      return;
    }
  if (g_str_equal (kind, "orphan"))
    {
      /* Leaves a grandchild behind in the process group, then hangs. */
      pid_t child = fork ();

      if (child == 0)
        {
          g_usleep (60 * G_USEC_PER_SEC);
          _exit (0);
        }
      log_start ("orphan-child");
      {
        const char *log = g_getenv ("FAKE_GTEST_LOG");
        g_autofree char *pid_file = g_strconcat (log, ".child", NULL);
        g_autofree char *text = g_strdup_printf ("%d", (int) child);

        g_file_set_contents (pid_file, text, -1, NULL);
      }
      for (;;)
        pause ();
    }

  if (g_str_equal (kind, "daemon"))
    {
      /* A leaky test: a daemon that leaves the process group and the
       * session, ignores SIGTERM and keeps stdout and the GTest log fd
       * open, while the test itself passes and exits. */
      pid_t child = fork ();

      if (child == 0)
        {
          const char *log = g_getenv ("FAKE_GTEST_LOG");

          setsid ();
          if (fork () != 0)
            _exit (0);
          signal (SIGTERM, SIG_IGN);
          if (log != NULL)
            {
              g_autofree char *pid_file = g_strconcat (log, ".daemon", NULL);
              g_autofree char *text = g_strdup_printf ("%d", (int) getpid ());

              g_file_set_contents (pid_file, text, -1, NULL);
            }
          for (guint i = 0; i < 600; i++)
            g_usleep (100 * G_TIME_SPAN_MILLISECOND);
          _exit (0);
        }
      waitpid (child, NULL, 0);
      return;
    }

  g_error ("unknown kind “%s”", kind);
}

static void
run_sleep (gconstpointer data)
{
  g_usleep (GPOINTER_TO_UINT (data) * G_TIME_SPAN_MILLISECOND);
}

static void
run_nothing (void)
{
}

static const char default_tests[] =
  "pass:/fake/pass,fail:/fake/fail,skip:/fake/skip,incomplete:/fake/incomplete,print:/fake/print";

int
main (int argc, char **argv)
{
  const char *spec = g_getenv ("FAKE_GTEST_TESTS");
  const char *count = g_getenv ("FAKE_GTEST_COUNT");
  const char *slow = g_getenv ("FAKE_GTEST_SLOW");
  g_auto(GStrv) items = NULL;
  int status;

  for (int i = 1; i + 1 < argc; i++)
    {
      if (strcmp (argv[i], "--seed") == 0)
        seed_arg = argv[i + 1];
      if (strcmp (argv[i], "--GTestLogFD") == 0)
        log_fd_arg = argv[i + 1];
    }

  if (g_getenv ("FAKE_GTEST_CLAIM_CWD") != NULL)
    {
      if (!g_file_test (".testtmp", G_FILE_TEST_IS_REGULAR))
        {
          g_printerr ("no .testtmp in the working directory\n");
          return 1;
        }
      if (g_mkdir ("files", 0700) != 0)
        {
          g_printerr ("mkdir: cannot create directory ‘files’: %s\n", g_strerror (errno));
          return 1;
        }
    }

  /* FAKE_GTEST_HANG_LIST: a program that never finishes listing its tests. */
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-l") == 0 && g_getenv ("FAKE_GTEST_HANG_LIST") != NULL)
      for (;;)
        g_usleep (G_USEC_PER_SEC);

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-l") == 0 && g_getenv ("FAKE_GTEST_LIST_EXIT") != NULL)
      {
        const char *how = g_getenv ("FAKE_GTEST_LIST_EXIT");

        if (g_str_equal (how, "77"))
          {
            g_print ("1..0 # SKIP no session bus here\n");
            return 77;
          }
        if (g_str_equal (how, "crash"))
          raise (SIGSEGV);
        g_printerr ("cannot list: told to fail\n");
        return atoi (how);
      }

  g_test_init (&argc, &argv, NULL);

  if (spec == NULL)
    spec = default_tests;
  items = g_strsplit (spec, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *colon = strchr (items[i], ':');
      g_autofree char *path = NULL;

      if (colon == NULL)
        continue;
      *colon = '\0';
      if (g_str_equal (items[i], "changing"))
        {
          /* A name that differs in every process: -l output changes between calls. */
          path = g_strdup_printf ("%s%d", colon + 1, (int) getpid ());
          g_test_add_func (path, run_nothing);
          continue;
        }
      if (g_str_equal (items[i], "random"))
        {
          /* Named from GTest's random numbers, as some real suites are: the
           * name depends on --seed. */
          path = g_strdup_printf ("%s%u", colon + 1, (guint) g_test_rand_int ());
          g_test_add_data_func (path, "pass", run_kind);
          continue;
        }
      g_test_add_data_func (colon + 1, items[i], run_kind);
    }

  if (count != NULL)
    {
      guint64 n = g_ascii_strtoull (count, NULL, 10);

      /* GTest appends a case to a list (O(n) each), so huge counts go in
       * suites of 1000, as real suites are split. */
      for (guint64 i = 0; i < n; i++)
        {
          g_autofree char *path = n < 10000 ? g_strdup_printf ("/many/%06" G_GUINT64_FORMAT, i)
                                            : g_strdup_printf ("/many/%03" G_GUINT64_FORMAT "/%06" G_GUINT64_FORMAT,
                                                               i / 1000, i);
          g_test_add_func (path, run_nothing);
        }
    }

  if (slow != NULL)
    {
      g_auto(GStrv) groups = g_strsplit (slow, ";", -1);

      for (guint g = 0; groups[g] != NULL; g++)
        {
          guint64 n = 0, ms = 0;
          char *end = NULL;

          n = g_ascii_strtoull (groups[g], &end, 10);
          if (end == NULL || *end != ':')
            continue;
          ms = g_ascii_strtoull (end + 1, NULL, 10);
          for (guint64 i = 0; i < n; i++)
            {
              g_autofree char *path = g_strdup_printf ("/sleep/%" G_GUINT64_FORMAT "ms/%04" G_GUINT64_FORMAT, ms, i);
              g_test_add_data_func (path, GUINT_TO_POINTER ((guint) ms), run_sleep);
            }
        }
    }

  status = g_test_run ();
  /* Only a process that ran tests for a runner: listing ends normally. */
  if (g_getenv ("FAKE_GTEST_EXIT_HANG") != NULL && log_fd_arg != NULL)
    g_usleep (G_MAXULONG);
  return status;
}
