/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-error.h"

#include "pacer-glib-private.h"

void
_pacer_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            _pacer_remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

/* Run state is small, hot and worthless after the run: keep it in memory when
 * the system offers a place for that. On ext4, replacing a file by rename makes
 * the kernel flush the new file's data first, which costs ten times more than
 * the rest of a locked update. */
static const char *
pick_run_dir_base (void)
{
  const char *candidates[] = { g_getenv ("XDG_RUNTIME_DIR"), "/dev/shm" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (candidates[i] != NULL && g_path_is_absolute (candidates[i]) &&
        g_file_test (candidates[i], G_FILE_TEST_IS_DIR) && access (candidates[i], W_OK | X_OK) == 0)
      return candidates[i];

  return g_get_tmp_dir ();
}

/* Who made a run directory, to tell later whether it is still in use: its
 * pid, when that process started (a pid is reused), the boot (pids start
 * again) and the pid namespace (another container's pids mean nothing
 * here). */
#define OWNER_FILE ".pacer-owner"

static char *
read_small_file (const char *path)
{
  char buffer[512];
  ssize_t n;
  /* O_NONBLOCK: a FIFO planted there must not hang the open; it is refused below. */
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  n = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (n <= 0)
    return NULL;
  buffer[n] = '\0';
  return g_strdup (g_strstrip (buffer));
}

/* Field 22 of /proc/PID/stat, after the command name that may hold spaces. */
static guint64
process_start_time (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = read_small_file (path);
  const char *p = stat != NULL ? strrchr (stat, ')') : NULL;
  g_auto(GStrv) fields = NULL;

  if (p == NULL)
    return 0;
  fields = g_strsplit (p + 2, " ", 22);
  /* fields[0] is field 3 (state): field 22 is fields[19]. */
  return g_strv_length (fields) > 19 ? g_ascii_strtoull (fields[19], NULL, 10) : 0;
}

static char *
pid_namespace (void)
{
  char link[128];
  ssize_t n = readlink ("/proc/self/ns/pid", link, sizeof link - 1);

  if (n <= 0)
    return g_strdup ("-");
  link[n] = '\0';
  return g_strdup (link);
}

static char *
owner_stamp (pid_t pid)
{
  g_autofree char *boot_id = read_small_file ("/proc/sys/kernel/random/boot_id");
  g_autofree char *ns = pid_namespace ();

  return g_strdup_printf ("%d %" G_GUINT64_FORMAT " %s %s\n", (int) pid, process_start_time (pid),
                          boot_id != NULL ? boot_id : "-", ns);
}

/* Whether the process that made @dir is gone for sure: a directory with no
 * stamp (being made right now, or by an older version) or made in another
 * pid namespace is never judged stale. */
static gboolean
run_dir_is_stale (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, OWNER_FILE, NULL);
  g_autofree char *stamp = read_small_file (path);
  g_autofree char *boot_id = read_small_file ("/proc/sys/kernel/random/boot_id");
  g_autofree char *ns = pid_namespace ();
  g_auto(GStrv) fields = NULL;
  gint64 pid;

  if (stamp == NULL)
    return FALSE;
  fields = g_strsplit (stamp, " ", 4);
  if (g_strv_length (fields) != 4 || !g_ascii_string_to_signed (fields[0], 10, 2, G_MAXINT, &pid, NULL))
    return FALSE;
  if (!g_str_equal (fields[3], ns))
    return FALSE;
  if (boot_id != NULL && !g_str_equal (fields[2], boot_id))
    return TRUE;
  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return TRUE;
  /* Alive, or a new process under a reused pid. */
  return process_start_time ((pid_t) pid) != g_ascii_strtoull (fields[1], NULL, 10);
}

/* Removes the run directories beside @path that a dead process of ours left
 * behind: a runner killed by SIGKILL or the OOM killer cannot clean up. */
