/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run -C BUILDDIR: runs a meson build directory's tests from meson's
 * own list, `meson-info/intro-tests.json`, with what `meson test` (1.0)
 * gives each of them:
 *
 * - its `cmd`, its `env` on top of the inherited environment, and its
 *   `workdir`, or else the build directory, where meson test chdirs to;
 * - `MALLOC_PERTURB_` set to a random 1…255 unless the test or the
 *   environment sets it to something, as meson does for every test;
 * - its `timeout` (≤ 0: none), times `--timeout-multiplier` (≤ 0: none);
 * - `is_parallel: false`: it runs while nothing else runs;
 * - `protocol: 'tap'`: its TAP lines are results; any other protocol is
 *   judged by the exit status (0 pass, 77 skip, anything else fails);
 * - `priority`: higher first, as meson starts them;
 * - its name as meson prints it: `NAME`, or `PROJECT:SUITE+SUITE / NAME`
 *   when the build has more than one suite;
 * - `--suite`/`--no-suite` and `[PROJECT:]NAME` arguments select as
 *   meson test's do;
 * - before reading the list, `ninja build.ninja` regenerates it if
 *   meson.build changed, then the tests' `depends` are built, as meson test
 *   does unless `--no-rebuild`.
 *
 * GTest programs among them are split over the workers like any others.
 *
 * What the list cannot tell: meson's introspection writes a test's `env` as
 * values, so a variable that meson.build prepends or appends to (say
 * `env.prepend('PATH', …)`) replaces the inherited one instead of extending
 * it; and test setups (`add_test_setup`, `--setup`) are not in the list. */

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pacer-cli-meson-private.h"

typedef struct
{
  PacerTestCommand *command;
  gint64 priority;
} Entry;

static void
entry_clear (Entry *entry)
{
  g_clear_object (&entry->command);
}

static char *
info_file (const char *build_dir,
           const char *kind)
{
  g_autofree char *name = g_strdup_printf ("intro-%s.json", kind);

  return g_build_filename (build_dir, "meson-info", name, NULL);
}

/* meson-info/intro-KIND.json, which must be a JSON array. */
static JsonArray *
load_array (const char  *build_dir,
            const char  *kind,
            GError     **error)
{
  g_autofree char *file = info_file (build_dir, kind);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!g_file_test (build_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("%s: no such build directory"), build_dir);
      return NULL;
    }
  if (!g_file_test (file, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("%s: no such file: “%s” is not a configured meson build directory "
                     "(run “meson setup %s” first)"), file, build_dir, build_dir);
      return NULL;
    }
  if (!json_parser_load_from_mapped_file (parser, file, &local_error))
    {
      /* json-glib names the file itself when it reads a mapped one. */
      if (g_str_has_prefix (local_error->message, file))
        g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, local_error->message);
      else
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", file, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("%s: not a JSON array as meson writes it"), file);
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
}

/* Bad members name the file, the entry and the member: the file is meson's,
 * so this only happens when it is damaged or from an unknown meson. */
static gboolean
malformed (GError     **error,
           const char  *file,
           guint        index,
           const char  *member,
           const char  *what)
{
  /* TRANSLATORS: the file, the entry's number, the member's name, what it must be */
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               _("%s: entry %u: “%s” is missing or not %s"), file, index, member, what);
  return FALSE;
}

static gboolean
is_string_array (JsonNode *node,
                 gboolean  may_be_empty)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  if (!may_be_empty && json_array_get_length (array) == 0)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE);
}

