/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The programs of a run: each named program resolved as a shell would and
 * checked, each command taken with its settings, then every GTest program
 * asked for its tests (`-l`), all at once. How a listing ends decides how a
 * program runs: split into tests, skipped, or whole. */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-engine-state-private.h"
#include "pacer-error.h"
#include "pacer-listing-private.h"

#define LIST_TIME_LIMIT 60.0
#define LIST_TIME_LIMIT_MIN 10.0
#define LIST_LEARNED_MIN 15.0
#define LIST_LEARNED_FACTOR 10.0

static gboolean on_list_timeout (gpointer user_data);

/* The listing limit runs from when the listings started, all at once. */
static void
arm_list_timeout (PacerEngine *run)
{
  gint64 deadline = run->list_began + (gint64) (run->list_limit * G_USEC_PER_SEC);
  gint64 left = MAX (deadline - g_get_monotonic_time (), 0);

  _pacer_engine_clear_source (run, &run->list_timeout_source);
  run->list_timeout_source = _pacer_engine_attach (run, g_timeout_source_new ((guint) MIN (left / 1000, G_MAXUINT)),
                                                   on_list_timeout, "[pacer] listing timeout");
}

void
_pacer_engine_program_free (PacerEngineProgram *program)
{
  g_free (program->name);
  g_free (program->file);
  g_strfreev (program->argv);
  g_free (program->cwd);
  g_strfreev (program->env);
  g_free (program->skip_reason);
  g_clear_object (&program->lister);
  g_clear_pointer (&program->paths, g_ptr_array_unref);
  g_clear_pointer (&program->suites, g_hash_table_unref);
  g_clear_pointer (&program->members, g_hash_table_unref);
  g_free (program);
}

/* Resolves a program as a shell would and checks that it can be run. */
static char *
resolve_program (const char  *name,
                 GError     **error)
{
  g_autofree char *file = NULL;

  if (strchr (name, '/') == NULL)
    {
      file = g_find_program_in_path (name);
      if (file == NULL)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("Test program “%s” not found"), name);
          return NULL;
        }
    }
  else
    file = g_canonicalize_filename (name, NULL);

  if (!g_file_test (file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Test program “%s” does not exist"), name);
      return NULL;
    }
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR) || !g_file_test (file, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Test program “%s” is not an executable file"), name);
      return NULL;
    }

  return g_steal_pointer (&file);
}

/* A command as the run sees it: a program named by the command, keyed by
 * its name (the same executable may serve several commands), spawned with
 * its argv. Settings are copied: the run keeps what it read. */
static PacerEngineProgram *
command_program (PacerEngine       *run,
                 PacerTestCommand  *command,
                 GError           **error)
{
  const char *name = pacer_test_command_get_name (command);
  const char * const *argv = pacer_test_command_get_argv (command);
  const char *cwd = pacer_test_command_get_working_directory (command);
  PacerEngineProgram *program;
  char *file;

  for (guint j = 0; j < run->programs->len; j++)
    {
      PacerEngineProgram *other = g_ptr_array_index (run->programs, j);

      if (other->argv != NULL && g_str_equal (other->name, name))
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("Two test commands are named “%s”"), name);
          return NULL;
        }
    }
  if (cwd != NULL && !g_file_test (cwd, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("The working directory “%s” of “%s” is not a directory"), cwd, name);
      return NULL;
    }
  file = resolve_program (argv[0], error);
  if (file == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  program = g_new0 (PacerEngineProgram, 1);
  program->name = g_strdup (name);
  program->file = g_strdup (name);
  program->argv = g_strdupv ((char **) argv);
  g_free (program->argv[0]);
  program->argv[0] = file;
  program->cwd = g_strdup (cwd);
  program->env = g_strdupv ((char **) pacer_test_command_get_environment (command));
  program->tap = pacer_test_command_get_tap (command);
  program->exclusive = pacer_test_command_get_exclusive (command);
  program->fresh_directory = pacer_test_command_get_fresh_directory (command) && cwd != NULL;
  program->fallback = G_MAXUINT;
  program->timeout = pacer_test_command_get_timeout (command);
  return program;
}

/* Resolves the run's programs and commands into run->programs; a missing
 * program or a bad command is an error of the invocation. */
