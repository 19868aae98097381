/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-output-buffer-private.h"

static void
test_small (void)
{
  PacerOutputBuffer buffer;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_test_summary ("Output that fits in the head and the tail is kept whole, in order");

  _pacer_output_buffer_init (&buffer, 8, 16);
  g_assert_true (_pacer_output_buffer_is_empty (&buffer));
  _pacer_output_buffer_append (&buffer, "one\n", 4);
  _pacer_output_buffer_append (&buffer, "two\nthree\n", 10);
  _pacer_output_buffer_append (&buffer, "four\n", 5);
  first = _pacer_output_buffer_dup (&buffer);
  g_assert_cmpstr (first, ==, "one\ntwo\nthree\nfour\n");

  _pacer_output_buffer_reset (&buffer);
  g_assert_true (_pacer_output_buffer_is_empty (&buffer));
  _pacer_output_buffer_append (&buffer, "five\n", 5);
  second = _pacer_output_buffer_dup (&buffer);
  g_assert_cmpstr (second, ==, "five\n");
  _pacer_output_buffer_clear (&buffer);
}

static void
test_bounded (void)
{
  const gsize head_max = 1000, tail_max = 3000;
  const gsize total = 4 * 1000 * 1000;
  PacerOutputBuffer buffer;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *all = g_malloc (total + 1);  /* g_snprintf() ends the last line with a NUL */
  g_autofree char *kept = NULL;
  const char *marker, *after;
  gsize fed = 0;

  g_test_summary ("Megabytes in pieces of any size keep the head, the tail and the size dropped");

  /* Numbered lines, so where a piece of the output comes from is known. */
  for (gsize i = 0; i < total; i += 10)
    g_snprintf (all + i, 11, "%09zu\n", i / 10);

  _pacer_output_buffer_init (&buffer, head_max, tail_max);
  while (fed < total)
    {
      /* Mostly small writes, now and then one bigger than the tail. */
      gsize piece = g_rand_int_range (rand, 0, 10) == 0 ? g_rand_int_range (rand, 1, 10000)
                                                         : g_rand_int_range (rand, 1, 200);

      piece = MIN (piece, total - fed);
      _pacer_output_buffer_append (&buffer, all + fed, piece);
      fed += piece;
      g_assert_cmpuint (buffer.head->len, <=, head_max);
      g_assert_cmpuint (buffer.ring_len, <=, tail_max);
    }
  kept = _pacer_output_buffer_dup (&buffer);

  /* The head, cut at a line's end; then the marker; then whole lines up to the end. */
  marker = strstr (kept, "[… ");
  g_assert_nonnull (marker);
  g_assert_true (marker > kept && marker[-1] == '\n');
  g_assert_cmpint (memcmp (kept, all, marker - kept), ==, 0);
  g_assert_nonnull (strstr (marker, " of output dropped …]\n"));
  after = strchr (marker, '\n') + 1;
  g_assert_cmpuint (strlen (after) % 10, ==, 0);
  g_assert_cmpuint (strlen (after), <=, tail_max);
  g_assert_cmpint (memcmp (after, all + total - strlen (after), strlen (after)), ==, 0);
  /* Everything between is counted: 4 MB less the 1 kB head and 3 kB tail. */
  g_assert_nonnull (strstr (marker, "4.0"));
  g_assert_cmpuint (strlen (kept), <, head_max + tail_max + 100);
  _pacer_output_buffer_clear (&buffer);
}

static void
test_utf8 (void)
{
  /* “é” is two bytes, “€” three: no cut may fall inside either. */
  const char *pieces[] = { "é", "€", "aé", "a€" };

  g_test_summary ("A cut inside one long line never splits a UTF-8 character");

  for (guint p = 0; p < G_N_ELEMENTS (pieces); p++)
    for (gsize head_max = 10; head_max < 14; head_max++)
      {
        PacerOutputBuffer buffer;
        g_autofree char *kept = NULL;

        _pacer_output_buffer_init (&buffer, head_max, 4999 + head_max);
        for (guint i = 0; i < 5000; i++)
          _pacer_output_buffer_append (&buffer, pieces[p], strlen (pieces[p]));
        kept = _pacer_output_buffer_dup (&buffer);
        g_assert_true (g_utf8_validate (kept, -1, NULL));
        g_assert_nonnull (strstr (kept, "of output dropped"));
        _pacer_output_buffer_clear (&buffer);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/OutputBuffer/small", test_small);
  g_test_add_func ("/Pacer/OutputBuffer/bounded", test_bounded);
  g_test_add_func ("/Pacer/OutputBuffer/utf8", test_utf8);

  return g_test_run ();
}
