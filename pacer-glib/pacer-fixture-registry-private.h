/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

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
 * hung or was never declared: the runner reports it.
 *
 * Test processes write the registry and the runner reads it, so nothing in
 * it is taken on trust. */
#define PACER_TEARDOWN_ENV            "PACER_TEARDOWN"
#define PACER_FIXTURE_REGISTRY_FILE   "pacer_fixture_cleanups.json"
#define PACER_FIXTURE_STATE_PENDING   "pending"
#define PACER_FIXTURE_STATE_DONE      "done"
#define PACER_FIXTURE_STATE_FAILED    "failed"

/* The "fixtures" object of @run_dir's registry, (transfer full), or NULL: with
 * @error set if the registry is not one, without if no process recorded a
 * cleanup. */
JsonObject *_pacer_fixture_registry_read      (const char  *run_dir,
                                               GError     **error);

/* Sets the state of fixture @name in @run_dir's registry, and its "message"
 * if @message is not NULL. PACER_FIXTURE_STATE_PENDING records the fixture
 * anew as this process's, with the command line that can start it again; any
 * other state needs the fixture recorded already. */
gboolean    _pacer_fixture_registry_set_state (const char  *run_dir,
                                               const char  *name,
                                               const char  *state,
                                               const char  *message,
                                               GError     **error);

G_END_DECLS
