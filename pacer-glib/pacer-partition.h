/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PacerPartitionKind:
 * @PACER_PARTITION_KIND_SLICE: every Nth test in listing order, starting
 *   with the Kth.
 * @PACER_PARTITION_KIND_HASH: the tests whose stable hash of program name
 *   and path falls in bin K: a test stays in its partition when others are
 *   added or removed.
 * @PACER_PARTITION_KIND_DURATION: bins balanced by the duration history,
 *   longest test first into the least loaded bin; tests without a history
 *   are placed by hash.
 *
 * How [property@Pacer.Runner:partition] splits a suite over machines.
 *
 * Since: 1.0
 */
typedef enum {
  PACER_PARTITION_KIND_SLICE,
  PACER_PARTITION_KIND_HASH,
  PACER_PARTITION_KIND_DURATION,
} PacerPartitionKind;

PACER_AVAILABLE_IN_ALL
gboolean pacer_partition_parse (const char          *spec,
                                PacerPartitionKind  *kind,
                                guint               *index,
                                guint               *total,
                                GError             **error);

G_END_DECLS
