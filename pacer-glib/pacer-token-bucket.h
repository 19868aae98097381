/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include <pacer-glib/pacer-rate.h>
#include <pacer-glib/pacer-shared-json.h>
#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PACER_TYPE_TOKEN_BUCKET:
 *
 * The [alias@GObject.Type] of [class@Pacer.TokenBucket].
 *
 * Since: 1.0
 */
#define PACER_TYPE_TOKEN_BUCKET (pacer_token_bucket_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerTokenBucket, pacer_token_bucket, PACER, TOKEN_BUCKET, GObject)

/**
 * PACER_TYPE_CALL:
 *
 * The [alias@GObject.Type] of [class@Pacer.Call].
 *
 * Since: 1.0
 */
#define PACER_TYPE_CALL (pacer_call_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerCall, pacer_call, PACER, CALL, GObject)

/**
 * PacerRateFunc:
 * @user_data: the data given to [method@Pacer.TokenBucket.set_rate_func]
 *
 * Gives the rate a [class@Pacer.TokenBucket] paces at now. It is called once
 * for every call, before the call takes the lock.
 *
 * Returns: (transfer full) (nullable): the current rate, or `NULL` to keep
 *   [property@Pacer.TokenBucket:rate]
 *
 * Since: 1.0
 */
typedef PacerRate *(*PacerRateFunc) (gpointer user_data);

PACER_AVAILABLE_IN_ALL
PacerTokenBucket *pacer_token_bucket_new                      (const char           *name,
                                                               const PacerRate      *rate);
PACER_AVAILABLE_IN_ALL
PacerTokenBucket *pacer_token_bucket_new_for_shared_json      (PacerSharedJson      *shared_json,
                                                               const PacerRate      *rate);
PACER_AVAILABLE_IN_ALL
const char       *pacer_token_bucket_get_id                   (PacerTokenBucket     *self);
PACER_AVAILABLE_IN_ALL
PacerSharedJson  *pacer_token_bucket_get_shared_json          (PacerTokenBucket     *self);
PACER_AVAILABLE_IN_ALL
PacerRate        *pacer_token_bucket_dup_rate                 (PacerTokenBucket     *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_rate                 (PacerTokenBucket     *self,
                                                               const PacerRate      *rate);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_rate_func            (PacerTokenBucket     *self,
                                                               PacerRateFunc         func,
                                                               gpointer              user_data,
                                                               GDestroyNotify        destroy);
PACER_AVAILABLE_IN_ALL
double            pacer_token_bucket_get_max_drift            (PacerTokenBucket     *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_max_drift            (PacerTokenBucket     *self,
                                                               double                max_drift);
PACER_AVAILABLE_IN_ALL
guint             pacer_token_bucket_get_num_calls_between_checks (PacerTokenBucket *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_num_calls_between_checks (PacerTokenBucket *self,
                                                                   guint             num_calls);
PACER_AVAILABLE_IN_ALL
double            pacer_token_bucket_get_seconds_before_first_check (PacerTokenBucket *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_seconds_before_first_check (PacerTokenBucket *self,
                                                                     double            seconds);
PACER_AVAILABLE_IN_ALL
guint             pacer_token_bucket_get_burst_capacity       (PacerTokenBucket     *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_burst_capacity       (PacerTokenBucket     *self,
                                                               guint                 burst_capacity);
PACER_AVAILABLE_IN_ALL
gint64            pacer_token_bucket_get_max_calls            (PacerTokenBucket     *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_max_calls            (PacerTokenBucket     *self,
                                                               gint64                max_calls);
PACER_AVAILABLE_IN_ALL
gboolean          pacer_token_bucket_get_refuse_over_max_calls (PacerTokenBucket    *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_refuse_over_max_calls (PacerTokenBucket    *self,
                                                                gboolean             refuse);
PACER_AVAILABLE_IN_ALL
GVariant         *pacer_token_bucket_dup_rate_windows         (PacerTokenBucket     *self);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_set_rate_windows         (PacerTokenBucket     *self,
                                                               const guint          *windows,
                                                               gsize                 n_windows);
PACER_AVAILABLE_IN_ALL
PacerCall        *pacer_token_bucket_acquire                  (PacerTokenBucket     *self,
                                                               double                timeout,
                                                               GCancellable         *cancellable,
                                                               GError              **error);
PACER_AVAILABLE_IN_ALL
void              pacer_token_bucket_acquire_async            (PacerTokenBucket     *self,
                                                               double                timeout,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
PACER_AVAILABLE_IN_ALL
PacerCall        *pacer_token_bucket_acquire_finish           (PacerTokenBucket     *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);

PACER_AVAILABLE_IN_ALL
const char       *pacer_call_get_id                           (PacerCall            *call);
PACER_AVAILABLE_IN_ALL
double            pacer_call_get_calls_per_hour               (PacerCall            *call);
PACER_AVAILABLE_IN_ALL
gint64            pacer_call_get_call_count                   (PacerCall            *call);
PACER_AVAILABLE_IN_ALL
gint64            pacer_call_get_exceptions                   (PacerCall            *call);
PACER_AVAILABLE_IN_ALL
double            pacer_call_get_start_time                   (PacerCall            *call);
PACER_AVAILABLE_IN_ALL
double            pacer_call_get_slot_time                    (PacerCall            *call);
PACER_AVAILABLE_IN_ALL
double            pacer_call_get_seconds_waited               (PacerCall            *call);
PACER_AVAILABLE_IN_ALL
void              pacer_call_complete                         (PacerCall            *call,
                                                               gboolean              succeeded);

G_END_DECLS
