/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run: run GTest programs' tests in parallel, as pytest-xdist does for
 * pytest. The runner lives in the library (PacerRunner); this file is the
 * command line and the console reporter on top of it. */

#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include <pacer-glib/pacer-glib.h>

#include "pacer-i18n-private.h"
#include "pacer-cli-bazel-private.h"
#include "pacer-cli-installed-private.h"
#include "pacer-cli-meson-private.h"
#include "pacer-cli-tap-private.h"
#include "pacer-cli-config-private.h"

#define EXIT_USAGE 2
#define EXIT_SKIPPED 77
/* A shell's status for a process a signal ended: 130 for SIGINT, 143 for SIGTERM. */
#define EXIT_SIGNALED(sig) (128 + (sig))
#define PROGRESS_MSEC 100

typedef struct
{
  PacerRunner *runner;
  GMainLoop *loop;
  GCancellable *cancellable;
  GPtrArray *failures;
  gboolean verbose;
  gboolean quiet;
  gboolean tty;
  gboolean progress_shown;
  guint n_done;
  guint n_order_dependent;
  guint n_workers_at_start;
  gint64 start_time;
  gint64 last_progress;
  guint progress_source;
  gboolean finished;
  int stop_signal;      /* the first SIGINT or SIGTERM that stopped the run, or 0 */
  GError *error;
  FILE *out;            /* stderr when the TAP stream has stdout */
  PacerCliTap *tap;
} Console;

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

static void
clear_progress (Console *console)
{
  if (console->progress_shown)
    {
      fputs ("\r\033[K", console->out);
      console->progress_shown = FALSE;
    }
}

static void
show_progress (Console *console)
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
on_run_started (PacerRunner *runner,
                Console     *console)
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
                  Console         *console)
{
  PacerTestOutcome outcome = pacer_test_result_get_outcome (result);
  gboolean failure = pacer_test_outcome_is_failure (outcome);

  console->n_done++;
  if (pacer_test_result_get_order_dependent (result))
    console->n_order_dependent++;
  if (console->tap != NULL)
    pacer_cli_tap_add (console->tap, result);
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

      clear_progress (console);
      g_print ("[%s] %s %s (%s)", worker != NULL ? worker : "--", outcome_label (outcome),
               pacer_test_result_get_path (result), duration);
      if (message != NULL && (outcome != PACER_TEST_OUTCOME_PASS || pacer_test_result_get_order_dependent (result)))
        g_print (" — %s", message);
      g_print ("\n");
    }
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

static void
print_summary (Console *console)
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

  clear_progress (console);

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

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Console *console = user_data;

  pacer_runner_run_finish (PACER_RUNNER (source), result, &console->error);
  console->finished = TRUE;
  g_main_loop_quit (console->loop);
}

static void
on_note (PacerRunner *runner,
         const char  *program,
         const char  *message,
         Console     *console)
{
  if (console->quiet)
    return;
  clear_progress (console);
  g_print (_("pacer-run: note: %s: %s\n"), program, message);
}

/* Every process group is killed by the runner, the fixtures' teardown pass
 * still runs and the reports are still written; the run then ends with
 * CANCELLED and pacer-run exits as a shell reports that signal. */
static void
stop_on_signal (Console *console,
                int      sig)
{
  if (console->stop_signal == 0)
    console->stop_signal = sig;
  g_cancellable_cancel (console->cancellable);
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

/* With `--tap -` stdout carries TAP alone. */
static void
print_to_stderr (const char *text)
{
  fputs (text, stderr);
}

static gboolean
parse_workers (const char  *text,
               guint       *n_workers,
               GError     **error)
{
  guint64 value = 0;

  if (text == NULL || g_str_equal (text, "auto") || g_str_equal (text, "logical"))
    {
      *n_workers = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, 1024, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("-n “%s” is not a number of workers: give an integer from 1 to 1024, or “auto”"), text);
      return FALSE;
    }
  *n_workers = (guint) value;
  return TRUE;
}

/* --max-workers: a count, or “auto” for four per usable CPU (tests that
 * wait leave most of a CPU idle). Not below -n: that would be no growth
 * said in a way that looks like a limit. */
