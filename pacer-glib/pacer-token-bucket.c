/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerTokenBucket:
 *
 * Paces calls so that every process of a run together keeps to one rate.
 *
 * The bucket keeps a theoretical arrival time (GCRA, virtual scheduling) in a
 * [class@Pacer.SharedJson]. Each call takes the lock once, reserves the next
 * free slot, releases the lock and then waits for its slot, so the rate holds
 * however many processes, threads or main loops call, and however long each
 * call's own work takes. A call whose slot lies beyond its timeout reserves
 * nothing and fails at once with `PACER_ERROR_TIMEOUT`.
 *
 * [property@Pacer.TokenBucket:burst-capacity] is 1 by default: calls are
 * spread evenly and no second ever holds more than the rate plus one call.
 * pytest-xdist-rate-limit lets six minutes of calls through at once by
 * default, which is no pacing at all for a service with a per-second limit;
 * raise the burst only for a service that allows bursts.
 *
 * The shared state holds a few integers (times in microseconds) and never
 * grows. Durations and waits are measured in each process, written to a small
 * file per process beside the shared state at most once a second, and merged
 * from every process at each periodic check.
 *
 * The rate is [property@Pacer.TokenBucket:rate], or what the function given to
 * [method@Pacer.TokenBucket.set_rate_func] returns; it is read at every call,
 * so a change paces the very next call.
 *
 * ```c
 * g_autoptr(PacerRate) rate = pacer_rate_new_per_second (10, NULL);
 * g_autoptr(PacerTokenBucket) bucket = pacer_token_bucket_new ("api", rate);
 * g_autoptr(GError) error = NULL;
 * g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, 5.0, NULL, &error);
 *
 * if (call == NULL)
 *   g_error ("%s", error->message);
 * pacer_call_complete (call, do_the_request ());
 * ```
 *
 * ## Signals and threads
 *
 * [signal@Pacer.TokenBucket::max-calls], [signal@Pacer.TokenBucket::drift]
 * and [signal@Pacer.TokenBucket::periodic-check] are emitted by the call that
 * raised them, after its slot is reserved and before it waits: for
 * [method@Pacer.TokenBucket.acquire] in the thread that called it, for
 * [method@Pacer.TokenBucket.acquire_async] in the thread-default main context
 * it was called in. Checks run in the process whose call count is a multiple
 * of [property@Pacer.TokenBucket:num-calls-between-checks]; no event is built
 * when no handler is connected.
 *
 * Drift is measured over the last
 * [property@Pacer.TokenBucket:seconds-before-first-check] seconds (at least
 * one), not since the first call, so a rate that recovers stops drifting.
 *
 * Since: 1.0
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-bucket-metrics-private.h"
#include "pacer-call-private.h"
#include "pacer-error.h"
#include "pacer-event-private.h"
#include "pacer-gcra-private.h"
#include "pacer-glib-private.h"
#include "pacer-store-private.h"
#ifdef HAVE_HIREDIS
#include "pacer-redis-gcra-private.h"
#endif
#include "pacer-tdigest.h"
#include "pacer-token-bucket-private.h"
#include "pacer-worker.h"

#define USEC_PER_SEC 1000000.0
#define MIN_DIGEST_SAMPLES 10

struct _PacerTokenBucket
{
  GObject parent_instance;

  PacerSharedJson *shared_json;

  GMutex mutex;  /* guards everything below */

  /* On Redis: this clock minus the server's, the smallest seen lately. */
  gint64 server_offset;
  gint64 server_offset_at;   /* when it was seen, on this clock; 0: never */

  PacerRate *rate;
  PacerRateFunc rate_func;
  gpointer rate_data;
  GDestroyNotify rate_destroy;
  double max_drift;
  guint num_calls_between_checks;
  double seconds_before_first_check;
  guint burst_capacity;
  gint64 max_calls;
  gboolean refuse_over_max_calls;
  GArray *rate_windows;  /* guint, seconds */
  PacerClock clock;

  PacerBucketMetrics *metrics;  /* set once constructed */
};

/* One call's trip through the shared state. */
typedef struct
{
  PacerTokenBucket *self;
  /* in */
  gint64 interval;
  gint64 tolerance;
  double calls_per_hour;
  double timeout;
  gint64 max_calls;
  gboolean refuse;
  gint64 begun;
  /* out */
  gboolean had_tat;
  gint64 tat_before;
  gint64 tat_after;
  gint64 now;
  gint64 slot;
  gint64 start_time;
  gint64 call_count;
  gint64 exceptions;
  gboolean reached_max_calls;
  JsonObject *snapshot;
  GError *error;
} Reservation;

enum {
  PROP_0,
  PROP_SHARED_JSON,
  PROP_ID,
  PROP_RATE,
  PROP_MAX_DRIFT,
  PROP_NUM_CALLS_BETWEEN_CHECKS,
  PROP_SECONDS_BEFORE_FIRST_CHECK,
  PROP_BURST_CAPACITY,
  PROP_MAX_CALLS,
  PROP_REFUSE_OVER_MAX_CALLS,
  PROP_RATE_WINDOWS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_DRIFT,
  SIGNAL_MAX_CALLS,
  SIGNAL_PERIODIC_CHECK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PacerTokenBucket, pacer_token_bucket, G_TYPE_OBJECT)

static const guint default_rate_windows[] = { 60, 300, 900 };

/* The real clock */

static gint64
real_now (gpointer user_data)
{
  return g_get_real_time ();
}

