/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The schedulers of the --dist modes other than load, driven by hand
 * through the PacerScheduler interface as the runner drives them. */

#include "config.h"

#include <string.h>

#include <pacer-glib/pacer-glib.h>

static GArray *
take (PacerScheduler *scheduler,
      const char     *worker)
{
  return pacer_scheduler_next_batch (scheduler, worker);
}

/* "1,2,3" for a batch, "-" for none: failures show the whole batch. */
static char *
show (GArray *batch)
{
  GString *text = g_string_new (NULL);

  if (batch == NULL)
    return g_string_free (g_string_append (text, "-"), FALSE);
  for (guint i = 0; i < batch->len; i++)
    g_string_append_printf (text, "%s%u", i ? "," : "", g_array_index (batch, guint, i));
  return g_string_free (text, FALSE);
}

static void
assert_batch (PacerScheduler *scheduler,
              const char     *worker,
              const char     *expected)
{
  g_autoptr(GArray) batch = take (scheduler, worker);
  g_autofree char *text = show (batch);

  g_assert_cmpstr (text, ==, expected);
}

static void
add (PacerScheduler *scheduler,
     guint           test,
     const char     *program,
     const char     *path,
     double          expected)
{
  pacer_scheduler_add_test (scheduler, test, program, path, expected, PACER_SCHEDULE_FLAGS_NONE);
}

static void
test_scope (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_unit_scheduler_new (PACER_SCHEDULE_UNIT_SCOPE);

  g_test_summary ("loadscope: a scope stays on its worker, largest first; re-queued work returns to it");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  add (scheduler, 0, "p", "/a/1", -1);
  add (scheduler, 1, "p", "/a/2", -1);
  add (scheduler, 2, "p", "/b/1", -1);
  add (scheduler, 3, "p", "/b/2", -1);
  add (scheduler, 4, "p", "/b/3", -1);
  add (scheduler, 5, "q", "/a/1", -1);

  /* /b is the largest scope; q's /a is not p's /a. */
  assert_batch (scheduler, "gw0", "2,3,4");
  assert_batch (scheduler, "gw1", "0,1");
  /* gw0 crashed in 3: 4 comes back and stays with gw0, even if gw1 asks first. */
  pacer_scheduler_mark_test_pending (scheduler, 4, PACER_SCHEDULE_FLAGS_NONE);
  assert_batch (scheduler, "gw1", "5");
  assert_batch (scheduler, "gw1", "-");
  assert_batch (scheduler, "gw0", "4");
  /* A retry runs alone, on the same worker. */
  pacer_scheduler_mark_test_pending (scheduler, 4, PACER_SCHEDULE_FLAGS_ALONE);
  g_assert_true (pacer_scheduler_has_pending (scheduler));
  assert_batch (scheduler, "gw1", "-");
  assert_batch (scheduler, "gw0", "4");
  g_assert_false (pacer_scheduler_has_pending (scheduler));
  assert_batch (scheduler, "gw0", "-");
}

static void
test_file_and_group (void)
{
  g_autoptr(PacerScheduler) files = pacer_unit_scheduler_new (PACER_SCHEDULE_UNIT_FILE);
  g_autoptr(PacerScheduler) groups = pacer_unit_scheduler_new (PACER_SCHEDULE_UNIT_GROUP);
  g_autoptr(GArray) pending = NULL;
  g_autoptr(GArray) batch = NULL;

  g_test_summary ("loadfile keeps a program on one worker; loadgroup a group, across programs, and spreads the rest");

  pacer_scheduler_add_worker (files, "gw0");
  pacer_scheduler_add_worker (files, "gw1");
  add (files, 0, "p", "/a/1", 0.1);
  add (files, 1, "p", "/b/1", 0.1);
  add (files, 2, "q", "/a/1", 1.0);
  assert_batch (files, "gw0", "2");
  assert_batch (files, "gw1", "0,1");

  pacer_unit_scheduler_add_group (PACER_UNIT_SCHEDULER (groups), "/db*", "database");
  pacer_scheduler_add_worker (groups, "gw0");
  pacer_scheduler_add_worker (groups, "gw1");
  add (groups, 0, "p", "/db/1", -1);
  add (groups, 1, "p", "/free/1", -1);
  add (groups, 2, "p", "/db/2", -1);
  add (groups, 3, "q", "/db/3", -1);
  /* The group goes first, one program per batch, all on gw0. */
  assert_batch (groups, "gw0", "0,2");
  assert_batch (groups, "gw1", "1");
  assert_batch (groups, "gw1", "-");
  assert_batch (groups, "gw0", "3");

  /* remove_pending empties groups and the ungrouped rest alike. */
  add (groups, 4, "p", "/db/4", -1);
  add (groups, 5, "p", "/free/2", -1);
  pending = pacer_scheduler_remove_pending (groups);
  g_assert_cmpuint (pending->len, ==, 2);
  g_assert_false (pacer_scheduler_has_pending (groups));
  batch = take (groups, "gw0");
  g_assert_null (batch);
}

