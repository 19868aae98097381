/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerOrderedScheduler:
 *
 * The `--dist no` policy: the tests run in listing order, as the programs
 * themselves would run them, and the runner gives this mode one worker.
 *
 * Each program's pending tests go in one batch, so a suite costs one
 * process; the rest of a crashed batch runs next, in order, and a retry
 * runs as soon as the batch that failed it is over.
 *
 * ```c
 * g_object_set (runner, "dist", PACER_DIST_MODE_NO, NULL);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include "pacer-ordered-scheduler.h"
#include "pacer-schedule-queue-private.h"

typedef struct
{
  const char *program;  /* interned; NULL: never added */
  double expected;
} TestInfo;

struct _PacerOrderedScheduler
{
  GObject parent_instance;

  GArray *pending;  /* PacerQueueItem, by index */
  GArray *tests;    /* TestInfo by test index */
};

static void pacer_ordered_scheduler_iface_init (PacerSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PacerOrderedScheduler, pacer_ordered_scheduler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_SCHEDULER,
                                                      pacer_ordered_scheduler_iface_init))

/* One queue in listing order for whoever asks: which workers there are
 * does not matter, so joining and leaving are both nothing to do. */
static void
pacer_ordered_scheduler_ignore_worker (PacerScheduler *scheduler,
                                       const char     *worker)
{
}

static void
pacer_ordered_scheduler_add_test (PacerScheduler     *scheduler,
                                  guint               test,
                                  const char         *program,
                                  const char         *path,
                                  double              expected_duration,
                                  PacerScheduleFlags  flags)
{
  PacerOrderedScheduler *self = PACER_ORDERED_SCHEDULER (scheduler);
  PacerQueueItem item = { test, flags, g_intern_string (program),
                          expected_duration >= 0 ? expected_duration : -1 };

  if (test >= self->tests->len)
    g_array_set_size (self->tests, test + 1);
  g_array_index (self->tests, TestInfo, test) = (TestInfo) { item.program, item.expected };
  _pacer_queue_insert_sorted (self->pending, &item);
}

static GArray *
pacer_ordered_scheduler_next_batch (PacerScheduler *scheduler,
                                    const char     *worker)
{
  PacerOrderedScheduler *self = PACER_ORDERED_SCHEDULER (scheduler);
  PacerQueueItem *head;
  guint n = 0;

  /* Only the run of tests at the head: a test after a retry of an earlier
   * one (flagged to run alone) must not jump ahead of tests before it. */
  if (self->pending->len == 0)
    return NULL;
  head = &g_array_index (self->pending, PacerQueueItem, 0);
  while (n < self->pending->len)
    {
      PacerQueueItem *item = &g_array_index (self->pending, PacerQueueItem, n);

      if (item->program != head->program || (item->flags & PACER_SCHEDULE_FLAGS_ALONE) != 0)
        break;
      n++;
    }
  return _pacer_queue_take_batch (self->pending, MAX (n, 1));
}

static void
pacer_ordered_scheduler_mark_test_complete (PacerScheduler *scheduler,
                                            const char     *worker,
                                            guint           test,
                                            double          duration)
{
}

static void
pacer_ordered_scheduler_mark_test_pending (PacerScheduler     *scheduler,
                                           guint               test,
                                           PacerScheduleFlags  flags)
{
  PacerOrderedScheduler *self = PACER_ORDERED_SCHEDULER (scheduler);
  TestInfo *info;
  PacerQueueItem item;

  g_return_if_fail (test < self->tests->len);
  info = &g_array_index (self->tests, TestInfo, test);
  g_return_if_fail (info->program != NULL);

  item = (PacerQueueItem) { test, flags, info->program, info->expected };
  _pacer_queue_insert_sorted (self->pending, &item);
}

static GArray *
pacer_ordered_scheduler_remove_pending (PacerScheduler *scheduler)
{
  PacerOrderedScheduler *self = PACER_ORDERED_SCHEDULER (scheduler);
  GArray *pending = g_array_new (FALSE, FALSE, sizeof (guint));

  _pacer_queue_drain (self->pending, pending);
  return pending;
}

static gboolean
pacer_ordered_scheduler_has_pending (PacerScheduler *scheduler)
{
  return PACER_ORDERED_SCHEDULER (scheduler)->pending->len > 0;
}

static void
pacer_ordered_scheduler_iface_init (PacerSchedulerInterface *iface)
{
  iface->add_worker = pacer_ordered_scheduler_ignore_worker;
  iface->remove_worker = pacer_ordered_scheduler_ignore_worker;
  iface->add_test = pacer_ordered_scheduler_add_test;
  iface->next_batch = pacer_ordered_scheduler_next_batch;
  iface->mark_test_complete = pacer_ordered_scheduler_mark_test_complete;
  iface->mark_test_pending = pacer_ordered_scheduler_mark_test_pending;
  iface->remove_pending = pacer_ordered_scheduler_remove_pending;
  iface->has_pending = pacer_ordered_scheduler_has_pending;
}

static void
pacer_ordered_scheduler_finalize (GObject *object)
{
  PacerOrderedScheduler *self = PACER_ORDERED_SCHEDULER (object);

  g_array_unref (self->pending);
  g_array_unref (self->tests);

  G_OBJECT_CLASS (pacer_ordered_scheduler_parent_class)->finalize (object);
}

static void
pacer_ordered_scheduler_class_init (PacerOrderedSchedulerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pacer_ordered_scheduler_finalize;
}

static void
pacer_ordered_scheduler_init (PacerOrderedScheduler *self)
{
  self->pending = _pacer_queue_new ();
  self->tests = g_array_new (FALSE, TRUE, sizeof (TestInfo));
}

/**
 * pacer_ordered_scheduler_new:
 *
 * Creates a scheduler that hands out tests in listing order.
 *
 * Returns: (transfer full): a new scheduler
 *
 * Since: 1.0
 */
PacerScheduler *
pacer_ordered_scheduler_new (void)
{
  return g_object_new (PACER_TYPE_ORDERED_SCHEDULER, NULL);
}
