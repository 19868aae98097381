/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pacer-glib/pacer-glib.h>

/* The accuracy goal: p50, p90 and p99 within 1 % of the exact quantiles. */
#define TOLERANCE 0.01
#define N_PARTS 8
#define SEED 20240607

static const double checked_quantiles[] = { 0.5, 0.9, 0.99 };

typedef enum {
  DISTRIBUTION_UNIFORM,
  DISTRIBUTION_EXPONENTIAL,
  DISTRIBUTION_LOGNORMAL,
} Distribution;

typedef struct
{
  double *values;   /* in the order generated */
  double *sorted;
  guint n;
} Samples;

static void
samples_free (Samples *samples)
{
  g_free (samples->values);
  g_free (samples->sorted);
  g_free (samples);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Samples, samples_free)

/* A million values unless PACER_TDIGEST_TEST_SAMPLES says otherwise, as a run
 * under valgrind may want. */
static guint
n_samples (void)
{
  const char *text = g_getenv ("PACER_TDIGEST_TEST_SAMPLES");
  guint64 n = 1000000;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 10000, 100000000, &n, NULL))
    g_error ("PACER_TDIGEST_TEST_SAMPLES must be a number from 10000 to 100000000");

  return (guint) n;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static Samples *
samples_new (Distribution distribution,
             guint        n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED + distribution);
  Samples *samples = g_new0 (Samples, 1);

  samples->n = n;
  samples->values = g_new (double, n);

  for (guint i = 0; i < n; i++)
    {
      switch (distribution)
        {
        case DISTRIBUTION_UNIFORM:
          samples->values[i] = g_rand_double (rand);
          break;

        case DISTRIBUTION_EXPONENTIAL:
          /* Inverse CDF of the rate-1 exponential; u is in [0, 1), so the log is finite. */
          samples->values[i] = -log1p (-g_rand_double (rand));
          break;

        case DISTRIBUTION_LOGNORMAL:
          {
            /* Box–Muller for a standard normal z, then e^z. 1 − u is in (0, 1]. */
            double u1 = 1.0 - g_rand_double (rand);
            double u2 = g_rand_double (rand);

            samples->values[i] = exp (sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2));
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  samples->sorted = g_memdup2 (samples->values, n * sizeof (double));
  qsort (samples->sorted, n, sizeof (double), compare_doubles);

  return samples;
}

/* The same definition the digest uses (Hyndman and Fan's 5): the i-th smallest
 * value stands at rank i + 1/2, with linear interpolation between. */
static double
exact_quantile (const Samples *samples,
                double         q)
{
  double position = q * samples->n - 0.5;
  gsize i;

  if (position <= 0)
    return samples->sorted[0];
  if (position >= samples->n - 1)
    return samples->sorted[samples->n - 1];

  i = (gsize) position;
  return samples->sorted[i] + (position - i) * (samples->sorted[i + 1] - samples->sorted[i]);
}

static double
relative_error (double estimate,
                double exact)
{
  return fabs (estimate - exact) / fabs (exact);
}

static PacerTDigest *
digest_of (const double *values,
           guint         n)
{
  PacerTDigest *digest = pacer_tdigest_new (0);

  for (guint i = 0; i < n; i++)
    pacer_tdigest_add (digest, values[i]);

  return digest;
}

static guint
n_centroids (PacerTDigest *digest)
{
  g_autoptr(JsonNode) node = pacer_tdigest_to_json (digest);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (node),
                                                              "centroids"));
}

static void
assert_exact_extremes (PacerTDigest  *digest,
                       const Samples *samples)
{
  g_assert_cmpfloat (pacer_tdigest_get_min (digest), ==, samples->sorted[0]);
  g_assert_cmpfloat (pacer_tdigest_get_max (digest), ==, samples->sorted[samples->n - 1]);
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 0), ==, samples->sorted[0]);
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 1), ==, samples->sorted[samples->n - 1]);
}

