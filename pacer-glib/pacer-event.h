/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include <pacer-glib/pacer-tdigest.h>
#include <pacer-glib/pacer-token-bucket.h>
#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PACER_TYPE_EVENT:
 *
 * The [alias@GObject.Type] of [class@Pacer.Event].
 *
 * Since: 1.0
 */
#define PACER_TYPE_EVENT (pacer_event_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (PacerEvent, pacer_event, PACER, EVENT, GObject)

/**
 * PacerEventClass:
 * @parent_class: the parent class
 *
 * The class of [class@Pacer.Event].
 *
 * Since: 1.0
 */
struct _PacerEventClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer _reserved[8];
};

/**
 * PACER_TYPE_DRIFT_EVENT:
 *
 * The [alias@GObject.Type] of [class@Pacer.DriftEvent].
 *
 * Since: 1.0
 */
#define PACER_TYPE_DRIFT_EVENT (pacer_drift_event_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerDriftEvent, pacer_drift_event, PACER, DRIFT_EVENT, PacerEvent)

/**
 * PACER_TYPE_MAX_CALLS_EVENT:
 *
 * The [alias@GObject.Type] of [class@Pacer.MaxCallsEvent].
 *
 * Since: 1.0
 */
#define PACER_TYPE_MAX_CALLS_EVENT (pacer_max_calls_event_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerMaxCallsEvent, pacer_max_calls_event, PACER, MAX_CALLS_EVENT, PacerEvent)

/**
 * PACER_TYPE_PERIODIC_CHECK_EVENT:
 *
 * The [alias@GObject.Type] of [class@Pacer.PeriodicCheckEvent].
 *
 * Since: 1.0
 */
#define PACER_TYPE_PERIODIC_CHECK_EVENT (pacer_periodic_check_event_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerPeriodicCheckEvent, pacer_periodic_check_event, PACER, PERIODIC_CHECK_EVENT, PacerEvent)

PACER_AVAILABLE_IN_ALL
const char       *pacer_event_get_limiter_id                   (PacerEvent              *self);
PACER_AVAILABLE_IN_ALL
PacerTokenBucket *pacer_event_get_limiter                      (PacerEvent              *self);
PACER_AVAILABLE_IN_ALL
JsonObject       *pacer_event_get_state_snapshot               (PacerEvent              *self);
PACER_AVAILABLE_IN_ALL
gint64            pacer_event_get_call_count                   (PacerEvent              *self);
PACER_AVAILABLE_IN_ALL
gint64            pacer_event_get_exceptions                   (PacerEvent              *self);
PACER_AVAILABLE_IN_ALL
double            pacer_event_get_start_time                   (PacerEvent              *self);
PACER_AVAILABLE_IN_ALL
double            pacer_event_get_elapsed_time                 (PacerEvent              *self);

PACER_AVAILABLE_IN_ALL
double            pacer_drift_event_get_current_rate           (PacerDriftEvent         *self);
PACER_AVAILABLE_IN_ALL
double            pacer_drift_event_get_target_rate            (PacerDriftEvent         *self);
PACER_AVAILABLE_IN_ALL
double            pacer_drift_event_get_drift                  (PacerDriftEvent         *self);
PACER_AVAILABLE_IN_ALL
double            pacer_drift_event_get_max_drift              (PacerDriftEvent         *self);

PACER_AVAILABLE_IN_ALL
gint64            pacer_max_calls_event_get_max_calls          (PacerMaxCallsEvent      *self);

PACER_AVAILABLE_IN_ALL
guint             pacer_periodic_check_event_get_worker_count  (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
PacerTDigest     *pacer_periodic_check_event_get_duration_digest (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
PacerTDigest     *pacer_periodic_check_event_get_wait_digest   (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_duration_p50  (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_duration_p90  (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_duration_p99  (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_wait_p50      (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_wait_p90      (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_wait_p99      (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_wait_ratio    (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
GVariant         *pacer_periodic_check_event_get_windowed_rates (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_windowed_rate (PacerPeriodicCheckEvent *self,
                                                                guint                    window);
PACER_AVAILABLE_IN_ALL
guint64           pacer_periodic_check_event_get_sample_count  (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_target_rate   (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_current_rate  (PacerPeriodicCheckEvent *self);
PACER_AVAILABLE_IN_ALL
double            pacer_periodic_check_event_get_drift         (PacerPeriodicCheckEvent *self);

G_END_DECLS
