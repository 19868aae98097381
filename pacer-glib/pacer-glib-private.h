/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the library's message catalogue once; every entry point that may produce a
 * translated message calls it first, since a library has no main() of its own. */
void _pacer_ensure_i18n (void);

/* Removes a directory and everything in it, without following symbolic links;
 * whatever cannot be removed is left behind silently (run state is best-effort
 * to clean up, and must never fail a run). */
void _pacer_remove_tree (const char *path);

/* Makes a new private (0700) run directory, in memory (`$XDG_RUNTIME_DIR` or
 * `/dev/shm`) where the system offers it, else in the temporary directory.
 * It is stamped with its maker (pid, start time, boot, pid namespace), and
 * the run directories beside it whose maker is gone for sure are removed:
 * a process killed outright cannot remove its own. */
char *_pacer_make_run_dir (GError **error);

/* Whether @path, links followed, is something other than a file or a
 * folder: a device, a pipe, a socket. */
gboolean _pacer_path_is_special (const char *path);

/* A report is never written to a block device: a PACER_ERROR_IO if @path,
 * links followed, is one. */
gboolean _pacer_check_not_block_device (const char  *path,
                                        GError     **error);

/* Writes @data to the device or pipe at @path as it is, without creating
 * or truncating anything; the error names @path as a report. */
gboolean _pacer_write_special (const char  *path,
                               const char  *data,
                               gsize        length,
                               GError     **error);

/* g_file_get_contents() that refuses a symbolic link or anything but a
 * regular file at @path (a G_FILE_ERROR that says so, for the caller to
 * prefix with the file's name). */
gboolean _pacer_read_no_follow (const char  *path,
                                char       **contents,
                                gsize       *length,
                                GError     **error);

G_END_DECLS
