/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run under faults: tests that flood their output, processes that
 * outlive their test, a controller killed outright, a full disk and
 * symbolic links planted where pacer-run writes. PACER_RUN (set by
 * tests/meson.build) names the pacer-run that was built. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

static char *
fake_gtest (void)
{
  return g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
}

/* The output --json recorded for @path. */
static char *
json_output (const char *json_file,
             const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *results;

  json_parser_load_from_file (parser, json_file, &error);
  g_assert_no_error (error);
  results = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (result, "path"), path))
        return g_strdup (json_object_get_string_member_with_default (result, "output", ""));
    }
  g_assert_not_reached ();
}

static void
test_output_flood (void)
{
  const char *kinds[] = { "flood", "longline" };
  g_autofree char *program = fake_gtest ();
  g_autofree char *json = g_build_filename (tmp_dir, "flood.json", NULL);

  g_test_summary ("A test that prints megabytes, in lines or in one line without end, keeps "
                  "the start and the end of its output and says how much was dropped");

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *tests = g_strdup_printf ("%s:/flood/big,fail:/flood/after", kinds[k]);
      g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new (tests, NULL);
      const char *args[] = { "-n", "1", "--json", json, program, NULL };
      g_autofree char *out = NULL, *err = NULL, *last = NULL, *output = NULL, *after = NULL;
      g_autofree char *first = g_strdup_printf ("%s: first line\n", kinds[k]);
      g_autofree char *end = g_strdup_printf ("\n%s: last line\n", kinds[k]);

      /* 8 MB: far beyond what is kept, small enough for a loaded machine. */
      g_subprocess_launcher_setenv (launcher, "FAKE_GTEST_FLOOD_BYTES", "8000000", TRUE);
      g_assert_cmpint (pacer_test_run_pacer_run (launcher, args, &out, &err), ==, 1);
      last = pacer_test_last_line (out);
      g_assert_cmpstr (last, ==, "0 passed, 2 failed");

      output = json_output (json, "/flood/big");
      g_assert_true (g_str_has_prefix (output, first));
      g_assert_true (g_str_has_suffix (output, end));
      g_assert_nonnull (strstr (output, "MB of output dropped …]\n"));
      g_assert_cmpuint (strlen (output), <, 300 * 1024);

      /* The test after it is read as usual: the stream was not lost. */
      after = json_output (json, "/flood/after");
      g_assert_nonnull (strstr (after, "fail: output of the failing test"));
      g_assert_null (strstr (after, "dropped"));
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("pacer-run-faults-XXXXXX");

  g_test_add_func ("/Pacer/PacerRun/output-flood", test_output_flood);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
