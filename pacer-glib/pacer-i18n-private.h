/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <unistd.h>

#include <glib.h>

G_BEGIN_DECLS

/* Where the message catalogues are: `PACER_LOCALEDIR` when set, so that the
 * tests (and `meson devenv`) find the catalogues of the build tree without an
 * install, else the configured LOCALEDIR. A set-user-ID or set-group-ID process
 * ignores the variable: a catalogue supplies format strings, and those must not
 * come from whoever started the process.
 *
 * Inline, because pacer-run binds the same domain as the library but sees
 * only the library's public symbols. */
static inline const char *
_pacer_i18n_get_locale_dir (void)
{
  const char *dir = NULL;

  if (getuid () == geteuid () && getgid () == getegid ())
    dir = g_getenv ("PACER_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}

G_END_DECLS
