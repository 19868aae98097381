/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pacer-run in French and German: its own messages, the help, and a GError
 * of the library, read from the catalogues of the build tree.
 *
 * Nothing is installed: PACER_LOCALEDIR points pacer-run and the library at
 * the build's po/ directory, which meson lays out as a locale tree
 * (po/fr/LC_MESSAGES/pacer-glib-1.mo). The language comes from LANGUAGE with
 * LC_ALL=C.UTF-8: glibc ignores LANGUAGE only in the "C" and "POSIX" locales,
 * and C.UTF-8 is built in, so no fr_FR or de_DE locale has to be generated.
 * Where C.UTF-8 is missing the language's own UTF-8 locale will do; with
 * neither the test skips, saying so. English runs the same cases, so the
 * checks are known to tell one language from another. */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pacer-glib/pacer-glib-private.h"

/* French typography: a no-break space inside « » and before a colon. */
#define NBSP "\xc2\xa0"

typedef struct
{
  const char *language;     /* LANGUAGE; NULL for English */
  const char *locale;       /* the language's own locale, should C.UTF-8 be missing */
  const char *header_one;   /* the first line of a run of one test, up to the seed */
  const char *header_two;   /* the same for two tests */
  const char *summary_one;  /* the last line after one pass */
  const char *summary_two;  /* the last line after a pass and a failure */
  const char *reproduce;
  const char *bad_dist;     /* --dist sideways */
  const char *bad_workers;  /* -n lots */
  const char *no_program;
  const char *see_help;
  const char *missing[2];   /* the library's GError, before and after the program's name */
  const char *help;         /* the summary and an option's description in --help */
  const char *help_option;
  const char *chosen;       /* the locale picked in main(), or NULL */
} Language;

static Language english = {
  NULL, NULL,
  "pacer-run: 1 test from 1 program(s), 1 worker(s), seed R02S",
  "pacer-run: 2 tests from 1 program(s), 1 worker(s), seed R02S",
  "1 passed, 0 failed",
  "1 passed, 1 failed",
  "Reproduce with: ",
  "pacer-run: --dist “sideways” is not a distribution mode",
  "pacer-run: -n “lots” is not a number of workers",
  "pacer-run: no test program given",
  "Run “pacer-run --help” to see the options.",
  { "pacer-run: Test program “", "” does not exist" },
  "Runs the tests of GTest programs in parallel worker processes.",
  "Number of workers, or “auto” for one per usable CPU",
};

static Language french = {
  "fr", "fr_FR.UTF-8",
  "pacer-run: 1 test issu de 1 programme(s), 1 processus, graine R02S",
  "pacer-run: 2 tests issus de 1 programme(s), 1 processus, graine R02S",
  "réussis" NBSP ": 1, échecs" NBSP ": 0",
  "réussis" NBSP ": 1, échecs" NBSP ": 1",
  "Pour reproduire" NBSP ": ",
  "pacer-run: --dist «" NBSP "sideways" NBSP "» n’est pas un mode de répartition",
  "pacer-run: -n «" NBSP "lots" NBSP "» n’est pas un nombre de processus",
  "pacer-run: aucun programme de test indiqué",
  "Lancez «" NBSP "pacer-run --help" NBSP "» pour voir les options.",
  { "pacer-run: Le programme de test «" NBSP, NBSP "» n’existe pas" },
  "Exécute les tests de programmes GTest dans des processus de travail parallèles.",
  "Nombre de processus de travail, ou «" NBSP "auto" NBSP "» pour un par processeur utilisable",
};

