/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerTestResult:
 *
 * What became of one test of a run: which program and path, how it ended,
 * how long it took, which worker ran it, and what it printed.
 *
 * [class@Pacer.Runner] emits one result per test in
 * [signal@Pacer.Runner::test-finished], including the tests a stopped run
 * never ran (`PACER_TEST_OUTCOME_NOT_RUN`), so no test is lost silently.
 *
 * ```c
 * static void
 * on_test_finished (PacerRunner *runner, PacerTestResult *result, gpointer user_data)
 * {
 *   if (pacer_test_outcome_is_failure (pacer_test_result_get_outcome (result)))
 *     g_print ("%s failed:\n%s", pacer_test_result_get_path (result),
 *              pacer_test_result_get_output (result));
 * }
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include "pacer-enums.h"
#include "pacer-test-result.h"
#include "pacer-test-result-private.h"

struct _PacerTestResult
{
  GObject parent_instance;

  char *program;
  char *path;
  PacerTestOutcome outcome;
  double duration;
  char *worker;
  char *message;
  char *output;
  GStrv command;
  double start_time;
  double end_time;
  guint attempts;
  GPtrArray *failed_attempts;
  gboolean order_dependent;
};

enum {
  PROP_0,
  PROP_PROGRAM,
  PROP_PATH,
  PROP_OUTCOME,
  PROP_DURATION,
  PROP_WORKER,
  PROP_MESSAGE,
  PROP_OUTPUT,
  PROP_COMMAND,
  PROP_START_TIME,
  PROP_END_TIME,
  PROP_ATTEMPTS,
  PROP_FAILED_ATTEMPTS,
  PROP_ORDER_DEPENDENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PacerTestResult, pacer_test_result, G_TYPE_OBJECT)

static void
pacer_test_result_finalize (GObject *object)
{
  PacerTestResult *self = PACER_TEST_RESULT (object);

  g_free (self->program);
  g_free (self->path);
  g_free (self->worker);
  g_free (self->message);
  g_free (self->output);
  g_strfreev (self->command);
  g_clear_pointer (&self->failed_attempts, g_ptr_array_unref);

  G_OBJECT_CLASS (pacer_test_result_parent_class)->finalize (object);
}

static void
pacer_test_result_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PacerTestResult *self = PACER_TEST_RESULT (object);

  switch (prop_id)
    {
    case PROP_PROGRAM:
      g_value_set_string (value, self->program);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_OUTCOME:
      g_value_set_enum (value, self->outcome);
      break;
    case PROP_DURATION:
      g_value_set_double (value, self->duration);
      break;
    case PROP_WORKER:
      g_value_set_string (value, self->worker);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_OUTPUT:
      g_value_set_string (value, self->output);
      break;
    case PROP_COMMAND:
      g_value_set_boxed (value, self->command);
      break;
    case PROP_START_TIME:
      g_value_set_double (value, self->start_time);
      break;
    case PROP_END_TIME:
      g_value_set_double (value, self->end_time);
      break;
    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;
    case PROP_ORDER_DEPENDENT:
      g_value_set_boolean (value, self->order_dependent);
      break;
    case PROP_FAILED_ATTEMPTS:
      g_value_set_boxed (value, self->failed_attempts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_test_result_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PacerTestResult *self = PACER_TEST_RESULT (object);

  /* Every property is construct-only: a result never changes once reported. */
  switch (prop_id)
    {
    case PROP_PROGRAM:
      self->program = g_value_dup_string (value);
      break;
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_OUTCOME:
      self->outcome = g_value_get_enum (value);
      break;
    case PROP_DURATION:
      self->duration = g_value_get_double (value);
      break;
    case PROP_WORKER:
      self->worker = g_value_dup_string (value);
      break;
    case PROP_MESSAGE:
      self->message = g_value_dup_string (value);
      break;
    case PROP_OUTPUT:
      self->output = g_value_dup_string (value);
      break;
    case PROP_COMMAND:
      self->command = g_value_dup_boxed (value);
      break;
    case PROP_START_TIME:
      self->start_time = g_value_get_double (value);
      break;
    case PROP_END_TIME:
      self->end_time = g_value_get_double (value);
      break;
    case PROP_ATTEMPTS:
      self->attempts = g_value_get_uint (value);
      break;
    case PROP_ORDER_DEPENDENT:
      self->order_dependent = g_value_get_boolean (value);
      break;
    case PROP_FAILED_ATTEMPTS:
      self->failed_attempts = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_test_result_class_init (PacerTestResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pacer_test_result_finalize;
  object_class->get_property = pacer_test_result_get_property;
  object_class->set_property = pacer_test_result_set_property;

  /**
   * PacerTestResult:program:
   *
   * The test program, as given to the runner.
   *
   * Since: 1.0
   */
  properties[PROP_PROGRAM] =
    g_param_spec_string ("program", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:path:
   *
   * The GTest path of the test, such as `/Pacer/Rate/parse`; for a program that
   * is not a GTest program, its name or the description of a TAP line it printed.
   *
   * Since: 1.0
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:outcome:
   *
   * How the test ended.
   *
   * Since: 1.0
   */
  properties[PROP_OUTCOME] =
    g_param_spec_enum ("outcome", NULL, NULL,
                       PACER_TYPE_TEST_OUTCOME, PACER_TEST_OUTCOME_PASS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:duration:
   *
   * How long the test ran, in seconds; 0 for a test that did not run.
   *
   * Since: 1.0
   */
  properties[PROP_DURATION] =
    g_param_spec_double ("duration", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:worker:
   *
   * The worker slot that ran the test (`gw0` …), or `NULL` if it did not run.
   *
   * Since: 1.0
   */
  properties[PROP_WORKER] =
    g_param_spec_string ("worker", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:message:
   *
   * A one-line explanation: the skip reason, the assertion that failed, the
   * signal that killed the process; `NULL` when there is nothing to say.
   *
   * Since: 1.0
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:output:
   *
   * What the test printed on stdout and stderr while it ran, TAP lines aside.
   *
   * Since: 1.0
   */
  properties[PROP_OUTPUT] =
    g_param_spec_string ("output", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:command:
   *
   * The command line that runs this test alone with the run's seed and mode;
   * [class@Pacer.Runner] gives it to failed, crashed, timed-out and flaky
   * tests. `NULL` if not known.
   *
   * Since: 1.0
   */
  properties[PROP_COMMAND] =
    g_param_spec_boxed ("command", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:start-time:
   *
   * When the test's last attempt started, in seconds since the Unix epoch
   * (UTC); 0 for a test that did not run. The runner times a test from the
   * result line of the test before it in the same process, so the gaps
   * between tests are shared out, never lost.
   *
   * Since: 1.0
   */
  properties[PROP_START_TIME] =
    g_param_spec_double ("start-time", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:end-time:
   *
   * When the test's last attempt ended, in seconds since the Unix epoch
   * (UTC): [property@Pacer.TestResult:start-time] plus
   * [property@Pacer.TestResult:duration]; 0 for a test that did not run.
   *
   * Since: 1.0
   */
  properties[PROP_END_TIME] =
    g_param_spec_double ("end-time", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:attempts:
   *
   * How many times the test ran: 1 normally, more after retries, 0 for a
   * test that did not run.
   *
   * Since: 1.0
   */
  properties[PROP_ATTEMPTS] =
    g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:order-dependent:
   *
   * The test failed when it ran split from its program, and passed when
   * its program ran in listing order up to it, in one process: it relies on
   * what earlier tests leave behind. Its outcome is then
   * `PACER_TEST_OUTCOME_PASS`, or the failure under `--strict-order`.
   *
   * Since: 1.0
   */
  properties[PROP_ORDER_DEPENDENT] =
    g_param_spec_boolean ("order-dependent", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerTestResult:failed-attempts: (type GPtrArray(PacerTestResult))
   *
   * One result per attempt that failed before the last one, oldest first,
   * each with its own outcome, message, output, worker and times; `NULL`
   * when the test was not retried. A flaky test has one here per failure.
   *
   * Since: 1.0
   */
  properties[PROP_FAILED_ATTEMPTS] =
    g_param_spec_boxed ("failed-attempts", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pacer_test_result_init (PacerTestResult *self)
{
}

/**
 * pacer_test_result_new:
 * @program: the test program
 * @path: the test's path
 * @outcome: how the test ended
 * @duration: how long it ran, in seconds
 * @worker: (nullable): the worker that ran it
 * @message: (nullable): a one-line explanation
 * @output: (nullable): what the test printed
 *
 * Creates a test result, as a runner or a test of a reporter would.
 *
 * Returns: (transfer full): a new result
 *
 * Since: 1.0
 */
PacerTestResult *
pacer_test_result_new (const char       *program,
                       const char       *path,
                       PacerTestOutcome  outcome,
                       double            duration,
                       const char       *worker,
                       const char       *message,
                       const char       *output)
{
  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (PACER_TYPE_TEST_RESULT,
                       "program", program,
                       "path", path,
                       "outcome", outcome,
                       "duration", MAX (duration, 0.0),
                       "worker", worker,
                       "message", message,
                       "output", output,
                       NULL);
}

PacerTestResult *
_pacer_test_result_new_full (const char       *program,
                             const char       *path,
                             PacerTestOutcome  outcome,
                             double            duration,
                             const char       *worker,
                             const char       *message,
                             const char       *output,
                             GStrv             command)
{
  PacerTestResult *self = g_object_new (PACER_TYPE_TEST_RESULT, NULL);

  self->program = g_strdup (program);
  self->path = g_strdup (path);
  self->outcome = outcome;
  self->duration = MAX (duration, 0.0);
  self->worker = g_strdup (worker);
  self->message = g_strdup (message);
  self->output = g_strdup (output);
  self->command = command;
  return self;
}

void
_pacer_test_result_set_attempt (PacerTestResult *self,
                                double           start_time,
                                double           end_time,
                                guint            attempts,
                                GPtrArray       *failed_attempts)
{
  self->start_time = MAX (start_time, 0.0);
  self->end_time = MAX (end_time, self->start_time);
  self->attempts = attempts;
  g_clear_pointer (&self->failed_attempts, g_ptr_array_unref);
  self->failed_attempts = failed_attempts;
}

void
_pacer_test_result_set_order_dependent (PacerTestResult *self,
                                        gboolean         order_dependent)
{
  self->order_dependent = !!order_dependent;
}

/**
 * pacer_test_result_get_order_dependent:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:order-dependent].
 *
 * Returns: whether the test is order-dependent
 *
 * Since: 1.0
 */
gboolean
pacer_test_result_get_order_dependent (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), FALSE);
  return self->order_dependent;
}

/**
 * pacer_test_result_get_program:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:program].
 *
 * Returns: (transfer none) (type filename): the test program
 *
 * Since: 1.0
 */
const char *
pacer_test_result_get_program (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), NULL);
  return self->program;
}

/**
 * pacer_test_result_get_path:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:path].
 *
 * Returns: (transfer none): the test's path
 *
 * Since: 1.0
 */
const char *
pacer_test_result_get_path (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), NULL);
  return self->path;
}

/**
 * pacer_test_result_get_outcome:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:outcome].
 *
 * Returns: how the test ended
 *
 * Since: 1.0
 */
PacerTestOutcome
pacer_test_result_get_outcome (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), PACER_TEST_OUTCOME_NOT_RUN);
  return self->outcome;
}

/**
 * pacer_test_result_get_duration:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:duration].
 *
 * Returns: the duration in seconds
 *
 * Since: 1.0
 */
double
pacer_test_result_get_duration (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), 0);
  return self->duration;
}

/**
 * pacer_test_result_get_worker:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:worker].
 *
 * Returns: (transfer none) (nullable): the worker id
 *
 * Since: 1.0
 */
const char *
pacer_test_result_get_worker (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), NULL);
  return self->worker;
}

/**
 * pacer_test_result_get_message:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:message].
 *
 * Returns: (transfer none) (nullable): the explanation
 *
 * Since: 1.0
 */
const char *
pacer_test_result_get_message (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), NULL);
  return self->message;
}

/**
 * pacer_test_result_get_output:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:output].
 *
 * Returns: (transfer none) (nullable): the captured output
 *
 * Since: 1.0
 */
const char *
pacer_test_result_get_output (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), NULL);
  return self->output;
}

/**
 * pacer_test_result_get_command:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:command].
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the command
 *   that reproduces the test alone
 *
 * Since: 1.0
 */
const char * const *
pacer_test_result_get_command (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), NULL);
  return (const char * const *) self->command;
}

/**
 * pacer_test_result_get_start_time:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:start-time].
 *
 * Returns: when the last attempt started, in Unix seconds, or 0 if the test
 *   did not run
 *
 * Since: 1.0
 */
double
pacer_test_result_get_start_time (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), 0);
  return self->start_time;
}

/**
 * pacer_test_result_get_end_time:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:end-time].
 *
 * Returns: when the last attempt ended, in Unix seconds, or 0 if the test
 *   did not run
 *
 * Since: 1.0
 */
double
pacer_test_result_get_end_time (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), 0);
  return self->end_time;
}

/**
 * pacer_test_result_get_attempts:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:attempts].
 *
 * Returns: how many times the test ran
 *
 * Since: 1.0
 */
guint
pacer_test_result_get_attempts (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), 0);
  return self->attempts;
}

/**
 * pacer_test_result_get_failed_attempts:
 * @self: a result
 *
 * Gets [property@Pacer.TestResult:failed-attempts].
 *
 * Returns: (transfer none) (nullable) (element-type PacerTestResult): the
 *   attempts that failed before the last one, oldest first
 *
 * Since: 1.0
 */
GPtrArray *
pacer_test_result_get_failed_attempts (PacerTestResult *self)
{
  g_return_val_if_fail (PACER_IS_TEST_RESULT (self), NULL);
  return self->failed_attempts;
}

/**
 * pacer_test_outcome_is_failure:
 * @outcome: an outcome
 *
 * Whether @outcome makes a run fail: a failure, a crash or a timeout.
 *
 * Returns: `TRUE` for `PACER_TEST_OUTCOME_FAIL`, `PACER_TEST_OUTCOME_CRASH` and
 *   `PACER_TEST_OUTCOME_TIMEOUT`
 *
 * Since: 1.0
 */
gboolean
pacer_test_outcome_is_failure (PacerTestOutcome outcome)
{
  return outcome == PACER_TEST_OUTCOME_FAIL ||
         outcome == PACER_TEST_OUTCOME_CRASH ||
         outcome == PACER_TEST_OUTCOME_TIMEOUT;
}
