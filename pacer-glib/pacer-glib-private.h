/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the library's message catalogue once; every entry point that may produce a
 * translated message calls it first, since a library has no main() of its own. */
void _pacer_ensure_i18n (void);

G_END_DECLS
