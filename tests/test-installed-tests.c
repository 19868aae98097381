/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run --installed-tests: .test files written in a temporary directory
 * pointing at fake-gtest and fake-plain, judged as
 * gnome-desktop-testing-runner judges them. PACER_RUN names the pacer-run
 * that was built. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

static char *
helper (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, name, NULL);

  return g_canonicalize_filename (path, NULL);
}

/* Writes DIR/NAME with @contents; DIR is made if needed. */
static char *
write_test (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static int
run_cli (const char * const  *args,
         char               **out,
         char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_launcher_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add (builder, "--installed-tests");
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  return pacer_test_run_pacer_run (launcher, (const char * const *) argv, out, err);
}

static void
test_verdicts (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "verdicts", NULL);
  g_autofree char *gtest = helper ("fake-gtest");
  g_autofree char *plain = helper ("fake-plain");
  g_autofree char *log = g_build_filename (tmp_dir, "verdicts.log", NULL);
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL, *t5 = NULL, *t6 = NULL;
  const char *args[] = { "-v", "-n", "2", dir, NULL };
  g_autofree char *out = NULL, *err = NULL, *last = NULL;

  g_test_summary ("Exit 0 passes, 77 skips, other statuses and signals fail; Output=TAP lines count; "
                  "a GTest program is split over the workers with its Exec arguments");

  t1 = g_strdup_printf ("[Test]\nType=session\nExec=%s --verbose\nOutput=TAP\n"
                        "TestEnvironment=FAKE_GTEST_TESTS=pass:/g/1,pass:/g/2,pass:/g/3,pass:/g/4,fail:/g/5;FAKE_GTEST_LOG=%s;\n",
                        gtest, log);
  g_free (write_test (dir, "a-gtest.test", t1));
  t2 = g_strdup_printf ("[Test]\nType=session\nExec=%s\nTestEnvironment=FAKE_PLAIN_EXIT=0;\n", plain);
  g_free (write_test (dir, "b-pass.test", t2));
  t3 = g_strdup_printf ("[Test]\nType=session\nExec=%s\nTestEnvironment=FAKE_PLAIN_EXIT=77;\n", plain);
  g_free (write_test (dir, "c-skip.test", t3));
  t4 = g_strdup_printf ("[Test]\nType=session\nExec=%s\nTestEnvironment=FAKE_PLAIN_EXIT=3;\n", plain);
  g_free (write_test (dir, "d-fail.test", t4));
  t5 = g_strdup_printf ("[Test]\nType=session\nExec=%s\nTestEnvironment=FAKE_PLAIN_SIGNAL=11;\n", plain);
  g_free (write_test (dir, "e-crash.test", t5));
  /* TAP-looking output counts only with Output=TAP. A list's escaped
   * separator ("\\;") is a good escape in TestEnvironment. */
  t6 = g_strdup_printf ("[Test]\nType=session\nExec=%s\nOutput=TAP\n"
                        "TestEnvironment=FAKE_PLAIN_OUTPUT=1..2\\nok 1 one\\nok 2 two\\;three\\n;\n", plain);
  g_free (write_test (dir, "f-tap.test", t6));
  {
    g_autofree char *not_tap = g_strdup_printf ("[Test]\nType=session\nExec=%s\n"
                                                "TestEnvironment=FAKE_PLAIN_OUTPUT=ok 1 one\\nok 2 two\\n;\n", plain);
    g_free (write_test (dir, "g-not-tap.test", not_tap));
  }
  /* Not a .test file: ignored. */
  g_free (write_test (dir, "README", "not a test"));

  g_unlink (log);
  g_assert_cmpint (run_cli (args, &out, &err), ==, 1);
  last = pacer_test_last_line (out);
  /* g: 4 pass 1 fail; b pass; c skip; d fail; e crash; f: 2 pass; g-not-tap pass. */
  g_assert_cmpstr (last, ==, "8 passed, 3 failed, 1 skipped");
  g_assert_nonnull (strstr (out, "FAIL /g/5"));
  g_assert_nonnull (strstr (out, "(a-gtest.test)"));
  g_assert_nonnull (strstr (out, "SKIP c-skip.test"));
  g_assert_nonnull (strstr (out, "FAIL d-fail.test"));
  g_assert_nonnull (strstr (out, "CRASH e-crash.test"));
  g_assert_nonnull (strstr (out, "PASS f-tap.test: one"));
  g_assert_nonnull (strstr (out, "PASS f-tap.test: two;three"));
  g_assert_nonnull (strstr (out, "PASS g-not-tap.test ("));
  g_assert_nonnull (strstr (out, "fake-gtest --verbose --seed"));

  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, " gw0 "));
    g_assert_nonnull (strstr (contents, " gw1 "));
  }
}

