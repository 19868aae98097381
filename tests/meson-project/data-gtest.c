/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A GTest program that needs what meson test gives it: G_TEST_SRCDIR to find
 * data.txt, and the build directory as working directory. */

#include <string.h>

#include <glib.h>

static void
test_srcdir (void)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "data.txt", NULL),
                                      &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "fixture data\n");
}

static void
test_cwd (void)
{
  /* Only the build directory has this. */
  g_assert_true (g_file_test ("meson-info/intro-tests.json", G_FILE_TEST_IS_REGULAR));
}

static void
test_skip (void)
{
  g_test_skip ("skipped on purpose");
}

static void
test_failure (void)
{
  g_assert_cmpint (1, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  gboolean with_failure = FALSE;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--with-failure") == 0)
      with_failure = TRUE;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/srcdir", test_srcdir);
  g_test_add_func ("/data/cwd", test_cwd);
  g_test_add_func ("/data/skip", test_skip);
  if (with_failure)
    g_test_add_func ("/data/failure", test_failure);
  return g_test_run ();
}
