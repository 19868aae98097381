/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One run of a PacerRunner, from listing to the last result: list each
 * program, hand batches to worker slots, turn what each process said into
 * results, retry, stop, and clean up. pacer-runner.c is the GObject around
 * it; pacer-runner-plan.c turns batches into command lines. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-batch-private.h"
#include "pacer-error.h"
#include "pacer-fixture-teardown-private.h"
#include "pacer-glib-private.h"
#include "pacer-listing-private.h"
#include "pacer-load-scheduler.h"
#include "pacer-runner-private.h"
#include "pacer-test-result-private.h"

#define TICK_MSEC 100
#define LIST_TIME_LIMIT 60.0
#define LIST_TIME_LIMIT_MIN 10.0

static void dispatch_idle_slots (Run *run);
static void maybe_finish (Run *run);
static void stop_run (Run *run, StopReason reason);
static void report_exclusive_not_run (Run *run);
static void start_exclusive_pass (Run *run);

/* Helpers ---------------------------------------------------------------- */

static void
clear_source (Run   *run,
              guint *id)
{
  if (*id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (run->context, *id);

      if (source != NULL)
        g_source_destroy (source);
      *id = 0;
    }
}

static void
clear_tick (Run *run)
{
  clear_source (run, &run->tick_source);
  clear_source (run, &run->list_timeout_source);
  clear_source (run, &run->scale_source);
}

static void
program_free (Program *program)
{
  g_free (program->name);
  g_free (program->file);
  g_strfreev (program->argv);
  g_free (program->cwd);
  g_strfreev (program->env);
  g_free (program->skip_reason);
  g_clear_object (&program->lister);
  g_clear_pointer (&program->paths, g_ptr_array_unref);
  g_clear_pointer (&program->suites, g_hash_table_unref);
  g_clear_pointer (&program->members, g_hash_table_unref);
  g_free (program);
}

static void
test_clear (Test *test)
{
  g_free (test->first_failure);
  g_clear_object (&test->held);
  g_clear_pointer (&test->failed_attempts, g_ptr_array_unref);
}

static void
extra_free (Extra *extra)
{
  g_array_unref (extra->tests);
  g_free (extra);
}

static void
run_free (Run *run)
{
  g_queue_clear_full (&run->extras, (GDestroyNotify) extra_free);
  for (guint i = 0; i < run->n_slots; i++)
    {
      g_free (run->slots[i].id);
      g_clear_pointer (&run->slots[i].batch, _pacer_batch_unref);
    }
  g_free (run->slots);
  if (run->cancel_source != NULL)
    {
      g_source_destroy (run->cancel_source);
      g_source_unref (run->cancel_source);
    }
  clear_tick (run);
  g_clear_pointer (&run->reaper, _pacer_reaper_stop);
  g_free (run->run_dir);
  g_free (run->testrun_uid);
  g_free (run->seed);
  g_clear_object (&run->scheduler);
  g_clear_pointer (&run->parked, g_array_unref);
  g_clear_pointer (&run->tests, g_array_unref);
  g_clear_pointer (&run->programs, g_ptr_array_unref);
  g_main_context_unref (run->context);
  g_free (run);
}

/* A launcher for one process of @program: its own group, a command's
 * directory and variables, the worker variables, stdout and stderr in one
 * pipe so output keeps its order. */
static GSubprocessLauncher *
make_launcher (Run        *run,
               Program    *program,
               const char *worker,
               gboolean    listing)
{
  GSubprocessLauncher *launcher;
  g_autofree char *count = g_strdup_printf ("%u", MAX (run->n_slots, 1));

  launcher = g_subprocess_launcher_new (listing ? G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                                : G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, _pacer_child_setup, GINT_TO_POINTER (getpid ()), NULL);
  /* A command's own variables first: the worker identity is not theirs to change. */
  _pacer_runner_setup_launcher (program, launcher);
  if (worker != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "PACER_WORKER", worker, TRUE);
      g_subprocess_launcher_setenv (launcher, "PACER_WORKER_COUNT", count, TRUE);
    }
  else
    {
      g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER");
      g_subprocess_launcher_unsetenv (launcher, "PACER_WORKER_COUNT");
    }
  g_subprocess_launcher_setenv (launcher, "PACER_TESTRUN_UID", run->testrun_uid, TRUE);
  g_subprocess_launcher_setenv (launcher, "PACER_RUN_DIR", run->run_dir, TRUE);

  return launcher;
}

/* A note on how a program runs, for the person reading the run. */
static void note (Run *run, Program *program, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
note (Run        *run,
      Program    *program,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s: %s", program->name, message);
  g_signal_emit (run->runner, _pacer_runner_signals[SIGNAL_NOTE], 0, program->name, message);
}

/* How many copies of each listed test the run has: one per worker with
 * --dist each (copy c of test i is i + c × n_base_tests), else one. */
static guint
n_copies_of (Run *run)
{
  return run->runner->dist == PACER_DIST_MODE_EACH && run->n_base_tests > 0 ? MAX (run->n_slots, 1) : 1;
}

/* The scheduler hears only of the tests it handed out: the riders of an
 * ordered program go with its first test. */
static void
mark_complete (Run        *run,
               const char *worker,
               guint       test_index,
               double      duration)
{
  if (!g_array_index (run->tests, Test, test_index).rider)
    pacer_scheduler_mark_test_complete (run->scheduler, worker, test_index, duration);
}

/* Reporting -------------------------------------------------------------- */

/* Batches time tests on the monotonic clock; reports want the wall clock.
 * One offset for the whole run: read afresh for each result, a controller
 * preempted between the two clock reads would shift results against each
 * other, and a worker's tests could seem to overlap. */
static double
wall_seconds (Run    *run,
              gint64  monotonic_usec)
{
  return (monotonic_usec + run->wall_offset) / (double) G_USEC_PER_SEC;
}

/* @start_time is when the attempt started in Unix seconds, 0 if it did not run. */
static PacerTestResult *
new_result (Program          *program,
            const char       *path,
            PacerTestOutcome  outcome,
            double            duration,
            double            start_time,
            guint             attempts,
            const char       *worker,
            const char       *message,
            const char       *output,
            GStrv             command)
{
  PacerTestResult *result;

  result = _pacer_test_result_new_full (program->name, path, outcome, duration, worker, message,
                                        (output != NULL && *output != '\0') ? output : NULL, command);
  _pacer_test_result_set_attempt (result, start_time, start_time > 0 ? start_time + MAX (duration, 0.0) : 0,
                                  start_time > 0 ? MAX (attempts, 1) : attempts, NULL);
  return result;
}

/* @test_index is G_MAXUINT for a TAP line of a program run whole, which
 * @command_test (that program's test) reproduces. @start_time is when the
 * attempt started in Unix seconds, 0 if it did not run. */
static void
report_full (Run              *run,
             Program          *program,
             const char       *path,
             guint             test_index,
             guint             command_test,
             PacerTestOutcome  outcome,
             double            duration,
             double            start_time,
             const char       *worker,
             const char       *message,
             const char       *output)
{
  PacerRunner *self = run->runner;
  g_autoptr(PacerTestResult) result = NULL;
  g_auto(GStrv) command = NULL;
  Test *test = test_index != G_MAXUINT ? &g_array_index (run->tests, Test, test_index) : NULL;

  /* Only a failure needs reproducing; a 100 000-test run keeps every result. */
  if (command_test != G_MAXUINT &&
      (pacer_test_outcome_is_failure (outcome) || outcome == PACER_TEST_OUTCOME_FLAKY))
    command = _pacer_runner_single_test_argv (run, command_test);

  result = new_result (program, path, outcome, duration, start_time, test != NULL ? test->attempts : 0,
                       worker, message, output, g_steal_pointer (&command));
  if (test != NULL && test->order_dependent)
    _pacer_test_result_set_order_dependent (result, TRUE);
  if (test != NULL && test->failed_attempts != NULL)
    _pacer_test_result_set_attempt (result, pacer_test_result_get_start_time (result),
                                    pacer_test_result_get_end_time (result),
                                    pacer_test_result_get_attempts (result),
                                    g_steal_pointer (&test->failed_attempts));

  g_ptr_array_add (self->results, g_object_ref (result));
  self->counts[outcome]++;
  if (test != NULL)
    test->concluded = TRUE;
  if (test != NULL && outcome != PACER_TEST_OUTCOME_NOT_RUN)
    {
      program->n_seen++;
      program->longest_seen = MAX (program->longest_seen, duration);
    }

  if (self->history != NULL && outcome != PACER_TEST_OUTCOME_NOT_RUN && test_index != G_MAXUINT)
    pacer_duration_history_record (self->history, program->file, path, duration);

  g_signal_emit (self, _pacer_runner_signals[SIGNAL_TEST_FINISHED], 0, result);

  if (pacer_test_outcome_is_failure (outcome))
    {
      run->n_failures++;
      if (self->maxfail > 0 && run->n_failures >= self->maxfail)
        stop_run (run, STOP_MAXFAIL);
    }
}

static void
report (Run              *run,
        Program          *program,
        const char       *path,
        guint             test_index,
        PacerTestOutcome  outcome,
        double            duration,
        double            start_time,
        const char       *worker,
        const char       *message,
        const char       *output)
{
  report_full (run, program, path, test_index, test_index, outcome, duration, start_time, worker,
               message, output);
}

static const char *
stop_message (Run *run)
{
  switch (run->stop)
    {
    case STOP_MAXFAIL:
      return _("not run: the run stopped after reaching the maximum number of failures");
    case STOP_RESTARTS:
      return _("not run: the run stopped after reaching the worker restart limit");
    case STOP_CANCELLED:
      return _("not run: the run was interrupted");
    case STOP_NONE:
    default:
      return NULL;
    }
}

static void
report_not_run (Run   *run,
                guint  test_index)
{
  Test *test = &g_array_index (run->tests, Test, test_index);

  /* A test waiting for a retry has failed already: that is its result. */
  if (test->first_failure != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("%s (not retried: the run stopped)"),
                                                  test->first_failure);
      g_autoptr(PacerTestResult) last = NULL;

      /* The attempt kept for the retry is the one that stands: report it
       * with its worker, times and output. */
      if (test->failed_attempts != NULL && test->failed_attempts->len > 0)
        last = g_ptr_array_steal_index (test->failed_attempts, test->failed_attempts->len - 1);
      if (test->failed_attempts != NULL && test->failed_attempts->len == 0)
        g_clear_pointer (&test->failed_attempts, g_ptr_array_unref);

      if (last != NULL)
        report (run, test->program, test->path, test_index, pacer_test_result_get_outcome (last),
                pacer_test_result_get_duration (last), pacer_test_result_get_start_time (last),
                pacer_test_result_get_worker (last), message, pacer_test_result_get_output (last));
      else
        report (run, test->program, test->path, test_index, test->first_outcome, 0, 0, NULL, message, NULL);
      return;
    }

  report (run, test->program, test->path, test_index, PACER_TEST_OUTCOME_NOT_RUN, 0, 0, NULL,
          stop_message (run), NULL);
}

