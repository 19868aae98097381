/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One run, from listing to the last result: hand batches to worker slots,
 * turn what each process said into results, confirm, retry, stop, and
 * clean up. It reads PacerEngineSettings and tells what happens through
 * PacerEngineCallbacks (pacer-engine-private.h); PacerRunner drives it and
 * forwards. pacer-engine-programs.c lists the programs first. */

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
#include "pacer-engine-state-private.h"
#include "pacer-runner.h"
#include "pacer-test-result-private.h"

#define TICK_MSEC 100

static void dispatch_idle_slots (PacerEngine *run);
static void maybe_finish (PacerEngine *run);
static void stop_run (PacerEngine *run, PacerEngineStop reason);
static void report_exclusive_not_run (PacerEngine *run);
static void start_exclusive_pass (PacerEngine *run);

/* Helpers ---------------------------------------------------------------- */

void
_pacer_engine_clear_source (PacerEngine *run,
                            guint       *id)
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
clear_tick (PacerEngine *run)
{
  _pacer_engine_clear_source (run, &run->tick_source);
  _pacer_engine_clear_source (run, &run->list_timeout_source);
  _pacer_engine_clear_source (run, &run->scale_source);
}

static void
test_clear (PacerEngineTest *test)
{
  g_free (test->first_failure);
  g_clear_object (&test->held);
  g_clear_pointer (&test->failed_attempts, g_ptr_array_unref);
}

static void
extra_free (PacerEngineExtra *extra)
{
  g_array_unref (extra->tests);
  g_free (extra);
}

static void
run_free (PacerEngine *run)
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
  _pacer_engine_leave_build (run);
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

guint
_pacer_engine_attach (PacerEngine *run,
                      GSource     *source,
                      GSourceFunc  func,
                      const char  *static_name)
{
  guint id;

  g_source_set_callback (source, func, run, NULL);
  g_source_set_static_name (source, static_name);
  id = g_source_attach (source, run->context);
  g_source_unref (source);
  return id;
}

/* A note on how a program runs, for the person reading the run. */
void
_pacer_engine_note (PacerEngine        *run,
                    PacerEngineProgram *program,
                    const char         *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s: %s", program->name, message);
  run->callbacks->note (program->name, message, run->user_data);
}

/* How many copies of each listed test the run has: one per worker with
 * --dist each (copy c of test i is i + c × n_base_tests), else one. */
static guint
n_copies_of (PacerEngine *run)
{
  return run->settings->dist == PACER_DIST_MODE_EACH && run->n_base_tests > 0 ? MAX (run->n_slots, 1) : 1;
}

/* The scheduler hears only of the tests it handed out: the riders of an
 * ordered program go with its first test. */
static void
mark_complete (PacerEngine *run,
               const char  *worker,
               guint        test_index,
               double       duration)
{
  if (!g_array_index (run->tests, PacerEngineTest, test_index).rider)
    pacer_scheduler_mark_test_complete (run->scheduler, worker, test_index, duration);
}

/* Reporting -------------------------------------------------------------- */

/* Batches time tests on the monotonic clock; reports want the wall clock.
 * One offset for the whole run: read afresh for each result, a controller
 * preempted between the two clock reads would shift results against each
 * other, and a worker's tests could seem to overlap. */
static double
wall_seconds (PacerEngine *run,
              gint64       monotonic_usec)
{
  return (monotonic_usec + run->wall_offset) / (double) G_USEC_PER_SEC;
}

/* @start_time is when the attempt started in Unix seconds, 0 if it did not run. */
static PacerTestResult *
new_result (PacerEngineProgram *program,
            const char         *path,
            PacerTestOutcome    outcome,
            double              duration,
            double              start_time,
            guint               attempts,
            const char         *worker,
            const char         *message,
            const char         *output,
            GStrv               command)
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
report_full (PacerEngine        *run,
             PacerEngineProgram *program,
             const char         *path,
             guint               test_index,
             guint               command_test,
             PacerTestOutcome    outcome,
             double              duration,
             double              start_time,
             const char         *worker,
             const char         *message,
             const char         *output)
{
  g_autoptr(PacerTestResult) result = NULL;
  g_auto(GStrv) command = NULL;
  PacerEngineTest *test = test_index != G_MAXUINT ? &g_array_index (run->tests, PacerEngineTest, test_index) : NULL;

  /* Only a failure needs reproducing; a 100 000-test run keeps every result. */
  if (command_test != G_MAXUINT &&
      (pacer_test_outcome_is_failure (outcome) || outcome == PACER_TEST_OUTCOME_FLAKY))
    command = _pacer_engine_single_test_argv (run, command_test);

  result = new_result (program, path, outcome, duration, start_time, test != NULL ? test->attempts : 0,
                       worker, message, output, g_steal_pointer (&command));
  if (test != NULL && test->order_dependent)
    _pacer_test_result_set_order_dependent (result, TRUE);
  if (test != NULL && test->failed_attempts != NULL)
    _pacer_test_result_set_attempt (result, pacer_test_result_get_start_time (result),
                                    pacer_test_result_get_end_time (result),
                                    pacer_test_result_get_attempts (result),
                                    g_steal_pointer (&test->failed_attempts));

  if (test != NULL)
    test->concluded = TRUE;
  if (test != NULL && outcome != PACER_TEST_OUTCOME_NOT_RUN)
    {
      program->n_seen++;
      program->longest_seen = MAX (program->longest_seen, duration);
    }

  if (run->settings->history != NULL && outcome != PACER_TEST_OUTCOME_NOT_RUN && test_index != G_MAXUINT)
    pacer_duration_history_record (run->settings->history, program->file, path, duration);

  run->callbacks->test_finished (result, run->user_data);

  if (pacer_test_outcome_is_failure (outcome))
    {
      run->n_failures++;
      if (run->settings->maxfail > 0 && run->n_failures >= run->settings->maxfail)
        stop_run (run, PACER_ENGINE_STOP_MAXFAIL);
    }
}

