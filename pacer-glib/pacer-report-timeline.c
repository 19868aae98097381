/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A picture of a run: one lane per worker, one bar per attempt of a test
 * placed at the time it ran, green for passes, red for failures, crashes and
 * timeouts, grey for skips. A worker that idles while another still works
 * shows at a glance as a short lane: that is the imbalance a scheduler, or a
 * test split in two, can fix. Every bar has a tooltip with the test's path
 * and duration. Plain SVG 1.1 with no script: any browser opens it. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-glib-private.h"
#include "pacer-report-private.h"

#define WIDTH 1200.0
#define LEFT 150.0     /* lane labels */
#define RIGHT 30.0
#define TOP 64.0       /* title and summary */
#define LANE 22.0
#define LANE_GAP 6.0
#define AXIS 40.0      /* tick labels and legend */
#define MIN_BAR 0.5    /* a bar shorter than this would vanish */

typedef struct
{
  char *worker;
  double busy;
} Lane;

static void
lane_clear (Lane *lane)
{
  g_free (lane->worker);
}

static const char *
bar_class (PacerTestOutcome outcome)
{
  switch (outcome)
    {
    case PACER_TEST_OUTCOME_PASS:
      return "pass";
    case PACER_TEST_OUTCOME_FLAKY:
      return "flaky";
    case PACER_TEST_OUTCOME_SKIP:
      return "skip";
    case PACER_TEST_OUTCOME_FAIL:
      return "fail";
    case PACER_TEST_OUTCOME_CRASH:
      return "crash";
    case PACER_TEST_OUTCOME_TIMEOUT:
      return "timeout";
    case PACER_TEST_OUTCOME_NOT_RUN:
    default:
      return "not-run";
    }
}

static const char *
outcome_label (PacerTestOutcome outcome)
{
  switch (outcome)
    {
    case PACER_TEST_OUTCOME_PASS:
      return _("passed");
    case PACER_TEST_OUTCOME_FLAKY:
      return _("passed on a retry");
    case PACER_TEST_OUTCOME_SKIP:
      return _("skipped");
    case PACER_TEST_OUTCOME_FAIL:
      return _("failed");
    case PACER_TEST_OUTCOME_CRASH:
      return _("crashed");
    case PACER_TEST_OUTCOME_TIMEOUT:
      return _("timed out");
    case PACER_TEST_OUTCOME_NOT_RUN:
    default:
      return _("not run");
    }
}

/* gw2 before gw10. */
static int
compare_lanes (gconstpointer a,
               gconstpointer b)
{
  const char *x = ((const Lane *) a)->worker;
  const char *y = ((const Lane *) b)->worker;

  if (g_str_has_prefix (x, "gw") && g_str_has_prefix (y, "gw") && strlen (x) != strlen (y))
    return strlen (x) < strlen (y) ? -1 : 1;
  return g_strcmp0 (x, y);
}

static guint
lane_of (GArray     *lanes,
         const char *worker)
{
  for (guint i = 0; i < lanes->len; i++)
    if (g_str_equal (g_array_index (lanes, Lane, i).worker, worker))
      return i;
  return G_MAXUINT;
}

/* Every attempt that ran, failed retries included: each took a worker's time. */
static void
collect_bars (GPtrArray *results,
              GPtrArray *bars)
{
  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);
      GPtrArray *attempts = pacer_test_result_get_failed_attempts (result);

      for (guint j = 0; attempts != NULL && j < attempts->len; j++)
        {
          PacerTestResult *attempt = g_ptr_array_index (attempts, j);

          if (pacer_test_result_get_worker (attempt) != NULL && pacer_test_result_get_start_time (attempt) > 0)
            g_ptr_array_add (bars, attempt);
        }
      if (pacer_test_result_get_worker (result) != NULL && pacer_test_result_get_start_time (result) > 0)
        g_ptr_array_add (bars, result);
    }
}

/* 1, 2 or 5 times a power of ten, for about eight ticks. */
static double
tick_step (double span)
{
  double raw = span / 8;
  double magnitude = pow (10, floor (log10 (raw)));
  double ratio = raw / magnitude;

  if (ratio < 1.5)
    return magnitude;
  if (ratio < 3.5)
    return 2 * magnitude;
  if (ratio < 7.5)
    return 5 * magnitude;
  return 10 * magnitude;
}

static char *
format_duration (double seconds)
{
  g_autofree char *number = NULL;

  if (seconds < 1.0)
    {
      number = _pacer_report_format_seconds (seconds * 1000, seconds < 0.01 ? 1 : 0);
      /* TRANSLATORS: a duration in milliseconds */
      return g_strdup_printf (_("%s ms"), number);
    }
  number = _pacer_report_format_seconds (seconds, 2);
  /* TRANSLATORS: a duration in seconds */
  return g_strdup_printf (_("%s s"), number);
}

/* Coordinates with two decimals whatever the locale. */
static const char *
coord (char   *buffer,
       double  value)
{
  return g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%.2f", value);
}

