/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A test helper library of the kind real suites ship (libsoup's
 * libtest-utils.so): it calls g_test_init(), registers and runs the tests,
 * so the program linking it never names GTest itself. */

#include <glib.h>

#include "fake-gtest-helper.h"

static void
helper_pass (void)
{
}

static void
helper_fail (void)
{
  g_test_fail ();
}

int
fake_helper_main (int    argc,
                  char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/helper/pass", helper_pass);
  g_test_add_func ("/helper/fail", helper_fail);
  g_test_add_func ("/helper/other", helper_pass);
  return g_test_run ();
}
