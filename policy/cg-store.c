/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cg-policy.h"

#define CG_STORE_LOCK_FILE CG_POLICY_DIR_ADMIN "/.lock"
#define CG_STORE_TEMP_ATTEMPTS 100

struct _CgStore {
  char *root;
  int lock_fd;
  CgStoreFaultFunc fault_func;
  gpointer fault_data;
};

/* A policy file's directory, opened without following any symlink below the root,
 * and the file's name in it. */
typedef struct {
  int dir_fd;
  char *name;
} CgStoreTarget;

static void
cg_store_target_clear (CgStoreTarget *target)
{
  if (target->dir_fd >= 0)
    close (target->dir_fd);
  target->dir_fd = -1;
  g_clear_pointer (&target->name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgStoreTarget, cg_store_target_clear)

CgStore *
cg_store_new (const char *root)
{
  CgStore *store = g_new0 (CgStore, 1);

  store->root = g_strdup (root != NULL && *root != '\0' ? root : "/");
  store->lock_fd = -1;
  return store;
}

void
cg_store_free (CgStore *store)
{
  if (store == NULL)
    return;
  cg_store_unlock (store);
  g_free (store->root);
  g_free (store);
}

void
cg_store_set_fault_func (CgStore *store, CgStoreFaultFunc func, gpointer user_data)
{
  store->fault_func = func;
  store->fault_data = user_data;
}

char *
cg_store_resolve (const CgStore *store, const char *path)
{
  if (g_str_equal (store->root, "/"))
    return g_strdup (path);
  return g_build_filename (store->root, path, NULL);
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "%s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
run_fault_func (CgStore *store, CgStoreStep step, GError **error)
{
  if (store->fault_func == NULL)
    return TRUE;
  return store->fault_func (step, store->fault_data, error);
}

/* Splits a root-relative path into its components, refusing anything that could step
 * outside the root or name a directory rather than a file. */
static GStrv
split_policy_path (const char *path, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) components = g_ptr_array_new_with_free_func (g_free);

  if (path == NULL || path[0] != '/') {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "not an absolute path: %s",
                 path != NULL ? path : "(null)");
    return NULL;
  }
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
      continue;
    if (g_str_equal (parts[i], "..")) {
      g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "refusing a path with '..': %s",
                   path);
      return NULL;
    }
    g_ptr_array_add (components, g_strdup (parts[i]));
  }
  if (components->len == 0) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "not a file path: %s", path);
    return NULL;
  }
  if (components->len >= 2 && g_str_equal (components->pdata[0], "usr")
      && g_str_equal (components->pdata[1], "lib")) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_SHIPPED,
                 "refusing to change %s: files under /usr/lib belong to the package; "
                 "write an override in " CG_POLICY_DIR_ADMIN,
                 path);
    return NULL;
  }
  g_ptr_array_add (components, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&components), FALSE);
}

/* Opens (creating, 0755) each directory of components[0..n_dirs) below the root.
 * O_NOFOLLOW on every step: a symlinked directory could lead out of the root. */
static int
open_directory_below_root (const CgStore *store, char *const *components, guint n_dirs,
                           const char *path, GError **error)
{
  int dir_fd = open (store->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dir_fd < 0)
    return set_errno_error (error, errno, "cannot open root", store->root), -1;
  for (guint i = 0; i < n_dirs; i++) {
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;
    int next_fd = openat (dir_fd, components[i], flags);

    if (next_fd < 0 && errno == ENOENT) {
      if (mkdirat (dir_fd, components[i], 0755) < 0 && errno != EEXIST) {
        int saved_errno = errno;
        close (dir_fd);
        return set_errno_error (error, saved_errno, "cannot create a directory for", path), -1;
      }
      next_fd = openat (dir_fd, components[i], flags);
    }
    if (next_fd < 0) {
      int saved_errno = errno;
      close (dir_fd);
      if (saved_errno == ELOOP)
        g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO,
                     "refusing to follow the symlink %s in %s", components[i], path);
      else
        set_errno_error (error, saved_errno, "cannot open the directory of", path);
      return -1;
    }
    close (dir_fd);
    dir_fd = next_fd;
  }
  return dir_fd;
}

