/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Parsing a GTest program's `-l` output. In TAP mode the listing is mixed with
 * the seed, a plan and `# Start of` lines: only lines starting with `/` are
 * tests. This runs once per program in the controller, over up to hundreds of
 * thousands of lines, so it scans the buffer in place. */

#include "config.h"

#include <elf.h>
#include <string.h>

#include "pacer-listing-private.h"

/* `1..N`, maybe followed by a `# directive`. */
static gboolean
is_plan_line (const char *line,
              gsize       length)
{
  gsize i = 0;

  if (length < 4 || strncmp (line, "1..", 3) != 0)
    return FALSE;
  for (i = 3; i < length && g_ascii_isdigit (line[i]); i++)
    ;
  if (i == 3)
    return FALSE;
  while (i < length && (line[i] == ' ' || line[i] == '\t'))
    i++;
  return i == length || line[i] == '#';
}

GPtrArray *
_pacer_listing_parse (const char *text,
                      gsize       length,
                      gboolean   *is_gtest)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *end = text + length;
  const char *line = text;
  guint plan_mark = 0;

  *is_gtest = FALSE;

  while (line < end)
    {
      const char *newline = memchr (line, '\n', end - line);
      const char *line_end = newline != NULL ? newline : end;
      gsize line_length = line_end - line;

      if (line_length > 0 && line_end[-1] == '\r')
        line_length--;

      if (is_plan_line (line, line_length))
        plan_mark = paths->len;
      else if (line_length > 1 && line[0] == '/')
        {
          g_ptr_array_add (paths, g_strndup (line, line_length));
          *is_gtest = TRUE;
        }
      else if (line_length >= 14 && strncmp (line, "# random seed:", 14) == 0)
        *is_gtest = TRUE;

      line = line_end + 1;
    }

  /* GTest prints its plan just before the paths, or just after them with
   * -p. In the first case whatever main() printed before g_test_run() (a
   * fixture's working directory, say) comes before the plan and is no
   * test. In the second, nothing tells it from a test; the run falls back
   * to running the program whole if it is not one. */
  if (plan_mark > 0 && plan_mark < paths->len)
    g_ptr_array_remove_range (paths, 0, plan_mark);

  return paths;
}

GHashTable *
_pacer_listing_find_suites (GPtrArray *paths)
{
  g_autoptr(GHashTable) parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *suites = g_hash_table_new (g_str_hash, g_str_equal);

  /* `-p P` runs P and its direct children, so only a test that is some other
   * test's parent needs excluding. */
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      const char *slash = strrchr (path, '/');

      if (slash != NULL && slash != path)
        g_hash_table_add (parents, g_strndup (path, slash - path));
    }

  for (guint i = 0; i < paths->len; i++)
    {
      char *path = g_ptr_array_index (paths, i);

      if (g_hash_table_contains (parents, path))
        g_hash_table_add (suites, path);
    }

  return suites;
}

/* Where a dynamically linked ELF file finds its libraries, for the ones
 * a test program brings along itself: DT_RUNPATH/DT_RPATH (with $ORIGIN)
 * and LD_LIBRARY_PATH. System libraries are not searched: a library such as
 * GTK's names g_test_init for its own test helpers, and a program linking it
 * is not a test program for that. Only native 64-bit ELF is read. */
typedef struct
{
  const Elf64_Ehdr *header;
  const char *contents;
  gsize length;
} ElfFile;

static const void *
elf_at (ElfFile *elf,
        guint64  offset,
        guint64  size)
{
  if (offset > elf->length || size > elf->length - offset)
    return NULL;
  return elf->contents + offset;
}

/* File offset of virtual address @vaddr, through the PT_LOAD segments. */
static gboolean
elf_offset_of (ElfFile *elf,
               guint64  vaddr,
               guint64 *offset)
{
  for (guint i = 0; i < elf->header->e_phnum; i++)
    {
      const Elf64_Phdr *phdr = elf_at (elf, elf->header->e_phoff + (guint64) i * sizeof (Elf64_Phdr),
                                       sizeof (Elf64_Phdr));

      if (phdr == NULL)
        return FALSE;
      if (phdr->p_type == PT_LOAD && vaddr >= phdr->p_vaddr && vaddr - phdr->p_vaddr < phdr->p_filesz)
        {
          *offset = phdr->p_offset + (vaddr - phdr->p_vaddr);
          return TRUE;
        }
    }
  return FALSE;
}

