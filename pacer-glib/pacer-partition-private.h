/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-partition.h"

G_BEGIN_DECLS

/* One test as the partitioner sees it: what names it on every machine
 * (the program's basename, not where it was built) and what it cost. */
typedef struct
{
  const char *program;  /* basename */
  const char *path;
  double duration;      /* seconds, < 0 when unknown */
} PacerPartitionItem;

guint64   _pacer_partition_hash   (const char               *program,
                                   const char               *path);
gboolean *_pacer_partition_select (PacerPartitionKind        kind,
                                   guint                     index,
                                   guint                     total,
                                   const PacerPartitionItem *items,
                                   guint                     n_items);

G_END_DECLS
