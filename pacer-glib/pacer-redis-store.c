/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PacerRedisStore: a PacerStore on a Redis server, through hiredis.
 *
 * The value named NAME lives in the hash `pacer:PREFIX:NAME` with the fields
 * `value` (the bytes), `version` (a counter that only grows, also across
 * removals, so a compare-and-set can never mistake a new value for an old
 * one) and `writer` (who wrote last, so a write retried after a lost reply is
 * recognised instead of applied twice). Every change is one Lua script, which
 * Redis runs atomically: a client killed at any instant leaves the old value
 * or the new one.
 *
 * Edits (PacerSharedJson) and the interface's lock() take turns in a fair
 * queue on the server. A turn is a lease, `pacer:PREFIX:NAME:lock` set to the
 * holder's ticket with an expiry; the waiting tickets stand in the list
 * `…:queue`. Taking a turn is one script that also returns the value, and
 * ending it is one script that writes, releases and hands the lease straight
 * to the next ticket in line, pushing the value onto that waiter's own wake
 * key `…:wake:TICKET`, on which it blocks (BLPOP, sent with its ticket in
 * one round trip). So an uncontended edit is two round trips (PacerSharedJson
 * makes it one through compare_and_set() for a writer that met nobody), a
 * contended one waits in arrival order without polling, and a hand-off costs
 * the waiter no round trip of its own.
 *
 * A holder that dies cannot release: each ticket names the Redis connection
 * of its holder, and a waiter whose wait runs long asks the server whether
 * that connection still exists (CLIENT LIST ID); a killed process's
 * connection is closed by its kernel, so its turn is broken within a few
 * tens of milliseconds. A holder cut off with its connection still open (a
 * lost machine) holds at most its lease. A write is fenced by the ticket: one
 * whose lease ran out and was taken over is refused, never applied.
 *
 * compare_and_set() still changes values without any lock, and refuses while
 * a turn is held, as do the token bucket's GCRA steps.
 *
 * The connection is made on first use (or at once for pacer_store_new_for_uri)
 * and made again after a fork or a lost connection; a command that meets a
 * lost connection is retried a bounded number of times with backoff, then
 * fails with PACER_ERROR_IO naming the server. */

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-glib-private.h"
#include "pacer-redis-store-private.h"
#include "pacer-worker.h"

#define DEFAULT_PORT 6379
#define DEFAULT_TTL_SECONDS (24 * 3600)
#define CONNECT_TIMEOUT_MSEC 2000
#define COMMAND_TIMEOUT_MSEC 10000
/* A lost connection is retried this many times, waiting 25 ms, 50 ms … then
 * 1 s at most in between: about 10 s in all, enough for a restarted server
 * (or a failover) to come back on a loaded machine, and still a bound. */
#define MAX_ATTEMPTS 14
#define FIRST_BACKOFF_USEC 25000
#define MAX_BACKOFF_USEC 1000000
/* The lease of the interface's lock(): long enough for a fixture's setup. */
#define LEASE_MSEC 30000
/* The lease of an edit's turn. An edit function is short; a turn that
 * outlives this on a host that stalls its process is taken over, and its
 * edit runs again rather than being lost. */
#define EDIT_LEASE_MSEC 2000
/* Even a caller that will not wait for a slot (timeout 0) needs the server's
 * answer: it gives the server this long. 50 ms was too short on a loaded
 * host (a reply took longer, and the call failed for nothing). */
#define SHORTEST_COMMAND_USEC 1000000
/* A waiter blocks this long on its wake key at first, doubling up to the
 * most, before it checks that the holder is still connected. A hand-off
 * wakes it at once; the slices only bound how long a dead holder is waited
 * for, and keep a waiter from asking the server more than a few times a
 * second. */
#define WAIT_SLICE_FIRST_MSEC 20
#define WAIT_SLICE_MAX_MSEC 200

typedef enum {
  SCRIPT_COMPARE_AND_SET,
  SCRIPT_FENCED_WRITE,
  SCRIPT_BEGIN_TURN,
  SCRIPT_END_TURN,
  SCRIPT_WRITE_PART,
  SCRIPT_RENEW,
  N_SCRIPTS
} Script;

/* Errors the scripts raise start with these words, which read_reply_error() maps. */
#define WRONG_TYPE_TAG "PACERTYPE"
#define LOST_LEASE_TAG "PACERLEASE"

/* What the turn scripts share. KEYS: value key, lock key, queue key. ARGV[1]:
 * the prefix of wake keys, ARGV[2]: the keys' ttl (ms), ARGV[3]: the caller's
 * ticket, "CONNECTION.LEASE.UNIQUE". A waiter's wake key receives "G" (or "N"
 * when nothing is stored) with the version, ":" and the value as it stands
 * when the turn passes to it, or "R" to read it with a begin-turn script. */
#define TURN_PRELUDE \
  "local function lease_of(ticket)\n" \
  "  return tonumber(string.match(ticket, '^%d+%.(%d+)%.')) or " G_STRINGIFY (LEASE_MSEC) "\n" \
  "end\n" \
  "local function payload()\n" \
  "  local t = redis.call('TYPE', KEYS[1]).ok\n" \
  "  if t == 'none' then return 'N0:' end\n" \
  "  if t ~= 'hash' then return 'R' end\n" \
  "  local f = redis.call('HMGET', KEYS[1], 'version', 'value')\n" \
  "  if not f[1] then return 'R' end\n" \
  "  if not f[2] then return 'N' .. f[1] .. ':' end\n" \
  "  return 'G' .. f[1] .. ':' .. f[2]\n" \
  "end\n" \
  "local function hand_off()\n" \
  "  local nxt = redis.call('LPOP', KEYS[3])\n" \
  "  if not nxt then return false end\n" \
  "  redis.call('SET', KEYS[2], nxt, 'PX', lease_of(nxt))\n" \
  "  local wake = ARGV[1] .. nxt\n" \
  "  redis.call('DEL', wake)\n" \
  "  redis.call('RPUSH', wake, payload())\n" \
  "  redis.call('PEXPIRE', wake, lease_of(nxt))\n" \
  "  return nxt\n" \
  "end\n" \
  "local function leave(ticket, holder)\n" \
  "  if holder == ticket then redis.call('DEL', KEYS[2]) end\n" \
  "  redis.call('LREM', KEYS[3], 0, ticket)\n" \
  "  redis.call('DEL', ARGV[1] .. ticket)\n" \
  "  if holder == ticket or not holder then hand_off() end\n" \
  "end\n" \
  "local function check_type()\n" \
  "  local t = redis.call('TYPE', KEYS[1]).ok\n" \
  "  if t ~= 'hash' and t ~= 'none' then return '" WRONG_TYPE_TAG " ' .. t end\n" \
  "  if t == 'hash' and not redis.call('HGET', KEYS[1], 'version') then\n" \
  "    return '" WRONG_TYPE_TAG " hash' end\n" \
  "  return nil\n" \
  "end\n"

