/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* pacer-run --installed-tests: GNOME installed-tests `.test` files as commands. */

#include <pacer-glib/pacer-glib.h>

G_BEGIN_DECLS

GPtrArray *pacer_cli_installed_load    (const char * const  *args,
                                        const char          *scratch_dir,
                                        GError             **error);
char      *pacer_cli_installed_scratch (GError             **error);
void       pacer_cli_installed_cleanup (const char          *scratch_dir);

G_END_DECLS
