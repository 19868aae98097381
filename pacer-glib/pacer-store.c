/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerStore:
 *
 * A named value with an exclusive lock around it and atomic replacement.
 *
 * A store is the one place the processes of a run keep a shared value:
 * [class@Pacer.SharedJson], [class@Pacer.TokenBucket] and shared fixtures all
 * sit on one. The lock excludes every other holder, in this process or another,
 * thread or instance alike; a write replaces the whole value at once, so a
 * reader sees the old value or the new one and never a mixture, even when the
 * writer is killed half-way.
 *
 * [class@Pacer.FileStore] is the default. Other stores, such as one that
 * several machines reach over a network, implement the same interface;
 * [func@Pacer.Store.new_for_uri] makes either from one string.
 *
 * Besides the lock, a store offers an optimistic path: read the value with
 * its version ([method@Pacer.Store.read_versioned]), then replace it only if
 * nobody changed it since ([method@Pacer.Store.compare_and_set]). A store on
 * Redis does this with the server's own atomicity and no lock
 * ([method@Pacer.Store.is_lock_free]). Its lock is a fair queue of leases on
 * the server: holders are served in the order they asked, and a client killed
 * at any instant leaves the old value or the new one and never a lock that
 * nobody will release, since its turn ends as soon as another waiter finds
 * its connection gone, or when its lease runs out.
 *
 * ```c
 * g_autoptr(PacerStore) store = PACER_STORE (pacer_file_store_new ("/run/x/state.json", NULL));
 * if (!pacer_store_lock (store, 5.0, NULL, &error))
 *   return FALSE;
 * contents = pacer_store_read (store, &error);
 * …
 * ok = pacer_store_write (store, new_contents, &error);
 * pacer_store_unlock (store);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-file-store.h"
#include "pacer-glib-private.h"
#include "pacer-store.h"
#include "pacer-store-private.h"
#include "pacer-worker.h"

G_DEFINE_INTERFACE (PacerStore, pacer_store, G_TYPE_OBJECT)

static void
pacer_store_default_init (PacerStoreInterface *iface)
{
}

/**
 * pacer_store_lock:
 * @self: a store
 * @timeout: seconds to wait: -1 (or any negative number) waits for ever, 0 tries once
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [type@GLib.Error]
 *
 * Takes the store's exclusive lock. It excludes every other holder: other
 * processes, other threads, and other store objects for the same value in this
 * process.
 *
 * Returns: `TRUE` if the lock is held; `FALSE` with `PACER_ERROR_TIMEOUT` if it
 *   was not had in time, or another error
 *
 * Since: 1.0
 */
gboolean
pacer_store_lock (PacerStore    *self,
                  double         timeout,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (PACER_IS_STORE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return PACER_STORE_GET_IFACE (self)->lock (self, timeout, cancellable, error);
}

/**
 * pacer_store_unlock:
 * @self: a store
 *
 * Releases the lock taken by [method@Pacer.Store.lock].
 *
 * Since: 1.0
 */
void
pacer_store_unlock (PacerStore *self)
{
  g_return_if_fail (PACER_IS_STORE (self));

  PACER_STORE_GET_IFACE (self)->unlock (self);
}

/**
 * pacer_store_read:
 * @self: a store
 * @error: return location for a [type@GLib.Error]
 *
 * Reads the stored value. A read needs no lock and never sees a partly written
 * value; take the lock when the value read decides what to write.
 *
 * Returns: (transfer full): the stored bytes, or `NULL` with
 *   `PACER_ERROR_NOT_FOUND` when nothing is stored yet, or another error
 *
 * Since: 1.0
 */
GBytes *
pacer_store_read (PacerStore  *self,
                  GError     **error)
{
  g_return_val_if_fail (PACER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return PACER_STORE_GET_IFACE (self)->read (self, error);
}

/**
 * pacer_store_write:
 * @self: a store
 * @contents: the new value
 * @error: return location for a [type@GLib.Error]
 *
 * Replaces the stored value at once. Call it with the lock held.
 *
 * Returns: `TRUE` if the new value is stored
 *
 * Since: 1.0
 */
gboolean
pacer_store_write (PacerStore  *self,
                   GBytes      *contents,
                   GError     **error)
{
  g_return_val_if_fail (PACER_IS_STORE (self), FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return PACER_STORE_GET_IFACE (self)->write (self, contents, error);
}

/**
 * pacer_store_remove:
 * @self: a store
 * @error: return location for a [type@GLib.Error]
 *
 * Forgets the stored value, so the next read finds nothing. Call it with the
 * lock held. Removing a value that is not there succeeds.
 *
 * Returns: `TRUE` if no value is stored any more
 *
 * Since: 1.0
 */
gboolean
pacer_store_remove (PacerStore  *self,
                    GError     **error)
{
  g_return_val_if_fail (PACER_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return PACER_STORE_GET_IFACE (self)->remove (self, error);
}

/**
 * pacer_store_get_name:
 * @self: a store
 *
 * Gets a short name for the stored value, such as a file's name without its
 * directory and extension.
 *
 * Returns: (transfer none): the name
 *
 * Since: 1.0
 */
const char *
pacer_store_get_name (PacerStore *self)
{
  g_return_val_if_fail (PACER_IS_STORE (self), NULL);

  return PACER_STORE_GET_IFACE (self)->get_name (self);
}

/**
 * pacer_store_get_location:
 * @self: a store
 *
 * Gets where the value lives, as messages should name it: a file's path, say.
 *
 * Returns: (transfer none): the location
 *
 * Since: 1.0
 */
const char *
pacer_store_get_location (PacerStore *self)
{
  g_return_val_if_fail (PACER_IS_STORE (self), NULL);

  return PACER_STORE_GET_IFACE (self)->get_location (self);
}

/* A version for stores that keep none: the value's own digest. Equal contents
 * give equal versions, which is all a compare-and-set needs, since replacing a
 * value with one computed from equal contents is what the caller meant. */
static guint64
contents_version (GBytes *contents)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  guint64 version = 0;

  g_checksum_update (checksum, g_bytes_get_data (contents, NULL), g_bytes_get_size (contents));
  g_checksum_get_digest (checksum, digest, &length);
  memcpy (&version, digest, sizeof version);

  /* 0 stands for "nothing stored". */
  return version != 0 ? version : 1;
}

/**
 * pacer_store_read_versioned:
 * @self: a store
 * @out_version: (out): return location for the value's version
 * @error: return location for a [type@GLib.Error]
 *
 * Reads the stored value and its version in one step, for a later
 * [method@Pacer.Store.compare_and_set]. Like [method@Pacer.Store.read] it
 * takes no lock.
 *
 * When nothing is stored, @out_version is set too (0 unless the store counts
 * removals), so that the absent value can be replaced by a compare-and-set.
 *
 * Returns: (transfer full): the stored bytes, or `NULL` with
 *   `PACER_ERROR_NOT_FOUND` when nothing is stored, or another error
 *
 * Since: 1.0
 */
GBytes *
pacer_store_read_versioned (PacerStore  *self,
                            guint64     *out_version,
                            GError     **error)
{
  PacerStoreInterface *iface;
  GBytes *contents;

  g_return_val_if_fail (PACER_IS_STORE (self), NULL);
  g_return_val_if_fail (out_version != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = PACER_STORE_GET_IFACE (self);
  if (iface->read_versioned != NULL)
    return iface->read_versioned (self, out_version, error);

  *out_version = 0;
  contents = iface->read (self, error);
  if (contents != NULL)
    *out_version = contents_version (contents);

  return contents;
}

/**
 * pacer_store_compare_and_set:
 * @self: a store
 * @version: the version the value must still have, as
 *   [method@Pacer.Store.read_versioned] gave it
 * @contents: (nullable): the new value, or `NULL` to remove the value
 * @out_version: (out) (optional): return location for the new version
 * @error: return location for a [type@GLib.Error]
 *
 * Replaces the stored value at once if nobody changed it since it was read
 * with @version. Do not hold the lock when calling it.
 *
 * A store with its own atomicity, such as one on Redis, does this without any
 * lock; other stores take their lock for the few steps it needs.
 *
 * Returns: `TRUE` if @contents is stored; `FALSE` with `PACER_ERROR_CONFLICT`
 *   if the value changed since it was read, or another error
 *
 * Since: 1.0
 */
gboolean
pacer_store_compare_and_set (PacerStore  *self,
                             guint64      version,
                             GBytes      *contents,
                             guint64     *out_version,
                             GError     **error)
{
  PacerStoreInterface *iface;
  g_autoptr(GBytes) current = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 current_version = 0;
  gboolean ok;

  g_return_val_if_fail (PACER_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = PACER_STORE_GET_IFACE (self);
  if (iface->compare_and_set != NULL)
    {
      guint64 dummy;

      return iface->compare_and_set (self, version, contents,
                                     out_version != NULL ? out_version : &dummy, error);
    }

  if (!iface->lock (self, -1, NULL, error))
    return FALSE;

  current = pacer_store_read_versioned (self, &current_version, &local_error);
  if (current == NULL && !g_error_matches (local_error, PACER_ERROR, PACER_ERROR_NOT_FOUND))
    {
      iface->unlock (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (current_version != version)
    {
      iface->unlock (self);
      g_set_error (error, PACER_ERROR, PACER_ERROR_CONFLICT,
                   _("“%s” was changed by another writer"), iface->get_location (self));
      return FALSE;
    }

  if (contents != NULL)
    ok = iface->write (self, contents, error);
  else
    ok = iface->remove (self, error);
  iface->unlock (self);

  if (ok && out_version != NULL)
    *out_version = contents != NULL ? contents_version (contents) : 0;

  return ok;
}

/**
 * pacer_store_is_lock_free:
 * @self: a store
 *
 * Says whether the store changes values by its own atomicity rather than by a
 * lock. [class@Pacer.SharedJson] then edits optimistically: it reads the value,
 * runs the edit and stores the result by
 * [method@Pacer.Store.compare_and_set], running the edit again on the newer
 * value when another writer came first. A store on Redis is lock-free, but
 * its edits take turns in its fair queue instead, which stays fast and fair
 * under contention where optimistic edits starve the slowest writer.
 *
 * Returns: `TRUE` if [method@Pacer.Store.compare_and_set] needs no lock
 *
 * Since: 1.0
 */
gboolean
pacer_store_is_lock_free (PacerStore *self)
{
  g_return_val_if_fail (PACER_IS_STORE (self), FALSE);

  return PACER_STORE_GET_IFACE (self)->compare_and_set != NULL;
}

static gboolean name_is_valid (const char *name);

/**
 * pacer_store_write_part:
 * @self: a store
 * @part: the part's name, such as a worker's id: letters, digits, `-`, `_`, `.`
 * @contents: the part's new value
 * @error: return location for a [type@GLib.Error]
 *
 * Replaces one part of the value's side data at once. Parts are for data that
 * each writer keeps for itself and others only read, such as the metrics of
 * each worker of a [class@Pacer.TokenBucket]: one writer owns a part, so no
 * lock is taken. Parts live where the value lives (beside its file, or on the
 * same Redis server under the same prefix and expiry), so they reach every
 * process that reaches the value.
 *
 * Returns: `TRUE` if the part is stored
 *
 * Since: 1.0
 */
gboolean
pacer_store_write_part (PacerStore  *self,
                        const char  *part,
                        GBytes      *contents,
                        GError     **error)
{
  PacerStoreInterface *iface;

  g_return_val_if_fail (PACER_IS_STORE (self), FALSE);
  g_return_val_if_fail (part != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!name_is_valid (part))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” cannot name a stored value: use letters, digits, “-”, “_” or “.”"),
                   part);
      return FALSE;
    }

  iface = PACER_STORE_GET_IFACE (self);
  if (iface->write_part == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED,
                   _("“%s” cannot keep parts"), iface->get_location (self));
      return FALSE;
    }

  return iface->write_part (self, part, contents, error);
}

/**
 * pacer_store_read_parts:
 * @self: a store
 * @error: return location for a [type@GLib.Error]
 *
 * Reads every part written with [method@Pacer.Store.write_part], by anyone.
 *
 * Returns: (transfer full) (element-type utf8 GBytes): the parts by name,
 *   empty when none was written, or `NULL` with an error
 *
 * Since: 1.0
 */
GHashTable *
pacer_store_read_parts (PacerStore  *self,
                        GError     **error)
{
  PacerStoreInterface *iface;

  g_return_val_if_fail (PACER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = PACER_STORE_GET_IFACE (self);
  if (iface->read_parts == NULL)
    return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);

  return iface->read_parts (self, error);
}

static gboolean
name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (*p == '/' || *p == '\\' || g_ascii_iscntrl (*p) || *p == ' ')
      return FALSE;

  return TRUE;
}

/**
 * pacer_store_new_for_uri:
 * @uri: where shared state lives: a directory (a path or a `file://` URI),
 *   `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` or `unix:///PATH/redis.sock`
 * @name: the value's name, such as `pacer_shared_calls`: a file name without
 *   its `.json` extension, or the last part of a Redis key
 * @error: return location for a [type@GLib.Error]
 *
 * Makes the store for the value @name in the place @uri names: the file
 * `NAME.json` in a directory, or a key on a Redis server. This is the string
 * `pacer-run --store` takes and passes to its workers as `PACER_STORE`.
 *
 * A Redis URI may carry a query: `prefix=ID` sets the key prefix (by default
 * [func@Pacer.worker_get_testrun_uid], so concurrent runs stay apart; give
 * machines of one build the same prefix to share state between them),
 * `ttl=SECONDS` how long keys live after their last change (one day by
 * default), and for `unix://` URIs `db=N` and `password=SECRET`. The key of
 * the value is `pacer:PREFIX:NAME`.
 *
 * A Redis store connects at once, so that a server that cannot be reached, a
 * wrong password or a database that does not exist is an error here, naming
 * the URI (without its password).
 *
 * Returns: (transfer full): a new store, or `NULL` with
 *   `PACER_ERROR_INVALID_ARGUMENT` for a URI or name that cannot be used,
 *   `PACER_ERROR_IO` when the server cannot be reached, or another error
 *
 * Since: 1.0
 */
