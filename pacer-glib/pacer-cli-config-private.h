/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* pacer.ini, the optional per-project settings of pacer-run: a [groups]
 * section whose keys are globs and values group names (as --group
 * GLOB=NAME), and a [serial] section whose key `tests` lists globs of tests
 * that run while nothing else runs (as --serial), separated by `;`. */
gboolean pacer_cli_config_load (const char    *file,
                                gboolean       required,
                                GStrvBuilder  *groups,
                                GStrvBuilder  *serial,
                                GError       **error);

G_END_DECLS
