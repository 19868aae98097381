/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PacerSharedFixture: in one process, and through pacer-run with 1, 2, 4 and 8
 * workers in every way a run can end, counting how many times the setups and
 * cleanups of tests/fake-fixture.c ran. PACER_RUN names the built pacer-run. */

#include "config.h"

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

static void
assert_once (Run   *run,
             guint  n_workers)
{
  g_test_message ("-n %u:\n%s\n%s", n_workers, run->out, run->err);
  g_assert_cmpuint (count_lines (run, "setup"), ==, 1);
  g_assert_cmpuint (count_lines (run, "cleanup"), ==, 1);
  g_assert_cmpuint (count_lines (run, "final"), ==, 1);
}

static void
test_run_normal (void)
{
  g_test_summary ("Setup and cleanup run once with 1, 2, 4 and 8 workers; every process sees one value");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *args[] = { NULL };
      g_auto(Run) run = { 0 };
      g_autofree char *setup_token = NULL, *seen_token = NULL, *cleanup_token = NULL, *final = NULL;

      g_assert_cmpint (do_run (&run, NULL, worker_counts[i], args), ==, 0);
      assert_once (&run, worker_counts[i]);
      g_assert_cmpuint (count_lines (&run, "seen"), ==, 6);
      setup_token = only_word (&run, "setup");
      seen_token = only_word (&run, "seen");
      cleanup_token = only_word (&run, "cleanup");
      g_assert_cmpstr (seen_token, ==, setup_token);
      g_assert_cmpstr (cleanup_token, ==, setup_token);
      /* The on-last-worker callback saw every test's change. */
      final = only_word (&run, "final");
      g_assert_cmpstr (final, ==, "6");
    }
}

static void
test_run_dist_modes (void)
{
  const char *dists[] = { "load", "loadscope", "loadfile", "loadgroup", "worksteal", "each", "no" };

  g_test_summary ("Setup and cleanup run once in every --dist mode: the teardown pass does not depend on the scheduler");

  for (guint d = 0; d < G_N_ELEMENTS (dists); d++)
    for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
      {
        const char *args[] = { "--dist", dists[d], NULL };
        g_auto(Run) run = { 0 };

        g_assert_cmpint (do_run (&run, NULL, worker_counts[i], args), ==, 0);
        assert_once (&run, worker_counts[i]);
      }
}

static void
test_run_unused (void)
{
  g_test_summary ("Cleanup runs once when most workers never use the fixture");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *env[] = { "FAKE_FIXTURE_USERS", "1", "FAKE_FIXTURE_OTHERS", "16", NULL };
      const char *args[] = { NULL };
      g_auto(Run) run = { 0 };
      g_autofree char *final = NULL;

      g_assert_cmpint (do_run (&run, env, worker_counts[i], args), ==, 0);
      assert_once (&run, worker_counts[i]);
      final = only_word (&run, "final");
      g_assert_cmpstr (final, ==, "1");
    }
}

static void
test_run_exitfirst (void)
{
  g_test_summary ("Cleanup runs once after -x stops the run");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *env[] = { "FAKE_FIXTURE_USERS", "12", "FAKE_FIXTURE_FAIL", "/fixture/use/0", NULL };
      const char *args[] = { "-x", NULL };
      g_auto(Run) run = { 0 };

      g_assert_cmpint (do_run (&run, env, worker_counts[i], args), ==, 1);
      assert_once (&run, worker_counts[i]);
    }
}

static void
test_run_crash_retry (void)
{
  g_test_summary ("Cleanup runs once after a worker crash, with a retry or with no restarts left");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *env[] = { "FAKE_FIXTURE_CRASH", "/fixture/use/2", NULL };
      const char *retry_args[] = { "--retries", "1", NULL };
      const char *limit_args[] = { "--max-worker-restart", "0", NULL };
      g_auto(Run) retried = { 0 };
      g_auto(Run) limited = { 0 };

      g_assert_cmpint (do_run (&retried, env, worker_counts[i], retry_args), ==, 0);
      g_assert_nonnull (strstr (retried.out, "1 flaky"));
      assert_once (&retried, worker_counts[i]);

      g_assert_cmpint (do_run (&limited, env, worker_counts[i], limit_args), ==, 1);
      assert_once (&limited, worker_counts[i]);
    }
}

static void
test_run_interrupted (void)
{
  int signals[] = { SIGINT, SIGTERM };

  g_test_summary ("Cleanup runs once after Ctrl-C or SIGTERM");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      int sig = signals[i % G_N_ELEMENTS (signals)];
      const char *env[] = { "FAKE_FIXTURE_SLEEP", "/fixture/use/3", NULL };
      const char *args[] = { NULL };
      g_auto(Run) run = { 0 };
      g_autoptr(GSubprocess) process = spawn_run (&run, env, worker_counts[i], args);
      g_autofree char *sleeping = g_build_filename (run.dir, "sleeping", NULL);

      /* No deadline of our own: the test's timeout catches a run that never gets there. */
      while (!g_file_test (sleeping, G_FILE_TEST_EXISTS))
        g_usleep (20 * 1000);
      g_subprocess_send_signal (process, sig);

      g_assert_cmpint (finish_run (&run, process), ==, 128 + sig);
      assert_once (&run, worker_counts[i]);
    }
}

static void
test_run_plain (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *final = NULL;

  g_test_summary ("Without pacer-run the process is first and last: it cleans up at exit");

  g_assert_cmpint (do_run (&run, NULL, 0, NULL), ==, 0);
  assert_once (&run, 0);
  final = only_word (&run, "final");
  g_assert_cmpstr (final, ==, "6");
}