/* Checks one entry of intro-tests.json. */
static gboolean
check_test (JsonNode    *node,
            const char  *file,
            guint        index,
            GError     **error)
{
  JsonObject *test;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return malformed (error, file, index, "", _("an object"));
  test = json_node_get_object (node);
  if (!is_string (json_object_get_member (test, "name")))
    return malformed (error, file, index, "name", _("a string"));
  if (!is_string_array (json_object_get_member (test, "cmd"), FALSE))
    return malformed (error, file, index, "cmd", _("a list of strings"));
  if (!is_string_array (json_object_get_member (test, "suite"), TRUE))
    return malformed (error, file, index, "suite", _("a list of strings"));
  if (!is_string (json_object_get_member (test, "protocol")))
    return malformed (error, file, index, "protocol", _("a string"));
  if (!is_number (json_object_get_member (test, "timeout")))
    return malformed (error, file, index, "timeout", _("a number"));
  member = json_object_get_member (test, "is_parallel");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
    return malformed (error, file, index, "is_parallel", _("true or false"));

  /* Optional in older or newer meson: null or absent means none. */
  member = json_object_get_member (test, "workdir");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member) && !is_string (member))
    return malformed (error, file, index, "workdir", _("a string or null"));
  member = json_object_get_member (test, "priority");
  if (member != NULL && !is_number (member))
    return malformed (error, file, index, "priority", _("a number"));
  member = json_object_get_member (test, "depends");
  if (member != NULL && !is_string_array (member, TRUE))
    return malformed (error, file, index, "depends", _("a list of strings"));
  member = json_object_get_member (test, "env");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      g_autoptr(GList) names = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        return malformed (error, file, index, "env", _("an object of strings"));
      names = json_object_get_members (json_node_get_object (member));
      for (GList *l = names; l != NULL; l = l->next)
        if (*(const char *) l->data == '\0' || strchr (l->data, '=') != NULL ||
            !is_string (json_object_get_member (json_node_get_object (member), l->data)))
          return malformed (error, file, index, "env", _("an object of strings"));
    }
  return TRUE;
}

/* meson's split_suite_string(): `PROJECT:SUITE`, or `PROJECT` alone. */
static void
split_suite (const char  *suite,
             char       **project,
             char       **name)
{
  const char *colon = strchr (suite, ':');

  *project = colon != NULL ? g_strndup (suite, colon - suite) : g_strdup (suite);
  *name = g_strdup (colon != NULL ? colon + 1 : "");
}

/* meson's test_in_suites(): SUITE matches a test's suite of that name in
 * any project, and the project of that name; PROJECT:SUITE only that one. */
static gboolean
in_suites (JsonArray          *test_suites,
           const char * const *suites)
{
  for (guint i = 0; suites != NULL && suites[i] != NULL; i++)
    {
      g_autofree char *want_project = NULL;
      g_autofree char *want_suite = NULL;

      split_suite (suites[i], &want_project, &want_suite);
      for (guint j = 0; j < json_array_get_length (test_suites); j++)
        {
          g_autofree char *project = NULL;
          g_autofree char *suite = NULL;

          split_suite (json_array_get_string_element (test_suites, j), &project, &suite);
          if (*want_suite == '\0' && g_str_equal (suite, want_project))
            return TRUE;
          if (*want_project != '\0' && !g_str_equal (project, want_project))
            continue;
          if (*want_suite != '\0' && !g_str_equal (suite, want_suite))
            continue;
          return TRUE;
        }
    }
  return FALSE;
}

/* The project a test belongs to: meson's list does not say, but every
 * suite of a test starts with it (a test without suite gets the project's
 * name as its one suite). */
static char *
test_project (JsonArray *test_suites)
{
  g_autofree char *name = NULL;
  char *project = NULL;

  if (json_array_get_length (test_suites) == 0)
    return g_strdup ("");
  split_suite (json_array_get_string_element (test_suites, 0), &project, &name);
  return project;
}

/* meson test's NAME arguments: `NAME`, `PROJECT:NAME`, `PROJECT:`, `:NAME`. */
static gboolean
selected_by_name (const char         *project,
                  const char         *name,
                  const char * const *names)
{
  if (names == NULL || names[0] == NULL)
    return TRUE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *colon = strchr (names[i], ':');
      g_autofree char *want_project = colon != NULL ? g_strndup (names[i], colon - names[i]) : g_strdup ("");
      const char *want_name = colon != NULL ? colon + 1 : names[i];

      if (*want_project != '\0' && !g_str_equal (project, want_project))
        continue;
      if (*want_name != '\0' && !g_str_equal (name, want_name))
        continue;
      return TRUE;
    }
  return FALSE;
}

