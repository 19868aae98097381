/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <pacer-glib/pacer-store.h>

G_BEGIN_DECLS

#define PACER_TYPE_FILE_STORE (pacer_file_store_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerFileStore, pacer_file_store, PACER, FILE_STORE, GObject)

PACER_AVAILABLE_IN_ALL
PacerFileStore *pacer_file_store_new           (const char     *data_file,
                                                const char     *lock_file);
PACER_AVAILABLE_IN_ALL
const char     *pacer_file_store_get_data_file (PacerFileStore *self);
PACER_AVAILABLE_IN_ALL
const char     *pacer_file_store_get_lock_file (PacerFileStore *self);

G_END_DECLS
