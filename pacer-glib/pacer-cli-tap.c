/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run --tap FILE|-: one TAP stream for the whole run, written as
 * results arrive, that meson's TAP parser (protocol: 'tap') accepts.
 *
 * - `TAP version 13` first, the plan `1..N` last: N is only known at the
 *   end, since a non-GTest program's TAP lines are results too. A stream
 *   cut short therefore has no plan, and meson calls it an error.
 * - `ok N - PROGRAM /path`: the program's basename names the test, so two
 *   programs' `/basic/pass` stay apart.
 * - A skip is `ok … # SKIP reason`. Everything that is not a pass is
 *   `not ok`: failures, crashes, timeouts, and tests that never ran because
 *   the run stopped. A not-run test must not count as a pass or a skip:
 *   meson treats `not ok … # SKIP` as a failure anyway, so there is no
 *   directive that would say it better than a plain `not ok`.
 * - A flaky test passed in the end: `ok`, with the earlier failure in a
 *   diagnostic line.
 * - Why a test did not pass, and its captured output, follow it as `# `
 *   lines, which parsers show and never read as results (a `Bail out!` in
 *   the output stays harmless). */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pacer-cli-tap-private.h"

struct _PacerCliTap
{
  FILE *stream;
  char *target;
  gboolean owned;
  guint n;
};

/* The TAP stream grows while the run goes, so it cannot be renamed into
 * place as the other reports are; it is a symbolic link at @target that is
 * replaced instead of followed, as they do, so that a link planted in a
 * shared folder cannot make pacer-run truncate another file. A device or a
 * pipe (/dev/stdout, a FIFO), also behind a link, is written as it is. */
static FILE *
open_target (const char *target)
{
  struct stat info;
  int fd;
  FILE *stream;

  if (g_stat (target, &info) == 0 && S_ISBLK (info.st_mode))
    {
      /* A disk is never a report, even behind a link someone planted. */
      errno = EPERM;
      return NULL;
    }
  if (g_stat (target, &info) == 0 && !S_ISREG (info.st_mode) && !S_ISDIR (info.st_mode))
    return g_fopen (target, "we");

  if (g_lstat (target, &info) == 0 && S_ISLNK (info.st_mode) && g_unlink (target) != 0)
    return NULL;
  fd = open (target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0)
    return NULL;
  stream = fdopen (fd, "w");
  if (stream == NULL)
    {
      int saved_errno = errno;

      close (fd);
      errno = saved_errno;
    }
  return stream;
}

PacerCliTap *
pacer_cli_tap_open (const char  *target,
                    GError     **error)
{
  PacerCliTap *tap;
  FILE *stream;

  if (g_str_equal (target, "-"))
    stream = stdout;
  else
    {
      stream = open_target (target);
      if (stream == NULL)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot write the TAP report “%s”: %s"), target, g_strerror (saved_errno));
          return NULL;
        }
    }

  tap = g_new0 (PacerCliTap, 1);
  tap->stream = stream;
  tap->owned = stream != stdout;
  tap->target = g_strdup (target);

  fputs ("TAP version 13\n", stream);
  fflush (stream);
  return tap;
}

/* `#` starts a directive and a newline ends the line: neither may appear
 * in a description. */
static void
append_description (GString    *line,
                    const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '#' || *p == '\\')
        g_string_append_c (line, '\\');
      g_string_append_c (line, (*p == '\n' || *p == '\r') ? ' ' : *p);
    }
}

static void
append_diagnostics (GString    *line,
                    const char *text)
{
  g_auto(GStrv) lines = NULL;
  guint n;

  if (text == NULL || *text == '\0')
    return;
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  if (n > 0 && lines[n - 1][0] == '\0')
    n--;
  for (guint i = 0; i < n; i++)
    {
      g_string_append (line, "# ");
      g_string_append (line, g_strchomp (lines[i]));
      g_string_append_c (line, '\n');
    }
}

