/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* See runner-test-utils.h. Part of the pacer-test-utils library, but only
 * the test-runner* programs use it. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "runner-test-utils.h"

/* The scratch directory of the test program, where fake-gtest logs. */
static char *tmp_dir;

struct _TestAllScheduler
{
  GObject parent_instance;
  GArray *pending;   /* guint */
  GArray *alone;     /* gboolean by test */
  GPtrArray *programs;
  gboolean ignore_alone;  /* behave like a careless user-written scheduler */
};

static void test_all_scheduler_iface_init (PacerSchedulerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestAllScheduler, test_all_scheduler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_SCHEDULER, test_all_scheduler_iface_init))

static void
all_add_worker (PacerScheduler *scheduler, const char *worker)
{
}

static void
all_add_test (PacerScheduler *scheduler, guint test, const char *program, const char *path,
              double expected, PacerScheduleFlags flags)
{
  TestAllScheduler *self = TEST_ALL_SCHEDULER (scheduler);
  gboolean alone = !self->ignore_alone && (flags & PACER_SCHEDULE_FLAGS_ALONE) != 0;

  g_array_append_val (self->pending, test);
  if (self->alone->len <= test)
    g_array_set_size (self->alone, test + 1);
  g_array_index (self->alone, gboolean, test) = alone;
  if (self->programs->len <= test)
    g_ptr_array_set_size (self->programs, test + 1);
  g_free (g_ptr_array_index (self->programs, test));
  g_ptr_array_index (self->programs, test) = g_strdup (program);
}

static GArray *
all_next_batch (PacerScheduler *scheduler, const char *worker)
{
  TestAllScheduler *self = TEST_ALL_SCHEDULER (scheduler);
  GArray *batch, *rest;
  const char *program;
  guint head;

  if (self->pending->len == 0)
    return NULL;

  batch = g_array_new (FALSE, FALSE, sizeof (guint));
  rest = g_array_new (FALSE, FALSE, sizeof (guint));
  head = g_array_index (self->pending, guint, 0);
  program = g_ptr_array_index (self->programs, head);

  for (guint i = 0; i < self->pending->len; i++)
    {
      guint test = g_array_index (self->pending, guint, i);
      gboolean alone = g_array_index (self->alone, gboolean, test);

      if ((i == 0) || (!alone && !g_array_index (self->alone, gboolean, head) &&
                       g_str_equal (program, g_ptr_array_index (self->programs, test))))
        g_array_append_val (batch, test);
      else
        g_array_append_val (rest, test);
    }
  g_array_unref (self->pending);
  self->pending = rest;
  return batch;
}

static void
all_mark_complete (PacerScheduler *scheduler, const char *worker, guint test, double duration)
{
}

static void
all_mark_pending (PacerScheduler *scheduler, guint test, PacerScheduleFlags flags)
{
  TestAllScheduler *self = TEST_ALL_SCHEDULER (scheduler);

  g_array_index (self->alone, gboolean, test) = !self->ignore_alone && (flags & PACER_SCHEDULE_FLAGS_ALONE) != 0;
  g_array_append_val (self->pending, test);
}

static GArray *
all_remove_pending (PacerScheduler *scheduler)
{
  TestAllScheduler *self = TEST_ALL_SCHEDULER (scheduler);
  GArray *pending = self->pending;

  self->pending = g_array_new (FALSE, FALSE, sizeof (guint));
  return pending;
}

static gboolean
all_has_pending (PacerScheduler *scheduler)
{
  return TEST_ALL_SCHEDULER (scheduler)->pending->len > 0;
}

static void
test_all_scheduler_iface_init (PacerSchedulerInterface *iface)
{
  iface->add_worker = all_add_worker;
  iface->remove_worker = all_add_worker;
  iface->add_test = all_add_test;
  iface->next_batch = all_next_batch;
  iface->mark_test_complete = all_mark_complete;
  iface->mark_test_pending = all_mark_pending;
  iface->remove_pending = all_remove_pending;
  iface->has_pending = all_has_pending;
}

static void
test_all_scheduler_finalize (GObject *object)
{
  TestAllScheduler *self = TEST_ALL_SCHEDULER (object);

  g_array_unref (self->pending);
  g_array_unref (self->alone);
  g_ptr_array_unref (self->programs);
  G_OBJECT_CLASS (test_all_scheduler_parent_class)->finalize (object);
}

