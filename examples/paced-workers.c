/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Three worker processes call one local service, paced together at 50 calls a
 * second by one PacerTokenBucket, and report drift and periodic metrics.
 *
 *   paced-workers [SECONDS]
 *
 * The controller starts a small TCP service on 127.0.0.1 that counts the
 * requests it gets each second, then runs itself three times as a worker with
 * PACER_RUN_DIR set to one shared directory: that is all it takes for the
 * workers' buckets named "service" to share their state, as they do under
 * pacer-run. Each worker connects, sends a line and reads the reply once per
 * paced call. */

#include <stdio.h>
#include <stdlib.h>

#include <pacer-glib/pacer-glib.h>

#define RATE 50.0
#define N_WORKERS 3

/* The service */

static guint per_second[600];
static gint64 service_started;

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char buffer[64];
  gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
  gint64 second = (g_get_monotonic_time () - service_started) / G_USEC_PER_SEC;

  if (n > 0 && second >= 0 && second < (gint64) G_N_ELEMENTS (per_second))
    per_second[second]++;
  g_output_stream_write_all (out, "ok\n", 3, NULL, NULL, NULL);
  return TRUE;
}

/* A worker */

static void
on_drift (PacerTokenBucket *bucket,
          PacerDriftEvent  *event,
          gpointer          user_data)
{
  g_print ("[%s] drift %.0f%%: %.1f calls/s instead of %.1f\n", pacer_worker_get_id (),
           100 * pacer_drift_event_get_drift (event),
           pacer_drift_event_get_current_rate (event) / 3600,
           pacer_drift_event_get_target_rate (event) / 3600);
}

static void
on_periodic_check (PacerTokenBucket        *bucket,
                   PacerPeriodicCheckEvent *event,
                   gpointer                 user_data)
{
  /* Every 100 calls of all workers together, in the worker that made the 100th. */
  g_print ("[%s] %" G_GINT64_FORMAT " calls, %.1f calls/s over 60 s, "
           "duration p50 %.2f ms, wait p50 %.2f ms, wait ratio %.1f (%s)\n",
           pacer_worker_get_id (), pacer_event_get_call_count (PACER_EVENT (event)),
           pacer_periodic_check_event_get_windowed_rate (event, 60) / 3600,
           1000 * pacer_periodic_check_event_get_duration_p50 (event),
           1000 * pacer_periodic_check_event_get_wait_p50 (event),
           pacer_periodic_check_event_get_wait_ratio (event),
           pacer_periodic_check_event_get_wait_ratio (event) > 1 ? "the pacer holds calls back"
                                                                  : "the service is the bottleneck");
}

static gboolean
call_service (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  char reply[8];

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  if (connection == NULL)
    return FALSE;
  return g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                    "hello\n", 6, NULL, NULL, NULL) &&
         g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                              reply, sizeof reply, NULL, NULL) > 0;
}

static int
run_worker (guint16 port,
            double  seconds)
{
  g_autoptr(PacerRate) rate = pacer_rate_new_per_second (RATE, NULL);
  g_autoptr(PacerTokenBucket) bucket = pacer_token_bucket_new ("service", rate);
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  g_object_set (bucket,
                "num-calls-between-checks", 100,
                "seconds-before-first-check", 2.0,
                NULL);
  g_signal_connect (bucket, "drift", G_CALLBACK (on_drift), NULL);
  g_signal_connect (bucket, "periodic-check", G_CALLBACK (on_periodic_check), NULL);

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, 5.0, NULL, &error);

      if (call == NULL)
        {
          g_printerr ("[%s] %s\n", pacer_worker_get_id (), error->message);
          return 1;
        }
      pacer_call_complete (call, call_service (port));
    }
  return 0;
}

/* The controller */

static GMainLoop *loop;

static void
worker_exited (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *remaining = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    g_printerr ("%s\n", error->message);
  if (--*remaining == 0)
    g_main_loop_quit (loop);
}

int
main (int   argc,
      char *argv[])
{
  const char *port_text = g_getenv ("PACED_WORKERS_PORT");
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 5.0;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = NULL;
  g_autofree char *port_arg = NULL;
  g_autofree char *count_arg = NULL;
  GSubprocess *workers[N_WORKERS];
  guint remaining = N_WORKERS;
  guint failed = 0;
  guint16 port;

  if (port_text != NULL)
    return run_worker ((guint16) atoi (port_text), seconds);

  service = g_threaded_socket_service_new (4);
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  if (port == 0)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_signal_connect (service, "run", G_CALLBACK (on_incoming), NULL);
  service_started = g_get_monotonic_time ();
  g_socket_service_start (service);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  port_arg = g_strdup_printf ("%u", port);
  count_arg = g_strdup_printf ("%u", N_WORKERS);
  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autofree char *worker = g_strdup_printf ("gw%u", i);
      g_autofree char *duration = g_strdup_printf ("%g", seconds);

      g_subprocess_launcher_setenv (launcher, "PACED_WORKERS_PORT", port_arg, TRUE);
      g_subprocess_launcher_setenv (launcher, "PACER_WORKER", worker, TRUE);
      g_subprocess_launcher_setenv (launcher, "PACER_WORKER_COUNT", count_arg, TRUE);
      g_subprocess_launcher_setenv (launcher, "PACER_RUN_DIR", pacer_worker_get_run_dir (), TRUE);
      workers[i] = g_subprocess_launcher_spawn (launcher, &error, self_path, duration, NULL);
      if (workers[i] == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }

  /* The service accepts connections from this main loop; run it until every
   * worker has exited. */
  loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < N_WORKERS; i++)
    g_subprocess_wait_check_async (workers[i], NULL, worker_exited, &remaining);
  g_main_loop_run (loop);
  for (guint i = 0; i < N_WORKERS; i++)
    {
      if (!g_subprocess_get_successful (workers[i]))
        failed++;
      g_object_unref (workers[i]);
    }
  g_socket_service_stop (service);
  g_main_loop_unref (loop);

  g_print ("requests the service got, second by second (target %.0f):", RATE);
  for (guint s = 0; s < G_N_ELEMENTS (per_second) && s < (guint) seconds + 1; s++)
    g_print (" %u", per_second[s]);
  g_print ("\n");

  return failed == 0 ? 0 : 1;
}
