/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Splitting one suite over N machines (CI fan-out), as cargo-nextest's
 * --partition does: every machine lists the same tests and keeps its share,
 * so the union of the N shares is every test exactly once. What decides a
 * test's share must be the same on every machine and in every version: no
 * g_str_hash (its algorithm is not a promise), no absolute paths. */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-glib-private.h"
#include "pacer-partition-private.h"

#define FNV_OFFSET G_GUINT64_CONSTANT (0xcbf29ce484222325)
#define FNV_PRIME G_GUINT64_CONSTANT (0x100000001b3)

static guint64
fnv1a (guint64     hash,
       const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      hash ^= *p;
      hash *= FNV_PRIME;
    }
  return hash;
}

/* 64-bit FNV-1a of "PROGRAM\0PATH": fixed by its definition, so a test keeps
 * its bin across machines and releases. */
guint64
_pacer_partition_hash (const char *program,
                       const char *path)
{
  guint64 hash = fnv1a (FNV_OFFSET, program);

  hash *= FNV_PRIME;  /* the separator byte, 0 */
  return fnv1a (hash, path);
}

/**
 * pacer_partition_parse:
 * @spec: a partition such as `hash:2/4`
 * @kind: (out) (optional): where the kind goes
 * @index: (out) (optional): where K, from 1 to N, goes
 * @total: (out) (optional): where N goes
 * @error: return location for a [type@GLib.Error]
 *
 * Parses `slice:K/N`, `hash:K/N` or `duration:K/N`, the form
 * [property@Pacer.Runner:partition] and `pacer-run --partition` take. K is
 * 1-based: the partitions of a suite cut in three are 1/3, 2/3 and 3/3.
 *
 * Returns: `TRUE` if @spec is valid; otherwise `FALSE` with
 *   `PACER_ERROR_INVALID_ARGUMENT`
 *
 * Since: 1.0
 */
gboolean
pacer_partition_parse (const char          *spec,
                       PacerPartitionKind  *kind,
                       guint               *index,
                       guint               *total,
                       GError             **error)
{
  static const struct { const char *name; PacerPartitionKind kind; } kinds[] = {
    { "slice", PACER_PARTITION_KIND_SLICE },
    { "hash", PACER_PARTITION_KIND_HASH },
    { "duration", PACER_PARTITION_KIND_DURATION },
  };
  const char *colon, *slash;
  g_autofree char *name = NULL, *k_text = NULL;
  guint64 k = 0, n = 0;
  gboolean found = FALSE;
  PacerPartitionKind parsed_kind = PACER_PARTITION_KIND_SLICE;

  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _pacer_ensure_i18n ();

  colon = strchr (spec, ':');
  slash = colon != NULL ? strchr (colon, '/') : NULL;
  if (colon == NULL || slash == NULL)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a partition: give slice:K/N, hash:K/N or duration:K/N"), spec);
      return FALSE;
    }

  name = g_strndup (spec, colon - spec);
  for (guint i = 0; i < G_N_ELEMENTS (kinds) && !found; i++)
    if (g_str_equal (name, kinds[i].name))
      {
        parsed_kind = kinds[i].kind;
        found = TRUE;
      }
  if (!found)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Partition “%s”: “%s” is not a kind: use slice, hash or duration"), spec, name);
      return FALSE;
    }

  k_text = g_strndup (colon + 1, slash - colon - 1);
  if (!g_ascii_string_to_unsigned (slash + 1, 10, 1, G_MAXUINT, &n, NULL) ||
      !g_ascii_string_to_unsigned (k_text, 10, 1, n, &k, NULL))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("Partition “%s”: K/N needs whole numbers with 1 ≤ K ≤ N"), spec);
      return FALSE;
    }

  if (kind != NULL)
    *kind = parsed_kind;
  if (index != NULL)
    *index = (guint) k;
  if (total != NULL)
    *total = (guint) n;
  return TRUE;
}

typedef struct
{
  const PacerPartitionItem *item;
  guint position;
} Ranked;

/* Longest first; equal durations by name, so every machine agrees. */
static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *ra = a, *rb = b;
  int cmp;

  if (ra->item->duration != rb->item->duration)
    return ra->item->duration > rb->item->duration ? -1 : 1;
  cmp = strcmp (ra->item->program, rb->item->program);
  if (cmp == 0)
    cmp = strcmp (ra->item->path, rb->item->path);
  if (cmp == 0)
    cmp = ra->position < rb->position ? -1 : ra->position > rb->position;
  return cmp;
}

/* Greedy longest-processing-time into @total bins: within 4/3 of the best
 * split, and deterministic. */
static void
select_by_duration (guint                     index,
                    guint                     total,
                    const PacerPartitionItem *items,
                    guint                     n_items,
                    gboolean                 *keep)
{
  g_autoptr(GArray) known = g_array_new (FALSE, FALSE, sizeof (Ranked));
  g_autofree double *load = g_new0 (double, total);

  for (guint i = 0; i < n_items; i++)
    {
      if (items[i].duration >= 0)
        {
          Ranked ranked = { &items[i], i };

          g_array_append_val (known, ranked);
        }
      else
        keep[i] = _pacer_partition_hash (items[i].program, items[i].path) % total == index - 1;
    }

  g_array_sort (known, compare_ranked);
  for (guint i = 0; i < known->len; i++)
    {
      Ranked *ranked = &g_array_index (known, Ranked, i);
      guint bin = 0;

      for (guint b = 1; b < total; b++)
        if (load[b] < load[bin])
          bin = b;
      load[bin] += ranked->item->duration;
      keep[ranked->position] = bin == index - 1;
    }
}

/* Which of @items fall in partition @index (1-based) of @total. */
gboolean *
_pacer_partition_select (PacerPartitionKind        kind,
                         guint                     index,
                         guint                     total,
                         const PacerPartitionItem *items,
                         guint                     n_items)
{
  gboolean *keep = g_new0 (gboolean, MAX (n_items, 1));

  g_return_val_if_fail (total > 0 && index >= 1 && index <= total, keep);

  switch (kind)
    {
    case PACER_PARTITION_KIND_SLICE:
      for (guint i = 0; i < n_items; i++)
        keep[i] = i % total == index - 1;
      break;
    case PACER_PARTITION_KIND_HASH:
      for (guint i = 0; i < n_items; i++)
        keep[i] = _pacer_partition_hash (items[i].program, items[i].path) % total == index - 1;
      break;
    case PACER_PARTITION_KIND_DURATION:
    default:
      select_by_duration (index, total, items, n_items, keep);
      break;
    }

  return keep;
}
