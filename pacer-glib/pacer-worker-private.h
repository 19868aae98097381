/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-worker.h"

G_BEGIN_DECLS

/* Forgets what was read from the environment, so tests can try several settings
 * in one process. Not thread-safe: only for tests. */
void _pacer_worker_reset (void);

G_END_DECLS
