/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-test-utils.h"

static char *tmp_dir;

static char *
temp_file (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static void
test_round_trip (void)
{
  g_autofree char *file = temp_file ("sub/dir/durations.json");
  g_autoptr(PacerDurationHistory) history = pacer_duration_history_new (file);
  g_autoptr(PacerDurationHistory) again = pacer_duration_history_new (file);
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_test_summary ("Durations saved are read back, keyed by canonical program path and test path");

  /* No file yet: an empty history, not an error. */
  g_assert_true (pacer_duration_history_load (history, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/a"), ==, -1);

  pacer_duration_history_record (history, "/bin/prog", "/a", 1.5);
  pacer_duration_history_record (history, "/bin/prog", "/b", 0.25);
  pacer_duration_history_record (history, "/bin/other", "/a", 3);
  pacer_duration_history_record (history, "/bin/prog", "/a", 2.5);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/a"), ==, 2.5);
  /* Shorter moves halfway down: one short reading is not trusted at once. */
  pacer_duration_history_record (history, "/bin/prog", "/a", 0.5);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/a"), ==, 1.5);
  pacer_duration_history_record (history, "/bin/prog", "/a", 2.5);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/a"), ==, 2.5);
  /* The same program spelt differently. */
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/../bin/prog", "/b"), ==, 0.25);

  g_assert_true (pacer_duration_history_save (history, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (pacer_duration_history_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (pacer_duration_history_lookup (again, "/bin/prog", "/a"), ==, 2.5);
  g_assert_cmpfloat (pacer_duration_history_lookup (again, "/bin/prog", "/b"), ==, 0.25);
  g_assert_cmpfloat (pacer_duration_history_lookup (again, "/bin/other", "/a"), ==, 3);
  g_assert_cmpfloat (pacer_duration_history_lookup (again, "/bin/other", "/b"), ==, -1);
  g_assert_cmpstr (pacer_duration_history_get_file (again), ==, file);
}

static void
test_corrupt (void)
{
  g_autofree char *file = temp_file ("corrupt.json");
  g_autoptr(PacerDurationHistory) history = pacer_duration_history_new (file);
  g_autoptr(GError) error = NULL;

  g_test_summary ("A corrupt or foreign file is an error naming the file, and is not read");

  g_assert_true (g_file_set_contents (file, "{ not json", -1, NULL));
  g_assert_false (pacer_duration_history_load (history, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
  g_assert_nonnull (strstr (error->message, file));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (file, "{\"something\": \"else\"}", -1, NULL));
  g_assert_false (pacer_duration_history_load (history, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
  g_clear_error (&error);

  /* Found by fuzzing/fuzz-duration-history: a critical from json-glib before. */
  g_assert_true (g_file_set_contents (file, "{\"version\": {\"major\": 1}, \"programs\": {}}", -1, NULL));
  g_assert_false (pacer_duration_history_load (history, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
}

/* Found by fuzzing/fuzz-duration-history: json-glib 1.6 wrote 1e-08 as
 * "1e-08.0", and an overflowing number in the file loaded as infinity and
 * was saved as "inf"; either way the next run could not read its history. */
static void
test_odd_numbers (void)
{
  g_autofree char *file = temp_file ("odd/durations.json");
  g_autoptr(PacerDurationHistory) history = NULL;
  g_autoptr(PacerDurationHistory) again = pacer_duration_history_new (file);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (file);

  g_test_summary ("Durations that print with a bare exponent, and overflowing ones, keep the file readable");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file,
                                      "{\"version\":1,\"programs\":{\"/bin/prog\":"
                                      "{\"/huge\":1e999,\"/neg\":-1e999,\"/ok\":2}}}", -1, &error));
  g_assert_no_error (error);
  history = pacer_duration_history_new (file);
  g_assert_true (pacer_duration_history_load (history, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/huge"), ==, -1);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/neg"), ==, -1);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/ok"), ==, 2);

  pacer_duration_history_record (history, "/bin/prog", "/tiny", 1e-08);
  pacer_duration_history_record (history, "/bin/prog", "/small", 2e-16);
  pacer_duration_history_record (history, "/bin/prog", "/inf", INFINITY);
  pacer_duration_history_record (history, "/bin/prog", "/nan", NAN);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/inf"), ==, -1);
  g_assert_cmpfloat (pacer_duration_history_lookup (history, "/bin/prog", "/nan"), ==, -1);
  g_assert_true (pacer_duration_history_save (history, &error));
  g_assert_no_error (error);

  g_assert_true (pacer_duration_history_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (pacer_duration_history_lookup (again, "/bin/prog", "/tiny"), ==, 1e-08);
  g_assert_cmpfloat (pacer_duration_history_lookup (again, "/bin/prog", "/small"), ==, 2e-16);
  g_assert_cmpfloat (pacer_duration_history_lookup (again, "/bin/prog", "/ok"), ==, 2);
}

static void
test_default_file (void)
{
  g_autofree char *in_cache = pacer_duration_history_default_file (NULL);
  g_autofree char *expected = g_build_filename (g_get_user_cache_dir (), "pacer-glib", "durations.json", NULL);
  g_autofree char *given = pacer_duration_history_default_file ("/somewhere");

  g_test_summary ("The history lives under $XDG_CACHE_HOME/pacer-glib unless a directory is given");

  g_assert_cmpstr (in_cache, ==, expected);
  g_assert_cmpstr (given, ==, "/somewhere/durations.json");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tmp_dir = pacer_test_make_tmp_dir ("pacer-test-XXXXXX");

  g_test_add_func ("/Pacer/DurationHistory/round-trip", test_round_trip);
  g_test_add_func ("/Pacer/DurationHistory/corrupt", test_corrupt);
  g_test_add_func ("/Pacer/DurationHistory/default-file", test_default_file);
  g_test_add_func ("/Pacer/DurationHistory/odd-numbers", test_odd_numbers);

  status = g_test_run ();
  pacer_test_tmp_dir_free (tmp_dir);
  return status;
}
