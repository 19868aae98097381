/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* When a run may add a worker: /proc/stat and /proc/pressure/cpu as Linux
 * writes them, read from a directory laid out like /proc, and the decision
 * drawn from two samples. */

#include "config.h"

#include <glib/gstdio.h>

#include "pacer-glib/pacer-cpu-pressure-private.h"
#include "pacer-test-utils.h"

static char *tmp_dir;

static const char stat_two_cpus[] =
  "cpu  1000 20 300 5000 100 10 5 0 0 0\n"
  "cpu0 500 10 150 2500 50 5 3 0 0 0\n"
  "cpu1 500 10 150 2500 50 5 2 0 0 0\n"
  "intr 12345 0 0\n"
  "ctxt 999\n"
  "procs_running 3\n";

static const char pressure[] =
  "some avg10=1.50 avg60=0.30 avg300=0.10 total=123456\n"
  "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

static char *
write_proc (const char *name,
            const char *stat,
            const char *cpu_pressure)
{
  g_autofree char *root = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *pressure_dir = g_build_filename (root, "pressure", NULL);
  g_autofree char *stat_file = g_build_filename (root, "stat", NULL);
  g_autofree char *pressure_file = g_build_filename (pressure_dir, "cpu", NULL);

  g_assert_cmpint (g_mkdir_with_parents (pressure_dir, 0700), ==, 0);
  if (stat != NULL)
    g_assert_true (g_file_set_contents (stat_file, stat, -1, NULL));
  if (cpu_pressure != NULL)
    g_assert_true (g_file_set_contents (pressure_file, cpu_pressure, -1, NULL));
  return g_steal_pointer (&root);
}

static void
test_read (void)
{
  g_autofree char *root = write_proc ("both", stat_two_cpus, pressure);
  PacerCpuSample sample;

  g_test_summary ("Busy and idle ticks, the number of CPUs and the stall total are read as Linux writes them");

  g_assert_true (_pacer_cpu_sample_read (root, &sample));
  g_assert_cmpuint (sample.n_cpus, ==, 2);
  /* user + nice + system + irq + softirq + steal; idle + iowait */
  g_assert_cmpuint (sample.busy, ==, 1000 + 20 + 300 + 10 + 5 + 0);
  g_assert_cmpuint (sample.idle, ==, 5000 + 100);
  g_assert_true (sample.has_stall);
  g_assert_cmpuint (sample.stall_usec, ==, 123456);
  g_assert_cmpint (sample.time, >, 0);
}

static void
test_read_without_psi (void)
{
  g_autofree char *no_psi = write_proc ("no-psi", stat_two_cpus, NULL);
  g_autofree char *bad_psi = write_proc ("bad-psi", stat_two_cpus, "some avg10=1.00\n");
  g_autofree char *no_stat = write_proc ("no-stat", NULL, pressure);
  g_autofree char *bad_stat = write_proc ("bad-stat", "cpu  x y z\ncpu0 1 2 3 4 5\n", pressure);
  g_autofree char *no_cpus = write_proc ("no-cpus", "cpu  1 2 3 4 5 6 7 8\n", pressure);
  PacerCpuSample sample;

  g_test_summary ("A kernel without PSI gives a sample without stall; a missing or odd /proc/stat none");

  g_assert_true (_pacer_cpu_sample_read (no_psi, &sample));
  g_assert_false (sample.has_stall);
  g_assert_true (_pacer_cpu_sample_read (bad_psi, &sample));
  g_assert_false (sample.has_stall);
  g_assert_false (_pacer_cpu_sample_read (no_stat, &sample));
  g_assert_false (_pacer_cpu_sample_read (bad_stat, &sample));
  g_assert_false (_pacer_cpu_sample_read (no_cpus, &sample));
}

/* Two samples one second apart on @n_cpus CPUs: @idle_share of the ticks
 * idle, runnable tasks stalled @stall of the time. */
