/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-test-result.h"

G_BEGIN_DECLS

/* Fills the fields directly: a runner makes one result per test, and setting
 * eight properties through GValues costs more than the rest of it. Takes
 * @command. */
PacerTestResult *_pacer_test_result_new_full (const char       *program,
                                              const char       *path,
                                              PacerTestOutcome  outcome,
                                              double            duration,
                                              const char       *worker,
                                              const char       *message,
                                              const char       *output,
                                              GStrv             command);

/* When the attempt ran, in Unix seconds, and how many attempts the test had;
 * @failed_attempts (taken, nullable) holds one result per earlier failed
 * attempt. Set once, right after creation. */
void _pacer_test_result_set_attempt (PacerTestResult *self,
                                     double           start_time,
                                     double           end_time,
                                     guint            attempts,
                                     GPtrArray       *failed_attempts);

/* Set once, right after creation. */
void _pacer_test_result_set_order_dependent (PacerTestResult *self,
                                             gboolean         order_dependent);

G_END_DECLS
