/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Several worker processes count into one PacerSharedJson, the way tests on
 * several pacer-run workers would, and the controller shows the shared result.
 *
 *   shared-counter [WORKERS] [INCREMENTS]
 *
 * Each worker sees PACER_WORKER, PACER_WORKER_COUNT and PACER_RUN_DIR as it
 * would under pacer-run, so it finds the state through pacer_worker_get_run_dir(). */

#include <locale.h>
#include <stdlib.h>

#include <pacer-glib/pacer-glib.h>

typedef struct
{
  const char *worker;
} Visit;

static gboolean
count_visit (JsonObject *data,
             gpointer    user_data)
{
  Visit *visit = user_data;
  JsonObject *per_worker;

  json_object_set_int_member (data, "total", json_object_get_int_member_with_default (data, "total", 0) + 1);

  if (!json_object_has_member (data, "per_worker"))
    json_object_set_object_member (data, "per_worker", json_object_new ());
  per_worker = json_object_get_object_member (data, "per_worker");
  json_object_set_int_member (per_worker, visit->worker,
                              json_object_get_int_member_with_default (per_worker, visit->worker, 0) + 1);
  return TRUE;
}

static char *
state_path (void)
{
  return g_build_filename (pacer_worker_get_run_dir (), "pacer_shared_visits.json", NULL);
}

static int
run_worker (guint increments)
{
  g_autofree char *path = state_path ();
  g_autoptr(PacerSharedJson) shared = pacer_shared_json_new (path, NULL, 10);
  Visit visit = { pacer_worker_get_id () };

  for (guint i = 0; i < increments; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!pacer_shared_json_edit (shared, count_visit, &visit, &error))
        {
          g_printerr ("%s: %s\n", visit.worker, error->message);
          return 1;
        }
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  guint64 workers = 4, increments = 1000;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *increments_text = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 start;
  int status = 0;

  setlocale (LC_ALL, "");

  if (g_getenv ("PACER_WORKER") != NULL)
    return run_worker (atoi (argv[1]));

  if ((argc > 1 && !g_ascii_string_to_unsigned (argv[1], 10, 1, 64, &workers, &error)) ||
      (argc > 2 && !g_ascii_string_to_unsigned (argv[2], 10, 1, 1000000, &increments, &error)) || argc > 3)
    {
      g_printerr ("usage: %s [WORKERS (1-64)] [INCREMENTS]\n%s\n", argv[0], error ? error->message : "");
      return 2;
    }

  g_print ("pacer-glib %s: %" G_GUINT64_FORMAT " worker processes × %" G_GUINT64_FORMAT
           " locked increments of one PacerSharedJson\n", PACER_VERSION_S, workers, increments);
  g_print ("run directory: %s\n", pacer_worker_get_run_dir ());

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  count_text = g_strdup_printf ("%" G_GUINT64_FORMAT, workers);
  increments_text = g_strdup_printf ("%" G_GUINT64_FORMAT, increments);
  g_subprocess_launcher_setenv (launcher, "PACER_WORKER_COUNT", count_text, TRUE);
  g_subprocess_launcher_setenv (launcher, "PACER_RUN_DIR", pacer_worker_get_run_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "PACER_TESTRUN_UID", pacer_worker_get_testrun_uid (), TRUE);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < workers; i++)
    {
      g_autofree char *id = g_strdup_printf ("gw%u", i);
      GSubprocess *child;

      g_subprocess_launcher_setenv (launcher, "PACER_WORKER", id, TRUE);
      child = g_subprocess_launcher_spawn (launcher, &error, argv[0], increments_text, NULL);
      if (child == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_ptr_array_add (children, child);
    }

  for (guint i = 0; i < children->len; i++)
    if (!g_subprocess_wait_check (g_ptr_array_index (children, i), NULL, &error))
      {
        g_printerr ("gw%u: %s\n", i, error->message);
        g_clear_error (&error);
        status = 1;
      }

  path = state_path ();
  shared = pacer_shared_json_new (path, NULL, 10);
  result = pacer_shared_json_read (shared, &error);
  if (result == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  node = json_node_init_object (json_node_alloc (), result);
  text = json_to_string (node, TRUE);
  g_print ("%s\n", text);
  g_print ("%" G_GINT64_FORMAT " of %" G_GUINT64_FORMAT " increments counted in %.0f ms\n",
           json_object_get_int_member_with_default (result, "total", 0), workers * increments,
           (g_get_monotonic_time () - start) / 1000.0);

  if (json_object_get_int_member_with_default (result, "total", 0) != (gint64) (workers * increments))
    status = 1;
  return status;
}
