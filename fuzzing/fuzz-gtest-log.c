/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The --GTestLogFD decoder, fed in reads of the sizes a pipe gives: the first
 * byte chooses the read size, so the fuzzer also splits records anywhere. */

#include "pacer-glib/pacer-gtest-log-private.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autoptr(PacerGTestLogDecoder) decoder = NULL;
  gsize chunk;
  gboolean broken = FALSE;

  fuzz_set_up ();
  if (size == 0)
    return 0;

  chunk = data[0] == 0 ? size : data[0];
  data++;
  size--;

  decoder = _pacer_gtest_log_decoder_new ();
  for (gsize at = 0; at < size && !broken; at += chunk)
    {
      PacerGTestLogRecord record;
      g_autoptr(GError) error = NULL;

      _pacer_gtest_log_decoder_feed (decoder, data + at, MIN (chunk, size - at));
      while (_pacer_gtest_log_decoder_next (decoder, &record, &error))
        {
          guint n_strings = 0;

          g_assert_nonnull (record.strings);
          g_assert_nonnull (record.nums);
          while (record.strings[n_strings] != NULL)
            n_strings++;
          /* Each string and number came from the input: nothing is invented. */
          g_assert_cmpuint (n_strings * 4 + record.n_nums * 8, <=, size);
          for (guint i = 0; i < record.n_nums; i++)
            (void) record.nums[i];
          _pacer_gtest_log_record_clear (&record);
        }
      /* The runner stops reading a stream once it is corrupt. */
      if (error != NULL)
        {
          g_assert_nonnull (error->message);
          broken = TRUE;
        }
    }

  return 0;
}
