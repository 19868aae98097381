/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PACER_TAP_LINE_OTHER,   /* output that is not TAP, including `#` comments */
  PACER_TAP_LINE_PLAN,    /* `1..N` */
  PACER_TAP_LINE_RESULT,  /* `ok N desc`, `not ok N desc`, maybe with a directive */
  PACER_TAP_LINE_BAIL_OUT,/* `Bail out! reason` */
  PACER_TAP_LINE_VERSION, /* `TAP version N` */
} PacerTapLineKind;

typedef enum {
  PACER_TAP_DIRECTIVE_NONE,
  PACER_TAP_DIRECTIVE_SKIP,
  PACER_TAP_DIRECTIVE_TODO,
} PacerTapDirective;

/* One classified line. Strings point into a copy owned by the struct, so a
 * line can be parsed from a buffer that is reused; clear it with
 * _pacer_tap_line_clear(). */
typedef struct
{
  PacerTapLineKind kind;
  gboolean ok;
  guint64 number;          /* result number, or the plan's N */
  PacerTapDirective directive;
  char *description;       /* result description, without the directive */
  char *reason;            /* directive reason or Bail out! reason, or NULL */
  char *prefix;            /* output glued before the TAP text on the same line, or NULL */
} PacerTapLine;

void _pacer_tap_parse_line (const char   *line,
                            PacerTapLine *out);
void _pacer_tap_line_clear (PacerTapLine *line);

G_END_DECLS
