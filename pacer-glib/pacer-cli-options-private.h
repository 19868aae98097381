/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* pacer-run's command line, checked: what runs, how, and what is printed and
 * written. */

#include <pacer-glib/pacer-glib.h>

G_BEGIN_DECLS

/* The exit status of a bad command line or a report that cannot be written. */
#define PACER_CLI_EXIT_USAGE 2

typedef struct
{
  /* What runs: the operands are test programs, one command and its
   * arguments (--exec), .test files or directories (--installed-tests), or
   * the names of a meson build directory's tests (-C). */
  char **programs;
  gboolean exec;
  gboolean installed_tests;
  char *build_dir;
  char **suites;
  char **no_suites;
  double timeout_multiplier;
  gboolean no_rebuild;
  gboolean list;

  /* How it runs: the runner's properties. Groups and serial tests include
   * pacer.ini's, the partition Bazel's. */
  guint n_workers;
  guint max_workers;
  int max_worker_restart;
  int maxfail;
  int retries;
  double timeout;
  char *seed;
  char *mode;
  char **paths;
  char **skip_paths;
  char *partition;
  PacerDistMode dist;
  char **groups;
  char **serial;
  gboolean strict_order;
  gboolean order_check;
  char *cache_dir;

  /* What is printed, and the reports written. */
  gboolean verbose;
  gboolean quiet;
  char *tap;
  char *junit_xml;
  char *json;
  char *timeline;
} PacerCliOptions;

gboolean pacer_cli_options_parse (PacerCliOptions  *options,
                                  int               argc,
                                  char            **argv,
                                  int              *exit_status);
void     pacer_cli_options_clear (PacerCliOptions  *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PacerCliOptions, pacer_cli_options_clear)

G_END_DECLS
