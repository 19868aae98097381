/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A t-digest in JSON, as PacerTokenBucket reads its workers' metric files at
 * each periodic check: what loads must answer quantiles, merge, and write
 * JSON that loads again. */

#include <math.h>

#include "pacer-glib/pacer-glib.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(PacerTDigest) digest = NULL;
  g_autoptr(PacerTDigest) again = NULL;
  g_autoptr(PacerTDigest) merged = NULL;
  g_autoptr(JsonNode) written = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  fuzz_set_up ();
  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL) ||
      json_parser_get_root (parser) == NULL)
    return 0;

  digest = pacer_tdigest_new_from_json (json_parser_get_root (parser), &error);
  if (digest == NULL)
    {
      g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      return 0;
    }
  g_assert_no_error (error);

  for (double q = 0; q <= 1; q += 0.25)
    {
      double value = pacer_tdigest_quantile (digest, q);

      if (pacer_tdigest_get_count (digest) > 0)
        {
          g_assert_cmpfloat (value, >=, pacer_tdigest_get_min (digest));
          g_assert_cmpfloat (value, <=, pacer_tdigest_get_max (digest));
        }
    }

  merged = pacer_tdigest_new (pacer_tdigest_get_compression (digest));
  pacer_tdigest_merge (merged, digest);
  pacer_tdigest_add (merged, 1.0);
  g_assert_cmpuint (pacer_tdigest_get_count (merged), >=, pacer_tdigest_get_count (digest));

  /* What is written must load again, through text as the metric files do. */
  written = pacer_tdigest_to_json (digest);
  text = json_to_string (written, FALSE);
  g_clear_object (&parser);
  parser = json_parser_new_immutable ();
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  again = pacer_tdigest_new_from_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_tdigest_get_count (again), ==, pacer_tdigest_get_count (digest));

  return 0;
}
