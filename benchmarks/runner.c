/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* benchmarks/runner: pacer-run against the same program run serially and
 * under gtester, on the suites of issue #4:
 *   (a) 2000 trivial tests, -n 2        goal: at most serial + 60 ms
 *   (b) 200 tests sleeping 10 ms, -n 8  goal: at most 0.30 s
 *   (c) 10 × 1 s + 90 × 10 ms, -n 2     goal: first run ≤ 1.1 × 5.45 s,
 *                                       second run (history) ≤ 1.03 × 5.45 s
 *   (d) 100 000 listed tests            goal: ≤ 1 s controller CPU, ≤ 100 MB RSS
 *                                       for listing and scheduling
 * Run it from the build tree: `_build/benchmarks/runner [--quick] [abcd]`
 * (`--quick` skips the slow serial and gtester runs of (c); letters pick the
 * suites). */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

static char *cache_root;

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

/* Wall time of one command, output thrown away. */
static double
time_command (const char * const *argv,
              const char * const *env)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  double start;
  int status = 0;

  for (guint i = 0; env[i] != NULL; i += 2)
    envp = g_environ_setenv (envp, env[i], env[i + 1], TRUE);

  start = now_seconds ();
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error))
    g_error ("%s: %s", argv[0], error->message);
  return now_seconds () - start;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median_of (const char * const *argv,
           const char * const *env,
           guint               repeats)
{
  double times[16];

  g_assert (repeats <= G_N_ELEMENTS (times));
  for (guint i = 0; i < repeats; i++)
    times[i] = time_command (argv, env);
  qsort (times, repeats, sizeof times[0], compare_doubles);
  return times[repeats / 2];
}

static char *
fresh_cache (const char *name)
{
  char *dir = g_build_filename (cache_root, name, NULL);
  g_autofree char *file = g_build_filename (dir, "durations.json", NULL);

  g_unlink (file);
  g_rmdir (dir);
  return dir;
}

static void
bench_trivial (void)
{
  const char *env[] = { "FAKE_GTEST_TESTS", "none", "FAKE_GTEST_COUNT", "2000", NULL };
  g_autofree char *cache = fresh_cache ("a");
  const char *serial[] = { FAKE_GTEST, NULL };
  const char *gtester[] = { "gtester", "-q", FAKE_GTEST, NULL };
  const char *pacer[] = { PACER_RUN, "-q", "-n", "2", "--cache-dir", cache, FAKE_GTEST, NULL };
  double t_serial, t_gtester, t_first, t_pacer;

  t_serial = median_of (serial, env, 9);
  t_gtester = median_of (gtester, env, 9);
  t_first = time_command (pacer, env);
  t_pacer = median_of (pacer, env, 9);

  g_print ("(a) 2000 trivial tests, -n 2: serial %.3f s, gtester %.3f s, "
           "pacer-run first run %.3f s, with history %.3f s (median of 9); "
           "goal <= serial + 0.060 = %.3f s: %s\n",
           t_serial, t_gtester, t_first, t_pacer, t_serial + 0.060,
           t_pacer <= t_serial + 0.060 ? "met" : "MISSED");
}

static void
bench_sleepy (void)
{
  const char *env[] = { "FAKE_GTEST_TESTS", "none", "FAKE_GTEST_SLOW", "200:10", NULL };
  g_autofree char *cache = fresh_cache ("b");
  const char *serial[] = { FAKE_GTEST, NULL };
  const char *gtester[] = { "gtester", "-q", FAKE_GTEST, NULL };
  const char *pacer[] = { PACER_RUN, "-q", "-n", "8", "--cache-dir", cache, FAKE_GTEST, NULL };
  double t_serial, t_gtester, t_first, t_pacer;

  t_serial = median_of (serial, env, 3);
  t_gtester = median_of (gtester, env, 3);
  t_first = time_command (pacer, env);
  t_pacer = median_of (pacer, env, 5);

  g_print ("(b) 200 tests x 10 ms, -n 8: serial %.3f s, gtester %.3f s, "
           "pacer-run first run %.3f s, with history %.3f s (median of 5); goal <= 0.300 s: %s\n",
           t_serial, t_gtester, t_first, t_pacer, t_pacer <= 0.300 ? "met" : "MISSED");
}

