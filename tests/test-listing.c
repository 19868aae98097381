/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "pacer-glib/pacer-listing-private.h"

static GPtrArray *
parse (const char *text,
       gboolean   *is_gtest)
{
  return _pacer_listing_parse (text, strlen (text), is_gtest);
}

static void
assert_paths (GPtrArray          *paths,
              const char * const *expected)
{
  guint n = g_strv_length ((GStrv) expected);

  g_assert_cmpuint (paths->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (paths, i), ==, expected[i]);
}

static void
test_tap_listing (void)
{
  const char * const expected[] = { "/a/one", "/a/two", NULL };
  g_autoptr(GPtrArray) paths = NULL;
  gboolean is_gtest = FALSE;

  g_test_summary ("Paths are the / lines of GTest's TAP listing, in order, without its comments");

  paths = parse ("# random seed: R02S00\n1..2\n# Start of a tests\n/a/one\r\n/a/two\n# End of a tests\n",
                 &is_gtest);
  g_assert_true (is_gtest);
  assert_paths (paths, expected);
}

static void
test_output_before_plan (void)
{
  const char * const expected[] = { "/basic/one", "/basic/two", NULL };
  g_autoptr(GPtrArray) paths = NULL;
  gboolean is_gtest = FALSE;

  g_test_summary ("What main() prints before g_test_run() is no test, even a line starting with /");

  /* ostree's test-basic-c runs a shell fixture that prints its directory. */
  paths = parse ("/tmp/pacer-installed-x/test-basic-c.test /tmp/y\n"
                 "1..5 is not a plan\n"
                 "# random seed: R02S00\n1..2 \n/basic/one\n/basic/two\n",
                 &is_gtest);
  g_assert_true (is_gtest);
  assert_paths (paths, expected);
}

static void
test_plan_after (void)
{
  const char * const expected[] = { "/f/a", "/f/b", NULL };
  g_autoptr(GPtrArray) paths = NULL;
  gboolean is_gtest = FALSE;

  g_test_summary ("With -p, GTest prints its plan after the paths: they are kept");

  paths = parse ("# random seed: R02S00\n# Start of f tests\n/f/a\n/f/b\n# End of f tests\n1..2\n",
                 &is_gtest);
  g_assert_true (is_gtest);
  assert_paths (paths, expected);
}

static void
test_no_plan (void)
{
  const char * const expected[] = { "/old/one", NULL };
  g_autoptr(GPtrArray) paths = NULL;
  gboolean is_gtest = FALSE;

  g_test_summary ("A listing without a plan (GLib before TAP) keeps every / line");

  paths = parse ("/old/one\n/\n", &is_gtest);
  g_assert_true (is_gtest);
  assert_paths (paths, expected);
}

static void
test_not_gtest (void)
{
  g_autoptr(GPtrArray) paths = NULL;
  gboolean is_gtest = TRUE;

  g_test_summary ("A TAP program that ignores -l and runs is not taken for a GTest listing");

  paths = parse ("1..2\nok 1 first\nok 2 second\n", &is_gtest);
  g_assert_false (is_gtest);
  g_assert_cmpuint (paths->len, ==, 0);

  g_clear_pointer (&paths, g_ptr_array_unref);
  paths = parse ("", &is_gtest);
  g_assert_false (is_gtest);
  g_assert_cmpuint (paths->len, ==, 0);
}

static void
test_suites (void)
{
  const char * const listed[] = { "/a", "/a/b", "/a/b/c", "/x/y", NULL };
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  g_autoptr(GHashTable) suites = NULL;

  g_test_summary ("A test that is also another test's parent suite is found, and only it");

  for (guint i = 0; listed[i] != NULL; i++)
    g_ptr_array_add (paths, (gpointer) listed[i]);
  suites = _pacer_listing_find_suites (paths);
  g_assert_cmpuint (g_hash_table_size (suites), ==, 2);
  g_assert_true (g_hash_table_contains (suites, "/a"));
  g_assert_true (g_hash_table_contains (suites, "/a/b"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Pacer/Listing/tap", test_tap_listing);
  g_test_add_func ("/Pacer/Listing/output-before-plan", test_output_before_plan);
  g_test_add_func ("/Pacer/Listing/plan-after", test_plan_after);
  g_test_add_func ("/Pacer/Listing/no-plan", test_no_plan);
  g_test_add_func ("/Pacer/Listing/not-gtest", test_not_gtest);
  g_test_add_func ("/Pacer/Listing/suites", test_suites);

  return g_test_run ();
}
