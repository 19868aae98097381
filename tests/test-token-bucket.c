/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-glib-private.h"

#include "pacer-glib/pacer-token-bucket-private.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)   /* the simulated clock starts here */

typedef struct
{
  char *dir;
  char *path;
  gint64 now;          /* the simulated clock, Unix microseconds */
  GCancellable *cancel_on_sleep;   /* cancelled by the next wait instead of waiting */
  PacerTokenBucket *bucket;
} Fixture;

static gint64
fake_now (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static gboolean
fake_sleep_until (gint64        until,
                  GCancellable *cancellable,
                  gpointer      user_data)
{
  Fixture *f = user_data;

  if (f->cancel_on_sleep != NULL && until > f->now)
    {
      g_cancellable_cancel (f->cancel_on_sleep);
      f->now += (until - f->now) / 2;
    }
  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  f->now = MAX (f->now, until);
  return TRUE;
}

static PacerRate *
per_second (double calls)
{
  g_autoptr(GError) error = NULL;
  PacerRate *rate = pacer_rate_new_per_second (calls, &error);

  g_assert_no_error (error);
  return rate;
}

static PacerTokenBucket *
make_bucket (Fixture  *f,
             double    calls_per_second,
             gboolean  simulated)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, -1);
  g_autoptr(PacerRate) rate = per_second (calls_per_second);
  PacerTokenBucket *bucket = pacer_token_bucket_new_for_shared_json (shared, rate);

  if (simulated)
    {
      PacerClock clock = { fake_now, fake_sleep_until, f };

      _pacer_token_bucket_set_clock (bucket, &clock);
    }
  return bucket;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("pacer-token-bucket-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "pacer_shared_api.json", NULL);
  f->now = T0;
  f->bucket = make_bucket (f, 10, TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->bucket);
  _pacer_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* Acquires, checks the call was let through, and returns the simulated time. */
static gint64
acquire_ok (Fixture *f,
            double   timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerCall) call = pacer_token_bucket_acquire (f->bucket, timeout, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (call);
  return f->now;
}

static JsonObject *
read_state (Fixture *f)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, -1);
  g_autoptr(GError) error = NULL;
  JsonObject *state = pacer_shared_json_read (shared, &error);

  g_assert_no_error (error);
  return state;
}