static void
test_accuracy (gconstpointer data)
{
  Distribution distribution = GPOINTER_TO_INT (data);
  g_autoptr(Samples) samples = NULL;
  g_autoptr(PacerTDigest) digest = NULL;
  double sum = 0;
  double previous = -INFINITY;

  g_test_summary ("p50, p90 and p99 of a digest of many values are within 1 % of the exact "
                  "quantiles, the extremes are exact, and the centroids stay within the bound");

  samples = samples_new (distribution, n_samples ());
  digest = digest_of (samples->values, samples->n);

  for (guint i = 0; i < G_N_ELEMENTS (checked_quantiles); i++)
    {
      double q = checked_quantiles[i];
      double exact = exact_quantile (samples, q);
      double estimate = pacer_tdigest_quantile (digest, q);
      double error = relative_error (estimate, exact);

      g_test_message ("p%g: exact %.9g, estimate %.9g, relative error %.2e",
                      q * 100, exact, estimate, error);
      g_assert_cmpfloat (error, <=, TOLERANCE);
    }

  assert_exact_extremes (digest, samples);

  for (guint i = 0; i < samples->n; i++)
    sum += samples->values[i];
  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, samples->n);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_get_sum (digest), sum, fabs (sum) * 1e-9);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_get_mean (digest), sum / samples->n,
                                  fabs (sum / samples->n) * 1e-9);

  /* Quantiles never decrease. */
  for (guint i = 0; i <= 1000; i++)
    {
      double estimate = pacer_tdigest_quantile (digest, i / 1000.0);

      g_assert_cmpfloat (estimate, >=, previous);
      previous = estimate;
    }

  /* Memory is bounded by the compression, not by the number of values. */
  g_test_message ("%u centroids at compression %g", n_centroids (digest),
                  pacer_tdigest_get_compression (digest));
  g_assert_cmpuint (n_centroids (digest), <=, pacer_tdigest_get_compression (digest) + 2);
}

static void
test_merge (gconstpointer data)
{
  Distribution distribution = GPOINTER_TO_INT (data);
  g_autoptr(Samples) samples = NULL;
  g_autoptr(PacerTDigest) whole = NULL;
  g_autoptr(PacerTDigest) merged = NULL;

  g_test_summary ("Eight digests each fed an eighth of the values, merged, agree with one "
                  "digest of all of them and with the exact quantiles within 1 %");

  samples = samples_new (distribution, n_samples ());
  whole = digest_of (samples->values, samples->n);

  merged = pacer_tdigest_new (0);
  for (guint part = 0; part < N_PARTS; part++)
    {
      guint start = (guint) ((guint64) samples->n * part / N_PARTS);
      guint end = (guint) ((guint64) samples->n * (part + 1) / N_PARTS);
      g_autoptr(PacerTDigest) digest = digest_of (samples->values + start, end - start);

      pacer_tdigest_merge (merged, digest);
      g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, end - start);
    }

  g_assert_cmpuint (pacer_tdigest_get_count (merged), ==, samples->n);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_get_sum (merged), pacer_tdigest_get_sum (whole),
                                  fabs (pacer_tdigest_get_sum (whole)) * 1e-9);
  assert_exact_extremes (merged, samples);

  for (guint i = 0; i < G_N_ELEMENTS (checked_quantiles); i++)
    {
      double q = checked_quantiles[i];
      double exact = exact_quantile (samples, q);
      double single = pacer_tdigest_quantile (whole, q);
      double estimate = pacer_tdigest_quantile (merged, q);

      g_test_message ("p%g: exact %.9g, one digest %.9g, merged %.9g, "
                      "merged vs one %.2e, merged vs exact %.2e",
                      q * 100, exact, single, estimate,
                      relative_error (estimate, single), relative_error (estimate, exact));
      g_assert_cmpfloat (relative_error (estimate, single), <=, TOLERANCE);
      g_assert_cmpfloat (relative_error (estimate, exact), <=, TOLERANCE);
    }

  g_assert_cmpuint (n_centroids (merged), <=, pacer_tdigest_get_compression (merged) + 2);
}

static void
test_merge_self (void)
{
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (0);
  g_autoptr(PacerTDigest) empty = pacer_tdigest_new (0);

  g_test_summary ("Merging a digest into itself doubles every count; merging an empty one "
                  "changes nothing");

  for (guint i = 1; i <= 101; i++)
    pacer_tdigest_add (digest, i);

  pacer_tdigest_merge (digest, empty);
  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, 101);
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 0.5), ==, 51);

  pacer_tdigest_merge (digest, digest);
  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, 202);
  g_assert_cmpfloat (pacer_tdigest_get_sum (digest), ==, 2 * 5151);
  g_assert_cmpfloat (pacer_tdigest_get_min (digest), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_get_max (digest), ==, 101);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (digest, 0.5), 51, 0.5);

  pacer_tdigest_merge (empty, digest);
  g_assert_cmpuint (pacer_tdigest_get_count (empty), ==, 202);
  g_assert_cmpfloat (pacer_tdigest_get_min (empty), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_get_max (empty), ==, 101);
}

