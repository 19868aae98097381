/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PacerScheduleFlags:
 * @PACER_SCHEDULE_FLAGS_NONE: no special needs.
 * @PACER_SCHEDULE_FLAGS_ALONE: the test must run in a batch of its own: it is
 *   a retry, or a path that is also a suite and needs its children excluded.
 *
 * What a scheduler must respect about one test.
 *
 * Since: 1.0
 */
typedef enum {
  PACER_SCHEDULE_FLAGS_NONE = 0,
  PACER_SCHEDULE_FLAGS_ALONE = 1 << 0,
} PacerScheduleFlags;

#define PACER_TYPE_SCHEDULER (pacer_scheduler_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (PacerScheduler, pacer_scheduler, PACER, SCHEDULER, GObject)

/**
 * PacerSchedulerInterface:
 * @add_worker: a worker slot joined the run.
 * @remove_worker: a worker slot left the run; the runner re-queues what it held.
 * @add_test: a listed test joins the pending work.
 * @next_batch: picks the tests a worker runs next, all from one program.
 * @mark_test_complete: a test finished on a worker after @duration seconds.
 * @mark_test_pending: a test goes back to the pending work (rest of a crashed
 *   batch, or a retry).
 * @remove_pending: takes every pending test out, as when a run stops.
 * @has_pending: whether tests are still waiting to be handed out.
 * @mark_process_overhead: a process of @program took @seconds to start (exec,
 *   and registering its tests) before running its first test; optional.
 *
 * The protocol between [class@Pacer.Runner] and its scheduling policy, after
 * pytest-xdist's: the runner adds workers and tests, asks for a batch whenever
 * a worker slot is idle, and reports completions and re-queued tests. Tests
 * are named by the runner's index for them.
 *
 * Since: 1.0
 */
struct _PacerSchedulerInterface
{
  GTypeInterface g_iface;

  void      (*add_worker)         (PacerScheduler     *self,
                                   const char         *worker);
  void      (*remove_worker)      (PacerScheduler     *self,
                                   const char         *worker);
  void      (*add_test)           (PacerScheduler     *self,
                                   guint               test,
                                   const char         *program,
                                   const char         *path,
                                   double              expected_duration,
                                   PacerScheduleFlags  flags);
  GArray   *(*next_batch)         (PacerScheduler     *self,
                                   const char         *worker);
  void      (*mark_test_complete) (PacerScheduler     *self,
                                   const char         *worker,
                                   guint               test,
                                   double              duration);
  void      (*mark_test_pending)  (PacerScheduler     *self,
                                   guint               test,
                                   PacerScheduleFlags  flags);
  GArray   *(*remove_pending)     (PacerScheduler     *self);
  gboolean  (*has_pending)        (PacerScheduler     *self);
  void      (*mark_process_overhead) (PacerScheduler *self,
                                      const char     *program,
                                      double          seconds);

  /*< private >*/
  gpointer _reserved[7];
};

PACER_AVAILABLE_IN_ALL
void      pacer_scheduler_add_worker         (PacerScheduler     *self,
                                              const char         *worker);
PACER_AVAILABLE_IN_ALL
void      pacer_scheduler_remove_worker      (PacerScheduler     *self,
                                              const char         *worker);
PACER_AVAILABLE_IN_ALL
void      pacer_scheduler_add_test           (PacerScheduler     *self,
                                              guint               test,
                                              const char         *program,
                                              const char         *path,
                                              double              expected_duration,
                                              PacerScheduleFlags  flags);
PACER_AVAILABLE_IN_ALL
GArray   *pacer_scheduler_next_batch         (PacerScheduler     *self,
                                              const char         *worker);
PACER_AVAILABLE_IN_ALL
void      pacer_scheduler_mark_test_complete (PacerScheduler     *self,
                                              const char         *worker,
                                              guint               test,
                                              double              duration);
PACER_AVAILABLE_IN_ALL
void      pacer_scheduler_mark_test_pending  (PacerScheduler     *self,
                                              guint               test,
                                              PacerScheduleFlags  flags);
PACER_AVAILABLE_IN_ALL
GArray   *pacer_scheduler_remove_pending     (PacerScheduler     *self);
PACER_AVAILABLE_IN_ALL
gboolean  pacer_scheduler_has_pending        (PacerScheduler     *self);
PACER_AVAILABLE_IN_ALL
void      pacer_scheduler_mark_process_overhead (PacerScheduler  *self,
                                                 const char      *program,
                                                 double           seconds);

G_END_DECLS
