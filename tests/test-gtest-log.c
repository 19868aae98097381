/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The --GTestLogFD decoder, on what GTest really writes and on streams a
 * broken test could write. */

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-gtest-log-private.h"
#include "pacer-test-utils.h"

/* Runs fake-gtest with its log on a pipe and returns every byte it wrote there. */
static GBytes *
real_log (const char * const *paths)
{
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  int fds[2];

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_ptr_array_add (argv, program);
  /* -k: without it GTest stops after the failing test. */
  g_ptr_array_add (argv, (char *) "-k");
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (char *) "-p");
      g_ptr_array_add (argv, (char *) paths[i]);
    }
  g_ptr_array_add (argv, (char *) "--GTestLogFD");
  g_ptr_array_add (argv, (char *) "3");
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The write end must close here, or the read below never ends. */
  g_clear_object (&launcher);
  stream = g_unix_input_stream_new (fds[0], TRUE);
  g_output_stream_splice (sink, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
}

typedef struct
{
  guint n_start;
  guint n_stop;
  double elapsed[3];
  double result[3];
  char *stopped[3];
} Seen;

static void
seen_clear (Seen *seen)
{
  for (guint i = 0; i < G_N_ELEMENTS (seen->stopped); i++)
    g_free (seen->stopped[i]);
}

static void
drain (PacerGTestLogDecoder *decoder,
       Seen                 *seen)
{
  PacerGTestLogRecord record;
  g_autoptr(GError) error = NULL;

  while (_pacer_gtest_log_decoder_next (decoder, &record, &error))
    {
      if (record.type == PACER_GTEST_LOG_START_CASE)
        seen->n_start++;
      if (record.type == PACER_GTEST_LOG_STOP_CASE && seen->n_stop < G_N_ELEMENTS (seen->stopped))
        {
          g_assert_cmpuint (record.n_nums, >, PACER_GTEST_LOG_STOP_ELAPSED);
          g_assert_nonnull (record.strings[0]);
          seen->stopped[seen->n_stop] = g_strdup (record.strings[0]);
          seen->result[seen->n_stop] = record.nums[0];
          seen->elapsed[seen->n_stop] = record.nums[PACER_GTEST_LOG_STOP_ELAPSED];
          seen->n_stop++;
        }
      _pacer_gtest_log_record_clear (&record);
    }
  g_assert_no_error (error);
}

static void
check_seen (Seen *seen)
{
  g_assert_cmpuint (seen->n_start, ==, 3);
  g_assert_cmpuint (seen->n_stop, ==, 3);
  g_assert_cmpstr (seen->stopped[0], ==, "/fake/pass");
  g_assert_cmpstr (seen->stopped[1], ==, "/fake/fail");
  g_assert_cmpstr (seen->stopped[2], ==, "/fake/skip");
  /* GTestResult: 0 success, 1 skipped, 2 failure. */
  g_assert_cmpfloat (seen->result[0], ==, 0);
  g_assert_cmpfloat (seen->result[1], ==, 2);
  g_assert_cmpfloat (seen->result[2], ==, 1);
  for (guint i = 0; i < 3; i++)
    g_assert_true (seen->elapsed[i] >= 0 && seen->elapsed[i] < 60);
}

static void
test_real_stream (void)
{
  const char * const paths[] = { "/fake/pass", "/fake/fail", "/fake/skip", NULL };
  g_autoptr(GBytes) log = real_log (paths);
  gsize size;
  const guint8 *data = g_bytes_get_data (log, &size);
  g_autoptr(PacerGTestLogDecoder) whole = _pacer_gtest_log_decoder_new ();
  g_autoptr(PacerGTestLogDecoder) bytewise = _pacer_gtest_log_decoder_new ();
  Seen seen_whole = { 0, }, seen_bytewise = { 0, };

  g_test_summary ("What GTest writes decodes the same whole and one byte at a time");

  _pacer_gtest_log_decoder_feed (whole, data, size);
  drain (whole, &seen_whole);
  check_seen (&seen_whole);

  for (gsize i = 0; i < size; i++)
    {
      _pacer_gtest_log_decoder_feed (bytewise, data + i, 1);
      drain (bytewise, &seen_bytewise);
    }
  check_seen (&seen_bytewise);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (seen_whole.elapsed[i], ==, seen_bytewise.elapsed[i]);

  seen_clear (&seen_whole);
  seen_clear (&seen_bytewise);
}

static void
put_uint32 (GByteArray *out,
            guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, 4);
}

/* A record as GTest lays it out; @length_delta and @reserved make it wrong. */
static GByteArray *
make_record (guint32             type,
             const char * const *strings,
             const double       *nums,
             guint               n_nums,
             gint                length_delta,
             guint32             reserved)
{
  GByteArray *out = g_byte_array_new ();
  guint n_strings = strings != NULL ? g_strv_length ((char **) strings) : 0;

  put_uint32 (out, 0);
  put_uint32 (out, type);
  put_uint32 (out, n_strings);
  put_uint32 (out, n_nums);
  put_uint32 (out, reserved);
  for (guint i = 0; i < n_strings; i++)
    {
      put_uint32 (out, strlen (strings[i]));
      g_byte_array_append (out, (const guint8 *) strings[i], strlen (strings[i]));
    }
  for (guint i = 0; i < n_nums; i++)
    {
      guint64 bits;

      memcpy (&bits, &nums[i], 8);
      put_uint32 (out, bits >> 32);
      put_uint32 (out, bits & 0xffffffff);
    }
  {
    guint32 length = out->len + length_delta;
    guint8 bytes[4] = { length >> 24, length >> 16, length >> 8, length };

    memcpy (out->data, bytes, 4);
  }
  return out;
}