static void
test_empty (void)
{
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (0);

  g_test_summary ("An empty digest has no quantiles, minimum, maximum or mean");

  g_assert_true (isnan (pacer_tdigest_quantile (digest, 0)));
  g_assert_true (isnan (pacer_tdigest_quantile (digest, 0.5)));
  g_assert_true (isnan (pacer_tdigest_quantile (digest, 1)));
  g_assert_true (isnan (pacer_tdigest_get_min (digest)));
  g_assert_true (isnan (pacer_tdigest_get_max (digest)));
  g_assert_true (isnan (pacer_tdigest_get_mean (digest)));
  g_assert_cmpfloat (pacer_tdigest_get_sum (digest), ==, 0);
  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, 0);
}

static void
test_small (void)
{
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (0);
  g_autoptr(PacerTDigest) single = pacer_tdigest_new (0);
  const double values[] = { 5, 1, 4, 2, 3 };

  g_test_summary ("While every value has a centroid of its own, quantiles are exact");

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    pacer_tdigest_add (digest, values[i]);

  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, 5);
  g_assert_cmpfloat (pacer_tdigest_get_sum (digest), ==, 15);
  g_assert_cmpfloat (pacer_tdigest_get_mean (digest), ==, 3);
  g_assert_cmpfloat (pacer_tdigest_get_min (digest), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_get_max (digest), ==, 5);

  /* The i-th smallest of n values stands at q = (i + 1/2) / n. */
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 0.5), ==, 3);
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 0.1), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 0.9), ==, 5);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (digest, 0.4), 2.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (digest, 0.05), 1, 1e-12);
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 0), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_quantile (digest, 1), ==, 5);

  pacer_tdigest_add (single, -2.5);
  for (guint i = 0; i <= 10; i++)
    g_assert_cmpfloat (pacer_tdigest_quantile (single, i / 10.0), ==, -2.5);
  g_assert_cmpfloat (pacer_tdigest_get_mean (single), ==, -2.5);
}

static void
test_duplicates (void)
{
  g_autoptr(PacerTDigest) constant = pacer_tdigest_new (0);
  g_autoptr(PacerTDigest) steps = pacer_tdigest_new (0);

  g_test_summary ("Many equal values, as whole milliseconds give, are summarised correctly");

  for (guint i = 0; i < 200000; i++)
    pacer_tdigest_add (constant, 7);
  for (guint i = 0; i <= 10; i++)
    g_assert_cmpfloat (pacer_tdigest_quantile (constant, i / 10.0), ==, 7);
  g_assert_cmpuint (n_centroids (constant), <=, pacer_tdigest_get_compression (constant) + 2);

  /* 0, 1, …, 9 equally often: each value fills a tenth of the ranks. */
  for (guint i = 0; i < 200000; i++)
    pacer_tdigest_add (steps, i % 10);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (steps, 0.25), 2, 0.05);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (steps, 0.95), 9, 0.05);
  g_assert_cmpfloat (pacer_tdigest_quantile (steps, 0), ==, 0);
  g_assert_cmpfloat (pacer_tdigest_quantile (steps, 1), ==, 9);
}

static void
test_weighted (void)
{
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (0);

  g_test_summary ("A weighted value counts as many times as its weight");

  pacer_tdigest_add_weighted (digest, 1, 1);
  pacer_tdigest_add_weighted (digest, 2, 3);
  pacer_tdigest_add_weighted (digest, 10, 0.25);

  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, 4);
  g_assert_cmpfloat (pacer_tdigest_get_sum (digest), ==, 9.5);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_get_mean (digest), 9.5 / 4.25, 1e-12);
  g_assert_cmpfloat (pacer_tdigest_get_min (digest), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_get_max (digest), ==, 10);
  /* Ranks: 1 covers [0, 1), 2 covers [1, 4), 10 covers [4, 4.25). */
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (digest, 2.5 / 4.25), 2, 1e-9);
}

