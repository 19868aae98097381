/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of one run, shared by the files that make up the run engine and
 * by nobody else: pacer-engine.c drives a run, pacer-engine-plan.c turns
 * batches into command lines, pacer-engine-dist.c holds the distribution
 * modes and serial tests, pacer-engine-partition.c keeps a run's share of
 * the tests, pacer-engine-programs.c resolves and lists the programs.
 * PacerRunner sees only pacer-engine-private.h. */

#include <gio/gio.h>

#include "pacer-batch-private.h"
#include "pacer-build-machines-private.h"
#include "pacer-cpu-pressure-private.h"
#include "pacer-engine-private.h"
#include "pacer-reaper-private.h"

G_BEGIN_DECLS

typedef enum {
  PACER_ENGINE_STOP_NONE,
  PACER_ENGINE_STOP_MAXFAIL,
  PACER_ENGINE_STOP_RESTARTS,
  PACER_ENGINE_STOP_CANCELLED,
} PacerEngineStop;

typedef struct
{
  char *name;           /* as given */
  char *file;           /* resolved path that is spawned; for a command, its name */
  GStrv argv;           /* a command's argv, the program resolved; NULL for a program */
  char *cwd;            /* a command's working directory */
  gboolean fresh_directory;  /* each process starts in a copy of cwd of its own */
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
} PacerEngineProgram;

typedef struct
{
  PacerEngineProgram *program;
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
} PacerEngineTest;

/* Batches the engine starts of its own accord, before the scheduler's. */
typedef enum {
  PACER_ENGINE_EXTRA_NONE,
  PACER_ENGINE_EXTRA_WHOLE,    /* a program that fell back to running whole */
  PACER_ENGINE_EXTRA_CONFIRM,  /* a failed test's program in listing order, up to that test */
  PACER_ENGINE_EXTRA_ORDERED,  /* a program with order-dependent tests, whole, in listing order */
} PacerEngineExtraKind;

typedef struct
{
  PacerEngineExtraKind kind;
  GArray *tests;        /* guint test indices, in the order they run */
  guint target;         /* PACER_ENGINE_EXTRA_CONFIRM: the test being confirmed */
} PacerEngineExtra;

typedef struct
{
  char *id;
  PacerBatch *batch;
  gboolean ready;
  gboolean serial;      /* its batch runs while nothing else runs */
  PacerEngineExtraKind extra;  /* what its batch is, if the engine started it */
  guint target;         /* PACER_ENGINE_EXTRA_CONFIRM: the test being confirmed */
} PacerEngineSlot;

struct _PacerEngine
{
  const PacerEngineSettings *settings;  /* the runner's, unchanged while the run lasts */
  const PacerEngineCallbacks *callbacks;
  gpointer user_data;   /* for the callbacks */
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
  void (*listing_ended) (PacerEngine *run);
  GArray *tests;
  PacerEngineSlot *slots;
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
  PacerEngineStop stop;
  guint tick_source;
  guint list_timeout_source;
  double list_limit;    /* seconds a listing may take, from list_began */
  gint64 list_began;    /* monotonic: when the listings started */
  double list_longest;  /* seconds: the longest listing that ended */
  gboolean finished;
  double finished_at;   /* Unix seconds: when its last test ended */
  gboolean partitioned;  /* some listed tests belong to other partitions */
  guint n_base_tests;   /* tests before --dist each copied them */
  GQueue extras;        /* PacerEngineExtra: batches the engine starts before the scheduler's */
  GArray *parked;       /* a serial batch waiting for the other workers */
  guint parked_slot;
  guint n_exclusive;     /* tests of exclusive commands, held back from the first pass */
  gboolean exclusive_pass;  /* they are queued: only gw0 runs */
  PacerBuildMachines *machines;  /* the build's, with PACER_STORE; else NULL */
  guint beat_source;
  guint build_wait_source;  /* waits for the other machines before cleaning up */
  gboolean build_wait_noted;
  void (*build_ended) (PacerEngine *run);
};

/* pacer-engine.c: what the other parts report through. */
void _pacer_engine_note         (PacerEngine        *run,
                                 PacerEngineProgram *program,
                                 const char         *format,
                                 ...) G_GNUC_PRINTF (3, 4);
void _pacer_engine_clear_source (PacerEngine        *run,
                                 guint              *id);
/* Attaches @source (transfer full) to the run's context, calling @func with
 * the run; returns its id. */
guint _pacer_engine_attach      (PacerEngine        *run,
                                 GSource            *source,
                                 GSourceFunc         func,
                                 const char         *static_name);

/* pacer-engine-build.c: the run as one machine of a build sharing a store. */
void _pacer_engine_join_build   (PacerEngine        *run);
void _pacer_engine_end_on_build (PacerEngine        *run,
                                 void              (*ended) (PacerEngine *run));
void _pacer_engine_leave_build  (PacerEngine        *run);

/* pacer-engine-programs.c: the programs of a run and their tests. */
gboolean _pacer_engine_add_programs   (PacerEngine         *run,
                                      GError             **error);
void     _pacer_engine_list_programs  (PacerEngine         *run,
                                      void               (*ended) (PacerEngine *run));
void     _pacer_engine_program_free   (PacerEngineProgram  *program);

/* pacer-engine-plan.c: launchers and command lines. */
GSubprocessLauncher *_pacer_engine_make_launcher (PacerEngine        *run,
                                                  PacerEngineProgram *program,
                                                  const char         *worker,
                                                  gboolean            listing);
void          _pacer_engine_requeue          (PacerEngine         *run,
                                              guint                test_index);
void          _pacer_engine_add_program_argv (PacerEngineProgram  *program,
                                              GStrvBuilder        *builder);
GStrvBuilder *_pacer_engine_common_argv      (PacerEngine         *run,
                                              PacerEngineProgram  *program,
                                              gboolean             keep_going);
GStrv         _pacer_engine_single_test_argv (PacerEngine         *run,
                                              guint                test_index);
void          _pacer_engine_plan_passes      (PacerEngine         *run,
                                              PacerEngineProgram  *program,
                                              GArray              *tests,
                                              gboolean             in_order,
                                              GStrvBuilder        *argv,
                                              GArray              *kept,
                                              GArray              *pass_end);

/* pacer-engine-partition.c */
void _pacer_engine_apply_partition (PacerEngine *run);

/* pacer-engine-dist.c: distribution modes and serial tests. */
PacerScheduler *_pacer_engine_make_scheduler (PacerEngine  *run);
guint           _pacer_engine_n_slots        (PacerEngine  *run,
                                              guint         wanted);
void            _pacer_engine_copy_for_each  (PacerEngine  *run);
void            _pacer_engine_park_stop      (PacerEngine  *run,
                                              void        (*report_not_run) (PacerEngine *run,
                                                                             guint        test_index));
void            _pacer_engine_mark_serial    (PacerEngine  *run);
gboolean        _pacer_engine_hold_serial    (PacerEngine  *run,
                                              guint         slot,
                                              GArray      **tests);
gboolean        _pacer_engine_serial_blocks  (PacerEngine  *run);

G_END_DECLS