static gboolean
real_sleep_until (gint64        until,
                  GCancellable *cancellable,
                  gpointer      user_data)
{
  GPollFD pollfd;
  gboolean can_poll;

  can_poll = cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pollfd);

  for (;;)
    {
      gint64 remaining = until - g_get_real_time ();
      struct timespec ts;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (remaining <= 0)
        break;

      if (!can_poll)
        {
          g_usleep (remaining);
          continue;
        }

      ts.tv_sec = remaining / G_USEC_PER_SEC;
      ts.tv_nsec = (remaining % G_USEC_PER_SEC) * 1000;
      {
        struct pollfd pfd = { pollfd.fd, POLLIN, 0 };

        if (ppoll (&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
          g_usleep (remaining);
      }
    }

  if (can_poll)
    g_cancellable_release_fd (cancellable);

  return !g_cancellable_is_cancelled (cancellable);
}

static const PacerClock real_clock = { real_now, real_sleep_until, NULL };

static gint64
clock_now (PacerTokenBucket *self)
{
  return self->clock.now (self->clock.user_data);
}

/* The longest window a rate is measured over, in seconds. Called with the
 * mutex held. */
static guint
longest_window_locked (PacerTokenBucket *self)
{
  guint longest = 1;

  for (guint i = 0; i < self->rate_windows->len; i++)
    longest = MAX (longest, g_array_index (self->rate_windows, guint, i));
  return MAX (longest, (guint) ceil (self->seconds_before_first_check));
}

/* The shared state */

static gboolean
reserve_slot (JsonObject *data,
              gpointer    user_data)
{
  Reservation *r = user_data;
  PacerTokenBucket *self = r->self;
  gint64 count = json_object_get_int_member_with_default (data, "call_count", 0);
  PacerGcraStep step;

  /* An edit may run again on a newer object (on Redis, or another lock-free store): start clean. */
  g_clear_pointer (&r->snapshot, json_object_unref);
  r->reached_max_calls = FALSE;
  r->now = clock_now (self);

  if (r->max_calls > 0 && r->refuse && count >= r->max_calls)
    {
      g_set_error (&r->error, PACER_ERROR, PACER_ERROR_LIMIT_REACHED,
                   /* %lld rather than G_GINT64_FORMAT: xgettext cannot see through GLib's macro. */
                   ngettext ("Pacer “%s” has let through its maximum of %lld call",
                             "Pacer “%s” has let through its maximum of %lld calls",
                             (gulong) r->max_calls),
                   pacer_shared_json_get_name (self->shared_json), (long long) r->max_calls);
      return FALSE;
    }

  r->had_tat = json_object_has_member (data, "tat_us");
  r->tat_before = json_object_get_int_member_with_default (data, "tat_us", r->now);
  _pacer_gcra_step (r->had_tat, r->tat_before, r->now, r->interval, r->tolerance,
                    r->timeout, &step);
  r->slot = step.slot;

  if (!step.accepted)
    {
      g_set_error (&r->error, PACER_ERROR, PACER_ERROR_TIMEOUT,
                   _("Pacer “%s”: the timeout of %g s is too short; the call would need to wait %.6f s"),
                   pacer_shared_json_get_name (self->shared_json), r->timeout,
                   step.wait / USEC_PER_SEC);
      return FALSE;
    }

  r->tat_after = step.tat_after;
  r->call_count = count + 1;
  json_object_set_int_member (data, "tat_us", r->tat_after);
  json_object_set_int_member (data, "call_count", r->call_count);
  if (count == 0 || !json_object_has_member (data, "start_time_us"))
    json_object_set_int_member (data, "start_time_us", r->slot);
  r->start_time = json_object_get_int_member (data, "start_time_us");
  r->exceptions = json_object_get_int_member_with_default (data, "exceptions", 0);

  if (r->max_calls > 0 && r->call_count >= r->max_calls &&
      !json_object_get_boolean_member_with_default (data, "max_calls_reached", FALSE))
    {
      json_object_set_boolean_member (data, "max_calls_reached", TRUE);
      r->reached_max_calls = TRUE;
    }

  r->snapshot = json_object_ref (data);
  return TRUE;
}

/* Undoes a reservation, if no other call has reserved a slot after it. */
static gboolean
give_back_slot (JsonObject *data,
                gpointer    user_data)
{
  Reservation *r = user_data;

  if (json_object_get_int_member_with_default (data, "tat_us", 0) != r->tat_after ||
      json_object_get_int_member_with_default (data, "call_count", 0) != r->call_count)
    return FALSE;

  if (r->had_tat)
    json_object_set_int_member (data, "tat_us", r->tat_before);
  else
    json_object_remove_member (data, "tat_us");
  json_object_set_int_member (data, "call_count", r->call_count - 1);
  if (r->call_count == 1)
    json_object_remove_member (data, "start_time_us");
  if (r->reached_max_calls)
    json_object_set_boolean_member (data, "max_calls_reached", FALSE);
  return TRUE;
}

static gboolean
count_exception (JsonObject *data,
                 gpointer    user_data)
{
  json_object_set_int_member (data, "exceptions",
                              json_object_get_int_member_with_default (data, "exceptions", 0) + 1);
  return TRUE;
}

static void
reservation_clear (Reservation *r)
{
  g_clear_pointer (&r->snapshot, json_object_unref);
  g_clear_error (&r->error);
}

/* Reads the settings and the rate for one call. Runs in the calling thread,
 * so a rate function is only ever called where acquire was called. */
static gboolean
prepare_reservation (PacerTokenBucket  *self,
                     double             timeout,
                     Reservation       *r,
                     GError           **error)
{
  g_autoptr(PacerRate) rate = NULL;
  PacerRateFunc rate_func;
  gpointer rate_data;
  double per_second;
  guint burst;

  memset (r, 0, sizeof *r);
  r->self = self;
  r->timeout = timeout < 0 ? -1 : timeout;

  g_mutex_lock (&self->mutex);
  r->begun = clock_now (self);
  r->max_calls = self->max_calls;
  r->refuse = self->refuse_over_max_calls;
  burst = self->burst_capacity;
  rate_func = self->rate_func;
  rate_data = self->rate_data;
  if (rate_func == NULL && self->rate != NULL)
    rate = pacer_rate_copy (self->rate);
  g_mutex_unlock (&self->mutex);

  if (rate_func != NULL)
    {
      rate = rate_func (rate_data);
      if (rate == NULL)
        {
          g_mutex_lock (&self->mutex);
          rate = self->rate != NULL ? pacer_rate_copy (self->rate) : NULL;
          g_mutex_unlock (&self->mutex);
        }
    }

  if (rate == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Pacer “%s” has no rate"), pacer_token_bucket_get_id (self));
      return FALSE;
    }

  per_second = pacer_rate_get_calls_per_second (rate);
  r->calls_per_hour = pacer_rate_get_calls_per_hour (rate);
  r->interval = _pacer_gcra_interval (per_second);
  r->tolerance = _pacer_gcra_tolerance (burst, r->interval);
  return TRUE;
}

#ifdef HAVE_HIREDIS
#define SERVER_OFFSET_LIFETIME (2 * G_USEC_PER_SEC)

/* The step on a Redis store: one script on the server, on the server's clock
 * (see pacer-redis-gcra.c). Its times come back shifted onto this process's
 * clock by the difference between the clocks, so the rest of the bucket
 * (sleeping until the slot, events, windowed rates) works as on a file. The
 * theoretical arrival times stay on the server's clock: only give_back_slot()
 * compares them, with the stored ones. */
static gboolean
reserve_on_server (PacerTokenBucket  *self,
                   Reservation       *r,
                   GError           **error)
{
  PacerStore *store = pacer_shared_json_get_store (self->shared_json);
  PacerRedisGcraRequest request = {
    .interval = r->interval,
    .tolerance = r->tolerance,
    .max_calls = r->max_calls,
    .refuse = r->refuse,
    .timeout_us = r->timeout < 0 ? -1 : (gint64) (r->timeout * USEC_PER_SEC),
  };
  PacerRedisGcraResult result;
  gint64 deadline = r->timeout < 0 ? G_MAXINT64
                    : g_get_monotonic_time () + (gint64) (r->timeout * USEC_PER_SEC);
  g_autofree char *state = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 offset;

  if (!_pacer_redis_gcra_reserve (store, &request, deadline, &result, error))
    return FALSE;
  state = result.state;

  /* The reply may have waited (in the network, or for this process to be
   * scheduled), which makes this sample larger than the clocks' true
   * difference. The smallest sample of the last seconds is the closest to it:
   * slots then land on the server's grid instead of late by each reply's
   * delay, and a descheduled caller does not lose its slot. Older samples are
   * dropped so that clocks drifting apart are followed. */
  r->now = clock_now (self);
  offset = r->now - result.server_now;
  g_mutex_lock (&self->mutex);
  if (self->server_offset_at == 0 || offset <= self->server_offset ||
      r->now - self->server_offset_at > SERVER_OFFSET_LIFETIME)
    {
      self->server_offset = offset;
      self->server_offset_at = r->now;
    }
  offset = self->server_offset;
  g_mutex_unlock (&self->mutex);

  if (result.outcome == PACER_REDIS_GCRA_LIMIT_REACHED)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_LIMIT_REACHED,
                   /* %lld rather than G_GINT64_FORMAT: xgettext cannot see through GLib's macro. */
                   ngettext ("Pacer “%s” has let through its maximum of %lld call",
                             "Pacer “%s” has let through its maximum of %lld calls",
                             (gulong) r->max_calls),
                   pacer_shared_json_get_name (self->shared_json), (long long) r->max_calls);
      return FALSE;
    }
  if (result.outcome == PACER_REDIS_GCRA_TOO_LATE)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT,
                   _("Pacer “%s”: the timeout of %g s is too short; the call would need to wait %.6f s"),
                   pacer_shared_json_get_name (self->shared_json), r->timeout, result.wait / USEC_PER_SEC);
      return FALSE;
    }

  /* A slot is never before the call asked for it, whatever the clocks say. */
  r->slot = MAX (result.slot + offset, r->begun);
  r->start_time = result.start_time + offset;
  r->had_tat = result.had_tat;
  r->tat_before = result.tat_before;
  r->tat_after = result.tat_after;
  r->call_count = result.call_count;
  r->exceptions = result.exceptions;
  r->reached_max_calls = result.reached_max_calls;

  node = json_from_string (state, NULL);
  r->snapshot = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                ? json_object_ref (json_node_get_object (node)) : json_object_new ();
  return TRUE;
}
#endif

