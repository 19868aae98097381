/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-glib-private.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("pacer-shared-json-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "pacer_shared_counter.json", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  _pacer_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static gboolean
increment (JsonObject *data,
           gpointer    user_data)
{
  json_object_set_int_member (data, "count", json_object_get_int_member_with_default (data, "count", 0) + 1);
  return TRUE;
}

static gint64
read_count (const char *path)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (path, NULL, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) data = pacer_shared_json_read (shared, &error);

  g_assert_no_error (error);
  return json_object_get_int_member_with_default (data, "count", 0);
}

static char *
helper_path (void)
{
  return g_test_build_filename (G_TEST_BUILT, "shared-json-writer", NULL);
}

static gboolean
store_tiny (JsonObject *data,
            gpointer    user_data)
{
  json_object_set_double_member (data, "tiny", 1e-08);
  json_object_set_double_member (data, "small", -2e-16);
  json_object_set_string_member (data, "text", "1e-08.0 stays as written");
  return TRUE;
}

/* json-glib 1.6 writes 1e-08 as "1e-08.0", which no JSON parser reads: the
 * value stored would have made the state corrupt for every later reader. */
static void
test_bare_exponent (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, -1);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A double that prints as one digit and an exponent is stored so that it reads back");

  g_assert_true (pacer_shared_json_edit (shared, store_tiny, NULL, &error));
  g_assert_no_error (error);
  object = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (json_object_get_double_member (object, "tiny"), ==, 1e-08);
  g_assert_cmpfloat (json_object_get_double_member (object, "small"), ==, -2e-16);
  g_assert_cmpstr (json_object_get_string_member (object, "text"), ==, "1e-08.0 stays as written");
}

static gboolean
store_nan (JsonObject *data,
           gpointer    user_data)
{
  json_object_set_int_member (data, "count", 2);
  json_object_set_double_member (data, "ratio", NAN);
  return TRUE;
}