/* Whether @batch ran its program's tests in listing order from the first
 * up to @position, as a serial run of the program would have. */
static gboolean
batch_ran_in_order (Run        *run,
                    PacerBatch *batch,
                    guint       position)
{
  guint first = g_array_index (batch->tests, guint, 0);
  Test *test = &g_array_index (run->tests, Test, first);

  if (first != test->program->first_test + test->copy * run->n_base_tests)
    return FALSE;
  for (guint i = 1; i <= position; i++)
    if (g_array_index (batch->tests, guint, i) != first + i)
      return FALSE;
  return TRUE;
}

/* A failure in a split batch may come from the split itself: a test that
 * relies on what earlier tests of its program left behind. Before it is
 * reported, its program runs in listing order up to that test, in one
 * process; the failure stands only if it happens there too. */
static gboolean
hold_for_confirmation (Run              *run,
                       guint             test_index,
                       PacerTestOutcome  outcome,
                       PacerBatch       *batch,
                       guint             position)
{
  Test *test = &g_array_index (run->tests, Test, test_index);
  Program *program = test->program;
  guint first = program->first_test + test->copy * run->n_base_tests;
  Extra *extra;

  if (!pacer_test_outcome_is_failure (outcome) || test->failed_in_order)
    return FALSE;
  if (batch == NULL || !run->runner->order_check || program->whole || program->fallback != G_MAXUINT ||
      run->stop != STOP_NONE ||
      test_index < first || batch_ran_in_order (run, batch, position))
    return FALSE;

  extra = g_new0 (Extra, 1);
  extra->kind = EXTRA_CONFIRM;
  extra->target = test_index;
  extra->tests = g_array_sized_new (FALSE, FALSE, sizeof (guint), test_index - first + 1);
  for (guint i = first; i <= test_index; i++)
    {
      /* A path that is also a suite needs `-x P/`, which would skip other
       * tests of a shared process: only the target may be one. */
      if (i != test_index && g_array_index (run->tests, Test, i).alone)
        continue;
      g_array_append_val (extra->tests, i);
    }
  g_queue_push_tail (&run->extras, extra);
  return TRUE;
}

/* One attempt of a listed test ended: retry it, confirm it, or report its
 * final outcome. @batch and @position say where it ran, `NULL` for a whole
 * program. */
static void
conclude_attempt (Run              *run,
                  guint             test_index,
                  PacerTestOutcome  outcome,
                  double            duration,
                  double            start_time,
                  const char       *worker,
                  const char       *message,
                  const char       *output,
                  PacerBatch       *batch,
                  guint             position)
{
  PacerRunner *self = run->runner;
  Test *test = &g_array_index (run->tests, Test, test_index);
  g_autofree char *flaky_message = NULL;

  test->attempts++;
  /* A failure seen once in listing order needs no confirmation, even if
   * its retry then ran alone. */
  if (pacer_test_outcome_is_failure (outcome) &&
      (batch == NULL || batch_ran_in_order (run, batch, position)))
    test->failed_in_order = TRUE;

  if (pacer_test_outcome_is_failure (outcome) && test->attempts <= self->retries &&
      run->stop == STOP_NONE && !test->rider)
    {
      if (test->first_failure == NULL)
        {
          test->first_failure = g_strdup (message != NULL ? message : _("failed"));
          test->first_outcome = outcome;
        }
      /* Kept whole for the reports: JUnit's rerun elements and the timeline. */
      if (test->failed_attempts == NULL)
        test->failed_attempts = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (test->failed_attempts,
                       new_result (test->program, test->path, outcome, duration, start_time,
                                   test->attempts, worker, message, output, NULL));
      /* A retry runs alone, so nothing else in its batch can disturb it. */
      pacer_scheduler_mark_test_pending (run->scheduler, test_index, PACER_SCHEDULE_FLAGS_ALONE);
      return;
    }

  if (hold_for_confirmation (run, test_index, outcome, batch, position))
    {
      test->held = new_result (test->program, test->path, outcome, duration, start_time, test->attempts,
                               worker, message, output, NULL);
      return;
    }

  if (outcome == PACER_TEST_OUTCOME_PASS && test->attempts > 1)
    {
      outcome = PACER_TEST_OUTCOME_FLAKY;
      flaky_message = g_strdup_printf (_("passed on attempt %u after: %s"), test->attempts,
                                       test->first_failure);
      message = flaky_message;
    }

  report (run, test->program, test->path, test_index, outcome, duration, start_time, worker, message,
          output);
}

/* Stopping --------------------------------------------------------------- */

static void report_fallback_gaps (Run *run, Program *program);
static void resolve_confirmation (Run *run, guint test_index, gboolean passed, PacerTestOutcome outcome,
                                  double duration, double start_time, const char *worker,
                                  const char *message, const char *output);

/* The run stops with batches of its own still waiting: a held failure
 * stands, and a fallback's tests are reported not run. */
static void
drain_extras (Run *run)
{
  Extra *extra;

  while ((extra = g_queue_pop_head (&run->extras)) != NULL)
    {
      guint first = g_array_index (extra->tests, guint, 0);

      if (extra->kind == EXTRA_CONFIRM)
        resolve_confirmation (run, extra->target, FALSE, PACER_TEST_OUTCOME_FAIL, 0, 0, NULL, NULL, NULL);
      else if (extra->kind == EXTRA_ORDERED)
        for (guint i = 0; i < extra->tests->len; i++)
          report_not_run (run, g_array_index (extra->tests, guint, i));
      else
        {
          Program *program = g_array_index (run->tests, Test, first).program;

          report_not_run (run, first);
          if (--program->fallbacks_left == 0)
            report_fallback_gaps (run, program);
        }
      extra_free (extra);
    }
}

static void
stop_run (Run        *run,
          StopReason  reason)
{
  g_autoptr(GArray) pending = NULL;

  if (run->stop != STOP_NONE)
    return;
  run->stop = reason;

  /* Listing still going on (a stop that early is a Ctrl-C): kill the listers. */
  for (guint i = 0; run->programs != NULL && i < run->programs->len; i++)
    {
      Program *program = g_ptr_array_index (run->programs, i);

      if (program->lister != NULL)
        g_subprocess_send_signal (program->lister, SIGKILL);
    }

  if (run->scheduler != NULL)
    {
      pending = pacer_scheduler_remove_pending (run->scheduler);
      for (guint i = 0; i < pending->len; i++)
        report_not_run (run, g_array_index (pending, guint, i));
      report_exclusive_not_run (run);
    }
  _pacer_runner_park_stop (run, report_not_run);
  drain_extras (run);

  /* Past the restart limit the healthy workers may finish what they hold;
   * every other stop is meant to be immediate. */
  if (reason != STOP_RESTARTS)
    for (guint i = 0; i < run->n_slots; i++)
      if (run->slots[i].batch != NULL)
        _pacer_batch_kill (run->slots[i].batch, PACER_BATCH_KILL_STOP);
}

/* Batches ---------------------------------------------------------------- */

static Slot *
batch_slot (Run        *run,
            PacerBatch *batch)
{
  return &run->slots[batch->slot];
}

static Program *
batch_program (Run        *run,
               PacerBatch *batch)
{
  return g_array_index (run->tests, Test, g_array_index (batch->tests, guint, 0)).program;
}