/* The libraries @file needs that lie in its own search path, resolved. */
static GPtrArray *
private_libraries (const char *file,
                   const char *contents,
                   gsize       length)
{
  ElfFile elf = { (const Elf64_Ehdr *) (const void *) contents, contents, length };
  GPtrArray *libraries = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) needed = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) dirs = g_strv_builder_new ();
  g_auto(GStrv) search = NULL;
  g_autofree char *origin = g_path_get_dirname (file);
  const Elf64_Dyn *dynamic = NULL;
  guint64 n_dynamic = 0, strtab = 0, strtab_offset;
  const char *runpath = NULL;
  const char *library_path = g_getenv ("LD_LIBRARY_PATH");

  if (length < sizeof (Elf64_Ehdr) || contents[EI_CLASS] != ELFCLASS64 ||
      elf.header->e_phentsize != sizeof (Elf64_Phdr))
    return libraries;

  for (guint i = 0; i < elf.header->e_phnum && dynamic == NULL; i++)
    {
      const Elf64_Phdr *phdr = elf_at (&elf, elf.header->e_phoff + (guint64) i * sizeof (Elf64_Phdr),
                                       sizeof (Elf64_Phdr));

      if (phdr == NULL)
        return libraries;
      if (phdr->p_type == PT_DYNAMIC)
        {
          dynamic = elf_at (&elf, phdr->p_offset, phdr->p_filesz);
          n_dynamic = phdr->p_filesz / sizeof (Elf64_Dyn);
        }
    }
  if (dynamic == NULL || ((guintptr) dynamic % G_ALIGNOF (Elf64_Dyn)) != 0)
    return libraries;

  for (guint64 i = 0; i < n_dynamic && dynamic[i].d_tag != DT_NULL; i++)
    if (dynamic[i].d_tag == DT_STRTAB)
      strtab = dynamic[i].d_un.d_ptr;
  if (strtab == 0 || !elf_offset_of (&elf, strtab, &strtab_offset))
    return libraries;

  for (guint64 i = 0; i < n_dynamic && dynamic[i].d_tag != DT_NULL; i++)
    {
      const char *name;

      if (dynamic[i].d_tag != DT_NEEDED && dynamic[i].d_tag != DT_RUNPATH && dynamic[i].d_tag != DT_RPATH)
        continue;
      if (dynamic[i].d_un.d_val >= length - strtab_offset ||
          memchr (contents + strtab_offset + dynamic[i].d_un.d_val, '\0',
                  length - strtab_offset - dynamic[i].d_un.d_val) == NULL)
        continue;
      name = contents + strtab_offset + dynamic[i].d_un.d_val;
      if (dynamic[i].d_tag == DT_NEEDED)
        g_ptr_array_add (needed, (gpointer) name);
      else
        runpath = name;
    }

  if (runpath != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (runpath, ":", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autoptr(GString) dir = g_string_new (parts[i]);

          g_string_replace (dir, "${ORIGIN}", origin, 0);
          g_string_replace (dir, "$ORIGIN", origin, 0);
          g_strv_builder_add (dirs, dir->str);
        }
    }
  if (library_path != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (library_path, ":", -1);

      g_strv_builder_addv (dirs, (const char **) parts);
    }
  search = g_strv_builder_end (dirs);

  for (guint n = 0; n < needed->len; n++)
    for (guint d = 0; search[d] != NULL; d++)
      {
        /* GLib and GTK define or use GTest for everyone, wherever they live. */
        static const char * const platform[] = { "libglib-", "libgobject-", "libgio-", "libgmodule-",
                                                  "libgthread-", "libgtk", "libgdk" };
        const char *name = g_ptr_array_index (needed, n);
        gboolean skip = *search[d] == '\0' || strchr (name, '/') != NULL;
        char *candidate;

        for (guint p = 0; p < G_N_ELEMENTS (platform) && !skip; p++)
          skip = g_str_has_prefix (name, platform[p]);
        if (skip)
          continue;
        candidate = g_build_filename (search[d], g_ptr_array_index (needed, n), NULL);
        if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
          {
            g_ptr_array_add (libraries, candidate);
            break;
          }
        g_free (candidate);
      }
  return libraries;
}

static gboolean
names_gtest (const char *contents,
             gsize       length)
{
  /* Dynamically linked programs import GTest's functions by name; a static
   * GLib brings gtestutils.c's option strings along. Programs that reach
   * g_test_init() through a helper library still register and run their
   * tests themselves. */
  static const char * const markers[] = { "g_test_init", "g_test_run", "g_test_add", "--GTestLogFD" };

  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    if (memmem (contents, length, markers[i], strlen (markers[i])) != NULL)
      return TRUE;
  return FALSE;
}

gboolean
_pacer_listing_may_be_gtest (const char *file)
{
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, NULL);
  g_autoptr(GPtrArray) libraries = NULL;
  const char *contents;
  gsize length;

  if (mapped == NULL)
    return TRUE;  /* let -l tell, as before */
  contents = g_mapped_file_get_contents (mapped);
  length = g_mapped_file_get_length (mapped);
  if (length < 4 || memcmp (contents, "\x7f" "ELF", 4) != 0)
    return FALSE;
  if (names_gtest (contents, length))
    return TRUE;

  /* g_test_init() in a helper library of the program's own. */
  libraries = private_libraries (file, contents, length);
  for (guint i = 0; i < libraries->len; i++)
    {
      g_autoptr(GMappedFile) library = g_mapped_file_new (g_ptr_array_index (libraries, i), FALSE, NULL);

      if (library != NULL &&
          names_gtest (g_mapped_file_get_contents (library), g_mapped_file_get_length (library)))
        return TRUE;
    }
  return FALSE;
}
