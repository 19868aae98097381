/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* See pacer-reaper-private.h. The sweep runs in the guardian, a child
 * forked from a process that may have threads and never exec'd: so it
 * uses only async-signal-safe calls, raw system calls and stack buffers,
 * no malloc, no stdio, no GLib. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "pacer-reaper-private.h"

#define VARIABLE "PACER_TESTRUN_UID="
/* A run id is a UUID; anything longer is not ours. */
#define MAX_NEEDLE 128
/* A process being killed can still be seen for a moment; a process of the
 * run may fork as the sweep goes. Sweep again until a pass finds none. */
#define MAX_PASSES 16

struct _PacerReaper
{
  char *testrun_uid;
  int pipe_fd;          /* write end: its end-of-file tells the guardian we are gone */
};

struct linux_dirent64
{
  guint64 d_ino;
  gint64 d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* @needle is "PACER_TESTRUN_UID=<uid>" with its NUL: a whole variable. */
static gboolean
environ_has (int         pid,
             const char *needle,
             gsize       needle_len)
{
  char path[64] = "/proc/";
  char digits[16];
  char buffer[4096 + MAX_NEEDLE];
  gsize n_digits = 0, pos = 6, kept;
  int fd;

  do
    digits[n_digits++] = '0' + pid % 10;
  while ((pid /= 10) > 0 && n_digits < sizeof digits);
  while (n_digits > 0)
    path[pos++] = digits[--n_digits];
  memcpy (path + pos, "/environ", sizeof "/environ");

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;

  /* A variable starts after a NUL; the one before the first variable is
   * made up. The last bytes of a read are kept for the next: a variable
   * may straddle two reads, and what precedes it must be seen too. */
  buffer[0] = '\0';
  kept = 1;
  for (;;)
    {
      ssize_t n = read (fd, buffer + kept, sizeof buffer - kept);
      gsize length;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      length = kept + n;
      for (gsize i = 1; i + needle_len <= length; i++)
        if (buffer[i - 1] == '\0' && memcmp (buffer + i, needle, needle_len) == 0)
          {
            close (fd);
            return TRUE;
          }
      kept = MIN (length, needle_len);
      memmove (buffer, buffer + length - kept, kept);
    }
  close (fd);
  return FALSE;
}

static guint
sweep_once (const char *needle,
            gsize       needle_len,
            int         self)
{
  char buffer[8192];
  guint killed = 0;
  int dir = open ("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dir < 0)
    return 0;

  for (;;)
    {
      long n = syscall (SYS_getdents64, dir, buffer, sizeof buffer);

      if (n <= 0)
        break;
      for (long offset = 0; offset < n;)
        {
          struct linux_dirent64 *entry = (struct linux_dirent64 *) (buffer + offset);
          int pid = 0;
          const char *c;

          offset += entry->d_reclen;
          for (c = entry->d_name; *c >= '0' && *c <= '9' && pid < G_MAXINT / 10; c++)
            pid = pid * 10 + (*c - '0');
          if (*c != '\0' || pid <= 1 || pid == self)
            continue;
          if (environ_has (pid, needle, needle_len) && kill (pid, SIGKILL) == 0)
            killed++;
        }
    }
  close (dir);
  return killed;
}

/* Async-signal-safe. */
static guint
sweep (const char *needle,
       gsize       needle_len,
       int         self)
{
  guint total = 0;

  for (guint pass = 0; pass < MAX_PASSES; pass++)
    {
      guint killed = sweep_once (needle, needle_len, self);

      if (killed == 0)
        break;
      total += killed;
    }
  return total;
}

static gsize
make_needle (const char *testrun_uid,
             char        needle[MAX_NEEDLE])
{
  gsize length = strlen (VARIABLE) + strlen (testrun_uid) + 1;

  if (length > MAX_NEEDLE)
    return 0;
  memcpy (needle, VARIABLE, strlen (VARIABLE));
  memcpy (needle + strlen (VARIABLE), testrun_uid, strlen (testrun_uid) + 1);
  return length;
}

guint
_pacer_reaper_sweep (const char *testrun_uid)
{
  char needle[MAX_NEEDLE];
  gsize needle_len = make_needle (testrun_uid, needle);
  guint killed;

  if (needle_len == 0)
    return 0;
  killed = sweep (needle, needle_len, getpid ());
  if (killed > 0)
    g_debug ("killed %u process(es) left behind by run %s", killed, testrun_uid);
  return killed;
}

/* The guardian: waits for the runner to go, sweeps, exits. */
G_GNUC_NORETURN static void
guard (int         read_fd,
       const char *needle,
       gsize       needle_len)
{
  struct sigaction action = { 0 };
  sigset_t none;
  char byte;
  int null_fd;

  /* Out of the runner's session and terminal: Ctrl-C and a closing
   * terminal are for the runner, which then closes the pipe itself. The
   * handlers GLib installed in the runner (g_unix_signal_add()) would only
   * write to a pipe nobody reads here. */
  setsid ();
  action.sa_handler = SIG_IGN;
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGHUP, &action, NULL);
  sigaction (SIGPIPE, &action, NULL);
  action.sa_handler = SIG_DFL;
  sigaction (SIGTERM, &action, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  /* Hold nothing of the runner's open: not its stdout (a reader would wait
   * for our end-of-file too) nor any pipe it shares. */
  dup2 (read_fd, 0);
  null_fd = open ("/dev/null", O_RDWR);
  if (null_fd >= 0)
    {
      dup2 (null_fd, 1);
      dup2 (null_fd, 2);
    }
#ifdef SYS_close_range
  if (syscall (SYS_close_range, 3, ~0U, 0) != 0)
#endif
    for (int fd = 3; fd < 65536; fd++)
      close (fd);

  for (;;)
    {
      ssize_t n = read (0, &byte, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
    }

  sweep (needle, needle_len, getpid ());
  _exit (0);
}

static PacerReaper *
reaper_new (const char *testrun_uid,
            int         pipe_fd)
{
  PacerReaper *reaper = g_new0 (PacerReaper, 1);

  reaper->testrun_uid = g_strdup (testrun_uid);
  reaper->pipe_fd = pipe_fd;
  return reaper;
}

PacerReaper *
_pacer_reaper_start (const char *testrun_uid)
{
  char needle[MAX_NEEDLE];
  gsize needle_len = make_needle (testrun_uid, needle);
  int fds[2];
  pid_t child;

  if (needle_len == 0 || !g_unix_open_pipe (fds, FD_CLOEXEC, NULL))
    return reaper_new (testrun_uid, -1);

  /* Twice forked, so init (or the nearest subreaper) reaps the guardian
   * and no child of ours is left for GLib's child watches to trip on.
   * Nothing is allocated before the fork: a leak checker that follows the
   * children (valgrind) would count a block only the parent's registers
   * point to as lost when they _exit(). */
  child = fork ();
  if (child == 0)
    {
      close (fds[1]);
      if (fork () == 0)
        guard (fds[0], needle, needle_len);
      _exit (0);
    }
  close (fds[0]);
  if (child < 0)
    {
      g_debug ("cannot fork the run's guardian: %s", g_strerror (errno));
      close (fds[1]);
      return reaper_new (testrun_uid, -1);
    }
  while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
    ;
  return reaper_new (testrun_uid, fds[1]);
}

void
_pacer_reaper_stop (PacerReaper *reaper)
{
  if (reaper == NULL)
    return;
  _pacer_reaper_sweep (reaper->testrun_uid);
  if (reaper->pipe_fd >= 0)
    close (reaper->pipe_fd);
  g_free (reaper->testrun_uid);
  g_free (reaper);
}
