/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-worker-private.h"

static void
clear_environment (void)
{
  g_unsetenv ("PACER_WORKER");
  g_unsetenv ("PACER_WORKER_COUNT");
  g_unsetenv ("PACER_TESTRUN_UID");
  g_unsetenv ("PACER_RUN_DIR");
  _pacer_worker_reset ();
}

static void
test_master (void)
{
  const char *run_dir;
  struct stat st;

  g_test_summary ("Outside a runner the worker is master, alone, with a private 0700 run directory");

  clear_environment ();

  g_assert_cmpstr (pacer_worker_get_id (), ==, "master");
  g_assert_cmpuint (pacer_worker_get_count (), ==, 1);
  g_assert_false (pacer_worker_is_distributed ());
  g_assert_true (g_uuid_string_is_valid (pacer_worker_get_testrun_uid ()));

  run_dir = pacer_worker_get_run_dir ();
  g_assert_nonnull (run_dir);
  g_assert_cmpint (g_stat (run_dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* Stable within the process. */
  g_assert_cmpstr (pacer_worker_get_run_dir (), ==, run_dir);

  clear_environment ();
}

static void
test_from_environment (void)
{
  g_autofree char *base = g_dir_make_tmp ("pacer-worker-XXXXXX", NULL);
  g_autofree char *run_dir = g_build_filename (base, "nested", "run", NULL);
  struct stat st;

  g_test_summary ("Under a runner the four PACER_ variables are read, and a missing run directory is made 0700");

  g_setenv ("PACER_WORKER", "gw3", TRUE);
  g_setenv ("PACER_WORKER_COUNT", "8", TRUE);
  g_setenv ("PACER_TESTRUN_UID", "abc123", TRUE);
  g_setenv ("PACER_RUN_DIR", run_dir, TRUE);
  _pacer_worker_reset ();

  g_assert_cmpstr (pacer_worker_get_id (), ==, "gw3");
  g_assert_cmpuint (pacer_worker_get_count (), ==, 8);
  g_assert_true (pacer_worker_is_distributed ());
  g_assert_cmpstr (pacer_worker_get_testrun_uid (), ==, "abc123");
  g_assert_cmpstr (pacer_worker_get_run_dir (), ==, run_dir);
  g_assert_cmpint (g_stat (run_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  clear_environment ();
  /* A run directory the runner gave is not ours to remove. */
  g_assert_true (g_file_test (run_dir, G_FILE_TEST_IS_DIR));
  g_rmdir (run_dir);
  g_autofree char *nested = g_path_get_dirname (run_dir);
  g_rmdir (nested);
  g_rmdir (base);
}

static void
test_bad_count (void)
{
  g_test_summary ("A PACER_WORKER_COUNT that is not a positive number warns and counts as 1");

  if (g_test_subprocess ())
    {
      g_setenv ("PACER_WORKER", "gw0", TRUE);
      g_setenv ("PACER_WORKER_COUNT", "many", TRUE);
      _pacer_worker_reset ();
      g_assert_cmpuint (pacer_worker_get_count (), ==, 1);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*PACER_WORKER_COUNT=*many* is not a worker count*");
}

static void
test_private_dir_removed (void)
{
  g_autofree char *report = NULL;
  g_autofree char *run_dir = NULL;

  g_test_summary ("The private run directory of a plain process is removed when it exits");

  if (g_test_subprocess ())
    {
      clear_environment ();
      g_assert_true (g_file_set_contents (g_getenv ("PACER_TEST_REPORT"), pacer_worker_get_run_dir (),
                                          -1, NULL));
      g_assert_true (g_file_test (pacer_worker_get_run_dir (), G_FILE_TEST_IS_DIR));
      exit (0);
    }

  report = g_build_filename (g_get_user_cache_dir (), "run-dir-report", NULL);
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_setenv ("PACER_TEST_REPORT", report, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  g_assert_true (g_file_get_contents (report, &run_dir, NULL, NULL));
  g_assert_true (g_str_has_prefix (run_dir, "/"));
  g_assert_false (g_file_test (run_dir, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/Worker/master", test_master);
  g_test_add_func ("/Pacer/Worker/from-environment", test_from_environment);
  g_test_add_func ("/Pacer/Worker/bad-count", test_bad_count);
  g_test_add_func ("/Pacer/Worker/private-dir-removed", test_private_dir_removed);

  return g_test_run ();
}