/* Seconds a test of @program may run, 0 for no limit: a command's own
 * timeout wins over the run's, as a meson test()'s does. */
static double
program_timeout (Run     *run,
                 Program *program)
{
  if (program->timeout != 0)
    return MAX (program->timeout, 0);
  return run->runner->timeout;
}

/* How long a test may run in a batch split from its program before it is
 * suspected of waiting for what earlier tests of its program set up (a
 * server, a connection): real suites have tests that hang when run alone.
 * A suspect is stopped and confirmed in listing order, where only the
 * timeout applies. A test known to be slow gets four times its duration;
 * one nobody knows gets PacerRunner:split-limit, long enough that a slow
 * machine or a sanitizer does not make every long test a suspect, or, once
 * this run has seen ten tests of its program end, ten times the longest of
 * them (snapd-glib's /install/async-snapd-restart, 0.1 s in order, hangs
 * when split: 60 s lost in a first run of an 8 s suite). 0 if there is no
 * limit. */
#define SPLIT_LIMIT_MIN 10.0
#define SPLIT_SEEN_MIN 10
#define SPLIT_SEEN_FACTOR 10.0

static double
split_limit (Run  *run,
             Test *test)
{
  double expected = -1;

  if (run->runner->split_limit <= 0)
    return 0;
  if (run->runner->history != NULL)
    expected = pacer_duration_history_lookup (run->runner->history, test->program->file, test->path);
  if (expected >= 0)
    return MAX (SPLIT_LIMIT_MIN, 4 * expected);
  if (test->program->n_seen >= SPLIT_SEEN_MIN)
    return MIN (run->runner->split_limit, MAX (SPLIT_LIMIT_MIN, SPLIT_SEEN_FACTOR * test->program->longest_seen));
  return run->runner->split_limit;
}

static void
check_split_limit (Run   *run,
                   Slot  *slot,
                   gint64 now)
{
  PacerBatch *batch = slot->batch;
  double timeout = program_timeout (run, batch_program (run, batch));
  guint position;
  double limit;
  Test *test;

  if (!run->runner->order_check || slot->extra != EXTRA_NONE || batch->whole || batch->exited ||
      batch->kill_reason != PACER_BATCH_KILL_NONE || run->stop != STOP_NONE)
    return;
  position = _pacer_batch_first_unreported (batch);
  if (position == G_MAXUINT || batch_ran_in_order (run, batch, position))
    return;
  test = &g_array_index (run->tests, Test, g_array_index (batch->tests, guint, position));
  limit = split_limit (run, test);
  if (limit <= 0 || (timeout > 0 && limit >= timeout) || now - batch->event_time < (gint64) (limit * G_USEC_PER_SEC))
    return;
  test->split_stopped = limit;
  _pacer_batch_kill (batch, PACER_BATCH_KILL_SPLIT);
}

static void
on_batch_started (PacerBatch *batch,
                  guint       position,
                  gpointer    user_data)
{
  Run *run = user_data;
  Test *test;

  /* A confirmation re-runs finished tests: nothing starts anew. */
  if (batch_slot (run, batch)->extra == EXTRA_CONFIRM ||
      !g_signal_has_handler_pending (run->runner, _pacer_runner_signals[SIGNAL_TEST_STARTED], 0, FALSE))
    return;
  test = &g_array_index (run->tests, Test, g_array_index (batch->tests, guint, position));
  g_signal_emit (run->runner, _pacer_runner_signals[SIGNAL_TEST_STARTED], 0,
                 test->program->name, test->path, batch_slot (run, batch)->id);
}

/* The confirmation of a held failure is in: the failure stands, or the
 * test is order-dependent. @passed is FALSE also when the confirmation
 * could not reach the test. */
static void
resolve_confirmation (Run              *run,
                      guint             test_index,
                      gboolean          passed,
                      PacerTestOutcome  outcome,
                      double            duration,
                      double            start_time,
                      const char       *worker,
                      const char       *confirm_message,
                      const char       *output)
{
  PacerRunner *self = run->runner;
  Test *test = &g_array_index (run->tests, Test, test_index);
  g_autoptr(PacerTestResult) held = g_steal_pointer (&test->held);
  const char *held_message;
  g_autofree char *message = NULL;

  if (held == NULL)
    return;
  held_message = pacer_test_result_get_message (held);
  if (held_message == NULL)
    held_message = _("failed");

  if (test->split_stopped > 0 && (worker != NULL || passed))
    {
      /* It was stopped on suspicion: what it did in order is its result,
       * and it is order-dependent only if it was quick there. */
      if (!passed || duration >= test->split_stopped)
        {
          report (run, test->program, test->path, test_index, outcome, duration, start_time, worker,
                  confirm_message, output);
          return;
        }
    }
  else if (!passed)
    {
      report (run, test->program, test->path, test_index, pacer_test_result_get_outcome (held),
              pacer_test_result_get_duration (held), pacer_test_result_get_start_time (held),
              pacer_test_result_get_worker (held), held_message, pacer_test_result_get_output (held));
      return;
    }

  test->order_dependent = TRUE;
  if (self->history != NULL)
    pacer_duration_history_set_order_dependent (self->history, test->program->file, TRUE);

  if (self->strict_order)
    {
      message = g_strdup_printf (_("order-dependent: %s when split from its program, passes when "
                                   "its program runs in listing order"), held_message);
      report (run, test->program, test->path, test_index, pacer_test_result_get_outcome (held),
              pacer_test_result_get_duration (held), pacer_test_result_get_start_time (held),
              pacer_test_result_get_worker (held), message, pacer_test_result_get_output (held));
      return;
    }

  message = g_strdup_printf (_("order-dependent: passes when its program runs in listing order, "
                               "but not when split from it (%s)"), held_message);
  report (run, test->program, test->path, test_index, outcome, duration, start_time, worker, message,
          output);
}

/* A program that fell back to running whole names its tests in TAP: each
 * stands for the listed test of that path, unless that one has its result
 * already; a path it never listed is a test of its own. */
static void
report_fallback_line (Run              *run,
                      PacerBatch       *batch,
                      const char       *path,
                      PacerTestOutcome  outcome,
                      double            duration,
                      const char       *worker,
                      const char       *message,
                      const char       *output)
{
  Program *program = batch_program (run, batch);
  gpointer found = NULL;

  if (path == NULL || *path == '\0')
    path = "?";
  if (program->paths != NULL)
    for (guint i = 0; i < program->paths->len && found == NULL; i++)
      if (g_str_equal (g_ptr_array_index (program->paths, i), path))
        found = GUINT_TO_POINTER (program->first_test + i + 1);

  if (found != NULL)
    {
      /* The first copy without a result (--dist each has one per worker). */
      for (guint c = 0; c < n_copies_of (run); c++)
        {
          guint test_index = GPOINTER_TO_UINT (found) - 1 + c * run->n_base_tests;

          if (g_array_index (run->tests, Test, test_index).concluded)
            continue;
          report (run, program, g_array_index (run->tests, Test, test_index).path, test_index, outcome,
                  duration, wall_seconds (run, batch->result_start), worker, message, output);
          break;
        }
      return;
    }
  report_full (run, program, path, G_MAXUINT, program->fallback, outcome, duration,
               wall_seconds (run, batch->result_start), worker, message, output);
}

static void
on_batch_result (PacerBatch       *batch,
                 guint             position,
                 const char       *path,
                 PacerTestOutcome  outcome,
                 double            duration,
                 const char       *message,
                 const char       *output,
                 gpointer          user_data)
{
  Run *run = user_data;
  Slot *slot = batch_slot (run, batch);
  const char *worker = slot->id;
  guint test_index;

  if (slot->extra == EXTRA_WHOLE && position == G_MAXUINT)
    {
      report_fallback_line (run, batch, path, outcome, duration, worker, message, output);
      return;
    }

  if (slot->extra == EXTRA_CONFIRM)
    {
      /* Only the test being confirmed counts; the others set the stage. */
      test_index = g_array_index (batch->tests, guint, position);
      if (test_index == slot->target)
        {
          slot->target = G_MAXUINT;
          resolve_confirmation (run, test_index, !pacer_test_outcome_is_failure (outcome), outcome,
                                duration, wall_seconds (run, batch->result_start), worker, message, output);
        }
      return;
    }

  if (position == G_MAXUINT)
    {
      /* A TAP line printed by a whole program: reported, never retried. */
      Program *program = batch_program (run, batch);
      g_autofree char *name = g_strdup_printf ("%s: %s", program->name,
                                               (path != NULL && *path != '\0') ? path : "?");

      report_full (run, program, name, G_MAXUINT, g_array_index (batch->tests, guint, 0), outcome,
                   duration, wall_seconds (run, batch->result_start), worker, message, output);
      return;
    }

  test_index = g_array_index (batch->tests, guint, position);
  mark_complete (run, worker, test_index, duration);
  /* Its program fell back to running whole, which reported it already. */
  if (g_array_index (run->tests, Test, test_index).concluded)
    return;
  if (run->stop == STOP_MAXFAIL || run->stop == STOP_CANCELLED)
    {
      /* Results still arrive between the kill and the exit: they are real. */
      report (run, g_array_index (run->tests, Test, test_index).program,
              g_array_index (run->tests, Test, test_index).path, test_index, outcome, duration,
              wall_seconds (run, batch->result_start), worker, message, output);
      return;
    }
  conclude_attempt (run, test_index, outcome, duration, wall_seconds (run, batch->result_start), worker,
                    message, output, batch, position);
  /* A retry may have been queued: an idle worker can take it now. */
  dispatch_idle_slots (run);
}

