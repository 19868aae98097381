/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

#define PACER_TYPE_DURATION_HISTORY (pacer_duration_history_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerDurationHistory, pacer_duration_history, PACER, DURATION_HISTORY, GObject)

PACER_AVAILABLE_IN_ALL
PacerDurationHistory *pacer_duration_history_new          (const char            *file);
PACER_AVAILABLE_IN_ALL
char                 *pacer_duration_history_default_file (const char            *cache_dir);
PACER_AVAILABLE_IN_ALL
const char           *pacer_duration_history_get_file     (PacerDurationHistory  *self);
PACER_AVAILABLE_IN_ALL
gboolean              pacer_duration_history_load         (PacerDurationHistory  *self,
                                                           GError               **error);
PACER_AVAILABLE_IN_ALL
gboolean              pacer_duration_history_save         (PacerDurationHistory  *self,
                                                           GError               **error);
PACER_AVAILABLE_IN_ALL
double                pacer_duration_history_lookup       (PacerDurationHistory  *self,
                                                           const char            *program,
                                                           const char            *path);
PACER_AVAILABLE_IN_ALL
void                  pacer_duration_history_record       (PacerDurationHistory  *self,
                                                           const char            *program,
                                                           const char            *path,
                                                           double                 duration);

PACER_AVAILABLE_IN_ALL
void                  pacer_duration_history_set_order_dependent (PacerDurationHistory *self,
                                                                  const char           *program,
                                                                  gboolean              order_dependent);
PACER_AVAILABLE_IN_ALL
gboolean              pacer_duration_history_get_order_dependent (PacerDurationHistory *self,
                                                                  const char           *program);

G_END_DECLS