static gint64
state_int (Fixture    *f,
           const char *member)
{
  g_autoptr(JsonObject) state = read_state (f);

  return json_object_get_int_member_with_default (state, member, -1);
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GVariant) windows = NULL;
  g_autoptr(PacerRate) rate = NULL;
  g_autoptr(PacerRate) other = per_second (10);
  const guint custom[] = { 5, 10 };
  guint notified = 0;
  gsize n;
  const guint32 *values;

  g_test_summary ("Defaults follow pytest-xdist-rate-limit except a burst of 1; setters notify on change only");

  g_assert_cmpstr (pacer_token_bucket_get_id (f->bucket), ==, "api");
  g_assert_cmpfloat (pacer_token_bucket_get_max_drift (f->bucket), ==, 0.1);
  g_assert_cmpuint (pacer_token_bucket_get_num_calls_between_checks (f->bucket), ==, 10);
  g_assert_cmpfloat (pacer_token_bucket_get_seconds_before_first_check (f->bucket), ==, 60);
  g_assert_cmpuint (pacer_token_bucket_get_burst_capacity (f->bucket), ==, 1);
  g_assert_cmpint (pacer_token_bucket_get_max_calls (f->bucket), ==, -1);
  g_assert_false (pacer_token_bucket_get_refuse_over_max_calls (f->bucket));
  rate = pacer_token_bucket_dup_rate (f->bucket);
  g_assert_cmpfloat (pacer_rate_get_calls_per_second (rate), ==, 10);

  windows = pacer_token_bucket_dup_rate_windows (f->bucket);
  values = g_variant_get_fixed_array (windows, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (values[0], ==, 60);
  g_assert_cmpuint (values[1], ==, 300);
  g_assert_cmpuint (values[2], ==, 900);

  g_signal_connect_swapped (f->bucket, "notify", G_CALLBACK (g_atomic_int_inc), &notified);
  pacer_token_bucket_set_rate (f->bucket, other);
  pacer_token_bucket_set_max_drift (f->bucket, 0.1);
  pacer_token_bucket_set_burst_capacity (f->bucket, 1);
  g_assert_cmpuint (notified, ==, 0);
  pacer_token_bucket_set_max_drift (f->bucket, 0.25);
  pacer_token_bucket_set_rate_windows (f->bucket, custom, G_N_ELEMENTS (custom));
  g_object_set (f->bucket, "max-calls", (gint64) 7, "refuse-over-max-calls", TRUE, NULL);
  g_assert_cmpuint (notified, ==, 4);
  g_assert_cmpint (pacer_token_bucket_get_max_calls (f->bucket), ==, 7);
  g_clear_pointer (&windows, g_variant_unref);
  g_object_get (f->bucket, "rate-windows", &windows, NULL);
  g_assert_cmpstr (g_variant_get_type_string (windows), ==, "au");
  values = g_variant_get_fixed_array (windows, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (values[1], ==, 10);
}

static void
test_steady_pace (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) state = NULL;

  g_test_summary ("With a burst of 1, calls are let through exactly one interval apart");

  for (guint i = 0; i < 50; i++)
    g_assert_cmpint (acquire_ok (f, -1), ==, T0 + i * 100000);

  state = read_state (f);
  g_assert_cmpint (json_object_get_int_member (state, "call_count"), ==, 50);
  g_assert_cmpint (json_object_get_int_member (state, "start_time_us"), ==, T0);
  g_assert_cmpint (json_object_get_int_member (state, "tat_us"), ==, T0 + 50 * 100000);
}

static void
test_idle_does_not_bank (Fixture       *f,
                         gconstpointer  data)
{
  g_test_summary ("After a pause a burst of 1 lets one call through at once, not a backlog");

  acquire_ok (f, -1);
  f->now += 10 * G_USEC_PER_SEC;
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 10 * G_USEC_PER_SEC);
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 10 * G_USEC_PER_SEC + 100000);
}

static void
test_late_keeps_schedule (Fixture       *f,
                          gconstpointer  data)
{
  g_test_summary ("A caller back less than half an interval late keeps the schedule; later, it restarts");

  g_assert_cmpint (acquire_ok (f, -1), ==, T0);
  /* 30 ms late for the 100 ms slot: let through now, next slot unmoved. */
  f->now = T0 + 130000;
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 130000);
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 200000);
  /* 60 ms late: more than half an interval, so the schedule restarts. */
  f->now = T0 + 360000;
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 360000);
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 460000);
}

static void
test_burst (Fixture       *f,
            gconstpointer  data)
{
  g_test_summary ("A burst capacity of 5 lets 5 calls through at once, then paces; idling refills it");

  pacer_token_bucket_set_burst_capacity (f->bucket, 5);

  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (acquire_ok (f, -1), ==, T0);
  /* The sixth must wait for one token: one interval after the first. */
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 100000);
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 200000);

  /* A full second idle refills all five. */
  f->now = T0 + 2 * G_USEC_PER_SEC;
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 2 * G_USEC_PER_SEC);
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 2 * G_USEC_PER_SEC + 100000);
}