static const char *const scripts[N_SCRIPTS] = {
  /* KEYS: value key, lock key, queue key. ARGV: version, value, ttl (ms),
   * writer, '0' to write, '1' to remove or '2' only to check the version,
   * '1' to give way to anyone in line as to a holder. */
  [SCRIPT_COMPARE_AND_SET] =
    "local t = redis.call('TYPE', KEYS[1]).ok\n"
    "if t ~= 'hash' and t ~= 'none' then return redis.error_reply('" WRONG_TYPE_TAG " ' .. t) end\n"
    "local v = redis.call('HGET', KEYS[1], 'version')\n"
    "if t == 'hash' and not v then return redis.error_reply('" WRONG_TYPE_TAG " hash') end\n"
    "if v and redis.call('HGET', KEYS[1], 'writer') == ARGV[4] then return {1, v} end\n"
    "if (v or '0') ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 1 then return {0, v or '0'} end\n"
    "if ARGV[6] == '1' and redis.call('LLEN', KEYS[3]) > 0 then return {0, v or '0'} end\n"
    "if ARGV[5] == '2' then return {1, v or '0'} end\n"
    "local n = redis.call('HINCRBY', KEYS[1], 'version', 1)\n"
    "if ARGV[5] == '1' then redis.call('HDEL', KEYS[1], 'value')\n"
    "else redis.call('HSET', KEYS[1], 'value', ARGV[2]) end\n"
    "redis.call('HSET', KEYS[1], 'writer', ARGV[4])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    "return {1, n}\n",
  /* KEYS: value key, lock key. ARGV: token, value, ttl (ms), remove ('1'). */
  [SCRIPT_FENCED_WRITE] =
    "if redis.call('GET', KEYS[2]) ~= ARGV[1] then return redis.error_reply('" LOST_LEASE_TAG "') end\n"
    "local t = redis.call('TYPE', KEYS[1]).ok\n"
    "if t ~= 'hash' and t ~= 'none' then return redis.error_reply('" WRONG_TYPE_TAG " ' .. t) end\n"
    "if t == 'hash' and not redis.call('HGET', KEYS[1], 'version') then\n"
    "  return redis.error_reply('" WRONG_TYPE_TAG " hash') end\n"
    "local n = redis.call('HINCRBY', KEYS[1], 'version', 1)\n"
    "if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], 'value')\n"
    "else redis.call('HSET', KEYS[1], 'value', ARGV[2]) end\n"
    "redis.call('HSET', KEYS[1], 'writer', ARGV[1])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    "return n\n",
  /* ARGV[4]: '1' to try once without queueing, '0' to stand in line, '2' to
   * stand in line with a BLPOP on the wake key sent along, which "T" then
   * ends at once if the turn was taken here. ARGV[5]: a ticket found dead
   * (its holder's connection is gone) or ''. Returns {1, version, value} when
   * the turn is the caller's, else {0, holder, the holder's lease left (ms)},
   * with the caller's ticket in line unless it only tried. */
  [SCRIPT_BEGIN_TURN] =
    TURN_PRELUDE
    "local ticket = ARGV[3]\n"
    "local holder = redis.call('GET', KEYS[2])\n"
    "if ARGV[5] ~= '' then\n"
    "  redis.call('LREM', KEYS[3], 0, ARGV[5])\n"
    "  if holder == ARGV[5] then redis.call('DEL', KEYS[2]); holder = false end\n"
    "end\n"
    "if not holder then holder = hand_off() end\n"
    "if not holder then\n"
    "  redis.call('SET', KEYS[2], ticket, 'PX', lease_of(ticket))\n"
    "  holder = ticket\n"
    "end\n"
    "if holder == ticket then\n"
    "  local bad = check_type()\n"
    "  if bad then leave(ticket, holder) end\n"
    "  redis.call('DEL', ARGV[1] .. ticket)\n"
    "  if ARGV[4] == '2' then\n"
    "    redis.call('RPUSH', ARGV[1] .. ticket, 'T')\n"
    "    redis.call('PEXPIRE', ARGV[1] .. ticket, lease_of(ticket))\n"
    "  end\n"
    "  if bad then return redis.error_reply(bad) end\n"
    "  redis.call('PEXPIRE', KEYS[2], lease_of(ticket))\n"
    "  local f = redis.call('HMGET', KEYS[1], 'version', 'value')\n"
    "  return {1, f[1] or '0', f[2]}\n"
    "end\n"
    "if ARGV[4] == '1' then\n"
    "  redis.call('LREM', KEYS[3], 0, ticket)\n"
    "elseif not redis.call('LPOS', KEYS[3], ticket) then\n"
    "  redis.call('RPUSH', KEYS[3], ticket)\n"
    "  redis.call('PEXPIRE', KEYS[3], ARGV[2])\n"
    "end\n"
    "return {0, holder, redis.call('PTTL', KEYS[2])}\n",
  /* ARGV[4]: 'w' to write ARGV[5] first, or 'n' to write nothing; ARGV[6]: the
   * version the turn began with. Ends the caller's turn (or leaves the line)
   * and hands the lease to the next ticket. A write whose lease ran out goes
   * through only if nobody holds the lock and nobody wrote since: as if the
   * turn had lasted. Returns the new version, or 0. */
  [SCRIPT_END_TURN] =
    TURN_PRELUDE
    "local ticket = ARGV[3]\n"
    "local holder = redis.call('GET', KEYS[2])\n"
    "local n = 0\n"
    "if ARGV[4] == 'w' then\n"
    "  local bad = check_type()\n"
    "  if bad then leave(ticket, holder); return redis.error_reply(bad) end\n"
    "  local v = redis.call('HGET', KEYS[1], 'version')\n"
    "  if holder ~= ticket then\n"
    "    if v and redis.call('HGET', KEYS[1], 'writer') == ticket then return v end\n"
    "    if holder or (v or '0') ~= ARGV[6] then\n"
    "      leave(ticket, holder)\n"
    "      return redis.error_reply('" LOST_LEASE_TAG "')\n"
    "    end\n"
    "  end\n"
    "  n = redis.call('HINCRBY', KEYS[1], 'version', 1)\n"
    "  redis.call('HSET', KEYS[1], 'value', ARGV[5], 'writer', ticket)\n"
    "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
    "end\n"
    "leave(ticket, holder)\n"
    "return n\n",
  /* KEYS: parts key. ARGV: part, value, ttl (ms). */
  [SCRIPT_WRITE_PART] =
    "local t = redis.call('TYPE', KEYS[1]).ok\n"
    "if t ~= 'hash' and t ~= 'none' then return redis.error_reply('" WRONG_TYPE_TAG " ' .. t) end\n"
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    "return 1\n",
  /* KEYS: lock key. ARGV: the holder's ticket, its lease (ms). 1 while the
   * turn is still the holder's, 0 once it was taken over. */
  [SCRIPT_RENEW] =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
    "return 1\n",
};

static char *script_shas[N_SCRIPTS];

typedef struct _PacerRedisStore PacerRedisStore;
typedef struct { GObjectClass parent_class; } PacerRedisStoreClass;

struct _PacerRedisStore
{
  GObject parent_instance;

  /* Set once by the constructor. */
  char *display_uri;   /* the URI without its password, for messages */
  char *host;
  int port;
  char *socket_path;
  char *user;
  char *password;
  int db;
  char *name;
  char *key;
  char *lock_key;
  char *parts_key;
  char *location;
  char *queue_key;
  char *wake_prefix;
  char *ttl_msec;      /* as a decimal string, ready for the scripts */
  char *client_id;
  guint lease_msec;
  guint edit_lease_msec;

  GMutex mutex;        /* guards everything below */
  redisContext *context;
  pid_t context_pid;
  guint64 connection_id;  /* the server's CLIENT ID of context, 0 if unknown */
  guint64 writes;
  char *lease_token;   /* while this object holds the lease */
  struct _LeaseRenewer *renewer;  /* keeps that lease while it is held */
  gboolean last_turn_waited;
  /* Connections for blocking on wake keys, so that a waiting thread never
   * holds the one its store's other threads talk on; each with its pid. */
  GPtrArray *idle_waits;
};

typedef struct
{
  redisContext *context;
  pid_t pid;
} WaitConnection;

static GType pacer_redis_store_get_type (void);
static void pacer_redis_store_iface_init (PacerStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PacerRedisStore, pacer_redis_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_STORE, pacer_redis_store_iface_init))

#define PACER_REDIS_STORE(o) (G_TYPE_CHECK_INSTANCE_CAST ((o), pacer_redis_store_get_type (), PacerRedisStore))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerRedisStore, g_object_unref)

static void
close_context (PacerRedisStore *self)
{
  g_clear_pointer (&self->context, redisFree);
  /* A ticket made before the next connection names none: its holder is
   * then known dead only by its lease, never by another's old number. */
  self->connection_id = 0;
}

/* A reply that is an error raised by the server, as a PacerError naming the
 * key. Scripts tag their own errors; anything else is the server's message. */
static void
set_reply_error (PacerRedisStore  *self,
                 const redisReply *reply,
                 GError          **error)
{
  const char *text = reply->str != NULL ? reply->str : "";

  if (g_str_has_prefix (text, "WRONGTYPE") || strstr (text, WRONG_TYPE_TAG) != NULL)
    g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                 _("Key “%s” on Redis at “%s” does not hold pacer-glib state; it is left as it is"),
                 self->key, self->display_uri);
  else if (strstr (text, "PACERCORRUPT") != NULL)
    g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                 _("Key “%s” on Redis at “%s” does not hold a JSON object; it is left as it is"),
                 self->key, self->display_uri);
  else if (strstr (text, LOST_LEASE_TAG) != NULL)
    g_set_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT,
                 _("The lock on key “%s” on Redis at “%s” expired before the write; nothing was written"),
                 self->key, self->display_uri);
  else
    g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED,
                 _("Redis at “%s” refused a command on key “%s”: %s"),
                 self->display_uri, self->key, text);
}

