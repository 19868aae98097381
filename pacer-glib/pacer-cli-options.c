/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run's options: the command line, pacer.ini and Bazel's variables,
 * checked before anything runs so that a mistake costs nothing and ends
 * with exit status 2. */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "pacer-cli-bazel-private.h"
#include "pacer-cli-ci-private.h"
#include "pacer-cli-config-private.h"
#include "pacer-cli-options-private.h"

#define INSTALLED_TESTS_TIMEOUT 300.0

/* What GOption leaves to be checked or converted before it is an option. */
typedef struct
{
  char *workers;
  char *max_workers;
  char *dist;
  char **group_args;
  char **serial_args;
  char *config_file;
  char *store_uri;
  char *timeout_multiplier;
  gboolean timeout_given;  /* installed tests have a default */
  gboolean exitfirst;
  gboolean no_order_check;
  gboolean version;
  PacerCliOptions *options;
} CommandLine;

static void
command_line_clear (CommandLine *command_line)
{
  g_free (command_line->workers);
  g_free (command_line->max_workers);
  g_free (command_line->dist);
  g_strfreev (command_line->group_args);
  g_strfreev (command_line->serial_args);
  g_free (command_line->config_file);
  g_free (command_line->store_uri);
  g_free (command_line->timeout_multiplier);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommandLine, command_line_clear)