static void
remove_stale_run_dirs (const char *path)
{
  g_autofree char *base = g_path_get_dirname (path);
  const char *own = g_getenv ("PACER_RUN_DIR");
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      struct stat info;

      if (!g_str_has_prefix (name, "pacer-run-"))
        continue;
      child = g_build_filename (base, name, NULL);
      /* Ours alone, never through a link, never the one we were given or just made. */
      if (g_lstat (child, &info) != 0 || !S_ISDIR (info.st_mode) || info.st_uid != getuid () ||
          g_str_equal (child, path) || (own != NULL && g_str_equal (child, own)))
        continue;
      if (run_dir_is_stale (child))
        {
          g_debug ("removing the stale run directory %s", child);
          _pacer_remove_tree (child);
        }
    }
}

/* The stamp is written before anyone learns the directory's name, with
 * O_EXCL and O_NOFOLLOW: nothing can be planted in a fresh 0700 directory. */
static void
stamp_run_dir (const char *path)
{
  g_autofree char *file = g_build_filename (path, OWNER_FILE, NULL);
  g_autofree char *stamp = owner_stamp (getpid ());
  gsize length = strlen (stamp);
  int fd = open (file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

  /* Without a stamp the directory is only never taken for stale: a full
   * disk must not stop a run for that. */
  if (fd < 0)
    return;
  if (write (fd, stamp, length) != (gssize) length)
    g_unlink (file);
  close (fd);
}

char *
_pacer_make_run_dir (GError **error)
{
  char *path = g_build_filename (pick_run_dir_base (), "pacer-run-XXXXXX", NULL);

  if (g_mkdtemp_full (path, 0700) == NULL)
    {
      int saved_errno = errno;
      g_autofree char *fallback = g_build_filename (g_get_tmp_dir (), "pacer-run-XXXXXX", NULL);

      if (g_mkdtemp_full (fallback, 0700) == NULL)
        {
          _pacer_ensure_i18n ();
          g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                       _("Cannot create a run directory “%s”: %s"), path, g_strerror (saved_errno));
          g_free (path);
          return NULL;
        }
      g_free (path);
      path = g_steal_pointer (&fallback);
    }

  stamp_run_dir (path);
  remove_stale_run_dirs (path);
  return path;
}

gboolean
_pacer_path_is_special (const char *path)
{
  struct stat info;

  return g_stat (path, &info) == 0 && !S_ISREG (info.st_mode) && !S_ISDIR (info.st_mode);
}

gboolean
_pacer_check_not_block_device (const char  *path,
                               GError     **error)
{
  struct stat info;

  /* A disk is never a report, even behind a link someone planted. */
  if (g_stat (path, &info) == 0 && S_ISBLK (info.st_mode))
    {
      _pacer_ensure_i18n ();
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Cannot write the report “%s”: it is a block device"), path);
      return FALSE;
    }
  return TRUE;
}

gboolean
_pacer_write_special (const char  *path,
                      const char  *data,
                      gsize        length,
                      GError     **error)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  int saved_errno = 0;

  if (fd < 0)
    saved_errno = errno;
  while (fd >= 0 && length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved_errno = n < 0 ? errno : ENOSPC;
          break;
        }
      data += n;
      length -= n;
    }
  if (fd >= 0 && close (fd) != 0 && saved_errno == 0)
    saved_errno = errno;
  if (saved_errno != 0)
    {
      _pacer_ensure_i18n ();
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO, _("Cannot write the report “%s”: %s"), path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
_pacer_read_no_follow (const char  *path,
                       char       **contents,
                       gsize       *length,
                       GError     **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  struct stat info;
  guint8 buffer[16384];
  int saved_errno = 0;
  /* O_NONBLOCK: a FIFO planted there must not hang the open; it is refused below. */
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    {
      saved_errno = errno;
      /* O_NOFOLLOW says ELOOP: say what the user will understand. */
      if (saved_errno == ELOOP)
        g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                             _("it is a symbolic link, which is not followed"));
      else
        g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                             g_strerror (saved_errno));
      return FALSE;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      close (fd);
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("it is not a regular file"));
      return FALSE;
    }
  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        saved_errno = errno;
      if (n <= 0)
        break;
      g_byte_array_append (bytes, buffer, n);
    }
  close (fd);
  if (saved_errno != 0)
    {
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return FALSE;
    }
  *length = bytes->len;
  g_byte_array_append (bytes, (const guint8 *) "", 1);
  *contents = (char *) g_byte_array_free (g_steal_pointer (&bytes), FALSE);
  return TRUE;
}
