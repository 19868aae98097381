/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run under faults: tests that flood their output, processes that
 * outlive their test, a controller killed outright, a full disk and
 * symbolic links planted where pacer-run writes. PACER_RUN (set by
 * tests/meson.build) names the pacer-run that was built. */

#include "config.h"

#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-batch-private.h"
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
  /* Private: the directory 0700, its maker's stamp 0600. */
  {
    g_autofree char *run_stamp = g_build_filename (run_dir, ".pacer-owner", NULL);
    GStatBuf info;

    g_assert_cmpint (g_lstat (run_dir, &info), ==, 0);
    g_assert_true (S_ISDIR (info.st_mode));
    g_assert_cmpint (info.st_mode & 0777, ==, 0700);
    g_assert_cmpint (g_lstat (run_stamp, &info), ==, 0);
    g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  }

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

static gpointer
drain_fifo (gpointer data)
{
  char *text = NULL;

  /* Blocks until pacer-run opens it to write, then reads to its end. */
  g_file_get_contents (data, &text, NULL, NULL);
  return text;
}

static void
test_planted_links (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *dir = g_build_filename (tmp_dir, "links", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *victim = g_build_filename (dir, "victim", NULL);
  g_autofree char *history = g_build_filename (cache, "durations.json", NULL);
  g_autofree char *junit = g_build_filename (dir, "report.xml", NULL);
  g_autofree char *tap = g_build_filename (dir, "report.tap", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *json = g_build_filename (dir, "report.json", NULL);
  g_autofree char *out = NULL, *err = NULL, *text = NULL, *from_fifo = NULL;
  const char *args[] = { "-n", "1", "--cache-dir", cache, "--junit-xml", junit, "--tap", tap,
                         "--json", json, program, NULL };
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new ("pass:/s/pass", NULL);
  const char *links[] = { history, junit, tap };
  GThread *reader;
  GStatBuf info;

  g_test_summary ("Links planted at the history and at report paths are replaced, never "
                  "written through; a pipe behind a link is written as a pipe");

  g_assert_cmpint (g_mkdir_with_parents (cache, 0700), ==, 0);
  g_assert_true (g_file_set_contents (victim, "precious", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    g_assert_cmpint (symlink (victim, links[i]), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink (fifo, json), ==, 0);

  reader = g_thread_new ("fifo", drain_fifo, fifo);
  g_assert_cmpint (pacer_test_run_pacer_run (launcher, args, &out, &err), ==, 0);
  /* A pacer-run that never opened the pipe would leave the reader waiting: let it go. */
  {
    int fd = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd >= 0)
      close (fd);
  }
  from_fifo = g_thread_join (reader);

  /* The history was not read through the link either: it says so. */
  g_assert_nonnull (strstr (err, "durations.json"));
  g_assert_nonnull (strstr (err, "symbolic link"));

  g_assert_true (g_file_get_contents (victim, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "precious");
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_assert_cmpint (g_lstat (links[i], &info), ==, 0);
      g_assert_true (S_ISREG (info.st_mode));
    }
  /* The history is the user's own: no one else reads it. */
  g_assert_cmpint (g_lstat (history, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  g_assert_nonnull (from_fifo);
  g_assert_nonnull (strstr (from_fifo, "\"/s/pass\""));
  g_assert_cmpint (g_lstat (fifo, &info), ==, 0);
  g_assert_true (S_ISFIFO (info.st_mode));

  /* A disk behind a link is refused before the run. */
  if (g_stat ("/dev/loop0", &info) == 0 && S_ISBLK (info.st_mode))
    {
      g_autofree char *disk = g_build_filename (dir, "disk.xml", NULL);
      const char *disk_args[] = { "--junit-xml", disk, program, NULL };
      g_autofree char *disk_out = NULL, *disk_err = NULL;

      g_assert_cmpint (symlink ("/dev/loop0", disk), ==, 0);
      g_assert_cmpint (pacer_test_run_pacer_run (launcher, disk_args, &disk_out, &disk_err), ==, 2);
      g_assert_nonnull (strstr (disk_err, "block device"));
    }
}

/* Runs _pacer_child_setup() in a child as GLib's spawn would, told that
 * @runner spawned it; returns the child's wait status. */
static int
child_setup_status (pid_t runner)
{
  pid_t child = fork ();
  int status = 0;

  if (child == 0)
    {
      _pacer_child_setup (GINT_TO_POINTER (runner));
      /* Still here: the runner is our parent. Say whether we lead a group. */
      _exit (getpgid (0) == getpid () ? 0 : 3);
    }
  g_assert_cmpint (child, >, 0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  return status;
}

static void
test_child_setup (void)
{
  int status;

  g_test_summary ("A test process leads a process group of its own, and kills itself at once "
                  "when the runner died before it could ask to die with it");

  status = child_setup_status (getpid ());
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  /* Its parent is not the runner any more: the runner is gone, and the
   * parent-death signal asked for too late will never come. */
  status = child_setup_status (getpid () + 1);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
}

/* Set in main() before any thread exists: whether this process has a mount
 * namespace of its own, where a small tmpfs can stand for a full disk and
 * vanishes with the process whatever happens to the test. */
static gboolean own_mounts;
static int own_mounts_errno;

static void
fill_disk (const char *dir)
{
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  char block[4096] = { 0 };
  int fd = open (filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  while (write (fd, block, sizeof block) > 0)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  close (fd);
}

static gboolean
set_count (JsonObject *data,
           gpointer    user_data)
{
  json_object_set_int_member (data, "count", GPOINTER_TO_INT (user_data));
  return TRUE;
}

static void
test_full_disk (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *disk = g_build_filename (tmp_dir, "disk", NULL);
  g_autofree char *cache = g_build_filename (disk, "cache", NULL);
  g_autofree char *runtime = g_build_filename (disk, "runtime", NULL);
  g_autofree char *history = g_build_filename (cache, "durations.json", NULL);
  g_autofree char *junit = g_build_filename (disk, "report.xml", NULL);
  g_autofree char *state = g_build_filename (disk, "state.json", NULL);
  g_autofree char *old_history = NULL, *old_junit = NULL, *new_history = NULL, *new_junit = NULL;
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(JsonObject) kept = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "-n", "1", "--cache-dir", cache, "--junit-xml", junit, program, NULL };
  g_autoptr(GSubprocessLauncher) first = pacer_test_fake_gtest_launcher_new ("pass:/d/a,pass:/d/b", NULL);
  g_autoptr(GSubprocessLauncher) second =
    pacer_test_fake_gtest_launcher_new ("pass:/d/a,pass:/d/b,fail:/d/c", NULL);

  g_test_summary ("On a full disk the duration history, the reports and shared state keep "
                  "their previous content, and each error names its file");

  if (!own_mounts)
    {
      g_autofree char *why = g_strdup_printf ("a full disk is a small tmpfs, and mounting one "
                                              "needs a mount namespace: %s",
                                              g_strerror (own_mounts_errno));
      g_test_skip (why);
      return;
    }

  g_assert_cmpint (g_mkdir_with_parents (disk, 0700), ==, 0);
  g_assert_cmpint (mount ("tmpfs", disk, "tmpfs", 0, "size=512k,mode=0700"), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_subprocess_launcher_setenv (first, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (second, "XDG_RUNTIME_DIR", runtime, TRUE);

  g_assert_cmpint (pacer_test_run_pacer_run (first, args, &out, &err), ==, 0);
  g_assert_true (g_file_get_contents (history, &old_history, NULL, NULL));
  g_assert_true (g_file_get_contents (junit, &old_junit, NULL, NULL));
  shared = pacer_shared_json_new (state, NULL, 5.0);
  g_assert_true (pacer_shared_json_edit (shared, set_count, GINT_TO_POINTER (1), &error));
  g_assert_no_error (error);

  fill_disk (disk);

  /* The run itself goes on (the run directory is on the full disk too);
   * what it cannot write is said, by name, and makes the status 2. */
  g_assert_cmpint (pacer_test_run_pacer_run (second, args, &out2, &err2), ==, 2);
  g_assert_nonnull (strstr (out2, "FAIL /d/c"));
  g_assert_nonnull (strstr (err2, history));
  g_assert_nonnull (strstr (err2, junit));
  g_assert_true (g_file_get_contents (history, &new_history, NULL, NULL));
  g_assert_cmpstr (new_history, ==, old_history);
  g_assert_true (g_file_get_contents (junit, &new_junit, NULL, NULL));
  g_assert_cmpstr (new_junit, ==, old_junit);

  g_assert_false (pacer_shared_json_edit (shared, set_count, GINT_TO_POINTER (2), &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, state));
  g_clear_error (&error);
  kept = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (kept, "count"), ==, 1);

  g_assert_cmpint (umount2 (disk, MNT_DETACH), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before g_test_init(): unshare() refuses a process with threads.
   * Source and type are ignored for a propagation change, but valgrind
   * checks them as strings. */
  own_mounts = unshare (CLONE_NEWNS) == 0 &&
               mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0;
  own_mounts_errno = errno;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("pacer-run-faults-XXXXXX");

  g_test_add_func ("/Pacer/Batch/child-setup", test_child_setup);
  g_test_add_func ("/Pacer/PacerRun/output-flood", test_output_flood);
  g_test_add_func ("/Pacer/PacerRun/killed-runner", test_killed_runner);
  g_test_add_func ("/Pacer/PacerRun/leaky-test", test_leaky_test);
  g_test_add_func ("/Pacer/PacerRun/planted-links", test_planted_links);
  g_test_add_func ("/Pacer/PacerRun/full-disk", test_full_disk);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
