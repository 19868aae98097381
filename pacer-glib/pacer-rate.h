/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

#define PACER_TYPE_RATE (pacer_rate_get_type ())

typedef struct _PacerRate PacerRate;

PACER_AVAILABLE_IN_ALL
GType      pacer_rate_get_type                (void);
PACER_AVAILABLE_IN_ALL
PacerRate *pacer_rate_new_per_second          (double            calls,
                                               GError          **error);
PACER_AVAILABLE_IN_ALL
PacerRate *pacer_rate_new_per_minute          (double            calls,
                                               GError          **error);
PACER_AVAILABLE_IN_ALL
PacerRate *pacer_rate_new_per_hour            (double            calls,
                                               GError          **error);
PACER_AVAILABLE_IN_ALL
PacerRate *pacer_rate_new_per_day             (double            calls,
                                               GError          **error);
PACER_AVAILABLE_IN_ALL
PacerRate *pacer_rate_parse                   (const char       *text,
                                               GError          **error);
PACER_AVAILABLE_IN_ALL
PacerRate *pacer_rate_copy                    (const PacerRate  *self);
PACER_AVAILABLE_IN_ALL
void       pacer_rate_free                    (PacerRate        *self);
PACER_AVAILABLE_IN_ALL
double     pacer_rate_get_calls_per_second    (const PacerRate  *self);
PACER_AVAILABLE_IN_ALL
double     pacer_rate_get_calls_per_hour      (const PacerRate  *self);
PACER_AVAILABLE_IN_ALL
double     pacer_rate_get_interval            (const PacerRate  *self);
PACER_AVAILABLE_IN_ALL
gboolean   pacer_rate_equal                   (const PacerRate  *a,
                                               const PacerRate  *b);
PACER_AVAILABLE_IN_ALL
char      *pacer_rate_to_string               (const PacerRate  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerRate, pacer_rate_free)

G_END_DECLS