static void
set_unexpected_reply_error (PacerRedisStore  *self,
                            const char       *key,
                            GError          **error)
{
  g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED,
               _("Redis at “%s” gave an unexpected reply for key “%s”"), self->display_uri, key);
}

/* hiredis writes with write(), so a server that went away would kill the
 * process with SIGPIPE. A library must not change the process's signal
 * dispositions: block SIGPIPE in this thread around the call instead, and
 * swallow the one it raised, if it was not pending already. */
static gboolean
pipeline_no_sigpipe (redisContext  *context,
                     guint          n_commands,
                     const int     *argc,
                     const char  **argv[],
                     const size_t *argv_len[],
                     redisReply   **replies)
{
  sigset_t pipe_set, old_set, pending;
  gboolean was_pending, ok = TRUE;
  guint got = 0;

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old_set);
  sigpending (&pending);
  was_pending = sigismember (&pending, SIGPIPE);

  for (guint i = 0; i < n_commands && ok; i++)
    ok = redisAppendCommandArgv (context, argc[i], argv[i], argv_len[i]) == REDIS_OK;
  for (; got < n_commands && ok; got++)
    ok = redisGetReply (context, (void **) &replies[got]) == REDIS_OK && replies[got] != NULL;

  if (!ok)
    {
      for (guint i = 0; i < got; i++)
        g_clear_pointer (&replies[i], freeReplyObject);
      if (!was_pending)
        {
          const struct timespec no_wait = { 0, 0 };

          sigpending (&pending);
          if (sigismember (&pending, SIGPIPE))
            sigtimedwait (&pipe_set, NULL, &no_wait);
        }
    }
  pthread_sigmask (SIG_SETMASK, &old_set, NULL);

  return ok;
}

static redisReply *
command_argv_no_sigpipe (redisContext  *context,
                         int            argc,
                         const char   **argv,
                         const size_t  *argv_len)
{
  redisReply *reply = NULL;

  if (!pipeline_no_sigpipe (context, 1, &argc, &argv, &argv_len, &reply))
    return NULL;
  return reply;
}

/* A new connection, authenticated and on the right database. Reads only
 * fields set once by the constructor, so it needs no mutex. */
static redisContext *
open_context (PacerRedisStore  *self,
              GError          **error)
{
  struct timeval connect_timeout = { CONNECT_TIMEOUT_MSEC / 1000, (CONNECT_TIMEOUT_MSEC % 1000) * 1000 };
  struct timeval command_timeout = { COMMAND_TIMEOUT_MSEC / 1000, (COMMAND_TIMEOUT_MSEC % 1000) * 1000 };
  redisContext *context;

  if (self->socket_path != NULL)
    context = redisConnectUnixWithTimeout (self->socket_path, connect_timeout);
  else
    context = redisConnectWithTimeout (self->host, self->port, connect_timeout);

  if (context == NULL || context->err != 0)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Cannot reach Redis at “%s”: %s"), self->display_uri,
                   context != NULL ? context->errstr : g_strerror (ENOMEM));
      g_clear_pointer (&context, redisFree);
      return NULL;
    }
  redisSetTimeout (context, command_timeout);

  if (self->password != NULL)
    {
      g_autoptr(redisReply) reply = NULL;

      const char *argv[] = { "AUTH", self->user, self->password };

      if (self->user != NULL && *self->user != '\0')
        reply = command_argv_no_sigpipe (context, 3, argv, NULL);
      else
        reply = command_argv_no_sigpipe (context, 2, (const char *[]) { "AUTH", self->password }, NULL);

      if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
        {
          g_set_error (error, PACER_ERROR, reply == NULL ? PACER_ERROR_IO : PACER_ERROR_INVALID_ARGUMENT,
                       _("Redis at “%s” did not accept the password for key “%s”: %s"),
                       self->display_uri, self->key,
                       reply != NULL ? reply->str : context->errstr);
          redisFree (context);
          return NULL;
        }
    }

  {
    g_autofree char *db = g_strdup_printf ("%d", self->db);
    g_autoptr(redisReply) reply = command_argv_no_sigpipe (context, 2, (const char *[]) { "SELECT", db }, NULL);

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
      {
        g_set_error (error, PACER_ERROR, reply == NULL ? PACER_ERROR_IO : PACER_ERROR_INVALID_ARGUMENT,
                     _("Redis at “%s” cannot use database %d for key “%s”: %s"),
                     self->display_uri, self->db, self->key,
                     reply != NULL ? reply->str : context->errstr);
        redisFree (context);
        return NULL;
      }
  }

  return context;
}

static gboolean
connect_locked (PacerRedisStore  *self,
                GError          **error)
{
  g_autoptr(redisReply) reply = NULL;

  close_context (self);
  self->context = open_context (self, error);
  if (self->context == NULL)
    return FALSE;
  self->context_pid = getpid ();

  /* Tickets name this connection, so that waiters can tell a dead holder
   * from a slow one. A server that will not say (before 5.0, or an ACL that
   * forbids it) leaves dead holders to their leases. */
  reply = command_argv_no_sigpipe (self->context, 2, (const char *[]) { "CLIENT", "ID" }, NULL);
  self->connection_id = reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0
                        ? (guint64) reply->integer : 0;
  if (reply == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Lost the connection to Redis at “%s”: %s"),
                   self->display_uri, self->context->errstr);
      close_context (self);
      return FALSE;
    }
  return TRUE;
}

static gboolean
reply_is_transient (const redisReply *reply)
{
  static const char *const transient[] = { "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY" };

  if (reply->type != REDIS_REPLY_ERROR || reply->str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (transient); i++)
    if (g_str_has_prefix (reply->str, transient[i]) && reply->str[strlen (transient[i])] == ' ')
      return TRUE;
  return FALSE;
}

/* Runs one command, connecting first when needed. A lost connection (no reply
 * at all) is retried with backoff; an error reply is returned to the caller,
 * which knows what it means. Called with the mutex held. */
static redisReply *
command_until_locked (PacerRedisStore  *self,
                      int               argc,
                      const char      **argv,
                      const size_t     *argv_len,
                      gint64            deadline,
                      GError          **error)
{
  g_autoptr(GError) last_error = NULL;
  gulong backoff = FIRST_BACKOFF_USEC;
  guint attempt;

  for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
    {
      redisReply *reply;

      if (attempt > 0)
        {
          /* Jitter keeps clients that lost the server together from coming back together. */
          gulong pause = backoff / 2 + g_random_int_range (0, (gint32) backoff / 2 + 1);

          if (g_get_monotonic_time () + (gint64) pause >= deadline)
            break;
          g_usleep (pause);
          backoff = MIN (backoff * 2, MAX_BACKOFF_USEC);
        }

      /* A forked child must not talk on its parent's socket. */
      if (self->context != NULL && self->context_pid != getpid ())
        {
          redisFreeKeepFd (self->context);
          self->context = NULL;
        }

      if (self->context == NULL)
        {
          g_clear_error (&last_error);
          if (!connect_locked (self, &last_error))
            {
              if (!g_error_matches (last_error, PACER_ERROR, PACER_ERROR_IO))
                break;
              continue;
            }
        }

      /* A caller with a deadline never waits on a silent server beyond it. */
      if (deadline != G_MAXINT64)
        {
          gint64 left = MAX (deadline - g_get_monotonic_time (), SHORTEST_COMMAND_USEC);
          struct timeval tv = { (time_t) (MIN (left, COMMAND_TIMEOUT_MSEC * 1000) / G_USEC_PER_SEC),
                                (suseconds_t) (MIN (left, COMMAND_TIMEOUT_MSEC * 1000) % G_USEC_PER_SEC) };

          redisSetTimeout (self->context, tv);
        }
      reply = command_argv_no_sigpipe (self->context, argc, argv, argv_len);
      if (deadline != G_MAXINT64 && self->context != NULL)
        {
          struct timeval tv = { COMMAND_TIMEOUT_MSEC / 1000, (COMMAND_TIMEOUT_MSEC % 1000) * 1000 };

          redisSetTimeout (self->context, tv);
        }
      if (reply != NULL && reply_is_transient (reply))
        {
          /* A server still loading its data after a restart, busy with a
           * script, or a replica that was just promoted: it will serve soon. */
          g_clear_error (&last_error);
          g_set_error (&last_error, PACER_ERROR, PACER_ERROR_IO,
                       _("Redis at “%s” is not ready: %s"), self->display_uri, reply->str);
          freeReplyObject (reply);
          close_context (self);
          continue;
        }
      if (reply != NULL)
        return reply;

      g_clear_error (&last_error);
      g_set_error (&last_error, PACER_ERROR, PACER_ERROR_IO,
                   _("Lost the connection to Redis at “%s”: %s"),
                   self->display_uri, self->context->errstr);
      close_context (self);
    }

  if (last_error == NULL)
    g_set_error (&last_error, PACER_ERROR, PACER_ERROR_IO,
                 _("Redis at “%s” did not answer in time"), self->display_uri);
  g_propagate_prefixed_error (error, g_steal_pointer (&last_error),
                              _("Gave up on key “%s” after %u attempts: "),
                              self->key, MAX (attempt, 1));
  return NULL;
}

