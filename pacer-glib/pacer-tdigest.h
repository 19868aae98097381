/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PACER_TYPE_TDIGEST:
 *
 * The [alias@GObject.Type] of [struct@Pacer.TDigest].
 *
 * Since: 1.0
 */
#define PACER_TYPE_TDIGEST (pacer_tdigest_get_type ())

typedef struct _PacerTDigest PacerTDigest;

PACER_AVAILABLE_IN_ALL
GType         pacer_tdigest_get_type          (void);
PACER_AVAILABLE_IN_ALL
PacerTDigest *pacer_tdigest_new               (double               compression);
PACER_AVAILABLE_IN_ALL
PacerTDigest *pacer_tdigest_new_from_json     (JsonNode            *node,
                                               GError             **error);
PACER_AVAILABLE_IN_ALL
PacerTDigest *pacer_tdigest_copy              (const PacerTDigest  *self);
PACER_AVAILABLE_IN_ALL
void          pacer_tdigest_free              (PacerTDigest        *self);
PACER_AVAILABLE_IN_ALL
void          pacer_tdigest_add               (PacerTDigest        *self,
                                               double               value);
PACER_AVAILABLE_IN_ALL
void          pacer_tdigest_add_weighted      (PacerTDigest        *self,
                                               double               value,
                                               double               weight);
PACER_AVAILABLE_IN_ALL
void          pacer_tdigest_merge             (PacerTDigest        *self,
                                               const PacerTDigest  *other);
PACER_AVAILABLE_IN_ALL
double        pacer_tdigest_quantile          (PacerTDigest        *self,
                                               double               q);
PACER_AVAILABLE_IN_ALL
guint64       pacer_tdigest_get_count         (const PacerTDigest  *self);
PACER_AVAILABLE_IN_ALL
double        pacer_tdigest_get_min           (const PacerTDigest  *self);
PACER_AVAILABLE_IN_ALL
double        pacer_tdigest_get_max           (const PacerTDigest  *self);
PACER_AVAILABLE_IN_ALL
double        pacer_tdigest_get_mean          (const PacerTDigest  *self);
PACER_AVAILABLE_IN_ALL
double        pacer_tdigest_get_sum           (const PacerTDigest  *self);
PACER_AVAILABLE_IN_ALL
double        pacer_tdigest_get_compression   (const PacerTDigest  *self);
PACER_AVAILABLE_IN_ALL
JsonNode     *pacer_tdigest_to_json           (PacerTDigest        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerTDigest, pacer_tdigest_free)

G_END_DECLS