static gboolean
open_target (CgStore *store, const char *path, CgStoreTarget *target, GError **error)
{
  g_auto (GStrv) components = split_policy_path (path, error);
  guint n;

  if (components == NULL)
    return FALSE;
  n = g_strv_length (components);
  target->dir_fd = open_directory_below_root (store, components, n - 1, path, error);
  if (target->dir_fd < 0)
    return FALSE;
  target->name = g_strdup (components[n - 1]);
  return TRUE;
}

/* ".NAME.XXXXXX": a dot file never ends in .conf, so the loader skips it if left behind. */
static char *
make_temp_name (const char *name)
{
  static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  GString *temp = g_string_new (NULL);

  g_string_printf (temp, ".%s.", name);
  for (guint i = 0; i < 6; i++)
    g_string_append_c (temp, letters[g_random_int_range (0, sizeof letters - 1)]);
  return g_string_free (temp, FALSE);
}

/* mkostemp() works on paths; this is the same loop relative to the directory fd, so
 * the temp file is certainly in the directory that was checked. */
static int
create_temp_file (int dir_fd, const char *name, char **temp_name, GError **error)
{
  for (guint attempt = 0; attempt < CG_STORE_TEMP_ATTEMPTS; attempt++) {
    g_autofree char *candidate = make_temp_name (name);
    int fd = openat (dir_fd, candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

    if (fd >= 0) {
      /* The umask must not decide who can read the policy. */
      if (fchmod (fd, 0644) < 0) {
        int saved_errno = errno;
        close (fd);
        unlinkat (dir_fd, candidate, 0);
        return set_errno_error (error, saved_errno, "cannot set the mode of", candidate), -1;
      }
      *temp_name = g_steal_pointer (&candidate);
      return fd;
    }
    if (errno != EEXIST)
      return set_errno_error (error, errno, "cannot create a temporary file for", name), -1;
  }
  g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO,
               "cannot find a free temporary name for %s", name);
  return -1;
}

static gboolean
write_all (int fd, const char *data, gsize len, const char *path, GError **error)
{
  while (len > 0) {
    ssize_t n = write (fd, data, len);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return set_errno_error (error, errno, "cannot write", path);
    data += n;
    len -= (gsize)n;
  }
  return TRUE;
}

/* Steps WRITE, FSYNC, CLOSE: the temp file's content is on disk and the fd closed,
 * whatever happens. */
static gboolean
fill_temp_file (CgStore *store, int fd, const char *data, gsize len, const char *path,
                GError **error)
{
  gboolean ok = run_fault_func (store, CG_STORE_STEP_WRITE, error)
                && write_all (fd, data, len, path, error);

  if (ok) {
    ok = run_fault_func (store, CG_STORE_STEP_FSYNC, error);
    if (ok && fsync (fd) < 0)
      ok = set_errno_error (error, errno, "cannot sync", path);
  }
  if (ok && !run_fault_func (store, CG_STORE_STEP_CLOSE, error))
    ok = FALSE;
  if (close (fd) < 0 && ok)
    ok = set_errno_error (error, errno, "cannot close", path);
  return ok;
}

static gboolean
sync_directory (CgStore *store, int dir_fd, const char *path, GError **error)
{
  if (!run_fault_func (store, CG_STORE_STEP_FSYNC_DIR, error))
    return FALSE;
  if (fsync (dir_fd) < 0)
    return set_errno_error (error, errno, "cannot sync the directory of", path);
  return TRUE;
}

/* Keeps a second name for the current file so a failure after the rename can put it
 * back: callers rely on "any failure leaves the old file". */
static char *
link_backup (const CgStoreTarget *target, const char *temp_name, GError **error)
{
  g_autofree char *backup = g_strconcat (temp_name, ".old", NULL);

  if (linkat (target->dir_fd, target->name, target->dir_fd, backup, 0) == 0)
    return g_steal_pointer (&backup);
  if (errno == ENOENT)
    return g_strdup ("");
  set_errno_error (error, errno, "cannot keep a backup of", target->name);
  return NULL;
}

static void
restore_backup (const CgStoreTarget *target, const char *backup)
{
  if (*backup == '\0')
    unlinkat (target->dir_fd, target->name, 0);
  else
    renameat (target->dir_fd, backup, target->dir_fd, target->name);
  fsync (target->dir_fd);
}

