/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include <pacer-glib/pacer-store.h>

G_BEGIN_DECLS

#define PACER_TYPE_SHARED_JSON (pacer_shared_json_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerSharedJson, pacer_shared_json, PACER, SHARED_JSON, GObject)

/**
 * PacerSharedJsonEditFunc:
 * @data: the stored object, to change in place
 * @user_data: the data given to [method@Pacer.SharedJson.edit]
 *
 * Changes shared JSON state under its lock.
 *
 * Returns: `TRUE` to write @data back, `FALSE` to discard every change
 *
 * Since: 1.0
 */
typedef gboolean (*PacerSharedJsonEditFunc) (JsonObject *data,
                                             gpointer    user_data);

PACER_AVAILABLE_IN_ALL
PacerSharedJson *pacer_shared_json_new           (const char              *data_file,
                                                  const char              *lock_file,
                                                  double                   timeout);
PACER_AVAILABLE_IN_ALL
PacerSharedJson *pacer_shared_json_new_for_store (PacerStore              *store,
                                                  double                   timeout);
PACER_AVAILABLE_IN_ALL
const char      *pacer_shared_json_get_name      (PacerSharedJson         *self);
PACER_AVAILABLE_IN_ALL
PacerStore      *pacer_shared_json_get_store     (PacerSharedJson         *self);
PACER_AVAILABLE_IN_ALL
const char      *pacer_shared_json_get_data_file (PacerSharedJson         *self);
PACER_AVAILABLE_IN_ALL
const char      *pacer_shared_json_get_lock_file (PacerSharedJson         *self);
PACER_AVAILABLE_IN_ALL
double           pacer_shared_json_get_timeout   (PacerSharedJson         *self);
PACER_AVAILABLE_IN_ALL
void             pacer_shared_json_set_timeout   (PacerSharedJson         *self,
                                                  double                   timeout);
PACER_AVAILABLE_IN_ALL
JsonObject      *pacer_shared_json_read          (PacerSharedJson         *self,
                                                  GError                 **error);
PACER_AVAILABLE_IN_ALL
gboolean         pacer_shared_json_update        (PacerSharedJson         *self,
                                                  JsonObject              *updates,
                                                  GError                 **error);
PACER_AVAILABLE_IN_ALL
gboolean         pacer_shared_json_edit          (PacerSharedJson         *self,
                                                  PacerSharedJsonEditFunc  func,
                                                  gpointer                 user_data,
                                                  GError                 **error);

G_END_DECLS
