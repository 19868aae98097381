/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

/**
 * PACER_ERROR:
 *
 * The error domain of pacer-glib.
 *
 * Since: 1.0
 */
#define PACER_ERROR (pacer_error_quark ())

/**
 * PacerError:
 * @PACER_ERROR_FAILED: a failure no other code describes.
 * @PACER_ERROR_TIMEOUT: a lock or a paced call was not had within its timeout.
 * @PACER_ERROR_INVALID_ARGUMENT: an argument or a setting was out of its range.
 * @PACER_ERROR_CORRUPT_STATE: stored state could not be parsed, or had the wrong shape.
 * @PACER_ERROR_IO: reading or writing a file or other stored state failed.
 * @PACER_ERROR_NOT_FOUND: a store holds no value yet.
 * @PACER_ERROR_LIMIT_REACHED: a configured limit, such as a maximum number of calls, was reached.
 * @PACER_ERROR_CONFLICT: another writer changed a stored value since it was read.
 *
 * Error codes in the `PACER_ERROR` domain.
 *
 * Since: 1.0
 */
typedef enum {
  PACER_ERROR_FAILED,
  PACER_ERROR_TIMEOUT,
  PACER_ERROR_INVALID_ARGUMENT,
  PACER_ERROR_CORRUPT_STATE,
  PACER_ERROR_IO,
  PACER_ERROR_NOT_FOUND,
  PACER_ERROR_LIMIT_REACHED,
  PACER_ERROR_CONFLICT,
} PacerError;

PACER_AVAILABLE_IN_ALL
GQuark pacer_error_quark (void);

G_END_DECLS
