/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A worker process for the shared-state tests:
 *   shared-json-writer increment DATA-FILE N   N locked increments of "count"
 *   shared-json-writer forever DATA-FILE       increments until killed, writing 'a' to
 *                                              stdout before each edit and 'd' after it returns
 *   shared-json-writer hold DATA-FILE SECONDS  holds the lock, says "locked" on stdout, then waits
 *   shared-json-writer ready-increment DATA-FILE N
 *                                              says 'r' on stdout once its store is open,
 *                                              then makes N locked increments
 *   shared-json-writer share DATA-FILE TOTAL   says 'r', waits for a byte on stdin, then
 *                                              increments until the count reaches TOTAL and
 *                                              prints how many increments were its own
 *   shared-json-writer edit-hold DATA-FILE SECONDS
 *                                              one increment whose edit function says 'h' on
 *                                              stdout each time it runs and, the first time,
 *                                              sleeps SECONDS first
 * DATA-FILE may also be a store URI (redis://…, unix://…): the value is then
 * pacer_shared_count in that store.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pacer-glib/pacer-glib.h>

static gboolean
increment (JsonObject *data,
           gpointer    user_data)
{
  json_object_set_int_member (data, "count", json_object_get_int_member_with_default (data, "count", 0) + 1);
  return TRUE;
}

static void
say (char c)
{
  while (write (STDOUT_FILENO, &c, 1) != 1)
    ;
}

typedef struct
{
  gint64 total;
  gboolean reached;
} Share;

static gboolean
increment_below (JsonObject *data,
                 gpointer    user_data)
{
  Share *share = user_data;

  share->reached = json_object_get_int_member_with_default (data, "count", 0) >= share->total;
  return !share->reached && increment (data, NULL);
}

static gboolean
increment_slowly (JsonObject *data,
                  gpointer    user_data)
{
  gulong *sleep_usec = user_data;

  say ('h');
  g_usleep (*sleep_usec);
  *sleep_usec = 0;
  return increment (data, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;

  if (argc != 3 && argc != 4)
    {
      g_printerr ("usage: %s increment|forever|hold|share|edit-hold DATA-FILE [N|SECONDS]\n", argv[0]);
      return 2;
    }

  if (strstr (argv[2], "://") != NULL)
    {
      g_autoptr(PacerStore) store = pacer_store_new_for_uri (argv[2], "pacer_shared_count", &error);

      if (store == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      shared = pacer_shared_json_new_for_store (store, -1);
    }
  else
    shared = pacer_shared_json_new (argv[2], NULL, -1);

  if ((g_str_equal (argv[1], "increment") || g_str_equal (argv[1], "ready-increment")) && argc == 4)
    {
      guint64 n = g_ascii_strtoull (argv[3], NULL, 10);

      if (g_str_equal (argv[1], "ready-increment"))
        say ('r');

      for (guint64 i = 0; i < n; i++)
        if (!pacer_shared_json_edit (shared, increment, NULL, &error))
          {
            g_printerr ("%s\n", error->message);
            return 1;
          }
      return 0;
    }

  if (g_str_equal (argv[1], "share") && argc == 4)
    {
      Share share = { g_ascii_strtoll (argv[3], NULL, 10), FALSE };
      guint64 mine = 0;
      char go;

      say ('r');
      if (read (STDIN_FILENO, &go, 1) != 1)
        return 1;
      for (;;)
        {
          if (!pacer_shared_json_edit (shared, increment_below, &share, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          if (share.reached)
            break;
          mine++;
        }
      g_print ("%" G_GUINT64_FORMAT "\n", mine);
      return 0;
    }

  if (g_str_equal (argv[1], "edit-hold") && argc == 4)
    {
      gulong sleep_usec = (gulong) (g_ascii_strtod (argv[3], NULL) * G_USEC_PER_SEC);

      if (!pacer_shared_json_edit (shared, increment_slowly, &sleep_usec, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      return 0;
    }

  if (g_str_equal (argv[1], "forever"))
    {
      for (;;)
        {
          say ('a');
          if (!pacer_shared_json_edit (shared, increment, NULL, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          say ('d');
        }
    }

  if (g_str_equal (argv[1], "hold") && argc == 4)
    {
      PacerStore *store = pacer_shared_json_get_store (shared);

      if (!pacer_store_lock (store, -1, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_print ("locked\n");
      fflush (stdout);
      g_usleep ((gulong) (g_ascii_strtod (argv[3], NULL) * G_USEC_PER_SEC));
      pacer_store_unlock (store);
      return 0;
    }

  g_printerr ("%s: unknown mode “%s”\n", argv[0], argv[1]);
  return 2;
}
