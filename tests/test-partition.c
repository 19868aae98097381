/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* --partition: parsing, and that the N shares of a suite cover every test
 * exactly once for every kind. */

#include "config.h"

#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-partition-private.h"

static void
test_parse (void)
{
  const char *bad[] = { "", "hash", "hash:1", "hash:0/3", "hash:4/3", "hash:1/0", "hash:-1/3",
                        "hash:a/b", "hash:1/3x", "hash: 1/3", "modulo:1/3", "slice:1/", "slice:/3",
                        ":1/3", NULL };
  PacerPartitionKind kind = PACER_PARTITION_KIND_SLICE;
  guint index = 0, total = 0;

  g_test_summary ("slice, hash and duration K/N parse with 1 ≤ K ≤ N; anything else is an error");

  g_assert_true (pacer_partition_parse ("hash:2/4", &kind, &index, &total, NULL));
  g_assert_cmpint (kind, ==, PACER_PARTITION_KIND_HASH);
  g_assert_cmpuint (index, ==, 2);
  g_assert_cmpuint (total, ==, 4);
  g_assert_true (pacer_partition_parse ("slice:1/1", &kind, &index, &total, NULL));
  g_assert_cmpint (kind, ==, PACER_PARTITION_KIND_SLICE);
  g_assert_true (pacer_partition_parse ("duration:3/3", &kind, &index, &total, NULL));
  g_assert_cmpint (kind, ==, PACER_PARTITION_KIND_DURATION);
  g_assert_cmpuint (index, ==, 3);

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("spec “%s”", bad[i]);
      g_assert_false (pacer_partition_parse (bad[i], NULL, NULL, NULL, &error));
      g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_hash_is_stable (void)
{
  g_test_summary ("The hash is 64-bit FNV-1a of PROGRAM, a 0 byte and PATH: the same everywhere");

  /* Computed independently (Python) from FNV-1a's definition. */
  g_assert_cmpuint (_pacer_partition_hash ("test-foo", "/a/b"), ==, G_GUINT64_CONSTANT (0x8f9b8492e5985df9));
  g_assert_cmpuint (_pacer_partition_hash ("test-foo", "/a/b"), !=, _pacer_partition_hash ("test-foo/a", "/b"));
}

#define N_ITEMS 200

static void
make_items (PacerPartitionItem  *items,
            GPtrArray           *strings,
            gboolean             with_durations)
{
  for (guint i = 0; i < N_ITEMS; i++)
    {
      char *path = g_strdup_printf ("/suite%u/test%u", i % 7, i);

      g_ptr_array_add (strings, path);
      items[i].program = i % 3 == 0 ? "test-a" : "test-b";
      items[i].path = path;
      /* Some unknown, many equal: ties must not depend on anything but names. */
      items[i].duration = !with_durations || i % 11 == 0 ? -1 : (i % 5) * 0.25 + (i == 7 ? 30 : 0);
    }
}

static void
check_union (PacerPartitionKind kind,
             guint              total)
{
  PacerPartitionItem items[N_ITEMS];
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  guint owners[N_ITEMS] = { 0 };
  double load[8] = { 0 };

  make_items (items, strings, TRUE);
  for (guint k = 1; k <= total; k++)
    {
      g_autofree gboolean *keep = _pacer_partition_select (kind, k, total, items, N_ITEMS);
      g_autofree gboolean *again = _pacer_partition_select (kind, k, total, items, N_ITEMS);

      g_assert_cmpmem (keep, N_ITEMS * sizeof (gboolean), again, N_ITEMS * sizeof (gboolean));
      for (guint i = 0; i < N_ITEMS; i++)
        if (keep[i])
          {
            owners[i]++;
            if (items[i].duration > 0)
              load[k - 1] += items[i].duration;
          }
    }

  for (guint i = 0; i < N_ITEMS; i++)
    g_assert_cmpuint (owners[i], ==, 1);

  if (kind == PACER_PARTITION_KIND_DURATION && total > 1)
    {
      /* Longest first into the least loaded bin: a bin is never more than
       * the longest short test (1 s) above the lightest, unless it holds
       * the 30.5 s test alone. */
      double lo = G_MAXDOUBLE, hi = 0;

      for (guint k = 0; k < total; k++)
        {
          lo = MIN (lo, load[k]);
          hi = MAX (hi, load[k]);
        }
      g_assert_cmpfloat (hi, <=, MAX (30.5, lo + 1.0) + 1e-9);
      g_assert_cmpfloat (lo, >, 0);
    }
}

static void
test_union (void)
{
  g_test_summary ("For slice, hash and duration and several N, the N shares hold every test exactly once");

  for (guint total = 1; total <= 5; total++)
    {
      check_union (PACER_PARTITION_KIND_SLICE, total);
      check_union (PACER_PARTITION_KIND_HASH, total);
      check_union (PACER_PARTITION_KIND_DURATION, total);
    }
}

static void
test_slice_and_hash_shape (void)
{
  PacerPartitionItem items[N_ITEMS];
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autofree gboolean *slice = NULL, *hash = NULL, *hash_sub = NULL;
  guint n_hash = 0;

  g_test_summary ("slice takes every Nth test from the Kth; hash keeps a test's share when others go");

  make_items (items, strings, FALSE);
  slice = _pacer_partition_select (PACER_PARTITION_KIND_SLICE, 2, 3, items, N_ITEMS);
  for (guint i = 0; i < N_ITEMS; i++)
    g_assert_cmpint (slice[i], ==, i % 3 == 1);

  hash = _pacer_partition_select (PACER_PARTITION_KIND_HASH, 1, 4, items, N_ITEMS);
  /* Half the tests gone: the others keep their share. */
  hash_sub = _pacer_partition_select (PACER_PARTITION_KIND_HASH, 1, 4, items + N_ITEMS / 2, N_ITEMS / 2);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      n_hash += hash[i];
      if (i >= N_ITEMS / 2)
        g_assert_cmpint (hash[i], ==, hash_sub[i - N_ITEMS / 2]);
    }
  /* 200 tests in 4 bins: a hash worth its name puts neither none nor all in one. */
  g_assert_cmpuint (n_hash, >, 20);
  g_assert_cmpuint (n_hash, <, 90);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/Partition/parse", test_parse);
  g_test_add_func ("/Pacer/Partition/hash-is-stable", test_hash_is_stable);
  g_test_add_func ("/Pacer/Partition/union", test_union);
  g_test_add_func ("/Pacer/Partition/slice-and-hash-shape", test_slice_and_hash_shape);

  return g_test_run ();
}
