/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerLoadScheduler:
 *
 * The `--dist load` policy: any idle worker takes the longest pending work.
 *
 * Tests whose duration is unknown go first, then the rest longest first, as
 * the expected durations given to [method@Pacer.Scheduler.add_test] say (the
 * runner takes them from a [class@Pacer.DurationHistory]). Batches are sized
 * by expected time, not count (guided self-scheduling): every worker's first
 * batch is 92 % of its fair share of the work, so one process start
 * per worker does most of it; later batches hold half a share, between 20 ms
 * and 250 ms of work, so tests of a second or more go one by one and the
 * workers finish together. A program whose processes take long to start
 * (see [method@Pacer.Scheduler.mark_process_overhead]) gets batches of at
 * least four times that cost, and a remainder of a program under a quarter
 * of the batch being formed, and worth less than a few process starts,
 * joins it rather than costing a process of its own. Durations are compared in powers of two from 1 ms, so tests of about
 * the same cost keep their listing order and a suite stays together.
 *
 * A test whose duration nobody knows yet is estimated from the mean of its
 * program's tests seen in this run; before any was seen, it is sent alone to
 * find out (a probe does not use up the worker's first share), and a batch
 * holds at most four unknown tests per test seen.
 *
 * ```c
 * g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
 * g_object_set (runner, "scheduler", scheduler, NULL);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <math.h>

#include "pacer-load-scheduler.h"

/* Spawning a batch costs ~1.5 ms and a GTest program's start-up (registering
 * every test) often 10 ms more: no batch aims below 20 ms unless the whole
 * remaining work is smaller, and none above 250 ms after the first round. */
#define MAX_BATCH_SECONDS 0.250
#define MIN_BATCH_SECONDS 0.020
/* The runner turns most of a suite into one -p pass, so the count is only a
 * backstop; it caps single -p passes itself. */
#define MAX_BATCH_TESTS 1000000
/* Times come from GTest's own clock, so a history is close to what the next
 * run takes: 8 % is enough to even out the rest. (0.85 cost ~7 ms more on
 * benchmark (b), in process starts of the tail.) */
#define FIRST_SHARE 0.92
#define OVERHEAD_FACTOR 4.0
#define CRUMB_FRACTION 0.25
/* What starting any process costs the controller and the system. */
#define SPAWN_SECONDS 0.002

typedef struct _Program Program;

typedef struct
{
  guint test;
  PacerScheduleFlags flags;
} Item;

typedef struct
{
  Program *program;
  double expected;
} TestInfo;

struct _Program
{
  char *name;
  guint order;
  GArray *fresh;        /* Item, longest first once sorted */
  guint fresh_head;
  gboolean sorted;
  GArray *requeued;     /* Item, handed out before fresh ones */
  guint requeued_head;
  double known_sum;     /* expected seconds of pending tests with a history */
  guint unknown_count;  /* pending tests without one */
  double observed_sum;  /* seconds of the tests of this program seen in this run */
  guint observed_count;
  double overhead;      /* seconds a process of this program takes to start, or 0 */
};

struct _PacerLoadScheduler
{
  GObject parent_instance;

  GHashTable *workers;   /* set of worker ids */
  GHashTable *served;    /* workers that had their first batch */
  GHashTable *programs;  /* name → Program */
  GPtrArray *program_order;
  GArray *tests;         /* TestInfo indexed by test */
  guint n_pending;
};

static void pacer_load_scheduler_iface_init (PacerSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PacerLoadScheduler, pacer_load_scheduler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_SCHEDULER,
                                                      pacer_load_scheduler_iface_init))

static void
program_free (Program *program)
{
  g_free (program->name);
  g_array_unref (program->fresh);
  g_array_unref (program->requeued);
  g_free (program);
}

static TestInfo *
test_info (PacerLoadScheduler *self,
           guint               test)
{
  if (test >= self->tests->len)
    g_array_set_size (self->tests, test + 1);
  return &g_array_index (self->tests, TestInfo, test);
}

/* The program's mean test duration in this run, or -1 before any. A mean,
 * not a maximum: a program that writes no GTest log is timed by when its
 * lines arrive, which is noisy, and one descheduled controller must not
 * shrink every batch for the run. */
static double
observed_mean (Program *program)
{
  if (program->observed_count == 0)
    return -1;
  return program->observed_sum / program->observed_count;
}

/* The estimate used for sizing: the history's figure, else the program's
 * mean so far, else -1 (nothing known at all). */
static double
estimate (Program  *program,
          TestInfo *info)
{
  if (info->expected >= 0)
    return info->expected;
  return observed_mean (program);
}

static void
count_pending (Program  *program,
               TestInfo *info,
               int       sign)
{
  if (info->expected >= 0)
    program->known_sum = MAX (0.0, program->known_sum + sign * info->expected);
  else
    program->unknown_count += sign;
}

/* Durations compare by powers of two from 1 ms: a 1 s test still goes before
 * a 10 ms one, but tests of about the same cost keep their listing order, so
 * a suite's tests stay together and the runner can run them as one -p pass.
 * (Per-test times of fast tests are noise anyway.) */
static int
duration_bucket (double seconds)
{
  if (seconds < 0)
    return G_MAXINT;  /* unknown: first */
  if (seconds < 0.001)
    return 0;
  return 1 + (int) floor (log2 (seconds / 0.001));
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  PacerLoadScheduler *self = user_data;
  const Item *item_a = a, *item_b = b;
  int ba = duration_bucket (g_array_index (self->tests, TestInfo, item_a->test).expected);
  int bb = duration_bucket (g_array_index (self->tests, TestInfo, item_b->test).expected);

  /* Unknown first (they may be the long ones), then longest first, then listing order. */
  if (ba != bb)
    return ba > bb ? -1 : 1;
  return item_a->test < item_b->test ? -1 : item_a->test > item_b->test;
}

static void
sort_fresh (PacerLoadScheduler *self,
            Program            *program)
{
  if (program->sorted)
    return;
  g_array_remove_range (program->fresh, 0, program->fresh_head);
  program->fresh_head = 0;
  g_array_sort_with_data (program->fresh, compare_items, self);
  program->sorted = TRUE;
}

static Item *
peek (Program *program)
{
  if (program->requeued_head < program->requeued->len)
    return &g_array_index (program->requeued, Item, program->requeued_head);
  if (program->fresh_head < program->fresh->len)
    return &g_array_index (program->fresh, Item, program->fresh_head);
  return NULL;
}

static void
advance (Program *program)
{
  if (program->requeued_head < program->requeued->len)
    {
      if (++program->requeued_head == program->requeued->len)
        {
          g_array_set_size (program->requeued, 0);
          program->requeued_head = 0;
        }
    }
  else
    program->fresh_head++;
}

/* Re-queued work first (it was due already), then the longest head. */
static Program *
pick_program (PacerLoadScheduler *self)
{
  Program *best = NULL;
  double best_key = -2;

  for (guint i = 0; i < self->program_order->len; i++)
    {
      Program *program = g_ptr_array_index (self->program_order, i);
      Item *head;
      double key;

      sort_fresh (self, program);
      if (program->requeued_head < program->requeued->len)
        return program;
      head = peek (program);
      if (head == NULL)
        continue;
      key = g_array_index (self->tests, TestInfo, head->test).expected;
      if (key < 0)
        key = INFINITY;
      if (key > best_key)
        {
          best = program;
          best_key = key;
        }
    }

  return best;
}

static double
pending_seconds (PacerLoadScheduler *self)
{
  double total = 0;

  for (guint i = 0; i < self->program_order->len; i++)
    {
      Program *program = g_ptr_array_index (self->program_order, i);

      total += program->known_sum + program->unknown_count * MAX (observed_mean (program), 0.0);
    }
  return total;
}

static void
pacer_load_scheduler_add_worker (PacerScheduler *scheduler,
                                 const char     *worker)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);

  g_hash_table_add (self->workers, g_strdup (worker));
}

static void
pacer_load_scheduler_remove_worker (PacerScheduler *scheduler,
                                    const char     *worker)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);

  g_hash_table_remove (self->workers, worker);
}

static void
pacer_load_scheduler_add_test (PacerScheduler     *scheduler,
                               guint               test,
                               const char         *program_name,
                               const char         *path,
                               double              expected_duration,
                               PacerScheduleFlags  flags)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);
  Program *program = g_hash_table_lookup (self->programs, program_name);
  Item item = { test, flags };
  TestInfo *info;

  if (program == NULL)
    {
      program = g_new0 (Program, 1);
      program->name = g_strdup (program_name);
      program->order = self->program_order->len;
      program->fresh = g_array_new (FALSE, FALSE, sizeof (Item));
      program->requeued = g_array_new (FALSE, FALSE, sizeof (Item));
      g_hash_table_insert (self->programs, program->name, program);
      g_ptr_array_add (self->program_order, program);
    }

  info = test_info (self, test);
  info->program = program;
  info->expected = expected_duration >= 0 ? expected_duration : -1;

  g_array_append_val (program->fresh, item);
  program->sorted = FALSE;
  count_pending (program, info, +1);
  self->n_pending++;
}

static GArray *
pacer_load_scheduler_next_batch (PacerScheduler *scheduler,
                                 const char     *worker)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);
  guint n_workers = MAX (1, g_hash_table_size (self->workers));
  Program *program = pick_program (self);
  GArray *batch;
  double target, sum = 0;
  guint n_unknown = 0;
  gboolean first_share = FALSE;
  Item *item;

  if (program == NULL)
    return NULL;

  if (!g_hash_table_contains (self->served, worker) && g_hash_table_size (self->served) < n_workers)
    {
      /* A worker's first batch is most of its fair share of what is left
       * (guided self-scheduling): one process start per worker does most of
       * the work, and the last 8 % is dealt out in small batches that let
       * the workers finish together. */
      /* Each served worker took FIRST_SHARE of a share S of the total, so
       * what is pending is (n - FIRST_SHARE × served) × S: every worker of
       * the first round gets the same, not more the later it comes. */
      double unserved = n_workers - FIRST_SHARE * g_hash_table_size (self->served);

      target = MAX (MIN_BATCH_SECONDS, FIRST_SHARE * pending_seconds (self) / unserved);
      first_share = TRUE;
    }
  else
    target = MAX (MIN_BATCH_SECONDS, MIN (MAX_BATCH_SECONDS, pending_seconds (self) / (2.0 * n_workers)));
  /* A program that takes long to start is started seldom: a batch holds
   * at least four times its start-up cost of work. */
  target = MAX (target, OVERHEAD_FACTOR * program->overhead);
  batch = g_array_sized_new (FALSE, FALSE, sizeof (guint), 8);

  while ((item = peek (program)) != NULL && batch->len < MAX_BATCH_TESTS)
    {
      TestInfo *info = &g_array_index (self->tests, TestInfo, item->test);
      double seconds = estimate (program, info);
      gboolean alone = (item->flags & PACER_SCHEDULE_FLAGS_ALONE) != 0;

      if (batch->len > 0)
        {
          /* An unknown duration is probed alone; a big one goes in a batch
           * of its own. A test joins when the batch ends nearer its target
           * with it than without: a target of 20 ms takes two tests of
           * 10.2 ms, not one. */
          if (alone || seconds < 0 || sum + seconds / 2 > target + 1e-9)
            break;
          /* A mean from few samples can be far off (the first tests of a
           * suite are often its quick ones): batches of unknown tests grow
           * with the evidence, at most 4 per test seen. */
          if (info->expected < 0 && n_unknown >= 4 * program->observed_count)
            break;
        }

      if (info->expected < 0)
        n_unknown++;
      g_array_append_val (batch, item->test);
      count_pending (program, info, -1);
      self->n_pending--;
      sum += MAX (seconds, 0.0);
      advance (program);

      /* A probe is not a share: the worker's next batch is its first. */
      if (first_share && seconds >= 0)
        {
          g_hash_table_add (self->served, g_strdup (worker));
          first_share = FALSE;
        }
      if (alone || seconds < 0)
        return batch;
    }

  /* Leave no crumbs: a remainder of this program much smaller than this
   * batch would cost a process start of its own for little work. But a
   * remainder worth more than a few process starts is better run beside
   * this batch, by the next idle worker, than after it. */
  if (program->unknown_count == 0 && program->known_sum <= CRUMB_FRACTION * MAX (sum, target) &&
      (n_workers == 1 || program->known_sum <= OVERHEAD_FACTOR * MAX (program->overhead, SPAWN_SECONDS)))
    {
      while ((item = peek (program)) != NULL && batch->len < MAX_BATCH_TESTS)
        {
          TestInfo *info = &g_array_index (self->tests, TestInfo, item->test);

          /* Only tests the history knows: a mean from few samples may call
           * a whole suite of unknown tests a crumb. */
          if ((item->flags & PACER_SCHEDULE_FLAGS_ALONE) != 0 || info->expected < 0)
            break;
          g_array_append_val (batch, item->test);
          count_pending (program, info, -1);
          self->n_pending--;
          advance (program);
        }
    }

  return batch;
}

static void
pacer_load_scheduler_mark_test_complete (PacerScheduler *scheduler,
                                         const char     *worker,
                                         guint           test,
                                         double          duration)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);
  TestInfo *info;

  if (test >= self->tests->len)
    return;
  info = &g_array_index (self->tests, TestInfo, test);
  if (info->program != NULL)
    {
      info->program->observed_sum += MAX (duration, 0.0);
      info->program->observed_count++;
    }
}

static void
pacer_load_scheduler_mark_test_pending (PacerScheduler     *scheduler,
                                        guint               test,
                                        PacerScheduleFlags  flags)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);
  Item item = { test, flags };
  TestInfo *info;

  g_return_if_fail (test < self->tests->len);
  info = &g_array_index (self->tests, TestInfo, test);
  g_return_if_fail (info->program != NULL);

  g_array_append_val (info->program->requeued, item);
  count_pending (info->program, info, +1);
  self->n_pending++;
}

static GArray *
pacer_load_scheduler_remove_pending (PacerScheduler *scheduler)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);
  GArray *pending = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->n_pending);

  for (guint i = 0; i < self->program_order->len; i++)
    {
      Program *program = g_ptr_array_index (self->program_order, i);
      Item *item;

      sort_fresh (self, program);
      while ((item = peek (program)) != NULL)
        {
          g_array_append_val (pending, item->test);
          advance (program);
        }
      program->known_sum = 0;
      program->unknown_count = 0;
    }
  self->n_pending = 0;

  return pending;
}

static gboolean
pacer_load_scheduler_has_pending (PacerScheduler *scheduler)
{
  return PACER_LOAD_SCHEDULER (scheduler)->n_pending > 0;
}

static void
pacer_load_scheduler_mark_process_overhead (PacerScheduler *scheduler,
                                            const char     *program_name,
                                            double          seconds)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (scheduler);
  Program *program = g_hash_table_lookup (self->programs, program_name);

  /* The least seen: a busy machine makes some starts slow, none fast. */
  if (program != NULL && seconds >= 0 && (program->overhead == 0 || seconds < program->overhead))
    program->overhead = seconds;
}

static void
pacer_load_scheduler_iface_init (PacerSchedulerInterface *iface)
{
  iface->add_worker = pacer_load_scheduler_add_worker;
  iface->remove_worker = pacer_load_scheduler_remove_worker;
  iface->add_test = pacer_load_scheduler_add_test;
  iface->next_batch = pacer_load_scheduler_next_batch;
  iface->mark_test_complete = pacer_load_scheduler_mark_test_complete;
  iface->mark_test_pending = pacer_load_scheduler_mark_test_pending;
  iface->remove_pending = pacer_load_scheduler_remove_pending;
  iface->has_pending = pacer_load_scheduler_has_pending;
  iface->mark_process_overhead = pacer_load_scheduler_mark_process_overhead;
}

static void
pacer_load_scheduler_finalize (GObject *object)
{
  PacerLoadScheduler *self = PACER_LOAD_SCHEDULER (object);

  g_hash_table_unref (self->workers);
  g_hash_table_unref (self->served);
  g_hash_table_unref (self->programs);
  g_ptr_array_unref (self->program_order);
  g_array_unref (self->tests);

  G_OBJECT_CLASS (pacer_load_scheduler_parent_class)->finalize (object);
}

static void
pacer_load_scheduler_class_init (PacerLoadSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pacer_load_scheduler_finalize;
}

static void
pacer_load_scheduler_init (PacerLoadScheduler *self)
{
  self->workers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->programs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) program_free);
  self->program_order = g_ptr_array_new ();
  self->tests = g_array_new (FALSE, TRUE, sizeof (TestInfo));
}

/**
 * pacer_load_scheduler_new:
 *
 * Creates a load scheduler.
 *
 * Returns: (transfer full): a new scheduler
 *
 * Since: 1.0
 */
PacerScheduler *
pacer_load_scheduler_new (void)
{
  return g_object_new (PACER_TYPE_LOAD_SCHEDULER, NULL);
}