/* meson's get_pretty_suite(): the name alone when the build has one suite,
 * else `PROJECT:SUITE+SUITE / NAME` (`PROJECT / NAME` without suites). */
static char *
pretty_name (JsonArray  *test_suites,
             const char *name,
             guint       n_build_suites)
{
  g_autoptr(GString) pretty = NULL;
  g_autoptr(GString) suites = NULL;

  if (n_build_suites <= 1 || json_array_get_length (test_suites) == 0)
    return g_strdup (name);

  pretty = g_string_new (NULL);
  suites = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (test_suites); i++)
    {
      g_autofree char *project = NULL;
      g_autofree char *suite = NULL;

      split_suite (json_array_get_string_element (test_suites, i), &project, &suite);
      if (i == 0)
        g_string_append (pretty, project);
      if (i > 0)
        g_string_append_c (suites, '+');
      g_string_append (suites, suite);
    }
  if (suites->len > 0)
    g_string_append_printf (pretty, ":%s", suites->str);
  g_string_append_printf (pretty, " / %s", name);
  return g_string_free (g_steal_pointer (&pretty), FALSE);
}

/* The test's variables, and MALLOC_PERTURB_ as meson adds it: random in
 * 1…255 unless the environment the test gets already has a non-empty one. */
static GStrv
test_environment (JsonObject *test)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *env_node = json_object_get_member (test, "env");
  JsonObject *env = env_node != NULL && JSON_NODE_HOLDS_OBJECT (env_node) ? json_node_get_object (env_node) : NULL;
  const char *perturb = g_getenv ("MALLOC_PERTURB_");

  if (env != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (env);

      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *value = json_object_get_string_member (env, l->data);

          g_autofree char *entry = g_strconcat (l->data, "=", value, NULL);

          g_strv_builder_add (builder, entry);
          if (g_str_equal (l->data, "MALLOC_PERTURB_"))
            perturb = value;
        }
    }
  if (perturb == NULL || *perturb == '\0')
    {
      g_autofree char *entry = g_strdup_printf ("MALLOC_PERTURB_=%d", g_random_int_range (1, 256));

      g_strv_builder_add (builder, entry);
    }
  return g_strv_builder_end (builder);
}

static double
test_timeout (JsonObject *test,
              double      multiplier)
{
  double timeout = json_node_get_double (json_object_get_member (test, "timeout"));

  if (timeout <= 0 || multiplier <= 0)
    return -1;  /* none, whatever the run's --timeout */
  return timeout * multiplier;
}

static int
compare_priority (gconstpointer a,
                  gconstpointer b)
{
  const Entry *x = a;
  const Entry *y = b;

  return (y->priority > x->priority) - (y->priority < x->priority);
}

/* Asks ninja to regenerate the build files (and so the test list) if
 * meson.build changed, as meson test does first. */
gboolean
pacer_cli_meson_regenerate (const char  *build_dir,
                            GError     **error)
{
  const char *targets[] = { "build.ninja", NULL };
  g_autofree char *build_ninja = g_build_filename (build_dir, "build.ninja", NULL);

  /* Not configured, or not the ninja backend: loading says which. */
  if (!g_file_test (build_ninja, G_FILE_TEST_EXISTS))
    return TRUE;
  return pacer_cli_meson_build (build_dir, targets, error);
}

/* Loads the tests of @build_dir that @filter selects, as commands in the
 * order meson would start them. @depends gets the meson target ids they
 * need built; @max_timeout the longest of their timeouts, 0 if none has. */
