/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerTDigest:
 *
 * A small summary of a stream of numbers that estimates its quantiles, such as
 * the median or the 99th percentile of call latencies.
 *
 * `PacerTDigest` is a merging t-digest (Dunning and Ertl, “Computing Extremely
 * Accurate Quantiles Using t-Digests”, 2019). Values are appended to a buffer;
 * when the buffer is full it is sorted and merged into a list of centroids
 * (a mean and a weight each) whose sizes follow the `k1` scale function, so
 * centroids near the tails are small and the tails are estimated well. Quantiles
 * are interpolated between centroids, and the smallest and largest values are
 * kept exactly.
 *
 * The compression parameter δ bounds the digest, whatever the number of values
 * added: it holds at most δ + 2 centroids (about 0.6·δ in practice) and 3·δ
 * buffered values, in about 112·δ bytes at most (34 KiB at the default δ of 300; a
 * digest that has seen few values uses less). Adding a value is amortised
 * constant time, a few tens of nanoseconds, and allocates nothing once the
 * buffer has reached its full size. At the default compression the 50th, 90th
 * and 99th percentiles of a million values are within about 0.5 % of the exact ones
 * for uniform, exponential and lognormal data.
 *
 * A digest is a plain value: it is not thread-safe, and a caller sharing one
 * between threads must hold a lock around every call, reading ones included,
 * since [method@Pacer.TDigest.quantile] merges pending values.
 *
 * ```c
 * g_autoptr(PacerTDigest) latencies = pacer_tdigest_new (0);   // default compression
 * g_autoptr(JsonNode) state = NULL;
 *
 * for (guint i = 0; i < n_calls; i++)
 *   pacer_tdigest_add (latencies, call_seconds[i]);
 *
 * g_print ("p99: %.3f s\n", pacer_tdigest_quantile (latencies, 0.99));
 *
 * state = pacer_tdigest_to_json (latencies);   // for pacer_tdigest_new_from_json()
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include "pacer-tdigest.h"
#include "pacer-error.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-glib-private.h"

#define DEFAULT_COMPRESSION 300.0
#define MIN_COMPRESSION 10.0
#define MAX_COMPRESSION 10000.0

/* Buffered values per unit of compression. Each merge costs O(δ) trigonometry and
 * copying on top of sorting the buffer, spread over the 3δ values it merges: a
 * larger buffer saves little time (5δ, Dunning's choice, 7 %) for much memory. */
#define BUFFER_FACTOR 3

/* The first allocation; the cells grow geometrically up to their full size, so a
 * digest that sees few values stays small. */
#define MIN_CELLS 32

typedef struct
{
  double mean;
  double weight;
} Centroid;

struct _PacerTDigest
{
  double compression;
  double cos_step;        /* cos (2π/δ) and sin (2π/δ), for k1_limit() */
  double sin_step;

  /* cells[0, n_merged) are merged centroids sorted by mean; cells[n_merged,
   * n_merged + n_buffered) are values not merged yet, in arrival order. */
  Centroid *cells;
  guint n_cells;          /* allocated */
  guint max_cells;        /* n_cells grows up to this, then the buffer is merged */
  guint n_merged;
  guint n_buffered;

  /* Room for the radix sort of the buffer, then for a copy of the merged
   * centroids while they are merged with it. */
  Centroid *scratch;
  guint n_scratch;

  /* The summed weights of the merged centroids, added in order so a digest read
   * back from JSON has exactly the same total; and of the buffered values. */
  double merged_weight;
  double buffered_weight;

  double sum;
  double min;
  double max;

  /* Merges alternate between ascending and descending passes: always merging in
   * one direction would leave the centroids on one side systematically fuller. */
  gboolean descending;
};

G_DEFINE_BOXED_TYPE (PacerTDigest, pacer_tdigest, pacer_tdigest_copy, pacer_tdigest_free)

/* The most centroids a merge can leave: any two neighbouring centroids span more
 * than one unit of k between them and k1 spans δ/2 units, so there are at most δ + 2.
 * The margin covers rounding. */
static guint
merged_bound (double compression)
{
  return (guint) ceil (compression) + 8;
}

/* Sorting the buffer is most of the cost of adding a value. A comparison sort
 * mispredicts a branch for nearly every comparison of random values; this least
 * significant digit radix sort on the bits of the mean does not compare at all,
 * takes linear time on any input, duplicates included, and is stable. @tmp holds
 * @n centroids. */

/* Maps a double to an integer that sorts in the same order (-0 before +0). */
static inline guint64
sort_key (double value)
{
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);

  return (bits >> 63) ? ~bits : bits | G_GUINT64_CONSTANT (0x8000000000000000);
}

static void
centroid_sort (Centroid *cells,
               Centroid *tmp,
               gsize     n)
{
  guint32 counts[8][256];
  Centroid *from = cells;
  Centroid *to = tmp;

  if (n <= 32)
    {
      for (gsize i = 1; i < n; i++)
        {
          Centroid c = cells[i];
          gsize j = i;

          while (j > 0 && cells[j - 1].mean > c.mean)
            {
              cells[j] = cells[j - 1];
              j--;
            }
          cells[j] = c;
        }
      return;
    }

  memset (counts, 0, sizeof counts);
  for (gsize i = 0; i < n; i++)
    {
      guint64 key = sort_key (cells[i].mean);

      for (guint digit = 0; digit < 8; digit++)
        counts[digit][(key >> (8 * digit)) & 0xff]++;
    }

  for (guint digit = 0; digit < 8; digit++)
    {
      guint32 *offsets = counts[digit];
      guint shift = 8 * digit;
      guint32 offset = 0;
      Centroid *swap;

      /* Values of one magnitude share their high bytes: skip those passes. */
      if (offsets[(sort_key (from[0].mean) >> shift) & 0xff] == n)
        continue;

      for (guint d = 0; d < 256; d++)
        {
          guint32 count = offsets[d];

          offsets[d] = offset;
          offset += count;
        }
      for (gsize i = 0; i < n; i++)
        to[offsets[(sort_key (from[i].mean) >> shift) & 0xff]++] = from[i];

      swap = from;
      from = to;
      to = swap;
    }

  if (from != cells)
    memcpy (cells, from, n * sizeof *cells);
}

/* The k1 scale function is k(q) = δ/(2π)·asin(2q − 1). A centroid that starts after
 * @before of the @total weight may grow until it spans one unit of k, that is until
 * the angle asin(2q − 1) has grown by s = 2π/δ; this returns the cumulative weight
 * at which it must end. Since sin(asin(x) + s) = x·cos s + √(1 − x²)·sin s, no
 * trigonometry is needed once cos s and sin s are known. The scale is symmetric,
 * so a descending pass uses it with the weight counted from the top. */
typedef struct
{
  double total;
  double cos_step;
  double sin_step;
} Scale;

static inline double
k1_limit (const Scale *scale,
          double       before)
{
  double x = CLAMP (2.0 * before / scale->total - 1.0, -1.0, 1.0);

  /* asin(x) + s reaches π/2, the end of the scale: no limit. */
  if (x >= scale->cos_step)
    return INFINITY;

  return scale->total * 0.5 *
         (1.0 + x * scale->cos_step + sqrt ((1.0 - x) * (1.0 + x)) * scale->sin_step);
}

/* Merges the sorted @cells in place, lowest mean first, and returns how many
 * centroids are left at the front of @cells. */
static guint
merge_ascending (Centroid    *cells,
                 guint        n,
                 const Scale *scale)
{
  Centroid current = cells[0];
  double lowest = current.mean;
  double before = 0;
  double limit = k1_limit (scale, 0);
  guint out = 0;

  for (guint i = 1; i < n; i++)
    {
      Centroid c = cells[i];

      if (before + current.weight + c.weight <= limit)
        {
          current.weight += c.weight;
          current.mean += (c.mean - current.mean) * (c.weight / current.weight);
          /* Rounding must not carry a mean outside the values merged into it:
           * the means stay sorted and within [min, max]. */
          current.mean = CLAMP (current.mean, lowest, c.mean);
        }
      else
        {
          cells[out++] = current;
          before += current.weight;
          limit = k1_limit (scale, before);
          current = c;
          lowest = c.mean;
        }
    }
  cells[out++] = current;

  return out;
}

/* As merge_ascending(), highest mean first. */
static guint
merge_descending (Centroid    *cells,
                  guint        n,
                  const Scale *scale)
{
  Centroid current = cells[n - 1];
  double highest = current.mean;
  double after = 0;
  double limit = k1_limit (scale, 0);
  guint out = n - 1;
  guint kept;

  for (guint i = n - 1; i-- > 0;)
    {
      Centroid c = cells[i];

      if (after + current.weight + c.weight <= limit)
        {
          current.weight += c.weight;
          current.mean += (c.mean - current.mean) * (c.weight / current.weight);
          current.mean = CLAMP (current.mean, c.mean, highest);
        }
      else
        {
          cells[out--] = current;
          after += current.weight;
          limit = k1_limit (scale, after);
          current = c;
          highest = c.mean;
        }
    }
  cells[out] = current;

  kept = n - out;
  memmove (cells, cells + out, kept * sizeof *cells);

  return kept;
}

/* Merges the buffered values into the centroids. */
static void
tdigest_flush (PacerTDigest *self)
{
  Centroid *cells = self->cells;
  guint n_merged = self->n_merged;
  guint n = n_merged + self->n_buffered;
  Scale scale;
  double weight = 0;

  if (self->n_buffered == 0)
    return;

  if (self->n_scratch < MAX (n_merged, self->n_buffered))
    {
      self->n_scratch = MAX (n_merged, self->n_buffered);
      self->scratch = g_renew (Centroid, self->scratch, self->n_scratch);
    }

  centroid_sort (cells + n_merged, self->scratch, self->n_buffered);

  /* Merge the two sorted runs into cells[0, n). The write position never passes
   * the next buffered value, so only the centroids need copying out first. */
  if (n_merged > 0)
    {
      guint i = 0;
      guint j = n_merged;
      guint out = 0;

      memcpy (self->scratch, cells, n_merged * sizeof *cells);

      while (i < n_merged && j < n)
        {
          if (cells[j].mean < self->scratch[i].mean)
            cells[out++] = cells[j++];
          else
            cells[out++] = self->scratch[i++];
        }
      while (i < n_merged)
        cells[out++] = self->scratch[i++];
    }

  scale.total = self->merged_weight + self->buffered_weight;
  scale.cos_step = self->cos_step;
  scale.sin_step = self->sin_step;
  if (self->descending)
    self->n_merged = merge_descending (cells, n, &scale);
  else
    self->n_merged = merge_ascending (cells, n, &scale);
  self->descending = !self->descending;
  self->n_buffered = 0;
  self->buffered_weight = 0;

  for (guint i = 0; i < self->n_merged; i++)
    weight += cells[i].weight;
  self->merged_weight = weight;
}

static void
tdigest_grow (PacerTDigest *self,
              guint         n_cells)
{
  self->cells = g_renew (Centroid, self->cells, n_cells);
  self->n_cells = n_cells;
}

/* Appends a centroid to the buffer without touching the sum, min or max. */
static inline void
tdigest_push (PacerTDigest *self,
              double        mean,
              double        weight)
{
  guint used = self->n_merged + self->n_buffered;

  if (G_UNLIKELY (used == self->n_cells))
    {
      if (self->n_cells < self->max_cells)
        {
          tdigest_grow (self, MIN (self->max_cells, MAX (MIN_CELLS, 2 * self->n_cells)));
        }
      else
        {
          tdigest_flush (self);
          /* Cannot happen by the bound on the number of centroids, but a full
           * digest must never be written past. */
          if (self->n_merged == self->n_cells)
            tdigest_grow (self, self->n_cells + MIN_CELLS);
        }
      used = self->n_merged + self->n_buffered;
    }

  self->cells[used].mean = mean;
  self->cells[used].weight = weight;
  self->n_buffered++;
  self->buffered_weight += weight;
}

static double
tdigest_total_weight (const PacerTDigest *self)
{
  return self->merged_weight + self->buffered_weight;
}

static gboolean
tdigest_is_empty (const PacerTDigest *self)
{
  return self->n_merged + self->n_buffered == 0;
}

/**
 * pacer_tdigest_new:
 * @compression: the compression δ, or zero or less for the default of 300
 *
 * Makes an empty digest.
 *
 * The compression trades size for accuracy: the number of centroids, the
 * memory used and the size of [method@Pacer.TDigest.to_json]'s output grow in
 * proportion to it, and the error of a quantile falls at least as fast. The
 * default of 300 estimates the 50th to 99th percentiles of a million values
 * to within about 0.5 %, and serialises to about 5 KB. Values below 10 are raised
 * to 10 and values above 10 000 lowered to 10 000.
 *
 * Returns: (transfer full): a new, empty digest
 *
 * Since: 1.0
 */
PacerTDigest *
pacer_tdigest_new (double compression)
{
  PacerTDigest *self;

  g_return_val_if_fail (!isnan (compression), NULL);

  if (compression <= 0)
    compression = DEFAULT_COMPRESSION;
  compression = CLAMP (compression, MIN_COMPRESSION, MAX_COMPRESSION);

  self = g_new0 (PacerTDigest, 1);
  self->compression = compression;
  self->cos_step = cos (2.0 * G_PI / compression);
  self->sin_step = sin (2.0 * G_PI / compression);
  self->max_cells = merged_bound (compression) + BUFFER_FACTOR * (guint) ceil (compression);
  self->sum = 0;
  self->min = INFINITY;
  self->max = -INFINITY;

  return self;
}

/**
 * pacer_tdigest_copy:
 * @self: a digest
 *
 * Copies a digest, values not merged yet included. The copy and the original
 * are independent.
 *
 * Returns: (transfer full): a copy of @self
 *
 * Since: 1.0
 */
PacerTDigest *
pacer_tdigest_copy (const PacerTDigest *self)
{
  PacerTDigest *copy;
  guint used;

  g_return_val_if_fail (self != NULL, NULL);

  used = self->n_merged + self->n_buffered;

  copy = g_memdup2 (self, sizeof *self);
  copy->cells = NULL;
  copy->n_cells = 0;
  copy->scratch = NULL;
  copy->n_scratch = 0;

  if (self->n_cells > 0)
    {
      tdigest_grow (copy, self->n_cells);
      memcpy (copy->cells, self->cells, used * sizeof *self->cells);
    }

  return copy;
}

/**
 * pacer_tdigest_free:
 * @self: (transfer full) (nullable): a digest
 *
 * Frees a digest. Does nothing if @self is `NULL`.
 *
 * Since: 1.0
 */
void
pacer_tdigest_free (PacerTDigest *self)
{
  if (self == NULL)
    return;

  g_free (self->cells);
  g_free (self->scratch);
  g_free (self);
}

/**
 * pacer_tdigest_add:
 * @self: a digest
 * @value: the value, a finite number
 *
 * Adds one value to the digest. NaN and infinities are refused with a
 * critical warning and leave the digest unchanged.
 *
 * Amortised constant time: a value is appended to a buffer, and the buffer is
 * merged into the centroids once it holds 3 × @compression values.
 *
 * Since: 1.0
 */
void
pacer_tdigest_add (PacerTDigest *self,
                   double        value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (value));

  tdigest_push (self, value, 1.0);
  self->sum += value;
  if (value < self->min)
    self->min = value;
  if (value > self->max)
    self->max = value;
}

/**
 * pacer_tdigest_add_weighted:
 * @self: a digest
 * @value: the value, a finite number
 * @weight: how many times @value counts, finite and greater than zero;
 *   it need not be a whole number
 *
 * Adds a value that counts @weight times, as a pre-aggregated sample does.
 * NaN, infinities and weights of zero or less are refused with a critical
 * warning and leave the digest unchanged.
 *
 * Since: 1.0
 */
void
pacer_tdigest_add_weighted (PacerTDigest *self,
                            double        value,
                            double        weight)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (value));
  g_return_if_fail (isfinite (weight) && weight > 0);

  tdigest_push (self, value, weight);
  self->sum += value * weight;
  if (value < self->min)
    self->min = value;
  if (value > self->max)
    self->max = value;
}

/**
 * pacer_tdigest_merge:
 * @self: a digest
 * @other: the digest to add to @self
 *
 * Adds everything @other summarises to @self, as if every value added to
 * @other had been added to @self. @other is not changed, and may be @self.
 *
 * The compression of @self is kept. Digests of parts of a data set that are
 * merged estimate quantiles about as well as one digest of all of it.
 *
 * Since: 1.0
 */
void
pacer_tdigest_merge (PacerTDigest       *self,
                     const PacerTDigest *other)
{
  guint used;

  g_return_if_fail (self != NULL);
  g_return_if_fail (other != NULL);

  if (self == other)
    {
      g_autoptr(PacerTDigest) copy = pacer_tdigest_copy (other);

      pacer_tdigest_merge (self, copy);
      return;
    }

  used = other->n_merged + other->n_buffered;
  for (guint i = 0; i < used; i++)
    tdigest_push (self, other->cells[i].mean, other->cells[i].weight);

  if (used > 0)
    {
      self->sum += other->sum;
      self->min = MIN (self->min, other->min);
      self->max = MAX (self->max, other->max);
    }
}

static inline double
interpolate (double from_rank,
             double from_value,
             double to_rank,
             double to_value,
             double rank)
{
  double f;

  if (!(to_rank > from_rank))
    return to_value;

  /* Written so no intermediate overflows, even between -G_MAXDOUBLE and G_MAXDOUBLE. */
  f = (rank - from_rank) / (to_rank - from_rank);
  return from_value * (1.0 - f) + to_value * f;
}

/**
 * pacer_tdigest_quantile:
 * @self: a digest
 * @q: the quantile, from 0 to 1: 0.5 for the median, 0.99 for the 99th percentile
 *
 * Estimates the value below which a fraction @q of the values added lie.
 *
 * Each centroid stands at the middle of the ranks it covers, and the estimate
 * is interpolated linearly between the two centroids around @q, or between a
 * centroid and the exact minimum or maximum at the ends: @q of 0 gives the
 * minimum and @q of 1 the maximum exactly. While each value still has a
 * centroid of its own, as with a few dozen values, this is the usual quantile
 * of the data (Hyndman and Fan's definition 5, bounded by the extremes).
 *
 * Merges any values not merged yet first, which takes time proportional to the
 * compression: to follow a quantile, query it now and then rather than after
 * every value.
 *
 * Returns: the estimate, or NaN if the digest is empty (or if @q is outside
 *   [0, 1], a programming error reported with a critical warning)
 *
 * Since: 1.0
 */
double
pacer_tdigest_quantile (PacerTDigest *self,
                        double        q)
{
  const Centroid *cells;
  double rank;
  double before = 0;
  double from_rank = 0;
  double from_value;
  double estimate;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (q >= 0 && q <= 1, NAN);

  if (tdigest_is_empty (self))
    return NAN;
  if (q == 0)
    return self->min;
  if (q == 1)
    return self->max;

  tdigest_flush (self);

  cells = self->cells;
  rank = q * self->merged_weight;
  from_value = self->min;
  estimate = NAN;

  for (guint i = 0; i < self->n_merged; i++)
    {
      double middle = before + cells[i].weight / 2;

      if (rank < middle)
        {
          estimate = interpolate (from_rank, from_value, middle, cells[i].mean, rank);
          break;
        }

      from_rank = middle;
      from_value = cells[i].mean;
      before += cells[i].weight;
    }

  if (isnan (estimate))
    estimate = interpolate (from_rank, from_value, self->merged_weight, self->max, rank);

  return CLAMP (estimate, self->min, self->max);
}

/**
 * pacer_tdigest_get_count:
 * @self: a digest
 *
 * Gets how many values were added: the total weight, rounded to the nearest
 * whole number.
 *
 * Returns: the number of values added
 *
 * Since: 1.0
 */
guint64
pacer_tdigest_get_count (const PacerTDigest *self)
{
  double total;

  g_return_val_if_fail (self != NULL, 0);

  total = tdigest_total_weight (self);
  if (total >= 18446744073709551615.0)
    return G_MAXUINT64;

  return (guint64) (total + 0.5);
}

/**
 * pacer_tdigest_get_min:
 * @self: a digest
 *
 * Gets the smallest value added, exactly.
 *
 * Returns: the smallest value, or NaN if the digest is empty
 *
 * Since: 1.0
 */
double
pacer_tdigest_get_min (const PacerTDigest *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  return tdigest_is_empty (self) ? NAN : self->min;
}

/**
 * pacer_tdigest_get_max:
 * @self: a digest
 *
 * Gets the largest value added, exactly.
 *
 * Returns: the largest value, or NaN if the digest is empty
 *
 * Since: 1.0
 */
double
pacer_tdigest_get_max (const PacerTDigest *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  return tdigest_is_empty (self) ? NAN : self->max;
}

/**
 * pacer_tdigest_get_mean:
 * @self: a digest
 *
 * Gets the mean of the values added, each counted by its weight.
 *
 * Returns: the mean, or NaN if the digest is empty
 *
 * Since: 1.0
 */
double
pacer_tdigest_get_mean (const PacerTDigest *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  if (tdigest_is_empty (self))
    return NAN;

  return CLAMP (self->sum / tdigest_total_weight (self), self->min, self->max);
}

/**
 * pacer_tdigest_get_sum:
 * @self: a digest
 *
 * Gets the sum of the values added, each multiplied by its weight.
 *
 * Returns: the sum, 0 if the digest is empty
 *
 * Since: 1.0
 */
double
pacer_tdigest_get_sum (const PacerTDigest *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->sum;
}

/**
 * pacer_tdigest_get_compression:
 * @self: a digest
 *
 * Gets the compression the digest was made with, after the default and the
 * limits described at [ctor@Pacer.TDigest.new] were applied.
 *
 * Returns: the compression δ
 *
 * Since: 1.0
 */
double
pacer_tdigest_get_compression (const PacerTDigest *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->compression;
}

/* Whole numbers are written as JSON integers: "3" is shorter than "3.0". Every
 * whole double of magnitude below 2^63 is exactly a gint64. */
static gboolean
is_exact_integer (double value)
{
  return fabs (value) < 9223372036854775808.0 && value == trunc (value) &&
         !(value == 0 && signbit (value));
}

/* json-glib 1.6 writes a double as g_ascii_dtostr() does and appends ".0" when
 * that has no decimal point, which turns 1e-08 into "1e-08.0": text that no JSON
 * parser, json-glib's included, accepts. The doubles this happens to are those
 * that print as one digit and an exponent; such a value is written one unit in
 * the last place towards @direction instead, a neighbour that prints with a
 * point. The directions keep min <= means <= max and weights positive. */
static JsonNode *
number_node (double value,
             double direction)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  JsonNode *node = json_node_alloc ();

  if (is_exact_integer (value))
    return json_node_init_int (node, (gint64) value);

  g_ascii_dtostr (text, sizeof text, value);
  if (strchr (text, '.') == NULL && strchr (text, 'e') != NULL)
    value = nextafter (value, direction);

  return json_node_init_double (node, value);
}

/**
 * pacer_tdigest_to_json:
 * @self: a digest
 *
 * Serialises the digest, merging any values not merged yet first.
 *
 * The result is an object; for the values 0.0021, 0.0034, 0.0071, 0.0071 and
 * 1.93 (the numbers shortened here):
 *
 * ```json
 * {
 *   "compression": 300,
 *   "count": 5,
 *   "min": 0.0021,
 *   "max": 1.93,
 *   "sum": 1.9497,
 *   "centroids": [[0.0021, 1], [0.0034, 1], [0.0071, 1], [0.0071, 1], [1.93, 1]]
 * }
 * ```
 *
 * `centroids` lists each centroid as its mean and weight, sorted by mean;
 * whole numbers are written as integers. An empty digest has `null` for `min`
 * and `max` and no centroids. Doubles are written with all their digits, so
 * [ctor@Pacer.TDigest.new_from_json] gives back a digest whose quantiles are
 * exactly those of @self, with one exception: json-glib 1.6 cannot write a
 * double that prints as a single digit and an exponent, such as 1e-08 or
 * 2e-16, so such a number is written as its nearest neighbour instead, which
 * differs from it in the seventeenth significant digit. At the default
 * compression the text is at most a few kilobytes, however many values were
 * added.
 *
 * Returns: (transfer full): a new JSON object node
 *
 * Since: 1.0
 */
JsonNode *
pacer_tdigest_to_json (PacerTDigest *self)
{
  g_autoptr(JsonObject) object = NULL;
  JsonArray *centroids;
  gboolean empty;

  g_return_val_if_fail (self != NULL, NULL);

  tdigest_flush (self);
  empty = tdigest_is_empty (self);

  object = json_object_new ();
  json_object_set_member (object, "compression", number_node (self->compression, 0));
  json_object_set_int_member (object, "count",
                              (gint64) MIN (pacer_tdigest_get_count (self), (guint64) G_MAXINT64));
  if (empty)
    {
      json_object_set_null_member (object, "min");
      json_object_set_null_member (object, "max");
    }
  else
    {
      json_object_set_member (object, "min", number_node (self->min, -INFINITY));
      json_object_set_member (object, "max", number_node (self->max, INFINITY));
    }
  /* A sum that overflowed is written as the largest double: JSON has no infinity. */
  json_object_set_member (object, "sum",
                          number_node (CLAMP (self->sum, -G_MAXDOUBLE, G_MAXDOUBLE), 0));

  centroids = json_array_sized_new (self->n_merged);
  for (guint i = 0; i < self->n_merged; i++)
    {
      JsonArray *pair = json_array_sized_new (2);

      json_array_add_element (pair, number_node (self->cells[i].mean, -INFINITY));
      json_array_add_element (pair, number_node (self->cells[i].weight, 0));
      json_array_add_array_element (centroids, pair);
    }
  json_object_set_array_member (object, "centroids", centroids);

  return json_node_init_object (json_node_alloc (), object);
}

/* Reads a finite JSON number, integer or not; never a boolean or a string. */
static gboolean
node_get_number (JsonNode *node,
                 double   *value)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;

  return isfinite (*value);
}

static gboolean
object_get_number (JsonObject  *object,
                   const char  *name,
                   double      *value,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("The t-digest state has no “%s” member"), name);
      return FALSE;
    }
  if (!node_get_number (node, value))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("The t-digest member “%s” is not a finite number"), name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
object_member_is_null (JsonObject *object,
                       const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_NULL (node);
}

/**
 * pacer_tdigest_new_from_json:
 * @node: a JSON node, as made by [method@Pacer.TDigest.to_json]
 * @error: return location for a [type@GLib.Error]
 *
 * Reads back a digest serialised by [method@Pacer.TDigest.to_json].
 *
 * Everything is checked: @node must be an object with every member described
 * there; the compression must be from 10 to 10 000; each centroid must be an
 * array of two finite numbers, a mean from `min` to `max` and a weight greater
 * than zero; `count` must be a whole number that is the centroid weights'
 * total, rounded; and `min`, `max` and `sum` must be consistent with each other
 * (`null` for `min` and `max`, and 0 for `sum`, when there are no centroids).
 * Members not described are ignored, so a later version may add some.
 *
 * Centroids need not be sorted, nor fewer than the compression allows: such
 * input, which this library never writes, is sorted and merged down like added
 * values. Sorted input within the bound is taken as it is, so quantiles come
 * back exactly.
 *
 * Returns: (transfer full) (nullable): a new digest, or `NULL` with
 *   `PACER_ERROR_CORRUPT_STATE` if @node is not a valid digest
 *
 * Since: 1.0
 */
PacerTDigest *
pacer_tdigest_new_from_json (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(PacerTDigest) self = NULL;
  JsonObject *object;
  JsonNode *member;
  JsonArray *centroids;
  double compression;
  double count;
  double sum;
  double min = NAN;
  double max = NAN;
  double total = 0;
  double slack;
  gboolean sorted = TRUE;
  g_autofree Centroid *cells = NULL;
  guint n;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _pacer_ensure_i18n ();

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                           _("The t-digest state is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  if (!object_get_number (object, "compression", &compression, error) ||
      !object_get_number (object, "count", &count, error) ||
      !object_get_number (object, "sum", &sum, error))
    return NULL;

  if (compression < MIN_COMPRESSION || compression > MAX_COMPRESSION)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("The t-digest compression %g is outside the range from %g to %g"),
                   compression, MIN_COMPRESSION, MAX_COMPRESSION);
      return NULL;
    }

  if (count < 0 || count != trunc (count))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("The t-digest count %g is not a whole number of values"), count);
      return NULL;
    }

  member = json_object_get_member (object, "centroids");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      g_set_error_literal (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                           _("The t-digest member “centroids” is missing or not an array"));
      return NULL;
    }
  centroids = json_node_get_array (member);
  n = json_array_get_length (centroids);

  if (n == 0)
    {
      if (!object_member_is_null (object, "min") || !object_member_is_null (object, "max") ||
          count != 0 || sum != 0)
        {
          g_set_error_literal (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                               _("The t-digest has no centroids but has a count, a sum, "
                                 "a minimum or a maximum"));
          return NULL;
        }

      return pacer_tdigest_new (compression);
    }

  if (!object_get_number (object, "min", &min, error) ||
      !object_get_number (object, "max", &max, error))
    return NULL;

  if (min > max)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("The t-digest minimum %g is greater than its maximum %g"), min, max);
      return NULL;
    }

  cells = g_new (Centroid, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (centroids, i);
      JsonArray *pair = JSON_NODE_HOLDS_ARRAY (element) ? json_node_get_array (element) : NULL;
      Centroid *c = &cells[i];

      if (pair == NULL || json_array_get_length (pair) != 2 ||
          !node_get_number (json_array_get_element (pair, 0), &c->mean) ||
          !node_get_number (json_array_get_element (pair, 1), &c->weight))
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                       _("The t-digest centroid %u is not a pair of finite numbers [mean, weight]"),
                       i);
          return NULL;
        }
      if (c->weight <= 0)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                       _("The t-digest centroid %u has the weight %g, "
                         "which is not greater than zero"),
                       i, c->weight);
          return NULL;
        }
      if (c->mean < min || c->mean > max)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                       _("The t-digest centroid %u has the mean %g, "
                         "outside its minimum %g and maximum %g"),
                       i, c->mean, min, max);
          return NULL;
        }

      sorted = sorted && (i == 0 || c->mean >= cells[i - 1].mean);
      total += c->weight;
    }

  /* The count is the total weight rounded, which differs from it by half at most. */
  if (!isfinite (total) || fabs (count - total) > 0.5 + total * 1e-12)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("The t-digest count %g does not match the total weight %g of its centroids"),
                   count, total);
      return NULL;
    }

  /* The mean lies between the minimum and the maximum, give or take rounding,
   * unless the sum overflowed. */
  slack = 1e-6 * MAX (fabs (min), fabs (max));
  if (fabs (sum) < G_MAXDOUBLE && !(sum / total >= min - slack && sum / total <= max + slack))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("The t-digest sum %g is impossible for values from %g to %g"), sum, min, max);
      return NULL;
    }

  self = pacer_tdigest_new (compression);

  if (sorted && n <= merged_bound (self->compression))
    {
      /* Taken as they are, and totalled in the same order as tdigest_flush() does,
       * so the quantiles are exactly those of the digest that was written. */
      tdigest_grow (self, MIN (self->max_cells, MAX (MIN_CELLS, n + n / 2)));
      memcpy (self->cells, cells, n * sizeof *cells);
      self->n_merged = n;
      self->merged_weight = total;
    }
  else
    {
      for (guint i = 0; i < n; i++)
        tdigest_push (self, cells[i].mean, cells[i].weight);
      tdigest_flush (self);
    }

  self->sum = sum;
  self->min = min;
  self->max = max;

  return g_steal_pointer (&self);
}
