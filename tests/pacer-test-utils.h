/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Helpers the GTest programs in tests/ share: running the pacer-run that was
 * built, reading what it printed, and the scratch directory of a test
 * program. Private to the tests; linked into every one of them. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void                 pacer_test_keep_segv_a_signal      (void);

char                *pacer_test_make_tmp_dir            (const char          *tmpl);
void                 pacer_test_tmp_dir_free            (char                *dir);

const char          *pacer_test_pacer_run               (void);

GSubprocessLauncher *pacer_test_launcher_new            (void);
GSubprocessLauncher *pacer_test_fake_gtest_launcher_new (const char          *tests,
                                                         const char          *log);

GSubprocess         *pacer_test_spawn                   (GSubprocessLauncher *launcher,
                                                         const char * const  *argv);
GSubprocess         *pacer_test_spawn_pacer_run         (GSubprocessLauncher *launcher,
                                                         const char * const  *args);
int                  pacer_test_wait                    (GSubprocess         *process,
                                                         char               **out,
                                                         char               **err);
int                  pacer_test_run_pacer_run           (GSubprocessLauncher *launcher,
                                                         const char * const  *args,
                                                         char               **out,
                                                         char               **err);

char                *pacer_test_last_line               (const char          *text);

G_END_DECLS