static redisReply *
command_locked (PacerRedisStore  *self,
                int               argc,
                const char      **argv,
                const size_t     *argv_len,
                GError          **error)
{
  return command_until_locked (self, argc, argv, argv_len, G_MAXINT64, error);
}

/* Runs a script by its digest, sending its text only when the server does not
 * know it yet (first use, or after a restart emptied its script cache). */
static redisReply *
eval_until_locked (PacerRedisStore  *self,
                   const char       *script,
                   const char       *sha,
                   guint             n_keys,
                   const char      **args,
                   const size_t     *args_len,
                   guint             n_args,
                   gint64            deadline,
                   GError          **error)
{
  const char *argv[16];
  size_t argv_len[16];
  char n_keys_text[8];
  redisReply *reply;

  g_assert (n_args + 3 <= G_N_ELEMENTS (argv));

  g_snprintf (n_keys_text, sizeof n_keys_text, "%u", n_keys);
  argv[0] = "EVALSHA";
  argv[1] = sha;
  argv[2] = n_keys_text;
  for (guint i = 0; i < n_args; i++)
    {
      argv[3 + i] = args[i];
      argv_len[3 + i] = args_len != NULL && args_len[i] != (size_t) -1 ? args_len[i] : strlen (args[i]);
    }
  for (guint i = 0; i < 3; i++)
    argv_len[i] = strlen (argv[i]);

  reply = command_until_locked (self, (int) n_args + 3, argv, argv_len, deadline, error);
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR && g_str_has_prefix (reply->str, "NOSCRIPT"))
    {
      freeReplyObject (reply);
      argv[0] = "EVAL";
      argv[1] = script;
      argv_len[0] = strlen (argv[0]);
      argv_len[1] = strlen (argv[1]);
      reply = command_until_locked (self, (int) n_args + 3, argv, argv_len, deadline, error);
    }

  return reply;
}

static redisReply *
script_locked (PacerRedisStore  *self,
               Script            script,
               guint             n_keys,
               const char      **args,
               const size_t     *args_len,
               guint             n_args,
               GError          **error)
{
  redisReply *reply = eval_until_locked (self, scripts[script], script_shas[script], n_keys,
                                         args, args_len, n_args, G_MAXINT64, error);

  /* A script's error reply means the same to every caller. */
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    {
      set_reply_error (self, reply, error);
      g_clear_pointer (&reply, freeReplyObject);
    }
  return reply;
}

static gboolean
reply_to_version (const redisReply *reply,
                  guint64          *version)
{
  if (reply->type == REDIS_REPLY_INTEGER)
    {
      *version = (guint64) reply->integer;
      return reply->integer >= 0;
    }
  if (reply->type == REDIS_REPLY_STRING)
    return g_ascii_string_to_unsigned (reply->str, 10, 0, G_MAXUINT64, version, NULL);
  return FALSE;
}

static GBytes *
pacer_redis_store_read_versioned (PacerStore  *store,
                                  guint64     *out_version,
                                  GError     **error)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);
  const char *argv[] = { "HMGET", self->key, "value", "version" };
  g_autoptr(redisReply) reply = NULL;
  const redisReply *value, *version;

  *out_version = 0;

  g_mutex_lock (&self->mutex);
  reply = command_locked (self, G_N_ELEMENTS (argv), argv, NULL, error);
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    return NULL;
  if (reply->type == REDIS_REPLY_ERROR)
    {
      set_reply_error (self, reply, error);
      return NULL;
    }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2)
    {
      set_unexpected_reply_error (self, self->key, error);
      return NULL;
    }

  value = reply->element[0];
  version = reply->element[1];
  if (version->type == REDIS_REPLY_NIL)
    {
      if (value->type != REDIS_REPLY_NIL)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                       _("Key “%s” on Redis at “%s” does not hold pacer-glib state; it is left as it is"),
                       self->key, self->display_uri);
          return NULL;
        }
      g_set_error (error, PACER_ERROR, PACER_ERROR_NOT_FOUND,
                   _("Nothing is stored in key “%s” on Redis at “%s”"), self->key, self->display_uri);
      return NULL;
    }

  if (!reply_to_version (version, out_version))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("Key “%s” on Redis at “%s” holds a version that is not a number; it is left as it is"),
                   self->key, self->display_uri);
      return NULL;
    }

  if (value->type != REDIS_REPLY_STRING)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_NOT_FOUND,
                   _("Nothing is stored in key “%s” on Redis at “%s”"), self->key, self->display_uri);
      return NULL;
    }

  return g_bytes_new (value->str, value->len);
}

static GBytes *
pacer_redis_store_read (PacerStore  *store,
                        GError     **error)
{
  guint64 version;

  return pacer_redis_store_read_versioned (store, &version, error);
}

static gboolean
compare_and_set (PacerRedisStore  *self,
                 guint64           version,
                 const char       *mode,
                 gboolean          yield_to_waiters,
                 GBytes           *contents,
                 guint64          *out_version,
                 GError          **error)
{
  g_autoptr(redisReply) reply = NULL;
  g_autofree char *writer = NULL;
  char version_text[24];
  const char *args[9];
  size_t args_len[9];
  gsize size = 0;
  const char *data = contents != NULL ? g_bytes_get_data (contents, &size) : "";

  g_snprintf (version_text, sizeof version_text, "%" G_GUINT64_FORMAT, version);

  g_mutex_lock (&self->mutex);
  /* One id per call, kept across the retries of this call only. */
  writer = g_strdup_printf ("%s:%d:%" G_GUINT64_FORMAT, self->client_id, (int) getpid (), ++self->writes);
  args[0] = self->key;
  args[1] = self->lock_key;
  args[2] = self->queue_key;
  args[3] = version_text;
  args[4] = data;
  args[5] = self->ttl_msec;
  args[6] = writer;
  args[7] = mode;
  args[8] = yield_to_waiters ? "1" : "0";
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    args_len[i] = (size_t) -1;
  args_len[4] = size;
  reply = script_locked (self, SCRIPT_COMPARE_AND_SET, 3, args, args_len, G_N_ELEMENTS (args), error);
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    return FALSE;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER || !reply_to_version (reply->element[1], out_version))
    {
      set_unexpected_reply_error (self, self->key, error);
      return FALSE;
    }

  if (reply->element[0]->integer == 0)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CONFLICT,
                   _("Key “%s” on Redis at “%s” was changed by another writer"),
                   self->key, self->display_uri);
      return FALSE;
    }

  return TRUE;
}

static gboolean
pacer_redis_store_compare_and_set (PacerStore  *store,
                                   guint64      version,
                                   GBytes      *contents,
                                   guint64     *out_version,
                                   GError     **error)
{
  return compare_and_set (PACER_REDIS_STORE (store), version, contents != NULL ? "0" : "1", FALSE,
                          contents, out_version, error);
}

/* A ticket names the holder's connection, so that waiters can ask whether it
 * still exists, and its lease, so that a hand-off gives the next holder the
 * lease it asked for. Called with the mutex held. */
