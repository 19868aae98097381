/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What real GTest programs do to a runner, in every --dist mode: skip
 * themselves when listed, crash or hang on -l, name tests after random
 * numbers or the pid, rely on the order of their tests, need a directory of
 * their own. None of it stops a run, and the verdicts are a serial run's. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;
static char *log_file;

static const PacerDistMode all_modes[] = {
  PACER_DIST_MODE_LOAD, PACER_DIST_MODE_LOADSCOPE, PACER_DIST_MODE_LOADFILE, PACER_DIST_MODE_LOADGROUP,
  PACER_DIST_MODE_WORKSTEAL, PACER_DIST_MODE_EACH, PACER_DIST_MODE_NO,
};

/* A scheduler that hands out one test per batch, in listing order: every
 * test runs split from the ones before it. */
#define TEST_TYPE_SPLIT_SCHEDULER (test_split_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (TestSplitScheduler, test_split_scheduler, TEST, SPLIT_SCHEDULER, GObject)

struct _TestSplitScheduler
{
  GObject parent_instance;
  GQueue pending;
};

static void test_split_scheduler_iface_init (PacerSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSplitScheduler, test_split_scheduler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_SCHEDULER, test_split_scheduler_iface_init))

static void
test_split_scheduler_finalize (GObject *object)
{
  g_queue_clear (&TEST_SPLIT_SCHEDULER (object)->pending);
  G_OBJECT_CLASS (test_split_scheduler_parent_class)->finalize (object);
}

static void
test_split_scheduler_class_init (TestSplitSchedulerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_split_scheduler_finalize;
}

static void
test_split_scheduler_init (TestSplitScheduler *self)
{
  g_queue_init (&self->pending);
}

static void
split_add_worker (PacerScheduler *scheduler,
                  const char     *worker)
{
}

static void
split_add_test (PacerScheduler     *scheduler,
                guint               test,
                const char         *program,
                const char         *path,
                double              expected,
                PacerScheduleFlags  flags)
{
  g_queue_push_tail (&TEST_SPLIT_SCHEDULER (scheduler)->pending, GUINT_TO_POINTER (test + 1));
}

static GArray *
split_next_batch (PacerScheduler *scheduler,
                  const char     *worker)
{
  TestSplitScheduler *self = TEST_SPLIT_SCHEDULER (scheduler);
  GArray *batch = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!g_queue_is_empty (&self->pending))
    {
      guint test = GPOINTER_TO_UINT (g_queue_pop_head (&self->pending)) - 1;

      g_array_append_val (batch, test);
    }
  return batch;
}

static void
split_mark_test_complete (PacerScheduler *scheduler,
                          const char     *worker,
                          guint           test,
                          double          duration)
{
}

static void
split_mark_test_pending (PacerScheduler     *scheduler,
                         guint               test,
                         PacerScheduleFlags  flags)
{
  split_add_test (scheduler, test, NULL, NULL, -1, flags);
}

static GArray *
split_remove_pending (PacerScheduler *scheduler)
{
  TestSplitScheduler *self = TEST_SPLIT_SCHEDULER (scheduler);
  GArray *pending = g_array_new (FALSE, FALSE, sizeof (guint));

  while (!g_queue_is_empty (&self->pending))
    {
      guint test = GPOINTER_TO_UINT (g_queue_pop_head (&self->pending)) - 1;

      g_array_append_val (pending, test);
    }
  return pending;
}

static gboolean
split_has_pending (PacerScheduler *scheduler)
{
  return !g_queue_is_empty (&TEST_SPLIT_SCHEDULER (scheduler)->pending);
}

static void
test_split_scheduler_iface_init (PacerSchedulerInterface *iface)
{
  iface->add_worker = split_add_worker;
  iface->add_test = split_add_test;
  iface->next_batch = split_next_batch;
  iface->mark_test_complete = split_mark_test_complete;
  iface->mark_test_pending = split_mark_test_pending;
  iface->remove_pending = split_remove_pending;
  iface->has_pending = split_has_pending;
}

