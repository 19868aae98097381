/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A line-by-line TAP classifier that forgives what GTest programs really print.
 *
 * GTest prints one plan after every `-p` pass (so a stream may hold many),
 * interleaves g_print() and log output with its TAP lines, and may have a line
 * of program output glued to the front of a result when a test printed
 * without a newline. The runner, not this parser, decides which results it
 * expected; here each line is only classified. */

#include "config.h"

#include <string.h>

#include "pacer-tap-parser-private.h"

void
_pacer_tap_line_clear (PacerTapLine *line)
{
  g_clear_pointer (&line->description, g_free);
  g_clear_pointer (&line->reason, g_free);
  g_clear_pointer (&line->prefix, g_free);
  line->kind = PACER_TAP_LINE_OTHER;
  line->ok = FALSE;
  line->number = 0;
  line->directive = PACER_TAP_DIRECTIVE_NONE;
}

static const char *
skip_spaces (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Reads digits into *value; returns the end, or NULL if there are none. */
static const char *
parse_number (const char *p,
              guint64    *value)
{
  guint64 n = 0;
  const char *start = p;

  while (g_ascii_isdigit (*p))
    {
      if (n > (G_MAXUINT64 - 9) / 10)
        return NULL;
      n = n * 10 + (guint64) (*p - '0');
      p++;
    }
  if (p == start)
    return NULL;
  *value = n;
  return p;
}

static char *
strip_dup (const char *start,
           const char *end)
{
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  start = skip_spaces (start);
  return g_strndup (start, end - start);
}

/* Finds the directive ` # SKIP` / ` # TODO` (any case, as TAP allows) in a
 * description; TAP escapes a literal `#` as `\#`, so those are not directives. */
static void
split_directive (const char   *text,
                 PacerTapLine *out)
{
  const char *hash = NULL;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          continue;
        }
      if (*p == '#')
        {
          const char *word = skip_spaces (p + 1);

          if (g_ascii_strncasecmp (word, "skip", 4) == 0)
            out->directive = PACER_TAP_DIRECTIVE_SKIP;
          else if (g_ascii_strncasecmp (word, "todo", 4) == 0)
            out->directive = PACER_TAP_DIRECTIVE_TODO;
          else
            continue;

          hash = p;
          word += 4;
          /* `# SKIPPED: reason` and `# skip reason` are both seen in the wild. */
          while (g_ascii_isalpha (*word))
            word++;
          if (*word == ':')
            word++;
          word = skip_spaces (word);
          if (*word != '\0')
            out->reason = strip_dup (word, word + strlen (word));
          break;
        }
    }

  if (hash == NULL)
    hash = text + strlen (text);
  out->description = strip_dup (text, hash);
}

/* Parses `ok N desc` or `not ok N desc` at p; FALSE if p does not start one. */
static gboolean
parse_result (const char   *p,
              PacerTapLine *out)
{
  gboolean ok = TRUE;
  guint64 number = 0;
  const char *after;

  if (strncmp (p, "not ok", 6) == 0)
    {
      ok = FALSE;
      p += 6;
    }
  else if (strncmp (p, "ok", 2) == 0)
    p += 2;
  else
    return FALSE;

  /* The number is optional in TAP; the separator after `ok` is not. */
  if (*p != '\0' && *p != ' ' && *p != '\t')
    return FALSE;
  p = skip_spaces (p);
  after = parse_number (p, &number);
  if (after != NULL)
    {
      if (*after != '\0' && *after != ' ' && *after != '\t')
        return FALSE;
      p = after;
    }
  p = skip_spaces (p);
  if (*p == '-')
    p = skip_spaces (p + 1);

  out->kind = PACER_TAP_LINE_RESULT;
  out->ok = ok;
  out->number = number;
  split_directive (p, out);
  return TRUE;
}

static gboolean
parse_plan (const char   *p,
            PacerTapLine *out)
{
  guint64 first = 0, last = 0;

  p = parse_number (p, &first);
  if (p == NULL || first != 1 || strncmp (p, "..", 2) != 0)
    return FALSE;
  p = parse_number (p + 2, &last);
  if (p == NULL)
    return FALSE;
  p = skip_spaces (p);
  /* `1..0 # SKIP reason` is a plan too. */
  if (*p != '\0' && *p != '#')
    return FALSE;

  out->kind = PACER_TAP_LINE_PLAN;
  out->number = last;
  if (*p == '#')
    split_directive (p, out);
  return TRUE;
}

void
_pacer_tap_parse_line (const char   *line,
                       PacerTapLine *out)
{
  const char *p;

  memset (out, 0, sizeof *out);
  out->kind = PACER_TAP_LINE_OTHER;

  p = skip_spaces (line);

  if (parse_result (p, out) || parse_plan (p, out))
    return;

  if (strncmp (p, "Bail out!", 9) == 0)
    {
      out->kind = PACER_TAP_LINE_BAIL_OUT;
      p = skip_spaces (p + 9);
      if (*p != '\0')
        out->reason = strip_dup (p, p + strlen (p));
      return;
    }

  if (strncmp (p, "TAP version ", 12) == 0)
    {
      out->kind = PACER_TAP_LINE_VERSION;
      parse_number (p + 12, &out->number);
      return;
    }

  if (*p == '#')
    return;

  /* Output printed without a trailing newline can end up in front of a result
   * or a Bail out!: look for one later in the line. Only `ok N ` with a number
   * counts here, so ordinary words ending in "ok" are not mistaken for TAP. */
  for (const char *q = strstr (p, "ok "); q != NULL; q = strstr (q + 1, "ok "))
    {
      const char *start = q;
      guint64 number;

      if (parse_number (q + 3, &number) == NULL)
        continue;
      if (q - p >= 4 && strncmp (q - 4, "not ", 4) == 0)
        start = q - 4;
      if (parse_result (start, out))
        {
          out->prefix = g_strndup (line, start - line);
          return;
        }
      _pacer_tap_line_clear (out);
    }

  {
    const char *bail = strstr (p, "Bail out!");

    if (bail != NULL)
      {
        out->kind = PACER_TAP_LINE_BAIL_OUT;
        out->prefix = g_strndup (line, bail - line);
        bail = skip_spaces (bail + 9);
        if (*bail != '\0')
          out->reason = strip_dup (bail, bail + strlen (bail));
      }
  }
}
