/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run where other tools meet it: the --tap stream, --partition and
 * Bazel's sharding variables, run as CI would run them. PACER_RUN (set by
 * tests/meson.build) names the pacer-run that was built. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

static char *
fake_gtest (void)
{
  return g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
}

/* What --partition auto reads: GitLab CI's, CircleCI's and Buildkite's. */
static const char * const ci_partition_variables[] = {
  "CI_NODE_TOTAL", "CI_NODE_INDEX",
  "CIRCLE_NODE_TOTAL", "CIRCLE_NODE_INDEX",
  "BUILDKITE_PARALLEL_JOB_COUNT", "BUILDKITE_PARALLEL_JOB",
};

/* Runs pacer-run to the end with FAKE_GTEST_TESTS=@tests and the extra
 * environment @env (NAME=VALUE…); returns its exit status. */
static int
run_cli (const char          *tests,
         const char * const  *env,
         const char * const  *args,
         char               **out,
         char               **err)
{
  g_autofree char *log = g_build_filename (tmp_dir, "cli.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new (tests, log);

  g_subprocess_launcher_unsetenv (launcher, "TEST_TOTAL_SHARDS");
  g_subprocess_launcher_unsetenv (launcher, "TEST_SHARD_INDEX");
  g_subprocess_launcher_unsetenv (launcher, "TEST_SHARD_STATUS_FILE");
  /* This suite may itself run as one of a CI job's parallel copies. */
  for (guint i = 0; i < G_N_ELEMENTS (ci_partition_variables); i++)
    g_subprocess_launcher_unsetenv (launcher, ci_partition_variables[i]);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }

  return pacer_test_run_pacer_run (launcher, args, out, err);
}

/* The result lines of a TAP stream, numbers checked and dropped:
 * "ok - NAME…" / "not ok - NAME…"; also checks there is exactly one plan,
 * last, that matches the count. */
static GPtrArray *
tap_results (const char *tap)
{
  g_auto(GStrv) lines = g_strsplit (tap, "\n", -1);
  GPtrArray *results = g_ptr_array_new_with_free_func (g_free);
  guint n_plans = 0;
  guint last = 0;

  g_assert_cmpstr (lines[0], ==, "TAP version 13");
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gboolean ok = g_str_has_prefix (line, "ok ");
      guint64 number = 0;
      char *end = NULL;

      if (*line == '\0' || g_str_has_prefix (line, "# "))
        continue;
      if (g_str_has_prefix (line, "1.."))
        {
          n_plans++;
          g_assert_cmpuint (g_ascii_strtoull (line + 3, NULL, 10), ==, results->len);
          last = i;
          continue;
        }
      g_assert_true (ok || g_str_has_prefix (line, "not ok "));
      g_assert_cmpuint (n_plans, ==, 0);
      number = g_ascii_strtoull (line + (ok ? 3 : 7), &end, 10);
      g_assert_cmpuint (number, ==, results->len + 1);
      g_assert_true (g_str_has_prefix (end, " - "));
      g_ptr_array_add (results, g_strconcat (ok ? "ok" : "not ok", end, NULL));
    }
  g_assert_cmpuint (n_plans, ==, 1);
  g_assert_cmpuint (last, >, 0);
  return results;
}

static gboolean
has_result (GPtrArray  *results,
            const char *line)
{
  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (g_ptr_array_index (results, i), line))
      return TRUE;
  return FALSE;
}

