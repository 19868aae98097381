/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include <pacer-glib/pacer-scheduler.h>
#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PacerDistMode:
 * @PACER_DIST_MODE_LOAD: any idle worker takes the longest pending work
 *   ([class@Pacer.LoadScheduler]).
 * @PACER_DIST_MODE_LOADSCOPE: a test's scope (its path without the last
 *   component, in its program) runs in one worker.
 * @PACER_DIST_MODE_LOADFILE: each program's tests run in one worker.
 * @PACER_DIST_MODE_LOADGROUP: each group of [property@Pacer.Runner:groups]
 *   runs in one worker; other tests spread as with load.
 * @PACER_DIST_MODE_WORKSTEAL: an even split; an idle worker steals half of
 *   the longest queue ([class@Pacer.WorkstealScheduler]).
 * @PACER_DIST_MODE_EACH: every worker runs every test
 *   ([class@Pacer.EachScheduler]).
 * @PACER_DIST_MODE_NO: one worker, every test in listing order
 *   ([class@Pacer.OrderedScheduler]).
 *
 * How [class@Pacer.Runner] spreads tests over its workers, named as
 * pytest-xdist's `--dist` modes; the nick of each value is its name there.
 *
 * Since: 1.0
 */
typedef enum {
  PACER_DIST_MODE_LOAD,
  PACER_DIST_MODE_LOADSCOPE,
  PACER_DIST_MODE_LOADFILE,
  PACER_DIST_MODE_LOADGROUP,
  PACER_DIST_MODE_WORKSTEAL,
  PACER_DIST_MODE_EACH,
  PACER_DIST_MODE_NO,
} PacerDistMode;

PACER_AVAILABLE_IN_ALL
gboolean        pacer_dist_mode_from_string   (const char     *name,
                                               PacerDistMode  *mode);
PACER_AVAILABLE_IN_ALL
PacerScheduler *pacer_scheduler_new_for_dist  (PacerDistMode   mode,
                                               const char * const *groups,
                                               GError        **error);

G_END_DECLS
