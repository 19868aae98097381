/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What every report writer shares: checking a destination before a run,
 * saving a report in one piece, the run's header and XML escaping. The
 * formats themselves live in pacer-report-junit.c, pacer-report-json.c and
 * pacer-report-timeline.c. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-error.h"
#include "pacer-glib-private.h"
#include "pacer-report-private.h"
#include "pacer-runner-private.h"

/**
 * pacer_report_check_writable:
 * @path: (type filename): where a report is to be written, or `-` for
 *   standard output
 * @error: return location for a [type@GLib.Error]
 *
 * Checks, before a run starts, that a report can be written to @path later:
 * its folder exists and a file can be created in it. A command-line tool
 * calls this first, so that a typo in a report's path costs nothing, rather
 * than the whole run.
 *
 * Returns: `TRUE` if @path can be written; otherwise `FALSE` with @error set
 *   to `PACER_ERROR_IO`
 *
 * Since: 1.0
 */
gboolean
pacer_report_check_writable (const char  *path,
                             GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *probe = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _pacer_ensure_i18n ();

  if (g_str_equal (path, "-"))
    return TRUE;

  if (*path == '\0' || g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Cannot write the report “%s”: it is a folder, not a file"), path);
      return FALSE;
    }

  if (!_pacer_check_not_block_device (path, error))
    return FALSE;

  /* A device or a pipe is written in place: it only has to be writable. */
  if (_pacer_path_is_special (path))
    {
      if (access (path, W_OK) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, PACER_ERROR, PACER_ERROR_IO, _("Cannot write the report “%s”: %s"), path,
                       g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  /* Creating a file is the only honest test: access() says yes to root on a
   * read-only mount, and the report is written as a new file renamed into
   * place anyway. */
  dir = g_path_get_dirname (path);
  probe = g_build_filename (dir, ".pacer-report-XXXXXX", NULL);
  fd = g_mkstemp_full (probe, O_WRONLY, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PACER_ERROR, PACER_ERROR_IO, _("Cannot write the report “%s”: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;
}

gboolean
_pacer_report_save (const char  *path,
                    GString     *text,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  _pacer_ensure_i18n ();

  if (g_str_equal (path, "-"))
    {
      if (fwrite (text->str, 1, text->len, stdout) != text->len || fflush (stdout) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                       _("Cannot write the report to standard output: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  /* A device or a pipe (/dev/stdout, /dev/null, a FIFO, `>(…)`), also behind
   * a link, is written as it is: renaming a file over it would replace the
   * device node or the link with a plain file. */
  if (!_pacer_check_not_block_device (path, error))
    return FALSE;
  if (_pacer_path_is_special (path))
    return _pacer_write_special (path, text->str, text->len, error);

  /* A temporary file renamed over @path: a reader sees the old report or the
   * new one, and a full disk leaves no half-written file behind. A symbolic
   * link at @path is replaced, not followed, as g_file_set_contents() does:
   * a link planted in a shared folder cannot make the report overwrite
   * another file. */
  if (!g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT, 0666,
                                 &local_error))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO, _("Cannot write the report “%s”: %s"), path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

void
_pacer_report_run_init (PacerReportRun *run,
                        PacerRunner    *runner)
{
  double finished_at = _pacer_runner_get_finished_at (runner);
  double started_at = _pacer_runner_get_started_at (runner);
  double end = finished_at > 0 ? finished_at : g_get_real_time () / (double) G_USEC_PER_SEC;

  run->version = PACKAGE_VERSION;
  run->seed = pacer_runner_get_seed (runner);
  run->hostname = g_get_host_name ();
  run->n_workers = pacer_runner_get_n_workers_used (runner);
  run->start = started_at > 0 ? started_at : end;
  run->duration = MAX (end - run->start, 0.0);
}

void
_pacer_report_count (GPtrArray *results,
                     guint      counts[])
{
  memset (counts, 0, sizeof (guint) * PACER_TEST_OUTCOME_N_OUTCOMES);
  for (guint i = 0; i < results->len; i++)
    counts[pacer_test_result_get_outcome (g_ptr_array_index (results, i))]++;
}

/* XML 1.0, section 2.2: everything else, most control characters included,
 * makes a document no parser accepts. */
static gboolean
xml_allows (gunichar c)
{
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

void
_pacer_xml_append_escaped (GString    *out,
                           const char *text,
                           gboolean    attribute)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    return;

  /* Test output is whatever bytes a test printed. */
  valid = g_utf8_make_valid (text, -1);
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!xml_allows (c))
        continue;
      switch (c)
        {
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        case '"':
          g_string_append (out, "&quot;");
          break;
        case '\n':
        case '\r':
        case '\t':
          if (attribute)
            g_string_append_printf (out, "&#%u;", c);
          else
            g_string_append_c (out, (char) c);
          break;
        default:
          g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
    }
}

void
_pacer_xml_append_cdata (GString    *out,
                         const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    return;

  valid = g_utf8_make_valid (text, -1);
  g_string_append (out, "<![CDATA[");
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!xml_allows (c))
        continue;
      /* "]]>" would end the section: close it between "]]" and ">". */
      if (c == ']' && g_str_has_prefix (p, "]]>"))
        {
          g_string_append (out, "]]]]><![CDATA[>");
          p += 2;
          continue;
        }
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  g_string_append (out, "]]>");
}

char *
_pacer_report_format_command (const char * const *argv)
{
  static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%";
  GString *line = g_string_new (NULL);

  for (guint i = 0; argv != NULL && argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (line, ' ');
      if (*argv[i] != '\0' && strspn (argv[i], safe) == strlen (argv[i]))
        g_string_append (line, argv[i]);
      else
        {
          g_autofree char *quoted = g_shell_quote (argv[i]);

          g_string_append (line, quoted);
        }
    }
  return g_string_free (line, FALSE);
}

char *
_pacer_report_format_seconds (double seconds,
                              int    decimals)
{
  char format[16];
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 9));
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, format, seconds));
}
