/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerEvent:
 *
 * What a [class@Pacer.TokenBucket] tells its signal handlers.
 *
 * Every event carries the bucket and a snapshot of its shared state as it was
 * right after the call that raised the event; the subclasses add what their
 * signal is about: [class@Pacer.DriftEvent], [class@Pacer.MaxCallsEvent] and
 * [class@Pacer.PeriodicCheckEvent]. Events are immutable.
 *
 * ```c
 * static void
 * on_drift (PacerTokenBucket *bucket, PacerDriftEvent *event, gpointer user_data)
 * {
 *   g_message ("%s runs at %.0f calls/h instead of %.0f",
 *              pacer_event_get_limiter_id (PACER_EVENT (event)),
 *              pacer_drift_event_get_current_rate (event),
 *              pacer_drift_event_get_target_rate (event));
 * }
 * ```
 *
 * Since: 1.0
 */

/**
 * PacerDriftEvent:
 *
 * Raised when the rate achieved over a recent window strays from the target
 * by more than [property@Pacer.TokenBucket:max-drift].
 *
 * It comes with [signal@Pacer.TokenBucket::drift], at every check while the
 * rate stays off, so a handler sees the rate drift and recover.
 *
 * ```c
 * static void
 * on_drift (PacerTokenBucket *bucket, PacerDriftEvent *event, gpointer user_data)
 * {
 *   g_warning ("pacing drifts by %.0f %% (at most %.0f %% allowed)",
 *              100 * pacer_drift_event_get_drift (event),
 *              100 * pacer_drift_event_get_max_drift (event));
 * }
 *
 * g_signal_connect (bucket, "drift", G_CALLBACK (on_drift), NULL);
 * ```
 *
 * Since: 1.0
 */

/**
 * PacerMaxCallsEvent:
 *
 * Raised once, by the call that reaches [property@Pacer.TokenBucket:max-calls].
 *
 * It comes with [signal@Pacer.TokenBucket::max-calls] in the process that
 * made that call, whichever it is; the calls after it go through unless
 * [property@Pacer.TokenBucket:refuse-over-max-calls] is set.
 *
 * ```c
 * static void
 * on_max_calls (PacerTokenBucket *bucket, PacerMaxCallsEvent *event, gpointer user_data)
 * {
 *   g_message ("%s: the %" G_GINT64_FORMAT " calls budgeted are spent",
 *              pacer_event_get_limiter_id (PACER_EVENT (event)),
 *              pacer_max_calls_event_get_max_calls (event));
 * }
 *
 * pacer_token_bucket_set_max_calls (bucket, 1000);
 * g_signal_connect (bucket, "max-calls", G_CALLBACK (on_max_calls), NULL);
 * ```
 *
 * Since: 1.0
 */

