/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the reports read of a PacerRunner beyond its public API. */

#include "pacer-runner.h"

G_BEGIN_DECLS

/* Unix seconds: when the last run started, and when its last test ended
 * (0 while it runs). */
double _pacer_runner_get_started_at  (PacerRunner *self);
double _pacer_runner_get_finished_at (PacerRunner *self);

G_END_DECLS