static Language german = {
  "de", "de_DE.UTF-8",
  "pacer-run: 1 Test aus 1 Programm(en), 1 Worker, Startwert R02S",
  "pacer-run: 2 Tests aus 1 Programm(en), 1 Worker, Startwert R02S",
  "1 bestanden, 0 fehlgeschlagen",
  "1 bestanden, 1 fehlgeschlagen",
  "Nachvollziehen mit: ",
  "pacer-run: --dist „sideways“ ist kein Verteilungsmodus",
  "pacer-run: -n „lots“ ist keine Anzahl von Workern",
  "pacer-run: Kein Testprogramm angegeben",
  "Rufen Sie „pacer-run --help“ auf, um die Optionen zu sehen.",
  { "pacer-run: Testprogramm „", "“ existiert nicht" },
  "Führt die Tests von GTest-Programmen in parallelen Worker-Prozessen aus.",
  "Anzahl der Worker oder „auto“ für einen pro nutzbarer CPU",
};

static char *tmp_dir;
static char *locale_dir;

/* The locale the child runs in, or NULL when this system has none that works.
 * Called from main() alone: setlocale() is not for threads that run. */
static const char *
pick_locale (const Language *language)
{
  const char *candidates[] = { "C.UTF-8", language->locale };
  const char *found = NULL;
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (candidates) && found == NULL; i++)
    if (candidates[i] != NULL && setlocale (LC_ALL, candidates[i]) != NULL)
      found = candidates[i];
  setlocale (LC_ALL, saved);
  return found;
}