static void
test_seconds_waited (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerCall) first = NULL;
  g_autoptr(PacerCall) second = NULL;
  g_autoptr(PacerRate) one = per_second (1);

  g_test_summary ("A call reports the bucket, rate, count, start time and the seconds it waited");

  pacer_token_bucket_set_rate (f->bucket, one);
  first = pacer_token_bucket_acquire (f->bucket, -1, NULL, &error);
  g_assert_no_error (error);
  f->now += 250000;
  second = pacer_token_bucket_acquire (f->bucket, -1, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (pacer_call_get_id (first), ==, "api");
  g_assert_cmpfloat (pacer_call_get_calls_per_hour (first), ==, 3600);
  g_assert_cmpint (pacer_call_get_call_count (first), ==, 1);
  g_assert_cmpint (pacer_call_get_call_count (second), ==, 2);
  g_assert_cmpfloat (pacer_call_get_seconds_waited (first), ==, 0);
  g_assert_cmpfloat_with_epsilon (pacer_call_get_seconds_waited (second), 0.75, 1e-9);
  g_assert_cmpfloat (pacer_call_get_start_time (second), ==, T0 / 1e6);
  g_assert_cmpfloat (pacer_call_get_slot_time (first), ==, T0 / 1e6);
  g_assert_cmpfloat (pacer_call_get_slot_time (second), ==, (T0 + G_USEC_PER_SEC) / 1e6);
  g_assert_cmpint (pacer_call_get_exceptions (second), ==, 0);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerCall) call = NULL;
  g_autoptr(PacerRate) one = per_second (1);
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;

  g_test_summary ("A slot beyond the timeout is not reserved and the error names id, timeout and wait");

  pacer_token_bucket_set_rate (f->bucket, one);
  acquire_ok (f, 0);
  before = read_state (f);

  call = pacer_token_bucket_acquire (f->bucket, 0.5, NULL, &error);
  g_assert_null (call);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "api"));
  g_assert_nonnull (strstr (error->message, "0.5 s"));
  g_assert_nonnull (strstr (error->message, "1.000000 s"));
  g_assert_cmpint (f->now, ==, T0);   /* failed at once, no wait */

  after = read_state (f);
  g_assert_cmpint (json_object_get_int_member (after, "tat_us"), ==,
                   json_object_get_int_member (before, "tat_us"));
  g_assert_cmpint (json_object_get_int_member (after, "call_count"), ==, 1);

  /* Exactly enough is enough; a negative timeout waits for ever. */
  g_assert_cmpint (acquire_ok (f, 1.0), ==, T0 + G_USEC_PER_SEC);
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 2 * G_USEC_PER_SEC);
  g_assert_cmpint (state_int (f, "call_count"), ==, 3);
}

static PacerRate *
rate_from_variable (gpointer user_data)
{
  double *calls = user_data;

  return per_second (*calls);
}

static void
test_rate_change (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(PacerRate) two = per_second (2);
  double calls = 20;
  gint64 t;

  g_test_summary ("A changed rate, set or returned by the rate function, paces the next calls");

  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (acquire_ok (f, -1), ==, T0 + i * 100000);

  pacer_token_bucket_set_rate (f->bucket, two);
  /* The fifth call reserved up to T0 + 500 ms; from there calls are 500 ms apart. */
  t = acquire_ok (f, -1);
  g_assert_cmpint (t, ==, T0 + 500000);
  g_assert_cmpint (acquire_ok (f, -1), ==, t + 500000);
  g_assert_cmpint (acquire_ok (f, -1), ==, t + 1000000);

  pacer_token_bucket_set_rate_func (f->bucket, rate_from_variable, &calls, NULL);
  t = acquire_ok (f, -1);
  g_assert_cmpint (acquire_ok (f, -1), ==, t + 50000);
  calls = 4;
  g_assert_cmpint (acquire_ok (f, -1), ==, t + 100000);
  g_assert_cmpint (acquire_ok (f, -1), ==, t + 350000);
  pacer_token_bucket_set_rate_func (f->bucket, NULL, NULL, NULL);
  g_assert_cmpint (acquire_ok (f, -1), ==, t + 600000);
  g_assert_cmpint (acquire_ok (f, -1), ==, t + 1100000);
}

static void
count_event (PacerTokenBucket *bucket,
             PacerEvent       *event,
             gpointer          user_data)
{
  GPtrArray *events = user_data;

  g_ptr_array_add (events, g_object_ref (event));
}

