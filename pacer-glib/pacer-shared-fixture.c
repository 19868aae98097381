/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerSharedFixture:
 *
 * A session fixture computed once per run and cleaned up once per run.
 *
 * In a parallel run every worker process would otherwise compute its own copy
 * of an expensive fixture: a database, a service, a data set. A shared
 * fixture's setup runs in exactly one process of the run, under its store's
 * lock; every other process loads the stored data. A setup that fails is
 * stored as failed too, so every test that asks gets that error and no
 * process runs the setup again.
 *
 * The data is a `JsonNode`, kept as JSON text by default. A
 * [callback@Pacer.SharedFixtureSerializeFunc] and a
 * [callback@Pacer.SharedFixtureDeserializeFunc] store it in another form; a
 * [callback@Pacer.SharedFixtureParseFunc] makes, in each process, the object
 * tests use from it ([method@Pacer.SharedFixture.get_object]). The store is a
 * [class@Pacer.FileStore] in the run directory, or the run's `PACER_STORE`
 * (`pacer-run --store`), unless [method@Pacer.SharedFixture.set_store] gives
 * another. On a store that several machines of a build share (Redis), the
 * setup runs once for the build and the cleanup waits for every machine:
 * see [Beyond one machine](beyond-one-machine.html).
 *
 * The cleanup runs once, after every test of the run:
 *
 * - under `pacer-run`, the runner ends every run (normal end, `-x`,
 *   crashes, retries, the restart limit, Ctrl-C) by starting each program that
 *   computed a fixture again in teardown mode (`PACER_TEARDOWN` set). There,
 *   [method@Pacer.SharedFixture.declare] runs the cleanup instead of anything
 *   else and the process exits once its pending cleanups are done, so no
 *   test runs. Declare fixtures in `main()` before g_test_run(), as tests
 *   are added, so that teardown mode reaches them;
 * - in a plain process (no runner), which is first and last itself, the
 *   cleanup runs when the process exits normally (from `atexit()`, that is
 *   after `main()` returns or exit() is called) for what that process
 *   computed. A process killed by a signal cleans nothing.
 *
 * ```c
 * static JsonNode *
 * start_database (PacerSharedFixture *fixture, gpointer user_data, GError **error)
 * {
 *   g_autoptr(JsonBuilder) builder = json_builder_new ();
 *   …start it…
 *   json_builder_begin_object (builder);
 *   json_builder_set_member_name (builder, "port");
 *   json_builder_add_int_value (builder, port);
 *   json_builder_end_object (builder);
 *   return json_builder_get_root (builder);
 * }
 *
 * int
 * main (int argc, char **argv)
 * {
 *   g_test_init (&argc, &argv, NULL);
 *   database = pacer_shared_fixture_new ("database", start_database, NULL, NULL);
 *   pacer_shared_fixture_set_cleanup_func (database, stop_database, NULL, NULL);
 *   pacer_shared_fixture_declare (database);
 *   g_test_add_func ("/db/query", test_query);  // calls pacer_shared_fixture_get()
 *   return g_test_run ();
 * }
 * ```
 *
 * [ctor@Pacer.SharedFixture.new_for_shared_json] is pytest-xdist-rate-limit's
 * `make_shared_json`: a [class@Pacer.SharedJson] for the run, initialised by
 * the first worker that asks and seen whole by an on-last-worker callback,
 * which runs even when some workers never used it.
 *
 * Since: 1.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-error.h"
#include "pacer-file-store.h"
#include "pacer-fixture-envelope-private.h"
#include "pacer-fixture-exit-private.h"
#include "pacer-fixture-registry-private.h"
#include "pacer-glib-private.h"
#include "pacer-json-utils-private.h"
#include "pacer-shared-fixture.h"
#include "pacer-shared-fixture-private.h"
#include "pacer-shared-json.h"
#include "pacer-store-private.h"
#include "pacer-worker.h"

typedef struct
{
  gpointer func;
  gpointer data;
  GDestroyNotify destroy;
} Callback;

