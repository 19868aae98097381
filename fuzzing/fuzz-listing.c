/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What `PROGRAM -l` printed, as the runner reads it, and the suites found
 * among the paths. */

#include "pacer-glib/pacer-listing-private.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GHashTable) suites = NULL;
  gboolean is_gtest = FALSE;

  fuzz_set_up ();

  /* The runner passes what it read with its length: no terminating NUL. */
  paths = _pacer_listing_parse ((const char *) data, size, &is_gtest);
  g_assert_nonnull (paths);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      g_assert_nonnull (path);
      g_assert_cmpint (path[0], ==, '/');
      g_assert_cmpuint (strlen (path), <=, size);
    }
  if (paths->len > 0)
    g_assert_true (is_gtest);

  suites = _pacer_listing_find_suites (paths);
  g_assert_nonnull (suites);
  g_assert_cmpuint (g_hash_table_size (suites), <=, paths->len);

  return 0;
}