/* The program's basename, then the path; a program that is not a GTest
 * program is its own path, and its own TAP lines are "PROGRAM: name". */
static void
append_name (GString         *line,
             PacerTestResult *result)
{
  const char *program = pacer_test_result_get_program (result);
  const char *path = pacer_test_result_get_path (result);
  g_autofree char *base = g_path_get_basename (program);
  g_autofree char *name = NULL;

  if (g_str_equal (path, program))
    name = g_strdup (base);
  else if (g_str_has_prefix (path, program))
    name = g_strconcat (base, path + strlen (program), NULL);
  else
    name = g_strconcat (base, " ", path, NULL);
  append_description (line, name);
}

void
pacer_cli_tap_add (PacerCliTap     *tap,
                   PacerTestResult *result)
{
  PacerTestOutcome outcome = pacer_test_result_get_outcome (result);
  const char *message = pacer_test_result_get_message (result);
  g_autoptr(GString) line = g_string_new (NULL);

  tap->n++;
  switch (outcome)
    {
    case PACER_TEST_OUTCOME_PASS:
    case PACER_TEST_OUTCOME_FLAKY:
    case PACER_TEST_OUTCOME_SKIP:
      g_string_append_printf (line, "ok %u - ", tap->n);
      break;
    case PACER_TEST_OUTCOME_FAIL:
    case PACER_TEST_OUTCOME_CRASH:
    case PACER_TEST_OUTCOME_TIMEOUT:
    case PACER_TEST_OUTCOME_NOT_RUN:
    default:
      g_string_append_printf (line, "not ok %u - ", tap->n);
      break;
    }
  append_name (line, result);

  if (outcome == PACER_TEST_OUTCOME_SKIP)
    {
      g_string_append (line, " # SKIP");
      if (message != NULL)
        {
          g_string_append_c (line, ' ');
          append_description (line, message);
        }
    }
  g_string_append_c (line, '\n');

  switch (outcome)
    {
    case PACER_TEST_OUTCOME_FLAKY:
      /* TRANSLATORS: a TAP diagnostic line after a test that passed on a retry */
      g_string_append_printf (line, _("# flaky: %s\n"), message != NULL ? message : "");
      break;
    case PACER_TEST_OUTCOME_FAIL:
    case PACER_TEST_OUTCOME_CRASH:
    case PACER_TEST_OUTCOME_TIMEOUT:
    case PACER_TEST_OUTCOME_NOT_RUN:
      append_diagnostics (line, message);
      append_diagnostics (line, pacer_test_result_get_output (result));
      break;
    case PACER_TEST_OUTCOME_PASS:
    case PACER_TEST_OUTCOME_SKIP:
    default:
      break;
    }
  /* Under --strict-order the failure's message says it already. */
  if (pacer_test_result_get_order_dependent (result) && !pacer_test_outcome_is_failure (outcome))
    /* TRANSLATORS: a TAP diagnostic line after a test that passed only in listing order */
    g_string_append_printf (line, _("# order-dependent: %s\n"), message != NULL ? message : "");

  fputs (line->str, tap->stream);
  /* meson and people watching read the stream as it grows. */
  fflush (tap->stream);
}

/* Writes the plan and closes; frees @tap either way. */
gboolean
pacer_cli_tap_close (PacerCliTap  *tap,
                     GError      **error)
{
  gboolean ok;
  int saved_errno = 0;

  fprintf (tap->stream, "1..%u\n", tap->n);
  ok = fflush (tap->stream) == 0 && !ferror (tap->stream);
  if (!ok)
    saved_errno = errno;
  if (tap->owned && fclose (tap->stream) != 0 && ok)
    {
      ok = FALSE;
      saved_errno = errno;
    }
  if (!ok)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 _("Cannot write the TAP report “%s”: %s"), tap->target, g_strerror (saved_errno));

  g_free (tap->target);
  g_free (tap);
  return ok;
}