static void
test_max_calls_reported (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  PacerMaxCallsEvent *event;

  g_test_summary ("max-calls fires exactly once, at the call that reaches it; later calls go through");

  pacer_token_bucket_set_max_calls (f->bucket, 3);
  pacer_token_bucket_set_num_calls_between_checks (f->bucket, 2);
  g_signal_connect (f->bucket, "max-calls", G_CALLBACK (count_event), events);

  for (guint i = 0; i < 9; i++)
    {
      acquire_ok (f, -1);
      g_assert_cmpuint (events->len, ==, i >= 2 ? 1 : 0);
    }

  event = events->pdata[0];
  g_assert_true (PACER_IS_MAX_CALLS_EVENT (event));
  g_assert_cmpint (pacer_max_calls_event_get_max_calls (event), ==, 3);
  g_assert_cmpint (pacer_event_get_call_count (PACER_EVENT (event)), ==, 3);
  g_assert_cmpstr (pacer_event_get_limiter_id (PACER_EVENT (event)), ==, "api");
  g_assert_true (pacer_event_get_limiter (PACER_EVENT (event)) == f->bucket);
  g_assert_cmpfloat_with_epsilon (pacer_event_get_elapsed_time (PACER_EVENT (event)), 0.2, 1e-9);
  g_assert_cmpint (json_object_get_int_member (pacer_event_get_state_snapshot (PACER_EVENT (event)),
                                               "call_count"), ==, 3);
  g_assert_cmpint (state_int (f, "call_count"), ==, 9);
}

static void
test_max_calls_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(PacerTokenBucket) other = NULL;

  g_test_summary ("With refuse-over-max-calls, calls past the limit fail with LIMIT_REACHED, in every bucket");

  g_object_set (f->bucket, "max-calls", (gint64) 3, "refuse-over-max-calls", TRUE, NULL);
  g_signal_connect (f->bucket, "max-calls", G_CALLBACK (count_event), events);

  for (guint i = 0; i < 3; i++)
    acquire_ok (f, -1);
  g_assert_cmpuint (events->len, ==, 1);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (f->bucket, -1, NULL, &error);

      g_assert_null (call);
      g_assert_error (error, PACER_ERROR, PACER_ERROR_LIMIT_REACHED);
    }

  /* A second bucket on the same state sees the same count. */
  other = make_bucket (f, 10, TRUE);
  g_object_set (other, "max-calls", (gint64) 3, "refuse-over-max-calls", TRUE, NULL);
  g_signal_connect (other, "max-calls", G_CALLBACK (count_event), events);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PacerCall) call = pacer_token_bucket_acquire (other, -1, NULL, &error);

    g_assert_error (error, PACER_ERROR, PACER_ERROR_LIMIT_REACHED);
    g_assert_null (call);
  }
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (state_int (f, "call_count"), ==, 3);
}

static void
test_exceptions (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PacerCall *call;

  g_test_summary ("Completing a call as failed counts an exception; a call never completed counts as succeeded");

  call = pacer_token_bucket_acquire (f->bucket, -1, NULL, &error);
  g_assert_no_error (error);
  pacer_call_complete (call, FALSE);
  pacer_call_complete (call, FALSE);   /* twice does nothing */
  g_object_unref (call);
  g_assert_cmpint (state_int (f, "exceptions"), ==, 1);

  call = pacer_token_bucket_acquire (f->bucket, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pacer_call_get_exceptions (call), ==, 1);
  g_object_unref (call);
  g_assert_cmpint (state_int (f, "exceptions"), ==, 1);
}