struct _PacerSharedFixture
{
  GObject parent_instance;

  char *name;
  PacerStore *store;
  Callback setup;
  Callback serialize;
  Callback deserialize;
  Callback parse;
  Callback cleanup;
  Callback on_first_worker;
  Callback on_last_worker;
  gboolean is_shared_json;

  GMutex lock;
  gboolean computed_here;
  JsonNode *data;
  GObject *object;
  GError *error;
  PacerSharedJson *shared_json;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PacerSharedFixture, pacer_shared_fixture, G_TYPE_OBJECT)

static void
callback_clear (Callback *callback)
{
  if (callback->destroy != NULL)
    callback->destroy (callback->data);
  memset (callback, 0, sizeof *callback);
}

static void
callback_set (Callback       *callback,
              gpointer        func,
              gpointer        data,
              GDestroyNotify  destroy)
{
  callback_clear (callback);
  callback->func = func;
  callback->data = data;
  callback->destroy = destroy;
}

static gboolean
name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || g_str_equal (name, ".") || g_str_equal (name, ".."))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* The runner learns from the run's registry which cleanups to run. */
static gboolean
record_state (PacerSharedFixture  *self,
              const char          *state,
              const char          *message,
              GError             **error)
{
  return _pacer_fixture_registry_set_state (pacer_worker_get_run_dir (), self->name, state, message,
                                            error);
}

/* Stored data ------------------------------------------------------------- */

static JsonNode *
decode_data (PacerSharedFixture  *self,
             JsonObject          *envelope,
             GError             **error)
{
  const char *location = pacer_store_get_location (self->store);
  g_autoptr(GBytes) bytes = NULL;

  if (self->deserialize.func == NULL)
    return _pacer_fixture_envelope_get_data (envelope, location, error);

  bytes = _pacer_fixture_envelope_get_bytes (envelope, location, error);
  if (bytes == NULL)
    return NULL;
  return ((PacerSharedFixtureDeserializeFunc) self->deserialize.func) (self, bytes,
                                                                       self->deserialize.data,
                                                                       error);
}

static JsonObject *
ready_envelope (PacerSharedFixture  *self,
                JsonNode            *data,
                GError             **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->serialize.func == NULL)
    {
      /* Stored as "inf", it would be text no other process could read. */
      g_autofree char *path = _pacer_json_find_non_finite (data);

      if (path != NULL)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("the setup's value holds an infinite or NaN number at “%s”, which JSON cannot hold"),
                       path);
          return NULL;
        }
      return _pacer_fixture_envelope_new_ready (data);
    }

  bytes = ((PacerSharedFixtureSerializeFunc) self->serialize.func) (self, data,
                                                                    self->serialize.data, error);
  if (bytes == NULL)
    return NULL;
  return _pacer_fixture_envelope_new_ready_bytes (bytes);
}

/* Setup ------------------------------------------------------------------- */

/* Called with the store's lock held and nothing stored. */
static JsonNode *
compute (PacerSharedFixture  *self,
         GError             **error)
{
  g_autoptr(JsonObject) computing = _pacer_fixture_envelope_new_computing ();
  g_autoptr(JsonObject) ready = NULL;
  g_autoptr(GError) setup_error = NULL;
  g_autoptr(JsonNode) data = NULL;

  if (!_pacer_fixture_envelope_write (self->store, computing, error))
    return NULL;

  data = ((PacerSharedFixtureSetupFunc) self->setup.func) (self, self->setup.data, &setup_error);
  if (data == NULL && setup_error == NULL)
    setup_error = g_error_new (PACER_ERROR, PACER_ERROR_FAILED, _("the setup function returned no data"));

  /* Recorded before the data is published: no process can use a value whose
   * cleanup the runner does not know about. */
  if (data != NULL && self->cleanup.func != NULL)
    if (!record_state (self, PACER_FIXTURE_STATE_PENDING, NULL, &setup_error))
      g_prefix_error (&setup_error, _("Cannot record the cleanup: "));

  if (setup_error == NULL)
    ready = ready_envelope (self, data, &setup_error);

  if (setup_error != NULL)
    {
      g_autoptr(JsonObject) failed = _pacer_fixture_envelope_new_failed (setup_error);
      g_autoptr(JsonObject) reread = NULL;

      if (!_pacer_fixture_envelope_write (self->store, failed, error))
        return NULL;
      reread = _pacer_fixture_envelope_read (self->store, NULL);
      g_propagate_error (error, _pacer_fixture_envelope_get_error (reread != NULL ? reread : failed,
                                                                   self->name));
      return NULL;
    }

  if (!_pacer_fixture_envelope_write (self->store, ready, error))
    return NULL;

  self->computed_here = TRUE;
  return g_steal_pointer (&data);
}

