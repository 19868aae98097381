/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* pacer-run --tap: the run's results as one TAP stream. */

#include <stdio.h>

#include <pacer-glib/pacer-glib.h>

G_BEGIN_DECLS

typedef struct _PacerRunTap PacerRunTap;

PacerRunTap *pacer_run_tap_open   (const char       *target,
                                   GError          **error);
void         pacer_run_tap_add    (PacerRunTap      *tap,
                                   PacerTestResult  *result);
gboolean     pacer_run_tap_close  (PacerRunTap      *tap,
                                   GError          **error);

G_END_DECLS