static void
test_worksteal (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_worksteal_scheduler_new ();

  g_test_summary ("worksteal: an even split, half a queue per batch, an idle worker steals half the longest queue");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *path = g_strdup_printf ("/t/%02u", i);

      add (scheduler, i, "p", path, -1);
    }
  /* gw0 holds 0-7, gw1 8-15; each batch is half of what the worker holds. */
  assert_batch (scheduler, "gw0", "0,1,2,3");
  assert_batch (scheduler, "gw0", "4,5");
  assert_batch (scheduler, "gw0", "6");
  assert_batch (scheduler, "gw0", "7");
  /* gw0 is empty: it steals the back half of gw1's eight. */
  assert_batch (scheduler, "gw0", "12,13");
  assert_batch (scheduler, "gw1", "8,9");
  /* The rest of a crashed batch goes back to the front of its worker's queue. */
  pacer_scheduler_mark_test_pending (scheduler, 9, PACER_SCHEDULE_FLAGS_NONE);
  assert_batch (scheduler, "gw1", "9,10");
  assert_batch (scheduler, "gw1", "11");
  /* gw0 kept 14 and 15: gw1 steals the back half, and gw0 still has its head. */
  assert_batch (scheduler, "gw1", "15");
  assert_batch (scheduler, "gw0", "14");
  g_assert_false (pacer_scheduler_has_pending (scheduler));
  assert_batch (scheduler, "gw1", "-");
}