/* A fake-gtest command with variables of its own. */
static PacerTestCommand *
fake_command (const char *name,
              const char *tests,
              const char *extra_env)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  const char *argv[] = { program, NULL };
  g_autofree char *tests_var = g_strconcat ("FAKE_GTEST_TESTS=", tests, NULL);
  g_autofree char *log_var = g_strconcat ("FAKE_GTEST_LOG=", log_file, NULL);
  const char *env[] = { tests_var, log_var, extra_env, NULL };
  PacerTestCommand *command = pacer_test_command_new (name, argv);

  pacer_test_command_set_environment (command, env);
  return command;
}

static PacerTestResult *
find_result (PacerRunner *runner,
             const char  *path)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);
  PacerTestResult *found = NULL;

  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (pacer_test_result_get_path (g_ptr_array_index (results, i)), path))
      found = g_ptr_array_index (results, i);
  return found;
}

static guint
count_path_prefix (PacerRunner      *runner,
                   const char       *prefix,
                   PacerTestOutcome  outcome)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);
  guint n = 0;

  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);

      if (g_str_has_prefix (pacer_test_result_get_path (result), prefix) &&
          pacer_test_result_get_outcome (result) == outcome)
        {
          g_test_message ("%s %s: %s", pacer_test_result_get_program (result),
                          pacer_test_result_get_path (result),
                          pacer_test_result_get_message (result) ? pacer_test_result_get_message (result) : "");
          n++;
        }
    }
  return n;
}

static void
on_note (PacerRunner *runner,
         const char  *program,
         const char  *message,
         GString     *notes)
{
  g_string_append_printf (notes, "%s: %s\n", program, message);
}

