/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <pacer-glib/pacer-glib.h>

static void
test_units (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerRate) second = NULL;
  g_autoptr(PacerRate) minute = NULL;
  g_autoptr(PacerRate) hour = NULL;
  g_autoptr(PacerRate) day = NULL;

  g_test_summary ("Each unit converts to calls per second and per hour exactly");

  second = pacer_rate_new_per_second (2.5, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (pacer_rate_get_calls_per_second (second), ==, 2.5);
  g_assert_cmpfloat (pacer_rate_get_calls_per_hour (second), ==, 9000);
  g_assert_cmpfloat_with_epsilon (pacer_rate_get_interval (second), 0.4, 1e-12);

  minute = pacer_rate_new_per_minute (90, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (pacer_rate_get_calls_per_second (minute), ==, 1.5);
  g_assert_cmpfloat (pacer_rate_get_calls_per_hour (minute), ==, 5400);

  hour = pacer_rate_new_per_hour (5400, &error);
  g_assert_no_error (error);
  g_assert_true (pacer_rate_equal (minute, hour));
  g_assert_false (pacer_rate_equal (second, hour));

  day = pacer_rate_new_per_day (48, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (pacer_rate_get_calls_per_hour (day), ==, 2);
}

static void
test_fractional (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PacerRate) one_a_day = NULL;
  g_autoptr(PacerRate) twenty_three = NULL;
  g_autoptr(PacerRate) hundred = NULL;

  g_test_summary ("Fractional rates keep full precision (the seed truncated per_day (23) to zero)");

  one_a_day = pacer_rate_new_per_day (1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (pacer_rate_get_calls_per_hour (one_a_day), 1.0 / 24, 1e-15);
  g_assert_cmpfloat_with_epsilon (pacer_rate_get_interval (one_a_day), 86400, 1e-9);

  twenty_three = pacer_rate_new_per_day (23, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (pacer_rate_get_calls_per_hour (twenty_three) * 24, 23, 1e-12);

  hundred = pacer_rate_new_per_day (100, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (pacer_rate_get_calls_per_second (hundred) * 86400, 100, 1e-9);
}

static void
test_invalid (void)
{
  const double bad[] = { 0, -1, -0.0, NAN, INFINITY, -INFINITY };
  PacerRate *(*constructors[]) (double, GError **) = {
    pacer_rate_new_per_second, pacer_rate_new_per_minute, pacer_rate_new_per_hour, pacer_rate_new_per_day,
  };

  g_test_summary ("Zero, negative, NaN and infinite rates give INVALID_ARGUMENT");

  for (guint c = 0; c < G_N_ELEMENTS (constructors); c++)
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) error = NULL;
        PacerRate *rate = constructors[c] (bad[i], &error);

        g_assert_null (rate);
        g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
      }

  {
    g_autoptr(GError) error = NULL;
    /* So small that it underflows to zero calls per second. */
    g_assert_null (pacer_rate_new_per_day (5e-324, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_to_string (void)
{
  struct { PacerRate *(*make) (double, GError **); double calls; const char *text; } cases[] = {
    { pacer_rate_new_per_second, 100, "100 calls per second" },
    { pacer_rate_new_per_second, 1, "1 call per second" },
    { pacer_rate_new_per_minute, 2.5, "2.5 calls per minute" },
    { pacer_rate_new_per_hour, 3600, "3600 calls per hour" },
    { pacer_rate_new_per_day, 1, "1 call per day" },
    { pacer_rate_new_per_day, 0.1, "0.1 calls per day" },
  };

  g_test_summary ("to_string names the unit the rate was made with");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerRate) rate = cases[i].make (cases[i].calls, &error);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      text = pacer_rate_to_string (rate);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_parse (void)
{
  struct { const char *text; double per_second; const char *canonical; } good[] = {
    { "10/s", 10, "10 calls per second" },
    { " 90 / min ", 1.5, "90 calls per minute" },
    { "2.5 calls per minute", 2.5 / 60, "2.5 calls per minute" },
    { "1 call per hour", 1 / 3600.0, "1 call per hour" },
    { "3600/h", 1, "3600 calls per hour" },
    { "100 per day", 100 / 86400.0, "100 calls per day" },
    { "0.5/second", 0.5, "0.5 calls per second" },
  };
  const char *bad[] = {
    "", "10", "10/", "/s", "ten/s", "10/fortnight", "10/s extra", "-1/s", "0/min", "nan/s", "inf/h",
    "10 calls", "10 calls per", "10 calls every second",
  };

  g_test_summary ("parse reads the short form and what to_string writes; anything else is INVALID_ARGUMENT");

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerRate) rate = pacer_rate_parse (good[i].text, &error);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (pacer_rate_get_calls_per_second (rate), good[i].per_second, 1e-12);
      text = pacer_rate_to_string (rate);
      g_assert_cmpstr (text, ==, good[i].canonical);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PacerRate) rate = pacer_rate_parse (bad[i], &error);

      g_assert_null (rate);
      g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_boxed (void)
{
  g_autoptr(PacerRate) rate = pacer_rate_new_per_minute (30, NULL);
  g_autoptr(PacerRate) copy = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_test_summary ("PacerRate is a boxed type that copies by value");

  copy = g_boxed_copy (PACER_TYPE_RATE, rate);
  g_assert_true (copy != rate);
  g_assert_true (pacer_rate_equal (copy, rate));

  g_value_init (&value, PACER_TYPE_RATE);
  g_value_set_boxed (&value, rate);
  g_assert_true (pacer_rate_equal (g_value_get_boxed (&value), rate));
}

/* Found by fuzzing/fuzz-rate: the message quoted the text as it was. */
static void
test_parse_not_utf8 (void)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("A rate that is not UTF-8 is an error whose message is UTF-8");

  g_assert_null (pacer_rate_parse ("1/0.10\xdf", &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  g_assert_null (pacer_rate_parse ("-1\xff/s", &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/Rate/units", test_units);
  g_test_add_func ("/Pacer/Rate/fractional", test_fractional);
  g_test_add_func ("/Pacer/Rate/invalid", test_invalid);
  g_test_add_func ("/Pacer/Rate/to-string", test_to_string);
  g_test_add_func ("/Pacer/Rate/parse", test_parse);
  g_test_add_func ("/Pacer/Rate/boxed", test_boxed);
  g_test_add_func ("/Pacer/Rate/parse-not-utf8", test_parse_not_utf8);

  return g_test_run ();
}
