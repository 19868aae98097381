/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "pacer-gtest-log-private.h"
#include "pacer-output-buffer-private.h"
#include "pacer-test-result.h"

G_BEGIN_DECLS

/* One process running one batch of tests, and what it said before it ended. */
typedef struct _PacerBatch PacerBatch;

typedef enum {
  PACER_BATCH_KILL_NONE,
  PACER_BATCH_KILL_TIMEOUT,  /* the running test overran --timeout */
  PACER_BATCH_KILL_STOP,     /* the run stops: -x, the restart limit, Ctrl-C */
  PACER_BATCH_KILL_SPLIT,    /* a test split from its program overran the split limit */
  PACER_BATCH_KILL_EXIT,     /* every test reported, and the process would not end */
} PacerBatchKill;

/* A result line for the test at @position; for a whole program (not GTest),
 * @position is G_MAXUINT and @path names the TAP line the program printed. */
typedef void (*PacerBatchResultFunc)  (PacerBatch       *batch,
                                       guint             position,
                                       const char       *path,
                                       PacerTestOutcome  outcome,
                                       double            duration,
                                       const char       *message,
                                       const char       *output,
                                       gpointer          user_data);
typedef void (*PacerBatchStartedFunc) (PacerBatch       *batch,
                                       guint             position,
                                       gpointer          user_data);
typedef void (*PacerBatchDoneFunc)    (PacerBatch       *batch,
                                       gpointer          user_data);

struct _PacerBatch
{
  /* Given by the runner. */
  guint slot;
  GArray *tests;          /* guint, the runner's test indices by position */
  char **paths;           /* requested paths by position */
  guint *pass_end;        /* pass p covers positions [pass_end[p-1], pass_end[p]) in run order */
  guint n_passes;
  gboolean whole;         /* not a GTest program: run as one test */
  gboolean ignore_tap;    /* whole, and its output is not TAP: only its exit status counts */

  /* What happened, read by the runner once done. */
  gboolean *reported;     /* a result line arrived for this position */
  gboolean *missing;      /* its -p pass ran nothing: the program has no such test */
  guint n_tap_results;    /* results a whole program printed */
  guint n_tap_failures;   /* of which `not ok` (TODO aside) */
  gint64 tap_plan;        /* the N of a whole program's `1..N`, or -1 */
  PacerBatchKill kill_reason;
  gboolean signaled;
  int term_sig;
  int exit_status;
  char *bail_reason;      /* last `Bail out!` reason, if any */
  char *last_output;      /* output of the test that was running when it ended */
  double last_duration;   /* how long that test had run */
  double startup;         /* seconds from spawn to its first suite, or -1 */
  gint64 result_start;    /* monotonic start of the test being reported (in
                           * result_func), or of the last one (once done) */

  /* Private state. */
  guint ref_count;
  GMainContext *context;
  PacerBatchResultFunc result_func;
  PacerBatchStartedFunc started_func;
  PacerBatchDoneFunc done_func;
  gpointer user_data;
  GSubprocess *process;
  GPid pgid;
  GInputStream *stdout_pipe;
  GCancellable *cancellable;
  char *buffer;
  GString *partial;       /* the line being read, while it is short enough to be TAP */
  gboolean overlong;      /* the line being read outgrew partial: it is output, not TAP */
  PacerOutputBuffer output;
  guint pass;             /* the -p pass running now */
  guint cursor;           /* no unreported position of the pass lies before it */
  GHashTable *index;      /* path → position + 1 */
  gint64 event_time;
  gint64 spawn_time;
  gint64 last_read_time;  /* when the previous chunk arrived */
  gboolean start_in_chunk;/* the first suite started in the current chunk */
  gint64 chunk_time;      /* event_time when the current read chunk arrived */
  guint chunk_results;    /* result lines in the current read chunk */
  gint64 result_end;      /* monotonic end of the last result reported */
  /* GTest's own clock, from its --GTestLogFD records: a result line waits in
   * the backlog until its STOP_CASE record says how long the test took. */
  int log_fd;             /* read end, non-blocking, or -1 */
  guint log_source;
  PacerGTestLogDecoder *log_decoder;
  gboolean log_eof;
  gboolean log_lost;      /* corrupt or overdue: time by lines from now on */
  double *case_elapsed;   /* by position: GTest's elapsed seconds, or -1 */
  guint *case_depth;      /* START_CASEs not yet stopped: trap subprocesses nest */
  gint64 *case_started;   /* by position: when its START_CASE was read, or 0 */
  GQueue backlog;         /* HeldLine: stdout lines waiting for a record */
  gsize backlog_bytes;
  guint backlog_source;
  gboolean started;
  gboolean timed_start;
  gboolean exited;
  gboolean eof;
  gboolean done;
  guint grace_source;
  guint eof_source;
};

PacerBatch *_pacer_batch_new            (guint                  slot,
                                         GArray                *tests,
                                         char                 **paths,
                                         guint                 *pass_end,
                                         guint                  n_passes,
                                         gboolean               whole,
                                         PacerBatchResultFunc   result_func,
                                         PacerBatchStartedFunc  started_func,
                                         PacerBatchDoneFunc     done_func,
                                         gpointer               user_data);
gboolean    _pacer_batch_start          (PacerBatch            *batch,
                                         GSubprocessLauncher   *launcher,
                                         const char * const    *argv,
                                         GError               **error);
void        _pacer_batch_kill           (PacerBatch            *batch,
                                         PacerBatchKill         reason);
gboolean    _pacer_batch_check_timeout  (PacerBatch            *batch,
                                         gint64                 now,
                                         gint64                 timeout_usec);
guint       _pacer_batch_first_unreported (PacerBatch          *batch);
gboolean    _pacer_batch_has_unreported (PacerBatch            *batch);
char       *_pacer_batch_describe_end   (PacerBatch            *batch);
void        _pacer_batch_unref          (PacerBatch            *batch);

/* Puts a spawned test process in a process group of its own, so a timeout or
 * Ctrl-C can kill everything it started, and kills it if the runner dies.
 * @user_data is GINT_TO_POINTER (getpid ()) of the runner, read before the
 * fork: a runner that dies before the child asks for the signal is seen by
 * its pid no longer being the parent's. Linux sends the signal when the
 * *thread* that spawned dies: spawn from the thread that runs the run. */
void        _pacer_child_setup          (gpointer               user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerBatch, _pacer_batch_unref)

G_END_DECLS
