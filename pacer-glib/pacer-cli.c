/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run: run GTest programs' tests in parallel, as pytest-xdist does for
 * pytest. The runner lives in the library (PacerRunner); this file is the
 * command's main(), which runs it from the options (pacer-cli-options.c)
 * with the console (pacer-cli-console.c) and reports (pacer-cli-reports.c)
 * following the run. */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include <pacer-glib/pacer-glib.h>

#include "pacer-i18n-private.h"
#include "pacer-cli-console-private.h"
#include "pacer-cli-installed-private.h"
#include "pacer-cli-meson-private.h"
#include "pacer-cli-options-private.h"
#include "pacer-cli-reports-private.h"

#define EXIT_USAGE PACER_CLI_EXIT_USAGE
#define EXIT_SKIPPED 77
/* A shell's status for a process a signal ended: 130 for SIGINT, 143 for SIGTERM. */
#define EXIT_SIGNALED(sig) (128 + (sig))

/* The run on the main loop, until it ends or a signal stops it. */
typedef struct
{
  GMainLoop *loop;
  GCancellable *cancellable;
  PacerCliConsole *console;
  int stop_signal;      /* the first SIGINT or SIGTERM that stopped the run, or 0 */
  GError *error;
} Run;

static void
init_i18n (void)
{
  setlocale (LC_ALL, "");
#if ENABLE_NLS
  bindtextdomain (GETTEXT_PACKAGE, _pacer_i18n_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
#endif
}

static void
add_commands (PacerRunner *runner,
              GPtrArray   *commands)
{
  for (guint i = 0; i < commands->len; i++)
    pacer_runner_add_command (runner, g_ptr_array_index (commands, i));
}

/* The runner for the kind of run @options ask for: a meson build
 * directory's tests, one command, installed tests or test programs. The
 * installed tests' scratch directory, made here, goes to @scratch_dir even
 * on an error, for the caller to remove. */
static PacerRunner *
create_runner (const PacerCliOptions  *options,
               char                  **scratch_dir,
               GError               **error)
{
  const char * const *programs = (const char * const *) options->programs;
  g_autoptr(PacerRunner) runner = NULL;
  g_autoptr(PacerDurationHistory) history = NULL;
  g_autofree char *history_file = NULL;
  double timeout = options->timeout;

  if (options->build_dir != NULL)
    {
      const char *build_dir = options->build_dir;
      gboolean rebuild = !options->no_rebuild;
      PacerCliMesonFilter filter = { (const char * const *) options->suites,
                                     (const char * const *) options->no_suites,
                                     programs, options->timeout_multiplier };
      g_autoptr(GPtrArray) commands = NULL;
      g_auto(GStrv) depends = NULL;
      double max_timeout = 0;

      /* As meson test: the list is regenerated first, then what the tests need is built. */
      if ((rebuild && !pacer_cli_meson_regenerate (build_dir, error)) ||
          (commands = pacer_cli_meson_load (build_dir, &filter, &depends, &max_timeout, error)) == NULL ||
          (rebuild && !pacer_cli_meson_build (build_dir, (const char * const *) depends, error)))
        return NULL;
      runner = pacer_runner_new (NULL);
      add_commands (runner, commands);
      /* Every test has its own timeout; the run's bounds listing and
       * fixture teardown by the longest of them. */
      timeout = max_timeout;
    }
  else if (options->exec)
    {
      g_autoptr(PacerTestCommand) command = pacer_test_command_new (programs[0], programs);

      runner = pacer_runner_new (NULL);
      pacer_runner_add_command (runner, command);
    }
  else if (options->installed_tests)
    {
      g_autoptr(GPtrArray) commands = NULL;

      *scratch_dir = pacer_cli_installed_scratch (error);
      if (*scratch_dir == NULL ||
          (commands = pacer_cli_installed_load (programs, *scratch_dir, error)) == NULL)
        return NULL;
      runner = pacer_runner_new (NULL);
      add_commands (runner, commands);
    }
  else
    runner = pacer_runner_new (programs);

  history_file = pacer_duration_history_default_file (options->cache_dir);
  history = pacer_duration_history_new (history_file);

  g_object_set (runner,
                "n-workers", options->n_workers,
                "max-workers", options->max_workers,
                "max-worker-restart", options->max_worker_restart,
                "maxfail", (guint) options->maxfail,
                "timeout", timeout,
                "retries", (guint) options->retries,
                "seed", options->seed,
                "mode", options->mode,
                "paths", options->paths,
                "skip-paths", options->skip_paths,
                "history", history,
                "partition", options->partition,
                "dist", options->dist,
                "groups", options->groups,
                "serial", options->serial,
                "strict-order", options->strict_order,
                "order-check", options->order_check,
                NULL);
  return g_steal_pointer (&runner);
}

/* --list: the program before each test when there may be several. */
static int
list_tests (PacerRunner           *runner,
            const PacerCliOptions *options)
{
  gboolean several = options->build_dir != NULL || options->programs[1] != NULL;

  return pacer_cli_console_list_tests (runner, several) ? EXIT_SUCCESS : EXIT_USAGE;
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  pacer_runner_run_finish (PACER_RUNNER (source), result, &run->error);
  pacer_cli_console_stop_progress (run->console);
  g_main_loop_quit (run->loop);
}

/* Every process group is killed by the runner, the fixtures' teardown pass
 * still runs and the reports are still written; the run then ends with
 * CANCELLED and pacer-run exits as a shell reports that signal. */
static void
stop_on_signal (Run *run,
                int  sig)
{
  if (run->stop_signal == 0)
    run->stop_signal = sig;
  g_cancellable_cancel (run->cancellable);
}

static gboolean
on_sigint (gpointer user_data)
{
  stop_on_signal (user_data, SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigterm (gpointer user_data)
{
  stop_on_signal (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

/* Runs the tests to the end, or until SIGINT or SIGTERM stops them. */
static void
run_tests (PacerRunner     *runner,
           PacerCliConsole *console,
           Run             *run)
{
  guint sigint_source, sigterm_source;

  run->loop = g_main_loop_new (NULL, FALSE);
  run->cancellable = g_cancellable_new ();
  run->console = console;

  sigint_source = g_unix_signal_add (SIGINT, on_sigint, run);
  sigterm_source = g_unix_signal_add (SIGTERM, on_sigterm, run);
  pacer_runner_run_async (runner, run->cancellable, on_run_done, run);
  g_main_loop_run (run->loop);
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);

  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->loop, g_main_loop_unref);
}

/* What the run's end says, after the summary: the exit status, and why it
 * is not success when the console has not said so. */
static int
run_status (PacerRunner     *runner,
            PacerCliConsole *console,
            const Run       *run,
            gboolean         exec)
{
  if (g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr (_("pacer-run: interrupted\n"));
      return EXIT_SIGNALED (run->stop_signal != 0 ? run->stop_signal : SIGINT);
    }
  if (run->error != NULL)
    {
      g_printerr ("pacer-run: %s\n", run->error->message);
      return EXIT_USAGE;
    }
  if (pacer_cli_console_get_n_failures (console) > 0 ||
      pacer_runner_get_cleanup_failures (runner) != NULL)
    return EXIT_FAILURE;
  /* A wrapper speaks for its program: meson's exitcode protocol reads 77 as skipped. */
  if (exec && pacer_runner_get_count (runner, PACER_TEST_OUTCOME_SKIP) > 0 &&
      pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS) == 0 &&
      pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FLAKY) == 0)
    return EXIT_SKIPPED;
  return EXIT_SUCCESS;
}

/* Nothing ran: a usage problem such as a missing program, not a run to sum up. */
static gboolean
nothing_ran (PacerRunner     *runner,
             PacerCliConsole *console,
             const Run       *run)
{
  return run->error != NULL && !g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
         pacer_runner_get_n_tests (runner) == 0 && pacer_cli_console_get_n_done (console) == 0;
}

int
main (int   argc,
      char *argv[])
{
  g_auto(PacerCliOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerRunner) runner = NULL;
  g_autofree char *scratch_dir = NULL;
  g_autoptr(PacerCliReports) reports = NULL;
  g_autoptr(PacerCliConsole) console = NULL;
  Run run = { 0 };
  FILE *console_out;
  int status;

  init_i18n ();
  if (!pacer_cli_options_parse (&options, argc, argv, &status))
    return status;

  runner = create_runner (&options, &scratch_dir, &error);
  if (runner == NULL)
    {
      g_printerr ("pacer-run: %s\n", error->message);
      pacer_cli_installed_cleanup (scratch_dir);
      return EXIT_USAGE;
    }

  /* The run's own start finds the tests, programs run whole included. */
  if (options.list)
    return list_tests (runner, &options);

  reports = pacer_cli_reports_new (&options);
  if (!pacer_cli_reports_check (reports))
    return EXIT_USAGE;
  if (!pacer_cli_reports_start (reports, runner))
    {
      pacer_cli_installed_cleanup (scratch_dir);
      return EXIT_USAGE;
    }
  /* A report on stdout (TAP, JUnit, JSON) sends the console to stderr. */
  console_out = pacer_cli_reports_get_on_stdout (reports) ? stderr : stdout;
  console = pacer_cli_console_new (runner, console_out, options.verbose, options.quiet);

  run_tests (runner, console, &run);
  pacer_cli_installed_cleanup (scratch_dir);

  if (nothing_ran (runner, console, &run))
    {
      pacer_cli_console_clear_progress (console);
      g_printerr ("pacer-run: %s\n", run.error->message);
      status = EXIT_USAGE;
    }
  else
    {
      pacer_cli_console_print_summary (console);
      status = run_status (runner, console, &run, options.exec);
      if (!pacer_cli_reports_write (reports))
        status = EXIT_USAGE;
    }
  if (!pacer_cli_reports_close (reports))
    status = EXIT_USAGE;

  g_clear_error (&run.error);
  return status;
}
