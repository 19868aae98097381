/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Parsing a GTest program's `-l` output. In TAP mode the listing is mixed with
 * the seed, a plan and `# Start of` lines: only lines starting with `/` are
 * tests. This runs once per program in the controller, over up to hundreds of
 * thousands of lines, so it scans the buffer in place. */

#include "config.h"

#include <string.h>

#include "pacer-listing-private.h"

GPtrArray *
_pacer_listing_parse (const char *text,
                      gsize       length,
                      gboolean   *is_gtest)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *end = text + length;
  const char *line = text;

  *is_gtest = FALSE;

  while (line < end)
    {
      const char *newline = memchr (line, '\n', end - line);
      const char *line_end = newline != NULL ? newline : end;
      gsize line_length = line_end - line;

      if (line_length > 0 && line_end[-1] == '\r')
        line_length--;

      if (line_length > 1 && line[0] == '/')
        {
          g_ptr_array_add (paths, g_strndup (line, line_length));
          *is_gtest = TRUE;
        }
      else if (line_length >= 14 && strncmp (line, "# random seed:", 14) == 0)
        *is_gtest = TRUE;

      line = line_end + 1;
    }

  return paths;
}

GHashTable *
_pacer_listing_find_suites (GPtrArray *paths)
{
  g_autoptr(GHashTable) parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *suites = g_hash_table_new (g_str_hash, g_str_equal);

  /* `-p P` runs P and its direct children, so only a test that is some other
   * test's parent needs excluding. */
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      const char *slash = strrchr (path, '/');

      if (slash != NULL && slash != path)
        g_hash_table_add (parents, g_strndup (path, slash - path));
    }

  for (guint i = 0; i < paths->len; i++)
    {
      char *path = g_ptr_array_index (paths, i);

      if (g_hash_table_contains (parents, path))
        g_hash_table_add (suites, path);
    }

  return suites;
}

gboolean
_pacer_listing_may_be_gtest (const char *file)
{
  /* Dynamically linked programs import g_test_init by name; a static GLib
   * brings gtestutils.c's option strings along. */
  static const char * const markers[] = { "g_test_init", "--GTestLogFD" };
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, NULL);
  const char *contents;
  gsize length;

  if (mapped == NULL)
    return TRUE;  /* let -l tell, as before */
  contents = g_mapped_file_get_contents (mapped);
  length = g_mapped_file_get_length (mapped);
  if (length < 4 || memcmp (contents, "\x7f" "ELF", 4) != 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    if (memmem (contents, length, markers[i], strlen (markers[i])) != NULL)
      return TRUE;
  return FALSE;
}