static char *
new_ticket_locked (PacerRedisStore *self,
                   guint            lease_msec,
                   GError         **error)
{
  /* A forked child gets a connection (and an id) of its own first. */
  if (self->context != NULL && self->context_pid != getpid ())
    {
      redisFreeKeepFd (self->context);
      self->context = NULL;
    }
  if (self->context == NULL)
    {
      g_autoptr(GError) local_error = NULL;

      /* A server that is away now is retried by the script's own call. */
      if (!connect_locked (self, &local_error) &&
          !g_error_matches (local_error, PACER_ERROR, PACER_ERROR_IO))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  return g_strdup_printf ("%" G_GUINT64_FORMAT ".%u.%s:%d:%" G_GUINT64_FORMAT,
                          self->connection_id, lease_msec, self->client_id, (int) getpid (),
                          ++self->writes);
}

/* Whether the connection that @ticket names is gone, so that its turn (or its
 * place in line) can be broken. Anything short of the server saying so, such
 * as a server that does not know CLIENT LIST ID, counts as alive: the lease
 * then bounds the wait. */
static gboolean
holder_is_gone (PacerRedisStore *self,
                const char      *ticket)
{
  g_autoptr(redisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  char *end = NULL;
  guint64 id = g_ascii_strtoull (ticket, &end, 10);
  char id_text[24];
  const char *argv[] = { "CLIENT", "LIST", "ID", id_text };

  if (id == 0 || end == NULL || *end != '.')
    return FALSE;
  g_snprintf (id_text, sizeof id_text, "%" G_GUINT64_FORMAT, id);

  g_mutex_lock (&self->mutex);
  /* Our own connection is alive by definition, even when the server just
   * lost and renumbered it. */
  if (id != self->connection_id || self->context_pid != getpid ())
    reply = command_locked (self, G_N_ELEMENTS (argv), argv, NULL, &error);
  g_mutex_unlock (&self->mutex);

  return reply != NULL &&
         reply->type == REDIS_REPLY_STRING &&
         reply->len == 0;
}

static WaitConnection *
take_wait_connection (PacerRedisStore  *self,
                      GError          **error)
{
  WaitConnection *wait = NULL;

  g_mutex_lock (&self->mutex);
  while (self->idle_waits->len > 0 && wait == NULL)
    {
      wait = g_ptr_array_steal_index_fast (self->idle_waits, self->idle_waits->len - 1);
      if (wait->pid != getpid ())
        {
          redisFreeKeepFd (wait->context);
          g_free (wait);
          wait = NULL;
        }
    }
  g_mutex_unlock (&self->mutex);

  if (wait == NULL)
    {
      redisContext *context = open_context (self, error);

      if (context == NULL)
        return NULL;
      wait = g_new0 (WaitConnection, 1);
      wait->context = context;
      wait->pid = getpid ();
    }

  return wait;
}

static void
give_back_wait_connection (PacerRedisStore *self,
                           WaitConnection  *wait)
{
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->idle_waits, wait);
  g_mutex_unlock (&self->mutex);
}

static void
wait_connection_free (gpointer data)
{
  WaitConnection *wait = data;

  if (wait->pid != getpid ())
    redisFreeKeepFd (wait->context);
  else
    redisFree (wait->context);
  g_free (wait);
}

/* What a hand-off pushed onto a wake key, or what a begin-turn script
 * returned: the value the new holder starts from. */
static gboolean
parse_turn_value (PacerRedisStore  *self,
                  const char       *version_text,
                  gsize             version_len,
                  const char       *value,
                  gsize             value_len,
                  gboolean          has_value,
                  GBytes          **out_contents,
                  guint64          *out_version,
                  GError          **error)
{
  g_autofree char *text = g_strndup (version_text, version_len);

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, out_version, NULL))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("Key “%s” on Redis at “%s” holds a version that is not a number; it is left as it is"),
                   self->key, self->display_uri);
      return FALSE;
    }
  if (out_contents != NULL)
    *out_contents = has_value ? g_bytes_new (value, value_len) : NULL;
  return TRUE;
}

typedef enum {
  TURN_TAKEN,
  TURN_BUSY,
  TURN_FAILED,
  TURN_UNKNOWN,
} TurnOutcome;

static TurnOutcome
parse_begin_reply (PacerRedisStore  *self,
                   const redisReply *reply,
                   GBytes          **out_contents,
                   guint64          *out_version,
                   char            **out_holder,
                   gint64           *out_holder_msec,
                   GError          **error)
{
  if (reply->type == REDIS_REPLY_ERROR)
    {
      set_reply_error (self, reply, error);
      return TURN_FAILED;
    }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER || reply->element[1]->type != REDIS_REPLY_STRING)
    goto unexpected;

  if (reply->element[0]->integer == 1)
    {
      const redisReply *value = reply->elements > 2 ? reply->element[2] : NULL;
      gboolean has_value = value != NULL && value->type == REDIS_REPLY_STRING;

      if (!parse_turn_value (self, reply->element[1]->str, reply->element[1]->len,
                             has_value ? value->str : NULL, has_value ? value->len : 0, has_value,
                             out_contents, out_version, error))
        return TURN_FAILED;
      return TURN_TAKEN;
    }

  if (reply->elements != 3 || reply->element[2]->type != REDIS_REPLY_INTEGER)
    goto unexpected;
  *out_holder = g_strndup (reply->element[1]->str, reply->element[1]->len);
  *out_holder_msec = reply->element[2]->integer;
  return TURN_BUSY;

unexpected:
  set_unexpected_reply_error (self, self->key, error);
  return TURN_FAILED;
}

static TurnOutcome
try_turn (PacerRedisStore  *self,
          const char       *ticket,
          gboolean          queue,
          const char       *dead,
          GBytes          **out_contents,
          guint64          *out_version,
          char            **out_holder,
          gint64           *out_holder_msec,
          GError          **error)
{
  g_autoptr(redisReply) reply = NULL;
  const char *args[] = { self->key, self->lock_key, self->queue_key, self->wake_prefix, self->ttl_msec,
                         ticket, queue ? "0" : "1", dead != NULL ? dead : "" };

  g_mutex_lock (&self->mutex);
  reply = script_locked (self, SCRIPT_BEGIN_TURN, 3, args, NULL, G_N_ELEMENTS (args), error);
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    return TURN_FAILED;
  return parse_begin_reply (self, reply, out_contents, out_version, out_holder, out_holder_msec, error);
}

/* The value a hand-off pushed onto a wake key: "G" (or "N" when nothing is
 * stored), the version, ":" and the value. */
static gboolean
parse_hand_off (PacerRedisStore  *self,
                const redisReply *reply,
                GBytes          **out_contents,
                guint64          *out_version)
{
  const char *payload, *colon;
  gsize len;

  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[1]->type != REDIS_REPLY_STRING)
    return FALSE;

  payload = reply->element[1]->str;
  len = reply->element[1]->len;
  colon = memchr (payload, ':', len);
  if (len == 0 || (payload[0] != 'G' && payload[0] != 'N') || colon == NULL)
    return FALSE;

  return parse_turn_value (self, payload + 1, (gsize) (colon - payload - 1),
                           colon + 1, len - (gsize) (colon + 1 - payload),
                           payload[0] == 'G', out_contents, out_version, NULL);
}

/* Takes the turn, or stands in line and blocks on the ticket's wake key for
 * at most @msec, in one round trip: the script and the BLPOP go out together
 * on a connection of their own, so that a waiting thread never holds the one
 * its store's other threads talk on. TURN_BUSY when nothing came in time;
 * TURN_UNKNOWN, after a short pause, when the connection failed or the
 * server did not know the script, for the caller to look again the plain way. */