static gboolean
reserve (PacerTokenBucket  *self,
         Reservation       *r,
         GError           **error)
{
#ifdef HAVE_HIREDIS
  if (_pacer_store_is_redis (pacer_shared_json_get_store (self->shared_json)))
    return reserve_on_server (self, r, error);
#endif

  if (!pacer_shared_json_edit (self->shared_json, reserve_slot, r, error))
    return FALSE;
  if (r->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&r->error));
      return FALSE;
    }
  return TRUE;
}

static void
give_back (PacerTokenBucket *self,
           Reservation      *r)
{
  g_autoptr(GError) error = NULL;

  if (!pacer_shared_json_edit (self->shared_json, give_back_slot, r, &error))
    g_debug ("Could not give back a cancelled slot of “%s”: %s",
             pacer_token_bucket_get_id (self), error->message);
}

static void
fill_common (PacerTokenBucket *self,
             Reservation      *r,
             PacerEventCommon *common)
{
  common->limiter = self;
  common->snapshot = r->snapshot;
  common->call_count = r->call_count;
  common->exceptions = r->exceptions;
  common->start_time = r->start_time / USEC_PER_SEC;
  common->elapsed_time = (r->slot - r->start_time) / USEC_PER_SEC;
}

/* Records what the reservation saw and raises the events it calls for. Runs
 * in the thread (or main context) of the caller, after the lock is released. */
static void
after_reservation (PacerTokenBucket *self,
                   Reservation      *r)
{
  PacerEventCommon common;
  gboolean check;
  gboolean want_drift;
  gboolean want_periodic;
  double target = r->calls_per_hour;
  double current = NAN;
  double drift = NAN;
  double max_drift;
  g_autoptr(PacerTDigest) durations = NULL;
  g_autoptr(PacerTDigest) waits = NULL;
  g_autoptr(GVariant) windowed = NULL;

  fill_common (self, r, &common);

  if (r->reached_max_calls && g_signal_has_handler_pending (self, signals[SIGNAL_MAX_CALLS], 0, TRUE))
    {
      g_autoptr(PacerEvent) event = _pacer_max_calls_event_new (&common, r->max_calls);

      g_signal_emit (self, signals[SIGNAL_MAX_CALLS], 0, event);
    }

  g_mutex_lock (&self->mutex);
  _pacer_bucket_metrics_observe (self->metrics, r->slot, r->call_count,
                                 longest_window_locked (self));
  check = r->call_count % self->num_calls_between_checks == 0;
  want_drift = check && g_signal_has_handler_pending (self, signals[SIGNAL_DRIFT], 0, TRUE);
  want_periodic = check && g_signal_has_handler_pending (self, signals[SIGNAL_PERIODIC_CHECK], 0, TRUE);
  max_drift = self->max_drift;

  if (want_drift || want_periodic)
    {
      double elapsed = (r->slot - r->start_time) / USEC_PER_SEC;

      if (elapsed >= self->seconds_before_first_check)
        {
          double window = MAX (1.0, self->seconds_before_first_check);

          current = _pacer_bucket_metrics_windowed_rate (self->metrics, r->slot, r->call_count,
                                                         r->start_time, window);
          if (!isnan (current))
            drift = fabs (current - target) / target;
        }
    }

  if (want_periodic)
    {
      GVariantBuilder builder;

      _pacer_bucket_metrics_flush (self->metrics, r->now);
      _pacer_bucket_metrics_merge (self->metrics, &durations, &waits);
      g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ud}"));
      for (guint i = 0; i < self->rate_windows->len; i++)
        {
          guint w = g_array_index (self->rate_windows, guint, i);
          double rate = _pacer_bucket_metrics_windowed_rate (self->metrics, r->slot, r->call_count,
                                                             r->start_time, w);

          g_variant_builder_add (&builder, "{ud}", w, isnan (rate) ? 0.0 : rate);
        }
      windowed = g_variant_ref_sink (g_variant_builder_end (&builder));
    }
  g_mutex_unlock (&self->mutex);

  if (want_drift && !isnan (drift) && drift > max_drift)
    {
      g_autoptr(PacerEvent) event = _pacer_drift_event_new (&common, current, target, drift, max_drift);

      g_signal_emit (self, signals[SIGNAL_DRIFT], 0, event);
    }

  if (want_periodic)
    {
      g_autoptr(PacerEvent) event = NULL;
      guint64 sample_count = pacer_tdigest_get_count (durations);

      if (pacer_tdigest_get_count (durations) < MIN_DIGEST_SAMPLES)
        g_clear_pointer (&durations, pacer_tdigest_free);
      if (pacer_tdigest_get_count (waits) < MIN_DIGEST_SAMPLES)
        g_clear_pointer (&waits, pacer_tdigest_free);

      event = _pacer_periodic_check_event_new (&common, pacer_worker_get_count (),
                                               g_steal_pointer (&durations),
                                               g_steal_pointer (&waits),
                                               sample_count, windowed, target, current, drift);
      g_signal_emit (self, signals[SIGNAL_PERIODIC_CHECK], 0, event);
    }
}

