/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of one run of PacerRunner, shared by the files that make up the
 * runner: pacer-runner.c is the GObject, pacer-runner-run.c drives a run,
 * pacer-runner-plan.c turns batches into command lines. */

#include <gio/gio.h>

#include "pacer-batch-private.h"
#include "pacer-cpu-pressure-private.h"
#include "pacer-dist-mode.h"
#include "pacer-reaper-private.h"
#include "pacer-runner.h"

G_BEGIN_DECLS

typedef enum {
  STOP_NONE,
  STOP_MAXFAIL,
  STOP_RESTARTS,
  STOP_CANCELLED,
} StopReason;

typedef struct
{
  char *name;           /* as given */
  char *file;           /* resolved path that is spawned; for a command, its name */
  GStrv argv;           /* a command's argv, the program resolved; NULL for a program */
  char *cwd;            /* a command's working directory */
  GStrv env;            /* a command's NAME=VALUE variables */
  gboolean tap;         /* whole: its TAP lines are results */
  gboolean exclusive;   /* runs while nothing else runs */
  double timeout;       /* a command's own per-test timeout: 0 the run's, < 0 none */
  gboolean whole;       /* not a GTest program, or one that cannot be split */
  char *skip_reason;    /* skipped itself when listed (exit status 77) */
  guint fallback;       /* the test standing for its run whole, or G_MAXUINT */
  guint n_fallbacks;    /* its runs whole, from index fallback on: one per copy with --dist each */
  guint fallbacks_left; /* of which still to end */
  guint first_test;     /* index of its first listed test */
  gboolean ordered;     /* has order-dependent tests: they all run in one process, in order */
  gboolean ordered_queued;  /* its first test to run is with the scheduler */
  GSubprocess *lister;
  gboolean list_timed_out;
  gint64 list_start;    /* when its -l process was spawned */
  double list_seconds;  /* how long -l took: about what any process of it costs to start */
  guint n_seen;         /* its tests that ended in this run ... */
  double longest_seen;  /* ... and the longest of them, in seconds */
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
  GPtrArray *failed_attempts;  /* PacerTestResult of each retried attempt */
  guint copy;           /* --dist each: which worker's copy; program->members name copy 0 */
  gboolean serial;      /* runs while nothing else runs (--serial) */
  gboolean concluded;   /* its final result is reported */
  gboolean order_dependent;  /* fails split from its program, passes in listing order */
  gboolean rider;       /* runs with its ordered program's first test; the scheduler never sees it */
  double split_stopped; /* the split limit that stopped it, or 0 */
  PacerTestResult *held;  /* a failure in a split batch, held until confirmed */
  gboolean failed_in_order;  /* an attempt failed where a serial run would have run it */
} Test;

/* Batches the runner starts of its own accord, before the scheduler's. */
typedef enum {
  EXTRA_NONE,
  EXTRA_WHOLE,    /* a program that fell back to running whole */
  EXTRA_CONFIRM,  /* a failed test's program in listing order, up to that test */
  EXTRA_ORDERED,  /* a program with order-dependent tests, whole, in listing order */
} ExtraKind;

typedef struct
{
  ExtraKind kind;
  GArray *tests;        /* guint test indices, in the order they run */
  guint target;         /* EXTRA_CONFIRM: the test being confirmed */
} Extra;

typedef struct
{
  char *id;
  PacerBatch *batch;
  gboolean ready;
  gboolean serial;      /* its batch runs while nothing else runs */
  ExtraKind extra;      /* what its batch is, if the runner started it */
  guint target;         /* EXTRA_CONFIRM: the test being confirmed */
} Slot;

