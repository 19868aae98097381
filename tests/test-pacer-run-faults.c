/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run under faults: tests that flood their output, processes that
 * outlive their test, a controller killed outright, a full disk and
 * symbolic links planted where pacer-run writes. PACER_RUN (set by
 * tests/meson.build) names the pacer-run that was built. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

static char *
fake_gtest (void)
{
  return g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
}

/* The output --json recorded for @path. */
static char *
json_output (const char *json_file,
             const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *results;

  json_parser_load_from_file (parser, json_file, &error);
  g_assert_no_error (error);
  results = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (result, "path"), path))
        return g_strdup (json_object_get_string_member_with_default (result, "output", ""));
    }
  g_assert_not_reached ();
}

static void
test_output_flood (void)
{
  const char *kinds[] = { "flood", "longline" };
  g_autofree char *program = fake_gtest ();
  g_autofree char *json = g_build_filename (tmp_dir, "flood.json", NULL);

  g_test_summary ("A test that prints megabytes, in lines or in one line without end, keeps "
                  "the start and the end of its output and says how much was dropped");

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *tests = g_strdup_printf ("%s:/flood/big,fail:/flood/after", kinds[k]);
      g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new (tests, NULL);
      const char *args[] = { "-n", "1", "--json", json, program, NULL };
      g_autofree char *out = NULL, *err = NULL, *last = NULL, *output = NULL, *after = NULL;
      g_autofree char *first = g_strdup_printf ("%s: first line\n", kinds[k]);
      g_autofree char *end = g_strdup_printf ("\n%s: last line\n", kinds[k]);

      /* 8 MB: far beyond what is kept, small enough for a loaded machine. */
      g_subprocess_launcher_setenv (launcher, "FAKE_GTEST_FLOOD_BYTES", "8000000", TRUE);
      g_assert_cmpint (pacer_test_run_pacer_run (launcher, args, &out, &err), ==, 1);
      last = pacer_test_last_line (out);
      g_assert_cmpstr (last, ==, "0 passed, 2 failed");

      output = json_output (json, "/flood/big");
      g_assert_true (g_str_has_prefix (output, first));
      g_assert_true (g_str_has_suffix (output, end));
      g_assert_nonnull (strstr (output, "MB of output dropped …]\n"));
      g_assert_cmpuint (strlen (output), <, 300 * 1024);

      /* The test after it is read as usual: the stream was not lost. */
      after = json_output (json, "/flood/after");
      g_assert_nonnull (strstr (after, "fail: output of the failing test"));
      g_assert_null (strstr (after, "dropped"));
    }
}

static int
read_pid (const char *file)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return 0;
  return atoi (text);
}

/* Dead: gone, or a zombie waiting for whoever it was re-parented to. The
 * deadline only bounds a failing test: a dead process is seen at once. */
static gboolean
is_dead (int pid)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

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
      g_usleep (20 * 1000);
    }
  return FALSE;
}

/* Field @n (from 1) of the FAKE_GTEST_LOG line of @path. */
static char *
log_field (const char *log,
           const char *path,
           guint       n)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (log, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (fields) >= n && g_str_equal (fields[0], path))
        return g_strdup (fields[n - 1]);
    }
  return NULL;
}

static char *
read_line (const char *path)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return g_strdup (g_strstrip (text));
}

/* A stamp as a run directory's maker writes it, naming this process. */
static char *
own_stamp (void)
{
  g_autofree char *stat = read_line ("/proc/self/stat");
  g_autofree char *boot_id = read_line ("/proc/sys/kernel/random/boot_id");
  g_autofree char *ns = g_file_read_link ("/proc/self/ns/pid", NULL);
  g_auto(GStrv) fields = g_strsplit (strrchr (stat, ')') + 2, " ", -1);

  return g_strdup_printf ("%d %s %s %s\n", (int) getpid (), fields[19], boot_id, ns);
}

