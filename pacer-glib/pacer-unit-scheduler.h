/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <pacer-glib/pacer-scheduler.h>

G_BEGIN_DECLS

/**
 * PacerScheduleUnit:
 * @PACER_SCHEDULE_UNIT_SCOPE: a test's path without its last component, in
 *   its program (`--dist loadscope`).
 * @PACER_SCHEDULE_UNIT_FILE: a program (`--dist loadfile`).
 * @PACER_SCHEDULE_UNIT_GROUP: a named group of tests, given with
 *   [method@Pacer.UnitScheduler.add_group] (`--dist loadgroup`).
 *
 * What makes the tests that [class@Pacer.UnitScheduler] keeps on one worker.
 *
 * Since: 1.0
 */
typedef enum {
  PACER_SCHEDULE_UNIT_SCOPE,
  PACER_SCHEDULE_UNIT_FILE,
  PACER_SCHEDULE_UNIT_GROUP,
} PacerScheduleUnit;

#define PACER_TYPE_UNIT_SCHEDULER (pacer_unit_scheduler_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerUnitScheduler, pacer_unit_scheduler, PACER, UNIT_SCHEDULER, GObject)

PACER_AVAILABLE_IN_ALL
PacerScheduler *pacer_unit_scheduler_new       (PacerScheduleUnit   unit);
PACER_AVAILABLE_IN_ALL
void            pacer_unit_scheduler_add_group (PacerUnitScheduler *self,
                                                const char         *glob,
                                                const char         *name);

G_END_DECLS