static void
append_text (GString    *out,
             double      x,
             double      y,
             const char *klass,
             const char *text)
{
  char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, "  <text class=\"%s\" x=\"%s\" y=\"%s\">", klass, coord (bx, x), coord (by, y));
  _pacer_xml_append_escaped (out, text, FALSE);
  g_string_append (out, "</text>\n");
}

static char *
summary_line (const PacerReportRun *run,
              GPtrArray            *results)
{
  guint counts[PACER_TEST_OUTCOME_N_OUTCOMES];
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *duration = format_duration (run->duration);
  const PacerTestOutcome shown[] = {
    PACER_TEST_OUTCOME_PASS, PACER_TEST_OUTCOME_FAIL, PACER_TEST_OUTCOME_CRASH,
    PACER_TEST_OUTCOME_TIMEOUT, PACER_TEST_OUTCOME_FLAKY, PACER_TEST_OUTCOME_SKIP,
    PACER_TEST_OUTCOME_NOT_RUN,
  };

  _pacer_report_count (results, counts);
  /* TRANSLATORS: the timeline's title: tests, workers, wall time */
  g_string_append_printf (line, _("pacer-run: %u tests on %u workers in %s"), results->len,
                          run->n_workers, duration);
  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    if (counts[shown[i]] > 0 || shown[i] == PACER_TEST_OUTCOME_PASS || shown[i] == PACER_TEST_OUTCOME_FAIL)
      /* TRANSLATORS: one count of the timeline's title, such as "3 failed" */
      g_string_append_printf (line, _(", %u %s"), counts[shown[i]], outcome_label (shown[i]));
  return g_strdup (line->str);
}

