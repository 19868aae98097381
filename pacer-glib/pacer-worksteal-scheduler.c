/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerWorkstealScheduler:
 *
 * The `--dist worksteal` policy: the tests are split evenly, in listing
 * order, into one queue per worker; a worker whose queue is empty steals
 * the back half of the longest queue.
 *
 * The split and the steals weigh tests by their expected durations (a test
 * of unknown duration counts as the mean of the known ones). A GTest process
 * runs a batch and exits, so a worker takes half of its queue's work per
 * batch, not all of it: what is left is there for others to steal, and the
 * batches shrink towards the end. The rest of a crashed batch and a retry
 * go back to the front of the queue of the worker that ran them.
 *
 * ```c
 * g_autoptr(PacerScheduler) scheduler = pacer_worksteal_scheduler_new ();
 * g_object_set (runner, "scheduler", scheduler, NULL);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include "pacer-schedule-queue-private.h"
#include "pacer-worksteal-scheduler.h"

typedef struct
{
  char *worker;
  GArray *queue;  /* PacerQueueItem, front first */
} Worker;

typedef struct
{
  const char *program;  /* interned; NULL: never added */
  double expected;
  Worker *holder;       /* the worker it was last handed to */
} TestInfo;

struct _PacerWorkstealScheduler
{
  GObject parent_instance;

  GPtrArray *workers;  /* Worker, in the order they joined */
  GArray *unsplit;     /* PacerQueueItem added before the first batch */
  gboolean split;
  GArray *tests;       /* TestInfo by test index */
  guint n_pending;
  double known_sum;
  guint known_count;
};

static void pacer_worksteal_scheduler_iface_init (PacerSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PacerWorkstealScheduler, pacer_worksteal_scheduler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_SCHEDULER,
                                                      pacer_worksteal_scheduler_iface_init))

static void
worker_free (Worker *worker)
{
  g_free (worker->worker);
  g_array_unref (worker->queue);
  g_free (worker);
}

static double
unknown_seconds (PacerWorkstealScheduler *self)
{
  return self->known_count > 0 ? self->known_sum / self->known_count : 1.0;
}

static Worker *
find_worker (PacerWorkstealScheduler *self,
             const char              *name)
{
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);

      if (g_str_equal (worker->worker, name))
        return worker;
    }
  return NULL;
}

/* The queue with the most work, or NULL if all are empty. */
static Worker *
longest (PacerWorkstealScheduler *self,
         Worker                  *except)
{
  double unknown = unknown_seconds (self);
  Worker *best = NULL;
  double best_seconds = -1;

  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (self->workers, i);
      double seconds;

      if (worker == except || worker->queue->len == 0)
        continue;
      seconds = _pacer_queue_seconds (worker->queue, 0, unknown);
      if (seconds > best_seconds)
        {
          best = worker;
          best_seconds = seconds;
        }
    }
  return best;
}

/* Contiguous slices of equal expected work keep each suite together, so
 * the runner can run most of a suite as one -p pass. */
static void
split_evenly (PacerWorkstealScheduler *self)
{
  double unknown = unknown_seconds (self);
  double total = _pacer_queue_seconds (self->unsplit, 0, unknown);
  double done = 0;
  /* Tests known to take no time at all split by count. */
  gboolean by_count = total <= 0;

  self->split = TRUE;
  if (self->workers->len == 0)
    return;

  for (guint i = 0; i < self->unsplit->len; i++)
    {
      PacerQueueItem *item = &g_array_index (self->unsplit, PacerQueueItem, i);
      double seconds = by_count ? 1.0 : item->expected >= 0 ? item->expected : unknown;
      Worker *worker;
      guint w;

      /* A test goes to the slice its midpoint falls in. */
      w = MIN ((guint) ((done + seconds / 2) / (by_count ? self->unsplit->len : total) * self->workers->len),
               self->workers->len - 1);
      worker = g_ptr_array_index (self->workers, w);
      g_array_append_vals (worker->queue, item, 1);
      done += seconds;
    }
  g_array_set_size (self->unsplit, 0);
}

static void
pacer_worksteal_scheduler_add_worker (PacerScheduler *scheduler,
                                      const char     *name)
{
  PacerWorkstealScheduler *self = PACER_WORKSTEAL_SCHEDULER (scheduler);
  Worker *worker;

  if (find_worker (self, name) != NULL)
    return;
  worker = g_new0 (Worker, 1);
  worker->worker = g_strdup (name);
  worker->queue = _pacer_queue_new ();
  g_ptr_array_add (self->workers, worker);
}

static void
pacer_worksteal_scheduler_remove_worker (PacerScheduler *scheduler,
                                         const char     *name)
{
  PacerWorkstealScheduler *self = PACER_WORKSTEAL_SCHEDULER (scheduler);
  Worker *worker = find_worker (self, name);
  Worker *heir;
  guint position;

  if (worker == NULL || !g_ptr_array_find (self->workers, worker, &position))
    return;
  g_ptr_array_steal_index (self->workers, position);
  /* Its queue goes to whoever has least, or back to the unsplit pool. */
  heir = NULL;
  for (guint i = 0; i < self->workers->len; i++)
    {
      Worker *other = g_ptr_array_index (self->workers, i);

      if (heir == NULL || other->queue->len < heir->queue->len)
        heir = other;
    }
  g_array_append_vals (heir != NULL ? heir->queue : self->unsplit, worker->queue->data, worker->queue->len);
  for (guint i = 0; i < self->tests->len; i++)
    if (g_array_index (self->tests, TestInfo, i).holder == worker)
      g_array_index (self->tests, TestInfo, i).holder = NULL;
  worker_free (worker);
}

static void
pacer_worksteal_scheduler_add_test (PacerScheduler     *scheduler,
                                    guint               test,
                                    const char         *program,
                                    const char         *path,
                                    double              expected_duration,
                                    PacerScheduleFlags  flags)
{
  PacerWorkstealScheduler *self = PACER_WORKSTEAL_SCHEDULER (scheduler);
  PacerQueueItem item = { test, flags, g_intern_string (program),
                          expected_duration >= 0 ? expected_duration : -1 };
  TestInfo *info;

  if (test >= self->tests->len)
    g_array_set_size (self->tests, test + 1);
  info = &g_array_index (self->tests, TestInfo, test);
  info->program = item.program;
  info->expected = item.expected;
  info->holder = NULL;
  if (item.expected >= 0)
    {
      self->known_sum += item.expected;
      self->known_count++;
    }

  /* Tests that come after the split go to the least loaded queue. */
  if (self->split && self->workers->len > 0)
    {
      Worker *least = NULL;

      for (guint i = 0; i < self->workers->len; i++)
        {
          Worker *worker = g_ptr_array_index (self->workers, i);

          if (least == NULL || worker->queue->len < least->queue->len)
            least = worker;
        }
      g_array_append_val (least->queue, item);
    }
  else
    g_array_append_val (self->unsplit, item);
  self->n_pending++;
}

static GArray *
pacer_worksteal_scheduler_next_batch (PacerScheduler *scheduler,
                                      const char     *name)
{
  PacerWorkstealScheduler *self = PACER_WORKSTEAL_SCHEDULER (scheduler);
  Worker *worker, *victim;
  double unknown = unknown_seconds (self);
  double half, sum = 0;
  guint take = 0;
  GArray *batch;

  if (self->n_pending == 0)
    return NULL;
  if (!self->split)
    split_evenly (self);
  worker = find_worker (self, name);
  if (worker == NULL)
    {
      /* A worker the scheduler was never told about still gets work. */
      pacer_worksteal_scheduler_add_worker (scheduler, name);
      worker = find_worker (self, name);
    }
  if (self->unsplit->len > 0)
    {
      g_array_append_vals (worker->queue, self->unsplit->data, self->unsplit->len);
      g_array_set_size (self->unsplit, 0);
    }

  if (worker->queue->len == 0 && (victim = longest (self, worker)) != NULL)
    {
      /* Steal the back half of the victim's work, at least one test. */
      double victim_half = _pacer_queue_seconds (victim->queue, 0, unknown) / 2;
      guint from = victim->queue->len;

      while (from > 0)
        {
          double seconds = _pacer_queue_seconds (victim->queue, from - 1, unknown);

          if (from < victim->queue->len && seconds > victim_half + 1e-9)
            break;
          from--;
        }
      /* Leave the victim its head when it has more than one test: it is next in line. */
      if (from == 0 && victim->queue->len > 1)
        from = 1;
      g_array_append_vals (worker->queue, &g_array_index (victim->queue, PacerQueueItem, from),
                           victim->queue->len - from);
      g_array_set_size (victim->queue, from);
    }

  if (worker->queue->len == 0)
    return NULL;

  /* Half of the queue's work per process, at least one test: the rest stays
   * here to steal. A single queue left (one worker) goes in one process. */
  half = _pacer_queue_seconds (worker->queue, 0, unknown) / 2;
  if (self->workers->len <= 1)
    take = worker->queue->len;
  else
    while (take < worker->queue->len)
      {
        PacerQueueItem *item = &g_array_index (worker->queue, PacerQueueItem, take);
        double seconds = item->expected >= 0 ? item->expected : unknown;

        if (take > 0 && sum + seconds / 2 > half + 1e-9)
          break;
        sum += seconds;
        take++;
      }

  batch = _pacer_queue_take_batch (worker->queue, take);
  self->n_pending -= batch->len;
  for (guint i = 0; i < batch->len; i++)
    g_array_index (self->tests, TestInfo, g_array_index (batch, guint, i)).holder = worker;
  return batch;
}

static void
pacer_worksteal_scheduler_mark_test_complete (PacerScheduler *scheduler,
                                              const char     *worker,
                                              guint           test,
                                              double          duration)
{
}

static void
pacer_worksteal_scheduler_mark_test_pending (PacerScheduler     *scheduler,
                                             guint               test,
                                             PacerScheduleFlags  flags)
{
  PacerWorkstealScheduler *self = PACER_WORKSTEAL_SCHEDULER (scheduler);
  TestInfo *info;
  PacerQueueItem item;

  g_return_if_fail (test < self->tests->len);
  info = &g_array_index (self->tests, TestInfo, test);
  g_return_if_fail (info->program != NULL);

  item = (PacerQueueItem) { test, flags, info->program, info->expected };
  /* Back to the front of the queue it came from: it was due already. */
  if (info->holder != NULL)
    _pacer_queue_prepend (info->holder->queue, &item);
  else
    g_array_append_val (self->unsplit, item);
  self->n_pending++;
}

static GArray *
pacer_worksteal_scheduler_remove_pending (PacerScheduler *scheduler)
{
  PacerWorkstealScheduler *self = PACER_WORKSTEAL_SCHEDULER (scheduler);
  GArray *pending = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < self->workers->len; i++)
    _pacer_queue_drain (((Worker *) g_ptr_array_index (self->workers, i))->queue, pending);
  _pacer_queue_drain (self->unsplit, pending);
  self->n_pending = 0;
  return pending;
}

static gboolean
pacer_worksteal_scheduler_has_pending (PacerScheduler *scheduler)
{
  return PACER_WORKSTEAL_SCHEDULER (scheduler)->n_pending > 0;
}

static void
pacer_worksteal_scheduler_iface_init (PacerSchedulerInterface *iface)
{
  iface->add_worker = pacer_worksteal_scheduler_add_worker;
  iface->remove_worker = pacer_worksteal_scheduler_remove_worker;
  iface->add_test = pacer_worksteal_scheduler_add_test;
  iface->next_batch = pacer_worksteal_scheduler_next_batch;
  iface->mark_test_complete = pacer_worksteal_scheduler_mark_test_complete;
  iface->mark_test_pending = pacer_worksteal_scheduler_mark_test_pending;
  iface->remove_pending = pacer_worksteal_scheduler_remove_pending;
  iface->has_pending = pacer_worksteal_scheduler_has_pending;
}

static void
pacer_worksteal_scheduler_finalize (GObject *object)
{
  PacerWorkstealScheduler *self = PACER_WORKSTEAL_SCHEDULER (object);

  g_ptr_array_unref (self->workers);
  g_array_unref (self->unsplit);
  g_array_unref (self->tests);

  G_OBJECT_CLASS (pacer_worksteal_scheduler_parent_class)->finalize (object);
}

static void
pacer_worksteal_scheduler_class_init (PacerWorkstealSchedulerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pacer_worksteal_scheduler_finalize;
}

static void
pacer_worksteal_scheduler_init (PacerWorkstealScheduler *self)
{
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  self->unsplit = _pacer_queue_new ();
  self->tests = g_array_new (FALSE, TRUE, sizeof (TestInfo));
}

/**
 * pacer_worksteal_scheduler_new:
 *
 * Creates a work-stealing scheduler.
 *
 * Returns: (transfer full): a new scheduler
 *
 * Since: 1.0
 */
PacerScheduler *
pacer_worksteal_scheduler_new (void)
{
  return g_object_new (PACER_TYPE_WORKSTEAL_SCHEDULER, NULL);
}
