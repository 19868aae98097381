/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <pacer-glib/pacer-glib.h>

#include "pacer-glib/pacer-glib-private.h"

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("pacer-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_names (void)
{
  g_autoptr(PacerFileStore) store = pacer_file_store_new ("/tmp/x/pacer_shared_calls.json", NULL);
  g_autoptr(PacerFileStore) explicit_lock = pacer_file_store_new ("/tmp/x/a.b.json", "/tmp/y/lock");

  g_test_summary ("The lock file defaults to DATA.lock; the name is the stem; the location is the path");

  g_assert_cmpstr (pacer_file_store_get_data_file (store), ==, "/tmp/x/pacer_shared_calls.json");
  g_assert_cmpstr (pacer_file_store_get_lock_file (store), ==, "/tmp/x/pacer_shared_calls.json.lock");
  g_assert_cmpstr (pacer_store_get_name (PACER_STORE (store)), ==, "pacer_shared_calls");
  g_assert_cmpstr (pacer_store_get_location (PACER_STORE (store)), ==, "/tmp/x/pacer_shared_calls.json");
  g_assert_cmpstr (pacer_file_store_get_lock_file (explicit_lock), ==, "/tmp/y/lock");
  g_assert_cmpstr (pacer_store_get_name (PACER_STORE (explicit_lock)), ==, "a.b");
}

static void
test_write_read_remove (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "sub", "deeper", "state.json", NULL);
  g_autoptr(PacerFileStore) store = pacer_file_store_new (path, NULL);
  g_autoptr(GBytes) contents = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  struct stat st;

  g_test_summary ("Values round-trip; missing directories are made 0700 and files 0600; remove forgets");

  back = pacer_store_read (PACER_STORE (store), &error);
  g_assert_null (back);
  g_assert_error (error, PACER_ERROR, PACER_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (pacer_store_lock (PACER_STORE (store), -1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pacer_store_write (PACER_STORE (store), contents, &error));
  g_assert_no_error (error);
  pacer_store_unlock (PACER_STORE (store));

  back = pacer_store_read (PACER_STORE (store), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, contents));

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (pacer_file_store_get_lock_file (store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (sub, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_true (pacer_store_lock (PACER_STORE (store), 0, NULL, &error));
  g_assert_true (pacer_store_remove (PACER_STORE (store), &error));
  g_assert_no_error (error);
  g_assert_true (pacer_store_remove (PACER_STORE (store), &error));
  g_assert_no_error (error);
  pacer_store_unlock (PACER_STORE (store));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_clear_object (&store);
  _pacer_remove_tree (dir);
}

static void
test_instances_exclude (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);
  g_autoptr(PacerFileStore) a = pacer_file_store_new (path, NULL);
  g_autoptr(PacerFileStore) b = pacer_file_store_new (path, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;

  g_test_summary ("Two stores on one file in one process exclude each other; timeouts 0 and 0.2 are kept");

  g_assert_true (pacer_store_lock (PACER_STORE (a), 0, NULL, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_false (pacer_store_lock (PACER_STORE (b), 0, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, pacer_file_store_get_lock_file (b)));
  g_assert_cmpint (elapsed, <, 50 * 1000);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  g_assert_false (pacer_store_lock (PACER_STORE (b), 0.2, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, PACER_ERROR, PACER_ERROR_TIMEOUT);
  g_assert_cmpint (elapsed, >=, 200 * 1000);
  g_assert_cmpint (elapsed, <, 400 * 1000);
  g_clear_error (&error);

  pacer_store_unlock (PACER_STORE (a));
  g_assert_true (pacer_store_lock (PACER_STORE (b), 0, NULL, &error));
  g_assert_no_error (error);
  pacer_store_unlock (PACER_STORE (b));

  g_clear_object (&a);
  g_clear_object (&b);
  _pacer_remove_tree (dir);
}

typedef struct
{
  PacerStore *store;
  gint64 release_after_usec;
} Holder;

static gpointer
hold_then_release (gpointer data)
{
  Holder *holder = data;

  g_usleep (holder->release_after_usec);
  pacer_store_unlock (holder->store);
  return NULL;
}

static void
test_wait_forever (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);
  g_autoptr(PacerFileStore) a = pacer_file_store_new (path, NULL);
  g_autoptr(PacerFileStore) b = pacer_file_store_new (path, NULL);
  g_autoptr(GError) error = NULL;
  Holder holder = { PACER_STORE (a), 150 * 1000 };
  GThread *thread;
  gint64 start, elapsed;

  g_test_summary ("A negative timeout waits until the holder releases the lock");

  g_assert_true (pacer_store_lock (PACER_STORE (a), -1, NULL, &error));
  start = g_get_monotonic_time ();
  thread = g_thread_new ("holder", hold_then_release, &holder);
  g_assert_true (pacer_store_lock (PACER_STORE (b), -1, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_cmpint (elapsed, >=, 140 * 1000);
  pacer_store_unlock (PACER_STORE (b));
  g_thread_join (thread);

  g_clear_object (&a);
  g_clear_object (&b);
  _pacer_remove_tree (dir);
}

static void
test_cancellable (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);
  g_autoptr(PacerFileStore) a = pacer_file_store_new (path, NULL);
  g_autoptr(PacerFileStore) b = pacer_file_store_new (path, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_test_summary ("A cancelled lock attempt gives G_IO_ERROR_CANCELLED");

  g_assert_true (pacer_store_lock (PACER_STORE (a), -1, NULL, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (pacer_store_lock (PACER_STORE (b), -1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  pacer_store_unlock (PACER_STORE (a));

  g_clear_object (&a);
  g_clear_object (&b);
  _pacer_remove_tree (dir);
}

static void
test_symlinks_refused (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);
  g_autofree char *target = g_build_filename (dir, "target", NULL);
  g_autofree char *lock_path = g_build_filename (dir, "lock", NULL);
  g_autoptr(PacerFileStore) store = NULL;
  g_autoptr(PacerFileStore) linked_lock = NULL;
  g_autoptr(GBytes) contents = g_bytes_new_static ("new", 3);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  g_test_summary ("Neither a data file nor a lock file that is a symbolic link is followed");

  g_assert_true (g_file_set_contents (target, "secret", -1, NULL));
  g_assert_cmpint (symlink (target, path), ==, 0);
  store = pacer_file_store_new (path, NULL);

  g_assert_null (pacer_store_read (PACER_STORE (store), &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_assert_true (pacer_store_lock (PACER_STORE (store), 0, NULL, &error));
  g_assert_false (pacer_store_write (PACER_STORE (store), contents, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_clear_error (&error);
  pacer_store_unlock (PACER_STORE (store));

  g_assert_true (g_file_get_contents (target, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "secret");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));

  g_assert_cmpint (symlink (target, lock_path), ==, 0);
  linked_lock = pacer_file_store_new (path, lock_path);
  g_assert_false (pacer_store_lock (PACER_STORE (linked_lock), 0, NULL, &error));
  g_assert_error (error, PACER_ERROR, PACER_ERROR_IO);
  g_assert_nonnull (strstr (error->message, lock_path));

  g_clear_object (&store);
  g_clear_object (&linked_lock);
  _pacer_remove_tree (dir);
}

static void
test_unlock_unheld (void)
{
  g_test_summary ("Unlocking a lock that is not held is a programming error");

  if (g_test_subprocess ())
    {
      g_autoptr(PacerFileStore) store = pacer_file_store_new ("/nonexistent/state.json", NULL);

      pacer_store_unlock (PACER_STORE (store));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*is not held*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/Pacer/FileStore/names", test_names);
  g_test_add_func ("/Pacer/FileStore/write-read-remove", test_write_read_remove);
  g_test_add_func ("/Pacer/FileStore/instances-exclude", test_instances_exclude);
  g_test_add_func ("/Pacer/FileStore/wait-forever", test_wait_forever);
  g_test_add_func ("/Pacer/FileStore/cancellable", test_cancellable);
  g_test_add_func ("/Pacer/FileStore/symlinks-refused", test_symlinks_refused);
  g_test_add_func ("/Pacer/FileStore/unlock-unheld", test_unlock_unheld);

  return g_test_run ();
}
