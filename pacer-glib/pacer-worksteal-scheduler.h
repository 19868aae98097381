/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <pacer-glib/pacer-scheduler.h>

G_BEGIN_DECLS

#define PACER_TYPE_WORKSTEAL_SCHEDULER (pacer_worksteal_scheduler_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerWorkstealScheduler, pacer_worksteal_scheduler, PACER, WORKSTEAL_SCHEDULER, GObject)

PACER_AVAILABLE_IN_ALL
PacerScheduler *pacer_worksteal_scheduler_new (void);

G_END_DECLS
