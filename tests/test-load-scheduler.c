/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <pacer-glib/pacer-glib.h>

static GArray *
next (PacerScheduler *scheduler)
{
  return pacer_scheduler_next_batch (scheduler, "gw0");
}

static guint
first (GArray *batch)
{
  g_assert_nonnull (batch);
  g_assert_cmpuint (batch->len, >, 0);
  return g_array_index (batch, guint, 0);
}

static void
test_longest_first (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
  g_autoptr(GArray) b1 = NULL, b2 = NULL, b4 = NULL;

  g_test_summary ("Unknown tests go first, then the longest; one worker's share is one process");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_test (scheduler, 0, "prog", "/short", 0.1, PACER_SCHEDULE_FLAGS_NONE);
  pacer_scheduler_add_test (scheduler, 1, "prog", "/new", -1, PACER_SCHEDULE_FLAGS_NONE);
  pacer_scheduler_add_test (scheduler, 2, "prog", "/long", 2.0, PACER_SCHEDULE_FLAGS_NONE);
  pacer_scheduler_add_test (scheduler, 3, "prog", "/mid", 0.5, PACER_SCHEDULE_FLAGS_NONE);
  g_assert_true (pacer_scheduler_has_pending (scheduler));

  b1 = next (scheduler);
  g_assert_cmpuint (b1->len, ==, 1);
  g_assert_cmpuint (first (b1), ==, 1);
  /* The first share is not capped: a lone worker runs what the history
   * knows in one process (longest first), not one process per long test. */
  b2 = next (scheduler);
  g_assert_cmpuint (b2->len, ==, 3);
  g_assert_cmpuint (first (b2), ==, 2);
  g_assert_cmpuint (g_array_index (b2, guint, 1), ==, 3);
  g_assert_cmpuint (g_array_index (b2, guint, 2), ==, 0);
  g_assert_false (pacer_scheduler_has_pending (scheduler));
  b4 = next (scheduler);
  g_assert_null (b4);
}

static void
test_batch_sizes (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
  g_autoptr(GArray) batch = NULL;
  guint handed = 0, n_batches = 0;

  g_test_summary ("Every worker's first batch is 92 % of its share; later ones shrink; 1 s tests go one by one");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  for (guint i = 0; i < 1000; i++)
    pacer_scheduler_add_test (scheduler, i, "prog", "/t", 0.0005, PACER_SCHEDULE_FLAGS_NONE);

  /* 0.92 × 0.5 s / 2 workers = 0.23 s: 460 tests, for each worker alike. */
  batch = pacer_scheduler_next_batch (scheduler, "gw0");
  g_assert_cmpuint (batch->len, ==, 460);
  handed += batch->len;
  g_clear_pointer (&batch, g_array_unref);
  batch = pacer_scheduler_next_batch (scheduler, "gw1");
  g_assert_cmpuint (batch->len, ==, 460);
  handed += batch->len;
  g_clear_pointer (&batch, g_array_unref);
  /* The 80 left (40 ms) are worth more than a few process starts: they
   * are dealt out in batches of at least 20 ms, rather than stuck on. */
  while ((batch = next (scheduler)) != NULL)
    {
      g_assert_cmpuint (batch->len, <=, 40);
      handed += batch->len;
      n_batches++;
      g_clear_pointer (&batch, g_array_unref);
    }
  g_assert_cmpuint (handed, ==, 1000);
  g_assert_cmpuint (n_batches, ==, 2);
  n_batches = 0;

  /* A remainder worth less than a few process starts comes along; one
   * worth more is left for another worker. */
  pacer_scheduler_add_test (scheduler, 3000, "other", "/big", 0.2, PACER_SCHEDULE_FLAGS_NONE);
  pacer_scheduler_add_test (scheduler, 3001, "other", "/small1", 0.002, PACER_SCHEDULE_FLAGS_NONE);
  pacer_scheduler_add_test (scheduler, 3002, "other", "/small2", 0.002, PACER_SCHEDULE_FLAGS_NONE);
  batch = next (scheduler);
  g_assert_cmpuint (batch->len, ==, 3);
  g_clear_pointer (&batch, g_array_unref);
  pacer_scheduler_add_test (scheduler, 3003, "third", "/big", 0.2, PACER_SCHEDULE_FLAGS_NONE);
  pacer_scheduler_add_test (scheduler, 3004, "third", "/mid", 0.04, PACER_SCHEDULE_FLAGS_NONE);
  batch = next (scheduler);
  g_assert_cmpuint (batch->len, ==, 1);
  g_clear_pointer (&batch, g_array_unref);
  batch = next (scheduler);
  g_assert_cmpuint (batch->len, ==, 1);
  g_assert_cmpuint (first (batch), ==, 3004);
  g_clear_pointer (&batch, g_array_unref);

  /* Later batches hold half a share of what is left (at least 20 ms): 100 at
   * most here, fewer as the work shrinks. */
  for (guint i = 0; i < 400; i++)
    pacer_scheduler_add_test (scheduler, 2000 + i, "prog", "/t", 0.0005, PACER_SCHEDULE_FLAGS_NONE);
  while ((batch = next (scheduler)) != NULL)
    {
      g_assert_cmpuint (batch->len, >=, 1);
      g_assert_cmpuint (batch->len, <=, 100);
      handed += batch->len;
      n_batches++;
      g_clear_pointer (&batch, g_array_unref);
    }
  g_assert_cmpuint (handed, ==, 1400);
  g_assert_cmpuint (n_batches, >=, 5);

  /* Long tests: each is a batch of its own, so the workers end together. */
  for (guint i = 0; i < 10; i++)
    pacer_scheduler_add_test (scheduler, 1000 + i, "prog", "/long", 1.0, PACER_SCHEDULE_FLAGS_NONE);
  for (guint i = 0; i < 10; i++)
    {
      batch = next (scheduler);
      g_assert_cmpuint (batch->len, ==, 1);
      g_clear_pointer (&batch, g_array_unref);
    }
  g_assert_null (next (scheduler));
}