/**
 * PacerPeriodicCheckEvent:
 *
 * Metrics merged from every process that uses the bucket, raised every
 * [property@Pacer.TokenBucket:num-calls-between-checks] calls.
 *
 * Rates are in calls per hour, durations and waits in seconds. Values that are
 * not known yet are NaN: quantiles until 10 calls have completed, drift until
 * [property@Pacer.TokenBucket:seconds-before-first-check] have passed.
 *
 * ```c
 * static void
 * on_periodic_check (PacerTokenBucket *bucket, PacerPeriodicCheckEvent *event, gpointer user_data)
 * {
 *   double ratio = pacer_periodic_check_event_get_wait_ratio (event);
 *
 *   if (!isnan (ratio))
 *     g_message ("%.1f calls/s over the last minute, p99 %.1f ms, %s",
 *                pacer_periodic_check_event_get_windowed_rate (event, 60) / 3600,
 *                1000 * pacer_periodic_check_event_get_duration_p99 (event),
 *                ratio > 1 ? "the pacer holds calls back" : "the service is the bottleneck");
 * }
 *
 * g_signal_connect (bucket, "periodic-check", G_CALLBACK (on_periodic_check), NULL);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <math.h>

#include "pacer-event-private.h"

typedef struct
{
  PacerTokenBucket *limiter;
  JsonObject *snapshot;
  gint64 call_count;
  gint64 exceptions;
  double start_time;
  double elapsed_time;
} PacerEventPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PacerEvent, pacer_event, G_TYPE_OBJECT)

enum {
  EVENT_PROP_0,
  EVENT_PROP_LIMITER_ID,
  EVENT_PROP_LIMITER,
  EVENT_PROP_STATE_SNAPSHOT,
  EVENT_PROP_CALL_COUNT,
  EVENT_PROP_EXCEPTIONS,
  EVENT_PROP_START_TIME,
  EVENT_PROP_ELAPSED_TIME,
  EVENT_N_PROPS
};

static GParamSpec *event_properties[EVENT_N_PROPS];

#define READABLE (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)

static GParamSpec *
double_pspec (const char *name)
{
  return g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, READABLE);
}

static void
set_common (PacerEvent             *self,
            const PacerEventCommon *common)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  priv->limiter = g_object_ref (common->limiter);
  priv->snapshot = common->snapshot != NULL ? json_object_ref (common->snapshot) : json_object_new ();
  priv->call_count = common->call_count;
  priv->exceptions = common->exceptions;
  priv->start_time = common->start_time;
  priv->elapsed_time = common->elapsed_time;
}

static void
pacer_event_finalize (GObject *object)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (PACER_EVENT (object));

  g_clear_object (&priv->limiter);
  g_clear_pointer (&priv->snapshot, json_object_unref);

  G_OBJECT_CLASS (pacer_event_parent_class)->finalize (object);
}

static void
pacer_event_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PacerEvent *self = PACER_EVENT (object);
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  switch (prop_id)
    {
    case EVENT_PROP_LIMITER_ID:
      g_value_set_string (value, pacer_event_get_limiter_id (self));
      break;
    case EVENT_PROP_LIMITER:
      g_value_set_object (value, priv->limiter);
      break;
    case EVENT_PROP_STATE_SNAPSHOT:
      g_value_set_boxed (value, priv->snapshot);
      break;
    case EVENT_PROP_CALL_COUNT:
      g_value_set_int64 (value, priv->call_count);
      break;
    case EVENT_PROP_EXCEPTIONS:
      g_value_set_int64 (value, priv->exceptions);
      break;
    case EVENT_PROP_START_TIME:
      g_value_set_double (value, priv->start_time);
      break;
    case EVENT_PROP_ELAPSED_TIME:
      g_value_set_double (value, priv->elapsed_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_event_class_init (PacerEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pacer_event_finalize;
  object_class->get_property = pacer_event_get_property;

  /**
   * PacerEvent:limiter-id:
   *
   * The id of the bucket that raised the event.
   *
   * Since: 1.0
   */
  event_properties[EVENT_PROP_LIMITER_ID] =
    g_param_spec_string ("limiter-id", NULL, NULL, NULL, READABLE);

  /**
   * PacerEvent:limiter:
   *
   * The bucket that raised the event.
   *
   * Since: 1.0
   */
  event_properties[EVENT_PROP_LIMITER] =
    g_param_spec_object ("limiter", NULL, NULL, PACER_TYPE_TOKEN_BUCKET, READABLE);

  /**
   * PacerEvent:state-snapshot:
   *
   * The shared state right after the call that raised the event. Do not
   * change it.
   *
   * Since: 1.0
   */
  event_properties[EVENT_PROP_STATE_SNAPSHOT] =
    g_param_spec_boxed ("state-snapshot", NULL, NULL, JSON_TYPE_OBJECT, READABLE);

  /**
   * PacerEvent:call-count:
   *
   * Calls made by every process, this one included.
   *
   * Since: 1.0
   */
  event_properties[EVENT_PROP_CALL_COUNT] =
    g_param_spec_int64 ("call-count", NULL, NULL, 0, G_MAXINT64, 0, READABLE);

  /**
   * PacerEvent:exceptions:
   *
   * Calls completed as failed so far, by every process.
   *
   * Since: 1.0
   */
  event_properties[EVENT_PROP_EXCEPTIONS] =
    g_param_spec_int64 ("exceptions", NULL, NULL, 0, G_MAXINT64, 0, READABLE);

  /**
   * PacerEvent:start-time:
   *
   * When the first call was let through, in Unix seconds.
   *
   * Since: 1.0
   */
  event_properties[EVENT_PROP_START_TIME] = double_pspec ("start-time");

  /**
   * PacerEvent:elapsed-time:
   *
   * Seconds from the first call to the call that raised the event.
   *
   * Since: 1.0
   */
  event_properties[EVENT_PROP_ELAPSED_TIME] = double_pspec ("elapsed-time");

  g_object_class_install_properties (object_class, EVENT_N_PROPS, event_properties);
}

