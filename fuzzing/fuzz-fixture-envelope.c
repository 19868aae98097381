/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A shared fixture's stored envelope ({"state": "ready", "data": …} and its
 * failed, computing and serialized forms), as another process of the run
 * left it, read as the fixture reads it (pacer-shared-fixture.c) with the
 * envelope's own decoding (pacer-fixture-envelope.c). The first input byte
 * chooses whether the fixture has a deserialize function, which reads the
 * envelope's base64 "bytes". */

#include "pacer-glib/pacer-glib.h"
#include "pacer-glib/pacer-shared-fixture-private.h"

#include "fuzz.h"

static JsonNode *
setup (PacerSharedFixture  *fixture,
       gpointer             user_data,
       GError             **error)
{
  return json_from_string ("{\"port\": 8080}", error);
}

static JsonNode *
deserialize (PacerSharedFixture  *fixture,
             GBytes              *bytes,
             gpointer             user_data,
             GError             **error)
{
  gsize size = 0;
  const char *text = g_bytes_get_data (bytes, &size);
  g_autofree char *copy = g_strndup (text != NULL ? text : "", size);
  JsonNode *node = json_from_string (copy, error);

  if (node == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE, "empty");
  return node;
}

static GBytes *
serialize (PacerSharedFixture  *fixture,
           JsonNode            *data,
           gpointer             user_data,
           GError             **error)
{
  g_autofree char *text = json_to_string (data, FALSE);

  return g_bytes_new (text, strlen (text));
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(PacerSharedFixture) fixture = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  gboolean serialized;

  fuzz_set_up ();
  if (size == 0)
    return 0;
  serialized = data[0] & 1;

  /* The fixture's default store lives in the run directory. */
  g_setenv ("PACER_RUN_DIR", fuzz_get_dir (), TRUE);
  file = fuzz_write_file ("pacer_fixture_fuzz.json", data + 1, size - 1);

  fixture = pacer_shared_fixture_new ("fuzz", setup, NULL, NULL);
  if (serialized)
    {
      pacer_shared_fixture_set_serialize_func (fixture, serialize, NULL, NULL);
      pacer_shared_fixture_set_deserialize_func (fixture, deserialize, NULL, NULL);
    }

  node = _pacer_shared_fixture_load (fixture, &error);
  if (node == NULL)
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
    }
  else
    g_assert_no_error (error);

  return 0;
}
