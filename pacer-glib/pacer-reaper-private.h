/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes sure nothing a run started outlives it, however the run ends.
 *
 * Every process a run starts carries `PACER_TESTRUN_UID=<uid>` in its
 * environment, and so does everything those start in turn, also what
 * leaves the test's process group (a daemon that calls setsid(), a
 * double fork): the environment is inherited where process groups and
 * parent-death signals are not. A sweep kills every process of the user
 * whose initial environment (`/proc/PID/environ`) holds that pair, as
 * Jenkins' ProcessTreeKiller does with its BUILD_ID cookie.
 *
 * The runner sweeps when a run ends. For the case where the runner itself
 * dies (SIGKILL, the OOM killer), a small guardian process, forked when
 * the run starts and holding the read end of a pipe whose write end only
 * the runner has, sees end-of-file when the runner is gone and sweeps.
 * A subreaper (PR_SET_CHILD_SUBREAPER) would not do: it dies with the
 * runner, and reaping foreign children races GLib's child watches.
 *
 * A process that replaces its environment at exec (`env -i`) escapes; so
 * do processes of other users, whose environment cannot be read. */
typedef struct _PacerReaper PacerReaper;

PacerReaper *_pacer_reaper_start (const char  *testrun_uid);
/* Sweeps now, then lets the guardian go. */
void         _pacer_reaper_stop  (PacerReaper *reaper);
/* Kills every process (but this one) whose environment holds
 * PACER_TESTRUN_UID=@testrun_uid; returns how many it killed. */
guint        _pacer_reaper_sweep (const char  *testrun_uid);

G_END_DECLS
