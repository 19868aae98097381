/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <pacer-glib/pacer-glib.h>

static void
test_domain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerRate) rate = NULL;
  GQuark domain;

  g_test_summary ("PACER_ERROR is the quark bindings look up by name, and the library's own "
                  "errors carry it with the documented code");

  domain = PACER_ERROR;
  /* Python and GJS match errors by the quark's string: it may not change. */
  g_assert_cmpuint (g_quark_try_string ("pacer-error-quark"), ==, domain);
  g_assert_cmpstr (g_quark_to_string (domain), ==, "pacer-error-quark");

  /* An error the library raises, not one set here. */
  rate = pacer_rate_parse ("ten per fortnight", &error);
  g_assert_null (rate);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "ten per fortnight"));
}

static void
test_enum_registered (void)
{
  g_autoptr(GEnumClass) klass = NULL;
  const char *nicks[] = { "failed", "timeout", "invalid-argument", "corrupt-state", "io", "not-found",
                          "limit-reached" };

  g_test_summary ("PacerError is a registered enum so bindings see named codes");

  klass = g_type_class_ref (PACER_TYPE_ERROR);
  g_assert_true (G_IS_ENUM_CLASS (klass));
  for (guint i = 0; i < G_N_ELEMENTS (nicks); i++)
    {
      GEnumValue *value = g_enum_get_value_by_nick (klass, nicks[i]);

      g_assert_nonnull (value);
      g_assert_cmpint (value->value, ==, (int) i);
    }
  g_assert_nonnull (g_enum_get_value (klass, PACER_ERROR_TIMEOUT));
  g_assert_nonnull (g_enum_get_value (klass, PACER_ERROR_INVALID_ARGUMENT));
  g_assert_nonnull (g_enum_get_value (klass, PACER_ERROR_CORRUPT_STATE));
  g_assert_nonnull (g_enum_get_value (klass, PACER_ERROR_IO));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/Error/domain", test_domain);
  g_test_add_func ("/Pacer/Error/enum-registered", test_enum_registered);

  return g_test_run ();
}
