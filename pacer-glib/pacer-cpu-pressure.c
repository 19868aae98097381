/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* See pacer-cpu-pressure-private.h. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pacer-cpu-pressure-private.h"

/* Grow only while a whole CPU stood idle and runnable tasks waited for a
 * CPU under 5 % of the time; give a worker back once they wait more than
 * 20 % of it. Growth is for suites that wait, and must not turn the
 * machine into a loaded one: timing-sensitive tests (snapd-glib's
 * /find/cancel fails 6 times in 40 beside three busy loops on two CPUs)
 * would fail where a serial run passes. The gap between the two keeps a
 * run from adding and dropping a worker on every sample. */
#define GROW_IDLE_CPUS 1.0
#define GROW_MAX_STALL 0.05
#define SHRINK_MIN_STALL 0.20

/* The "cpu " line: user nice system idle iowait irq softirq steal … */
static gboolean
parse_stat (const char     *text,
            PacerCpuSample *sample)
{
  const char *line = text;
  gboolean seen_total = FALSE;

  sample->n_cpus = 0;
  while (line != NULL && *line != '\0')
    {
      if (g_str_has_prefix (line, "cpu "))
        {
          guint64 fields[8] = { 0 };
          const char *p = line + 4;
          char *end;
          guint n = 0;

          while (n < G_N_ELEMENTS (fields))
            {
              while (*p == ' ')
                p++;
              if (!g_ascii_isdigit (*p))
                break;
              fields[n++] = g_ascii_strtoull (p, &end, 10);
              p = end;
            }
          if (n < 5)
            return FALSE;
          sample->idle = fields[3] + fields[4];
          sample->busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
          seen_total = TRUE;
        }
      else if (g_str_has_prefix (line, "cpu") && g_ascii_isdigit (line[3]))
        sample->n_cpus++;
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  return seen_total && sample->n_cpus > 0;
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345" */
static gboolean
parse_pressure (const char *text,
                guint64    *total)
{
  const char *found;
  char *end;

  if (!g_str_has_prefix (text, "some "))
    return FALSE;
  found = strstr (text, " total=");
  if (found == NULL || (strchr (text, '\n') != NULL && found > strchr (text, '\n')))
    return FALSE;
  found += strlen (" total=");
  if (!g_ascii_isdigit (*found))
    return FALSE;
  *total = g_ascii_strtoull (found, &end, 10);
  return TRUE;
}

gboolean
_pacer_cpu_sample_read (const char     *proc_root,
                        PacerCpuSample *sample)
{
  g_autofree char *stat_path = g_build_filename (proc_root, "stat", NULL);
  g_autofree char *pressure_path = g_build_filename (proc_root, "pressure", "cpu", NULL);
  g_autofree char *stat = NULL;
  g_autofree char *pressure = NULL;

  memset (sample, 0, sizeof *sample);
  sample->time = g_get_monotonic_time ();
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL) || !parse_stat (stat, sample))
    return FALSE;
  /* A kernel without PSI, or one that has it switched off (psi=0), gives
   * no file or one that cannot be read. */
  sample->has_stall = g_file_get_contents (pressure_path, &pressure, NULL, NULL) &&
                      parse_pressure (pressure, &sample->stall_usec);
  return TRUE;
}

PacerCpuRoom
_pacer_cpu_room (const PacerCpuSample *before,
                 const PacerCpuSample *after)
{
  gint64 elapsed = after->time - before->time;
  guint64 busy, idle;
  double idle_cpus, stall;

  if (!before->has_stall || !after->has_stall || elapsed <= 0 ||
      after->busy < before->busy || after->idle < before->idle ||
      after->stall_usec < before->stall_usec)
    return PACER_CPU_ROOM_HOLD;
  busy = after->busy - before->busy;
  idle = after->idle - before->idle;
  if (busy + idle == 0)
    return PACER_CPU_ROOM_HOLD;

  stall = (double) (after->stall_usec - before->stall_usec) / (double) elapsed;
  if (stall > SHRINK_MIN_STALL)
    return PACER_CPU_ROOM_SHRINK;
  idle_cpus = (double) idle / (double) (busy + idle) * after->n_cpus;
  if (stall < GROW_MAX_STALL && idle_cpus >= GROW_IDLE_CPUS)
    return PACER_CPU_ROOM_GROW;
  return PACER_CPU_ROOM_HOLD;
}