static gboolean
parse_max_workers (const char  *text,
                   guint        n_workers,
                   guint       *max_workers,
                   GError     **error)
{
  guint64 value = 0;
  guint start = n_workers > 0 ? n_workers : pacer_runner_get_usable_cpus ();

  *max_workers = 0;
  if (text == NULL)
    return TRUE;
  if (g_str_equal (text, "auto"))
    value = MAX (MIN (4 * (guint64) pacer_runner_get_usable_cpus (), 1024), start);
  else if (!g_ascii_string_to_unsigned (text, 10, 1, 1024, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--max-workers “%s” is not a number of workers: give an integer from 1 to 1024, or “auto”"),
                   text);
      return FALSE;
    }
  if (value < start)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--max-workers %u is fewer than the %u workers the run starts with (-n)"),
                   (guint) value, start);
      return FALSE;
    }
  *max_workers = (guint) value;
  return TRUE;
}

/* Reports ---------------------------------------------------------------- */

typedef struct
{
  const char *option;
  const char *path;
  gboolean (*write) (PacerRunner *runner, const char *path, GError **error);
} Report;

/* Before the run, so a bad path costs nothing: exit status 2 on a problem.
 * A report on stdout sends the console to stderr. */
static gboolean
check_reports (Report   *reports,
               guint     n_reports,
               gboolean *on_stdout_out)
{
  const char *on_stdout = NULL;

  for (guint i = 0; i < n_reports; i++)
    {
      g_autoptr(GError) error = NULL;

      if (reports[i].path == NULL)
        continue;
      if (g_str_equal (reports[i].path, "-"))
        {
          if (on_stdout != NULL)
            {
              g_printerr (_("pacer-run: %s and %s cannot both write to standard output\n"),
                          on_stdout, reports[i].option);
              return FALSE;
            }
          on_stdout = reports[i].option;
        }
      if (!pacer_report_check_writable (reports[i].path, &error))
        {
          g_printerr ("pacer-run: %s: %s\n", reports[i].option, error->message);
          return FALSE;
        }
    }
  if (on_stdout != NULL)
    g_set_print_handler (print_to_stderr);
  *on_stdout_out = on_stdout != NULL;
  return TRUE;
}

static gboolean
write_reports (PacerRunner *runner,
               Report      *reports,
               guint        n_reports)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < n_reports; i++)
    {
      g_autoptr(GError) error = NULL;

      /* --tap is written as the run goes, by the console. */
      if (reports[i].path != NULL && reports[i].write != NULL &&
          !reports[i].write (runner, reports[i].path, &error))
        {
          g_printerr ("pacer-run: %s: %s\n", reports[i].option, error->message);
          ok = FALSE;
        }
    }
  return ok;
}

/* Whether @arg, an option, takes the next argument as its value. */
static gboolean
takes_value (const GOptionEntry *entries,
             const char         *arg)
{
  for (guint i = 0; entries[i].long_name != NULL; i++)
    {
      gboolean named = arg[1] == '-' ? g_str_equal (arg + 2, entries[i].long_name)
                                     : arg[2] == '\0' && arg[1] == entries[i].short_name;

      if (named)
        return entries[i].arg != G_OPTION_ARG_NONE;
    }
  return FALSE;
}

/* Where pacer-run's own options end: the first argument that is neither an
 * option nor an option's value (the first program), or `--`. */
static int
first_operand (int                 argc,
               char              **argv,
               const GOptionEntry *entries)
{
  for (int i = 1; i < argc; i++)
    {
      if (argv[i][0] != '-' || argv[i][1] == '\0' || g_str_equal (argv[i], "--"))
        return i;
      if (takes_value (entries, argv[i]))
        i++;
    }
  return argc;
}

/* --list: print what the run would start, without running anything. */
static int
list_tests (PacerRunner *runner,
            gboolean     several)
{
  g_autoptr(GPtrArray) tests = NULL;
  g_autoptr(GError) error = NULL;

  tests = pacer_runner_list_tests (runner, NULL, &error);
  if (tests == NULL)
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return EXIT_USAGE;
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
  return EXIT_SUCCESS;
}

#define INSTALLED_TESTS_TIMEOUT 300.0

/* --timeout, and whether it was given: installed tests have a default. */
static struct
{
  double seconds;
  gboolean given;
} timeout_option;

