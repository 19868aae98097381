/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib.h>

#include <pacer-glib/pacer-version.h>

#ifndef _PACER_EXTERN
# define _PACER_EXTERN __attribute__((visibility("default"))) extern
#endif

#define PACER_VERSION_1_0 (PACER_ENCODE_VERSION (1, 0, 0))

#ifndef PACER_VERSION_MIN_REQUIRED
# define PACER_VERSION_MIN_REQUIRED (PACER_VERSION_1_0)
#endif

#ifndef PACER_VERSION_MAX_ALLOWED
# define PACER_VERSION_MAX_ALLOWED (PACER_VERSION)
#endif

/**
 * PACER_DEPRECATED:
 *
 * Marks a symbol as deprecated: using it warns, unless
 * `PACER_DISABLE_DEPRECATION_WARNINGS` is defined.
 *
 * Since: 1.0
 */

/**
 * PACER_DEPRECATED_FOR:
 * @f: the symbol to use instead
 *
 * Marks a symbol as deprecated in favour of @f: using it warns, unless
 * `PACER_DISABLE_DEPRECATION_WARNINGS` is defined.
 *
 * Since: 1.0
 */

/**
 * PACER_UNAVAILABLE:
 * @maj: the major version that introduced the symbol
 * @min: the minor version that introduced the symbol
 *
 * Marks a symbol as newer than `PACER_VERSION_MAX_ALLOWED`: using it warns.
 *
 * Since: 1.0
 */

#ifdef PACER_DISABLE_DEPRECATION_WARNINGS
# define PACER_DEPRECATED _PACER_EXTERN
# define PACER_DEPRECATED_FOR(f) _PACER_EXTERN
# define PACER_UNAVAILABLE(maj,min) _PACER_EXTERN
#else
# define PACER_DEPRECATED G_DEPRECATED _PACER_EXTERN
# define PACER_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _PACER_EXTERN
# define PACER_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _PACER_EXTERN
#endif

#define PACER_AVAILABLE_IN_ALL _PACER_EXTERN

#if PACER_VERSION_MAX_ALLOWED < PACER_VERSION_1_0
# define PACER_AVAILABLE_IN_1_0 PACER_UNAVAILABLE (1, 0)
#else
# define PACER_AVAILABLE_IN_1_0 _PACER_EXTERN
#endif