static void
test_every_mode (void)
{
  g_test_summary ("Programs that skip, crash or change their names when listed, random names and "
                  "order-dependent tests never stop a run, in every --dist mode, and give a serial "
                  "run's verdicts");

  for (guint m = 0; m < G_N_ELEMENTS (all_modes); m++)
    {
      g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
      g_autoptr(GString) notes = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      guint copies = all_modes[m] == PACER_DIST_MODE_EACH ? 2 : 1;
      PacerTestResult *result;
      const struct {
        const char *name;
        const char *tests;
        const char *env;
      } commands[] = {
        { "skips", "pass:/s/1", "FAKE_GTEST_LIST_EXIT=77" },
        { "crashes", "pass:/x/1,fail:/x/2", "FAKE_GTEST_LIST_EXIT=crash" },
        { "fails", "pass:/f/1", "FAKE_GTEST_LIST_EXIT=3" },
        { "random", "random:/r/seed:,pass:/r/a", NULL },
        { "changing", "changing:/c/pid,pass:/c/a,pass:/c/b", NULL },
        { "ordered", "setstate:/o/1,pass:/o/2,needstate:/o/3,pass:/o/4", NULL },
        { "failing", "pass:/g/1,fail:/g/2", NULL },
      };

      g_test_message ("mode %u", all_modes[m]);
      g_unlink (log_file);
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          g_autoptr(PacerTestCommand) command = fake_command (commands[i].name, commands[i].tests,
                                                              commands[i].env);

          pacer_runner_add_command (runner, command);
        }
      g_object_set (runner, "dist", all_modes[m], "n-workers", 2, NULL);
      g_signal_connect (runner, "note", G_CALLBACK (on_note), notes);

      g_assert_true (pacer_runner_run (runner, NULL, &error));
      g_assert_no_error (error);

      /* Skipped itself when listed: one skip, with its reason. */
      result = find_result (runner, "skips");
      g_assert_nonnull (result);
      g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_SKIP);
      g_assert_cmpstr (pacer_test_result_get_message (result), ==, "no session bus here");

      /* Crashed or failed when listed: runs whole, judged by its TAP, with a note. */
      g_assert_cmpuint (count_path_prefix (runner, "crashes: /x/1", PACER_TEST_OUTCOME_PASS), ==, copies);
      g_assert_cmpuint (count_path_prefix (runner, "crashes: /x/2", PACER_TEST_OUTCOME_FAIL), ==, copies);
      g_assert_cmpuint (count_path_prefix (runner, "fails: /f/1", PACER_TEST_OUTCOME_PASS), ==, copies);
      /* SIGSEGV, or SIGABRT from a sanitizer's handler. */
      g_assert_nonnull (strstr (notes->str, "crashes: listing its tests failed (signal "));
      g_assert_nonnull (strstr (notes->str, "fails: listing its tests failed (exit status 3)"));

      /* Listed with the run's seed: the random names agree. */
      g_assert_cmpuint (count_path_prefix (runner, "/r/seed:", PACER_TEST_OUTCOME_PASS), ==, copies);
      g_assert_cmpuint (count_path_prefix (runner, "/r/a", PACER_TEST_OUTCOME_PASS), ==, copies);

      /* Names that change between calls: the program falls back to running
       * whole; every test still has one result. */
      g_assert_nonnull (strstr (notes->str, "changing: it has no test"));
      g_assert_cmpuint (count_path_prefix (runner, "/c/pid", PACER_TEST_OUTCOME_PASS), >=, 1);
      g_assert_cmpuint (count_path_prefix (runner, "/c/a", PACER_TEST_OUTCOME_PASS), >=, 1);
      g_assert_cmpuint (count_path_prefix (runner, "/c/b", PACER_TEST_OUTCOME_PASS), >=, 1);
      g_assert_cmpuint (count_path_prefix (runner, "/c/", PACER_TEST_OUTCOME_NOT_RUN), ==, 0);

      /* The order-dependent test passes, as in a serial run; a real
       * failure stays a failure after its confirmation. */
      g_assert_cmpuint (count_path_prefix (runner, "/o/", PACER_TEST_OUTCOME_PASS), ==, 4 * copies);
      g_assert_cmpuint (count_path_prefix (runner, "/g/2", PACER_TEST_OUTCOME_FAIL), ==, copies);
      g_assert_cmpuint (count_path_prefix (runner, "/g/1", PACER_TEST_OUTCOME_PASS), ==, copies);
    }
}