static void
test_drift_recent_window (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  guint during_slow;
  PacerDriftEvent *event;

  g_test_summary ("Drift is checked after 60 s, measured over the last 60 s, and stops once the rate recovers");

  g_signal_connect (f->bucket, "drift", G_CALLBACK (count_event), events);

  /* A caller that can only manage 5 calls a second against a target of 10. */
  for (guint i = 0; i < 600; i++)
    {
      gint64 t = acquire_ok (f, -1);

      if (t - T0 < 60 * G_USEC_PER_SEC)
        g_assert_cmpuint (events->len, ==, 0);
      f->now += 200000;
    }
  during_slow = events->len;
  g_assert_cmpuint (during_slow, >=, 5);

  event = events->pdata[events->len - 1];
  g_assert_cmpfloat_with_epsilon (pacer_drift_event_get_target_rate (event), 36000, 1e-6);
  g_assert_cmpfloat_with_epsilon (pacer_drift_event_get_current_rate (event), 18000, 400);
  g_assert_cmpfloat_with_epsilon (pacer_drift_event_get_drift (event), 0.5, 0.02);
  g_assert_cmpfloat (pacer_drift_event_get_max_drift (event), ==, 0.1);
  g_assert_cmpfloat (pacer_event_get_elapsed_time (PACER_EVENT (event)), >=, 60);

  /* Now the caller keeps up. Cumulatively the rate would stay far below the
   * target for minutes; over the last 60 s it recovers within about 60 s. */
  for (guint i = 0; i < 1200; i++)
    {
      gint64 t = acquire_ok (f, -1);

      if (i == 700)
        during_slow = events->len;
      if (i > 700)
        g_assert_cmpuint (events->len, ==, during_slow);
      (void) t;
    }
}

static void
test_periodic_check (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  PacerPeriodicCheckEvent *event;
  GVariant *windowed;
  goffset size_early = 0;
  struct stat st;

  g_test_summary ("periodic-check carries merged digests, quantiles, wait ratio and windowed rates every N calls");

  pacer_token_bucket_set_num_calls_between_checks (f->bucket, 10);
  g_signal_connect (f->bucket, "periodic-check", G_CALLBACK (count_event), events);

  for (guint i = 1; i <= 4000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (f->bucket, -1, NULL, &error);

      g_assert_no_error (error);
      f->now += 30000;   /* 30 ms of work in each call */
      pacer_call_complete (call, TRUE);
      g_assert_cmpuint (events->len, ==, i / 10);
      if (i == 10)
        {
          event = events->pdata[0];
          g_assert_cmpuint (pacer_periodic_check_event_get_sample_count (event), ==, 9);
          g_assert_null (pacer_periodic_check_event_get_duration_digest (event));
          g_assert_true (isnan (pacer_periodic_check_event_get_duration_p50 (event)));
          g_assert_true (isnan (pacer_periodic_check_event_get_drift (event)));
          g_assert_cmpint (g_stat (f->path, &st), ==, 0);
          size_early = st.st_size;
        }
    }

  event = events->pdata[events->len - 1];
  g_assert_cmpint (pacer_event_get_call_count (PACER_EVENT (event)), ==, 4000);
  g_assert_cmpuint (pacer_periodic_check_event_get_worker_count (event), ==, pacer_worker_get_count ());
  g_assert_cmpuint (pacer_periodic_check_event_get_sample_count (event), ==, 3999);
  g_assert_nonnull (pacer_periodic_check_event_get_duration_digest (event));
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_duration_p50 (event), 0.03, 1e-6);
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_duration_p99 (event), 0.03, 1e-6);
  /* Each call waits the 70 ms left of its 100 ms interval. */
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_wait_p50 (event), 0.07, 1e-6);
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_wait_ratio (event), 0.07 / 0.03, 1e-4);
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_target_rate (event), 36000, 1e-6);
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_current_rate (event), 36000, 1);
  g_assert_cmpfloat (pacer_periodic_check_event_get_drift (event), <, 0.001);

  windowed = pacer_periodic_check_event_get_windowed_rates (event);
  g_assert_cmpuint (g_variant_n_children (windowed), ==, 3);
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_windowed_rate (event, 60), 36000, 1);
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_windowed_rate (event, 300), 36000, 1);
  /* 400 s into the run, the 900 s window covers the time since the first call. */
  g_assert_cmpfloat_with_epsilon (pacer_periodic_check_event_get_windowed_rate (event, 900), 36000, 1);
  g_assert_true (isnan (pacer_periodic_check_event_get_windowed_rate (event, 61)));

  /* The hot state does not grow with the number of calls. */
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, size_early + 8);
  g_assert_cmpint (st.st_size, <, 200);
}