GPtrArray *
pacer_cli_meson_load (const char                 *build_dir,
                      const PacerCliMesonFilter  *filter,
                      GStrv                      *depends,
                      double                     *max_timeout,
                      GError                    **error)
{
  g_autofree char *file = info_file (build_dir, "tests");
  g_autofree char *abs_build_dir = g_canonicalize_filename (build_dir, NULL);
  g_autoptr(JsonArray) tests = NULL;
  g_autoptr(GHashTable) build_suites = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) targets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GStrvBuilder) depends_builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer target;

  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  *max_timeout = 0;

  tests = load_array (build_dir, "tests", error);
  if (tests == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (tests); i++)
    {
      JsonArray *suites;

      if (!check_test (json_array_get_element (tests, i), file, i, error))
        return NULL;
      suites = json_object_get_array_member (json_array_get_object_element (tests, i), "suite");
      for (guint j = 0; j < json_array_get_length (suites); j++)
        g_hash_table_add (build_suites, (char *) json_array_get_string_element (suites, j));
    }

  for (guint i = 0; i < json_array_get_length (tests); i++)
    {
      JsonObject *test = json_array_get_object_element (tests, i);
      JsonArray *suites = json_object_get_array_member (test, "suite");
      JsonArray *cmd = json_object_get_array_member (test, "cmd");
      const char *name = json_object_get_string_member (test, "name");
      JsonNode *workdir_node = json_object_get_member (test, "workdir");
      const char *workdir = is_string (workdir_node) ? json_node_get_string (workdir_node) : NULL;
      g_autofree char *project = test_project (suites);
      g_autofree char *pretty = NULL;
      g_autoptr(GStrvBuilder) argv_builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_auto(GStrv) env = NULL;
      Entry entry = { NULL, 0 };
      double timeout;
      guint seen;

      /* meson's test_suitable(), then its NAME arguments. */
      if (in_suites (suites, filter->exclude_suites))
        continue;
      if (filter->include_suites != NULL && filter->include_suites[0] != NULL &&
          !in_suites (suites, filter->include_suites))
        continue;
      if (!selected_by_name (project, name, filter->names))
        continue;

      /* A runner needs unique names; meson allows the same twice. */
      pretty = pretty_name (suites, name, g_hash_table_size (build_suites));
      seen = GPOINTER_TO_UINT (g_hash_table_lookup (names, pretty));
      g_hash_table_replace (names, g_strdup (pretty), GUINT_TO_POINTER (seen + 1));
      if (seen > 0)
        {
          char *unique = g_strdup_printf ("%s #%u", pretty, seen + 1);

          g_free (pretty);
          pretty = unique;
        }

      for (guint j = 0; j < json_array_get_length (cmd); j++)
        g_strv_builder_add (argv_builder, json_array_get_string_element (cmd, j));
      argv = g_strv_builder_end (argv_builder);
      env = test_environment (test);
      timeout = test_timeout (test, filter->timeout_multiplier);
      *max_timeout = MAX (*max_timeout, timeout);

      entry.command = pacer_test_command_new (pretty, (const char * const *) argv);
      entry.priority = json_object_has_member (test, "priority")
                         ? (gint64) json_node_get_double (json_object_get_member (test, "priority"))
                         : 0;
      /* meson test runs from the build directory when a test has no workdir. */
      pacer_test_command_set_working_directory (entry.command, workdir != NULL ? workdir : abs_build_dir);
      pacer_test_command_set_environment (entry.command, (const char * const *) env);
      pacer_test_command_set_tap (entry.command,
                                  g_str_equal (json_object_get_string_member (test, "protocol"), "tap"));
      pacer_test_command_set_exclusive (entry.command, !json_object_get_boolean_member (test, "is_parallel"));
      pacer_test_command_set_timeout (entry.command, timeout);
      g_array_append_val (entries, entry);

      if (json_object_has_member (test, "depends"))
        {
          JsonArray *ids = json_object_get_array_member (test, "depends");

          for (guint j = 0; j < json_array_get_length (ids); j++)
            g_hash_table_add (targets, (char *) json_array_get_string_element (ids, j));
        }
    }

  if (entries->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   json_array_get_length (tests) == 0 ? _("%s: the build defines no test")
                                                      : _("%s: no test matches the suites and names given"),
                   file);
      return NULL;
    }

  /* Stable: tests of one priority keep meson's order. */
  g_array_sort (entries, compare_priority);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (commands, g_steal_pointer (&g_array_index (entries, Entry, i).command));

  g_hash_table_iter_init (&iter, targets);
  while (g_hash_table_iter_next (&iter, &target, NULL))
    g_strv_builder_add (depends_builder, target);
  *depends = g_strv_builder_end (depends_builder);

  return g_steal_pointer (&commands);
}