static void
test_env_exec (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "env-exec", NULL);
  g_autofree char *gtest = helper ("fake-gtest");
  g_autofree char *plain = helper ("fake-plain");
  g_autofree char *split = NULL, *options = NULL;
  const char *args[] = { "-v", "-n", "2", dir, NULL };
  g_autofree char *out = NULL, *err = NULL, *last = NULL;

  g_test_summary ("Exec=env NAME=VALUE… PROGRAM sets the variables and still splits a GTest program; "
                  "env with options runs as written");

  /* The variable set by env wins over TestEnvironment's, as env(1) runs inside it. */
  split = g_strdup_printf ("[Test]\nType=session\nOutput=TAP\n"
                           "Exec=env FAKE_GTEST_TESTS=pass:/v/1,fail:/v/2 %s --verbose\n"
                           "TestEnvironment=FAKE_GTEST_TESTS=pass:/w/1;\n", gtest);
  g_free (write_test (dir, "a-split.test", split));
  options = g_strdup_printf ("[Test]\nType=session\nExec=env -u HOME FAKE_PLAIN_EXIT=77 %s\n", plain);
  g_free (write_test (dir, "b-options.test", options));

  g_assert_cmpint (run_cli (args, &out, &err), ==, 1);
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "1 passed, 1 failed, 1 skipped");
  /* One result per test, not one for the whole program. */
  g_assert_nonnull (strstr (out, "PASS /v/1"));
  g_assert_nonnull (strstr (out, "FAIL /v/2"));
  g_assert_null (strstr (out, "/w/1"));
  g_assert_nonnull (strstr (out, "fake-gtest --verbose --seed"));
  g_assert_nonnull (strstr (out, "SKIP b-options.test"));
}

static void
test_working_directory (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "cwd", NULL);
  g_autofree char *record = g_build_filename (tmp_dir, "cwd.out", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *test = NULL;
  g_autofree char *file = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_auto(GStrv) fields = NULL;

  g_test_summary ("Each test starts in a fresh directory of its own holding .testtmp, removed after the run, "
                  "with GIO_USE_VFS=local");

  test = g_strdup_printf ("[Test]\nType=session\n"
                          "Exec=sh -c 'test -f .testtmp && test -z \"$(ls)\" && printf \"%%s %%s\" \"$(pwd)\" \"$GIO_USE_VFS\" > %s'\n",
                          record);
  file = write_test (dir, "cwd.test", test);
  {
    const char *args[] = { file, NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  }
  g_assert_true (g_file_get_contents (record, &contents, NULL, NULL));
  fields = g_strsplit (contents, " ", 2);
  g_assert_cmpuint (g_strv_length (fields), ==, 2);
  g_assert_nonnull (strstr (fields[0], "/cwd.test"));
  g_assert_cmpstr (fields[1], ==, "local");
  /* Gone with the run. */
  g_assert_false (g_file_test (fields[0], G_FILE_TEST_EXISTS));
}

static void
test_exclusive_alone (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "exclusive", NULL);
  g_autofree char *log = g_build_filename (tmp_dir, "exclusive.log", NULL);
  const char *names[] = { "a", "b", "c", "d", NULL };
  const char *args[] = { "-n", "2", dir, NULL };
  g_autofree char *out = NULL, *err = NULL, *contents = NULL;
  g_auto(GStrv) lines = NULL;
  int b_start = -1;

  g_test_summary ("A session-exclusive test runs while nothing else runs");

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *test = g_strdup_printf ("[Test]\nType=%s\n"
                                               "Exec=sh -c 'echo start %s >> %s; sleep 0.2; echo end %s >> %s'\n",
                                               g_str_equal (names[i], "b") ? "session-exclusive" : "session",
                                               names[i], log, names[i], log);
      g_autofree char *name = g_strdup_printf ("%s.test", names[i]);

      g_free (write_test (dir, name, test));
    }

  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  lines = g_strsplit (g_strstrip (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 8);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_equal (lines[i], "start b"))
      b_start = i;
  g_assert_cmpint (b_start, >=, 0);
  g_assert_cmpstr (lines[b_start + 1], ==, "end b");
  /* Nothing was running when it started: every other start has its end before. */
  for (int i = 0; i < b_start; i++)
    if (g_str_has_prefix (lines[i], "start "))
      {
        g_autofree char *end = g_strdup_printf ("end %s", lines[i] + 6);
        gboolean ended = FALSE;

        for (int j = i + 1; j < b_start; j++)
          ended = ended || g_str_equal (lines[j], end);
        g_assert_true (ended);
      }
}

