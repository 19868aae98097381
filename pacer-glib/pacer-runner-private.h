/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of one run of PacerRunner, shared by the files that make up the
 * runner: pacer-runner.c is the GObject, pacer-runner-run.c drives a run,
 * pacer-runner-plan.c turns batches into command lines. */

#include <gio/gio.h>

#include "pacer-batch-private.h"
#include "pacer-runner.h"

G_BEGIN_DECLS

typedef enum {
  STOP_NONE,
  STOP_MAXFAIL,
  STOP_RESTARTS,
  STOP_CANCELLED,
  STOP_ERROR,
} StopReason;

typedef struct
{
  char *name;           /* as given */
  char *file;           /* resolved path that is spawned */
  gboolean whole;       /* not a GTest program */
  GSubprocess *lister;
  gboolean list_timed_out;
  gint64 list_start;    /* when its -l process was spawned */
  double list_seconds;  /* how long -l took: about what any process of it costs to start */
  GPtrArray *paths;
  GHashTable *suites;
  GHashTable *members;  /* parent suite → GArray of test indices, listing order */
} Program;

typedef struct
{
  Program *program;
  const char *path;     /* owned by program->paths, or program->name */
  gboolean alone;
  guint attempts;
  char *first_failure;  /* message of the first failed attempt, if retried */
  PacerTestOutcome first_outcome;
  gboolean in_batch;    /* scratch flag while a batch is built */
} Test;

typedef struct
{
  char *id;
  PacerBatch *batch;
  gboolean ready;
} Slot;

typedef struct
{
  PacerRunner *runner;
  GTask *task;
  GMainContext *context;
  GSource *cancel_source;
  char *run_dir;
  char *testrun_uid;
  char *seed;
  PacerScheduler *scheduler;
  GPtrArray *programs;
  guint n_listing;
  GArray *tests;
  Slot *slots;
  guint n_slots;
  guint n_running;
  guint n_restarts;
  guint max_restarts;
  guint n_failures;
  StopReason stop;
  GError *error;
  guint tick_source;
  guint list_timeout_source;
  gboolean finished;
} Run;

enum {
  SIGNAL_RUN_STARTED,
  SIGNAL_WORKER_READY,
  SIGNAL_WORKER_DOWN,
  SIGNAL_TEST_STARTED,
  SIGNAL_TEST_FINISHED,
  SIGNAL_RUN_FINISHED,
  N_SIGNALS
};

/* Emitted by the run engine; defined with the class in pacer-runner.c. */
extern guint _pacer_runner_signals[N_SIGNALS];

struct _PacerRunner
{
  GObject parent_instance;

  GStrv programs;
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

  Run *run;
  GPtrArray *results;
  guint counts[PACER_TEST_OUTCOME_N_OUTCOMES];
  guint n_tests;
  guint n_workers_used;
  char *used_seed;
  char **cleanup_failures;
};

void _pacer_run_start (PacerRunner  *self,
                       GTask        *task,
                       GCancellable *cancellable);

/* The PacerRunner settings the planner reads. */
const char * const *_pacer_runner_get_paths_filter (PacerRunner *self);
const char         *_pacer_runner_get_mode         (PacerRunner *self);

void          _pacer_runner_requeue          (Run          *run,
                                              guint         test_index);
GStrvBuilder *_pacer_runner_common_argv      (Run          *run,
                                              Program      *program,
                                              gboolean      keep_going);
GStrv         _pacer_runner_single_test_argv (Run          *run,
                                              guint         test_index);
void          _pacer_runner_plan_passes      (Run          *run,
                                              Program      *program,
                                              GArray       *tests,
                                              GStrvBuilder *argv,
                                              GArray       *kept,
                                              GArray       *pass_end);

G_END_DECLS
