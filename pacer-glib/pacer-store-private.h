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

/* An edit's turn in the fair queue of the lock of a Redis store: waits as
 * @timeout says (<0 for ever, 0 not at all) and returns the turn, with the
 * value (NULL when nothing is stored) and its version as the turn found them.
 * Returns: (transfer full): the turn, or NULL with an error */
char       *_pacer_redis_store_begin_edit (PacerStore  *store,
                                           double       timeout,
                                           GBytes     **out_contents,
                                           guint64     *out_version,
                                           GError     **error);
/* Ends @turn, writing @contents first unless it is NULL, and hands the lock
 * to the next in line, all in one round trip; @out_version is the version
 * written (0 when nothing was). A write whose turn was taken over after its
 * lease ran out is refused with PACER_ERROR_TIMEOUT. */
gboolean    _pacer_redis_store_end_edit   (PacerStore  *store,
                                           const char  *turn,
                                           guint64      version,
                                           GBytes      *contents,
                                           guint64     *out_version,
                                           GError     **error);
/* Writes @contents (or, when NULL, only checks) if the value is still at
 * @version, nobody holds the lock and nobody is in line for it: an edit
 * without a turn, in one round trip, for a writer that met nobody last time.
 * Fails with PACER_ERROR_CONFLICT otherwise. */
gboolean    _pacer_redis_store_edit_at    (PacerStore  *store,
                                           guint64      version,
                                           GBytes      *contents,
                                           guint64     *out_version,
                                           GError     **error);
/* For tests: shorter leases than the defaults (30 s, 2 s). */
void        _pacer_redis_store_set_leases (PacerStore  *store,
                                           guint        lock_msec,
                                           guint        edit_msec);
/* For tests: stops renewing the lease of the lock @store holds, as a holder
 * cut off from the server would. */
void        _pacer_redis_store_stop_renewing (PacerStore *store);
#endif

G_END_DECLS
