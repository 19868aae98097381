/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run --installed-tests DIR|FILE…: runs GNOME installed tests, judged
 * as gnome-desktop-testing-runner (2021.1) judges them.
 *
 * What we follow from it:
 * - `[Test]` needs `Exec` (split with g_shell_parse_argv, no shell) and
 *   `Type`, `session` or `session-exclusive`; anything else, or a file that
 *   does not parse, stops everything before a test runs.
 * - A test's verdict is its exit status: 0 passes, 77 skips, anything else
 *   (a signal, a timeout) fails.
 * - Each test starts in a fresh directory of its own holding an empty
 *   `.testtmp`, so it knows it may write there; the directory is removed
 *   after the run. A program split over several processes gets one such
 *   directory per process (PacerTestCommand:fresh-directory), its `-l`
 *   included: ostree's C tests set up a repository in theirs in main() and
 *   fail when another process of theirs has been there.
 * - Tests inherit the runner's environment with `GIO_USE_VFS=local` (which
 *   the runner sets for itself, keeping gvfs away); `TestEnvironment`
 *   entries are set on top of it. (gnome-desktop-testing-runner replaces
 *   the environment with them instead, losing PATH and HOME: we do not.)
 * - A `session-exclusive` test runs while nothing else runs.
 *   gnome-desktop-testing-runner waits for the running tests, runs the
 *   exclusive one alone, then goes on; we run every exclusive test after the
 *   parallel pass, one process at a time.
 * - Files in a directory are taken in name order (not recursively).
 *
 * What we add: `Exec=env NAME=VALUE… PROGRAM…` is taken apart, so that a
 * GTest program behind env(1) is still split over the workers. The runner
 * ignores `Output=TAP`; we read a program's TAP lines as results only when
 * its file says `Output=TAP`, so a `not ok` there fails even when the
 * program exits 0, as meson's TAP protocol has it. When `Exec` names a GTest
 * program its tests are spread over the workers with the `Exec` arguments
 * kept, and judged one by one. */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pacer-cli-installed-private.h"

#define GROUP "Test"

/* The key file's own message, prefixed with the file it is about. */
static PacerTestCommand *
key_error (GError     **error,
           const char  *file,
           GError      *cause)
{
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s: %s", file, cause->message);
  g_error_free (cause);
  return NULL;
}

/* `Exec=env NAME=VALUE… PROGRAM ARGS…` is how .test files give a test a
 * variable it needs without TestEnvironment. The variables join @env, after
 * TestEnvironment's as env(1) runs inside that environment, and PROGRAM
 * becomes what runs: a GTest program is then split over the workers like any
 * other. env(1) with options, or without a program, runs as written. */
static void
fold_env (char         ***argv,
          GStrvBuilder   *env)
{
  char **args = *argv;
  g_autofree char *base = g_path_get_basename (args[0]);
  guint program = 1;

  if (!g_str_equal (base, "env"))
    return;
  while (args[program] != NULL && args[program][0] != '-' && args[program][0] != '=' &&
         strchr (args[program], '=') != NULL)
    program++;
  if (args[program] == NULL || args[program][0] == '-')
    return;

  for (guint i = 1; i < program; i++)
    g_strv_builder_add (env, args[i]);
  *argv = g_strdupv (args + program);
  g_strfreev (args);
}

/* g_key_file_get_string() returns what it could read of a value with a bad
 * escape sequence ("\\q") and sets the error too: the error is what counts.
 * GLib 2.74 even sets its error twice, a warning, for a bad escape followed
 * by a backslash at the end of the line ("\\q\\"), in strings and string
 * lists alike: such values are refused before GLib unescapes them. A list
 * also knows "\\;", its separator escaped. */
static gboolean
check_escapes (GKeyFile    *keys,
               const char  *key,
               gboolean     is_list,
               GError     **error)
{
  g_autofree char *raw = g_key_file_get_value (keys, GROUP, key, NULL);
  const char *known = is_list ? "sntr\\;" : "sntr\\";

  for (const char *p = raw; p != NULL && *p != '\0'; p++)
    if (*p == '\\' && (p[1] == '\0' || strchr (known, p[1]) == NULL))
      {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                     _("Key file contains an invalid escape sequence in “%s”"), key);
        return FALSE;
      }
    else if (*p == '\\')
      p++;
  return TRUE;
}

static char *
get_string (GKeyFile    *keys,
            const char  *key,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;

  if (!check_escapes (keys, key, FALSE, error))
    return NULL;
  value = g_key_file_get_string (keys, GROUP, key, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&value);
}

static GStrv
get_string_list (GKeyFile    *keys,
                 const char  *key,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) value = NULL;

  if (!check_escapes (keys, key, TRUE, error))
    return NULL;
  value = g_key_file_get_string_list (keys, GROUP, key, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&value);
}

