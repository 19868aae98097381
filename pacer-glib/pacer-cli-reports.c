/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run's reports. Each is checked before the run, so that a bad path
 * costs nothing; a problem with one is printed and gives exit status 2, as
 * bad input does. */

#include "config.h"

#include <glib/gi18n.h>

#include "pacer-cli-reports-private.h"
#include "pacer-cli-tap-private.h"

typedef struct
{
  const char *option;
  char *path;
  gboolean (*write) (PacerRunner *runner, const char *path, GError **error);
} Report;

enum { REPORT_TAP, REPORT_JUNIT_XML, REPORT_JSON, REPORT_TIMELINE, N_REPORTS };

struct _PacerCliReports
{
  Report reports[N_REPORTS];
  gboolean on_stdout;
  PacerRunner *runner;
  PacerCliTap *tap;
};

PacerCliReports *
pacer_cli_reports_new (const PacerCliOptions *options)
{
  PacerCliReports *reports = g_new0 (PacerCliReports, 1);

  /* --tap is written as the run goes, by pacer_cli_tap_add(). */
  reports->reports[REPORT_TAP] = (Report) { "--tap", g_strdup (options->tap), NULL };
  reports->reports[REPORT_JUNIT_XML] = (Report) { "--junit-xml", g_strdup (options->junit_xml),
                                                  pacer_runner_write_junit_xml };
  reports->reports[REPORT_JSON] = (Report) { "--json", g_strdup (options->json),
                                             pacer_runner_write_json };
  reports->reports[REPORT_TIMELINE] = (Report) { "--timeline", g_strdup (options->timeline),
                                                 pacer_runner_write_timeline };
  return reports;
}

/* At most one report may have standard output; then the console goes to
 * standard error. */
gboolean
pacer_cli_reports_check (PacerCliReports *reports)
{
  const char *on_stdout = NULL;

  for (guint i = 0; i < N_REPORTS; i++)
    {
      Report *report = &reports->reports[i];
      g_autoptr(GError) error = NULL;

      if (report->path == NULL)
        continue;
      if (g_str_equal (report->path, "-"))
        {
          if (on_stdout != NULL)
            {
              g_printerr (_("pacer-run: %s and %s cannot both write to standard output\n"),
                          on_stdout, report->option);
              return FALSE;
            }
          on_stdout = report->option;
        }
      if (!pacer_report_check_writable (report->path, &error))
        {
          g_printerr ("pacer-run: %s: %s\n", report->option, error->message);
          return FALSE;
        }
    }
  reports->on_stdout = on_stdout != NULL;
  return TRUE;
}

gboolean
pacer_cli_reports_get_on_stdout (PacerCliReports *reports)
{
  return reports->on_stdout;
}

static void
on_test_finished (PacerRunner     *runner,
                  PacerTestResult *result,
                  PacerCliReports *reports)
{
  pacer_cli_tap_add (reports->tap, result);
}

/* Before the run and before the console follows it, so that each result's
 * TAP line is out before its console line, as the two may share a
 * terminal. The TAP stream is opened here: a report that cannot be written
 * is bad input. */
gboolean
pacer_cli_reports_start (PacerCliReports *reports,
                         PacerRunner     *runner)
{
  const char *tap_target = reports->reports[REPORT_TAP].path;
  g_autoptr(GError) error = NULL;

  reports->runner = g_object_ref (runner);
  if (tap_target == NULL)
    return TRUE;

  reports->tap = pacer_cli_tap_open (tap_target, &error);
  if (reports->tap == NULL)
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return FALSE;
    }
  g_signal_connect (runner, "test-finished", G_CALLBACK (on_test_finished), reports);
  return TRUE;
}

/* Also after -x, crashes and Ctrl-C: the tests not run are in them. */
gboolean
pacer_cli_reports_write (PacerCliReports *reports)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < N_REPORTS; i++)
    {
      Report *report = &reports->reports[i];
      g_autoptr(GError) error = NULL;

      if (report->path != NULL && report->write != NULL &&
          !report->write (reports->runner, report->path, &error))
        {
          g_printerr ("pacer-run: %s: %s\n", report->option, error->message);
          ok = FALSE;
        }
    }
  return ok;
}

/* The TAP stream's plan, once the run has counted its tests. */
gboolean
pacer_cli_reports_close (PacerCliReports *reports)
{
  g_autoptr(GError) error = NULL;

  if (reports->tap == NULL)
    return TRUE;

  g_signal_handlers_disconnect_by_data (reports->runner, reports);
  if (!pacer_cli_tap_close (g_steal_pointer (&reports->tap), &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

void
pacer_cli_reports_free (PacerCliReports *reports)
{
  /* A TAP stream left open still ends with its plan. */
  if (reports->tap != NULL)
    {
      g_signal_handlers_disconnect_by_data (reports->runner, reports);
      pacer_cli_tap_close (g_steal_pointer (&reports->tap), NULL);
    }
  for (guint i = 0; i < N_REPORTS; i++)
    g_free (reports->reports[i].path);
  g_clear_object (&reports->runner);
  g_free (reports);
}
