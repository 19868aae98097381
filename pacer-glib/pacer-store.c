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
 * several machines reach over a network, implement the same interface.
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

#include "pacer-store.h"

G_DEFINE_INTERFACE (PacerStore, pacer_store, G_TYPE_OBJECT)

static void
pacer_store_default_init (PacerStoreInterface *iface)
{
}

/**
 * pacer_store_lock:
 * @self: a store
 * @timeout: seconds to wait: -1 (or any negative number) waits for ever, 0 tries once
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Takes the store's exclusive lock. It excludes every other holder: other
 * processes, other threads, and other store objects for the same value in this
 * process.
 *
 * Returns: `TRUE` if the lock is held; `FALSE` with %PACER_ERROR_TIMEOUT if it
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
 * @error: return location for a #GError
 *
 * Reads the stored value. A read needs no lock and never sees a partly written
 * value; take the lock when the value read decides what to write.
 *
 * Returns: (transfer full): the stored bytes, or `NULL` with
 *   %PACER_ERROR_NOT_FOUND when nothing is stored yet, or another error
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
 * @error: return location for a #GError
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
 * @error: return location for a #GError
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
