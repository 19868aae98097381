/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PacerSharedFixture: in one process, and through pacer-run with 1, 2, 4 and 8
 * workers in every way a run can end, counting how many times the setups and
 * cleanups of tests/fake-fixture.c ran. PACER_RUN names the built pacer-run. */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pacer-glib/pacer-glib.h"
#include "pacer-glib/pacer-fixture-registry-private.h"
#include "pacer-glib/pacer-fixture-teardown-private.h"
#include "pacer-glib/pacer-glib-private.h"
#include "pacer-test-utils.h"

static const guint worker_counts[] = { 1, 2, 4, 8 };

/* In one process ---------------------------------------------------------- */

static JsonNode *
counting_setup (PacerSharedFixture  *fixture,
                gpointer             user_data,
                GError             **error)
{
  guint *calls = user_data;

  (*calls)++;
  return json_node_init_int (json_node_alloc (), 42);
}

static JsonNode *
failing_setup (PacerSharedFixture  *fixture,
               gpointer             user_data,
               GError             **error)
{
  guint *calls = user_data;

  (*calls)++;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such thing");
  return NULL;
}

static void
test_once_per_store (void)
{
  guint calls = 0;
  g_autoptr(PacerSharedFixture) first = pacer_shared_fixture_new ("once", counting_setup, &calls, NULL);
  g_autoptr(PacerSharedFixture) second = pacer_shared_fixture_new ("once", counting_setup, &calls, NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *data;

  g_test_summary ("The setup runs once; another fixture of the same name in the run loads its data");

  data = pacer_shared_fixture_get (first, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (data), ==, 42);
  g_assert_true (pacer_shared_fixture_get (first, &error) == data);
  g_assert_cmpuint (calls, ==, 1);

  /* As another process of the run would. */
  data = pacer_shared_fixture_get (second, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_int (data), ==, 42);
  g_assert_cmpuint (calls, ==, 1);
}

/* Found by fuzzing/fuzz-fixture-envelope and fuzz-fixture-registry: an object
 * or array where a string or number belongs failed json-glib's preconditions
 * (a critical, fatal in tests), and a huge "code" was converted to int. */
static void
test_odd_stored_members (void)
{
  const struct { const char *stored; const char *message; } cases[] = {
    { "{\"state\":{\"nested\":true},\"data\":1}", "does not hold a shared fixture" },
    { "{\"state\":\"failed\",\"domain\":[\"x\"],\"code\":1e300,\"message\":{},\"worker\":[]}",
      "failed in worker ?" },
    { "{\"state\":\"computing\",\"worker\":{},\"pid\":\"4242\"}", "worker ? (process 0)" },
  };
  g_autofree char *registry_file = g_build_filename (pacer_worker_get_run_dir (), "pacer_fixture_cleanups.json",
                                                     NULL);
  g_autoptr(JsonObject) fixtures = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  PacerTeardownCommand *command;

  g_test_summary ("Stored envelopes and registries with objects where values belong are errors, not criticals");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("odd%u", i);
      g_autofree char *basename = g_strdup_printf ("pacer_fixture_%s.json", name);
      g_autofree char *file = g_build_filename (pacer_worker_get_run_dir (), basename, NULL);
      g_autoptr(PacerSharedFixture) fixture = NULL;
      guint calls = 0;

      g_assert_true (g_file_set_contents (file, cases[i].stored, -1, NULL));
      fixture = pacer_shared_fixture_new (name, counting_setup, &calls, NULL);
      g_assert_null (pacer_shared_fixture_get (fixture, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_assert_cmpuint (calls, ==, 0);
      g_clear_error (&error);
    }

  g_assert_true (g_file_set_contents (registry_file,
                                      "{\"fixtures\":{"
                                      "\"a\":{\"program\":[\"/bin/x\"],\"state\":\"pending\"},"
                                      "\"b\":{\"program\":\"/usr/bin/python3\",\"state\":{}},"
                                      "\"c\":{\"program\":\"/usr/bin/python3\","
                                      "\"argv\":[\"/usr/bin/python3\",1,{},null,\"t.py\"],\"state\":\"pending\"}}}",
                                      -1, NULL));
  fixtures = _pacer_fixture_registry_read (pacer_worker_get_run_dir (), &error);
  g_assert_no_error (error);
  commands = _pacer_fixture_teardown_plan (fixtures, NULL);
  g_assert_cmpuint (commands->len, ==, 1);
  command = g_ptr_array_index (commands, 0);
  g_assert_cmpstrv (command->argv, ((const char * const[]) { "/usr/bin/python3", "t.py", NULL }));
  g_unlink (registry_file);
}

static void
test_setup_error (void)
{
  guint calls = 0;
  g_autoptr(PacerSharedFixture) first = pacer_shared_fixture_new ("broken", failing_setup, &calls, NULL);
  g_autoptr(PacerSharedFixture) second = pacer_shared_fixture_new ("broken", failing_setup, &calls, NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A failed setup gives its error to every caller and never runs again");

  g_assert_null (pacer_shared_fixture_get (first, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no such thing"));
  g_clear_error (&error);

  g_assert_null (pacer_shared_fixture_get (first, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (pacer_shared_fixture_get (second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no such thing"));
  g_assert_cmpuint (calls, ==, 1);
}

static JsonNode *
infinite_setup (PacerSharedFixture  *fixture,
                gpointer             user_data,
                GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint *calls = user_data;

  (*calls)++;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "limits");
  json_builder_begin_array (builder);
  json_builder_add_double_value (builder, 2.5);
  json_builder_add_double_value (builder, INFINITY);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
test_non_finite_value (void)
{
  guint calls = 0;
  g_autoptr(PacerSharedFixture) first = pacer_shared_fixture_new ("infinite", infinite_setup, &calls, NULL);
  g_autoptr(PacerSharedFixture) second = pacer_shared_fixture_new ("infinite", infinite_setup, &calls, NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A setup value holding infinity or NaN, which JSON cannot hold, is a failed setup "
                  "naming the number's place, for every caller, instead of state nobody can read");

  g_assert_null (pacer_shared_fixture_get (first, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“/limits/1”"));
  g_clear_error (&error);

  g_assert_null (pacer_shared_fixture_get (second, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“/limits/1”"));
  g_assert_cmpuint (calls, ==, 1);
}

static GBytes *
to_upper_text (PacerSharedFixture  *fixture,
               JsonNode            *data,
               gpointer             user_data,
               GError             **error)
{
  char *text = g_ascii_strup (json_node_get_string (data), -1);

  return g_bytes_new_take (text, strlen (text));
}

static JsonNode *
from_upper_text (PacerSharedFixture  *fixture,
                 GBytes              *bytes,
                 gpointer             user_data,
                 GError             **error)
{
  guint *calls = user_data;
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autofree char *lower = g_ascii_strdown (text, -1);

  (*calls)++;
  return json_node_init_string (json_node_alloc (), lower);
}

static JsonNode *
path_setup (PacerSharedFixture  *fixture,
            gpointer             user_data,
            GError             **error)
{
  return json_node_init_string (json_node_alloc (), "/some/where");
}

static GObject *
path_to_file (PacerSharedFixture  *fixture,
              JsonNode            *data,
              gpointer             user_data,
              GError             **error)
{
  return G_OBJECT (g_file_new_for_path (json_node_get_string (data)));
}

static PacerSharedFixture *
make_custom (const char *store_path,
             guint      *deserialized)
{
  PacerSharedFixture *fixture = pacer_shared_fixture_new ("custom", path_setup, NULL, NULL);
  g_autoptr(PacerFileStore) store = pacer_file_store_new (store_path, NULL);

  pacer_shared_fixture_set_store (fixture, PACER_STORE (store));
  pacer_shared_fixture_set_serialize_func (fixture, to_upper_text, NULL, NULL);
  pacer_shared_fixture_set_deserialize_func (fixture, from_upper_text, deserialized, NULL);
  pacer_shared_fixture_set_parse_func (fixture, path_to_file, NULL, NULL);
  return fixture;
}

static void
test_custom_functions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pacer-fixture-XXXXXX", NULL);
  g_autofree char *store_path = g_build_filename (dir, "custom.json", NULL);
  g_autofree char *stored = NULL;
  guint deserialized = 0;
  g_autoptr(PacerSharedFixture) first = make_custom (store_path, &deserialized);
  g_autoptr(PacerSharedFixture) second = make_custom (store_path, &deserialized);
  g_autoptr(GError) error = NULL;
  g_autofree char *base64 = g_base64_encode ((const guchar *) "/SOME/WHERE", 11);
  GObject *object;

  g_test_summary ("Serialize, deserialize and parse functions, and a store of one's own");

  object = pacer_shared_fixture_get_object (first, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_FILE (object));
  g_assert_cmpuint (deserialized, ==, 0);

  g_assert_true (g_file_get_contents (store_path, &stored, NULL, NULL));
  g_assert_nonnull (strstr (stored, base64));

  object = pacer_shared_fixture_get_object (second, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deserialized, ==, 1);
  {
    g_autofree char *path = g_file_get_path (G_FILE (object));
    g_assert_cmpstr (path, ==, "/some/where");
  }
  g_assert_true (pacer_shared_fixture_get_object (second, &error) == object);

  /* Forgotten before the directory goes: they stay declared until exit. */
  pacer_store_lock (pacer_shared_fixture_get_store (first), -1, NULL, NULL);
  pacer_store_remove (pacer_shared_fixture_get_store (first), NULL);
  pacer_store_unlock (pacer_shared_fixture_get_store (first));
  _pacer_remove_tree (dir);
}

static void
test_bad_name (void)
{
  g_test_summary ("A name that could leave the run directory is refused");

  if (g_test_subprocess ())
    {
      pacer_shared_fixture_new ("../x", counting_setup, NULL, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*name_is_valid*");
}

/* Through pacer-run -------------------------------------------------------- */

typedef struct
{
  char *dir;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->dir, pacer_test_tmp_dir_free);
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static GSubprocess *
spawn_run (Run                *run,
           const char * const *env,
           guint               n_workers,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_launcher_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-fixture", NULL);
  g_autofree char *cache = NULL;
  g_autofree char *n = g_strdup_printf ("%u", n_workers);
  g_auto(GStrv) argv = NULL;

  run->dir = pacer_test_make_tmp_dir ("pacer-fixture-run-XXXXXX");
  cache = g_build_filename (run->dir, "cache", NULL);
  g_subprocess_launcher_setenv (launcher, "FAKE_FIXTURE_DIR", run->dir, TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  /* A plain process is one no runner started: this test itself may well
   * run under pacer-run (our suite does), and its worker variables would
   * make the child one of that run's workers. */
  g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER");
  g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER_COUNT");
  g_subprocess_launcher_unsetenv (launcher, "PACER_TESTRUN_UID");
  g_subprocess_launcher_unsetenv (launcher, "PACER_RUN_DIR");

  if (n_workers == 0)
    g_strv_builder_add (builder, program);
  else
    {
      g_strv_builder_add_many (builder, pacer_test_pacer_run (), "-n", n, "--cache-dir", cache, NULL);
      g_strv_builder_addv (builder, (const char **) args);
      g_strv_builder_add (builder, program);
    }
  argv = g_strv_builder_end (builder);

  return pacer_test_spawn (launcher, (const char * const *) argv);
}

static int
finish_run (Run         *run,
            GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_test_message ("%s%s", run->out, run->err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* n_workers 0 runs the program alone, without pacer-run. */
static int
do_run (Run                *run,
        const char * const *env,
        guint               n_workers,
        const char * const *args)
{
  g_autoptr(GSubprocess) process = spawn_run (run, env, n_workers, args);

  return finish_run (run, process);
}

static guint
count_lines (Run        *run,
             const char *file)
{
  g_autofree char *path = g_build_filename (run->dir, file, NULL);
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *p = contents; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* The first word of every line of @file, which must be the same. */
static char *
only_word (Run        *run,
           const char *file)
{
  g_autofree char *path = g_build_filename (run->dir, file, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  char *word = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autofree char *this = g_strndup (lines[i], strcspn (lines[i], " "));

      if (word == NULL)
        word = g_steal_pointer (&this);
      else
        g_assert_cmpstr (this, ==, word);
    }
  g_assert_nonnull (word);
  return word;
}

/* One run of fake-fixture and what must come of it. Whatever happens, its
 * setup runs exactly once. */
typedef struct
{
  const char *env[5];         /* names and values, NULL-terminated */
  const char *args[5];        /* pacer-run's options, NULL-terminated */
  int status;                 /* the exit status, unless interrupted */
  gboolean interrupt;         /* sends SIGINT or SIGTERM once a test sleeps */
  guint cleanups;             /* how many times the cleanup ran */
  gboolean final_once;        /* the on-last-worker callback ran once */
  const char *final;          /* …and saw this many changes, if not NULL */
  const char *out[4];         /* what the output must hold, NULL-terminated */
  const char *out_parallel;   /* …and with more than one worker, if not NULL */
  void (*check) (Run *run);   /* anything else, if not NULL */
} RunCase;

/* A GTest case: each of its runs with each worker count. */
typedef struct
{
  const char *path;
  const char *summary;
  gboolean plain;             /* without pacer-run, instead of every worker count */
  const RunCase *cases;
  gsize n_cases;
} RunTest;

static const int interrupt_signals[] = { SIGINT, SIGTERM };

static void
check_one_value (Run *run)
{
  g_autofree char *setup_token = only_word (run, "setup");
  g_autofree char *seen_token = only_word (run, "seen");
  g_autofree char *cleanup_token = only_word (run, "cleanup");

  g_assert_cmpuint (count_lines (run, "seen"), ==, 6);
  g_assert_cmpstr (seen_token, ==, setup_token);
  g_assert_cmpstr (cleanup_token, ==, setup_token);
}

static const RunCase normal_cases[] = {
  /* The on-last-worker callback saw every test's change. */
  { .cleanups = 1, .final_once = TRUE, .final = "6", .check = check_one_value },
};

static const RunCase dist_mode_cases[] = {
  { .args = { "--dist", "load" }, .cleanups = 1, .final_once = TRUE },
  { .args = { "--dist", "loadscope" }, .cleanups = 1, .final_once = TRUE },
  { .args = { "--dist", "loadfile" }, .cleanups = 1, .final_once = TRUE },
  { .args = { "--dist", "loadgroup" }, .cleanups = 1, .final_once = TRUE },
  { .args = { "--dist", "worksteal" }, .cleanups = 1, .final_once = TRUE },
  { .args = { "--dist", "each" }, .cleanups = 1, .final_once = TRUE },
  { .args = { "--dist", "no" }, .cleanups = 1, .final_once = TRUE },
};

static const RunCase unused_cases[] = {
  { .env = { "FAKE_FIXTURE_USERS", "1", "FAKE_FIXTURE_OTHERS", "16" },
    .cleanups = 1, .final_once = TRUE, .final = "1" },
};

static const RunCase exitfirst_cases[] = {
  { .env = { "FAKE_FIXTURE_USERS", "12", "FAKE_FIXTURE_FAIL", "/fixture/use/0" }, .args = { "-x" },
    .status = 1, .cleanups = 1, .final_once = TRUE },
};

static const RunCase crash_retry_cases[] = {
  { .env = { "FAKE_FIXTURE_CRASH", "/fixture/use/2" }, .args = { "--retries", "1" },
    .status = 0, .cleanups = 1, .final_once = TRUE, .out = { "1 flaky" } },
  { .env = { "FAKE_FIXTURE_CRASH", "/fixture/use/2" }, .args = { "--max-worker-restart", "0" },
    .status = 1, .cleanups = 1, .final_once = TRUE },
};

static const RunCase interrupted_cases[] = {
  { .env = { "FAKE_FIXTURE_SLEEP", "/fixture/use/3" }, .interrupt = TRUE,
    .cleanups = 1, .final_once = TRUE },
};

static const RunCase plain_cases[] = {
  { .cleanups = 1, .final_once = TRUE, .final = "6" },
};

static const RunCase setup_fails_cases[] = {
  { .env = { "FAKE_FIXTURE_SETUP", "fail" },
    .status = 1, .cleanups = 0, .out = { "0 passed, 6 failed", "the database did not start" } },
};

static const RunCase setup_crashes_cases[] = {
  { .env = { "FAKE_FIXTURE_SETUP", "crash" },
    .status = 1, .cleanups = 0, .out = { "CRASH /fixture/use/", "0 passed, 6 failed" },
    .out_parallel = "died while computing it" },
};

static const RunCase cleanup_crashes_cases[] = {
  { .env = { "FAKE_FIXTURE_CLEANUP", "crash" },
    .status = 1, .cleanups = 1,
    .out = { "=== CLEANUP FAILED ===", "it crashed: killed by signal 6", "6 passed, 0 failed, " } },
  { .env = { "FAKE_FIXTURE_CLEANUP", "fail" },
    .status = 1, .cleanups = 1, .final_once = TRUE,
    .out = { "the database would not stop", "6 passed, 0 failed, 1 cleanup failed" } },
};

static const RunCase cleanup_hangs_cases[] = {
  { .env = { "FAKE_FIXTURE_CLEANUP", "hang" }, .args = { "--timeout", "1" },
    .status = 1, .cleanups = 1, .out = { "did not finish within 1 s and was killed" } },
};

#define CASES(cases) cases, G_N_ELEMENTS (cases)

static const RunTest run_tests[] = {
  { "/Pacer/SharedFixture/run/normal",
    "Setup and cleanup run once with 1, 2, 4 and 8 workers; every process sees one value",
    FALSE, CASES (normal_cases) },
  { "/Pacer/SharedFixture/run/dist-modes",
    "Setup and cleanup run once in every --dist mode: the teardown pass does not depend on the scheduler",
    FALSE, CASES (dist_mode_cases) },
  { "/Pacer/SharedFixture/run/unused",
    "Cleanup runs once when most workers never use the fixture",
    FALSE, CASES (unused_cases) },
  { "/Pacer/SharedFixture/run/exitfirst",
    "Cleanup runs once after -x stops the run",
    FALSE, CASES (exitfirst_cases) },
  { "/Pacer/SharedFixture/run/crash-retry",
    "Cleanup runs once after a worker crash, with a retry or with no restarts left",
    FALSE, CASES (crash_retry_cases) },
  { "/Pacer/SharedFixture/run/interrupted",
    "Cleanup runs once after Ctrl-C or SIGTERM",
    FALSE, CASES (interrupted_cases) },
  { "/Pacer/SharedFixture/run/plain",
    "Without pacer-run the process is first and last: it cleans up at exit",
    TRUE, CASES (plain_cases) },
  { "/Pacer/SharedFixture/run/setup-fails",
    "A failing setup runs once and fails every test that uses it with its error",
    FALSE, CASES (setup_fails_cases) },
  { "/Pacer/SharedFixture/run/setup-crashes",
    "A setup that crashes runs once; the others report it and the run ends",
    FALSE, CASES (setup_crashes_cases) },
  { "/Pacer/SharedFixture/run/cleanup-crashes",
    "A cleanup that crashes or fails is reported apart from the tests, with exit status 1",
    FALSE, CASES (cleanup_crashes_cases) },
  { "/Pacer/SharedFixture/run/cleanup-hangs",
    "A cleanup that hangs is killed at the time limit and reported; the run ends",
    FALSE, CASES (cleanup_hangs_cases) },
};

/* @n_workers 0 runs the program alone; @nth picks the signal of an interrupted run. */
static void
check_run (const RunCase *run_case,
           guint          n_workers,
           guint          nth)
{
  g_auto(Run) run = { 0 };

  if (run_case->interrupt)
    {
      int sig = interrupt_signals[nth % G_N_ELEMENTS (interrupt_signals)];
      g_autoptr(GSubprocess) process = spawn_run (&run, run_case->env, n_workers, run_case->args);
      g_autofree char *sleeping = g_build_filename (run.dir, "sleeping", NULL);

      /* No deadline of our own: the test's timeout catches a run that never gets there. */
      while (!g_file_test (sleeping, G_FILE_TEST_EXISTS))
        g_usleep (20 * 1000);
      g_subprocess_send_signal (process, sig);

      g_assert_cmpint (finish_run (&run, process), ==, 128 + sig);
    }
  else
    g_assert_cmpint (do_run (&run, run_case->env, n_workers, run_case->args), ==, run_case->status);

  g_test_message ("-n %u:\n%s\n%s", n_workers, run.out, run.err);
  g_assert_cmpuint (count_lines (&run, "setup"), ==, 1);
  g_assert_cmpuint (count_lines (&run, "cleanup"), ==, run_case->cleanups);
  if (run_case->final_once)
    g_assert_cmpuint (count_lines (&run, "final"), ==, 1);
  if (run_case->final != NULL)
    {
      g_autofree char *final = only_word (&run, "final");

      g_assert_cmpstr (final, ==, run_case->final);
    }
  for (guint i = 0; run_case->out[i] != NULL; i++)
    g_assert_nonnull (strstr (run.out, run_case->out[i]));
  if (n_workers > 1 && run_case->out_parallel != NULL)
    g_assert_nonnull (strstr (run.out, run_case->out_parallel));
  if (run_case->check != NULL)
    run_case->check (&run);
}

static void
test_run (gconstpointer data)
{
  const RunTest *test = data;
  static const guint alone[] = { 0 };
  const guint *counts = test->plain ? alone : worker_counts;
  gsize n_counts = test->plain ? G_N_ELEMENTS (alone) : G_N_ELEMENTS (worker_counts);

  g_test_summary (test->summary);

  for (guint i = 0; i < n_counts; i++)
    for (gsize c = 0; c < test->n_cases; c++)
      check_run (&test->cases[c], counts[i], i);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/SharedFixture/once-per-store", test_once_per_store);
  g_test_add_func ("/Pacer/SharedFixture/setup-error", test_setup_error);
  g_test_add_func ("/Pacer/SharedFixture/non-finite-value", test_non_finite_value);
  g_test_add_func ("/Pacer/SharedFixture/custom-functions", test_custom_functions);
  g_test_add_func ("/Pacer/SharedFixture/bad-name", test_bad_name);
  g_test_add_func ("/Pacer/SharedFixture/odd-stored-members", test_odd_stored_members);
  for (gsize i = 0; i < G_N_ELEMENTS (run_tests); i++)
    g_test_add_data_func (run_tests[i].path, &run_tests[i], test_run);

  return g_test_run ();
}
