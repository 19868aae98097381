/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The record types of GTest's `--GTestLogFD` channel that the runner reads
 * (GTestLogType in gtestutils.h). */
typedef enum {
  PACER_GTEST_LOG_ERROR = 1,
  PACER_GTEST_LOG_START_BINARY = 2,
  PACER_GTEST_LOG_LIST_CASE = 3,
  PACER_GTEST_LOG_SKIP_CASE = 4,
  PACER_GTEST_LOG_START_CASE = 5,
  PACER_GTEST_LOG_STOP_CASE = 6,
} PacerGTestLogType;

/* STOP_CASE numbers: result, forks, elapsed seconds. */
#define PACER_GTEST_LOG_STOP_ELAPSED 2

typedef struct
{
  guint type;
  char **strings;   /* NULL-terminated; a NUL inside a string cuts it */
  double *nums;
  guint n_nums;
} PacerGTestLogRecord;

/* Reassembles records from reads of any size. GLib's own reader
 * (g_test_log_buffer_pop) trusts the stream and aborts on a corrupt one; a
 * runner must survive whatever a broken test writes, so every length is
 * checked against what arrived. */
typedef struct _PacerGTestLogDecoder PacerGTestLogDecoder;

PacerGTestLogDecoder *_pacer_gtest_log_decoder_new  (void);
void                  _pacer_gtest_log_decoder_free (PacerGTestLogDecoder *decoder);
void                  _pacer_gtest_log_decoder_feed (PacerGTestLogDecoder *decoder,
                                                     const guint8         *data,
                                                     gsize                 length);
gboolean              _pacer_gtest_log_decoder_next (PacerGTestLogDecoder *decoder,
                                                     PacerGTestLogRecord  *record,
                                                     GError              **error);
void                  _pacer_gtest_log_record_clear (PacerGTestLogRecord  *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerGTestLogDecoder, _pacer_gtest_log_decoder_free)

G_END_DECLS