static void
bench_skewed (const char *slow_spec,
              const char *label,
              gboolean    baselines)
{
  const char *env[] = { "FAKE_GTEST_TESTS", "none", "FAKE_GTEST_SLOW", slow_spec, NULL };
  g_autofree char *cache = fresh_cache (label);
  const char *serial[] = { FAKE_GTEST, NULL };
  const char *gtester[] = { "gtester", "-q", FAKE_GTEST, NULL };
  const char *pacer[] = { PACER_RUN, "-q", "-n", "2", "--cache-dir", cache, FAKE_GTEST, NULL };
  const double ideal = 5.45;
  double t_first, t_second;

  if (baselines)
    g_print ("(c) 10 x 1 s + 90 x 10 ms, -n 2: serial %.2f s, gtester %.2f s\n",
             time_command (serial, env), time_command (gtester, env));

  t_first = time_command (pacer, env);
  t_second = time_command (pacer, env);
  g_print ("(c) %s: pacer-run first run %.2f s (%.3f x ideal, goal 1.1: %s), "
           "second run %.2f s (%.3f x ideal, goal 1.03: %s)\n",
           label, t_first, t_first / ideal, t_first <= 1.1 * ideal ? "met" : "MISSED",
           t_second, t_second / ideal, t_second <= 1.03 * ideal ? "met" : "MISSED");
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static long
max_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

typedef struct
{
  GCancellable *cancellable;
  double cpu_at_dispatch;
  long rss_at_dispatch;
  gboolean done;
} Listing;

/* The first batch is handed out once every test is listed, set up and
 * scheduled: stop there, so only the controller's own work is measured. */
static void
on_worker_ready (PacerRunner *runner,
                 const char  *worker,
                 Listing     *listing)
{
  if (listing->cpu_at_dispatch == 0)
    {
      listing->cpu_at_dispatch = cpu_seconds ();
      listing->rss_at_dispatch = max_rss_kib ();
      g_cancellable_cancel (listing->cancellable);
    }
}

static void
bench_listing (void)
{
  const char *programs[] = { FAKE_GTEST, NULL };
  g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PacerScheduler) scheduler = pacer_load_scheduler_new ();
  g_autoptr(GArray) batch = NULL;
  Listing listing = { cancellable, 0, 0, FALSE };
  double cpu_before, cpu_schedule, wall;
  guint handed = 0, n_batches = 0;
  long rss_before = max_rss_kib ();

  g_setenv ("FAKE_GTEST_TESTS", "none", TRUE);
  g_setenv ("FAKE_GTEST_COUNT", "100000", TRUE);
  g_object_set (runner, "n-workers", 2, NULL);
  g_signal_connect (runner, "worker-ready", G_CALLBACK (on_worker_ready), &listing);

  cpu_before = cpu_seconds ();
  wall = now_seconds ();
  pacer_runner_run (runner, cancellable, NULL);
  wall = now_seconds () - wall;
  g_unsetenv ("FAKE_GTEST_COUNT");

  /* Handing out every batch of the run, with completions, as the runner would. */
  cpu_schedule = cpu_seconds ();
  pacer_scheduler_add_worker (scheduler, "gw0");
  pacer_scheduler_add_worker (scheduler, "gw1");
  for (guint i = 0; i < 100000; i++)
    pacer_scheduler_add_test (scheduler, i, FAKE_GTEST, "/many/x", -1, PACER_SCHEDULE_FLAGS_NONE);
  while ((batch = pacer_scheduler_next_batch (scheduler, (n_batches % 2) ? "gw1" : "gw0")) != NULL)
    {
      for (guint i = 0; i < batch->len; i++)
        pacer_scheduler_mark_test_complete (scheduler, "gw0", g_array_index (batch, guint, i), 0.00001);
      handed += batch->len;
      n_batches++;
      g_clear_pointer (&batch, g_array_unref);
    }
  cpu_schedule = cpu_seconds () - cpu_schedule;
  g_assert (handed == 100000);

  g_print ("(d) 100 000 listed tests: controller CPU for listing, set-up and the first "
           "dispatch %.3f s (wall %.3f s, the program's own listing included), peak RSS %.1f MB "
           "(%.1f MB before); load scheduler handing out all 100 000 in %u batches: %.3f s CPU; "
           "goal <= 1 s and <= 100 MB: %s\n",
           listing.cpu_at_dispatch - cpu_before, wall, listing.rss_at_dispatch / 1024.0,
           rss_before / 1024.0, n_batches, cpu_schedule,
           (listing.cpu_at_dispatch - cpu_before + cpu_schedule <= 1.0 &&
            listing.rss_at_dispatch <= 100 * 1024) ? "met" : "MISSED");
}