static PacerCall *
call_new (PacerTokenBucket *self,
          Reservation      *r)
{
  gint64 now = clock_now (self);
  double seconds_waited = MAX (0, now - r->begun) / USEC_PER_SEC;

  g_mutex_lock (&self->mutex);
  _pacer_bucket_metrics_add_wait (self->metrics, seconds_waited);
  g_mutex_unlock (&self->mutex);

  return _pacer_call_new (self, r->calls_per_hour, r->call_count, r->exceptions,
                          r->start_time, r->slot, seconds_waited, now);
}

/* GObject */

static void
pacer_token_bucket_constructed (GObject *object)
{
  PacerTokenBucket *self = PACER_TOKEN_BUCKET (object);

  G_OBJECT_CLASS (pacer_token_bucket_parent_class)->constructed (object);

  if (self->shared_json == NULL)
    {
      g_autoptr(PacerStore) store = _pacer_store_new_for_run ("pacer_shared_token_bucket");

      self->shared_json = pacer_shared_json_new_for_store (store, -1);
    }

  self->metrics = _pacer_bucket_metrics_new (self->shared_json);
}

static void
pacer_token_bucket_dispose (GObject *object)
{
  PacerTokenBucket *self = PACER_TOKEN_BUCKET (object);

  g_mutex_lock (&self->mutex);
  if (self->metrics != NULL)
    _pacer_bucket_metrics_flush (self->metrics, clock_now (self));
  g_mutex_unlock (&self->mutex);

  if (self->rate_destroy != NULL)
    self->rate_destroy (self->rate_data);
  self->rate_func = NULL;
  self->rate_data = NULL;
  self->rate_destroy = NULL;

  G_OBJECT_CLASS (pacer_token_bucket_parent_class)->dispose (object);
}