GString *
_pacer_report_timeline (const PacerReportRun *run,
                        GPtrArray            *results)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) bars = g_ptr_array_new ();
  g_autoptr(GArray) lanes = g_array_new (FALSE, TRUE, sizeof (Lane));
  g_autoptr(GArray) bar_lanes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  double t0 = run->start, t1 = run->start + run->duration;
  double plot_width = WIDTH - LEFT - RIGHT;
  double height, axis_y, step;
  char b1[G_ASCII_DTOSTR_BUF_SIZE], b2[G_ASCII_DTOSTR_BUF_SIZE];
  char b3[G_ASCII_DTOSTR_BUF_SIZE], b4[G_ASCII_DTOSTR_BUF_SIZE];

  _pacer_ensure_i18n ();
  g_array_set_clear_func (lanes, (GDestroyNotify) lane_clear);

  /* Lanes: every worker slot of the run, used or not, and any other worker a
   * result names. */
  for (guint i = 0; i < run->n_workers; i++)
    {
      Lane lane = { g_strdup_printf ("gw%u", i), 0 };

      g_array_append_val (lanes, lane);
    }
  collect_bars (results, bars);
  for (guint i = 0; i < bars->len; i++)
    {
      PacerTestResult *bar = g_ptr_array_index (bars, i);
      const char *worker = pacer_test_result_get_worker (bar);

      if (lane_of (lanes, worker) == G_MAXUINT)
        {
          Lane lane = { g_strdup (worker), 0 };

          g_array_append_val (lanes, lane);
        }
      t0 = MIN (t0, pacer_test_result_get_start_time (bar));
      t1 = MAX (t1, pacer_test_result_get_end_time (bar));
    }
  g_array_sort (lanes, compare_lanes);
  for (guint i = 0; i < bars->len; i++)
    {
      guint lane = lane_of (lanes, pacer_test_result_get_worker (g_ptr_array_index (bars, i)));

      g_array_append_val (bar_lanes, lane);
      g_array_index (lanes, Lane, lane).busy += pacer_test_result_get_duration (g_ptr_array_index (bars, i));
    }
  if (t1 - t0 < 1e-3)
    t1 = t0 + 1e-3;

  height = TOP + MAX (lanes->len, 1) * (LANE + LANE_GAP) + AXIS + 20;
  axis_y = TOP + MAX (lanes->len, 1) * (LANE + LANE_GAP);

  g_string_append (out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_string_append_printf (out,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                          "width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\">\n",
                          coord (b1, WIDTH), coord (b2, height), coord (b3, WIDTH), coord (b4, height));
  title = summary_line (run, results);
  g_string_append (out, "  <title>");
  _pacer_xml_append_escaped (out, title, FALSE);
  g_string_append (out, "</title>\n");
  g_string_append (out,
                   "  <style>\n"
                   "    text { font-family: sans-serif; font-size: 12px; fill: #222; }\n"
                   "    text.title { font-size: 15px; font-weight: bold; }\n"
                   "    text.tick { font-size: 10px; fill: #555; text-anchor: middle; }\n"
                   "    line.tick { stroke: #ccc; stroke-width: 1; }\n"
                   "    rect.lane { fill: #f4f4f4; }\n"
                   "    rect.bar { stroke: #fff; stroke-width: 0.3; }\n"
                   "    rect.pass, rect.flaky { fill: #3c9a4e; }\n"
                   "    rect.fail, rect.crash, rect.timeout { fill: #d2302f; }\n"
                   "    rect.skip { fill: #9e9e9e; }\n"
                   "  </style>\n");

  append_text (out, 10, 22, "title", title);
  subtitle = g_strdup_printf (_("seed %s on %s; one lane per worker, one bar per attempt"),
                              run->seed != NULL ? run->seed : "-", run->hostname);
  append_text (out, 10, 42, "subtitle", subtitle);

  /* Ticks behind the bars. */
  step = tick_step (t1 - t0);
  for (double t = 0; t <= (t1 - t0) + step * 1e-6; t += step)
    {
      double x = LEFT + t / (t1 - t0) * plot_width;
      g_autofree char *label = format_duration (t);

      g_string_append_printf (out, "  <line class=\"tick\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n",
                              coord (b1, x), coord (b2, TOP - 4), coord (b3, x), coord (b4, axis_y));
      append_text (out, x, axis_y + 14, "tick", label);
    }

  for (guint i = 0; i < lanes->len; i++)
    {
      Lane *lane = &g_array_index (lanes, Lane, i);
      double y = TOP + i * (LANE + LANE_GAP);

      g_string_append (out, "  <g class=\"lane\" id=\"lane-");
      _pacer_xml_append_escaped (out, lane->worker, TRUE);
      g_string_append (out, "\">\n");
      g_string_append_printf (out, "    <rect class=\"lane\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/>\n",
                              coord (b1, LEFT), coord (b2, y), coord (b3, plot_width), coord (b4, LANE));
      {
        /* The idle share of a worker is the imbalance. */
        g_autofree char *busy = format_duration (lane->busy);
        /* TRANSLATORS: a lane's label: the worker and how long it was busy */
        g_autofree char *label = g_strdup_printf (_("%s · %s busy"), lane->worker, busy);

        append_text (out, 10, y + LANE * 0.7, "lane", label);
      }

      for (guint j = 0; j < bars->len; j++)
        {
          PacerTestResult *bar = g_ptr_array_index (bars, j);
          double start = pacer_test_result_get_start_time (bar);
          double end = pacer_test_result_get_end_time (bar);
          double x = LEFT + (start - t0) / (t1 - t0) * plot_width;
          double w = MAX ((end - start) / (t1 - t0) * plot_width, MIN_BAR);
          g_autofree char *duration = format_duration (pacer_test_result_get_duration (bar));
          g_autofree char *tip = NULL;

          if (g_array_index (bar_lanes, guint, j) != i)
            continue;

          /* TRANSLATORS: a bar's tooltip: path, outcome, duration, program */
          tip = g_strdup_printf (_("%s — %s in %s (%s)"), pacer_test_result_get_path (bar),
                                 outcome_label (pacer_test_result_get_outcome (bar)), duration,
                                 pacer_test_result_get_program (bar));
          g_string_append_printf (out,
                                  "    <rect class=\"bar %s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\">"
                                  "<title>",
                                  bar_class (pacer_test_result_get_outcome (bar)),
                                  coord (b1, x), coord (b2, y + 2), coord (b3, w), coord (b4, LANE - 4));
          _pacer_xml_append_escaped (out, tip, FALSE);
          g_string_append (out, "</title></rect>\n");
        }
      g_string_append (out, "  </g>\n");
    }

  /* Legend. */
  {
    const PacerTestOutcome keys[] = { PACER_TEST_OUTCOME_PASS, PACER_TEST_OUTCOME_FAIL, PACER_TEST_OUTCOME_SKIP };
    double x = LEFT;

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_string_append_printf (out, "  <rect class=\"key %s\" x=\"%s\" y=\"%s\" width=\"12\" height=\"12\"/>\n",
                                bar_class (keys[i]), coord (b1, x), coord (b2, axis_y + 24));
        append_text (out, x + 16, axis_y + 34, "key", keys[i] == PACER_TEST_OUTCOME_FAIL
                                                       ? _("failed, crashed or timed out")
                                                       : outcome_label (keys[i]));
        x += 200;
      }
  }

  g_string_append (out, "</svg>\n");
  return out;
}

/**
 * pacer_runner_write_timeline:
 * @self: a runner whose run is over
 * @path: (type filename): the SVG file to write, or `-` for standard output
 * @error: return location for a [type@GLib.Error]
 *
 * Draws the last run as an SVG picture: one lane per worker, one bar per
 * attempt of a test where and when it ran (green passed, red failed, crashed
 * or timed out, grey skipped), a time axis, and a title with the totals.
 * Each bar's tooltip gives the test's path and duration. A lane that ends
 * early shows a worker left idle while others worked.
 *
 * The file is written to a temporary file renamed into place: it is either
 * the old file or the whole new picture, never half of one.
 *
 * Returns: `TRUE` on success; otherwise `FALSE` with @error set to
 *   `PACER_ERROR_IO`
 *
 * Since: 1.0
 */
gboolean
pacer_runner_write_timeline (PacerRunner  *self,
                             const char   *path,
                             GError      **error)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GString) text = NULL;
  PacerReportRun run;

  g_return_val_if_fail (PACER_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _pacer_report_run_init (&run, self);
  results = pacer_runner_get_results (self);
  text = _pacer_report_timeline (&run, results);
  return _pacer_report_save (path, text, error);
}
