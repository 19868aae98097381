/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The batch rules every scheduler shares, kept in one place: a batch holds
 * tests of one program, and a test flagged ALONE is the only one in its
 * batch (the runner also enforces this, but a scheduler that respects it
 * costs no wasted process). */

#include "config.h"

#include "pacer-schedule-queue-private.h"

GArray *
_pacer_queue_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (PacerQueueItem));
}

/* By test index, which is listing order: the runner indexes the tests of
 * each program in the order `-l` gave them. */
void
_pacer_queue_insert_sorted (GArray               *queue,
                            const PacerQueueItem *item)
{
  guint lo = 0, hi = queue->len;

  /* Tests mostly arrive in order: try the end first. */
  if (hi == 0 || g_array_index (queue, PacerQueueItem, hi - 1).test < item->test)
    {
      g_array_append_vals (queue, item, 1);
      return;
    }
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (queue, PacerQueueItem, mid).test < item->test)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_array_insert_vals (queue, lo, item, 1);
}

void
_pacer_queue_prepend (GArray               *queue,
                      const PacerQueueItem *item)
{
  g_array_prepend_vals (queue, item, 1);
}

/* Cuts a batch from the head of @queue: the head alone if it must run
 * alone, else up to @max_tests tests of the head's program that need no
 * batch of their own, in queue order. Tests left behind keep their order.
 * Returns NULL for an empty queue. */
GArray *
_pacer_queue_take_batch (GArray *queue,
                         guint   max_tests)
{
  PacerQueueItem *head;
  const char *program;
  GArray *batch;
  guint kept = 0;

  if (queue->len == 0)
    return NULL;

  batch = g_array_new (FALSE, FALSE, sizeof (guint));
  head = &g_array_index (queue, PacerQueueItem, 0);
  if ((head->flags & PACER_SCHEDULE_FLAGS_ALONE) != 0)
    {
      g_array_append_val (batch, head->test);
      g_array_remove_index (queue, 0);
      return batch;
    }

  /* The loop below compacts the queue over the head's place: keep its program. */
  program = head->program;
  for (guint i = 0; i < queue->len; i++)
    {
      PacerQueueItem *item = &g_array_index (queue, PacerQueueItem, i);

      if (batch->len < MAX (max_tests, 1) && item->program == program &&
          (item->flags & PACER_SCHEDULE_FLAGS_ALONE) == 0)
        g_array_append_val (batch, item->test);
      else
        g_array_index (queue, PacerQueueItem, kept++) = *item;
    }
  g_array_set_size (queue, kept);
  return batch;
}

/* Moves every test of @queue, as indices, to the end of @into. */
void
_pacer_queue_drain (GArray *queue,
                    GArray *into)
{
  for (guint i = 0; i < queue->len; i++)
    g_array_append_val (into, g_array_index (queue, PacerQueueItem, i).test);
  g_array_set_size (queue, 0);
}

/* Expected seconds of the tests from position @from on, counting a test of
 * unknown duration as @unknown. */
double
_pacer_queue_seconds (GArray *queue,
                      guint   from,
                      double  unknown)
{
  double total = 0;

  for (guint i = from; i < queue->len; i++)
    {
      double expected = g_array_index (queue, PacerQueueItem, i).expected;

      total += expected >= 0 ? expected : unknown;
    }
  return total;
}