static TurnOutcome
wait_in_line (PacerRedisStore  *self,
              const char       *ticket,
              const char       *dead,
              gint64            msec,
              GBytes          **out_contents,
              guint64          *out_version,
              char            **out_holder,
              gint64           *out_holder_msec,
              gboolean         *out_met_holder,
              GError          **error)
{
  g_autofree char *wake_key = g_strconcat (self->wake_prefix, ticket, NULL);
  char seconds[32];
  const char *begin_argv[] = { "EVALSHA", script_shas[SCRIPT_BEGIN_TURN], "3", self->key, self->lock_key,
                               self->queue_key, self->wake_prefix, self->ttl_msec, ticket, "2",
                               dead != NULL ? dead : "" };
  const char *wait_argv[] = { "BLPOP", wake_key, seconds };
  const char **argv[] = { begin_argv, wait_argv };
  const size_t *argv_len[] = { NULL, NULL };
  const int argc[] = { G_N_ELEMENTS (begin_argv), G_N_ELEMENTS (wait_argv) };
  redisReply *replies[2] = { NULL, NULL };
  g_autoptr(redisReply) begin = NULL;
  g_autoptr(redisReply) woken = NULL;
  struct timeval tv = { (time_t) (msec / 1000 + COMMAND_TIMEOUT_MSEC / 1000), (suseconds_t) (msec % 1000) * 1000 };
  WaitConnection *wait;
  TurnOutcome outcome;

  /* BLPOP takes 0 as for ever. */
  g_ascii_formatd (seconds, sizeof seconds, "%.3f", MAX (msec, 1) / 1000.0);

  wait = take_wait_connection (self, NULL);
  if (wait == NULL)
    {
      g_usleep (FIRST_BACKOFF_USEC);
      return TURN_UNKNOWN;
    }

  redisSetTimeout (wait->context, tv);
  if (!pipeline_no_sigpipe (wait->context, 2, argc, argv, argv_len, replies))
    {
      wait_connection_free (wait);
      g_usleep (FIRST_BACKOFF_USEC);
      return TURN_UNKNOWN;
    }
  give_back_wait_connection (self, wait);
  begin = replies[0];
  woken = replies[1];

  if (begin->type == REDIS_REPLY_ERROR && g_str_has_prefix (begin->str, "NOSCRIPT"))
    return TURN_UNKNOWN;
  outcome = parse_begin_reply (self, begin, out_contents, out_version, out_holder, out_holder_msec, error);
  if (outcome != TURN_BUSY)
    return outcome;
  *out_met_holder = TRUE;
  return parse_hand_off (self, woken, out_contents, out_version) ? TURN_TAKEN : TURN_BUSY;
}

/* Ends the turn of @ticket, or takes it out of the line: writes @contents
 * first unless it is NULL, releases the lease and hands it to the next in
 * line. */
static gboolean
end_turn (PacerRedisStore  *self,
          const char       *ticket,
          guint64           version,
          GBytes           *contents,
          guint64          *out_version,
          GError          **error)
{
  g_autoptr(redisReply) reply = NULL;
  char version_text[24];
  gsize size = 0;
  const char *data = contents != NULL ? g_bytes_get_data (contents, &size) : "";
  const char *args[] = { self->key, self->lock_key, self->queue_key, self->wake_prefix, self->ttl_msec,
                         ticket, contents != NULL ? "w" : "n", data, version_text };
  size_t args_len[G_N_ELEMENTS (args)];

  g_snprintf (version_text, sizeof version_text, "%" G_GUINT64_FORMAT, version);
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    args_len[i] = (size_t) -1;
  args_len[7] = size;

  g_mutex_lock (&self->mutex);
  reply = script_locked (self, SCRIPT_END_TURN, 3, args, args_len, G_N_ELEMENTS (args), error);
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    return FALSE;
  if (out_version != NULL && !reply_to_version (reply, out_version))
    {
      set_unexpected_reply_error (self, self->key, error);
      return FALSE;
    }
  return TRUE;
}

/* Takes a turn: at once when the lock is free and nobody is in line, else in
 * line, blocking on the ticket's wake key until the turn is handed over, the
 * holder turns out to be gone, or @timeout (seconds: <0 for ever, 0 once)
 * runs out. A hand-off brings the value along, so taking a turn is one round
 * trip whether the lock is free or handed over. */
static char *
begin_turn (PacerRedisStore  *self,
            guint             lease_msec,
            double            timeout,
            GCancellable     *cancellable,
            GBytes          **out_contents,
            guint64          *out_version,
            GError          **error)
{
  gint64 deadline = timeout < 0 ? G_MAXINT64 : g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  g_autofree char *ticket = NULL;
  g_autofree char *dead = NULL;
  gint64 slice = WAIT_SLICE_FIRST_MSEC, holder_msec = -1;
  gboolean in_line, met_holder = FALSE;
  guint64 version = 0;

  g_mutex_lock (&self->mutex);
  ticket = new_ticket_locked (self, lease_msec, error);
  /* A store whose last turn had to wait starts with the wait, so that it
   * stands in line and blocks in one round trip; one that met nobody looks
   * first on its own connection and opens no other. */
  in_line = timeout != 0 && self->last_turn_waited;
  g_mutex_unlock (&self->mutex);
  if (ticket == NULL)
    return NULL;

  if (out_contents != NULL)
    *out_contents = NULL;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *holder = NULL;
      TurnOutcome outcome = TURN_UNKNOWN;
      gboolean waited = FALSE;
      gint64 now = g_get_monotonic_time ();

      if (in_line)
        {
          /* Never block past the holder's lease, which ends its turn by itself. */
          gint64 wait = holder_msec >= 0 ? MIN (slice, holder_msec + 1) : slice;

          if (deadline != G_MAXINT64)
            wait = MIN (wait, (deadline - now + 999) / 1000);
          outcome = wait_in_line (self, ticket, dead, wait, out_contents, &version, &holder, &holder_msec,
                                  &met_holder, &local_error);
          waited = outcome == TURN_BUSY;
        }
      if (outcome == TURN_UNKNOWN)
        {
          outcome = try_turn (self, ticket, timeout != 0, dead, out_contents, &version, &holder,
                              &holder_msec, &local_error);
          met_holder |= outcome == TURN_BUSY;
        }
      g_clear_pointer (&dead, g_free);

      if (outcome == TURN_TAKEN)
        {
          g_mutex_lock (&self->mutex);
          self->last_turn_waited = met_holder;
          g_mutex_unlock (&self->mutex);
          *out_version = version;
          return g_steal_pointer (&ticket);
        }
      if (outcome == TURN_FAILED)
        {
          /* A server that cannot be reached was retried long enough already;
           * a ticket left in line there is passed over when its lease ends. */
          if (!g_error_matches (local_error, PACER_ERROR, PACER_ERROR_IO))
            end_turn (self, ticket, 0, NULL, NULL, NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      /* A holder that kept the turn through a whole wait may be dead: if its
       * connection is gone, break its turn and look again at once. */
      if ((timeout == 0 || waited) && holder_is_gone (self, holder))
        {
          dead = g_steal_pointer (&holder);
          continue;
        }

      if (timeout == 0 || g_get_monotonic_time () >= deadline || g_cancellable_is_cancelled (cancellable))
        break;
      if (waited)
        slice = MIN (slice * 2, WAIT_SLICE_MAX_MSEC);
      in_line = TRUE;
    }

  /* Leave the line; a hand-off that came meanwhile is passed on. */
  if (out_contents != NULL)
    g_clear_pointer (out_contents, g_bytes_unref);
  end_turn (self, ticket, 0, NULL, NULL, NULL);
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    g_set_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT,
                 _("Timed out waiting for the lock on key “%s” on Redis at “%s”"),
                 self->key, self->display_uri);
  return NULL;
}

/* The lock of the interface is held for as long as its holder needs: a
 * shared fixture's setup may take minutes. A thread renews its lease every
 * third of it while it is held, so only a holder that died, or was cut off
 * from the server, loses it (after one lease); a live one never does. */
typedef struct _LeaseRenewer
{
  PacerRedisStore *store;  /* not a reference: stopped before the store goes */
  char *ticket;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean stop;
} LeaseRenewer;

/* FALSE once the turn is no longer the holder's: nothing left to renew. */
static gboolean
renew_lease (PacerRedisStore *self,
             const char      *ticket)
{
  g_autoptr(GError) error = NULL;
  char lease_text[16];
  const char *args[] = { self->lock_key, ticket, lease_text };
  redisReply *reply;
  gboolean held = TRUE;

  g_snprintf (lease_text, sizeof lease_text, "%u", self->lease_msec);
  g_mutex_lock (&self->mutex);
  reply = script_locked (self, SCRIPT_RENEW, 1, args, NULL, G_N_ELEMENTS (args), &error);
  g_mutex_unlock (&self->mutex);

  /* A server out of reach is tried again at the next renewal. */
  if (reply == NULL)
    g_debug ("Could not renew the lock on “%s”: %s", self->key, error->message);
  else
    held = reply->type != REDIS_REPLY_INTEGER || reply->integer != 0;
  g_clear_pointer (&reply, freeReplyObject);
  return held;
}