static void
test_metrics_merged (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  PacerTokenBucket *other = make_bucket (f, 10, TRUE);
  PacerPeriodicCheckEvent *event;

  g_test_summary ("A periodic check merges the metrics every other bucket on the state wrote");

  /* Another user of the state makes 15 calls of 200 ms each, then goes away. */
  for (guint i = 0; i < 15; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (other, -1, NULL, &error);

      g_assert_no_error (error);
      f->now += 200000;
      pacer_call_complete (call, TRUE);
    }
  g_assert_finalize_object (other);

  g_signal_connect (f->bucket, "periodic-check", G_CALLBACK (count_event), events);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (f->bucket, -1, NULL, &error);

      g_assert_no_error (error);
      f->now += 10000;
      pacer_call_complete (call, TRUE);
    }

  g_assert_cmpuint (events->len, ==, 1);
  event = events->pdata[0];
  g_assert_cmpint (pacer_event_get_call_count (PACER_EVENT (event)), ==, 20);
  /* 15 from the other bucket, 4 from this one (the 20th is not complete yet). */
  g_assert_cmpuint (pacer_periodic_check_event_get_sample_count (event), ==, 19);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_get_max (pacer_periodic_check_event_get_duration_digest (event)),
                                  0.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_get_min (pacer_periodic_check_event_get_duration_digest (event)),
                                  0.01, 1e-9);
}

static void
test_real_clock_slow_caller (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PacerTokenBucket) bucket = make_bucket (f, 100, FALSE);
  gint64 first = 0;
  gint64 last = 0;
  const guint n = 60;
  double achieved;

  g_test_summary ("A caller doing 3 ms of work per call at 100/s gets 100/s, not 200/s");

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, -1, NULL, &error);

      g_assert_no_error (error);
      last = (gint64) (pacer_call_get_slot_time (call) * G_USEC_PER_SEC + 0.5);
      if (i == 0)
        first = last;
      g_usleep (3000);
      pacer_call_complete (call, TRUE);
    }

  /* The seed's pacer let this caller through at 200/s. The slots must not
   * exceed 100/s; how close to 100/s they come depends on the machine
   * running the caller on time, so the floor only catches gross errors. */
  achieved = (n - 1) * 1e6 / (double) (last - first);
  g_test_message ("achieved %.2f calls/s", achieved);
  g_assert_cmpfloat (achieved, <=, 101);
  g_assert_cmpfloat (achieved, >=, 50);
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The most of @times (sorted) that fall within any @window microseconds. */
static guint
most_in_window (GArray *times,
                gint64  window)
{
  guint most = 0;

  for (guint i = 0, j = 0; i < times->len; i++)
    {
      while (g_array_index (times, gint64, i) - g_array_index (times, gint64, j) >= window)
        j++;
      most = MAX (most, i - j + 1);
    }
  return most;
}

