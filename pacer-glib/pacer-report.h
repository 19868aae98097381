/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <glib.h>

#include <pacer-glib/pacer-runner.h>
#include <pacer-glib/pacer-version-macros.h>

G_BEGIN_DECLS

PACER_AVAILABLE_IN_ALL
gboolean pacer_report_check_writable  (const char   *path,
                                       GError      **error);
PACER_AVAILABLE_IN_ALL
gboolean pacer_runner_write_junit_xml (PacerRunner  *self,
                                       const char   *path,
                                       GError      **error);
PACER_AVAILABLE_IN_ALL
gboolean pacer_runner_write_json      (PacerRunner  *self,
                                       const char   *path,
                                       GError      **error);
PACER_AVAILABLE_IN_ALL
gboolean pacer_runner_write_timeline  (PacerRunner  *self,
                                       const char   *path,
                                       GError      **error);

G_END_DECLS
