/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The GCRA step of a token bucket, run on the Redis server as one Lua script.
 *
 * It is the same virtual scheduling as _pacer_gcra_step() in pacer-gcra.c,
 * which the bucket's reserve_slot() runs on a file store (one theoretical
 * arrival time, a slot reserved ahead up to the caller's timeout, the same
 * late-caller rule and half-interval bound, tested in tests/test-gcra.c, and
 * the same JSON state): a change to one is a change to both. But the
 * clock is the server's own (TIME), so machines whose clocks disagree still
 * share one schedule: only the wait, a duration, comes back to the caller.
 * One round trip per acquire, contended or not, and no lock.
 *
 * Compared with the usual Redis limiters: redis-cell's CL.THROTTLE and
 * go-redis/redis_rate answer "allowed, or retry after T", so a caller that is
 * refused polls again and callers race for each free slot; here the script
 * reserves the caller's slot in the future at once, so a paced caller sleeps
 * exactly once and the order of arrival is kept. Like redis_rate it keeps
 * the theoretical arrival time on the server clock; unlike both it keeps
 * the call count, start time and maximum-calls flag that the bucket's events
 * need, in the same atomic step.
 *
 * Numbers stay exact: Lua numbers are doubles, exact for integers below 2^53,
 * and Unix microseconds are about 2^51. cjson would print them with 14
 * digits, so the script writes integers itself. */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-redis-gcra-private.h"
#include "pacer-redis-store-private.h"

/* KEYS: the value key, its lock key.
 * ARGV: interval, tolerance, max calls (0: none), refuse ('1'), timeout (µs, <0: none), ttl (ms).
 * Returns { outcome, server now, wait, slot, tat before, had tat, tat after,
 *           call count, start time, exceptions, reached max calls, state }
 * with outcome 0 reserved, 1 maximum reached, 2 slot beyond the timeout,
 * 3 a lease on the key is held (try again). */
static const char gcra_script[] =
  "if redis.replicate_commands then redis.replicate_commands() end\n"
  "local t = redis.call('TYPE', KEYS[1]).ok\n"
  "if t ~= 'hash' and t ~= 'none' then return redis.error_reply('PACERTYPE ' .. t) end\n"
  "local version = redis.call('HGET', KEYS[1], 'version')\n"
  "if t == 'hash' and not version then return redis.error_reply('PACERTYPE hash') end\n"
  "if redis.call('EXISTS', KEYS[2]) == 1 then return {3} end\n"
  "local raw = redis.call('HGET', KEYS[1], 'value')\n"
  "local data = {}\n"
  "if raw then\n"
  "  local ok, decoded = pcall(cjson.decode, raw)\n"
  "  if not ok or type(decoded) ~= 'table' then return redis.error_reply('PACERCORRUPT') end\n"
  "  data = decoded\n"
  "end\n"
  "local time = redis.call('TIME')\n"
  "local now = tonumber(time[1]) * 1000000 + tonumber(time[2])\n"
  "local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
  "local max_calls, refuse, timeout = tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5])\n"
  "local count = tonumber(data.call_count) or 0\n"
  "if max_calls > 0 and refuse and count >= max_calls then return {1, now, 0} end\n"
  "local had_tat = data.tat_us ~= nil\n"
  "local tat_before = tonumber(data.tat_us) or now\n"
  "local tat = now\n"
  "if now - tat_before <= math.floor(interval / 2) then tat = tat_before end\n"
  "local slot = math.max(now, tat_before - tolerance)\n"
  "local wait = slot - now\n"
  "if timeout >= 0 and wait > timeout then return {2, now, wait} end\n"
  "local tat_after = tat + interval\n"
  "data.tat_us = tat_after\n"
  "data.call_count = count + 1\n"
  "if count == 0 or data.start_time_us == nil then data.start_time_us = slot end\n"
  "local reached = 0\n"
  "if max_calls > 0 and count + 1 >= max_calls and data.max_calls_reached ~= true then\n"
  "  data.max_calls_reached = true\n"
  "  reached = 1\n"
  "end\n"
  "local parts = {}\n"
  "for k, v in pairs(data) do\n"
  "  local text\n"
  "  if type(v) == 'number' and v == math.floor(v) and math.abs(v) < 2^53 then\n"
  "    text = string.format('%.0f', v)\n"
  "  else\n"
  "    text = cjson.encode(v)\n"
  "  end\n"
  "  parts[#parts + 1] = cjson.encode(tostring(k)) .. ':' .. text\n"
  "end\n"
  "local state = '{' .. table.concat(parts, ',') .. '}'\n"
  "redis.call('HINCRBY', KEYS[1], 'version', 1)\n"
  "redis.call('HSET', KEYS[1], 'value', state, 'writer', 'gcra:' .. now)\n"
  "redis.call('PEXPIRE', KEYS[1], ARGV[6])\n"
  "return {0, now, wait, slot, tat_before, had_tat and 1 or 0, tat_after, count + 1,\n"
  "        tonumber(data.start_time_us), tonumber(data.exceptions) or 0, reached, state}\n";

