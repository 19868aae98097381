/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The machines of a build: every pacer-run whose tests keep their shared
 * state in one store (PACER_STORE, on Redis with one prefix). A shared
 * fixture set up by one of them is used by all, so the machine that set it
 * up must not clean it up before every other machine's tests are over.
 *
 * Each run records itself in the store's "pacer_build_machines" object as
 *
 *   { "machines": { RUN-ID: { "host": NAME, "pid": N,
 *                             "state": "running" | "done",
 *                             "seen": UNIX-SECONDS } } }
 *
 * and beats (refreshes "seen") while it runs. A machine is running while its
 * state is "running" and it was seen within PACER_BUILD_MACHINE_SILENT
 * seconds: one killed, or cut off from the store, stops counting after that.
 * The object is written by other machines: nothing in it is taken on trust. */

#define PACER_BUILD_MACHINES_STORE "pacer_build_machines"
/* How often a run beats, and how long one may stay silent before the others
 * count it gone. The gap allows for a loaded machine and for clocks that
 * disagree by a few seconds. */
#define PACER_BUILD_MACHINE_BEAT_SECONDS 5
#define PACER_BUILD_MACHINE_SILENT 60

typedef struct _PacerBuildMachines PacerBuildMachines;

/* Records this run as a running machine of the build, or returns NULL
 * without @error when the run has no shared store (PACER_STORE unset). */
PacerBuildMachines *_pacer_build_machines_join          (const char          *run_id,
                                                         GError             **error);
/* Says this run is still there, from a thread: a store slow to answer
 * never holds up the run. A beat still going makes this one a no-op. */
void                _pacer_build_machines_beat          (PacerBuildMachines  *self);
/* Says this run's tests are over. */
gboolean            _pacer_build_machines_finish        (PacerBuildMachines  *self,
                                                         GError             **error);
/* How many other machines of the build are running, as of @now (Unix
 * seconds); G_MAXUINT with @error when the store cannot say. */
guint               _pacer_build_machines_count_running (PacerBuildMachines  *self,
                                                         gint64               now,
                                                         GError             **error);
const char         *_pacer_build_machines_get_location  (PacerBuildMachines  *self);
PacerBuildMachines *_pacer_build_machines_ref           (PacerBuildMachines  *self);
void                _pacer_build_machines_unref         (PacerBuildMachines  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerBuildMachines, _pacer_build_machines_unref)

G_END_DECLS
