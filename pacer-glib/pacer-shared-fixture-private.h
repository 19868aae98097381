/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pacer-shared-fixture.h"

G_BEGIN_DECLS

/* How the library and the runner agree on cleanups.
 *
 * A process that computes a fixture with a cleanup records it, before its
 * setup's value is published, in the run directory's registry:
 *
 *   { "fixtures": { NAME: { "program": EXE, "argv": [...], "pid": N,
 *                           "worker": ID, "state": "pending" } } }
 *
 * When the run is over the runner starts each recorded program once with
 * PACER_TEARDOWN set to the comma-separated names of its pending fixtures.
 * Declaring one of those fixtures then runs its cleanup and sets its state to
 * "done", or "failed" with a "message"; once all are done the process exits.
 * A state still "pending" after that process ended means the cleanup crashed,
 * hung or was never declared: the runner reports it. */
#define PACER_TEARDOWN_ENV            "PACER_TEARDOWN"
#define PACER_FIXTURE_REGISTRY_FILE   "pacer_fixture_cleanups.json"
#define PACER_FIXTURE_STATE_PENDING   "pending"
#define PACER_FIXTURE_STATE_DONE      "done"
#define PACER_FIXTURE_STATE_FAILED    "failed"

/* A member that is an object, or NULL: the registry is written by other
 * processes, so nothing in it is taken on trust. */
static inline JsonObject *
_pacer_json_object_member (JsonObject *object,
                           const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The registry of @run_dir, or NULL if no process recorded a cleanup. */
JsonObject *_pacer_shared_fixture_read_registry (const char  *run_dir,
                                                 GError     **error);

/* What pacer_shared_fixture_get() does, loading the stored envelope or
 * computing it, without declaring @self: a declared fixture lives until the
 * process exits, which a fuzzing harness making millions cannot afford.
 * Returns (transfer full) the data. */
JsonNode *_pacer_shared_fixture_load (PacerSharedFixture  *self,
                                      GError             **error);

G_END_DECLS