static void
test_copy (void)
{
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (50);
  g_autoptr(PacerTDigest) copy = NULL;
  double p90;

  g_test_summary ("A copy, values not merged yet included, is independent of the original");

  for (guint i = 0; i < 1000; i++)
    pacer_tdigest_add (digest, i);
  p90 = pacer_tdigest_quantile (digest, 0.9);
  for (guint i = 0; i < 10; i++)
    pacer_tdigest_add (digest, 1000 + i);   /* left pending in the buffer */

  copy = pacer_tdigest_copy (digest);
  g_assert_cmpfloat (pacer_tdigest_get_compression (copy), ==, 50);
  g_assert_cmpuint (pacer_tdigest_get_count (copy), ==, 1010);
  g_assert_cmpfloat (pacer_tdigest_get_max (copy), ==, 1009);
  g_assert_cmpfloat (pacer_tdigest_quantile (copy, 0.9), ==, pacer_tdigest_quantile (digest, 0.9));

  for (guint i = 0; i < 5000; i++)
    pacer_tdigest_add (copy, -1.0 * i);
  g_assert_cmpuint (pacer_tdigest_get_count (copy), ==, 6010);
  g_assert_cmpfloat (pacer_tdigest_get_min (copy), ==, -4999);

  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, 1010);
  g_assert_cmpfloat (pacer_tdigest_get_min (digest), ==, 0);
  g_assert_cmpfloat (pacer_tdigest_get_sum (digest), ==, 499500 + 10045);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (digest, 0.9), p90, 15);

  g_clear_pointer (&digest, pacer_tdigest_free);
  g_assert_cmpuint (pacer_tdigest_get_count (copy), ==, 6010);
  g_assert_cmpfloat (pacer_tdigest_quantile (copy, 1), ==, 1009);
}

static void
test_compression (void)
{
  g_autoptr(PacerTDigest) fallback = pacer_tdigest_new (0);
  g_autoptr(PacerTDigest) negative = pacer_tdigest_new (-1);
  g_autoptr(PacerTDigest) chosen = pacer_tdigest_new (50);
  g_autoptr(PacerTDigest) tiny = pacer_tdigest_new (1);
  g_autoptr(PacerTDigest) huge = pacer_tdigest_new (1e9);

  g_test_summary ("Zero or less means the default compression; others are kept within limits");

  g_assert_cmpfloat (pacer_tdigest_get_compression (fallback), ==, 300);
  g_assert_cmpfloat (pacer_tdigest_get_compression (negative), ==, 300);
  g_assert_cmpfloat (pacer_tdigest_get_compression (chosen), ==, 50);
  g_assert_cmpfloat (pacer_tdigest_get_compression (tiny), ==, 10);
  g_assert_cmpfloat (pacer_tdigest_get_compression (huge), ==, 10000);

  for (guint i = 0; i < 100000; i++)
    pacer_tdigest_add (tiny, i);
  g_assert_cmpuint (n_centroids (tiny), <=, 12);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (tiny, 0.5), 50000, 5000);
}

static void
test_invalid_arguments (void)
{
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (0);

  g_test_summary ("NaN, infinities and weights of zero or less are refused with a critical "
                  "warning and change nothing");

  pacer_tdigest_add (digest, 1);

  g_test_expect_message ("Pacer", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  pacer_tdigest_add (digest, NAN);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Pacer", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  pacer_tdigest_add (digest, INFINITY);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Pacer", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  pacer_tdigest_add_weighted (digest, 1, 0);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Pacer", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  pacer_tdigest_add_weighted (digest, 1, -1);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Pacer", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  pacer_tdigest_add_weighted (digest, -INFINITY, 1);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Pacer", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_true (isnan (pacer_tdigest_quantile (digest, 1.5)));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Pacer", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  g_assert_true (isnan (pacer_tdigest_quantile (digest, NAN)));
  g_test_assert_expected_messages ();

  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_get_sum (digest), ==, 1);
  g_assert_cmpfloat (pacer_tdigest_get_max (digest), ==, 1);
}

static PacerTDigest *
round_trip (PacerTDigest  *digest,
            char         **text_out)
{
  g_autoptr(JsonNode) node = pacer_tdigest_to_json (digest);
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = json_to_string (node, FALSE);
  PacerTDigest *read;

  parsed = json_from_string (text, &error);
  g_assert_no_error (error);
  read = pacer_tdigest_new_from_json (parsed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read);

  if (text_out != NULL)
    *text_out = g_steal_pointer (&text);

  return read;
}

