/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include <pacer-glib/pacer-duration-history.h>
#include <pacer-glib/pacer-scheduler.h>
#include <pacer-glib/pacer-test-command.h>
#include <pacer-glib/pacer-test-result.h>
#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

#define PACER_TYPE_RUNNER (pacer_runner_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerRunner, pacer_runner, PACER, RUNNER, GObject)

PACER_AVAILABLE_IN_ALL
PacerRunner      *pacer_runner_new            (const char * const  *programs);
PACER_AVAILABLE_IN_ALL
gboolean          pacer_runner_run            (PacerRunner         *self,
                                               GCancellable        *cancellable,
                                               GError             **error);
PACER_AVAILABLE_IN_ALL
void              pacer_runner_run_async      (PacerRunner         *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
PACER_AVAILABLE_IN_ALL
gboolean          pacer_runner_run_finish     (PacerRunner         *self,
                                               GAsyncResult        *result,
                                               GError             **error);
PACER_AVAILABLE_IN_ALL
GPtrArray        *pacer_runner_get_results    (PacerRunner         *self);
PACER_AVAILABLE_IN_ALL
GPtrArray        *pacer_runner_list_tests     (PacerRunner         *self,
                                               GCancellable        *cancellable,
                                               GError             **error);
PACER_AVAILABLE_IN_ALL
guint             pacer_runner_get_count      (PacerRunner         *self,
                                               PacerTestOutcome     outcome);
PACER_AVAILABLE_IN_ALL
guint             pacer_runner_get_n_tests    (PacerRunner         *self);
PACER_AVAILABLE_IN_ALL
guint             pacer_runner_get_n_workers_used (PacerRunner     *self);
PACER_AVAILABLE_IN_ALL
guint             pacer_runner_get_n_whole_programs (PacerRunner   *self);
PACER_AVAILABLE_IN_ALL
const char * const *pacer_runner_get_cleanup_failures (PacerRunner *self);
PACER_AVAILABLE_IN_ALL
const char       *pacer_runner_get_seed       (PacerRunner         *self);
PACER_AVAILABLE_IN_ALL
char             *pacer_runner_generate_seed  (void);
PACER_AVAILABLE_IN_ALL
gboolean          pacer_runner_seed_is_valid  (const char          *seed);
PACER_AVAILABLE_IN_ALL
guint             pacer_runner_get_usable_cpus (void);
PACER_AVAILABLE_IN_ALL
void              pacer_runner_add_command    (PacerRunner         *self,
                                               PacerTestCommand    *command);
PACER_AVAILABLE_IN_ALL
GPtrArray        *pacer_runner_get_commands   (PacerRunner         *self);

G_END_DECLS
