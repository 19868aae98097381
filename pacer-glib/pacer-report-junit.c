/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* JUnit XML as the Jenkins xUnit plugin's junit-10.xsd describes it, with
 * Maven Surefire's rerun elements for retried tests: what Jenkins, GitLab and
 * most CI systems read. One <testsuite> per program; each test is a
 * <testcase> named by its GTest path, with a classname made of the program
 * and the test's suite, so CI systems group tests as the suite does. */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-enums.h"
#include "pacer-glib-private.h"
#include "pacer-report-private.h"

/* CI systems title a failure by its message: a test that failed without a
 * word still gets one. */
static const char *
message_of (PacerTestResult *result)
{
  const char *message = pacer_test_result_get_message (result);

  if (message != NULL)
    return message;
  switch (pacer_test_result_get_outcome (result))
    {
    case PACER_TEST_OUTCOME_FAIL:
      return _("the test failed");
    case PACER_TEST_OUTCOME_CRASH:
      return _("the test crashed");
    case PACER_TEST_OUTCOME_TIMEOUT:
      return _("the test timed out");
    case PACER_TEST_OUTCOME_SKIP:
      return _("skipped");
    case PACER_TEST_OUTCOME_NOT_RUN:
      return _("not run");
    case PACER_TEST_OUTCOME_PASS:
    case PACER_TEST_OUTCOME_FLAKY:
    default:
      return NULL;
    }
}

static const char *
outcome_nick (PacerTestOutcome outcome)
{
  GEnumClass *klass = g_type_class_ref (PACER_TYPE_TEST_OUTCOME);
  GEnumValue *value = g_enum_get_value (klass, outcome);

  g_type_class_unref (klass);
  return value != NULL ? value->value_nick : "unknown";
}

/* `test-foo` and `/Foo/bar/baz` give `test-foo.Foo.bar`: CI systems split a
 * classname at its last dot into a package and a class. */
static char *
classname (const char *program,
           const char *path)
{
  g_autofree char *base = g_path_get_basename (program);
  const char *slash = path[0] == '/' ? strrchr (path, '/') : NULL;
  g_autofree char *suite = NULL;

  if (slash == NULL || slash == path)
    return g_steal_pointer (&base);
  suite = g_strndup (path + 1, slash - path - 1);
  g_strdelimit (suite, "/", '.');
  return g_strconcat (base, ".", suite, NULL);
}

static void
append_attribute (GString    *out,
                  const char *name,
                  const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (out, " %s=\"", name);
  _pacer_xml_append_escaped (out, value, TRUE);
  g_string_append_c (out, '"');
}

static void
append_seconds_attribute (GString    *out,
                          const char *name,
                          double      seconds)
{
  g_autofree char *text = _pacer_report_format_seconds (MAX (seconds, 0.0), 3);

  append_attribute (out, name, text);
}

static void
append_uint_attribute (GString    *out,
                       const char *name,
                       guint       value)
{
  g_string_append_printf (out, " %s=\"%u\"", name, value);
}

/* junit-10.xsd's timestamp has no zone: pacer-run writes UTC. */
static char *
format_timestamp (double unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc ((gint64) unix_seconds);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%S") : NULL;
}

/* The failed attempts of a retried test: surefire's flaky elements when the
 * test passed in the end, its rerun elements when it kept failing. */
static void
append_attempts (GString         *out,
                 PacerTestResult *result,
                 gboolean         flaky)
{
  GPtrArray *attempts = pacer_test_result_get_failed_attempts (result);

  for (guint i = 0; attempts != NULL && i < attempts->len; i++)
    {
      PacerTestResult *attempt = g_ptr_array_index (attempts, i);
      PacerTestOutcome outcome = pacer_test_result_get_outcome (attempt);
      gboolean error = outcome == PACER_TEST_OUTCOME_CRASH || outcome == PACER_TEST_OUTCOME_TIMEOUT;
      const char *element = flaky ? (error ? "flakyError" : "flakyFailure")
                                  : (error ? "rerunError" : "rerunFailure");
      const char *output = pacer_test_result_get_output (attempt);

      g_string_append_printf (out, "      <%s", element);
      append_attribute (out, "type", outcome_nick (outcome));
      append_attribute (out, "message", message_of (attempt));
      if (output == NULL)
        {
          g_string_append (out, "/>\n");
          continue;
        }
      g_string_append (out, ">\n        <system-out>");
      _pacer_xml_append_cdata (out, output);
      g_string_append_printf (out, "</system-out>\n      </%s>\n", element);
    }
}

