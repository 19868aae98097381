/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The reports: JUnit XML validated with xmllint against tests/junit.xsd, JSON
 * read back with json-glib, the SVG timeline parsed as XML and its lanes and
 * bars counted. Some results are made by hand to reach every corner (every
 * outcome, retries, text XML cannot carry), the rest come from real runs of
 * fake-gtest with crashes, retries and -x. */

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-report-private.h"
#include "pacer-glib/pacer-test-result-private.h"
#include "pacer-test-utils.h"

static char *tmp_dir;

/* Helpers ------------------------------------------------------------------ */

static char *
xmllint (void)
{
  char *path = g_find_program_in_path ("xmllint");

  if (path == NULL)
    g_test_skip ("xmllint is not installed (Debian: libxml2-utils)");
  return path;
}

/* Runs xmllint with @args on @file; returns its exit status, and its output. */
static int
run_xmllint (const char  *file,
             const char  *first_arg,
             ...)
{
  g_autofree char *program = xmllint ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  g_assert_nonnull (program);
  g_ptr_array_add (argv, program);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, (char *) file);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("xmllint %s: %s%s", file, out, err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
assert_valid_junit (const char *file)
{
  g_autofree char *schema = g_test_build_filename (G_TEST_DIST, "junit.xsd", NULL);

  g_assert_cmpint (run_xmllint (file, "--noout", "--schema", schema, NULL), ==, 0);
}

/* An XPath 1.0 expression's value, as xmllint prints it. */
static char *
xpath (const char *file,
       const char *expression)
{
  g_autofree char *program = xmllint ();
  const char *argv[] = { program, "--xpath", expression, file, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  return g_strdup (g_strchomp (out != NULL ? out : (char *) ""));
}

static guint
xpath_count (const char *file,
             const char *expression)
{
  g_autofree char *query = g_strdup_printf ("count(%s)", expression);
  g_autofree char *value = xpath (file, query);

  return (guint) g_ascii_strtoull (value, NULL, 10);
}

static char *
tmp_file (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
save (const char *path,
      GString    *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_pacer_report_save (path, text, &error));
  g_assert_no_error (error);
}

static PacerTestResult *
make_result (const char       *program,
             const char       *path,
             PacerTestOutcome  outcome,
             double            start,
             double            duration,
             const char       *worker,
             const char       *message,
             const char       *output,
             guint             attempts)
{
  PacerTestResult *result = pacer_test_result_new (program, path, outcome, duration, worker, message, output);

  _pacer_test_result_set_attempt (result, start, start > 0 ? start + duration : 0, attempts, NULL);
  return result;
}

static void
add_failed_attempt (PacerTestResult *result,
                    PacerTestResult *attempt)
{
  GPtrArray *attempts = pacer_test_result_get_failed_attempts (result);

  if (attempts == NULL)
    {
      attempts = g_ptr_array_new_with_free_func (g_object_unref);
      _pacer_test_result_set_attempt (result, pacer_test_result_get_start_time (result),
                                      pacer_test_result_get_end_time (result),
                                      pacer_test_result_get_attempts (result), attempts);
    }
  g_ptr_array_add (attempts, attempt);
}

#define T0 1700000000.0
#define NASTY_OUTPUT "before ]]> after\x01\x1b[31mred\x1b[0m \xff\xfe bad bytes\n"

/* One of each outcome over two programs, a flaky test with a crashed and a
 * failed attempt, a failure retried once, and a path and output with every
 * character XML makes hard. */
static GPtrArray *
hand_made_results (void)
{
  GPtrArray *results = g_ptr_array_new_with_free_func (g_object_unref);
  PacerTestResult *flaky, *retried;

  g_ptr_array_add (results, make_result ("./test-a", "/a/pass", PACER_TEST_OUTCOME_PASS, T0 + 0.1, 0.5, "gw0", NULL, "hello\n", 1));
  g_ptr_array_add (results, make_result ("./test-a", "/a/<odd> & \"quoted\"", PACER_TEST_OUTCOME_FAIL, T0 + 0.6, 0.25, "gw0",
                                         "assertion <failed> & \"quoted\"\nsecond line", NASTY_OUTPUT, 1));
  g_ptr_array_add (results, make_result ("./test-a", "/a/skip", PACER_TEST_OUTCOME_SKIP, T0 + 0.1, 0.01, "gw1", "not today", NULL, 1));
  g_ptr_array_add (results, make_result ("./test-a", "/a/crash", PACER_TEST_OUTCOME_CRASH, T0 + 0.2, 0.1, "gw1",
                                         "the process was killed by signal 11", "segv\n", 1));
  g_ptr_array_add (results, make_result ("./test-b", "/b/timeout", PACER_TEST_OUTCOME_TIMEOUT, T0 + 0.3, 2.0, "gw1",
                                         "timed out after 2 s", NULL, 1));
  g_ptr_array_add (results, make_result ("./test-b", "/b/not-run", PACER_TEST_OUTCOME_NOT_RUN, 0, 0, NULL,
                                         "not run: the run stopped", NULL, 0));

  flaky = make_result ("./test-b", "/b/flaky", PACER_TEST_OUTCOME_FLAKY, T0 + 2.5, 0.1, "gw1",
                       "passed on attempt 3 after: crashed", NULL, 3);
  add_failed_attempt (flaky, make_result ("./test-b", "/b/flaky", PACER_TEST_OUTCOME_CRASH, T0 + 2.3, 0.1, "gw1",
                                          "signal 6", "abort ]]> here\n", 1));
  add_failed_attempt (flaky, make_result ("./test-b", "/b/flaky", PACER_TEST_OUTCOME_FAIL, T0 + 2.4, 0.1, "gw0",
                                          NULL, NULL, 2));
  g_ptr_array_add (results, flaky);

  retried = make_result ("./test-b", "/b/retried", PACER_TEST_OUTCOME_FAIL, T0 + 1.5, 0.2, "gw0", "failed again", "out\n", 2);
  add_failed_attempt (retried, make_result ("./test-b", "/b/retried", PACER_TEST_OUTCOME_FAIL, T0 + 1.2, 0.2, "gw0",
                                            "failed", NULL, 1));
  g_ptr_array_add (results, retried);

  return results;
}

static PacerReportRun hand_made_run = { "1.2.3", "R02S0123456789abcdef0123456789abcdef", "host<&>", 3, T0, 3.0 };

/* Tests -------------------------------------------------------------------- */

static void
test_xml_escaping (void)
{
  g_autoptr(GString) attribute = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) cdata = g_string_new (NULL);

  g_test_summary ("Markup is escaped, forbidden characters dropped, bad UTF-8 replaced, ]]> split");

  _pacer_xml_append_escaped (attribute, "a<b>&\"c\"\n\t\x01\x1b" "d", TRUE);
  g_assert_cmpstr (attribute->str, ==, "a&lt;b&gt;&amp;&quot;c&quot;&#10;&#9;d");

  _pacer_xml_append_escaped (text, "x\ny\x7f\xef\xbf\xbe", FALSE);
  /* U+007F is allowed by XML 1.0; U+FFFE is not. */
  g_assert_cmpstr (text->str, ==, "x\ny\x7f");

  _pacer_xml_append_cdata (cdata, "1 ]]> 2 ]]]> \xff end");
  g_assert_cmpstr (cdata->str, ==, "<![CDATA[1 ]]]]><![CDATA[> 2 ]]]]]><![CDATA[> \xef\xbf\xbd end]]>");
}

static void
test_junit_hand_made (void)
{
  g_autoptr(GPtrArray) results = hand_made_results ();
  g_autoptr(GString) text = NULL;
  g_autofree char *file = tmp_file ("hand.xml");
  g_autofree char *value = NULL;
  g_autofree char *program = xmllint ();

  g_test_summary ("JUnit XML of every outcome, retries and hostile text validates against junit.xsd");
  if (program == NULL)
    return;

  text = _pacer_report_junit_xml (&hand_made_run, results);
  save (file, text);
  assert_valid_junit (file);

  g_assert_cmpuint (xpath_count (file, "/testsuites/testsuite"), ==, 2);
  g_assert_cmpuint (xpath_count (file, "//testcase"), ==, 8);
  value = xpath (file, "string(/testsuites/@tests)");
  g_assert_cmpstr (value, ==, "8");
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(/testsuites/testsuite[@name='./test-a']/@failures)");
  g_assert_cmpstr (value, ==, "1");
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(/testsuites/testsuite[@name='./test-b']/@errors)");
  g_assert_cmpstr (value, ==, "1");
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(/testsuites/testsuite[@name='./test-b']/@skipped)");
  g_assert_cmpstr (value, ==, "1");
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(/testsuites/testsuite[@name='./test-a']/@timestamp)");
  g_assert_cmpstr (value, ==, "2023-11-14T22:13:20");
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(/testsuites/testsuite[1]/@hostname)");
  g_assert_cmpstr (value, ==, "host<&>");
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(//property[@name='seed']/@value)");
  g_assert_cmpstr (value, ==, hand_made_run.seed);
  g_clear_pointer (&value, g_free);

  /* The hostile path and message come back as they were. */
  value = xpath (file, "string(//testcase[@name='/a/<odd> & \"quoted\"']/failure/@message)");
  g_assert_cmpstr (value, ==, "assertion <failed> & \"quoted\"\nsecond line");
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(//testcase[@name='/a/<odd> & \"quoted\"']/@classname)");
  g_assert_cmpstr (value, ==, "test-a.a");
  g_clear_pointer (&value, g_free);
  /* The output keeps its ]]> and loses only what XML cannot carry. */
  value = xpath (file, "string(//testcase[@name='/a/<odd> & \"quoted\"']/failure)");
  g_assert_cmpstr (value, ==, "before ]]> after[31mred[0m \xef\xbf\xbd\xef\xbf\xbd bad bytes");
  g_clear_pointer (&value, g_free);

  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/a/crash']/error[@type='crash']"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/b/timeout']/error[@type='timeout']"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/a/skip']/skipped[@message='not today']"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/b/not-run']/skipped[@type='not-run']"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/a/pass']/*"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/a/pass']/system-out"), ==, 1);

  /* Flaky: a passing testcase with one element per failed attempt. */
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/b/flaky']/failure"), ==, 0);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/b/flaky']/flakyError[@message='signal 6']"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/b/flaky']/flakyFailure"), ==, 1);
  value = xpath (file, "string(//testcase[@name='/b/flaky']/flakyError/system-out)");
  g_assert_cmpstr (value, ==, "abort ]]> here");
  g_clear_pointer (&value, g_free);

  /* Failed again after a retry: the failure, then the rerun that failed first. */
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/b/retried']/failure[@message='failed again']"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//testcase[@name='/b/retried']/rerunFailure[@message='failed']"), ==, 1);
}