static void
test_all_scheduler_class_init (TestAllSchedulerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_all_scheduler_finalize;
}

static void
test_all_scheduler_init (TestAllScheduler *self)
{
  self->pending = g_array_new (FALSE, FALSE, sizeof (guint));
  self->alone = g_array_new (FALSE, TRUE, sizeof (gboolean));
  self->programs = g_ptr_array_new_with_free_func (g_free);
}

void
test_all_scheduler_set_ignore_alone (TestAllScheduler *self,
                                     gboolean          ignore_alone)
{
  self->ignore_alone = ignore_alone;
}

/* Fixture helpers ---------------------------------------------------------- */

static char *log_file;

void
runner_test_utils_init (const char *dir)
{
  tmp_dir = g_strdup (dir);
}

void
runner_test_utils_clear (void)
{
  g_clear_pointer (&log_file, g_free);
  g_clear_pointer (&tmp_dir, g_free);
}

static void
log_line_free (LogLine *line)
{
  g_free (line->path);
  g_free (line->kind);
  g_free (line->worker);
  g_free (line->run_dir);
  g_free (line->seed);
  g_free (line->count);
  g_free (line);
}

void
reset_log (void)
{
  g_free (log_file);
  log_file = g_build_filename (tmp_dir, "fake-gtest.log", NULL);
  g_unlink (log_file);
  g_setenv ("FAKE_GTEST_LOG", log_file, TRUE);
}

GPtrArray *
read_log (void)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) log_line_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) rows = NULL;

  if (!g_file_get_contents (log_file, &text, NULL, NULL))
    return lines;
  rows = g_strsplit (text, "\n", -1);
  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (rows[i], " ", -1);
      LogLine *line;

      if (g_strv_length (f) < 7)
        continue;
      line = g_new0 (LogLine, 1);
      line->path = g_strdup (f[0]);
      line->kind = g_strdup (f[1]);
      line->worker = g_strdup (f[2]);
      line->run_dir = g_strdup (f[3]);
      line->pid = atoi (f[4]);
      line->seed = g_strdup (f[5]);
      line->count = g_strdup (f[6]);
      g_ptr_array_add (lines, line);
    }
  return lines;
}

guint
log_count (GPtrArray  *lines,
           const char *path)
{
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (((LogLine *) g_ptr_array_index (lines, i))->path, path))
      n++;
  return n;
}

LogLine *
log_find (GPtrArray  *lines,
          const char *path)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (((LogLine *) g_ptr_array_index (lines, i))->path, path))
      return g_ptr_array_index (lines, i);
  return NULL;
}

PacerRunner *
new_runner (const char *tests)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  const char *programs[] = { program, NULL };

  g_setenv ("FAKE_GTEST_TESTS", tests, TRUE);
  reset_log ();
  return pacer_runner_new (programs);
}

PacerTestResult *
find_result (PacerRunner *runner,
             const char  *path)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);
  PacerTestResult *found = NULL;

  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (pacer_test_result_get_path (g_ptr_array_index (results, i)), path))
      {
        g_assert_null (found);  /* exactly one result per test */
        found = g_ptr_array_index (results, i);
      }
  g_assert_nonnull (found);
  /* The runner keeps its own reference. */
  return found;
}

PacerTestOutcome
outcome_of (PacerRunner *runner,
            const char  *path)
{
  return pacer_test_result_get_outcome (find_result (runner, path));
}

guint
n_results (PacerRunner *runner)
{
  g_autoptr(GPtrArray) results = pacer_runner_get_results (runner);
  return results->len;
}

void
assert_dead (int pid)
{
  g_assert_cmpint (pid, >, 0);
  /* Reaped and gone: kill() finds no such process. */
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
}

/* Signal counters ---------------------------------------------------------- */

void on_run_started (PacerRunner *r, Counts *c) { c->run_started++; }
void on_run_finished (PacerRunner *r, Counts *c) { c->run_finished++; }
void on_test_started (PacerRunner *r, const char *p, const char *path, const char *w, Counts *c) { c->test_started++; }
void on_test_finished (PacerRunner *r, PacerTestResult *res, Counts *c) { c->test_finished++; }
void on_worker_ready (PacerRunner *r, const char *w, Counts *c) { c->worker_ready++; }
void
on_worker_down (PacerRunner *r, const char *w, const char *error, Counts *c)
{
  if (error == NULL)
    c->worker_down_null++;
  else
    c->worker_down_error++;
}
