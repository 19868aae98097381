/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run's pacer.ini: [groups] and [serial]. */

#include "pacer-glib/pacer-cli-config-private.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *file = NULL;
  g_autoptr(GStrvBuilder) groups = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) serial = g_strv_builder_new ();
  g_auto(GStrv) group_specs = NULL;
  g_auto(GStrv) serial_globs = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_set_up ();
  file = fuzz_write_file ("pacer.ini", data, size);

  if (!pacer_cli_config_load (file, TRUE, groups, serial, &error))
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      return 0;
    }
  g_assert_no_error (error);

  /* What --group and --serial would have given: GLOB=NAME, non-empty globs. */
  group_specs = g_strv_builder_end (groups);
  for (guint i = 0; group_specs[i] != NULL; i++)
    g_assert_nonnull (strchr (group_specs[i], '='));
  serial_globs = g_strv_builder_end (serial);
  for (guint i = 0; serial_globs[i] != NULL; i++)
    g_assert_cmpstr (serial_globs[i], !=, "");

  return 0;
}
