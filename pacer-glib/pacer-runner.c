/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerRunner:
 *
 * Runs the tests of GTest programs in parallel worker processes.
 *
 * The runner lists each program once with `-l`, hands batches of `-p` paths
 * to worker slots `gw0` … `gwN-1` as its [iface@Pacer.Scheduler] decides
 * (longest first by default), and runs every batch in a fresh process in its
 * own process group. A process that dies is blamed on the requested test that
 * has no result yet: that test is reported as a crash with the signal or exit
 * status and its output, and the rest of its batch goes back to the queue. A
 * test that overruns [property@Pacer.Runner:timeout] has its process group
 * killed; the same timeout bounds listing. Every listed test gets exactly one
 * [signal@Pacer.Runner::test-finished], also when the run stops early, in
 * which case the tests it never ran are reported as
 * `PACER_TEST_OUTCOME_NOT_RUN`.
 *
 * A program that is not a GTest program (its `-l` prints no test list) runs
 * whole as one test judged by its exit status: 0 passes, 77 skips, anything
 * else fails; TAP results it prints are reported too.
 *
 * Besides [property@Pacer.Runner:programs], a runner takes commands:
 * programs with their own arguments, working directory and environment, as
 * GNOME's installed tests describe them (see [class@Pacer.TestCommand] and
 * [method@Pacer.Runner.add_command]).
 *
 * Signals are emitted in the thread-default main context of the thread that
 * called [method@Pacer.Runner.run_async]; [method@Pacer.Runner.run] runs its
 * own context, so signals arrive during the call.
 *
 * ```c
 * const char *programs[] = { "./test-foo", "./test-bar", NULL };
 * g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
 * g_object_set (runner, "n-workers", 4, "timeout", 30.0, NULL);
 * if (!pacer_runner_run (runner, NULL, &error))
 *   g_printerr ("%s\n", error->message);
 * g_print ("%u failed\n", pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FAIL));
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <sched.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-enums.h"
#include "pacer-error.h"
#include "pacer-glib-private.h"
#include "pacer-partition.h"
#include "pacer-runner.h"
#include "pacer-engine-private.h"
#include "pacer-runner-private.h"



enum {
  PROP_0,
  PROP_PROGRAMS,
  PROP_N_WORKERS,
  PROP_MAX_WORKER_RESTART,
  PROP_MAXFAIL,
  PROP_TIMEOUT,
  PROP_RETRIES,
  PROP_SEED,
  PROP_MODE,
  PROP_PATHS,
  PROP_SKIP_PATHS,
  PROP_SCHEDULER,
  PROP_HISTORY,
  PROP_PARTITION,
  PROP_DIST,
  PROP_GROUPS,
  PROP_SERIAL,
  PROP_STRICT_ORDER,
  PROP_ORDER_CHECK,
  PROP_SPLIT_LIMIT,
  PROP_MAX_WORKERS,
  N_PROPS
};

enum {
  SIGNAL_RUN_STARTED,
  SIGNAL_WORKER_READY,
  SIGNAL_WORKER_DOWN,
  SIGNAL_TEST_STARTED,
  SIGNAL_TEST_FINISHED,
  SIGNAL_RUN_FINISHED,
  SIGNAL_NOTE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

struct _PacerRunner
{
  GObject parent_instance;

  PacerEngineSettings settings;  /* the properties, as a run reads them */

  gboolean running;
  GPtrArray *listed;    /* PacerTestResult not run, of the last listing */
  GPtrArray *results;
  guint counts[PACER_TEST_OUTCOME_N_OUTCOMES];
  guint n_tests;
  guint n_whole_programs;
  guint n_workers_used;
  char *used_seed;
  double started_at;    /* Unix seconds: when the last run started ... */
  double finished_at;   /* ... and its last test ended, for the reports */
  char **cleanup_failures;
};

G_DEFINE_FINAL_TYPE (PacerRunner, pacer_runner, G_TYPE_OBJECT)

/**
 * pacer_runner_get_usable_cpus:
 *
 * Gets the number of CPUs this process may run on (its affinity mask), which
 * is what `-n auto` uses.
 *
 * Returns: the number of usable CPUs, at least 1
 *
 * Since: 1.0
 */
guint
pacer_runner_get_usable_cpus (void)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  if (sched_getaffinity (0, sizeof set, &set) == 0 && CPU_COUNT (&set) > 0)
    return CPU_COUNT (&set);
  return MAX (1, g_get_num_processors ());
}

/**
 * pacer_runner_generate_seed:
 *
 * Makes a random seed in GTest's format, `R02S` and 32 hexadecimal digits.
 *
 * Returns: (transfer full): a new seed
 *
 * Since: 1.0
 */
char *
pacer_runner_generate_seed (void)
{
  return g_strdup_printf ("R02S%08x%08x%08x%08x", g_random_int (), g_random_int (),
                          g_random_int (), g_random_int ());
}

/**
 * pacer_runner_seed_is_valid:
 * @seed: a seed
 *
 * Whether GTest accepts @seed for `--seed`; it aborts on anything else.
 *
 * Returns: `TRUE` if @seed is `R02S` and 32 hexadecimal digits
 *
 * Since: 1.0
 */
gboolean
pacer_runner_seed_is_valid (const char *seed)
{
  g_return_val_if_fail (seed != NULL, FALSE);

  if (strncmp (seed, "R02S", 4) != 0 || strlen (seed) != 36)
    return FALSE;
  for (guint i = 4; i < 36; i++)
    if (!g_ascii_isxdigit (seed[i]))
      return FALSE;
  return TRUE;
}

static void
reset_results (PacerRunner *self)
{
  g_ptr_array_set_size (self->results, 0);
  memset (self->counts, 0, sizeof self->counts);
  self->n_tests = 0;
  self->n_workers_used = 0;
  self->n_whole_programs = 0;
  self->started_at = g_get_real_time () / (double) G_USEC_PER_SEC;
  self->finished_at = 0;
  g_clear_pointer (&self->cleanup_failures, g_strfreev);
}

/* The run engine's callbacks: the runner keeps the results and forwards
 * the rest as its signals. */
static void
on_engine_started (guint    n_tests,
                   guint    n_whole_programs,
                   guint    n_workers,
                   gpointer user_data)
{
  PacerRunner *self = user_data;

  self->n_tests = n_tests;
  self->n_whole_programs = n_whole_programs;
  self->n_workers_used = n_workers;
  /* A listing is not a run. */
  if (!self->settings.list_only)
    g_signal_emit (self, signals[SIGNAL_RUN_STARTED], 0);
}

static void
on_engine_grew (guint    n_workers,
                gpointer user_data)
{
  PacerRunner *self = user_data;

  self->n_workers_used = MAX (self->n_workers_used, n_workers);
}

static void
on_engine_worker_ready (const char *worker,
                        gpointer    user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_WORKER_READY], 0, worker);
}

static void
on_engine_worker_down (const char *worker,
                       const char *reason,
                       gpointer    user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_WORKER_DOWN], 0, worker, reason);
}

static gboolean
on_engine_wants_started (gpointer user_data)
{
  return g_signal_has_handler_pending (user_data, signals[SIGNAL_TEST_STARTED], 0, FALSE);
}

static void
on_engine_test_started (const char *program,
                        const char *path,
                        const char *worker,
                        gpointer    user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_TEST_STARTED], 0, program, path, worker);
}

static void
on_engine_test_finished (PacerTestResult *result,
                         gpointer         user_data)
{
  PacerRunner *self = user_data;

  g_ptr_array_add (self->results, g_object_ref (result));
  self->counts[pacer_test_result_get_outcome (result)]++;
  g_signal_emit (self, signals[SIGNAL_TEST_FINISHED], 0, result);
}

static void
on_engine_test_listed (PacerTestResult *result,
                       gpointer         user_data)
{
  PacerRunner *self = user_data;

  g_ptr_array_add (self->listed, g_object_ref (result));
}

static void
on_engine_note (const char *program,
                const char *message,
                gpointer    user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_NOTE], 0, program, message);
}

static void
on_engine_finished (double   finished_at,
                    char   **cleanup_failures,
                    gpointer user_data)
{
  PacerRunner *self = user_data;

  self->finished_at = finished_at;
  g_strfreev (self->cleanup_failures);
  self->cleanup_failures = cleanup_failures;
  /* Free for another run from here, also from a run-finished handler. */
  self->running = FALSE;
  if (!self->settings.list_only)
    g_signal_emit (self, signals[SIGNAL_RUN_FINISHED], 0);
}

static const PacerEngineCallbacks engine_callbacks = {
  on_engine_started,
  on_engine_grew,
  on_engine_worker_ready,
  on_engine_worker_down,
  on_engine_wants_started,
  on_engine_test_started,
  on_engine_test_finished,
  on_engine_test_listed,
  on_engine_note,
  on_engine_finished,
};

/**
 * pacer_runner_run_async:
 * @self: a runner
 * @cancellable: (nullable): cancelling it stops the run as Ctrl-C does
 * @callback: (scope async): called when the run is over
 * @user_data: data for @callback
 *
 * Starts a run of [property@Pacer.Runner:programs]. Signals are emitted in
 * the thread-default main context of the caller. Cancelling @cancellable
 * kills every test process group, reports the tests not run, and ends the run
 * with `G_IO_ERROR_CANCELLED`.
 *
 * Since: 1.0
 */
void
pacer_runner_run_async (PacerRunner         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PACER_IS_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _pacer_ensure_i18n ();

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pacer_runner_run_async);

  if (self->running)
    {
      g_task_return_new_error (task, PACER_ERROR, PACER_ERROR_FAILED, _("The runner is already running"));
      return;
    }

  reset_results (self);

  if ((self->settings.programs == NULL || self->settings.programs[0] == NULL) && self->settings.commands->len == 0)
    {
      g_task_return_new_error (task, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT, _("No test program given"));
      return;
    }
  if (self->settings.seed != NULL && !pacer_runner_seed_is_valid (self->settings.seed))
    {
      g_task_return_new_error (task, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a GTest seed (R02S and 32 hexadecimal digits)"), self->settings.seed);
      return;
    }
  if (self->settings.partition != NULL && !pacer_partition_parse (self->settings.partition, NULL, NULL, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!_pacer_engine_check_dist (&self->settings, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (self->used_seed);
  self->used_seed = self->settings.seed != NULL ? g_strdup (self->settings.seed) : pacer_runner_generate_seed ();
  self->running = TRUE;
  if (!_pacer_engine_start (&self->settings, self->used_seed, &engine_callbacks, self,
                            g_steal_pointer (&task), cancellable))
    self->running = FALSE;
}

/**
 * pacer_runner_run_finish:
 * @self: a runner
 * @result: the result given to the callback
 * @error: return location for a [type@GLib.Error]
 *
 * Finishes a run started with [method@Pacer.Runner.run_async]. A run in which
 * tests failed still succeeds: look at [method@Pacer.Runner.get_count].
 *
 * Returns: `TRUE` if the run went through; `FALSE` if it could not start or
 *   stopped on an error, or was cancelled
 *
 * Since: 1.0
 */
gboolean
pacer_runner_run_finish (PacerRunner   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (PACER_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, pacer_runner_run_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/**
 * pacer_runner_run:
 * @self: a runner
 * @cancellable: (nullable): cancelling it from another thread stops the run
 * @error: return location for a [type@GLib.Error]
 *
 * Runs the tests and returns when the run is over, iterating a main context
 * of its own, in which the signals are emitted.
 *
 * Returns: `TRUE` if the run went through (tests may have failed)
 *
 * Since: 1.0
 */
gboolean
pacer_runner_run (PacerRunner   *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (PACER_IS_RUNNER (self), FALSE);

  g_main_context_push_thread_default (context);
  pacer_runner_run_async (self, cancellable, on_sync_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return pacer_runner_run_finish (self, result, error);
}

/**
 * pacer_runner_list_tests:
 * @self: a runner
 * @cancellable: (nullable): a cancellable
 * @error: return location for a [type@GLib.Error]
 *
 * Finds the tests a run would start, as the run does, without running any:
 * each GTest program is asked for its tests once with `-l`, with the
 * [property@Pacer.Runner:mode] and [property@Pacer.Runner:paths] filters,
 * then [property@Pacer.Runner:skip-paths] and
 * [property@Pacer.Runner:partition] apply. A program that is not a GTest
 * program is not asked: it is one test, whose path is the program itself.
 * Like a run, a listing clears the results of the last run.
 *
 * This is what `pacer-run --list` prints, and pytest's `--collect-only`.
 *
 * ```python
 * runner = Pacer.Runner.new(["./test-foo"])
 * runner.props.partition = "slice:1/2"
 * for test in runner.list_tests(None):
 *     print(test.props.path)
 * ```
 *
 * Returns: (transfer container) (element-type PacerTestResult): one result
 *   per test, with [enum@Pacer.TestOutcome.NOT_RUN], in the order a serial
 *   run would run them, or `NULL` on error; unreferencing the array frees
 *   them
 *
 * Since: 1.0
 */
GPtrArray *
pacer_runner_list_tests (PacerRunner   *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (PACER_IS_RUNNER (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->running)
    {
      _pacer_ensure_i18n ();
      g_set_error (error, PACER_ERROR, PACER_ERROR_FAILED, _("The runner is already running"));
      return NULL;
    }

  /* The run collects into this and stops once its tests are known. */
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  self->listed = g_ptr_array_new_with_free_func (g_object_unref);
  self->settings.list_only = TRUE;
  ok = pacer_runner_run (self, cancellable, error);
  self->settings.list_only = FALSE;

  if (!ok)
    {
      g_clear_pointer (&self->listed, g_ptr_array_unref);
      return NULL;
    }
  return g_steal_pointer (&self->listed);
}

/* Accessors -------------------------------------------------------------- */

double
_pacer_runner_get_started_at (PacerRunner *self)
{
  return self->started_at;
}

double
_pacer_runner_get_finished_at (PacerRunner *self)
{
  return self->finished_at;
}

/**
 * pacer_runner_get_results:
 * @self: a runner
 *
 * Gets the results of the last run, in the order they were reported. The
 * results belong to the runner and stay valid until its next run starts.
 *
 * Returns: (transfer container) (element-type PacerTestResult): the results
 *
 * Since: 1.0
 */
GPtrArray *
pacer_runner_get_results (PacerRunner *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (PACER_IS_RUNNER (self), NULL);

  /* A copy inherits the element free function: drop it, these are borrowed. */
  copy = g_ptr_array_copy (self->results, NULL, NULL);
  g_ptr_array_set_free_func (copy, NULL);
  return copy;
}

/**
 * pacer_runner_get_count:
 * @self: a runner
 * @outcome: an outcome
 *
 * Gets how many tests of the last run ended with @outcome.
 *
 * Returns: the number of results with @outcome
 *
 * Since: 1.0
 */
guint
pacer_runner_get_count (PacerRunner      *self,
                        PacerTestOutcome  outcome)
{
  g_return_val_if_fail (PACER_IS_RUNNER (self), 0);
  g_return_val_if_fail (outcome < PACER_TEST_OUTCOME_N_OUTCOMES, 0);

  return self->counts[outcome];
}

/**
 * pacer_runner_get_n_tests:
 * @self: a runner
 *
 * Gets the number of tests listed for the last run, known from
 * [signal@Pacer.Runner::run-started] on. A program that is not a GTest
 * program counts as one test here (see
 * [method@Pacer.Runner.get_n_whole_programs]); the TAP results it prints, if
 * any, are counted by the results instead.
 *
 * Returns: the number of listed tests
 *
 * Since: 1.0
 */
guint
pacer_runner_get_n_tests (PacerRunner *self)
{
  g_return_val_if_fail (PACER_IS_RUNNER (self), 0);
  return self->n_tests;
}

/**
 * pacer_runner_get_n_whole_programs:
 * @self: a runner
 *
 * Gets how many of the last run's programs are not GTest programs and run
 * whole, as one process each, known from [signal@Pacer.Runner::run-started]
 * on. Each counts as one test in [method@Pacer.Runner.get_n_tests].
 *
 * Returns: the number of programs run whole
 *
 * Since: 1.0
 */
guint
pacer_runner_get_n_whole_programs (PacerRunner *self)
{
  g_return_val_if_fail (PACER_IS_RUNNER (self), 0);
  return self->n_whole_programs;
}

/**
 * pacer_runner_get_n_workers_used:
 * @self: a runner
 *
 * Gets the number of worker slots of the last run: the requested number,
 * capped by the number of tests, or the most that ran at once in a run
 * that grew (see [property@Pacer.Runner:max-workers]).
 *
 * Returns: the number of workers
 *
 * Since: 1.0
 */
guint
pacer_runner_get_n_workers_used (PacerRunner *self)
{
  g_return_val_if_fail (PACER_IS_RUNNER (self), 0);
  return self->n_workers_used;
}

/**
 * pacer_runner_get_cleanup_failures:
 * @self: a runner
 *
 * Gets what went wrong in the last run's shared-fixture cleanups, which the
 * runner runs after every test (see [class@Pacer.SharedFixture]): one
 * message for each cleanup that failed, crashed, hung or never ran. These
 * are not test results; a run with any should still be reported as failed.
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the
 *   messages, or `NULL` if every cleanup succeeded
 *
 * Since: 1.0
 */
const char * const *
pacer_runner_get_cleanup_failures (PacerRunner *self)
{
  g_return_val_if_fail (PACER_IS_RUNNER (self), NULL);
  return (const char * const *) self->cleanup_failures;
}

/**
 * pacer_runner_get_seed:
 * @self: a runner
 *
 * Gets the seed given to every test process of the last run: the one set in
 * [property@Pacer.Runner:seed], or the one generated.
 *
 * Returns: (transfer none) (nullable): the seed, or `NULL` before a run
 *
 * Since: 1.0
 */
const char *
pacer_runner_get_seed (PacerRunner *self)
{
  g_return_val_if_fail (PACER_IS_RUNNER (self), NULL);
  return self->used_seed;
}

/**
 * pacer_runner_add_command:
 * @self: a runner
 * @command: a command
 *
 * Adds @command to the runs of @self, after
 * [property@Pacer.Runner:programs]. The command's settings are read when a
 * run starts; a run fails with `PACER_ERROR_INVALID_ARGUMENT` if two commands
 * have the same name.
 *
 * Since: 1.0
 */
void
pacer_runner_add_command (PacerRunner      *self,
                          PacerTestCommand *command)
{
  g_return_if_fail (PACER_IS_RUNNER (self));
  g_return_if_fail (PACER_IS_TEST_COMMAND (command));

  g_ptr_array_add (self->settings.commands, g_object_ref (command));
}

/**
 * pacer_runner_get_commands:
 * @self: a runner
 *
 * Gets the commands added with [method@Pacer.Runner.add_command].
 *
 * Returns: (transfer container) (element-type PacerTestCommand): the commands
 *
 * Since: 1.0
 */
GPtrArray *
pacer_runner_get_commands (PacerRunner *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (PACER_IS_RUNNER (self), NULL);

  /* Borrowed, as the results are: the runner keeps its references. */
  copy = g_ptr_array_copy (self->settings.commands, NULL, NULL);
  g_ptr_array_set_free_func (copy, NULL);
  return copy;
}

/**
 * pacer_runner_new:
 * @programs: (array zero-terminated=1): the test programs to run
 *
 * Creates a runner for @programs with the default settings: as many workers
 * as usable CPUs, the load scheduler, no timeout.
 *
 * Returns: (transfer full): a new runner
 *
 * Since: 1.0
 */
PacerRunner *
pacer_runner_new (const char * const *programs)
{
  return g_object_new (PACER_TYPE_RUNNER, "programs", programs, NULL);
}

/* GObject ---------------------------------------------------------------- */

static void
pacer_runner_finalize (GObject *object)
{
  PacerRunner *self = PACER_RUNNER (object);

  g_strfreev (self->settings.programs);
  g_ptr_array_unref (self->settings.commands);
  g_free (self->settings.seed);
  g_free (self->settings.mode);
  g_strfreev (self->settings.paths);
  g_strfreev (self->settings.skip_paths);
  g_clear_object (&self->settings.scheduler);
  g_clear_object (&self->settings.history);
  g_free (self->settings.partition);
  g_strfreev (self->settings.groups);
  g_strfreev (self->settings.serial);
  g_ptr_array_unref (self->results);
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  g_free (self->used_seed);
  g_strfreev (self->cleanup_failures);

  G_OBJECT_CLASS (pacer_runner_parent_class)->finalize (object);
}

static void
pacer_runner_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PacerRunner *self = PACER_RUNNER (object);

  switch (prop_id)
    {
    case PROP_PROGRAMS:
      g_value_set_boxed (value, self->settings.programs);
      break;
    case PROP_N_WORKERS:
      g_value_set_uint (value, self->settings.n_workers);
      break;
    case PROP_MAX_WORKER_RESTART:
      g_value_set_int (value, self->settings.max_worker_restart);
      break;
    case PROP_MAXFAIL:
      g_value_set_uint (value, self->settings.maxfail);
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, self->settings.timeout);
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, self->settings.retries);
      break;
    case PROP_SEED:
      g_value_set_string (value, self->settings.seed);
      break;
    case PROP_MODE:
      g_value_set_string (value, self->settings.mode);
      break;
    case PROP_PATHS:
      g_value_set_boxed (value, self->settings.paths);
      break;
    case PROP_SKIP_PATHS:
      g_value_set_boxed (value, self->settings.skip_paths);
      break;
    case PROP_SCHEDULER:
      g_value_set_object (value, self->settings.scheduler);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->settings.history);
      break;
    case PROP_PARTITION:
      g_value_set_string (value, self->settings.partition);
      break;
    case PROP_DIST:
      g_value_set_enum (value, self->settings.dist);
      break;
    case PROP_GROUPS:
      g_value_set_boxed (value, self->settings.groups);
      break;
    case PROP_SERIAL:
      g_value_set_boxed (value, self->settings.serial);
      break;
    case PROP_STRICT_ORDER:
      g_value_set_boolean (value, self->settings.strict_order);
      break;
    case PROP_ORDER_CHECK:
      g_value_set_boolean (value, self->settings.order_check);
      break;
    case PROP_SPLIT_LIMIT:
      g_value_set_double (value, self->settings.split_limit);
      break;
    case PROP_MAX_WORKERS:
      g_value_set_uint (value, self->settings.max_workers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* g_set_str() arrives in GLib 2.76; this is the same for 2.74. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_strv (GStrv        *field,
          const GValue *value)
{
  const char * const *strv = g_value_get_boxed (value);

  if (*field == NULL && strv == NULL)
    return FALSE;
  if (*field != NULL && strv != NULL && g_strv_equal ((const char * const *) *field, strv))
    return FALSE;
  g_strfreev (*field);
  *field = g_strdupv ((char **) strv);
  return TRUE;
}

static void
pacer_runner_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PacerRunner *self = PACER_RUNNER (object);
  gboolean changed = FALSE;

  /* Settings apply to the next run; a run in progress keeps what it read. */
  switch (prop_id)
    {
    case PROP_PROGRAMS:
      changed = set_strv (&self->settings.programs, value);
      break;
    case PROP_N_WORKERS:
      changed = self->settings.n_workers != g_value_get_uint (value);
      self->settings.n_workers = g_value_get_uint (value);
      break;
    case PROP_MAX_WORKER_RESTART:
      changed = self->settings.max_worker_restart != g_value_get_int (value);
      self->settings.max_worker_restart = g_value_get_int (value);
      break;
    case PROP_MAXFAIL:
      changed = self->settings.maxfail != g_value_get_uint (value);
      self->settings.maxfail = g_value_get_uint (value);
      break;
    case PROP_TIMEOUT:
      changed = self->settings.timeout != g_value_get_double (value);
      self->settings.timeout = g_value_get_double (value);
      break;
    case PROP_RETRIES:
      changed = self->settings.retries != g_value_get_uint (value);
      self->settings.retries = g_value_get_uint (value);
      break;
    case PROP_SEED:
      changed = set_str (&self->settings.seed, g_value_get_string (value));
      break;
    case PROP_MODE:
      changed = set_str (&self->settings.mode, g_value_get_string (value));
      break;
    case PROP_PATHS:
      changed = set_strv (&self->settings.paths, value);
      break;
    case PROP_SKIP_PATHS:
      changed = set_strv (&self->settings.skip_paths, value);
      break;
    case PROP_SCHEDULER:
      changed = g_set_object (&self->settings.scheduler, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      changed = g_set_object (&self->settings.history, g_value_get_object (value));
      break;
    case PROP_PARTITION:
      changed = set_str (&self->settings.partition, g_value_get_string (value));
      break;
    case PROP_DIST:
      changed = self->settings.dist != (PacerDistMode) g_value_get_enum (value);
      self->settings.dist = g_value_get_enum (value);
      break;
    case PROP_GROUPS:
      changed = set_strv (&self->settings.groups, value);
      break;
    case PROP_SERIAL:
      changed = set_strv (&self->settings.serial, value);
      break;
    case PROP_STRICT_ORDER:
      changed = self->settings.strict_order != g_value_get_boolean (value);
      self->settings.strict_order = g_value_get_boolean (value);
      break;
    case PROP_ORDER_CHECK:
      changed = self->settings.order_check != g_value_get_boolean (value);
      self->settings.order_check = g_value_get_boolean (value);
      break;
    case PROP_SPLIT_LIMIT:
      changed = self->settings.split_limit != g_value_get_double (value);
      self->settings.split_limit = g_value_get_double (value);
      break;
    case PROP_MAX_WORKERS:
      changed = self->settings.max_workers != g_value_get_uint (value);
      self->settings.max_workers = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

static void
pacer_runner_class_init (PacerRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pacer_runner_finalize;
  object_class->get_property = pacer_runner_get_property;
  object_class->set_property = pacer_runner_set_property;

  /**
   * PacerRunner:programs:
   *
   * The test programs to run, as paths or names looked up in `PATH`.
   *
   * Since: 1.0
   */
  properties[PROP_PROGRAMS] = g_param_spec_boxed ("programs", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * PacerRunner:n-workers:
   *
   * The number of worker slots (`-n`); 0 means one per usable CPU. A run
   * never uses more workers than it has tests.
   *
   * Since: 1.0
   */
  properties[PROP_N_WORKERS] = g_param_spec_uint ("n-workers", NULL, NULL, 0, 1024, 0, flags);

  /**
   * PacerRunner:max-worker-restart:
   *
   * How many crashed or timed-out processes are replaced before the run
   * stops (`--max-worker-restart`); -1 means four per worker.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_WORKER_RESTART] =
    g_param_spec_int ("max-worker-restart", NULL, NULL, -1, G_MAXINT, -1, flags);

  /**
   * PacerRunner:maxfail:
   *
   * Stop the run after this many failed, crashed or timed-out tests
   * (`--maxfail`, `-x` is 1); 0 never stops.
   *
   * Since: 1.0
   */
  properties[PROP_MAXFAIL] = g_param_spec_uint ("maxfail", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * PacerRunner:timeout:
   *
   * Seconds a single test may run before its process group is killed
   * (SIGTERM, then SIGKILL two seconds later), and listing a program may
   * take; 0 means no limit.
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] = g_param_spec_double ("timeout", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  /**
   * PacerRunner:retries:
   *
   * How many times a failed test is run again, alone; a test that passes on
   * a retry is reported as `PACER_TEST_OUTCOME_FLAKY`.
   *
   * Since: 1.0
   */
  properties[PROP_RETRIES] = g_param_spec_uint ("retries", NULL, NULL, 0, G_MAXUINT, 0, flags);

  /**
   * PacerRunner:seed:
   *
   * The GTest `--seed` given to every test process, or `NULL` for a random
   * one; see [method@Pacer.Runner.get_seed].
   *
   * Since: 1.0
   */
  properties[PROP_SEED] = g_param_spec_string ("seed", NULL, NULL, NULL, flags);

  /**
   * PacerRunner:mode:
   *
   * The GTest `-m` mode (`quick`, `slow`, `thorough`, `perf`, `undefined`,
   * `no-undefined`) used to list and to run, or `NULL` for the default.
   *
   * Since: 1.0
   */
  properties[PROP_MODE] = g_param_spec_string ("mode", NULL, NULL, NULL, flags);

  /**
   * PacerRunner:paths:
   *
   * GTest `-p` filters: only these paths and their direct children are run.
   *
   * Since: 1.0
   */
  properties[PROP_PATHS] = g_param_spec_boxed ("paths", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * PacerRunner:skip-paths:
   *
   * GTest `-s` filters: these exact paths are reported as skipped.
   *
   * Since: 1.0
   */
  properties[PROP_SKIP_PATHS] = g_param_spec_boxed ("skip-paths", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * PacerRunner:scheduler:
   *
   * The scheduling policy, or `NULL` for a new [class@Pacer.LoadScheduler]
   * each run. A scheduler given here serves one run.
   *
   * Since: 1.0
   */
  properties[PROP_SCHEDULER] =
    g_param_spec_object ("scheduler", NULL, NULL, PACER_TYPE_SCHEDULER, flags);

  /**
   * PacerRunner:history:
   *
   * Where test durations are read before a run and saved after it, or
   * `NULL` to run without a history.
   *
   * Since: 1.0
   */
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, PACER_TYPE_DURATION_HISTORY, flags);

  /**
   * PacerRunner:partition:
   *
   * This machine's share of the suite when CI spreads it over several:
   * `slice:K/N`, `hash:K/N` or `duration:K/N` (see
   * [func@Pacer.partition_parse]), or `NULL` to run every test. The share is
   * taken after listing and before scheduling; the N partitions together run
   * every test exactly once. An invalid value makes the run fail with
   * `PACER_ERROR_INVALID_ARGUMENT`.
   *
   * Since: 1.0
   */
  properties[PROP_PARTITION] = g_param_spec_string ("partition", NULL, NULL, NULL, flags);

  /**
   * PacerRunner:dist:
   *
   * How tests are spread over the workers (`--dist`); ignored for the
   * choice of scheduler when [property@Pacer.Runner:scheduler] is set, but
   * `PACER_DIST_MODE_NO` still means one worker and `PACER_DIST_MODE_EACH`
   * still gives the scheduler one copy of every test per worker.
   *
   * Since: 1.0
   */
  properties[PROP_DIST] = g_param_spec_enum ("dist", NULL, NULL, PACER_TYPE_DIST_MODE,
                                             PACER_DIST_MODE_LOAD, flags);

  /**
   * PacerRunner:groups:
   *
   * For `PACER_DIST_MODE_LOADGROUP`, the groups as `GLOB=NAME` (`--group`):
   * a test takes the first group whose glob matches its path, and a group
   * runs in one worker. A run with a group not in that form fails with
   * `PACER_ERROR_INVALID_ARGUMENT`.
   *
   * Since: 1.0
   */
  properties[PROP_GROUPS] = g_param_spec_boxed ("groups", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * PacerRunner:serial:
   *
   * Globs of test paths that must run alone (`--serial`): when one is due,
   * the runner lets the running batches finish, runs it while every other
   * worker waits, then goes on. Works with every scheduler.
   *
   * Since: 1.0
   */
  properties[PROP_SERIAL] = g_param_spec_boxed ("serial", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * PacerRunner:strict-order:
   *
   * What an order-dependent test is worth (`--strict-order`). A test that
   * fails in a batch split from its program is confirmed before it is
   * reported: its program runs in listing order up to it, in one process.
   * If it passes there, it relies on earlier tests and is marked
   * [property@Pacer.TestResult:order-dependent]; it counts as passed, as in a
   * serial run, unless this is `TRUE`, which makes it a failure, for those
   * who hunt such tests.
   *
   * Since: 1.0
   */
  properties[PROP_STRICT_ORDER] = g_param_spec_boolean ("strict-order", NULL, NULL, FALSE, flags);

  /**
   * PacerRunner:order-check:
   *
   * Whether a failure in a batch split from its program is confirmed in
   * listing order before it is reported (see
   * [property@Pacer.Runner:strict-order]). `FALSE` (`--no-order-check`)
   * reports it at once: faster on a suite with many known failures, at the
   * cost of reporting order-dependent tests as failures.
   *
   * Since: 1.0
   */
  properties[PROP_ORDER_CHECK] = g_param_spec_boolean ("order-check", NULL, NULL, TRUE, flags);

  /**
   * PacerRunner:split-limit:
   *
   * How long, in seconds, a test that no history knows may run in a batch
   * split from its program before it is suspected of waiting for what
   * earlier tests of its program set up (real suites have tests that hang
   * when run alone). A suspect is stopped and confirmed in listing order,
   * where only [property@Pacer.Runner:timeout] applies. A test the history
   * knows gets four times its duration, and at least 10 s; one it does not
   * know, once ten tests of its program have ended in this run, ten times
   * the longest of them, at least 10 s and at most this limit. `0` turns the
   * limit off; it is off as well without
   * [property@Pacer.Runner:order-check].
   *
   * Since: 1.0
   */
  properties[PROP_SPLIT_LIMIT] = g_param_spec_double ("split-limit", NULL, NULL, 0, G_MAXDOUBLE, 60, flags);

  /**
   * PacerRunner:max-workers:
   *
   * How many workers a run may grow to beyond
   * [property@Pacer.Runner:n-workers] (`--max-workers`), or 0 to keep to
   * that many. A run that may grow adds a worker while a whole CPU of the
   * machine stands idle and runnable tasks wait for one under 5 % of the
   * time (Linux's `/proc/pressure/cpu`), as tests that sleep, wait for a
   * server or a D-Bus reply leave it, and gives one back, once its batch is
   * over, when tasks wait for CPUs more than 20 % of the time. No test is stopped
   * to give a worker back, so no verdict depends on it. Without pressure
   * stall information (kernels before 4.20, or booted with `psi=0`) a run
   * never grows. `--dist each` and `--dist no` never grow.
   *
   * Workers that may be added are known to the scheduler from the start,
   * so the work is dealt in shares for them too: a run that stays small
   * starts more processes than one that was never allowed to grow.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_WORKERS] = g_param_spec_uint ("max-workers", NULL, NULL, 0, 1024, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PacerRunner::run-started:
   * @self: the runner
   *
   * Every program has been listed and the workers are about to start;
   * [method@Pacer.Runner.get_n_tests] and [method@Pacer.Runner.get_seed] are
   * known.
   *
   * Since: 1.0
   */
  signals[SIGNAL_RUN_STARTED] =
    g_signal_new ("run-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * PacerRunner::worker-ready:
   * @self: the runner
   * @worker: the worker id
   *
   * A worker slot starts its first process, or its first after a crash.
   *
   * Since: 1.0
   */
  signals[SIGNAL_WORKER_READY] =
    g_signal_new ("worker-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PacerRunner::worker-down:
   * @self: the runner
   * @worker: the worker id
   * @error: (nullable): why its process died, or `NULL` when the slot retires
   *   at the end of the run
   *
   * A worker's process crashed or was killed, or the run is over.
   *
   * Since: 1.0
   */
  signals[SIGNAL_WORKER_DOWN] =
    g_signal_new ("worker-down", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * PacerRunner::test-started:
   * @self: the runner
   * @program: the test program
   * @path: the test's path
   * @worker: the worker running it
   *
   * A test has started (as far as the runner can tell: when the process
   * finished the test before it).
   *
   * Since: 1.0
   */
  signals[SIGNAL_TEST_STARTED] =
    g_signal_new ("test-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * PacerRunner::test-finished:
   * @self: the runner
   * @result: the test's final result
   *
   * A test has its final result; emitted once per test, retries included.
   *
   * Since: 1.0
   */
  signals[SIGNAL_TEST_FINISHED] =
    g_signal_new ("test-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PACER_TYPE_TEST_RESULT);

  /**
   * PacerRunner::run-finished:
   * @self: the runner
   *
   * Every test has its result and every process is gone.
   *
   * Since: 1.0
   */
  signals[SIGNAL_RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * PacerRunner::note:
   * @self: the runner
   * @program: the test program (or command) concerned
   * @message: what the runner decided about it, and why
   *
   * The runner changed how it runs a program, and a person reading the run
   * should know: its listing failed, crashed or hung, so it runs whole; a
   * test it listed was missing when it ran, so it falls back to running
   * whole. The run goes on; `pacer-run` prints the note.
   *
   * Since: 1.0
   */
  signals[SIGNAL_NOTE] =
    g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
pacer_runner_init (PacerRunner *self)
{
  self->settings.max_worker_restart = -1;
  self->settings.order_check = TRUE;
  self->settings.split_limit = 60;
  self->results = g_ptr_array_new_with_free_func (g_object_unref);
  self->settings.commands = g_ptr_array_new_with_free_func (g_object_unref);
}
