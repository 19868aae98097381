/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* pacer-run -C BUILDDIR: a meson build directory's own tests as commands. */

#include <pacer-glib/pacer-glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char * const *include_suites;  /* --suite, meson's spelling */
  const char * const *exclude_suites;  /* --no-suite */
  const char * const *names;           /* [PROJECT:]NAME, as `meson test NAME` */
  double timeout_multiplier;           /* meson's: <= 0 no timeout */
} PacerCliMesonFilter;

gboolean   pacer_cli_meson_regenerate (const char                 *build_dir,
                                       GError                    **error);
GPtrArray *pacer_cli_meson_load       (const char                 *build_dir,
                                       const PacerCliMesonFilter  *filter,
                                       GStrv                      *depends,
                                       double                     *max_timeout,
                                       GError                    **error);
gboolean   pacer_cli_meson_build      (const char                 *build_dir,
                                       const char * const         *depends,
                                       GError                    **error);

G_END_DECLS
