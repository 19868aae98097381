/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "pacer-error.h"

/**
 * pacer_error_quark:
 *
 * The error domain of pacer-glib, [error@Pacer.Error].
 *
 * Returns: the quark of `PACER_ERROR`
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (pacer-error-quark, pacer_error)
