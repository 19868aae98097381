/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* pacer-run's reports: --tap, written as the run goes, and --junit-xml,
 * --json and --timeline, written when it is over. */

#include <pacer-glib/pacer-glib.h>

#include "pacer-cli-options-private.h"

G_BEGIN_DECLS

typedef struct _PacerCliReports PacerCliReports;

PacerCliReports *pacer_cli_reports_new           (const PacerCliOptions  *options);
gboolean         pacer_cli_reports_check         (PacerCliReports        *reports);
gboolean         pacer_cli_reports_get_on_stdout (PacerCliReports        *reports);
gboolean         pacer_cli_reports_start         (PacerCliReports        *reports,
                                                  PacerRunner            *runner);
gboolean         pacer_cli_reports_write         (PacerCliReports        *reports);
gboolean         pacer_cli_reports_close         (PacerCliReports        *reports);
void             pacer_cli_reports_free          (PacerCliReports        *reports);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerCliReports, pacer_cli_reports_free)

G_END_DECLS
