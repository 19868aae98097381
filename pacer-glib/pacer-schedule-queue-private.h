/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pending tests as the schedulers other than load keep them: a GArray of
 * PacerQueueItem, and the one way to cut a batch from its head, so every
 * scheduler respects the same batch rules (one program, ALONE alone). */

#include "pacer-scheduler.h"

G_BEGIN_DECLS

typedef struct
{
  guint test;
  PacerScheduleFlags flags;
  const char *program;  /* interned */
  double expected;      /* seconds, or -1 if unknown */
} PacerQueueItem;

GArray *_pacer_queue_new            (void);
void    _pacer_queue_insert_sorted  (GArray               *queue,
                                     const PacerQueueItem *item);
void    _pacer_queue_prepend        (GArray               *queue,
                                     const PacerQueueItem *item);
GArray *_pacer_queue_take_batch     (GArray               *queue,
                                     guint                 max_tests);
void    _pacer_queue_drain          (GArray               *queue,
                                     GArray               *into);
double  _pacer_queue_seconds        (GArray               *queue,
                                     guint                 from,
                                     double                unknown);

G_END_DECLS