void
pacer_cli_options_clear (PacerCliOptions *options)
{
  g_clear_pointer (&options->programs, g_strfreev);
  g_clear_pointer (&options->build_dir, g_free);
  g_clear_pointer (&options->suites, g_strfreev);
  g_clear_pointer (&options->no_suites, g_strfreev);
  g_clear_pointer (&options->seed, g_free);
  g_clear_pointer (&options->mode, g_free);
  g_clear_pointer (&options->paths, g_strfreev);
  g_clear_pointer (&options->skip_paths, g_strfreev);
  g_clear_pointer (&options->partition, g_free);
  g_clear_pointer (&options->groups, g_strfreev);
  g_clear_pointer (&options->serial, g_strfreev);
  g_clear_pointer (&options->cache_dir, g_free);
  g_clear_pointer (&options->tap, g_free);
  g_clear_pointer (&options->junit_xml, g_free);
  g_clear_pointer (&options->json, g_free);
  g_clear_pointer (&options->timeline, g_free);
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

static gboolean
parse_timeout (const char  *option_name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  CommandLine *command_line = data;
  char *end = NULL;
  double seconds = g_ascii_strtod (value, &end);

  if (end == value || *end != '\0' || !isfinite (seconds))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Cannot parse double value “%s” for %s"), value, option_name);
      return FALSE;
    }
  command_line->options->timeout = seconds;
  command_line->timeout_given = TRUE;
  return TRUE;
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

/* GOption's part: the arguments into @command_line and its options, with
 * pytest-xdist's -n4 and --exec's own arguments seen to first. */
static gboolean
parse_arguments (CommandLine  *command_line,
                 int           argc,
                 char        **argv,
                 GError      **error)
{
  PacerCliOptions *options = command_line->options;
  const GOptionEntry entries[] = {
    { "numprocesses", 'n', 0, G_OPTION_ARG_STRING, &command_line->workers, N_("Number of workers, or “auto” for one per usable CPU"), N_("N|auto") },
    { "max-workers", 0, 0, G_OPTION_ARG_STRING, &command_line->max_workers, N_("Add workers up to N while the CPUs have room; “auto” for four per usable CPU"), N_("N|auto") },
    { "dist", 0, 0, G_OPTION_ARG_STRING, &command_line->dist, N_("How tests are spread over workers: load (default), loadscope, loadfile, loadgroup, worksteal, each or no"), N_("MODE") },
    { "group", 0, 0, G_OPTION_ARG_STRING_ARRAY, &command_line->group_args, N_("With --dist loadgroup, run the tests matching GLOB in one worker, as group NAME"), N_("GLOB=NAME") },
    { "serial", 0, 0, G_OPTION_ARG_STRING_ARRAY, &command_line->serial_args, N_("Run the tests matching GLOB while nothing else runs"), N_("GLOB") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &command_line->config_file, N_("Read groups and serial tests from FILE (default: pacer.ini, if present)"), N_("FILE") },
    { "max-worker-restart", 0, 0, G_OPTION_ARG_INT, &options->max_worker_restart, N_("Crashed processes replaced before the run stops (default 4 × workers)"), N_("N") },
    { "exitfirst", 'x', 0, G_OPTION_ARG_NONE, &command_line->exitfirst, N_("Stop at the first failure"), NULL },
    { "maxfail", 0, 0, G_OPTION_ARG_INT, &options->maxfail, N_("Stop after N failures"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) parse_timeout, N_("Kill a test that runs longer than SECONDS (with --installed-tests 300, as gnome-desktop-testing-runner)"), N_("SECONDS") },
    { "retries", 0, 0, G_OPTION_ARG_INT, &options->retries, N_("Run a failed test again up to N times"), N_("N") },
    { "strict-order", 0, 0, G_OPTION_ARG_NONE, &options->strict_order, N_("Count an order-dependent test (fails when split from its program, passes in listing order) as failed"), NULL },
    { "no-order-check", 0, 0, G_OPTION_ARG_NONE, &command_line->no_order_check, N_("Report a failure at once, without re-running its program in listing order to tell an order-dependent test"), NULL },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &options->seed, N_("GTest random seed for every process"), N_("SEED") },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &options->mode, N_("GTest mode: quick, slow, thorough, perf, undefined, no-undefined"), N_("MODE") },
    { "path", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &options->paths, N_("Only run PATH and its direct children"), N_("PATH") },
    { "skip", 's', 0, G_OPTION_ARG_STRING_ARRAY, &options->skip_paths, N_("Skip the test PATH"), N_("PATH") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &options->list, N_("List the tests and exit"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose, N_("Print every result"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet, N_("Print only failures and the summary"), NULL },
    { "tap", 0, 0, G_OPTION_ARG_FILENAME, &options->tap, N_("Write the results as TAP to FILE, or to standard output with “-” (the console then goes to standard error)"), N_("FILE|-") },
    { "partition", 0, 0, G_OPTION_ARG_STRING, &options->partition, N_("Run only partition K of N: slice:K/N, hash:K/N or duration:K/N; auto[:KIND] takes K and N from the CI's parallel jobs"), N_("KIND:K/N") },
    { "exec", 0, 0, G_OPTION_ARG_NONE, &options->exec, N_("Run one test command: the first argument is the program, the others its own arguments (for meson test --wrapper)"), NULL },
    { "installed-tests", 0, 0, G_OPTION_ARG_NONE, &options->installed_tests, N_("Run GNOME installed tests: the arguments are .test files or directories of them"), NULL },
    { "build-dir", 'C', 0, G_OPTION_ARG_FILENAME, &options->build_dir, N_("Run the tests of a meson build directory, as “meson test” does; the arguments are test names"), N_("BUILDDIR") },
    { "suite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->suites, N_("With -C, only run the tests of SUITE (meson's [PROJECT:]SUITE)"), N_("SUITE") },
    { "no-suite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->no_suites, N_("With -C, do not run the tests of SUITE"), N_("SUITE") },
    { "timeout-multiplier", 0, 0, G_OPTION_ARG_STRING, &command_line->timeout_multiplier, N_("With -C, multiply meson's test timeouts by N (0 or less: no timeout)"), N_("N") },
    { "no-rebuild", 0, 0, G_OPTION_ARG_NONE, &options->no_rebuild, N_("With -C, do not build the tests first"), NULL },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->cache_dir, N_("Keep the duration history in DIR"), N_("DIR") },
    { "store", 0, 0, G_OPTION_ARG_STRING, &command_line->store_uri, N_("Keep the tests' shared state in URI (a directory, redis://… or unix://…), passed to them as PACER_STORE"), N_("URI") },
    { "junit-xml", 0, 0, G_OPTION_ARG_FILENAME, &options->junit_xml, N_("Write the results as JUnit XML to FILE (- for standard output)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &options->json, N_("Write every result as JSON to FILE (- for standard output)"), N_("FILE") },
    { "timeline", 0, 0, G_OPTION_ARG_FILENAME, &options->timeline, N_("Draw which worker ran what and when in the SVG FILE"), N_("FILE.svg") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &command_line->version, N_("Print the version and exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->programs, NULL, N_("[--] TEST-PROGRAM…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) args = NULL;
  GOptionGroup *group;
  char **split_argv;
  int split_argc;
  int operand;

  /* --exec among our own options: what follows the program is its own, as
   * meson test --wrapper passes it (`pacer-run … --exec ./test --tap -k`). */
  operand = first_operand (argc, argv, entries);
  for (int i = 1; i < operand; i++)
    options->exec = options->exec || g_str_equal (argv[i], "--exec");

  /* pytest-xdist users write -n4 and -nauto; GOption wants -n 4. */
  args = g_ptr_array_new ();
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--") || (options->exec && i >= operand))
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
  /* The main group g_option_context_add_main_entries() would make, but
   * with @command_line for --timeout's callback. */
  group = g_option_group_new (NULL, NULL, NULL, command_line, NULL);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, group);
  /* Options end at the program, whose arguments GOption must not take. */
  g_option_context_set_strict_posix (context, options->exec);
  return g_option_context_parse (context, &split_argc, &split_argv, error);
}

/* Options that only make sense together, and the operands each kind of run needs. */
static gboolean
check_combinations (const CommandLine *command_line)
{
  const PacerCliOptions *options = command_line->options;

  if (options->installed_tests && (options->programs == NULL || options->programs[0] == NULL))
    {
      g_printerr (_("pacer-run: --installed-tests needs .test files or directories of them\n"));
      return FALSE;
    }
  if (options->build_dir == NULL &&
      (options->suites != NULL || options->no_suites != NULL ||
       command_line->timeout_multiplier != NULL || options->no_rebuild))
    {
      g_printerr (_("pacer-run: --suite, --no-suite, --timeout-multiplier and --no-rebuild need -C BUILDDIR\n"));
      return FALSE;
    }
  if (options->exec && (options->build_dir != NULL || options->installed_tests))
    {
      g_printerr (_("pacer-run: --exec cannot be used with -C or --installed-tests\n"));
      return FALSE;
    }
  if (options->build_dir != NULL && options->installed_tests)
    {
      g_printerr (_("pacer-run: -C and --installed-tests cannot be used together\n"));
      return FALSE;
    }
  /* meson's timeouts are the tests' own; --timeout-multiplier scales them. */
  if (options->build_dir != NULL && command_line->timeout_given)
    {
      g_printerr (_("pacer-run: with -C each test has meson's timeout: use --timeout-multiplier instead of --timeout\n"));
      return FALSE;
    }
  if (options->build_dir == NULL && (options->programs == NULL || options->programs[0] == NULL))
    {
      g_printerr (_("pacer-run: no test program given\n"));
      g_printerr (_("Run “pacer-run --help” to see the options.\n"));
      return FALSE;
    }
  return TRUE;
}

/* A store that cannot be reached fails the run here, once, rather than in
 * every test. */
static gboolean
check_store (const char *store_uri)
{
  g_autoptr(PacerStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (store_uri == NULL)
    return TRUE;
  store = pacer_store_new_for_uri (store_uri, "pacer_run", &error);
  if (store == NULL)
    {
      g_printerr (_("pacer-run: --store: %s\n"), error->message);
      return FALSE;
    }
  g_setenv ("PACER_STORE", store_uri, TRUE);
  return TRUE;
}

/* --dist and --group; groups and serial tests from the command line first,
 * then from pacer.ini. */
static gboolean
check_distribution (const CommandLine *command_line,
                    PacerCliOptions   *options)
{
  const char *dist = command_line->dist;
  g_autoptr(GStrvBuilder) group_builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) serial_builder = g_strv_builder_new ();
  g_autoptr(PacerScheduler) check = NULL;
  g_autoptr(GError) error = NULL;

  options->dist = PACER_DIST_MODE_LOAD;
  if (dist != NULL && !pacer_dist_mode_from_string (dist, &options->dist))
    {
      g_printerr (_("pacer-run: --dist “%s” is not a distribution mode; use load, loadscope, loadfile, "
                    "loadgroup, worksteal, each or no\n"), dist);
      return FALSE;
    }

  /* --group means nothing to another mode: without --dist it asks for
   * loadgroup, and against another mode it is a mistake worth saying. */
  if (command_line->group_args != NULL && dist == NULL)
    options->dist = PACER_DIST_MODE_LOADGROUP;
  else if (command_line->group_args != NULL && options->dist != PACER_DIST_MODE_LOADGROUP)
    {
      g_printerr (_("pacer-run: --group needs --dist loadgroup, not --dist %s\n"), dist);
      return FALSE;
    }

  if (command_line->group_args != NULL)
    g_strv_builder_addv (group_builder, (const char **) command_line->group_args);
  if (command_line->serial_args != NULL)
    g_strv_builder_addv (serial_builder, (const char **) command_line->serial_args);
  if (!pacer_cli_config_load (command_line->config_file != NULL ? command_line->config_file : "pacer.ini",
                              command_line->config_file != NULL, group_builder, serial_builder, &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return FALSE;
    }
  options->groups = g_strv_builder_end (group_builder);
  options->serial = g_strv_builder_end (serial_builder);

  check = pacer_scheduler_new_for_dist (PACER_DIST_MODE_LOADGROUP, (const char * const *) options->groups,
                                        &error);
  if (check == NULL)
    {
      g_printerr ("pacer-run: --group: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

/* The GTest options passed on to every test program: --seed and -m. */
static gboolean
check_gtest_options (const PacerCliOptions *options)
{
  const char *modes[] = { "perf", "slow", "thorough", "quick", "undefined", "no-undefined", NULL };

  if (options->seed != NULL && !pacer_runner_seed_is_valid (options->seed))
    {
      g_printerr (_("pacer-run: --seed “%s” is not a GTest seed (R02S and 32 hexadecimal digits)\n"),
                  options->seed);
      return FALSE;
    }
  if (options->mode != NULL && !g_strv_contains (modes, options->mode))
    {
      g_printerr (_("pacer-run: -m “%s” is not a GTest mode (perf, slow, thorough, quick, undefined, no-undefined)\n"),
                  options->mode);
      return FALSE;
    }
  return TRUE;
}

/* An explicit --partition wins over Bazel's variables; `auto` reads the
 * CI's. */
static gboolean
check_partition (PacerCliOptions *options)
{
  g_autoptr(GError) error = NULL;

  if (!pacer_cli_ci_partition (&options->partition, &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return FALSE;
    }
  if (options->partition == NULL && !pacer_cli_bazel_partition (&options->partition, &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return FALSE;
    }
  if (options->partition != NULL && !pacer_partition_parse (options->partition, NULL, NULL, NULL, &error))
    {
      g_printerr (_("pacer-run: --partition: %s\n"), error->message);
      return FALSE;
    }
  return TRUE;
}

/* What only one kind of run reads: -C's --timeout-multiplier, and
 * --installed-tests' default timeout and refusal of --list. */
static gboolean
check_kind_of_run (const CommandLine *command_line,
                   PacerCliOptions   *options)
{
  const char *multiplier = command_line->timeout_multiplier;

  /* check_combinations() has made sure it comes with -C. */
  if (multiplier != NULL)
    {
      char *end = NULL;

      options->timeout_multiplier = g_ascii_strtod (multiplier, &end);
      if (end == multiplier || *end != '\0' || !isfinite (options->timeout_multiplier))
        {
          g_printerr (_("pacer-run: --timeout-multiplier “%s” is not a number\n"), multiplier);
          return FALSE;
        }
    }
  if (options->installed_tests)
    {
      /* gnome-desktop-testing-runner's limit: a real suite has tests that
       * wait for a server or a bus that never comes, and must not hang. */
      if (!command_line->timeout_given)
        options->timeout = INSTALLED_TESTS_TIMEOUT;
      if (options->list)
        {
          g_printerr (_("pacer-run: --list does not take --installed-tests\n"));
          return FALSE;
        }
    }
  return TRUE;
}

/* Fills @options, zeroed, from the command line, pacer.ini and Bazel's
 * variables, and passes --store on to the tests through the environment. A
 * problem is printed here, in its option's words. Returns FALSE when
 * pacer-run is to exit at once with *@exit_status: after --version, or a
 * problem. */
gboolean
pacer_cli_options_parse (PacerCliOptions  *options,
                         int               argc,
                         char            **argv,
                         int              *exit_status)
{
  g_auto(CommandLine) command_line = { .options = options };
  g_autoptr(GError) error = NULL;

  options->max_worker_restart = -1;
  options->timeout_multiplier = 1.0;
  *exit_status = PACER_CLI_EXIT_USAGE;

  if (!parse_arguments (&command_line, argc, argv, &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      g_printerr (_("Run “pacer-run --help” to see the options.\n"));
      return FALSE;
    }

  if (command_line.version)
    {
      g_print ("pacer-run %s\n", PACKAGE_VERSION);
      *exit_status = EXIT_SUCCESS;
      return FALSE;
    }

  if (!check_combinations (&command_line) ||
      !check_store (command_line.store_uri))
    return FALSE;

  if (!parse_workers (command_line.workers, &options->n_workers, &error) ||
      !parse_max_workers (command_line.max_workers, options->n_workers, &options->max_workers,
                          &error))
    {
      g_printerr ("pacer-run: %s\n", error->message);
      return FALSE;
    }

  if (!check_distribution (&command_line, options))
    return FALSE;

  if (options->max_worker_restart < -1 || options->maxfail < 0 || options->retries < 0 ||
      options->timeout < 0)
    {
      g_printerr (_("pacer-run: --max-worker-restart, --maxfail, --retries and --timeout take numbers of at least 0\n"));
      return FALSE;
    }
  if (command_line.exitfirst)
    options->maxfail = 1;
  options->order_check = !command_line.no_order_check;
  /* -v wins over -q. */
  options->quiet = options->quiet && !options->verbose;

  return check_gtest_options (options) &&
         check_partition (options) &&
         check_kind_of_run (&command_line, options);
}
