/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What one token bucket object measures in this process: digests of its
 * calls' durations and waits, and the recent (slot time, call count) points
 * its windowed rates come from. The digests are written as the object's own
 * part of its store, at most once a second, and merged with every other
 * process's part at a periodic check. Nothing here locks: the bucket calls
 * it with its mutex held. Times are Unix µs on the bucket's clock. */

#include "pacer-shared-json.h"
#include "pacer-tdigest.h"

G_BEGIN_DECLS

typedef struct _PacerBucketMetrics PacerBucketMetrics;

PacerBucketMetrics *_pacer_bucket_metrics_new           (PacerSharedJson     *shared_json);
void                _pacer_bucket_metrics_free          (PacerBucketMetrics  *self);

void                _pacer_bucket_metrics_add_wait      (PacerBucketMetrics  *self,
                                                         double               seconds);
void                _pacer_bucket_metrics_add_duration  (PacerBucketMetrics  *self,
                                                         double               seconds);
void                _pacer_bucket_metrics_observe       (PacerBucketMetrics  *self,
                                                         gint64               time,
                                                         gint64               count,
                                                         guint                longest_window);
double              _pacer_bucket_metrics_windowed_rate (PacerBucketMetrics  *self,
                                                         gint64               now,
                                                         gint64               count,
                                                         gint64               start_time,
                                                         double               window);

void                _pacer_bucket_metrics_flush         (PacerBucketMetrics  *self,
                                                         gint64               now);
void                _pacer_bucket_metrics_maybe_flush   (PacerBucketMetrics  *self,
                                                         gint64               now);
void                _pacer_bucket_metrics_merge         (PacerBucketMetrics  *self,
                                                         PacerTDigest       **durations,
                                                         PacerTDigest       **waits);

G_END_DECLS
