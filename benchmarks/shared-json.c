/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Locked increments per second through PacerSharedJson with 1, 2 and 4 processes,
 * beside a baseline built the way pytest-xdist-rate-limit's SharedJson works (a
 * flock() polled every 50 ms, the file rewritten in place), in one run so the
 * ratio between the two means something on a shared, noisy machine.
 *
 *   shared-json [--seconds S] [--payload BYTES] [--redis URI]
 *
 * With --redis the same rounds run on the Redis store at URI too, with 1, 4
 * and 12 clients (each a process with its own connection), beside the file
 * store. A wait is then from calling edit to the run of the edit function
 * whose result was stored, any earlier runs included.
 *
 * Each process reports its count and its lock waits (from calling edit to
 * running under the lock); the controller prints totals, p50/p99/worst wait and
 * each process's share of the total. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <pacer-glib/pacer-glib.h>

static double seconds = 3.0;
static int payload = 0;
static char *state_dir = NULL;

typedef struct
{
  gint64 entered;
  gint64 last_wait;   /* of the latest run of the edit function */
  GArray *waits;      /* gint64 usec */
  const char *filler;
} EditState;

static char *redis_uri = NULL;

static gboolean
increment (JsonObject *data,
           gpointer    user_data)
{
  EditState *state = user_data;
  /* An edit on Redis may run again; only the last run's wait counts. */
  state->last_wait = g_get_monotonic_time () - state->entered;
  json_object_set_int_member (data, "count", json_object_get_int_member_with_default (data, "count", 0) + 1);
  if (state->filler != NULL)
    json_object_set_string_member (data, "payload", state->filler);
  return TRUE;
}