static void
assert_same_digest (PacerTDigest *a,
                    PacerTDigest *b)
{
  g_assert_cmpfloat (pacer_tdigest_get_compression (a), ==, pacer_tdigest_get_compression (b));
  g_assert_cmpuint (pacer_tdigest_get_count (a), ==, pacer_tdigest_get_count (b));
  g_assert_cmpfloat (pacer_tdigest_get_min (a), ==, pacer_tdigest_get_min (b));
  g_assert_cmpfloat (pacer_tdigest_get_max (a), ==, pacer_tdigest_get_max (b));
  g_assert_cmpfloat (pacer_tdigest_get_sum (a), ==, pacer_tdigest_get_sum (b));
  g_assert_cmpfloat (pacer_tdigest_get_mean (a), ==, pacer_tdigest_get_mean (b));

  for (guint i = 0; i <= 10000; i++)
    g_assert_cmpfloat (pacer_tdigest_quantile (a, i / 10000.0), ==,
                       pacer_tdigest_quantile (b, i / 10000.0));
}

static void
test_json_round_trip (void)
{
  g_autoptr(Samples) samples = samples_new (DISTRIBUTION_LOGNORMAL, n_samples ());
  g_autoptr(PacerTDigest) digest = digest_of (samples->values, samples->n);
  g_autoptr(PacerTDigest) weighted = pacer_tdigest_new (100);
  g_autoptr(PacerTDigest) read = NULL;
  g_autoptr(PacerTDigest) read_weighted = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr(PacerTDigest) read_again = NULL;

  g_test_summary ("A digest written to JSON text and read back has exactly the same "
                  "quantiles, and the text is small");

  read = round_trip (digest, &text);
  g_test_message ("%u values: %zu bytes of JSON", samples->n, strlen (text));
  g_assert_cmpuint (strlen (text), <, 8 * 1024);
  assert_same_digest (digest, read);

  /* Reading is lossless: writing again gives the same text. */
  read_again = round_trip (read, &text_again);
  g_assert_cmpstr (text, ==, text_again);

  /* Fractional weights and sums survive too. */
  for (guint i = 0; i < 20000; i++)
    pacer_tdigest_add_weighted (weighted, samples->values[i] - 1.5, 0.1 + (i % 7) * 0.3);
  read_weighted = round_trip (weighted, NULL);
  assert_same_digest (weighted, read_weighted);
}

static void
assert_close (double actual,
              double expected)
{
  g_assert_cmpfloat_with_epsilon (actual, expected, fabs (expected) * 1e-15);
}

static void
test_json_awkward_numbers (void)
{
  /* json-glib 1.6 writes these as "1e-08.0" and the like, which is not JSON. */
  static const double awkward[] = { 1e-08, 3e-09, 2e-16, 1e-10, 1e+20, 5e+18, -2e-19, 4e+19 };
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (0);
  g_autoptr(PacerTDigest) huge = pacer_tdigest_new (0);
  g_autoptr(PacerTDigest) read = NULL;
  g_autoptr(PacerTDigest) read_huge = NULL;

  g_test_summary ("Numbers json-glib cannot write as they are, and a sum that overflowed, "
                  "still give JSON text that reads back");

  for (guint i = 0; i < G_N_ELEMENTS (awkward); i++)
    pacer_tdigest_add (digest, awkward[i]);
  pacer_tdigest_add_weighted (digest, 1e-08, 2e-16);

  read = round_trip (digest, NULL);
  g_assert_cmpuint (pacer_tdigest_get_count (read), ==, pacer_tdigest_get_count (digest));
  assert_close (pacer_tdigest_get_min (read), -2e-19);
  assert_close (pacer_tdigest_get_max (read), 1e+20);
  assert_close (pacer_tdigest_get_sum (read), pacer_tdigest_get_sum (digest));
  for (guint i = 0; i <= 100; i++)
    assert_close (pacer_tdigest_quantile (read, i / 100.0),
                  pacer_tdigest_quantile (digest, i / 100.0));

  pacer_tdigest_add (huge, G_MAXDOUBLE);
  pacer_tdigest_add (huge, G_MAXDOUBLE);
  g_assert_cmpfloat (pacer_tdigest_get_sum (huge), ==, INFINITY);
  read_huge = round_trip (huge, NULL);
  g_assert_cmpfloat (pacer_tdigest_get_sum (read_huge), ==, G_MAXDOUBLE);
  g_assert_cmpfloat (pacer_tdigest_get_mean (read_huge), ==, G_MAXDOUBLE);
  g_assert_cmpfloat (pacer_tdigest_quantile (read_huge, 0.5), ==, G_MAXDOUBLE);
}