PacerStore *
pacer_store_new_for_uri (const char  *uri,
                         const char  *name,
                         GError     **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _pacer_ensure_i18n ();

  if (!name_is_valid (name))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” cannot name a stored value: use letters, digits, “-”, “_” or “.”"),
                   name);
      return NULL;
    }

  if (*uri == '\0')
    {
      g_set_error_literal (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                           _("The store URI is empty"));
      return NULL;
    }

  scheme = g_uri_parse_scheme (uri);
  if (scheme == NULL)
    dir = g_strdup (uri);
  else if (g_ascii_strcasecmp (scheme, "file") == 0)
    {
      dir = g_filename_from_uri (uri, NULL, NULL);
      if (dir == NULL)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a usable file URI"), uri);
          return NULL;
        }
    }
  else if (g_ascii_strcasecmp (scheme, "redis") == 0 || g_ascii_strcasecmp (scheme, "unix") == 0)
    {
#ifdef HAVE_HIREDIS
      return _pacer_redis_store_new (uri, name, TRUE, error);
#else
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Cannot use “%s”: pacer-glib was built without Redis support"), uri);
      return NULL;
#endif
    }
  else
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a store URI: use a directory, file://, redis:// or unix://"),
                   uri);
      return NULL;
    }

  file = g_strconcat (name, ".json", NULL);
  path = g_build_filename (dir, file, NULL);

  return PACER_STORE (pacer_file_store_new (path, NULL));
}

/* The store for @name in this run: on PACER_STORE when it is set, else in the
 * run directory. The library's own shared objects call this, so that workers
 * follow `pacer-run --store`. A Redis store made here connects on first use,
 * since the callers have no error to return. */
PacerStore *
_pacer_store_new_for_run (const char *name)
{
  const char *uri = g_getenv ("PACER_STORE");
  g_autofree char *scheme = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (uri != NULL && *uri != '\0')
    {
      PacerStore *store;

      scheme = g_uri_parse_scheme (uri);
#ifdef HAVE_HIREDIS
      if (scheme != NULL &&
          (g_ascii_strcasecmp (scheme, "redis") == 0 || g_ascii_strcasecmp (scheme, "unix") == 0))
        store = _pacer_redis_store_new (uri, name, FALSE, &error);
      else
#endif
        store = pacer_store_new_for_uri (uri, name, &error);

      if (store != NULL)
        return store;
      g_warning (_("Cannot use PACER_STORE: %s; keeping “%s” in the run directory"),
                 error->message, name);
    }

  file = g_strconcat (name, ".json", NULL);
  path = g_build_filename (pacer_worker_get_run_dir (), file, NULL);

  return PACER_STORE (pacer_file_store_new (path, NULL));
}
