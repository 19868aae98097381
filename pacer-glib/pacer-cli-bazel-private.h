/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean pacer_cli_bazel_partition (char    **partition,
                                    GError  **error);

G_END_DECLS
