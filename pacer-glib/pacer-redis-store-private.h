/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <hiredis/hiredis.h>

#include "pacer-store-private.h"

G_BEGIN_DECLS

/* Runs @script (known to the server by its SHA-1 @sha) with KEYS = the
 * store's value key and lock key and ARGV = @args, retrying a lost connection
 * with backoff until @deadline (monotonic µs; G_MAXINT64 for the store's own
 * bound). An error reply becomes a PacerError naming the key.
 * Returns: (transfer full): the reply, or NULL with @error set */
redisReply *_pacer_redis_store_eval          (PacerStore    *store,
                                              const char    *script,
                                              const char    *sha,
                                              const char   **args,
                                              const size_t  *args_len,
                                              guint          n_args,
                                              gint64         deadline,
                                              GError       **error);
/* How long keys live after a change, in ms, as decimal text. */
const char *_pacer_redis_store_get_ttl_msec  (PacerStore    *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (redisReply, freeReplyObject)

G_END_DECLS
