/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Runs a harness once over each file named on the command line, or each file
 * of a directory named there, in name order, and reports every input as a TAP
 * result. It stands in for libFuzzer where there is none (gcc builds, CI), so
 * the corpus is a regression test everywhere: an input that crashes the
 * harness or trips a sanitizer takes the whole program down, and meson reports
 * the test failed with the file last started on standard error. */

#include <stdio.h>

#include "fuzz.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
collect (const char *arg,
         GPtrArray  *files)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (arg, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (arg));
      return;
    }

  dir = g_dir_open (arg, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (found, g_build_filename (arg, name, NULL));
  g_ptr_array_sort (found, compare_strings);
  g_ptr_array_extend_and_steal (files, g_steal_pointer (&found));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  int status = 0;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE|DIRECTORY…\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    collect (argv[i], files);

  printf ("TAP version 13\n1..%u\n", files->len);
  fflush (stdout);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      /* Said before the run, so a crash names its input. */
      fprintf (stderr, "Running %s\n", file);
      if (!g_file_get_contents (file, &contents, &length, &error))
        {
          printf ("not ok %u %s # %s\n", i + 1, file, error->message);
          status = 1;
          continue;
        }
      LLVMFuzzerTestOneInput ((const unsigned char *) contents, length);
      printf ("ok %u %s\n", i + 1, file);
      fflush (stdout);
    }

  return status;
}
