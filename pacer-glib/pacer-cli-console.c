/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run's console: the line that starts the run, a line per failure (per
 * result with -v) as it happens, a progress line on a terminal, and after the
 * run each failure in full and the summary in pytest's form. It prints with
 * g_print() throughout, so that a report on standard output can send all of
 * it to standard error. */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "pacer-cli-console-private.h"

#define PROGRESS_MSEC 100

struct _PacerCliConsole
{
  PacerRunner *runner;
  GPtrArray *failures;
  gboolean verbose;
  gboolean quiet;
  gboolean tty;
  gboolean progress_shown;
  guint n_done;
  guint n_order_dependent;
  guint n_workers_at_start;
  gint64 start_time;
  guint progress_source;
  gboolean finished;
  FILE *out;            /* stderr when a report has stdout */
};

static const char *
outcome_label (PacerTestOutcome outcome)
{
  switch (outcome)
    {
    case PACER_TEST_OUTCOME_PASS:
      return "PASS";
    case PACER_TEST_OUTCOME_FAIL:
      return "FAIL";
    case PACER_TEST_OUTCOME_SKIP:
      return "SKIP";
    case PACER_TEST_OUTCOME_CRASH:
      return "CRASH";
    case PACER_TEST_OUTCOME_TIMEOUT:
      return "TIMEOUT";
    case PACER_TEST_OUTCOME_FLAKY:
      return "FLAKY";
    case PACER_TEST_OUTCOME_NOT_RUN:
    default:
      return "NOT RUN";
    }
}

static char *
format_duration (double seconds)
{
  if (seconds < 1.0)
    return g_strdup_printf ("%.0f ms", seconds * 1000);
  return g_strdup_printf ("%.2f s", seconds);
}

void
pacer_cli_console_clear_progress (PacerCliConsole *console)
{
  if (console->progress_shown)
    {
      fputs ("\r\033[K", console->out);
      console->progress_shown = FALSE;
    }
}

static void
show_progress (PacerCliConsole *console)
{
  guint total = pacer_runner_get_n_tests (console->runner);
  guint failed = pacer_runner_get_count (console->runner, PACER_TEST_OUTCOME_FAIL) +
                 pacer_runner_get_count (console->runner, PACER_TEST_OUTCOME_CRASH) +
                 pacer_runner_get_count (console->runner, PACER_TEST_OUTCOME_TIMEOUT);
  double elapsed = (g_get_monotonic_time () - console->start_time) / (double) G_USEC_PER_SEC;
  g_autofree char *eta = NULL;

  if (!console->tty || console->quiet || console->finished)
    return;

  if (console->n_done > 0 && console->n_done < total)
    eta = g_strdup_printf (_(", ETA %.1f s"), elapsed / console->n_done * (total - console->n_done));

  /* Back to the start of the line and clear it, then the line itself. */
  fputs ("\r\033[K", console->out);
  /* TRANSLATORS: the live progress line: done/total, failures, elapsed time */
  g_print (_("[%u/%u] %u failed, %.1f s%s"), console->n_done, MAX (total, console->n_done),
           failed, elapsed, eta != NULL ? eta : "");
  fflush (console->out);
  console->progress_shown = TRUE;
}