static void
test_junit_schema_rejects (void)
{
  const char *bad[] = {
    /* No name on the testcase. */
    "<testsuites><testsuite name='p' tests='1' failures='0' errors='0' skipped='0' time='0' "
    "timestamp='2024-01-01T00:00:00' hostname='h'><testcase classname='c' time='0'/></testsuite></testsuites>",
    /* A count that is not a number. */
    "<testsuites><testsuite name='p' tests='one' failures='0' errors='0' skipped='0' time='0' "
    "timestamp='2024-01-01T00:00:00' hostname='h'/></testsuites>",
    /* A rerun element without its type. */
    "<testsuites><testsuite name='p' tests='1' failures='0' errors='0' skipped='0' time='0' "
    "timestamp='2024-01-01T00:00:00' hostname='h'><testcase classname='c' name='n' time='0'>"
    "<flakyFailure message='m'/></testcase></testsuite></testsuites>",
    /* Two verdicts. */
    "<testsuites><testsuite name='p' tests='1' failures='1' errors='1' skipped='0' time='0' "
    "timestamp='2024-01-01T00:00:00' hostname='h'><testcase classname='c' name='n' time='0'>"
    "<failure/><error/></testcase></testsuite></testsuites>",
  };
  g_autofree char *program = xmllint ();

  g_test_summary ("junit.xsd rejects what a JUnit reader would choke on, so validating it means something");
  if (program == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *file = tmp_file ("bad.xml");
      g_autofree char *schema = g_test_build_filename (G_TEST_DIST, "junit.xsd", NULL);

      g_assert_true (g_file_set_contents (file, bad[i], -1, NULL));
      g_assert_cmpint (run_xmllint (file, "--noout", "--schema", schema, NULL), !=, 0);
    }
}