static PacerTestCommand *
load_one (const char  *file,
          const char  *scratch_dir,
          GError     **error)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PacerTestCommand) command = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *type = NULL;
  g_autofree char *output = NULL;
  g_autofree char *name = g_path_get_basename (file);
  g_autofree char *cwd = NULL;
  g_autofree char *stamp = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) test_env = NULL;
  g_autoptr(GStrvBuilder) env = g_strv_builder_new ();
  g_auto(GStrv) env_strv = NULL;

  if (!g_key_file_load_from_file (keys, file, G_KEY_FILE_NONE, &local_error))
    return key_error (error, file, g_steal_pointer (&local_error));
  if (!g_key_file_has_group (keys, GROUP))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   _("%s: no [Test] group: not an installed-tests .test file"), file);
      return NULL;
    }

  exec = get_string (keys, "Exec", &local_error);
  if (exec == NULL)
    return key_error (error, file, g_steal_pointer (&local_error));
  if (!g_shell_parse_argv (exec, NULL, &argv, &local_error))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("%s: Exec “%s” cannot be split into arguments: %s"), file, exec, local_error->message);
      return NULL;
    }

  type = get_string (keys, "Type", &local_error);
  if (type == NULL)
    return key_error (error, file, g_steal_pointer (&local_error));
  if (!g_str_equal (type, "session") && !g_str_equal (type, "session-exclusive"))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("%s: unknown Type “%s” (session or session-exclusive)"), file, type);
      return NULL;
    }

  if (g_key_file_has_key (keys, GROUP, "Output", NULL))
    {
      output = get_string (keys, "Output", &local_error);
      if (output == NULL)
        return key_error (error, file, g_steal_pointer (&local_error));
      if (!g_str_equal (output, "TAP"))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("%s: unknown Output “%s” (only TAP is known)"), file, output);
          return NULL;
        }
    }

  g_strv_builder_add (env, "GIO_USE_VFS=local");
  if (g_key_file_has_key (keys, GROUP, "TestEnvironment", NULL))
    {
      test_env = get_string_list (keys, "TestEnvironment", &local_error);
      if (test_env == NULL)
        return key_error (error, file, g_steal_pointer (&local_error));
      for (guint i = 0; test_env[i] != NULL; i++)
        if (strchr (test_env[i], '=') == NULL || test_env[i][0] == '=')
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         _("%s: TestEnvironment entry “%s” is not NAME=VALUE"), file, test_env[i]);
            return NULL;
          }
      g_strv_builder_addv (env, (const char **) test_env);
    }
  fold_env (&argv, env);
  env_strv = g_strv_builder_end (env);

  cwd = g_build_filename (scratch_dir, name, NULL);
  stamp = g_build_filename (cwd, ".testtmp", NULL);
  if (g_mkdir (cwd, 0700) != 0 || !g_file_set_contents (stamp, "", 0, &local_error))
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("%s: cannot make its working directory “%s”: %s"), file, cwd,
                   local_error != NULL ? local_error->message : g_strerror (saved_errno));
      return NULL;
    }

  command = pacer_test_command_new (name, (const char * const *) argv);
  pacer_test_command_set_working_directory (command, cwd);
  pacer_test_command_set_fresh_directory (command, TRUE);
  pacer_test_command_set_environment (command, (const char * const *) env_strv);
  pacer_test_command_set_tap (command, output != NULL);
  pacer_test_command_set_exclusive (command, g_str_equal (type, "session-exclusive"));
  return g_steal_pointer (&command);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The .test files @arg stands for: itself, or a directory's, sorted. */
static gboolean
collect_files (const char  *arg,
               GPtrArray   *files,
               GError     **error)
{
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  if (!g_file_test (arg, G_FILE_TEST_IS_DIR))
    {
      if (!g_file_test (arg, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       _("%s: no such .test file or directory"), arg);
          return FALSE;
        }
      g_ptr_array_add (files, g_strdup (arg));
      return TRUE;
    }

  dir = g_dir_open (arg, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, G_FILE_ERROR, local_error->code, "%s: %s", arg, local_error->message);
      return FALSE;
    }
  found = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (arg, name, NULL);

      if (g_str_has_suffix (name, ".test") && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
  if (found->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("%s: the directory holds no .test file"), arg);
      return FALSE;
    }
  g_ptr_array_sort (found, compare_strings);
  g_ptr_array_extend_and_steal (files, g_steal_pointer (&found));
  return TRUE;
}

/* A private directory holding one working directory per test. */
char *
pacer_cli_installed_scratch (GError **error)
{
  return g_dir_make_tmp ("pacer-installed-XXXXXX", error);
}

/* Loads every .test file that @args name, each with a working directory in
 * @scratch_dir; any bad file is an error and nothing is returned. */
GPtrArray *
pacer_cli_installed_load (const char * const  *args,
                          const char          *scratch_dir,
                          GError             **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; args[i] != NULL; i++)
    if (!collect_files (args[i], files, error))
      return NULL;

  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      char *name = g_path_get_basename (file);
      PacerTestCommand *command;
      const char *other;

      /* The name is the file's basename, and names results: it must be unique. */
      other = g_hash_table_lookup (names, name);
      if (other != NULL)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                       _("%s: another test has the same name: %s"), file, other);
          g_free (name);
          return NULL;
        }
      g_hash_table_insert (names, name, (char *) file);

      command = load_one (file, scratch_dir, error);
      if (command == NULL)
        return NULL;
      g_ptr_array_add (commands, command);
    }

  return g_steal_pointer (&commands);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  /* Never follows a symbolic link a test left behind. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
pacer_cli_installed_cleanup (const char *scratch_dir)
{
  if (scratch_dir != NULL)
    remove_tree (scratch_dir);
}
