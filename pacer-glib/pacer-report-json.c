/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Every result of a run as one JSON document, for scripts and dashboards:
 *
 * ```json
 * { "format": 1, "version": "1.0.0", "seed": "R02S…", "workers": 4,
 *   "hostname": "ci-7", "start": 1700000000.25, "duration": 12.5,
 *   "counts": { "total": 3, "pass": 2, "fail": 1, … },
 *   "results": [ { "program": "./test-foo", "path": "/foo/bar",
 *                  "outcome": "fail", "duration": 0.012, "worker": "gw1",
 *                  "start": 1700000001.5, "end": 1700000001.512,
 *                  "message": "…", "output": "…", "attempts": 1, "order_dependent": false,
 *                  "command": ["./test-foo", "-p", "/foo/bar", …],
 *                  "failed_attempts": [] }, … ] }
 * ```
 *
 * Times are Unix seconds; a test that did not run has `null` for its worker,
 * start and end. Outcomes are the nicks of PacerTestOutcome. */

#include "config.h"

#include <json-glib/json-glib.h>

#include "pacer-enums.h"
#include "pacer-glib-private.h"
#include "pacer-report-private.h"
#include "pacer-json-utils-private.h"

#define FORMAT_VERSION 1

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  g_autofree char *valid = value != NULL ? g_utf8_make_valid (value, -1) : NULL;

  json_builder_set_member_name (builder, name);
  if (valid != NULL)
    json_builder_add_string_value (builder, valid);
  else
    json_builder_add_null_value (builder);
}

static void
add_time_or_null (JsonBuilder *builder,
                  const char  *name,
                  double       value)
{
  json_builder_set_member_name (builder, name);
  if (value > 0)
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_result (JsonBuilder     *builder,
            GEnumClass      *outcomes,
            PacerTestResult *result,
            gboolean         with_attempts)
{
  GEnumValue *outcome = g_enum_get_value (outcomes, pacer_test_result_get_outcome (result));
  const char * const *command = pacer_test_result_get_command (result);

  json_builder_begin_object (builder);
  add_string_or_null (builder, "program", pacer_test_result_get_program (result));
  add_string_or_null (builder, "path", pacer_test_result_get_path (result));
  add_string_or_null (builder, "outcome", outcome != NULL ? outcome->value_nick : NULL);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_double_value (builder, pacer_test_result_get_duration (result));
  add_string_or_null (builder, "worker", pacer_test_result_get_worker (result));
  add_time_or_null (builder, "start", pacer_test_result_get_start_time (result));
  add_time_or_null (builder, "end", pacer_test_result_get_end_time (result));
  add_string_or_null (builder, "message", pacer_test_result_get_message (result));
  add_string_or_null (builder, "output", pacer_test_result_get_output (result));
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, pacer_test_result_get_attempts (result));
  json_builder_set_member_name (builder, "order_dependent");
  json_builder_add_boolean_value (builder, pacer_test_result_get_order_dependent (result));

  json_builder_set_member_name (builder, "command");
  if (command != NULL)
    {
      json_builder_begin_array (builder);
      for (guint i = 0; command[i] != NULL; i++)
        {
          g_autofree char *valid = g_utf8_make_valid (command[i], -1);

          json_builder_add_string_value (builder, valid);
        }
      json_builder_end_array (builder);
    }
  else
    json_builder_add_null_value (builder);

  if (with_attempts)
    {
      GPtrArray *attempts = pacer_test_result_get_failed_attempts (result);

      json_builder_set_member_name (builder, "failed_attempts");
      json_builder_begin_array (builder);
      for (guint i = 0; attempts != NULL && i < attempts->len; i++)
        add_result (builder, outcomes, g_ptr_array_index (attempts, i), FALSE);
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
}

GString *
_pacer_report_json (const PacerReportRun *run,
                    GPtrArray            *results)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GEnumClass) outcomes = g_type_class_ref (PACER_TYPE_TEST_OUTCOME);
  guint counts[PACER_TEST_OUTCOME_N_OUTCOMES];
  GString *out = g_string_new (NULL);

  _pacer_report_count (results, counts);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, FORMAT_VERSION);
  add_string_or_null (builder, "version", run->version);
  add_string_or_null (builder, "seed", run->seed);
  json_builder_set_member_name (builder, "workers");
  json_builder_add_int_value (builder, run->n_workers);
  add_string_or_null (builder, "hostname", run->hostname);
  json_builder_set_member_name (builder, "start");
  json_builder_add_double_value (builder, run->start);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_double_value (builder, run->duration);

  json_builder_set_member_name (builder, "counts");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, results->len);
  for (guint i = 0; i < PACER_TEST_OUTCOME_N_OUTCOMES; i++)
    {
      GEnumValue *value = g_enum_get_value (outcomes, i);

      json_builder_set_member_name (builder, value->value_nick);
      json_builder_add_int_value (builder, counts[i]);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++)
    add_result (builder, outcomes, g_ptr_array_index (results, i), TRUE);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_to_gstring (generator, out);
  g_string_truncate (out, _pacer_json_repair_numbers (out->str, out->len));
  g_string_append_c (out, '\n');
  return out;
}

/**
 * pacer_runner_write_json:
 * @self: a runner whose run is over
 * @path: (type filename): the file to write, or `-` for standard output
 * @error: return location for a [type@GLib.Error]
 *
 * Writes the last run as one JSON document: a header (`format`, `version`,
 * `seed`, `workers`, `hostname`, `start`, `duration` and `counts` by outcome)
 * and `results`, one object per test with its `program`, `path`, `outcome`
 * (the nick of [enum@Pacer.TestOutcome]), `duration`, `worker`, `start`,
 * `end`, `message`, `output`, `attempts`, the `command` that reproduces it
 * and its `failed_attempts`. Times are Unix seconds; what a test that did not
 * run lacks is `null`.
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
pacer_runner_write_json (PacerRunner  *self,
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
  text = _pacer_report_json (&run, results);
  return _pacer_report_save (path, text, error);
}
