/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every harness shares. Each harness is one libFuzzer entry point,
 * LLVMFuzzerTestOneInput(), linked either with libFuzzer (-Dfuzzing=enabled)
 * or with driver.c, which runs it once over each corpus file. */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

int LLVMFuzzerTestOneInput (const unsigned char *data,
                            size_t               size);

/* A log message is a finding only if it is a warning or worse: those abort,
 * so the fuzzer stops on them and keeps the input. Anything quieter is dropped, since printing
 * it for millions of inputs would cost more than the parsing. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      /* GLib would raise SIGTRAP, which libFuzzer does not catch: no crash
       * file would be written. */
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static char *fuzz_dir;

static void
fuzz_remove_dir (void)
{
  g_autoptr(GDir) dir = fuzz_dir != NULL ? g_dir_open (fuzz_dir, 0, NULL) : NULL;
  const char *name;

  /* The harnesses only ever leave plain files behind. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fuzz_dir, name, NULL);

      g_unlink (path);
    }
  if (fuzz_dir != NULL)
    g_rmdir (fuzz_dir);
}

static inline void
fuzz_set_up (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* A private directory for harnesses whose parser reads a file, made once per
 * process and removed at exit. */
static inline const char *
fuzz_get_dir (void)
{
  if (fuzz_dir == NULL)
    {
      g_autoptr(GError) error = NULL;

      /* In memory where there is a tmpfs: the stores fsync every write,
       * which on a disk costs more than everything a harness does. */
      if (g_access ("/dev/shm", W_OK) == 0)
        {
          fuzz_dir = g_strdup ("/dev/shm/pacer-fuzz-XXXXXX");
          g_assert_nonnull (g_mkdtemp (fuzz_dir));
        }
      else
        {
          fuzz_dir = g_dir_make_tmp ("pacer-fuzz-XXXXXX", &error);
          g_assert_no_error (error);
        }
      atexit (fuzz_remove_dir);
    }
  return fuzz_dir;
}

/* Writes the input to @name in the private directory and returns its path. */
static inline char *
fuzz_write_file (const char          *name,
                 const unsigned char *data,
                 size_t               size)
{
  char *path = g_build_filename (fuzz_get_dir (), name, NULL);

  FILE *file = fopen (path, "wb");

  /* Not g_file_set_contents(), which syncs: nothing here must survive a crash. */
  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (data, 1, size, file), ==, size);
  g_assert_cmpint (fclose (file), ==, 0);
  return path;
}

/* A NUL-terminated copy; NUL bytes inside stay, so C-string parsers see the
 * input cut there, as they would see a line read with GDataInputStream. */
static inline char *
fuzz_to_string (const unsigned char *data,
                size_t               size)
{
  char *text = g_malloc (size + 1);

  if (size > 0)
    memcpy (text, data, size);
  text[size] = '\0';
  return text;
}
