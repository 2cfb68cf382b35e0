/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-root.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cg-diagnostic.h"

int
cg_root_open (int root_fd, const char *path, int flags)
{
  struct open_how how = { .flags = (guint64)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT };
  int fd;

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  fd = (int)syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
    return fd;
  /* No openat2 (or a seccomp filter refusing it): follow no symlink at all. */
  how.resolve = 0;
  {
    g_auto (GStrv) parts = g_strsplit (path, "/", -1);
    int dir_fd = dup (root_fd);

    for (guint i = 0; dir_fd >= 0 && parts[i] != NULL; i++) {
      gboolean last = parts[i + 1] == NULL;
      int next;

      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], "..")) {
        close (dir_fd);
        errno = ELOOP;
        return -1;
      }
      next = openat (dir_fd, parts[i],
                     (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
      close (dir_fd);
      dir_fd = next;
    }
    return dir_fd;
  }
}

gboolean
cg_root_read_file (const char *root, const char *path, gsize max_size, char **text, gsize *len,
                   GError **error)
{
  int root_fd
      = open (root != NULL && *root != '\0' ? root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_autoptr (GString) data = NULL;
  int fd;

  if (root_fd < 0) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "cannot open the root %s: %s", root,
                 g_strerror (errno));
    return FALSE;
  }
  fd = cg_root_open (root_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  close (root_fd);
  if (fd < 0) {
    g_set_error (error, CG_POLICY_ERROR,
                 errno == ENOENT ? CG_POLICY_ERROR_NOT_FOUND : CG_POLICY_ERROR_IO,
                 "cannot open %s: %s", path, g_strerror (errno));
    return FALSE;
  }
  data = g_string_new (NULL);
  for (;;) {
    char buffer[8192];
    ssize_t n = read (fd, buffer, sizeof buffer);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || data->len + (gsize)n > max_size) {
      int saved = n < 0 ? errno : EFBIG;
      close (fd);
      if (n == 0)
        break;
      g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "cannot read %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
    g_string_append_len (data, buffer, n);
  }
  *len = data->len;
  *text = g_string_free (g_steal_pointer (&data), FALSE);
  return TRUE;
}
