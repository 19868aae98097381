/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "pacer-call-private.h"
#include "pacer-token-bucket-private.h"

#define USEC_PER_SEC 1000000.0

struct _PacerCall
{
  GObject parent_instance;

  PacerTokenBucket *bucket;
  double calls_per_hour;
  gint64 call_count;
  gint64 exceptions;
  gint64 start_time;
  gint64 slot;     /* the instant reserved for it */
  double seconds_waited;
  gint64 started;  /* when the call was let through */
  gboolean completed;
};

/**
 * PacerCall:
 *
 * One call let through by a [class@Pacer.TokenBucket].
 *
 * It says when the call's slot was, how long it waited and what the bucket
 * knew then (its rate, the calls and failures so far). Complete it with
 * [method@Pacer.Call.complete] when the work it paced is done, so the
 * bucket's metrics know how long the work took and whether it failed; a
 * call dropped without that counts as succeeded.
 *
 * ```c
 * g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, 5.0, NULL, &error);
 *
 * if (call == NULL)
 *   return FALSE;
 * ok = call_the_service (&error);
 * pacer_call_complete (call, ok);
 * ```
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (PacerCall, pacer_call, G_TYPE_OBJECT)

enum {
  CALL_PROP_0,
  CALL_PROP_ID,
  CALL_PROP_CALLS_PER_HOUR,
  CALL_PROP_CALL_COUNT,
  CALL_PROP_EXCEPTIONS,
  CALL_PROP_START_TIME,
  CALL_PROP_SLOT_TIME,
  CALL_PROP_SECONDS_WAITED,
  CALL_N_PROPS
};

static GParamSpec *call_properties[CALL_N_PROPS];

static void
pacer_call_dispose (GObject *object)
{
  PacerCall *call = PACER_CALL (object);

  if (!call->completed && call->bucket != NULL)
    pacer_call_complete (call, TRUE);

  G_OBJECT_CLASS (pacer_call_parent_class)->dispose (object);
}

static void
pacer_call_finalize (GObject *object)
{
  PacerCall *call = PACER_CALL (object);

  g_clear_object (&call->bucket);

  G_OBJECT_CLASS (pacer_call_parent_class)->finalize (object);
}

static void
pacer_call_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PacerCall *call = PACER_CALL (object);

  switch (prop_id)
    {
    case CALL_PROP_ID:
      g_value_set_string (value, pacer_call_get_id (call));
      break;
    case CALL_PROP_CALLS_PER_HOUR:
      g_value_set_double (value, call->calls_per_hour);
      break;
    case CALL_PROP_CALL_COUNT:
      g_value_set_int64 (value, call->call_count);
      break;
    case CALL_PROP_EXCEPTIONS:
      g_value_set_int64 (value, call->exceptions);
      break;
    case CALL_PROP_START_TIME:
      g_value_set_double (value, pacer_call_get_start_time (call));
      break;
    case CALL_PROP_SLOT_TIME:
      g_value_set_double (value, pacer_call_get_slot_time (call));
      break;
    case CALL_PROP_SECONDS_WAITED:
      g_value_set_double (value, call->seconds_waited);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_call_class_init (PacerCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pacer_call_dispose;
  object_class->finalize = pacer_call_finalize;
  object_class->get_property = pacer_call_get_property;

  /**
   * PacerCall:id:
   *
   * The id of the bucket that let the call through.
   *
   * Since: 1.0
   */
  call_properties[CALL_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerCall:calls-per-hour:
   *
   * The rate the call was paced at, in calls per hour.
   *
   * Since: 1.0
   */
  call_properties[CALL_PROP_CALLS_PER_HOUR] =
    g_param_spec_double ("calls-per-hour", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerCall:call-count:
   *
   * Calls let through by every process, this one included.
   *
   * Since: 1.0
   */
  call_properties[CALL_PROP_CALL_COUNT] =
    g_param_spec_int64 ("call-count", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerCall:exceptions:
   *
   * Calls completed as failed, by every process, when this call was let
   * through.
   *
   * Since: 1.0
   */
  call_properties[CALL_PROP_EXCEPTIONS] =
    g_param_spec_int64 ("exceptions", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerCall:start-time:
   *
   * When the bucket's first call was let through, in Unix seconds.
   *
   * Since: 1.0
   */
  call_properties[CALL_PROP_START_TIME] =
    g_param_spec_double ("start-time", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerCall:slot-time:
   *
   * The instant the bucket reserved for this call, in Unix seconds.
   *
   * Slots are what the bucket guarantees: with a burst capacity of 1 they
   * lie on a grid one interval apart across every process (a caller back
   * less than half an interval late is let through at once and keeps the
   * grid), and no window of a second holds more than the rate plus the
   * burst capacity. When the
   * call's process actually runs after its slot is up to the system: on a
   * loaded machine a caller woken late can land next to the following one.
   *
   * Since: 1.0
   */
  call_properties[CALL_PROP_SLOT_TIME] =
    g_param_spec_double ("slot-time", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerCall:seconds-waited:
   *
   * How long the call waited, measured from the start of the acquire to the
   * moment it returned.
   *
   * Since: 1.0
   */
  call_properties[CALL_PROP_SECONDS_WAITED] =
    g_param_spec_double ("seconds-waited", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, CALL_N_PROPS, call_properties);
}

static void
pacer_call_init (PacerCall *call)
{
}

/**
 * pacer_call_get_id:
 * @call: a call
 *
 * Gets [property@Pacer.Call:id].
 *
 * Returns: (transfer none): the bucket's id
 *
 * Since: 1.0
 */
const char *
pacer_call_get_id (PacerCall *call)
{
  g_return_val_if_fail (PACER_IS_CALL (call), NULL);

  return pacer_token_bucket_get_id (call->bucket);
}

/**
 * pacer_call_get_calls_per_hour:
 * @call: a call
 *
 * Gets [property@Pacer.Call:calls-per-hour].
 *
 * Returns: calls per hour
 *
 * Since: 1.0
 */
double
pacer_call_get_calls_per_hour (PacerCall *call)
{
  g_return_val_if_fail (PACER_IS_CALL (call), 0);

  return call->calls_per_hour;
}

/**
 * pacer_call_get_call_count:
 * @call: a call
 *
 * Gets [property@Pacer.Call:call-count].
 *
 * Returns: the number of calls so far
 *
 * Since: 1.0
 */
gint64
pacer_call_get_call_count (PacerCall *call)
{
  g_return_val_if_fail (PACER_IS_CALL (call), 0);

  return call->call_count;
}

/**
 * pacer_call_get_exceptions:
 * @call: a call
 *
 * Gets [property@Pacer.Call:exceptions].
 *
 * Returns: the number of failed calls so far
 *
 * Since: 1.0
 */
gint64
pacer_call_get_exceptions (PacerCall *call)
{
  g_return_val_if_fail (PACER_IS_CALL (call), 0);

  return call->exceptions;
}

/**
 * pacer_call_get_start_time:
 * @call: a call
 *
 * Gets [property@Pacer.Call:start-time].
 *
 * Returns: Unix seconds
 *
 * Since: 1.0
 */
double
pacer_call_get_start_time (PacerCall *call)
{
  g_return_val_if_fail (PACER_IS_CALL (call), 0);

  return call->start_time / USEC_PER_SEC;
}

/**
 * pacer_call_get_slot_time:
 * @call: a call
 *
 * Gets [property@Pacer.Call:slot-time].
 *
 * Returns: Unix seconds
 *
 * Since: 1.0
 */
double
pacer_call_get_slot_time (PacerCall *call)
{
  g_return_val_if_fail (PACER_IS_CALL (call), 0);

  return call->slot / USEC_PER_SEC;
}

/**
 * pacer_call_get_seconds_waited:
 * @call: a call
 *
 * Gets [property@Pacer.Call:seconds-waited].
 *
 * Returns: seconds
 *
 * Since: 1.0
 */
double
pacer_call_get_seconds_waited (PacerCall *call)
{
  g_return_val_if_fail (PACER_IS_CALL (call), 0);

  return call->seconds_waited;
}

/* Called by the bucket once the call's slot has come. */
PacerCall *
_pacer_call_new (PacerTokenBucket *bucket,
                 double            calls_per_hour,
                 gint64            call_count,
                 gint64            exceptions,
                 gint64            start_time,
                 gint64            slot,
                 double            seconds_waited,
                 gint64            started)
{
  PacerCall *call = g_object_new (PACER_TYPE_CALL, NULL);

  call->bucket = g_object_ref (bucket);
  call->calls_per_hour = calls_per_hour;
  call->call_count = call_count;
  call->exceptions = exceptions;
  call->start_time = start_time;
  call->slot = slot;
  call->seconds_waited = seconds_waited;
  call->started = started;
  return call;
}

/**
 * pacer_call_complete:
 * @call: a call
 * @succeeded: `FALSE` if the call's work failed
 *
 * Ends the call: its duration, from the end of its wait until now, joins
 * the metrics, and a failed call counts one more exception in the shared
 * state. A call released without being completed counts as succeeded.
 * Completing a call twice does nothing the second time.
 *
 * Since: 1.0
 */
void
pacer_call_complete (PacerCall *call,
                     gboolean   succeeded)
{
  g_return_if_fail (PACER_IS_CALL (call));

  if (call->completed)
    return;
  call->completed = TRUE;
  _pacer_token_bucket_complete_call (call->bucket, call->started, succeeded);
}