static void
pacer_event_init (PacerEvent *self)
{
}

/**
 * pacer_event_get_limiter_id:
 * @self: an event
 *
 * Gets [property@Pacer.Event:limiter-id].
 *
 * Returns: (transfer none): the bucket's id
 *
 * Since: 1.0
 */
const char *
pacer_event_get_limiter_id (PacerEvent *self)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  g_return_val_if_fail (PACER_IS_EVENT (self), NULL);

  return pacer_token_bucket_get_id (priv->limiter);
}

/**
 * pacer_event_get_limiter:
 * @self: an event
 *
 * Gets [property@Pacer.Event:limiter].
 *
 * Returns: (transfer none): the bucket
 *
 * Since: 1.0
 */
PacerTokenBucket *
pacer_event_get_limiter (PacerEvent *self)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  g_return_val_if_fail (PACER_IS_EVENT (self), NULL);

  return priv->limiter;
}

/**
 * pacer_event_get_state_snapshot:
 * @self: an event
 *
 * Gets [property@Pacer.Event:state-snapshot].
 *
 * Returns: (transfer none): the shared state; do not change it
 *
 * Since: 1.0
 */
JsonObject *
pacer_event_get_state_snapshot (PacerEvent *self)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  g_return_val_if_fail (PACER_IS_EVENT (self), NULL);

  return priv->snapshot;
}

/**
 * pacer_event_get_call_count:
 * @self: an event
 *
 * Gets [property@Pacer.Event:call-count].
 *
 * Returns: the number of calls
 *
 * Since: 1.0
 */
gint64
pacer_event_get_call_count (PacerEvent *self)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  g_return_val_if_fail (PACER_IS_EVENT (self), 0);

  return priv->call_count;
}

/**
 * pacer_event_get_exceptions:
 * @self: an event
 *
 * Gets [property@Pacer.Event:exceptions].
 *
 * Returns: the number of failed calls
 *
 * Since: 1.0
 */
gint64
pacer_event_get_exceptions (PacerEvent *self)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  g_return_val_if_fail (PACER_IS_EVENT (self), 0);

  return priv->exceptions;
}

/**
 * pacer_event_get_start_time:
 * @self: an event
 *
 * Gets [property@Pacer.Event:start-time].
 *
 * Returns: Unix seconds
 *
 * Since: 1.0
 */
double
pacer_event_get_start_time (PacerEvent *self)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  g_return_val_if_fail (PACER_IS_EVENT (self), 0);

  return priv->start_time;
}

/**
 * pacer_event_get_elapsed_time:
 * @self: an event
 *
 * Gets [property@Pacer.Event:elapsed-time].
 *
 * Returns: seconds since the first call
 *
 * Since: 1.0
 */
double
pacer_event_get_elapsed_time (PacerEvent *self)
{
  PacerEventPrivate *priv = pacer_event_get_instance_private (self);

  g_return_val_if_fail (PACER_IS_EVENT (self), 0);

  return priv->elapsed_time;
}

/* Drift */

struct _PacerDriftEvent
{
  PacerEvent parent_instance;

  double current_rate;
  double target_rate;
  double drift;
  double max_drift;
};

G_DEFINE_FINAL_TYPE (PacerDriftEvent, pacer_drift_event, PACER_TYPE_EVENT)

enum {
  DRIFT_PROP_0,
  DRIFT_PROP_CURRENT_RATE,
  DRIFT_PROP_TARGET_RATE,
  DRIFT_PROP_DRIFT,
  DRIFT_PROP_MAX_DRIFT,
  DRIFT_N_PROPS
};