static gpointer
lease_renewer_thread (gpointer data)
{
  LeaseRenewer *renewer = data;
  gint64 interval = MAX (renewer->store->lease_msec / 3, 1) * (gint64) 1000;

  g_mutex_lock (&renewer->lock);
  while (!renewer->stop)
    {
      if (g_cond_wait_until (&renewer->cond, &renewer->lock, g_get_monotonic_time () + interval) ||
          renewer->stop)
        continue;
      g_mutex_unlock (&renewer->lock);
      if (!renew_lease (renewer->store, renewer->ticket))
        {
          g_mutex_lock (&renewer->lock);
          break;
        }
      g_mutex_lock (&renewer->lock);
    }
  g_mutex_unlock (&renewer->lock);
  return NULL;
}

static LeaseRenewer *
lease_renewer_start (PacerRedisStore *self,
                     const char      *ticket)
{
  LeaseRenewer *renewer = g_new0 (LeaseRenewer, 1);

  renewer->store = self;
  renewer->ticket = g_strdup (ticket);
  g_mutex_init (&renewer->lock);
  g_cond_init (&renewer->cond);
  renewer->thread = g_thread_new ("pacer-lease", lease_renewer_thread, renewer);
  return renewer;
}

static void
lease_renewer_stop (LeaseRenewer *renewer)
{
  if (renewer == NULL)
    return;
  g_mutex_lock (&renewer->lock);
  renewer->stop = TRUE;
  g_cond_signal (&renewer->cond);
  g_mutex_unlock (&renewer->lock);
  g_thread_join (renewer->thread);
  g_mutex_clear (&renewer->lock);
  g_cond_clear (&renewer->cond);
  g_free (renewer->ticket);
  g_free (renewer);
}

static gboolean
pacer_redis_store_lock (PacerStore    *store,
                        double         timeout,
                        GCancellable  *cancellable,
                        GError       **error)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);
  guint64 version;
  char *ticket;

  ticket = begin_turn (self, self->lease_msec, timeout, cancellable, NULL, &version, error);
  if (ticket == NULL)
    return FALSE;

  g_mutex_lock (&self->mutex);
  g_free (self->lease_token);
  self->lease_token = ticket;
  g_mutex_unlock (&self->mutex);
  lease_renewer_stop (g_steal_pointer (&self->renewer));
  self->renewer = lease_renewer_start (self, ticket);
  return TRUE;
}

static void
pacer_redis_store_unlock (PacerStore *store)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  /* Stopped before the turn ends, so that no renewal follows the release. */
  lease_renewer_stop (g_steal_pointer (&self->renewer));
  g_mutex_lock (&self->mutex);
  token = g_steal_pointer (&self->lease_token);
  g_mutex_unlock (&self->mutex);
  if (token == NULL)
    {
      g_critical ("Unlocking key “%s”, which this store does not hold", self->key);
      return;
    }

  /* The lease runs out by itself: a lost unlock only delays the next holder. */
  if (!end_turn (self, token, 0, NULL, NULL, &error))
    g_debug ("Could not release the lock on “%s”: %s", self->key, error->message);
}

static gboolean
fenced_write (PacerRedisStore  *self,
              GBytes           *contents,
              GError          **error)
{
  g_autoptr(redisReply) reply = NULL;
  const char *args[6];
  size_t args_len[6];
  gsize size = 0;
  const char *data = contents != NULL ? g_bytes_get_data (contents, &size) : "";

  g_mutex_lock (&self->mutex);
  if (self->lease_token == NULL)
    {
      g_mutex_unlock (&self->mutex);
      g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED,
                   _("Writing key “%s” needs its lock"), self->key);
      return FALSE;
    }
  args[0] = self->key;
  args[1] = self->lock_key;
  args[2] = self->lease_token;
  args[3] = data;
  args[4] = self->ttl_msec;
  args[5] = contents != NULL ? "0" : "1";
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    args_len[i] = (size_t) -1;
  args_len[3] = size;
  reply = script_locked (self, SCRIPT_FENCED_WRITE, 2, args, args_len, G_N_ELEMENTS (args), error);
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    return FALSE;

  return TRUE;
}

static gboolean
pacer_redis_store_write (PacerStore  *store,
                         GBytes      *contents,
                         GError     **error)
{
  return fenced_write (PACER_REDIS_STORE (store), contents, error);
}

static gboolean
pacer_redis_store_remove (PacerStore  *store,
                          GError     **error)
{
  return fenced_write (PACER_REDIS_STORE (store), NULL, error);
}

/* Parts: one hash beside the value, a field per part, with the same expiry. */
static gboolean
pacer_redis_store_write_part (PacerStore  *store,
                              const char  *part,
                              GBytes      *contents,
                              GError     **error)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);
  g_autoptr(redisReply) reply = NULL;
  gsize size;
  const char *data = g_bytes_get_data (contents, &size);
  const char *args[] = { self->parts_key, part, data, self->ttl_msec };
  size_t args_len[] = { (size_t) -1, (size_t) -1, size, (size_t) -1 };

  g_mutex_lock (&self->mutex);
  reply = script_locked (self, SCRIPT_WRITE_PART, 1, args, args_len, G_N_ELEMENTS (args), error);
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    return FALSE;

  return TRUE;
}

static GHashTable *
pacer_redis_store_read_parts (PacerStore  *store,
                              GError     **error)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);
  const char *argv[] = { "HGETALL", self->parts_key };
  g_autoptr(redisReply) reply = NULL;
  GHashTable *parts;

  g_mutex_lock (&self->mutex);
  reply = command_locked (self, G_N_ELEMENTS (argv), argv, NULL, error);
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    return NULL;
  if (reply->type == REDIS_REPLY_ERROR)
    {
      set_reply_error (self, reply, error);
      return NULL;
    }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2 != 0)
    {
      set_unexpected_reply_error (self, self->parts_key, error);
      return NULL;
    }

  parts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  for (size_t i = 0; i + 1 < reply->elements; i += 2)
    {
      const redisReply *name = reply->element[i];
      const redisReply *value = reply->element[i + 1];

      if (name->type == REDIS_REPLY_STRING && value->type == REDIS_REPLY_STRING)
        g_hash_table_insert (parts, g_strndup (name->str, name->len),
                             g_bytes_new (value->str, value->len));
    }

  return parts;
}

static const char *
pacer_redis_store_get_name (PacerStore *store)
{
  return PACER_REDIS_STORE (store)->name;
}

static const char *
pacer_redis_store_get_location (PacerStore *store)
{
  return PACER_REDIS_STORE (store)->location;
}

static void
pacer_redis_store_iface_init (PacerStoreInterface *iface)
{
  iface->lock = pacer_redis_store_lock;
  iface->unlock = pacer_redis_store_unlock;
  iface->read = pacer_redis_store_read;
  iface->write = pacer_redis_store_write;
  iface->remove = pacer_redis_store_remove;
  iface->get_name = pacer_redis_store_get_name;
  iface->get_location = pacer_redis_store_get_location;
  iface->read_versioned = pacer_redis_store_read_versioned;
  iface->compare_and_set = pacer_redis_store_compare_and_set;
  iface->write_part = pacer_redis_store_write_part;
  iface->read_parts = pacer_redis_store_read_parts;
}

static void
pacer_redis_store_finalize (GObject *object)
{
  PacerRedisStore *self = PACER_REDIS_STORE (object);

  lease_renewer_stop (g_steal_pointer (&self->renewer));
  if (self->context != NULL && self->context_pid != getpid ())
    redisFreeKeepFd (g_steal_pointer (&self->context));
  close_context (self);
  g_ptr_array_unref (self->idle_waits);
  g_mutex_clear (&self->mutex);
  g_free (self->display_uri);
  g_free (self->host);
  g_free (self->socket_path);
  g_free (self->user);
  g_free (self->password);
  g_free (self->name);
  g_free (self->key);
  g_free (self->lock_key);
  g_free (self->parts_key);
  g_free (self->queue_key);
  g_free (self->wake_prefix);
  g_free (self->location);
  g_free (self->ttl_msec);
  g_free (self->client_id);
  g_free (self->lease_token);

  G_OBJECT_CLASS (pacer_redis_store_parent_class)->finalize (object);
}

