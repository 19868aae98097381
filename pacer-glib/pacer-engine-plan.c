/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* From the scheduler's batch to a test process's command line.
 *
 * GTest walks every registered test once per `-p` path, so n paths over a
 * program of N tests cost n × N, and a GTest program's start-up (registering
 * every test) is often ~10 ms: running most of a suite as one `-p SUITE`
 * with `-s` for its members left out is what makes small tests cheap. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-engine-state-private.h"
#include "pacer-glib-private.h"

/* Back to the scheduler; a path that is also a suite keeps running alone,
 * since its `-x P/` would skip the rest of a shared batch. */
void
_pacer_engine_requeue (PacerEngine *run,
                       guint        test_index)
{
  PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, test_index);

  pacer_scheduler_mark_test_pending (run->scheduler, test_index,
                                     test->alone ? PACER_SCHEDULE_FLAGS_ALONE : PACER_SCHEDULE_FLAGS_NONE);
}

void
_pacer_engine_add_program_argv (PacerEngineProgram *program,
                                GStrvBuilder       *builder)
{
  if (program->argv != NULL)
    g_strv_builder_addv (builder, (const char **) program->argv);
  else
    g_strv_builder_add (builder, program->file);
}

static void
setup_launcher (PacerEngineProgram  *program,
                GSubprocessLauncher *launcher)
{
  if (program->cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, program->cwd);
  for (guint i = 0; program->env != NULL && program->env[i] != NULL; i++)
    {
      const char *equal = strchr (program->env[i], '=');
      g_autofree char *name = NULL;

      if (equal == NULL || equal == program->env[i])
        continue;
      name = g_strndup (program->env[i], equal - program->env[i]);
      g_subprocess_launcher_setenv (launcher, name, equal + 1, TRUE);
    }
}

/* A directory of its own for one process of @program, in the run's private
 * directory (removed with it), holding a copy of the files at the top of
 * the command's directory: what the process would find if it were the
 * program's only one. NULL, with a note, if it cannot be made: the process
 * then shares the command's directory. */