static JsonObject *
load_json (const char *file,
           JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, file, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static JsonObject *
json_find (JsonObject *root,
           const char *path)
{
  JsonArray *results = json_object_get_array_member (root, "results");
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (result, "path"), path))
        {
          g_assert_null (found);
          found = result;
        }
    }
  g_assert_nonnull (found);
  return found;
}

static void
test_json_hand_made (void)
{
  g_autoptr(GPtrArray) results = hand_made_results ();
  g_autoptr(GString) text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *file = tmp_file ("hand.json");
  JsonObject *root, *counts, *result, *attempt;
  JsonArray *attempts;

  g_test_summary ("The JSON report holds the header and every field of every result, nulls for what did not happen");

  text = _pacer_report_json (&hand_made_run, results);
  save (file, text);
  root = load_json (file, parser);

  g_assert_cmpint (json_object_get_int_member (root, "format"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (root, "version"), ==, "1.2.3");
  g_assert_cmpstr (json_object_get_string_member (root, "seed"), ==, hand_made_run.seed);
  g_assert_cmpint (json_object_get_int_member (root, "workers"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (root, "start"), ==, T0);
  g_assert_cmpfloat (json_object_get_double_member (root, "duration"), ==, 3.0);
  counts = json_object_get_object_member (root, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "total"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (counts, "fail"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (counts, "flaky"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "not-run"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "timeout"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "results")), ==, 8);

  result = json_find (root, "/a/<odd> & \"quoted\"");
  g_assert_cmpstr (json_object_get_string_member (result, "program"), ==, "./test-a");
  g_assert_cmpstr (json_object_get_string_member (result, "outcome"), ==, "fail");
  g_assert_cmpstr (json_object_get_string_member (result, "worker"), ==, "gw0");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "start"), T0 + 0.6, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "end"), T0 + 0.85, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "duration"), 0.25, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (result, "message"), ==, "assertion <failed> & \"quoted\"\nsecond line");
  /* Invalid UTF-8 is replaced; control characters are legal JSON (escaped). */
  g_assert_true (g_str_has_prefix (json_object_get_string_member (result, "output"),
                                   "before ]]> after\x01\x1b[31mred"));
  g_assert_cmpint (json_object_get_int_member (result, "attempts"), ==, 1);

  result = json_find (root, "/b/not-run");
  g_assert_cmpstr (json_object_get_string_member (result, "outcome"), ==, "not-run");
  g_assert_true (json_object_get_null_member (result, "worker"));
  g_assert_true (json_object_get_null_member (result, "start"));
  g_assert_true (json_object_get_null_member (result, "end"));
  g_assert_true (json_object_get_null_member (result, "output"));
  g_assert_true (json_object_get_null_member (result, "command"));
  g_assert_cmpint (json_object_get_int_member (result, "attempts"), ==, 0);

  result = json_find (root, "/b/flaky");
  g_assert_cmpstr (json_object_get_string_member (result, "outcome"), ==, "flaky");
  g_assert_cmpint (json_object_get_int_member (result, "attempts"), ==, 3);
  attempts = json_object_get_array_member (result, "failed_attempts");
  g_assert_cmpuint (json_array_get_length (attempts), ==, 2);
  attempt = json_array_get_object_element (attempts, 0);
  g_assert_cmpstr (json_object_get_string_member (attempt, "outcome"), ==, "crash");
  g_assert_cmpstr (json_object_get_string_member (attempt, "message"), ==, "signal 6");
  g_assert_cmpstr (json_object_get_string_member (attempt, "worker"), ==, "gw1");
  g_assert_false (json_object_has_member (attempt, "failed_attempts"));
  attempt = json_array_get_object_element (attempts, 1);
  g_assert_cmpstr (json_object_get_string_member (attempt, "outcome"), ==, "fail");
  g_assert_cmpstr (json_object_get_string_member (attempt, "worker"), ==, "gw0");
}

