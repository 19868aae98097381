/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether the machine's CPUs have room for another worker: samples of
 * /proc/stat (how much of the CPUs was idle) and Linux's pressure stall
 * information, /proc/pressure/cpu (how long runnable tasks waited for a
 * CPU), and the decision drawn from two of them. Idle time alone cannot
 * tell a machine that is fully used from one that is oversubscribed; the
 * stall time can, so without it a run never grows. */

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 time;          /* monotonic microseconds */
  guint64 busy;         /* clock ticks of every CPU doing work */
  guint64 idle;         /* clock ticks idle or waiting for I/O */
  guint n_cpus;         /* the cpuN lines of /proc/stat */
  gboolean has_stall;   /* /proc/pressure/cpu could be read */
  guint64 stall_usec;   /* its "some" total */
} PacerCpuSample;

typedef enum {
  PACER_CPU_ROOM_HOLD,
  PACER_CPU_ROOM_GROW,    /* a CPU's worth is idle and nothing waits for one */
  PACER_CPU_ROOM_SHRINK,  /* runnable tasks wait for a CPU much of the time */
} PacerCpuRoom;

/* @proc_root is "/proc", or a directory laid out like it (tests). */
gboolean     _pacer_cpu_sample_read (const char           *proc_root,
                                     PacerCpuSample       *sample);
PacerCpuRoom _pacer_cpu_room        (const PacerCpuSample *before,
                                     const PacerCpuSample *after);

G_END_DECLS
