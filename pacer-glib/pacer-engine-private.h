/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The run engine as PacerRunner drives it: the settings a run reads, the
 * callbacks through which it tells what happens, and one call to start it.
 * The engine never sees the PacerRunner; the runner never sees the
 * engine's state (pacer-engine-state-private.h). */

#include <gio/gio.h>

#include "pacer-dist-mode.h"
#include "pacer-duration-history.h"
#include "pacer-scheduler.h"
#include "pacer-test-command.h"
#include "pacer-test-result.h"

G_BEGIN_DECLS

typedef struct _PacerEngine PacerEngine;

/* PacerRunner's properties, as a run reads them. */
typedef struct
{
  GStrv programs;
  GPtrArray *commands;  /* PacerTestCommand */
  guint n_workers;
  int max_worker_restart;
  guint maxfail;
  double timeout;
  guint retries;
  char *seed;
  char *mode;
  GStrv paths;
  GStrv skip_paths;
  PacerScheduler *scheduler;
  PacerDurationHistory *history;
  char *partition;
  PacerDistMode dist;
  GStrv groups;
  GStrv serial;
  gboolean strict_order;
  gboolean order_check;
  double split_limit;   /* seconds for a test no history knows; 0: off */
  guint max_workers;    /* a run may grow to this many while CPUs idle; 0: no growth */
  gboolean list_only;   /* the run stops once its tests are known */
} PacerEngineSettings;

/* What a run tells, in the order it happens. Every callback is required. */
typedef struct
{
  /* Its tests are known and its workers about to start. */
  void     (*started)       (guint            n_tests,
                             guint            n_whole_programs,
                             guint            n_workers,
                             gpointer         user_data);
  /* It grew past the workers it started with. */
  void     (*grew)          (guint            n_workers,
                             gpointer         user_data);
  void     (*worker_ready)  (const char      *worker,
                             gpointer         user_data);
  /* @reason is NULL when the run is over. */
  void     (*worker_down)   (const char      *worker,
                             const char      *reason,
                             gpointer         user_data);
  /* Whether test_started has a listener: the run skips the work if not. */
  gboolean (*wants_started) (gpointer         user_data);
  void     (*test_started)  (const char      *program,
                             const char      *path,
                             const char      *worker,
                             gpointer         user_data);
  void     (*test_finished) (PacerTestResult *result,
                             gpointer         user_data);
  /* With list_only: a test the run would start, not run. */
  void     (*test_listed)   (PacerTestResult *result,
                             gpointer         user_data);
  void     (*note)          (const char      *program,
                             const char      *message,
                             gpointer         user_data);
  /* The last call: its tests ended at @finished_at (Unix seconds), then its
   * shared fixtures were cleaned up, @cleanup_failures (transfer full,
   * NULL if none) saying what failed. The task returns right after. */
  void     (*finished)      (double           finished_at,
                             char           **cleanup_failures,
                             gpointer         user_data);
} PacerEngineCallbacks;

/* Refuses a distribution mode the settings cannot serve (loadgroup's groups). */
gboolean _pacer_engine_check_dist (const PacerEngineSettings  *settings,
                                   GError                    **error);

/* Starts a run with @seed: @task (transfer full) returns when it is over,
 * right after the finished callback. @settings and @callbacks must live
 * until then: the run reads @settings as it goes. FALSE when it could not start: @task has returned
 * the error and no callback is called. */
gboolean _pacer_engine_start (const PacerEngineSettings  *settings,
                              const char                 *seed,
                              const PacerEngineCallbacks *callbacks,
                              gpointer                    user_data,
                              GTask                      *task,
                              GCancellable               *cancellable);

G_END_DECLS
