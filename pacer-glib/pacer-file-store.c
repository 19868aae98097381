/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerFileStore:
 *
 * A [iface@Pacer.Store] kept in a file, locked through a second file.
 *
 * The lock is an open-file-description lock (`F_OFD_SETLKW`, or `flock()` where
 * the kernel lacks those) on the lock file, which the kernel releases when its
 * holder dies, so a crashed process never leaves the value locked. Every store
 * object has its own open file description, and the threads of one process
 * queue for the file in the process first, so two objects in one process, or
 * two threads, exclude each other as two processes do. A negative timeout blocks in the kernel; a timeout of zero
 * or more retries with short, growing sleeps until its deadline.
 *
 * The lock is handed over fairly: a waiter marks itself on a second byte of the
 * lock file, and a holder that releases the lock while someone waits gives the
 * waiter the chance to take it before it can lock again itself (after a streak
 * of at most 0.3 ms, since each hand-over costs two context switches). Without that, a
 * process that updates in a loop keeps the lock for itself and starves the others
 * (pytest-xdist-rate-limit's SharedJson let one process wait 4 s for one lock).
 *
 * A write goes to a temporary file beside the data file, which is then renamed
 * over it: a process killed at any instant leaves the old value or the new one.
 * Files are created with mode 0600, and neither the data file nor the lock file
 * is followed if it is a symbolic link.
 *
 * ```c
 * g_autoptr(PacerFileStore) store = pacer_file_store_new ("/tmp/run/state.json", NULL);
 * // the lock file is "/tmp/run/state.json.lock"
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-error.h"
#include "pacer-file-store.h"
#include "pacer-glib-private.h"

/* Polling bounds for finite timeouts: short enough that a freed lock is seen
 * within a fraction of a millisecond at first, capped so a long wait costs
 * little CPU. */
#define POLL_FIRST_USEC 20
#define POLL_MAX_USEC   2000

/* One gate per lock file (by device and inode) in this process. Threads of one
 * process queue here rather than in the kernel: a thread must never sleep in
 * F_OFD_SETLKW waiting for another thread of its own process, which some
 * tools that serialise threads (valgrind) cannot see as blocking. */
typedef struct
{
  dev_t dev;
  ino_t ino;
  guint refs;
  gboolean held;
  GCond cond;

  /* Owned by the thread holding the gate. */
  gint64 streak_start;   /* when this process last took the lock from someone else */
  gboolean handed_off;   /* this process last released the lock to a waiter */
} Gate;

static GMutex gates_lock;
static GHashTable *gates;   /* Gate* → Gate*, hashed by inode */

static guint
gate_hash (gconstpointer key)
{
  const Gate *gate = key;

  return (guint) gate->ino ^ (guint) gate->dev;
}

static gboolean
gate_equal (gconstpointer a,
            gconstpointer b)
{
  const Gate *x = a, *y = b;

  return x->dev == y->dev && x->ino == y->ino;
}

/* Called with gates_lock held. */
static Gate *
gate_ref_for (dev_t dev,
              ino_t ino)
{
  Gate key = { .dev = dev, .ino = ino };
  Gate *gate;

  if (gates == NULL)
    gates = g_hash_table_new (gate_hash, gate_equal);

  gate = g_hash_table_lookup (gates, &key);
  if (gate == NULL)
    {
      gate = g_new0 (Gate, 1);
      gate->dev = dev;
      gate->ino = ino;
      g_cond_init (&gate->cond);
      g_hash_table_add (gates, gate);
    }
  gate->refs++;
  return gate;
}

/* Called with gates_lock held. */
static void
gate_unref (Gate *gate)
{
  if (--gate->refs > 0)
    return;
  g_hash_table_remove (gates, gate);
  g_cond_clear (&gate->cond);
  g_free (gate);
}

struct _PacerFileStore
{
  GObject parent_instance;

  char *data_file;
  char *lock_file;
  char *temp_file;
  char *name;

  /* Excludes the threads of this process, whichever store object they use; the
   * file lock excludes everyone else. */
  Gate *gate;
  gboolean held;

  int lock_fd;
  gboolean use_flock;
};

enum {
  PROP_0,
  PROP_DATA_FILE,
  PROP_LOCK_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pacer_file_store_iface_init (PacerStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PacerFileStore, pacer_file_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PACER_TYPE_STORE, pacer_file_store_iface_init))

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *path,
                 const char  *doing)
{
  if (saved_errno == ELOOP)
    g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                 /* TRANSLATORS: the first %s is what was done to the file:
                  * “lock”, “read”, “write”, “replace”, “remove” or “open the
                  * lock file”; the same words fill “Cannot %s “%s”: %s”. */
                 _("Refusing to %s “%s”: it is a symbolic link"), doing, path);
  else
    g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                 /* TRANSLATORS: the first %s is what was done to the file, as above */
                 _("Cannot %s “%s”: %s"), doing, path, g_strerror (saved_errno));
}

static gboolean
ensure_parent_dir (const char  *path,
                   GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Cannot create the directory “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Called with gates_lock held. */
static gboolean
ensure_lock_fd (PacerFileStore  *self,
                GError         **error)
{
  struct stat st;
  int fd;

  if (self->lock_fd >= 0)
    return TRUE;

  fd = open (self->lock_file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT)
    {
      if (!ensure_parent_dir (self->lock_file, error))
        return FALSE;
      fd = open (self->lock_file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    }

  if (fd < 0)
    {
      set_errno_error (error, errno, self->lock_file, _("open the lock file"));
      return FALSE;
    }

  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, self->lock_file, _("open the lock file"));
      close (fd);
      return FALSE;
    }

  self->lock_fd = fd;
  self->gate = gate_ref_for (st.st_dev, st.st_ino);
  return TRUE;
}

/* Byte 0 of the lock file is the lock itself. A process waiting for it also
 * holds a shared lock on byte 1, so the holder can tell at release time that
 * someone is waiting. */
#define LOCK_BYTE    0
#define WAITERS_BYTE 1

/* How long a releasing holder gives a waiter to take the lock before it may
 * take it again itself. */
#define HANDOFF_MAX_USEC 500

/* How long a process may keep relocking while others wait before it hands the
 * lock over. Handing over costs two context switches, more than an update
 * itself, so a short streak keeps throughput up while bounding every wait to
 * a few streaks. */
#define STREAK_USEC 300

/* How long a waiter keeps trying before it sleeps in the kernel. */
#define SPIN_USEC 20

static int
range_lock (PacerFileStore *self,
            short           type,
            off_t           byte,
            gboolean        wait)
{
  struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1 };

  for (;;)
    {
      if (fcntl (self->lock_fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0)
        return 0;
      if (errno == EINTR)
        continue;
      if (errno == EACCES || errno == EAGAIN)
        return EAGAIN;
      return errno;
    }
}

/* Whether another open file description holds a lock that conflicts with @type on @byte. */
static gboolean
range_is_taken (PacerFileStore *self,
                short           type,
                off_t           byte)
{
  struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1 };

  if (fcntl (self->lock_fd, F_OFD_GETLK, &fl) != 0)
    return FALSE;
  return fl.l_type != F_UNLCK;
}

/* Returns 0 when locked, EAGAIN when someone else holds it, or another errno. */
static int
file_try_lock (PacerFileStore *self)
{
  if (!self->use_flock)
    {
      int ret = range_lock (self, F_WRLCK, LOCK_BYTE, FALSE);

      if (ret != EINVAL)
        return ret;

      /* No OFD locks here (an old kernel or an odd file system): flock() has the
       * same per-description semantics, without the fair hand-off. */
      self->use_flock = TRUE;
    }

  while (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      if (errno == EINTR)
        continue;
      return errno == EWOULDBLOCK ? EAGAIN : errno;
    }
  return 0;
}

static void
file_announce_waiting (PacerFileStore *self,
                       gboolean        waiting)
{
  if (!self->use_flock)
    range_lock (self, waiting ? F_RDLCK : F_UNLCK, WAITERS_BYTE, FALSE);
}

static int
file_lock_blocking (PacerFileStore *self)
{
  if (!self->use_flock)
    return range_lock (self, F_WRLCK, LOCK_BYTE, TRUE);

  while (flock (self->lock_fd, LOCK_EX) != 0)
    if (errno != EINTR)
      return errno;
  return 0;
}

static void
file_unlock (PacerFileStore *self)
{
  gint64 give_up, now;

  if (self->use_flock)
    {
      flock (self->lock_fd, LOCK_UN);
      return;
    }

  range_lock (self, F_UNLCK, LOCK_BYTE, FALSE);

  /* The kernel wakes waiters on release but does not hand the lock over: a
   * holder that locks again straight away wins nearly every time, and on a busy
   * machine one process can starve the others for hundreds of milliseconds.
   * So when someone is waiting, let them have it before returning. */
  if (!range_is_taken (self, F_WRLCK, WAITERS_BYTE))
    return;

  now = g_get_monotonic_time ();
  if (now - self->gate->streak_start < STREAK_USEC)
    return;

  self->gate->handed_off = TRUE;
  give_up = now + HANDOFF_MAX_USEC;
  while (!range_is_taken (self, F_WRLCK, LOCK_BYTE) && g_get_monotonic_time () < give_up)
    sched_yield ();
}

static void
set_timeout_error (PacerFileStore  *self,
                   double           timeout,
                   GError         **error)
{
  g_set_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT,
               _("Timed out after %g s waiting for the lock on “%s”"), timeout, self->lock_file);
}

static gboolean
pacer_file_store_lock (PacerStore    *store,
                       double         timeout,
                       GCancellable  *cancellable,
                       GError       **error)
{
  PacerFileStore *self = PACER_FILE_STORE (store);
  gboolean forever = timeout < 0;
  gint64 deadline = forever ? G_MAXINT64 : g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  gulong sleep_usec = POLL_FIRST_USEC;
  gint64 spin_until;
  gboolean waited = FALSE;
  int ret;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* First the other threads of this process. */
  g_mutex_lock (&gates_lock);
  if (!ensure_lock_fd (self, error))
    {
      g_mutex_unlock (&gates_lock);
      return FALSE;
    }
  while (self->gate->held)
    {
      if (forever)
        g_cond_wait (&self->gate->cond, &gates_lock);
      else if (!g_cond_wait_until (&self->gate->cond, &gates_lock, deadline) && self->gate->held)
        {
          g_mutex_unlock (&gates_lock);
          set_timeout_error (self, timeout, error);
          return FALSE;
        }
    }
  self->gate->held = TRUE;
  self->held = TRUE;
  g_mutex_unlock (&gates_lock);

  /* Then every other holder. A cancellable can only be honoured between tries. */
  ret = file_try_lock (self);
  if (ret == EAGAIN)
    {
      waited = TRUE;
      file_announce_waiting (self, TRUE);

      /* A holder keeps the lock for tens of microseconds: trying again for about
       * that long is cheaper than sleeping in the kernel and being woken. */
      spin_until = g_get_monotonic_time () + SPIN_USEC;
      while ((ret = file_try_lock (self)) == EAGAIN && g_get_monotonic_time () < MIN (spin_until, deadline))
        sched_yield ();

      if (ret != EAGAIN)
        ;
      else if (forever && cancellable == NULL)
        ret = file_lock_blocking (self);
      else
        {
          while ((ret = file_try_lock (self)) == EAGAIN)
            {
              gint64 now = g_get_monotonic_time ();

              if (now >= deadline)
                {
                  file_announce_waiting (self, FALSE);
                  set_timeout_error (self, timeout, error);
                  goto fail;
                }
              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                {
                  file_announce_waiting (self, FALSE);
                  goto fail;
                }

              g_usleep (MIN ((gint64) sleep_usec, deadline - now));
              sleep_usec = MIN (sleep_usec * 2, POLL_MAX_USEC);
            }
        }

      file_announce_waiting (self, FALSE);
    }

  if (ret != 0)
    {
      set_errno_error (error, ret, self->lock_file, _("lock"));
      goto fail;
    }

  /* A streak starts when the lock comes from another process. */
  if (waited || self->gate->handed_off)
    {
      self->gate->streak_start = g_get_monotonic_time ();
      self->gate->handed_off = FALSE;
    }

  return TRUE;

fail:
  g_mutex_lock (&gates_lock);
  self->held = FALSE;
  self->gate->held = FALSE;
  g_cond_signal (&self->gate->cond);
  g_mutex_unlock (&gates_lock);
  return FALSE;
}

static void
pacer_file_store_unlock (PacerStore *store)
{
  PacerFileStore *self = PACER_FILE_STORE (store);

  g_mutex_lock (&gates_lock);
  if (!self->held)
    {
      g_mutex_unlock (&gates_lock);
      g_critical ("%s: the lock on “%s” is not held", G_STRFUNC, self->lock_file);
      return;
    }
  self->held = FALSE;
  g_mutex_unlock (&gates_lock);

  /* Released outside gates_lock: the hand-off below may wait a little, and other
   * stores in this process must not wait for it. The gate stays held until the
   * file lock is gone, so no thread of ours can find it taken by us. */
  file_unlock (self);

  g_mutex_lock (&gates_lock);
  self->gate->held = FALSE;
  g_cond_signal (&self->gate->cond);
  g_mutex_unlock (&gates_lock);
}

static GBytes *
pacer_file_store_read (PacerStore  *store,
                       GError     **error)
{
  PacerFileStore *self = PACER_FILE_STORE (store);
  g_autofree char *buffer = NULL;
  struct stat st;
  gsize size = 0;
  gsize allocated;
  int fd;

  fd = open (self->data_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        g_set_error (error, PACER_ERROR, PACER_ERROR_NOT_FOUND,
                     _("“%s” does not exist yet"), self->data_file);
      else
        set_errno_error (error, saved_errno, self->data_file, _("read"));
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Refusing to read “%s”: it is not a regular file"), self->data_file);
      close (fd);
      return NULL;
    }

  /* Sized from fstat, but read to the end anyway: the file is replaced, never
   * changed in place, so what this descriptor sees cannot change under it. */
  allocated = (gsize) st.st_size + 1;
  buffer = g_malloc (allocated);
  for (;;)
    {
      gssize n;

      if (size == allocated)
        {
          allocated *= 2;
          buffer = g_realloc (buffer, allocated);
        }
      n = read (fd, buffer + size, allocated - size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, self->data_file, _("read"));
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      size += n;
    }
  close (fd);

  return g_bytes_new_take (g_steal_pointer (&buffer), size);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         size)
{
  while (size > 0)
    {
      gssize n = write (fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      size -= n;
    }
  return TRUE;
}

static gboolean
check_not_symlink (const char  *path,
                   GError     **error)
{
  struct stat st;

  if (lstat (path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   S_ISLNK (st.st_mode)
                     ? _("Refusing to replace “%s”: it is a symbolic link")
                     : _("Refusing to replace “%s”: it is not a regular file"),
                   path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pacer_file_store_write (PacerStore  *store,
                        GBytes      *contents,
                        GError     **error)
{
  PacerFileStore *self = PACER_FILE_STORE (store);
  gsize size;
  const guint8 *data = g_bytes_get_data (contents, &size);
  int fd;

  if (!check_not_symlink (self->data_file, error))
    return FALSE;

  /* One fixed temporary name is enough: only the lock holder writes, and a file
   * left by a writer that was killed is simply truncated by the next one. */
  fd = open (self->temp_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ELOOP)
    {
      g_unlink (self->temp_file);
      fd = open (self->temp_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (fd < 0 && errno == ENOENT)
    {
      if (!ensure_parent_dir (self->temp_file, error))
        return FALSE;
      fd = open (self->temp_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    {
      set_errno_error (error, errno, self->temp_file, _("write"));
      return FALSE;
    }

  if (fchmod (fd, 0600) != 0 || !write_all (fd, data, size))
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (self->temp_file);
      set_errno_error (error, saved_errno, self->temp_file, _("write"));
      return FALSE;
    }

  if (close (fd) != 0)
    {
      int saved_errno = errno;

      g_unlink (self->temp_file);
      set_errno_error (error, saved_errno, self->temp_file, _("write"));
      return FALSE;
    }

  if (g_rename (self->temp_file, self->data_file) != 0)
    {
      int saved_errno = errno;

      g_unlink (self->temp_file);
      set_errno_error (error, saved_errno, self->data_file, _("replace"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
pacer_file_store_remove (PacerStore  *store,
                         GError     **error)
{
  PacerFileStore *self = PACER_FILE_STORE (store);

  if (!check_not_symlink (self->data_file, error))
    return FALSE;

  if (g_unlink (self->data_file) != 0 && errno != ENOENT)
    {
      set_errno_error (error, errno, self->data_file, _("remove"));
      return FALSE;
    }

  return TRUE;
}

static const char *
pacer_file_store_get_name (PacerStore *store)
{
  return PACER_FILE_STORE (store)->name;
}

static const char *
pacer_file_store_get_location (PacerStore *store)
{
  return PACER_FILE_STORE (store)->data_file;
}

/* Parts live in DATA-FILE.parts/, one file PART.part each, written whole
 * and renamed into place, so a reader never sees half of one. */
static char *
parts_dir (PacerFileStore *self)
{
  return g_strconcat (self->data_file, ".parts", NULL);
}

static gboolean
pacer_file_store_write_part (PacerStore  *store,
                             const char  *part,
                             GBytes      *contents,
                             GError     **error)
{
  PacerFileStore *self = PACER_FILE_STORE (store);
  g_autofree char *dir = parts_dir (self);
  g_autofree char *file = g_strconcat (part, ".part", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (contents, &size);

  if (!ensure_parent_dir (path, error) || !check_not_symlink (path, error))
    return FALSE;

  if (!g_file_set_contents_full (path, data, (gssize) size, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO, "%s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

static GHashTable *
pacer_file_store_read_parts (PacerStore  *store,
                             GError     **error)
{
  PacerFileStore *self = PACER_FILE_STORE (store);
  g_autofree char *dir_path = parts_dir (self);
  g_autoptr(GHashTable) parts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_bytes_unref);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, NULL);
  /* No directory: nobody wrote a part yet. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      char *text = NULL;
      gsize length;

      /* Temporary files of a write in progress end otherwise. */
      if (!g_str_has_suffix (name, ".part") || name[0] == '.')
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_get_contents (path, &text, &length, NULL))
        continue;
      g_hash_table_insert (parts, g_strndup (name, strlen (name) - strlen (".part")),
                           g_bytes_new_take (text, length));
    }

  return g_steal_pointer (&parts);
}

static void
pacer_file_store_iface_init (PacerStoreInterface *iface)
{
  iface->write_part = pacer_file_store_write_part;
  iface->read_parts = pacer_file_store_read_parts;
  iface->lock = pacer_file_store_lock;
  iface->unlock = pacer_file_store_unlock;
  iface->read = pacer_file_store_read;
  iface->write = pacer_file_store_write;
  iface->remove = pacer_file_store_remove;
  iface->get_name = pacer_file_store_get_name;
  iface->get_location = pacer_file_store_get_location;
}

static void
pacer_file_store_constructed (GObject *object)
{
  PacerFileStore *self = PACER_FILE_STORE (object);
  g_autofree char *basename = NULL;
  char *dot;

  G_OBJECT_CLASS (pacer_file_store_parent_class)->constructed (object);

  if (self->data_file == NULL)
    {
      g_critical ("PacerFileStore needs a data file");
      self->data_file = g_strdup ("pacer-store.json");
    }
  if (self->lock_file == NULL)
    self->lock_file = g_strconcat (self->data_file, ".lock", NULL);
  self->temp_file = g_strconcat (self->data_file, ".tmp", NULL);

  basename = g_path_get_basename (self->data_file);
  dot = strrchr (basename, '.');
  if (dot != NULL && dot != basename)
    *dot = '\0';
  self->name = g_steal_pointer (&basename);
}

static void
pacer_file_store_finalize (GObject *object)
{
  PacerFileStore *self = PACER_FILE_STORE (object);

  if (self->held)
    g_critical ("PacerFileStore for “%s” finalized with its lock held", self->data_file);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  if (self->gate != NULL)
    {
      g_mutex_lock (&gates_lock);
      gate_unref (self->gate);
      g_mutex_unlock (&gates_lock);
    }
  g_free (self->data_file);
  g_free (self->lock_file);
  g_free (self->temp_file);
  g_free (self->name);

  G_OBJECT_CLASS (pacer_file_store_parent_class)->finalize (object);
}

static void
pacer_file_store_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PacerFileStore *self = PACER_FILE_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_FILE:
      g_value_set_string (value, self->data_file);
      break;
    case PROP_LOCK_FILE:
      g_value_set_string (value, self->lock_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_file_store_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PacerFileStore *self = PACER_FILE_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_FILE:
      self->data_file = g_value_dup_string (value);
      break;
    case PROP_LOCK_FILE:
      self->lock_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_file_store_class_init (PacerFileStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  _pacer_ensure_i18n ();

  object_class->constructed = pacer_file_store_constructed;
  object_class->finalize = pacer_file_store_finalize;
  object_class->get_property = pacer_file_store_get_property;
  object_class->set_property = pacer_file_store_set_property;

  /**
   * PacerFileStore:data-file:
   *
   * The file that holds the value.
   *
   * Since: 1.0
   */
  properties[PROP_DATA_FILE] =
    g_param_spec_string ("data-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PacerFileStore:lock-file:
   *
   * The file whose lock guards the value; by default the data file's path with
   * `.lock` appended.
   *
   * Since: 1.0
   */
  properties[PROP_LOCK_FILE] =
    g_param_spec_string ("lock-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pacer_file_store_init (PacerFileStore *self)
{
  self->lock_fd = -1;
}

/**
 * pacer_file_store_new:
 * @data_file: (type filename): the file that holds the value
 * @lock_file: (type filename) (nullable): the lock file, or `NULL` for
 *   @data_file with `.lock` appended
 *
 * Makes a store kept in @data_file. Nothing is opened or created until the
 * store is first used; missing parent directories are then created with mode
 * 0700.
 *
 * Returns: (transfer full): a new file store
 *
 * Since: 1.0
 */
PacerFileStore *
pacer_file_store_new (const char *data_file,
                      const char *lock_file)
{
  g_return_val_if_fail (data_file != NULL, NULL);

  return g_object_new (PACER_TYPE_FILE_STORE,
                       "data-file", data_file,
                       "lock-file", lock_file,
                       NULL);
}

/**
 * pacer_file_store_get_data_file:
 * @self: a file store
 *
 * Gets the file that holds the value.
 *
 * Returns: (transfer none) (type filename): the data file
 *
 * Since: 1.0
 */
const char *
pacer_file_store_get_data_file (PacerFileStore *self)
{
  g_return_val_if_fail (PACER_IS_FILE_STORE (self), NULL);

  return self->data_file;
}

/**
 * pacer_file_store_get_lock_file:
 * @self: a file store
 *
 * Gets the file whose lock guards the value.
 *
 * Returns: (transfer none) (type filename): the lock file
 *
 * Since: 1.0
 */
const char *
pacer_file_store_get_lock_file (PacerFileStore *self)
{
  g_return_val_if_fail (PACER_IS_FILE_STORE (self), NULL);

  return self->lock_file;
}