static gboolean
parse_timeout (const char  *option_name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  char *end = NULL;
  double seconds = g_ascii_strtod (value, &end);

  if (end == value || *end != '\0' || !isfinite (seconds))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Cannot parse double value “%s” for %s"), value, option_name);
      return FALSE;
    }
  timeout_option.seconds = seconds;
  timeout_option.given = TRUE;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *workers = NULL;
  g_autofree char *max_workers_text = NULL;
  g_autofree char *dist = NULL;
  g_autofree char *seed = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *cache_dir = NULL;
  g_autofree char *store_uri = NULL;
  g_autofree char *tap_target = NULL;
  g_autofree char *partition = NULL;
  g_autofree char *config_file = NULL;
  g_auto(GStrv) group_args = NULL;
  g_auto(GStrv) serial_args = NULL;
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) serial = NULL;
  PacerDistMode dist_mode = PACER_DIST_MODE_LOAD;
  g_auto(GStrv) paths = NULL;
  g_auto(GStrv) skip_paths = NULL;
  g_auto(GStrv) programs = NULL;
  int max_worker_restart = -1;
  int maxfail = 0;
  int retries = 0;
  gboolean exitfirst = FALSE;
  gboolean list = FALSE;
  gboolean verbose = FALSE;
  gboolean quiet = FALSE;
  gboolean version = FALSE;
  gboolean installed_tests = FALSE;
  gboolean strict_order = FALSE;
  gboolean no_order_check = FALSE;
  gboolean exec = FALSE;
  int operand;
  g_autofree char *build_dir = NULL;
  g_auto(GStrv) suites = NULL;
  g_auto(GStrv) no_suites = NULL;
  g_autofree char *timeout_multiplier = NULL;
  gboolean no_rebuild = FALSE;
  g_autofree char *scratch_dir = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  guint n_workers = 0;
  guint max_workers = 0;
  g_autofree char *junit_xml = NULL;
  g_autofree char *json = NULL;
  g_autofree char *timeline = NULL;
  gboolean report_on_stdout = FALSE;
  const GOptionEntry entries[] = {
    { "numprocesses", 'n', 0, G_OPTION_ARG_STRING, &workers, N_("Number of workers, or “auto” for one per usable CPU"), N_("N|auto") },
    { "max-workers", 0, 0, G_OPTION_ARG_STRING, &max_workers_text, N_("Add workers up to N while the CPUs have room; “auto” for four per usable CPU"), N_("N|auto") },
    { "dist", 0, 0, G_OPTION_ARG_STRING, &dist, N_("How tests are spread over workers: load (default), loadscope, loadfile, loadgroup, worksteal, each or no"), N_("MODE") },
    { "group", 0, 0, G_OPTION_ARG_STRING_ARRAY, &group_args, N_("With --dist loadgroup, run the tests matching GLOB in one worker, as group NAME"), N_("GLOB=NAME") },
    { "serial", 0, 0, G_OPTION_ARG_STRING_ARRAY, &serial_args, N_("Run the tests matching GLOB while nothing else runs"), N_("GLOB") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file, N_("Read groups and serial tests from FILE (default: pacer.ini, if present)"), N_("FILE") },
    { "max-worker-restart", 0, 0, G_OPTION_ARG_INT, &max_worker_restart, N_("Crashed processes replaced before the run stops (default 4 × workers)"), N_("N") },
    { "exitfirst", 'x', 0, G_OPTION_ARG_NONE, &exitfirst, N_("Stop at the first failure"), NULL },
    { "maxfail", 0, 0, G_OPTION_ARG_INT, &maxfail, N_("Stop after N failures"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) parse_timeout, N_("Kill a test that runs longer than SECONDS (with --installed-tests 300, as gnome-desktop-testing-runner)"), N_("SECONDS") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &retries, N_("Run a failed test again up to N times"), N_("N") },
    { "strict-order", 0, 0, G_OPTION_ARG_NONE, &strict_order, N_("Count an order-dependent test (fails when split from its program, passes in listing order) as failed"), NULL },
    { "no-order-check", 0, 0, G_OPTION_ARG_NONE, &no_order_check, N_("Report a failure at once, without re-running its program in listing order to tell an order-dependent test"), NULL },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, N_("GTest random seed for every process"), N_("SEED") },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, N_("GTest mode: quick, slow, thorough, perf, undefined, no-undefined"), N_("MODE") },
    { "path", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &paths, N_("Only run PATH and its direct children"), N_("PATH") },
    { "skip", 's', 0, G_OPTION_ARG_STRING_ARRAY, &skip_paths, N_("Skip the test PATH"), N_("PATH") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the tests and exit"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Print every result"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print only failures and the summary"), NULL },
    { "tap", 0, 0, G_OPTION_ARG_FILENAME, &tap_target, N_("Write the results as TAP to FILE, or to standard output with “-” (the console then goes to standard error)"), N_("FILE|-") },
    { "partition", 0, 0, G_OPTION_ARG_STRING, &partition, N_("Run only partition K of N: slice:K/N, hash:K/N or duration:K/N"), N_("KIND:K/N") },
    { "exec", 0, 0, G_OPTION_ARG_NONE, &exec, N_("Run one test command: the first argument is the program, the others its own arguments (for meson test --wrapper)"), NULL },
    { "installed-tests", 0, 0, G_OPTION_ARG_NONE, &installed_tests, N_("Run GNOME installed tests: the arguments are .test files or directories of them"), NULL },
    { "build-dir", 'C', 0, G_OPTION_ARG_FILENAME, &build_dir, N_("Run the tests of a meson build directory, as “meson test” does; the arguments are test names"), N_("BUILDDIR") },
    { "suite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &suites, N_("With -C, only run the tests of SUITE (meson's [PROJECT:]SUITE)"), N_("SUITE") },
    { "no-suite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &no_suites, N_("With -C, do not run the tests of SUITE"), N_("SUITE") },
    { "timeout-multiplier", 0, 0, G_OPTION_ARG_STRING, &timeout_multiplier, N_("With -C, multiply meson's test timeouts by N (0 or less: no timeout)"), N_("N") },
    { "no-rebuild", 0, 0, G_OPTION_ARG_NONE, &no_rebuild, N_("With -C, do not build the tests first"), NULL },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &cache_dir, N_("Keep the duration history in DIR"), N_("DIR") },
    { "store", 0, 0, G_OPTION_ARG_STRING, &store_uri, N_("Keep the tests' shared state in URI (a directory, redis://… or unix://…), passed to them as PACER_STORE"), N_("URI") },
    { "junit-xml", 0, 0, G_OPTION_ARG_FILENAME, &junit_xml, N_("Write the results as JUnit XML to FILE (- for standard output)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json, N_("Write every result as JSON to FILE (- for standard output)"), N_("FILE") },
    { "timeline", 0, 0, G_OPTION_ARG_FILENAME, &timeline, N_("Draw which worker ran what and when in the SVG FILE"), N_("FILE.svg") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &programs, NULL, N_("[--] TEST-PROGRAM…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerRunner) runner = NULL;
  g_autoptr(PacerDurationHistory) history = NULL;
  g_autofree char *history_file = NULL;
  Console console = { 0 };
  g_autoptr(GPtrArray) args = NULL;
  char **split_argv;
  int split_argc;
  guint sigint_source, sigterm_source;
  int status;

  setlocale (LC_ALL, "");
#if ENABLE_NLS
  bindtextdomain (GETTEXT_PACKAGE, _pacer_i18n_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
#endif

  /* --exec among our own options: what follows the program is its own, as
   * meson test --wrapper passes it (`pacer-run … --exec ./test --tap -k`). */
  operand = first_operand (argc, argv, entries);
  for (int i = 1; i < operand; i++)
    exec = exec || g_str_equal (argv[i], "--exec");

  /* pytest-xdist users write -n4 and -nauto; GOption wants -n 4. */
  args = g_ptr_array_new ();
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--") || (exec && i >= operand))
        {
          for (; i < argc; i++)
            g_ptr_array_add (args, argv[i]);
          break;
        }
      if (i > 0 && g_str_has_prefix (argv[i], "-n") && argv[i][2] != '\0')
        {
          g_ptr_array_add (args, (char *) "-n");
          g_ptr_array_add (args, argv[i] + 2);
        }
      else
        g_ptr_array_add (args, argv[i]);
    }
  split_argc = args->len;
  g_ptr_array_add (args, NULL);
  split_argv = (char **) args->pdata;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Runs the tests of GTest programs in parallel worker processes."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Options end at the program, whose arguments GOption must not take. */
  g_option_context_set_strict_posix (context, exec);
  if (!g_option_context_parse (context, &split_argc, &split_argv, &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      g_printerr (_("Run “pacer-run --help” to see the options.\n"));
      return EXIT_USAGE;
    }

  if (version)
    {
      g_print ("pacer-run %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (installed_tests && (programs == NULL || programs[0] == NULL))
    {
      g_printerr (_("pacer-run: --installed-tests needs .test files or directories of them\n"));
      return EXIT_USAGE;
    }
  if (build_dir == NULL && (suites != NULL || no_suites != NULL || timeout_multiplier != NULL || no_rebuild))
    {
      g_printerr (_("pacer-run: --suite, --no-suite, --timeout-multiplier and --no-rebuild need -C BUILDDIR\n"));
      return EXIT_USAGE;
    }
  if (exec && (build_dir != NULL || installed_tests))
    {
      g_printerr (_("pacer-run: --exec cannot be used with -C or --installed-tests\n"));
      return EXIT_USAGE;
    }
  if (build_dir != NULL && installed_tests)
    {
      g_printerr (_("pacer-run: -C and --installed-tests cannot be used together\n"));
      return EXIT_USAGE;
    }
  /* meson's timeouts are the tests' own; --timeout-multiplier scales them. */
  if (build_dir != NULL && timeout_option.given)
    {
      g_printerr (_("pacer-run: with -C each test has meson's timeout: use --timeout-multiplier instead of --timeout\n"));
      return EXIT_USAGE;
    }
  if (build_dir == NULL && (programs == NULL || programs[0] == NULL))
    {
      g_printerr (_("pacer-run: no test program given\n"));
      g_printerr (_("Run “pacer-run --help” to see the options.\n"));
      return EXIT_USAGE;
    }

  /* A store that cannot be reached fails the run here, once, rather than in every test. */
  if (store_uri != NULL)
    {
      g_autoptr(PacerStore) store = pacer_store_new_for_uri (store_uri, "pacer_run", &error);

      if (store == NULL)
        {
          g_printerr (_("pacer-run: --store: %s\n"), error->message);
          return EXIT_USAGE;
        }
      g_setenv ("PACER_STORE", store_uri, TRUE);
    }

  if (!parse_workers (workers, &n_workers, &error) ||
      !parse_max_workers (max_workers_text, n_workers, &max_workers, &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return EXIT_USAGE;
    }

  if (dist != NULL && !pacer_dist_mode_from_string (dist, &dist_mode))
    {
      g_printerr (_("pacer-run: --dist “%s” is not a distribution mode; use load, loadscope, loadfile, "
                    "loadgroup, worksteal, each or no\n"), dist);
      return EXIT_USAGE;
    }

  /* --group means nothing to another mode: without --dist it asks for
   * loadgroup, and against another mode it is a mistake worth saying. */
  if (group_args != NULL && dist == NULL)
    dist_mode = PACER_DIST_MODE_LOADGROUP;
  else if (group_args != NULL && dist_mode != PACER_DIST_MODE_LOADGROUP)
    {
      g_printerr (_("pacer-run: --group needs --dist loadgroup, not --dist %s\n"), dist);
      return EXIT_USAGE;
    }

  /* Groups and serial tests: the command line first, then pacer.ini. */
  {
    g_autoptr(GStrvBuilder) group_builder = g_strv_builder_new ();
    g_autoptr(GStrvBuilder) serial_builder = g_strv_builder_new ();
    g_autoptr(PacerScheduler) check = NULL;

    if (group_args != NULL)
      g_strv_builder_addv (group_builder, (const char **) group_args);
    if (serial_args != NULL)
      g_strv_builder_addv (serial_builder, (const char **) serial_args);
    if (!pacer_cli_config_load (config_file != NULL ? config_file : "pacer.ini", config_file != NULL,
                                group_builder, serial_builder, &error))
      {
        g_printerr ("pacer-run: %s\n", error->message);
        return EXIT_USAGE;
      }
    groups = g_strv_builder_end (group_builder);
    serial = g_strv_builder_end (serial_builder);

    check = pacer_scheduler_new_for_dist (PACER_DIST_MODE_LOADGROUP, (const char * const *) groups, &error);
    if (check == NULL)
      {
        g_printerr ("pacer-run: --group: %s\n", error->message);
        return EXIT_USAGE;
      }
  }

  if (max_worker_restart < -1 || maxfail < 0 || retries < 0 || timeout_option.seconds < 0)
    {
      g_printerr (_("pacer-run: --max-worker-restart, --maxfail, --retries and --timeout take numbers of at least 0\n"));
      return EXIT_USAGE;
    }
  if (exitfirst)
    maxfail = 1;

  if (seed != NULL && !pacer_runner_seed_is_valid (seed))
    {
      g_printerr (_("pacer-run: --seed “%s” is not a GTest seed (R02S and 32 hexadecimal digits)\n"), seed);
      return EXIT_USAGE;
    }

  if (mode != NULL)
    {
      const char *modes[] = { "perf", "slow", "thorough", "quick", "undefined", "no-undefined", NULL };

      if (!g_strv_contains (modes, mode))
        {
          g_printerr (_("pacer-run: -m “%s” is not a GTest mode (perf, slow, thorough, quick, undefined, no-undefined)\n"), mode);
          return EXIT_USAGE;
        }
    }

  /* An explicit --partition wins over Bazel's variables. */
  if (partition == NULL && !pacer_cli_bazel_partition (&partition, &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (partition != NULL && !pacer_partition_parse (partition, NULL, NULL, NULL, &error))
    {
      g_printerr (_("pacer-run: --partition: %s\n"), error->message);
      return EXIT_USAGE;
    }

  if (build_dir != NULL)
    {
      PacerCliMesonFilter filter = { (const char * const *) suites, (const char * const *) no_suites,
                                     (const char * const *) programs, 1.0 };
      g_auto(GStrv) depends = NULL;
      double max_timeout = 0;

      if (timeout_multiplier != NULL)
        {
          char *end = NULL;

          filter.timeout_multiplier = g_ascii_strtod (timeout_multiplier, &end);
          if (end == timeout_multiplier || *end != '\0' || !isfinite (filter.timeout_multiplier))
            {
              g_printerr (_("pacer-run: --timeout-multiplier “%s” is not a number\n"), timeout_multiplier);
              return EXIT_USAGE;
            }
        }
      /* As meson test: the list is regenerated first, then what the tests need is built. */
      if ((!no_rebuild && !pacer_cli_meson_regenerate (build_dir, &error)) ||
          (commands = pacer_cli_meson_load (build_dir, &filter, &depends, &max_timeout, &error)) == NULL ||
          (!no_rebuild && !pacer_cli_meson_build (build_dir, (const char * const *) depends, &error)))
        {
          g_printerr ("pacer-run: %s\n", error->message);
          return EXIT_USAGE;
        }
      runner = pacer_runner_new (NULL);
      for (guint i = 0; i < commands->len; i++)
        pacer_runner_add_command (runner, g_ptr_array_index (commands, i));
      /* Every test has its own timeout; the run's bounds listing and
       * fixture teardown by the longest of them. */
      timeout_option.seconds = max_timeout;
    }
  else if (exec)
    {
      g_autoptr(PacerTestCommand) command = pacer_test_command_new (programs[0], (const char * const *) programs);

      runner = pacer_runner_new (NULL);
      pacer_runner_add_command (runner, command);
    }
  else if (installed_tests)
    {
      /* gnome-desktop-testing-runner's limit: a real suite has tests that
       * wait for a server or a bus that never comes, and must not hang. */
      if (!timeout_option.given)
        timeout_option.seconds = INSTALLED_TESTS_TIMEOUT;
      if (list)
        {
          g_printerr (_("pacer-run: --list does not take --installed-tests\n"));
          return EXIT_USAGE;
        }
      scratch_dir = pacer_cli_installed_scratch (&error);
      if (scratch_dir != NULL)
        commands = pacer_cli_installed_load ((const char * const *) programs, scratch_dir, &error);
      if (commands == NULL)
        {
          g_printerr ("pacer-run: %s\n", error->message);
          pacer_cli_installed_cleanup (scratch_dir);
          return EXIT_USAGE;
        }
      runner = pacer_runner_new (NULL);
      for (guint i = 0; i < commands->len; i++)
        pacer_runner_add_command (runner, g_ptr_array_index (commands, i));
    }
  else
    runner = pacer_runner_new ((const char * const *) programs);
  history_file = pacer_duration_history_default_file (cache_dir);
  history = pacer_duration_history_new (history_file);

  g_object_set (runner,
                "n-workers", n_workers,
                "max-workers", max_workers,
                "max-worker-restart", max_worker_restart,
                "maxfail", (guint) maxfail,
                "timeout", timeout_option.seconds,
                "retries", (guint) retries,
                "seed", seed,
                "mode", mode,
                "paths", paths,
                "skip-paths", skip_paths,
                "history", history,
                "partition", partition,
                "dist", dist_mode,
                "groups", groups,
                "serial", serial,
                "strict-order", strict_order,
                "order-check", !no_order_check,
                NULL);

  /* The run's own start finds the tests, programs run whole included. */
  if (list)
    return list_tests (runner, build_dir != NULL || programs[1] != NULL);

  Report reports[] = {
    { "--tap", tap_target, NULL },
    { "--junit-xml", junit_xml, pacer_runner_write_junit_xml },
    { "--json", json, pacer_runner_write_json },
    { "--timeline", timeline, pacer_runner_write_timeline },
  };
  if (!check_reports (reports, G_N_ELEMENTS (reports), &report_on_stdout))
    return EXIT_USAGE;

  /* Opened before the run: a report that cannot be written is bad input. */
  if (tap_target != NULL)
    {
      console.tap = pacer_cli_tap_open (tap_target, &error);
      if (console.tap == NULL)
        {
          g_printerr ("pacer-run: %s\n", error->message);
          pacer_cli_installed_cleanup (scratch_dir);
          return EXIT_USAGE;
        }
    }

  console.runner = runner;
  console.loop = g_main_loop_new (NULL, FALSE);
  console.cancellable = g_cancellable_new ();
  console.failures = g_ptr_array_new_with_free_func (g_object_unref);
  console.verbose = verbose;
  console.quiet = quiet && !verbose;
  /* A report on stdout (TAP, JUnit, JSON) sends the console to stderr. */
  console.out = report_on_stdout ? stderr : stdout;
  console.tty = isatty (fileno (console.out));
  console.start_time = g_get_monotonic_time ();

  g_signal_connect (runner, "run-started", G_CALLBACK (on_run_started), &console);
  g_signal_connect (runner, "test-finished", G_CALLBACK (on_test_finished), &console);
  g_signal_connect (runner, "note", G_CALLBACK (on_note), &console);
  sigint_source = g_unix_signal_add (SIGINT, on_sigint, &console);
  sigterm_source = g_unix_signal_add (SIGTERM, on_sigterm, &console);

  pacer_runner_run_async (runner, console.cancellable, on_run_done, &console);
  g_main_loop_run (console.loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  pacer_cli_installed_cleanup (scratch_dir);
  g_clear_handle_id (&console.progress_source, g_source_remove);

  if (console.error != NULL && !g_error_matches (console.error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      pacer_runner_get_n_tests (runner) == 0 && console.n_done == 0)
    {
      /* Nothing ran: a usage problem such as a missing program. */
      clear_progress (&console);
      g_printerr ("pacer-run: %s\n", console.error->message);
      status = EXIT_USAGE;
    }
  else
    {
      print_summary (&console);
      if (g_error_matches (console.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr (_("pacer-run: interrupted\n"));
          status = EXIT_SIGNALED (console.stop_signal != 0 ? console.stop_signal : SIGINT);
        }
      else if (console.error != NULL)
        {
          g_printerr ("pacer-run: %s\n", console.error->message);
          status = EXIT_USAGE;
        }
      else if (console.failures->len > 0 || pacer_runner_get_cleanup_failures (runner) != NULL)
        status = EXIT_FAILURE;
      /* A wrapper speaks for its program: meson's exitcode protocol reads 77 as skipped. */
      else if (exec && pacer_runner_get_count (runner, PACER_TEST_OUTCOME_SKIP) > 0 &&
               pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS) == 0 &&
               pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FLAKY) == 0)
        status = EXIT_SKIPPED;
      else
        status = EXIT_SUCCESS;

      /* Also after -x, crashes and Ctrl-C: the tests not run are in them. */
      if (!write_reports (runner, reports, G_N_ELEMENTS (reports)))
        status = EXIT_USAGE;
    }

  if (console.tap != NULL && !pacer_cli_tap_close (g_steal_pointer (&console.tap), &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      status = EXIT_USAGE;
    }

  g_clear_error (&console.error);
  g_ptr_array_unref (console.failures);
  g_object_unref (console.cancellable);
  g_main_loop_unref (console.loop);

  return status;
}
