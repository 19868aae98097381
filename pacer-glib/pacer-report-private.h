/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the report writers share: the run's header, XML escaping, and saving
 * a finished report in one piece. Each format builds its whole text from a
 * list of results, so tests can feed it results made by hand. */

#include <glib.h>

#include "pacer-report.h"
#include "pacer-test-result.h"

G_BEGIN_DECLS

typedef struct
{
  const char *version;
  const char *seed;       /* nullable */
  const char *hostname;
  guint n_workers;
  double start;           /* Unix seconds */
  double duration;        /* seconds */
} PacerReportRun;

/* Fills @run from the runner's last run; strings are borrowed. */
void     _pacer_report_run_init        (PacerReportRun        *run,
                                        PacerRunner           *runner);

/* Counts @results (GPtrArray of PacerTestResult) by outcome. */
void     _pacer_report_count           (GPtrArray             *results,
                                        guint                  counts[]);

/* Appends @text for XML 1.0: invalid UTF-8 replaced, characters XML forbids
 * dropped, markup escaped; in an attribute, line breaks and tabs are written
 * as character references so they survive attribute normalisation. */
void     _pacer_xml_append_escaped     (GString               *out,
                                        const char            *text,
                                        gboolean               attribute);
/* Appends @text as CDATA sections, splitting "]]>" across two of them. */
void     _pacer_xml_append_cdata       (GString               *out,
                                        const char            *text);

/* A command line a POSIX shell runs as it is, quoting only where needed. */
char    *_pacer_report_format_command  (const char * const    *argv);

/* "%.3f" whatever the locale. */
char    *_pacer_report_format_seconds  (double                 seconds,
                                        int                    decimals);

/* Writes @text to @path ("-" is standard output) through a temporary file
 * renamed into place, so a reader never sees half a report. */
gboolean _pacer_report_save            (const char            *path,
                                        GString               *text,
                                        GError               **error);

GString *_pacer_report_junit_xml       (const PacerReportRun  *run,
                                        GPtrArray             *results);
GString *_pacer_report_json            (const PacerReportRun  *run,
                                        GPtrArray             *results);
GString *_pacer_report_timeline        (const PacerReportRun  *run,
                                        GPtrArray             *results);

G_END_DECLS