static GParamSpec *drift_properties[DRIFT_N_PROPS];

static void
pacer_drift_event_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PacerDriftEvent *self = PACER_DRIFT_EVENT (object);

  switch (prop_id)
    {
    case DRIFT_PROP_CURRENT_RATE:
      g_value_set_double (value, self->current_rate);
      break;
    case DRIFT_PROP_TARGET_RATE:
      g_value_set_double (value, self->target_rate);
      break;
    case DRIFT_PROP_DRIFT:
      g_value_set_double (value, self->drift);
      break;
    case DRIFT_PROP_MAX_DRIFT:
      g_value_set_double (value, self->max_drift);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_drift_event_class_init (PacerDriftEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pacer_drift_event_get_property;

  /**
   * PacerDriftEvent:current-rate:
   *
   * The rate achieved by every process together over the last
   * [property@Pacer.TokenBucket:seconds-before-first-check], in calls per hour.
   *
   * Since: 1.0
   */
  drift_properties[DRIFT_PROP_CURRENT_RATE] = double_pspec ("current-rate");

  /**
   * PacerDriftEvent:target-rate:
   *
   * The rate paced at, in calls per hour.
   *
   * Since: 1.0
   */
  drift_properties[DRIFT_PROP_TARGET_RATE] = double_pspec ("target-rate");

  /**
   * PacerDriftEvent:drift:
   *
   * How far the current rate is from the target, as a fraction of the target.
   *
   * Since: 1.0
   */
  drift_properties[DRIFT_PROP_DRIFT] = double_pspec ("drift");

  /**
   * PacerDriftEvent:max-drift:
   *
   * The bucket's [property@Pacer.TokenBucket:max-drift].
   *
   * Since: 1.0
   */
  drift_properties[DRIFT_PROP_MAX_DRIFT] = double_pspec ("max-drift");

  g_object_class_install_properties (object_class, DRIFT_N_PROPS, drift_properties);
}

static void
pacer_drift_event_init (PacerDriftEvent *self)
{
}

PacerEvent *
_pacer_drift_event_new (const PacerEventCommon *common,
                        double                  current_rate,
                        double                  target_rate,
                        double                  drift,
                        double                  max_drift)
{
  PacerDriftEvent *self = g_object_new (PACER_TYPE_DRIFT_EVENT, NULL);

  set_common (PACER_EVENT (self), common);
  self->current_rate = current_rate;
  self->target_rate = target_rate;
  self->drift = drift;
  self->max_drift = max_drift;
  return PACER_EVENT (self);
}

/**
 * pacer_drift_event_get_current_rate:
 * @self: a drift event
 *
 * Gets [property@Pacer.DriftEvent:current-rate].
 *
 * Returns: calls per hour
 *
 * Since: 1.0
 */
double
pacer_drift_event_get_current_rate (PacerDriftEvent *self)
{
  g_return_val_if_fail (PACER_IS_DRIFT_EVENT (self), 0);
  return self->current_rate;
}

/**
 * pacer_drift_event_get_target_rate:
 * @self: a drift event
 *
 * Gets [property@Pacer.DriftEvent:target-rate].
 *
 * Returns: calls per hour
 *
 * Since: 1.0
 */
double
pacer_drift_event_get_target_rate (PacerDriftEvent *self)
{
  g_return_val_if_fail (PACER_IS_DRIFT_EVENT (self), 0);
  return self->target_rate;
}

/**
 * pacer_drift_event_get_drift:
 * @self: a drift event
 *
 * Gets [property@Pacer.DriftEvent:drift].
 *
 * Returns: the drift, as a fraction of the target rate
 *
 * Since: 1.0
 */
double
pacer_drift_event_get_drift (PacerDriftEvent *self)
{
  g_return_val_if_fail (PACER_IS_DRIFT_EVENT (self), 0);
  return self->drift;
}

/**
 * pacer_drift_event_get_max_drift:
 * @self: a drift event
 *
 * Gets [property@Pacer.DriftEvent:max-drift].
 *
 * Returns: the allowed drift
 *
 * Since: 1.0
 */
double
pacer_drift_event_get_max_drift (PacerDriftEvent *self)
{
  g_return_val_if_fail (PACER_IS_DRIFT_EVENT (self), 0);
  return self->max_drift;
}

/* Max calls */

struct _PacerMaxCallsEvent
{
  PacerEvent parent_instance;

  gint64 max_calls;
};

G_DEFINE_FINAL_TYPE (PacerMaxCallsEvent, pacer_max_calls_event, PACER_TYPE_EVENT)

enum {
  MAX_CALLS_PROP_0,
  MAX_CALLS_PROP_MAX_CALLS,
  MAX_CALLS_N_PROPS
};

static GParamSpec *max_calls_properties[MAX_CALLS_N_PROPS];

static void
pacer_max_calls_event_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PacerMaxCallsEvent *self = PACER_MAX_CALLS_EVENT (object);

  switch (prop_id)
    {
    case MAX_CALLS_PROP_MAX_CALLS:
      g_value_set_int64 (value, self->max_calls);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_max_calls_event_class_init (PacerMaxCallsEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pacer_max_calls_event_get_property;

  /**
   * PacerMaxCallsEvent:max-calls:
   *
   * The bucket's [property@Pacer.TokenBucket:max-calls].
   *
   * Since: 1.0
   */
  max_calls_properties[MAX_CALLS_PROP_MAX_CALLS] =
    g_param_spec_int64 ("max-calls", NULL, NULL, -1, G_MAXINT64, -1, READABLE);

  g_object_class_install_properties (object_class, MAX_CALLS_N_PROPS, max_calls_properties);
}

static void
pacer_max_calls_event_init (PacerMaxCallsEvent *self)
{
}

PacerEvent *
_pacer_max_calls_event_new (const PacerEventCommon *common,
                            gint64                  max_calls)
{
  PacerMaxCallsEvent *self = g_object_new (PACER_TYPE_MAX_CALLS_EVENT, NULL);

  set_common (PACER_EVENT (self), common);
  self->max_calls = max_calls;
  return PACER_EVENT (self);
}

/**
 * pacer_max_calls_event_get_max_calls:
 * @self: a max-calls event
 *
 * Gets [property@Pacer.MaxCallsEvent:max-calls].
 *
 * Returns: the limit that was reached
 *
 * Since: 1.0
 */
gint64
pacer_max_calls_event_get_max_calls (PacerMaxCallsEvent *self)
{
  g_return_val_if_fail (PACER_IS_MAX_CALLS_EVENT (self), -1);
  return self->max_calls;
}

/* Periodic check */

struct _PacerPeriodicCheckEvent
{
  PacerEvent parent_instance;

  guint worker_count;
  PacerTDigest *durations;
  PacerTDigest *waits;
  double duration_q[3];
  double wait_q[3];
  GVariant *windowed_rates;
  guint64 sample_count;
  double target_rate;
  double current_rate;
  double drift;
};

G_DEFINE_FINAL_TYPE (PacerPeriodicCheckEvent, pacer_periodic_check_event, PACER_TYPE_EVENT)

enum {
  CHECK_PROP_0,
  CHECK_PROP_WORKER_COUNT,
  CHECK_PROP_DURATION_DIGEST,
  CHECK_PROP_WAIT_DIGEST,
  CHECK_PROP_DURATION_P50,
  CHECK_PROP_DURATION_P90,
  CHECK_PROP_DURATION_P99,
  CHECK_PROP_WAIT_P50,
  CHECK_PROP_WAIT_P90,
  CHECK_PROP_WAIT_P99,
  CHECK_PROP_WAIT_RATIO,
  CHECK_PROP_WINDOWED_RATES,
  CHECK_PROP_SAMPLE_COUNT,
  CHECK_PROP_TARGET_RATE,
  CHECK_PROP_CURRENT_RATE,
  CHECK_PROP_DRIFT,
  CHECK_N_PROPS
};

static GParamSpec *check_properties[CHECK_N_PROPS];

static void
pacer_periodic_check_event_finalize (GObject *object)
{
  PacerPeriodicCheckEvent *self = PACER_PERIODIC_CHECK_EVENT (object);

  g_clear_pointer (&self->durations, pacer_tdigest_free);
  g_clear_pointer (&self->waits, pacer_tdigest_free);
  g_clear_pointer (&self->windowed_rates, g_variant_unref);

  G_OBJECT_CLASS (pacer_periodic_check_event_parent_class)->finalize (object);
}

static void
pacer_periodic_check_event_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  PacerPeriodicCheckEvent *self = PACER_PERIODIC_CHECK_EVENT (object);

  switch (prop_id)
    {
    case CHECK_PROP_WORKER_COUNT:
      g_value_set_uint (value, self->worker_count);
      break;
    case CHECK_PROP_DURATION_DIGEST:
      g_value_set_boxed (value, self->durations);
      break;
    case CHECK_PROP_WAIT_DIGEST:
      g_value_set_boxed (value, self->waits);
      break;
    case CHECK_PROP_DURATION_P50:
    case CHECK_PROP_DURATION_P90:
    case CHECK_PROP_DURATION_P99:
      g_value_set_double (value, self->duration_q[prop_id - CHECK_PROP_DURATION_P50]);
      break;
    case CHECK_PROP_WAIT_P50:
    case CHECK_PROP_WAIT_P90:
    case CHECK_PROP_WAIT_P99:
      g_value_set_double (value, self->wait_q[prop_id - CHECK_PROP_WAIT_P50]);
      break;
    case CHECK_PROP_WAIT_RATIO:
      g_value_set_double (value, pacer_periodic_check_event_get_wait_ratio (self));
      break;
    case CHECK_PROP_WINDOWED_RATES:
      g_value_set_variant (value, self->windowed_rates);
      break;
    case CHECK_PROP_SAMPLE_COUNT:
      g_value_set_uint64 (value, self->sample_count);
      break;
    case CHECK_PROP_TARGET_RATE:
      g_value_set_double (value, self->target_rate);
      break;
    case CHECK_PROP_CURRENT_RATE:
      g_value_set_double (value, self->current_rate);
      break;
    case CHECK_PROP_DRIFT:
      g_value_set_double (value, self->drift);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_periodic_check_event_class_init (PacerPeriodicCheckEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pacer_periodic_check_event_finalize;
  object_class->get_property = pacer_periodic_check_event_get_property;

  /**
   * PacerPeriodicCheckEvent:worker-count:
   *
   * The number of workers in the run, as [func@Pacer.worker_get_count] says.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_WORKER_COUNT] =
    g_param_spec_uint ("worker-count", NULL, NULL, 1, G_MAXUINT, 1, READABLE);

  /**
   * PacerPeriodicCheckEvent:duration-digest:
   *
   * How long completed calls took, from the end of the wait to
   * [method@Pacer.Call.complete], merged over every process; `NULL` until 10
   * calls have completed.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_DURATION_DIGEST] =
    g_param_spec_boxed ("duration-digest", NULL, NULL, PACER_TYPE_TDIGEST, READABLE);

  /**
   * PacerPeriodicCheckEvent:wait-digest:
   *
   * How long calls waited to be let through, merged over every process;
   * `NULL` until 10 calls have completed.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_WAIT_DIGEST] =
    g_param_spec_boxed ("wait-digest", NULL, NULL, PACER_TYPE_TDIGEST, READABLE);

  /**
   * PacerPeriodicCheckEvent:duration-p50:
   *
   * The median duration in seconds, or NaN without a duration digest.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_DURATION_P50] = double_pspec ("duration-p50");

  /**
   * PacerPeriodicCheckEvent:duration-p90:
   *
   * The 90th percentile of durations in seconds, or NaN.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_DURATION_P90] = double_pspec ("duration-p90");

  /**
   * PacerPeriodicCheckEvent:duration-p99:
   *
   * The 99th percentile of durations in seconds, or NaN.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_DURATION_P99] = double_pspec ("duration-p99");

  /**
   * PacerPeriodicCheckEvent:wait-p50:
   *
   * The median wait in seconds, or NaN without a wait digest.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_WAIT_P50] = double_pspec ("wait-p50");

  /**
   * PacerPeriodicCheckEvent:wait-p90:
   *
   * The 90th percentile of waits in seconds, or NaN.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_WAIT_P90] = double_pspec ("wait-p90");

  /**
   * PacerPeriodicCheckEvent:wait-p99:
   *
   * The 99th percentile of waits in seconds, or NaN.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_WAIT_P99] = double_pspec ("wait-p99");

  /**
   * PacerPeriodicCheckEvent:wait-ratio:
   *
   * The median wait over the median duration, or NaN. Below 0.1 the calls
   * spend ten times longer in the system under test than waiting: that system
   * is the bottleneck. Above 1 the pacer holds the calls back, and the system
   * could take a higher rate.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_WAIT_RATIO] = double_pspec ("wait-ratio");

  /**
   * PacerPeriodicCheckEvent:windowed-rates:
   *
   * For each of [property@Pacer.TokenBucket:rate-windows], the rate of every
   * process together over that many seconds before the call, in calls per
   * hour, as a dictionary of type `a{ud}`. Until a window has elapsed since
   * the first call its rate covers the time since the first call.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_WINDOWED_RATES] =
    g_param_spec_variant ("windowed-rates", NULL, NULL, G_VARIANT_TYPE ("a{ud}"), NULL, READABLE);

  /**
   * PacerPeriodicCheckEvent:sample-count:
   *
   * The number of completed calls in the duration digest.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_SAMPLE_COUNT] =
    g_param_spec_uint64 ("sample-count", NULL, NULL, 0, G_MAXUINT64, 0, READABLE);

  /**
   * PacerPeriodicCheckEvent:target-rate:
   *
   * The rate paced at, in calls per hour.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_TARGET_RATE] = double_pspec ("target-rate");

  /**
   * PacerPeriodicCheckEvent:current-rate:
   *
   * The rate over the drift window (see [class@Pacer.DriftEvent]), in calls
   * per hour, or NaN.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_CURRENT_RATE] = double_pspec ("current-rate");

  /**
   * PacerPeriodicCheckEvent:drift:
   *
   * The drift as a fraction of the target rate, or NaN before
   * [property@Pacer.TokenBucket:seconds-before-first-check] have passed.
   *
   * Since: 1.0
   */
  check_properties[CHECK_PROP_DRIFT] = double_pspec ("drift");

  g_object_class_install_properties (object_class, CHECK_N_PROPS, check_properties);
}

static void
pacer_periodic_check_event_init (PacerPeriodicCheckEvent *self)
{
}

static void
fill_quantiles (PacerTDigest *digest,
                double        q[3])
{
  q[0] = digest != NULL ? pacer_tdigest_quantile (digest, 0.5) : NAN;
  q[1] = digest != NULL ? pacer_tdigest_quantile (digest, 0.9) : NAN;
  q[2] = digest != NULL ? pacer_tdigest_quantile (digest, 0.99) : NAN;
}

PacerEvent *
_pacer_periodic_check_event_new (const PacerEventCommon *common,
                                 guint                   worker_count,
                                 PacerTDigest           *durations,
                                 PacerTDigest           *waits,
                                 guint64                 sample_count,
                                 GVariant               *windowed_rates,
                                 double                  target_rate,
                                 double                  current_rate,
                                 double                  drift)
{
  PacerPeriodicCheckEvent *self = g_object_new (PACER_TYPE_PERIODIC_CHECK_EVENT, NULL);

  set_common (PACER_EVENT (self), common);
  self->worker_count = MAX (worker_count, 1);
  self->durations = durations;
  self->waits = waits;
  self->sample_count = sample_count;
  fill_quantiles (durations, self->duration_q);
  fill_quantiles (waits, self->wait_q);
  self->windowed_rates = g_variant_ref_sink (windowed_rates);
  self->target_rate = target_rate;
  self->current_rate = current_rate;
  self->drift = drift;
  return PACER_EVENT (self);
}

/**
 * pacer_periodic_check_event_get_worker_count:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:worker-count].
 *
 * Returns: the number of workers
 *
 * Since: 1.0
 */
guint
pacer_periodic_check_event_get_worker_count (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), 1);
  return self->worker_count;
}

/**
 * pacer_periodic_check_event_get_duration_digest:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:duration-digest].
 *
 * Returns: (transfer none) (nullable): the digest of durations
 *
 * Since: 1.0
 */
PacerTDigest *
pacer_periodic_check_event_get_duration_digest (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NULL);
  return self->durations;
}

