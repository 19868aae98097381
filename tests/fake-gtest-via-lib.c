/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A GTest program whose every GTest call lives in a shared library of its
 * own, found through its RUNPATH. */

#include "fake-gtest-helper.h"

int
main (int    argc,
      char **argv)
{
  return fake_helper_main (argc, argv);
}