static JsonNode *
load_or_compute (PacerSharedFixture  *self,
                 GError             **error)
{
  g_autoptr(JsonObject) envelope = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *data = NULL;

  /* A stored envelope is always whole: most processes never take the lock.
   * One still being computed is only known dead once its lock is free. */
  envelope = _pacer_fixture_envelope_read (self->store, &local_error);
  if (local_error == NULL && (envelope == NULL || _pacer_fixture_envelope_is_computing (envelope)))
    {
      g_clear_pointer (&envelope, json_object_unref);
      if (!pacer_store_lock (self->store, -1, NULL, error))
        return NULL;
      envelope = _pacer_fixture_envelope_read (self->store, &local_error);
      if (envelope == NULL && local_error == NULL)
        data = compute (self, &local_error);
      pacer_store_unlock (self->store);
      if (data != NULL)
        return data;
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (_pacer_fixture_envelope_is_ready (envelope))
    return decode_data (self, envelope, error);

  g_propagate_error (error, _pacer_fixture_envelope_get_error (envelope, self->name));
  return NULL;
}

JsonNode *
_pacer_shared_fixture_load (PacerSharedFixture  *self,
                            GError             **error)
{
  return load_or_compute (self, error);
}

/* Cleanup ----------------------------------------------------------------- */

static gboolean
run_cleanup (PacerSharedFixture  *self,
             JsonNode            *data,
             GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->cleanup.func == NULL)
    return TRUE;
  if (!((PacerSharedFixtureCleanupFunc) self->cleanup.func) (self, data, self->cleanup.data, &local_error))
    {
      if (local_error == NULL)
        local_error = g_error_new (PACER_ERROR, PACER_ERROR_FAILED, _("the cleanup function failed"));
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Cleanup of shared fixture “%s” failed: "), self->name);
      return FALSE;
    }
  return TRUE;
}

static void
forget_stored (PacerSharedFixture *self)
{
  if (pacer_store_lock (self->store, 5, NULL, NULL))
    {
      pacer_store_remove (self->store, NULL);
      pacer_store_unlock (self->store);
    }
}

/* Teardown mode: clean up what the stored envelope describes, and record how it went. */
static gboolean
teardown_one (PacerSharedFixture *self)
{
  g_autoptr(JsonObject) envelope = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;
  gboolean ok = TRUE;

  envelope = _pacer_fixture_envelope_read (self->store, &error);
  if (envelope != NULL && _pacer_fixture_envelope_is_ready (envelope))
    {
      data = decode_data (self, envelope, &error);
      ok = data != NULL && run_cleanup (self, data, &error);
    }
  else
    ok = error == NULL;

  forget_stored (self);
  if (!record_state (self, ok ? PACER_FIXTURE_STATE_DONE : PACER_FIXTURE_STATE_FAILED,
                     ok ? NULL : error->message, NULL))
    ok = FALSE;
  if (!ok)
    g_printerr ("%s\n", error != NULL ? error->message : self->name);

  return ok;
}