static void
test_timeline_hand_made (void)
{
  g_autoptr(GPtrArray) results = hand_made_results ();
  g_autoptr(GString) text = NULL;
  g_autofree char *file = tmp_file ("hand.svg");
  g_autofree char *program = xmllint ();
  g_autofree char *value = NULL;

  g_test_summary ("The timeline has a lane per worker, a bar per attempt in the right colour, ticks and tooltips");
  if (program == NULL)
    return;

  text = _pacer_report_timeline (&hand_made_run, results);
  save (file, text);
  g_assert_cmpint (run_xmllint (file, "--noout", NULL), ==, 0);

  /* Three worker slots, gw2 unused but still drawn. */
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='g'][@class='lane']"), ==, 3);
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='g'][@id='lane-gw2']/*[local-name()='rect'][contains(@class,'bar')]"), ==, 0);
  /* Seven results ran, plus three failed attempts. */
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='rect'][contains(@class,'bar ')]"), ==, 10);
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='g'][@id='lane-gw0']/*[local-name()='rect'][contains(@class,'bar ')]"), ==, 5);
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='rect'][@class='bar fail' or @class='bar crash' or @class='bar timeout']"), ==, 7);
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='rect'][@class='bar skip']"), ==, 1);
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='rect'][@class='bar pass' or @class='bar flaky']"), ==, 2);
  g_assert_cmpuint (xpath_count (file, "//*[local-name()='line'][@class='tick']"), >=, 4);

  /* Tooltips carry the path, escaped and intact. */
  value = xpath (file, "string(//*[local-name()='rect'][@class='bar fail']/*[local-name()='title'][starts-with(., '/a/')])");
  g_assert_true (g_str_has_prefix (value, "/a/<odd> & \"quoted\" — "));
  g_assert_nonnull (strstr (value, "250 ms"));
  g_clear_pointer (&value, g_free);

  /* The title has the totals. */
  value = xpath (file, "string(/*[local-name()='svg']/*[local-name()='title'])");
  g_assert_nonnull (strstr (value, "8 tests on 3 workers"));
  g_assert_nonnull (strstr (value, "1 passed"));
  g_assert_nonnull (strstr (value, "2 failed"));
  g_assert_nonnull (strstr (value, "1 not run"));
  g_clear_pointer (&value, g_free);

  /* A bar sits where its test ran: the timeout, 0.3 s to 2.3 s of a 3 s run. */
  value = xpath (file, "string(//*[local-name()='rect'][@class='bar timeout']/@x)");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (value, NULL), 150 + 0.1 * 1020, 0.01);
  g_clear_pointer (&value, g_free);
  value = xpath (file, "string(//*[local-name()='rect'][@class='bar timeout']/@width)");
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (value, NULL), 2.0 / 3.0 * 1020, 0.01);
}