static void
pacer_redis_store_class_init (PacerRedisStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pacer_redis_store_finalize;

  for (guint i = 0; i < N_SCRIPTS; i++)
    script_shas[i] = g_compute_checksum_for_string (G_CHECKSUM_SHA1, scripts[i], -1);
}

static void
pacer_redis_store_init (PacerRedisStore *self)
{
  g_mutex_init (&self->mutex);
  self->idle_waits = g_ptr_array_new_with_free_func (wait_connection_free);
  self->lease_msec = LEASE_MSEC;
  self->edit_lease_msec = EDIT_LEASE_MSEC;
}

gboolean
_pacer_store_is_redis (PacerStore *store)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (store, pacer_redis_store_get_type ());
}

redisReply *
_pacer_redis_store_eval (PacerStore    *store,
                         const char    *script,
                         const char    *sha,
                         const char   **args,
                         const size_t  *args_len,
                         guint          n_args,
                         gint64         deadline,
                         GError       **error)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);
  const char *all_args[14];
  size_t all_len[14];
  redisReply *reply;

  g_return_val_if_fail (n_args + 2 <= G_N_ELEMENTS (all_args), NULL);

  all_args[0] = self->key;
  all_args[1] = self->lock_key;
  all_len[0] = all_len[1] = (size_t) -1;
  for (guint i = 0; i < n_args; i++)
    {
      all_args[2 + i] = args[i];
      all_len[2 + i] = args_len != NULL ? args_len[i] : (size_t) -1;
    }

  g_mutex_lock (&self->mutex);
  reply = eval_until_locked (self, script, sha, 2, all_args, all_len, n_args + 2, deadline, error);
  g_mutex_unlock (&self->mutex);

  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    {
      set_reply_error (self, reply, error);
      g_clear_pointer (&reply, freeReplyObject);
    }

  return reply;
}

const char *
_pacer_redis_store_get_ttl_msec (PacerStore *store)
{
  return PACER_REDIS_STORE (store)->ttl_msec;
}

char *
_pacer_redis_store_begin_edit (PacerStore  *store,
                               double       timeout,
                               GBytes     **out_contents,
                               guint64     *out_version,
                               GError     **error)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);

  return begin_turn (self, self->edit_lease_msec, timeout, NULL, out_contents, out_version, error);
}

gboolean
_pacer_redis_store_end_edit (PacerStore  *store,
                             const char  *turn,
                             guint64      version,
                             GBytes      *contents,
                             guint64     *out_version,
                             GError     **error)
{
  return end_turn (PACER_REDIS_STORE (store), turn, version, contents, out_version, error);
}

gboolean
_pacer_redis_store_edit_at (PacerStore  *store,
                            guint64      version,
                            GBytes      *contents,
                            guint64     *out_version,
                            GError     **error)
{
  guint64 dummy;

  return compare_and_set (PACER_REDIS_STORE (store), version, contents != NULL ? "0" : "2", TRUE,
                          contents, out_version != NULL ? out_version : &dummy, error);
}

void
_pacer_redis_store_set_leases (PacerStore *store,
                               guint       lock_msec,
                               guint       edit_msec)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);

  self->lease_msec = lock_msec;
  self->edit_lease_msec = edit_msec;
}

void
_pacer_redis_store_stop_renewing (PacerStore *store)
{
  PacerRedisStore *self = PACER_REDIS_STORE (store);

  lease_renewer_stop (g_steal_pointer (&self->renewer));
}

static gboolean
parse_uint (const char  *text,
            guint64      max,
            guint64     *out)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL);
}

/* Fills in the connection fields from @uri_text; every problem is an
 * INVALID_ARGUMENT error naming the URI without its password. */
static gboolean
parse_uri (PacerRedisStore  *self,
           const char       *uri_text,
           char            **out_prefix,
           GError          **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme, *path, *query, *value;
  guint64 number;

  uri = g_uri_parse (uri_text, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_QUERY, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a Redis URI: %s"), uri_text, local_error->message);
      return FALSE;
    }

  self->display_uri = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);
  scheme = g_uri_get_scheme (uri);
  path = g_uri_get_path (uri);

  query = g_uri_get_query (uri);
  if (query != NULL)
    {
      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &local_error);
      if (params == NULL)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("“%s” has a query that cannot be read: %s"),
                       self->display_uri, local_error->message);
          return FALSE;
        }
    }
  else
    params = g_hash_table_new (g_str_hash, g_str_equal);

  if (g_ascii_strcasecmp (scheme, "unix") == 0)
    {
      if (path == NULL || *path != '/')
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("“%s” names no socket: write unix:///path/to/redis.sock"), self->display_uri);
          return FALSE;
        }
      self->socket_path = g_strdup (path);
      value = g_hash_table_lookup (params, "db");
      if (value != NULL && !parse_uint (value, G_MAXINT, &number))
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("“%s” names database “%s”, which is not a number"), self->display_uri, value);
          return FALSE;
        }
      self->db = value != NULL ? (int) number : 0;
      self->password = g_strdup (g_hash_table_lookup (params, "password"));
      g_free (self->display_uri);
      self->display_uri = g_strconcat ("unix://", path, NULL);
    }
  else
    {
      const char *host = g_uri_get_host (uri);

      if (host == NULL || *host == '\0')
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("“%s” names no host"), self->display_uri);
          return FALSE;
        }
      self->host = g_strdup (host);
      self->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : DEFAULT_PORT;
      if (path != NULL && *path == '/')
        path++;
      if (path != NULL && *path != '\0' && !parse_uint (path, G_MAXINT, &number))
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("“%s” names database “%s”, which is not a number"), self->display_uri, path);
          return FALSE;
        }
      self->db = path != NULL && *path != '\0' ? (int) number : 0;
      self->user = g_strdup (g_uri_get_user (uri));
      self->password = g_strdup (g_uri_get_password (uri));

      /* GUri would keep an "@" for an empty user; say only what identifies the server. */
      {
        gboolean has_user = self->user != NULL && *self->user != '\0';
        g_autofree char *host_text = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]", host)
                                                                : g_strdup (host);

        g_free (self->display_uri);
        self->display_uri = g_strdup_printf ("%s://%s%s%s:%d/%d", scheme,
                                             has_user ? self->user : "", has_user ? "@" : "",
                                             host_text, self->port, self->db);
      }
    }

  value = g_hash_table_lookup (params, "ttl");
  if (value != NULL && (!parse_uint (value, G_MAXINT64 / 1000, &number) || number == 0))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” gives the time to live “%s”, which is not a positive number of seconds"),
                   self->display_uri, value);
      return FALSE;
    }
  self->ttl_msec = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                    (value != NULL ? number : DEFAULT_TTL_SECONDS) * 1000);

  value = g_hash_table_lookup (params, "prefix");
  if (value != NULL && *value == '\0')
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” gives an empty key prefix"), self->display_uri);
      return FALSE;
    }
  *out_prefix = g_strdup (value);

  return TRUE;
}

PacerStore *
_pacer_redis_store_new (const char  *uri,
                        const char  *name,
                        gboolean     connect_now,
                        GError     **error)
{
  g_autoptr(PacerRedisStore) self = NULL;
  g_autofree char *prefix = NULL;

  _pacer_ensure_i18n ();

  self = g_object_new (pacer_redis_store_get_type (), NULL);
  if (!parse_uri (self, uri, &prefix, error))
    return NULL;

  if (prefix == NULL)
    prefix = g_strdup (pacer_worker_get_testrun_uid ());
  self->name = g_strdup (name);
  self->key = g_strconcat ("pacer:", prefix, ":", name, NULL);
  self->lock_key = g_strconcat (self->key, ":lock", NULL);
  self->parts_key = g_strconcat (self->key, ":parts", NULL);
  self->queue_key = g_strconcat (self->key, ":queue", NULL);
  self->wake_prefix = g_strconcat (self->key, ":wake:", NULL);
  self->location = g_strdup_printf ("%s (%s)", self->key, self->display_uri);
  self->client_id = g_strdup_printf ("%s:%08x", g_get_host_name (), g_random_int ());

  if (connect_now)
    {
      gboolean ok;

      g_mutex_lock (&self->mutex);
      ok = connect_locked (self, error);
      g_mutex_unlock (&self->mutex);
      if (!ok)
        return NULL;
    }

  return PACER_STORE (g_steal_pointer (&self));
}
