/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerScheduler:
 *
 * Decides which tests each worker runs next.
 *
 * A GTest process runs a batch of `-p` paths and exits, so a scheduler hands
 * out batches, not single tests: [method@Pacer.Scheduler.next_batch] is asked
 * whenever a worker slot is idle, and every batch holds tests of one program.
 * [class@Pacer.LoadScheduler] is the default; implement this interface for
 * another policy and give it to [property@Pacer.Runner:scheduler].
 *
 * ```c
 * pacer_scheduler_add_worker (scheduler, "gw0");
 * pacer_scheduler_add_test (scheduler, 0, "./test-foo", "/foo/a", -1, PACER_SCHEDULE_FLAGS_NONE);
 * g_autoptr(GArray) batch = pacer_scheduler_next_batch (scheduler, "gw0");
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include "pacer-scheduler.h"

G_DEFINE_INTERFACE (PacerScheduler, pacer_scheduler, G_TYPE_OBJECT)

static void
pacer_scheduler_default_init (PacerSchedulerInterface *iface)
{
}

/**
 * pacer_scheduler_add_worker:
 * @self: a scheduler
 * @worker: the worker id, such as `gw0`
 *
 * Tells the scheduler a worker slot is available.
 *
 * Since: 1.0
 */
void
pacer_scheduler_add_worker (PacerScheduler *self,
                            const char     *worker)
{
  g_return_if_fail (PACER_IS_SCHEDULER (self));
  g_return_if_fail (worker != NULL);

  PACER_SCHEDULER_GET_IFACE (self)->add_worker (self, worker);
}

/**
 * pacer_scheduler_remove_worker:
 * @self: a scheduler
 * @worker: the worker id
 *
 * Tells the scheduler a worker slot is gone. The runner re-queues the tests it
 * held with [method@Pacer.Scheduler.mark_test_pending].
 *
 * Since: 1.0
 */
void
pacer_scheduler_remove_worker (PacerScheduler *self,
                               const char     *worker)
{
  g_return_if_fail (PACER_IS_SCHEDULER (self));
  g_return_if_fail (worker != NULL);

  PACER_SCHEDULER_GET_IFACE (self)->remove_worker (self, worker);
}

/**
 * pacer_scheduler_add_test:
 * @self: a scheduler
 * @test: the runner's index for the test
 * @program: the program that holds the test
 * @path: the test's path
 * @expected_duration: seconds the test took last time, or -1 if unknown
 * @flags: what the batch holding the test must respect
 *
 * Adds a listed test to the pending work.
 *
 * @program is a string, not a filename, so that a scheduler written in
 * Python (whose PyGObject cannot pass filenames to a virtual method) gets
 * it; the runner passes the program's resolved path.
 *
 * Since: 1.0
 */
void
pacer_scheduler_add_test (PacerScheduler     *self,
                          guint               test,
                          const char         *program,
                          const char         *path,
                          double              expected_duration,
                          PacerScheduleFlags  flags)
{
  g_return_if_fail (PACER_IS_SCHEDULER (self));
  g_return_if_fail (program != NULL && path != NULL);

  PACER_SCHEDULER_GET_IFACE (self)->add_test (self, test, program, path, expected_duration, flags);
}

/**
 * pacer_scheduler_next_batch:
 * @self: a scheduler
 * @worker: the idle worker
 *
 * Picks the tests @worker runs next in one process, in the order given. All
 * belong to one program, and a test flagged `PACER_SCHEDULE_FLAGS_ALONE` is
 * the only one in its batch.
 *
 * Returns: (transfer full) (element-type guint) (nullable): the test indices,
 *   or `NULL` if nothing is pending
 *
 * Since: 1.0
 */
GArray *
pacer_scheduler_next_batch (PacerScheduler *self,
                            const char     *worker)
{
  g_return_val_if_fail (PACER_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (worker != NULL, NULL);

  return PACER_SCHEDULER_GET_IFACE (self)->next_batch (self, worker);
}

/**
 * pacer_scheduler_mark_test_complete:
 * @self: a scheduler
 * @worker: the worker that ran the test
 * @test: the test's index
 * @duration: how long it ran, in seconds
 *
 * Reports that a test finished, whatever its outcome.
 *
 * Since: 1.0
 */
void
pacer_scheduler_mark_test_complete (PacerScheduler *self,
                                    const char     *worker,
                                    guint           test,
                                    double          duration)
{
  g_return_if_fail (PACER_IS_SCHEDULER (self));
  g_return_if_fail (worker != NULL);

  PACER_SCHEDULER_GET_IFACE (self)->mark_test_complete (self, worker, test, duration);
}

/**
 * pacer_scheduler_mark_test_pending:
 * @self: a scheduler
 * @test: the test's index
 * @flags: what its next batch must respect
 *
 * Puts a test handed out earlier back into the pending work: the rest of a
 * batch whose process crashed, or a test to retry.
 *
 * Since: 1.0
 */
void
pacer_scheduler_mark_test_pending (PacerScheduler     *self,
                                   guint               test,
                                   PacerScheduleFlags  flags)
{
  g_return_if_fail (PACER_IS_SCHEDULER (self));

  PACER_SCHEDULER_GET_IFACE (self)->mark_test_pending (self, test, flags);
}

/**
 * pacer_scheduler_remove_pending:
 * @self: a scheduler
 *
 * Takes every pending test out of the scheduler, as when a run stops early;
 * the runner reports them as not run.
 *
 * Returns: (transfer full) (element-type guint): the pending test indices
 *
 * Since: 1.0
 */
GArray *
pacer_scheduler_remove_pending (PacerScheduler *self)
{
  g_return_val_if_fail (PACER_IS_SCHEDULER (self), NULL);

  return PACER_SCHEDULER_GET_IFACE (self)->remove_pending (self);
}

/**
 * pacer_scheduler_has_pending:
 * @self: a scheduler
 *
 * Whether tests are waiting to be handed out.
 *
 * Returns: `TRUE` if [method@Pacer.Scheduler.next_batch] would return a batch
 *
 * Since: 1.0
 */
gboolean
pacer_scheduler_has_pending (PacerScheduler *self)
{
  g_return_val_if_fail (PACER_IS_SCHEDULER (self), FALSE);

  return PACER_SCHEDULER_GET_IFACE (self)->has_pending (self);
}

/**
 * pacer_scheduler_mark_process_overhead:
 * @self: a scheduler
 * @program: the program
 * @seconds: how long a process of @program took before its first test
 *
 * Reports what one process of @program costs before it runs a test: exec,
 * dynamic linking, and GTest registering every test, which for big suites
 * can exceed the tests themselves. A scheduler may size batches so this
 * cost is paid seldom. Schedulers that do not implement it ignore it.
 *
 * Since: 1.0
 */
void
pacer_scheduler_mark_process_overhead (PacerScheduler *self,
                                       const char     *program,
                                       double          seconds)
{
  PacerSchedulerInterface *iface;

  g_return_if_fail (PACER_IS_SCHEDULER (self));
  g_return_if_fail (program != NULL);

  iface = PACER_SCHEDULER_GET_IFACE (self);
  if (iface->mark_process_overhead != NULL)
    iface->mark_process_overhead (self, program, seconds);
}
