/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerEachScheduler:
 *
 * The `--dist each` policy: every worker runs every test, as a check that
 * a suite passes in every worker's environment or as a stress run.
 *
 * The runner indexes each test once per worker when its
 * [property@Pacer.Runner:dist] is `PACER_DIST_MODE_EACH`, and this scheduler
 * pins the k-th copy of a test (the k-th time a program and path are added)
 * to the k-th worker added. Each worker runs its copies in listing order; the
 * rest of a crashed batch and a retry stay with their worker. Results carry
 * the worker that ran them, and the summary counts every copy.
 *
 * ```c
 * g_object_set (runner, "dist", PACER_DIST_MODE_EACH, "n-workers", 3, NULL);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include "pacer-each-scheduler.h"
#include "pacer-schedule-queue-private.h"

typedef struct
{
  const char *program;  /* interned; NULL: never added */
  double expected;
  GArray *queue;        /* the queue it is pinned to */
} TestInfo;

struct _PacerEachScheduler
{
  GObject parent_instance;

  GPtrArray *workers;   /* char *, in the order they joined */
  GHashTable *queues;   /* worker → GArray of PacerQueueItem, by index */
  GArray *anyone;       /* tests added while no worker was known */
  GHashTable *copies;   /* "program\npath" → copies seen */
  GArray *tests;        /* TestInfo by test index */
  guint n_pending;
};

static void pacer_each_scheduler_iface_init (PacerSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PacerEachScheduler, pacer_each_scheduler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_SCHEDULER,
                                                      pacer_each_scheduler_iface_init))

static void
pacer_each_scheduler_add_worker (PacerScheduler *scheduler,
                                 const char     *worker)
{
  PacerEachScheduler *self = PACER_EACH_SCHEDULER (scheduler);

  if (g_hash_table_contains (self->queues, worker))
    return;
  g_ptr_array_add (self->workers, g_strdup (worker));
  g_hash_table_insert (self->queues, g_strdup (worker), _pacer_queue_new ());
}

static void
pacer_each_scheduler_remove_worker (PacerScheduler *scheduler,
                                    const char     *worker)
{
  PacerEachScheduler *self = PACER_EACH_SCHEDULER (scheduler);
  GArray *queue = g_hash_table_lookup (self->queues, worker);

  if (queue == NULL)
    return;
  /* Its copies can run anywhere now rather than not at all. */
  for (guint i = 0; i < queue->len; i++)
    _pacer_queue_insert_sorted (self->anyone, &g_array_index (queue, PacerQueueItem, i));
  for (guint i = 0; i < self->tests->len; i++)
    if (g_array_index (self->tests, TestInfo, i).queue == queue)
      g_array_index (self->tests, TestInfo, i).queue = self->anyone;
  for (guint i = 0; i < self->workers->len; i++)
    if (g_str_equal (g_ptr_array_index (self->workers, i), worker))
      {
        g_ptr_array_remove_index (self->workers, i);
        break;
      }
  g_hash_table_remove (self->queues, worker);
}

static void
pacer_each_scheduler_add_test (PacerScheduler     *scheduler,
                               guint               test,
                               const char         *program,
                               const char         *path,
                               double              expected_duration,
                               PacerScheduleFlags  flags)
{
  PacerEachScheduler *self = PACER_EACH_SCHEDULER (scheduler);
  PacerQueueItem item = { test, flags, g_intern_string (program),
                          expected_duration >= 0 ? expected_duration : -1 };
  char *key = g_strdup_printf ("%s\n%s", program, path);
  guint copy = GPOINTER_TO_UINT (g_hash_table_lookup (self->copies, key));
  TestInfo *info;

  g_hash_table_replace (self->copies, key, GUINT_TO_POINTER (copy + 1));

  if (test >= self->tests->len)
    g_array_set_size (self->tests, test + 1);
  info = &g_array_index (self->tests, TestInfo, test);
  info->program = item.program;
  info->expected = item.expected;
  if (self->workers->len > 0)
    info->queue = g_hash_table_lookup (self->queues,
                                       g_ptr_array_index (self->workers, copy % self->workers->len));
  else
    info->queue = self->anyone;
  _pacer_queue_insert_sorted (info->queue, &item);
  self->n_pending++;
}

static GArray *
pacer_each_scheduler_next_batch (PacerScheduler *scheduler,
                                 const char     *worker)
{
  PacerEachScheduler *self = PACER_EACH_SCHEDULER (scheduler);
  GArray *queue = g_hash_table_lookup (self->queues, worker);
  GArray *batch;

  if (queue == NULL || queue->len == 0)
    queue = self->anyone;
  batch = _pacer_queue_take_batch (queue, G_MAXUINT);
  if (batch != NULL)
    self->n_pending -= batch->len;
  return batch;
}

static void
pacer_each_scheduler_mark_test_complete (PacerScheduler *scheduler,
                                         const char     *worker,
                                         guint           test,
                                         double          duration)
{
}

static void
pacer_each_scheduler_mark_test_pending (PacerScheduler     *scheduler,
                                        guint               test,
                                        PacerScheduleFlags  flags)
{
  PacerEachScheduler *self = PACER_EACH_SCHEDULER (scheduler);
  TestInfo *info;
  PacerQueueItem item;

  g_return_if_fail (test < self->tests->len);
  info = &g_array_index (self->tests, TestInfo, test);
  g_return_if_fail (info->program != NULL);

  item = (PacerQueueItem) { test, flags, info->program, info->expected };
  _pacer_queue_insert_sorted (info->queue, &item);
  self->n_pending++;
}

static GArray *
pacer_each_scheduler_remove_pending (PacerScheduler *scheduler)
{
  PacerEachScheduler *self = PACER_EACH_SCHEDULER (scheduler);
  GArray *pending = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < self->workers->len; i++)
    _pacer_queue_drain (g_hash_table_lookup (self->queues, g_ptr_array_index (self->workers, i)), pending);
  _pacer_queue_drain (self->anyone, pending);
  self->n_pending = 0;
  return pending;
}

static gboolean
pacer_each_scheduler_has_pending (PacerScheduler *scheduler)
{
  return PACER_EACH_SCHEDULER (scheduler)->n_pending > 0;
}

static void
pacer_each_scheduler_iface_init (PacerSchedulerInterface *iface)
{
  iface->add_worker = pacer_each_scheduler_add_worker;
  iface->remove_worker = pacer_each_scheduler_remove_worker;
  iface->add_test = pacer_each_scheduler_add_test;
  iface->next_batch = pacer_each_scheduler_next_batch;
  iface->mark_test_complete = pacer_each_scheduler_mark_test_complete;
  iface->mark_test_pending = pacer_each_scheduler_mark_test_pending;
  iface->remove_pending = pacer_each_scheduler_remove_pending;
  iface->has_pending = pacer_each_scheduler_has_pending;
}

static void
pacer_each_scheduler_finalize (GObject *object)
{
  PacerEachScheduler *self = PACER_EACH_SCHEDULER (object);

  g_ptr_array_unref (self->workers);
  g_hash_table_unref (self->queues);
  g_array_unref (self->anyone);
  g_hash_table_unref (self->copies);
  g_array_unref (self->tests);

  G_OBJECT_CLASS (pacer_each_scheduler_parent_class)->finalize (object);
}

static void
pacer_each_scheduler_class_init (PacerEachSchedulerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pacer_each_scheduler_finalize;
}

static void
pacer_each_scheduler_init (PacerEachScheduler *self)
{
  self->workers = g_ptr_array_new_with_free_func (g_free);
  self->queues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  self->anyone = _pacer_queue_new ();
  self->copies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->tests = g_array_new (FALSE, TRUE, sizeof (TestInfo));
}

/**
 * pacer_each_scheduler_new:
 *
 * Creates a scheduler that runs every test on every worker.
 *
 * Returns: (transfer full): a new scheduler
 *
 * Since: 1.0
 */
PacerScheduler *
pacer_each_scheduler_new (void)
{
  return g_object_new (PACER_TYPE_EACH_SCHEDULER, NULL);
}