static void
test_non_finite (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, -1);
  g_autoptr(JsonObject) updates = json_object_new ();
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_test_summary ("An edit or update that sets infinity or NaN, which JSON cannot hold, is refused "
                  "with an error naming the member, and the stored state stays as it was");

  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (f->path, &before, NULL, NULL));

  g_assert_false (pacer_shared_json_edit (shared, store_nan, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "“/ratio”"));
  g_clear_error (&error);

  json_array_add_double_element (array, 1.5);
  json_array_add_double_element (array, INFINITY);
  json_object_set_array_member (updates, "list", g_steal_pointer (&array));
  g_assert_false (pacer_shared_json_update (shared, updates, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“/list/1”"));
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (f->path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, 2.5);
  g_autofree char *lock = g_strconcat (f->path, ".lock", NULL);
  g_autoptr(PacerSharedJson) plain = NULL;
  g_autofree char *plain_path = g_build_filename (f->dir, "stats.v1.json", NULL);
  guint notified = 0;

  g_test_summary ("Name, files and timeout are properties; the name drops the pacer_shared_ prefix");

  g_assert_cmpstr (pacer_shared_json_get_name (shared), ==, "counter");
  g_assert_cmpstr (pacer_shared_json_get_data_file (shared), ==, f->path);
  g_assert_cmpstr (pacer_shared_json_get_lock_file (shared), ==, lock);
  g_assert_cmpfloat (pacer_shared_json_get_timeout (shared), ==, 2.5);
  g_assert_true (PACER_IS_FILE_STORE (pacer_shared_json_get_store (shared)));

  g_signal_connect_swapped (shared, "notify::timeout", G_CALLBACK (g_nullify_pointer), NULL);
  g_signal_handlers_disconnect_matched (shared, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, g_nullify_pointer, NULL);
  g_signal_connect_swapped (shared, "notify::timeout", G_CALLBACK (g_atomic_int_inc), &notified);
  pacer_shared_json_set_timeout (shared, 2.5);
  g_assert_cmpuint (notified, ==, 0);
  pacer_shared_json_set_timeout (shared, -7);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpfloat (pacer_shared_json_get_timeout (shared), ==, -1);

  plain = pacer_shared_json_new (plain_path, NULL, -1);
  g_assert_cmpstr (pacer_shared_json_get_name (plain), ==, "stats.v1");

  g_assert_finalize_object (g_steal_pointer (&shared));
}

static void
test_missing_reads_empty (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = pacer_shared_json_read (shared, &error);

  g_test_summary ("A missing file reads as an empty object and is not created by reading");

  g_assert_no_error (error);
  g_assert_nonnull (object);
  g_assert_cmpuint (json_object_get_size (object), ==, 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_update_merges (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, -1);
  g_autoptr(JsonObject) first = json_object_new ();
  g_autoptr(JsonObject) second = json_object_new ();
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_test_summary ("update() sets the given members and keeps the others; read() returns a copy");

  json_object_set_int_member (first, "count", 5);
  json_object_set_string_member (first, "status", "starting");
  g_assert_true (pacer_shared_json_update (shared, first, &error));
  g_assert_no_error (error);

  json_object_set_string_member (second, "status", "active");
  g_assert_true (pacer_shared_json_update (shared, second, &error));
  g_assert_no_error (error);

  result = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (result, "count"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "active");

  /* Changing the copy changes nothing stored. */
  json_object_set_int_member (result, "count", 99);
  g_assert_cmpint (read_count (f->path), ==, 5);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static gboolean
change_then_discard (JsonObject *data,
                     gpointer    user_data)
{
  guint *calls = user_data;

  (*calls)++;
  json_object_set_int_member (data, "count", 1000);
  json_object_set_boolean_member (data, "dirty", TRUE);
  return FALSE;
}

static void
test_edit_discard (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint calls = 0;

  g_test_summary ("An edit function that returns FALSE writes nothing");

  g_assert_true (pacer_shared_json_edit (shared, change_then_discard, &calls, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));

  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_true (g_file_get_contents (f->path, &before, NULL, NULL));
  g_assert_true (pacer_shared_json_edit (shared, change_then_discard, &calls, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (f->path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (read_count (f->path), ==, 1);
}

static void
test_processes (Fixture       *f,
                gconstpointer  data)
{
  const guint n_processes = 4, increments = 500;
  g_autofree char *helper = helper_path ();
  g_autofree char *count = g_strdup_printf ("%u", increments);
  GSubprocess *processes[4];

  g_test_summary ("N processes making M increments each leave exactly N × M");

  for (guint i = 0; i < n_processes; i++)
    {
      g_autoptr(GError) error = NULL;

      processes[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                       helper, "increment", f->path, count, NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < n_processes; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_subprocess_wait_check (processes[i], NULL, &error));
      g_assert_no_error (error);
      g_object_unref (processes[i]);
    }

  g_assert_cmpint (read_count (f->path), ==, n_processes * increments);
}

typedef struct
{
  PacerSharedJson *shared;   /* one for all threads, or NULL for one each */
  const char *path;
  guint increments;
} ThreadJob;

static gpointer
thread_increments (gpointer user_data)
{
  ThreadJob *job = user_data;
  g_autoptr(PacerSharedJson) own = NULL;
  PacerSharedJson *shared = job->shared;

  if (shared == NULL)
    shared = own = pacer_shared_json_new (job->path, NULL, -1);

  for (guint i = 0; i < job->increments; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  const guint n_threads = 4, increments = 500;
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, -1);
  GThread *threads[4];
  ThreadJob one_instance = { shared, f->path, increments };
  ThreadJob own_instances = { NULL, f->path, increments };

  g_test_summary ("Threads sharing one instance, and threads with one instance each, exclude each other");

  for (guint i = 0; i < n_threads; i++)
    threads[i] = g_thread_new ("shared", thread_increments, &one_instance);
  for (guint i = 0; i < n_threads; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (read_count (f->path), ==, n_threads * increments);

  for (guint i = 0; i < n_threads; i++)
    threads[i] = g_thread_new ("own", thread_increments, &own_instances);
  for (guint i = 0; i < n_threads; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (read_count (f->path), ==, 2 * n_threads * increments);
}

/* Starts a helper process that holds the lock for @seconds and returns once it holds it. */
static GSubprocess *
hold_lock_elsewhere (const char *path,
                     double      seconds)
{
  g_autofree char *helper = helper_path ();
  g_autoptr(GError) error = NULL;
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  GSubprocess *process;
  char line[16] = { 0 };
  GInputStream *out;
  gsize got = 0;

  g_ascii_dtostr (text, sizeof text, seconds);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, "hold", path, text, NULL);
  g_assert_no_error (error);
  out = g_subprocess_get_stdout_pipe (process);
  g_assert_true (g_input_stream_read_all (out, line, 7, &got, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "locked\n");

  return process;
}

static void
test_timeouts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (f->path, NULL, 0);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;

  g_test_summary ("With another process holding the lock, 0 fails at once, 0.2 after 0.2 s, -1 waits");

  holder = hold_lock_elsewhere (f->path, 1.0);

  start = g_get_monotonic_time ();
  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_assert_cmpint (elapsed, <, 50 * 1000);
  g_clear_error (&error);

  pacer_shared_json_set_timeout (shared, 0.2);
  start = g_get_monotonic_time ();
  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_assert_cmpint (elapsed, >=, 200 * 1000);
  g_assert_cmpint (elapsed, <, 400 * 1000);
  g_clear_error (&error);

  /* Reading never waits for the lock. */
  start = g_get_monotonic_time ();
  g_assert_cmpint (read_count (f->path), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 50 * 1000);

  pacer_shared_json_set_timeout (shared, -1);
  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_cmpint (elapsed, >=, 500 * 1000);
  g_assert_cmpint (read_count (f->path), ==, 1);

  g_assert_true (g_subprocess_wait_check (holder, NULL, &error));
  g_assert_no_error (error);
}

static void
test_killed_writers (Fixture       *f,
                     gconstpointer  data)
{
  const guint rounds = g_test_thorough () ? 1000 : 300;
  g_autofree char *helper = helper_path ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint64 returned = 0, in_flight = 0;

  g_test_summary ("Writers killed with SIGKILL at random instants always leave a whole file "
                  "whose count equals the edits that returned (plus at most the one in flight)");

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) writer = NULL;
      g_autoptr(GBytes) said = NULL;
      g_autoptr(PacerSharedJson) shared = NULL;
      g_autoptr(JsonObject) object = NULL;
      guint64 started = 0, finished = 0;
      char first = 0;
      gsize size;
      const char *text;
      gint64 count;

      writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, "forever", f->path, NULL);
      g_assert_no_error (error);

      /* Start the clock once the writer is editing, so that however slowly it
       * starts (under a sanitizer, say) the kill lands among its edits. */
      g_assert_true (g_input_stream_read_all (g_subprocess_get_stdout_pipe (writer), &first, 1, &size,
                                              NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (first, ==, 'a');
      started = 1;

      g_usleep (g_rand_int_range (rand, 0, 4000));
      g_subprocess_send_signal (writer, SIGKILL);
      g_assert_true (g_subprocess_communicate (writer, NULL, NULL, &said, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (writer));

      text = g_bytes_get_data (said, &size);
      for (gsize i = 0; i < size; i++)
        {
          if (text[i] == 'a')
            started++;
          else if (text[i] == 'd')
            finished++;
        }
      g_assert_cmpuint (started - finished, <=, 1);
      returned += finished;
      in_flight += started - finished;

      /* The file always parses: never empty, never torn. */
      shared = pacer_shared_json_new (f->path, NULL, 0);
      object = pacer_shared_json_read (shared, &error);
      g_assert_no_error (error);
      count = json_object_get_int_member_with_default (object, "count", 0);
      g_assert_cmpint (count, >=, returned);
      g_assert_cmpint (count, <=, returned + in_flight);
      /* An edit that landed but was killed before it could say so is counted as returned from here on. */
      in_flight -= count - returned;
      returned = count;
    }

  g_test_message ("%u writers killed; %" G_GUINT64_FORMAT " edits made", rounds, returned);
  g_assert_cmpuint (returned, >, 0);
}

typedef void (*Spoil) (const char *path);

static void
spoil_with_garbage (const char *path)
{
  g_assert_true (g_file_set_contents (path, "{\"count\": 3,", -1, NULL));
}

static void
spoil_with_array (const char *path)
{
  g_assert_true (g_file_set_contents (path, "[1, 2, 3]", -1, NULL));
}

/* Valid JSON that json-glib 1.6 reads as infinity (fuzz-shared-json). */
static void
spoil_with_huge_number (const char *path)
{
  g_assert_true (g_file_set_contents (path, "{\"count\": 3, \"a\": [0, {\"x/y\": 1173185602733E56002}]}", -1, NULL));
}

static void
spoil_with_directory (const char *path)
{
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
}

static void
spoil_with_symlink (const char *path)
{
  g_autofree char *target = g_strconcat (path, ".target", NULL);

  g_assert_true (g_file_set_contents (target, "{\"count\": 7}", -1, NULL));
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
spoil_with_no_permission (const char *path)
{
  g_assert_true (g_file_set_contents (path, "{\"count\": 7}", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
}

static char *
describe (const char *path)
{
  struct stat st;
  g_autofree char *contents = NULL;
  g_autofree char *target = g_strconcat (path, ".target", NULL);
  g_autofree char *target_contents = NULL;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  if (S_ISREG (st.st_mode))
    {
      g_chmod (path, 0600);
      g_file_get_contents (path, &contents, NULL, NULL);
      g_chmod (path, st.st_mode & 0777);
    }
  g_file_get_contents (target, &target_contents, NULL, NULL);

  return g_strdup_printf ("mode=%o ino=%lu size=%ld contents=%s target=%s", st.st_mode,
                          (unsigned long) st.st_ino, (long) st.st_size, contents, target_contents);
}

static void
test_bad_state (Fixture       *f,
                gconstpointer  data)
{
  struct { const char *name; Spoil spoil; PacerError code; const char *where; } cases[] = {
    { "garbage", spoil_with_garbage, PACER_ERROR_CORRUPT_STATE, NULL },
    { "array", spoil_with_array, PACER_ERROR_CORRUPT_STATE, NULL },
    { "huge-number", spoil_with_huge_number, PACER_ERROR_CORRUPT_STATE, "“/a/1/x~1y”" },
    { "directory", spoil_with_directory, PACER_ERROR_IO, NULL },
    { "symlink", spoil_with_symlink, PACER_ERROR_IO, NULL },
    { "no-permission", spoil_with_no_permission, PACER_ERROR_IO, NULL },
  };

  g_test_summary ("Corrupt JSON, an array, an unreadable file or a symlink give a PACER_ERROR "
                  "naming the file, and the file is left untouched");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/pacer_shared_%s.json", f->dir, cases[i].name);
      g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (path, NULL, 1);
      g_autoptr(JsonObject) object = NULL;
      g_autoptr(JsonObject) updates = json_object_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      /* Root reads any file whatever its mode: that case only means something for others. */
      if (cases[i].spoil == spoil_with_no_permission && geteuid () == 0)
        continue;

      cases[i].spoil (path);
      before = describe (path);

      object = pacer_shared_json_read (shared, &error);
      g_assert_null (object);
      g_assert_error (error, PACER_ERROR, (int) cases[i].code);
      g_assert_nonnull (strstr (error->message, path));
      if (cases[i].where != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].where));
      g_clear_error (&error);

      g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
      g_assert_error (error, PACER_ERROR, (int) cases[i].code);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);

      json_object_set_int_member (updates, "count", 1);
      g_assert_false (pacer_shared_json_update (shared, updates, &error));
      g_assert_error (error, PACER_ERROR, (int) cases[i].code);
      g_clear_error (&error);

      after = describe (path);
      g_assert_cmpstr (before, ==, after);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add ("/Pacer/SharedJson/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("properties", test_properties);
  ADD ("missing-reads-empty", test_missing_reads_empty);
  ADD ("update-merges", test_update_merges);
  ADD ("edit-discard", test_edit_discard);
  ADD ("processes", test_processes);
  ADD ("threads", test_threads);
  ADD ("timeouts", test_timeouts);
  ADD ("killed-writers", test_killed_writers);
  ADD ("bad-state", test_bad_state);
  ADD ("bare-exponent", test_bare_exponent);
  ADD ("non-finite", test_non_finite);
#undef ADD

  return g_test_run ();
}
