/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cg-sysfs.h"

struct _CgSysfs {
  char *root;
};

CgSysfs *
cg_sysfs_new (const char *root)
{
  CgSysfs *sysfs = g_new0 (CgSysfs, 1);

  sysfs->root = g_strdup (root != NULL && *root != '\0' ? root : "/");
  return sysfs;
}

void
cg_sysfs_free (CgSysfs *sysfs)
{
  if (sysfs == NULL)
    return;
  g_free (sysfs->root);
  g_free (sysfs);
}

const char *
cg_sysfs_get_root (const CgSysfs *sysfs)
{
  return sysfs->root;
}

char *
cg_sysfs_resolve (const CgSysfs *sysfs, const char *path)
{
  if (g_strcmp0 (sysfs->root, "/") == 0)
    return g_strdup (path);
  return g_build_filename (sysfs->root, path, NULL);
}

static gboolean
sysfs_set_errno_error (int saved_errno, const char *what, const char *path, GError **error)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

/* Reads up to max_bytes from the start; sysfs attributes must be read from offset 0 in
 * one go to get a consistent value. A read shorter than asked is the end, which saves the
 * read that returns 0: sysfs gives a text attribute whole and a regular file all it has.
 * A binary attribute (a device's descriptors) comes a page at most per read, so a short
 * read of whole pages is not the end. */
static gssize
sysfs_read_fd (int fd, guint8 *buffer, gsize max_bytes)
{
  gsize page = (gsize)sysconf (_SC_PAGESIZE);
  gsize total = 0;

  while (total < max_bytes) {
    gsize want = max_bytes - total;
    gssize n = read (fd, buffer + total, want);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    total += (gsize)n;
    if ((gsize)n < want && (n == 0 || (gsize)n % page != 0))
      break;
  }
  return (gssize)total;
}

GBytes *
cg_sysfs_read_bytes (const CgSysfs *sysfs, const char *path, gsize max_bytes, GError **error)
{
  g_autofree char *full = cg_sysfs_resolve (sysfs, path);
  g_autofree guint8 *buffer = g_malloc (max_bytes + 1);
  gssize n;
  int fd;

  fd = open (full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    sysfs_set_errno_error (errno, "Cannot open", full, error);
    return NULL;
  }
  n = sysfs_read_fd (fd, buffer, max_bytes);
  if (n < 0) {
    int saved_errno = errno;
    close (fd);
    sysfs_set_errno_error (saved_errno, "Cannot read", full, error);
    return NULL;
  }
  close (fd);
  return g_bytes_new (buffer, (gsize)n);
}

char *
cg_sysfs_read_text (const CgSysfs *sysfs, const char *path, gsize max_bytes, GError **error)
{
  g_autoptr (GBytes) bytes = cg_sysfs_read_bytes (sysfs, path, max_bytes, error);
  gsize len;
  const char *data;
  char *text;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  if (data == NULL) /* an empty attribute: GBytes gives no pointer for zero bytes */
    return g_strdup ("");
  text = g_strndup (data, len); /* stops at the first NUL */
  len = strlen (text);
  if (len > 0 && text[len - 1] == '\n')
    text[len - 1] = '\0';
  return text;
}

gboolean
cg_sysfs_write_text (const CgSysfs *sysfs, const char *path, const char *value, GError **error)
{
  g_autofree char *full = cg_sysfs_resolve (sysfs, path);
  g_autofree char *line = g_strconcat (value, "\n", NULL);
  gsize len = strlen (line);
  gssize n;
  int fd;

  fd = open (full, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return sysfs_set_errno_error (errno, "Cannot open", full, error);
  do
    n = write (fd, line, len);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int saved_errno = errno;
    close (fd);
    return sysfs_set_errno_error (saved_errno, "Cannot write", full, error);
  }
  if (close (fd) < 0)
    return sysfs_set_errno_error (errno, "Cannot write", full, error);
  if ((gsize)n != len) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Short write to %s", full);
    return FALSE;
  }
  return TRUE;
}

gboolean
cg_sysfs_read_hex (const CgSysfs *sysfs, const char *path, guint64 max_value, guint64 *out,
                   GError **error)
{
  g_autofree char *text = cg_sysfs_read_text (sysfs, path, 64, error);
  const char *digits;
  g_autoptr (GError) parse_error = NULL;

  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  digits = g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X") ? text + 2 : text;
  if (!g_ascii_string_to_unsigned (digits, 16, 0, max_value, out, &parse_error)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a hexadecimal value: %s",
                 path, parse_error->message);
    return FALSE;
  }
  return TRUE;
}

gboolean
cg_sysfs_exists (const CgSysfs *sysfs, const char *path)
{
  g_autofree char *full = cg_sysfs_resolve (sysfs, path);

  return g_file_test (full, G_FILE_TEST_EXISTS);
}

static gint
sysfs_compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
cg_sysfs_list (const CgSysfs *sysfs, const char *path)
{
  g_autofree char *full = cg_sysfs_resolve (sysfs, path);
  g_autoptr (GDir) dir = g_dir_open (full, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return names;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, sysfs_compare_names);
  return names;
}
