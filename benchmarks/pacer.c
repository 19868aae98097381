/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How well PacerTokenBucket keeps to its rate, and what a call costs.
 *
 *   pacer [--seconds S]           accuracy: 1, 2 and 4 processes at 100, 500 and 2000 calls/s
 *   pacer --overhead [--calls N]  per-call cost with the rate far above demand
 *
 * Accuracy: every process calls acquire in a loop for S seconds (10 by default)
 * on one bucket and reports each call's slot and when it returned; the
 * controller prints the achieved rate (calls - 1 over the span from first to
 * last call), its error, the time no caller was waiting when a slot came
 * (every process descheduled: the host's time, not the bucket's) and the
 * error over the rest, the most calls in any 1 s window of slots (the
 * bucket's guarantee; goal: rate + burst at most) and of returns (what a
 * service would see, scheduling jitter included), and each process's share.
 * Overhead: one process, a rate of 10^9/s, the p50, p90 and p99 of
 * acquire + complete.
 *
 *   pacer --redis URI [--overhead]
 * runs every measure on the file store and on Redis at URI side by side (12
 * processes added: three machines of four workers each, every process with
 * its own connection), and prints the ratios. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pacer-glib/pacer-glib.h>

static double seconds = 10.0;
static gboolean overhead = FALSE;
static int n_calls = 20000;
static char *child_args = NULL;
static char *redis_uri = NULL;

static GOptionEntry entries[] = {
  { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per accuracy run", "S" },
  { "overhead", 0, 0, G_OPTION_ARG_NONE, &overhead, "Measure the per-call overhead", NULL },
  { "calls", 0, 0, G_OPTION_ARG_INT, &n_calls, "Calls for the overhead run", "N" },
  { "redis", 0, 0, G_OPTION_ARG_STRING, &redis_uri, "Also measure on the Redis store at URI", "URI" },
  { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &child_args, NULL, NULL },
  { NULL }
};

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The bucket's state: a file path, or a store URI (redis://…) for the value
 * pacer_shared_bench. */
static PacerSharedJson *
shared_json_for (const char *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerStore) store = NULL;

  if (strstr (where, "://") == NULL)
    return pacer_shared_json_new (where, NULL, -1);

  store = pacer_store_new_for_uri (where, "pacer_shared_bench", &error);
  g_assert_no_error (error);
  return pacer_shared_json_new_for_store (store, -1);
}

/* A key prefix of its own for each measure, so rounds never share a bucket. */
static char *
redis_where (const char *tag)
{
  return g_strdup_printf ("%s%sprefix=bench-%d-%s", redis_uri, strchr (redis_uri, '?') ? "&" : "?",
                          (int) getpid (), tag);
}

/* --child RATE:END-USEC:WHERE */
static int
run_child (void)
{
  g_auto(GStrv) parts = g_strsplit (child_args, ":", 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(PacerTokenBucket) bucket = NULL;
  g_autoptr(PacerRate) rate = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 end;

  if (g_strv_length (parts) != 3)
    return 2;
  rate = pacer_rate_new_per_second (g_ascii_strtod (parts[0], NULL), &error);
  g_assert_no_error (error);
  end = g_ascii_strtoll (parts[1], NULL, 10);
  shared = shared_json_for (parts[2]);
  bucket = pacer_token_bucket_new_for_shared_json (shared, rate);

  for (;;)
    {
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, -1, NULL, &error);
      gint64 now = g_get_real_time ();

      g_assert_no_error (error);
      if (now >= end)
        break;
      g_string_append_printf (out, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                              (gint64) (pacer_call_get_slot_time (call) * G_USEC_PER_SEC + 0.5), now);
    }

  fwrite (out->str, 1, out->len, stdout);
  return 0;
}

/* The most of @times (sorted) within any second. */
static guint
most_in_second (GArray *times)
{
  guint most = 0;

  for (guint i = 0, j = 0; i < times->len; i++)
    {
      while (g_array_index (times, gint64, i) - g_array_index (times, gint64, j) >= G_USEC_PER_SEC)
        j++;
      most = MAX (most, i - j + 1);
    }
  return most;
}

