/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A private redis-server for one test: started in its own temporary directory
 * on a unix socket (or a free loopback port), stopped and removed at the end.
 * Tests that need one skip themselves when redis-server is not installed. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PacerTestRedis PacerTestRedis;

PacerTestRedis *pacer_test_redis_start    (gboolean        tcp,
                                           const char     *password);
void            pacer_test_redis_stop     (PacerTestRedis *redis);
void            pacer_test_redis_restart  (PacerTestRedis *redis);
void            pacer_test_redis_free     (PacerTestRedis *redis);
const char     *pacer_test_redis_get_uri  (PacerTestRedis *redis);
char           *pacer_test_redis_command  (PacerTestRedis *redis,
                                           const char     *format,
                                           ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PacerTestRedis, pacer_test_redis_free)

G_END_DECLS