static void
test_empty_run (void)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new ();
  PacerReportRun run = { "1.0", NULL, "h", 0, T0, 0 };
  g_autoptr(GString) junit = _pacer_report_junit_xml (&run, results);
  g_autoptr(GString) timeline = _pacer_report_timeline (&run, results);
  g_autofree char *junit_file = tmp_file ("empty.xml");
  g_autofree char *timeline_file = tmp_file ("empty.svg");
  g_autofree char *program = xmllint ();

  g_test_summary ("A run without results still gives valid reports");
  if (program == NULL)
    return;

  save (junit_file, junit);
  save (timeline_file, timeline);
  assert_valid_junit (junit_file);
  g_assert_cmpint (run_xmllint (timeline_file, "--noout", NULL), ==, 0);
}

/* Real runs ---------------------------------------------------------------- */

static PacerRunner *
new_runner (const char *tests)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  const char *programs[] = { program, NULL };

  g_setenv ("FAKE_GTEST_TESTS", tests, TRUE);
  g_unsetenv ("FAKE_GTEST_LOG");
  return pacer_runner_new (programs);
}

static PacerTestResult *
find_result (PacerRunner *runner,
             const char  *path)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);

  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (pacer_test_result_get_path (g_ptr_array_index (results, i)), path))
      return g_ptr_array_index (results, i);
  g_assert_not_reached ();
}

static int
compare_start (gconstpointer a,
               gconstpointer b)
{
  double x = pacer_test_result_get_start_time (*(PacerTestResult **) a);
  double y = pacer_test_result_get_start_time (*(PacerTestResult **) b);

  return x < y ? -1 : x > y;
}