/**
 * pacer_periodic_check_event_get_wait_digest:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:wait-digest].
 *
 * Returns: (transfer none) (nullable): the digest of waits
 *
 * Since: 1.0
 */
PacerTDigest *
pacer_periodic_check_event_get_wait_digest (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NULL);
  return self->waits;
}

/**
 * pacer_periodic_check_event_get_duration_p50:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:duration-p50].
 *
 * Returns: seconds, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_duration_p50 (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->duration_q[0];
}

/**
 * pacer_periodic_check_event_get_duration_p90:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:duration-p90].
 *
 * Returns: seconds, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_duration_p90 (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->duration_q[1];
}

/**
 * pacer_periodic_check_event_get_duration_p99:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:duration-p99].
 *
 * Returns: seconds, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_duration_p99 (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->duration_q[2];
}

/**
 * pacer_periodic_check_event_get_wait_p50:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:wait-p50].
 *
 * Returns: seconds, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_wait_p50 (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->wait_q[0];
}

/**
 * pacer_periodic_check_event_get_wait_p90:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:wait-p90].
 *
 * Returns: seconds, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_wait_p90 (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->wait_q[1];
}

/**
 * pacer_periodic_check_event_get_wait_p99:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:wait-p99].
 *
 * Returns: seconds, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_wait_p99 (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->wait_q[2];
}

/**
 * pacer_periodic_check_event_get_wait_ratio:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:wait-ratio].
 *
 * Returns: the median wait over the median duration, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_wait_ratio (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);

  if (isnan (self->wait_q[0]) || isnan (self->duration_q[0]) || self->duration_q[0] <= 0)
    return NAN;
  return self->wait_q[0] / self->duration_q[0];
}

/**
 * pacer_periodic_check_event_get_windowed_rates:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:windowed-rates].
 *
 * Returns: (transfer none): an `a{ud}` dictionary from window seconds to
 *   calls per hour
 *
 * Since: 1.0
 */
