/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* pacer-run --tap: the run's results as one TAP stream. */

#include <stdio.h>

#include <pacer-glib/pacer-glib.h>

G_BEGIN_DECLS

typedef struct _PacerCliTap PacerCliTap;

PacerCliTap *pacer_cli_tap_open   (const char       *target,
                                   GError          **error);
void         pacer_cli_tap_add    (PacerCliTap      *tap,
                                   PacerTestResult  *result);
gboolean     pacer_cli_tap_close  (PacerCliTap      *tap,
                                   GError          **error);

G_END_DECLS