static void
test_tap_stdout (void)
{
  g_autofree char *program = fake_gtest ();
  const char *args[] = { "--tap", "-", "-n", "2", "--retries", "1", program, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) results = NULL;

  g_test_summary ("--tap - writes one TAP stream on stdout, the console on stderr");

  g_assert_cmpint (run_cli ("pass:/t/pass,fail:/t/fail,skip:/t/skip,segv:/t/segv,flaky:/t/flaky,"
                            "pass:/t/has#hash",
                            NULL, args, &out, &err), ==, 1);
  results = tap_results (out);
  g_assert_cmpuint (results->len, ==, 6);
  g_assert_true (has_result (results, "ok - fake-gtest /t/pass"));
  g_assert_true (has_result (results, "not ok - fake-gtest /t/fail"));
  g_assert_true (has_result (results, "ok - fake-gtest /t/skip # SKIP not today"));
  g_assert_true (has_result (results, "not ok - fake-gtest /t/segv"));
  g_assert_true (has_result (results, "ok - fake-gtest /t/flaky"));
  g_assert_true (has_result (results, "ok - fake-gtest /t/has\\#hash"));
  /* Why and what it printed follow a failure as diagnostics. */
  g_assert_nonnull (strstr (out, "\n# fail: output of the failing test\n"));
  g_assert_nonnull (strstr (out, "\n# segv: output before the crash\n"));
  g_assert_nonnull (strstr (out, "\n# flaky: passed on attempt 2"));
  /* The console went to stderr, whole. */
  g_assert_null (strstr (out, "passed,"));
  g_assert_nonnull (strstr (err, "2 passed, 2 failed, 1 skipped, 1 flaky"));
}

static void
test_tap_not_run (void)
{
  g_autofree char *program = fake_gtest ();
  const char *args[] = { "--tap", "-", "-x", "-n", "1", program, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) results = NULL;
  guint n_not_run = 0;

  g_test_summary ("A test the run never reached is “not ok”, never a pass or a skip");

  g_assert_cmpint (run_cli ("fail:/n/fail,pass:/n/a,pass:/n/b,pass:/n/c", NULL, args, &out, &err), ==, 1);
  results = tap_results (out);
  g_assert_cmpuint (results->len, ==, 4);
  for (guint i = 0; i < results->len; i++)
    g_assert_false (strstr (g_ptr_array_index (results, i), "# SKIP") != NULL);
  for (const char *p = strstr (out, "# not run: "); p != NULL; p = strstr (p + 1, "# not run: "))
    n_not_run++;
  g_assert_cmpuint (n_not_run, >=, 1);
  g_assert_true (has_result (results, "not ok - fake-gtest /n/fail"));
}

static void
test_tap_file (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *report = g_build_filename (tmp_dir, "report.tap", NULL);
  g_autofree char *log = g_build_filename (tmp_dir, "cli.log", NULL);
  g_autofree char *bad = g_build_filename (tmp_dir, "no-such-dir", "report.tap", NULL);
  const char *args[] = { "--tap", report, program, NULL };
  const char *bad_args[] = { "--tap", bad, program, NULL };
  g_autofree char *out = NULL, *err = NULL, *text = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autoptr(GPtrArray) results = NULL;

  g_test_summary ("--tap FILE writes the stream there; an unwritable FILE is exit 2 before any test runs");

  g_assert_cmpint (run_cli ("pass:/f/a,pass:/f/b", NULL, args, &out, &err), ==, 0);
  g_assert_true (g_file_get_contents (report, &text, NULL, NULL));
  results = tap_results (text);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_nonnull (strstr (out, "2 passed, 0 failed"));

  g_assert_cmpint (g_remove (log), ==, 0);
  g_assert_cmpint (run_cli ("pass:/f/a", NULL, bad_args, &out2, &err2), ==, 2);
  g_assert_nonnull (strstr (err2, "--tap: Cannot write the report"));
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
}

/* The test names partition K of N ran, from its TAP stream. */
static GPtrArray *
partition_names (const char         *tests,
                 const char * const *env,
                 const char         *spec,
                 const char         *cache)
{
  g_autofree char *program = fake_gtest ();
  const char *args[] = { "--tap", "-", "--cache-dir", cache, spec != NULL ? "--partition" : program,
                         spec, program, NULL };
  g_autofree char *out = NULL, *err = NULL;

  if (spec == NULL)
    args[5] = NULL;
  g_assert_cmpint (run_cli (tests, env, args, &out, &err), ==, 0);
  return tap_results (out);
}

/* Every CI machine starts from the same snapshot of the history; a run
 * rewrites its own copy, which must not change what the next one picks. */
static char *
copy_cache (const char *cache)
{
  static guint n_copies;
  g_autofree char *dir = g_strdup_printf ("%s-%u", cache, n_copies++);
  g_autofree char *from = g_build_filename (cache, "durations.json", NULL);
  g_autofree char *to = g_build_filename (dir, "durations.json", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, length, NULL));
  return g_steal_pointer (&dir);
}

