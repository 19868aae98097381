/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A fuzz of pacer-run's command line: random combinations of its real
 * options with odd values (huge, negative, empty, not UTF-8, very long, NaN,
 * infinite), over fake-gtest. Whatever the combination, pacer-run must end
 * with 0, 1, 2 or 130, say something on standard error when it ends with 2,
 * and never die of a signal, hang, or trip a sanitizer.
 *
 * The run is reproducible: each case draws from a GRand seeded with
 * PACER_FUZZ_SEED (default 20261205) plus its number, for
 * PACER_FUZZ_ITERATIONS command lines (default 20). A failure prints the
 * command line that caused it. For a longer fuzz:
 *   PACER_FUZZ_ITERATIONS=2000 PACER_FUZZ_SEED=7 tests/test-pacer-run-fuzz */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pacer-test-utils.h"

#define N_CASES 6
#define DEFAULT_SEED 20261205
#define DEFAULT_ITERATIONS 20
/* Far beyond any run here: fake-gtest's tests take milliseconds. */
#define HANG_SECONDS 90

static char *tmp_dir;

/* Values ---------------------------------------------------------------- */

static const char *
pick (GRand              *rand,
      const char * const *values)
{
  return values[g_rand_int_range (rand, 0, g_strv_length ((char **) values))];
}

/* A value that only an odd caller writes, shared by every option. */
static char *
odd_value (GRand *rand)
{
  static const char * const odd[] = {
    "", " ", "-", "--", "0", "-1", "-0", "+5", "2147483647", "2147483648", "-2147483649",
    "18446744073709551616", "99999999999999999999999999", "1e308", "1e-320", "nan", "NaN",
    "inf", "-inf", "0x10", "1.5", "1,5", "abc", "=", "*", "/", "//", "\t", "\n", "%s%n%s",
    "\xff\xfe", "caf\xc3", "\xc3\xa9t\xc3\xa9", NULL,
  };

  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      /* Very long: past PATH_MAX and any fixed buffer. */
      return g_strnfill (g_rand_int_range (rand, 4000, 70000), "a/9x"[g_rand_int_range (rand, 0, 4)]);
    case 1:
      {
        GString *bytes = g_string_new (NULL);
        int length = g_rand_int_range (rand, 1, 40);

        /* Any byte but NUL, which an argument cannot hold. */
        for (int i = 0; i < length; i++)
          g_string_append_c (bytes, (char) g_rand_int_range (rand, 1, 256));
        return g_string_free (bytes, FALSE);
      }
    default:
      return g_strdup (pick (rand, odd));
    }
}

/* A file name inside the scratch directory, or an odd one there. */
static char *
file_value (GRand      *rand,
            const char *dir,
            const char *suffix)
{
  switch (g_rand_int_range (rand, 0, 7))
    {
    case 0:
      return g_strdup ("-");
    case 1:
      return g_build_filename (dir, "no", "such", "dir", suffix, NULL);
    case 2:
      return g_strdup (dir);
    case 3:
      {
        g_autofree char *name = g_strconcat ("\xff\xfe", suffix, NULL);

        return g_build_filename (dir, name, NULL);
      }
    case 4:
      {
        g_autofree char *name = g_strnfill (300, 'n');

        return g_build_filename (dir, name, NULL);
      }
    case 5:
      return g_strdup ("");
    default:
      return g_build_filename (dir, suffix, NULL);
    }
}