/* A program that printed TAP results is counted by them, as meson counts
 * subtests: its own verdict joins them only when it says something they do
 * not (a timeout, a crash, a broken plan, a failing exit that no `not ok`
 * explains). Otherwise it is judged by its exit status, as meson does. */
static void
handle_whole_end (Run        *run,
                  PacerBatch *batch,
                  const char *worker)
{
  guint test_index = g_array_index (batch->tests, guint, 0);
  g_autofree char *end = _pacer_batch_describe_end (batch);
  gboolean has_tap = batch->n_tap_results > 0;
  gboolean redundant = FALSE;
  PacerTestOutcome outcome;
  g_autofree char *message = NULL;

  if (batch->kill_reason == PACER_BATCH_KILL_STOP)
    {
      report_not_run (run, test_index);
      return;
    }
  if (batch->kill_reason == PACER_BATCH_KILL_TIMEOUT)
    {
      outcome = PACER_TEST_OUTCOME_TIMEOUT;
      message = g_strdup_printf (_("timed out after %g s"), program_timeout (run, batch_program (run, batch)));
    }
  else if (batch->signaled)
    {
      outcome = PACER_TEST_OUTCOME_CRASH;
      message = g_steal_pointer (&end);
    }
  else if (has_tap && batch->tap_plan >= 0 && batch->tap_plan != batch->n_tap_results)
    {
      outcome = PACER_TEST_OUTCOME_FAIL;
      /* %lld rather than G_GINT64_FORMAT: xgettext cannot see through GLib's macro. */
      message = g_strdup_printf (ngettext ("planned %lld test but reported %u",
                                           "planned %lld tests but reported %u",
                                           (gulong) batch->tap_plan),
                                 (long long) batch->tap_plan, batch->n_tap_results);
    }
  else if (batch->exit_status == 0)
    {
      outcome = PACER_TEST_OUTCOME_PASS;
      redundant = has_tap;
    }
  else if (batch->exit_status == 77)
    {
      outcome = PACER_TEST_OUTCOME_SKIP;
      redundant = has_tap;
    }
  else
    {
      outcome = PACER_TEST_OUTCOME_FAIL;
      message = g_steal_pointer (&end);
      redundant = batch->n_tap_failures > 0;
    }

  if (redundant)
    {
      PacerRunner *self = run->runner;
      Program *program = batch_program (run, batch);

      /* Its TAP lines are its results; the whole process is what the
       * scheduler places, so its time is what orders it next run. */
      if (self->history != NULL)
        pacer_duration_history_record (self->history, program->file, program->name,
                                       (g_get_monotonic_time () - batch->spawn_time) / (double) G_USEC_PER_SEC);
      mark_complete (run, worker, test_index, batch->last_duration);
      return;
    }

  conclude_attempt (run, test_index, outcome, batch->last_duration, wall_seconds (run, batch->result_start),
                    worker, message, batch->last_output, NULL, 0);
}

/* A listed test is missing when it runs: the program's list of tests changes
 * between calls (names from the clock, the pid, the environment). Its tests
 * without a result yet are left to one process running it whole; nothing is
 * lost and the run goes on. */
static void
fall_back_to_whole (Run     *run,
                    Program *program,
                    guint    missing)
{
  /* --dist each: every worker's copy runs, so each gets a run whole. */
  guint n_copies = n_copies_of (run);
  guint base = missing - g_array_index (run->tests, Test, missing).copy * run->n_base_tests;

  /* Its result comes under the name the program gives it now, once per
   * copy: every copy is covered, or one still queued on another worker
   * would be reported not run when the runs whole end. */
  for (guint c = 0; c < n_copies; c++)
    g_array_index (run->tests, Test, base + c * run->n_base_tests).concluded = TRUE;
  if (program->fallback != G_MAXUINT)
    return;

  note (run, program, _("it has no test “%s” although its -l output listed it: its list of tests "
                        "changes between calls, so it runs whole"),
        g_array_index (run->tests, Test, missing).path);
  program->fallback = run->tests->len;
  program->fallbacks_left = n_copies;
  program->n_fallbacks = n_copies;
  for (guint c = 0; c < n_copies; c++)
    {
      Test test = { 0, };
      Extra *extra = g_new0 (Extra, 1);

      test.program = program;
      test.path = program->name;
      test.alone = TRUE;
      extra->kind = EXTRA_WHOLE;
      extra->tests = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_val (extra->tests, run->tests->len);
      g_array_append_val (run->tests, test);
      g_queue_push_tail (&run->extras, extra);
    }
}

/* After a program's run whole: what it never reported is not lost silently. */
static void
report_fallback_gaps (Run     *run,
                      Program *program)
{
  for (guint i = 0; i < run->tests->len; i++)
    {
      Test *test = &g_array_index (run->tests, Test, i);

      if (test->program != program || test->concluded ||
          (i >= program->fallback && i < program->fallback + program->n_fallbacks))
        continue;
      if (run->stop != STOP_NONE)
        report_not_run (run, i);
      else
        report (run, program, test->path, i, PACER_TEST_OUTCOME_NOT_RUN, 0, 0, NULL,
                _("not run: its program, run whole, did not report it"), NULL);
    }
}

static void
handle_gtest_end (Run        *run,
                  PacerBatch *batch,
                  Slot       *slot)
{
  Program *program = batch_program (run, batch);
  guint culprit = _pacer_batch_first_unreported (batch);
  gboolean died = batch->signaled || batch->kill_reason != PACER_BATCH_KILL_NONE;

  for (guint i = 0; i < batch->tests->len; i++)
    if (batch->missing[i])
      fall_back_to_whole (run, program, g_array_index (batch->tests, guint, i));

  if (!_pacer_batch_has_unreported (batch))
    {
      /* Every test reported; a process killed after that still lost its slot. */
      if (batch->signaled && batch->kill_reason == PACER_BATCH_KILL_NONE)
        {
          g_autofree char *end = _pacer_batch_describe_end (batch);

          g_signal_emit (run->runner, _pacer_runner_signals[SIGNAL_WORKER_DOWN], 0, slot->id, end);
          slot->ready = FALSE;
        }
      return;
    }

  if (batch->kill_reason == PACER_BATCH_KILL_STOP)
    {
      for (guint i = 0; i < batch->tests->len; i++)
        if (!batch->reported[i] && !batch->missing[i])
          report_not_run (run, g_array_index (batch->tests, guint, i));
      return;
    }

  {
    g_autofree char *end = _pacer_batch_describe_end (batch);
    g_autofree char *message = NULL;
    PacerTestOutcome outcome;

    if (batch->kill_reason == PACER_BATCH_KILL_TIMEOUT)
      {
        outcome = PACER_TEST_OUTCOME_TIMEOUT;
        message = g_strdup_printf (_("timed out after %g s"), program_timeout (run, program));
      }
    else if (batch->kill_reason == PACER_BATCH_KILL_SPLIT)
      {
        outcome = PACER_TEST_OUTCOME_TIMEOUT;
        message = g_strdup_printf (_("stopped after %g s in a batch split from its program"),
                                   split_limit (run, &g_array_index (run->tests, Test, g_array_index (batch->tests, guint, culprit))));
      }
    else
      {
        outcome = PACER_TEST_OUTCOME_CRASH;
        if (!died && batch->exit_status == 0)
          message = g_strdup (_("the process exited with status 0 before the test reported a result"));
        else if (batch->bail_reason != NULL)
          message = g_strdup_printf ("%s: %s", end, batch->bail_reason);
        else
          message = g_strdup (end);
      }

    /* Stopping a suspect is the runner's doing, not the worker's failing. */
    if (batch->kill_reason != PACER_BATCH_KILL_SPLIT)
      run->n_restarts++;
    g_signal_emit (run->runner, _pacer_runner_signals[SIGNAL_WORKER_DOWN], 0, slot->id, message);
    slot->ready = FALSE;

    /* Died inside a test: that test is the culprit. Died between two -p
     * passes: nobody is to blame, and the rest simply runs again. */
    if (culprit != G_MAXUINT)
      {
        guint culprit_index = g_array_index (batch->tests, guint, culprit);

        mark_complete (run, slot->id, culprit_index, batch->last_duration);
        conclude_attempt (run, culprit_index, outcome, batch->last_duration,
                          wall_seconds (run, batch->result_start), slot->id, message, batch->last_output,
                          batch, culprit);
      }

    /* One restart too many stops the run, as pytest-xdist's limit does, but
     * the tests it strands are reported, not lost. */
    if (run->n_restarts > run->max_restarts)
      stop_run (run, STOP_RESTARTS);

    if (program->ordered && run->stop == STOP_NONE)
      {
        /* The rest of an ordered program goes on in order, in a fresh process. */
        Extra *extra = g_new0 (Extra, 1);

        extra->kind = EXTRA_ORDERED;
        extra->tests = g_array_new (FALSE, FALSE, sizeof (guint));
        for (guint i = 0; i < batch->tests->len; i++)
          if (i != culprit && !batch->reported[i] && !batch->missing[i])
            g_array_append_val (extra->tests, g_array_index (batch->tests, guint, i));
        if (extra->tests->len > 0)
          g_queue_push_tail (&run->extras, extra);
        else
          extra_free (extra);
        return;
      }

    for (guint i = 0; i < batch->tests->len; i++)
      {
        guint test_index = g_array_index (batch->tests, guint, i);

        if (i == culprit || batch->reported[i] || batch->missing[i])
          continue;
        if (run->stop == STOP_NONE)
          _pacer_runner_requeue (run, test_index);
        else
          report_not_run (run, test_index);
      }
  }
}

