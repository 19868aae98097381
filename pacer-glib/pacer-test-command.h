/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

#define PACER_TYPE_TEST_COMMAND (pacer_test_command_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerTestCommand, pacer_test_command, PACER, TEST_COMMAND, GObject)

PACER_AVAILABLE_IN_ALL
PacerTestCommand   *pacer_test_command_new                   (const char         *name,
                                                              const char * const *argv);
PACER_AVAILABLE_IN_ALL
const char         *pacer_test_command_get_name              (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
const char * const *pacer_test_command_get_argv              (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
const char         *pacer_test_command_get_working_directory (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
void                pacer_test_command_set_working_directory (PacerTestCommand   *self,
                                                              const char         *working_directory);
PACER_AVAILABLE_IN_ALL
const char * const *pacer_test_command_get_environment       (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
void                pacer_test_command_set_environment       (PacerTestCommand   *self,
                                                              const char * const *environment);
PACER_AVAILABLE_IN_ALL
gboolean            pacer_test_command_get_tap               (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
void                pacer_test_command_set_tap               (PacerTestCommand   *self,
                                                              gboolean            tap);
PACER_AVAILABLE_IN_ALL
gboolean            pacer_test_command_get_exclusive         (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
void                pacer_test_command_set_exclusive         (PacerTestCommand   *self,
                                                              gboolean            exclusive);
PACER_AVAILABLE_IN_ALL
gboolean            pacer_test_command_get_fresh_directory   (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
void                pacer_test_command_set_fresh_directory   (PacerTestCommand   *self,
                                                              gboolean            fresh_directory);
PACER_AVAILABLE_IN_ALL
double              pacer_test_command_get_timeout           (PacerTestCommand   *self);
PACER_AVAILABLE_IN_ALL
void                pacer_test_command_set_timeout           (PacerTestCommand   *self,
                                                              double              timeout);

G_END_DECLS
