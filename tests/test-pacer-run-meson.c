/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run -C BUILDDIR: the small meson project in tests/meson-project is
 * set up in a scratch directory, and pacer-run's verdicts and selections on
 * it are compared with meson test's own. PACER_RUN names the pacer-run that
 * was built. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;
static char *build_dir;  /* the fixture, set up once */

/* Runs @argv (a program in PATH) to the end in @cwd. */
static int
run_program (const char * const  *argv,
             char               **out,
             char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_launcher_new ();
  g_autoptr(GSubprocess) process = pacer_test_spawn (launcher, argv);

  return pacer_test_wait (process, out, err);
}

static int
run_cli (const char * const  *args,
         char               **out,
         char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_launcher_new ();
  g_autofree char *cache = g_build_filename (tmp_dir, "cache", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add_many (builder, "--cache-dir", cache, NULL);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  return pacer_test_run_pacer_run (launcher, (const char * const *) argv, out, err);
}

/* Sets the fixture project up once; FALSE (the test skipped) without meson. */
static gboolean
fixture_build_dir (void)
{
  g_autofree char *source = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *meson = g_find_program_in_path ("meson");

  if (build_dir != NULL)
    return TRUE;
  if (meson == NULL)
    {
      g_test_skip ("meson is not installed");
      return FALSE;
    }

  /* Installed tests carry no source project, nor the compiler it needs. */
  source = g_test_build_filename (G_TEST_DIST, "meson-project", "meson.build", NULL);
  if (!g_file_test (source, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the meson-project fixture is only in the source tree");
      return FALSE;
    }
  g_free (source);
  source = g_test_build_filename (G_TEST_DIST, "meson-project", NULL);
  build_dir = g_build_filename (tmp_dir, "build", NULL);
  {
    const char *argv[] = { meson, "setup", build_dir, source, NULL };

    if (run_program (argv, &out, &err) != 0)
      g_error ("meson setup failed:\n%s\n%s", out, err);
  }
  return TRUE;
}

/* meson's verdict words for what pacer-run reports per test. */
static const char *
meson_verdict (const char *result)
{
  if (g_str_equal (result, "OK"))
    return "pass";
  if (g_str_equal (result, "SKIP"))
    return "skip";
  if (g_str_equal (result, "TIMEOUT"))
    return "timeout";
  return "fail";  /* FAIL, ERROR (exit 99), UNEXPECTEDPASS… */
}

/* meson-logs/testlog.json: one JSON object per line, per test. */
static GHashTable *
read_meson_verdicts (void)
{
  g_autofree char *log = g_build_filename (build_dir, "meson-logs", "testlog.json", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *verdicts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_file_get_contents (log, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *test;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      test = json_node_get_object (json_parser_get_root (parser));
      g_hash_table_insert (verdicts, g_strdup (json_object_get_string_member (test, "name")),
                           (gpointer) meson_verdict (json_object_get_string_member (test, "result")));
    }
  return verdicts;
}

/* pacer-run's results folded per meson test, as meson folds TAP subtests:
 * a timeout or failure anywhere decides, all skipped is a skip. */
static GHashTable *
read_pacer_verdicts (const char *json_file,
                     guint      *n_results)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) passed = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTable *verdicts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *results;

  json_parser_load_from_file (parser, json_file, &error);
  g_assert_no_error (error);
  results = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "results");
  *n_results = json_array_get_length (results);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      const char *program = json_object_get_string_member (result, "program");
      const char *outcome = json_object_get_string_member (result, "outcome");
      const char *before = g_hash_table_lookup (verdicts, program);
      const char *verdict;

      if (g_str_equal (outcome, "timeout"))
        verdict = "timeout";
      else if (g_str_equal (outcome, "fail") || g_str_equal (outcome, "crash") || g_str_equal (outcome, "not-run"))
        verdict = "fail";
      else if (g_str_equal (outcome, "skip"))
        verdict = "skip";
      else
        verdict = "pass";

      if (before != NULL && (g_str_equal (before, "timeout") ||
                             (g_str_equal (before, "fail") && !g_str_equal (verdict, "timeout"))))
        continue;
      if (g_str_equal (verdict, "skip") && before != NULL && g_str_equal (before, "pass"))
        continue;
      g_hash_table_insert (verdicts, g_strdup (program), (gpointer) verdict);
    }
  return verdicts;
}