static void
on_batch_done (PacerBatch *batch,
               gpointer    user_data)
{
  Run *run = user_data;
  Slot *slot = batch_slot (run, batch);

  if (batch->startup >= 0 && slot->extra == EXTRA_NONE)
    pacer_scheduler_mark_process_overhead (run->scheduler, batch_program (run, batch)->file, batch->startup);

  if (slot->extra == EXTRA_CONFIRM)
    {
      guint culprit = _pacer_batch_first_unreported (batch);
      gboolean in_target = culprit != G_MAXUINT && g_array_index (batch->tests, guint, culprit) == slot->target;

      /* An earlier test died: a serial run with crash recovery goes on
       * after it, and so does the confirmation, with what is left. */
      if (slot->target != G_MAXUINT && !in_target && culprit != G_MAXUINT &&
          culprit + 1 < batch->tests->len && run->stop == STOP_NONE)
        {
          Extra *extra = g_new0 (Extra, 1);

          extra->kind = EXTRA_CONFIRM;
          extra->target = slot->target;
          extra->tests = g_array_sized_new (FALSE, FALSE, sizeof (guint), batch->tests->len - culprit - 1);
          g_array_append_vals (extra->tests, &g_array_index (batch->tests, guint, culprit + 1),
                               batch->tests->len - culprit - 1);
          g_queue_push_tail (&run->extras, extra);
        }
      /* It died in the test, or never reached it: then the failure stands. */
      else if (slot->target != G_MAXUINT)
        {
          g_autofree char *message = NULL;
          PacerTestOutcome outcome = PACER_TEST_OUTCOME_CRASH;

          if (in_target && batch->kill_reason == PACER_BATCH_KILL_TIMEOUT)
            {
              outcome = PACER_TEST_OUTCOME_TIMEOUT;
              message = g_strdup_printf (_("timed out after %g s"), program_timeout (run, batch_program (run, batch)));
            }
          else if (in_target)
            message = _pacer_batch_describe_end (batch);
          resolve_confirmation (run, slot->target, FALSE, outcome, batch->last_duration,
                                wall_seconds (run, batch->result_start), in_target ? slot->id : NULL,
                                message, in_target ? batch->last_output : NULL);
        }
    }
  else if (batch->whole)
    {
      handle_whole_end (run, batch, slot->id);
      if (slot->extra == EXTRA_WHOLE && --batch_program (run, batch)->fallbacks_left == 0)
        report_fallback_gaps (run, batch_program (run, batch));
    }
  else
    handle_gtest_end (run, batch, slot);

  slot->extra = EXTRA_NONE;

  g_clear_pointer (&slot->batch, _pacer_batch_unref);
  slot->serial = FALSE;
  run->n_running--;

  dispatch_idle_slots (run);
  maybe_finish (run);
}

static void
start_batch (Run    *run,
             Slot   *slot,
             GArray *tests)
{
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GArray) pass_end = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  char **paths;
  Program *program;
  guint n_passes;
  gboolean whole;

  program = g_array_index (run->tests, Test, g_array_index (tests, guint, 0)).program;
  whole = program->whole || slot->extra == EXTRA_WHOLE;
  builder = _pacer_runner_common_argv (run, program, TRUE);
  kept = g_array_sized_new (FALSE, FALSE, sizeof (guint), tests->len);
  pass_end = g_array_sized_new (FALSE, FALSE, sizeof (guint), tests->len);
  if (slot->extra == EXTRA_WHOLE)
    {
      /* No -p: every test the program has now, in its own order. */
      g_array_append_vals (kept, tests->data, 1);
      g_array_append_val (pass_end, kept->len);
    }
  else
    _pacer_runner_plan_passes (run, program, tests, slot->extra == EXTRA_CONFIRM || slot->extra == EXTRA_ORDERED,
                               builder, kept, pass_end);
  argv = g_strv_builder_end (builder);

  paths = g_new0 (char *, kept->len + 1);
  for (guint i = 0; i < kept->len; i++)
    paths[i] = g_strdup (g_array_index (run->tests, Test, g_array_index (kept, guint, i)).path);

  g_debug ("%s: %u test(s) of %s in %u pass(es)", slot->id, kept->len, program->name, pass_end->len);
  launcher = make_launcher (run, program, slot->id, FALSE);
  n_passes = pass_end->len;
  slot->batch = _pacer_batch_new (slot - run->slots, kept, paths,
                                  (guint *) (void *) g_array_free (g_steal_pointer (&pass_end), FALSE),
                                  n_passes, whole,
                                  on_batch_result, on_batch_started, on_batch_done, run);
  slot->batch->ignore_tap = whole && !program->tap;

  if (!slot->ready)
    {
      slot->ready = TRUE;
      g_signal_emit (run->runner, _pacer_runner_signals[SIGNAL_WORKER_READY], 0, slot->id);
    }

  if (!_pacer_batch_start (slot->batch, launcher, (const char * const *) argv, &error))
    {
      g_autoptr(PacerBatch) batch = g_steal_pointer (&slot->batch);
      g_autofree char *message = g_strdup_printf (_("Cannot run “%s”: %s"), program->name, error->message);

      /* One program that cannot start is its tests' failure, not the run's. */
      if (slot->extra == EXTRA_CONFIRM)
        resolve_confirmation (run, slot->target, FALSE, PACER_TEST_OUTCOME_FAIL, 0, 0, NULL, NULL, NULL);
      else
        for (guint i = 0; i < kept->len; i++)
          {
            guint test_index = g_array_index (kept, guint, i);

            if (slot->extra == EXTRA_NONE)
              mark_complete (run, slot->id, test_index, 0);
            report (run, program, g_array_index (run->tests, Test, test_index).path, test_index,
                    PACER_TEST_OUTCOME_CRASH, 0, 0, slot->id, message, NULL);
          }
      if (slot->extra == EXTRA_WHOLE && --program->fallbacks_left == 0)
        report_fallback_gaps (run, program);
      slot->extra = EXTRA_NONE;
      return;
    }

  run->n_running++;
}

static void
dispatch (Run  *run,
          Slot *slot)
{
  g_autoptr(GArray) tests = NULL;

  if (run->stop != STOP_NONE || slot->batch != NULL)
    return;

  if (!g_queue_is_empty (&run->extras))
    {
      Extra *extra = g_queue_pop_head (&run->extras);

      slot->serial = FALSE;
      slot->extra = extra->kind;
      slot->target = extra->target;
      start_batch (run, slot, extra->tests);
      extra_free (extra);
      return;
    }

  for (;;)
    {
      Program *program;

      g_clear_pointer (&tests, g_array_unref);
      tests = pacer_scheduler_next_batch (run->scheduler, slot->id);
      if (tests == NULL || tests->len == 0)
        return;
      /* A program that fell back to running whole has its tests covered. */
      program = g_array_index (run->tests, Test, g_array_index (tests, guint, 0)).program;
      if (program->fallback == G_MAXUINT && program->ordered)
        {
          /* Its first test stands for them all: the whole program, in order. */
          g_array_set_size (tests, 0);
          for (guint i = program->first_test; i < program->first_test + program->paths->len; i++)
            if (!g_array_index (run->tests, Test, i).concluded)
              g_array_append_val (tests, i);
          slot->extra = EXTRA_ORDERED;
          slot->serial = FALSE;
          start_batch (run, slot, tests);
          return;
        }
      if (program->fallback == G_MAXUINT)
        break;
      for (guint i = 0; i < tests->len; i++)
        pacer_scheduler_mark_test_complete (run->scheduler, slot->id, g_array_index (tests, guint, i), 0);
    }
  /* A serial test waits until nothing else runs. */
  slot->serial = FALSE;
  if (_pacer_runner_hold_serial (run, slot - run->slots, &tests))
    return;
  start_batch (run, slot, tests);
}

static void
dispatch_idle_slots (Run *run)
{
  /* In the exclusive pass gw0 alone runs. */
  guint n_slots = run->exclusive_pass ? MIN (run->n_active, 1) : run->n_active;

  if (run->parked != NULL && run->n_running == 0 && run->stop == STOP_NONE)
    {
      g_autoptr(GArray) tests = g_steal_pointer (&run->parked);
      Slot *slot = &run->slots[run->parked_slot];

      slot->serial = TRUE;
      start_batch (run, slot, tests);
    }

  for (guint i = 0; i < n_slots && run->stop == STOP_NONE; i++)
    {
      if (_pacer_runner_serial_blocks (run))
        return;
      if (run->slots[i].batch == NULL)
        dispatch (run, &run->slots[i]);
    }
}