static void
test_order_dependent (void)
{
  g_autofree char *history_file = g_build_filename (tmp_dir, "history.json", NULL);
  g_autoptr(PacerDurationHistory) history = pacer_duration_history_new (history_file);
  g_autofree char *log = NULL;

  g_test_summary ("A test that fails split from its program and passes in listing order is "
                  "order-dependent: passed (failed with strict-order), and kept in order next time");

  g_unlink (history_file);
  for (guint strict = 0; strict <= 1; strict++)
    {
      g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
      g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_SPLIT_SCHEDULER, NULL);
      g_autoptr(PacerTestCommand) command = fake_command ("ordered", "setstate:/o/1,needstate:/o/2,fail:/o/3", NULL);
      g_autoptr(GError) error = NULL;
      PacerTestResult *result;

      pacer_runner_add_command (runner, command);
      g_object_set (runner, "scheduler", scheduler, "n-workers", 2, "strict-order", (gboolean) strict, NULL);
      if (strict)
        g_object_set (runner, "history", history, NULL);
      g_assert_true (pacer_runner_run (runner, NULL, &error));
      g_assert_no_error (error);

      result = find_result (runner, "/o/2");
      g_assert_nonnull (result);
      g_assert_true (pacer_test_result_get_order_dependent (result));
      g_assert_nonnull (strstr (pacer_test_result_get_message (result), "order-dependent"));
      g_assert_cmpint (pacer_test_result_get_outcome (result), ==,
                       strict ? PACER_TEST_OUTCOME_FAIL : PACER_TEST_OUTCOME_PASS);

      /* A failure that happens in listing order too is just a failure. */
      result = find_result (runner, "/o/3");
      g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_FAIL);
      g_assert_false (pacer_test_result_get_order_dependent (result));
      g_assert_false (pacer_test_result_get_order_dependent (find_result (runner, "/o/1")));
    }

  /* The history remembers; the next run keeps the program's tests together,
   * in order, in one process, whatever the scheduler would do. */
  g_assert_true (pacer_duration_history_get_order_dependent (history, "ordered"));
  {
    g_autoptr(PacerDurationHistory) reloaded = pacer_duration_history_new (history_file);
    g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
    g_autoptr(PacerTestCommand) command = fake_command ("ordered", "setstate:/o/1,needstate:/o/2,fail:/o/3", NULL);
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *pid = NULL;
    guint n_lines = 0;

    g_assert_true (pacer_duration_history_load (reloaded, &error));
    g_assert_no_error (error);
    g_assert_true (pacer_duration_history_get_order_dependent (reloaded, "ordered"));

    g_unlink (log_file);
    pacer_runner_add_command (runner, command);
    g_object_set (runner, "n-workers", 2, "history", reloaded, NULL);
    g_assert_true (pacer_runner_run (runner, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (pacer_test_result_get_outcome (find_result (runner, "/o/2")), ==, PACER_TEST_OUTCOME_PASS);
    g_assert_false (pacer_test_result_get_order_dependent (find_result (runner, "/o/2")));

    /* Log lines are `PATH KIND WORKER RUN-DIR PID …`: one process, in order. */
    g_assert_true (g_file_get_contents (log_file, &log, NULL, NULL));
    lines = g_strsplit (g_strchomp (log), "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++, n_lines++)
      {
        g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
        g_autofree char *expected = g_strdup_printf ("/o/%u", i + 1);

        g_assert_cmpstr (fields[0], ==, expected);
        if (pid == NULL)
          pid = g_strdup (fields[4]);
        g_assert_cmpstr (fields[4], ==, pid);
      }
    g_assert_cmpuint (n_lines, ==, 3);
  }
}

static void
test_order_dependent_after_crash (void)
{
  g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_SPLIT_SCHEDULER, NULL);
  g_autoptr(PacerTestCommand) command = fake_command ("crashy", "segv:/k/0,setstate:/k/1,needstate:/k/2", NULL);
  g_autoptr(GError) error = NULL;
  PacerTestResult *result;

  g_test_summary ("A confirmation goes on after an earlier test of the prefix crashes, as a "
                  "serial run with crash recovery would");

  pacer_runner_add_command (runner, command);
  g_object_set (runner, "scheduler", scheduler, "n-workers", 2, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (pacer_test_result_get_outcome (find_result (runner, "/k/0")), ==, PACER_TEST_OUTCOME_CRASH);
  result = find_result (runner, "/k/2");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_PASS);
  g_assert_true (pacer_test_result_get_order_dependent (result));
}

static void
test_order_dependent_hang (void)
{
  g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_SPLIT_SCHEDULER, NULL);
  g_autoptr(PacerTestCommand) command = fake_command ("waits", "setstate:/w/1,hangalone:/w/2,pass:/w/3", NULL);
  g_autoptr(GError) error = NULL;
  PacerTestResult *result;

  g_test_summary ("A test that hangs when split from its program is stopped at the split limit, "
                  "not the timeout, and passes in listing order as order-dependent");

  pacer_runner_add_command (runner, command);
  g_object_set (runner, "scheduler", scheduler, "n-workers", 2, "timeout", 120.0, "split-limit", 3.0, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  result = find_result (runner, "/w/2");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_PASS);
  g_assert_true (pacer_test_result_get_order_dependent (result));
  g_assert_nonnull (strstr (pacer_test_result_get_message (result), "stopped after 3 s"));
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 3);
}