static void
pacer_token_bucket_finalize (GObject *object)
{
  PacerTokenBucket *self = PACER_TOKEN_BUCKET (object);

  g_clear_object (&self->shared_json);
  g_clear_pointer (&self->rate, pacer_rate_free);
  g_clear_pointer (&self->rate_windows, g_array_unref);
  g_clear_pointer (&self->metrics, _pacer_bucket_metrics_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (pacer_token_bucket_parent_class)->finalize (object);
}

static void
pacer_token_bucket_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PacerTokenBucket *self = PACER_TOKEN_BUCKET (object);

  switch (prop_id)
    {
    case PROP_SHARED_JSON:
      g_value_set_object (value, self->shared_json);
      break;
    case PROP_ID:
      g_value_set_string (value, pacer_token_bucket_get_id (self));
      break;
    case PROP_RATE:
      g_value_take_boxed (value, pacer_token_bucket_dup_rate (self));
      break;
    case PROP_MAX_DRIFT:
      g_value_set_double (value, pacer_token_bucket_get_max_drift (self));
      break;
    case PROP_NUM_CALLS_BETWEEN_CHECKS:
      g_value_set_uint (value, pacer_token_bucket_get_num_calls_between_checks (self));
      break;
    case PROP_SECONDS_BEFORE_FIRST_CHECK:
      g_value_set_double (value, pacer_token_bucket_get_seconds_before_first_check (self));
      break;
    case PROP_BURST_CAPACITY:
      g_value_set_uint (value, pacer_token_bucket_get_burst_capacity (self));
      break;
    case PROP_MAX_CALLS:
      g_value_set_int64 (value, pacer_token_bucket_get_max_calls (self));
      break;
    case PROP_REFUSE_OVER_MAX_CALLS:
      g_value_set_boolean (value, pacer_token_bucket_get_refuse_over_max_calls (self));
      break;
    case PROP_RATE_WINDOWS:
      g_value_take_variant (value, pacer_token_bucket_dup_rate_windows (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_token_bucket_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PacerTokenBucket *self = PACER_TOKEN_BUCKET (object);

  switch (prop_id)
    {
    case PROP_SHARED_JSON:
      self->shared_json = g_value_dup_object (value);
      break;
    case PROP_RATE:
      pacer_token_bucket_set_rate (self, g_value_get_boxed (value));
      break;
    case PROP_MAX_DRIFT:
      pacer_token_bucket_set_max_drift (self, g_value_get_double (value));
      break;
    case PROP_NUM_CALLS_BETWEEN_CHECKS:
      pacer_token_bucket_set_num_calls_between_checks (self, g_value_get_uint (value));
      break;
    case PROP_SECONDS_BEFORE_FIRST_CHECK:
      pacer_token_bucket_set_seconds_before_first_check (self, g_value_get_double (value));
      break;
    case PROP_BURST_CAPACITY:
      pacer_token_bucket_set_burst_capacity (self, g_value_get_uint (value));
      break;
    case PROP_MAX_CALLS:
      pacer_token_bucket_set_max_calls (self, g_value_get_int64 (value));
      break;
    case PROP_REFUSE_OVER_MAX_CALLS:
      pacer_token_bucket_set_refuse_over_max_calls (self, g_value_get_boolean (value));
      break;
    case PROP_RATE_WINDOWS:
      {
        GVariant *variant = g_value_get_variant (value);
        gsize n = 0;
        const guint32 *windows = variant != NULL ? g_variant_get_fixed_array (variant, &n, sizeof (guint32)) : NULL;

        pacer_token_bucket_set_rate_windows (self, windows, n);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_token_bucket_class_init (PacerTokenBucketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _pacer_ensure_i18n ();

  object_class->constructed = pacer_token_bucket_constructed;
  object_class->dispose = pacer_token_bucket_dispose;
  object_class->finalize = pacer_token_bucket_finalize;
  object_class->get_property = pacer_token_bucket_get_property;
  object_class->set_property = pacer_token_bucket_set_property;

  /**
   * PacerTokenBucket:shared-json:
   *
   * The shared state the bucket paces by. Every bucket on the same state
   * paces together. When none is given, one named `token_bucket` in
   * [func@Pacer.worker_get_run_dir].
   *
   * Since: 1.0
   */
  properties[PROP_SHARED_JSON] =
    g_param_spec_object ("shared-json", NULL, NULL, PACER_TYPE_SHARED_JSON,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:id:
   *
   * The bucket's id: the name of its shared state.
   *
   * Since: 1.0
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:rate:
   *
   * The rate to pace at, unless a rate function gives another. Changing it
   * paces the next call at the new rate.
   *
   * Since: 1.0
   */
  properties[PROP_RATE] =
    g_param_spec_boxed ("rate", NULL, NULL, PACER_TYPE_RATE,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:max-drift:
   *
   * How far, as a fraction of the target, the recent rate may stray before
   * [signal@Pacer.TokenBucket::drift] is emitted.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_DRIFT] =
    g_param_spec_double ("max-drift", NULL, NULL, 0, 1, 0.1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:num-calls-between-checks:
   *
   * How many calls, of every process together, lie between two drift and
   * periodic checks.
   *
   * Since: 1.0
   */
  properties[PROP_NUM_CALLS_BETWEEN_CHECKS] =
    g_param_spec_uint ("num-calls-between-checks", NULL, NULL, 1, G_MAXUINT, 10,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:seconds-before-first-check:
   *
   * Seconds after the first call before drift is checked; also the length
   * of the recent window drift is measured over (at least one second).
   *
   * Since: 1.0
   */
  properties[PROP_SECONDS_BEFORE_FIRST_CHECK] =
    g_param_spec_double ("seconds-before-first-check", NULL, NULL, 0, G_MAXDOUBLE, 60,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:burst-capacity:
   *
   * How many calls may go through at once after a pause. The default of 1
   * spreads calls evenly, so no second holds more than the rate plus one.
   *
   * Since: 1.0
   */
  properties[PROP_BURST_CAPACITY] =
    g_param_spec_uint ("burst-capacity", NULL, NULL, 1, G_MAXINT, 1,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:max-calls:
   *
   * The number of calls, of every process together, at which
   * [signal@Pacer.TokenBucket::max-calls] is emitted, once; -1 for no limit.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_CALLS] =
    g_param_spec_int64 ("max-calls", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:refuse-over-max-calls:
   *
   * Whether calls after [property@Pacer.TokenBucket:max-calls] fail with
   * `PACER_ERROR_LIMIT_REACHED`. When `FALSE`, the default, the limit is only
   * reported.
   *
   * Since: 1.0
   */
  properties[PROP_REFUSE_OVER_MAX_CALLS] =
    g_param_spec_boolean ("refuse-over-max-calls", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTokenBucket:rate-windows:
   *
   * The windows, in seconds, of
   * [property@Pacer.PeriodicCheckEvent:windowed-rates], as an `au` array;
   * 60, 300 and 900 by default.
   *
   * Since: 1.0
   */
  properties[PROP_RATE_WINDOWS] =
    g_param_spec_variant ("rate-windows", NULL, NULL, G_VARIANT_TYPE ("au"), NULL,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PacerTokenBucket::drift:
   * @self: the bucket
   * @event: what drifted
   *
   * Emitted at a check when the rate of the last
   * [property@Pacer.TokenBucket:seconds-before-first-check] seconds differs
   * from the target by more than [property@Pacer.TokenBucket:max-drift]; see
   * the class description for the thread it is emitted in.
   *
   * Since: 1.0
   */
  signals[SIGNAL_DRIFT] =
    g_signal_new ("drift", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PACER_TYPE_DRIFT_EVENT);

  /**
   * PacerTokenBucket::max-calls:
   * @self: the bucket
   * @event: the limit reached
   *
   * Emitted once, by the call of whichever process reaches
   * [property@Pacer.TokenBucket:max-calls].
   *
   * Since: 1.0
   */
  signals[SIGNAL_MAX_CALLS] =
    g_signal_new ("max-calls", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PACER_TYPE_MAX_CALLS_EVENT);

  /**
   * PacerTokenBucket::periodic-check:
   * @self: the bucket
   * @event: the metrics of every process
   *
   * Emitted every [property@Pacer.TokenBucket:num-calls-between-checks]
   * calls with metrics merged from every process.
   *
   * Since: 1.0
   */
  signals[SIGNAL_PERIODIC_CHECK] =
    g_signal_new ("periodic-check", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PACER_TYPE_PERIODIC_CHECK_EVENT);
}

static void
pacer_token_bucket_init (PacerTokenBucket *self)
{
  g_mutex_init (&self->mutex);
  self->max_drift = 0.1;
  self->num_calls_between_checks = 10;
  self->seconds_before_first_check = 60;
  self->burst_capacity = 1;
  self->max_calls = -1;
  self->rate_windows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_vals (self->rate_windows, default_rate_windows, G_N_ELEMENTS (default_rate_windows));
  self->clock = real_clock;
}

void
_pacer_token_bucket_set_clock (PacerTokenBucket *self,
                               const PacerClock *clock)
{
  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));

  g_mutex_lock (&self->mutex);
  self->clock = clock != NULL ? *clock : real_clock;
  g_mutex_unlock (&self->mutex);
}

/**
 * pacer_token_bucket_new:
 * @name: the bucket's id, usable in a file name
 * @rate: (nullable): the rate to pace at
 *
 * Makes a bucket whose state is `pacer_shared_NAME.json` in
 * [func@Pacer.worker_get_run_dir], or the value `pacer_shared_NAME` in the
 * store `PACER_STORE` names when it is set (see
 * [func@Pacer.Store.new_for_uri]), so every process of the run that makes a
 * bucket of the same name paces with it.
 *
 * Returns: (transfer full): a new bucket
 *
 * Since: 1.0
 */
PacerTokenBucket *
pacer_token_bucket_new (const char      *name,
                        const PacerRate *rate)
{
  g_autofree char *stem = NULL;
  g_autoptr(PacerStore) store = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  g_return_val_if_fail (strchr (name, G_DIR_SEPARATOR) == NULL, NULL);

  stem = g_strdup_printf ("pacer_shared_%s", name);
  store = _pacer_store_new_for_run (stem);
  shared = pacer_shared_json_new_for_store (store, -1);

  return pacer_token_bucket_new_for_shared_json (shared, rate);
}

/**
 * pacer_token_bucket_new_for_shared_json:
 * @shared_json: the state to pace by
 * @rate: (nullable): the rate to pace at
 *
 * Makes a bucket that paces by @shared_json.
 *
 * Returns: (transfer full): a new bucket
 *
 * Since: 1.0
 */
PacerTokenBucket *
pacer_token_bucket_new_for_shared_json (PacerSharedJson *shared_json,
                                        const PacerRate *rate)
{
  g_return_val_if_fail (PACER_IS_SHARED_JSON (shared_json), NULL);

  return g_object_new (PACER_TYPE_TOKEN_BUCKET,
                       "shared-json", shared_json,
                       "rate", rate,
                       NULL);
}

/**
 * pacer_token_bucket_get_id:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:id].
 *
 * Returns: (transfer none): the id
 *
 * Since: 1.0
 */
const char *
pacer_token_bucket_get_id (PacerTokenBucket *self)
{
  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), NULL);

  return pacer_shared_json_get_name (self->shared_json);
}

/**
 * pacer_token_bucket_get_shared_json:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:shared-json].
 *
 * Returns: (transfer none): the shared state
 *
 * Since: 1.0
 */
PacerSharedJson *
pacer_token_bucket_get_shared_json (PacerTokenBucket *self)
{
  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), NULL);

  return self->shared_json;
}

/**
 * pacer_token_bucket_dup_rate:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:rate].
 *
 * Returns: (transfer full) (nullable): a copy of the rate
 *
 * Since: 1.0
 */
PacerRate *
pacer_token_bucket_dup_rate (PacerTokenBucket *self)
{
  PacerRate *rate;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), NULL);

  g_mutex_lock (&self->mutex);
  rate = self->rate != NULL ? pacer_rate_copy (self->rate) : NULL;
  g_mutex_unlock (&self->mutex);
  return rate;
}

/**
 * pacer_token_bucket_set_rate:
 * @self: a bucket
 * @rate: (nullable): the rate to pace at
 *
 * Sets [property@Pacer.TokenBucket:rate]; the next call is paced by it.
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_rate (PacerTokenBucket *self,
                             const PacerRate  *rate)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));

  g_mutex_lock (&self->mutex);
  changed = (rate == NULL) != (self->rate == NULL) ||
            (rate != NULL && !pacer_rate_equal (rate, self->rate));
  if (changed)
    {
      g_clear_pointer (&self->rate, pacer_rate_free);
      self->rate = rate != NULL ? pacer_rate_copy (rate) : NULL;
    }
  g_mutex_unlock (&self->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

/**
 * pacer_token_bucket_set_rate_func:
 * @self: a bucket
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy): gives
 *   the rate at each call, or `NULL` to use [property@Pacer.TokenBucket:rate]
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Makes every call ask @func for the rate to pace at. @func is called in the
 * thread that calls [method@Pacer.TokenBucket.acquire] or
 * [method@Pacer.TokenBucket.acquire_async], never with a lock held.
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_rate_func (PacerTokenBucket *self,
                                  PacerRateFunc     func,
                                  gpointer          user_data,
                                  GDestroyNotify    destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));

  g_mutex_lock (&self->mutex);
  old_destroy = self->rate_destroy;
  old_data = self->rate_data;
  self->rate_func = func;
  self->rate_data = user_data;
  self->rate_destroy = destroy;
  g_mutex_unlock (&self->mutex);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * pacer_token_bucket_get_max_drift:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:max-drift].
 *
 * Returns: the allowed drift, from 0 to 1
 *
 * Since: 1.0
 */
double
pacer_token_bucket_get_max_drift (PacerTokenBucket *self)
{
  double value;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), 0);

  g_mutex_lock (&self->mutex);
  value = self->max_drift;
  g_mutex_unlock (&self->mutex);
  return value;
}

/**
 * pacer_token_bucket_set_max_drift:
 * @self: a bucket
 * @max_drift: the allowed drift, from 0 to 1
 *
 * Sets [property@Pacer.TokenBucket:max-drift].
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_max_drift (PacerTokenBucket *self,
                                  double            max_drift)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));
  g_return_if_fail (max_drift >= 0 && max_drift <= 1);

  g_mutex_lock (&self->mutex);
  changed = self->max_drift != max_drift;
  self->max_drift = max_drift;
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DRIFT]);
}

/**
 * pacer_token_bucket_get_num_calls_between_checks:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:num-calls-between-checks].
 *
 * Returns: calls between two checks
 *
 * Since: 1.0
 */
guint
pacer_token_bucket_get_num_calls_between_checks (PacerTokenBucket *self)
{
  guint value;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), 0);

  g_mutex_lock (&self->mutex);
  value = self->num_calls_between_checks;
  g_mutex_unlock (&self->mutex);
  return value;
}

/**
 * pacer_token_bucket_set_num_calls_between_checks:
 * @self: a bucket
 * @num_calls: calls between two checks, at least 1
 *
 * Sets [property@Pacer.TokenBucket:num-calls-between-checks].
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_num_calls_between_checks (PacerTokenBucket *self,
                                                 guint             num_calls)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));
  g_return_if_fail (num_calls >= 1);

  g_mutex_lock (&self->mutex);
  changed = self->num_calls_between_checks != num_calls;
  self->num_calls_between_checks = num_calls;
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NUM_CALLS_BETWEEN_CHECKS]);
}

/**
 * pacer_token_bucket_get_seconds_before_first_check:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:seconds-before-first-check].
 *
 * Returns: seconds
 *
 * Since: 1.0
 */
double
pacer_token_bucket_get_seconds_before_first_check (PacerTokenBucket *self)
{
  double value;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), 0);

  g_mutex_lock (&self->mutex);
  value = self->seconds_before_first_check;
  g_mutex_unlock (&self->mutex);
  return value;
}

