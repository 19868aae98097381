/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A GTest program with two shared fixtures, driven by environment variables,
 * that counts every setup and cleanup it runs in FAKE_FIXTURE_DIR:
 *
 *   FAKE_FIXTURE_DIR      where `setup`, `cleanup`, `seen` and `final` get one
 *                         line per event (required)
 *   FAKE_FIXTURE_USERS    number of tests /fixture/use/N that use the fixtures (6)
 *   FAKE_FIXTURE_OTHERS   number of tests /other/N that never do (0)
 *   FAKE_FIXTURE_FAIL     a test path that fails after using the fixture
 *   FAKE_FIXTURE_CRASH    a test path that aborts after using the fixture, the
 *                         first time only
 *   FAKE_FIXTURE_SLEEP    a test path that waits a minute (for Ctrl-C)
 *   FAKE_FIXTURE_PAUSE_MS every test that uses the fixtures takes this long
 *   FAKE_FIXTURE_SETUP    `fail` or `crash`
 *   FAKE_FIXTURE_CLEANUP  `fail`, `crash` or `hang`
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

static PacerSharedFixture *resource;
static PacerSharedFixture *tally;

static const char *
setting (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

/* One write with O_APPEND: lines of concurrent processes never mix. */
static void
count (const char *file,
       const char *what)
{
  g_autofree char *path = g_build_filename (setting ("FAKE_FIXTURE_DIR"), file, NULL);
  g_autofree char *line = g_strdup_printf ("%s %d %s\n", what, (int) getpid (), pacer_worker_get_id ());
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, line, strlen (line)), ==, (gssize) strlen (line));
  close (fd);
}

static JsonNode *
resource_setup (PacerSharedFixture  *fixture,
                gpointer             user_data,
                GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *token = g_uuid_string_random ();

  count ("setup", token);
  if (g_strcmp0 (setting ("FAKE_FIXTURE_SETUP"), "crash") == 0)
    abort ();
  if (g_strcmp0 (setting ("FAKE_FIXTURE_SETUP"), "fail") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "the database did not start");
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
resource_cleanup (PacerSharedFixture  *fixture,
                  JsonNode            *data,
                  gpointer             user_data,
                  GError             **error)
{
  const char *mode = setting ("FAKE_FIXTURE_CLEANUP");

  count ("cleanup", json_object_get_string_member (json_node_get_object (data), "token"));
  if (g_strcmp0 (mode, "crash") == 0)
    abort ();
  if (g_strcmp0 (mode, "hang") == 0)
    g_usleep (600 * G_USEC_PER_SEC);
  if (g_strcmp0 (mode, "fail") == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "the database would not stop");
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
tally_first (gpointer   user_data,
             GError   **error)
{
  JsonObject *first = json_object_new ();

  json_object_set_int_member (first, "uses", 0);
  return first;
}

static gboolean
tally_add (JsonObject *data,
           gpointer    user_data)
{
  json_object_set_int_member (data, "uses", json_object_get_int_member (data, "uses") + 1);
  return TRUE;
}

static gboolean
tally_last (JsonObject  *data,
            gpointer     user_data,
            GError     **error)
{
  g_autofree char *uses = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (data, "uses"));

  count ("final", uses);
  return TRUE;
}

static void
test_use (gconstpointer user_data)
{
  const char *path = user_data;
  g_autoptr(GError) error = NULL;
  PacerSharedJson *shared;
  JsonNode *data;

  data = pacer_shared_fixture_get (resource, &error);
  if (data == NULL)
    {
      g_test_fail_printf ("%s", error->message);
      return;
    }
  count ("seen", json_object_get_string_member (json_node_get_object (data), "token"));

  shared = pacer_shared_fixture_get_shared_json (tally, &error);
  g_assert_no_error (error);
  pacer_shared_json_edit (shared, tally_add, NULL, &error);
  g_assert_no_error (error);

  if (g_strcmp0 (path, setting ("FAKE_FIXTURE_FAIL")) == 0)
    g_test_fail_printf ("%s fails on purpose", path);

  if (g_strcmp0 (path, setting ("FAKE_FIXTURE_CRASH")) == 0)
    {
      g_autofree char *marker = g_build_filename (setting ("FAKE_FIXTURE_DIR"), "crashed", NULL);

      if (!g_file_test (marker, G_FILE_TEST_EXISTS))
        {
          g_file_set_contents (marker, "", 0, NULL);
          abort ();
        }
    }

  if (setting ("FAKE_FIXTURE_PAUSE_MS") != NULL)
    g_usleep (atoi (setting ("FAKE_FIXTURE_PAUSE_MS")) * 1000);

  if (g_strcmp0 (path, setting ("FAKE_FIXTURE_SLEEP")) == 0)
    {
      count ("sleeping", path);
      g_usleep (60 * G_USEC_PER_SEC);
    }
}

static void
test_other (void)
{
  g_assert_nonnull (pacer_worker_get_id ());
}

int
main (int   argc,
      char *argv[])
{
  guint users = 6;
  guint others = 0;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  int status;

  g_test_init (&argc, &argv, NULL);

  if (setting ("FAKE_FIXTURE_USERS") != NULL)
    users = atoi (setting ("FAKE_FIXTURE_USERS"));
  if (setting ("FAKE_FIXTURE_OTHERS") != NULL)
    others = atoi (setting ("FAKE_FIXTURE_OTHERS"));

  /* Declared before g_test_run(), so that teardown mode reaches them. */
  resource = pacer_shared_fixture_new ("resource", resource_setup, NULL, NULL);
  pacer_shared_fixture_set_cleanup_func (resource, resource_cleanup, NULL, NULL);
  pacer_shared_fixture_declare (resource);

  tally = pacer_shared_fixture_new_for_shared_json ("tally", tally_first, NULL, NULL);
  pacer_shared_fixture_set_on_last_worker (tally, tally_last, NULL, NULL);
  pacer_shared_fixture_declare (tally);

  /* The library keeps declared fixtures until the process exits. */
  g_object_unref (resource);
  g_object_unref (tally);

  for (guint i = 0; i < users; i++)
    {
      char *path = g_strdup_printf ("/fixture/use/%u", i);

      g_ptr_array_add (paths, path);
      g_test_add_data_func (path, path, test_use);
    }
  for (guint i = 0; i < others; i++)
    {
      g_autofree char *path = g_strdup_printf ("/other/%u", i);

      g_test_add_func (path, test_other);
    }

  status = g_test_run ();
  g_ptr_array_unref (paths);
  return status;
}