static void
test_killed_runner (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *runtime = g_build_filename (tmp_dir, "runtime", NULL);
  g_autofree char *log = g_build_filename (tmp_dir, "killed.log", NULL);
  g_autofree char *child_file = g_strconcat (log, ".child", NULL);
  g_autofree char *daemon_file = g_strconcat (log, ".daemon", NULL);
  g_autofree char *unstamped = g_build_filename (runtime, "pacer-run-unstamped", NULL);
  g_autofree char *alive = g_build_filename (runtime, "pacer-run-alive", NULL);
  g_autofree char *alive_stamp = g_build_filename (alive, ".pacer-owner", NULL);
  g_autofree char *stamp = own_stamp ();
  g_autofree char *run_dir = NULL, *orphan_test = NULL, *hang_test = NULL;
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "-n", "3", program, NULL };
  const char *again_args[] = { "-n", "1", program, NULL };
  g_autoptr(GSubprocessLauncher) launcher =
    pacer_test_fake_gtest_launcher_new ("orphan:/k/orphan,daemon:/k/daemon,hang:/k/hang", log);
  g_autoptr(GSubprocessLauncher) again = pacer_test_fake_gtest_launcher_new ("pass:/k/pass", NULL);
  g_autoptr(GSubprocess) process = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int orphan = 0, daemon = 0;

  g_test_summary ("A runner killed with SIGKILL leaves no process behind (tests, what they left "
                  "in their group, daemons that left it), and the next run removes its directory");

  g_assert_cmpint (g_mkdir_with_parents (unstamped, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (alive, 0700), ==, 0);
  g_assert_true (g_file_set_contents (alive_stamp, stamp, -1, NULL));
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (again, "XDG_RUNTIME_DIR", runtime, TRUE);
  process = pacer_test_spawn_pacer_run (launcher, args);

  while (g_get_monotonic_time () < deadline &&
         ((orphan = read_pid (child_file)) <= 0 || (daemon = read_pid (daemon_file)) <= 0 ||
          (hang_test = log_field (log, "/k/hang", 5)) == NULL))
    g_usleep (20 * 1000);
  g_assert_cmpint (orphan, >, 0);
  g_assert_cmpint (daemon, >, 0);
  g_assert_nonnull (hang_test);
  orphan_test = log_field (log, "/k/orphan", 5);
  run_dir = log_field (log, "/k/orphan", 4);
  g_assert_true (g_str_has_prefix (run_dir, runtime));

  g_subprocess_force_exit (process);
  g_assert_true (g_subprocess_wait (process, NULL, NULL));
  g_assert_true (g_subprocess_get_if_signaled (process));

  /* The test processes die with their parent, the rest by the guardian's sweep. */
  g_assert_true (is_dead (atoi (hang_test)));
  g_assert_true (is_dead (atoi (orphan_test)));
  g_assert_true (is_dead (orphan));
  g_assert_true (is_dead (daemon));

  /* Only a run's end removes its directory; the next run sees its maker dead. */
  g_assert_true (g_file_test (run_dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (pacer_test_run_pacer_run (again, again_args, &out, &err), ==, 0);
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
  /* Not one it cannot judge, nor one whose maker lives. */
  g_assert_true (g_file_test (unstamped, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (alive_stamp, G_FILE_TEST_IS_REGULAR));
}

static void
test_leaky_test (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *log = g_build_filename (tmp_dir, "leaky.log", NULL);
  g_autofree char *daemon_file = g_strconcat (log, ".daemon", NULL);
  g_autofree char *out = NULL, *err = NULL, *last = NULL;
  const char *args[] = { "-n", "1", program, NULL };
  g_autoptr(GSubprocessLauncher) launcher =
    pacer_test_fake_gtest_launcher_new ("daemon:/l/daemon,pass:/l/after", log);
  int daemon;

  g_test_summary ("A daemon that ignores SIGTERM and holds the output pipe cannot keep a run "
                  "from ending, and does not outlive it");

  g_assert_cmpint (pacer_test_run_pacer_run (launcher, args, &out, &err), ==, 0);
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "2 passed, 0 failed");
  daemon = read_pid (daemon_file);
  g_assert_cmpint (daemon, >, 0);
  g_assert_true (is_dead (daemon));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("pacer-run-faults-XXXXXX");

  g_test_add_func ("/Pacer/PacerRun/output-flood", test_output_flood);
  g_test_add_func ("/Pacer/PacerRun/killed-runner", test_killed_runner);
  g_test_add_func ("/Pacer/PacerRun/leaky-test", test_leaky_test);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