/**
 * pacer_token_bucket_set_seconds_before_first_check:
 * @self: a bucket
 * @seconds: seconds after the first call before drift is checked
 *
 * Sets [property@Pacer.TokenBucket:seconds-before-first-check].
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_seconds_before_first_check (PacerTokenBucket *self,
                                                   double            seconds)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));
  g_return_if_fail (seconds >= 0 && isfinite (seconds));

  g_mutex_lock (&self->mutex);
  changed = self->seconds_before_first_check != seconds;
  self->seconds_before_first_check = seconds;
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_BEFORE_FIRST_CHECK]);
}

/**
 * pacer_token_bucket_get_burst_capacity:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:burst-capacity].
 *
 * Returns: calls that may go through at once
 *
 * Since: 1.0
 */
guint
pacer_token_bucket_get_burst_capacity (PacerTokenBucket *self)
{
  guint value;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), 0);

  g_mutex_lock (&self->mutex);
  value = self->burst_capacity;
  g_mutex_unlock (&self->mutex);
  return value;
}

/**
 * pacer_token_bucket_set_burst_capacity:
 * @self: a bucket
 * @burst_capacity: calls that may go through at once, at least 1
 *
 * Sets [property@Pacer.TokenBucket:burst-capacity].
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_burst_capacity (PacerTokenBucket *self,
                                       guint             burst_capacity)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));
  g_return_if_fail (burst_capacity >= 1 && burst_capacity <= G_MAXINT);

  g_mutex_lock (&self->mutex);
  changed = self->burst_capacity != burst_capacity;
  self->burst_capacity = burst_capacity;
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BURST_CAPACITY]);
}

/**
 * pacer_token_bucket_get_max_calls:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:max-calls].
 *
 * Returns: the limit, or -1
 *
 * Since: 1.0
 */
