/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 interval;    /* µs between slots */
  gint64 tolerance;   /* µs a slot may come early: (burst - 1) × interval */
  gint64 max_calls;   /* 0: no maximum */
  gboolean refuse;    /* refuse calls once max_calls were let through */
  gint64 timeout_us;  /* the longest wait accepted; negative: any */
} PacerRedisGcraRequest;

typedef enum {
  PACER_REDIS_GCRA_RESERVED,
  PACER_REDIS_GCRA_LIMIT_REACHED,
  PACER_REDIS_GCRA_TOO_LATE,
} PacerRedisGcraOutcome;

/* Times are on the server's clock, in Unix µs; only differences between them
 * mean anything to the caller. */
typedef struct
{
  PacerRedisGcraOutcome outcome;
  gint64 server_now;
  gint64 wait;        /* slot - server_now; for TOO_LATE the wait refused */
  gint64 slot;
  gint64 tat_before;
  gboolean had_tat;
  gint64 tat_after;
  gint64 call_count;
  gint64 start_time;
  gint64 exceptions;
  gboolean reached_max_calls;
  char *state;        /* the bucket's JSON state after the step; free it */
} PacerRedisGcraResult;

/* Runs one GCRA step on the Redis store @store holds, in one round trip.
 * A lost server is retried until @deadline (monotonic µs), then an error:
 * no slot is ever given without the server's word (fail closed). */
gboolean _pacer_redis_gcra_reserve (PacerStore                  *store,
                                    const PacerRedisGcraRequest *request,
                                    gint64                       deadline,
                                    PacerRedisGcraResult        *result,
                                    GError                     **error);

G_END_DECLS