static void
report (PacerEngine        *run,
        PacerEngineProgram *program,
        const char         *path,
        guint               test_index,
        PacerTestOutcome    outcome,
        double              duration,
        double              start_time,
        const char         *worker,
        const char         *message,
        const char         *output)
{
  report_full (run, program, path, test_index, test_index, outcome, duration, start_time, worker,
               message, output);
}

static const char *
stop_message (PacerEngine *run)
{
  switch (run->stop)
    {
    case PACER_ENGINE_STOP_MAXFAIL:
      return _("not run: the run stopped after reaching the maximum number of failures");
    case PACER_ENGINE_STOP_RESTARTS:
      return _("not run: the run stopped after reaching the worker restart limit");
    case PACER_ENGINE_STOP_CANCELLED:
      return _("not run: the run was interrupted");
    case PACER_ENGINE_STOP_NONE:
    default:
      return NULL;
    }
}

static void
report_not_run (PacerEngine *run,
                guint        test_index)
{
  PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, test_index);

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
batch_ran_in_order (PacerEngine *run,
                    PacerBatch  *batch,
                    guint        position)
{
  guint first = g_array_index (batch->tests, guint, 0);
  PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, first);

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
hold_for_confirmation (PacerEngine      *run,
                       guint             test_index,
                       PacerTestOutcome  outcome,
                       PacerBatch       *batch,
                       guint             position)
{
  PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, test_index);
  PacerEngineProgram *program = test->program;
  guint first = program->first_test + test->copy * run->n_base_tests;
  PacerEngineExtra *extra;

  if (!pacer_test_outcome_is_failure (outcome) || test->failed_in_order)
    return FALSE;
  if (batch == NULL || !run->settings->order_check || program->whole || program->fallback != G_MAXUINT ||
      run->stop != PACER_ENGINE_STOP_NONE ||
      test_index < first || batch_ran_in_order (run, batch, position))
    return FALSE;

  extra = g_new0 (PacerEngineExtra, 1);
  extra->kind = PACER_ENGINE_EXTRA_CONFIRM;
  extra->target = test_index;
  extra->tests = g_array_sized_new (FALSE, FALSE, sizeof (guint), test_index - first + 1);
  for (guint i = first; i <= test_index; i++)
    {
      /* A path that is also a suite needs `-x P/`, which would skip other
       * tests of a shared process: only the target may be one. */
      if (i != test_index && g_array_index (run->tests, PacerEngineTest, i).alone)
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
conclude_attempt (PacerEngine      *run,
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
  PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, test_index);
  g_autofree char *flaky_message = NULL;

  test->attempts++;
  /* A failure seen once in listing order needs no confirmation, even if
   * its retry then ran alone. */
  if (pacer_test_outcome_is_failure (outcome) &&
      (batch == NULL || batch_ran_in_order (run, batch, position)))
    test->failed_in_order = TRUE;

  if (pacer_test_outcome_is_failure (outcome) && test->attempts <= run->settings->retries &&
      run->stop == PACER_ENGINE_STOP_NONE && !test->rider)
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

static void report_fallback_gaps (PacerEngine *run, PacerEngineProgram *program);
static void resolve_confirmation (PacerEngine *run, guint test_index, gboolean passed, PacerTestOutcome  outcome,
                                  double duration, double start_time, const char                        *worker,
                                  const char *message, const char                                       *output);

/* The run stops with batches of its own still waiting: a held failure
 * stands, and a fallback's tests are reported not run. */
static void
drain_extras (PacerEngine *run)
{
  PacerEngineExtra *extra;

  while ((extra = g_queue_pop_head (&run->extras)) != NULL)
    {
      guint first = g_array_index (extra->tests, guint, 0);

      if (extra->kind == PACER_ENGINE_EXTRA_CONFIRM)
        resolve_confirmation (run, extra->target, FALSE, PACER_TEST_OUTCOME_FAIL, 0, 0, NULL, NULL, NULL);
      else if (extra->kind == PACER_ENGINE_EXTRA_ORDERED)
        for (guint i = 0; i < extra->tests->len; i++)
          report_not_run (run, g_array_index (extra->tests, guint, i));
      else
        {
          PacerEngineProgram *program = g_array_index (run->tests, PacerEngineTest, first).program;

          report_not_run (run, first);
          if (--program->fallbacks_left == 0)
            report_fallback_gaps (run, program);
        }
      extra_free (extra);
    }
}

static void
stop_run (PacerEngine     *run,
          PacerEngineStop  reason)
{
  g_autoptr(GArray) pending = NULL;

  if (run->stop != PACER_ENGINE_STOP_NONE)
    return;
  run->stop = reason;

  /* Listing still going on (a stop that early is a Ctrl-C): kill the listers. */
  for (guint i = 0; run->programs != NULL && i < run->programs->len; i++)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, i);

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
  _pacer_engine_park_stop (run, report_not_run);
  drain_extras (run);

  /* Past the restart limit the healthy workers may finish what they hold;
   * every other stop is meant to be immediate. */
  if (reason != PACER_ENGINE_STOP_RESTARTS)
    for (guint i = 0; i < run->n_slots; i++)
      if (run->slots[i].batch != NULL)
        _pacer_batch_kill (run->slots[i].batch, PACER_BATCH_KILL_STOP);
}