static void
test_processes_share_rate (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "token-bucket-caller", NULL);
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) returns = g_array_new (FALSE, FALSE, sizeof (gint64));
  GSubprocess *procs[3];
  const guint per_process = 50;
  double achieved;

  g_test_summary ("Three processes on one state together keep to one rate of 100/s");

  for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *n = g_strdup_printf ("%u", per_process);

      procs[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                   helper, f->path, "100", n, NULL);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_auto(GStrv) lines = NULL;

      g_subprocess_communicate_utf8 (procs[i], NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_successful (procs[i]));
      lines = g_strsplit (out, "\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        if (*lines[j] != '\0')
          {
            char *end = NULL;
            gint64 slot = g_ascii_strtoll (lines[j], &end, 10);
            gint64 returned = g_ascii_strtoll (end, NULL, 10);

            g_array_append_val (slots, slot);
            g_array_append_val (returns, returned);
          }
      g_object_unref (procs[i]);
    }

  g_assert_cmpuint (slots->len, ==, 3 * per_process);
  g_array_sort (slots, compare_gint64);
  g_array_sort (returns, compare_gint64);
  /* Measured on the slots, which the bucket controls; a loaded machine can
   * only make callers late, never let them through sooner. */
  achieved = (slots->len - 1) * 1e6 /
             (double) (g_array_index (slots, gint64, slots->len - 1) - g_array_index (slots, gint64, 0));
  g_test_message ("achieved %.2f calls/s", achieved);
  g_assert_cmpfloat (achieved, <=, 101);
  g_assert_cmpfloat (achieved, >=, 50);

  /* What the bucket guarantees: slots on a grid one interval apart across
   * all three processes, a late caller's at most half an interval after its
   * grid point, so no 500 ms holds more than 50 plus the burst of 1. */
  for (guint i = 1; i < slots->len; i++)
    g_assert_cmpint (g_array_index (slots, gint64, i) - g_array_index (slots, gint64, i - 1), >=, 5000);
  g_assert_cmpuint (most_in_window (slots, 500000), <=, 51);
  /* When the processes ran after their slots is the system's: a process
   * woken late lands beside the next one, and on a loaded machine by
   * more than a little. Reported, not asserted; bench-pacer measures it. */
  g_test_message ("most calls returned in 500 ms: %u", most_in_window (returns, 500000));
  g_assert_cmpint (state_int (f, "call_count"), ==, 3 * per_process);
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *results;   /* PacerCall or NULL */
  GError *error;
  guint pending;
  guint ticks;
  gint64 *times;
} AsyncState;

static void
acquired (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncState *s = user_data;
  g_autoptr(GError) error = NULL;
  PacerCall *call = pacer_token_bucket_acquire_finish (PACER_TOKEN_BUCKET (source), result, &error);

  if (call != NULL)
    s->times[s->results->len] = g_get_real_time ();
  else if (s->error == NULL)
    s->error = g_steal_pointer (&error);
  g_ptr_array_add (s->results, call);
  if (--s->pending == 0)
    g_main_loop_quit (s->loop);
}

static gboolean
tick (gpointer user_data)
{
  AsyncState *s = user_data;

  s->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(PacerTokenBucket) bucket = make_bucket (f, 20, FALSE);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gint64 times[5];
  AsyncState s = { loop, g_ptr_array_new_with_free_func (g_object_unref), NULL, 5, 0, times };
  guint source;
  gint64 begun = g_get_real_time ();

  g_test_summary ("Asynchronous acquires are paced while the main loop keeps running");

  source = g_timeout_add (5, tick, &s);
  for (guint i = 0; i < 5; i++)
    pacer_token_bucket_acquire_async (bucket, -1, NULL, acquired, &s);
  g_main_loop_run (loop);
  g_source_remove (source);

  g_assert_no_error (s.error);
  g_assert_cmpuint (s.results->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_true (PACER_IS_CALL (s.results->pdata[i]));
  /* Five calls at 20/s span at least 200 ms, and the loop ticked meanwhile:
   * an acquire that blocked it would leave at most one tick. How many more
   * is the machine's business (about 40 when idle, 5 under valgrind). */
  g_assert_cmpint (times[4] - begun, >=, 190000);
  g_assert_cmpuint (s.ticks, >=, 3);
  g_assert_cmpint (state_int (f, "call_count"), ==, 5);
  g_ptr_array_unref (s.results);
}

static void
test_async_cancelled (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(PacerTokenBucket) bucket = make_bucket (f, 1, FALSE);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) before = g_cancellable_new ();
  g_autoptr(GCancellable) during = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerCall) first = NULL;
  g_autoptr(JsonObject) state = NULL;
  gint64 times[2];
  AsyncState s = { loop, g_ptr_array_new (), NULL, 1, 0, times };
  gint64 tat;
  gint64 begun;

  g_test_summary ("A cancelled acquire reserves nothing: before its reservation, or while it waits");

  first = pacer_token_bucket_acquire (bucket, -1, NULL, &error);
  g_assert_no_error (error);
  tat = state_int (f, "tat_us");

  g_cancellable_cancel (before);
  pacer_token_bucket_acquire_async (bucket, -1, before, acquired, &s);
  g_main_loop_run (loop);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (s.results->pdata[0]);
  g_clear_error (&s.error);
  g_assert_cmpint (state_int (f, "call_count"), ==, 1);
  g_assert_cmpint (state_int (f, "tat_us"), ==, tat);

  /* The second slot is a second away; cancel 50 ms into the wait. */
  s.pending = 1;
  begun = g_get_real_time ();
  pacer_token_bucket_acquire_async (bucket, -1, during, acquired, &s);
  g_timeout_add_once (50, (GSourceOnceFunc) g_cancellable_cancel, during);
  g_main_loop_run (loop);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&s.error);
  g_assert_cmpint (g_get_real_time () - begun, <, 900000);

  state = read_state (f);
  g_assert_cmpint (json_object_get_int_member (state, "call_count"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (state, "tat_us"), ==, tat);
  g_ptr_array_unref (s.results);
}