static void
test_order_dependent_hang_learned (void)
{
  g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
  g_autoptr(PacerScheduler) scheduler = g_object_new (TEST_TYPE_SPLIT_SCHEDULER, NULL);
  g_autoptr(GString) tests = g_string_new (NULL);
  g_autoptr(PacerTestCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  PacerTestResult *result;
  double limit = 0;

  g_test_summary ("Without a history, a test that hangs when split is suspected after ten times the "
                  "longest test its program ended in this run (at least 10 s), not the 60 s split limit");

  for (guint i = 0; i < 12; i++)
    g_string_append_printf (tests, "pass:/q/%02u,", i);
  g_string_append (tests, "setstate:/q/set,hangalone:/q/hang,pass:/q/last");
  command = fake_command ("learns", tests->str, NULL);
  pacer_runner_add_command (runner, command);
  g_object_set (runner, "scheduler", scheduler, "n-workers", 2, "timeout", 120.0, NULL);
  /* The default limit, far longer than the one learned. */
  g_object_get (runner, "split-limit", &limit, NULL);
  g_assert_cmpfloat (limit, ==, 60.0);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  result = find_result (runner, "/q/hang");
  g_assert_cmpint (pacer_test_result_get_outcome (result), ==, PACER_TEST_OUTCOME_PASS);
  g_assert_true (pacer_test_result_get_order_dependent (result));
  g_assert_nonnull (strstr (pacer_test_result_get_message (result), "stopped after 10 s"));
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 15);
}

static void
test_listing_hang_learned (void)
{
  g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
  g_autoptr(PacerTestCommand) quick = fake_command ("quick", "pass:/l/1,pass:/l/2", NULL);
  g_autoptr(PacerTestCommand) hangs = fake_command ("hangs", "pass:/h/1", "FAKE_GTEST_HANG_LIST=1");
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A listing still going long after the others ended is stopped after ten times the "
                  "longest of them (at least 15 s), not the run's 300 s timeout, and its program runs whole");

  pacer_runner_add_command (runner, quick);
  pacer_runner_add_command (runner, hangs);
  g_object_set (runner, "n-workers", 2, "timeout", 300.0, NULL);
  g_signal_connect (runner, "note", G_CALLBACK (on_note), notes);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  g_assert_nonnull (strstr (notes->str, "hangs: listing its tests took longer than 15 s: it runs whole"));
  g_assert_cmpuint (pacer_runner_get_n_whole_programs (runner), ==, 1);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 3);
}

static void
test_exit_hang (void)
{
  g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
  g_autoptr(PacerTestCommand) hangs = fake_command ("hangs-at-exit", "pass:/e/1,fail:/e/2,pass:/e/3",
                                                    "FAKE_GTEST_EXIT_HANG=1");
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  g_test_summary ("A process that hangs after its last test reported is stopped 30 s later, not a whole "
                  "--timeout later; its tests' results stand and a note says so");

  pacer_runner_add_command (runner, hangs);
  g_object_set (runner, "n-workers", 2, "timeout", 300.0, NULL);
  g_signal_connect (runner, "note", G_CALLBACK (on_note), notes);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("%.1f s; notes: %s", elapsed, notes->str);

  g_assert_cmpfloat (elapsed, <, 120);
  g_assert_nonnull (strstr (notes->str, "had not ended 30 s after its last test"));
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 2);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_FAIL), ==, 1);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_TIMEOUT), ==, 0);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_CRASH), ==, 0);
}

static void
test_cwd (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "own-dir", NULL);
  g_autofree char *stamp = g_build_filename (dir, ".testtmp", NULL);
  g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
  g_autoptr(PacerTestCommand) command = fake_command ("cwd", "testtmp:/t/1,testtmp:/t/2", NULL);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A test that needs its working directory gets it in every process");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (stamp, "", 0, NULL));
  pacer_test_command_set_working_directory (command, dir);
  pacer_runner_add_command (runner, command);
  g_object_set (runner, "n-workers", 2, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_count (runner, PACER_TEST_OUTCOME_PASS), ==, 2);
}

