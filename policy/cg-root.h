/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Paths below a --root, opened as if that root were /: a symlink, absolute or relative,
 * and ".." never lead out of it (openat2's RESOLVE_IN_ROOT, as `systemctl --root` and
 * systemd's chase() treat an image). With root "/" this is plain path resolution. */

/* root_fd: the root, opened O_DIRECTORY. path: absolute or relative, read under the
 * root. Returns an fd or -1 with errno set. Where the kernel lacks openat2, no symlink
 * is followed (ELOOP): fail closed rather than out of the root. */
int cg_root_open (int root_fd, const char *path, int flags);

/* Reads a file below root ("/" or NULL for the real one) the same way; a file larger
 * than max_size is an error. */
gboolean cg_root_read_file (const char *root, const char *path, gsize max_size, char **text,
                            gsize *len, GError **error);

G_END_DECLS