static gsize gcra_sha;   /* the script's SHA-1, as text, made once */

/* A lease is held only while someone works on the bucket's value under the
 * store's lock, which the bucket itself never does: look again soon. */
#define LEASE_POLL_USEC 1000

static gint64
element_integer (const redisReply *reply,
                 size_t            i)
{
  return i < reply->elements && reply->element[i]->type == REDIS_REPLY_INTEGER
         ? reply->element[i]->integer : 0;
}

gboolean
_pacer_redis_gcra_reserve (PacerStore                  *store,
                           const PacerRedisGcraRequest *request,
                           gint64                       deadline,
                           PacerRedisGcraResult        *result,
                           GError                     **error)
{
  char interval[24], tolerance[24], max_calls[24], timeout[24];
  const char *args[6];

  if (g_once_init_enter (&gcra_sha))
    g_once_init_leave (&gcra_sha, (gsize) g_compute_checksum_for_string (G_CHECKSUM_SHA1, gcra_script, -1));

  g_snprintf (interval, sizeof interval, "%" G_GINT64_FORMAT, request->interval);
  g_snprintf (tolerance, sizeof tolerance, "%" G_GINT64_FORMAT, request->tolerance);
  g_snprintf (max_calls, sizeof max_calls, "%" G_GINT64_FORMAT, MAX (request->max_calls, 0));
  g_snprintf (timeout, sizeof timeout, "%" G_GINT64_FORMAT, request->timeout_us < 0 ? -1 : request->timeout_us);
  args[0] = interval;
  args[1] = tolerance;
  args[2] = max_calls;
  args[3] = request->refuse ? "1" : "0";
  args[4] = timeout;
  args[5] = _pacer_redis_store_get_ttl_msec (store);

  memset (result, 0, sizeof *result);

  for (;;)
    {
      g_autoptr(redisReply) reply = NULL;
      gint64 outcome;

      reply = _pacer_redis_store_eval (store, gcra_script, (const char *) gcra_sha, args, NULL, G_N_ELEMENTS (args),
                                       deadline, error);
      if (reply == NULL)
        return FALSE;
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED,
                       _("Redis gave an unexpected reply for “%s”"), pacer_store_get_location (store));
          return FALSE;
        }

      outcome = element_integer (reply, 0);
      if (outcome == 3)
        {
          if (g_get_monotonic_time () + LEASE_POLL_USEC >= deadline)
            {
              g_set_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT,
                           _("“%s” stayed locked by another holder"), pacer_store_get_location (store));
              return FALSE;
            }
          g_usleep (LEASE_POLL_USEC);
          continue;
        }

      result->outcome = (PacerRedisGcraOutcome) outcome;
      result->server_now = element_integer (reply, 1);
      result->wait = element_integer (reply, 2);
      if (outcome != PACER_REDIS_GCRA_RESERVED)
        return TRUE;

      if (reply->elements != 12 || reply->element[11]->type != REDIS_REPLY_STRING)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED,
                       _("Redis gave an unexpected reply for “%s”"), pacer_store_get_location (store));
          return FALSE;
        }
      result->slot = element_integer (reply, 3);
      result->tat_before = element_integer (reply, 4);
      result->had_tat = element_integer (reply, 5) != 0;
      result->tat_after = element_integer (reply, 6);
      result->call_count = element_integer (reply, 7);
      result->start_time = element_integer (reply, 8);
      result->exceptions = element_integer (reply, 9);
      result->reached_max_calls = element_integer (reply, 10) != 0;
      result->state = g_strndup (reply->element[11]->str, reply->element[11]->len);
      return TRUE;
    }
}
