/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PacerRunner:partition: after listing and before scheduling, keep only
 * this machine's share of the listed tests. A program that is not a GTest
 * program is one test, named by itself. */

#include "config.h"

#include "pacer-listing-private.h"
#include "pacer-partition-private.h"
#include "pacer-engine-state-private.h"

void
_pacer_engine_apply_partition (PacerEngine *run)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (PacerPartitionItem));
  g_autoptr(GPtrArray) basenames = g_ptr_array_new_with_free_func (g_free);
  g_autofree gboolean *keep = NULL;
  PacerPartitionKind kind;
  guint index, total, next = 0;

  if (run->settings->partition == NULL || !pacer_partition_parse (run->settings->partition, &kind, &index, &total, NULL))
    return;

  for (guint p = 0; p < run->programs->len; p++)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, p);
      char *basename = g_path_get_basename (program->name);

      g_ptr_array_add (basenames, basename);
      if (program->whole)
        {
          PacerPartitionItem item = { basename, basename, -1 };

          if (run->settings->history != NULL)
            item.duration = pacer_duration_history_lookup (run->settings->history, program->file, program->name);
          g_array_append_val (items, item);
          continue;
        }

      /* A path that is also a suite must still be run as one when its
       * children went to other partitions: find suites on the full list. */
      program->suites = _pacer_listing_find_suites (program->paths);
      for (guint i = 0; i < program->paths->len; i++)
        {
          PacerPartitionItem item = { basename, g_ptr_array_index (program->paths, i), -1 };

          if (run->settings->history != NULL)
            item.duration = pacer_duration_history_lookup (run->settings->history, program->file, item.path);
          g_array_append_val (items, item);
        }
    }

  keep = _pacer_partition_select (kind, index, total, (const PacerPartitionItem *) (void *) items->data,
                                  items->len);
  run->partitioned = TRUE;

  for (guint p = 0; p < run->programs->len;)
    {
      PacerEngineProgram *program = g_ptr_array_index (run->programs, p);

      if (program->whole)
        {
          if (keep[next++])
            p++;
          else
            g_ptr_array_remove_index (run->programs, p);
          continue;
        }

      {
        g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
        g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (g_free);
        g_autoptr(GHashTable) all_suites = g_steal_pointer (&program->suites);

        /* The suites table borrows its keys from the paths: move the
         * strings, and free the dropped ones only once it is gone. */
        g_ptr_array_set_free_func (program->paths, NULL);
        for (guint i = 0; i < program->paths->len; i++)
          g_ptr_array_add (keep[next++] ? kept : dropped, g_ptr_array_index (program->paths, i));
        g_clear_pointer (&program->paths, g_ptr_array_unref);

        program->suites = g_hash_table_new (g_str_hash, g_str_equal);
        for (guint i = 0; i < kept->len; i++)
          if (g_hash_table_contains (all_suites, g_ptr_array_index (kept, i)))
            g_hash_table_add (program->suites, g_ptr_array_index (kept, i));
        g_clear_pointer (&all_suites, g_hash_table_unref);
        program->paths = g_steal_pointer (&kept);
      }
      p++;
    }
}
