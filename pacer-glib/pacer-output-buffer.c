/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-glib-private.h"
#include "pacer-output-buffer-private.h"

/* Where the gap is cut, it moves to a line's end if one is this near: a
 * half line on either side of the marker reads as garbage. */
#define LINE_SLACK 4096

void
_pacer_output_buffer_init (PacerOutputBuffer *buffer,
                           gsize              head_max,
                           gsize              tail_max)
{
  memset (buffer, 0, sizeof *buffer);
  buffer->head = g_string_new (NULL);
  buffer->head_max = head_max;
  buffer->tail_max = MAX (tail_max, 1);
}

static void
ring_append (PacerOutputBuffer *buffer,
             const char        *data,
             gsize              length)
{
  gsize end;

  if (buffer->ring == NULL)
    buffer->ring = g_malloc (buffer->tail_max);

  /* Only the last tail_max bytes of a big write can survive it. */
  if (length >= buffer->tail_max)
    {
      buffer->dropped += buffer->ring_len + (length - buffer->tail_max);
      memcpy (buffer->ring, data + length - buffer->tail_max, buffer->tail_max);
      buffer->ring_start = 0;
      buffer->ring_len = buffer->tail_max;
      return;
    }

  if (buffer->ring_len + length > buffer->tail_max)
    {
      gsize overflow = buffer->ring_len + length - buffer->tail_max;

      buffer->dropped += overflow;
      buffer->ring_start = (buffer->ring_start + overflow) % buffer->tail_max;
      buffer->ring_len -= overflow;
    }

  end = (buffer->ring_start + buffer->ring_len) % buffer->tail_max;
  if (end + length <= buffer->tail_max)
    memcpy (buffer->ring + end, data, length);
  else
    {
      gsize first = buffer->tail_max - end;

      memcpy (buffer->ring + end, data, first);
      memcpy (buffer->ring, data + first, length - first);
    }
  buffer->ring_len += length;
}

void
_pacer_output_buffer_append (PacerOutputBuffer *buffer,
                             const char        *data,
                             gsize              length)
{
  if (buffer->head->len < buffer->head_max)
    {
      gsize taken = MIN (length, buffer->head_max - buffer->head->len);

      g_string_append_len (buffer->head, data, taken);
      data += taken;
      length -= taken;
    }
  if (length > 0)
    ring_append (buffer, data, length);
}

gboolean
_pacer_output_buffer_is_empty (PacerOutputBuffer *buffer)
{
  return buffer->head->len == 0 && buffer->ring_len == 0;
}

/* Bytes of @text to keep so that it ends after a newline near its end, or
 * at least not inside a UTF-8 sequence. */
static gsize
head_cut (const char *text,
          gsize       length)
{
  for (gsize i = length; i > 0 && length - i < LINE_SLACK; i--)
    if (text[i - 1] == '\n')
      return i;
  while (length > 0 && ((guchar) text[length - 1] & 0xC0) == 0x80)
    length--;
  /* A lead byte whose sequence was cut goes too. */
  if (length > 0 && ((guchar) text[length - 1] & 0x80) != 0)
    length--;
  return length;
}

/* Bytes to skip at the start of @text so that it starts a line, or at least
 * a character. */
static gsize
tail_cut (const char *text,
          gsize       length)
{
  gsize skip = 0;

  for (gsize i = 0; i < length && i < LINE_SLACK; i++)
    if (text[i] == '\n')
      return i + 1;
  while (skip < length && ((guchar) text[skip] & 0xC0) == 0x80)
    skip++;
  return skip;
}

char *
_pacer_output_buffer_dup (PacerOutputBuffer *buffer)
{
  g_autofree char *tail = g_malloc (buffer->ring_len + 1);
  GString *text;
  gsize kept_head, skipped_tail;
  guint64 dropped;
  g_autofree char *size = NULL;

  if (buffer->ring_len > 0)
    {
      gsize first = MIN (buffer->ring_len, buffer->tail_max - buffer->ring_start);

      memcpy (tail, buffer->ring + buffer->ring_start, first);
      memcpy (tail + first, buffer->ring, buffer->ring_len - first);
    }
  tail[buffer->ring_len] = '\0';

  if (buffer->dropped == 0)
    {
      text = g_string_sized_new (buffer->head->len + buffer->ring_len);
      g_string_append_len (text, buffer->head->str, buffer->head->len);
      g_string_append_len (text, tail, buffer->ring_len);
      return g_string_free (text, FALSE);
    }

  kept_head = head_cut (buffer->head->str, buffer->head->len);
  skipped_tail = tail_cut (tail, buffer->ring_len);
  dropped = buffer->dropped + (buffer->head->len - kept_head) + skipped_tail;

  _pacer_ensure_i18n ();
  size = g_format_size (dropped);
  text = g_string_sized_new (kept_head + buffer->ring_len + 64);
  g_string_append_len (text, buffer->head->str, kept_head);
  if (kept_head > 0 && buffer->head->str[kept_head - 1] != '\n')
    g_string_append_c (text, '\n');
  /* TRANSLATORS: %s is a size such as “99.5 MB”: what a test printed that
   * the runner did not keep, between the start and the end of its output. */
  g_string_append_printf (text, _("[… %s of output dropped …]"), size);
  g_string_append_c (text, '\n');
  g_string_append_len (text, tail + skipped_tail, buffer->ring_len - skipped_tail);
  return g_string_free (text, FALSE);
}

void
_pacer_output_buffer_reset (PacerOutputBuffer *buffer)
{
  g_string_truncate (buffer->head, 0);
  buffer->ring_start = 0;
  buffer->ring_len = 0;
  buffer->dropped = 0;
}

void
_pacer_output_buffer_clear (PacerOutputBuffer *buffer)
{
  if (buffer->head != NULL)
    g_string_free (buffer->head, TRUE);
  buffer->head = NULL;
  g_clear_pointer (&buffer->ring, g_free);
}
