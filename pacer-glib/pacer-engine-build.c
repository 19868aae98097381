/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A run as one machine of a build. Runs that keep their tests' shared state
 * in one store (PACER_STORE on Redis, with one prefix) set each shared
 * fixture up once for all of them: the machine that set one up holds what
 * it started, and cleans it up only once no other machine's tests can still
 * use it. So each run says it is there while its tests run, says when they
 * are over, and a run with a cleanup of its own to do waits, once its tests
 * are over, until no other machine of the build is still running (see
 * pacer-build-machines-private.h for when one counts as gone). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pacer-engine-state-private.h"
#include "pacer-fixture-registry-private.h"
#include "pacer-json-utils-private.h"

#define WAIT_POLL_SECONDS 1

static void
build_note (PacerEngine *run,
            const char  *message)
{
  g_debug ("shared fixtures: %s", message);
  run->callbacks->note (_("shared fixtures"), message, run->user_data);
}

static gboolean
on_beat (gpointer user_data)
{
  PacerEngine *run = user_data;

  _pacer_build_machines_beat (run->machines);
  return G_SOURCE_CONTINUE;
}

void
_pacer_engine_join_build (PacerEngine *run)
{
  g_autoptr(GError) error = NULL;

  run->machines = _pacer_build_machines_join (run->testrun_uid, &error);
  if (run->machines == NULL)
    {
      /* The run goes on; only the wait for other machines is lost. */
      if (error != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("cannot record this run with the build's other machines "
                                                        "(%s): its cleanups will not wait for them"),
                                                      error->message);
          build_note (run, message);
        }
      return;
    }

  run->beat_source = _pacer_engine_attach (run, g_timeout_source_new_seconds (PACER_BUILD_MACHINE_BEAT_SECONDS),
                                           on_beat, "[pacer] build beat");
}

/* Cleanups this machine must run: fixtures its tests set up. */
static gboolean
has_pending_cleanups (PacerEngine *run)
{
  g_autoptr(JsonObject) fixtures = _pacer_fixture_registry_read (run->run_dir, NULL);
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (fixtures == NULL)
    return FALSE;
  json_object_iter_init (&iter, fixtures);
  while (json_object_iter_next (&iter, &name, &node))
    if (JSON_NODE_HOLDS_OBJECT (node) &&
        g_strcmp0 (_pacer_json_get_string (json_node_get_object (node), "state", NULL),
                   PACER_FIXTURE_STATE_PENDING) == 0)
      return TRUE;
  return FALSE;
}

static void
end_wait (PacerEngine *run)
{
  void (*ended) (PacerEngine *run) = run->build_ended;

  _pacer_engine_clear_source (run, &run->build_wait_source);
  _pacer_engine_clear_source (run, &run->beat_source);
  run->build_ended = NULL;
  ended (run);
}

static gboolean
on_wait_poll (gpointer user_data)
{
  PacerEngine *run = user_data;
  g_autoptr(GError) error = NULL;
  guint running;

  /* Interrupted: the person at the keyboard wants the run over. */
  if (run->stop == PACER_ENGINE_STOP_CANCELLED)
    {
      run->build_wait_source = 0;
      end_wait (run);
      return G_SOURCE_REMOVE;
    }

  running = _pacer_build_machines_count_running (run->machines, g_get_real_time () / G_USEC_PER_SEC, &error);
  if (running == G_MAXUINT)
    {
      g_autofree char *message = g_strdup_printf (_("cannot tell whether the build's other machines are done (%s): "
                                                    "cleaning up now"),
                                                  error->message);
      build_note (run, message);
      running = 0;
    }
  if (running == 0)
    {
      run->build_wait_source = 0;
      end_wait (run);
      return G_SOURCE_REMOVE;
    }

  if (!run->build_wait_noted)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "waiting for %u other machine of the build (%s) to end "
                                                               "its tests before cleaning up",
                                                               "waiting for %u other machines of the build (%s) to end "
                                                               "their tests before cleaning up",
                                                               running),
                                                  running, _pacer_build_machines_get_location (run->machines));
      build_note (run, message);
      run->build_wait_noted = TRUE;
    }
  /* Still here: without beats the others would count this run gone. */
  _pacer_build_machines_beat (run->machines);
  return G_SOURCE_CONTINUE;
}

void
_pacer_engine_end_on_build (PacerEngine  *run,
                            void        (*ended) (PacerEngine *run))
{
  g_autoptr(GError) error = NULL;

  if (run->machines == NULL)
    {
      ended (run);
      return;
    }

  if (!_pacer_build_machines_finish (run->machines, &error))
    g_debug ("Cannot say this run's tests are over: %s", error->message);

  run->build_ended = ended;
  if (!has_pending_cleanups (run) || run->stop == PACER_ENGINE_STOP_CANCELLED)
    {
      end_wait (run);
      return;
    }

  /* The first look at once: most runs find the others done or never
   * there. Once the wait ends the run may be gone. */
  if (on_wait_poll (run) == G_SOURCE_REMOVE)
    return;
  run->build_wait_source = _pacer_engine_attach (run, g_timeout_source_new_seconds (WAIT_POLL_SECONDS),
                                                 on_wait_poll, "[pacer] waiting for the build");
}

void
_pacer_engine_leave_build (PacerEngine *run)
{
  _pacer_engine_clear_source (run, &run->build_wait_source);
  _pacer_engine_clear_source (run, &run->beat_source);
  g_clear_pointer (&run->machines, _pacer_build_machines_unref);
}
