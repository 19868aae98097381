/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-store-private.h"
#include "pacer-glib/pacer-token-bucket-private.h"
#include "pacer-test-redis.h"

#define NAME "pacer_shared_count"
#define KEY "pacer:t:" NAME
#define QUEUE KEY ":queue"

typedef struct
{
  PacerTestRedis *redis;
  char *uri;   /* the server's URI with the prefix "t" */
} Fixture;

static char *
with_query (const char *uri,
            const char *query)
{
  return g_strconcat (uri, strchr (uri, '?') != NULL ? "&" : "?", query, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->redis = pacer_test_redis_start (GPOINTER_TO_INT (data), NULL);
  if (f->redis != NULL)
    f->uri = with_query (pacer_test_redis_get_uri (f->redis), "prefix=t");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->redis, pacer_test_redis_free);
  g_free (f->uri);
}

static PacerSharedJson *
shared_json_new (Fixture *f,
                 double   timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) store = pacer_store_new_for_uri (f->uri, NAME, &error);

  g_assert_no_error (error);
  return pacer_shared_json_new_for_store (store, timeout);
}

static gboolean
increment (JsonObject *data,
           gpointer    user_data)
{
  json_object_set_int_member (data, "count", json_object_get_int_member_with_default (data, "count", 0) + 1);
  return TRUE;
}

static gboolean
discard (JsonObject *data,
         gpointer    user_data)
{
  json_object_set_int_member (data, "count", 1000);
  return FALSE;
}

/* Records the count it was run on, and writes nothing. */
static gboolean
discard_below_eleven (JsonObject *data,
                      gpointer    user_data)
{
  gint64 *seen = user_data;

  *seen = json_object_get_int_member_with_default (data, "count", 0);
  return *seen >= 11 && increment (data, NULL);
}

static gint64
read_count (Fixture *f)
{
  g_autoptr(PacerSharedJson) shared = shared_json_new (f, 0);
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

/* Starts the writer helper in @mode and returns once it says its store is open. */
static GSubprocess *
start_ready_writer (Fixture          *f,
                    GSubprocessFlags  flags,
                    const char       *mode,
                    const char       *arg)
{
  g_autofree char *helper = helper_path ();
  g_autoptr(GError) error = NULL;
  GSubprocess *writer = g_subprocess_new (flags | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                          helper, mode, f->uri, arg, NULL);
  char ready = 0;
  gsize size = 0;

  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (g_subprocess_get_stdout_pipe (writer), &ready, 1, &size,
                                          NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ready, ==, 'r');
  return writer;
}

static void
test_bad_uris (void)
{
  const char *bad[] = {
    "redis://",
    "redis://localhost/zero",
    "redis://localhost/0?ttl=0",
    "redis://localhost/0?ttl=soon",
    "redis://localhost/0?prefix=",
    "unix://",
    "unix:///tmp/x.sock?db=one",
    "gopher://localhost/",
  };

  g_test_summary ("Store URIs that cannot be used are PACER_ERROR_INVALID_ARGUMENT naming the URI");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerStore) store = pacer_store_new_for_uri (bad[i], NAME, &error);

      g_test_message ("%s: %s", bad[i], error != NULL ? error->message : "(no error)");
      g_assert_null (store);
      g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PacerStore) store = pacer_store_new_for_uri ("redis://localhost/0", "a/b", &error);

    g_assert_null (store);
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_file_uri (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pacer-store-uri-XXXXXX", &error);
  g_autofree char *uri = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(PacerStore) store = NULL;
  g_autoptr(PacerStore) plain = NULL;

  g_test_summary ("A directory or a file:// URI gives a file store on NAME.json in it");

  g_assert_no_error (error);
  uri = g_filename_to_uri (dir, NULL, &error);
  g_assert_no_error (error);
  expected = g_build_filename (dir, NAME ".json", NULL);

  store = pacer_store_new_for_uri (uri, NAME, &error);
  g_assert_no_error (error);
  g_assert_true (PACER_IS_FILE_STORE (store));
  g_assert_cmpstr (pacer_file_store_get_data_file (PACER_FILE_STORE (store)), ==, expected);
  g_assert_false (pacer_store_is_lock_free (store));

  plain = pacer_store_new_for_uri (dir, NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pacer_file_store_get_data_file (PACER_FILE_STORE (plain)), ==, expected);
  g_rmdir (dir);
}

static void
test_server_down (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) store = NULL;

  g_test_summary ("A server that cannot be reached is PACER_ERROR_IO naming the URI, not its password");

  /* Port 1 on loopback: nobody listens there without root. */
  store = pacer_store_new_for_uri ("redis://:s3cret@127.0.0.1:1/0", NAME, &error);
  g_assert_null (store);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "127.0.0.1:1"));
  g_assert_null (strstr (error->message, "s3cret"));
}

