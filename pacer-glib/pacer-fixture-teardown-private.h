/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One program the teardown pass starts, and the fixtures it tears down. */
typedef struct
{
  char **argv;
  GPtrArray *names;   /* of char *, the fixtures' names */
} PacerTeardownCommand;

/* The commands the teardown pass starts for the registry's @fixtures (a
 * GPtrArray of PacerTeardownCommand, freeing them), in recorded order. The
 * registry is written by test processes, so it is read without trust; apart
 * from the pass itself only the fuzzing harness calls this. */
GPtrArray *_pacer_fixture_teardown_plan (JsonObject         *fixtures,
                                         const char * const *gtest_programs);

/* Called once the teardown pass is over, with NULL or a NULL-terminated array
 * of messages, one per cleanup that failed, crashed, hung or never ran. */
typedef void (*PacerTeardownDoneFunc) (char     **failures,
                                       gpointer   user_data);

/* The runner's last step of every run, whatever ended it: starts each program
 * that recorded a shared-fixture cleanup in @run_dir once, in teardown mode,
 * one after the other, each bounded by @time_limit seconds. Programs in
 * @gtest_programs are given `-p` of a path no test has, so that nothing but
 * the cleanups can run in them. Independent of how tests were scheduled.
 * @done may be called before this returns. */
void _pacer_fixture_teardown_run (GMainContext        *context,
                                  const char          *run_dir,
                                  const char          *testrun_uid,
                                  const char * const  *gtest_programs,
                                  double               time_limit,
                                  PacerTeardownDoneFunc done,
                                  gpointer             user_data);

G_END_DECLS
