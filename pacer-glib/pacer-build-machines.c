/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* See pacer-build-machines-private.h. */

#include "config.h"

#include <unistd.h>

#include <gio/gio.h>

#include "pacer-build-machines-private.h"
#include "pacer-json-utils-private.h"
#include "pacer-shared-json.h"
#include "pacer-store-private.h"

#define STATE_RUNNING "running"
#define STATE_DONE "done"
#define FORGET_SECONDS (24 * 3600)

/* Reference-counted: a beat runs in a thread of its own and may outlive
 * the run that started it. */
struct _PacerBuildMachines
{
  PacerSharedJson *shared;
  char *run_id;
  char *host;
  int beating;
  /* Held while recording: a beat in flight must not write "running" after
   * the run said it was done. */
  GMutex lock;
  const char *state;    /* what a beat records: running, then done */
};

typedef struct
{
  PacerBuildMachines *self;
  const char *state;
  gint64 seen;
} Record;

static gboolean
record_self (JsonObject *data,
             gpointer    user_data)
{
  Record *record = user_data;
  JsonObject *machines = _pacer_json_get_object (data, "machines");
  JsonObject *entry = json_object_new ();

  /* Whatever else stands there is not a list of machines: start one. */
  if (machines == NULL)
    {
      machines = json_object_new ();
      json_object_set_object_member (data, "machines", machines);
    }
  /* A store kept between builds (a directory) would otherwise collect
   * every run that ever used it. */
  {
    g_autoptr(GList) names = json_object_get_members (machines);

    for (GList *l = names; l != NULL; l = l->next)
      {
        JsonNode *node = json_object_get_member (machines, l->data);
        JsonObject *other = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

        if (_pacer_json_get_int (other, "seen", G_MININT64) < record->seen - FORGET_SECONDS)
          json_object_remove_member (machines, l->data);
      }
  }

  json_object_set_string_member (entry, "host", record->self->host);
  json_object_set_int_member (entry, "pid", getpid ());
  json_object_set_string_member (entry, "state", record->state);
  json_object_set_int_member (entry, "seen", record->seen);
  json_object_set_object_member (machines, record->self->run_id, entry);
  return TRUE;
}

static gboolean
record (PacerBuildMachines  *self,
        const char          *state,
        GError             **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  Record record = { self, NULL, g_get_real_time () / G_USEC_PER_SEC };

  if (state != NULL)
    self->state = state;
  record.state = self->state;
  return pacer_shared_json_edit (self->shared, record_self, &record, error);
}

PacerBuildMachines *
_pacer_build_machines_join (const char  *run_id,
                            GError     **error)
{
  g_autoptr(PacerBuildMachines) self = NULL;
  g_autoptr(PacerStore) store = NULL;
  const char *uri = g_getenv ("PACER_STORE");

  g_return_val_if_fail (run_id != NULL, NULL);

  if (uri == NULL || *uri == '\0')
    return NULL;

  store = _pacer_store_new_for_run (PACER_BUILD_MACHINES_STORE);
  self = g_atomic_rc_box_new0 (PacerBuildMachines);
  g_mutex_init (&self->lock);
  /* Every edit is a few round trips: a store that does not answer within
   * seconds is down, and the run goes on without it. */
  self->shared = pacer_shared_json_new_for_store (store, 10);
  self->run_id = g_strdup (run_id);
  self->host = g_strdup (g_get_host_name ());

  if (!record (self, STATE_RUNNING, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
beat_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PacerBuildMachines *self = task_data;
  g_autoptr(GError) error = NULL;

  /* A beat that did not reach the store only shortens how long the others
   * count this run as running; the next one may. */
  if (!record (self, NULL, &error))
    g_debug ("Cannot say this run is still there: %s", error->message);
  g_atomic_int_set (&self->beating, FALSE);
}

void
_pacer_build_machines_beat (PacerBuildMachines *self)
{
  g_autoptr(GTask) task = NULL;

  if (!g_atomic_int_compare_and_exchange (&self->beating, FALSE, TRUE))
    return;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, _pacer_build_machines_ref (self), (GDestroyNotify) _pacer_build_machines_unref);
  g_task_run_in_thread (task, beat_in_thread);
}

gboolean
_pacer_build_machines_finish (PacerBuildMachines  *self,
                              GError             **error)
{
  /* A machine waiting to clean up beats on, as done: another machine
   * waiting for it would otherwise wait for ever. */
  return record (self, STATE_DONE, error);
}

guint
_pacer_build_machines_count_running (PacerBuildMachines  *self,
                                     gint64               now,
                                     GError             **error)
{
  g_autoptr(JsonObject) data = pacer_shared_json_read (self->shared, error);
  JsonObject *machines;
  JsonObjectIter iter;
  const char *run_id;
  JsonNode *node;
  guint running = 0;

  if (data == NULL)
    return G_MAXUINT;
  machines = _pacer_json_get_object (data, "machines");
  if (machines == NULL)
    return 0;

  json_object_iter_init (&iter, machines);
  while (json_object_iter_next (&iter, &run_id, &node))
    {
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      gint64 seen = _pacer_json_get_int (entry, "seen", G_MININT64);

      if (entry == NULL || g_str_equal (run_id, self->run_id))
        continue;
      if (g_strcmp0 (_pacer_json_get_string (entry, "state", NULL), STATE_RUNNING) == 0 &&
          seen > now - PACER_BUILD_MACHINE_SILENT)
        running++;
    }
  return running;
}

const char *
_pacer_build_machines_get_location (PacerBuildMachines *self)
{
  return pacer_store_get_location (pacer_shared_json_get_store (self->shared));
}

PacerBuildMachines *
_pacer_build_machines_ref (PacerBuildMachines *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
machines_clear (PacerBuildMachines *self)
{
  g_mutex_clear (&self->lock);
  g_clear_object (&self->shared);
  g_free (self->run_id);
  g_free (self->host);
}

void
_pacer_build_machines_unref (PacerBuildMachines *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, (GDestroyNotify) machines_clear);
}