static void
test_probe_unknown (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
  g_autoptr(GArray) probe = NULL, batch = NULL;

  g_test_summary ("With nothing known, one test is probed; then batches grow by 4 per test seen");

  pacer_scheduler_add_worker (scheduler, "gw0");
  for (guint i = 0; i < 200; i++)
    pacer_scheduler_add_test (scheduler, i, "prog", "/t", -1, PACER_SCHEDULE_FLAGS_NONE);

  probe = next (scheduler);
  g_assert_cmpuint (probe->len, ==, 1);
  pacer_scheduler_mark_test_complete (scheduler, "gw0", first (probe), 0.0001);

  batch = next (scheduler);
  g_assert_cmpuint (batch->len, ==, 4);
  for (guint i = 0; i < batch->len; i++)
    pacer_scheduler_mark_test_complete (scheduler, "gw0", g_array_index (batch, guint, i), 0.0001);
  g_clear_pointer (&batch, g_array_unref);

  /* 5 seen: up to 20 now, and a fast mean lets the time target allow them all. */
  batch = next (scheduler);
  g_assert_cmpuint (batch->len, ==, 20);
}

static void
test_probe_is_not_a_share (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
  g_autoptr(GArray) batch = NULL;

  g_test_summary ("A worker whose first batch was a probe still gets its first share next");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  pacer_scheduler_add_test (scheduler, 0, "prog", "/new", -1, PACER_SCHEDULE_FLAGS_NONE);
  for (guint i = 1; i <= 1000; i++)
    pacer_scheduler_add_test (scheduler, i, "prog", "/t", 0.0005, PACER_SCHEDULE_FLAGS_NONE);

  batch = pacer_scheduler_next_batch (scheduler, "gw0");
  g_assert_cmpuint (batch->len, ==, 1);
  g_assert_cmpuint (first (batch), ==, 0);
  g_clear_pointer (&batch, g_array_unref);

  /* Both workers get 0.92 × 0.5 s / 2 = 460 tests, as without the probe;
   * were the probe gw0's share, it would get half a share (250) and gw1
   * the rest of the first round (500). */
  batch = pacer_scheduler_next_batch (scheduler, "gw0");
  g_assert_cmpuint (batch->len, ==, 460);
  g_clear_pointer (&batch, g_array_unref);
  batch = pacer_scheduler_next_batch (scheduler, "gw1");
  g_assert_cmpuint (batch->len, ==, 460);
}

static void
test_programs_and_alone (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GArray *batch;

  g_test_summary ("A batch holds tests of one program, and an ALONE test is alone");

  pacer_scheduler_add_worker (scheduler, "gw0");
  for (guint i = 0; i < 20; i++)
    pacer_scheduler_add_test (scheduler, i, (i % 2) ? "odd" : "even", "/t", 0.0001,
                              i == 6 ? PACER_SCHEDULE_FLAGS_ALONE : PACER_SCHEDULE_FLAGS_NONE);

  while ((batch = next (scheduler)) != NULL)
    {
      guint parity = first (batch) % 2;

      for (guint i = 0; i < batch->len; i++)
        {
          guint test = g_array_index (batch, guint, i);

          g_assert_cmpuint (test % 2, ==, parity);
          g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (test + 1)));
          g_hash_table_add (seen, GUINT_TO_POINTER (test + 1));
          if (test == 6)
            g_assert_cmpuint (batch->len, ==, 1);
        }
      g_array_unref (batch);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 20);
}

static void
test_requeue_and_remove (void)
{
  g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
  g_autoptr(GArray) batch = NULL, again = NULL, rest = NULL;

  g_test_summary ("Re-queued tests are handed out first; remove_pending empties the queue");

  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  for (guint i = 0; i < 5; i++)
    pacer_scheduler_add_test (scheduler, i, "prog", "/t", 1.0 - i * 0.1, PACER_SCHEDULE_FLAGS_NONE);

  /* 0.92 × 4 s / 2 workers: the two longest. */
  batch = next (scheduler);
  g_assert_cmpuint (batch->len, ==, 2);
  g_assert_cmpuint (first (batch), ==, 0);
  pacer_scheduler_mark_test_pending (scheduler, 0, PACER_SCHEDULE_FLAGS_ALONE);
  again = next (scheduler);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpuint (first (again), ==, 0);

  pacer_scheduler_mark_test_pending (scheduler, 0, PACER_SCHEDULE_FLAGS_NONE);
  rest = pacer_scheduler_remove_pending (scheduler);
  g_assert_cmpuint (rest->len, ==, 4);
  g_assert_false (pacer_scheduler_has_pending (scheduler));
  g_assert_null (next (scheduler));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/LoadScheduler/longest-first", test_longest_first);
  g_test_add_func ("/Pacer/LoadScheduler/batch-sizes", test_batch_sizes);
  g_test_add_func ("/Pacer/LoadScheduler/probe-unknown", test_probe_unknown);
  g_test_add_func ("/Pacer/LoadScheduler/probe-is-not-a-share", test_probe_is_not_a_share);
  g_test_add_func ("/Pacer/LoadScheduler/programs-and-alone", test_programs_and_alone);
  g_test_add_func ("/Pacer/LoadScheduler/requeue-and-remove", test_requeue_and_remove);

  return g_test_run ();
}