static gboolean
rename_temp (CgStore *store, const CgStoreTarget *target, const char *temp_name, const char *path,
             GError **error)
{
  if (!run_fault_func (store, CG_STORE_STEP_RENAME, error))
    return FALSE;
  if (renameat (target->dir_fd, temp_name, target->dir_fd, target->name) < 0)
    return set_errno_error (error, errno, "cannot replace", path);
  return TRUE;
}

/* Steps RENAME and FSYNC_DIR: the temp file replaces the target, or nothing changes
 * and the temp file is gone. */
static gboolean
replace_with_temp (CgStore *store, const CgStoreTarget *target, const char *temp_name,
                   const char *path, GError **error)
{
  g_autofree char *backup = link_backup (target, temp_name, error);

  if (backup == NULL) {
    unlinkat (target->dir_fd, temp_name, 0);
    return FALSE;
  }
  if (!rename_temp (store, target, temp_name, path, error)) {
    unlinkat (target->dir_fd, temp_name, 0);
    if (*backup != '\0')
      unlinkat (target->dir_fd, backup, 0);
    return FALSE;
  }
  if (!sync_directory (store, target->dir_fd, path, error)) {
    restore_backup (target, backup);
    return FALSE;
  }
  if (*backup != '\0')
    unlinkat (target->dir_fd, backup, 0);
  return TRUE;
}

gboolean
cg_store_write (CgStore *store, const char *path, const char *data, gsize len, GError **error)
{
  g_auto (CgStoreTarget) target = { -1, NULL };
  g_autofree char *temp_name = NULL;
  int fd;

  if (!open_target (store, path, &target, error))
    return FALSE;
  if (!run_fault_func (store, CG_STORE_STEP_OPEN_TEMP, error))
    return FALSE;
  fd = create_temp_file (target.dir_fd, target.name, &temp_name, error);
  if (fd < 0)
    return FALSE;
  if (!fill_temp_file (store, fd, data, len, path, error)) {
    unlinkat (target.dir_fd, temp_name, 0);
    return FALSE;
  }
  return replace_with_temp (store, &target, temp_name, path, error);
}

gboolean
cg_store_mask (CgStore *store, const char *path, GError **error)
{
  g_auto (CgStoreTarget) target = { -1, NULL };
  g_autofree char *temp_name = NULL;

  if (!open_target (store, path, &target, error))
    return FALSE;
  if (!run_fault_func (store, CG_STORE_STEP_OPEN_TEMP, error))
    return FALSE;
  for (guint attempt = 0; temp_name == NULL; attempt++) {
    g_autofree char *candidate = make_temp_name (target.name);

    if (symlinkat ("/dev/null", target.dir_fd, candidate) == 0)
      temp_name = g_steal_pointer (&candidate);
    else if (errno != EEXIST || attempt == CG_STORE_TEMP_ATTEMPTS)
      return set_errno_error (error, errno, "cannot create a mask for", path);
  }
  return replace_with_temp (store, &target, temp_name, path, error);
}

gboolean
cg_store_remove (CgStore *store, const char *path, GError **error)
{
  g_auto (CgStoreTarget) target = { -1, NULL };

  if (!open_target (store, path, &target, error))
    return FALSE;
  if (unlinkat (target.dir_fd, target.name, 0) < 0) {
    if (errno == ENOENT) {
      g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "%s does not exist", path);
      return FALSE;
    }
    return set_errno_error (error, errno, "cannot remove", path);
  }
  return sync_directory (store, target.dir_fd, path, error);
}

gboolean
cg_store_lock (CgStore *store, GError **error)
{
  g_auto (CgStoreTarget) target = { -1, NULL };
  int fd;

  if (store->lock_fd >= 0)
    return TRUE;
  if (!open_target (store, CG_STORE_LOCK_FILE, &target, error))
    return FALSE;
  fd = openat (target.dir_fd, target.name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "cannot open the lock", CG_STORE_LOCK_FILE);
  while (flock (fd, LOCK_EX) < 0) {
    if (errno != EINTR) {
      int saved_errno = errno;
      close (fd);
      return set_errno_error (error, saved_errno, "cannot take the lock", CG_STORE_LOCK_FILE);
    }
  }
  store->lock_fd = fd;
  return TRUE;
}

void
cg_store_unlock (CgStore *store)
{
  if (store->lock_fd < 0)
    return;
  close (store->lock_fd);
  store->lock_fd = -1;
}