static void
test_verdicts (void)
{
  g_autofree char *json = g_build_filename (tmp_dir, "results.json", NULL);
  g_autofree char *meson = g_find_program_in_path ("meson");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GHashTable) mine = NULL;
  g_autoptr(GHashTable) theirs = NULL;
  GHashTableIter iter;
  gpointer name, verdict;
  guint n_results = 0;
  int status;
  const struct { const char *name; const char *verdict; } expected[] = {
    { "pacer-fixture:unit / data", "pass" },
    { "pacer-fixture:unit / data-failing", "fail" },
    { "pacer-fixture:scripts / tap", "pass" },
    { "pacer-fixture:scripts / tap-failing", "fail" },
    { "pacer-fixture:scripts / skip", "skip" },
    { "pacer-fixture:scripts / error", "fail" },
    { "pacer-fixture:scripts+env / env", "pass" },
    { "pacer-fixture:scripts / alone", "pass" },
    { "pacer-fixture:slow / no-timeout", "pass" },
    { "pacer-fixture:slow / hang", "timeout" },
  };

  g_test_summary ("pacer-run -C builds and runs a meson project's tests with meson's environment, "
                  "working directory, protocols, timeouts and exclusive tests, and judges each as meson test does");

  if (!fixture_build_dir ())
    return;

  /* First, so that it is pacer-run that builds the GTest program. */
  {
    const char *args[] = { "-n", "2", "-C", build_dir, "--json", json, NULL };

    g_autofree char *last = NULL;

    status = run_cli (args, &out, &err);
    last = pacer_test_last_line (out);
    g_assert_cmpint (status, ==, 1);
    g_assert_cmpstr (last, ==, "10 passed, 4 failed, 5 skipped");
  }
  {
    const char *argv[] = { meson, "test", "-C", build_dir, "--no-rebuild", NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    run_program (argv, &out, &err);
  }

  mine = read_pacer_verdicts (json, &n_results);
  theirs = read_meson_verdicts ();
  /* data's three GTest tests were split, each a result of its own. */
  g_assert_cmpuint (n_results, ==, 19);
  g_assert_cmpuint (g_hash_table_size (mine), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (g_hash_table_size (theirs), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_hash_table_lookup (mine, expected[i].name), ==, expected[i].verdict);
  g_hash_table_iter_init (&iter, theirs);
  while (g_hash_table_iter_next (&iter, &name, &verdict))
    g_assert_cmpstr (g_hash_table_lookup (mine, name), ==, verdict);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The test names a selection gives: meson test --list's lines, or the
 * programs of pacer-run --list's. */
static char *
selection (gboolean            pacer,
           const char * const *args)
{
  g_autofree char *meson = g_find_program_in_path ("meson");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (pacer)
    g_strv_builder_add_many (builder, "--list", "-C", build_dir, NULL);
  else
    g_strv_builder_add_many (builder, meson, "test", "--list", "--no-rebuild", "-C", build_dir, NULL);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  status = pacer ? run_cli ((const char * const *) argv, &out, &err)
                 : run_program ((const char * const *) argv, &out, &err);
  if (status != 0)
    g_error ("%s exited with status %d:\n%s\n%s", pacer ? "pacer-run" : "meson", status, out, err);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* pacer-run lists a split program's tests as `PROGRAM: /path`. */
      char *colon = pacer ? strstr (lines[i], ": /") : NULL;

      if (colon != NULL)
        *colon = '\0';
      if (*lines[i] != '\0' && !g_ptr_array_find_with_equal_func (names, lines[i], g_str_equal, NULL))
        g_ptr_array_add (names, g_strdup (lines[i]));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("\n", (char **) names->pdata);
}

static void
test_selection (void)
{
  const char *cases[][4] = {
    { NULL },
    { "--suite", "scripts", NULL },
    { "--no-suite", "scripts", NULL },
    { "--suite", "pacer-fixture:slow", NULL },
    { "--suite", "env", "--suite", "unit" },
    { "--suite", "pacer-fixture", NULL },
    { "tap", "hang", NULL },
    { "pacer-fixture:data", NULL },
  };

  g_test_summary ("--suite, --no-suite and test names select with -C the tests meson test selects, "
                  "named as meson test names them");

  if (!fixture_build_dir ())
    return;
  /* --list needs the GTest program built: let pacer-run build it. */
  {
    const char *args[] = { "-C", build_dir, "--suite", "unit", NULL };

    run_cli (args, NULL, NULL);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *mine = selection (TRUE, cases[i]);
      g_autofree char *theirs = selection (FALSE, cases[i]);

      g_assert_cmpstr (mine, ==, theirs);
      g_assert_cmpstr (mine, !=, "");
    }
}

static void
test_exec_wrapper (void)
{
  g_autofree char *meson = g_find_program_in_path ("meson");
  g_autofree char *quoted = g_shell_quote (pacer_test_pacer_run ());
  g_autofree char *wrapper = g_strdup_printf ("%s -n 2 --tap - --exec", quoted);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GHashTable) wrapped = NULL;

  g_test_summary ("Under meson test --wrapper, --exec leaves a test's own arguments to it: "
                  "the verdicts are meson's own");

  if (!fixture_build_dir ())
    return;
  {
    const char *args[] = { "-C", build_dir, "--suite", "unit", NULL };

    run_cli (args, NULL, NULL);
  }
  {
    /* data-failing's --with-failure is its own argument, not pacer-run's. */
    const char *argv[] = { meson, "test", "-C", build_dir, "--no-rebuild", "--suite", "unit",
                           "--suite", "scripts", "--wrapper", wrapper, NULL };

    run_program (argv, &out, &err);
  }
  {
    g_autofree char *log = g_build_filename (build_dir, "meson-logs", "testlog-pacer-run.json", NULL);
    g_autofree char *renamed = g_build_filename (build_dir, "meson-logs", "testlog.json", NULL);

    g_assert_cmpint (g_rename (log, renamed), ==, 0);
    wrapped = read_meson_verdicts ();
  }
  g_assert_cmpstr (g_hash_table_lookup (wrapped, "pacer-fixture:unit / data"), ==, "pass");
  g_assert_cmpstr (g_hash_table_lookup (wrapped, "pacer-fixture:unit / data-failing"), ==, "fail");
  g_assert_cmpstr (g_hash_table_lookup (wrapped, "pacer-fixture:scripts / tap"), ==, "pass");
  g_assert_cmpstr (g_hash_table_lookup (wrapped, "pacer-fixture:scripts / tap-failing"), ==, "fail");
  g_assert_cmpstr (g_hash_table_lookup (wrapped, "pacer-fixture:scripts+env / env"), ==, "pass");
  g_assert_cmpstr (g_hash_table_lookup (wrapped, "pacer-fixture:scripts / skip"), ==, "skip");
}

static void
test_exec_arguments (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  /* Options of pacer-run's own, and -n4 which it would split, after the program. */
  const char *args[] = { "-n1", "--exec", "sh", "-c", "echo \"args: $*\"; exit 1", "sh",
                         "--tap", "-k", "-n4", "--", "--exec", NULL };

  g_test_summary ("With --exec the arguments after the program are all its own, even pacer-run's options");

  g_assert_cmpint (run_cli (args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "args: --tap -k -n4 -- --exec\n"));
}

static char *
write_info (const char *name,
            const char *contents)
{
  g_autofree char *dir = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *info = g_build_filename (dir, "meson-info", NULL);
  g_autofree char *file = g_build_filename (info, "intro-tests.json", NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (info, 0700);
  if (contents != NULL)
    {
      g_file_set_contents (file, contents, -1, &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&dir);
}

static void
expect_usage_error (const char * const *args,
                    const char         *needle)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
  g_assert_cmpstr (out, ==, "");
  if (strstr (err, needle) == NULL)
    g_error ("“%s” not in: %s", needle, err);
}

static void
test_bad_input (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-dir", NULL);
  g_autofree char *unconfigured = write_info ("unconfigured", NULL);
  g_autofree char *corrupt = write_info ("corrupt", "[{\"name\": \"x\",");
  g_autofree char *not_array = write_info ("not-array", "{\"name\": \"x\"}");
  g_autofree char *bad_entry = write_info ("bad-entry",
                                           "[{\"name\": \"x\", \"cmd\": [], \"suite\": [], \"protocol\": \"exitcode\","
                                           " \"timeout\": 30, \"is_parallel\": true}]");
  g_autofree char *bad_env = write_info ("bad-env",
                                         "[{\"name\": \"x\", \"cmd\": [\"true\"], \"suite\": [], \"protocol\": \"exitcode\","
                                         " \"timeout\": 30, \"is_parallel\": true, \"env\": {\"A\": 1}}]");
  g_autofree char *no_tests = write_info ("no-tests", "[]");
  g_autofree char *unconfigured_file = g_build_filename (unconfigured, "meson-info", "intro-tests.json", NULL);
  g_autofree char *corrupt_file = g_build_filename (corrupt, "meson-info", "intro-tests.json", NULL);
  g_autofree char *not_array_file = g_build_filename (not_array, "meson-info", "intro-tests.json", NULL);
  g_autofree char *bad_entry_file = g_build_filename (bad_entry, "meson-info", "intro-tests.json", NULL);
  g_autofree char *bad_env_file = g_build_filename (bad_env, "meson-info", "intro-tests.json", NULL);
  g_autofree char *no_tests_file = g_build_filename (no_tests, "meson-info", "intro-tests.json", NULL);
  /* Without the quotes, which a C locale prints as '?'. */
  g_autofree char *bad_entry_message = g_strdup_printf ("%s: entry 0: ", bad_entry_file);
  g_autofree char *bad_env_message = g_strdup_printf ("%s: entry 0: ", bad_env_file);

  g_test_summary ("A missing, unconfigured or damaged build directory, and options that need -C or "
                  "contradict it, give a message naming the problem and exit status 2, running nothing");

  {
    const char *args[] = { "-C", missing, NULL };

    expect_usage_error (args, missing);
  }
  {
    const char *args[] = { "-C", unconfigured, NULL };

    expect_usage_error (args, unconfigured_file);
  }
  {
    const char *args[] = { "-C", corrupt, NULL };

    expect_usage_error (args, corrupt_file);
  }
  {
    const char *args[] = { "-C", not_array, NULL };

    expect_usage_error (args, not_array_file);
  }
  {
    const char *args[] = { "-C", bad_entry, NULL };

    expect_usage_error (args, bad_entry_message);
  }
  {
    const char *args[] = { "-C", bad_env, NULL };

    expect_usage_error (args, bad_env_message);
  }
  {
    const char *args[] = { "-C", no_tests, NULL };

    expect_usage_error (args, no_tests_file);
  }
  {
    const char *args[] = { "--suite", "unit", "./test-foo", NULL };

    expect_usage_error (args, "-C");
  }
  {
    const char *args[] = { "-C", no_tests, "--timeout", "5", NULL };

    expect_usage_error (args, "--timeout-multiplier");
  }
  {
    const char *args[] = { "-C", no_tests, "--timeout-multiplier", "two", NULL };

    expect_usage_error (args, "two");
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("test-meson-XXXXXX");

  g_test_add_func ("/Pacer/PacerRun/meson/verdicts", test_verdicts);
  g_test_add_func ("/Pacer/PacerRun/meson/selection", test_selection);
  g_test_add_func ("/Pacer/PacerRun/meson/exec-wrapper", test_exec_wrapper);
  g_test_add_func ("/Pacer/PacerRun/meson/exec-arguments", test_exec_arguments);
  g_test_add_func ("/Pacer/PacerRun/meson/bad-input", test_bad_input);

  status = g_test_run ();
  g_free (build_dir);
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
