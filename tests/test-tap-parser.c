/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-tap-parser-private.h"

static void
test_results (void)
{
  PacerTapLine line;

  g_test_summary ("ok / not ok lines give number, description and directive");

  _pacer_tap_parse_line ("ok 1 /basic/pass", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_RESULT);
  g_assert_true (line.ok);
  g_assert_cmpuint (line.number, ==, 1);
  g_assert_cmpstr (line.description, ==, "/basic/pass");
  g_assert_cmpint (line.directive, ==, PACER_TAP_DIRECTIVE_NONE);
  g_assert_null (line.reason);
  g_assert_null (line.prefix);
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("not ok 5 /basic/gfail", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_RESULT);
  g_assert_false (line.ok);
  g_assert_cmpuint (line.number, ==, 5);
  g_assert_cmpstr (line.description, ==, "/basic/gfail");
  _pacer_tap_line_clear (&line);

  /* TAP allows a missing number and a dash before the description. */
  _pacer_tap_parse_line ("ok - described", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_RESULT);
  g_assert_cmpuint (line.number, ==, 0);
  g_assert_cmpstr (line.description, ==, "described");
  _pacer_tap_line_clear (&line);
}

static void
test_directives (void)
{
  PacerTapLine line;

  g_test_summary ("# SKIP and # TODO are read with their reasons, in any case");

  _pacer_tap_parse_line ("ok 3 /basic/skip # SKIP not today", &line);
  g_assert_cmpint (line.directive, ==, PACER_TAP_DIRECTIVE_SKIP);
  g_assert_cmpstr (line.description, ==, "/basic/skip");
  g_assert_cmpstr (line.reason, ==, "not today");
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("not ok 4 /basic/incomplete # TODO not implemented", &line);
  g_assert_false (line.ok);
  g_assert_cmpint (line.directive, ==, PACER_TAP_DIRECTIVE_TODO);
  g_assert_cmpstr (line.reason, ==, "not implemented");
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("ok 2 x #skipped: later", &line);
  g_assert_cmpint (line.directive, ==, PACER_TAP_DIRECTIVE_SKIP);
  g_assert_cmpstr (line.reason, ==, "later");
  _pacer_tap_line_clear (&line);

  /* An escaped hash is part of the description. */
  _pacer_tap_parse_line ("ok 7 a \\# SKIP b", &line);
  g_assert_cmpint (line.directive, ==, PACER_TAP_DIRECTIVE_NONE);
  g_assert_cmpstr (line.description, ==, "a \\# SKIP b");
  _pacer_tap_line_clear (&line);

  /* A comment that is not a directive is kept in the description. */
  _pacer_tap_parse_line ("ok 8 /a # note", &line);
  g_assert_cmpint (line.directive, ==, PACER_TAP_DIRECTIVE_NONE);
  g_assert_cmpstr (line.description, ==, "/a # note");
  _pacer_tap_line_clear (&line);
}

static void
test_plans (void)
{
  PacerTapLine line;

  g_test_summary ("Plans, repeated as GTest prints them after each -p pass, and 1..0");

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("1..%u", i);

      _pacer_tap_parse_line (text, &line);
      g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_PLAN);
      g_assert_cmpuint (line.number, ==, i);
      _pacer_tap_line_clear (&line);
    }

  _pacer_tap_parse_line ("1..0 # SKIP nothing to do", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_PLAN);
  g_assert_cmpuint (line.number, ==, 0);
  g_assert_cmpstr (line.reason, ==, "nothing to do");
  _pacer_tap_line_clear (&line);

  /* Not plans. */
  _pacer_tap_parse_line ("2..3", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_OTHER);
  _pacer_tap_line_clear (&line);
  _pacer_tap_parse_line ("1..3 apples", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_OTHER);
  _pacer_tap_line_clear (&line);
}

static void
test_bail_out (void)
{
  PacerTapLine line;

  g_test_summary ("Bail out! with and without a reason");

  _pacer_tap_parse_line ("Bail out! ERROR:file.c:5:func: assertion failed (a == b): (1 == 2)", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_BAIL_OUT);
  g_assert_cmpstr (line.reason, ==, "ERROR:file.c:5:func: assertion failed (a == b): (1 == 2)");
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("Bail out!", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_BAIL_OUT);
  g_assert_null (line.reason);
  _pacer_tap_line_clear (&line);
}

static void
test_interleaved (void)
{
  PacerTapLine line;

  g_test_summary ("Program output, comments and output glued in front of TAP are told apart");

  _pacer_tap_parse_line ("# random seed: R02S0123", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_OTHER);
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("hello from a test", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_OTHER);
  _pacer_tap_line_clear (&line);

  /* Words ending in "ok" are not results. */
  _pacer_tap_parse_line ("the book is ok", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_OTHER);
  _pacer_tap_line_clear (&line);
  _pacer_tap_parse_line ("okay 1 thing", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_OTHER);
  _pacer_tap_line_clear (&line);

  /* A test printed "partial" without a newline before GTest's result. */
  _pacer_tap_parse_line ("partialok 2 /a/b", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_RESULT);
  g_assert_true (line.ok);
  g_assert_cmpstr (line.description, ==, "/a/b");
  g_assert_cmpstr (line.prefix, ==, "partial");
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("partial not ok 3 /a/c", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_RESULT);
  g_assert_false (line.ok);
  g_assert_cmpstr (line.prefix, ==, "partial ");
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("noiseBail out! boom", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_BAIL_OUT);
  g_assert_cmpstr (line.reason, ==, "boom");
  g_assert_cmpstr (line.prefix, ==, "noise");
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("TAP version 14", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_VERSION);
  g_assert_cmpuint (line.number, ==, 14);
  _pacer_tap_line_clear (&line);

  _pacer_tap_parse_line ("", &line);
  g_assert_cmpint (line.kind, ==, PACER_TAP_LINE_OTHER);
  _pacer_tap_line_clear (&line);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/TapParser/results", test_results);
  g_test_add_func ("/Pacer/TapParser/directives", test_directives);
  g_test_add_func ("/Pacer/TapParser/plans", test_plans);
  g_test_add_func ("/Pacer/TapParser/bail-out", test_bail_out);
  g_test_add_func ("/Pacer/TapParser/interleaved", test_interleaved);

  return g_test_run ();
}