/* Every attempt lies within the run, and a worker never runs two at once. */
static void
assert_sane_times (PacerRunner *runner,
                   double       before,
                   double       after)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);
  g_autoptr(GHashTable) by_worker = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  GPtrArray *list;

  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);
      GPtrArray *attempts = pacer_test_result_get_failed_attempts (result);
      g_autoptr(GPtrArray) all = g_ptr_array_new ();

      g_ptr_array_add (all, result);
      for (guint j = 0; attempts != NULL && j < attempts->len; j++)
        g_ptr_array_add (all, g_ptr_array_index (attempts, j));

      for (guint j = 0; j < all->len; j++)
        {
          PacerTestResult *attempt = g_ptr_array_index (all, j);
          const char *worker = pacer_test_result_get_worker (attempt);
          double start = pacer_test_result_get_start_time (attempt);
          double end = pacer_test_result_get_end_time (attempt);

          if (worker == NULL)
            {
              g_assert_cmpfloat (start, ==, 0);
              g_assert_cmpfloat (end, ==, 0);
              continue;
            }
          g_assert_cmpfloat (start, >=, before);
          g_assert_cmpfloat (end, <=, after);
          g_assert_cmpfloat (start, <=, end);
          g_assert_cmpfloat_with_epsilon (end - start, pacer_test_result_get_duration (attempt), 1e-6);

          list = g_hash_table_lookup (by_worker, worker);
          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (by_worker, (gpointer) worker, list);
            }
          g_ptr_array_add (list, attempt);
        }
    }

  g_hash_table_iter_init (&iter, by_worker);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &list))
    {
      double busy_until = 0;

      g_ptr_array_sort (list, compare_start);
      for (guint i = 0; i < list->len; i++)
        {
          PacerTestResult *attempt = g_ptr_array_index (list, i);
          double start = pacer_test_result_get_start_time (attempt);
          double end = pacer_test_result_get_end_time (attempt);

          /* A result never ends after the runner read it, so one read late
           * can overlap the next by the delay: a few milliseconds on a
           * loaded machine, 66 ms seen under valgrind, never half of the
           * 300 ms of a slow test. */
          if (i > 0)
            g_assert_cmpfloat (MIN (end, busy_until) - start, <=, 0.15);
          busy_until = MAX (busy_until, end);
        }
    }
}

/* The time every attempt of the run took, on all workers together. */
static double
busy_seconds (PacerRunner *runner)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);
  double total = 0;

  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);
      GPtrArray *attempts = pacer_test_result_get_failed_attempts (result);

      total += pacer_test_result_get_end_time (result) - pacer_test_result_get_start_time (result);
      for (guint j = 0; attempts != NULL && j < attempts->len; j++)
        total += pacer_test_result_get_end_time (g_ptr_array_index (attempts, j)) -
                 pacer_test_result_get_start_time (g_ptr_array_index (attempts, j));
    }
  return total;
}

