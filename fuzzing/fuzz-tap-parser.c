/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The TAP classifier, over every line of what a test program printed on
 * standard output, as the batch reads it. */

#include "pacer-glib/pacer-tap-parser-private.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *text = NULL;
  char *line;

  fuzz_set_up ();
  text = fuzz_to_string (data, size);

  line = text;
  while (line != NULL)
    {
      char *end = strchr (line, '\n');
      PacerTapLine tap;

      if (end != NULL)
        *end = '\0';
      _pacer_tap_parse_line (line, &tap);

      /* What the runner relies on: a result or a bail-out it can print. */
      g_assert_cmpint (tap.kind, >=, PACER_TAP_LINE_OTHER);
      g_assert_cmpint (tap.kind, <=, PACER_TAP_LINE_VERSION);
      if (tap.kind == PACER_TAP_LINE_RESULT)
        g_assert_nonnull (tap.description);
      if (tap.description != NULL)
        g_assert_cmpuint (strlen (tap.description), <=, strlen (line));
      if (tap.reason != NULL)
        g_assert_cmpuint (strlen (tap.reason), <=, strlen (line));
      if (tap.prefix != NULL)
        g_assert_cmpuint (strlen (tap.prefix), <=, strlen (line));
      _pacer_tap_line_clear (&tap);

      line = end != NULL ? end + 1 : NULL;
    }

  return 0;
}