/* Batches ---------------------------------------------------------------- */

static PacerEngineSlot *
batch_slot (PacerEngine *run,
            PacerBatch  *batch)
{
  return &run->slots[batch->slot];
}

static PacerEngineProgram *
batch_program (PacerEngine *run,
               PacerBatch  *batch)
{
  return g_array_index (run->tests, PacerEngineTest, g_array_index (batch->tests, guint, 0)).program;
}

/* Seconds a test of @program may run, 0 for no limit: a command's own
 * timeout wins over the run's, as a meson test()'s does. */
static double
program_timeout (PacerEngine        *run,
                 PacerEngineProgram *program)
{
  if (program->timeout != 0)
    return MAX (program->timeout, 0);
  return run->settings->timeout;
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
split_limit (PacerEngine     *run,
             PacerEngineTest *test)
{
  double expected = -1;

  if (run->settings->split_limit <= 0)
    return 0;
  if (run->settings->history != NULL)
    expected = pacer_duration_history_lookup (run->settings->history, test->program->file, test->path);
  if (expected >= 0)
    return MAX (SPLIT_LIMIT_MIN, 4 * expected);
  if (test->program->n_seen >= SPLIT_SEEN_MIN)
    return MIN (run->settings->split_limit, MAX (SPLIT_LIMIT_MIN, SPLIT_SEEN_FACTOR * test->program->longest_seen));
  return run->settings->split_limit;
}

static void
check_split_limit (PacerEngine     *run,
                   PacerEngineSlot *slot,
                   gint64           now)
{
  PacerBatch *batch = slot->batch;
  double timeout = program_timeout (run, batch_program (run, batch));
  guint position;
  double limit;
  PacerEngineTest *test;

  if (!run->settings->order_check || slot->extra != PACER_ENGINE_EXTRA_NONE || batch->whole || batch->exited ||
      batch->kill_reason != PACER_BATCH_KILL_NONE || run->stop != PACER_ENGINE_STOP_NONE)
    return;
  position = _pacer_batch_first_unreported (batch);
  if (position == G_MAXUINT || batch_ran_in_order (run, batch, position))
    return;
  test = &g_array_index (run->tests, PacerEngineTest, g_array_index (batch->tests, guint, position));
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
  PacerEngine *run = user_data;
  PacerEngineTest *test;

  /* A confirmation re-runs finished tests: nothing starts anew. */
  if (batch_slot (run, batch)->extra == PACER_ENGINE_EXTRA_CONFIRM ||
      !run->callbacks->wants_started (run->user_data))
    return;
  test = &g_array_index (run->tests, PacerEngineTest, g_array_index (batch->tests, guint, position));
  run->callbacks->test_started (test->program->name, test->path, batch_slot (run, batch)->id,
                               run->user_data);
}

/* The confirmation of a held failure is in: the failure stands, or the
 * test is order-dependent. @passed is FALSE also when the confirmation
 * could not reach the test. */
static void
resolve_confirmation (PacerEngine      *run,
                      guint             test_index,
                      gboolean          passed,
                      PacerTestOutcome  outcome,
                      double            duration,
                      double            start_time,
                      const char       *worker,
                      const char       *confirm_message,
                      const char       *output)
{
  PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, test_index);
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
  if (run->settings->history != NULL)
    pacer_duration_history_set_order_dependent (run->settings->history, test->program->file, TRUE);

  if (run->settings->strict_order)
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
report_fallback_line (PacerEngine      *run,
                      PacerBatch       *batch,
                      const char       *path,
                      PacerTestOutcome  outcome,
                      double            duration,
                      const char       *worker,
                      const char       *message,
                      const char       *output)
{
  PacerEngineProgram *program = batch_program (run, batch);
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

          if (g_array_index (run->tests, PacerEngineTest, test_index).concluded)
            continue;
          report (run, program, g_array_index (run->tests, PacerEngineTest, test_index).path, test_index, outcome,
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
  PacerEngine *run = user_data;
  PacerEngineSlot *slot = batch_slot (run, batch);
  const char *worker = slot->id;
  guint test_index;

  if (slot->extra == PACER_ENGINE_EXTRA_WHOLE && position == G_MAXUINT)
    {
      report_fallback_line (run, batch, path, outcome, duration, worker, message, output);
      return;
    }

  if (slot->extra == PACER_ENGINE_EXTRA_CONFIRM)
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
      PacerEngineProgram *program = batch_program (run, batch);
      g_autofree char *name = g_strdup_printf ("%s: %s", program->name,
                                               (path != NULL && *path != '\0') ? path : "?");

      report_full (run, program, name, G_MAXUINT, g_array_index (batch->tests, guint, 0), outcome,
                   duration, wall_seconds (run, batch->result_start), worker, message, output);
      return;
    }

  test_index = g_array_index (batch->tests, guint, position);
  mark_complete (run, worker, test_index, duration);
  /* Its program fell back to running whole, which reported it already. */
  if (g_array_index (run->tests, PacerEngineTest, test_index).concluded)
    return;
  if (run->stop == PACER_ENGINE_STOP_MAXFAIL || run->stop == PACER_ENGINE_STOP_CANCELLED)
    {
      /* Results still arrive between the kill and the exit: they are real. */
      report (run, g_array_index (run->tests, PacerEngineTest, test_index).program,
              g_array_index (run->tests, PacerEngineTest, test_index).path, test_index, outcome, duration,
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
handle_whole_end (PacerEngine *run,
                  PacerBatch  *batch,
                  const char  *worker)
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
      PacerEngineProgram *program = batch_program (run, batch);

      /* Its TAP lines are its results; the whole process is what the
       * scheduler places, so its time is what orders it next run. */
      if (run->settings->history != NULL)
        pacer_duration_history_record (run->settings->history, program->file, program->name,
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
fall_back_to_whole (PacerEngine        *run,
                    PacerEngineProgram *program,
                    guint               missing)
{
  /* --dist each: every worker's copy runs, so each gets a run whole. */
  guint n_copies = n_copies_of (run);
  guint base = missing - g_array_index (run->tests, PacerEngineTest, missing).copy * run->n_base_tests;

  /* Its result comes under the name the program gives it now, once per
   * copy: every copy is covered, or one still queued on another worker
   * would be reported not run when the runs whole end. */
  for (guint c = 0; c < n_copies; c++)
    g_array_index (run->tests, PacerEngineTest, base + c * run->n_base_tests).concluded = TRUE;
  if (program->fallback != G_MAXUINT)
    return;

  _pacer_engine_note (run, program, _("it has no test “%s” although its -l output listed it: its list of tests "
                        "changes between calls, so it runs whole"),
        g_array_index (run->tests, PacerEngineTest, missing).path);
  program->fallback = run->tests->len;
  program->fallbacks_left = n_copies;
  program->n_fallbacks = n_copies;
  for (guint c = 0; c < n_copies; c++)
    {
      PacerEngineTest test = { 0, };
      PacerEngineExtra *extra = g_new0 (PacerEngineExtra, 1);

      test.program = program;
      test.path = program->name;
      test.alone = TRUE;
      extra->kind = PACER_ENGINE_EXTRA_WHOLE;
      extra->tests = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_val (extra->tests, run->tests->len);
      g_array_append_val (run->tests, test);
      g_queue_push_tail (&run->extras, extra);
    }
}

/* After a program's run whole: what it never reported is not lost silently. */
static void
report_fallback_gaps (PacerEngine        *run,
                      PacerEngineProgram *program)
{
  for (guint i = 0; i < run->tests->len; i++)
    {
      PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, i);

      if (test->program != program || test->concluded ||
          (i >= program->fallback && i < program->fallback + program->n_fallbacks))
        continue;
      if (run->stop != PACER_ENGINE_STOP_NONE)
        report_not_run (run, i);
      else
        report (run, program, test->path, i, PACER_TEST_OUTCOME_NOT_RUN, 0, 0, NULL,
                _("not run: its program, run whole, did not report it"), NULL);
    }
}

static void
handle_gtest_end (PacerEngine     *run,
                  PacerBatch      *batch,
                  PacerEngineSlot *slot)
{
  PacerEngineProgram *program = batch_program (run, batch);
  guint culprit = _pacer_batch_first_unreported (batch);
  gboolean died = batch->signaled || batch->kill_reason != PACER_BATCH_KILL_NONE;

  for (guint i = 0; i < batch->tests->len; i++)
    if (batch->missing[i])
      fall_back_to_whole (run, program, g_array_index (batch->tests, guint, i));

  if (!_pacer_batch_has_unreported (batch))
    {
      /* Every test reported; a process killed after that still lost its slot. */
      if (batch->kill_reason == PACER_BATCH_KILL_EXIT)
        {
          run->callbacks->worker_down (slot->id, _("the process did not end after its last test"), run->user_data);
          slot->ready = FALSE;
        }
      else if (batch->signaled && batch->kill_reason == PACER_BATCH_KILL_NONE)
        {
          g_autofree char *end = _pacer_batch_describe_end (batch);

          run->callbacks->worker_down (slot->id, end, run->user_data);
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
                                   split_limit (run, &g_array_index (run->tests, PacerEngineTest, g_array_index (batch->tests, guint, culprit))));
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
    run->callbacks->worker_down (slot->id, message, run->user_data);
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
      stop_run (run, PACER_ENGINE_STOP_RESTARTS);

    if (program->ordered && run->stop == PACER_ENGINE_STOP_NONE)
      {
        /* The rest of an ordered program goes on in order, in a fresh process. */
        PacerEngineExtra *extra = g_new0 (PacerEngineExtra, 1);

        extra->kind = PACER_ENGINE_EXTRA_ORDERED;
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
        if (run->stop == PACER_ENGINE_STOP_NONE)
          _pacer_engine_requeue (run, test_index);
        else
          report_not_run (run, test_index);
      }
  }
}

static void
on_batch_done (PacerBatch *batch,
               gpointer    user_data)
{
  PacerEngine *run = user_data;
  PacerEngineSlot *slot = batch_slot (run, batch);

  if (batch->startup >= 0 && slot->extra == PACER_ENGINE_EXTRA_NONE)
    pacer_scheduler_mark_process_overhead (run->scheduler, batch_program (run, batch)->file, batch->startup);

  if (slot->extra == PACER_ENGINE_EXTRA_CONFIRM)
    {
      guint culprit = _pacer_batch_first_unreported (batch);
      gboolean in_target = culprit != G_MAXUINT && g_array_index (batch->tests, guint, culprit) == slot->target;

      /* An earlier test died: a serial run with crash recovery goes on
       * after it, and so does the confirmation, with what is left. */
      if (slot->target != G_MAXUINT && !in_target && culprit != G_MAXUINT &&
          culprit + 1 < batch->tests->len && run->stop == PACER_ENGINE_STOP_NONE)
        {
          PacerEngineExtra *extra = g_new0 (PacerEngineExtra, 1);

          extra->kind = PACER_ENGINE_EXTRA_CONFIRM;
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
      if (slot->extra == PACER_ENGINE_EXTRA_WHOLE && --batch_program (run, batch)->fallbacks_left == 0)
        report_fallback_gaps (run, batch_program (run, batch));
    }
  else
    handle_gtest_end (run, batch, slot);

  slot->extra = PACER_ENGINE_EXTRA_NONE;

  g_clear_pointer (&slot->batch, _pacer_batch_unref);
  slot->serial = FALSE;
  run->n_running--;

  dispatch_idle_slots (run);
  maybe_finish (run);
}

static void
start_batch (PacerEngine     *run,
             PacerEngineSlot *slot,
             GArray          *tests)
{
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GArray) pass_end = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  char **paths;
  PacerEngineProgram *program;
  guint n_passes;
  gboolean whole;

  program = g_array_index (run->tests, PacerEngineTest, g_array_index (tests, guint, 0)).program;
  whole = program->whole || slot->extra == PACER_ENGINE_EXTRA_WHOLE;
  builder = _pacer_engine_common_argv (run, program, TRUE);
  kept = g_array_sized_new (FALSE, FALSE, sizeof (guint), tests->len);
  pass_end = g_array_sized_new (FALSE, FALSE, sizeof (guint), tests->len);
  if (slot->extra == PACER_ENGINE_EXTRA_WHOLE)
    {
      /* No -p: every test the program has now, in its own order. */
      g_array_append_vals (kept, tests->data, 1);
      g_array_append_val (pass_end, kept->len);
    }
  else
    _pacer_engine_plan_passes (run, program, tests, slot->extra == PACER_ENGINE_EXTRA_CONFIRM || slot->extra == PACER_ENGINE_EXTRA_ORDERED,
                               builder, kept, pass_end);
  argv = g_strv_builder_end (builder);

  paths = g_new0 (char *, kept->len + 1);
  for (guint i = 0; i < kept->len; i++)
    paths[i] = g_strdup (g_array_index (run->tests, PacerEngineTest, g_array_index (kept, guint, i)).path);

  g_debug ("%s: %u test(s) of %s in %u pass(es)", slot->id, kept->len, program->name, pass_end->len);
  launcher = _pacer_engine_make_launcher (run, program, slot->id, FALSE);
  n_passes = pass_end->len;
  slot->batch = _pacer_batch_new (slot - run->slots, kept, paths,
                                  (guint *) (void *) g_array_free (g_steal_pointer (&pass_end), FALSE),
                                  n_passes, whole,
                                  on_batch_result, on_batch_started, on_batch_done, run);
  slot->batch->ignore_tap = whole && !program->tap;

  if (!slot->ready)
    {
      slot->ready = TRUE;
      run->callbacks->worker_ready (slot->id, run->user_data);
    }

  if (!_pacer_batch_start (slot->batch, launcher, (const char * const *) argv, &error))
    {
      g_autoptr(PacerBatch) batch = g_steal_pointer (&slot->batch);
      g_autofree char *message = g_strdup_printf (_("Cannot run “%s”: %s"), program->name, error->message);

      /* One program that cannot start is its tests' failure, not the run's. */
      if (slot->extra == PACER_ENGINE_EXTRA_CONFIRM)
        resolve_confirmation (run, slot->target, FALSE, PACER_TEST_OUTCOME_FAIL, 0, 0, NULL, NULL, NULL);
      else
        for (guint i = 0; i < kept->len; i++)
          {
            guint test_index = g_array_index (kept, guint, i);

            if (slot->extra == PACER_ENGINE_EXTRA_NONE)
              mark_complete (run, slot->id, test_index, 0);
            report (run, program, g_array_index (run->tests, PacerEngineTest, test_index).path, test_index,
                    PACER_TEST_OUTCOME_CRASH, 0, 0, slot->id, message, NULL);
          }
      if (slot->extra == PACER_ENGINE_EXTRA_WHOLE && --program->fallbacks_left == 0)
        report_fallback_gaps (run, program);
      slot->extra = PACER_ENGINE_EXTRA_NONE;
      return;
    }

  run->n_running++;
}

static void
dispatch (PacerEngine     *run,
          PacerEngineSlot *slot)
{
  g_autoptr(GArray) tests = NULL;

  if (run->stop != PACER_ENGINE_STOP_NONE || slot->batch != NULL)
    return;

  if (!g_queue_is_empty (&run->extras))
    {
      PacerEngineExtra *extra = g_queue_pop_head (&run->extras);

      slot->serial = FALSE;
      slot->extra = extra->kind;
      slot->target = extra->target;
      start_batch (run, slot, extra->tests);
      extra_free (extra);
      return;
    }

  for (;;)
    {
      PacerEngineProgram *program;

      g_clear_pointer (&tests, g_array_unref);
      tests = pacer_scheduler_next_batch (run->scheduler, slot->id);
      if (tests == NULL || tests->len == 0)
        return;
      /* A program that fell back to running whole has its tests covered. */
      program = g_array_index (run->tests, PacerEngineTest, g_array_index (tests, guint, 0)).program;
      if (program->fallback == G_MAXUINT && program->ordered)
        {
          /* Its first test stands for them all: the whole program, in order. */
          g_array_set_size (tests, 0);
          for (guint i = program->first_test; i < program->first_test + program->paths->len; i++)
            if (!g_array_index (run->tests, PacerEngineTest, i).concluded)
              g_array_append_val (tests, i);
          slot->extra = PACER_ENGINE_EXTRA_ORDERED;
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
  if (_pacer_engine_hold_serial (run, slot - run->slots, &tests))
    return;
  start_batch (run, slot, tests);
}

static void
dispatch_idle_slots (PacerEngine *run)
{
  /* In the exclusive pass gw0 alone runs. */
  guint n_slots = run->exclusive_pass ? MIN (run->n_active, 1) : run->n_active;

  if (run->parked != NULL && run->n_running == 0 && run->stop == PACER_ENGINE_STOP_NONE)
    {
      g_autoptr(GArray) tests = g_steal_pointer (&run->parked);
      PacerEngineSlot *slot = &run->slots[run->parked_slot];

      slot->serial = TRUE;
      start_batch (run, slot, tests);
    }

  for (guint i = 0; i < n_slots && run->stop == PACER_ENGINE_STOP_NONE; i++)
    {
      if (_pacer_engine_serial_blocks (run))
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

/* A process whose tests have all reported is only ending. One that hangs
 * there (libsoup's timeout-test, after a failed test, joins a server thread
 * that never quits) would hold its worker for a whole further --timeout,
 * since the timeout counts from the last result: 300 s for installed
 * tests. It gets this long, or its timeout if shorter; its tests' results
 * stand, and a note says what happened. */
#define EXIT_LIMIT 30.0

static gboolean
check_exit_limit (PacerEngine     *run,
                  PacerEngineSlot *slot,
                  gint64           now)
{
  PacerBatch *batch = slot->batch;
  double timeout = program_timeout (run, batch_program (run, batch));
  double limit = timeout > 0 ? MIN (timeout, EXIT_LIMIT) : EXIT_LIMIT;

  if (batch->whole || batch->exited || batch->kill_reason != PACER_BATCH_KILL_NONE ||
      _pacer_batch_has_unreported (batch) || now - batch->event_time < timeout_usec (limit))
    return FALSE;

  _pacer_engine_note (run, batch_program (run, batch),
                      _("its process (%s) had not ended %g s after its last test: it is stopped, and its "
                        "tests' results stand"),
                      slot->id, limit);
  _pacer_batch_kill (batch, PACER_BATCH_KILL_EXIT);
  return TRUE;
}

static gboolean
on_tick (gpointer user_data)
{
  PacerEngine *run = user_data;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < run->n_slots; i++)
    {
      PacerBatch *batch = run->slots[i].batch;

      if (batch != NULL && !check_exit_limit (run, &run->slots[i], now) &&
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
  PacerEngine *run = user_data;
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
           run->stop == PACER_ENGINE_STOP_NONE && !run->exclusive_pass && run->parked == NULL &&
           (pacer_scheduler_has_pending (run->scheduler) || !g_queue_is_empty (&run->extras)))
    {
      run->n_active++;
      run->callbacks->grew (run->n_active, run->user_data);
      dispatch_idle_slots (run);
    }
  return G_SOURCE_CONTINUE;
}

static void
teardown_fixtures (PacerEngine *run)
{
  g_autoptr(GPtrArray) gtest_programs = g_ptr_array_new ();
  double time_limit = run->settings->timeout > 0 ? run->settings->timeout : TEARDOWN_TIME_LIMIT;

  for (guint i = 0; run->programs != NULL && i < run->programs->len; i++)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, i);

      if (!program->whole && program->paths != NULL)
        g_ptr_array_add (gtest_programs, program->file);
    }
  g_ptr_array_add (gtest_programs, NULL);

  _pacer_fixture_teardown_run (run->context, run->run_dir, run->testrun_uid,
                               (const char * const *) gtest_programs->pdata, time_limit,
                               on_teardown_done, run);
}

static void
maybe_finish (PacerEngine *run)
{

  if (run->finished || run->n_listing > 0 || run->n_running > 0)
    return;
  if (run->stop == PACER_ENGINE_STOP_NONE && run->scheduler != NULL && pacer_scheduler_has_pending (run->scheduler))
    return;
  if (run->stop == PACER_ENGINE_STOP_NONE && !g_queue_is_empty (&run->extras))
    return;
  if (run->stop == PACER_ENGINE_STOP_NONE && run->n_exclusive > 0 && !run->exclusive_pass)
    {
      start_exclusive_pass (run);
      if (run->n_running > 0 || (run->stop == PACER_ENGINE_STOP_NONE && pacer_scheduler_has_pending (run->scheduler)))
        return;
    }

  run->finished = TRUE;
  run->finished_at = g_get_real_time () / (double) G_USEC_PER_SEC;
  clear_tick (run);

  for (guint i = 0; i < run->n_slots; i++)
    if (run->slots[i].ready)
      run->callbacks->worker_down (run->slots[i].id, NULL, run->user_data);

  if (run->settings->history != NULL && run->tests != NULL && run->tests->len > 0 && !run->settings->list_only)
    {
      g_autoptr(GError) error = NULL;

      if (!pacer_duration_history_save (run->settings->history, &error))
        g_warning ("%s", error->message);
    }

  /* Shared fixtures are cleaned up last, whatever ended the run, once the
   * build's other machines are done with them. */
  _pacer_engine_end_on_build (run, teardown_fixtures);
}

static void
on_teardown_done (char     **failures,
                  gpointer   user_data)
{
  PacerEngine *run = user_data;
  g_autoptr(GTask) task = NULL;

  /* Whatever left the process groups (a daemon, a double fork) goes before its run directory. */
  g_clear_pointer (&run->reaper, _pacer_reaper_stop);
  _pacer_remove_tree (run->run_dir);

  run->callbacks->finished (run->finished_at, failures, run->user_data);

  task = g_steal_pointer (&run->task);
  if (run->stop == PACER_ENGINE_STOP_CANCELLED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was interrupted"));
  else
    g_task_return_boolean (task, TRUE);

  run_free (run);
}

/* Starting --------------------------------------------------------------- */

/* -s is GTest's exact-match skip: such tests are reported skipped without
 * a process. */
static gboolean
skipped_by_request (PacerEngine     *run,
                    PacerEngineTest *test)
{
  return !test->program->whole && run->settings->skip_paths != NULL &&
         g_strv_contains ((const char * const *) run->settings->skip_paths, test->path);
}

/* What an ordered program's one process is expected to take. */
static double
ordered_expected (PacerEngine        *run,
                  PacerEngineProgram *program)
{
  double sum = 0;

  for (guint i = 0; i < program->paths->len; i++)
    {
      double seconds = pacer_duration_history_lookup (run->settings->history, program->file,
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
runs_in_order (PacerEngine        *run,
               PacerEngineProgram *program)
{

  if (run->settings->history == NULL || program->whole || program->paths == NULL || program->paths->len < 2 ||
      run->settings->dist == PACER_DIST_MODE_EACH ||
      !pacer_duration_history_get_order_dependent (run->settings->history, program->file))
    return FALSE;
  /* A path that is also a suite needs a `-x` that would skip its siblings. */
  for (guint i = 0; i < program->paths->len; i++)
    if (program->suites != NULL && g_hash_table_contains (program->suites, g_ptr_array_index (program->paths, i)))
      return FALSE;
  return TRUE;
}

/* Hands the tests of exclusive commands, or of all others, to the scheduler. */
static void
queue_tests (PacerEngine *run,
             gboolean     exclusive)
{

  for (guint i = 0; i < run->tests->len && run->stop == PACER_ENGINE_STOP_NONE; i++)
    {
      PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, i);
      double expected = -1;

      if (test->program->exclusive != exclusive)
        continue;
      if (skipped_by_request (run, test))
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
      else if (run->settings->history != NULL)
        expected = pacer_duration_history_lookup (run->settings->history, test->program->file, test->path);
      pacer_scheduler_add_test (run->scheduler, i, test->program->file, test->path, expected,
                                test->alone ? PACER_SCHEDULE_FLAGS_ALONE : PACER_SCHEDULE_FLAGS_NONE);
    }

  /* Listing started the program and registered its tests: the best first
   * guess at what each of its processes costs before running anything. */
  for (guint p = 0; p < run->programs->len; p++)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, p);

      if (!program->whole && program->exclusive == exclusive)
        pacer_scheduler_mark_process_overhead (run->scheduler, program->file, program->list_seconds);
    }
}

/* Everything else is over: exclusive commands run now, one process at a
 * time. A scheduler of its own with the one worker gw0 keeps that true
 * whatever policy served the first pass (a policy that pins tests to
 * workers would strand them on slots that no longer run). */
static void
start_exclusive_pass (PacerEngine *run)
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
report_exclusive_not_run (PacerEngine *run)
{
  if (run->exclusive_pass || run->n_exclusive == 0)
    return;
  run->exclusive_pass = TRUE;
  for (guint i = 0; i < run->tests->len; i++)
    if (g_array_index (run->tests, PacerEngineTest, i).program->exclusive)
      report_not_run (run, i);
}

/* pacer_runner_list_tests(): what the run would start, in listing order. */
static void
list_tests (PacerEngine *run)
{
  for (guint i = 0; i < run->tests->len; i++)
    {
      PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, i);
      g_autoptr(PacerTestResult) result = NULL;

      if (skipped_by_request (run, test))
        continue;
      result = _pacer_test_result_new_full (test->program->name, test->path, PACER_TEST_OUTCOME_NOT_RUN, 0,
                                            NULL, NULL, NULL, NULL);
      run->callbacks->test_listed (result, run->user_data);
    }
}

static void
start_workers (PacerEngine *run)
{
  guint n_runnable = 0;
  guint n_whole_programs = 0;
  gboolean with_timeout = FALSE;
  guint wanted;

  _pacer_engine_apply_partition (run);

  for (guint p = 0; p < run->programs->len; p++)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, p);

      program->first_test = run->tests->len;
      if (program->whole || program->skip_reason != NULL)
        {
          PacerEngineTest test = { program, program->name, TRUE, 0, NULL, PACER_TEST_OUTCOME_PASS, FALSE };

          g_array_append_val (run->tests, test);
          n_whole_programs++;
          continue;
        }

      if (program->suites == NULL)
        program->suites = _pacer_listing_find_suites (program->paths);
      program->ordered = runs_in_order (run, program);
      if (program->ordered)
        _pacer_engine_note (run, program, _("its tests run in one process, in listing order: an earlier run found "
                              "order-dependent tests in it"));
      program->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_array_unref);
      for (guint i = 0; i < program->paths->len; i++)
        {
          const char *path = g_ptr_array_index (program->paths, i);
          const char *slash = strrchr (path, '/');
          PacerEngineTest test = { program, path, g_hash_table_contains (program->suites, path), 0, NULL,
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

  if (run->settings->list_only)
    {
      run->callbacks->started (run->tests->len, n_whole_programs, 0, run->user_data);
      list_tests (run);
      maybe_finish (run);
      return;
    }
  wanted = run->settings->n_workers > 0 ? run->settings->n_workers : pacer_runner_get_usable_cpus ();

  for (guint i = 0; i < run->tests->len; i++)
    {
      PacerEngineTest *test = &g_array_index (run->tests, PacerEngineTest, i);

      if (skipped_by_request (run, test) || test->program->skip_reason != NULL)
        continue;
      n_runnable++;
    }

  /* Never more workers than tests: a worker with nothing to do only costs. */
  run->n_slots = _pacer_engine_n_slots (run, MIN (wanted, n_runnable));
  run->n_active = run->n_active_min = run->n_slots;
  /* A run may grow only where it can tell when to stop: with pressure
   * stall information. Each copy of --dist each needs a worker from the
   * start, and --dist no keeps to one. */
  if (run->settings->max_workers > run->n_slots && run->settings->dist != PACER_DIST_MODE_EACH &&
      run->settings->dist != PACER_DIST_MODE_NO && _pacer_cpu_sample_read ("/proc", &run->cpu_sample) &&
      run->cpu_sample.has_stall)
    run->n_slots = MAX (run->n_slots, MIN (run->settings->max_workers, n_runnable));
  run->max_restarts = run->settings->max_worker_restart >= 0 ? (guint) run->settings->max_worker_restart : 4 * MAX (run->n_slots, 1);
  run->slots = g_new0 (PacerEngineSlot, MAX (run->n_slots, 1));

  run->scheduler = _pacer_engine_make_scheduler (run);
  _pacer_engine_mark_serial (run);
  _pacer_engine_copy_for_each (run);

  run->callbacks->started (run->tests->len, n_whole_programs, run->n_active, run->user_data);

  for (guint i = 0; i < run->n_slots; i++)
    {
      run->slots[i].id = g_strdup_printf ("gw%u", i);
      pacer_scheduler_add_worker (run->scheduler, run->slots[i].id);
    }

  for (guint i = 0; i < run->tests->len; i++)
    if (g_array_index (run->tests, PacerEngineTest, i).program->exclusive)
      run->n_exclusive++;
  queue_tests (run, FALSE);

  for (guint p = 0; p < run->programs->len && !with_timeout; p++)
    with_timeout = program_timeout (run, g_ptr_array_index (run->programs, p)) > 0;
  /* Ticks also serve the split and exit limits (check_split_limit(),
   * check_exit_limit()). */
  if (with_timeout || run->settings->order_check)
    run->tick_source = _pacer_engine_attach (run, g_timeout_source_new (TICK_MSEC), on_tick, "[pacer] timeout check");

  if (run->n_slots > run->n_active)
    run->scale_source = _pacer_engine_attach (run, g_timeout_source_new (SCALE_MSEC), on_scale_tick, "[pacer] CPU room");

  dispatch_idle_slots (run);
  maybe_finish (run);
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  PacerEngine *run = user_data;

  stop_run (run, PACER_ENGINE_STOP_CANCELLED);
  maybe_finish (run);
  return G_SOURCE_REMOVE;
}

/* Each listing's end: once the last is in, the run starts its workers. */
static void
on_listing_ended (PacerEngine *run)
{
  if (run->n_listing == 0)
    _pacer_engine_clear_source (run, &run->list_timeout_source);
  if (run->stop != PACER_ENGINE_STOP_NONE)
    maybe_finish (run);
  else if (run->n_listing == 0)
    start_workers (run);
}

gboolean
_pacer_engine_start (const PacerEngineSettings  *settings,
                     const char                 *seed,
                     const PacerEngineCallbacks *callbacks,
                     gpointer                    user_data,
                     GTask                      *owned_task,
                     GCancellable               *cancellable)
{
  /* Ours from here on: dropped on every early return, kept by the run otherwise. */
  g_autoptr(GTask) task = owned_task;
  g_autoptr(GError) error = NULL;
  PacerEngine *run;

  run = g_new0 (PacerEngine, 1);
  run->settings = settings;
  run->callbacks = callbacks;
  run->user_data = user_data;
  run->wall_offset = g_get_real_time () - g_get_monotonic_time ();
  run->context = g_main_context_ref_thread_default ();
  run->programs = g_ptr_array_new_with_free_func ((GDestroyNotify) _pacer_engine_program_free);
  run->tests = g_array_new (FALSE, FALSE, sizeof (PacerEngineTest));
  g_array_set_clear_func (run->tests, (GDestroyNotify) test_clear);

  if (!_pacer_engine_add_programs (run, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      run_free (run);
      return FALSE;
    }

  run->run_dir = _pacer_make_run_dir (&error);
  if (run->run_dir == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      run_free (run);
      return FALSE;
    }
  run->testrun_uid = g_uuid_string_random ();
  run->reaper = _pacer_reaper_start (run->testrun_uid);
  _pacer_engine_join_build (run);
  run->seed = g_strdup (seed);
  run->task = g_steal_pointer (&task);

  if (settings->history != NULL && !pacer_duration_history_load (settings->history, &error))
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

  _pacer_engine_list_programs (run, on_listing_ended);

  /* Nothing to list (every program runs whole): start at once. A listing
   * then ends inside start_workers(), which may free the run: no
   * maybe_finish() after it. */
  if (run->n_listing == 0 && run->stop == PACER_ENGINE_STOP_NONE)
    start_workers (run);
  else
    maybe_finish (run);
  return TRUE;
}
