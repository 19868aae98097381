/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Which worker of a parallel run this process is.
 *
 * `pacer-run` starts every test process with four environment variables:
 * `PACER_WORKER` (`gw0` … `gwN-1`, the worker slot, stable across the processes
 * that slot runs), `PACER_WORKER_COUNT` (N), `PACER_TESTRUN_UID` (one random id
 * per run) and `PACER_RUN_DIR` (a private directory for the run's shared state).
 * These functions are the one place the library reads them.
 *
 * Outside a runner the worker id is `master` and the count 1, as in
 * pytest-xdist, and the library makes a private run directory of its own,
 * removed when the process exits. Setting `PACER_RUN_DIR` by hand lets several
 * plain processes share state.
 *
 * ```c
 * g_autofree char *path = g_build_filename (pacer_worker_get_run_dir (),
 *                                           "pacer_shared_counter.json", NULL);
 * g_print ("%s of %u\n", pacer_worker_get_id (), pacer_worker_get_count ());
 * ```
 */

#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pacer-glib-private.h"
#include "pacer-worker-private.h"

typedef struct
{
  char *id;
  guint count;
  char *testrun_uid;
  char *run_dir;
  gboolean distributed;
  gboolean run_dir_is_ours;
} WorkerInfo;

static GMutex info_lock;
static WorkerInfo *info;

static char *own_run_dir;

static void
remove_own_run_dir (void)
{
  if (own_run_dir != NULL)
    _pacer_remove_tree (own_run_dir);
}

static guint
parse_count (const char *text)
{
  guint64 value = 0;
  g_autoptr(GError) error = NULL;

  if (text == NULL || *text == '\0')
    return 1;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, &error))
    {
      g_warning (_("PACER_WORKER_COUNT=“%s” is not a worker count (%s); using 1"),
                 text, error->message);
      return 1;
    }

  return (guint) value;
}

static char *
make_own_run_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *path = _pacer_make_run_dir (&error);

  /* Nothing sensible can run without a place for shared state. */
  if (path == NULL)
    g_error ("%s", error->message);

  /* The directory is this process's alone: it goes when the process does. */
  if (own_run_dir == NULL)
    atexit (remove_own_run_dir);
  g_free (own_run_dir);
  own_run_dir = g_strdup (path);

  return path;
}

static const WorkerInfo *
get_info (void)
{
  WorkerInfo *result;

  g_mutex_lock (&info_lock);

  if (info == NULL)
    {
      const char *id = g_getenv ("PACER_WORKER");
      const char *uid = g_getenv ("PACER_TESTRUN_UID");
      const char *run_dir = g_getenv ("PACER_RUN_DIR");
      WorkerInfo *new_info = g_new0 (WorkerInfo, 1);

      /* The environment is the user's input: what is wrong in it is said in their language. */
      _pacer_ensure_i18n ();

      new_info->distributed = id != NULL && *id != '\0';
      new_info->id = g_strdup (new_info->distributed ? id : PACER_WORKER_MASTER);
      new_info->count = new_info->distributed ? parse_count (g_getenv ("PACER_WORKER_COUNT")) : 1;
      new_info->testrun_uid = (uid != NULL && *uid != '\0') ? g_strdup (uid) : g_uuid_string_random ();

      if (run_dir != NULL && *run_dir != '\0')
        {
          new_info->run_dir = g_strdup (run_dir);
          if (g_mkdir_with_parents (run_dir, 0700) != 0)
            g_warning (_("Cannot create PACER_RUN_DIR “%s”: %s"), run_dir, g_strerror (errno));
        }
      else
        {
          new_info->run_dir = make_own_run_dir ();
          new_info->run_dir_is_ours = TRUE;
        }

      info = new_info;
    }

  result = info;
  g_mutex_unlock (&info_lock);

  return result;
}

void
_pacer_worker_reset (void)
{
  g_mutex_lock (&info_lock);
  if (info != NULL)
    {
      if (info->run_dir_is_ours)
        {
          _pacer_remove_tree (info->run_dir);
          g_clear_pointer (&own_run_dir, g_free);
        }
      g_free (info->id);
      g_free (info->testrun_uid);
      g_free (info->run_dir);
      g_clear_pointer (&info, g_free);
    }
  g_mutex_unlock (&info_lock);
}

/**
 * pacer_worker_get_id:
 *
 * Gets this process's worker id: `gw0` … `gwN-1` under `pacer-run`,
 * [const@Pacer.WORKER_MASTER] otherwise.
 *
 * Returns: (transfer none): the worker id, valid for the life of the process
 *
 * Since: 1.0
 */
const char *
pacer_worker_get_id (void)
{
  return get_info ()->id;
}

/**
 * pacer_worker_get_count:
 *
 * Gets the number of workers in this run: 1 outside a runner.
 *
 * Returns: the number of workers, at least 1
 *
 * Since: 1.0
 */
guint
pacer_worker_get_count (void)
{
  return get_info ()->count;
}

/**
 * pacer_worker_get_testrun_uid:
 *
 * Gets the id shared by every process of this run. Outside a runner, and
 * without `PACER_TESTRUN_UID`, it is a random id made for this process.
 *
 * Returns: (transfer none): the run's id, valid for the life of the process
 *
 * Since: 1.0
 */
const char *
pacer_worker_get_testrun_uid (void)
{
  return get_info ()->testrun_uid;
}

/**
 * pacer_worker_get_run_dir:
 *
 * Gets the directory where the processes of this run keep shared state.
 *
 * Under a runner, and whenever `PACER_RUN_DIR` is set, it is that directory
 * (created with mode 0700 if missing). Otherwise it is a private directory
 * (mode 0700) made for this process and removed when it exits.
 *
 * Returns: (transfer none) (type filename): the run directory, valid for the
 *   life of the process
 *
 * Since: 1.0
 */
const char *
pacer_worker_get_run_dir (void)
{
  return get_info ()->run_dir;
}

/**
 * pacer_worker_is_distributed:
 *
 * Whether a runner started this process as one of its workers.
 *
 * Returns: `TRUE` under `pacer-run`, `FALSE` in a plain process
 *
 * Since: 1.0
 */
gboolean
pacer_worker_is_distributed (void)
{
  return get_info ()->distributed;
}