static void
test_json_empty (void)
{
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (42);
  g_autoptr(PacerTDigest) read = NULL;
  g_autofree char *text = NULL;

  g_test_summary ("An empty digest is written with null extremes and read back empty");

  read = round_trip (digest, &text);
  g_assert_cmpstr (text, ==,
                   "{\"compression\":42,\"count\":0,\"min\":null,\"max\":null,\"sum\":0,"
                   "\"centroids\":[]}");
  g_assert_cmpfloat (pacer_tdigest_get_compression (read), ==, 42);
  g_assert_cmpuint (pacer_tdigest_get_count (read), ==, 0);
  g_assert_true (isnan (pacer_tdigest_quantile (read, 0.5)));
}

static void
test_json_corrupt (void)
{
  /* Single quotes stand for double quotes, for legibility. */
  static const char * const inputs[] = {
    /* Not an object */
    "[]",
    "null",
    "42",
    "'t-digest'",
    "[{'compression':300}]",
    /* Members missing */
    "{}",
    "{'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1}",
    /* Not numbers, or not finite */
    "{'compression':'300','count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':true,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':null,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':1,'max':[1],'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':{},'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':1,'max':1e999,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[['1',1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,false]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,null]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1e999]]}",
    /* Wrong shapes */
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':{'1':1}}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[1,1]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1,1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[{'mean':1,'weight':1}]}",
    /* Weights of zero or less */
    "{'compression':300,'count':1,'min':1,'max':2,'sum':1,'centroids':[[1,2],[2,-1]]}",
    "{'compression':300,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1],[1,0]]}",
    /* Out of range */
    "{'compression':0,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':-300,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':1e6,'count':1,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':-1,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':1.5,'min':1,'max':1,'sum':1.5,'centroids':[[1,1.5]]}",
    /* Inconsistent */
    "{'compression':300,'count':5,'min':1,'max':1,'sum':1,'centroids':[[1,1]]}",
    "{'compression':300,'count':2,'min':2,'max':1,'sum':3,'centroids':[[1,1],[2,1]]}",
    "{'compression':300,'count':2,'min':1,'max':2,'sum':4,'centroids':[[1,1],[3,1]]}",
    "{'compression':300,'count':2,'min':1,'max':2,'sum':100,'centroids':[[1,1],[2,1]]}",
    "{'compression':300,'count':0,'min':0,'max':null,'sum':0,'centroids':[]}",
    "{'compression':300,'count':3,'min':null,'max':null,'sum':0,'centroids':[]}",
    "{'compression':300,'count':0,'min':null,'max':null,'sum':2,'centroids':[]}",
    "{'compression':300,'count':0,'sum':0,'centroids':[]}",
  };

  g_test_summary ("Every kind of malformed state is refused with PACER_ERROR_CORRUPT_STATE");

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *text = g_strdelimit (g_strdup (inputs[i]), "'", '"');
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(PacerTDigest) digest = NULL;
      g_autoptr(GError) error = NULL;

      node = json_from_string (text, &error);
      g_assert_no_error (error);

      digest = pacer_tdigest_new_from_json (node, &error);
      g_test_message ("%s: %s", text, error != NULL ? error->message : "(accepted)");
      g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      g_assert_null (digest);
    }
}

static PacerTDigest *
digest_from_text (const char *text)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  PacerTDigest *digest;

  node = json_from_string (text, &error);
  g_assert_no_error (error);
  digest = pacer_tdigest_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_nonnull (digest);

  return digest;
}