static void
test_versions (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) store = NULL;
  g_autoptr(GBytes) one = g_bytes_new_static ("{\"n\":1}", 7);
  g_autoptr(GBytes) two = g_bytes_new_static ("{\"n\":2}", 7);
  g_autoptr(GBytes) read = NULL;
  g_autofree char *ttl = NULL;
  guint64 version = 99, v1 = 0, v2 = 0, v3 = 0;

  g_test_summary ("Compare-and-set replaces a value only at the version read, and versions "
                  "never repeat, also across removals");

  if (f->redis == NULL)
    return;

  store = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  g_assert_true (pacer_store_is_lock_free (store));
  g_assert_cmpstr (pacer_store_get_name (store), ==, NAME);
  g_assert_nonnull (strstr (pacer_store_get_location (store), KEY));

  read = pacer_store_read_versioned (store, &version, &error);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_NOT_FOUND);
  g_assert_null (read);
  g_assert_cmpuint (version, ==, 0);
  g_clear_error (&error);

  g_assert_true (pacer_store_compare_and_set (store, 0, one, &v1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v1, >, 0);

  /* A writer that read before that change loses. */
  g_assert_false (pacer_store_compare_and_set (store, 0, two, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CONFLICT);
  g_clear_error (&error);

  read = pacer_store_read_versioned (store, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version, ==, v1);
  g_assert_true (g_bytes_equal (read, one));
  g_clear_pointer (&read, g_bytes_unref);

  g_assert_true (pacer_store_compare_and_set (store, v1, NULL, &v2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v2, >, v1);
  read = pacer_store_read_versioned (store, &version, &error);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_NOT_FOUND);
  g_assert_cmpuint (version, ==, v2);
  g_clear_error (&error);

  /* Removed is not the same as never written: version 0 no longer matches. */
  g_assert_false (pacer_store_compare_and_set (store, 0, two, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (pacer_store_compare_and_set (store, v2, two, &v3, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v3, >, v2);

  /* Keys expire a day after their last change unless the URI says otherwise. */
  ttl = pacer_test_redis_command (f->redis, "PTTL %s", KEY);
  g_assert_cmpint (g_ascii_strtoll (ttl, NULL, 10), >, 23 * 3600 * 1000);
  g_assert_cmpint (g_ascii_strtoll (ttl, NULL, 10), <=, 24 * 3600 * 1000);
}

static void
test_ttl_and_prefix (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri_a = NULL;
  g_autofree char *uri_b = NULL;
  g_autoptr(PacerStore) store_a = NULL;
  g_autoptr(PacerStore) store_b = NULL;
  g_autoptr(PacerSharedJson) shared_a = NULL;
  g_autoptr(PacerSharedJson) shared_b = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *ttl = NULL;

  g_test_summary ("The prefix keeps runs apart on one server and the ttl query sets the expiry");

  if (f->redis == NULL)
    return;

  uri_a = with_query (pacer_test_redis_get_uri (f->redis), "prefix=run-a&ttl=60");
  uri_b = with_query (pacer_test_redis_get_uri (f->redis), "prefix=run-b");
  store_a = pacer_store_new_for_uri (uri_a, NAME, &error);
  g_assert_no_error (error);
  store_b = pacer_store_new_for_uri (uri_b, NAME, &error);
  g_assert_no_error (error);
  shared_a = pacer_shared_json_new_for_store (store_a, -1);
  shared_b = pacer_shared_json_new_for_store (store_b, -1);

  g_assert_true (pacer_shared_json_edit (shared_a, increment, NULL, &error));
  g_assert_no_error (error);
  object = pacer_shared_json_read (shared_b, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_has_member (object, "count"));

  ttl = pacer_test_redis_command (f->redis, "PTTL pacer:run-a:" NAME);
  g_assert_cmpint (g_ascii_strtoll (ttl, NULL, 10), >, 0);
  g_assert_cmpint (g_ascii_strtoll (ttl, NULL, 10), <=, 60 * 1000);
}

static void
test_shared_json (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(JsonObject) updates = json_object_new ();
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(PacerSharedJson) other = NULL;
  g_autofree char *version_before = NULL;
  g_autofree char *version_after = NULL;
  gint64 seen = 0;

  g_test_summary ("PacerSharedJson on Redis reads, updates and edits, and an edit that returns "
                  "FALSE writes nothing; an edit never lands on a value another changed meanwhile");

  if (f->redis == NULL)
    return;

  shared = shared_json_new (f, -1);
  g_assert_cmpstr (pacer_shared_json_get_name (shared), ==, "count");
  g_assert_null (pacer_shared_json_get_data_file (shared));

  object = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (object), ==, 0);
  g_clear_pointer (&object, json_object_unref);

  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
      g_assert_no_error (error);
    }
  json_object_set_string_member (updates, "name", "x");
  g_assert_true (pacer_shared_json_update (shared, updates, &error));
  g_assert_no_error (error);

  version_before = pacer_test_redis_command (f->redis, "HGET %s version", KEY);
  g_assert_true (pacer_shared_json_edit (shared, discard, NULL, &error));
  g_assert_no_error (error);
  version_after = pacer_test_redis_command (f->redis, "HGET %s version", KEY);
  g_assert_cmpstr (version_before, ==, version_after);

  object = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (object, "count"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "x");

  /* A writer that met nobody edits the value it last wrote; once another
   * wrote meanwhile, that value is stale and must not be what lands. */
  other = shared_json_new (f, -1);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (pacer_shared_json_edit (other, increment, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (read_count (f), ==, 10);
  /* Nor may a FALSE decided on a stale value count as current. */
  g_assert_true (pacer_shared_json_edit (other, increment, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_shared_json_edit (shared, discard_below_eleven, &seen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (seen, ==, 11);
  g_assert_cmpint (read_count (f), ==, 12);
}

typedef struct
{
  PacerStore *store;
  gulong hold_usec;
} Holder;

static gpointer
release_later (gpointer data)
{
  Holder *holder = data;

  g_usleep (holder->hold_usec);
  pacer_store_unlock (holder->store);
  return NULL;
}

static void
test_timeouts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) holder_store = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autofree char *reply = NULL;
  Holder holder;
  gint64 start, elapsed;

  g_test_summary ("While another holds the store's lease an edit with timeout 0 fails at once, "
                  "a positive timeout waits that long, and -1 waits until it is free; neither "
                  "leaves a ticket in line");

  if (f->redis == NULL)
    return;

  holder_store = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  g_assert_true (pacer_store_lock (holder_store, 0, NULL, &error));
  g_assert_no_error (error);

  /* The lease excludes a second lock, too. */
  shared = shared_json_new (f, 0);
  g_assert_false (pacer_store_lock (pacer_shared_json_get_store (shared), 0, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_clear_error (&error);

  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_clear_error (&error);
  /* Not waiting means not standing in line either. */
  reply = pacer_test_redis_command (f->redis, "LLEN %s", QUEUE);
  g_assert_cmpstr (reply, ==, "0");
  g_clear_pointer (&reply, g_free);

  pacer_shared_json_set_timeout (shared, 0.3);
  start = g_get_monotonic_time ();
  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_cmpint (elapsed, >=, 300 * 1000);
  g_assert_cmpint (read_count (f), ==, 0);
  /* A waiter that gives up leaves the line, so nobody hands it the lock later. */
  reply = pacer_test_redis_command (f->redis, "LLEN %s", QUEUE);
  g_assert_cmpstr (reply, ==, "0");
  g_clear_pointer (&reply, g_free);

  /* Writes under the lease go through, and are fenced by it. */
  {
    g_autoptr(GBytes) text = g_bytes_new_static ("{\"count\":10}", 12);

    g_assert_true (pacer_store_write (holder_store, text, &error));
    g_assert_no_error (error);
  }

  pacer_shared_json_set_timeout (shared, -1);
  holder.store = holder_store;
  holder.hold_usec = 200 * 1000;
  start = g_get_monotonic_time ();
  thread = g_thread_new ("holder", release_later, &holder);
  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpint (elapsed, >=, 200 * 1000);
  g_assert_cmpint (read_count (f), ==, 11);
}

static void
run_writers (Fixture *f,
             guint    n_writers,
             guint    increments)
{
  g_autofree char *helper = helper_path ();
  g_autofree char *count = g_strdup_printf ("%u", increments);
  g_autoptr(GPtrArray) writers = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_writers; i++)
    {
      g_autoptr(GError) error = NULL;
      GSubprocess *writer = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                              helper, "increment", f->uri, count, NULL);

      g_assert_no_error (error);
      g_ptr_array_add (writers, writer);
    }

  for (guint i = 0; i < writers->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_subprocess_wait_check (writers->pdata[i], NULL, &error));
      g_assert_no_error (error);
    }
}

static void
test_processes (Fixture       *f,
                gconstpointer  data)
{
  g_test_summary ("Edits from several processes at once are all applied, none lost");

  if (f->redis == NULL)
    return;

  run_writers (f, 4, 100);
  g_assert_cmpint (read_count (f), ==, 400);
}

static void
test_killed_writers (Fixture       *f,
                     gconstpointer  data)
{
  const guint rounds = g_test_thorough () ? 1000 : 300;
  g_autofree char *helper = helper_path ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint64 returned = 0, in_flight = 0;

  g_test_summary ("Writers killed with SIGKILL at random instants always leave a whole value "
                  "whose count equals the edits that returned (plus at most the one in flight), "
                  "and never a lock");

  if (f->redis == NULL)
    return;

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

      writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, "forever", f->uri, NULL);
      g_assert_no_error (error);

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

      /* Timeout 0: an edit right after the kill never waits on anything the writer left. */
      shared = shared_json_new (f, 0);
      object = pacer_shared_json_read (shared, &error);
      g_assert_no_error (error);
      count = json_object_get_int_member_with_default (object, "count", 0);
      g_assert_cmpint (count, >=, returned);
      g_assert_cmpint (count, <=, returned + in_flight);
      in_flight -= count - returned;
      returned = count;
      if (round % 50 == 0)
        {
          g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
          g_assert_no_error (error);
          returned++;
        }
    }

  g_test_message ("%u writers killed; %" G_GUINT64_FORMAT " edits made", rounds, returned);
  g_assert_cmpuint (returned, >, 0);
}

static void
test_fair_shares (Fixture       *f,
                  gconstpointer  data)
{
  const guint n_writers = 4, fair = 150;
  g_autofree char *total = g_strdup_printf ("%u", n_writers * fair);
  g_autoptr(GPtrArray) writers = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 sum = 0;

  g_test_summary ("Writers that contend for the lock all the time get about equal shares of it: "
                  "each within half and twice its fair share");

  if (f->redis == NULL)
    return;

  for (guint i = 0; i < n_writers; i++)
    g_ptr_array_add (writers, start_ready_writer (f, G_SUBPROCESS_FLAGS_STDIN_PIPE, "share", total));

  /* All start together, so that the shares measure the lock and not the start. */
  for (guint i = 0; i < writers->len; i++)
    {
      g_autoptr(GError) error = NULL;
      GOutputStream *in = g_subprocess_get_stdin_pipe (writers->pdata[i]);

      g_assert_true (g_output_stream_write_all (in, "g", 1, NULL, NULL, &error));
      g_assert_true (g_output_stream_flush (in, NULL, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < writers->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      guint64 mine;

      g_assert_true (g_subprocess_communicate_utf8 (writers->pdata[i], NULL, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_successful (writers->pdata[i]));
      mine = g_ascii_strtoull (out, NULL, 10);
      g_test_message ("writer %u: %" G_GUINT64_FORMAT " of %s", i, mine, total);
      g_assert_cmpuint (mine, >=, fair / 2);
      g_assert_cmpuint (mine, <=, fair * 2);
      sum += mine;
    }

  g_assert_cmpuint (sum, ==, n_writers * fair);
  g_assert_cmpint (read_count (f), ==, n_writers * fair);
}

static void
test_killed_holder (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *helper = helper_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(GBytes) said = NULL;
  char text[8] = { 0 };
  gsize size = 0;
  guint runs = 0;

  g_test_summary ("A holder killed with the lock is taken over long before its lease would end; "
                  "one that overruns its edit's lease is taken over after it, its late write is "
                  "refused, and its edit runs again");

  if (f->redis == NULL)
    return;

  /* The lock's lease is 30 s, longer than this edit waits: only finding the
   * holder's connection gone can let the edit through. */
  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, "hold", f->uri, "60", NULL);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (g_subprocess_get_stdout_pipe (holder), text, 7, &size, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "locked\n");
  g_subprocess_send_signal (holder, SIGKILL);
  g_assert_true (g_subprocess_wait (holder, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&holder);

  shared = shared_json_new (f, 10);
  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (read_count (f), ==, 1);

  /* An edit function that sleeps 5 s outlives its 2 s lease while its
   * process and connection live on: the next edit waits out the lease and
   * takes over, and the sleeper's write must not land on top of it. */
  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, "edit-hold", f->uri, "5", NULL);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (g_subprocess_get_stdout_pipe (holder), text, 1, &size, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (text[0], ==, 'h');

  pacer_shared_json_set_timeout (shared, 20);
  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (read_count (f), ==, 2);

  g_assert_true (g_subprocess_communicate (holder, NULL, NULL, &said, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (holder));
  for (gsize i = 0; i < g_bytes_get_size (said); i++)
    runs += ((const char *) g_bytes_get_data (said, NULL))[i] == 'h';
  /* One more run after the one read above: the first's result was refused,
   * the second's, on the newer count, landed. */
  g_assert_cmpuint (runs, ==, 1);
  g_assert_cmpint (read_count (f), ==, 3);
}

static void
test_stale_write (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) slow = NULL;
  g_autoptr(PacerStore) other = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) one = g_bytes_new_static ("{\"count\":1}", 11);
  g_autoptr(GBytes) two = g_bytes_new_static ("{\"count\":2}", 11);
  g_autoptr(GBytes) many = g_bytes_new_static ("{\"count\":99}", 12);
  g_autofree char *slow_turn = NULL;
  g_autofree char *other_turn = NULL;
  guint64 slow_version = 0, other_version = 0, written = 0;

  g_test_summary ("A write after its lease ran out is refused once another took the lock over, "
                  "and goes through when nobody did");

  if (f->redis == NULL)
    return;

  slow = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  other = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  _pacer_redis_store_set_leases (slow, 300, 300);

  slow_turn = _pacer_redis_store_begin_edit (slow, 0, &bytes, &slow_version, &error);
  g_assert_no_error (error);
  g_assert_nonnull (slow_turn);
  g_assert_null (bytes);
  g_usleep (600 * 1000);

  other_turn = _pacer_redis_store_begin_edit (other, 5, &bytes, &other_version, &error);
  g_assert_no_error (error);
  g_assert_nonnull (other_turn);
  g_assert_true (_pacer_redis_store_end_edit (other, other_turn, other_version, one, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, >, other_version);

  g_assert_false (_pacer_redis_store_end_edit (slow, slow_turn, slow_version, many, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_cmpint (read_count (f), ==, 1);

  /* Nobody came while the lease ran out, and nobody wrote: as if it had lasted. */
  g_clear_pointer (&slow_turn, g_free);
  g_clear_pointer (&bytes, g_bytes_unref);
  slow_turn = _pacer_redis_store_begin_edit (slow, 0, &bytes, &slow_version, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, one));
  g_usleep (600 * 1000);
  g_assert_true (_pacer_redis_store_end_edit (slow, slow_turn, slow_version, two, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpint (read_count (f), ==, 2);

  /* The lock of pacer_store_lock() fences pacer_store_write() the same way,
   * for a holder cut off from the server: one that is not renews its lease. */
  g_assert_true (pacer_store_lock (slow, 0, NULL, &error));
  g_assert_no_error (error);
  _pacer_redis_store_stop_renewing (slow);
  g_usleep (600 * 1000);
  g_assert_true (pacer_store_lock (other, 5, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (pacer_store_write (slow, many, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_clear_error (&error);
  pacer_store_unlock (slow);
  g_assert_true (pacer_store_write (other, one, &error));
  g_assert_no_error (error);
  pacer_store_unlock (other);
  g_assert_cmpint (read_count (f), ==, 1);
}

static void
test_lock_renewed (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) holder = NULL;
  g_autoptr(PacerStore) other = NULL;
  g_autoptr(GBytes) one = g_bytes_new_static ("{\"count\":1}", 11);

  g_test_summary ("A live holder of the lock keeps it past its lease for as long as it holds it "
                  "(a shared fixture's setup may take minutes); the next waiter gets it on unlock");

  if (f->redis == NULL)
    return;

  holder = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  other = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  _pacer_redis_store_set_leases (holder, 300, 300);

  g_assert_true (pacer_store_lock (holder, 0, NULL, &error));
  g_assert_no_error (error);
  /* Five leases long. */
  g_usleep (1500 * 1000);
  g_assert_false (pacer_store_lock (other, 0.5, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_true (pacer_store_write (holder, one, &error));
  g_assert_no_error (error);
  pacer_store_unlock (holder);

  g_assert_true (pacer_store_lock (other, 5, NULL, &error));
  g_assert_no_error (error);
  pacer_store_unlock (other);
  g_assert_cmpint (read_count (f), ==, 1);
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  const guint n_writers = 3, increments = 300;
  g_autofree char *count_text = g_strdup_printf ("%u", increments);
  g_autoptr(GPtrArray) writers = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 count;

  g_test_summary ("Writers ride out a server restart: they reconnect and no edit is lost");

  if (f->redis == NULL)
    return;

  /* A writer still opening its store when the server goes down would fail
   * at once, as opening a store that cannot be reached should. */
  for (guint i = 0; i < n_writers; i++)
    g_ptr_array_add (writers, start_ready_writer (f, G_SUBPROCESS_FLAGS_NONE, "ready-increment", count_text));

  /* Restart once the writers are under way. */
  while (read_count (f) < 20)
    g_usleep (1000);
  pacer_test_redis_restart (f->redis);

  for (guint i = 0; i < writers->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_subprocess_wait_check (writers->pdata[i], NULL, &error));
      g_assert_no_error (error);
    }

  /* A write whose reply was lost in the restart is recognised when retried;
   * only one that another writer overtook before the retry can count twice. */
  count = read_count (f);
  g_assert_cmpint (count, >=, n_writers * increments);
  g_assert_cmpint (count, <=, n_writers * increments + n_writers);
}

static void
test_server_lost (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  gint64 start, elapsed;

  g_test_summary ("A server lost for good gives PACER_ERROR_IO naming the URI after bounded retries");

  if (f->redis == NULL)
    return;

  shared = shared_json_new (f, -1);
  g_assert_true (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_no_error (error);

  pacer_test_redis_stop (f->redis);
  start = g_get_monotonic_time ();
  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, KEY));
  g_test_message ("gave up after %.2f s: %s", elapsed / 1e6, error->message);
  /* The retries sleep about 10 s in all; a connection refused costs nothing more. */
  g_assert_cmpint (elapsed, <, 30 * G_USEC_PER_SEC);
}

static void
test_bad_state (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *reply = NULL;

  g_test_summary ("A key of the wrong type or a corrupt value is PACER_ERROR_CORRUPT_STATE "
                  "naming the key, and is left as it is");

  if (f->redis == NULL)
    return;

  shared = shared_json_new (f, -1);

  g_free (pacer_test_redis_command (f->redis, "SET %s %s", KEY, "plain"));
  object = pacer_shared_json_read (shared, &error);
  g_assert_null (object);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
  g_assert_nonnull (strstr (error->message, KEY));
  g_clear_error (&error);
  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
  g_clear_error (&error);
  reply = pacer_test_redis_command (f->redis, "GET %s", KEY);
  g_assert_cmpstr (reply, ==, "plain");
  g_clear_pointer (&reply, g_free);

  /* A hash that is not ours. */
  g_free (pacer_test_redis_command (f->redis, "DEL %s", KEY));
  g_free (pacer_test_redis_command (f->redis, "HSET %s %s %s", KEY, "owner", "someone"));
  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
  g_clear_error (&error);
  reply = pacer_test_redis_command (f->redis, "HGET %s owner", KEY);
  g_assert_cmpstr (reply, ==, "someone");
  g_clear_pointer (&reply, g_free);

  /* Our hash with a value that is not JSON. */
  g_free (pacer_test_redis_command (f->redis, "DEL %s", KEY));
  g_free (pacer_test_redis_command (f->redis, "HSET %s version 3", KEY));
  g_free (pacer_test_redis_command (f->redis, "HSET %s value %s", KEY, "{\"count\": 1"));
  g_assert_false (pacer_shared_json_edit (shared, increment, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
  g_assert_nonnull (strstr (error->message, KEY));
  g_clear_error (&error);
  reply = pacer_test_redis_command (f->redis, "HGET %s value", KEY);
  g_assert_cmpstr (reply, ==, "{\"count\": 1");
}

static void
test_bad_credentials (void)
{
  g_autoptr(PacerTestRedis) redis = pacer_test_redis_start (TRUE, "right");
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) store = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *no_db = NULL;
  g_autofree char *expected_uri = NULL;
  int port;

  g_test_summary ("A wrong password or a database that does not exist is PACER_ERROR_INVALID_ARGUMENT "
                  "naming the URI and the key, without the password");

  if (redis == NULL)
    return;

  uri = g_strdup (pacer_test_redis_get_uri (redis));
  g_assert_true (sscanf (strrchr (uri, ':'), ":%d", &port) == 1);
  store = pacer_store_new_for_uri (uri, NAME, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  wrong = g_strdup_printf ("redis://:wrong@127.0.0.1:%d/0?prefix=t", port);
  expected_uri = g_strdup_printf ("127.0.0.1:%d", port);
  store = pacer_store_new_for_uri (wrong, NAME, &error);
  g_assert_null (store);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, expected_uri));
  g_assert_nonnull (strstr (error->message, KEY));
  g_assert_null (strstr (error->message, "wrong"));
  g_clear_error (&error);

  no_db = g_strdup_printf ("redis://:right@127.0.0.1:%d/9999?prefix=t", port);
  store = pacer_store_new_for_uri (no_db, NAME, &error);
  g_assert_null (store);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "9999"));
  g_assert_nonnull (strstr (error->message, KEY));
}

static void
test_pacer_store_env (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *helper = g_test_build_filename (G_TEST_BUILT, "token-bucket-caller", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) callers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *value = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("Buckets of processes that share PACER_STORE pace together on Redis");

  if (f->redis == NULL)
    return;

  g_subprocess_launcher_setenv (launcher, "PACER_STORE", f->uri, TRUE);
  for (guint i = 0; i < 3; i++)
    {
      GSubprocess *caller = g_subprocess_launcher_spawn (launcher, &error, helper, "-", "500", "20", NULL);

      g_assert_no_error (error);
      g_ptr_array_add (callers, caller);
    }
  for (guint i = 0; i < callers->len; i++)
    {
      g_autofree char *out = NULL;
      g_auto(GStrv) lines = NULL;

      g_assert_true (g_subprocess_communicate_utf8 (callers->pdata[i], NULL, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_successful (callers->pdata[i]));
      lines = g_strsplit (out, "\n", -1);
      for (guint j = 0; lines[j] != NULL && lines[j][0] != '\0'; j++)
        {
          gint64 slot = g_ascii_strtoll (lines[j], NULL, 10);

          g_array_append_val (slots, slot);
        }
    }

  g_assert_cmpuint (slots->len, ==, 60);

  /* One schedule for the three, on the server's clock: 60 slots at least
   * 2 ms apart, so the theoretical arrival time after them lies at least
   * 60 intervals after the first slot (more if the schedule restarted). This
   * is exact, whatever the load: no wall-clock timing is asserted. */
  value = pacer_test_redis_command (f->redis, "HGET pacer:t:pacer_shared_caller value");
  node = json_from_string (value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "call_count"), ==, 60);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "tat_us") -
                   json_object_get_int_member (json_node_get_object (node), "start_time_us"), >=,
                   60 * 2000);

  /* Each caller's metrics went to the same server, one part each, for the others' checks. */
  g_free (value);
  value = pacer_test_redis_command (f->redis, "HLEN pacer:t:pacer_shared_caller:parts");
  g_assert_cmpstr (value, ==, "3");
}

static void
check_parts (PacerStore *one,
             PacerStore *other)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) parts = NULL;
  g_autoptr(GBytes) a = g_bytes_new_static ("alpha", 5);
  g_autoptr(GBytes) b = g_bytes_new_static ("beta", 4);
  g_autoptr(GBytes) c = g_bytes_new_static ("", 0);

  parts = pacer_store_read_parts (one, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (parts), ==, 0);
  g_clear_pointer (&parts, g_hash_table_unref);

  g_assert_true (pacer_store_write_part (one, "gw0", a, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_store_write_part (other, "gw1", b, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_store_write_part (other, "gw1", c, &error));
  g_assert_no_error (error);
  g_assert_false (pacer_store_write_part (one, "../x", a, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  parts = pacer_store_read_parts (other, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (parts), ==, 2);
  g_assert_true (g_bytes_equal (g_hash_table_lookup (parts, "gw0"), a));
  g_assert_true (g_bytes_equal (g_hash_table_lookup (parts, "gw1"), c));
}

static void
test_parts (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) one = NULL;
  g_autoptr(PacerStore) other = NULL;
  g_autoptr(PacerStore) file_one = NULL;
  g_autoptr(PacerStore) file_other = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pacer-parts-XXXXXX", &error);

  g_test_summary ("Parts written by several store objects are read back by any, on files and on Redis");

  g_assert_no_error (error);
  file_one = pacer_store_new_for_uri (dir, NAME, &error);
  g_assert_no_error (error);
  file_other = pacer_store_new_for_uri (dir, NAME, &error);
  g_assert_no_error (error);
  check_parts (file_one, file_other);
  {
    g_autofree char *parts_dir = g_build_filename (dir, NAME ".json.parts", NULL);
    g_autofree char *gw0 = g_build_filename (parts_dir, "gw0.part", NULL);
    g_autofree char *gw1 = g_build_filename (parts_dir, "gw1.part", NULL);

    g_unlink (gw0);
    g_unlink (gw1);
    g_rmdir (parts_dir);
    g_rmdir (dir);
  }

  if (f->redis == NULL)
    return;

  one = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  other = pacer_store_new_for_uri (f->uri, NAME, &error);
  g_assert_no_error (error);
  check_parts (one, other);
}

static void
test_pacer_run_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) run = NULL;
  g_autofree char *err = NULL;
  const char *pacer_run = g_getenv ("PACER_RUN");

  g_test_summary ("pacer-run --store with a server that is down exits 2 naming the URI");

  g_assert_nonnull (pacer_run);
  run = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          pacer_run, "--store", "redis://:hidden@127.0.0.1:1/0", "/bin/true", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (run, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (run), ==, 2);
  g_assert_nonnull (strstr (err, "redis://127.0.0.1:1/0"));
  g_assert_null (strstr (err, "hidden"));
}

static gint64
skewed_now (gpointer user_data)
{
  return g_get_real_time () + (gint64) GPOINTER_TO_INT (user_data) * G_USEC_PER_SEC;
}

static gboolean
skewed_sleep_until (gint64        until,
                    GCancellable *cancellable,
                    gpointer      user_data)
{
  gint64 wait = until - skewed_now (user_data);

  if (wait > 0)
    g_usleep (wait);
  return TRUE;
}

static PacerTokenBucket *
bucket_new (Fixture *f,
            double   per_second,
            int      skew_seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) store = pacer_store_new_for_uri (f->uri, "pacer_shared_paced", &error);
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(PacerRate) rate = pacer_rate_new_per_second (per_second, &error);
  PacerTokenBucket *bucket;
  PacerClock clock = { skewed_now, skewed_sleep_until, GINT_TO_POINTER (skew_seconds) };

  g_assert_no_error (error);
  shared = pacer_shared_json_new_for_store (store, -1);
  bucket = pacer_token_bucket_new_for_shared_json (shared, rate);
  _pacer_token_bucket_set_clock (bucket, &clock);
  return bucket;
}

static void
test_bucket_skewed_clocks (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerTokenBucket) ahead = NULL;
  g_autoptr(PacerTokenBucket) behind = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(PacerStore) store = NULL;

  g_test_summary ("Buckets whose clocks disagree by an hour share one schedule on the server's clock");

  if (f->redis == NULL)
    return;

  /* 2 calls a second: each call after the first waits about half a second,
   * whichever clock its process keeps. */
  ahead = bucket_new (f, 2, 3600);
  behind = bucket_new (f, 2, -3600);

  for (guint i = 0; i < 4; i++)
    {
      PacerTokenBucket *bucket = i % 2 == 0 ? ahead : behind;
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, 10, NULL, &error);
      double waited;

      g_assert_no_error (error);
      waited = pacer_call_get_seconds_waited (call);
      g_test_message ("call %u waited %.3f s", i, waited);
      /* A clock an hour off costs no hour (bounds far from any timing). */
      g_assert_cmpfloat (waited, <, 600);
      g_assert_cmpint (pacer_call_get_call_count (call), ==, i + 1);
      pacer_call_complete (call, TRUE);
    }

  store = pacer_store_new_for_uri (f->uri, "pacer_shared_paced", &error);
  g_assert_no_error (error);
  shared = pacer_shared_json_new_for_store (store, 0);
  state = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (state, "call_count"), ==, 4);
  /* Never faster than the rate: four slots half a second apart on the server's grid. */
  g_assert_cmpint (json_object_get_int_member (state, "tat_us") -
                   json_object_get_int_member (state, "start_time_us"), >=, 4 * G_USEC_PER_SEC / 2);
  /* The theoretical arrival time is on the server's clock, i.e. near now here. */
  g_assert_cmpint (ABS (json_object_get_int_member (state, "tat_us") - g_get_real_time ()), <,
                   60 * G_USEC_PER_SEC);
}

static void
test_bucket_fails_closed (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerTokenBucket) bucket = NULL;
  g_autoptr(PacerCall) first = NULL;
  g_autoptr(PacerCall) call = NULL;
  gint64 start, elapsed;

  g_test_summary ("With the server gone an acquire fails with PACER_ERROR_IO within its timeout "
                  "and lets no call through");

  if (f->redis == NULL)
    return;

  bucket = bucket_new (f, 100, 0);
  first = pacer_token_bucket_acquire (bucket, 1, NULL, &error);
  g_assert_no_error (error);
  pacer_call_complete (first, TRUE);

  pacer_test_redis_stop (f->redis);
  start = g_get_monotonic_time ();
  call = pacer_token_bucket_acquire (bucket, 0.5, NULL, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_null (call);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_test_message ("gave up after %.3f s: %s", elapsed / 1e6, error->message);
  /* The deadline is the timeout; only scheduling on a loaded machine adds to it. */
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
}

static void
test_bucket_limits (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerTokenBucket) bucket = NULL;
  g_autoptr(PacerCall) call = NULL;

  g_test_summary ("On Redis a slot beyond the timeout is refused at once and the maximum of calls holds");

  if (f->redis == NULL)
    return;

  bucket = bucket_new (f, 1, 0);
  g_object_set (bucket, "max-calls", (gint64) 2, "refuse-over-max-calls", TRUE, NULL);

  call = pacer_token_bucket_acquire (bucket, 0, NULL, &error);
  g_assert_no_error (error);
  pacer_call_complete (call, TRUE);
  g_clear_object (&call);

  /* The next slot is a second away: timeout 0 refuses it and reserves nothing. */
  call = pacer_token_bucket_acquire (bucket, 0, NULL, &error);
  g_assert_null (call);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_clear_error (&error);

  call = pacer_token_bucket_acquire (bucket, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pacer_call_get_call_count (call), ==, 2);
  pacer_call_complete (call, TRUE);
  g_clear_object (&call);

  call = pacer_token_bucket_acquire (bucket, 10, NULL, &error);
  g_assert_null (call);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_LIMIT_REACHED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, tcp, func) \
  g_test_add ("/Pacer/RedisStore/" path, Fixture, GINT_TO_POINTER (tcp), \
              fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/Pacer/RedisStore/bad-uris", test_bad_uris);
  g_test_add_func ("/Pacer/RedisStore/file-uri", test_file_uri);
  g_test_add_func ("/Pacer/RedisStore/server-down", test_server_down);
  g_test_add_func ("/Pacer/RedisStore/bad-credentials", test_bad_credentials);
  ADD ("versions", FALSE, test_versions);
  ADD ("ttl-and-prefix", FALSE, test_ttl_and_prefix);
  ADD ("shared-json", TRUE, test_shared_json);
  ADD ("timeouts", FALSE, test_timeouts);
  ADD ("processes", TRUE, test_processes);
  ADD ("killed-writers", FALSE, test_killed_writers);
  ADD ("fair-shares", TRUE, test_fair_shares);
  ADD ("killed-holder", TRUE, test_killed_holder);
  ADD ("stale-write", FALSE, test_stale_write);
  ADD ("lock-renewed", FALSE, test_lock_renewed);
  ADD ("restart", TRUE, test_restart);
  ADD ("server-lost", FALSE, test_server_lost);
  ADD ("bad-state", FALSE, test_bad_state);
  ADD ("pacer-store-env", FALSE, test_pacer_store_env);
  ADD ("parts", FALSE, test_parts);
  ADD ("bucket-skewed-clocks", FALSE, test_bucket_skewed_clocks);
  ADD ("bucket-fails-closed", TRUE, test_bucket_fails_closed);
  ADD ("bucket-limits", FALSE, test_bucket_limits);
  g_test_add_func ("/Pacer/RedisStore/pacer-run-store", test_pacer_run_store);

  return g_test_run ();
}