gboolean
_pacer_engine_add_programs (PacerEngine  *run,
                            GError      **error)
{
  for (guint i = 0; run->settings->programs != NULL && run->settings->programs[i] != NULL; i++)
    {
      PacerEngineProgram *program = g_new0 (PacerEngineProgram, 1);
      gboolean seen = FALSE;

      program->name = g_strdup (run->settings->programs[i]);
      program->tap = TRUE;
      program->fallback = G_MAXUINT;
      program->file = resolve_program (program->name, error);
      if (program->file == NULL)
        {
          _pacer_engine_program_free (program);
          return FALSE;
        }

      /* The same program given twice runs once: its tests are the same tests. */
      for (guint j = 0; j < run->programs->len && !seen; j++)
        seen = g_str_equal (((PacerEngineProgram *) g_ptr_array_index (run->programs, j))->file, program->file);
      if (seen)
        _pacer_engine_program_free (program);
      else
        g_ptr_array_add (run->programs, program);
    }

  for (guint i = 0; i < run->settings->commands->len; i++)
    {
      PacerEngineProgram *program = command_program (run, g_ptr_array_index (run->settings->commands, i), error);

      if (program == NULL)
        return FALSE;
      g_ptr_array_add (run->programs, program);
    }
  return TRUE;
}

/* What a program that skipped itself while listing said about why: its TAP
 * skip directive (`1..0 # SKIP no bus`), else its last line of error output. */
static char *
listing_skip_reason (GBytes *stdout_bytes,
                     GBytes *stderr_bytes)
{
  GBytes *streams[] = { stdout_bytes, stderr_bytes };

  for (guint s = 0; s < G_N_ELEMENTS (streams); s++)
    {
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      const char *last = NULL;

      if (streams[s] == NULL || g_bytes_get_size (streams[s]) == 0)
        continue;
      text = g_utf8_make_valid (g_bytes_get_data (streams[s], NULL), g_bytes_get_size (streams[s]));
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *skip = strstr (lines[i], "# SKIP");

          if (s == 0 && skip != NULL)
            {
              skip += strlen ("# SKIP");
              while (*skip == ' ' || *skip == '\t')
                skip++;
              if (*skip != '\0')
                return g_strstrip (g_strdup (skip));
            }
          if (*g_strstrip (lines[i]) != '\0')
            last = lines[i];
        }
      if (s == 1 && last != NULL)
        return g_strdup (last);
    }
  return g_strdup (_("skipped itself while listing its tests (exit status 77)"));
}

/* How a listing ended that was not a clean exit: “signal 11”, “exit status 1”. */
static char *
describe_exit (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    return g_strdup_printf (_("signal %d"), g_subprocess_get_term_sig (process));
  return g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (process));
}

/* A program's listing tells how it runs: split into tests, skipped (it
 * skipped itself, as programs that need a bus or a service do), or whole,
 * judged by its exit status and TAP as gnome-desktop-testing-runner and meson
 * judge it. One program's listing never stops the run. */
static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PacerEngineProgram *program = user_data;
  GSubprocess *lister = G_SUBPROCESS (source);
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) error = NULL;
  PacerEngine *run;
  gboolean is_gtest = FALSE;
  gsize length = 0;
  const char *text;

  g_subprocess_communicate_finish (lister, result, &stdout_bytes, &stderr_bytes, &error);
  run = g_object_get_data (G_OBJECT (lister), "pacer-engine");
  run->n_listing--;
  g_clear_object (&program->lister);

  if (run->stop != PACER_ENGINE_STOP_NONE)
    {
      run->listing_ended (run);
      return;
    }

  program->list_seconds = (g_get_monotonic_time () - program->list_start) / (double) G_USEC_PER_SEC;

  /* The others have shown what listing takes here: a program still at it
   * long after is hung, not slow (libsoup's hsts-test hangs after
   * listing in about one run of eight, and held the whole run for the
   * 300 s limit). It then runs whole, which costs no verdict. */
  if (!program->list_timed_out && run->n_listing > 0)
    {
      double learned;

      run->list_longest = MAX (run->list_longest, program->list_seconds);
      learned = MAX (LIST_LEARNED_MIN, LIST_LEARNED_FACTOR * run->list_longest);
      if (learned < run->list_limit)
        {
          run->list_limit = learned;
          arm_list_timeout (run);
        }
    }

  if (program->list_timed_out)
    {
      program->whole = TRUE;
      _pacer_engine_note (run, program, _("listing its tests took longer than %g s: it runs whole"), run->list_limit);
    }
  else if (error != NULL)
    {
      program->whole = TRUE;
      _pacer_engine_note (run, program, _("cannot list its tests (%s): it runs whole"), error->message);
    }
  else if (g_subprocess_get_if_exited (lister) && g_subprocess_get_exit_status (lister) == 77)
    program->skip_reason = listing_skip_reason (stdout_bytes, stderr_bytes);
  else if (!(g_subprocess_get_if_exited (lister) && g_subprocess_get_exit_status (lister) == 0))
    {
      g_autofree char *end = describe_exit (lister);

      program->whole = TRUE;
      _pacer_engine_note (run, program, _("listing its tests failed (%s): it runs whole"), end);
    }
  else
    {
      text = g_bytes_get_data (stdout_bytes, &length);
      program->paths = _pacer_listing_parse (text, length, &is_gtest);
      program->whole = !is_gtest;
    }

  run->listing_ended (run);
}