/* The body of a <failure> or <error>: what the test printed, then how to run
 * it again alone. */
static void
append_problem (GString         *out,
                const char      *element,
                PacerTestResult *result)
{
  const char *output = pacer_test_result_get_output (result);
  const char * const *command = pacer_test_result_get_command (result);
  g_autoptr(GString) body = g_string_new (output);

  if (command != NULL)
    {
      g_autofree char *line = _pacer_report_format_command (command);

      if (body->len > 0 && body->str[body->len - 1] != '\n')
        g_string_append_c (body, '\n');
      g_string_append_printf (body, _("Reproduce with: %s\n"), line);
    }

  g_string_append_printf (out, "      <%s", element);
  append_attribute (out, "type", outcome_nick (pacer_test_result_get_outcome (result)));
  append_attribute (out, "message", message_of (result));
  if (body->len == 0)
    {
      g_string_append (out, "/>\n");
      return;
    }
  g_string_append_c (out, '>');
  _pacer_xml_append_cdata (out, body->str);
  g_string_append_printf (out, "</%s>\n", element);
}

static void
append_testcase (GString         *out,
                 PacerTestResult *result)
{
  PacerTestOutcome outcome = pacer_test_result_get_outcome (result);
  g_autofree char *klass = classname (pacer_test_result_get_program (result),
                                      pacer_test_result_get_path (result));
  const char *output = pacer_test_result_get_output (result);
  gsize children;

  g_string_append (out, "    <testcase");
  append_attribute (out, "classname", klass);
  append_attribute (out, "name", pacer_test_result_get_path (result));
  append_seconds_attribute (out, "time", pacer_test_result_get_duration (result));
  g_string_append (out, ">\n");
  children = out->len;

  switch (outcome)
    {
    case PACER_TEST_OUTCOME_FAIL:
      append_problem (out, "failure", result);
      append_attempts (out, result, FALSE);
      break;
    case PACER_TEST_OUTCOME_CRASH:
    case PACER_TEST_OUTCOME_TIMEOUT:
      append_problem (out, "error", result);
      append_attempts (out, result, FALSE);
      break;
    case PACER_TEST_OUTCOME_SKIP:
    case PACER_TEST_OUTCOME_NOT_RUN:
      g_string_append (out, "      <skipped");
      if (outcome == PACER_TEST_OUTCOME_NOT_RUN)
        append_attribute (out, "type", outcome_nick (outcome));
      append_attribute (out, "message", message_of (result));
      g_string_append (out, "/>\n");
      break;
    case PACER_TEST_OUTCOME_FLAKY:
      append_attempts (out, result, TRUE);
      break;
    case PACER_TEST_OUTCOME_PASS:
    default:
      break;
    }

  /* A failure's output is in its body already. */
  if (output != NULL && !pacer_test_outcome_is_failure (outcome))
    {
      g_string_append (out, "      <system-out>");
      _pacer_xml_append_cdata (out, output);
      g_string_append (out, "</system-out>\n");
    }

  if (out->len == children)
    {
      /* Nothing inside: `<testcase …/>`. */
      g_string_truncate (out, children - 2);
      g_string_append (out, "/>\n");
    }
  else
    g_string_append (out, "    </testcase>\n");
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (pacer_test_result_get_path (*(PacerTestResult **) a),
                    pacer_test_result_get_path (*(PacerTestResult **) b));
}