static void
test_sync_cancelled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerCall) call = NULL;

  g_test_summary ("A cancelled synchronous acquire fails with CANCELLED and keeps no slot");

  acquire_ok (f, -1);
  g_cancellable_cancel (cancellable);
  call = pacer_token_bucket_acquire (f->bucket, -1, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (call);
  g_assert_cmpint (state_int (f, "call_count"), ==, 1);
  g_assert_cmpint (state_int (f, "tat_us"), ==, T0 + 100000);

  /* Cancelled halfway through its wait, a call gives its slot back. */
  g_clear_object (&cancellable);
  g_clear_error (&error);
  cancellable = g_cancellable_new ();
  f->cancel_on_sleep = cancellable;
  call = pacer_token_bucket_acquire (f->bucket, -1, cancellable, &error);
  f->cancel_on_sleep = NULL;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (call);
  g_assert_cmpint (f->now, ==, T0 + 50000);
  g_assert_cmpint (state_int (f, "call_count"), ==, 1);
  g_assert_cmpint (state_int (f, "tat_us"), ==, T0 + 100000);
  g_assert_cmpint (acquire_ok (f, -1), ==, T0 + 100000);
}

static void
test_default_location (void)
{
  g_autoptr(PacerTokenBucket) bucket = NULL;
  g_autoptr(PacerRate) rate = per_second (1000);
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerCall) call = NULL;
  const char *data_file;

  g_test_summary ("A bucket made by name keeps its state in the run directory");

  bucket = pacer_token_bucket_new ("default-location", rate);
  g_assert_cmpstr (pacer_token_bucket_get_id (bucket), ==, "default-location");
  data_file = pacer_shared_json_get_data_file (pacer_token_bucket_get_shared_json (bucket));
  g_assert_true (g_str_has_prefix (data_file, pacer_worker_get_run_dir ()));
  call = pacer_token_bucket_acquire (bucket, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (data_file, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add ("/Pacer/TokenBucket/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("properties", test_properties);
  ADD ("steady-pace", test_steady_pace);
  ADD ("idle-does-not-bank", test_idle_does_not_bank);
  ADD ("late-keeps-schedule", test_late_keeps_schedule);
  ADD ("burst", test_burst);
  ADD ("seconds-waited", test_seconds_waited);
  ADD ("timeout", test_timeout);
  ADD ("rate-change", test_rate_change);
  ADD ("max-calls-reported", test_max_calls_reported);
  ADD ("max-calls-refused", test_max_calls_refused);
  ADD ("exceptions", test_exceptions);
  ADD ("drift-recent-window", test_drift_recent_window);
  ADD ("periodic-check", test_periodic_check);
  ADD ("metrics-merged", test_metrics_merged);
  ADD ("sync-cancelled", test_sync_cancelled);
  ADD ("real-clock-slow-caller", test_real_clock_slow_caller);
  ADD ("processes-share-rate", test_processes_share_rate);
  ADD ("async", test_async);
  ADD ("async-cancelled", test_async_cancelled);
#undef ADD
  g_test_add_func ("/Pacer/TokenBucket/default-location", test_default_location);

  return g_test_run ();
}
