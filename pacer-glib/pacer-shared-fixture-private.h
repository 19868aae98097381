/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pacer-shared-fixture.h"

G_BEGIN_DECLS

/* What pacer_shared_fixture_get() does, loading the stored envelope or
 * computing it, without declaring @self: a declared fixture lives until the
 * process exits, which a fuzzing harness making millions cannot afford.
 * Returns (transfer full) the data. */
JsonNode *_pacer_shared_fixture_load (PacerSharedFixture  *self,
                                      GError             **error);

G_END_DECLS