/* The seed's way: poll a non-blocking flock every 50 ms, read, rewrite in place. */
static gboolean
baseline_edit (const char *data_path,
               const char *lock_path,
               EditState  *state)
{
  int lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *out = NULL;
  gsize length;
  int fd;

  while (flock (lock_fd, LOCK_EX | LOCK_NB) != 0)
    g_usleep (50 * 1000);

  if (g_file_get_contents (data_path, &text, &length, NULL) && length > 0 &&
      json_parser_load_from_data (parser, text, length, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object = json_node_dup_object (json_parser_get_root (parser));
  else
    object = json_object_new ();

  increment (object, state);

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, object);
  json_generator_set_root (generator, root);
  out = json_generator_to_data (generator, &length);
  fd = open (data_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (write (fd, out, length) != (gssize) length)
    g_error ("write: %s", g_strerror (errno));
  close (fd);

  flock (lock_fd, LOCK_UN);
  close (lock_fd);
  return TRUE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static int
run_worker (const char *mode,
            const char *data_path,
            gint64      start,
            gint64      end)
{
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autofree char *lock_path = g_strconcat (data_path, ".lock", NULL);
  g_autofree char *filler = payload > 0 ? g_strnfill (payload, 'x') : NULL;
  EditState state = { 0, 0, g_array_new (FALSE, FALSE, sizeof (gint64)), filler };
  gboolean baseline = g_str_equal (mode, "baseline");
  g_autoptr(GError) error = NULL;
  gint64 now;

  if (g_str_equal (mode, "redis"))
    {
      g_autoptr(PacerStore) store = pacer_store_new_for_uri (data_path, "pacer_shared_bench", &error);

      if (store == NULL)
        g_error ("%s", error->message);
      shared = pacer_shared_json_new_for_store (store, -1);
    }
  else
    shared = pacer_shared_json_new (data_path, NULL, -1);

  while ((now = g_get_monotonic_time ()) < start)
    g_usleep (MIN (start - now, 1000));

  while (g_get_monotonic_time () < end)
    {
      state.entered = g_get_monotonic_time ();
      if (baseline)
        baseline_edit (data_path, lock_path, &state);
      else if (!pacer_shared_json_edit (shared, increment, &state, &error))
        g_error ("%s", error->message);
      g_array_append_val (state.waits, state.last_wait);
    }

  g_array_sort (state.waits, compare_gint64);
  for (guint i = 0; i < state.waits->len; i++)
    g_print ("%" G_GINT64_FORMAT "\n", g_array_index (state.waits, gint64, i));

  g_array_unref (state.waits);
  return 0;
}

typedef struct
{
  guint n;
  GArray *waits;
  guint64 counts[16];
} RoundResult;

static double
quantile (GArray *sorted,
          double  q)
{
  if (sorted->len == 0)
    return 0;
  return g_array_index (sorted, gint64, MIN (sorted->len - 1, (guint) (q * sorted->len)));
}

static void
run_round (const char *self_path,
           const char *dir,
           const char *mode,
           guint       n,
           RoundResult *result)
{
  g_autofree char *data_path = g_str_equal (mode, "redis")
    ? g_strdup_printf ("%s%sprefix=bench-%d-%u", redis_uri, strchr (redis_uri, '?') ? "&" : "?", (int) getpid (), n)
    : g_strdup_printf ("%s/%s-%u.json", dir, mode, n);
  gint64 start = g_get_monotonic_time () + 300 * 1000;
  gint64 end = start + (gint64) (seconds * G_USEC_PER_SEC);
  g_autofree char *start_text = g_strdup_printf ("%" G_GINT64_FORMAT, start);
  g_autofree char *end_text = g_strdup_printf ("%" G_GINT64_FORMAT, end);
  g_autofree char *payload_text = g_strdup_printf ("%d", payload);
  GSubprocess *workers[16];

  result->n = n;
  result->waits = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      workers[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_path, "--worker", mode,
                                     data_path, start_text, end_text, payload_text, NULL);
      if (workers[i] == NULL)
        g_error ("%s", error->message);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_subprocess_communicate_utf8 (workers[i], NULL, NULL, &out, NULL, &error) ||
          !g_subprocess_get_successful (workers[i]))
        g_error ("worker failed: %s", error ? error->message : "exit status");
      lines = g_strsplit (out, "\n", -1);
      result->counts[i] = 0;
      for (guint j = 0; lines[j] != NULL && lines[j][0] != '\0'; j++)
        {
          gint64 wait = g_ascii_strtoll (lines[j], NULL, 10);

          g_array_append_val (result->waits, wait);
          result->counts[i]++;
        }
      g_object_unref (workers[i]);
    }
  g_array_sort (result->waits, compare_gint64);
}

static void
print_round (const char  *mode,
             RoundResult *r,
             double      *rate_out)
{
  guint64 total = 0;
  double mean, worst_share = 0;
  GString *shares = g_string_new (NULL);

  for (guint i = 0; i < r->n; i++)
    total += r->counts[i];
  mean = (double) total / r->n;
  for (guint i = 0; i < r->n; i++)
    {
      double deviation = mean > 0 ? (r->counts[i] - mean) / mean : 0;

      worst_share = MAX (worst_share, ABS (deviation));
      g_string_append_printf (shares, "%s%" G_GUINT64_FORMAT, i ? "/" : "", r->counts[i]);
    }

  *rate_out = total / seconds;
  g_print ("| %-8s | %u | %9.0f | %7.0f | %8.0f | %9.1f | %-24s | %5.1f %% |\n",
           mode, r->n, *rate_out, quantile (r->waits, 0.5), quantile (r->waits, 0.99),
           r->waits->len ? g_array_index (r->waits, gint64, r->waits->len - 1) / 1000.0 : 0,
           shares->str, 100 * worst_share);
  g_string_free (shares, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per round (default 3)", "S" },
    { "payload", 0, 0, G_OPTION_ARG_INT, &payload, "Bytes of extra payload in the state", "BYTES" },
    { "redis", 0, 0, G_OPTION_ARG_STRING, &redis_uri, "Also run on the Redis store at URI, with 1, 4 and 12 clients", "URI" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, "Keep the state in DIR (default: the run directory)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  const guint process_counts[] = { 1, 2, 4 };
  const char *modes[] = { "pacer", "baseline" };
  double rates[2][3];

  if (argc == 7 && g_str_equal (argv[1], "--worker"))
    {
      payload = atoi (argv[6]);
      return run_worker (argv[2], argv[3], g_ascii_strtoll (argv[4], NULL, 10),
                         g_ascii_strtoll (argv[5], NULL, 10));
    }

  context = g_option_context_new ("- locked increments per second through PacerSharedJson");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (seconds <= 0 || payload < 0)
    {
      g_printerr ("--seconds must be positive and --payload not negative\n");
      return 2;
    }

  if (state_dir != NULL)
    {
      dir = g_build_filename (state_dir, "pacer-bench-XXXXXX", NULL);
      if (g_mkdtemp_full (dir, 0700) == NULL)
        {
          g_printerr ("Cannot create a directory in %s: %s\n", state_dir, g_strerror (errno));
          return 2;
        }
    }
  else
    dir = g_build_filename (pacer_worker_get_run_dir (), "bench", NULL);

  g_print ("%g s per round, payload %d bytes, state in %s\n\n", seconds, payload, dir);
  g_print ("| store    | processes | increments/s | p50 wait (us) | p99 wait (us) | worst wait (ms) | per process | worst share deviation |\n");
  g_print ("|---|---|---|---|---|---|---|---|\n");
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint i = 0; i < G_N_ELEMENTS (process_counts); i++)
      {
        RoundResult result = { 0 };

        run_round (argv[0], dir, modes[m], process_counts[i], &result);
        print_round (modes[m], &result, &rates[m][i]);
        g_array_unref (result.waits);
      }

  g_print ("\nratio pacer/baseline: 1 process %.1fx, 2 processes %.1fx, 4 processes %.1fx\n",
           rates[0][0] / rates[1][0], rates[0][1] / rates[1][1], rates[0][2] / rates[1][2]);

  if (redis_uri != NULL)
    {
      const guint client_counts[] = { 1, 4, 12 };
      const char *stores[] = { "pacer", "redis" };
      double store_rates[2][3];

      g_print ("\n| store    | clients | increments/s | p50 wait (us) | p99 wait (us) | worst wait (ms) | per client | worst share deviation |\n");
      g_print ("|---|---|---|---|---|---|---|---|\n");
      for (guint i = 0; i < G_N_ELEMENTS (client_counts); i++)
        for (guint m = 0; m < G_N_ELEMENTS (stores); m++)
          {
            RoundResult result = { 0 };

            run_round (argv[0], dir, stores[m], client_counts[i], &result);
            print_round (stores[m], &result, &store_rates[m][i]);
            g_array_unref (result.waits);
          }
      g_print ("\nratio redis/file: 1 client %.2fx, 4 clients %.2fx, 12 clients %.2fx\n",
               store_rates[1][0] / store_rates[0][0], store_rates[1][1] / store_rates[0][1],
               store_rates[1][2] / store_rates[0][2]);
    }

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        unlink (path);
      }
    rmdir (dir);
  }
  return 0;
}