/* Converting a double beyond gint64 is undefined: a timeout of 1e300 s is
 * a timeout of ~292 000 years. */
static gint64
timeout_usec (double seconds)
{
  return (gint64) MIN (seconds * G_USEC_PER_SEC, (double) (G_MAXINT64 / 2));
}

static gboolean
on_tick (gpointer user_data)
{
  Run *run = user_data;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < run->n_slots; i++)
    {
      PacerBatch *batch = run->slots[i].batch;

      if (batch != NULL &&
          !_pacer_batch_check_timeout (batch, now, timeout_usec (program_timeout (run, batch_program (run, batch)))))
        check_split_limit (run, &run->slots[i], now);
    }

  return G_SOURCE_CONTINUE;
}

/* Finishing -------------------------------------------------------------- */

#define TEARDOWN_TIME_LIMIT 60.0

static void on_teardown_done (char **failures, gpointer user_data);

/* How often a run that may grow looks at the CPUs: often enough to
 * matter to a suite of a few seconds, seldom enough that one sample spans
 * many scheduler ticks. */
#define SCALE_MSEC 500
/* After a worker is given back, the CPUs are left to settle. */
#define NO_GROW_AFTER_SHRINK_USEC (2 * G_USEC_PER_SEC)

static gboolean
on_scale_tick (gpointer user_data)
{
  Run *run = user_data;
  PacerCpuSample sample;
  PacerCpuRoom room;

  if (!_pacer_cpu_sample_read ("/proc", &sample))
    return G_SOURCE_CONTINUE;
  room = _pacer_cpu_room (&run->cpu_sample, &sample);
  run->cpu_sample = sample;

  if (room == PACER_CPU_ROOM_SHRINK && run->n_active > run->n_active_min)
    {
      /* Its batch runs to its end; then dispatch_idle_slots() passes it by. */
      run->n_active--;
      run->no_grow_until = sample.time + NO_GROW_AFTER_SHRINK_USEC;
    }
  else if (room == PACER_CPU_ROOM_GROW && run->n_active < run->n_slots && sample.time >= run->no_grow_until &&
           run->stop == STOP_NONE && !run->exclusive_pass && run->parked == NULL &&
           (pacer_scheduler_has_pending (run->scheduler) || !g_queue_is_empty (&run->extras)))
    {
      run->n_active++;
      run->runner->n_workers_used = MAX (run->runner->n_workers_used, run->n_active);
      dispatch_idle_slots (run);
    }
  return G_SOURCE_CONTINUE;
}

static void
teardown_fixtures (Run *run)
{
  g_autoptr(GPtrArray) gtest_programs = g_ptr_array_new ();
  double time_limit = run->runner->timeout > 0 ? run->runner->timeout : TEARDOWN_TIME_LIMIT;

  for (guint i = 0; run->programs != NULL && i < run->programs->len; i++)
    {
      Program *program = g_ptr_array_index (run->programs, i);

      if (!program->whole && program->paths != NULL)
        g_ptr_array_add (gtest_programs, program->file);
    }
  g_ptr_array_add (gtest_programs, NULL);

  _pacer_fixture_teardown_run (run->context, run->run_dir, run->testrun_uid,
                               (const char * const *) gtest_programs->pdata, time_limit,
                               on_teardown_done, run);
}

static void
maybe_finish (Run *run)
{
  PacerRunner *self = run->runner;

  if (run->finished || run->n_listing > 0 || run->n_running > 0)
    return;
  if (run->stop == STOP_NONE && run->scheduler != NULL && pacer_scheduler_has_pending (run->scheduler))
    return;
  if (run->stop == STOP_NONE && !g_queue_is_empty (&run->extras))
    return;
  if (run->stop == STOP_NONE && run->n_exclusive > 0 && !run->exclusive_pass)
    {
      start_exclusive_pass (run);
      if (run->n_running > 0 || (run->stop == STOP_NONE && pacer_scheduler_has_pending (run->scheduler)))
        return;
    }

  run->finished = TRUE;
  self->finished_at = g_get_real_time () / (double) G_USEC_PER_SEC;
  clear_tick (run);

  for (guint i = 0; i < run->n_slots; i++)
    if (run->slots[i].ready)
      g_signal_emit (self, _pacer_runner_signals[SIGNAL_WORKER_DOWN], 0, run->slots[i].id, NULL);

  if (self->history != NULL && run->tests != NULL && run->tests->len > 0 && !self->list_only)
    {
      g_autoptr(GError) error = NULL;

      if (!pacer_duration_history_save (self->history, &error))
        g_warning ("%s", error->message);
    }

  /* Shared fixtures are cleaned up last, whatever ended the run. */
  teardown_fixtures (run);
}