/* --timeout bounds listing too: a program that hangs on -l must not hang the run. */
static gboolean
on_list_timeout (gpointer user_data)
{
  PacerEngine *run = user_data;

  run->list_timeout_source = 0;
  for (guint i = 0; i < run->programs->len; i++)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, i);

      if (program->lister != NULL)
        {
          program->list_timed_out = TRUE;
          g_subprocess_send_signal (program->lister, SIGKILL);
        }
    }
  return G_SOURCE_REMOVE;
}

/* Lists every GTest program; @ended is called as each listing ends, also
 * when the run stopped meanwhile. */
void
_pacer_engine_list_programs (PacerEngine *run,
                             void       (*ended) (PacerEngine *run))
{
  g_autoptr(GError) error = NULL;

  run->listing_ended = ended;
  /* List every program at once: their start-up costs overlap. */
  for (guint i = 0; i < run->programs->len; i++)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, i);
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GStrvBuilder) builder = NULL;
      g_auto(GStrv) argv = NULL;

      if (!_pacer_listing_may_be_gtest (program->argv != NULL ? program->argv[0] : program->file))
        {
          program->whole = TRUE;
          continue;
        }

      launcher = _pacer_engine_make_launcher (run, program, NULL, TRUE);
      builder = g_strv_builder_new ();
      _pacer_engine_add_program_argv (program, builder);
      g_strv_builder_add (builder, "-l");
      /* Some programs name tests after g_test_rand_int(): list with the
       * seed the tests will run with, so the names agree. */
      g_strv_builder_add_many (builder, "--seed", run->seed, NULL);
      if (run->settings->mode != NULL)
        g_strv_builder_add_many (builder, "-m", run->settings->mode, NULL);
      for (guint j = 0; run->settings->paths != NULL && run->settings->paths[j] != NULL; j++)
        g_strv_builder_add_many (builder, "-p", run->settings->paths[j], NULL);
      argv = g_strv_builder_end (builder);

      program->lister = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
      if (program->lister == NULL)
        {
          /* Running it whole will fail the same way: that is its result. */
          program->whole = TRUE;
          _pacer_engine_note (run, program, _("cannot list its tests (%s): it runs whole"), error->message);
          g_clear_error (&error);
          continue;
        }
      program->list_start = g_get_monotonic_time ();
      g_object_set_data (G_OBJECT (program->lister), "pacer-engine", run);
      run->n_listing++;
      g_subprocess_communicate_async (program->lister, NULL, NULL, on_listed, program);
    }

  /* A program that hangs when asked for -l must not hang the run: it is
   * bounded by --timeout, or by a minute, far more than any listing takes,
   * and lowered as the other listings end (on_listed()). A short per-test
   * timeout does not bound listing below ten seconds: a big program, or
   * one under a sanitizer, takes a while to list. */
  run->list_limit = run->settings->timeout > 0 ? CLAMP (run->settings->timeout, LIST_TIME_LIMIT_MIN, LIST_TIME_LIMIT)
                                               : LIST_TIME_LIMIT;
  run->list_began = g_get_monotonic_time ();
  if (run->n_listing > 0)
    arm_list_timeout (run);
}
