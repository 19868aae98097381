/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "pacer-error.h"

G_DEFINE_QUARK (pacer-error-quark, pacer_error)
