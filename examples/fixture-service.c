/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A test suite that shares one local service between all its workers.
 *
 *   pacer-run -n 4 fixture-service
 *
 * The shared fixture "echo-service" starts a small TCP service on 127.0.0.1
 * once for the whole run and stores its port; every test, on whichever
 * worker, calls it through one PacerTokenBucket, so the service sees at most
 * RATE calls a second from all workers together; the single cleanup, after
 * the run's last test, stops it and reports what it served (to the file
 * FIXTURE_SERVICE_REPORT names, if set).
 *
 * Which process serves? Not the test process that ran the setup: it exits
 * after its batch, and pacer-run kills a batch's whole process group on -x,
 * Ctrl-C or a timeout. So the setup starts this program again with --serve,
 * and that server calls setsid(): in its own session and process group it
 * outlives the worker and escapes the group kills. It reports its port on a
 * pipe, then points its standard streams at /dev/null so that it holds none
 * of the runner's pipes open. The cleanup asks it to quit over its socket,
 * which cannot hit a reused pid; the pid is only a fallback. A server nobody
 * calls for IDLE_SECONDS exits by itself, so even a run killed with SIGKILL
 * leaks it for minutes, not for ever. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pacer-glib/pacer-glib.h>

#define RATE 20.0
#define N_TESTS 12
#define CALLS_PER_TEST 4
#define IDLE_SECONDS 600

/* The server ---------------------------------------------------------------- */

static GMainLoop *serve_loop;
static guint served;
static gint64 first_call;
static gint64 last_call;
static guint idle_source;

static gboolean
on_idle_too_long (gpointer user_data)
{
  g_main_loop_quit (serve_loop);
  idle_source = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  g_autofree char *reply = NULL;
  gint64 now = g_get_monotonic_time ();

  g_clear_handle_id (&idle_source, g_source_remove);
  idle_source = g_timeout_add_seconds (IDLE_SECONDS, on_idle_too_long, NULL);

  if (g_strcmp0 (line, "quit") == 0)
    {
      reply = g_strdup_printf ("bye %u %u\n", served, (guint) ((last_call - first_call) / 1000));
      g_main_loop_quit (serve_loop);
    }
  else
    {
      if (served == 0)
        first_call = now;
      last_call = now;
      reply = g_strdup_printf ("pong %u\n", ++served);
    }

  g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
  return TRUE;
}

static int
serve (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  int null_fd;

  /* Out of the worker's session and process group: see the top of the file. */
  setsid ();

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    {
      g_printerr ("cannot listen on 127.0.0.1: %s\n", error->message);
      return 1;
    }
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), NULL);

  printf ("%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);

  null_fd = open ("/dev/null", O_RDWR);
  dup2 (null_fd, STDIN_FILENO);
  dup2 (null_fd, STDOUT_FILENO);
  dup2 (null_fd, STDERR_FILENO);
  close (null_fd);

  serve_loop = g_main_loop_new (NULL, FALSE);
  idle_source = g_timeout_add_seconds (IDLE_SECONDS, on_idle_too_long, NULL);
  g_main_loop_run (serve_loop);
  g_clear_handle_id (&idle_source, g_source_remove);
  g_main_loop_unref (serve_loop);
  return 0;
}

/* The fixture ---------------------------------------------------------------- */

static char *
ask (guint16      port,
     const char  *request,
     GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, error);
  if (connection == NULL)
    return NULL;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  request, strlen (request), NULL, NULL, error))
    return NULL;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  return g_data_input_stream_read_line (in, NULL, NULL, error);
}

static JsonNode *
start_service (PacerSharedFixture  *fixture,
               gpointer             user_data,
               GError             **error)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", error);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint64 port = 0;

  if (self_exe == NULL)
    return NULL;
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, error, self_exe, "--serve", NULL);
  if (server == NULL)
    return NULL;

  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (in, NULL, NULL, error);
  if (line == NULL || !g_ascii_string_to_unsigned (line, 10, 1, G_MAXUINT16, &port, NULL))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the service did not report its port");
      g_subprocess_force_exit (server);
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, (gint64) port);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, g_ascii_strtoll (g_subprocess_get_identifier (server), NULL, 10));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
stop_service (PacerSharedFixture  *fixture,
              JsonNode            *data,
              gpointer             user_data,
              GError             **error)
{
  JsonObject *object = json_node_get_object (data);
  guint16 port = (guint16) json_object_get_int_member (object, "port");
  g_autofree char *reply = ask (port, "quit\n", error);
  const char *report = g_getenv ("FIXTURE_SERVICE_REPORT");
  guint n_served = 0, span_ms = 0;

  if (reply == NULL || sscanf (reply, "bye %u %u", &n_served, &span_ms) != 2)
    {
      /* It does not answer: stop it the hard way, and say so. */
      kill ((pid_t) json_object_get_int_member (object, "pid"), SIGTERM);
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the service did not say goodbye");
      return FALSE;
    }

  if (report != NULL)
    {
      g_autofree char *text =
        /* N calls span N - 1 intervals from the first to the last. */
        g_strdup_printf ("the service on port %u served %u calls, the first to the last %u ms apart "
                         "(%.1f/s; the bucket allows %.0f/s) and was stopped once, by the cleanup\n",
                         port, n_served, span_ms,
                         span_ms > 0 && n_served > 1 ? (n_served - 1) * 1000.0 / span_ms : 0, RATE);

      if (!g_file_set_contents (report, text, -1, error))
        return FALSE;
    }

  return TRUE;
}

/* The tests ------------------------------------------------------------------ */

static PacerSharedFixture *service;
static PacerTokenBucket *bucket;

static void
test_call (void)
{
  g_autoptr(GError) error = NULL;
  JsonNode *data = pacer_shared_fixture_get (service, &error);
  guint16 port;

  g_assert_no_error (error);
  port = (guint16) json_object_get_int_member (json_node_get_object (data), "port");

  for (guint i = 0; i < CALLS_PER_TEST; i++)
    {
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, 60.0, NULL, &error);
      g_autofree char *reply = NULL;

      g_assert_no_error (error);
      reply = ask (port, "ping\n", &error);
      pacer_call_complete (call, reply != NULL);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (reply, "pong "));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PacerRate) rate = NULL;
  int status;

  if (argc == 2 && g_str_equal (argv[1], "--serve"))
    return serve ();

  g_test_init (&argc, &argv, NULL);

  service = pacer_shared_fixture_new ("echo-service", start_service, NULL, NULL);
  pacer_shared_fixture_set_cleanup_func (service, stop_service, NULL, NULL);
  /* In teardown mode this runs the cleanup and exits: nothing below runs. */
  pacer_shared_fixture_declare (service);

  rate = pacer_rate_new_per_second (RATE, NULL);
  bucket = pacer_token_bucket_new ("echo-service", rate);
  /* No burst: the service never sees more than RATE calls in any second. */
  pacer_token_bucket_set_burst_capacity (bucket, 1);
  for (guint i = 0; i < N_TESTS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/service/call/%u", i);

      g_test_add_func (path, test_call);
    }

  status = g_test_run ();
  g_object_unref (bucket);
  g_object_unref (service);
  return status;
}