/* Runs pacer-run in LANGUAGE to the end; returns its exit status. */
static int
run_in (const Language      *language,
        const char          *tests,
        const char * const  *args,
        char               **out,
        char               **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (language->chosen);
  g_subprocess_launcher_setenv (launcher, "PACER_LOCALEDIR", locale_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", language->chosen, TRUE);
  if (language->language != NULL)
    g_subprocess_launcher_setenv (launcher, "LANGUAGE", language->language, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  if (tests != NULL)
    g_subprocess_launcher_setenv (launcher, "FAKE_GTEST_TESTS", tests, TRUE);

  g_ptr_array_add (argv, (char *) g_getenv ("PACER_RUN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static char *
line_at (const char *text,
         int         index)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  int n = g_strv_length (lines);

  while (n > 0 && lines[n - 1][0] == '\0')
    n--;
  g_assert_cmpint (n, >, 0);
  return g_strdup (lines[index >= 0 ? MIN (index, n - 1) : MAX (n + index, 0)]);
}

static void
assert_has_prefix (const char *text,
                   const char *prefix)
{
  if (!g_str_has_prefix (text, prefix))
    g_test_message ("“%s” does not start with “%s”", text, prefix);
  g_assert_true (g_str_has_prefix (text, prefix));
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_test_message ("“%s” does not contain “%s”", text, part);
  g_assert_nonnull (strstr (text, part));
}

static gboolean
skip_without_locale (const Language *language)
{
  g_autofree char *catalogue = NULL;

  if (language->chosen == NULL)
    {
      g_test_skip_printf ("neither C.UTF-8 nor %s is available here: install the locales package "
                          "and generate one of them", language->locale);
      return TRUE;
    }
  if (language->language == NULL)
    return FALSE;
  /* Installed without its translations (a staged copy of the suite, say),
   * there is nothing to show the user in their language. */
  catalogue = g_build_filename (locale_dir, language->language, "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (catalogue, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip_printf ("no %s catalogue at %s", language->language, catalogue);
      return TRUE;
    }
  return FALSE;
}

static void
test_run (gconstpointer data)
{
  const Language *language = data;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  g_autofree char *cache = g_build_filename (tmp_dir, language->language ? language->language : "en", NULL);
  const char *args[] = { "-n", "1", "--cache-dir", cache, program, NULL };
  g_autofree char *out = NULL, *err = NULL, *first = NULL, *last = NULL;

  g_test_summary ("A run prints its header, failures and summary line in the user's language, "
                  "with the plural the count asks for");
  if (skip_without_locale (language))
    return;

  g_assert_cmpint (run_in (language, "pass:/i18n/pass", args, &out, &err), ==, 0);
  first = line_at (out, 0);
  last = line_at (out, -1);
  assert_has_prefix (first, language->header_one);
  g_assert_cmpstr (last, ==, language->summary_one);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&first, g_free);
  g_clear_pointer (&last, g_free);

  g_assert_cmpint (run_in (language, "pass:/i18n/pass,fail:/i18n/fail", args, &out, &err), ==, 1);
  first = line_at (out, 0);
  last = line_at (out, -1);
  assert_has_prefix (first, language->header_two);
  g_assert_cmpstr (last, ==, language->summary_two);
  assert_contains (out, language->reproduce);
  /* Status words stay as they are, for whoever greps the log. */
  assert_contains (out, "FAIL /i18n/fail");
}

static void
test_usage_errors (gconstpointer data)
{
  const Language *language = data;
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "fake-gtest", NULL);
  const char *bad_dist[] = { "--dist", "sideways", program, NULL };
  const char *bad_workers[] = { "-n", "lots", program, NULL };
  const char *nothing[] = { "-v", NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_test_summary ("Bad input is refused with exit status 2 and a message in the user's language");
  if (skip_without_locale (language))
    return;

  g_assert_cmpint (run_in (language, NULL, bad_dist, &out, &err), ==, 2);
  assert_has_prefix (err, language->bad_dist);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_in (language, NULL, bad_workers, &out, &err), ==, 2);
  assert_has_prefix (err, language->bad_workers);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_in (language, NULL, nothing, &out, &err), ==, 2);
  assert_has_prefix (err, language->no_program);
  assert_contains (err, language->see_help);
}

static void
test_library_error (gconstpointer data)
{
  const Language *language = data;
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-program", NULL);
  g_autofree char *expected = g_strconcat (language->missing[0], missing, language->missing[1], NULL);
  const char *args[] = { missing, NULL };
  g_autofree char *out = NULL, *err = NULL, *line = NULL;

  g_test_summary ("A GError of the library reaches the user translated from the library's catalogue");
  if (skip_without_locale (language))
    return;

  g_assert_cmpint (run_in (language, NULL, args, &out, &err), ==, 2);
  line = line_at (err, 0);
  g_assert_cmpstr (line, ==, expected);
}

static void
test_help (gconstpointer data)
{
  const Language *language = data;
  const char *args[] = { "--help", NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_test_summary ("--help describes the command and its options in the user's language");
  if (skip_without_locale (language))
    return;

  g_assert_cmpint (run_in (language, NULL, args, &out, &err), ==, 0);
  assert_contains (out, language->help);
  assert_contains (out, language->help_option);
  assert_contains (out, "--numprocesses");
}

int
main (int   argc,
      char *argv[])
{
  const struct
  {
    const char *name;
    Language *language;
  } languages[] = {
    { "en", &english },
    { "fr", &french },
    { "de", &german },
  };
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The build's po/ sits beside tests/, as meson lays the tree out; an
   * installed suite uses the installed catalogues. */
  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  if (!g_file_test (locale_dir, G_FILE_TEST_IS_DIR))
    {
      g_free (locale_dir);
      locale_dir = g_strdup (LOCALEDIR);
    }
  tmp_dir = g_dir_make_tmp ("pacer-run-i18n-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_assert_nonnull (g_getenv ("PACER_RUN"));

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      struct
      {
        const char *path;
        GTestDataFunc func;
      } cases[] = {
        { "run", test_run },
        { "usage-errors", test_usage_errors },
        { "library-error", test_library_error },
        { "help", test_help },
      };

      languages[i].language->chosen = pick_locale (languages[i].language);
      for (guint j = 0; j < G_N_ELEMENTS (cases); j++)
        {
          g_autofree char *path = g_strdup_printf ("/Pacer/PacerRun/i18n/%s/%s", languages[i].name,
                                                   cases[j].path);

#if ENABLE_NLS
          g_test_add_data_func (path, languages[i].language, cases[j].func);
#else
          /* English needs no catalogue; the others cannot be shown without one. */
          if (languages[i].language->language == NULL)
            g_test_add_data_func (path, languages[i].language, cases[j].func);
#endif
        }
    }

  status = g_test_run ();
  _pacer_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (locale_dir);
  return status;
}