static void
test_helper_library (void)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest-via-lib", NULL);
  g_autofree char *plain = g_test_build_filename (G_TEST_BUILT, "fake-plain", NULL);
  const char *programs[] = { program, plain, NULL };
  g_autoptr(PacerRunner) runner = pacer_runner_new (programs);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A program that reaches g_test_init() only through a shared library of its own "
                  "is split into its tests; a plain program still runs whole, once");

  g_object_set (runner, "n-workers", 2, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pacer_runner_get_n_whole_programs (runner), ==, 1);
  g_assert_nonnull (find_result (runner, "/helper/pass"));
  g_assert_cmpint (pacer_test_result_get_outcome (find_result (runner, "/helper/fail")), ==,
                   PACER_TEST_OUTCOME_FAIL);
  g_assert_cmpint (pacer_test_result_get_outcome (find_result (runner, "/helper/other")), ==,
                   PACER_TEST_OUTCOME_PASS);
}

static void
test_grow (void)
{
  g_autoptr(PacerRunner) runner = pacer_runner_new (NULL);
  g_autoptr(PacerTestCommand) command = fake_command ("waits", "pass:/w/first,fail:/w/failing",
                                                      "FAKE_GTEST_SLOW=40:100");
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A run that may grow while the CPUs idle keeps every verdict, gives each test one "
                  "result and never goes past its ceiling; without pressure stall information it "
                  "does not grow");

  pacer_runner_add_command (runner, command);
  g_object_set (runner, "n-workers", 1, "max-workers", 4, NULL);
  g_assert_true (pacer_runner_run (runner, NULL, &error));
  g_assert_no_error (error);

  results = pacer_runner_get_results (runner);
  g_assert_cmpuint (results->len, ==, 42);
  for (guint i = 0; i < results->len; i++)
    {
      PacerTestResult *result = g_ptr_array_index (results, i);
      const char *path = pacer_test_result_get_path (result);
      const char *worker = pacer_test_result_get_worker (result);

      g_assert_false (g_hash_table_contains (seen, path));
      g_hash_table_add (seen, (gpointer) path);
      g_assert_cmpint (pacer_test_result_get_outcome (result), ==,
                       g_str_equal (path, "/w/failing") ? PACER_TEST_OUTCOME_FAIL : PACER_TEST_OUTCOME_PASS);
      g_assert_true (g_strv_contains ((const char * const[]) { "gw0", "gw1", "gw2", "gw3", NULL }, worker));
    }
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), >=, 1);
  g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), <=, 4);
  if (!g_file_test ("/proc/pressure/cpu", G_FILE_TEST_EXISTS))
    g_assert_cmpuint (pacer_runner_get_n_workers_used (runner), ==, 1);
  g_test_message ("grew to %u workers", pacer_runner_get_n_workers_used (runner));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  tmp_dir = pacer_test_make_tmp_dir ("pacer-real-suites-XXXXXX");
  log_file = g_build_filename (tmp_dir, "log", NULL);

  g_test_add_func ("/Pacer/RealSuites/every-mode", test_every_mode);
  g_test_add_func ("/Pacer/RealSuites/order-dependent", test_order_dependent);
  g_test_add_func ("/Pacer/RealSuites/order-dependent-after-crash", test_order_dependent_after_crash);
  g_test_add_func ("/Pacer/RealSuites/order-dependent-hang", test_order_dependent_hang);
  g_test_add_func ("/Pacer/RealSuites/order-dependent-hang-learned", test_order_dependent_hang_learned);
  g_test_add_func ("/Pacer/RealSuites/listing-hang-learned", test_listing_hang_learned);
  g_test_add_func ("/Pacer/RealSuites/exit-hang", test_exit_hang);
  g_test_add_func ("/Pacer/RealSuites/cwd", test_cwd);
  g_test_add_func ("/Pacer/RealSuites/helper-library", test_helper_library);
  g_test_add_func ("/Pacer/RealSuites/grow", test_grow);

  status = g_test_run ();
  g_free (log_file);
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