static gboolean
decode_one (GByteArray           *bytes,
            PacerGTestLogRecord  *record,
            GError              **error)
{
  g_autoptr(PacerGTestLogDecoder) decoder = _pacer_gtest_log_decoder_new ();

  _pacer_gtest_log_decoder_feed (decoder, bytes->data, bytes->len);
  return _pacer_gtest_log_decoder_next (decoder, record, error);
}

static void
test_built_record (void)
{
  const char * const strings[] = { "/a/b", "a message", NULL };
  const double nums[] = { 0, 0, 1.25 };
  g_autoptr(GByteArray) bytes = make_record (PACER_GTEST_LOG_STOP_CASE, strings, nums, 3, 0, 0);
  g_autoptr(GError) error = NULL;
  PacerGTestLogRecord record;

  g_test_summary ("A record with a message string keeps both strings and all numbers");

  g_assert_true (decode_one (bytes, &record, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (record.type, ==, PACER_GTEST_LOG_STOP_CASE);
  g_assert_cmpstrv (record.strings, strings);
  g_assert_cmpuint (record.n_nums, ==, 3);
  g_assert_cmpfloat (record.nums[PACER_GTEST_LOG_STOP_ELAPSED], ==, 1.25);
  _pacer_gtest_log_record_clear (&record);

  /* Cut anywhere, it waits for the rest instead of failing. */
  for (guint cut = 0; cut < bytes->len; cut++)
    {
      g_autoptr(PacerGTestLogDecoder) decoder = _pacer_gtest_log_decoder_new ();

      _pacer_gtest_log_decoder_feed (decoder, bytes->data, cut);
      g_assert_false (_pacer_gtest_log_decoder_next (decoder, &record, &error));
      g_assert_no_error (error);
      g_assert_null (record.strings);
    }
}

static void
test_corrupt (void)
{
  const char * const strings[] = { "/a/b", NULL };
  const double nums[] = { 0, 0, 1.25 };
  struct {
    const char *what;
    gint length_delta;
    guint32 reserved;
    guint n_nums;
  } cases[] = {
    { "length past the numbers", 8, 0, 3 },
    { "length inside the numbers", -4, 0, 3 },
    { "length inside the strings", -17, 0, 3 },
    { "reserved word set", 0, 7, 3 },
  };

  g_test_summary ("Corrupt records give an error, never a read past what arrived");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) bytes = make_record (PACER_GTEST_LOG_STOP_CASE, strings, nums, cases[i].n_nums,
                                                 cases[i].length_delta, cases[i].reserved);
      g_autoptr(GError) error = NULL;
      PacerGTestLogRecord record;

      g_test_message ("%s", cases[i].what);
      /* A length beyond the bytes is only “not yet”: pad so the decoder has
       * them and must judge the record itself. */
      if (cases[i].length_delta > 0)
        g_byte_array_set_size (bytes, bytes->len + cases[i].length_delta);
      g_assert_false (decode_one (bytes, &record, &error));
      g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      g_assert_null (record.strings);
    }

  /* Lengths a header alone makes impossible. */
  {
    static const guint32 lengths[] = { 0, 19, 0x7fffffff, 0xffffffff };

    for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
      {
        g_autoptr(GByteArray) bytes = make_record (PACER_GTEST_LOG_START_CASE, strings, NULL, 0, 0, 0);
        g_autoptr(GError) error = NULL;
        PacerGTestLogRecord record;
        guint8 word[4] = { lengths[i] >> 24, lengths[i] >> 16, lengths[i] >> 8, lengths[i] };

        memcpy (bytes->data, word, 4);
        g_assert_false (decode_one (bytes, &record, &error));
        g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
      }
  }

  /* Counts that promise more fields than the record has bytes. */
  {
    g_autoptr(GByteArray) bytes = make_record (PACER_GTEST_LOG_START_CASE, strings, NULL, 0, 0, 0);
    g_autoptr(GError) error = NULL;
    PacerGTestLogRecord record;
    guint8 many[4] = { 0x40, 0, 0, 0 };

    memcpy (bytes->data + 8, many, 4);
    g_assert_false (decode_one (bytes, &record, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
    g_clear_error (&error);

    memcpy (bytes->data + 8, (guint8[4]) { 0, 0, 0, 1 }, 4);
    memcpy (bytes->data + 12, many, 4);
    g_assert_false (decode_one (bytes, &record, &error));
    g_assert_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE);
  }
}

static void
test_nul_in_string (void)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  PacerGTestLogRecord record;
  static const guint8 raw[] = {
    0, 0, 0, 28,  0, 0, 0, 9,  0, 0, 0, 1,  0, 0, 0, 0,  0, 0, 0, 0,
    0, 0, 0, 4,  'a', 0, 'b', 'c',
  };

  g_test_summary ("A NUL inside a string cuts the string, not the stream");

  g_byte_array_append (bytes, raw, sizeof raw);
  g_assert_true (decode_one (bytes, &record, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (record.strings[0], ==, "a");
  g_assert_null (record.strings[1]);
  _pacer_gtest_log_record_clear (&record);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Pacer/GTestLog/real-stream", test_real_stream);
  g_test_add_func ("/Pacer/GTestLog/built-record", test_built_record);
  g_test_add_func ("/Pacer/GTestLog/corrupt", test_corrupt);
  g_test_add_func ("/Pacer/GTestLog/nul-in-string", test_nul_in_string);

  return g_test_run ();
}
