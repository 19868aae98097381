/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Shared fixtures across the machines of a build: several pacer-run
 * processes standing for machines, each with its own run directory, whose
 * tests share one Redis store (`--store URI?prefix=BUILD`). The fixtures of
 * tests/fake-fixture.c must be set up once for the whole build and cleaned
 * up once, after every machine's tests. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-build-machines-private.h"
#include "pacer-test-redis.h"
#include "pacer-test-utils.h"

typedef struct
{
  PacerTestRedis *redis;
  char *uri;            /* the build's store */
  char *dir;            /* FAKE_FIXTURE_DIR, shared by every machine */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->redis = pacer_test_redis_start (FALSE, NULL);
  if (f->redis == NULL)
    return;
  f->uri = g_strconcat (pacer_test_redis_get_uri (f->redis),
                        strchr (pacer_test_redis_get_uri (f->redis), '?') != NULL ? "&" : "?",
                        "prefix=build-7", NULL);
  f->dir = pacer_test_make_tmp_dir ("pacer-redis-fixture-XXXXXX");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->redis, pacer_test_redis_free);
  g_clear_pointer (&f->dir, pacer_test_tmp_dir_free);
  g_free (f->uri);
}

/* One machine: pacer-run over fake-fixture, @pause_ms per test. */
static GSubprocess *
spawn_machine (Fixture    *f,
               guint       users,
               guint       pause_ms)
{
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_launcher_new ();
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-fixture", NULL);
  g_autofree char *users_text = g_strdup_printf ("%u", users);
  g_autofree char *pause_text = g_strdup_printf ("%u", pause_ms);
  const char *args[] = { "-n", "2", "--store", f->uri, program, NULL };

  g_subprocess_launcher_setenv (launcher, "FAKE_FIXTURE_DIR", f->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "FAKE_FIXTURE_USERS", users_text, TRUE);
  g_subprocess_launcher_setenv (launcher, "FAKE_FIXTURE_PAUSE_MS", pause_text, TRUE);
  /* Each machine is a run of its own, not a worker of the run that may be
   * running this test. */
  g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER");
  g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER_COUNT");
  g_subprocess_launcher_unsetenv (launcher, "PACER_TESTRUN_UID");
  g_subprocess_launcher_unsetenv (launcher, "PACER_RUN_DIR");
  g_subprocess_launcher_unsetenv (launcher, "PACER_STORE");
  return pacer_test_spawn_pacer_run (launcher, args);
}

