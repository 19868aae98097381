/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-error.h"

#include "pacer-glib-private.h"

void
_pacer_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            _pacer_remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

/* Run state is small, hot and worthless after the run: keep it in memory when
 * the system offers a place for that. On ext4, replacing a file by rename makes
 * the kernel flush the new file's data first, which costs ten times more than
 * the rest of a locked update. */
static const char *
pick_run_dir_base (void)
{
  const char *candidates[] = { g_getenv ("XDG_RUNTIME_DIR"), "/dev/shm" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (candidates[i] != NULL && g_path_is_absolute (candidates[i]) &&
        g_file_test (candidates[i], G_FILE_TEST_IS_DIR) && access (candidates[i], W_OK | X_OK) == 0)
      return candidates[i];

  return g_get_tmp_dir ();
}

char *
_pacer_make_run_dir (GError **error)
{
  char *path = g_build_filename (pick_run_dir_base (), "pacer-run-XXXXXX", NULL);

  if (g_mkdtemp_full (path, 0700) == NULL)
    {
      int saved_errno = errno;
      g_autofree char *fallback = g_build_filename (g_get_tmp_dir (), "pacer-run-XXXXXX", NULL);

      if (g_mkdtemp_full (fallback, 0700) == NULL)
        {
          _pacer_ensure_i18n ();
          g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                       _("Cannot create a run directory “%s”: %s"), path, g_strerror (saved_errno));
          g_free (path);
          return NULL;
        }
      g_free (path);
      path = g_steal_pointer (&fallback);
    }

  return path;
}
