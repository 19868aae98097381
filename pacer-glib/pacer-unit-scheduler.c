/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerUnitScheduler:
 *
 * The `--dist loadscope`, `loadfile` and `loadgroup` policies: the tests of
 * one unit (a scope, a program or a group, see [enum@Pacer.ScheduleUnit])
 * all run in the worker that took the unit first.
 *
 * Units go out largest first (by expected duration, counting a test of
 * unknown duration as the mean of the known ones), one unit per worker at a
 * time. A worker works through its unit in listing order, a program at a
 * time, and takes the next unit only when its unit has nothing left.
 *
 * A crash never re-runs finished work and never loops, unlike
 * pytest-xdist's scope schedulers: the runner reports the crashed test and
 * puts only the unreported rest of the batch back, which stays with the
 * unit's worker and runs in that slot's fresh process. Retries stay there
 * too.
 *
 * With `PACER_SCHEDULE_UNIT_GROUP`, a test matching no group's glob is
 * scheduled as [class@Pacer.LoadScheduler] would, after the groups.
 *
 * ```c
 * g_autoptr(PacerScheduler) scheduler = pacer_unit_scheduler_new (PACER_SCHEDULE_UNIT_GROUP);
 * pacer_unit_scheduler_add_group (PACER_UNIT_SCHEDULER (scheduler), "/db*", "database");
 * g_object_set (runner, "scheduler", scheduler, NULL);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <string.h>

#include "pacer-load-scheduler.h"
#include "pacer-schedule-queue-private.h"
#include "pacer-unit-scheduler.h"

/* A test is in at most this many -p passes of one process; the runner caps
 * single passes lower and re-queues the rest, which stays with the unit. */
#define MAX_BATCH_TESTS 100000

typedef struct
{
  char *key;
  guint first;     /* lowest test index: ties keep listing order */
  GArray *pending; /* PacerQueueItem, by test index */
  char *owner;     /* the worker holding the unit, or NULL */
  gboolean queued; /* waiting in self->waiting */
} Unit;

typedef struct
{
  Unit *unit;           /* NULL: handed to the ungrouped scheduler */
  const char *program;  /* interned; NULL: never added */
  double expected;
} TestInfo;

typedef struct
{
  GPatternSpec *glob;
  char *name;
} Group;

struct _PacerUnitScheduler
{
  GObject parent_instance;

  PacerScheduleUnit unit;
  GPtrArray *groups;      /* Group */
  GHashTable *units;      /* key → Unit */
  GPtrArray *waiting;     /* Unit, not started yet */
  gboolean sorted;
  GHashTable *owned;      /* worker → Unit */
  GArray *tests;          /* TestInfo by test index */
  PacerScheduler *ungrouped;
  guint n_pending;
  double known_sum;
  guint known_count;
};

static void pacer_unit_scheduler_iface_init (PacerSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PacerUnitScheduler, pacer_unit_scheduler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_SCHEDULER,
                                                      pacer_unit_scheduler_iface_init))

static void
unit_free (Unit *unit)
{
  g_free (unit->key);
  g_array_unref (unit->pending);
  g_free (unit->owner);
  g_free (unit);
}

static void
group_free (Group *group)
{
  g_pattern_spec_free (group->glob);
  g_free (group->name);
  g_free (group);
}

/* The unit's key, or NULL for a test in no group. Programs are part of a
 * scope's key: /foo of one program and /foo of another share nothing. */
static char *
unit_key (PacerUnitScheduler *self,
          const char         *program,
          const char         *path)
{
  const char *slash;

  switch (self->unit)
    {
    case PACER_SCHEDULE_UNIT_SCOPE:
      slash = strrchr (path, '/');
      return g_strdup_printf ("%s\n%.*s", program, slash != NULL ? (int) (slash - path) : 0, path);
    case PACER_SCHEDULE_UNIT_FILE:
      return g_strdup (program);
    case PACER_SCHEDULE_UNIT_GROUP:
    default:
      for (guint i = 0; i < self->groups->len; i++)
        {
          Group *group = g_ptr_array_index (self->groups, i);

          if (g_pattern_spec_match_string (group->glob, path))
            return g_strdup (group->name);
        }
      return NULL;
    }
}

static double
unit_weight (PacerUnitScheduler *self,
             Unit               *unit)
{
  /* Before any duration is known every test weighs the same. */
  double unknown = self->known_count > 0 ? self->known_sum / self->known_count : 1.0;

  return _pacer_queue_seconds (unit->pending, 0, unknown);
}

static int
compare_units (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  PacerUnitScheduler *self = user_data;
  Unit *ua = *(Unit **) a, *ub = *(Unit **) b;
  double wa = unit_weight (self, ua), wb = unit_weight (self, ub);

  if (wa != wb)
    return wa > wb ? -1 : 1;
  return ua->first < ub->first ? -1 : ua->first > ub->first;
}

static void
wait_for_worker (PacerUnitScheduler *self,
                 Unit               *unit)
{
  if (unit->queued || unit->owner != NULL)
    return;
  unit->queued = TRUE;
  g_ptr_array_add (self->waiting, unit);
  self->sorted = FALSE;
}

/* The worker lets go of its unit; anything still pending waits for any worker. */
static void
release (PacerUnitScheduler *self,
         const char         *worker)
{
  Unit *unit = g_hash_table_lookup (self->owned, worker);

  if (unit == NULL)
    return;
  g_clear_pointer (&unit->owner, g_free);
  g_hash_table_remove (self->owned, worker);
  if (unit->pending->len > 0)
    wait_for_worker (self, unit);
}

static void
pacer_unit_scheduler_add_worker (PacerScheduler *scheduler,
                                 const char     *worker)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);

  pacer_scheduler_add_worker (self->ungrouped, worker);
}

static void
pacer_unit_scheduler_remove_worker (PacerScheduler *scheduler,
                                    const char     *worker)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);

  release (self, worker);
  pacer_scheduler_remove_worker (self->ungrouped, worker);
}

static void
set_test_info (PacerUnitScheduler *self,
               guint               test,
               Unit               *unit,
               const char         *program,
               double              expected)
{
  TestInfo *info;

  if (test >= self->tests->len)
    g_array_set_size (self->tests, test + 1);
  info = &g_array_index (self->tests, TestInfo, test);
  info->unit = unit;
  info->program = program;
  info->expected = expected;
}

static TestInfo *
lookup_test (PacerUnitScheduler *self,
             guint               test)
{
  if (test >= self->tests->len || g_array_index (self->tests, TestInfo, test).program == NULL)
    return NULL;
  return &g_array_index (self->tests, TestInfo, test);
}

static void
pacer_unit_scheduler_add_test (PacerScheduler     *scheduler,
                               guint               test,
                               const char         *program,
                               const char         *path,
                               double              expected_duration,
                               PacerScheduleFlags  flags)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);
  g_autofree char *key = unit_key (self, program, path);
  PacerQueueItem item = { test, flags, g_intern_string (program),
                          expected_duration >= 0 ? expected_duration : -1 };
  Unit *unit;

  if (key == NULL)
    {
      set_test_info (self, test, NULL, item.program, item.expected);
      pacer_scheduler_add_test (self->ungrouped, test, program, path, expected_duration, flags);
      return;
    }

  unit = g_hash_table_lookup (self->units, key);
  if (unit == NULL)
    {
      unit = g_new0 (Unit, 1);
      unit->key = g_steal_pointer (&key);
      unit->first = test;
      unit->pending = _pacer_queue_new ();
      g_hash_table_insert (self->units, unit->key, unit);
    }
  unit->first = MIN (unit->first, test);
  if (expected_duration >= 0)
    {
      self->known_sum += expected_duration;
      self->known_count++;
    }
  set_test_info (self, test, unit, item.program, item.expected);
  _pacer_queue_insert_sorted (unit->pending, &item);
  self->n_pending++;
  wait_for_worker (self, unit);
}

static Unit *
take_waiting_unit (PacerUnitScheduler *self)
{
  Unit *unit;

  if (self->waiting->len == 0)
    return NULL;
  if (!self->sorted)
    {
      g_ptr_array_sort_with_data (self->waiting, compare_units, self);
      self->sorted = TRUE;
    }
  unit = g_ptr_array_steal_index (self->waiting, 0);
  unit->queued = FALSE;
  return unit;
}

static GArray *
pacer_unit_scheduler_next_batch (PacerScheduler *scheduler,
                                 const char     *worker)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);
  Unit *unit = g_hash_table_lookup (self->owned, worker);
  GArray *batch;

  /* The worker is idle, so its unit's last batch is over: a unit with
   * nothing pending now is finished. */
  if (unit != NULL && unit->pending->len == 0)
    {
      release (self, worker);
      unit = NULL;
    }

  if (unit == NULL)
    {
      unit = take_waiting_unit (self);
      if (unit == NULL)
        return pacer_scheduler_next_batch (self->ungrouped, worker);
      unit->owner = g_strdup (worker);
      g_hash_table_insert (self->owned, g_strdup (worker), unit);
    }

  batch = _pacer_queue_take_batch (unit->pending, MAX_BATCH_TESTS);
  self->n_pending -= batch->len;
  return batch;
}

static void
pacer_unit_scheduler_mark_test_complete (PacerScheduler *scheduler,
                                         const char     *worker,
                                         guint           test,
                                         double          duration)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);
  TestInfo *info = lookup_test (self, test);

  if (info != NULL && info->unit == NULL)
    pacer_scheduler_mark_test_complete (self->ungrouped, worker, test, duration);
}

static void
pacer_unit_scheduler_mark_test_pending (PacerScheduler     *scheduler,
                                        guint               test,
                                        PacerScheduleFlags  flags)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);
  TestInfo *info = lookup_test (self, test);
  PacerQueueItem item;
  Unit *unit;

  g_return_if_fail (info != NULL);

  unit = info->unit;
  if (unit == NULL)
    {
      pacer_scheduler_mark_test_pending (self->ungrouped, test, flags);
      return;
    }

  item = (PacerQueueItem) { test, flags, info->program, info->expected };
  /* The unit keeps its worker: the rest of a crashed batch and a retry run
   * in that slot's next process. A unit nobody holds waits for anyone. */
  _pacer_queue_insert_sorted (unit->pending, &item);
  self->n_pending++;
  wait_for_worker (self, unit);
}

static GArray *
pacer_unit_scheduler_remove_pending (PacerScheduler *scheduler)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);
  GArray *pending = pacer_scheduler_remove_pending (self->ungrouped);
  GHashTableIter iter;
  Unit *unit;

  g_hash_table_iter_init (&iter, self->units);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &unit))
    {
      _pacer_queue_drain (unit->pending, pending);
      unit->queued = FALSE;
    }
  g_ptr_array_set_size (self->waiting, 0);
  self->n_pending = 0;
  return pending;
}

static gboolean
pacer_unit_scheduler_has_pending (PacerScheduler *scheduler)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);

  return self->n_pending > 0 || pacer_scheduler_has_pending (self->ungrouped);
}

static void
pacer_unit_scheduler_mark_process_overhead (PacerScheduler *scheduler,
                                            const char     *program,
                                            double          seconds)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (scheduler);

  pacer_scheduler_mark_process_overhead (self->ungrouped, program, seconds);
}

static void
pacer_unit_scheduler_iface_init (PacerSchedulerInterface *iface)
{
  iface->add_worker = pacer_unit_scheduler_add_worker;
  iface->remove_worker = pacer_unit_scheduler_remove_worker;
  iface->add_test = pacer_unit_scheduler_add_test;
  iface->next_batch = pacer_unit_scheduler_next_batch;
  iface->mark_test_complete = pacer_unit_scheduler_mark_test_complete;
  iface->mark_test_pending = pacer_unit_scheduler_mark_test_pending;
  iface->remove_pending = pacer_unit_scheduler_remove_pending;
  iface->has_pending = pacer_unit_scheduler_has_pending;
  iface->mark_process_overhead = pacer_unit_scheduler_mark_process_overhead;
}

static void
pacer_unit_scheduler_finalize (GObject *object)
{
  PacerUnitScheduler *self = PACER_UNIT_SCHEDULER (object);

  g_ptr_array_unref (self->groups);
  g_ptr_array_unref (self->waiting);
  g_hash_table_unref (self->owned);
  g_hash_table_unref (self->units);
  g_array_unref (self->tests);
  g_clear_object (&self->ungrouped);

  G_OBJECT_CLASS (pacer_unit_scheduler_parent_class)->finalize (object);
}

static void
pacer_unit_scheduler_class_init (PacerUnitSchedulerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pacer_unit_scheduler_finalize;
}

static void
pacer_unit_scheduler_init (PacerUnitScheduler *self)
{
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  self->units = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) unit_free);
  self->waiting = g_ptr_array_new ();
  self->owned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->tests = g_array_new (FALSE, TRUE, sizeof (TestInfo));
  self->ungrouped = pacer_load_scheduler_new ();
}

/**
 * pacer_unit_scheduler_new:
 * @unit: what keeps tests together
 *
 * Creates a scheduler that runs each unit's tests in one worker.
 *
 * Returns: (transfer full): a new scheduler
 *
 * Since: 1.0
 */
PacerScheduler *
pacer_unit_scheduler_new (PacerScheduleUnit unit)
{
  PacerUnitScheduler *self = g_object_new (PACER_TYPE_UNIT_SCHEDULER, NULL);

  self->unit = unit;
  return PACER_SCHEDULER (self);
}

/**
 * pacer_unit_scheduler_add_group:
 * @self: a scheduler made for `PACER_SCHEDULE_UNIT_GROUP`
 * @glob: a pattern for test paths, with `*` and `?` as
 *   [func@GLib.pattern_match_simple] reads them
 * @name: the group's name
 *
 * Puts the tests whose path matches @glob in the group @name. A test takes
 * the first group it matches; call this before tests are added.
 *
 * Since: 1.0
 */
void
pacer_unit_scheduler_add_group (PacerUnitScheduler *self,
                                const char         *glob,
                                const char         *name)
{
  Group *group;

  g_return_if_fail (PACER_IS_UNIT_SCHEDULER (self));
  g_return_if_fail (glob != NULL && *glob != '\0');
  g_return_if_fail (name != NULL && *name != '\0');

  group = g_new0 (Group, 1);
  group->glob = g_pattern_spec_new (glob);
  group->name = g_strdup (name);
  g_ptr_array_add (self->groups, group);
}