static char *
read_events (Fixture    *f,
             const char *file)
{
  g_autofree char *path = g_build_filename (f->dir, file, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static guint
count_events (Fixture    *f,
              const char *file)
{
  g_autofree char *contents = read_events (f, file);
  guint n = 0;

  for (const char *p = contents; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static void
test_machines (Fixture       *f,
               gconstpointer  data)
{
  GSubprocess *machines[3];
  guint pauses[] = { 0, 150, 400 };
  g_autofree char *final = NULL;
  g_autofree char *setup = NULL;
  g_autofree char *cleanup = NULL;

  g_test_summary ("Three machines of one build share a Redis store: each fixture is set up once for the "
                  "build and cleaned up once, after every machine's tests");
  if (f->redis == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (machines); i++)
    machines[i] = spawn_machine (f, 4, pauses[i]);
  for (guint i = 0; i < G_N_ELEMENTS (machines); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (pacer_test_wait (machines[i], &out, &err), ==, 0);
      g_test_message ("machine %u:\n%s%s", i, out, err);
      g_object_unref (machines[i]);
    }

  setup = read_events (f, "setup");
  cleanup = read_events (f, "cleanup");
  g_assert_cmpuint (count_events (f, "seen"), ==, 12);
  g_assert_cmpuint (count_events (f, "setup"), ==, 1);
  g_assert_cmpuint (count_events (f, "cleanup"), ==, 1);
  /* The cleanup got the value the setup made. */
  g_assert_cmpuint (strcspn (setup, " "), ==, strcspn (cleanup, " "));
  g_assert_true (strncmp (setup, cleanup, strcspn (setup, " ")) == 0);
  /* The on-last-worker callback ran once, after all twelve tests of the build. */
  final = read_events (f, "final");
  g_assert_cmpuint (count_events (f, "final"), ==, 1);
  g_assert_true (g_str_has_prefix (final, "12 "));
}

typedef struct
{
  const char *state;
  gint64 seen;
} OtherMachine;

static gboolean
set_other_machine (JsonObject *data,
                   gpointer    user_data)
{
  OtherMachine *other = user_data;
  JsonObject *machines;
  JsonObject *entry = json_object_new ();

  if (!json_object_has_member (data, "machines"))
    json_object_set_object_member (data, "machines", json_object_new ());
  machines = json_object_get_object_member (data, "machines");
  json_object_set_string_member (entry, "host", "elsewhere");
  json_object_set_int_member (entry, "pid", 1);
  json_object_set_string_member (entry, "state", other->state);
  json_object_set_int_member (entry, "seen", other->seen);
  json_object_set_object_member (machines, "other-machine", entry);
  return TRUE;
}

/* The build's record of its machines, as every pacer-run of it sees it. */
static PacerSharedJson *
open_machines (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) store = pacer_store_new_for_uri (f->uri, PACER_BUILD_MACHINES_STORE, &error);

  g_assert_no_error (error);
  return pacer_shared_json_new_for_store (store, 5);
}

static void
put_other_machine (Fixture    *f,
                   const char *state,
                   gint64      seen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = open_machines (f);
  OtherMachine other = { state, seen };

  g_assert_true (pacer_shared_json_edit (shared, set_other_machine, &other, &error));
  g_assert_no_error (error);
}

/* The machines recorded as done, apart from the other one. */
static guint
count_done (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = open_machines (f);
  g_autoptr(JsonObject) data = NULL;
  g_autoptr(GList) names = NULL;
  JsonObject *machines;
  guint done = 0;

  data = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  if (!json_object_has_member (data, "machines"))
    return 0;
  machines = json_object_get_object_member (data, "machines");
  names = json_object_get_members (machines);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *entry = json_object_get_object_member (machines, l->data);

      if (!g_str_equal (l->data, "other-machine") &&
          g_strcmp0 (json_object_get_string_member_with_default (entry, "state", ""), "done") == 0)
        done++;
    }
  return done;
}

static void
test_waits_for_running_machine (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GSubprocess) machine = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 deadline;

  g_test_summary ("A machine whose tests are over waits for another machine of the build that is still "
                  "running before it cleans up, says so, and cleans up once that one is done");
  if (f->redis == NULL)
    return;

  put_other_machine (f, "running", g_get_real_time () / G_USEC_PER_SEC);
  machine = spawn_machine (f, 2, 0);

  /* Its tests end, it says so in the store, and it does not clean up. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (count_done (f) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (50000);
  g_assert_cmpuint (count_done (f), ==, 1);
  g_assert_cmpuint (count_events (f, "seen"), ==, 2);
  g_usleep (1500000);
  g_assert_cmpuint (count_events (f, "cleanup"), ==, 0);
  g_assert_cmpuint (count_events (f, "final"), ==, 0);

  put_other_machine (f, "done", g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpint (pacer_test_wait (machine, &out, &err), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (out, "waiting for 1 other machine of the build"));
  g_assert_cmpuint (count_events (f, "cleanup"), ==, 1);
  g_assert_cmpuint (count_events (f, "final"), ==, 1);
}

static void
test_silent_machine_gone (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GSubprocess) machine = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_test_summary ("A machine that has not been seen for longer than the silence limit (killed, or cut off "
                  "from the store) is not waited for");
  if (f->redis == NULL)
    return;

  put_other_machine (f, "running", g_get_real_time () / G_USEC_PER_SEC - PACER_BUILD_MACHINE_SILENT - 5);
  machine = spawn_machine (f, 2, 0);
  g_assert_cmpint (pacer_test_wait (machine, &out, &err), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_null (strstr (out, "waiting for"));
  g_assert_cmpuint (count_events (f, "setup"), ==, 1);
  g_assert_cmpuint (count_events (f, "cleanup"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/Pacer/RedisFixture/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("machines", test_machines);
  ADD ("waits-for-running-machine", test_waits_for_running_machine);
  ADD ("silent-machine-gone", test_silent_machine_gone);
#undef ADD

  return g_test_run ();
}