/* ninja as meson finds it: $NINJA, then ninja, ninja-build, samu. */
static char *
find_ninja (void)
{
  const char *names[] = { "ninja", "ninja-build", "samu" };
  const char *env = g_getenv ("NINJA");

  if (env != NULL && *env != '\0')
    return g_find_program_in_path (env);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      char *path = g_find_program_in_path (names[i]);

      if (path != NULL)
        return path;
    }
  return NULL;
}

/* Turns meson target ids into the files ninja knows them by, relative to
 * the build directory, from intro-targets.json. */
static GStrv
target_files (const char         *build_dir,
              const char * const *ids,
              GError            **error)
{
  g_autofree char *file = info_file (build_dir, "targets");
  g_autofree char *abs_build_dir = g_canonicalize_filename (build_dir, NULL);
  /* meson wrote the paths from the directory as it was configured, which a
   * symbolic link may name differently. */
  g_autofree char *real_build_dir = realpath (build_dir, NULL);
  const char *prefixes[] = { abs_build_dir, real_build_dir };
  g_autoptr(JsonArray) targets = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  targets = load_array (build_dir, "targets", error);
  if (targets == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (targets); i++)
    {
      JsonNode *node = json_array_get_element (targets, i);
      JsonObject *target;
      JsonNode *filenames;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          malformed (error, file, i, "", _("an object"));
          return NULL;
        }
      target = json_node_get_object (node);
      if (!is_string (json_object_get_member (target, "id")))
        {
          malformed (error, file, i, "id", _("a string"));
          return NULL;
        }
      if (!g_strv_contains (ids, json_object_get_string_member (target, "id")))
        continue;
      filenames = json_object_get_member (target, "filename");
      if (!is_string_array (filenames, TRUE))
        {
          malformed (error, file, i, "filename", _("a list of strings"));
          return NULL;
        }
      for (guint j = 0; j < json_array_get_length (json_node_get_array (filenames)); j++)
        {
          const char *path = json_array_get_string_element (json_node_get_array (filenames), j);
          const char *relative = path;

          /* ninja knows its targets by paths relative to the build directory. */
          for (guint k = 0; k < G_N_ELEMENTS (prefixes) && relative == path; k++)
            {
              gsize len = prefixes[k] != NULL ? strlen (prefixes[k]) : 0;

              if (len > 0 && g_str_has_prefix (path, prefixes[k]) && path[len] == '/')
                relative = path + len + 1;
            }
          g_strv_builder_add (builder, relative);
        }
    }
  return g_strv_builder_end (builder);
}

/* Builds @depends (meson target ids, or ninja's own targets such as
 * build.ninja) with ninja, its output on our stderr so that a TAP stream on
 * stdout stays clean. */
gboolean
pacer_cli_meson_build (const char         *build_dir,
                       const char * const *depends,
                       GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) ninja = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *program = NULL;
  g_auto(GStrv) files = NULL;
  g_auto(GStrv) argv = NULL;
  int out_fd;

  if (depends == NULL || depends[0] == NULL)
    return TRUE;
  if (g_strv_contains (depends, "build.ninja"))
    files = g_strdupv ((char **) depends);
  else
    files = target_files (build_dir, depends, error);
  if (files == NULL)
    return FALSE;
  if (files[0] == NULL)
    return TRUE;

  program = find_ninja ();
  if (program == NULL)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                   _("Cannot find ninja to rebuild %s (give --no-rebuild to run the tests as built)"),
                   build_dir);
      return FALSE;
    }
  g_strv_builder_add_many (builder, program, "-C", build_dir, NULL);
  g_strv_builder_addv (builder, (const char **) files);
  argv = g_strv_builder_end (builder);

  out_fd = dup (STDERR_FILENO);
  if (out_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s", g_strerror (saved_errno));
      return FALSE;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdout_fd (launcher, out_fd);
  ninja = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (ninja == NULL || !g_subprocess_wait (ninja, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (ninja))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   _("Could not rebuild %s: ninja failed (give --no-rebuild to run the tests as built)"),
                   build_dir);
      return FALSE;
    }
  return TRUE;
}