gint64
pacer_token_bucket_get_max_calls (PacerTokenBucket *self)
{
  gint64 value;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), 0);

  g_mutex_lock (&self->mutex);
  value = self->max_calls;
  g_mutex_unlock (&self->mutex);
  return value;
}

/**
 * pacer_token_bucket_set_max_calls:
 * @self: a bucket
 * @max_calls: the limit, or -1 for none
 *
 * Sets [property@Pacer.TokenBucket:max-calls].
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_max_calls (PacerTokenBucket *self,
                                  gint64            max_calls)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));
  g_return_if_fail (max_calls >= -1);

  g_mutex_lock (&self->mutex);
  changed = self->max_calls != max_calls;
  self->max_calls = max_calls;
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CALLS]);
}

/**
 * pacer_token_bucket_get_refuse_over_max_calls:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:refuse-over-max-calls].
 *
 * Returns: whether calls over the limit fail
 *
 * Since: 1.0
 */
gboolean
pacer_token_bucket_get_refuse_over_max_calls (PacerTokenBucket *self)
{
  gboolean value;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), FALSE);

  g_mutex_lock (&self->mutex);
  value = self->refuse_over_max_calls;
  g_mutex_unlock (&self->mutex);
  return value;
}

/**
 * pacer_token_bucket_set_refuse_over_max_calls:
 * @self: a bucket
 * @refuse: whether calls over the limit fail
 *
 * Sets [property@Pacer.TokenBucket:refuse-over-max-calls].
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_refuse_over_max_calls (PacerTokenBucket *self,
                                              gboolean          refuse)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));

  g_mutex_lock (&self->mutex);
  changed = self->refuse_over_max_calls != refuse;
  self->refuse_over_max_calls = refuse;
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSE_OVER_MAX_CALLS]);
}

/**
 * pacer_token_bucket_dup_rate_windows:
 * @self: a bucket
 *
 * Gets [property@Pacer.TokenBucket:rate-windows].
 *
 * Returns: (transfer full): an `au` array of seconds
 *
 * Since: 1.0
 */
GVariant *
pacer_token_bucket_dup_rate_windows (PacerTokenBucket *self)
{
  GVariant *variant;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), NULL);

  g_mutex_lock (&self->mutex);
  variant = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, self->rate_windows->data,
                                       self->rate_windows->len, sizeof (guint32));
  g_mutex_unlock (&self->mutex);
  return g_variant_ref_sink (variant);
}

/**
 * pacer_token_bucket_set_rate_windows:
 * @self: a bucket
 * @windows: (array length=n_windows) (nullable): windows in seconds, each
 *   greater than zero
 * @n_windows: the number of windows
 *
 * Sets [property@Pacer.TokenBucket:rate-windows]; no windows at all brings
 * back the default of 60, 300 and 900 seconds.
 *
 * Since: 1.0
 */
void
pacer_token_bucket_set_rate_windows (PacerTokenBucket *self,
                                     const guint      *windows,
                                     gsize             n_windows)
{
  gboolean changed;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));
  g_return_if_fail (windows != NULL || n_windows == 0);
  for (gsize i = 0; i < n_windows; i++)
    g_return_if_fail (windows[i] > 0);

  if (n_windows == 0)
    {
      windows = default_rate_windows;
      n_windows = G_N_ELEMENTS (default_rate_windows);
    }

  g_mutex_lock (&self->mutex);
  changed = self->rate_windows->len != n_windows ||
            memcmp (self->rate_windows->data, windows, n_windows * sizeof (guint)) != 0;
  if (changed)
    {
      g_array_set_size (self->rate_windows, 0);
      g_array_append_vals (self->rate_windows, windows, n_windows);
    }
  g_mutex_unlock (&self->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_WINDOWS]);
}

/* Acquiring */

/**
 * pacer_token_bucket_acquire:
 * @self: a bucket
 * @timeout: the longest wait, in seconds, that the call accepts; negative
 *   waits for ever
 * @cancellable: (nullable): cancels the wait
 * @error: return location for a [type@GLib.Error]
 *
 * Reserves the next slot and waits for it. The lock is taken once, briefly;
 * the wait happens without it. If the slot lies more than @timeout seconds
 * ahead, nothing is reserved and the call fails at once with
 * `PACER_ERROR_TIMEOUT`. Cancelling before the reservation reserves nothing;
 * cancelling during the wait gives the slot back unless a later call has
 * already reserved one after it.
 *
 * Complete the returned call with [method@Pacer.Call.complete] once its work
 * is done, so its duration is measured.
 *
 * Returns: (transfer full): the call, once its slot has come, or `NULL` with
 *   `PACER_ERROR_TIMEOUT`, `PACER_ERROR_LIMIT_REACHED` (see
 *   [property@Pacer.TokenBucket:refuse-over-max-calls]), `G_IO_ERROR_CANCELLED`
 *   or an error of the shared state
 *
 * Since: 1.0
 */