static void
test_run_reports (void)
{
  g_autoptr(PacerRunner) runner =
    new_runner ("pass:/r/pass,fail:/r/fail,skip:/r/skip,segv:/r/segv,flaky:/r/flaky,print:/r/print,"
                "slow:/s/1,slow:/s/2,slow:/s/3,pass:/t/1,pass:/t/2,pass:/t/3,pass:/t/4");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *junit = tmp_file ("run.xml");
  g_autofree char *json = tmp_file ("run.json");
  g_autofree char *svg = tmp_file ("run.svg");
  g_autofree char *program = xmllint ();
  g_autofree char *value = NULL;
  PacerTestResult *result;
  JsonObject *root, *counts, *entry;
  double before, after;

  g_test_summary ("A real run with a crash and retries: times are sane and all three reports agree with it");
  if (program == NULL)
    return;

  g_object_set (runner, "n-workers", 2, "retries", 1, NULL);
  before = g_get_real_time () / (double) G_USEC_PER_SEC;
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  after = g_get_real_time () / (double) G_USEC_PER_SEC;

  assert_sane_times (runner, before, after);

  result = find_result (runner, "/r/flaky");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_FLAKY);
  g_assert_cmpuint (pacer_test_result_get_attempts (result), ==, 2);
  g_assert_cmpuint (pacer_test_result_get_failed_attempts (result)->len, ==, 1);
  g_assert_cmpint (pacer_test_result_get_outcome (g_ptr_array_index (pacer_test_result_get_failed_attempts (result), 0)),
                   ==, PACER_TEST_OUTCOME_FAIL);
  g_assert_cmpfloat (pacer_test_result_get_end_time (g_ptr_array_index (pacer_test_result_get_failed_attempts (result), 0)),
                     <=, pacer_test_result_get_start_time (result) + 1e-5);
  result = find_result (runner, "/r/segv");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_CRASH);
  g_assert_cmpuint (pacer_test_result_get_attempts (result), ==, 2);
  result = find_result (runner, "/s/2");
  g_assert_cmpuint (pacer_test_result_get_attempts (result), ==, 1);
  g_assert_null (pacer_test_result_get_failed_attempts (result));
  /* The three slow tests sleep 300 ms each, so one of the two workers slept
   * at least 600 ms. How that time is shared between tests depends on when
   * a busy controller reads their results, so it is not checked per test. */
  g_assert_cmpfloat (busy_seconds (runner), >, 0);

  g_assert_true (pacer_runner_write_junit_xml (runner, junit, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_runner_write_json (runner, json, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_runner_write_timeline (runner, svg, &error));
  g_assert_no_error (error);

  /* JUnit. */
  assert_valid_junit (junit);
  g_assert_cmpuint (xpath_count (junit, "//testsuite"), ==, 1);
  g_assert_cmpuint (xpath_count (junit, "//testcase"), ==, 13);
  g_assert_cmpuint (xpath_count (junit, "//testcase[@name='/r/fail']/failure"), ==, 1);
  g_assert_cmpuint (xpath_count (junit, "//testcase[@name='/r/fail']/rerunFailure"), ==, 1);
  g_assert_cmpuint (xpath_count (junit, "//testcase[@name='/r/segv']/error[@type='crash']"), ==, 1);
  g_assert_cmpuint (xpath_count (junit, "//testcase[@name='/r/segv']/rerunError"), ==, 1);
  g_assert_cmpuint (xpath_count (junit, "//testcase[@name='/r/flaky']/flakyFailure"), ==, 1);
  g_assert_cmpuint (xpath_count (junit, "//testcase[@name='/r/skip']/skipped"), ==, 1);
  value = xpath (junit, "string(//testcase[@name='/r/fail']/failure)");
  g_assert_nonnull (strstr (value, "fail: output of the failing test"));
  g_assert_nonnull (strstr (value, "Reproduce with: "));
  g_assert_nonnull (strstr (value, pacer_runner_get_seed (runner)));
  g_clear_pointer (&value, g_free);
  value = xpath (junit, "string(//testcase[@name='/r/segv']/error/@message)");
  g_assert_nonnull (strstr (value, "signal 11"));
  g_clear_pointer (&value, g_free);
  value = xpath (junit, "string(//testcase[@name='/r/print']/system-out)");
  g_assert_nonnull (strstr (value, "print: a line on stdout"));
  g_clear_pointer (&value, g_free);

  /* JSON, read back. */
  root = load_json (json, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "seed"), ==, pacer_runner_get_seed (runner));
  g_assert_cmpint (json_object_get_int_member (root, "workers"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (root, "start"), >=, before - 1e-3);
  g_assert_cmpfloat (json_object_get_double_member (root, "start") + json_object_get_double_member (root, "duration"),
                     <=, after + 1e-3);
  g_assert_cmpfloat (json_object_get_double_member (root, "duration"), >=, 0.6);
  counts = json_object_get_object_member (root, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "total"), ==, 13);
  g_assert_cmpint (json_object_get_int_member (counts, "pass"), ==, pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS));
  g_assert_cmpint (json_object_get_int_member (counts, "crash"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "flaky"), ==, 1);
  entry = json_find (root, "/r/segv");
  g_assert_cmpstr (json_object_get_string_member (entry, "outcome"), ==, "crash");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (entry, "worker"), "gw"));
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (entry, "failed_attempts")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (entry, "command")), >, 0);
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "output"), "segv: output before the crash"));
  entry = json_find (root, "/s/1");
  g_assert_true (json_object_get_null_member (entry, "command"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (entry, "end") - json_object_get_double_member (entry, "start"),
                                  json_object_get_double_member (entry, "duration"), 1e-6);

  /* The timeline: two lanes, one bar per attempt (13 results, 3 retried). */
  g_assert_cmpint (run_xmllint (svg, "--noout", NULL), ==, 0);
  g_assert_cmpuint (xpath_count (svg, "//*[local-name()='g'][@class='lane']"), ==, 2);
  g_assert_cmpuint (xpath_count (svg, "//*[local-name()='rect'][contains(@class,'bar ')]"), ==, 16);
  /* fail twice, the crash twice, the flaky test's failed attempt. */
  g_assert_cmpuint (xpath_count (svg, "//*[local-name()='rect'][@class='bar fail' or @class='bar crash']"), ==, 5);
}

