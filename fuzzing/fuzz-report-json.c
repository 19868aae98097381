/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The `--json` report, read back. pacer-glib has no reader of its own for it
 * (scripts and dashboards read it), so the harness is the reader: results
 * made from the input, with whatever bytes a test program can put in its
 * path, message and output, must come out as a JSON document that parses and
 * holds them. Fields are the input split at NUL bytes, six per result. */

#include <math.h>

#include "pacer-glib/pacer-glib.h"
#include "pacer-glib/pacer-report-private.h"
#include "pacer-glib/pacer-test-result-private.h"

#include "fuzz.h"

#define FIELDS 6

/* A finite, non-negative duration from the field's bytes, as the runner's
 * clocks give. */
static double
field_seconds (const char *field)
{
  guint64 bits = 0;
  double value;

  for (guint i = 0; i < 8 && field[i] != '\0'; i++)
    bits = (bits << 8) | (guchar) field[i];
  memcpy (&value, &bits, sizeof value);
  return isfinite (value) ? fabs (value) : 0;
}

static void
check_string (JsonObject *object,
              const char *member,
              const char *expected)
{
  g_autofree char *valid = expected != NULL ? g_utf8_make_valid (expected, -1) : NULL;

  g_assert_true (json_object_has_member (object, member));
  if (valid == NULL)
    g_assert_true (json_object_get_null_member (object, member));
  else
    g_assert_cmpstr (json_object_get_string_member (object, member), ==, valid);
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) report = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  PacerReportRun run = { "1.0.0", NULL, "fuzz-host", 2, 1700000000.25, 12.5 };
  JsonObject *root;
  JsonArray *array;

  fuzz_set_up ();
  text = fuzz_to_string (data, size);

  /* The fields, NUL-separated; the last one ends at the copy's own NUL. */
  for (gsize at = 0; at <= size; at += strlen (text + at) + 1)
    g_ptr_array_add (fields, text + at);
  run.seed = fields->len > 0 ? g_ptr_array_index (fields, 0) : NULL;

  for (guint i = 1; i + FIELDS <= fields->len; i += FIELDS)
    {
      const char *program = g_ptr_array_index (fields, i);
      const char *path = g_ptr_array_index (fields, i + 1);
      const char *worker = g_ptr_array_index (fields, i + 2);
      const char *message = g_ptr_array_index (fields, i + 3);
      const char *output = g_ptr_array_index (fields, i + 4);
      const char *timing = g_ptr_array_index (fields, i + 5);
      PacerTestOutcome outcome = (guchar) program[0] % PACER_TEST_OUTCOME_N_OUTCOMES;
      char **command = g_new0 (char *, 4);
      PacerTestResult *result;

      command[0] = g_strdup (program);
      command[1] = g_strdup ("-p");
      command[2] = g_strdup (path);
      result = _pacer_test_result_new_full (program, path, outcome, field_seconds (timing),
                                            *worker != '\0' ? worker : NULL,
                                            *message != '\0' ? message : NULL,
                                            *output != '\0' ? output : NULL, command);
      _pacer_test_result_set_attempt (result, field_seconds (message), field_seconds (output), 1, NULL);
      g_ptr_array_add (results, result);
    }

  report = _pacer_report_json (&run, results);
  json_parser_load_from_data (parser, report->str, report->len, &error);
  g_assert_no_error (error);

  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_nonnull (root);
  g_assert_cmpint (json_object_get_int_member (root, "format"), ==, 1);
  check_string (root, "seed", run.seed);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "counts"), "total"),
                   ==, results->len);
  array = json_object_get_array_member (root, "results");
  g_assert_cmpuint (json_array_get_length (array), ==, results->len);
  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);
      JsonObject *object = json_array_get_object_element (array, i);

      check_string (object, "program", pacer_test_result_get_program (result));
      check_string (object, "path", pacer_test_result_get_path (result));
      check_string (object, "worker", pacer_test_result_get_worker (result));
      check_string (object, "message", pacer_test_result_get_message (result));
      check_string (object, "output", pacer_test_result_get_output (result));
      g_assert_cmpfloat (json_object_get_double_member (object, "duration"), ==,
                         pacer_test_result_get_duration (result));
    }

  return 0;
}
