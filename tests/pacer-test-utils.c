/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "pacer-test-utils.h"

#include "pacer-glib/pacer-glib-private.h"

/**
 * pacer_test_keep_segv_a_signal:
 *
 * Call after g_test_init() in a test program whose children crash on
 * purpose (fake-gtest's `segv:` tests). AddressSanitizer turns a SIGSEGV
 * into an ordinary exit by default, and the runner must see the signal
 * a user's crashing test gives. The children inherit ASAN_OPTIONS, and any
 * options already set (by build-aux/test.sh --asan) are kept.
 */
void
pacer_test_keep_segv_a_signal (void)
{
  const char *asan = g_getenv ("ASAN_OPTIONS");
  g_autofree char *options = g_strconcat (asan != NULL ? asan : "", asan != NULL ? ":" : "",
                                          "handle_segv=0", NULL);

  g_setenv ("ASAN_OPTIONS", options, TRUE);
}

/**
 * pacer_test_make_tmp_dir:
 * @tmpl: a template for g_dir_make_tmp(), ending in XXXXXX
 *
 * G_TEST_OPTION_ISOLATE_DIRS moves HOME and the XDG directories but not the
 * temporary directory, so tests that write files make their own; a test
 * cannot go on without it, hence the assertion.
 *
 * Returns: (transfer full): the new directory; free it with
 *   pacer_test_tmp_dir_free()
 */
char *
pacer_test_make_tmp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  g_assert_nonnull (dir);
  return dir;
}

/**
 * pacer_test_tmp_dir_free:
 * @dir: (nullable) (transfer full): a directory from pacer_test_make_tmp_dir()
 *
 * Removes @dir with whatever the tests left in it, so that a run leaves
 * nothing behind in /tmp, and frees the string. Fits g_clear_pointer().
 */
void
pacer_test_tmp_dir_free (char *dir)
{
  if (dir == NULL)
    return;
  _pacer_remove_tree (dir);
  g_free (dir);
}

/**
 * pacer_test_pacer_run:
 *
 * tests/meson.build sets PACER_RUN to the pacer-run built beside the
 * library: the tests run that one, never one found in PATH.
 *
 * Returns: (transfer none): the path of the built pacer-run
 */
const char *
pacer_test_pacer_run (void)
{
  const char *path = g_getenv ("PACER_RUN");

  g_assert_nonnull (path);
  return path;
}

/**
 * pacer_test_launcher_new:
 *
 * A launcher whose children's stdout and stderr come back to the test, which
 * asserts on what they print.
 *
 * Returns: (transfer full): a new launcher
 */
GSubprocessLauncher *
pacer_test_launcher_new (void)
{
  return g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
}

/**
 * pacer_test_fake_gtest_launcher_new:
 * @tests: (nullable): FAKE_GTEST_TESTS for fake-gtest, or `NULL` to inherit it
 * @log: (nullable): FAKE_GTEST_LOG, or `NULL` to unset it
 *
 * fake-gtest, run by the pacer-run these launchers start, reads what its
 * tests do from the environment. The log is unset rather than inherited when
 * @log is `NULL`: a run must not write into the log another test reads.
 *
 * Returns: (transfer full): a new launcher, as pacer_test_launcher_new()
 */
GSubprocessLauncher *
pacer_test_fake_gtest_launcher_new (const char *tests,
                                    const char *log)
{
  GSubprocessLauncher *launcher = pacer_test_launcher_new ();

  if (tests != NULL)
    g_subprocess_launcher_setenv (launcher, "FAKE_GTEST_TESTS", tests, TRUE);
  if (log != NULL)
    g_subprocess_launcher_setenv (launcher, "FAKE_GTEST_LOG", log, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "FAKE_GTEST_LOG");
  return launcher;
}

/**
 * pacer_test_spawn:
 * @launcher: the launcher, with the child's environment
 * @argv: (array zero-terminated=1): the program and its arguments
 *
 * Starts @argv; a test cannot go on when it does not start.
 *
 * Returns: (transfer full): the running process
 */
GSubprocess *
pacer_test_spawn (GSubprocessLauncher *launcher,
                  const char * const  *argv)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *process = g_subprocess_launcher_spawnv (launcher, argv, &error);

  g_assert_no_error (error);
  return process;
}

/**
 * pacer_test_spawn_pacer_run:
 * @launcher: the launcher, with the child's environment
 * @args: (array zero-terminated=1): the arguments after the program name
 *
 * Starts the built pacer-run (pacer_test_pacer_run()) with @args, for a test
 * that does something while it runs, such as sending it a signal.
 *
 * Returns: (transfer full): the running process
 */
GSubprocess *
pacer_test_spawn_pacer_run (GSubprocessLauncher *launcher,
                            const char * const  *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add (builder, pacer_test_pacer_run ());
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  return pacer_test_spawn (launcher, (const char * const *) argv);
}

/**
 * pacer_test_wait:
 * @process: a process from a launcher that pipes stdout and stderr
 * @out: (out) (optional): what it printed on stdout
 * @err: (out) (optional): what it printed on stderr
 *
 * Reads everything the process prints until it exits. It must exit: a child
 * killed by a signal is a crash the test did not ask for (pacer-run catches
 * its tests' crashes and exits).
 *
 * Returns: the exit status
 */
int
pacer_test_wait (GSubprocess  *process,
                 char        **out,
                 char        **err)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/**
 * pacer_test_run_pacer_run:
 * @launcher: the launcher, with the child's environment
 * @args: (array zero-terminated=1): the arguments after the program name
 * @out: (out) (optional): what it printed on stdout
 * @err: (out) (optional): what it printed on stderr
 *
 * Runs the built pacer-run to the end, as a user at a shell would.
 *
 * Returns: its exit status
 */
int
pacer_test_run_pacer_run (GSubprocessLauncher *launcher,
                          const char * const  *args,
                          char               **out,
                          char               **err)
{
  g_autoptr(GSubprocess) process = pacer_test_spawn_pacer_run (launcher, args);

  return pacer_test_wait (process, out, err);
}

/**
 * pacer_test_last_line:
 * @text: what a program printed
 *
 * pacer-run ends its output with the summary line; trailing empty lines do
 * not count. @text must have a line.
 *
 * Returns: (transfer full): the last line that is not empty
 */
char *
pacer_test_last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  while (n > 0 && lines[n - 1][0] == '\0')
    n--;
  g_assert_cmpuint (n, >, 0);
  return g_strdup (lines[n - 1]);
}
