/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PacerTestOutcome:
 * @PACER_TEST_OUTCOME_PASS: the test passed.
 * @PACER_TEST_OUTCOME_FAIL: the test reported a failure.
 * @PACER_TEST_OUTCOME_SKIP: the test was skipped or marked incomplete.
 * @PACER_TEST_OUTCOME_CRASH: the process died while running the test.
 * @PACER_TEST_OUTCOME_TIMEOUT: the test ran longer than the per-test timeout and was killed.
 * @PACER_TEST_OUTCOME_FLAKY: the test failed, then passed on a retry.
 * @PACER_TEST_OUTCOME_NOT_RUN: the run stopped before the test could run.
 *
 * How a test ended.
 *
 * Since: 1.0
 */
typedef enum {
  PACER_TEST_OUTCOME_PASS,
  PACER_TEST_OUTCOME_FAIL,
  PACER_TEST_OUTCOME_SKIP,
  PACER_TEST_OUTCOME_CRASH,
  PACER_TEST_OUTCOME_TIMEOUT,
  PACER_TEST_OUTCOME_FLAKY,
  PACER_TEST_OUTCOME_NOT_RUN,
} PacerTestOutcome;

/**
 * PACER_TEST_OUTCOME_N_OUTCOMES:
 *
 * The number of values of [enum@Pacer.TestOutcome], for arrays of counts.
 *
 * Since: 1.0
 */
#define PACER_TEST_OUTCOME_N_OUTCOMES (PACER_TEST_OUTCOME_NOT_RUN + 1)

#define PACER_TYPE_TEST_RESULT (pacer_test_result_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerTestResult, pacer_test_result, PACER, TEST_RESULT, GObject)

PACER_AVAILABLE_IN_ALL
PacerTestResult  *pacer_test_result_new          (const char       *program,
                                                  const char       *path,
                                                  PacerTestOutcome  outcome,
                                                  double            duration,
                                                  const char       *worker,
                                                  const char       *message,
                                                  const char       *output);
PACER_AVAILABLE_IN_ALL
const char       *pacer_test_result_get_program  (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
const char       *pacer_test_result_get_path     (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
PacerTestOutcome  pacer_test_result_get_outcome  (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
double            pacer_test_result_get_duration (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
const char       *pacer_test_result_get_worker   (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
const char       *pacer_test_result_get_message  (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
const char       *pacer_test_result_get_output   (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
const char * const *pacer_test_result_get_command (PacerTestResult *self);
PACER_AVAILABLE_IN_ALL
double            pacer_test_result_get_start_time (PacerTestResult *self);
PACER_AVAILABLE_IN_ALL
double            pacer_test_result_get_end_time (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
guint             pacer_test_result_get_attempts (PacerTestResult  *self);
PACER_AVAILABLE_IN_ALL
GPtrArray        *pacer_test_result_get_failed_attempts (PacerTestResult *self);
PACER_AVAILABLE_IN_ALL
gboolean          pacer_test_outcome_is_failure  (PacerTestOutcome  outcome);

PACER_AVAILABLE_IN_ALL
gboolean            pacer_test_result_get_order_dependent (PacerTestResult *self);

G_END_DECLS
