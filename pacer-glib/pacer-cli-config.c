/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run's pacer.ini: read with GKeyFile, so its syntax is the one of
 * .desktop and .test files; unknown sections and keys are left for later
 * versions, anything malformed is an error naming the file. */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pacer-cli-config-private.h"

gboolean
pacer_cli_config_load (const char    *file,
                       gboolean       required,
                       GStrvBuilder  *groups,
                       GStrvBuilder  *serial,
                       GError       **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_load_from_file (key_file, file, G_KEY_FILE_NONE, &local_error))
    {
      if (!required && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, _("cannot read “%s”: %s"), file,
                   local_error->message);
      return FALSE;
    }

  if (g_key_file_has_group (key_file, "groups"))
    {
      keys = g_key_file_get_keys (key_file, "groups", NULL, NULL);
      for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
        {
          g_autofree char *name = g_key_file_get_string (key_file, "groups", keys[i], NULL);

          if (name == NULL || *g_strstrip (name) == '\0' || strchr (name, '=') != NULL)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           _("%s: [groups] %s: give the group a name"), file, keys[i]);
              return FALSE;
            }
          g_autofree char *spec = g_strdup_printf ("%s=%s", keys[i], name);

          g_strv_builder_add (groups, spec);
        }
    }

  if (g_key_file_has_group (key_file, "serial"))
    {
      g_auto(GStrv) globs = g_key_file_get_string_list (key_file, "serial", "tests", NULL, &local_error);

      if (globs == NULL && !g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("%s: [serial] tests: %s"), file, local_error->message);
          return FALSE;
        }
      for (guint i = 0; globs != NULL && globs[i] != NULL; i++)
        if (*g_strstrip (globs[i]) != '\0')
          g_strv_builder_add (serial, globs[i]);
    }

  return TRUE;
}
