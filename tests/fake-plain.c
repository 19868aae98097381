/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A test program that is not a GTest program: it ignores its arguments,
 * prints FAKE_PLAIN_OUTPUT as is (TAP, if a test wants), and exits with
 * FAKE_PLAIN_EXIT, or raises FAKE_PLAIN_SIGNAL. FAKE_PLAIN_HANG makes it wait
 * for ever, as a test that hangs;
 * FAKE_PLAIN_LOG names a file that gets a line `run` each time it starts. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  const char *output = getenv ("FAKE_PLAIN_OUTPUT");
  const char *status = getenv ("FAKE_PLAIN_EXIT");
  const char *sig = getenv ("FAKE_PLAIN_SIGNAL");
  const char *log = getenv ("FAKE_PLAIN_LOG");

  if (log != NULL)
    {
      FILE *file = fopen (log, "a");

      if (file != NULL)
        {
          fputs ("run\n", file);
          fclose (file);
        }
    }

  if (output != NULL)
    fputs (output, stdout);
  fflush (stdout);
  if (getenv ("FAKE_PLAIN_HANG") != NULL)
    for (;;)
      pause ();
  if (sig != NULL)
    raise (atoi (sig));
  return status != NULL ? atoi (status) : 0;
}
