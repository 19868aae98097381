/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerSharedJson:
 *
 * A JSON object shared by every process of a run, changed under a lock.
 *
 * Workers of a parallel run keep counters, lists of errors or any other JSON
 * state here. [method@Pacer.SharedJson.edit] runs a function on the stored
 * object while holding the store's exclusive lock and writes the result back
 * atomically; [method@Pacer.SharedJson.update] merges keys the same way;
 * [method@Pacer.SharedJson.read] returns a copy without taking the lock, since
 * a stored value is always whole.
 *
 * Every operation waits for the lock as [property@Pacer.SharedJson:timeout]
 * says: a negative timeout waits for ever, zero tries once, a positive timeout
 * is a deadline in seconds, and running out gives `PACER_ERROR_TIMEOUT`. State
 * that does not parse as a JSON object is reported as
 * `PACER_ERROR_CORRUPT_STATE` naming the file, and is never overwritten.
 *
 * On Redis, edits take turns in a fair queue on the server: an edit waits in
 * the order it arrived, the lock is handed straight to the next waiter with
 * the object, and taking and ending a turn are one round trip each (one in
 * all for a writer that met nobody since its last edit). Each turn is a
 * lease: the turn of a process that was killed is broken as soon as a waiter
 * finds its connection gone, and any turn ends when its lease (2 s) runs out,
 * after which a late write from its holder is refused. The guarantees are
 * the same as on files: every edit that returns `TRUE` is applied exactly
 * once on the object as it then was, no edit is lost, and a process killed
 * at any instant leaves the old object or the new one, never a lock that
 * nobody will release.
 *
 * On another store that changes values by its own atomicity rather than a
 * lock ([method@Pacer.Store.is_lock_free]), an edit holds no lock at all: it
 * reads the object with its version, runs the edit function and stores the
 * result only if nobody changed the object meanwhile, else runs the function
 * again on the newer object; zero then tries once and fails with
 * `PACER_ERROR_TIMEOUT` if another writer came first.
 *
 * ```c
 * static gboolean
 * count_call (JsonObject *data, gpointer user_data)
 * {
 *   json_object_set_int_member (data, "count",
 *                               json_object_get_int_member_with_default (data, "count", 0) + 1);
 *   return TRUE;
 * }
 *
 * g_autofree char *path = g_build_filename (pacer_worker_get_run_dir (),
 *                                           "pacer_shared_calls.json", NULL);
 * g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (path, NULL, -1);
 * if (!pacer_shared_json_edit (shared, count_call, NULL, &error))
 *   g_printerr ("%s\n", error->message);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-file-store.h"
#include "pacer-glib-private.h"
#include "pacer-shared-json.h"
#include "pacer-json-utils-private.h"
#include "pacer-store-private.h"

#define NAME_PREFIX "pacer_shared_"

struct _PacerSharedJson
{
  GObject parent_instance;

  PacerStore *store;
  char *data_file;
  char *lock_file;
  char *name;
  double timeout;

  /* On Redis: the value as this object last wrote or found it, and whether
   * nobody else wrote between its last two edits, in which case the next
   * edit first tries to go through on it without taking a turn. */
  GMutex last_mutex;
  GBytes *last_bytes;
  guint64 last_version;
  gboolean last_alone;
};

enum {
  PROP_0,
  PROP_STORE,
  PROP_DATA_FILE,
  PROP_LOCK_FILE,
  PROP_NAME,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PacerSharedJson, pacer_shared_json, G_TYPE_OBJECT)

static JsonObject *
parse_object (GBytes      *bytes,
              const char  *location,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *path = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” does not hold valid JSON: %s"), location, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” does not hold a JSON object"), location);
      return NULL;
    }

  /* Read as infinity, it would be written back as text no one can parse. */
  path = _pacer_json_find_non_finite (root);
  if (path != NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” holds a number too large for a double at “%s”"), location, path);
      return NULL;
    }

  return json_node_dup_object (root);
}

/* Reads the stored object; a store with nothing in it reads as an empty object. */
static JsonObject *
load_object (PacerSharedJson  *self,
             GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = pacer_store_read (self->store, &local_error);
  if (bytes == NULL)
    {
      if (g_error_matches (local_error, PACER_ERROR, PACER_ERROR_NOT_FOUND))
        return json_object_new ();
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return parse_object (bytes, pacer_store_get_location (self->store), error);
}

static GBytes *object_to_bytes (PacerSharedJson  *self,
                                JsonObject       *object,
                                GError          **error);

static gboolean
store_object (PacerSharedJson  *self,
              JsonObject       *object,
              GError          **error)
{
  g_autoptr(GBytes) bytes = object_to_bytes (self, object, error);

  return bytes != NULL && pacer_store_write (self->store, bytes, error);
}

static void
pacer_shared_json_constructed (GObject *object)
{
  PacerSharedJson *self = PACER_SHARED_JSON (object);
  const char *store_name;

  G_OBJECT_CLASS (pacer_shared_json_parent_class)->constructed (object);

  if (self->store == NULL)
    {
      if (self->data_file == NULL)
        {
          g_critical ("PacerSharedJson needs a store or a data file");
          self->data_file = g_strdup ("pacer_shared_state.json");
        }
      self->store = PACER_STORE (pacer_file_store_new (self->data_file, self->lock_file));
    }

  if (PACER_IS_FILE_STORE (self->store))
    {
      PacerFileStore *file_store = PACER_FILE_STORE (self->store);

      /* The store may have filled in the default lock file: report what is used. */
      g_free (self->data_file);
      self->data_file = g_strdup (pacer_file_store_get_data_file (file_store));
      g_free (self->lock_file);
      self->lock_file = g_strdup (pacer_file_store_get_lock_file (file_store));
    }

  store_name = pacer_store_get_name (self->store);
  if (g_str_has_prefix (store_name, NAME_PREFIX) && store_name[strlen (NAME_PREFIX)] != '\0')
    store_name += strlen (NAME_PREFIX);
  self->name = g_strdup (store_name);
}

static void
pacer_shared_json_finalize (GObject *object)
{
  PacerSharedJson *self = PACER_SHARED_JSON (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->last_bytes, g_bytes_unref);
  g_mutex_clear (&self->last_mutex);
  g_free (self->data_file);
  g_free (self->lock_file);
  g_free (self->name);

  G_OBJECT_CLASS (pacer_shared_json_parent_class)->finalize (object);
}

static void
pacer_shared_json_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PacerSharedJson *self = PACER_SHARED_JSON (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_DATA_FILE:
      g_value_set_string (value, self->data_file);
      break;
    case PROP_LOCK_FILE:
      g_value_set_string (value, self->lock_file);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_shared_json_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PacerSharedJson *self = PACER_SHARED_JSON (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_DATA_FILE:
      self->data_file = g_value_dup_string (value);
      break;
    case PROP_LOCK_FILE:
      self->lock_file = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      pacer_shared_json_set_timeout (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_shared_json_class_init (PacerSharedJsonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _pacer_ensure_i18n ();

  object_class->constructed = pacer_shared_json_constructed;
  object_class->finalize = pacer_shared_json_finalize;
  object_class->get_property = pacer_shared_json_get_property;
  object_class->set_property = pacer_shared_json_set_property;

  /**
   * PacerSharedJson:store:
   *
   * The store that holds the JSON text. When none is given, a
   * [class@Pacer.FileStore] on [property@Pacer.SharedJson:data-file].
   *
   * Since: 1.0
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PACER_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerSharedJson:data-file:
   *
   * The file that holds the JSON text, or `NULL` when the store is not a file.
   *
   * Since: 1.0
   */
  properties[PROP_DATA_FILE] =
    g_param_spec_string ("data-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerSharedJson:lock-file:
   *
   * The file whose lock guards the data file, or `NULL` when the store is not
   * a file; by default the data file's path with `.lock` appended.
   *
   * Since: 1.0
   */
  properties[PROP_LOCK_FILE] =
    g_param_spec_string ("lock-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerSharedJson:name:
   *
   * The state's name: the data file's name without its directory, its
   * extension and a `pacer_shared_` prefix.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerSharedJson:timeout:
   *
   * How long each operation waits for the lock, in seconds: negative waits
   * for ever, zero tries once, positive is a deadline.
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_double ("timeout", NULL, NULL,
                         -1, G_MAXDOUBLE, -1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pacer_shared_json_init (PacerSharedJson *self)
{
  self->timeout = -1;
  g_mutex_init (&self->last_mutex);
}

/**
 * pacer_shared_json_new:
 * @data_file: (type filename): the file that holds the JSON object
 * @lock_file: (type filename) (nullable): the lock file, or `NULL` for
 *   @data_file with `.lock` appended
 * @timeout: seconds each operation waits for the lock: negative for ever,
 *   0 tries once
 *
 * Makes shared JSON state kept in @data_file. A missing file reads as an empty
 * object; missing directories are created with mode 0700 on first use.
 *
 * Returns: (transfer full): new shared JSON state
 *
 * Since: 1.0
 */
PacerSharedJson *
pacer_shared_json_new (const char *data_file,
                       const char *lock_file,
                       double      timeout)
{
  g_return_val_if_fail (data_file != NULL, NULL);

  return g_object_new (PACER_TYPE_SHARED_JSON,
                       "data-file", data_file,
                       "lock-file", lock_file,
                       "timeout", timeout < 0 ? -1.0 : timeout,
                       NULL);
}

/**
 * pacer_shared_json_new_for_store:
 * @store: the store that holds the JSON text
 * @timeout: seconds each operation waits for the lock: negative for ever,
 *   0 tries once
 *
 * Makes shared JSON state kept in any [iface@Pacer.Store].
 *
 * Returns: (transfer full): new shared JSON state
 *
 * Since: 1.0
 */
PacerSharedJson *
pacer_shared_json_new_for_store (PacerStore *store,
                                 double      timeout)
{
  g_return_val_if_fail (PACER_IS_STORE (store), NULL);

  return g_object_new (PACER_TYPE_SHARED_JSON,
                       "store", store,
                       "timeout", timeout < 0 ? -1.0 : timeout,
                       NULL);
}

/**
 * pacer_shared_json_get_name:
 * @self: shared JSON state
 *
 * Gets [property@Pacer.SharedJson:name].
 *
 * Returns: (transfer none): the state's name
 *
 * Since: 1.0
 */
const char *
pacer_shared_json_get_name (PacerSharedJson *self)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), NULL);

  return self->name;
}

/**
 * pacer_shared_json_get_store:
 * @self: shared JSON state
 *
 * Gets [property@Pacer.SharedJson:store].
 *
 * Returns: (transfer none): the store
 *
 * Since: 1.0
 */
PacerStore *
pacer_shared_json_get_store (PacerSharedJson *self)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), NULL);

  return self->store;
}

/**
 * pacer_shared_json_get_data_file:
 * @self: shared JSON state
 *
 * Gets [property@Pacer.SharedJson:data-file].
 *
 * Returns: (transfer none) (type filename) (nullable): the data file
 *
 * Since: 1.0
 */
const char *
pacer_shared_json_get_data_file (PacerSharedJson *self)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), NULL);

  return self->data_file;
}

/**
 * pacer_shared_json_get_lock_file:
 * @self: shared JSON state
 *
 * Gets [property@Pacer.SharedJson:lock-file].
 *
 * Returns: (transfer none) (type filename) (nullable): the lock file
 *
 * Since: 1.0
 */
const char *
pacer_shared_json_get_lock_file (PacerSharedJson *self)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), NULL);

  return self->lock_file;
}

/**
 * pacer_shared_json_get_timeout:
 * @self: shared JSON state
 *
 * Gets [property@Pacer.SharedJson:timeout].
 *
 * Returns: the timeout in seconds; -1 waits for ever
 *
 * Since: 1.0
 */
double
pacer_shared_json_get_timeout (PacerSharedJson *self)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), -1);

  return self->timeout;
}

/**
 * pacer_shared_json_set_timeout:
 * @self: shared JSON state
 * @timeout: seconds each operation waits for the lock: negative for ever,
 *   0 tries once
 *
 * Sets [property@Pacer.SharedJson:timeout]. Any negative value means -1.
 *
 * Since: 1.0
 */
void
pacer_shared_json_set_timeout (PacerSharedJson *self,
                               double           timeout)
{
  g_return_if_fail (PACER_IS_SHARED_JSON (self));
  g_return_if_fail (!isnan (timeout));

  if (timeout < 0)
    timeout = -1;
  if (self->timeout == timeout)
    return;

  self->timeout = timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * pacer_shared_json_read:
 * @self: shared JSON state
 * @error: return location for a [type@GLib.Error]
 *
 * Reads a copy of the stored object. It takes no lock: a stored value is
 * always whole, so a read never waits and never sees a half-written object.
 *
 * Returns: (transfer full): a copy of the stored object, empty if nothing is
 *   stored yet, or `NULL` with an error
 *
 * Since: 1.0
 */
JsonObject *
pacer_shared_json_read (PacerSharedJson  *self,
                        GError          **error)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_object (self, error);
}

/* The monotonic time a timeout ends at: never for a negative one. */
static gint64
deadline_after (double timeout)
{
  return timeout < 0 ? G_MAXINT64 : g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
}

/* An edit that set infinity or NaN would leave every other process a state
 * it cannot read: it is refused, and the stored state stays as it was. */
static GBytes *
object_to_bytes (PacerSharedJson  *self,
                 JsonObject       *object,
                 GError          **error)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *path = NULL;
  gsize length = 0;
  char *text;

  json_node_set_object (root, object);
  path = _pacer_json_find_non_finite (root);
  if (path != NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Not storing “%s”: JSON cannot hold the infinite or NaN number at “%s”"),
                   pacer_store_get_location (self->store), path);
      return NULL;
    }
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  length = _pacer_json_repair_numbers (text, length);

  return g_bytes_new_take (text, length);
}

/* The edit on a lock-free store: read with the version, edit, compare-and-set,
 * and again on a conflict until the timeout says stop. The waits between tries
 * grow and are random, so that writers that keep meeting fall out of step. */
static gboolean
edit_optimistically (PacerSharedJson          *self,
                     PacerSharedJsonEditFunc   func,
                     gpointer                  user_data,
                     GError                  **error)
{
  gint64 deadline = deadline_after (self->timeout);
  gint32 backoff = 20;

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) new_bytes = NULL;
      g_autoptr(JsonObject) data = NULL;
      guint64 version = 0;
      gint64 now;

      bytes = pacer_store_read_versioned (self->store, &version, &local_error);
      if (bytes != NULL)
        data = parse_object (bytes, pacer_store_get_location (self->store), error);
      else if (g_error_matches (local_error, PACER_ERROR, PACER_ERROR_NOT_FOUND))
        data = json_object_new ();
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      if (data == NULL)
        return FALSE;

      if (!func (data, user_data))
        return TRUE;

      new_bytes = object_to_bytes (self, data, error);
      if (new_bytes == NULL)
        return FALSE;
      g_clear_error (&local_error);
      if (pacer_store_compare_and_set (self->store, version, new_bytes, NULL, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, PACER_ERROR, PACER_ERROR_CONFLICT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      now = g_get_monotonic_time ();
      if (self->timeout == 0 || now >= deadline)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT,
                       _("“%s” kept changing under other writers: gave up after %u tries"),
                       pacer_store_get_location (self->store), attempt + 1);
          return FALSE;
        }

      /* The first retry goes at once: most conflicts are one other writer. */
      if (attempt > 0)
        {
          g_usleep (MIN (g_random_int_range (0, backoff + 1), deadline - now));
          backoff = MIN (backoff * 2, 5000);
        }
    }
}

#ifdef HAVE_HIREDIS
static void
remember_value (PacerSharedJson *self,
                GBytes          *bytes,
                guint64          version,
                gboolean         alone)
{
  g_mutex_lock (&self->last_mutex);
  g_clear_pointer (&self->last_bytes, g_bytes_unref);
  self->last_bytes = bytes != NULL ? g_bytes_ref (bytes) : NULL;
  self->last_version = version;
  self->last_alone = alone && bytes != NULL;
  g_mutex_unlock (&self->last_mutex);
}

/* A writer that met nobody last time edits the value it last wrote, and
 * stores the result only if that is still the value and nobody holds or
 * waits for the lock: one round trip instead of two. Returns TRUE when that
 * settled the edit, FALSE to take a turn after all (the edit function then
 * runs again, on the value as it now is). */
static gboolean
edit_alone (PacerSharedJson          *self,
            PacerSharedJsonEditFunc   func,
            gpointer                  user_data,
            gboolean                 *out_ok,
            GError                  **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) new_bytes = NULL;
  g_autoptr(JsonObject) data = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 version, new_version = 0;

  g_mutex_lock (&self->last_mutex);
  if (self->last_alone)
    bytes = g_bytes_ref (self->last_bytes);
  version = self->last_version;
  g_mutex_unlock (&self->last_mutex);

  if (bytes == NULL || (data = parse_object (bytes, pacer_store_get_location (self->store), NULL)) == NULL)
    return FALSE;

  /* A result of FALSE counts only if the value it was decided on is current. */
  if (func (data, user_data))
    {
      new_bytes = object_to_bytes (self, data, error);
      if (new_bytes == NULL)
        {
          *out_ok = FALSE;
          return TRUE;
        }
    }
  if (_pacer_redis_store_edit_at (self->store, version, new_bytes, &new_version, &local_error))
    {
      if (new_bytes != NULL)
        remember_value (self, new_bytes, new_version, TRUE);
      *out_ok = TRUE;
      return TRUE;
    }

  remember_value (self, NULL, 0, FALSE);
  if (g_error_matches (local_error, PACER_ERROR, PACER_ERROR_CONFLICT))
    return FALSE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  *out_ok = FALSE;
  return TRUE;
}

/* The edit on Redis: a turn in the server's fair queue, which brings the
 * object along, then one script that writes, releases and hands the turn to
 * the next writer. A turn whose lease ran out before the write (the process
 * stalled that long) is refused by the server if another took over; the edit
 * then runs again on the newer object, as long as the timeout allows. */
static gboolean
edit_in_turn (PacerSharedJson          *self,
              PacerSharedJsonEditFunc   func,
              gpointer                  user_data,
              GError                  **error)
{
  gint64 deadline = deadline_after (self->timeout);
  double timeout = self->timeout;
  gboolean ok = FALSE;

  if (edit_alone (self, func, user_data, &ok, error))
    return ok;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) new_bytes = NULL;
      g_autoptr(JsonObject) data = NULL;
      g_autofree char *turn = NULL;
      guint64 version = 0, new_version = 0, last_version;
      gboolean write;
      gint64 now;

      turn = _pacer_redis_store_begin_edit (self->store, timeout, &bytes, &version, error);
      if (turn == NULL)
        return FALSE;

      g_mutex_lock (&self->last_mutex);
      last_version = self->last_version;
      g_mutex_unlock (&self->last_mutex);

      data = bytes != NULL ? parse_object (bytes, pacer_store_get_location (self->store), error)
                           : json_object_new ();
      write = data != NULL && func (data, user_data);
      if (write)
        new_bytes = object_to_bytes (self, data, error);
      if (new_bytes == NULL)
        {
          /* Nothing to write, or nothing that can be: a lost release only
           * delays the next writer by the lease. */
          if (!_pacer_redis_store_end_edit (self->store, turn, version, NULL, NULL, &local_error))
            g_debug ("Could not end an edit of “%s”: %s", pacer_store_get_location (self->store),
                     local_error->message);
          remember_value (self, data != NULL && !write ? bytes : NULL, version, FALSE);
          return data != NULL && !write;
        }

      if (_pacer_redis_store_end_edit (self->store, turn, version, new_bytes, &new_version, &local_error))
        {
          /* Nobody wrote since this object's last edit: the next may go alone. */
          remember_value (self, new_bytes, new_version, version != 0 && version == last_version);
          return TRUE;
        }

      now = g_get_monotonic_time ();
      if (!g_error_matches (local_error, PACER_ERROR, PACER_ERROR_TIMEOUT) ||
          self->timeout == 0 || now >= deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (deadline != G_MAXINT64)
        timeout = (deadline - now) / (double) G_USEC_PER_SEC;
    }
}
#endif

static gboolean
merge_updates (JsonObject *data,
               gpointer    user_data)
{
  JsonObject *updates = user_data;
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, updates);
  while (json_object_iter_next (&iter, &member, &node))
    json_object_set_member (data, member, json_node_copy (node));

  return TRUE;
}

/**
 * pacer_shared_json_update:
 * @self: shared JSON state
 * @updates: members to set
 * @error: return location for a [type@GLib.Error]
 *
 * Sets every member of @updates in the stored object, under the lock, leaving
 * the other members as they are.
 *
 * Returns: `TRUE` once the merged object is stored
 *
 * Since: 1.0
 */
gboolean
pacer_shared_json_update (PacerSharedJson  *self,
                          JsonObject       *updates,
                          GError          **error)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), FALSE);
  g_return_val_if_fail (updates != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return pacer_shared_json_edit (self, merge_updates, updates, error);
}

/**
 * pacer_shared_json_edit:
 * @self: shared JSON state
 * @func: (scope call) (closure user_data): changes the object in place
 * @user_data: data for @func
 * @error: return location for a [type@GLib.Error]
 *
 * Reads the stored object, lets @func change it and stores the result, all
 * under the lock, so no other process or thread can change the object in
 * between. When @func returns `FALSE` nothing is written.
 *
 * @func runs with the lock held: keep it short, and do not use @self from it.
 * On Redis or another lock-free store @func may run more than once, each time
 * on a fresh copy of the newest object: when another writer changed it
 * meanwhile, or, on Redis, when @func outlived its turn's lease and another
 * took over. Only the run whose result is stored counts, so @func must not
 * have other effects.
 *
 * Returns: `TRUE` if @func ran (whatever it returned) and any result is
 *   stored; `FALSE` with `PACER_ERROR_TIMEOUT` if the lock was not had in time,
 *   `PACER_ERROR_CORRUPT_STATE` if the stored text is not a JSON object, or
 *   another error, in which case @func did not run or nothing was stored
 *
 * Since: 1.0
 */
gboolean
pacer_shared_json_edit (PacerSharedJson          *self,
                        PacerSharedJsonEditFunc   func,
                        gpointer                  user_data,
                        GError                  **error)
{
  g_autoptr(JsonObject) data = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (PACER_IS_SHARED_JSON (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

#ifdef HAVE_HIREDIS
  if (_pacer_store_is_redis (self->store))
    return edit_in_turn (self, func, user_data, error);
#endif

  if (pacer_store_is_lock_free (self->store))
    return edit_optimistically (self, func, user_data, error);

  if (!pacer_store_lock (self->store, self->timeout, NULL, error))
    return FALSE;

  data = load_object (self, error);
  if (data != NULL)
    ok = !func (data, user_data) || store_object (self, data, error);

  pacer_store_unlock (self->store);

  return ok;
}