static void
test_partition_union (void)
{
  const char *kinds[] = { "slice", "hash", "duration" };
  g_autofree char *cache = g_build_filename (tmp_dir, "partition-cache", NULL);
  g_autoptr(GString) tests = g_string_new (NULL);
  g_autoptr(GPtrArray) all = NULL;

  g_test_summary ("Partitions 1/N … N/N of every kind run every test exactly once");

  /* Suites that are also tests, a slow test, nested suites. */
  g_string_append (tests, "pass:/p,pass:/p/a,slow:/p/slow,pass:/p/b/c,pass:/q");
  for (guint i = 0; i < 12; i++)
    g_string_append_printf (tests, ",pass:/r/%u", i);

  /* A first full run leaves a duration history for duration:K/N. */
  all = partition_names (tests->str, NULL, NULL, cache);
  g_assert_cmpuint (all->len, ==, 17);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint total = 1; total <= 3; total++)
      {
        g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

        for (guint index = 1; index <= total; index++)
          {
            g_autofree char *spec = g_strdup_printf ("%s:%u/%u", kinds[k], index, total);
            g_autofree char *machine = copy_cache (cache);
            g_autoptr(GPtrArray) names = partition_names (tests->str, NULL, spec, machine);

            g_test_message ("%s: %u tests", spec, names->len);
            for (guint i = 0; i < names->len; i++)
              {
                const char *name = g_ptr_array_index (names, i);

                g_assert_true (has_result (all, name));
                g_assert_false (g_hash_table_contains (seen, name));
                g_hash_table_add (seen, g_strdup (name));
              }
          }
        g_assert_cmpuint (g_hash_table_size (seen), ==, all->len);
      }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
test_bazel (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *cache = g_build_filename (tmp_dir, "bazel-cache", NULL);
  g_autofree char *status = g_build_filename (tmp_dir, "shard-status", NULL);
  g_autofree char *status_env = g_strconcat ("TEST_SHARD_STATUS_FILE=", status, NULL);
  const char *tests = "pass:/z/0,pass:/z/1,pass:/z/2,pass:/z/3,pass:/z/4,pass:/z/5,pass:/z/6";
  const char *bad_envs[][3] = {
    { "TEST_TOTAL_SHARDS=3", "TEST_SHARD_INDEX=3", NULL },
    { "TEST_TOTAL_SHARDS=0", "TEST_SHARD_INDEX=0", NULL },
    { "TEST_TOTAL_SHARDS=3", NULL, NULL },
    { "TEST_TOTAL_SHARDS=x", "TEST_SHARD_INDEX=0", NULL },
  };
  const char *args[] = { program, NULL };

  g_test_summary ("TEST_TOTAL_SHARDS/TEST_SHARD_INDEX act as hash:INDEX+1/TOTAL and touch TEST_SHARD_STATUS_FILE");

  for (guint index = 0; index < 3; index++)
    {
      g_autofree char *total_env = g_strdup ("TEST_TOTAL_SHARDS=3");
      g_autofree char *index_env = g_strdup_printf ("TEST_SHARD_INDEX=%u", index);
      g_autofree char *spec = g_strdup_printf ("hash:%u/3", index + 1);
      const char *env[] = { total_env, index_env, status_env, NULL };
      g_autoptr(GPtrArray) bazel = NULL, hash = NULL;

      g_remove (status);
      bazel = partition_names (tests, env, NULL, cache);
      hash = partition_names (tests, NULL, spec, cache);
      g_assert_true (g_file_test (status, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpuint (bazel->len, ==, hash->len);
      /* Workers finish in any order: compare the sets. */
      g_ptr_array_sort (bazel, compare_names);
      g_ptr_array_sort (hash, compare_names);
      for (guint i = 0; i < bazel->len; i++)
        g_assert_cmpstr (g_ptr_array_index (bazel, i), ==, g_ptr_array_index (hash, i));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_envs); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run_cli (tests, bad_envs[i], args, &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, "not a shard"));
    }
}

