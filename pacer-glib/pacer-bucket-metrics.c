/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "pacer-bucket-metrics-private.h"
#include "pacer-store.h"
#include "pacer-worker.h"

#define USEC_PER_SEC 1000000.0
#define OBSERVATION_SPACING (G_USEC_PER_SEC / 4)
#define FLUSH_SPACING G_USEC_PER_SEC
#define DIGEST_COMPRESSION 100

/* A point (slot time, calls so far) seen by this process; windowed rates and
 * drift are differences between two of them. */
typedef struct
{
  gint64 time;
  gint64 count;
} Observation;

struct _PacerBucketMetrics
{
  PacerSharedJson *shared_json;
  char *part;   /* this object's part of the store's parts */

  PacerTDigest *durations;
  PacerTDigest *waits;
  GArray *observations;  /* Observation, oldest first */
  gint64 last_flush;
  gboolean dirty;
};

static gint instance_counter;

PacerBucketMetrics *
_pacer_bucket_metrics_new (PacerSharedJson *shared_json)
{
  PacerBucketMetrics *self = g_new0 (PacerBucketMetrics, 1);

  self->shared_json = g_object_ref (shared_json);
  /* One part per bucket object: buckets never write over each other's metrics,
   * and the host keeps processes of different machines apart. */
  self->part = g_strdup_printf ("%s-%s-%d-%u", g_get_host_name (), pacer_worker_get_id (),
                                (int) getpid (),
                                (guint) g_atomic_int_add (&instance_counter, 1));
  g_strcanon (self->part, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "-_.", '_');
  self->durations = pacer_tdigest_new (DIGEST_COMPRESSION);
  self->waits = pacer_tdigest_new (DIGEST_COMPRESSION);
  self->observations = g_array_new (FALSE, FALSE, sizeof (Observation));
  return self;
}

void
_pacer_bucket_metrics_free (PacerBucketMetrics *self)
{
  g_clear_object (&self->shared_json);
  g_free (self->part);
  g_clear_pointer (&self->durations, pacer_tdigest_free);
  g_clear_pointer (&self->waits, pacer_tdigest_free);
  g_clear_pointer (&self->observations, g_array_unref);
  g_free (self);
}

void
_pacer_bucket_metrics_add_wait (PacerBucketMetrics *self,
                                double              seconds)
{
  pacer_tdigest_add (self->waits, seconds);
  self->dirty = TRUE;
}

void
_pacer_bucket_metrics_add_duration (PacerBucketMetrics *self,
                                    double              seconds)
{
  pacer_tdigest_add (self->durations, seconds);
  self->dirty = TRUE;
}

/* @longest_window (seconds) is the longest window a rate will be asked
 * for; older points are dropped. */
void
_pacer_bucket_metrics_observe (PacerBucketMetrics *self,
                               gint64              time,
                               gint64              count,
                               guint               longest_window)
{
  Observation obs = { time, count };
  guint drop = 0;
  gint64 keep_after;

  if (self->observations->len > 0)
    {
      Observation *last = &g_array_index (self->observations, Observation, self->observations->len - 1);

      if (time < last->time || count < last->count)
        return;
      if (time - last->time < OBSERVATION_SPACING)
        {
          /* Keep the newest point, but only when the one before it stays spaced. */
          if (self->observations->len > 1 &&
              time - g_array_index (self->observations, Observation, self->observations->len - 2).time < OBSERVATION_SPACING)
            *last = obs;
          else
            g_array_append_val (self->observations, obs);
          return;
        }
    }
  g_array_append_val (self->observations, obs);

  /* Keep one point older than the longest window so that window stays whole. */
  keep_after = time - (gint64) longest_window * G_USEC_PER_SEC;
  while (drop + 1 < self->observations->len &&
         g_array_index (self->observations, Observation, drop + 1).time <= keep_after)
    drop++;
  if (drop > 0)
    g_array_remove_range (self->observations, 0, drop);
}

/* Calls per hour over the @window seconds before @now, at which @count calls
 * had been let through; NaN when this process has seen too little. */
