/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PACER_WORKER_MASTER:
 *
 * The worker id of a process that no runner started, as pytest-xdist names it.
 *
 * Since: 1.0
 */
#define PACER_WORKER_MASTER "master"

PACER_AVAILABLE_IN_ALL
const char *pacer_worker_get_id            (void);
PACER_AVAILABLE_IN_ALL
guint       pacer_worker_get_count         (void);
PACER_AVAILABLE_IN_ALL
const char *pacer_worker_get_testrun_uid   (void);
PACER_AVAILABLE_IN_ALL
const char *pacer_worker_get_run_dir       (void);
PACER_AVAILABLE_IN_ALL
gboolean    pacer_worker_is_distributed    (void);

G_END_DECLS