/* The same set of names, whatever order the workers ended in. */
static void
assert_same_names (GPtrArray *a,
                   GPtrArray *b)
{
  g_ptr_array_sort (a, compare_names);
  g_ptr_array_sort (b, compare_names);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

static void
test_ci_partition (void)
{
  g_autofree char *program = fake_gtest ();
  g_autofree char *cache = g_build_filename (tmp_dir, "ci-cache", NULL);
  const char *tests = "pass:/c/0,pass:/c/1,pass:/c/2,pass:/c/3,pass:/c/4,pass:/c/5,pass:/c/6,pass:/c/7";
  struct { const char *total; const char *index; guint first; } cis[] = {
    { "CI_NODE_TOTAL", "CI_NODE_INDEX", 1 },
    { "CIRCLE_NODE_TOTAL", "CIRCLE_NODE_INDEX", 0 },
    { "BUILDKITE_PARALLEL_JOB_COUNT", "BUILDKITE_PARALLEL_JOB", 0 },
  };
  const char *bad_envs[][3] = {
    { "CI_NODE_TOTAL=3", "CI_NODE_INDEX=0", NULL },
    { "CI_NODE_TOTAL=3", "CI_NODE_INDEX=4", NULL },
    { "CIRCLE_NODE_TOTAL=3", "CIRCLE_NODE_INDEX=3", NULL },
    { "BUILDKITE_PARALLEL_JOB_COUNT=two", "BUILDKITE_PARALLEL_JOB=0", NULL },
    { "CI_NODE_INDEX=2", NULL, NULL },
  };
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) gitlab_alone = NULL;

  g_test_summary ("--partition auto[:KIND] takes K and N from GitLab CI, CircleCI or Buildkite, runs every "
                  "test outside a parallel job, and refuses variables that are not one of its copies");

  all = partition_names (tests, NULL, NULL, cache);
  g_assert_cmpuint (all->len, ==, 8);

  for (guint c = 0; c < G_N_ELEMENTS (cis); c++)
    for (guint k = 1; k <= 3; k++)
      {
        g_autofree char *total_env = g_strdup_printf ("%s=3", cis[c].total);
        g_autofree char *index_env = g_strdup_printf ("%s=%u", cis[c].index, k - 1 + cis[c].first);
        g_autofree char *hash_spec = g_strdup_printf ("hash:%u/3", k);
        g_autofree char *slice_spec = g_strdup_printf ("slice:%u/3", k);
        const char *env[] = { total_env, index_env, NULL };
        g_autoptr(GPtrArray) automatic = partition_names (tests, env, "auto", cache);
        g_autoptr(GPtrArray) hash = partition_names (tests, NULL, hash_spec, cache);
        g_autoptr(GPtrArray) auto_slice = partition_names (tests, env, "auto:slice", cache);
        g_autoptr(GPtrArray) slice = partition_names (tests, NULL, slice_spec, cache);

        assert_same_names (automatic, hash);
        assert_same_names (auto_slice, slice);
      }

  /* Outside CI, and in a GitLab job without parallel: (CI_NODE_TOTAL=1, no
   * index), every test runs. */
  {
    g_autoptr(GPtrArray) outside = partition_names (tests, NULL, "auto", cache);
    const char *env[] = { "CI_NODE_TOTAL=1", NULL };

    gitlab_alone = partition_names (tests, env, "auto:duration", cache);
    assert_same_names (outside, all);
    assert_same_names (gitlab_alone, all);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad_envs); i++)
    {
      const char *args[] = { "--partition", "auto", program, NULL };
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run_cli (tests, bad_envs[i], args, &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, "not one of a job's parallel copies"));
      g_assert_null (strstr (out, "passed"));
    }

  {
    const char *args[] = { "--partition", "auto:random", program, NULL };
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run_cli (tests, NULL, args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "auto:random"));
  }
}

static void
test_bad_partition (void)
{
  g_autofree char *program = fake_gtest ();
  const char *specs[] = { "hash:0/2", "hash:3/2", "slice:1/0", "slice", "random:1/2", "hash:1/two", NULL };

  g_test_summary ("A bad --partition is a message and exit status 2");

  for (guint i = 0; specs[i] != NULL; i++)
    {
      const char *args[] = { "--partition", specs[i], program, NULL };
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (run_cli ("pass:/b/0", NULL, args, &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, "--partition"));
      g_assert_nonnull (strstr (err, specs[i]));
    }
}