double
_pacer_bucket_metrics_windowed_rate (PacerBucketMetrics *self,
                                     gint64              now,
                                     gint64              count,
                                     gint64              start_time,
                                     double              window)
{
  gint64 from = now - (gint64) (window * USEC_PER_SEC);
  gint64 ref_time = G_MININT64;
  gint64 ref_count = 0;

  if (start_time >= from)
    {
      /* The run is younger than the window: measure from the first call, so
       * n evenly spaced calls give n - 1 intervals. */
      ref_time = start_time;
      ref_count = 1;
    }
  else
    {
      for (guint i = 0; i < self->observations->len; i++)
        {
          Observation *obs = &g_array_index (self->observations, Observation, i);

          if (obs->time > from && ref_time != G_MININT64)
            break;
          ref_time = obs->time;
          ref_count = obs->count;
          if (obs->time > from)
            break;
        }
    }

  if (ref_time == G_MININT64 || now - ref_time <= 0)
    return NAN;

  return (double) (count - ref_count) * 3600.0 * USEC_PER_SEC / (double) (now - ref_time);
}

static char *
metrics_text (PacerBucketMetrics *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "worker");
  json_builder_add_string_value (builder, pacer_worker_get_id ());
  json_builder_set_member_name (builder, "durations");
  json_builder_add_value (builder, pacer_tdigest_to_json (self->durations));
  json_builder_set_member_name (builder, "waits");
  json_builder_add_value (builder, pacer_tdigest_to_json (self->waits));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Writes this process's digests for the other processes' checks, as this
 * object's part of its store, so they go wherever the state goes: the run
 * directory, or a Redis server that other machines read. */
void
_pacer_bucket_metrics_flush (PacerBucketMetrics *self,
                             gint64              now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  if (!self->dirty)
    return;

  text = metrics_text (self);
  bytes = g_bytes_new_take (text, strlen (text));
  if (!pacer_store_write_part (pacer_shared_json_get_store (self->shared_json), self->part,
                               bytes, &error))
    g_debug ("Could not write the metrics of “%s”: %s",
             pacer_shared_json_get_name (self->shared_json), error->message);
  self->last_flush = now;
  self->dirty = FALSE;
}

void
_pacer_bucket_metrics_maybe_flush (PacerBucketMetrics *self,
                                   gint64              now)
{
  if (self->dirty && now - self->last_flush >= FLUSH_SPACING)
    _pacer_bucket_metrics_flush (self, now);
}

/* Merges the digests of every process that wrote any; this one's come from
 * memory. */
void
_pacer_bucket_metrics_merge (PacerBucketMetrics  *self,
                             PacerTDigest       **durations,
                             PacerTDigest       **waits)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) parts = NULL;
  GHashTableIter iter;
  gpointer name, value;

  *durations = pacer_tdigest_copy (self->durations);
  *waits = pacer_tdigest_copy (self->waits);

  parts = pacer_store_read_parts (pacer_shared_json_get_store (self->shared_json), &error);
  if (parts == NULL)
    {
      g_debug ("Could not read the metrics of “%s”: %s",
               pacer_shared_json_get_name (self->shared_json), error->message);
      return;
    }

  g_hash_table_iter_init (&iter, parts);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      g_autoptr(JsonParser) parser = NULL;
      gsize length;
      const char *text;
      JsonNode *root;
      JsonObject *object;

      if (g_str_equal (name, self->part))
        continue;

      text = g_bytes_get_data (value, &length);
      parser = json_parser_new_immutable ();
      if (text == NULL || !json_parser_load_from_data (parser, text, (gssize) length, NULL))
        continue;
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      object = json_node_get_object (root);

      if (json_object_has_member (object, "durations") && json_object_has_member (object, "waits"))
        {
          g_autoptr(PacerTDigest) d = pacer_tdigest_new_from_json (json_object_get_member (object, "durations"), NULL);
          g_autoptr(PacerTDigest) w = pacer_tdigest_new_from_json (json_object_get_member (object, "waits"), NULL);

          if (d != NULL && w != NULL)
            {
              pacer_tdigest_merge (*durations, d);
              pacer_tdigest_merge (*waits, w);
            }
        }
    }
}
