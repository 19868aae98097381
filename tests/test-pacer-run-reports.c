/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run's --junit-xml, --json and --timeline, run as a user would: the
 * reports after a run stopped by -x, a report on standard output, and a bad
 * destination refused before any test runs. PACER_RUN (set by
 * tests/meson.build) names the pacer-run that was built. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

/* Runs pacer-run over fake-gtest with @tests; returns its exit status. */
static int
run_cli (const char          *tests,
         const char * const  *args,
         char               **out,
         char               **err)
{
  g_autofree char *log = g_build_filename (tmp_dir, "cli.log", NULL);
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new (tests, log);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_unlink (log);
  g_strv_builder_add_many (builder, "--cache-dir", tmp_dir, NULL);
  g_strv_builder_addv (builder, (const char **) args);
  g_strv_builder_add (builder, program);
  argv = g_strv_builder_end (builder);

  return pacer_test_run_pacer_run (launcher, (const char * const *) argv, out, err);
}

static gboolean
tests_ran (void)
{
  g_autofree char *log = g_build_filename (tmp_dir, "cli.log", NULL);

  return g_file_test (log, G_FILE_TEST_EXISTS);
}

static int
xmllint (const char *first_arg,
         ...)
{
  g_autofree char *program = g_find_program_in_path ("xmllint");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status = 0;
  va_list args;

  g_assert_nonnull (program);
  g_ptr_array_add (argv, program);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, NULL));
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

static void
test_reports_after_exitfirst (void)
{
  g_autofree char *junit = g_build_filename (tmp_dir, "x.xml", NULL);
  g_autofree char *json = g_build_filename (tmp_dir, "x.json", NULL);
  g_autofree char *svg = g_build_filename (tmp_dir, "x.svg", NULL);
  g_autofree char *schema = g_test_build_filename (G_TEST_DIST, "junit.xsd", NULL);
  const char *args[] = { "-n", "1", "-x", "--junit-xml", junit, "--json", json, "--timeline", svg, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *found = g_find_program_in_path ("xmllint");
  JsonObject *counts;

  g_test_summary ("-x with a crash: all three reports are written, valid, and list the tests not run");
  if (found == NULL)
    {
      g_test_skip ("xmllint is not installed (Debian: libxml2-utils)");
      return;
    }

  g_assert_cmpint (run_cli ("segv:/x/0,pass:/x/1,pass:/x/2", args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "2 not run"));

  g_assert_cmpint (xmllint ("--noout", "--schema", schema, junit, NULL), ==, 0);
  g_assert_cmpint (xmllint ("--noout", svg, NULL), ==, 0);

  g_assert_true (json_parser_load_from_file (parser, json, &error));
  g_assert_no_error (error);
  counts = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "total"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (counts, "crash"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "not-run"), ==, 2);
}

static void
test_report_on_stdout (void)
{
  const char *args[] = { "-n", "2", "--json", "-", NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  g_test_summary ("--json - writes nothing but the JSON on stdout; the console goes to stderr");

  g_assert_cmpint (run_cli ("pass:/o/0,fail:/o/1,pass:/o/2", args, &out, &err), ==, 1);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "results")), ==, 3);
  g_assert_nonnull (strstr (err, "2 passed, 1 failed"));
  g_assert_nonnull (strstr (err, "FAIL /o/1"));
}

static void
test_bad_destination (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-dir", "r.xml", NULL);
  const char *missing_args[] = { "--junit-xml", missing, NULL };
  const char *dir_args[] = { "--timeline", tmp_dir, NULL };
  const char *two_args[] = { "--json", "-", "--junit-xml", "-", NULL };
  const char * const *cases[] = { missing_args, dir_args, two_args };
  const char *options[] = { "--junit-xml", "--timeline", "--json" };

  g_test_summary ("A report that cannot be written is refused with status 2 before any test runs");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run_cli ("pass:/b/0", cases[i], &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, options[i]));
      g_assert_false (tests_ran ());
    }
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  pacer_test_keep_segv_a_signal ();
  tmp_dir = pacer_test_make_tmp_dir ("pacer-run-reports-XXXXXX");

  g_test_add_func ("/Pacer/PacerRun/reports-after-exitfirst", test_reports_after_exitfirst);
  g_test_add_func ("/Pacer/PacerRun/report-on-stdout", test_report_on_stdout);
  g_test_add_func ("/Pacer/PacerRun/bad-report-destination", test_bad_destination);

  status = g_test_run ();

  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
