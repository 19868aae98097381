/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A worker process for the token bucket tests:
 *   token-bucket-caller DATA-FILE CALLS-PER-SECOND N
 * makes N paced calls on the bucket kept in DATA-FILE and prints, one a line,
 * the slot each call was given and when it was let through, in Unix
 * microseconds. DATA-FILE "-" takes the bucket pacer_token_bucket_new() gives,
 * which follows PACER_STORE. */

#include <stdio.h>

#include <pacer-glib/pacer-glib.h>

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerSharedJson) shared = NULL;
  g_autoptr(PacerTokenBucket) bucket = NULL;
  g_autoptr(PacerRate) rate = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  guint64 n;

  if (argc != 4)
    {
      g_printerr ("usage: %s DATA-FILE CALLS-PER-SECOND N\n", argv[0]);
      return 2;
    }

  rate = pacer_rate_new_per_second (g_ascii_strtod (argv[2], NULL), &error);
  if (rate == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (g_str_equal (argv[1], "-"))
    bucket = pacer_token_bucket_new ("caller", rate);
  else
    {
      shared = pacer_shared_json_new (argv[1], NULL, -1);
      bucket = pacer_token_bucket_new_for_shared_json (shared, rate);
    }
  n = g_ascii_strtoull (argv[3], NULL, 10);

  for (guint64 i = 0; i < n; i++)
    {
      g_autoptr(PacerCall) call = pacer_token_bucket_acquire (bucket, -1, NULL, &error);

      if (call == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_string_append_printf (out, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                              (gint64) (pacer_call_get_slot_time (call) * G_USEC_PER_SEC + 0.5),
                              g_get_real_time ());
      pacer_call_complete (call, TRUE);
    }

  fputs (out->str, stdout);
  return 0;
}