/**
 * pacer_shared_fixture_run_exit_cleanups:
 *
 * In a plain process (no runner), runs now the cleanups that are otherwise
 * run as the process exits: those of the fixtures this process computed.
 *
 * A C program needs nothing of this: the library runs them from `atexit()`.
 * A language binding does: by the time `atexit()` handlers run, Python and
 * GJS have shut their interpreters down and cannot call a cleanup written in
 * them. Call this from the language's own exit hook instead, e.g. Python's
 * `atexit.register (Pacer.SharedFixture.run_exit_cleanups)`.
 *
 * Under a runner, or in teardown mode, it does nothing: the runner's
 * teardown pass cleans up once the run is over. Each cleanup runs at most
 * once, whoever calls first.
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_run_exit_cleanups (void)
{
  GPtrArray *fixtures = _pacer_fixture_exit_get_kept ();

  if (fixtures == NULL || pacer_worker_is_distributed () || pacer_shared_fixture_is_teardown ())
    return;

  for (guint i = 0; i < fixtures->len; i++)
    {
      PacerSharedFixture *self = g_ptr_array_index (fixtures, i);
      g_autoptr(GError) error = NULL;

      if (!self->computed_here || self->data == NULL)
        continue;
      /* Once only: a binding's exit hook and atexit() may both come here. */
      self->computed_here = FALSE;
      if (!run_cleanup (self, self->data, &error))
        g_printerr ("%s\n", error->message);
      forget_stored (self);
      record_state (self, error == NULL ? PACER_FIXTURE_STATE_DONE : PACER_FIXTURE_STATE_FAILED,
                    error != NULL ? error->message : NULL, NULL);
    }
}

/* The shared-JSON flavour ------------------------------------------------- */

static gboolean
replace_object (JsonObject *data,
                gpointer    user_data)
{
  JsonObject *first = user_data;
  g_autoptr(GList) members = json_object_get_members (data);
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  for (GList *l = members; l != NULL; l = l->next)
    json_object_remove_member (data, l->data);
  json_object_iter_init (&iter, first);
  while (json_object_iter_next (&iter, &member, &node))
    json_object_set_member (data, member, json_node_copy (node));
  return TRUE;
}

/* The state of a shared-JSON fixture lives beside the fixture, in the run's
 * store: the run directory, or PACER_STORE (Redis), so that every machine of
 * a build edits one object. Its data names that store. */
static char *
shared_json_store_name (PacerSharedFixture *self)
{
  return g_strdup_printf ("pacer_shared_%s", self->name);
}

static PacerSharedJson *
open_shared_json (const char *store_name)
{
  g_autoptr(PacerStore) store = _pacer_store_new_for_run (store_name);

  return pacer_shared_json_new_for_store (store, -1);
}

/* The shared JSON that @data, as stored, names; it is not taken on trust:
 * it only ever names this fixture's store. */
static PacerSharedJson *
open_stored_shared_json (PacerSharedFixture  *self,
                         JsonNode            *data,
                         GError             **error)
{
  g_autofree char *expected = shared_json_store_name (self);

  if (!JSON_NODE_HOLDS_VALUE (data) || g_strcmp0 (json_node_get_string (data), expected) != 0)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("Shared fixture “%s” does not name its state"), self->name);
      return NULL;
    }
  return open_shared_json (expected);
}

static JsonNode *
shared_json_setup (PacerSharedFixture  *self,
                   gpointer             user_data,
                   GError             **error)
{
  g_autofree char *store_name = shared_json_store_name (self);
  g_autoptr(PacerSharedJson) shared = open_shared_json (store_name);
  g_autoptr(JsonObject) first = NULL;

  if (self->on_first_worker.func != NULL)
    {
      first = ((PacerSharedJsonInitFunc) self->on_first_worker.func) (self->on_first_worker.data, error);
      if (first == NULL)
        return NULL;
    }
  else
    first = json_object_new ();

  /* Whatever an earlier user of this name left is not this run's state. */
  if (!pacer_shared_json_edit (shared, replace_object, first, error))
    return NULL;

  return json_node_init_string (json_node_alloc (), store_name);
}