/* The verdict meson gave each test in its testlog.json. */
static GHashTable *
meson_verdicts (const char *log_path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *verdicts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (g_file_get_contents (log_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GRegex) regex = g_regex_new ("\"name\": \"([^\"]*)\".*\"result\": \"([A-Z]*)\"", 0, 0, NULL);
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (regex, lines[i], 0, &match))
        g_hash_table_insert (verdicts, g_match_info_fetch (match, 1), g_match_info_fetch (match, 2));
    }
  return verdicts;
}

static void
test_meson (void)
{
  g_autofree char *relative = fake_gtest ();
  g_autofree char *relative_plain = g_test_build_filename (G_TEST_BUILT, "fake-plain", NULL);
  g_autofree char *program = g_canonicalize_filename (relative, NULL);
  g_autofree char *plain = g_canonicalize_filename (relative_plain, NULL);
  g_autofree char *project = g_build_filename (tmp_dir, "meson-project", NULL);
  g_autofree char *build = g_build_filename (project, "_build", NULL);
  g_autofree char *meson_build = g_build_filename (project, "meson.build", NULL);
  g_autofree char *log = g_build_filename (build, "meson-logs", "testlog.json", NULL);
  /* meson names the log of a wrapped run after the wrapper. */
  g_autofree char *wrapped_log = g_build_filename (build, "meson-logs", "testlog-pacer-run.json", NULL);
  g_autofree char *cache = g_build_filename (tmp_dir, "meson-cache", NULL);
  g_autofree char *q_cache = g_shell_quote (cache);
  g_autofree char *q_program = g_shell_quote (program);
  g_autofree char *q_plain = g_shell_quote (plain);
  g_autofree char *q_pacer_run = g_shell_quote (pacer_test_pacer_run ());
  g_autofree char *wrapper = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *meson = g_find_program_in_path ("meson");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GHashTable) verdicts = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;

  g_test_summary ("meson test --wrapper 'pacer-run -n 2 --tap -' and pacer-run as a suite runner: "
                  "meson parses the stream and gives the right verdicts");

  if (meson == NULL)
    {
      g_test_skip ("meson is not installed");
      return;
    }

  wrapper = g_strdup_printf ("%s -n 2 --tap - --cache-dir %s", q_pacer_run, q_cache);
  g_assert_cmpint (g_mkdir_with_parents (project, 0700), ==, 0);
  /* Programs by absolute path: no compiler needed, and setup stays fast. */
  contents = g_strdup_printf (
    "project('pacer-run-wrapped', meson_version: '>= 1.0')\n"
    "fake = find_program(%s)\n"
    "plain = find_program(%s)\n"
    "test('mixed', fake, protocol: 'tap', env: ['FAKE_GTEST_TESTS=pass:/m/a,fail:/m/b,skip:/m/c,pass:/m/d'])\n"
    "test('good', fake, protocol: 'tap', env: ['FAKE_GTEST_TESTS=pass:/g/a,pass:/g/b,pass:/g/c'])\n"
    "test('skipped', fake, protocol: 'tap', env: ['FAKE_GTEST_TESTS=skip:/s/a,skip:/s/b'])\n"
    "test('crash', fake, protocol: 'tap', env: ['FAKE_GTEST_TESTS=pass:/c/a,segv:/c/b,pass:/c/c'])\n"
    "test('exitcode-good', fake, env: ['FAKE_GTEST_TESTS=pass:/e/a,pass:/e/b'])\n"
    "test('exitcode-bad', fake, env: ['FAKE_GTEST_TESTS=pass:/e/a,fail:/e/b'])\n",
    q_program, q_plain);
  g_assert_true (g_file_set_contents (meson_build, contents, -1, NULL));

  {
    const char *setup[] = { meson, "setup", build, project, NULL };

    g_autofree char *setup_out = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) setup, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &setup_out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("meson setup failed: %s%s", setup_out, err);
    g_clear_pointer (&err, g_free);
  }

  /* The verdicts without pacer-run are the reference: wrapped, they must
   * be the same (a GTest program that fails exits non-zero, which meson's
   * TAP protocol calls ERROR; pacer-run exits as GTest does). */
  {
    const char *bare[] = { meson, "test", "-C", build, NULL };
    const char *test[] = { meson, "test", "-C", build, "--wrapper", wrapper, "--print-errorlogs", NULL };
    g_autofree char *bare_out = NULL, *bare_err = NULL;
    g_autoptr(GHashTable) reference = NULL;
    GHashTableIter iter;
    gpointer name, verdict;

    g_assert_true (g_spawn_sync (NULL, (char **) bare, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &bare_out, &bare_err, &status, &error));
    g_assert_no_error (error);
    reference = meson_verdicts (log);
    g_assert_cmpuint (g_hash_table_size (reference), ==, 6);

    g_assert_true (g_spawn_sync (NULL, (char **) test, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
    g_test_message ("%s", out);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    verdicts = meson_verdicts (wrapped_log);

    g_hash_table_iter_init (&iter, reference);
    while (g_hash_table_iter_next (&iter, &name, &verdict))
      {
        g_test_message ("%s: %s bare, %s wrapped", (char *) name, (char *) verdict,
                        (char *) g_hash_table_lookup (verdicts, name));
        g_assert_cmpstr (g_hash_table_lookup (verdicts, name), ==, verdict);
      }
  }

  g_assert_cmpstr (g_hash_table_lookup (verdicts, "good"), ==, "OK");
  g_assert_cmpstr (g_hash_table_lookup (verdicts, "skipped"), ==, "SKIP");
  g_assert_cmpstr (g_hash_table_lookup (verdicts, "exitcode-good"), ==, "OK");
  g_assert_cmpstr (g_hash_table_lookup (verdicts, "exitcode-bad"), ==, "FAIL");
  g_assert_cmpstr (g_hash_table_lookup (verdicts, "mixed"), !=, "OK");
  g_assert_cmpstr (g_hash_table_lookup (verdicts, "crash"), !=, "OK");
  g_assert_nonnull (strstr (out, "fake-gtest /m/b"));

  /* pacer-run as the runner of a whole suite: one meson test, every program in it. */
  {
    g_autofree char *suite = g_strdup_printf (
      "%s\n"
      "pacer_run = find_program(%s)\n"
      "test('suite', pacer_run, args: ['-n', '2', '--tap', '-', fake.full_path(), plain.full_path()], protocol: 'tap',\n"
      "     env: ['FAKE_GTEST_TESTS=pass:/w/a,pass:/w/b,skip:/w/c', 'FAKE_PLAIN_EXIT=0'], suite: 'whole')\n",
      contents, q_pacer_run);
    const char *test[] = { meson, "test", "-C", build, "--suite", "whole", "-v", NULL };
    g_autofree char *out2 = NULL, *err2 = NULL;
    g_autoptr(GHashTable) verdicts2 = NULL;

    g_assert_true (g_file_set_contents (meson_build, suite, -1, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) test, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out2, &err2, &status, &error));
    g_assert_no_error (error);
    g_test_message ("%s", out2);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    verdicts2 = meson_verdicts (log);
    g_assert_cmpstr (g_hash_table_lookup (verdicts2, "pacer-run-wrapped:whole / suite"), ==, "OK");
    g_assert_nonnull (strstr (out2, "fake-gtest /w/b"));
    g_assert_nonnull (strstr (out2, "fake-plain"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  tmp_dir = pacer_test_make_tmp_dir ("pacer-run-integration-XXXXXX");

  g_test_add_func ("/Pacer/RunIntegration/tap-stdout", test_tap_stdout);
  g_test_add_func ("/Pacer/RunIntegration/tap-not-run", test_tap_not_run);
  g_test_add_func ("/Pacer/RunIntegration/tap-file", test_tap_file);
  g_test_add_func ("/Pacer/RunIntegration/partition-union", test_partition_union);
  g_test_add_func ("/Pacer/RunIntegration/bazel", test_bazel);
  g_test_add_func ("/Pacer/RunIntegration/ci-partition", test_ci_partition);
  g_test_add_func ("/Pacer/RunIntegration/bad-partition", test_bad_partition);
  g_test_add_func ("/Pacer/RunIntegration/meson", test_meson);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