static char *
workers_value (GRand *rand)
{
  static const char * const good[] = { "1", "2", "auto", "logical", "0", "1024", "1025", NULL };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
int_value (GRand *rand)
{
  static const char * const good[] = { "0", "1", "2", "-1", "-2", "2147483647", NULL };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
seconds_value (GRand *rand)
{
  static const char * const good[] = {
    "0", "30", "0.5", "-1", "1e-9", "1e9", "1e18", "1e300", "4294967296", "nan", "inf", "-inf", NULL,
  };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
seed_value (GRand *rand)
{
  static const char * const good[] = {
    "R02S0123456789abcdef0123456789abcdef", "R02SFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "R02S", "R02S0123", NULL,
  };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
mode_value (GRand *rand)
{
  static const char * const good[] = { "quick", "slow", "thorough", "perf", "undefined", "no-undefined", NULL };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
dist_value (GRand *rand)
{
  static const char * const good[] = {
    "load", "loadscope", "loadfile", "loadgroup", "worksteal", "each", "no", "LOAD", NULL,
  };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
path_value (GRand *rand)
{
  static const char * const good[] = { "/a", "/a/1", "/b/1", "/", "/a/", "/nope", "a", NULL };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
group_value (GRand *rand)
{
  static const char * const good[] = { "/a/*=one", "/b/*=two", "*=all", "=x", "/a/*=", "/a/*", "a=b=c", NULL };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

static char *
partition_value (GRand *rand)
{
  static const char * const good[] = {
    "slice:1/2", "hash:2/2", "duration:1/3", "slice:0/2", "slice:3/2", "slice:1/0", "hash:-1/2",
    "slice:1/18446744073709551617", "slice:1/4294967296", "duration:1/1", "slice", "slice:1/",
    "auto", "auto:slice", "auto:", "auto:auto", "auto:hash:1/2", NULL,
  };

  return g_rand_boolean (rand) ? g_strdup (pick (rand, good)) : odd_value (rand);
}

/* A pacer.ini: a good one, or bytes. */
static char *
config_value (GRand      *rand,
              const char *dir)
{
  static const char * const contents[] = {
    "[groups]\n/a/*=one\n[serial]\ntests=/b/*;/a/1\n",
    "[groups]\n/a/*=\n",
    "[serial]\ntests=\n",
    "[groups\n",
    "\xff\xfe[serial]\ntests=\xff\n",
    "",
    NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *text = NULL;

  if (g_rand_int_range (rand, 0, 3) == 0)
    return file_value (rand, dir, "missing.ini");

  file = g_build_filename (dir, "pacer.ini", NULL);
  text = g_rand_boolean (rand) ? g_strdup (pick (rand, contents)) : odd_value (rand);
  g_file_set_contents (file, text, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&file);
}

/* Command lines --------------------------------------------------------- */

typedef enum {
  ARG_NONE,
  ARG_WORKERS,
  ARG_INT,
  ARG_SECONDS,
  ARG_SEED,
  ARG_MODE,
  ARG_DIST,
  ARG_PATH,
  ARG_GROUP,
  ARG_PARTITION,
  ARG_CONFIG,
  ARG_REPORT,
  ARG_DIR,
} ArgKind;

typedef struct
{
  const char *name;
  ArgKind kind;
} Option;

/* pacer-cli.c's option table, in its spellings. */
static const Option options[] = {
  { "-n", ARG_WORKERS },
  { "--max-workers", ARG_WORKERS },
  { "--numprocesses", ARG_WORKERS },
  { "--dist", ARG_DIST },
  { "--group", ARG_GROUP },
  { "--serial", ARG_PATH },
  { "--config", ARG_CONFIG },
  { "--max-worker-restart", ARG_INT },
  { "-x", ARG_NONE },
  { "--exitfirst", ARG_NONE },
  { "--maxfail", ARG_INT },
  { "--timeout", ARG_SECONDS },
  { "--retries", ARG_INT },
  { "--seed", ARG_SEED },
  { "-m", ARG_MODE },
  { "-p", ARG_PATH },
  { "-s", ARG_PATH },
  { "--list", ARG_NONE },
  { "-v", ARG_NONE },
  { "-q", ARG_NONE },
  { "--tap", ARG_REPORT },
  { "--partition", ARG_PARTITION },
  { "--installed-tests", ARG_NONE },
  { "--cache-dir", ARG_DIR },
  { "--junit-xml", ARG_REPORT },
  { "--json", ARG_REPORT },
  { "--timeline", ARG_REPORT },
  { "--version", ARG_NONE },
  { "--no-such-option", ARG_NONE },
};

static char *
option_value (GRand        *rand,
              const Option *option,
              const char   *dir)
{
  switch (option->kind)
    {
    case ARG_WORKERS:
      return workers_value (rand);
    case ARG_INT:
      return int_value (rand);
    case ARG_SECONDS:
      return seconds_value (rand);
    case ARG_SEED:
      return seed_value (rand);
    case ARG_MODE:
      return mode_value (rand);
    case ARG_DIST:
      return dist_value (rand);
    case ARG_PATH:
      return path_value (rand);
    case ARG_GROUP:
      return group_value (rand);
    case ARG_PARTITION:
      return partition_value (rand);
    case ARG_CONFIG:
      return config_value (rand, dir);
    case ARG_REPORT:
      return file_value (rand, dir, "report.out");
    case ARG_DIR:
      return file_value (rand, dir, "cache");
    case ARG_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* A .test file for --installed-tests, running fake-gtest. */
static char *
installed_test (const char *dir,
                const char *program)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[Test]\nType=session\nExec=%s\n", program);
  char *file = g_build_filename (dir, "fake.test", NULL);

  g_file_set_contents (file, text, -1, &error);
  g_assert_no_error (error);
  return file;
}

/* The options, then the programs; the tests to run go in *tests. */
static GStrv
make_command_line (GRand       *rand,
                   const char  *dir,
                   const char  *program,
                   const char **tests)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  int n_options = g_rand_int_range (rand, 0, 7);
  gboolean installed = FALSE;
  gboolean many_retries = FALSE;
  int n_programs;

  g_strv_builder_add (builder, pacer_test_pacer_run ());
  for (int i = 0; i < n_options; i++)
    {
      const Option *option = &options[g_rand_int_range (rand, 0, G_N_ELEMENTS (options))];
      g_autofree char *value = NULL;

      if (option->kind == ARG_NONE)
        {
          g_strv_builder_add (builder, option->name);
          installed |= g_str_equal (option->name, "--installed-tests");
          continue;
        }

      value = option_value (rand, option, dir);
      if (g_str_equal (option->name, "--retries"))
        many_retries |= g_ascii_strtoll (value, NULL, 10) > 3;
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          /* --name=value, and -nVALUE as pytest-xdist users write. */
          if (option->name[1] == '-')
            {
              g_autofree char *joined = g_strconcat (option->name, "=", value, NULL);

              g_strv_builder_add (builder, joined);
            }
          else
            {
              g_autofree char *joined = g_strconcat (option->name, value, NULL);

              g_strv_builder_add (builder, joined);
            }
          break;
        case 1:
          /* The value forgotten at the end of the line. */
          if (i == n_options - 1)
            {
              g_strv_builder_add (builder, option->name);
              break;
            }
          G_GNUC_FALLTHROUGH;
        default:
          g_strv_builder_add_many (builder, option->name, value, NULL);
          break;
        }
    }

  if (g_rand_int_range (rand, 0, 4) == 0)
    g_strv_builder_add (builder, "--");

  n_programs = g_rand_int_range (rand, 0, 8) == 0 ? 0 : g_rand_int_range (rand, 1, 3);
  for (int i = 0; i < n_programs; i++)
    {
      switch (g_rand_int_range (rand, 0, 8))
        {
        case 0:
          {
            g_autofree char *missing = g_build_filename (dir, "missing-program", NULL);

            g_strv_builder_add (builder, missing);
          }
          break;
        case 1:
          g_strv_builder_add (builder, dir);
          break;
        case 2:
          {
            g_autofree char *odd = odd_value (rand);

            g_strv_builder_add (builder, odd);
          }
          break;
        default:
          if (installed)
            {
              g_autofree char *file = installed_test (dir, program);

              g_strv_builder_add (builder, file);
            }
          else
            g_strv_builder_add (builder, program);
          break;
        }
    }

  /* A test that always fails, retried billions of times, is a long run by
   * request, not a hang: it is left out then. */
  *tests = many_retries ? "pass:/a/1,pass:/a/2,skip:/b/1"
                        : "pass:/a/1,pass:/a/2,skip:/b/1,fail:/b/2,print:/b/3";
  return g_strv_builder_end (builder);
}

/* Running it ------------------------------------------------------------ */

typedef struct
{
  GMainLoop *loop;
  GBytes *out;
  GBytes *err;
  GError *error;
  gboolean timed_out;
} Run;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &run->out, &run->err, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
on_hang (gpointer user_data)
{
  Run *run = user_data;

  run->timed_out = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

/* The command line as a shell would take it, to reproduce a failure. */
static char *
describe (const char * const *argv)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *valid = g_utf8_make_valid (argv[i], MIN (strlen (argv[i]), 200));
      g_autofree char *quoted = g_shell_quote (valid);

      g_string_append_printf (text, "%s%s%s", i > 0 ? " " : "", quoted, strlen (argv[i]) > 200 ? "…" : "");
    }
  return g_string_free (text, FALSE);
}

static void
run_one (const char * const *argv,
         const char         *tests,
         const char         *dir)
{
  g_autoptr(GSubprocessLauncher) launcher = pacer_test_fake_gtest_launcher_new (tests, NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) hang = g_timeout_source_new_seconds (HANG_SECONDS);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autofree char *command = describe (argv);
  g_autofree char *err_text = NULL;
  Run run = { 0 };
  gsize err_size = 0;
  const char *err_data;

  /* pacer.ini is read from the working directory: keep it the scratch one. */
  g_subprocess_launcher_set_cwd (launcher, dir);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_test_message ("%s", command);

  g_main_context_push_thread_default (context);
  run.loop = g_main_loop_new (context, FALSE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* An empty standard input: pacer-run never waits for a terminal. */
  g_subprocess_communicate_async (process, empty, NULL, on_communicated, &run);
  g_source_set_callback (hang, on_hang, &run, NULL);
  g_source_attach (hang, context);
  g_main_loop_run (run.loop);

  if (run.timed_out)
    {
      g_subprocess_force_exit (process);
      g_main_loop_run (run.loop);
    }
  g_source_destroy (hang);
  g_subprocess_wait (process, NULL, NULL);
  g_main_loop_unref (run.loop);
  g_main_context_pop_thread_default (context);

  if (run.timed_out)
    g_error ("pacer-run did not end within %d s: %s", HANG_SECONDS, command);
  g_assert_no_error (run.error);

  err_data = g_bytes_get_data (run.err, &err_size);
  err_text = g_strndup (err_data != NULL ? err_data : "", err_size);

  if (g_subprocess_get_if_signaled (process))
    g_error ("pacer-run was killed by signal %d: %s\n%s", g_subprocess_get_term_sig (process), command, err_text);
  g_assert_true (g_subprocess_get_if_exited (process));

  /* A sanitizer's report (UBSan may exit 1 like a failed run would), a
   * failed precondition, or GLib refusing a value: bugs whatever the status.
   * pacer-run's own warnings (an unusable cache) are messages, not bugs. */
  if (strstr (err_text, "runtime error:") != NULL || strstr (err_text, "Sanitizer") != NULL ||
      strstr (err_text, "-CRITICAL **") != NULL || strstr (err_text, "GLib-WARNING **") != NULL ||
      strstr (err_text, "GLib-GObject-WARNING **") != NULL || strstr (err_text, "GLib-GIO-WARNING **") != NULL)
    g_error ("pacer-run reported a bug: %s\n%s", command, err_text);

  switch (g_subprocess_get_exit_status (process))
    {
    case 0:
    case 1:
    case 130:
      break;
    case 2:
      if (err_size == 0)
        g_error ("pacer-run exited 2 without a word on standard error: %s", command);
      break;
    default:
      g_error ("pacer-run exited %d: %s\n%s", g_subprocess_get_exit_status (process), command, err_text);
    }

  g_clear_pointer (&run.out, g_bytes_unref);
  g_clear_pointer (&run.err, g_bytes_unref);
}

/* What the fuzz found, kept as plain cases: each once gave a GLib warning
 * (the runner's property refused the value) or undefined behaviour. */
static void
test_found (void)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autofree char *dir = g_build_filename (tmp_dir, "found", NULL);
  const char * const found[][4] = {
    { "--timeout", "nan", NULL },
    { "--timeout", "inf", NULL },
    { "--timeout=-inf", NULL },
    { "--timeout", "1e300", NULL },
  };

  g_test_summary ("Command lines the fuzz found bugs with stay fixed");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (found); i++)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;

      g_strv_builder_add (builder, pacer_test_pacer_run ());
      g_strv_builder_addv (builder, (const char **) found[i]);
      g_strv_builder_add (builder, program);
      argv = g_strv_builder_end (builder);
      run_one ((const char * const *) argv, "pass:/a/1", dir);
    }
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *text = g_getenv (name);
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    return fallback;
  return (guint) value;
}

static void
test_options (gconstpointer data)
{
  guint number = GPOINTER_TO_UINT (data);
  guint seed = env_uint ("PACER_FUZZ_SEED", DEFAULT_SEED) + number;
  guint iterations = env_uint ("PACER_FUZZ_ITERATIONS", DEFAULT_ITERATIONS);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autofree char *name = g_strdup_printf ("case-%u", number);
  g_autofree char *dir = g_build_filename (tmp_dir, name, NULL);

  g_test_summary ("Random command lines of real options with odd values end with 0, 1, 2 or 130, "
                  "a message for 2, and no crash, hang or sanitizer report");
  g_test_message ("seed %u, %u command lines", seed, iterations);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  for (guint i = 0; i < iterations; i++)
    {
      const char *tests = NULL;
      g_auto(GStrv) argv = make_command_line (rand, dir, program, &tests);

      run_one ((const char * const *) argv, tests, dir);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("pacer-run-fuzz-XXXXXX");

  for (guint i = 0; i < N_CASES; i++)
    {
      g_autofree char *path = g_strdup_printf ("/Pacer/RunFuzz/options/%u", i);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_options);
    }

  g_test_add_func ("/Pacer/RunFuzz/found", test_found);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
