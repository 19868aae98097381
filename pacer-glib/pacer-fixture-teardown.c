/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The teardown pass that ends every run of PacerRunner: the runner alone
 * knows when no test can use a shared fixture any more, so it starts each
 * program that computed one again, in teardown mode, to clean it up. What a
 * program records and does there is described in
 * pacer-fixture-registry-private.h. */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "pacer-batch-private.h"
#include "pacer-fixture-registry-private.h"
#include "pacer-fixture-teardown-private.h"
#include "pacer-json-utils-private.h"

/* No test of that name exists: GTest runs nothing, should a program fail to
 * declare a fixture it was asked to clean up. */
#define NO_TEST_PATH "/pacer-teardown/no-test"
#define OUTPUT_TAIL 2000

typedef PacerTeardownCommand Command;

typedef struct
{
  GMainContext *context;
  char *run_dir;
  char *testrun_uid;
  double time_limit;
  GPtrArray *commands;
  guint next;
  GPtrArray *failures;
  PacerTeardownDoneFunc done;
  gpointer user_data;

  /* The command running now. */
  GSubprocess *process;
  GCancellable *cancellable;
  GSource *limit_source;
  gboolean timed_out;
  GBytes *output;
} Teardown;

static void start_next (Teardown *teardown);

static void
command_free (Command *command)
{
  g_strfreev (command->argv);
  g_ptr_array_unref (command->names);
  g_free (command);
}

static void
teardown_finish (Teardown *teardown)
{
  char **failures = NULL;

  if (teardown->failures->len > 0)
    {
      g_ptr_array_add (teardown->failures, NULL);
      failures = (char **) g_ptr_array_free (g_steal_pointer (&teardown->failures), FALSE);
    }

  teardown->done (failures, teardown->user_data);

  g_clear_pointer (&teardown->failures, g_ptr_array_unref);
  g_ptr_array_unref (teardown->commands);
  g_main_context_unref (teardown->context);
  g_free (teardown->run_dir);
  g_free (teardown->testrun_uid);
  g_free (teardown);
}

static char *
output_tail (GBytes *output)
{
  gsize size = 0;
  const char *data = output != NULL ? g_bytes_get_data (output, &size) : NULL;
  g_autofree char *text = NULL;

  if (data == NULL || size == 0)
    return NULL;
  if (size > OUTPUT_TAIL)
    {
      data += size - OUTPUT_TAIL;
      size = OUTPUT_TAIL;
    }
  text = g_utf8_make_valid (data, size);
  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

/* Turns what the registry says after the process ended into failure messages. */
static void
judge (Teardown *teardown,
       Command  *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fixtures = NULL;
  g_autofree char *output = output_tail (teardown->output);
  g_autofree char *how = NULL;
  GSubprocess *process = teardown->process;

  fixtures = _pacer_fixture_registry_read (teardown->run_dir, &error);
  if (fixtures == NULL && error != NULL)
    {
      g_ptr_array_add (teardown->failures, g_strdup (error->message));
      return;
    }

  if (teardown->timed_out)
    how = g_strdup_printf (_("it did not finish within %g s and was killed"), teardown->time_limit);
  else if (g_subprocess_get_if_signaled (process))
    how = g_strdup_printf (_("it crashed: killed by signal %d (%s)"), g_subprocess_get_term_sig (process),
                           g_strsignal (g_subprocess_get_term_sig (process)));
  else
    how = g_strdup_printf (_("it exited with status %d without running it; declare shared fixtures "
                             "before g_test_run()"),
                           g_subprocess_get_exit_status (process));

  for (guint i = 0; i < command->names->len; i++)
    {
      const char *name = g_ptr_array_index (command->names, i);
      JsonObject *entry = _pacer_json_get_object (fixtures, name);
      const char *state = entry != NULL ? _pacer_json_get_string (entry, "state", NULL)
                                        : NULL;
      g_autofree char *message = NULL;

      if (g_strcmp0 (state, PACER_FIXTURE_STATE_DONE) == 0)
        continue;
      if (g_strcmp0 (state, PACER_FIXTURE_STATE_FAILED) == 0)
        {
          /* The cleanup's own error says it all. */
          g_ptr_array_add (teardown->failures,
                           g_strdup (_pacer_json_get_string (entry, "message", name)));
          continue;
        }
      else
        message = g_strdup_printf (_("Cleanup of shared fixture “%s” in “%s”: %s"), name,
                                   command->argv[0], how);

      if (output != NULL)
        g_ptr_array_add (teardown->failures, g_strdup_printf ("%s\n%s", message, output));
      else
        g_ptr_array_add (teardown->failures, g_steal_pointer (&message));
    }
}

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Teardown *teardown = user_data;
  Command *command = g_ptr_array_index (teardown->commands, teardown->next - 1);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  if (teardown->limit_source != NULL)
    {
      g_source_destroy (teardown->limit_source);
      g_clear_pointer (&teardown->limit_source, g_source_unref);
    }

  judge (teardown, command);

  g_clear_object (&teardown->process);
  g_clear_object (&teardown->cancellable);
  g_clear_pointer (&teardown->output, g_bytes_unref);
  start_next (teardown);
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Teardown *teardown = user_data;

  /* Cancelled by the time limit, or an error reading: the exit status still tells. */
  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &teardown->output, NULL, NULL);
  g_subprocess_wait_async (G_SUBPROCESS (source), NULL, on_waited, teardown);
}