static void
on_teardown_done (char     **failures,
                  gpointer   user_data)
{
  Run *run = user_data;
  PacerRunner *self = run->runner;
  g_autoptr(GTask) task = NULL;

  g_strfreev (self->cleanup_failures);
  self->cleanup_failures = failures;

  /* Whatever left the process groups (a daemon, a double fork) goes before its run directory. */
  g_clear_pointer (&run->reaper, _pacer_reaper_stop);
  _pacer_remove_tree (run->run_dir);

  /* A listing is not a run. */
  if (!self->list_only)
    g_signal_emit (self, _pacer_runner_signals[SIGNAL_RUN_FINISHED], 0);

  task = g_steal_pointer (&run->task);
  if (run->stop == STOP_CANCELLED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was interrupted"));
  else
    g_task_return_boolean (task, TRUE);

  self->run = NULL;
  run_free (run);
}

/* Starting --------------------------------------------------------------- */

/* -s is GTest's exact-match skip: such tests are reported skipped without
 * a process. */
static gboolean
skipped_by_request (PacerRunner *self,
                    Test        *test)
{
  return !test->program->whole && self->skip_paths != NULL &&
         g_strv_contains ((const char * const *) self->skip_paths, test->path);
}

/* What an ordered program's one process is expected to take. */
static double
ordered_expected (Run     *run,
                  Program *program)
{
  double sum = 0;

  for (guint i = 0; i < program->paths->len; i++)
    {
      double seconds = pacer_duration_history_lookup (run->runner->history, program->file,
                                                      g_ptr_array_index (program->paths, i));

      if (seconds < 0)
        return -1;
      sum += seconds;
    }
  return sum;
}

/* A program with order-dependent tests, as an earlier run found: its tests
 * run in one process, in listing order, as a serial run has them. */
static gboolean
runs_in_order (Run     *run,
               Program *program)
{
  PacerRunner *self = run->runner;

  if (self->history == NULL || program->whole || program->paths == NULL || program->paths->len < 2 ||
      self->dist == PACER_DIST_MODE_EACH ||
      !pacer_duration_history_get_order_dependent (self->history, program->file))
    return FALSE;
  /* A path that is also a suite needs a `-x` that would skip its siblings. */
  for (guint i = 0; i < program->paths->len; i++)
    if (program->suites != NULL && g_hash_table_contains (program->suites, g_ptr_array_index (program->paths, i)))
      return FALSE;
  return TRUE;
}

/* Hands the tests of exclusive commands, or of all others, to the scheduler. */
static void
queue_tests (Run      *run,
             gboolean  exclusive)
{
  PacerRunner *self = run->runner;

  for (guint i = 0; i < run->tests->len && run->stop == STOP_NONE; i++)
    {
      Test *test = &g_array_index (run->tests, Test, i);
      double expected = -1;

      if (test->program->exclusive != exclusive)
        continue;
      if (skipped_by_request (self, test))
        {
          report (run, test->program, test->path, i, PACER_TEST_OUTCOME_SKIP, 0, 0, NULL,
                  _("by request (-s option)"), NULL);
          continue;
        }
      if (test->program->skip_reason != NULL)
        {
          report (run, test->program, test->path, i, PACER_TEST_OUTCOME_SKIP, 0, 0, NULL,
                  test->program->skip_reason, NULL);
          continue;
        }
      if (test->program->ordered)
        {
          /* The first test to run stands for the program. */
          if (test->program->ordered_queued)
            {
              test->rider = TRUE;
              continue;
            }
          test->program->ordered_queued = TRUE;
          expected = ordered_expected (run, test->program);
        }
      else if (self->history != NULL)
        expected = pacer_duration_history_lookup (self->history, test->program->file, test->path);
      pacer_scheduler_add_test (run->scheduler, i, test->program->file, test->path, expected,
                                test->alone ? PACER_SCHEDULE_FLAGS_ALONE : PACER_SCHEDULE_FLAGS_NONE);
    }

  /* Listing started the program and registered its tests: the best first
   * guess at what each of its processes costs before running anything. */
  for (guint p = 0; p < run->programs->len; p++)
    {
      Program *program = g_ptr_array_index (run->programs, p);

      if (!program->whole && program->exclusive == exclusive)
        pacer_scheduler_mark_process_overhead (run->scheduler, program->file, program->list_seconds);
    }
}

/* Everything else is over: exclusive commands run now, one process at a
 * time. A scheduler of its own with the one worker gw0 keeps that true
 * whatever policy served the first pass (a policy that pins tests to
 * workers would strand them on slots that no longer run). */
static void
start_exclusive_pass (Run *run)
{
  run->exclusive_pass = TRUE;
  g_clear_object (&run->scheduler);
  run->scheduler = pacer_load_scheduler_new ();
  /* No slot at all: every exclusive test was skipped by -s. */
  if (run->n_slots > 0)
    pacer_scheduler_add_worker (run->scheduler, run->slots[0].id);
  queue_tests (run, TRUE);
  dispatch_idle_slots (run);
}

/* The run stopped before the exclusive pass: its tests are reported, not lost. */
static void
report_exclusive_not_run (Run *run)
{
  if (run->exclusive_pass || run->n_exclusive == 0)
    return;
  run->exclusive_pass = TRUE;
  for (guint i = 0; i < run->tests->len; i++)
    if (g_array_index (run->tests, Test, i).program->exclusive)
      report_not_run (run, i);
}

/* pacer_runner_list_tests(): what the run would start, in listing order. */
static void
list_tests (Run *run)
{
  PacerRunner *self = run->runner;

  for (guint i = 0; i < run->tests->len; i++)
    {
      Test *test = &g_array_index (run->tests, Test, i);

      if (skipped_by_request (self, test))
        continue;
      g_ptr_array_add (self->listed, _pacer_test_result_new_full (test->program->name, test->path,
                                                                  PACER_TEST_OUTCOME_NOT_RUN, 0,
                                                                  NULL, NULL, NULL, NULL));
    }
}

static void
start_workers (Run *run)
{
  PacerRunner *self = run->runner;
  guint n_runnable = 0;
  gboolean with_timeout = FALSE;
  guint wanted;

  _pacer_runner_apply_partition (run);

  for (guint p = 0; p < run->programs->len; p++)
    {
      Program *program = g_ptr_array_index (run->programs, p);

      program->first_test = run->tests->len;
      if (program->whole || program->skip_reason != NULL)
        {
          Test test = { program, program->name, TRUE, 0, NULL, PACER_TEST_OUTCOME_PASS, FALSE };

          g_array_append_val (run->tests, test);
          self->n_whole_programs++;
          continue;
        }

      if (program->suites == NULL)
        program->suites = _pacer_listing_find_suites (program->paths);
      program->ordered = runs_in_order (run, program);
      if (program->ordered)
        note (run, program, _("its tests run in one process, in listing order: an earlier run found "
                              "order-dependent tests in it"));
      program->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_array_unref);
      for (guint i = 0; i < program->paths->len; i++)
        {
          const char *path = g_ptr_array_index (program->paths, i);
          const char *slash = strrchr (path, '/');
          Test test = { program, path, g_hash_table_contains (program->suites, path), 0, NULL,
                        PACER_TEST_OUTCOME_PASS, FALSE };
          guint index = run->tests->len;

          g_array_append_val (run->tests, test);
          if (slash != NULL && slash != path)
            {
              g_autofree char *parent = g_strndup (path, slash - path);
              GArray *members = g_hash_table_lookup (program->members, parent);

              if (members == NULL)
                {
                  members = g_array_new (FALSE, FALSE, sizeof (guint));
                  g_hash_table_insert (program->members, g_steal_pointer (&parent), members);
                }
              g_array_append_val (members, index);
            }
        }
    }

  self->n_tests = run->tests->len;
  if (self->list_only)
    {
      list_tests (run);
      maybe_finish (run);
      return;
    }
  wanted = self->n_workers > 0 ? self->n_workers : pacer_runner_get_usable_cpus ();

  for (guint i = 0; i < run->tests->len; i++)
    {
      Test *test = &g_array_index (run->tests, Test, i);

      if (skipped_by_request (self, test) || test->program->skip_reason != NULL)
        continue;
      n_runnable++;
    }

  /* Never more workers than tests: a worker with nothing to do only costs. */
  run->n_slots = _pacer_runner_n_slots (run, MIN (wanted, n_runnable));
  run->n_active = run->n_active_min = run->n_slots;
  /* A run may grow only where it can tell when to stop: with pressure
   * stall information. Each copy of --dist each needs a worker from the
   * start, and --dist no keeps to one. */
  if (self->max_workers > run->n_slots && self->dist != PACER_DIST_MODE_EACH &&
      self->dist != PACER_DIST_MODE_NO && _pacer_cpu_sample_read ("/proc", &run->cpu_sample) &&
      run->cpu_sample.has_stall)
    run->n_slots = MAX (run->n_slots, MIN (self->max_workers, n_runnable));
  self->n_workers_used = run->n_active;
  run->max_restarts = self->max_worker_restart >= 0 ? (guint) self->max_worker_restart : 4 * MAX (run->n_slots, 1);
  run->slots = g_new0 (Slot, MAX (run->n_slots, 1));

  run->scheduler = _pacer_runner_make_scheduler (run);
  _pacer_runner_mark_serial (run);
  _pacer_runner_copy_for_each (run);
  self->n_tests = run->tests->len;

  g_signal_emit (self, _pacer_runner_signals[SIGNAL_RUN_STARTED], 0);

  for (guint i = 0; i < run->n_slots; i++)
    {
      run->slots[i].id = g_strdup_printf ("gw%u", i);
      pacer_scheduler_add_worker (run->scheduler, run->slots[i].id);
    }

  for (guint i = 0; i < run->tests->len; i++)
    if (g_array_index (run->tests, Test, i).program->exclusive)
      run->n_exclusive++;
  queue_tests (run, FALSE);

  for (guint p = 0; p < run->programs->len && !with_timeout; p++)
    with_timeout = program_timeout (run, g_ptr_array_index (run->programs, p)) > 0;
  /* Ticks also serve the split limit (see check_split_limit()). */
  if (with_timeout || self->order_check)
    {
      GSource *source = g_timeout_source_new (TICK_MSEC);

      g_source_set_callback (source, on_tick, run, NULL);
      g_source_set_static_name (source, "[pacer] timeout check");
      run->tick_source = g_source_attach (source, run->context);
      g_source_unref (source);
    }

  if (run->n_slots > run->n_active)
    {
      GSource *source = g_timeout_source_new (SCALE_MSEC);

      g_source_set_callback (source, on_scale_tick, run, NULL);
      g_source_set_static_name (source, "[pacer] CPU room");
      run->scale_source = g_source_attach (source, run->context);
      g_source_unref (source);
    }

  dispatch_idle_slots (run);
  maybe_finish (run);
}

/* What a program that skipped itself while listing said about why: its TAP
 * skip directive (`1..0 # SKIP no bus`), else its last line of error output. */
static char *
listing_skip_reason (GBytes *stdout_bytes,
                     GBytes *stderr_bytes)
{
  GBytes *streams[] = { stdout_bytes, stderr_bytes };

  for (guint s = 0; s < G_N_ELEMENTS (streams); s++)
    {
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      const char *last = NULL;

      if (streams[s] == NULL || g_bytes_get_size (streams[s]) == 0)
        continue;
      text = g_utf8_make_valid (g_bytes_get_data (streams[s], NULL), g_bytes_get_size (streams[s]));
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *skip = strstr (lines[i], "# SKIP");

          if (s == 0 && skip != NULL)
            {
              skip += strlen ("# SKIP");
              while (*skip == ' ' || *skip == '\t')
                skip++;
              if (*skip != '\0')
                return g_strstrip (g_strdup (skip));
            }
          if (*g_strstrip (lines[i]) != '\0')
            last = lines[i];
        }
      if (s == 1 && last != NULL)
        return g_strdup (last);
    }
  return g_strdup (_("skipped itself while listing its tests (exit status 77)"));
}

/* How a listing ended that was not a clean exit: “signal 11”, “exit status 1”. */
static char *
describe_exit (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    return g_strdup_printf (_("signal %d"), g_subprocess_get_term_sig (process));
  return g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (process));
}

/* A program's listing tells how it runs: split into tests, skipped (it
 * skipped itself, as programs that need a bus or a service do), or whole,
 * judged by its exit status and TAP as gnome-desktop-testing-runner and meson
 * judge it. One program's listing never stops the run. */
static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Program *program = user_data;
  GSubprocess *lister = G_SUBPROCESS (source);
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) error = NULL;
  PacerRunner *self;
  Run *run;
  gboolean is_gtest = FALSE;
  gsize length = 0;
  const char *text;

  g_subprocess_communicate_finish (lister, result, &stdout_bytes, &stderr_bytes, &error);
  self = g_object_get_data (G_OBJECT (lister), "pacer-runner");
  run = self->run;
  run->n_listing--;
  g_clear_object (&program->lister);

  if (run->n_listing == 0)
    clear_source (run, &run->list_timeout_source);

  if (run->stop != STOP_NONE)
    {
      maybe_finish (run);
      return;
    }

  program->list_seconds = (g_get_monotonic_time () - program->list_start) / (double) G_USEC_PER_SEC;

  if (program->list_timed_out)
    {
      program->whole = TRUE;
      note (run, program, _("listing its tests took longer than %g s: it runs whole"), run->list_limit);
    }
  else if (error != NULL)
    {
      program->whole = TRUE;
      note (run, program, _("cannot list its tests (%s): it runs whole"), error->message);
    }
  else if (g_subprocess_get_if_exited (lister) && g_subprocess_get_exit_status (lister) == 77)
    program->skip_reason = listing_skip_reason (stdout_bytes, stderr_bytes);
  else if (!(g_subprocess_get_if_exited (lister) && g_subprocess_get_exit_status (lister) == 0))
    {
      g_autofree char *end = describe_exit (lister);

      program->whole = TRUE;
      note (run, program, _("listing its tests failed (%s): it runs whole"), end);
    }
  else
    {
      text = g_bytes_get_data (stdout_bytes, &length);
      program->paths = _pacer_listing_parse (text, length, &is_gtest);
      program->whole = !is_gtest;
    }

  if (run->n_listing == 0)
    start_workers (run);
}