static void
test_run_setup_fails (void)
{
  g_test_summary ("A failing setup runs once and fails every test that uses it with its error");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *env[] = { "FAKE_FIXTURE_SETUP", "fail", NULL };
      const char *args[] = { NULL };
      g_auto(Run) run = { 0 };

      g_assert_cmpint (do_run (&run, env, worker_counts[i], args), ==, 1);
      g_test_message ("%s", run.out);
      g_assert_cmpuint (count_lines (&run, "setup"), ==, 1);
      g_assert_cmpuint (count_lines (&run, "cleanup"), ==, 0);
      g_assert_nonnull (strstr (run.out, "0 passed, 6 failed"));
      g_assert_nonnull (strstr (run.out, "the database did not start"));
    }
}

static void
test_run_setup_crashes (void)
{
  g_test_summary ("A setup that crashes runs once; the others report it and the run ends");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *env[] = { "FAKE_FIXTURE_SETUP", "crash", NULL };
      const char *args[] = { NULL };
      g_auto(Run) run = { 0 };

      g_assert_cmpint (do_run (&run, env, worker_counts[i], args), ==, 1);
      g_test_message ("%s", run.out);
      g_assert_cmpuint (count_lines (&run, "setup"), ==, 1);
      g_assert_cmpuint (count_lines (&run, "cleanup"), ==, 0);
      g_assert_nonnull (strstr (run.out, "CRASH /fixture/use/"));
      g_assert_nonnull (strstr (run.out, "0 passed, 6 failed"));
      if (worker_counts[i] > 1)
        g_assert_nonnull (strstr (run.out, "died while computing it"));
    }
}

static void
test_run_cleanup_crashes (void)
{
  g_test_summary ("A cleanup that crashes or fails is reported apart from the tests, with exit status 1");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *crash_env[] = { "FAKE_FIXTURE_CLEANUP", "crash", NULL };
      const char *fail_env[] = { "FAKE_FIXTURE_CLEANUP", "fail", NULL };
      const char *args[] = { NULL };
      g_auto(Run) crashed = { 0 };
      g_auto(Run) failed = { 0 };

      g_assert_cmpint (do_run (&crashed, crash_env, worker_counts[i], args), ==, 1);
      g_test_message ("%s", crashed.out);
      g_assert_cmpuint (count_lines (&crashed, "setup"), ==, 1);
      g_assert_cmpuint (count_lines (&crashed, "cleanup"), ==, 1);
      g_assert_nonnull (strstr (crashed.out, "=== CLEANUP FAILED ==="));
      g_assert_nonnull (strstr (crashed.out, "it crashed: killed by signal 6"));
      g_assert_nonnull (strstr (crashed.out, "6 passed, 0 failed, "));

      g_assert_cmpint (do_run (&failed, fail_env, worker_counts[i], args), ==, 1);
      assert_once (&failed, worker_counts[i]);
      g_assert_nonnull (strstr (failed.out, "the database would not stop"));
      g_assert_nonnull (strstr (failed.out, "6 passed, 0 failed, 1 cleanup failed"));
    }
}

static void
test_run_cleanup_hangs (void)
{
  g_test_summary ("A cleanup that hangs is killed at the time limit and reported; the run ends");

  for (guint i = 0; i < G_N_ELEMENTS (worker_counts); i++)
    {
      const char *env[] = { "FAKE_FIXTURE_CLEANUP", "hang", NULL };
      const char *args[] = { "--timeout", "1", NULL };
      g_auto(Run) run = { 0 };

      g_assert_cmpint (do_run (&run, env, worker_counts[i], args), ==, 1);
      g_test_message ("%s", run.out);
      g_assert_cmpuint (count_lines (&run, "setup"), ==, 1);
      g_assert_cmpuint (count_lines (&run, "cleanup"), ==, 1);
      g_assert_nonnull (strstr (run.out, "did not finish within 1 s and was killed"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/SharedFixture/once-per-store", test_once_per_store);
  g_test_add_func ("/Pacer/SharedFixture/setup-error", test_setup_error);
  g_test_add_func ("/Pacer/SharedFixture/custom-functions", test_custom_functions);
  g_test_add_func ("/Pacer/SharedFixture/bad-name", test_bad_name);
  g_test_add_func ("/Pacer/SharedFixture/odd-stored-members", test_odd_stored_members);
  g_test_add_func ("/Pacer/SharedFixture/run/normal", test_run_normal);
  g_test_add_func ("/Pacer/SharedFixture/run/dist-modes", test_run_dist_modes);
  g_test_add_func ("/Pacer/SharedFixture/run/unused", test_run_unused);
  g_test_add_func ("/Pacer/SharedFixture/run/exitfirst", test_run_exitfirst);
  g_test_add_func ("/Pacer/SharedFixture/run/crash-retry", test_run_crash_retry);
  g_test_add_func ("/Pacer/SharedFixture/run/interrupted", test_run_interrupted);
  g_test_add_func ("/Pacer/SharedFixture/run/plain", test_run_plain);
  g_test_add_func ("/Pacer/SharedFixture/run/setup-fails", test_run_setup_fails);
  g_test_add_func ("/Pacer/SharedFixture/run/setup-crashes", test_run_setup_crashes);
  g_test_add_func ("/Pacer/SharedFixture/run/cleanup-crashes", test_run_cleanup_crashes);
  g_test_add_func ("/Pacer/SharedFixture/run/cleanup-hangs", test_run_cleanup_hangs);

  return g_test_run ();
}
