/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerDurationHistory:
 *
 * How long each test took when it last ran, kept in a JSON file between runs.
 *
 * [class@Pacer.LoadScheduler] starts the longest tests first from these
 * figures, so that a second run of a skewed suite ends close to the ideal
 * time. Tests are keyed by the program's absolute path and the test's path.
 * The file lives under `$XDG_CACHE_HOME/pacer-glib/` unless told otherwise and
 * is replaced atomically, so a run killed while saving leaves the old history.
 * It also remembers which programs have order-dependent tests, so that the
 * next run keeps their tests together, in listing order.
 *
 * ```c
 * g_autofree char *file = pacer_duration_history_default_file (NULL);
 * g_autoptr(PacerDurationHistory) history = pacer_duration_history_new (file);
 * if (!pacer_duration_history_load (history, &error))
 *   g_warning ("%s", error->message);
 * double seconds = pacer_duration_history_lookup (history, "/usr/libexec/test-foo", "/foo/bar");
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <errno.h>
#include <math.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pacer-duration-history.h"
#include "pacer-error.h"
#include "pacer-glib-private.h"
#include "pacer-json-utils-private.h"

#define HISTORY_VERSION 1

struct _PacerDurationHistory
{
  GObject parent_instance;

  char *file;
  /* absolute program path → (test path → double seconds, boxed) */
  GHashTable *programs;
  /* The last program asked about and its table: a run asks about one
   * program many times in a row, and canonicalizing a path each time costs. */
  GHashTable *order_dependent;  /* program keys */
  char *last_program;
  GHashTable *last_tests;
};

enum {
  PROP_0,
  PROP_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PacerDurationHistory, pacer_duration_history, G_TYPE_OBJECT)

/* The same program given as `./test-foo` and as `/abs/test-foo` is one program. */
static char *
program_key (const char *program)
{
  return g_canonicalize_filename (program, NULL);
}

static GHashTable *
new_path_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* The table of @program's tests, made if @create; NULL if there is none. */
static GHashTable *
tests_for (PacerDurationHistory *self,
           const char           *program,
           gboolean              create)
{
  g_autofree char *key = NULL;
  GHashTable *tests;

  if (self->last_program != NULL && g_str_equal (program, self->last_program))
    {
      if (self->last_tests != NULL || !create)
        return self->last_tests;
    }

  key = program_key (program);
  tests = g_hash_table_lookup (self->programs, key);
  if (tests == NULL && create)
    {
      tests = new_path_table ();
      g_hash_table_insert (self->programs, g_strdup (key), tests);
    }

  /* The table lives as long as self->programs holds it: never removed. */
  g_free (self->last_program);
  self->last_program = g_strdup (program);
  self->last_tests = tests;
  return tests;
}

static void
pacer_duration_history_finalize (GObject *object)
{
  PacerDurationHistory *self = PACER_DURATION_HISTORY (object);

  g_free (self->file);
  g_free (self->last_program);
  g_hash_table_unref (self->programs);
  g_hash_table_unref (self->order_dependent);

  G_OBJECT_CLASS (pacer_duration_history_parent_class)->finalize (object);
}

static void
pacer_duration_history_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PacerDurationHistory *self = PACER_DURATION_HISTORY (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_string (value, self->file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_duration_history_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PacerDurationHistory *self = PACER_DURATION_HISTORY (object);

  switch (prop_id)
    {
    case PROP_FILE:
      self->file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_duration_history_class_init (PacerDurationHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pacer_duration_history_finalize;
  object_class->get_property = pacer_duration_history_get_property;
  object_class->set_property = pacer_duration_history_set_property;

  /**
   * PacerDurationHistory:file:
   *
   * The JSON file the history is loaded from and saved to.
   *
   * Since: 1.0
   */
  properties[PROP_FILE] =
    g_param_spec_string ("file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pacer_duration_history_init (PacerDurationHistory *self)
{
  self->programs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_hash_table_unref);
  self->order_dependent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * pacer_duration_history_new:
 * @file: (type filename): the JSON file to keep the history in
 *
 * Creates an empty history kept in @file; call
 * [method@Pacer.DurationHistory.load] to read what is there.
 *
 * Returns: (transfer full): a new history
 *
 * Since: 1.0
 */
PacerDurationHistory *
pacer_duration_history_new (const char *file)
{
  g_return_val_if_fail (file != NULL, NULL);

  return g_object_new (PACER_TYPE_DURATION_HISTORY, "file", file, NULL);
}

/**
 * pacer_duration_history_default_file:
 * @cache_dir: (nullable) (type filename): a cache directory, or `NULL` for
 *   `$XDG_CACHE_HOME/pacer-glib`
 *
 * Gets the history file `pacer-run` uses: `durations.json` in @cache_dir.
 *
 * Returns: (transfer full) (type filename): the file's path
 *
 * Since: 1.0
 */
char *
pacer_duration_history_default_file (const char *cache_dir)
{
  if (cache_dir != NULL)
    return g_build_filename (cache_dir, "durations.json", NULL);
  return g_build_filename (g_get_user_cache_dir (), "pacer-glib", "durations.json", NULL);
}

/**
 * pacer_duration_history_get_file:
 * @self: a history
 *
 * Gets [property@Pacer.DurationHistory:file].
 *
 * Returns: (transfer none) (type filename): the history file
 *
 * Since: 1.0
 */
const char *
pacer_duration_history_get_file (PacerDurationHistory *self)
{
  g_return_val_if_fail (PACER_IS_DURATION_HISTORY (self), NULL);
  return self->file;
}

/**
 * pacer_duration_history_load:
 * @self: a history
 * @error: return location for a [type@GLib.Error]
 *
 * Reads the history file, adding what it holds to @self. A missing file is an
 * empty history, not an error.
 *
 * Returns: `TRUE` on success; `FALSE` with `PACER_ERROR_CORRUPT_STATE` or
 *   `PACER_ERROR_IO` if the file cannot be used
 *
 * Since: 1.0
 */
gboolean
pacer_duration_history_load (PacerDurationHistory  *self,
                             GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  JsonNode *root;
  JsonObject *programs;
  JsonObjectIter iter;
  const char *program;
  JsonNode *tests;
  JsonNode *ordered;

  g_return_val_if_fail (PACER_IS_DURATION_HISTORY (self), FALSE);

  _pacer_ensure_i18n ();

  /* A link planted at the history's place is not followed: the history is
   * replaced, never written through a link, and never read through one. */
  if (!_pacer_read_no_follow (self->file, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Cannot read the duration history “%s”: %s"), self->file, local_error->message);
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” does not hold valid JSON: %s"), self->file, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      _pacer_json_get_int (json_node_get_object (root), "version", 0) != HISTORY_VERSION ||
      !json_object_has_member (json_node_get_object (root), "programs") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "programs")))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_CORRUPT_STATE,
                   _("“%s” is not a pacer-glib duration history"), self->file);
      return FALSE;
    }

  ordered = json_object_get_member (json_node_get_object (root), "order-dependent");
  if (ordered != NULL && JSON_NODE_HOLDS_ARRAY (ordered))
    {
      JsonArray *array = json_node_get_array (ordered);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          /* A stray value is dropped, as below: it only steers scheduling. */
          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            pacer_duration_history_set_order_dependent (self, json_node_get_string (element), TRUE);
        }
    }

  programs = json_object_get_object_member (json_node_get_object (root), "programs");
  json_object_iter_init (&iter, programs);
  while (json_object_iter_next (&iter, &program, &tests))
    {
      JsonObjectIter test_iter;
      const char *path;
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (tests))
        continue;
      json_object_iter_init (&test_iter, json_node_get_object (tests));
      while (json_object_iter_next (&test_iter, &path, &value))
        {
          /* A stray value in a cache is dropped, not fatal: it only steers ordering. */
          if (JSON_NODE_HOLDS_VALUE (value) &&
              (json_node_get_value_type (value) == G_TYPE_DOUBLE ||
               json_node_get_value_type (value) == G_TYPE_INT64))
            pacer_duration_history_record (self, program, path, json_node_get_double (value));
        }
    }

  return TRUE;
}

/**
 * pacer_duration_history_save:
 * @self: a history
 * @error: return location for a [type@GLib.Error]
 *
 * Writes the history to its file, creating the directory if needed. The file
 * is written under a temporary name and renamed over the old one.
 *
 * Returns: `TRUE` on success; `FALSE` with `PACER_ERROR_IO` otherwise
 *
 * Since: 1.0
 */
gboolean
pacer_duration_history_save (PacerDurationHistory  *self,
                             GError               **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gsize length = 0;

  g_return_val_if_fail (PACER_IS_DURATION_HISTORY (self), FALSE);

  _pacer_ensure_i18n ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, HISTORY_VERSION);
  json_builder_set_member_name (builder, "programs");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, self->programs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GHashTableIter test_iter;
      gpointer path, seconds;

      json_builder_set_member_name (builder, key);
      json_builder_begin_object (builder);
      g_hash_table_iter_init (&test_iter, value);
      while (g_hash_table_iter_next (&test_iter, &path, &seconds))
        {
          json_builder_set_member_name (builder, path);
          json_builder_add_double_value (builder, *(double *) seconds);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  if (g_hash_table_size (self->order_dependent) > 0)
    {
      json_builder_set_member_name (builder, "order-dependent");
      json_builder_begin_array (builder);
      g_hash_table_iter_init (&iter, self->order_dependent);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        json_builder_add_string_value (builder, key);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  length = _pacer_json_repair_numbers (text, length);

  dir = g_path_get_dirname (self->file);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Cannot create the cache directory “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* g_file_set_contents() writes a temporary file and renames it into place. */
  if (!g_file_set_contents_full (self->file, text, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_IO,
                   _("Cannot write the duration history “%s”: %s"), self->file, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * pacer_duration_history_lookup:
 * @self: a history
 * @program: (type filename): the test program
 * @path: the test's path
 *
 * Gets how long the test took when it last ran.
 *
 * Returns: the duration in seconds, or -1 if the test is unknown
 *
 * Since: 1.0
 */
double
pacer_duration_history_lookup (PacerDurationHistory *self,
                               const char           *program,
                               const char           *path)
{
  GHashTable *tests;
  double *seconds;

  g_return_val_if_fail (PACER_IS_DURATION_HISTORY (self), -1);
  g_return_val_if_fail (program != NULL && path != NULL, -1);

  tests = tests_for (self, program, FALSE);
  if (tests == NULL)
    return -1;
  seconds = g_hash_table_lookup (tests, path);
  return seconds != NULL ? *seconds : -1;
}

/**
 * pacer_duration_history_record:
 * @self: a history
 * @program: (type filename): the test program
 * @path: the test's path
 * @duration: how long the test took, in seconds
 *
 * Records how long a test took. A test that took longer than known is
 * known by its new duration at once; one that took less moves the figure
 * halfway down. Per-test times are measured from when results are read, so a
 * busy reader can time a test far too short, and an underestimate is what
 * hurts: longest-first puts it at the end of a run, where work should be
 * small and predictable. A @duration that is not a finite number is ignored.
 *
 * Since: 1.0
 */
void
pacer_duration_history_record (PacerDurationHistory *self,
                               const char           *program,
                               const char           *path,
                               double                duration)
{
  GHashTable *tests;
  double *seconds;

  g_return_if_fail (PACER_IS_DURATION_HISTORY (self));
  g_return_if_fail (program != NULL && path != NULL);

  /* An infinite duration could not be saved (JSON has no such number), and
   * NaN compares as nothing: neither can order tests. */
  if (!isfinite (duration))
    return;
  duration = MAX (duration, 0.0);
  tests = tests_for (self, program, TRUE);
  seconds = g_hash_table_lookup (tests, path);
  if (seconds != NULL)
    {
      *seconds = duration >= *seconds ? duration : (*seconds + duration) / 2;
      return;
    }
  seconds = g_new (double, 1);
  *seconds = duration;
  g_hash_table_insert (tests, g_strdup (path), seconds);
}

/**
 * pacer_duration_history_set_order_dependent:
 * @self: a history
 * @program: (type filename): the test program
 * @order_dependent: whether some test of @program fails when split from it
 *   but passes when the program runs in listing order
 *
 * Remembers that @program has order-dependent tests: [class@Pacer.Runner]
 * then runs all its tests in one process, in listing order, instead of
 * spreading them over workers. Delete the history file (or set this to
 * `FALSE`) once the tests are fixed.
 *
 * Since: 1.0
 */
void
pacer_duration_history_set_order_dependent (PacerDurationHistory *self,
                                            const char           *program,
                                            gboolean              order_dependent)
{
  g_autofree char *key = NULL;

  g_return_if_fail (PACER_IS_DURATION_HISTORY (self));
  g_return_if_fail (program != NULL);

  key = program_key (program);
  if (order_dependent)
    g_hash_table_add (self->order_dependent, g_steal_pointer (&key));
  else
    g_hash_table_remove (self->order_dependent, key);
}

/**
 * pacer_duration_history_get_order_dependent:
 * @self: a history
 * @program: (type filename): the test program
 *
 * Gets whether @program is known to have order-dependent tests; see
 * [method@Pacer.DurationHistory.set_order_dependent].
 *
 * Returns: `TRUE` if it has
 *
 * Since: 1.0
 */
gboolean
pacer_duration_history_get_order_dependent (PacerDurationHistory *self,
                                            const char           *program)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (PACER_IS_DURATION_HISTORY (self), FALSE);
  g_return_val_if_fail (program != NULL, FALSE);

  key = program_key (program);
  return g_hash_table_contains (self->order_dependent, key);
}
