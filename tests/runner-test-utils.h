/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Helpers of the PacerRunner tests (test-runner*.c): a runner of fake-gtest,
 * a GTest program whose tests pass, fail, crash, hang or exit as
 * FAKE_GTEST_TESTS tells them, and which logs every test it starts (path,
 * kind, worker, run dir, pid, seed) to FAKE_GTEST_LOG; reading that log back;
 * looking up results; counting the runner's signals. */

#pragma once

#include <pacer-glib/pacer-glib.h>

G_BEGIN_DECLS

/* A scheduler that hands out everything pending of one program as one batch,
 * so a test can decide the exact composition of a batch. It is also the
 * smallest example of a user-written scheduler. */
#define TEST_TYPE_ALL_SCHEDULER (test_all_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (TestAllScheduler, test_all_scheduler, TEST, ALL_SCHEDULER, GObject)

void              test_all_scheduler_set_ignore_alone (TestAllScheduler *self,
                                                       gboolean          ignore_alone);

typedef struct
{
  char *path;
  char *kind;
  char *worker;
  char *run_dir;
  int pid;
  char *seed;
  char *count;
} LogLine;

void              runner_test_utils_init              (const char       *tmp_dir);
void              runner_test_utils_clear             (void);

void              reset_log                           (void);
GPtrArray        *read_log                            (void);
guint             log_count                           (GPtrArray        *lines,
                                                       const char       *path);
LogLine          *log_find                            (GPtrArray        *lines,
                                                       const char       *path);

PacerRunner      *new_runner                          (const char       *tests);
PacerTestResult  *find_result                         (PacerRunner      *runner,
                                                       const char       *path);
PacerTestOutcome  outcome_of                          (PacerRunner      *runner,
                                                       const char       *path);
guint             n_results                           (PacerRunner      *runner);
void              assert_dead                         (int               pid);

typedef struct
{
  guint run_started, run_finished, test_started, test_finished, worker_ready, worker_down_null, worker_down_error;
} Counts;

void on_run_started   (PacerRunner *r, Counts *c);
void on_run_finished  (PacerRunner *r, Counts *c);
void on_test_started  (PacerRunner *r, const char *p, const char *path, const char *w, Counts *c);
void on_test_finished (PacerRunner *r, PacerTestResult *res, Counts *c);
void on_worker_ready  (PacerRunner *r, const char *w, Counts *c);
void on_worker_down   (PacerRunner *r, const char *w, const char *error, Counts *c);

G_END_DECLS