static void
test_json_lenient (void)
{
  g_autoptr(PacerTDigest) unsorted = NULL;
  g_autoptr(PacerTDigest) many = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *written = NULL;

  g_test_summary ("Unsorted centroids are sorted, too many are merged down, unknown members "
                  "and non-integral numbers that are whole are accepted");

  unsorted = digest_from_text ("{\"compression\": 300.0, \"count\": 3.0, \"min\": 1, "
                               "\"max\": 3, \"sum\": 6, \"centroids\": [[3, 1], [1, 1], [2, 1.0]], "
                               "\"written-by\": \"a later version\"}");
  g_assert_cmpuint (pacer_tdigest_get_count (unsorted), ==, 3);
  g_assert_cmpfloat (pacer_tdigest_quantile (unsorted, 0.5), ==, 2);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (unsorted, 0.5 / 3), 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (unsorted, 2.5 / 3), 3, 1e-9);

  node = pacer_tdigest_to_json (unsorted);
  written = json_to_string (node, FALSE);
  g_assert_cmpstr (written, ==,
                   "{\"compression\":300,\"count\":3,\"min\":1,\"max\":3,\"sum\":6,"
                   "\"centroids\":[[1,1],[2,1],[3,1]]}");

  /* 10 000 single values, sorted: far more centroids than compression 50 keeps. */
  g_string_append (text, "{\"compression\": 50, \"count\": 10000, \"min\": 0, \"max\": 9999, "
                         "\"sum\": 49995000, \"centroids\": [");
  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (text, "%s[%u, 1]", i > 0 ? ", " : "", i);
  g_string_append (text, "]}");

  many = digest_from_text (text->str);
  g_assert_cmpuint (pacer_tdigest_get_count (many), ==, 10000);
  g_assert_cmpuint (n_centroids (many), <=, 52);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (many, 0.5), 5000, 50);
  g_assert_cmpfloat_with_epsilon (pacer_tdigest_quantile (many, 0.99), 9900, 10);
  g_assert_cmpfloat (pacer_tdigest_quantile (many, 1), ==, 9999);
}

static void
test_perf (void)
{
  g_autoptr(Samples) samples = NULL;
  g_autoptr(PacerTDigest) digest = pacer_tdigest_new (0);
  guint rounds = 20;
  gint64 start;
  double ns;

  g_test_summary ("How long adding a value takes (run with -m perf)");

  if (!g_test_perf ())
    {
      g_test_skip ("A measurement; run with -m perf");
      return;
    }

  samples = samples_new (DISTRIBUTION_LOGNORMAL, 1000000);

  start = g_get_monotonic_time ();
  for (guint round = 0; round < rounds; round++)
    for (guint i = 0; i < samples->n; i++)
      pacer_tdigest_add (digest, samples->values[i]);
  ns = (g_get_monotonic_time () - start) * 1000.0 / ((double) rounds * samples->n);

  g_test_minimized_result (ns, "%.1f ns per add", ns);
  g_assert_cmpuint (pacer_tdigest_get_count (digest), ==, (guint64) rounds * samples->n);
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    Distribution distribution;
  } distributions[] = {
    { "uniform", DISTRIBUTION_UNIFORM },
    { "exponential", DISTRIBUTION_EXPONENTIAL },
    { "lognormal", DISTRIBUTION_LOGNORMAL },
  };

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (distributions); i++)
    {
      g_autofree char *accuracy = g_strdup_printf ("/Pacer/TDigest/accuracy/%s",
                                                   distributions[i].name);
      g_autofree char *merge = g_strdup_printf ("/Pacer/TDigest/merge/%s", distributions[i].name);

      g_test_add_data_func (accuracy, GINT_TO_POINTER (distributions[i].distribution),
                            test_accuracy);
      g_test_add_data_func (merge, GINT_TO_POINTER (distributions[i].distribution), test_merge);
    }

  g_test_add_func ("/Pacer/TDigest/merge-self", test_merge_self);
  g_test_add_func ("/Pacer/TDigest/empty", test_empty);
  g_test_add_func ("/Pacer/TDigest/small", test_small);
  g_test_add_func ("/Pacer/TDigest/duplicates", test_duplicates);
  g_test_add_func ("/Pacer/TDigest/weighted", test_weighted);
  g_test_add_func ("/Pacer/TDigest/copy", test_copy);
  g_test_add_func ("/Pacer/TDigest/compression", test_compression);
  g_test_add_func ("/Pacer/TDigest/invalid-arguments", test_invalid_arguments);
  g_test_add_func ("/Pacer/TDigest/json/round-trip", test_json_round_trip);
  g_test_add_func ("/Pacer/TDigest/json/empty", test_json_empty);
  g_test_add_func ("/Pacer/TDigest/json/awkward-numbers", test_json_awkward_numbers);
  g_test_add_func ("/Pacer/TDigest/json/corrupt", test_json_corrupt);
  g_test_add_func ("/Pacer/TDigest/json/lenient", test_json_lenient);
  g_test_add_func ("/Pacer/TDigest/perf", test_perf);

  return g_test_run ();
}