static void
test_worksteal_durations (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_worksteal_scheduler_new ();
  g_autoptr(GArray) a = NULL, b = NULL;

  g_test_summary ("worksteal splits by expected duration: ten 1 s tests and ninety 10 ms ones balance");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  for (guint i = 0; i < 100; i++)
    add (scheduler, i, "p", "/t", i < 10 ? 1.0 : 0.01);
  /* 10.9 s in all: gw0's queue holds the first five long tests (5 s), gw1
   * the rest (5.9 s); each first batch is about half of its queue's time. */
  a = take (scheduler, "gw0");
  b = take (scheduler, "gw1");
  g_assert_cmpuint (g_array_index (a, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (b, guint, 0), ==, 5);
  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpuint (b->len, ==, 3);
}

static void
test_each (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_each_scheduler_new ();

  g_test_summary ("each: the k-th copy of a test is pinned to the k-th worker, re-queued copies too");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  add (scheduler, 0, "p", "/a", -1);
  add (scheduler, 1, "p", "/b", -1);
  add (scheduler, 2, "p", "/a", -1);
  add (scheduler, 3, "p", "/b", -1);
  assert_batch (scheduler, "gw1", "2,3");
  pacer_scheduler_mark_test_pending (scheduler, 3, PACER_SCHEDULE_FLAGS_ALONE);
  assert_batch (scheduler, "gw0", "0,1");
  assert_batch (scheduler, "gw0", "-");
  assert_batch (scheduler, "gw1", "3");
  g_assert_false (pacer_scheduler_has_pending (scheduler));
}

static void
test_ordered (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_ordered_scheduler_new ();

  g_test_summary ("no: listing order, a program per batch; re-queued tests come back in order");

  pacer_scheduler_add_worker (scheduler, "gw0");
  add (scheduler, 3, "q", "/x", 5.0);
  add (scheduler, 0, "p", "/a", -1);
  add (scheduler, 1, "p", "/b", 0.1);
  add (scheduler, 2, "p", "/c", -1);
  assert_batch (scheduler, "gw0", "0,1,2");
  pacer_scheduler_mark_test_pending (scheduler, 2, PACER_SCHEDULE_FLAGS_NONE);
  pacer_scheduler_mark_test_pending (scheduler, 1, PACER_SCHEDULE_FLAGS_ALONE);
  assert_batch (scheduler, "gw0", "1");
  assert_batch (scheduler, "gw0", "2");
  assert_batch (scheduler, "gw0", "3");
  assert_batch (scheduler, "gw0", "-");
}

static void
test_dist_modes (void)
{
  const char *names[] = { "load", "loadscope", "loadfile", "loadgroup", "worksteal", "each", "no" };
  GType types[G_N_ELEMENTS (names)];
  const char *good[] = { "/db/*=database", "/a=b=c", NULL };
  const char *bad[] = { "/db/*=database", "nogroup", NULL };
  g_autoptr(GError) error = NULL;
  PacerDistMode mode;

  g_test_summary ("Every --dist name maps to its mode and scheduler; a group that is not GLOB=NAME is an error");

  types[0] = PACER_TYPE_LOAD_SCHEDULER;
  types[1] = types[2] = types[3] = PACER_TYPE_UNIT_SCHEDULER;
  types[4] = PACER_TYPE_WORKSTEAL_SCHEDULER;
  types[5] = PACER_TYPE_EACH_SCHEDULER;
  types[6] = PACER_TYPE_ORDERED_SCHEDULER;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(PacerScheduler) scheduler = NULL;

      g_assert_true (pacer_dist_mode_from_string (names[i], &mode));
      g_assert_cmpint (mode, ==, i);
      scheduler = pacer_scheduler_new_for_dist (mode, good, &error);
      g_assert_no_error (error);
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (scheduler, types[i]));
    }
  g_assert_false (pacer_dist_mode_from_string ("loadsope", &mode));
  g_assert_false (pacer_dist_mode_from_string ("", &mode));

  g_assert_null (pacer_scheduler_new_for_dist (PACER_DIST_MODE_LOADGROUP, bad, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "nogroup"));
}

static void
test_worksteal_one_program (void)
{
  static const char * const programs[] = { "a", "a", "b", "b", "b", "c", "c", "c", "c", "d", "d" };
  g_autoptr(PacerScheduler) scheduler = pacer_worksteal_scheduler_new ();
  guint seen = 0;

  g_test_summary ("Every batch holds the tests of one program, however the queues interleave");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    pacer_scheduler_add_test (scheduler, i, programs[i], "/t", -1, PACER_SCHEDULE_FLAGS_NONE);

  for (guint round = 0; round < 2 * G_N_ELEMENTS (programs) && seen < G_N_ELEMENTS (programs); round++)
    {
      g_autoptr(GArray) batch = pacer_scheduler_next_batch (scheduler, round % 2 ? "gw1" : "gw0");

      for (guint i = 0; batch != NULL && i < batch->len; i++)
        g_assert_cmpstr (programs[g_array_index (batch, guint, i)], ==, programs[g_array_index (batch, guint, 0)]);
      seen += batch != NULL ? batch->len : 0;
    }
  g_assert_cmpuint (seen, ==, G_N_ELEMENTS (programs));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/UnitScheduler/scope", test_scope);
  g_test_add_func ("/Pacer/UnitScheduler/file-and-group", test_file_and_group);
  g_test_add_func ("/Pacer/WorkstealScheduler/steal", test_worksteal);
  g_test_add_func ("/Pacer/WorkstealScheduler/durations", test_worksteal_durations);
  g_test_add_func ("/Pacer/WorkstealScheduler/one-program", test_worksteal_one_program);
  g_test_add_func ("/Pacer/EachScheduler/pinned", test_each);
  g_test_add_func ("/Pacer/OrderedScheduler/order", test_ordered);
  g_test_add_func ("/Pacer/Scheduler/dist-modes", test_dist_modes);

  return g_test_run ();
}
