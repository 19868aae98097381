/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The run's registry of shared-fixture cleanups (pacer-fixture-registry.c),
 * which test processes write and the runner reads at the end of every run to
 * plan its teardown pass (pacer-fixture-teardown.c). Planning is all that is
 * fuzzed: the pass itself would start the programs the input names. */

#include "pacer-glib/pacer-glib.h"
#include "pacer-glib/pacer-fixture-registry-private.h"
#include "pacer-glib/pacer-fixture-teardown-private.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *file = NULL;
  g_autoptr(JsonObject) fixtures = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(GPtrArray) gtest_commands = NULL;
  g_autoptr(GError) error = NULL;
  const char * const gtest_programs[] = { "/usr/bin/test-program", NULL };

  fuzz_set_up ();
  file = fuzz_write_file (PACER_FIXTURE_REGISTRY_FILE, data, size);

  fixtures = _pacer_fixture_registry_read (fuzz_get_dir (), &error);
  if (fixtures == NULL)
    {
      g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      return 0;
    }
  g_assert_no_error (error);

  commands = _pacer_fixture_teardown_plan (fixtures, NULL);
  gtest_commands = _pacer_fixture_teardown_plan (fixtures, gtest_programs);
  /* A GTest program's commands differ only in their arguments, so they can only merge. */
  g_assert_cmpuint (gtest_commands->len, <=, commands->len);
  for (guint i = 0; i < commands->len; i++)
    {
      PacerTeardownCommand *command = g_ptr_array_index (commands, i);

      /* Every command starts a program and tears something down. */
      g_assert_nonnull (command->argv);
      g_assert_nonnull (command->argv[0]);
      g_assert_cmpuint (command->names->len, >, 0);
    }

  return 0;
}