static gboolean
shared_json_cleanup (PacerSharedFixture  *self,
                     JsonNode            *data,
                     gpointer             user_data,
                     GError             **error)
{
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(JsonObject) final = NULL;
  PacerStore *store;
  gboolean ok = TRUE;

  shared = open_stored_shared_json (self, data, error);
  if (shared == NULL)
    return FALSE;
  final = pacer_shared_json_read (shared, error);
  if (final == NULL)
    return FALSE;
  if (self->on_last_worker.func != NULL)
    ok = ((PacerSharedJsonFinalFunc) self->on_last_worker.func) (final, self->on_last_worker.data, error);

  store = pacer_shared_json_get_store (shared);
  if (PACER_IS_FILE_STORE (store))
    {
      g_unlink (pacer_file_store_get_data_file (PACER_FILE_STORE (store)));
      g_unlink (pacer_file_store_get_lock_file (PACER_FILE_STORE (store)));
    }
  else if (pacer_store_lock (store, 5, NULL, NULL))
    {
      pacer_store_remove (store, NULL);
      pacer_store_unlock (store);
    }
  return ok;
}

/* GObject ----------------------------------------------------------------- */

static void
pacer_shared_fixture_constructed (GObject *object)
{
  PacerSharedFixture *self = PACER_SHARED_FIXTURE (object);

  G_OBJECT_CLASS (pacer_shared_fixture_parent_class)->constructed (object);

  /* In the run directory, or on PACER_STORE: set up once for every machine
   * of a build that shares it. */
  if (self->store == NULL)
    {
      g_autofree char *name = g_strdup_printf ("pacer_fixture_%s", self->name);

      self->store = _pacer_store_new_for_run (name);
    }
}

static void
pacer_shared_fixture_finalize (GObject *object)
{
  PacerSharedFixture *self = PACER_SHARED_FIXTURE (object);

  callback_clear (&self->setup);
  callback_clear (&self->serialize);
  callback_clear (&self->deserialize);
  callback_clear (&self->parse);
  callback_clear (&self->cleanup);
  callback_clear (&self->on_first_worker);
  callback_clear (&self->on_last_worker);
  g_clear_object (&self->store);
  g_clear_pointer (&self->data, json_node_unref);
  g_clear_object (&self->object);
  g_clear_error (&self->error);
  g_clear_object (&self->shared_json);
  g_free (self->name);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pacer_shared_fixture_parent_class)->finalize (object);
}