/* The whole run of 100 000 trivial tests, for the controller's cost per test. */
static void
bench_full_run (void)
{
  const char *programs[] = { FAKE_GTEST, NULL };
  g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
  g_autofree char *cache = fresh_cache ("d");
  g_autofree char *file = pacer_duration_history_default_file (cache);
  g_autoptr(PacerDurationHistory) history = pacer_duration_history_new (file);
  g_autoptr(GError) error = NULL;
  double cpu, wall;

  g_setenv ("FAKE_GTEST_TESTS", "none", TRUE);
  g_setenv ("FAKE_GTEST_COUNT", "100000", TRUE);
  g_object_set (runner, "n-workers", 2, "history", history, NULL);

  for (guint round = 0; round < 2; round++)
    {
      cpu = cpu_seconds ();
      wall = now_seconds ();
      if (!pacer_runner_run (runner, NULL, &error))
        g_error ("%s", error->message);
      cpu = cpu_seconds () - cpu;
      wall = now_seconds () - wall;
      g_print ("(d) 100 000 trivial tests run in full, -n 2, %s: wall %.2f s, controller CPU %.2f s "
               "(%.1f us a test), peak RSS %.1f MB; %u passed\n",
               round == 0 ? "first run" : "with history", wall, cpu, cpu / 100000 * 1e6,
               max_rss_kib () / 1024.0, pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS));
    }
  g_unsetenv ("FAKE_GTEST_COUNT");
}

static void
print_machine (void)
{
  g_autofree char *cpuinfo = NULL;
  g_autoptr(GDateTime) date = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (date, "%Y-%m-%d %H:%M UTC");
  const char *model = "unknown";
  g_auto(GStrv) lines = NULL;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      lines = g_strsplit (cpuinfo, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "model name"))
          {
            model = strchr (lines[i], ':') != NULL ? strchr (lines[i], ':') + 2 : lines[i];
            break;
          }
    }
  g_print ("machine: %ld CPUs (nproc), %u usable, %s; %s\n",
           sysconf (_SC_NPROCESSORS_ONLN), pacer_runner_get_usable_cpus (), model, when);
}

int
main (int   argc,
      char *argv[])
{
  gboolean quick = FALSE;
  const char *only = "abcd";

  /* `runner [--quick] [a|b|c|d…]`: --quick skips the 11 s serial and gtester
   * runs of (c); letters pick the suites. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        quick = TRUE;
      else
        only = argv[i];
    }

  cache_root = g_dir_make_tmp ("pacer-bench-XXXXXX", NULL);
  print_machine ();
  if (strchr (only, 'd') != NULL)
    {
      bench_listing ();
      bench_full_run ();
    }
  if (strchr (only, 'a') != NULL)
    bench_trivial ();
  if (strchr (only, 'b') != NULL)
    bench_sleepy ();
  if (strchr (only, 'c') != NULL)
    {
      bench_skewed ("10:1000;90:10", "slow tests listed first", !quick);
      bench_skewed ("90:10;10:1000", "slow tests listed last", FALSE);
    }

  /* The history files under cache_root are small; remove them and the dirs. */
  {
    const char *labels[] = { "a", "b", "d", "slow tests listed first", "slow tests listed last", NULL };

    for (guint i = 0; labels[i] != NULL; i++)
      g_free (fresh_cache (labels[i]));
    g_rmdir (cache_root);
  }
  g_free (cache_root);
  return 0;
}
