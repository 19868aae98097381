/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-token-bucket.h"

G_BEGIN_DECLS

/* Times are Unix µs on the bucket's clock; @started is when the call was
 * let through, which its duration is measured from. */
PacerCall *_pacer_call_new (PacerTokenBucket *bucket,
                            double            calls_per_hour,
                            gint64            call_count,
                            gint64            exceptions,
                            gint64            start_time,
                            gint64            slot,
                            double            seconds_waited,
                            gint64            started);

G_END_DECLS