static void
check_bad (const char *name,
           const char *contents,
           const char *expected)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "bad", name, NULL);
  g_autofree char *file = write_test (dir, name, contents);
  const char *args[] = { file, NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, file));
  g_assert_nonnull (strstr (err, expected));
  g_assert_null (strstr (err, "CRITICAL"));
  g_assert_null (strstr (err, "WARNING"));
  g_assert_null (strstr (out, "passed"));
}

static void
test_bad_input (void)
{
  g_autofree char *empty = g_build_filename (tmp_dir, "empty", NULL);
  g_autofree char *plain = helper ("fake-plain");
  g_autofree char *marker = g_build_filename (tmp_dir, "ran", NULL);
  g_autofree char *good = NULL;
  g_autofree char *good_dir = g_build_filename (tmp_dir, "bad-mixed", NULL);
  g_autofree char *out = NULL, *err = NULL;

  g_test_summary ("A malformed .test file or an empty directory: a message naming it, exit 2, nothing run");

  check_bad ("nogroup.test", "[Other]\nExec=true\nType=session\n", "[Test]");
  check_bad ("noexec.test", "[Test]\nType=session\n", "Exec");
  check_bad ("quoting.test", "[Test]\nType=session\nExec=foo 'unterminated\n", "cannot be split");
  check_bad ("type.test", "[Test]\nType=desktop\nExec=true\n", "desktop");
  check_bad ("notype.test", "[Test]\nExec=true\n", "Type");
  check_bad ("output.test", "[Test]\nType=session\nExec=true\nOutput=XML\n", "XML");
  check_bad ("syntax.test", "this is not a key file\n", "syntax.test");
  /* Found by fuzzing/fuzz-installed-test: a critical, then a wrong message. */
  check_bad ("escape.test", "[Test]\nType=session\nExec=true \\q\n", "escape");
  /* GLib 2.74 sets its error twice for this one (fuzz-installed-test). */
  check_bad ("escape-end.test", "[Test]\nType=session\nExec=true \\q\\\n", "escape");
  /* And in a string list (fuzz-installed-test again). */
  check_bad ("env-escape-end.test", "[Test]\nType=session\nExec=true\nTestEnvironment=A=\\q\\\n", "escape");
  check_bad ("env-escape.test", "[Test]\nType=session\nExec=true\nTestEnvironment=A=\\q;\n", "escape");

  /* A good test beside a bad one does not run either. */
  good = g_strdup_printf ("[Test]\nType=session\nExec=%s\nTestEnvironment=FAKE_PLAIN_LOG=%s;\n", plain, marker);
  g_free (write_test (good_dir, "a-good.test", good));
  g_free (write_test (good_dir, "b-bad.test", "[Test]\nType=session\n"));
  {
    const char *args[] = { good_dir, NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "b-bad.test"));
    g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  g_mkdir_with_parents (empty, 0700);
  {
    const char *args[] = { empty, NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, empty));
    g_assert_nonnull (strstr (err, "no .test file"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "/nonexistent/x.test", NULL };

    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "/nonexistent/x.test"));
  }
}

/* Start time of @program's first result in a --json report. */
/* ostree's C tests set up a repository in their working directory in
 * main(), also when listing (`mkdir files`): split over processes that
 * share one directory, every process after the first failed. */
