/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pacer-glib-private.h"
#include "pacer-i18n-private.h"

void
_pacer_ensure_i18n (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
#if ENABLE_NLS
      bindtextdomain (GETTEXT_PACKAGE, _pacer_i18n_get_locale_dir ());
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
#endif
      g_once_init_leave (&initialized, 1);
    }
}
