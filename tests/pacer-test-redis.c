/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "pacer-test-redis.h"
#include "pacer-test-utils.h"

struct _PacerTestRedis
{
  char *dir;
  char *socket_path;
  char *password;
  char *uri;
  int port;
  GSubprocess *server;
};

/* A port nobody listens on right now. Another process may take it before the
 * server does; the server then fails to start and the test says so. */
static int
free_loopback_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &length), ==, 0);
  close (fd);

  return ntohs (address.sin_port);
}

static redisContext *
connect_to (PacerTestRedis *redis)
{
  struct timeval timeout = { 1, 0 };
  redisContext *context;

  if (redis->port > 0)
    context = redisConnectWithTimeout ("127.0.0.1", redis->port, timeout);
  else
    context = redisConnectUnixWithTimeout (redis->socket_path, timeout);
  if (context != NULL && context->err == 0 && redis->password != NULL)
    {
      redisReply *reply = redisCommand (context, "AUTH %s", redis->password);

      g_assert_nonnull (reply);
      g_assert_cmpint (reply->type, !=, REDIS_REPLY_ERROR);
      freeReplyObject (reply);
    }
  return context;
}

static void
spawn_server (PacerTestRedis *redis)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *port = g_strdup_printf ("%d", redis->port);

  g_ptr_array_add (argv, g_strdup ("redis-server"));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup (port));
  g_ptr_array_add (argv, g_strdup ("--bind"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--dir"));
  g_ptr_array_add (argv, g_strdup (redis->dir));
  g_ptr_array_add (argv, g_strdup ("--save"));
  g_ptr_array_add (argv, g_strdup (""));
  /* Every write reaches the disk before its reply, so a restarted server
   * holds whatever a client was told had been stored. */
  g_ptr_array_add (argv, g_strdup ("--appendonly"));
  g_ptr_array_add (argv, g_strdup ("yes"));
  g_ptr_array_add (argv, g_strdup ("--appendfsync"));
  g_ptr_array_add (argv, g_strdup ("always"));
  g_ptr_array_add (argv, g_strdup ("--logfile"));
  g_ptr_array_add (argv, g_build_filename (redis->dir, "redis.log", NULL));
  if (redis->port == 0)
    {
      g_ptr_array_add (argv, g_strdup ("--unixsocket"));
      g_ptr_array_add (argv, g_strdup (redis->socket_path));
      g_ptr_array_add (argv, g_strdup ("--unixsocketperm"));
      g_ptr_array_add (argv, g_strdup ("700"));
    }
  if (redis->password != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--requirepass"));
      g_ptr_array_add (argv, g_strdup (redis->password));
    }
  g_ptr_array_add (argv, NULL);

  redis->server = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);

  /* Ready once it answers; starting takes milliseconds, a loaded machine more. */
  for (guint i = 0; i < 1000; i++)
    {
      redisContext *context = connect_to (redis);
      gboolean ready = FALSE;

      if (context != NULL && context->err == 0)
        {
          redisReply *reply = redisCommand (context, "PING");

          ready = reply != NULL && reply->type == REDIS_REPLY_STATUS;
          g_clear_pointer (&reply, freeReplyObject);
        }
      g_clear_pointer (&context, redisFree);
      if (ready)
        return;
      /* Gone already: the log in its directory says why. */
      g_assert_nonnull (g_subprocess_get_identifier (redis->server));
      g_usleep (10000);
    }
  g_error ("redis-server did not start in %s", redis->dir);
}

/**
 * pacer_test_redis_start:
 * @tcp: listen on a free loopback port rather than a unix socket
 * @password: (nullable): a password the server requires
 *
 * Returns: (transfer full) (nullable): a running server, or `NULL` after
 *   g_test_skip() when redis-server is not installed
 */
PacerTestRedis *
pacer_test_redis_start (gboolean    tcp,
                        const char *password)
{
  PacerTestRedis *redis;
  g_autofree char *program = g_find_program_in_path ("redis-server");

  if (program == NULL)
    {
      g_test_skip ("redis-server is not installed (Debian: apt install redis-server)");
      return NULL;
    }

  redis = g_new0 (PacerTestRedis, 1);
  redis->dir = pacer_test_make_tmp_dir ("pacer-redis-XXXXXX");
  redis->password = g_strdup (password);
  if (tcp)
    {
      redis->port = free_loopback_port ();
      redis->uri = g_strdup_printf ("redis://%s%s%s127.0.0.1:%d/0",
                                    password != NULL ? ":" : "", password != NULL ? password : "",
                                    password != NULL ? "@" : "", redis->port);
    }
  else
    {
      redis->socket_path = g_build_filename (redis->dir, "redis.sock", NULL);
      redis->uri = g_strdup_printf ("unix://%s%s%s", redis->socket_path,
                                    password != NULL ? "?password=" : "",
                                    password != NULL ? password : "");
    }
  spawn_server (redis);

  return redis;
}

/**
 * pacer_test_redis_stop:
 * @redis: a server
 *
 * Stops the server at once, as a crash would; a stopped server can be started
 * again with pacer_test_redis_restart().
 */
void
pacer_test_redis_stop (PacerTestRedis *redis)
{
  if (redis->server == NULL)
    return;
  g_subprocess_send_signal (redis->server, SIGKILL);
  g_subprocess_wait (redis->server, NULL, NULL);
  g_clear_object (&redis->server);
}

/**
 * pacer_test_redis_restart:
 * @redis: a server
 *
 * Kills the server and starts it again on the same socket or port, with the
 * data it had written to its append-only file.
 */
void
pacer_test_redis_restart (PacerTestRedis *redis)
{
  pacer_test_redis_stop (redis);
  spawn_server (redis);
}

/**
 * pacer_test_redis_get_uri:
 * @redis: a server
 *
 * Returns: (transfer none): the server's store URI
 */
const char *
pacer_test_redis_get_uri (PacerTestRedis *redis)
{
  return redis->uri;
}

/**
 * pacer_test_redis_command:
 * @redis: a server
 * @format: a hiredis command format
 *
 * Runs one command on database 0, for tests that look behind the store.
 *
 * Returns: (transfer full): the reply as text: a string, an integer in
 *   decimal, "(nil)", or "(error) MESSAGE"
 */
char *
pacer_test_redis_command (PacerTestRedis *redis,
                          const char     *format,
                          ...)
{
  redisContext *context = connect_to (redis);
  redisReply *reply;
  va_list args;
  char *text;

  g_assert_nonnull (context);
  g_assert_cmpint (context->err, ==, 0);
  va_start (args, format);
  reply = redisvCommand (context, format, args);
  va_end (args);
  g_assert_nonnull (reply);

  switch (reply->type)
    {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      text = g_strndup (reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      text = g_strdup_printf ("%lld", reply->integer);
      break;
    case REDIS_REPLY_ERROR:
      text = g_strdup_printf ("(error) %s", reply->str);
      break;
    default:
      text = g_strdup ("(nil)");
    }

  freeReplyObject (reply);
  redisFree (context);
  return text;
}

/**
 * pacer_test_redis_free:
 * @redis: (nullable) (transfer full): a server
 *
 * Stops the server and removes its directory.
 */
void
pacer_test_redis_free (PacerTestRedis *redis)
{
  if (redis == NULL)
    return;
  pacer_test_redis_stop (redis);
  pacer_test_tmp_dir_free (redis->dir);
  g_free (redis->socket_path);
  g_free (redis->password);
  g_free (redis->uri);
  g_free (redis);
}
