/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The process-wide side of shared fixtures: see pacer-fixture-exit-private.h. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "pacer-fixture-exit-private.h"
#include "pacer-fixture-registry-private.h"
#include "pacer-worker.h"

/* Never freed: dropping a fixture as the process ends would call the destroy
 * notifies of a language binding whose interpreter may be gone already. */
static GMutex kept_lock;
static GPtrArray *kept;
static gboolean exit_handler_added;

/* Teardown mode. */
static gboolean teardown_failed;
static GHashTable *teardown_done;

/* A plain process is first and last: it cleans what it computed as it exits. */
static void
on_exit_cleanup (void)
{
  pacer_shared_fixture_run_exit_cleanups ();
}

gboolean
_pacer_fixture_exit_keep (PacerSharedFixture *fixture)
{
  gboolean first = FALSE;

  /* Made before the exit handler is added, so that it is removed after it. */
  pacer_worker_get_run_dir ();

  g_mutex_lock (&kept_lock);
  if (kept == NULL)
    kept = g_ptr_array_new_with_free_func (g_object_unref);
  if (!g_ptr_array_find (kept, fixture, NULL))
    {
      first = TRUE;
      g_ptr_array_add (kept, g_object_ref (fixture));
      if (!exit_handler_added)
        {
          exit_handler_added = TRUE;
          atexit (on_exit_cleanup);
        }
    }
  g_mutex_unlock (&kept_lock);

  return first;
}

GPtrArray *
_pacer_fixture_exit_get_kept (void)
{
  GPtrArray *fixtures;

  g_mutex_lock (&kept_lock);
  fixtures = kept;
  g_mutex_unlock (&kept_lock);

  return fixtures;
}

static char **
teardown_names (void)
{
  const char *names = g_getenv (PACER_TEARDOWN_ENV);

  if (names == NULL || *names == '\0')
    return NULL;
  return g_strsplit (names, ",", -1);
}

gboolean
_pacer_fixture_exit_teardown_wanted (const char *name)
{
  g_auto(GStrv) names = teardown_names ();

  return names != NULL && g_strv_contains ((const char * const *) names, name) &&
         (teardown_done == NULL || !g_hash_table_contains (teardown_done, name));
}

void
_pacer_fixture_exit_teardown_done (const char *name,
                                   gboolean    ok)
{
  g_auto(GStrv) names = teardown_names ();
  gboolean all_done = TRUE;

  if (teardown_done == NULL)
    teardown_done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!ok)
    teardown_failed = TRUE;
  g_hash_table_add (teardown_done, g_strdup (name));

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (!g_hash_table_contains (teardown_done, names[i]))
      all_done = FALSE;

  /* Nothing else of the program may run in teardown mode: its tests are over. */
  if (all_done)
    {
      g_clear_pointer (&teardown_done, g_hash_table_unref);
      fflush (stdout);
      fflush (stderr);
      exit (teardown_failed ? EXIT_FAILURE : EXIT_SUCCESS);
    }
}
