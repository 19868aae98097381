/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

#define PACER_TYPE_STORE (pacer_store_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (PacerStore, pacer_store, PACER, STORE, GObject)

/**
 * PacerStoreInterface:
 * @lock: takes the store's exclusive lock, waiting as the timeout says
 * @unlock: releases the lock taken by @lock
 * @read: reads the stored value; it must never see a partly written one
 * @write: replaces the stored value atomically; called with the lock held
 * @remove: forgets the stored value; called with the lock held
 * @get_name: a short name for the value, such as a file's stem
 * @get_location: where the value lives, for messages, such as a file's path
 * @read_versioned: reads the stored value and its version in one step;
 *   `NULL` means the store has no versions of its own and
 *   [method@Pacer.Store.read_versioned] derives them from the contents
 * @compare_and_set: replaces the value if its version is still the one given,
 *   without the lock; `NULL` means [method@Pacer.Store.compare_and_set] does
 *   it under the lock
 * @write_part: replaces one part of the value's side data, which one writer
 *   owns (a worker's metrics, say), at once and without the lock
 * @read_parts: reads every part written with @write_part
 *
 * The virtual methods of [iface@Pacer.Store].
 *
 * Since: 1.0
 */
struct _PacerStoreInterface
{
  GTypeInterface parent_iface;

  gboolean     (*lock)         (PacerStore    *self,
                                double         timeout,
                                GCancellable  *cancellable,
                                GError       **error);
  void         (*unlock)       (PacerStore    *self);
  GBytes      *(*read)         (PacerStore    *self,
                                GError       **error);
  gboolean     (*write)        (PacerStore    *self,
                                GBytes        *contents,
                                GError       **error);
  gboolean     (*remove)       (PacerStore    *self,
                                GError       **error);
  const char  *(*get_name)     (PacerStore    *self);
  const char  *(*get_location) (PacerStore    *self);
  GBytes      *(*read_versioned)  (PacerStore  *self,
                                   guint64     *out_version,
                                   GError     **error);
  gboolean     (*compare_and_set) (PacerStore  *self,
                                   guint64      version,
                                   GBytes      *contents,
                                   guint64     *out_version,
                                   GError     **error);
  gboolean     (*write_part)      (PacerStore  *self,
                                   const char  *part,
                                   GBytes      *contents,
                                   GError     **error);
  GHashTable  *(*read_parts)      (PacerStore  *self,
                                   GError     **error);

  /*< private >*/
  gpointer _reserved[4];
};

PACER_AVAILABLE_IN_ALL
gboolean    pacer_store_lock         (PacerStore    *self,
                                      double         timeout,
                                      GCancellable  *cancellable,
                                      GError       **error);
PACER_AVAILABLE_IN_ALL
void        pacer_store_unlock       (PacerStore    *self);
PACER_AVAILABLE_IN_ALL
GBytes     *pacer_store_read         (PacerStore    *self,
                                      GError       **error);
PACER_AVAILABLE_IN_ALL
gboolean    pacer_store_write        (PacerStore    *self,
                                      GBytes        *contents,
                                      GError       **error);
PACER_AVAILABLE_IN_ALL
gboolean    pacer_store_remove       (PacerStore    *self,
                                      GError       **error);
PACER_AVAILABLE_IN_ALL
const char *pacer_store_get_name     (PacerStore    *self);
PACER_AVAILABLE_IN_ALL
const char *pacer_store_get_location (PacerStore    *self);
PACER_AVAILABLE_IN_ALL
GBytes     *pacer_store_read_versioned  (PacerStore    *self,
                                         guint64       *out_version,
                                         GError       **error);
PACER_AVAILABLE_IN_ALL
gboolean    pacer_store_compare_and_set (PacerStore    *self,
                                         guint64        version,
                                         GBytes        *contents,
                                         guint64       *out_version,
                                         GError       **error);
PACER_AVAILABLE_IN_ALL
gboolean    pacer_store_is_lock_free    (PacerStore    *self);
PACER_AVAILABLE_IN_ALL
gboolean    pacer_store_write_part      (PacerStore    *self,
                                         const char    *part,
                                         GBytes        *contents,
                                         GError       **error);
PACER_AVAILABLE_IN_ALL
GHashTable *pacer_store_read_parts      (PacerStore    *self,
                                         GError       **error);

PACER_AVAILABLE_IN_ALL
PacerStore *pacer_store_new_for_uri     (const char    *uri,
                                         const char    *name,
                                         GError       **error);

G_END_DECLS