static gboolean
on_progress_tick (gpointer user_data)
{
  show_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_run_started (PacerRunner     *runner,
                PacerCliConsole *console)
{
  const char * const *programs = NULL;
  g_auto(GStrv) owned = NULL;
  guint n_whole, n_programs;

  if (console->quiet)
    return;

  g_object_get (runner, "programs", &owned, NULL);
  programs = (const char * const *) owned;
  n_whole = pacer_runner_get_n_whole_programs (runner);
  n_programs = programs != NULL ? g_strv_length ((GStrv) programs) : 0;
  {
    g_autoptr(GPtrArray) commands = pacer_runner_get_commands (runner);

    n_programs += commands->len;
  }
  console->n_workers_at_start = pacer_runner_get_n_workers_used (runner);
  if (n_whole == 0)
    g_print (ngettext ("pacer-run: %u test from %u program(s), %u worker(s), seed %s\n",
                       "pacer-run: %u tests from %u program(s), %u worker(s), seed %s\n",
                       pacer_runner_get_n_tests (runner)),
             pacer_runner_get_n_tests (runner), n_programs,
             pacer_runner_get_n_workers_used (runner), pacer_runner_get_seed (runner));
  else
    /* A program run whole has as many tests as the TAP lines it prints: its
     * count is known only at the end. */
    g_print (ngettext ("pacer-run: %u test from %u program(s) and %u program(s) run whole, %u worker(s), seed %s\n",
                       "pacer-run: %u tests from %u program(s) and %u program(s) run whole, %u worker(s), seed %s\n",
                       pacer_runner_get_n_tests (runner) - n_whole),
             pacer_runner_get_n_tests (runner) - n_whole, n_programs - n_whole, n_whole,
             pacer_runner_get_n_workers_used (runner), pacer_runner_get_seed (runner));

  if (console->tty)
    console->progress_source = g_timeout_add (PROGRESS_MSEC, on_progress_tick, console);
}

static void
on_test_finished (PacerRunner     *runner,
                  PacerTestResult *result,
                  PacerCliConsole *console)
{
  PacerTestOutcome outcome = pacer_test_result_get_outcome (result);
  gboolean failure = pacer_test_outcome_is_failure (outcome);

  console->n_done++;
  if (pacer_test_result_get_order_dependent (result))
    console->n_order_dependent++;
  if (failure)
    g_ptr_array_add (console->failures, g_object_ref (result));

  /* Non-verbose: each failure, and each order-dependent test, gets a line as
   * it happens; -q waits for the summary. */
  if (console->verbose ||
      ((failure || pacer_test_result_get_order_dependent (result)) && !console->quiet))
    {
      const char *worker = pacer_test_result_get_worker (result);
      const char *message = pacer_test_result_get_message (result);
      g_autofree char *duration = format_duration (pacer_test_result_get_duration (result));

      pacer_cli_console_clear_progress (console);
      g_print ("[%s] %s %s (%s)", worker != NULL ? worker : "--", outcome_label (outcome),
               pacer_test_result_get_path (result), duration);
      if (message != NULL && (outcome != PACER_TEST_OUTCOME_PASS || pacer_test_result_get_order_dependent (result)))
        g_print (" — %s", message);
      g_print ("\n");
    }
}

static void
on_note (PacerRunner     *runner,
         const char      *program,
         const char      *message,
         PacerCliConsole *console)
{
  if (console->quiet)
    return;
  pacer_cli_console_clear_progress (console);
  g_print (_("pacer-run: note: %s: %s\n"), program, message);
}

/* With a report on stdout, stdout carries that report alone. */
static void
print_to_stderr (const char *text)
{
  fputs (text, stderr);
}

/* Before the run starts: its first signal is the line that starts it. */
PacerCliConsole *
pacer_cli_console_new (PacerRunner *runner,
                       FILE        *out,
                       gboolean     verbose,
                       gboolean     quiet)
{
  PacerCliConsole *console = g_new0 (PacerCliConsole, 1);

  if (out == stderr)
    g_set_print_handler (print_to_stderr);

  console->runner = g_object_ref (runner);
  console->failures = g_ptr_array_new_with_free_func (g_object_unref);
  console->verbose = verbose;
  console->quiet = quiet;
  console->out = out;
  console->tty = isatty (fileno (out));
  console->start_time = g_get_monotonic_time ();

  g_signal_connect (runner, "run-started", G_CALLBACK (on_run_started), console);
  g_signal_connect (runner, "test-finished", G_CALLBACK (on_test_finished), console);
  g_signal_connect (runner, "note", G_CALLBACK (on_note), console);
  return console;
}

/* The run is over: a progress tick still due must not draw the line again. */
void
pacer_cli_console_stop_progress (PacerCliConsole *console)
{
  console->finished = TRUE;
  g_clear_handle_id (&console->progress_source, g_source_remove);
}

guint
pacer_cli_console_get_n_done (PacerCliConsole *console)
{
  return console->n_done;
}

guint
pacer_cli_console_get_n_failures (PacerCliConsole *console)
{
  return console->failures->len;
}

/* Quotes for a POSIX shell only where needed, so the command stays readable. */
static char *
quote_arg (const char *arg)
{
  static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%";

  if (*arg != '\0' && strspn (arg, safe) == strlen (arg))
    return g_strdup (arg);
  return g_shell_quote (arg);
}

static void
print_failure (PacerTestResult *result)
{
  const char * const *command = pacer_test_result_get_command (result);
  const char *message = pacer_test_result_get_message (result);
  const char *output = pacer_test_result_get_output (result);
  const char *worker = pacer_test_result_get_worker (result);

  g_print ("\n=== %s %s (%s) [%s] ===\n", outcome_label (pacer_test_result_get_outcome (result)),
           pacer_test_result_get_path (result), pacer_test_result_get_program (result),
           worker != NULL ? worker : "--");
  if (message != NULL)
    g_print ("%s\n", message);
  if (output != NULL)
    {
      g_print ("%s", output);
      if (!g_str_has_suffix (output, "\n"))
        g_print ("\n");
    }
  if (command != NULL)
    {
      GString *line = g_string_new (NULL);

      for (guint i = 0; command[i] != NULL; i++)
        {
          g_autofree char *quoted = quote_arg (command[i]);

          if (i > 0)
            g_string_append_c (line, ' ');
          g_string_append (line, quoted);
        }
      g_print (_("Reproduce with: %s\n"), line->str);
      g_string_free (line, TRUE);
    }
}

/* Not test results: a cleanup runs after every test, so none can carry it. */
static void
print_cleanup_failures (PacerRunner *runner)
{
  const char * const *failures = pacer_runner_get_cleanup_failures (runner);

  for (guint i = 0; failures != NULL && failures[i] != NULL; i++)
    g_print ("\n=== %s ===\n%s\n", _("CLEANUP FAILED"), failures[i]);
}

void
pacer_cli_console_print_summary (PacerCliConsole *console)
{
  PacerRunner *runner = console->runner;
  guint failed = pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FAIL) +
                 pacer_runner_get_count (runner, PACER_TEST_OUTCOME_CRASH) +
                 pacer_runner_get_count (runner, PACER_TEST_OUTCOME_TIMEOUT);
  guint skipped = pacer_runner_get_count (runner, PACER_TEST_OUTCOME_SKIP);
  guint flaky = pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FLAKY);
  guint not_run = pacer_runner_get_count (runner, PACER_TEST_OUTCOME_NOT_RUN);
  const char * const *cleanup_failures = pacer_runner_get_cleanup_failures (runner);
  double elapsed = (g_get_monotonic_time () - console->start_time) / (double) G_USEC_PER_SEC;

  pacer_cli_console_clear_progress (console);

  for (guint i = 0; i < console->failures->len; i++)
    print_failure (g_ptr_array_index (console->failures, i));
  print_cleanup_failures (runner);

  if (!console->quiet)
    g_print (_("\nRan in %.2f s with seed %s\n"), elapsed,
             pacer_runner_get_seed (runner) != NULL ? pacer_runner_get_seed (runner) : "-");
  if (!console->quiet && pacer_runner_get_n_workers_used (runner) > console->n_workers_at_start)
    g_print (_("Grew from %u to %u workers while the CPUs had room\n"), console->n_workers_at_start,
             pacer_runner_get_n_workers_used (runner));

  /* The last line, in pytest's form, for people and scripts alike. */
  g_print (_("%u passed, %u failed"), pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), failed);
  if (skipped > 0)
    g_print (_(", %u skipped"), skipped);
  if (flaky > 0)
    g_print (_(", %u flaky"), flaky);
  if (console->n_order_dependent > 0)
    g_print (_(", %u order-dependent"), console->n_order_dependent);
  if (not_run > 0)
    g_print (_(", %u not run"), not_run);
  if (cleanup_failures != NULL)
    g_print (ngettext (", %u cleanup failed", ", %u cleanups failed",
                       g_strv_length ((char **) cleanup_failures)),
             g_strv_length ((char **) cleanup_failures));
  g_print ("\n");
}

void
pacer_cli_console_free (PacerCliConsole *console)
{
  g_signal_handlers_disconnect_by_data (console->runner, console);
  g_clear_handle_id (&console->progress_source, g_source_remove);
  g_ptr_array_unref (console->failures);
  g_object_unref (console->runner);
  g_free (console);
}

/* --list: what the run would start, without running anything. Prints a
 * problem and returns FALSE. */
gboolean
pacer_cli_console_list_tests (PacerRunner *runner,
                              gboolean     several)
{
  g_autoptr(GPtrArray) tests = NULL;
  g_autoptr(GError) error = NULL;

  tests = pacer_runner_list_tests (runner, NULL, &error);
  if (tests == NULL)
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return FALSE;
    }

  for (guint i = 0; i < tests->len; i++)
    {
      PacerTestResult *test = g_ptr_array_index (tests, i);
      const char *program = pacer_test_result_get_program (test);
      const char *path = pacer_test_result_get_path (test);

      /* A program run whole is its own test. */
      if (g_str_equal (program, path))
        g_print ("%s\n", program);
      else if (several)
        g_print ("%s: %s\n", program, path);
      else
        g_print ("%s\n", path);
    }
  return TRUE;
}