GVariant *
pacer_periodic_check_event_get_windowed_rates (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NULL);
  return self->windowed_rates;
}

/**
 * pacer_periodic_check_event_get_windowed_rate:
 * @self: a periodic check
 * @window: one of the bucket's rate windows, in seconds
 *
 * Looks up one entry of [property@Pacer.PeriodicCheckEvent:windowed-rates].
 *
 * Returns: calls per hour over @window, or NaN if @window is not one of the
 *   bucket's windows
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_windowed_rate (PacerPeriodicCheckEvent *self,
                                              guint                    window)
{
  GVariantIter iter;
  guint32 key;
  double rate;

  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);

  g_variant_iter_init (&iter, self->windowed_rates);
  while (g_variant_iter_next (&iter, "{ud}", &key, &rate))
    if (key == window)
      return rate;
  return NAN;
}

/**
 * pacer_periodic_check_event_get_sample_count:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:sample-count].
 *
 * Returns: the number of completed calls measured
 *
 * Since: 1.0
 */
guint64
pacer_periodic_check_event_get_sample_count (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), 0);
  return self->sample_count;
}

/**
 * pacer_periodic_check_event_get_target_rate:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:target-rate].
 *
 * Returns: calls per hour
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_target_rate (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), 0);
  return self->target_rate;
}

/**
 * pacer_periodic_check_event_get_current_rate:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:current-rate].
 *
 * Returns: calls per hour, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_current_rate (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->current_rate;
}

/**
 * pacer_periodic_check_event_get_drift:
 * @self: a periodic check
 *
 * Gets [property@Pacer.PeriodicCheckEvent:drift].
 *
 * Returns: the drift as a fraction of the target rate, or NaN
 *
 * Since: 1.0
 */
double
pacer_periodic_check_event_get_drift (PacerPeriodicCheckEvent *self)
{
  g_return_val_if_fail (PACER_IS_PERIODIC_CHECK_EVENT (self), NAN);
  return self->drift;
}