PacerCall *
pacer_token_bucket_acquire (PacerTokenBucket  *self,
                            double             timeout,
                            GCancellable      *cancellable,
                            GError           **error)
{
  Reservation r;
  PacerCall *call = NULL;
  gboolean woke;

  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), NULL);
  g_return_val_if_fail (!isnan (timeout), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!prepare_reservation (self, timeout, &r, error))
    return NULL;
  if (!reserve (self, &r, error))
    {
      reservation_clear (&r);
      return NULL;
    }

  after_reservation (self, &r);

  woke = self->clock.sleep_until (r.slot, cancellable, self->clock.user_data);
  if (!woke)
    {
      r.reached_max_calls = FALSE;  /* already reported */
      give_back (self, &r);
      g_cancellable_set_error_if_cancelled (cancellable, error);
    }
  else
    {
      call = call_new (self, &r);
    }

  reservation_clear (&r);
  return call;
}

typedef struct
{
  Reservation r;
  GSource *timeout_source;
  GSource *cancel_source;
} AcquireData;

static void
acquire_data_free (gpointer data)
{
  AcquireData *d = data;

  if (d->timeout_source != NULL)
    {
      g_source_destroy (d->timeout_source);
      g_source_unref (d->timeout_source);
    }
  if (d->cancel_source != NULL)
    {
      g_source_destroy (d->cancel_source);
      g_source_unref (d->cancel_source);
    }
  reservation_clear (&d->r);
  g_free (d);
}

static void
reserve_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  AcquireData *d = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!reserve (source_object, &d->r, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
give_back_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  AcquireData *d = task_data;

  give_back (source_object, &d->r);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Operation was cancelled"));
}

static gboolean
slot_reached (gpointer user_data)
{
  GTask *task = user_data;
  AcquireData *d = g_task_get_task_data (task);
  PacerTokenBucket *self = g_task_get_source_object (task);
  GSource *timeout_source = g_steal_pointer (&d->timeout_source);
  GSource *cancel_source = g_steal_pointer (&d->cancel_source);

  if (cancel_source != NULL)
    {
      g_source_destroy (cancel_source);
      g_source_unref (cancel_source);
    }
  g_task_return_pointer (task, call_new (self, &d->r), g_object_unref);
  g_source_unref (timeout_source);
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_while_waiting (GCancellable *cancellable,
                         gpointer      user_data)
{
  GTask *task = user_data;
  AcquireData *d = g_task_get_task_data (task);
  GSource *timeout_source = g_steal_pointer (&d->timeout_source);
  GSource *cancel_source = g_steal_pointer (&d->cancel_source);

  if (timeout_source != NULL)
    {
      g_source_destroy (timeout_source);
      g_source_unref (timeout_source);
    }
  g_task_run_in_thread (task, give_back_in_thread);
  g_source_unref (cancel_source);
  return G_SOURCE_REMOVE;
}

static void
reserved (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PacerTokenBucket *self = PACER_TOKEN_BUCKET (source_object);
  AcquireData *d = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  gint64 wait;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_run_in_thread (task, give_back_in_thread);
      return;
    }

  after_reservation (self, &d->r);

  wait = d->r.slot - clock_now (self);
  if (wait <= 0)
    {
      g_task_return_pointer (task, call_new (self, &d->r), g_object_unref);
      return;
    }

  d->timeout_source = g_timeout_source_new ((guint) MIN ((wait + 999) / 1000, G_MAXUINT));
  g_source_set_priority (d->timeout_source, g_task_get_priority (task));
  g_source_set_static_name (d->timeout_source, "[pacer-glib] pacer_token_bucket_acquire_async");
  g_source_set_callback (d->timeout_source, slot_reached, g_object_ref (task), g_object_unref);
  g_source_attach (d->timeout_source, g_task_get_context (task));

  if (cancellable != NULL)
    {
      d->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (d->cancel_source, G_SOURCE_FUNC (cancelled_while_waiting),
                             g_object_ref (task), g_object_unref);
      g_source_attach (d->cancel_source, g_task_get_context (task));
    }
}

/**
 * pacer_token_bucket_acquire_async:
 * @self: a bucket
 * @timeout: the longest wait, in seconds, that the call accepts; negative
 *   waits for ever
 * @cancellable: (nullable): cancels the call
 * @callback: (scope async): called once the slot has come
 * @user_data: data for @callback
 *
 * Like [method@Pacer.TokenBucket.acquire], without blocking the main loop:
 * the lock is taken in a worker thread, the wait is a timeout on the
 * thread-default main context. The rate function, if any, and the signals
 * run in that main context. A call cancelled before its slot is reserved
 * reserves nothing; one cancelled during its wait gives the slot back unless
 * a later call has reserved one after it.
 *
 * Since: 1.0
 */
void
pacer_token_bucket_acquire_async (PacerTokenBucket    *self,
                                  double               timeout,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  GError *error = NULL;
  AcquireData *d;

  g_return_if_fail (PACER_IS_TOKEN_BUCKET (self));
  g_return_if_fail (!isnan (timeout));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pacer_token_bucket_acquire_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  d = g_new0 (AcquireData, 1);
  g_task_set_task_data (task, d, acquire_data_free);
  if (!prepare_reservation (self, timeout, &d->r, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The inner task only takes the lock; its result comes back to this
   * context, which emits the signals and waits. */
  inner = g_task_new (self, cancellable, reserved, g_object_ref (task));
  g_task_set_source_tag (inner, pacer_token_bucket_acquire_async);
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, d, NULL);
  g_task_run_in_thread (inner, reserve_in_thread);
}

/**
 * pacer_token_bucket_acquire_finish:
 * @self: a bucket
 * @result: the result given to the callback
 * @error: return location for a [type@GLib.Error]
 *
 * Finishes [method@Pacer.TokenBucket.acquire_async].
 *
 * Returns: (transfer full): the call, or `NULL` with an error as
 *   [method@Pacer.TokenBucket.acquire] gives
 *
 * Since: 1.0
 */
PacerCall *
pacer_token_bucket_acquire_finish (PacerTokenBucket  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (PACER_IS_TOKEN_BUCKET (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, pacer_token_bucket_acquire_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The bucket's half of pacer_call_complete(): a call's duration joins the
 * metrics, and a failure the shared state. */
void
_pacer_token_bucket_complete_call (PacerTokenBucket *self,
                                   gint64            started,
                                   gboolean          succeeded)
{
  gint64 now;

  g_mutex_lock (&self->mutex);
  now = clock_now (self);
  _pacer_bucket_metrics_add_duration (self->metrics, MAX (0, now - started) / USEC_PER_SEC);
  _pacer_bucket_metrics_maybe_flush (self->metrics, now);
  g_mutex_unlock (&self->mutex);

  if (!succeeded)
    {
      g_autoptr(GError) error = NULL;

      if (!pacer_shared_json_edit (self->shared_json, count_exception, NULL, &error))
        g_warning (_("Could not count a failed call of “%s”: %s"),
                   pacer_token_bucket_get_id (self), error->message);
    }
}