typedef struct
{
  PacerRunner *runner;
  GTask *task;
  GMainContext *context;
  GSource *cancel_source;
  char *run_dir;
  gint64 wall_offset;   /* real time minus monotonic time, read once */
  char *testrun_uid;
  PacerReaper *reaper;  /* kills what the run left behind, also if we die */
  char *seed;
  PacerScheduler *scheduler;
  GPtrArray *programs;
  guint n_listing;
  GArray *tests;
  Slot *slots;
  guint n_slots;        /* every slot the run may use */
  guint n_active;       /* slots 0 … n_active - 1 take batches */
  guint n_active_min;   /* what it started with, never given back */
  guint scale_source;   /* samples the CPUs while the run may grow */
  PacerCpuSample cpu_sample;
  gint64 no_grow_until; /* monotonic: a worker was just given back */
  guint n_running;
  guint n_restarts;
  guint max_restarts;
  guint n_failures;
  StopReason stop;
  guint tick_source;
  guint list_timeout_source;
  double list_limit;    /* seconds a listing may take */
  gboolean finished;
  gboolean partitioned;  /* some listed tests belong to other partitions */
  guint n_base_tests;   /* tests before --dist each copied them */
  GQueue extras;        /* Extra: batches the runner starts before the scheduler's */
  GArray *parked;       /* a serial batch waiting for the other workers */
  guint parked_slot;
  guint n_exclusive;     /* tests of exclusive commands, held back from the first pass */
  gboolean exclusive_pass;  /* they are queued: only gw0 runs */
} Run;

enum {
  SIGNAL_RUN_STARTED,
  SIGNAL_WORKER_READY,
  SIGNAL_WORKER_DOWN,
  SIGNAL_TEST_STARTED,
  SIGNAL_TEST_FINISHED,
  SIGNAL_RUN_FINISHED,
  SIGNAL_NOTE,
  N_SIGNALS
};

/* Emitted by the run engine; defined with the class in pacer-runner.c. */
extern guint _pacer_runner_signals[N_SIGNALS];

struct _PacerRunner
{
  GObject parent_instance;

  GStrv programs;
  GPtrArray *commands;
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

  Run *run;
  gboolean list_only;   /* the run stops once its tests are known */
  GPtrArray *listed;    /* PacerTestResult not run, of the last listing */
  GPtrArray *results;
  guint counts[PACER_TEST_OUTCOME_N_OUTCOMES];
  guint n_tests;
  guint n_whole_programs;
  guint n_workers_used;
  char *used_seed;
  double started_at;    /* Unix seconds: when the last run started ... */
  double finished_at;   /* ... and ended, for the reports */
  char **cleanup_failures;
};

void _pacer_run_start (PacerRunner  *self,
                       GTask        *task,
                       GCancellable *cancellable);

/* Adds what a process of @program needs beyond the worker variables. */
void _pacer_runner_setup_launcher   (Program             *program,
                                     GSubprocessLauncher *launcher);
/* The program, or a command's argv: where every command line starts. */
void _pacer_runner_add_program_argv (Program             *program,
                                     GStrvBuilder        *builder);

/* The PacerRunner settings the planner reads. */
const char * const *_pacer_runner_get_paths_filter (PacerRunner *self);
const char         *_pacer_runner_get_mode         (PacerRunner *self);

void          _pacer_runner_apply_partition  (Run          *run);
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
                                              gboolean      in_order,
                                              GStrvBuilder *argv,
                                              GArray       *kept,
                                              GArray       *pass_end);

/* pacer-runner-dist.c: distribution modes and serial tests. */
gboolean        _pacer_runner_check_dist     (PacerRunner  *self,
                                              GError      **error);
PacerScheduler *_pacer_runner_make_scheduler (Run          *run);
guint           _pacer_runner_n_slots        (Run          *run,
                                              guint         wanted);
void            _pacer_runner_copy_for_each  (Run          *run);
void            _pacer_runner_park_stop      (Run          *run,
                                              void        (*report_not_run) (Run *run, guint test_index));
void            _pacer_runner_mark_serial    (Run          *run);
gboolean        _pacer_runner_hold_serial    (Run          *run,
                                              guint         slot,
                                              GArray      **tests);
gboolean        _pacer_runner_serial_blocks  (Run          *run);

G_END_DECLS
