/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pacer-store.h"

G_BEGIN_DECLS

/* What a shared fixture's store holds: one JSON object, the envelope, whose
 * "state" says how far the setup got.
 *
 *   { "state": "computing", "pid": N, "worker": ID }
 *   { "state": "ready", "data": DATA }      or "bytes": BASE64 instead of
 *                                           "data", from a serialize function
 *   { "state": "failed", "domain": QUARK, "code": N, "message": TEXT,
 *     "pid": N, "worker": ID }
 *
 * "computing" is written under the store's lock before the setup runs: found
 * with the lock free, it means that process died inside the setup. Other
 * processes of the run wrote what is read, so nothing in it is taken on
 * trust. */

gboolean    _pacer_fixture_envelope_write           (PacerStore    *store,
                                                     JsonObject    *envelope,
                                                     GError       **error);
/* The envelope in @store, (transfer full), or NULL: with @error set if
 * @store holds something else, without if it holds nothing yet. */
JsonObject *_pacer_fixture_envelope_read            (PacerStore    *store,
                                                     GError       **error);

/* New envelopes, (transfer full); "pid" and "worker" are this process's. */
JsonObject *_pacer_fixture_envelope_new_computing   (void);
JsonObject *_pacer_fixture_envelope_new_ready       (JsonNode      *data);
JsonObject *_pacer_fixture_envelope_new_ready_bytes (GBytes        *bytes);
JsonObject *_pacer_fixture_envelope_new_failed      (const GError  *error);

gboolean    _pacer_fixture_envelope_is_computing    (JsonObject    *envelope);
gboolean    _pacer_fixture_envelope_is_ready        (JsonObject    *envelope);

/* What a ready envelope holds, (transfer full), or NULL with @error set;
 * @location names the store in the message. */
JsonNode   *_pacer_fixture_envelope_get_data        (JsonObject    *envelope,
                                                     const char    *location,
                                                     GError       **error);
GBytes     *_pacer_fixture_envelope_get_bytes       (JsonObject    *envelope,
                                                     const char    *location,
                                                     GError       **error);

/* The error for every process that asks for fixture @name, whose envelope
 * is not ready: the setup's own error if it failed, else that its process
 * died while computing it. */
GError     *_pacer_fixture_envelope_get_error       (JsonObject    *envelope,
                                                     const char    *name);

G_END_DECLS