static void
test_run_stopped (void)
{
  g_autoptr(PacerRunner) runner = new_runner ("segv:/x/0,pass:/x/1,pass:/x/2,pass:/x/3");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *junit = tmp_file ("stopped.xml");
  g_autofree char *json = tmp_file ("stopped.json");
  g_autofree char *svg = tmp_file ("stopped.svg");
  g_autofree char *program = xmllint ();
  PacerTestResult *result;
  JsonObject *root;
  guint not_run;

  g_test_summary ("After a stop the tests not run are in every report, and a crash not retried keeps its times");
  if (program == NULL)
    return;

  /* The crash stops the run (no restart allowed) before its retry. */
  g_object_set (runner, "n-workers", 1, "max-worker-restart", 0, "retries", 1, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  result = find_result (runner, "/x/0");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_CRASH);
  g_assert_nonnull (strstr (pacer_test_result_get_message (result), "not retried"));
  g_assert_cmpstr (pacer_test_result_get_worker (result), ==, "gw0");
  g_assert_cmpfloat (pacer_test_result_get_start_time (result), >, 0);
  g_assert_cmpuint (pacer_test_result_get_attempts (result), ==, 1);
  g_assert_null (pacer_test_result_get_failed_attempts (result));
  g_assert_nonnull (strstr (pacer_test_result_get_output (result), "segv: output before the crash"));

  /* Unknown tests run in listing order: /x/0 first, the rest never. */
  not_run = pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN);
  g_assert_cmpuint (not_run, ==, 3);

  g_assert_true (pacer_runner_write_junit_xml (runner, junit, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_runner_write_json (runner, json, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_runner_write_timeline (runner, svg, &error));
  g_assert_no_error (error);

  assert_valid_junit (junit);
  g_assert_cmpuint (xpath_count (junit, "//testcase"), ==, 4);
  g_assert_cmpuint (xpath_count (junit, "//testcase/skipped[@type='not-run']"), ==, not_run);
  g_assert_cmpuint (xpath_count (junit, "//testcase[@name='/x/0']/error[@type='crash']"), ==, 1);

  root = load_json (json, parser);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "counts"), "not-run"), ==, not_run);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "results")), ==, 4);

  /* Only what ran has a bar. */
  g_assert_cmpuint (xpath_count (svg, "//*[local-name()='rect'][contains(@class,'bar ')]"), ==, 4 - not_run);
}

static void
test_check_writable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *good = tmp_file ("check/report.xml");
  g_autofree char *dir = tmp_file ("check");
  g_autofree char *missing = tmp_file ("no-such-dir/report.xml");
  g_autoptr(GDir) listing = NULL;

  g_test_summary ("A report's destination is checked before a run, and the check leaves nothing behind");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (pacer_report_check_writable ("-", &error));
  g_assert_no_error (error);
  g_assert_true (pacer_report_check_writable (good, &error));
  g_assert_no_error (error);
  listing = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (listing));

  g_assert_false (pacer_report_check_writable (missing, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_false (pacer_report_check_writable (dir, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_clear_error (&error);

  if (geteuid () != 0)
    {
      g_autofree char *locked = tmp_file ("locked");
      g_autofree char *inside = tmp_file ("locked/report.xml");

      g_assert_cmpint (g_mkdir (locked, 0500), ==, 0);
      g_assert_false (pacer_report_check_writable (inside, &error));
      g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
      g_clear_error (&error);
      g_chmod (locked, 0700);
    }
}

static void
test_save_atomic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tmp_file ("atomic");
  g_autofree char *file = tmp_file ("atomic/report.json");
  g_autofree char *gone = tmp_file ("atomic-gone/report.json");
  g_autoptr(GString) first = g_string_new ("{\"old\": true}\n");
  g_autoptr(GString) second = g_string_new ("{\"new\": true}\n");
  g_autofree char *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  guint n = 0;

  g_test_summary ("A report replaces the old one whole, leaves no temporary file, and a failed write creates nothing");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  save (file, first);
  save (file, second);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, second->str);
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n++;
  g_assert_cmpuint (n, ==, 1);

  g_assert_false (_pacer_report_save (gone, second, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  pacer_test_keep_segv_a_signal ();
  tmp_dir = pacer_test_make_tmp_dir ("pacer-report-XXXXXX");

  g_test_add_func ("/Pacer/Report/xml-escaping", test_xml_escaping);
  g_test_add_func ("/Pacer/Report/junit-hand-made", test_junit_hand_made);
  g_test_add_func ("/Pacer/Report/junit-schema-rejects", test_junit_schema_rejects);
  g_test_add_func ("/Pacer/Report/json-hand-made", test_json_hand_made);
  g_test_add_func ("/Pacer/Report/timeline-hand-made", test_timeline_hand_made);
  g_test_add_func ("/Pacer/Report/empty-run", test_empty_run);
  g_test_add_func ("/Pacer/Report/run-reports", test_run_reports);
  g_test_add_func ("/Pacer/Report/run-stopped", test_run_stopped);
  g_test_add_func ("/Pacer/Report/check-writable", test_check_writable);
  g_test_add_func ("/Pacer/Report/save-atomic", test_save_atomic);

  status = g_test_run ();

  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
