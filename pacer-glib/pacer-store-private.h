/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "pacer-store.h"

G_BEGIN_DECLS

/* The store for @name in this run: PACER_STORE when set, else the run directory. */
PacerStore *_pacer_store_new_for_run (const char *name);

#ifdef HAVE_HIREDIS
/* Makes a store on the Redis server @uri names, for the key pacer:PREFIX:@name.
 * With @connect_now the server is reached (and AUTH and SELECT checked) at
 * once, so a bad URI or a server that is down is an error here. */
PacerStore *_pacer_redis_store_new (const char  *uri,
                                    const char  *name,
                                    gboolean     connect_now,
                                    GError     **error);
gboolean    _pacer_store_is_redis  (PacerStore  *store);
#endif

G_END_DECLS