static char *
make_fresh_directory (PacerEngine        *run,
                      PacerEngineProgram *program)
{
  g_autofree char *base = g_path_get_basename (program->cwd);
  g_autofree char *name = g_strconcat (base, "-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (run->run_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *entry;

  if (g_mkdtemp_full (dir, 0700) == NULL)
    {
      _pacer_engine_note (run, program, _("cannot make a working directory of its own (%s): it shares “%s”"),
                          g_strerror (errno), program->cwd);
      return NULL;
    }
  listing = g_dir_open (program->cwd, 0, &error);
  while (listing != NULL && (entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *from = g_build_filename (program->cwd, entry, NULL);
      g_autofree char *to = g_build_filename (dir, entry, NULL);
      g_autoptr(GFile) source = NULL;
      g_autoptr(GFile) target = NULL;

      if (!g_file_test (from, G_FILE_TEST_IS_REGULAR) || g_file_test (from, G_FILE_TEST_IS_SYMLINK))
        continue;
      source = g_file_new_for_path (from);
      target = g_file_new_for_path (to);
      if (!g_file_copy (source, target, G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, &error))
        break;
    }
  if (error != NULL)
    {
      _pacer_engine_note (run, program, _("cannot make a working directory of its own (%s): it shares “%s”"),
                          error->message, program->cwd);
      _pacer_remove_tree (dir);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

/* A launcher for one process of @program: its own group, a command's
 * directory and variables, the worker variables, stdout and stderr in one
 * pipe so output keeps its order. */
GSubprocessLauncher *
_pacer_engine_make_launcher (PacerEngine        *run,
                             PacerEngineProgram *program,
                             const char         *worker,
                             gboolean            listing)
{
  GSubprocessLauncher *launcher;
  g_autofree char *count = g_strdup_printf ("%u", MAX (run->n_slots, 1));

  launcher = g_subprocess_launcher_new (listing ? G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                                : G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, _pacer_child_setup, GINT_TO_POINTER (getpid ()), NULL);
  /* A command's own variables first: the worker identity is not theirs to change. */
  setup_launcher (program, launcher);
  if (program->fresh_directory)
    {
      g_autofree char *dir = make_fresh_directory (run, program);

      if (dir != NULL)
        g_subprocess_launcher_set_cwd (launcher, dir);
    }
  if (worker != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "PACER_WORKER", worker, TRUE);
      g_subprocess_launcher_setenv (launcher, "PACER_WORKER_COUNT", count, TRUE);
    }
  else
    {
      g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER");
      g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER_COUNT");
    }
  g_subprocess_launcher_setenv (launcher, "PACER_TESTRUN_UID", run->testrun_uid, TRUE);
  g_subprocess_launcher_setenv (launcher, "PACER_RUN_DIR", run->run_dir, TRUE);

  return launcher;
}

/* The start of a test process's command line; -p/-s passes follow. A
 * command's own arguments come first: GTest reads options anywhere. */
GStrvBuilder *
_pacer_engine_common_argv (PacerEngine        *run,
                           PacerEngineProgram *program,
                           gboolean            keep_going)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  const char *mode = run->settings->mode;

  _pacer_engine_add_program_argv (program, builder);
  if (program->whole)
    return builder;

  /* -k: a g_test_fail() must not end the batch; g_assert*() still does. */
  if (keep_going)
    g_strv_builder_add (builder, "-k");
  g_strv_builder_add_many (builder, "--seed", run->seed, NULL);
  if (mode != NULL)
    g_strv_builder_add_many (builder, "-m", mode, NULL);
  return builder;
}

/* `-p P`, or `-p P -x P/` for a path that is also a suite. */
static void
add_single_pass (GStrvBuilder       *builder,
                 PacerEngineProgram *program,
                 PacerEngineTest    *test)
{
  g_strv_builder_add_many (builder, "-p", test->path, NULL);
  if (test->alone && program->suites != NULL && g_hash_table_contains (program->suites, test->path))
    {
      g_autofree char *prefix = g_strconcat (test->path, "/", NULL);

      g_strv_builder_add_many (builder, "-x", prefix, NULL);
    }
}

/* The command that runs one test alone, shown to reproduce a failure. */
GStrv
_pacer_engine_single_test_argv (PacerEngine *run,
                                guint        test_index)
{
  PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, test_index);
  g_autoptr(GStrvBuilder) builder = _pacer_engine_common_argv (run, test->program, FALSE);

  if (!test->program->whole)
    add_single_pass (builder, test->program, test);
  return g_strv_builder_end (builder);
}

static int
compare_indices (gconstpointer a,
                 gconstpointer b)
{
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  return ia < ib ? -1 : ia > ib;
}

static gsize
parent_length (const char *path)
{
  const char *slash = strrchr (path, '/');

  return (slash != NULL && slash != path) ? (gsize) (slash - path) : 0;
}

/* Turns the scheduler's batch into -p passes. GTest walks every registered
 * test once per -p, so n paths over a program of N tests cost n × N: when a
 * batch holds most of a suite, one `-p SUITE` with `-s` for the members not
 * in the batch is far cheaper. Other tests get a pass each, at most
 * MAX_SINGLE_PASSES per batch; the rest goes back to the scheduler.
 * @in_order batches (a confirmation in listing order) are run as they are:
 * nothing goes back, whatever it costs. */
#define MAX_SINGLE_PASSES 100
#define MAX_SUITE_SKIPS 2000

void
_pacer_engine_plan_passes (PacerEngine        *run,
                           PacerEngineProgram *program,
                           GArray             *tests,
                           gboolean            in_order,
                           GStrvBuilder       *argv,
                           GArray             *kept,
                           GArray             *pass_end)
{
  const char * const *filter = (const char * const *) run->settings->paths;
  /* `-p SUITE` would also run the members that other partitions hold. */
  gboolean may_group = !program->whole && (filter == NULL || filter[0] == NULL) && !run->partitioned;
  guint n_single = 0;

  /* A scheduler that ignores PACER_SCHEDULE_FLAGS_ALONE must not put a
   * `-x P/` in a shared batch: such tests wait for a batch of their own. */
  if (tests->len > 1 && !in_order)
    {
      guint n_shared = 0, kept_len = 0;

      for (guint i = 0; i < tests->len; i++)
        if (!g_array_index (run->tests, PacerEngineTest, g_array_index (tests, guint, i)).alone)
          n_shared++;

      for (guint i = 0; i < tests->len; i++)
        {
          guint test_index = g_array_index (tests, guint, i);
          gboolean alone = g_array_index (run->tests, PacerEngineTest, test_index).alone;

          /* With nothing else in the batch, the first such test runs now. */
          if ((alone && (n_shared > 0 || kept_len > 0)))
            _pacer_engine_requeue (run, test_index);
          else
            g_array_index (tests, guint, kept_len++) = test_index;
        }
      g_array_set_size (tests, kept_len);
    }

  /* GTest runs a suite's tests in listing order: keep that order. */
  g_array_sort (tests, compare_indices);
  for (guint i = 0; i < tests->len; i++)
    g_array_index (run->tests, PacerEngineTest, g_array_index (tests, guint, i)).in_batch = TRUE;

  for (guint i = 0; i < tests->len;)
    {
      PacerEngineTest *first = &g_array_index (run->tests, PacerEngineTest, g_array_index (tests, guint, i));
      gsize parent_len = parent_length (first->path);
      guint end = i + 1;
      GArray *members = NULL;
      g_autofree char *parent = NULL;

      while (end < tests->len && parent_len > 0)
        {
          PacerEngineTest *next = &g_array_index (run->tests, PacerEngineTest, g_array_index (tests, guint, end));

          if (next->alone || next->copy != first->copy || parent_length (next->path) != parent_len ||
              strncmp (next->path, first->path, parent_len) != 0)
            break;
          end++;
        }

      if (may_group && parent_len > 0 && end - i >= 2 && !first->alone)
        {
          parent = g_strndup (first->path, parent_len);
          members = g_hash_table_lookup (program->members, parent);
        }

      if (members != NULL && members->len - (end - i) <= MIN (4 * (end - i), MAX_SUITE_SKIPS))
        {
          g_strv_builder_add_many (argv, "-p", parent, NULL);
          for (guint m = 0; m < members->len; m++)
            {
              /* Members name copy 0; --dist each runs other copies too. */
              PacerEngineTest *member = &g_array_index (run->tests, PacerEngineTest,
                                             g_array_index (members, guint, m) + first->copy * run->n_base_tests);

              if (!member->in_batch)
                g_strv_builder_add_many (argv, "-s", member->path, NULL);
            }
          /* The suite itself, if it is a test, runs in a batch of its own. */
          if (g_hash_table_contains (program->suites, parent))
            g_strv_builder_add_many (argv, "-s", parent, NULL);
          g_array_append_vals (kept, &g_array_index (tests, guint, i), end - i);
          g_array_append_val (pass_end, kept->len);
          i = end;
          continue;
        }

      for (; i < end; i++)
        {
          guint test_index = g_array_index (tests, guint, i);
          PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, test_index);

          if (n_single >= MAX_SINGLE_PASSES && !in_order)
            {
              _pacer_engine_requeue (run, test_index);
              continue;
            }
          if (!program->whole)
            add_single_pass (argv, program, test);
          g_array_append_val (kept, test_index);
          g_array_append_val (pass_end, kept->len);
          n_single++;
        }
    }

  for (guint i = 0; i < tests->len; i++)
    g_array_index (run->tests, PacerEngineTest, g_array_index (tests, guint, i)).in_batch = FALSE;
}
