/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The duration history file that earlier runs left in the cache directory,
 * loaded, looked up and saved again as the runner does. */

#include <math.h>

#include "pacer-glib/pacer-glib.h"

#include "fuzz.h"

static gboolean
lookup_all (PacerDurationHistory *history,
            JsonNode             *root)
{
  JsonObject *programs;
  JsonObjectIter iter;
  const char *program;
  JsonNode *tests;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  programs = json_object_get_object_member (json_node_get_object (root), "programs");
  if (programs == NULL)
    return FALSE;

  json_object_iter_init (&iter, programs);
  while (json_object_iter_next (&iter, &program, &tests))
    {
      JsonObjectIter test_iter;
      const char *path;
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (tests))
        continue;
      json_object_iter_init (&test_iter, json_node_get_object (tests));
      while (json_object_iter_next (&test_iter, &path, &value))
        {
          double duration = pacer_duration_history_lookup (history, program, path);

          /* A duration steers ordering: it must compare sanely. */
          g_assert_false (isnan (duration));
        }
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *file = NULL;
  g_autoptr(PacerDurationHistory) history = NULL;
  g_autoptr(PacerDurationHistory) reloaded = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  fuzz_set_up ();
  file = fuzz_write_file ("durations.json", data, size);

  history = pacer_duration_history_new (file);
  if (!pacer_duration_history_load (history, &error))
    {
      g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      return 0;
    }
  g_assert_no_error (error);

  if (json_parser_load_from_data (parser, (const char *) data, size, NULL))
    lookup_all (history, json_parser_get_root (parser));

  /* What was loaded must save, and load again. */
  g_assert_true (pacer_duration_history_save (history, &error));
  g_assert_no_error (error);
  reloaded = pacer_duration_history_new (file);
  g_assert_true (pacer_duration_history_load (reloaded, &error));
  g_assert_no_error (error);

  return 0;
}