static void
test_fresh_directory_per_process (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "fresh", NULL);
  g_autofree char *cache = g_build_filename (tmp_dir, "fresh-cache", NULL);
  g_autofree char *gtest = helper ("fake-gtest");
  g_autofree char *log = g_build_filename (tmp_dir, "fresh.log", NULL);
  g_autofree char *test = NULL;
  g_autofree char *out = NULL, *err = NULL, *last = NULL, *contents = NULL;
  const char *args[] = { "-n", "2", "--cache-dir", cache, dir, NULL };

  g_test_summary ("Each process of an installed test split over the workers, -l included, starts in a "
                  "directory of its own holding .testtmp, as the program run whole would");

  test = g_strdup_printf ("[Test]\nType=session\nExec=%s\n"
                          "TestEnvironment=FAKE_GTEST_CLAIM_CWD=1;FAKE_GTEST_LOG=%s;"
                          "FAKE_GTEST_TESTS=pass:/c/1,pass:/c/2,pass:/c/3,pass:/c/4,pass:/c/5,pass:/c/6;\n",
                          gtest, log);
  g_free (write_test (dir, "claims.test", test));

  g_unlink (log);
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  last = pacer_test_last_line (out);
  g_assert_cmpstr (last, ==, "6 passed, 0 failed");
  g_assert_null (strstr (out, "order-dependent"));
  /* Split indeed: both workers ran some. */
  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, " gw0 "));
  g_assert_nonnull (strstr (contents, " gw1 "));
}

static double
first_start (JsonObject *report,
             const char *program)
{
  JsonArray *results = json_object_get_array_member (report, "results");
  double first = -1;

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      double start = json_object_get_double_member (result, "start");

      if (g_strcmp0 (json_object_get_string_member (result, "program"), program) == 0 &&
          (first < 0 || start < first))
        first = start;
    }
  g_assert_cmpfloat (first, >, 0);
  return first;
}

static void
test_tap_history (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "tap-history", NULL);
  g_autofree char *cache = g_build_filename (tmp_dir, "tap-history-cache", NULL);
  g_autofree char *json = g_build_filename (tmp_dir, "tap-history.json", NULL);
  const char *args[] = { "-n", "1", "--cache-dir", cache, "--json", json, dir, NULL };

  g_test_summary ("A program run whole whose TAP lines are its results is timed as a whole: "
                  "with a history, the longest such program starts first");

  /* In name order the long program comes last; each prints two TAP results. */
  g_free (write_test (dir, "a-short.test",
                      "[Test]\nType=session\nOutput=TAP\n"
                      "Exec=/bin/sh -c 'echo 1..2; echo ok 1 one; echo ok 2 two'\n"));
  g_free (write_test (dir, "z-long.test",
                      "[Test]\nType=session\nOutput=TAP\n"
                      "Exec=/bin/sh -c 'echo 1..2; echo ok 1 one; sleep 0.5; echo ok 2 two'\n"));

  for (guint round = 0; round < 2; round++)
    {
      g_autofree char *out = NULL, *err = NULL, *text = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *report;
      double short_start, long_start;

      g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
      g_assert_true (json_parser_load_from_file (parser, json, &error));
      g_assert_no_error (error);
      report = json_node_get_object (json_parser_get_root (parser));
      short_start = first_start (report, "a-short.test");
      long_start = first_start (report, "z-long.test");
      /* No history: name order. Then the history knows z-long's 0.5 s. */
      if (round == 0)
        g_assert_cmpfloat (short_start, <, long_start);
      else
        g_assert_cmpfloat (long_start, <, short_start);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("test-installed-XXXXXX");

  g_test_add_func ("/Pacer/PacerRun/installed-tests/verdicts", test_verdicts);
  g_test_add_func ("/Pacer/PacerRun/installed-tests/env-exec", test_env_exec);
  g_test_add_func ("/Pacer/PacerRun/installed-tests/working-directory", test_working_directory);
  g_test_add_func ("/Pacer/PacerRun/installed-tests/exclusive-alone", test_exclusive_alone);
  g_test_add_func ("/Pacer/PacerRun/installed-tests/bad-input", test_bad_input);
  g_test_add_func ("/Pacer/PacerRun/installed-tests/tap-history", test_tap_history);
  g_test_add_func ("/Pacer/PacerRun/installed-tests/fresh-directory", test_fresh_directory_per_process);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
