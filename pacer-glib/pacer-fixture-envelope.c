/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How a shared fixture's state is kept in its store: see
 * pacer-fixture-envelope-private.h. */

#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-fixture-envelope-private.h"
#include "pacer-json-utils-private.h"
#include "pacer-worker.h"

#define STATE_COMPUTING "computing"
#define STATE_READY     "ready"
#define STATE_FAILED    "failed"

static GBytes *
node_to_bytes (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length = 0;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  length = _pacer_json_repair_numbers (text, length);
  return g_bytes_new_take (text, length);
}

static JsonNode *
bytes_to_node (GBytes      *bytes,
               const char  *location,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize size = 0;
  const char *text = g_bytes_get_data (bytes, &size);

  if (!json_parser_load_from_data (parser, text != NULL ? text : "", size, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” does not hold valid JSON: %s"), location,
                   local_error != NULL ? local_error->message : _("empty"));
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

gboolean
_pacer_fixture_envelope_write (PacerStore  *store,
                               JsonObject  *envelope,
                               GError     **error)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), envelope);
  g_autoptr(GBytes) bytes = node_to_bytes (node);

  return pacer_store_write (store, bytes, error);
}

JsonObject *
_pacer_fixture_envelope_read (PacerStore  *store,
                              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = pacer_store_read (store, &local_error);
  g_autoptr(JsonNode) node = NULL;
  const char *location = pacer_store_get_location (store);

  if (bytes == NULL)
    {
      if (!g_error_matches (local_error, PACER_ERROR, PACER_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  node = bytes_to_node (bytes, location, error);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      _pacer_json_get_string (json_node_get_object (node), "state", NULL) == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” does not hold a shared fixture"), location);
      return NULL;
    }

  return json_node_dup_object (node);
}

JsonObject *
_pacer_fixture_envelope_new_computing (void)
{
  JsonObject *envelope = json_object_new ();

  json_object_set_string_member (envelope, "state", STATE_COMPUTING);
  json_object_set_int_member (envelope, "pid", getpid ());
  json_object_set_string_member (envelope, "worker", pacer_worker_get_id ());
  return envelope;
}

JsonObject *
_pacer_fixture_envelope_new_ready (JsonNode *data)
{
  JsonObject *envelope = json_object_new ();

  json_object_set_string_member (envelope, "state", STATE_READY);
  json_object_set_member (envelope, "data", json_node_copy (data));
  return envelope;
}

JsonObject *
_pacer_fixture_envelope_new_ready_bytes (GBytes *bytes)
{
  JsonObject *envelope = json_object_new ();
  gsize size = 0;
  const guchar *data = g_bytes_get_data (bytes, &size);
  g_autofree char *encoded = g_base64_encode (data, size);

  json_object_set_string_member (envelope, "state", STATE_READY);
  json_object_set_string_member (envelope, "bytes", encoded);
  return envelope;
}

JsonObject *
_pacer_fixture_envelope_new_failed (const GError *error)
{
  JsonObject *envelope = json_object_new ();

  json_object_set_string_member (envelope, "state", STATE_FAILED);
  json_object_set_string_member (envelope, "domain", g_quark_to_string (error->domain));
  json_object_set_int_member (envelope, "code", error->code);
  json_object_set_string_member (envelope, "message", error->message);
  json_object_set_int_member (envelope, "pid", getpid ());
  json_object_set_string_member (envelope, "worker", pacer_worker_get_id ());
  return envelope;
}

/* Every envelope has a string "state": _pacer_fixture_envelope_read() sees to it. */
gboolean
_pacer_fixture_envelope_is_computing (JsonObject *envelope)
{
  return g_str_equal (json_object_get_string_member (envelope, "state"), STATE_COMPUTING);
}

gboolean
_pacer_fixture_envelope_is_ready (JsonObject *envelope)
{
  return g_str_equal (json_object_get_string_member (envelope, "state"), STATE_READY);
}

JsonNode *
_pacer_fixture_envelope_get_data (JsonObject  *envelope,
                                  const char  *location,
                                  GError     **error)
{
  if (!json_object_has_member (envelope, "data"))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” holds no data"), location);
      return NULL;
    }
  return json_node_copy (json_object_get_member (envelope, "data"));
}

GBytes *
_pacer_fixture_envelope_get_bytes (JsonObject  *envelope,
                                   const char  *location,
                                   GError     **error)
{
  const char *encoded = _pacer_json_get_string (envelope, "bytes", NULL);
  guchar *raw;
  gsize length = 0;

  if (encoded == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” holds no serialized data"), location);
      return NULL;
    }
  raw = g_base64_decode (encoded, &length);
  return g_bytes_new_take (raw, length);
}

/* Errors travel through the store, so that every process reports the setup's own. */
GError *
_pacer_fixture_envelope_get_error (JsonObject *envelope,
                                   const char *name)
{
  const char *state = json_object_get_string_member (envelope, "state");

  if (g_str_equal (state, STATE_FAILED))
    {
      const char *domain = _pacer_json_get_string (envelope, "domain", NULL);
      const char *message = _pacer_json_get_string (envelope, "message", "");

      return g_error_new (domain != NULL ? g_quark_from_string (domain) : PACER_ERROR,
                          (int) _pacer_json_get_int (envelope, "code", PACER_ERROR_FAILED),
                          _("Setup of shared fixture “%s” failed in worker %s: %s"), name,
                          _pacer_json_get_string (envelope, "worker", "?"),
                          message);
    }

  /* Left "computing" with the lock free: that process died inside the setup. */
  return g_error_new (PACER_ERROR, PACER_ERROR_FAILED,
                      /* %lld rather than G_GINT64_FORMAT: xgettext cannot see through GLib's macro. */
                      _("Setup of shared fixture “%s” did not finish: worker %s (process %lld) "
                        "died while computing it"),
                      name, _pacer_json_get_string (envelope, "worker", "?"),
                      (long long) _pacer_json_get_int (envelope, "pid", 0));
}
