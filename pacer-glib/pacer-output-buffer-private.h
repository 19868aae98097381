/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a test printed, in bounded memory: the first @head_max bytes, the
 * last @tail_max, and a count of what was dropped between them. A test that
 * prints 100 MB (or one line of 50 MB) costs the runner head + tail, never
 * more: the head shows how the test began, the tail how it ended, which is
 * where GTest and g_assert() say why it failed. */
typedef struct
{
  GString *head;
  char *ring;          /* the tail, circular; allocated once the head is full */
  gsize head_max;
  gsize tail_max;
  gsize ring_start;
  gsize ring_len;
  guint64 dropped;     /* bytes that fell out between head and tail */
} PacerOutputBuffer;

void     _pacer_output_buffer_init   (PacerOutputBuffer *buffer,
                                      gsize              head_max,
                                      gsize              tail_max);
void     _pacer_output_buffer_append (PacerOutputBuffer *buffer,
                                      const char        *data,
                                      gsize              length);
/* The text kept, with a line saying how much was dropped where the gap is. */
char    *_pacer_output_buffer_dup    (PacerOutputBuffer *buffer);
gboolean _pacer_output_buffer_is_empty (PacerOutputBuffer *buffer);
void     _pacer_output_buffer_reset  (PacerOutputBuffer *buffer);
void     _pacer_output_buffer_clear  (PacerOutputBuffer *buffer);

G_END_DECLS
