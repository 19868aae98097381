/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The run's registry of shared-fixture cleanups, which PacerSharedFixture
 * writes and the teardown pass reads: see pacer-fixture-registry-private.h. */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-fixture-registry-private.h"
#include "pacer-json-utils-private.h"
#include "pacer-shared-json.h"
#include "pacer-worker.h"

JsonObject *
_pacer_fixture_registry_read (const char  *run_dir,
                              GError     **error)
{
  g_autofree char *path = g_build_filename (run_dir, PACER_FIXTURE_REGISTRY_FILE, NULL);
  g_autoptr(PacerSharedJson) registry = NULL;
  g_autoptr(JsonObject) object = NULL;
  JsonObject *fixtures;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;

  registry = pacer_shared_json_new (path, NULL, -1);
  object = pacer_shared_json_read (registry, error);
  if (object == NULL)
    return NULL;
  fixtures = _pacer_json_get_object (object, "fixtures");
  if (fixtures == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” does not hold a list of fixture cleanups"), path);
      return NULL;
    }

  return json_object_ref (fixtures);
}

static JsonArray *
read_own_argv (void)
{
  JsonArray *array = json_array_new ();
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_file_get_contents ("/proc/self/cmdline", &contents, &length, NULL))
    for (gsize start = 0; start < length;)
      {
        const char *arg = contents + start;

        json_array_add_string_element (array, arg);
        start += strlen (arg) + 1;
      }

  return array;
}

typedef struct
{
  const char *name;
  const char *state;
  const char *message;
} RegistryEdit;

static gboolean
edit_registry (JsonObject *data,
               gpointer    user_data)
{
  RegistryEdit *edit = user_data;
  JsonObject *fixtures;
  JsonObject *entry;

  if (!json_object_has_member (data, "fixtures"))
    json_object_set_object_member (data, "fixtures", json_object_new ());
  fixtures = _pacer_json_get_object (data, "fixtures");
  if (fixtures == NULL)
    return FALSE;

  if (g_str_equal (edit->state, PACER_FIXTURE_STATE_PENDING))
    {
      g_autofree char *program = g_file_read_link ("/proc/self/exe", NULL);

      entry = json_object_new ();
      json_object_set_string_member (entry, "program", program != NULL ? program : g_get_prgname ());
      json_object_set_array_member (entry, "argv", read_own_argv ());
      json_object_set_int_member (entry, "pid", getpid ());
      json_object_set_string_member (entry, "worker", pacer_worker_get_id ());
      json_object_set_object_member (fixtures, edit->name, entry);
    }
  else
    {
      entry = _pacer_json_get_object (fixtures, edit->name);
      if (entry == NULL)
        return FALSE;
    }

  json_object_set_string_member (entry, "state", edit->state);
  if (edit->message != NULL)
    json_object_set_string_member (entry, "message", edit->message);

  return TRUE;
}

gboolean
_pacer_fixture_registry_set_state (const char  *run_dir,
                                   const char  *name,
                                   const char  *state,
                                   const char  *message,
                                   GError     **error)
{
  g_autofree char *path = g_build_filename (run_dir, PACER_FIXTURE_REGISTRY_FILE, NULL);
  g_autoptr(PacerSharedJson) registry = pacer_shared_json_new (path, NULL, -1);
  RegistryEdit edit = { name, state, message };

  return pacer_shared_json_edit (registry, edit_registry, &edit, error);
}