static void
pacer_shared_fixture_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PacerSharedFixture *self = PACER_SHARED_FIXTURE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_shared_fixture_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PacerSharedFixture *self = PACER_SHARED_FIXTURE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_STORE:
      if (g_value_get_object (value) != NULL)
        pacer_shared_fixture_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_shared_fixture_class_init (PacerSharedFixtureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _pacer_ensure_i18n ();

  object_class->constructed = pacer_shared_fixture_constructed;
  object_class->finalize = pacer_shared_fixture_finalize;
  object_class->get_property = pacer_shared_fixture_get_property;
  object_class->set_property = pacer_shared_fixture_set_property;

  /**
   * PacerSharedFixture:name:
   *
   * The fixture's name, unique in a run: letters, digits, `_`, `-` and `.`.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerSharedFixture:store:
   *
   * Where the fixture's data is kept: by default a [class@Pacer.FileStore]
   * named `pacer_fixture_NAME.json` in the run directory.
   *
   * Since: 1.0
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PACER_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pacer_shared_fixture_init (PacerSharedFixture *self)
{
  g_mutex_init (&self->lock);
}

/**
 * pacer_shared_fixture_new:
 * @name: the fixture's name: letters, digits, `_`, `-` and `.`
 * @setup: (scope notified) (closure user_data) (destroy destroy): computes the
 *   fixture's data, once per run
 * @user_data: data for @setup
 * @destroy: (nullable): frees @user_data
 *
 * Makes a shared fixture. Add a cleanup with
 * [method@Pacer.SharedFixture.set_cleanup_func], then declare it with
 * [method@Pacer.SharedFixture.declare] before the tests run.
 *
 * Returns: (transfer full) (nullable): a new fixture, or `NULL` if @name is
 *   not a valid name
 *
 * Since: 1.0
 */
PacerSharedFixture *
pacer_shared_fixture_new (const char                  *name,
                          PacerSharedFixtureSetupFunc  setup,
                          gpointer                     user_data,
                          GDestroyNotify               destroy)
{
  PacerSharedFixture *self;

  g_return_val_if_fail (name_is_valid (name), NULL);
  g_return_val_if_fail (setup != NULL, NULL);

  self = g_object_new (PACER_TYPE_SHARED_FIXTURE, "name", name, NULL);
  callback_set (&self->setup, setup, user_data, destroy);
  return self;
}

/**
 * pacer_shared_fixture_new_for_shared_json:
 * @name: the state's name: letters, digits, `_`, `-` and `.`
 * @on_first_worker: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   makes the first value, in the first process that asks; `NULL` starts
 *   from an empty object
 * @user_data: data for @on_first_worker
 * @destroy: (nullable): frees @user_data
 *
 * Makes a fixture whose value is a [class@Pacer.SharedJson] for the run, as
 * pytest-xdist-rate-limit's `make_shared_json` does, without its defect:
 * [method@Pacer.SharedFixture.set_on_last_worker] sees the final state once
 * every test is over, even when some workers never used it. Get the state
 * with [method@Pacer.SharedFixture.get_shared_json].
 *
 * Returns: (transfer full) (nullable): a new fixture, or `NULL` if @name is
 *   not a valid name
 *
 * Since: 1.0
 */
PacerSharedFixture *
pacer_shared_fixture_new_for_shared_json (const char              *name,
                                          PacerSharedJsonInitFunc  on_first_worker,
                                          gpointer                 user_data,
                                          GDestroyNotify           destroy)
{
  PacerSharedFixture *self;

  g_return_val_if_fail (name_is_valid (name), NULL);

  self = g_object_new (PACER_TYPE_SHARED_FIXTURE, "name", name, NULL);
  self->is_shared_json = TRUE;
  callback_set (&self->on_first_worker, on_first_worker, user_data, destroy);
  callback_set (&self->setup, shared_json_setup, NULL, NULL);
  callback_set (&self->cleanup, shared_json_cleanup, NULL, NULL);
  return self;
}

/**
 * pacer_shared_fixture_get_name:
 * @self: a fixture
 *
 * Gets [property@Pacer.SharedFixture:name].
 *
 * Returns: (transfer none): the name
 *
 * Since: 1.0
 */
const char *
pacer_shared_fixture_get_name (PacerSharedFixture *self)
{
  g_return_val_if_fail (PACER_IS_SHARED_FIXTURE (self), NULL);

  return self->name;
}

/**
 * pacer_shared_fixture_get_store:
 * @self: a fixture
 *
 * Gets [property@Pacer.SharedFixture:store].
 *
 * Returns: (transfer none): the store
 *
 * Since: 1.0
 */
PacerStore *
pacer_shared_fixture_get_store (PacerSharedFixture *self)
{
  g_return_val_if_fail (PACER_IS_SHARED_FIXTURE (self), NULL);

  return self->store;
}

/**
 * pacer_shared_fixture_set_store:
 * @self: a fixture
 * @store: where to keep the fixture's data
 *
 * Sets [property@Pacer.SharedFixture:store]. Every process of the run must
 * use the same store; set it before the fixture is used.
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_set_store (PacerSharedFixture *self,
                                PacerStore         *store)
{
  g_return_if_fail (PACER_IS_SHARED_FIXTURE (self));
  g_return_if_fail (PACER_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * pacer_shared_fixture_set_serialize_func:
 * @self: a fixture
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): turns
 *   the data into its stored form, or `NULL` for JSON text
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets how the data is stored. A fixture with a serialize function needs the
 * matching [method@Pacer.SharedFixture.set_deserialize_func].
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_set_serialize_func (PacerSharedFixture              *self,
                                         PacerSharedFixtureSerializeFunc  func,
                                         gpointer                         user_data,
                                         GDestroyNotify                   destroy)
{
  g_return_if_fail (PACER_IS_SHARED_FIXTURE (self));

  callback_set (&self->serialize, func, user_data, destroy);
}

/**
 * pacer_shared_fixture_set_deserialize_func:
 * @self: a fixture
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): turns
 *   the stored form back into data, or `NULL` for JSON text
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets how stored data is read back.
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_set_deserialize_func (PacerSharedFixture                *self,
                                           PacerSharedFixtureDeserializeFunc  func,
                                           gpointer                           user_data,
                                           GDestroyNotify                     destroy)
{
  g_return_if_fail (PACER_IS_SHARED_FIXTURE (self));

  callback_set (&self->deserialize, func, user_data, destroy);
}

/**
 * pacer_shared_fixture_set_parse_func:
 * @self: a fixture
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): makes
 *   the object tests use from the data
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets what [method@Pacer.SharedFixture.get_object] returns: @func runs once
 * in each process that asks.
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_set_parse_func (PacerSharedFixture          *self,
                                     PacerSharedFixtureParseFunc  func,
                                     gpointer                     user_data,
                                     GDestroyNotify               destroy)
{
  g_return_if_fail (PACER_IS_SHARED_FIXTURE (self));

  callback_set (&self->parse, func, user_data, destroy);
}

/**
 * pacer_shared_fixture_set_cleanup_func:
 * @self: a fixture
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): undoes
 *   the setup, once per run
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets the cleanup, which runs once per run after every test, in a process
 * of the program that computed the data. See the class description for when.
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_set_cleanup_func (PacerSharedFixture            *self,
                                       PacerSharedFixtureCleanupFunc  func,
                                       gpointer                       user_data,
                                       GDestroyNotify                 destroy)
{
  g_return_if_fail (PACER_IS_SHARED_FIXTURE (self));
  g_return_if_fail (!self->is_shared_json);

  callback_set (&self->cleanup, func, user_data, destroy);
}

/**
 * pacer_shared_fixture_set_on_last_worker:
 * @self: a fixture made by [ctor@Pacer.SharedFixture.new_for_shared_json]
 * @on_last_worker: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   sees the final state
 * @user_data: data for @on_last_worker
 * @destroy: (nullable): frees @user_data
 *
 * Sets the function that sees the shared state once the run's tests are
 * over, in place of a cleanup; the state's files are removed after it.
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_set_on_last_worker (PacerSharedFixture       *self,
                                         PacerSharedJsonFinalFunc  on_last_worker,
                                         gpointer                  user_data,
                                         GDestroyNotify            destroy)
{
  g_return_if_fail (PACER_IS_SHARED_FIXTURE (self));
  g_return_if_fail (self->is_shared_json);

  callback_set (&self->on_last_worker, on_last_worker, user_data, destroy);
}

/**
 * pacer_shared_fixture_is_teardown:
 *
 * Whether this process was started by a runner only to clean up shared
 * fixtures: a program can skip any costly preparation of its own then.
 *
 * Returns: `TRUE` in teardown mode
 *
 * Since: 1.0
 */
gboolean
pacer_shared_fixture_is_teardown (void)
{
  const char *value = g_getenv (PACER_TEARDOWN_ENV);

  return value != NULL && *value != '\0';
}

/**
 * pacer_shared_fixture_declare:
 * @self: a fixture, with its functions set
 *
 * Declares the fixture for this process; declare it in `main()` before
 * g_test_run(). The library keeps the fixture until the process exits.
 *
 * In teardown mode (see the class description) this runs the fixture's
 * pending cleanup, and once every cleanup the runner asked for is done it
 * ends the process, with status 0 if they all succeeded and 1 otherwise.
 * Elsewhere it only registers the fixture; the first
 * [method@Pacer.SharedFixture.get] declares it if this was not called.
 *
 * Since: 1.0
 */
void
pacer_shared_fixture_declare (PacerSharedFixture *self)
{
  g_return_if_fail (PACER_IS_SHARED_FIXTURE (self));

  if (_pacer_fixture_exit_keep (self) && _pacer_fixture_exit_teardown_wanted (self->name))
    _pacer_fixture_exit_teardown_done (self->name, teardown_one (self));
}

/**
 * pacer_shared_fixture_get:
 * @self: a fixture
 * @error: return location for a [type@GLib.Error]
 *
 * Gets the fixture's data: computed by this call if no process of the run
 * has yet, loaded from the store otherwise, and kept for the process's
 * later calls. If the setup failed, in this process or another, every call
 * fails with its error.
 *
 * Returns: (transfer none): the data, or `NULL` with @error set
 *
 * Since: 1.0
 */
JsonNode *
pacer_shared_fixture_get (PacerSharedFixture  *self,
                          GError             **error)
{
  JsonNode *result = NULL;

  g_return_val_if_fail (PACER_IS_SHARED_FIXTURE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pacer_shared_fixture_declare (self);

  g_mutex_lock (&self->lock);
  if (self->data == NULL && self->error == NULL)
    self->data = load_or_compute (self, &self->error);
  if (self->data != NULL)
    result = self->data;
  else if (error != NULL)
    *error = g_error_copy (self->error);
  g_mutex_unlock (&self->lock);

  return result;
}

/**
 * pacer_shared_fixture_get_object:
 * @self: a fixture with a parse function
 * @error: return location for a [type@GLib.Error]
 *
 * Gets the object the parse function made from the fixture's data, made
 * once in this process.
 *
 * Returns: (transfer none): the object, or `NULL` with @error set
 *
 * Since: 1.0
 */
GObject *
pacer_shared_fixture_get_object (PacerSharedFixture  *self,
                                 GError             **error)
{
  JsonNode *data;
  GObject *result = NULL;

  g_return_val_if_fail (PACER_IS_SHARED_FIXTURE (self), NULL);
  g_return_val_if_fail (self->parse.func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = pacer_shared_fixture_get (self, error);
  if (data == NULL)
    return NULL;

  g_mutex_lock (&self->lock);
  if (self->object == NULL)
    self->object = ((PacerSharedFixtureParseFunc) self->parse.func) (self, data, self->parse.data, error);
  result = self->object;
  if (result == NULL && error != NULL && *error == NULL)
    g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED,
                 _("The parse function of shared fixture “%s” returned nothing"), self->name);
  g_mutex_unlock (&self->lock);

  return result;
}

/**
 * pacer_shared_fixture_get_shared_json:
 * @self: a fixture made by [ctor@Pacer.SharedFixture.new_for_shared_json]
 * @error: return location for a [type@GLib.Error]
 *
 * Gets the run's shared JSON state, initialised by the first process that
 * asks for it.
 *
 * Returns: (transfer none): the shared state, or `NULL` with @error set
 *
 * Since: 1.0
 */
PacerSharedJson *
pacer_shared_fixture_get_shared_json (PacerSharedFixture  *self,
                                      GError             **error)
{
  JsonNode *data;
  PacerSharedJson *result;

  g_return_val_if_fail (PACER_IS_SHARED_FIXTURE (self), NULL);
  g_return_val_if_fail (self->is_shared_json, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = pacer_shared_fixture_get (self, error);
  if (data == NULL)
    return NULL;

  g_mutex_lock (&self->lock);
  if (self->shared_json == NULL)
    self->shared_json = open_stored_shared_json (self, data, error);
  result = self->shared_json;
  g_mutex_unlock (&self->lock);

  return result;
}
