/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* From a `--dist` mode to the scheduler that implements it. */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-dist-mode.h"
#include "pacer-each-scheduler.h"
#include "pacer-enums.h"
#include "pacer-error.h"
#include "pacer-glib-private.h"
#include "pacer-load-scheduler.h"
#include "pacer-ordered-scheduler.h"
#include "pacer-unit-scheduler.h"
#include "pacer-worksteal-scheduler.h"

/**
 * pacer_dist_mode_from_string:
 * @name: a mode's name, as pytest-xdist's `--dist` spells it (`load`,
 *   `loadscope`, `loadfile`, `loadgroup`, `worksteal`, `each`, `no`)
 * @mode: (out): return location for the mode
 *
 * Looks up a distribution mode by name.
 *
 * Returns: `TRUE` if @name is a mode
 *
 * Since: 1.0
 */
gboolean
pacer_dist_mode_from_string (const char    *name,
                             PacerDistMode *mode)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (mode != NULL, FALSE);

  klass = g_type_class_ref (PACER_TYPE_DIST_MODE);
  value = g_enum_get_value_by_nick (klass, name);
  if (value == NULL)
    return FALSE;
  *mode = value->value;
  return TRUE;
}

/* `GLOB=NAME`, split at the last `=`: a group name holds no `=`. */
static gboolean
group_spec_parse (const char  *spec,
                         char       **glob,
                         char       **name,
                         GError     **error)
{
  const char *equal = strrchr (spec, '=');

  if (equal == NULL || equal == spec || equal[1] == '\0')
    {
      _pacer_ensure_i18n ();
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a group: write GLOB=NAME, as in “/db/*=database”"), spec);
      return FALSE;
    }
  *glob = g_strndup (spec, equal - spec);
  *name = g_strdup (equal + 1);
  return TRUE;
}

/**
 * pacer_scheduler_new_for_dist:
 * @mode: a distribution mode
 * @groups: (array zero-terminated=1) (nullable): for
 *   `PACER_DIST_MODE_LOADGROUP`, groups as `GLOB=NAME`; a test takes the
 *   first group whose glob matches its path
 * @error: return location for a [type@GLib.Error]
 *
 * Creates the scheduler that implements @mode. [class@Pacer.Runner] does
 * this itself from its [property@Pacer.Runner:dist]; this is for an
 * application that wraps a built-in policy in its own.
 *
 * Returns: (transfer full): a new scheduler, or `NULL` with
 *   `PACER_ERROR_INVALID_ARGUMENT` if a group is not `GLOB=NAME`
 *
 * Since: 1.0
 */
PacerScheduler *
pacer_scheduler_new_for_dist (PacerDistMode        mode,
                              const char * const  *groups,
                              GError             **error)
{
  g_autoptr(PacerScheduler) scheduler = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (mode)
    {
    case PACER_DIST_MODE_LOADSCOPE:
      return pacer_unit_scheduler_new (PACER_SCHEDULE_UNIT_SCOPE);
    case PACER_DIST_MODE_LOADFILE:
      return pacer_unit_scheduler_new (PACER_SCHEDULE_UNIT_FILE);
    case PACER_DIST_MODE_LOADGROUP:
      scheduler = pacer_unit_scheduler_new (PACER_SCHEDULE_UNIT_GROUP);
      for (guint i = 0; groups != NULL && groups[i] != NULL; i++)
        {
          g_autofree char *glob = NULL;
          g_autofree char *name = NULL;

          if (!group_spec_parse (groups[i], &glob, &name, error))
            return NULL;
          pacer_unit_scheduler_add_group (PACER_UNIT_SCHEDULER (scheduler), glob, name);
        }
      return g_steal_pointer (&scheduler);
    case PACER_DIST_MODE_WORKSTEAL:
      return pacer_worksteal_scheduler_new ();
    case PACER_DIST_MODE_EACH:
      return pacer_each_scheduler_new ();
    case PACER_DIST_MODE_NO:
      return pacer_ordered_scheduler_new ();
    case PACER_DIST_MODE_LOAD:
    default:
      return pacer_load_scheduler_new ();
    }
}
