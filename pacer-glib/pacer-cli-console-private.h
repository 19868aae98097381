/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What pacer-run prints while the tests run, and the summary after. */

#include <stdio.h>

#include <pacer-glib/pacer-glib.h>

G_BEGIN_DECLS

typedef struct _PacerCliConsole PacerCliConsole;

PacerCliConsole *pacer_cli_console_new            (PacerRunner      *runner,
                                                   FILE             *out,
                                                   gboolean          verbose,
                                                   gboolean          quiet);
void             pacer_cli_console_stop_progress  (PacerCliConsole  *console);
void             pacer_cli_console_clear_progress (PacerCliConsole  *console);
void             pacer_cli_console_print_summary  (PacerCliConsole  *console);
guint            pacer_cli_console_get_n_done     (PacerCliConsole  *console);
guint            pacer_cli_console_get_n_failures (PacerCliConsole  *console);
void             pacer_cli_console_free           (PacerCliConsole  *console);

gboolean         pacer_cli_console_list_tests     (PacerRunner      *runner,
                                                   gboolean          several);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerCliConsole, pacer_cli_console_free)

G_END_DECLS
