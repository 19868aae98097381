/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-shared-fixture.h"

G_BEGIN_DECLS

/* How a process ends with shared fixtures: the state that belongs to the
 * process, not to one fixture.
 *
 * Every declared fixture is kept until the process exits. A plain process
 * (no runner) then runs the cleanups of what it computed, from atexit(),
 * through pacer_shared_fixture_run_exit_cleanups(). A process in teardown
 * mode (see pacer-fixture-registry-private.h) instead ends as soon as every
 * fixture the runner named has been torn down: its tests are over. */

/* Keeps @fixture until the process exits; FALSE if it was kept already. */
gboolean   _pacer_fixture_exit_keep            (PacerSharedFixture *fixture);

/* The fixtures kept so far, in the order they were declared, (transfer
 * none), or NULL. */
GPtrArray *_pacer_fixture_exit_get_kept        (void);

/* Whether the runner asked this process to tear fixture @name down and it
 * has not yet. */
gboolean   _pacer_fixture_exit_teardown_wanted (const char         *name);

/* Records that fixture @name was torn down, successfully if @ok. Once every
 * fixture the runner named is, ends the process: with status 0 if every
 * teardown succeeded, 1 otherwise. */
void       _pacer_fixture_exit_teardown_done   (const char         *name,
                                                gboolean            ok);

G_END_DECLS