static gboolean
on_time_limit (gpointer user_data)
{
  Teardown *teardown = user_data;
  const char *id = g_subprocess_get_identifier (teardown->process);

  teardown->timed_out = TRUE;
  if (id != NULL)
    kill (-(pid_t) g_ascii_strtoll (id, NULL, 10), SIGKILL);
  /* A descendant in another session may keep the pipe open: stop reading. */
  g_cancellable_cancel (teardown->cancellable);
  g_clear_pointer (&teardown->limit_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
start_next (Teardown *teardown)
{
  while (teardown->next < teardown->commands->len)
    {
      Command *command = g_ptr_array_index (teardown->commands, teardown->next++);
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *names = NULL;

      g_ptr_array_add (command->names, NULL);
      names = g_strjoinv (",", (char **) command->names->pdata);
      g_ptr_array_remove_index (command->names, command->names->len - 1);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
      g_subprocess_launcher_set_child_setup (launcher, _pacer_child_setup, GINT_TO_POINTER (getpid ()), NULL);
      g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER");
      g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER_COUNT");
      g_subprocess_launcher_setenv (launcher, "PACER_TESTRUN_UID", teardown->testrun_uid, TRUE);
      g_subprocess_launcher_setenv (launcher, "PACER_RUN_DIR", teardown->run_dir, TRUE);
      g_subprocess_launcher_setenv (launcher, PACER_TEARDOWN_ENV, names, TRUE);

      g_debug ("teardown: %s for %s", command->argv[0], names);
      teardown->timed_out = FALSE;
      teardown->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) command->argv, &error);
      if (teardown->process == NULL)
        {
          for (guint i = 0; i < command->names->len; i++)
            g_ptr_array_add (teardown->failures,
                             g_strdup_printf (_("Cleanup of shared fixture “%s”: cannot run “%s”: %s"),
                                              (char *) g_ptr_array_index (command->names, i),
                                              command->argv[0], error->message));
          continue;
        }

      teardown->cancellable = g_cancellable_new ();
      teardown->limit_source = g_timeout_source_new ((guint) MIN (teardown->time_limit * 1000, G_MAXUINT));
      g_source_set_callback (teardown->limit_source, on_time_limit, teardown, NULL);
      g_source_set_static_name (teardown->limit_source, "[pacer] teardown time limit");
      g_source_attach (teardown->limit_source, teardown->context);
      g_subprocess_communicate_async (teardown->process, NULL, teardown->cancellable,
                                      on_communicated, teardown);
      return;
    }

  teardown_finish (teardown);
}

/* One command per program and command line, in the order they were recorded. */
GPtrArray *
_pacer_fixture_teardown_plan (JsonObject         *fixtures,
                              const char * const *gtest_programs)
{
  GPtrArray *commands = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, fixtures);
  while (json_object_iter_next (&iter, &name, &node))
    {
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *program = entry != NULL ? _pacer_json_get_string (entry, "program", NULL)
                                          : NULL;
      JsonNode *argv_node = entry != NULL ? json_object_get_member (entry, "argv") : NULL;
      JsonArray *recorded = argv_node != NULL && JSON_NODE_HOLDS_ARRAY (argv_node)
                            ? json_node_get_array (argv_node) : NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autofree char *key = NULL;
      Command *command;

      if (program == NULL ||
          g_strcmp0 (_pacer_json_get_string (entry, "state", NULL),
                     PACER_FIXTURE_STATE_PENDING) != 0)
        continue;

      g_strv_builder_add (builder, program);
      if (gtest_programs != NULL && g_strv_contains (gtest_programs, program))
        g_strv_builder_add_many (builder, "-p", NO_TEST_PATH, NULL);
      else
        /* An interpreter runs its script again: keep the arguments it had,
         * the strings among them: the registry is not taken on trust. */
        for (guint i = 1; recorded != NULL && i < json_array_get_length (recorded); i++)
          {
            JsonNode *arg = json_array_get_element (recorded, i);

            if (JSON_NODE_HOLDS_VALUE (arg) && json_node_get_value_type (arg) == G_TYPE_STRING)
              g_strv_builder_add (builder, json_node_get_string (arg));
          }
      argv = g_strv_builder_end (builder);

      key = g_strjoinv ("\n", argv);
      command = g_hash_table_lookup (by_key, key);
      if (command == NULL)
        {
          command = g_new0 (Command, 1);
          command->argv = g_steal_pointer (&argv);
          command->names = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (commands, command);
          g_hash_table_insert (by_key, g_steal_pointer (&key), command);
        }
      g_ptr_array_add (command->names, g_strdup (name));
    }

  return commands;
}

void
_pacer_fixture_teardown_run (GMainContext          *context,
                             const char            *run_dir,
                             const char            *testrun_uid,
                             const char * const    *gtest_programs,
                             double                 time_limit,
                             PacerTeardownDoneFunc  done,
                             gpointer               user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fixtures = NULL;
  Teardown *teardown;

  teardown = g_new0 (Teardown, 1);
  teardown->context = g_main_context_ref (context);
  teardown->run_dir = g_strdup (run_dir);
  teardown->testrun_uid = g_strdup (testrun_uid);
  teardown->time_limit = time_limit;
  teardown->failures = g_ptr_array_new_with_free_func (g_free);
  teardown->done = done;
  teardown->user_data = user_data;

  fixtures = _pacer_fixture_registry_read (run_dir, &error);
  if (error != NULL)
    g_ptr_array_add (teardown->failures, g_strdup (error->message));
  if (fixtures != NULL)
    teardown->commands = _pacer_fixture_teardown_plan (fixtures, gtest_programs);
  else
    teardown->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);

  start_next (teardown);
}
