/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__PACER_GLIB_INSIDE__) && !defined(PACER_COMPILATION)
# error "Only <pacer-glib/pacer-glib.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include <pacer-glib/pacer-shared-json.h>
#include <pacer-glib/pacer-store.h>

G_BEGIN_DECLS

#define PACER_TYPE_SHARED_FIXTURE (pacer_shared_fixture_get_type ())

PACER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (PacerSharedFixture, pacer_shared_fixture, PACER, SHARED_FIXTURE, GObject)

/**
 * PacerSharedFixtureSetupFunc:
 * @fixture: the fixture being computed
 * @user_data: the data given with the function
 * @error: return location for a [type@GLib.Error]
 *
 * Computes a shared fixture's data, once for the whole run.
 *
 * Returns: (transfer full) (nullable): the data, or `NULL` with @error set
 *
 * Since: 1.0
 */
typedef JsonNode *(*PacerSharedFixtureSetupFunc) (PacerSharedFixture  *fixture,
                                                  gpointer             user_data,
                                                  GError             **error);

/**
 * PacerSharedFixtureSerializeFunc:
 * @fixture: the fixture
 * @data: the data its setup computed
 * @user_data: the data given with the function
 * @error: return location for a [type@GLib.Error]
 *
 * Turns a fixture's data into what its store keeps, when JSON text is not
 * the form wanted.
 *
 * Returns: (transfer full) (nullable): the stored form, or `NULL` with @error set
 *
 * Since: 1.0
 */
typedef GBytes *(*PacerSharedFixtureSerializeFunc) (PacerSharedFixture  *fixture,
                                                    JsonNode            *data,
                                                    gpointer             user_data,
                                                    GError             **error);

/**
 * PacerSharedFixtureDeserializeFunc:
 * @fixture: the fixture
 * @bytes: what a [callback@Pacer.SharedFixtureSerializeFunc] made
 * @user_data: the data given with the function
 * @error: return location for a [type@GLib.Error]
 *
 * Turns a fixture's stored form back into its data.
 *
 * Returns: (transfer full) (nullable): the data, or `NULL` with @error set
 *
 * Since: 1.0
 */
typedef JsonNode *(*PacerSharedFixtureDeserializeFunc) (PacerSharedFixture  *fixture,
                                                        GBytes              *bytes,
                                                        gpointer             user_data,
                                                        GError             **error);

/**
 * PacerSharedFixtureParseFunc:
 * @fixture: the fixture
 * @data: the fixture's data, computed here or loaded
 * @user_data: the data given with the function
 * @error: return location for a [type@GLib.Error]
 *
 * Makes the object tests use from a fixture's data, in every process that
 * asks for it: a connection, a client, anything that cannot be stored.
 *
 * Returns: (transfer full) (nullable): the object, or `NULL` with @error set
 *
 * Since: 1.0
 */
typedef GObject *(*PacerSharedFixtureParseFunc) (PacerSharedFixture  *fixture,
                                                 JsonNode            *data,
                                                 gpointer             user_data,
                                                 GError             **error);

/**
 * PacerSharedFixtureCleanupFunc:
 * @fixture: the fixture
 * @data: the data its setup computed
 * @user_data: the data given with the function
 * @error: return location for a [type@GLib.Error]
 *
 * Undoes a fixture's setup, once for the whole run, after its last test.
 *
 * Returns: `TRUE` if everything was cleaned up, `FALSE` with @error set
 *
 * Since: 1.0
 */
typedef gboolean (*PacerSharedFixtureCleanupFunc) (PacerSharedFixture  *fixture,
                                                   JsonNode            *data,
                                                   gpointer             user_data,
                                                   GError             **error);

/**
 * PacerSharedJsonInitFunc:
 * @user_data: the data given with the function
 * @error: return location for a [type@GLib.Error]
 *
 * Makes the first value of a run's shared JSON state, in the first worker
 * that asks for it.
 *
 * Returns: (transfer full) (nullable): the first value, or `NULL` with @error set
 *
 * Since: 1.0
 */
typedef JsonObject *(*PacerSharedJsonInitFunc) (gpointer   user_data,
                                                GError   **error);

/**
 * PacerSharedJsonFinalFunc:
 * @data: the shared state as the run left it
 * @user_data: the data given with the function
 * @error: return location for a [type@GLib.Error]
 *
 * Sees a run's shared JSON state once every test is over.
 *
 * Returns: `TRUE` on success, `FALSE` with @error set
 *
 * Since: 1.0
 */
typedef gboolean (*PacerSharedJsonFinalFunc) (JsonObject  *data,
                                              gpointer     user_data,
                                              GError     **error);

PACER_AVAILABLE_IN_ALL
PacerSharedFixture *pacer_shared_fixture_new                 (const char                        *name,
                                                              PacerSharedFixtureSetupFunc        setup,
                                                              gpointer                           user_data,
                                                              GDestroyNotify                     destroy);
PACER_AVAILABLE_IN_ALL
PacerSharedFixture *pacer_shared_fixture_new_for_shared_json (const char                        *name,
                                                              PacerSharedJsonInitFunc            on_first_worker,
                                                              gpointer                           user_data,
                                                              GDestroyNotify                     destroy);
PACER_AVAILABLE_IN_ALL
const char         *pacer_shared_fixture_get_name            (PacerSharedFixture                *self);
PACER_AVAILABLE_IN_ALL
PacerStore         *pacer_shared_fixture_get_store           (PacerSharedFixture                *self);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_set_store           (PacerSharedFixture                *self,
                                                              PacerStore                        *store);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_set_serialize_func  (PacerSharedFixture                *self,
                                                              PacerSharedFixtureSerializeFunc    func,
                                                              gpointer                           user_data,
                                                              GDestroyNotify                     destroy);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_set_deserialize_func (PacerSharedFixture               *self,
                                                               PacerSharedFixtureDeserializeFunc func,
                                                               gpointer                          user_data,
                                                               GDestroyNotify                    destroy);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_set_parse_func      (PacerSharedFixture                *self,
                                                              PacerSharedFixtureParseFunc        func,
                                                              gpointer                           user_data,
                                                              GDestroyNotify                     destroy);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_set_cleanup_func    (PacerSharedFixture                *self,
                                                              PacerSharedFixtureCleanupFunc      func,
                                                              gpointer                           user_data,
                                                              GDestroyNotify                     destroy);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_set_on_last_worker  (PacerSharedFixture                *self,
                                                              PacerSharedJsonFinalFunc           on_last_worker,
                                                              gpointer                           user_data,
                                                              GDestroyNotify                     destroy);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_declare             (PacerSharedFixture                *self);
PACER_AVAILABLE_IN_ALL
JsonNode           *pacer_shared_fixture_get                 (PacerSharedFixture                *self,
                                                              GError                           **error);
PACER_AVAILABLE_IN_ALL
GObject            *pacer_shared_fixture_get_object          (PacerSharedFixture                *self,
                                                              GError                           **error);
PACER_AVAILABLE_IN_ALL
PacerSharedJson    *pacer_shared_fixture_get_shared_json     (PacerSharedFixture                *self,
                                                              GError                           **error);
PACER_AVAILABLE_IN_ALL
gboolean            pacer_shared_fixture_is_teardown         (void);
PACER_AVAILABLE_IN_ALL
void                pacer_shared_fixture_run_exit_cleanups   (void);

G_END_DECLS
