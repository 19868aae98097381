/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Bazel's test sharding protocol: Bazel sets TEST_TOTAL_SHARDS and the
 * 0-based TEST_SHARD_INDEX, and a runner that honours them says so by
 * touching TEST_SHARD_STATUS_FILE. pacer-run maps them to a hash partition,
 * which keeps each test on its shard when tests are added or removed,
 * so Bazel's per-shard caching stays useful. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pacer-cli-bazel-private.h"

/* Sets *partition to `hash:K/N` when Bazel asks for sharding, leaves it
 * alone when it does not; FALSE on a malformed request. */
gboolean
pacer_cli_bazel_partition (char    **partition,
                           GError  **error)
{
  const char *total_text = g_getenv ("TEST_TOTAL_SHARDS");
  const char *index_text = g_getenv ("TEST_SHARD_INDEX");
  const char *status_file = g_getenv ("TEST_SHARD_STATUS_FILE");
  guint64 total = 0, index = 0;

  if (total_text == NULL || *total_text == '\0')
    return TRUE;

  if (!g_ascii_string_to_unsigned (total_text, 10, 1, G_MAXUINT, &total, NULL) ||
      index_text == NULL ||
      !g_ascii_string_to_unsigned (index_text, 10, 0, total - 1, &index, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("TEST_TOTAL_SHARDS=%s and TEST_SHARD_INDEX=%s are not a shard: the index must be "
                     "from 0 to the total minus 1"),
                   total_text, index_text != NULL ? index_text : "");
      return FALSE;
    }

  if (status_file != NULL && *status_file != '\0')
    {
      /* Touching is enough; Bazel reads only that the file exists. */
      int fd = g_open (status_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

      if (fd < 0 || futimens (fd, NULL) != 0)
        {
          int saved_errno = errno;

          if (fd >= 0)
            g_close (fd, NULL);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot touch TEST_SHARD_STATUS_FILE “%s”: %s"), status_file,
                       g_strerror (saved_errno));
          return FALSE;
        }
      g_close (fd, NULL);
    }

  g_free (*partition);
  *partition = g_strdup_printf ("hash:%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, index + 1, total);
  return TRUE;
}
