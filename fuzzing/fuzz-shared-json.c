/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The state file of PacerSharedJson (and so of every PacerFileStore user),
 * which other processes of the run wrote and a killed one may have left in
 * any state: read, then edited and written back under the lock. */

#include "pacer-glib/pacer-glib.h"

#include "fuzz.h"

static gboolean
count_call (JsonObject *data,
            gpointer    user_data)
{
  JsonNode *count = json_object_get_member (data, "count");

  /* Not json_object_get_int_member_with_default(): on an object or array it
   * fails a precondition, and a double beyond gint64 it converts out of
   * range; the fuzzer writes both. Unsigned, so G_MAXINT64 + 1 wraps. */
  json_object_set_int_member (data, "count",
                              count != NULL && JSON_NODE_HOLDS_VALUE (count) &&
                                json_node_get_value_type (count) == G_TYPE_INT64
                                ? (gint64) ((guint64) json_node_get_int (count) + 1) : 1);
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *file = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_set_up ();
  file = fuzz_write_file ("shared.json", data, size);

  shared = pacer_shared_json_new (file, NULL, 0);
  object = pacer_shared_json_read (shared, &error);
  if (object == NULL)
    {
      /* Corrupt state is an error naming the file, never a silent reset. */
      g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      g_assert_nonnull (strstr (error->message, file));
      g_clear_error (&error);
      g_assert_false (pacer_shared_json_edit (shared, count_call, NULL, &error));
      g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      return 0;
    }
  g_assert_no_error (error);

  g_assert_true (pacer_shared_json_edit (shared, count_call, NULL, &error));
  g_assert_no_error (error);
  again = pacer_shared_json_read (shared, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpuint (json_object_get_size (again), >=, json_object_get_size (object));

  return 0;
}