/* --timeout bounds listing too: a program that hangs on -l must not hang the run. */
static gboolean
on_list_timeout (gpointer user_data)
{
  Run *run = user_data;

  run->list_timeout_source = 0;
  for (guint i = 0; i < run->programs->len; i++)
    {
      Program *program = g_ptr_array_index (run->programs, i);

      if (program->lister != NULL)
        {
          program->list_timed_out = TRUE;
          g_subprocess_send_signal (program->lister, SIGKILL);
        }
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Run *run = user_data;

  stop_run (run, STOP_CANCELLED);
  maybe_finish (run);
  return G_SOURCE_REMOVE;
}

/* Resolves a program as a shell would and checks that it can be run. */
static char *
resolve_program (const char  *name,
                 GError     **error)
{
  g_autofree char *file = NULL;

  if (strchr (name, '/') == NULL)
    {
      file = g_find_program_in_path (name);
      if (file == NULL)
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("Test program “%s” not found"), name);
          return NULL;
        }
    }
  else
    file = g_canonicalize_filename (name, NULL);

  if (!g_file_test (file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Test program “%s” does not exist"), name);
      return NULL;
    }
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR) || !g_file_test (file, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Test program “%s” is not an executable file"), name);
      return NULL;
    }

  return g_steal_pointer (&file);
}

/* A command as the run sees it: a program named by the command, keyed by
 * its name (the same executable may serve several commands), spawned with
 * its argv. Settings are copied: the run keeps what it read. */
static Program *
command_program (Run               *run,
                 PacerTestCommand  *command,
                 GError           **error)
{
  const char *name = pacer_test_command_get_name (command);
  const char * const *argv = pacer_test_command_get_argv (command);
  const char *cwd = pacer_test_command_get_working_directory (command);
  Program *program;
  char *file;

  for (guint j = 0; j < run->programs->len; j++)
    {
      Program *other = g_ptr_array_index (run->programs, j);

      if (other->argv != NULL && g_str_equal (other->name, name))
        {
          g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                       _("Two test commands are named “%s”"), name);
          return NULL;
        }
    }
  if (cwd != NULL && !g_file_test (cwd, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("The working directory “%s” of “%s” is not a directory"), cwd, name);
      return NULL;
    }
  file = resolve_program (argv[0], error);
  if (file == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  program = g_new0 (Program, 1);
  program->name = g_strdup (name);
  program->file = g_strdup (name);
  program->argv = g_strdupv ((char **) argv);
  g_free (program->argv[0]);
  program->argv[0] = file;
  program->cwd = g_strdup (cwd);
  program->env = g_strdupv ((char **) pacer_test_command_get_environment (command));
  program->tap = pacer_test_command_get_tap (command);
  program->exclusive = pacer_test_command_get_exclusive (command);
  program->fallback = G_MAXUINT;
  program->timeout = pacer_test_command_get_timeout (command);
  return program;
}

/* Starts the run set up in @self: @task completes when it is over. */
void
_pacer_run_start (PacerRunner  *self,
                  GTask        *owned_task,
                  GCancellable *cancellable)
{
  /* Ours from here on: dropped on every early return, kept by the run otherwise. */
  g_autoptr(GTask) task = owned_task;
  g_autoptr(GError) error = NULL;
  Run *run;

  run = g_new0 (Run, 1);
  run->runner = self;
  run->wall_offset = g_get_real_time () - g_get_monotonic_time ();
  run->context = g_main_context_ref_thread_default ();
  run->programs = g_ptr_array_new_with_free_func ((GDestroyNotify) program_free);
  run->tests = g_array_new (FALSE, FALSE, sizeof (Test));
  g_array_set_clear_func (run->tests, (GDestroyNotify) test_clear);

  for (guint i = 0; self->programs != NULL && self->programs[i] != NULL; i++)
    {
      Program *program = g_new0 (Program, 1);
      gboolean seen = FALSE;

      program->name = g_strdup (self->programs[i]);
      program->tap = TRUE;
      program->fallback = G_MAXUINT;
      program->file = resolve_program (program->name, &error);
      if (program->file == NULL)
        {
          program_free (program);
          g_task_return_error (task, g_steal_pointer (&error));
          run_free (run);
          return;
        }

      /* The same program given twice runs once: its tests are the same tests. */
      for (guint j = 0; j < run->programs->len && !seen; j++)
        seen = g_str_equal (((Program *) g_ptr_array_index (run->programs, j))->file, program->file);
      if (seen)
        program_free (program);
      else
        g_ptr_array_add (run->programs, program);
    }

  for (guint i = 0; i < self->commands->len; i++)
    {
      Program *program = command_program (run, g_ptr_array_index (self->commands, i), &error);

      if (program == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          run_free (run);
          return;
        }
      g_ptr_array_add (run->programs, program);
    }

  run->run_dir = _pacer_make_run_dir (&error);
  if (run->run_dir == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      run_free (run);
      return;
    }
  run->testrun_uid = g_uuid_string_random ();
  run->reaper = _pacer_reaper_start (run->testrun_uid);
  run->seed = self->seed != NULL ? g_strdup (self->seed) : pacer_runner_generate_seed ();
  g_free (self->used_seed);
  self->used_seed = g_strdup (run->seed);
  run->task = g_steal_pointer (&task);
  self->run = run;

  if (self->history != NULL && !pacer_duration_history_load (self->history, &error))
    {
      /* A broken cache only loses the ordering; say so and carry on. */
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }

  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (on_cancelled), run, NULL);
      g_source_set_static_name (run->cancel_source, "[pacer] run cancelled");
      g_source_attach (run->cancel_source, run->context);
    }

  /* List every program at once: their start-up costs overlap. */
  for (guint i = 0; i < run->programs->len; i++)
    {
      Program *program = g_ptr_array_index (run->programs, i);
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GStrvBuilder) builder = NULL;
      g_auto(GStrv) argv = NULL;

      if (!_pacer_listing_may_be_gtest (program->argv != NULL ? program->argv[0] : program->file))
        {
          program->whole = TRUE;
          continue;
        }

      launcher = make_launcher (run, program, NULL, TRUE);
      builder = g_strv_builder_new ();
      _pacer_runner_add_program_argv (program, builder);
      g_strv_builder_add (builder, "-l");
      /* Some programs name tests after g_test_rand_int(): list with the
       * seed the tests will run with, so the names agree. */
      g_strv_builder_add_many (builder, "--seed", run->seed, NULL);
      if (self->mode != NULL)
        g_strv_builder_add_many (builder, "-m", self->mode, NULL);
      for (guint j = 0; self->paths != NULL && self->paths[j] != NULL; j++)
        g_strv_builder_add_many (builder, "-p", self->paths[j], NULL);
      argv = g_strv_builder_end (builder);

      program->lister = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
      if (program->lister == NULL)
        {
          /* Running it whole will fail the same way: that is its result. */
          program->whole = TRUE;
          note (run, program, _("cannot list its tests (%s): it runs whole"), error->message);
          g_clear_error (&error);
          continue;
        }
      program->list_start = g_get_monotonic_time ();
      g_object_set_data (G_OBJECT (program->lister), "pacer-runner", self);
      run->n_listing++;
      g_subprocess_communicate_async (program->lister, NULL, NULL, on_listed, program);
    }

  /* A program that hangs when asked for -l must not hang the run: it is
   * bounded by --timeout, or by a minute, far more than any listing takes.
   * A short per-test timeout does not bound listing below ten seconds: a
   * big program, or one under a sanitizer, takes a while to list. */
  run->list_limit = self->timeout > 0 ? MAX (self->timeout, LIST_TIME_LIMIT_MIN) : LIST_TIME_LIMIT;
  if (run->n_listing > 0)
    {
      GSource *source = g_timeout_source_new ((guint) MIN (run->list_limit * 1000, G_MAXUINT));

      g_source_set_callback (source, on_list_timeout, run, NULL);
      g_source_set_static_name (source, "[pacer] listing timeout");
      run->list_timeout_source = g_source_attach (source, run->context);
      g_source_unref (source);
    }

  /* Nothing to list (every program runs whole): start at once. A listing
   * then ends inside start_workers(), which may free the run: no
   * maybe_finish() after it. */
  if (run->n_listing == 0 && run->stop == STOP_NONE)
    start_workers (run);
  else
    maybe_finish (run);
}
