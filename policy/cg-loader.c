/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-policy-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* A policy file is small text; anything this big is a mistake or an attack. */
#define MAX_FILE_SIZE (4 * 1024 * 1024)
/* Below this many files, threads cost more than they save. */
#define PARALLEL_MIN_FILES 512

static const char *const search_dirs[] = {
  CG_POLICY_DIR_SHIPPED,
  CG_POLICY_DIR_ADMIN,
  CG_POLICY_DIR_RUNTIME,
};

/* One file to read: where it is and what it is called in diagnostics. */
typedef struct {
  char *path;      /* shown: "/etc/carguard/vendors.d/x.conf" or an extra file as given */
  char *role_name; /* basename deciding main/vendor */
  int dirfd;       /* -1: read path from the real file system */
  char *name;      /* name within dirfd */
  gboolean known_regular;
  CgPolicyFile *compiled;
} Source;

static void
source_free (Source *source)
{
  g_free (source->path);
  g_free (source->role_name);
  g_free (source->name);
  if (source->compiled != NULL)
    cg_policy_file_free (source->compiled);
  g_free (source);
}

static CgPolicyFile *file_error (const Source *source, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static CgPolicyFile *
file_error (const Source *source, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  CgPolicyFile *file = cg_policy_file_compile (source->path, source->role_name, "", 0);

  /* Masked so it takes no part in the build; its diagnostic fails the load. */
  file->masked = TRUE;
  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_ptr_array_add (file->diagnostics, cg_diagnostic_new (source->path, 1, 1, "%s", message));
  return file;
}

static gboolean
is_dev_null (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (1, 3);
}

/* Reads and compiles one file with plain syscalls: with many thousand vendor files
 * the load is bound by them, and GIO would add several per file. */
static CgPolicyFile *
read_and_compile (const Source *source)
{
  g_autofree char *text = NULL;
  gsize len = 0, cap = 4096;
  struct stat st;
  int fd;

  if (source->dirfd < 0) {
    g_autoptr (GError) error = NULL;
    if (!g_file_get_contents (source->path, &text, &len, &error))
      return file_error (source, "%s", error->message);
    return cg_policy_file_compile (source->path, source->role_name, text, len);
  }
  fd = openat (source->dirfd, source->name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return file_error (source, "cannot open: %s", g_strerror (errno));
  if (!source->known_regular) {
    if (fstat (fd, &st) < 0 || (!S_ISREG (st.st_mode) && !is_dev_null (&st))) {
      close (fd);
      return file_error (source, "%s", "not a regular file");
    }
  }
  text = g_malloc (cap);
  for (;;) {
    ssize_t n = read (fd, text + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      close (fd);
      return file_error (source, "cannot read: %s", g_strerror (saved));
    }
    if (n == 0)
      break;
    len += (gsize)n;
    if (len > MAX_FILE_SIZE) {
      close (fd);
      return file_error (source, "%s", "file larger than 4 MiB");
    }
    if (len == cap)
      text = g_realloc (text, cap *= 2);
  }
  close (fd);
  return cg_policy_file_compile (source->path, source->role_name, text, len);
}

static Source *
source_new (const char *path, const char *role_name, int dirfd, const char *name,
            gboolean known_regular)
{
  Source *source = g_new0 (Source, 1);

  source->path = g_strdup (path);
  source->role_name = g_strdup (role_name);
  source->dirfd = dirfd;
  source->name = g_strdup (name);
  source->known_regular = known_regular;
  return source;
}

/* What the search path offers: the main file and vendor files by name, later
 * directories replacing earlier ones. */
typedef struct {
  Source *main_file;
  GHashTable *vendors; /* name -> Source * */
  int fds[G_N_ELEMENTS (search_dirs) * 2];
  guint n_fds;
} Scan;

static void
scan_clear (Scan *scan)
{
  g_clear_pointer (&scan->main_file, source_free);
  g_clear_pointer (&scan->vendors, g_hash_table_unref);
  for (guint i = 0; i < scan->n_fds; i++)
    close (scan->fds[i]);
  scan->n_fds = 0;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Scan, scan_clear)

static int
open_dir_at (int at, const char *path)
{
  return openat (at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void
scan_vendors_dir (Scan *scan, int dir_fd, const char *shown_dir)
{
  int vendors_fd = open_dir_at (dir_fd, CG_POLICY_VENDORS_DIR);
  DIR *dir;
  struct dirent *entry;

  if (vendors_fd < 0)
    return;
  dir = fdopendir (dup (vendors_fd));
  scan->fds[scan->n_fds++] = vendors_fd;
  if (dir == NULL)
    return;
  while ((entry = readdir (dir)) != NULL) {
    g_autofree char *path = NULL;
    if (entry->d_name[0] == '.' || !g_str_has_suffix (entry->d_name, ".conf"))
      continue;
    path = g_build_filename (shown_dir, CG_POLICY_VENDORS_DIR, entry->d_name, NULL);
    g_hash_table_replace (
        scan->vendors, g_strdup (entry->d_name),
        source_new (path, entry->d_name, vendors_fd, entry->d_name, entry->d_type == DT_REG));
  }
  closedir (dir);
}

static void
scan_search_path (Scan *scan, const char *root)
{
  scan->vendors
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)source_free);
  for (guint d = 0; d < G_N_ELEMENTS (search_dirs); d++) {
    g_autofree char *host_dir = g_build_filename (root, search_dirs[d], NULL);
    g_autofree char *main_path = g_build_filename (search_dirs[d], CG_POLICY_MAIN_FILE, NULL);
    int dir_fd = open_dir_at (AT_FDCWD, host_dir);
    struct stat st;

    if (dir_fd < 0)
      continue;
    scan->fds[scan->n_fds++] = dir_fd;
    if (fstatat (dir_fd, CG_POLICY_MAIN_FILE, &st, 0) == 0) {
      g_clear_pointer (&scan->main_file, source_free);
      scan->main_file
          = source_new (main_path, CG_POLICY_MAIN_FILE, dir_fd, CG_POLICY_MAIN_FILE, FALSE);
    }
    scan_vendors_dir (scan, dir_fd, search_dirs[d]);
  }
}

static void
add_extra_files (Scan *scan, const char *const *extra_files)
{
  for (guint i = 0; extra_files != NULL && extra_files[i] != NULL; i++) {
    g_autofree char *basename = g_path_get_basename (extra_files[i]);
    Source *source = source_new (extra_files[i], basename, -1, NULL, FALSE);

    if (strcmp (basename, CG_POLICY_MAIN_FILE) == 0) {
      g_clear_pointer (&scan->main_file, source_free);
      scan->main_file = source;
    } else {
      g_hash_table_replace (scan->vendors, g_strdup (basename), source);
    }
  }
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The files in load order: the main file, then vendors sorted by name. */
static GPtrArray *
ordered_sources (Scan *scan)
{
  GPtrArray *sources = g_ptr_array_new ();
  guint n = 0;
  g_autofree const char **names = (const char **)g_hash_table_get_keys_as_array (scan->vendors, &n);

  if (scan->main_file != NULL)
    g_ptr_array_add (sources, scan->main_file);
  qsort (names, n, sizeof (char *), compare_names);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sources, g_hash_table_lookup (scan->vendors, names[i]));
  return sources;
}

typedef struct {
  GPtrArray *sources;
  guint first, step;
} CompileJob;

static gpointer
compile_sources (gpointer data)
{
  CompileJob *job = data;

  for (guint i = job->first; i < job->sources->len; i += job->step) {
    Source *source = g_ptr_array_index (job->sources, i);
    source->compiled = read_and_compile (source);
  }
  return NULL;
}

/* Each file compiles on its own, so the work splits across cores; results stay in
 * load order, so the policy and its diagnostics do not depend on the threads. */
static void
compile_all (GPtrArray *sources)
{
  guint n_threads = CLAMP (g_get_num_processors (), 1, 4);
  CompileJob jobs[4];
  GThread *threads[4] = { NULL };

  if (sources->len < PARALLEL_MIN_FILES)
    n_threads = 1;
  for (guint t = 0; t < n_threads; t++) {
    jobs[t] = (CompileJob){ sources, t, n_threads };
    if (t > 0)
      threads[t] = g_thread_new ("cg-policy-load", compile_sources, &jobs[t]);
  }
  compile_sources (&jobs[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}

static GPtrArray *
take_compiled (GPtrArray *sources)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify)cg_policy_file_free);

  for (guint i = 0; i < sources->len; i++) {
    Source *source = g_ptr_array_index (sources, i);
    g_ptr_array_add (files, g_steal_pointer (&source->compiled));
  }
  return files;
}

CgPolicy *
cg_policy_load (const char *root, const char *const *extra_files, GPtrArray *diagnostics,
                GError **error)
{
  g_auto (Scan) scan = { NULL };
  g_autoptr (GPtrArray) sources = NULL;

  scan_search_path (&scan, root != NULL ? root : "/");
  add_extra_files (&scan, extra_files);
  sources = ordered_sources (&scan);
  compile_all (sources);
  return cg_policy_build (take_compiled (sources), diagnostics, error);
}

CgPolicy *
cg_policy_load_from_data (const char *const *names, const char *const *texts, guint n_files,
                          GPtrArray *diagnostics, GError **error)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify)cg_policy_file_free);
  gint main_index = -1;

  for (guint i = 0; i < n_files; i++) {
    g_autofree char *basename = g_path_get_basename (names[i]);
    CgPolicyFile *file = cg_policy_file_compile (names[i], basename, texts[i], strlen (texts[i]));
    g_ptr_array_add (files, file);
    if (file->main_file)
      main_index = (gint)i;
  }
  /* The main file builds first, as cg_policy_load orders it. */
  if (main_index > 0) {
    gpointer main_file = g_ptr_array_steal_index (files, main_index);
    g_ptr_array_insert (files, 0, main_file);
  }
  return cg_policy_build (files, diagnostics, error);
}
