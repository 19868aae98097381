/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* An installed-tests `.test` key file, as `pacer-run --installed-tests`
 * reads it. Each load makes the test's working directory, as the runner
 * does, in a scratch directory removed after it. */

#include "pacer-glib/pacer-cli-installed-private.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *file = NULL;
  g_autofree char *scratch = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[2] = { NULL, NULL };

  fuzz_set_up ();
  file = fuzz_write_file ("fuzz.test", data, size);
  args[0] = file;

  scratch = pacer_cli_installed_scratch (&error);
  g_assert_no_error (error);

  commands = pacer_cli_installed_load (args, scratch, &error);
  if (commands == NULL)
    g_assert_nonnull (error);
  else
    {
      g_assert_no_error (error);
      g_assert_cmpuint (commands->len, ==, 1);
      for (guint i = 0; i < commands->len; i++)
        {
          PacerTestCommand *command = g_ptr_array_index (commands, i);
          const char * const *argv = pacer_test_command_get_argv (command);

          /* Something runs: a program, maybe with arguments. */
          g_assert_nonnull (argv);
          g_assert_nonnull (argv[0]);
        }
    }

  pacer_cli_installed_cleanup (scratch);
  return 0;
}