static double
run_accuracy (const char *self_path,
              const char *dir,
              gboolean    on_redis,
              guint       procs,
              double      rate)
{
  g_autofree char *tag = g_strdup_printf ("%u-%g", procs, rate);
  g_autofree char *data = on_redis ? redis_where (tag)
                                   : g_strdup_printf ("%s/pacer_shared_bench-%s.json", dir, tag);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (gint64));
  GSubprocess *children[16];
  guint counts[16];
  gint64 end = g_get_real_time () + (gint64) (seconds * G_USEC_PER_SEC) + 200000;
  double span;
  double achieved;
  double lost = 0;
  double busy;
  g_autoptr(GString) shares = g_string_new (NULL);

  for (guint i = 0; i < procs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *arg = g_strdup_printf ("%g:%" G_GINT64_FORMAT ":%s", rate, end, data);

      children[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                      self_path, "--child", arg, NULL);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < procs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_auto(GStrv) lines = NULL;

      g_subprocess_communicate_utf8 (children[i], NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_successful (children[i]));
      lines = g_strsplit (out, "\n", -1);
      counts[i] = 0;
      for (guint j = 0; lines[j] != NULL; j++)
        if (*lines[j] != '\0')
          {
            char *rest = NULL;
            gint64 slot = g_ascii_strtoll (lines[j], &rest, 10);
            gint64 t = g_ascii_strtoll (rest, NULL, 10);

            g_array_append_val (slots, slot);
            g_array_append_val (all, t);
            counts[i]++;
          }
      g_object_unref (children[i]);
    }

  g_array_sort (all, compare_gint64);
  span = (g_array_index (all, gint64, all->len - 1) - g_array_index (all, gint64, 0)) / 1e6;
  achieved = (all->len - 1) / span;
  g_array_sort (slots, compare_gint64);
  /* A gap between slots of more than half an interval beyond the schedule
   * means no caller was waiting when its slot came (all of them were
   * descheduled): the schedule restarts, and that time is the host's. */
  for (guint i = 1; i < slots->len; i++)
    {
      gint64 gap = g_array_index (slots, gint64, i) - g_array_index (slots, gint64, i - 1);

      if (gap > 1.5 * G_USEC_PER_SEC / rate)
        lost += gap - G_USEC_PER_SEC / rate;
    }
  for (guint i = 0; i < procs; i++)
    g_string_append_printf (shares, "%s%.1f%%", i > 0 ? " / " : "", 100.0 * counts[i] / all->len);

  busy = (all->len - 1) / (span - lost / 1e6);
  g_print ("| %s | %u | %6g | %6u | %9.2f | %+6.3f%% | %5.1f ms | %+6.3f%% | %6u | %6u | %s |\n",
           on_redis ? "redis" : "file", procs, rate, all->len, achieved, 100 * (achieved - rate) / rate, lost / 1000,
           100 * (busy - rate) / rate,
           most_in_second (slots), most_in_second (all), shares->str);
  return achieved;
}

static gint64
run_overhead (const char *dir,
              gboolean    on_redis)
{
  g_autofree char *data = on_redis ? redis_where ("overhead")
                                   : g_strdup_printf ("%s/pacer_shared_overhead.json", dir);
  g_autoptr(PacerSharedJson) shared = shared_json_for (data);
  g_autoptr(PacerRate) rate = pacer_rate_new_per_second (1e9, NULL);
  g_autoptr(PacerTokenBucket) bucket = pacer_token_bucket_new_for_shared_json (shared, rate);
  g_autoptr(GArray) costs = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_calls);

  for (int i = 0; i < n_calls; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      PacerCall *call = pacer_token_bucket_acquire (bucket, -1, NULL, &error);
      gint64 cost;

      g_assert_no_error (error);
      pacer_call_complete (call, TRUE);
      g_object_unref (call);
      cost = g_get_monotonic_time () - t0;
      g_array_append_val (costs, cost);
    }

  g_array_sort (costs, compare_gint64);
  g_print ("| %s | %d | %" G_GINT64_FORMAT " | %" G_GINT64_FORMAT " | %" G_GINT64_FORMAT " |\n",
           on_redis ? "redis" : "file", n_calls,
           g_array_index (costs, gint64, costs->len / 2),
           g_array_index (costs, gint64, costs->len * 9 / 10),
           g_array_index (costs, gint64, costs->len * 99 / 100));
  return g_array_index (costs, gint64, costs->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— pace calls and measure");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *self_path = NULL;
  static const guint procs[] = { 1, 2, 4, 12 };
  static const double rates[] = { 100, 500, 2000 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (child_args != NULL)
    return run_child ();

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  dir = g_strdup (pacer_worker_get_run_dir ());

  if (overhead)
    {
      gint64 file_p50, redis_p50;

      g_print ("| store | calls | p50 us | p90 us | p99 us |\n|---|---|---|---|---|\n");
      file_p50 = run_overhead (dir, FALSE);
      if (redis_uri != NULL)
        {
          redis_p50 = run_overhead (dir, TRUE);
          g_print ("\np50 redis/file: %.2f\n", (double) redis_p50 / MAX (file_p50, 1));
        }
      return 0;
    }

  g_print ("| store | processes | target/s | calls | achieved/s | error | no caller waiting | error while one waited | most slots in 1 s | most returns in 1 s | shares |\n");
  g_print ("|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++)
    for (guint p = 0; p < G_N_ELEMENTS (procs); p++)
      {
        /* Twelve processes stand for three machines of four workers: only with Redis. */
        if (procs[p] > 4 && redis_uri == NULL)
          continue;
        run_accuracy (self_path, dir, FALSE, procs[p], rates[r]);
        if (redis_uri != NULL)
          run_accuracy (self_path, dir, TRUE, procs[p], rates[r]);
      }
  return 0;
}