static PacerCpuRoom
room (guint  n_cpus,
      double idle_share,
      double stall,
      gboolean has_stall)
{
  PacerCpuSample before = { 1000000, 5000, 5000, n_cpus, has_stall, 777 };
  PacerCpuSample after = before;

  after.time += G_USEC_PER_SEC;
  after.idle += (guint64) (idle_share * 100 * n_cpus);
  after.busy += (guint64) ((1 - idle_share) * 100 * n_cpus);
  after.stall_usec += (guint64) (stall * G_USEC_PER_SEC);
  return _pacer_cpu_room (&before, &after);
}

static void
test_room (void)
{
  PacerCpuSample sample = { 1000000, 5000, 5000, 2, TRUE, 777 };

  g_test_summary ("Grow while a whole CPU idles and nothing waits for one; shrink when tasks wait for "
                  "CPUs; hold in between, without PSI, and on samples that do not move forward");

  /* Tests that sleep: most of two CPUs idle, no stall. */
  g_assert_cmpint (room (2, 0.80, 0.00, TRUE), ==, PACER_CPU_ROOM_GROW);
  /* One CPU of two idle is enough; less is not. */
  g_assert_cmpint (room (2, 0.51, 0.04, TRUE), ==, PACER_CPU_ROOM_GROW);
  g_assert_cmpint (room (2, 0.45, 0.00, TRUE), ==, PACER_CPU_ROOM_HOLD);
  g_assert_cmpint (room (8, 0.13, 0.00, TRUE), ==, PACER_CPU_ROOM_GROW);
  /* Every CPU busy with exactly one task each: full, not oversubscribed. */
  g_assert_cmpint (room (2, 0.00, 0.00, TRUE), ==, PACER_CPU_ROOM_HOLD);
  /* Idle time beside a stall (short bursts of many tasks): not yet. */
  g_assert_cmpint (room (2, 0.60, 0.10, TRUE), ==, PACER_CPU_ROOM_HOLD);
  g_assert_cmpint (room (2, 0.60, 0.20, TRUE), ==, PACER_CPU_ROOM_HOLD);
  /* Tasks wait for a CPU: give a worker back, idle or not. */
  g_assert_cmpint (room (2, 0.00, 0.45, TRUE), ==, PACER_CPU_ROOM_SHRINK);
  g_assert_cmpint (room (8, 0.40, 0.25, TRUE), ==, PACER_CPU_ROOM_SHRINK);
  /* Without PSI idle time cannot tell full from oversubscribed. */
  g_assert_cmpint (room (2, 0.90, 0.00, FALSE), ==, PACER_CPU_ROOM_HOLD);

  /* The same sample twice, time going back, counters going back. */
  g_assert_cmpint (_pacer_cpu_room (&sample, &sample), ==, PACER_CPU_ROOM_HOLD);
  {
    PacerCpuSample later = sample;

    later.time -= 1;
    g_assert_cmpint (_pacer_cpu_room (&sample, &later), ==, PACER_CPU_ROOM_HOLD);
    later = sample;
    later.time += G_USEC_PER_SEC;
    later.idle -= 1;
    g_assert_cmpint (_pacer_cpu_room (&sample, &later), ==, PACER_CPU_ROOM_HOLD);
    later.idle = sample.idle + 100;
    later.stall_usec = 0;
    g_assert_cmpint (_pacer_cpu_room (&sample, &later), ==, PACER_CPU_ROOM_HOLD);
  }
}

static void
test_this_machine (void)
{
  PacerCpuSample sample;

  g_test_summary ("This machine's /proc reads, where there is one");

  if (!g_file_test ("/proc/stat", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /proc/stat here");
      return;
    }
  g_assert_true (_pacer_cpu_sample_read ("/proc", &sample));
  g_assert_cmpuint (sample.n_cpus, >=, 1);
  g_assert_cmpuint (sample.busy + sample.idle, >, 0);
  if (g_file_test ("/proc/pressure/cpu", G_FILE_TEST_EXISTS))
    g_assert_true (sample.has_stall);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("test-cpu-pressure-XXXXXX");

  g_test_add_func ("/Pacer/CpuPressure/read", test_read);
  g_test_add_func ("/Pacer/CpuPressure/read-without-psi", test_read_without_psi);
  g_test_add_func ("/Pacer/CpuPressure/room", test_room);
  g_test_add_func ("/Pacer/CpuPressure/this-machine", test_this_machine);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
