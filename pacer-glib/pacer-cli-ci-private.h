/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Turns `--partition auto` or `auto:KIND` into this CI job's share,
 * KIND:K/N (hash by default), from its CI's variables; outside such a job,
 * into KIND:1/1, the whole suite. Any other *partition is left alone. FALSE on
 * variables that are not a parallel job. */
gboolean pacer_cli_ci_partition (char    **partition,
                                 GError  **error);

G_END_DECLS
