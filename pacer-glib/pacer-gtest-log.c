/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A bounds-checked decoder for GTest's `--GTestLogFD` records.
 *
 * A record is five big-endian uint32 (its whole length, type, number of
 * strings, number of numbers, 0), then each string as a uint32 length and
 * its bytes, then each number as a big-endian IEEE double. */

#include "config.h"

#include <string.h>

#include "pacer-error.h"
#include "pacer-gtest-log-private.h"

#define HEADER_SIZE 20
/* A g_test_message() of a few MiB is legal; a length beyond this is not a
 * record but a stream that went wrong. */
#define MAX_RECORD_SIZE (16 * 1024 * 1024)

struct _PacerGTestLogDecoder
{
  GByteArray *pending;
  gsize offset;         /* start of the first record not yet decoded */
};

PacerGTestLogDecoder *
_pacer_gtest_log_decoder_new (void)
{
  PacerGTestLogDecoder *decoder = g_new0 (PacerGTestLogDecoder, 1);

  decoder->pending = g_byte_array_new ();
  return decoder;
}

void
_pacer_gtest_log_decoder_free (PacerGTestLogDecoder *decoder)
{
  if (decoder == NULL)
    return;
  g_byte_array_unref (decoder->pending);
  g_free (decoder);
}

void
_pacer_gtest_log_decoder_feed (PacerGTestLogDecoder *decoder,
                               const guint8         *data,
                               gsize                 length)
{
  /* Drop what was decoded before growing, so a long run keeps one record's
   * worth of memory, not the whole stream. */
  if (decoder->offset > 0)
    {
      g_byte_array_remove_range (decoder->pending, 0, decoder->offset);
      decoder->offset = 0;
    }
  g_byte_array_append (decoder->pending, data, length);
}

static guint32
read_uint32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static double
read_double (const guint8 *p)
{
  guint64 bits = 0;
  double value;

  for (guint i = 0; i < 8; i++)
    bits = (bits << 8) | p[i];
  memcpy (&value, &bits, sizeof value);
  return value;
}

static gboolean
corrupt (GError     **error,
         const char  *what)
{
  g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE, "corrupt GTest log record: %s", what);
  return FALSE;
}

/* Decodes the record at @p, which holds exactly @length bytes. */
static gboolean
decode (const guint8         *p,
        guint32               length,
        PacerGTestLogRecord  *record,
        GError              **error)
{
  guint32 n_strings = read_uint32 (p + 8);
  guint32 n_nums = read_uint32 (p + 12);
  gsize at = HEADER_SIZE;
  g_autoptr(GPtrArray) strings = NULL;

  /* Each string needs at least its length word; compare before allocating. */
  if (n_strings > (length - HEADER_SIZE) / 4 || n_nums > (length - HEADER_SIZE) / 8)
    return corrupt (error, "more fields than bytes");

  strings = g_ptr_array_new_full (n_strings + 1, g_free);
  for (guint32 i = 0; i < n_strings; i++)
    {
      guint32 size;

      if (length - at < 4)
        return corrupt (error, "string length past the end");
      size = read_uint32 (p + at);
      at += 4;
      if (size > length - at)
        return corrupt (error, "string past the end");
      g_ptr_array_add (strings, g_strndup ((const char *) p + at, size));
      at += size;
    }
  if ((gsize) n_nums * 8 != length - at)
    return corrupt (error, "numbers do not fill the record");
  g_ptr_array_add (strings, NULL);

  record->type = read_uint32 (p + 4);
  record->strings = (char **) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
  record->n_nums = n_nums;
  record->nums = g_new (double, MAX (n_nums, 1));
  for (guint32 i = 0; i < n_nums; i++)
    record->nums[i] = read_double (p + at + 8 * i);
  return TRUE;
}

/* The next whole record, if one has arrived. FALSE without @error means
 * “wait for more bytes”; with @error the stream cannot be trusted any more
 * (the decoder stays in that state). */
gboolean
_pacer_gtest_log_decoder_next (PacerGTestLogDecoder  *decoder,
                               PacerGTestLogRecord   *record,
                               GError               **error)
{
  const guint8 *p = decoder->pending->data + decoder->offset;
  gsize available = decoder->pending->len - decoder->offset;
  guint32 length;

  memset (record, 0, sizeof *record);
  if (available < HEADER_SIZE)
    return FALSE;

  length = read_uint32 (p);
  if (length < HEADER_SIZE || length > MAX_RECORD_SIZE)
    return corrupt (error, "impossible length");
  if (read_uint32 (p + 16) != 0)
    return corrupt (error, "reserved word is not 0");
  if (available < length)
    return FALSE;

  if (!decode (p, length, record, error))
    return FALSE;
  decoder->offset += length;
  return TRUE;
}

void
_pacer_gtest_log_record_clear (PacerGTestLogRecord *record)
{
  g_clear_pointer (&record->strings, g_strfreev);
  g_clear_pointer (&record->nums, g_free);
  record->n_nums = 0;
}