static void
append_testsuite (GString              *out,
                  const PacerReportRun *run,
                  const char           *program,
                  GPtrArray            *results)
{
  guint counts[PACER_TEST_OUTCOME_N_OUTCOMES];
  double time = 0;
  double first_start = 0;
  g_autofree char *timestamp = NULL;
  g_autofree char *workers = g_strdup_printf ("%u", run->n_workers);

  _pacer_report_count (results, counts);
  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);
      double start = pacer_test_result_get_start_time (result);

      time += pacer_test_result_get_duration (result);
      if (start > 0 && (first_start == 0 || start < first_start))
        first_start = start;
    }
  timestamp = format_timestamp (first_start > 0 ? first_start : run->start);

  g_string_append (out, "  <testsuite");
  append_attribute (out, "name", program);
  append_uint_attribute (out, "tests", results->len);
  append_uint_attribute (out, "failures", counts[PACER_TEST_OUTCOME_FAIL]);
  append_uint_attribute (out, "errors", counts[PACER_TEST_OUTCOME_CRASH] + counts[PACER_TEST_OUTCOME_TIMEOUT]);
  append_uint_attribute (out, "skipped", counts[PACER_TEST_OUTCOME_SKIP] + counts[PACER_TEST_OUTCOME_NOT_RUN]);
  /* The tests' own time: with several workers it exceeds the wall time. */
  append_seconds_attribute (out, "time", time);
  append_attribute (out, "timestamp", timestamp);
  append_attribute (out, "hostname", run->hostname);
  g_string_append (out, ">\n    <properties>\n");
  g_string_append (out, "      <property name=\"seed\"");
  append_attribute (out, "value", run->seed != NULL ? run->seed : "");
  g_string_append (out, "/>\n      <property name=\"workers\"");
  append_attribute (out, "value", workers);
  g_string_append (out, "/>\n");
  /* junit-10.xsd has no properties on a testcase: its suite names it. */
  for (guint i = 0; i < results->len; i++)
    if (pacer_test_result_get_order_dependent (g_ptr_array_index (results, i)))
      {
        g_string_append (out, "      <property name=\"order-dependent\"");
        append_attribute (out, "value", pacer_test_result_get_path (g_ptr_array_index (results, i)));
        g_string_append (out, "/>\n");
      }
  g_string_append (out, "    </properties>\n");

  /* By path, so two runs of one suite give files a diff can compare. */
  g_ptr_array_sort (results, compare_paths);
  for (guint i = 0; i < results->len; i++)
    append_testcase (out, g_ptr_array_index (results, i));

  g_string_append (out, "  </testsuite>\n");
}

GString *
_pacer_report_junit_xml (const PacerReportRun *run,
                         GPtrArray            *results)
{
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_autoptr(GPtrArray) programs = g_ptr_array_new ();
  g_autoptr(GHashTable) by_program =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  guint counts[PACER_TEST_OUTCOME_N_OUTCOMES];

  _pacer_ensure_i18n ();
  _pacer_report_count (results, counts);

  /* Programs in the order their first result came. */
  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);
      const char *program = pacer_test_result_get_program (result);
      GPtrArray *list = g_hash_table_lookup (by_program, program);

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_program, (gpointer) program, list);
          g_ptr_array_add (programs, (gpointer) program);
        }
      g_ptr_array_add (list, result);
    }

  g_string_append (out, "<testsuites name=\"pacer-run\"");
  append_uint_attribute (out, "tests", results->len);
  append_uint_attribute (out, "failures", counts[PACER_TEST_OUTCOME_FAIL]);
  append_uint_attribute (out, "errors", counts[PACER_TEST_OUTCOME_CRASH] + counts[PACER_TEST_OUTCOME_TIMEOUT]);
  append_seconds_attribute (out, "time", run->duration);
  g_string_append (out, ">\n");

  for (guint i = 0; i < programs->len; i++)
    {
      const char *program = g_ptr_array_index (programs, i);

      append_testsuite (out, run, program, g_hash_table_lookup (by_program, program));
    }

  g_string_append (out, "</testsuites>\n");
  return out;
}

/**
 * pacer_runner_write_junit_xml:
 * @self: a runner whose run is over
 * @path: (type filename): the file to write, or `-` for standard output
 * @error: return location for a [type@GLib.Error]
 *
 * Writes the results of the last run as JUnit XML, the format CI systems
 * read, following the Jenkins xUnit plugin's `junit-10.xsd`: one
 * `<testsuite>` per program, one `<testcase>` per test named by its path.
 * Failures carry their message and captured output, crashes and timeouts are
 * `<error>`s, skipped and not-run tests `<skipped>`, and a retried test lists
 * its failed attempts in Maven Surefire's `<flakyFailure>` (it passed in the
 * end) or `<rerunFailure>` elements. Characters XML cannot carry are dropped.
 *
 * The file is written to a temporary file renamed into place: it is either
 * the old file or the whole new report, never half of one.
 *
 * Returns: `TRUE` on success; otherwise `FALSE` with @error set to
 *   `PACER_ERROR_IO`
 *
 * Since: 1.0
 */
gboolean
pacer_runner_write_junit_xml (PacerRunner  *self,
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
  text = _pacer_report_junit_xml (&run, results);
  return _pacer_report_save (path, text, error);
}
