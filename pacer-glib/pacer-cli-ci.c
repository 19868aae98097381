/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* `--partition auto`: the share of a CI job that its CI system runs as N
 * parallel copies, read from that system's own variables, so that one
 * command line serves every copy (and a laptop, where it runs everything):
 *
 * - GitLab CI (`parallel: N`): CI_NODE_INDEX from 1, CI_NODE_TOTAL;
 * - CircleCI (`parallelism: N`): CIRCLE_NODE_INDEX from 0, CIRCLE_NODE_TOTAL;
 * - Buildkite (`parallelism: N`): BUILDKITE_PARALLEL_JOB from 0,
 *   BUILDKITE_PARALLEL_JOB_COUNT.
 *
 * GitHub Actions has no such variables (a matrix names its copies as the
 * workflow likes): there, pass `--partition hash:K/N` from the matrix. A hash
 * partition is the default, as for Bazel: a test keeps its copy as others
 * come and go. */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pacer-cli-ci-private.h"
#include "pacer-glib.h"

typedef struct
{
  const char *name;
  const char *total;
  const char *index;
  guint first;          /* the index of the first copy */
} CiSystem;

static const CiSystem systems[] = {
  { "GitLab CI", "CI_NODE_TOTAL", "CI_NODE_INDEX", 1 },
  { "CircleCI", "CIRCLE_NODE_TOTAL", "CIRCLE_NODE_INDEX", 0 },
  { "Buildkite", "BUILDKITE_PARALLEL_JOB_COUNT", "BUILDKITE_PARALLEL_JOB", 0 },
};

static gboolean
is_set (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0';
}

gboolean
pacer_cli_ci_partition (char    **partition,
                        GError  **error)
{
  g_autofree char *kind = NULL;

  if (*partition == NULL)
    return TRUE;
  if (g_str_equal (*partition, "auto"))
    kind = g_strdup ("hash");
  else if (g_str_has_prefix (*partition, "auto:"))
    kind = g_strdup (*partition + strlen ("auto:"));
  else
    return TRUE;

  /* The kind is checked here, where the message can quote what was given. */
  {
    g_autofree char *probe = g_strdup_printf ("%s:1/1", kind);
    g_autoptr(GError) local_error = NULL;

    if (!pacer_partition_parse (probe, NULL, NULL, NULL, &local_error))
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("--partition “%s”: “%s” is not a kind: use auto, auto:slice, auto:hash or auto:duration"),
                     *partition, kind);
        return FALSE;
      }
  }

  for (gsize i = 0; i < G_N_ELEMENTS (systems); i++)
    {
      const CiSystem *system = &systems[i];
      const char *total_text = g_getenv (system->total);
      const char *index_text = g_getenv (system->index);
      guint64 total = 0, index = 0;

      if (!is_set (system->total) && !is_set (system->index))
        continue;

      /* GitLab sets CI_NODE_TOTAL=1 and no index in a job without parallel:. */
      if (g_strcmp0 (total_text, "1") == 0 && !is_set (system->index))
        break;

      if (total_text == NULL ||
          !g_ascii_string_to_unsigned (total_text, 10, 1, G_MAXUINT - 1, &total, NULL) ||
          index_text == NULL ||
          !g_ascii_string_to_unsigned (index_text, 10, system->first, total - 1 + system->first, &index, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--partition auto: %s=%s and %s=%s (%s) are not one of a job's parallel copies: "
                         "the index must be from %u to %u"),
                       system->index, index_text != NULL ? index_text : "",
                       system->total, total_text != NULL ? total_text : "",
                       system->name, system->first,
                       (guint) (total > 0 ? total - 1 + system->first : system->first));
          return FALSE;
        }

      g_free (*partition);
      *partition = g_strdup_printf ("%s:%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                                    kind, index - system->first + 1, total);
      return TRUE;
    }

  /* Not one of several copies: the whole suite, of a kind still checked. */
  g_free (*partition);
  *partition = g_strdup_printf ("%s:1/1", kind);
  return TRUE;
}
