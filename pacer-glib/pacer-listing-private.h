/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads what `PROGRAM -l` printed. Returns the test paths (lines starting with
 * `/`, only those after the TAP plan line when some follow it, in run order)
 * and sets *is_gtest when the output is a GTest program's: any path, or
 * GTest's `# random seed:` line (a program with no test left
 * after filtering still prints it). */
GPtrArray *_pacer_listing_parse (const char *text,
                                 gsize       length,
                                 gboolean   *is_gtest);

/* Whether @file may be a GTest program, worth asking for `-l`: an ELF file
 * that names g_test_init() or carries GTest's own option strings. Anything
 * else (a script, a program without GLib's test framework) would run in
 * full for `-l`, side effects and all, so it runs whole, once. */
gboolean _pacer_listing_may_be_gtest (const char *file);

/* The tests of @paths that are also suites (some other path is their direct
 * child), which GTest can only run exactly as `-p P -x P/`, in a batch alone. */
GHashTable *_pacer_listing_find_suites (GPtrArray *paths);

G_END_DECLS
