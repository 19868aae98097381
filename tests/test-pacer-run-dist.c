/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run's --dist, --group, --serial, --config and pacer.ini, run as a
 * user would. PACER_RUN (set by tests/meson.build) names the pacer-run that
 * was built. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

/* Runs pacer-run in @cwd to the end; returns its exit status. */
static int
run_cli (const char          *cwd,
         const char          *tests,
         const char * const  *args,
         char               **out,
         char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new (tests, NULL);

  g_subprocess_launcher_set_cwd (launcher, cwd);
  return pacer_test_run_pacer_run (launcher, args, out, err);
}

static void
test_modes (void)
{
  const char *modes[] = { "load", "loadscope", "loadfile", "loadgroup", "worksteal", "each", "no" };
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);

  g_test_summary ("pacer-run accepts every --dist mode; each counts every worker's run");

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      const char *grouped_args[] = { "-n", "2", "--dist", modes[i], "--group", "/a/*=a", program, NULL };
      const char *plain_args[] = { "-n", "2", "--dist", modes[i], program, NULL };
      const char * const *args = g_str_equal (modes[i], "loadgroup") ? grouped_args : plain_args;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *expected = g_str_equal (modes[i], "each") ? "6 passed, 2 failed\n" : "3 passed, 1 failed\n";

      g_assert_cmpint (run_cli (tmp_dir, "pass:/a/1,pass:/a/2,fail:/b/1,pass:/b/2", args, &out, &err), ==, 1);
      g_assert_true (g_str_has_suffix (out, expected));
    }
}

static void
test_bad_input (void)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autofree char *bad_ini = g_build_filename (tmp_dir, "bad.ini", NULL);
  g_autofree char *no_name = g_build_filename (tmp_dir, "no-name.ini", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.ini", NULL);
  struct { const char *args[6]; const char *message; } cases[] = {
    { { "--dist", "loadsope", program, NULL }, "not a distribution mode" },
    { { "--group", "nogroup", program, NULL }, "not a group" },
    { { "--dist", "load", "--group", "/a/*=a", program, NULL }, "--group needs --dist loadgroup" },
    { { "--config", bad_ini, program, NULL }, "bad.ini" },
    { { "--config", no_name, program, NULL }, "give the group a name" },
    { { "--config", missing, program, NULL }, "missing.ini" },
  };

  g_test_summary ("A bad --dist, --group or configuration file is a message and exit status 2");

  g_assert_true (g_file_set_contents (bad_ini, "[groups\n", -1, NULL));
  g_assert_true (g_file_set_contents (no_name, "[groups]\n/a/*=\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_cli (tmp_dir, "pass:/a/1", cases[i].args, &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_cmpstr (out, ==, "");
    }
  g_unlink (bad_ini);
  g_unlink (no_name);
}

static void
test_pacer_ini (void)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autofree char *ini = g_build_filename (tmp_dir, "pacer.ini", NULL);
  g_autofree char *log = g_build_filename (tmp_dir, "ini.log", NULL);
  const char *args[] = { "-n", "2", "--dist", "loadgroup", "-v", program, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const char *worker = NULL;

  g_test_summary ("pacer.ini in the current directory gives groups and serial tests");

  g_assert_true (g_file_set_contents (ini, "[groups]\n/g/*=together\n[serial]\ntests=/s/*\n", -1, NULL));
  g_assert_cmpint (run_cli (tmp_dir, "pass:/g/1,pass:/f/1,pass:/g/2,pass:/s/1,pass:/f/2,pass:/g/3", args,
                            &out, &err), ==, 0);
  g_assert_true (g_str_has_suffix (out, "6 passed, 0 failed\n"));

  /* -v prints `[gwN] PASS /g/N`: the group's lines all name one worker. */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], " /g/") != NULL)
      {
        g_autofree char *this = g_strndup (lines[i], 5);

        if (worker == NULL)
          worker = lines[i];
        g_assert_true (strncmp (worker, this, 5) == 0);
      }
  g_assert_nonnull (worker);
  g_unlink (ini);
  g_unlink (log);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("pacer-test-run-dist-XXXXXX");

  g_test_add_func ("/Pacer/PacerRun/dist-modes", test_modes);
  g_test_add_func ("/Pacer/PacerRun/dist-bad-input", test_bad_input);
  g_test_add_func ("/Pacer/PacerRun/pacer-ini", test_pacer_ini);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
