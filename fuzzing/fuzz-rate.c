/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer_rate_parse(), the text of PACER_RATE-style settings and of
 * PacerTokenBucket's callers: what it accepts must print and parse back to
 * the same rate, to the digits it prints. */

#include <math.h>

#include "pacer-glib/pacer-glib.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autoptr(PacerRate) rate = NULL;
  g_autoptr(PacerRate) again = NULL;
  g_autofree char *printed = NULL;

  fuzz_set_up ();
  text = fuzz_to_string (data, size);

  rate = pacer_rate_parse (text, &error);
  if (rate == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);

  /* A rate is a finite positive pace, whatever the text said. */
  g_assert_true (isfinite (pacer_rate_get_interval (rate)));
  g_assert_cmpfloat (pacer_rate_get_interval (rate), >, 0);
  g_assert_true (isfinite (pacer_rate_get_calls_per_second (rate)));
  g_assert_cmpfloat (pacer_rate_get_calls_per_second (rate), >, 0);

  printed = pacer_rate_to_string (rate);
  g_assert_nonnull (printed);
  again = pacer_rate_parse (printed, &again_error);
  g_assert_no_error (again_error);
  /* to_string() keeps 15 significant digits, not all 17. */
  g_assert_cmpfloat_with_epsilon (pacer_rate_get_calls_per_second (again) /
                                  pacer_rate_get_calls_per_second (rate), 1.0, 1e-13);

  return 0;
}
