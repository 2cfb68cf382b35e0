/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-policy-private.h"
#include "cg-root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Below this many files a load takes milliseconds, and threads would cost about what they
 * save; 100 files of 1,000 vendors each load in 60% of the time on two
 * (bench/bench-policy). */
#define PARALLEL_MIN_FILES 64

static const char *const search_dirs[] = {
  CG_POLICY_DIR_SHIPPED,
  CG_POLICY_DIR_ADMIN,
  CG_POLICY_DIR_RUNTIME,
};

/* One file to read: where it is and what it is called in diagnostics. */
typedef struct {
  char *path;      /* shown: "/etc/carguard/vendors.d/x.conf" or an extra file as given */
  char *role_name; /* basename deciding main/vendor */
  int dirfd;       /* -1: read path from the real file system (an extra file) */
  char *name;      /* name within dirfd */
  int root_fd;     /* where a symlinked name is resolved, the root as / */
  gboolean known_regular;
  char *text; /* an extra source: its text, read from nowhere */
  gsize len;
  CgPolicyLoadFlags flags;
  CgPolicyFile *compiled;
} Source;

static void
source_free (Source *source)
{
  g_free (source->path);
  g_free (source->role_name);
  g_free (source->name);
  g_free (source->text);
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

  CgPolicyFile *file
      = cg_policy_file_compile (source->path, source->role_name, "", 0, source->flags);

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

/* A name in a policy directory, opened without leaving the root: the common case, a
 * plain file, in one openat; a symlink is resolved under the root, and a mask (a link
 * to /dev/null) reads as empty. */
static int
open_source (const Source *source, gboolean *masked, char **link_target)
{
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  int fd = openat (source->dirfd, source->name, flags | O_NOFOLLOW);
  char buffer[PATH_MAX];
  ssize_t n;

  *masked = FALSE;
  if (fd >= 0 || errno != ELOOP)
    return fd;
  n = readlinkat (source->dirfd, source->name, buffer, sizeof buffer - 1);
  if (n < 0)
    return -1;
  buffer[n] = '\0';
  if (strcmp (buffer, "/dev/null") == 0) {
    *masked = TRUE;
    return -1;
  }
  *link_target = g_strdup (buffer);
  /* source->path is the file as seen from the root ("/etc/carguard/vendors.d/x.conf"). */
  return cg_root_open (source->root_fd, source->path, flags);
}

/* Reads all of fd; NULL with *problem set on failure. Closes fd. */
static char *
read_fd (int fd, gsize *len, char **problem)
{
  gsize cap = 4096;
  g_autofree char *text = g_malloc (cap);

  *len = 0;
  for (;;) {
    ssize_t n = read (fd, text + *len, cap - *len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *problem = g_strdup_printf ("cannot read: %s", g_strerror (errno));
      break;
    }
    if (n == 0) {
      close (fd);
      return g_steal_pointer (&text);
    }
    *len += (gsize)n;
    if (*len > CG_POLICY_FILE_MAX_SIZE) {
      *problem = g_strdup ("file larger than 4 MiB");
      break;
    }
    if (*len == cap)
      text = g_realloc (text, cap *= 2);
  }
  close (fd);
  return NULL;
}

/* Reads one file with plain syscalls: with many thousand vendor files the load is bound
 * by them, and GIO would add several per file. A mask reads as "". NULL with *problem
 * set when the file cannot be read. */
static char *
read_source (const Source *source, gsize *len, char **problem)
{
  g_autofree char *link_target = NULL;
  gboolean masked = FALSE;
  struct stat st;
  int fd;

  if (source->text != NULL) {
    *len = source->len;
    return g_memdup2 (source->text, source->len + 1);
  }
  if (source->dirfd < 0) {
    g_autoptr (GError) error = NULL;
    char *text = NULL;
    if (!g_file_get_contents (source->path, &text, len, &error))
      *problem = g_strdup (error->message);
    return text;
  }
  fd = open_source (source, &masked, &link_target);
  *len = 0;
  if (masked)
    return g_strdup ("");
  if (fd < 0 && link_target != NULL)
    *problem = g_strdup_printf ("cannot open: %s (a symlink to %s, which is followed below the "
                                "root)",
                                g_strerror (errno), link_target);
  else if (fd < 0)
    *problem = g_strdup_printf ("cannot open: %s", g_strerror (errno));
  else if (!source->known_regular
           && (fstat (fd, &st) < 0 || (!S_ISREG (st.st_mode) && !is_dev_null (&st)))) {
    close (fd);
    *problem = g_strdup ("not a regular file");
  } else {
    return read_fd (fd, len, problem);
  }
  return NULL;
}

static CgPolicyFile *
read_and_compile (const Source *source)
{
  g_autofree char *problem = NULL;
  gsize len = 0;
  g_autofree char *text = read_source (source, &len, &problem);

  if (text == NULL)
    return file_error (source, "%s", problem);
  return cg_policy_file_compile (source->path, source->role_name, text, len, source->flags);
}

static Source *
source_new (const char *path, const char *role_name, int dirfd, const char *name,
            gboolean known_regular)
{
  Source *source = g_new0 (Source, 1);

  source->path = g_strdup (path);
  source->role_name = g_strdup (role_name);
  source->dirfd = dirfd;
  source->root_fd = -1;
  source->name = g_strdup (name);
  source->known_regular = known_regular;
  return source;
}

/* What the search path offers: the main file and vendor files by name, later
 * directories replacing earlier ones; and what the scan noticed on the way. */
typedef struct {
  int root_fd;
  CgPolicyLoadFlags flags;
  Source *main_file;
  GHashTable *vendors; /* name -> Source * */
  int fds[G_N_ELEMENTS (search_dirs) * 2];
  guint n_fds;
  guint n_found;    /* files of the search path, masks included */
  GPtrArray *found; /* CgDiagnostic: files ignored */
} Scan;

static void
scan_clear (Scan *scan)
{
  g_clear_pointer (&scan->main_file, source_free);
  g_clear_pointer (&scan->vendors, g_hash_table_unref);
  g_clear_pointer (&scan->found, g_ptr_array_unref);
  for (guint i = 0; i < scan->n_fds; i++)
    close (scan->fds[i]);
  scan->n_fds = 0;
  if (scan->root_fd >= 0)
    close (scan->root_fd);
  scan->root_fd = -1;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Scan, scan_clear)

static void
scan_report_ignored (Scan *scan, const char *path, const char *why)
{
  g_ptr_array_add (scan->found, (scan->flags & CG_POLICY_LOAD_STRICT)
                                    ? cg_diagnostic_new (path, 1, 1, "ignored: %s", why)
                                    : cg_diagnostic_new_warning (path, 1, 1, "ignored: %s", why));
}

/* Names the loader skips without a word: its own temporary files and other dot files. */
static gboolean
is_hidden (const char *name)
{
  return name[0] == '.';
}

static Source *
scan_source_new (Scan *scan, const char *path, const char *name, int dir_fd, gboolean regular)
{
  Source *source = source_new (path, name, dir_fd, name, regular);

  source->root_fd = scan->root_fd;
  source->flags = scan->flags;
  scan->n_found++;
  return source;
}

static void
scan_vendors_dir (Scan *scan, const char *shown_dir)
{
  g_autofree char *vendors_path = g_build_filename (shown_dir, CG_POLICY_VENDORS_DIR, NULL);
  /* A symlinked vendors.d is followed, but never out of the root. */
  int vendors_fd = cg_root_open (scan->root_fd, vendors_path, O_RDONLY | O_DIRECTORY);
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
    if (is_hidden (entry->d_name))
      continue;
    path = g_build_filename (vendors_path, entry->d_name, NULL);
    if (!g_str_has_suffix (entry->d_name, ".conf")) {
      scan_report_ignored (scan, path, "only names ending in .conf (lower case) are read");
      continue;
    }
    g_hash_table_replace (
        scan->vendors, g_strdup (entry->d_name),
        scan_source_new (scan, path, entry->d_name, vendors_fd, entry->d_type == DT_REG));
  }
  closedir (dir);
}

/* A policy directory holds carguard.conf and vendors.d; anything else is a mistake
 * ("byd.conf" put beside carguard.conf, "carguard.conf.orig") the admin must hear of. */
static void
scan_policy_dir (Scan *scan, int dir_fd, const char *shown_dir)
{
  DIR *dir = fdopendir (dup (dir_fd));
  struct dirent *entry;

  if (dir == NULL)
    return;
  while ((entry = readdir (dir)) != NULL) {
    g_autofree char *path = NULL;

    if (is_hidden (entry->d_name) || strcmp (entry->d_name, CG_POLICY_MAIN_FILE) == 0
        || strcmp (entry->d_name, CG_POLICY_VENDORS_DIR) == 0)
      continue;
    path = g_build_filename (shown_dir, entry->d_name, NULL);
    scan_report_ignored (scan, path,
                         "only " CG_POLICY_MAIN_FILE " and " CG_POLICY_VENDORS_DIR
                         "/ are read here; vendor files belong in " CG_POLICY_VENDORS_DIR "/");
  }
  closedir (dir);
}

static gboolean
scan_search_path (Scan *scan, const char *root, GError **error)
{
  scan->vendors
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)source_free);
  scan->found = cg_diagnostics_new ();
  scan->root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scan->root_fd < 0) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "cannot open the root %s: %s", root,
                 g_strerror (errno));
    return FALSE;
  }
  for (guint d = 0; d < G_N_ELEMENTS (search_dirs); d++) {
    g_autofree char *main_path = g_build_filename (search_dirs[d], CG_POLICY_MAIN_FILE, NULL);
    int dir_fd = cg_root_open (scan->root_fd, search_dirs[d], O_RDONLY | O_DIRECTORY);
    struct stat st;

    if (dir_fd < 0)
      continue;
    scan->fds[scan->n_fds++] = dir_fd;
    if (fstatat (dir_fd, CG_POLICY_MAIN_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      g_clear_pointer (&scan->main_file, source_free);
      scan->main_file
          = scan_source_new (scan, main_path, CG_POLICY_MAIN_FILE, dir_fd, S_ISREG (st.st_mode));
    }
    scan_policy_dir (scan, dir_fd, search_dirs[d]);
    scan_vendors_dir (scan, search_dirs[d]);
  }
  return TRUE;
}

static void
scan_add_source (Scan *scan, Source *source)
{
  if (strcmp (source->role_name, CG_POLICY_MAIN_FILE) == 0) {
    g_clear_pointer (&scan->main_file, source_free);
    scan->main_file = source;
  } else {
    g_hash_table_replace (scan->vendors, g_strdup (source->role_name), source);
  }
}

/* What `policy check FILE` names that the loader would never read, it says so. */
static gboolean
extra_name_is_read (Scan *scan, const char *path, const char *basename)
{
  if (g_str_has_suffix (basename, ".conf") && !is_hidden (basename))
    return TRUE;
  scan_report_ignored (scan, path,
                       "installed, this file would not be read: only names ending in .conf "
                       "(lower case, not starting with '.') are");
  return FALSE;
}

static void
add_extra_files (Scan *scan, const CgPolicyLoadOptions *options)
{
  for (guint i = 0; options->extra_files != NULL && options->extra_files[i] != NULL; i++) {
    const char *path = options->extra_files[i];
    g_autofree char *basename = g_path_get_basename (path);
    Source *source;

    if (!extra_name_is_read (scan, path, basename))
      continue;
    source = source_new (path, basename, -1, NULL, FALSE);
    source->flags = scan->flags;
    scan_add_source (scan, source);
  }
  for (guint i = 0; i < options->n_extra_sources; i++) {
    const CgPolicySource *extra = &options->extra_sources[i];
    g_autofree char *basename = g_path_get_basename (extra->path);
    Source *source;

    if (!extra_name_is_read (scan, extra->path, basename))
      continue;
    source = source_new (extra->path, basename, -1, NULL, FALSE);
    source->flags = scan->flags;
    source->text = g_strndup (extra->text, extra->len);
    source->len = extra->len;
    scan_add_source (scan, source);
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

static gboolean
check_found_any (const Scan *scan, const char *root, GError **error)
{
  if (scan->n_found > 0 || scan->main_file != NULL || g_hash_table_size (scan->vendors) > 0)
    return TRUE;
  g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND,
               "no policy below %s: no %s and no %s/*.conf in %s, %s or %s", root,
               CG_POLICY_MAIN_FILE, CG_POLICY_VENDORS_DIR, CG_POLICY_DIR_SHIPPED,
               CG_POLICY_DIR_ADMIN, CG_POLICY_DIR_RUNTIME);
  return FALSE;
}

CgPolicy *
cg_policy_load_with (const CgPolicyLoadOptions *options, GPtrArray *diagnostics, GError **error)
{
  const char *root = options->root != NULL && *options->root != '\0' ? options->root : "/";
  g_auto (Scan) scan = { .root_fd = -1, .flags = options->flags };
  g_autoptr (GPtrArray) sources = NULL;

  if (!scan_search_path (&scan, root, error))
    return NULL;
  add_extra_files (&scan, options);
  if ((options->flags & CG_POLICY_LOAD_REQUIRE_FILES) && !check_found_any (&scan, root, error))
    return NULL;
  sources = ordered_sources (&scan);
  compile_all (sources);
  return cg_policy_build (take_compiled (sources), g_steal_pointer (&scan.found), diagnostics,
                          error);
}

CgPolicy *
cg_policy_load (const char *root, const char *const *extra_files, GPtrArray *diagnostics,
                GError **error)
{
  const CgPolicyLoadOptions options = { .root = root, .extra_files = extra_files };

  return cg_policy_load_with (&options, diagnostics, error);
}

CgPolicy *
cg_policy_load_from_data (const char *const *names, const char *const *texts, guint n_files,
                          GPtrArray *diagnostics, GError **error)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify)cg_policy_file_free);
  gint main_index = -1;

  for (guint i = 0; i < n_files; i++) {
    g_autofree char *basename = g_path_get_basename (names[i]);
    CgPolicyFile *file
        = cg_policy_file_compile (names[i], basename, texts[i], strlen (texts[i]), 0);
    g_ptr_array_add (files, file);
    if (file->main_file)
      main_index = (gint)i;
  }
  /* The main file builds first, as cg_policy_load orders it. */
  if (main_index > 0) {
    gpointer main_file = g_ptr_array_steal_index (files, main_index);
    g_ptr_array_insert (files, 0, main_file);
  }
  return cg_policy_build (files, NULL, diagnostics, error);
}

static void
policy_file_text_free (CgPolicyFileText *file)
{
  g_free (file->name);
  g_free (file->path);
  g_free (file->text);
  g_free (file);
}

GPtrArray *
cg_policy_read_files (const char *root, GError **error)
{
  const CgPolicyLoadOptions options = { .root = root };
  g_auto (Scan) scan = { .root_fd = -1 };
  g_autoptr (GPtrArray) sources = NULL;
  g_autoptr (GPtrArray) files
      = g_ptr_array_new_with_free_func ((GDestroyNotify)policy_file_text_free);

  if (!scan_search_path (&scan, root != NULL && *root != '\0' ? root : "/", error))
    return NULL;
  add_extra_files (&scan, &options);
  sources = ordered_sources (&scan);
  for (guint i = 0; i < sources->len; i++) {
    const Source *source = g_ptr_array_index (sources, i);
    CgPolicyFileText *file = g_new0 (CgPolicyFileText, 1);
    g_autofree char *problem = NULL;

    g_ptr_array_add (files, file);
    file->name = g_strdup (source->role_name);
    file->path = g_strdup (source->path);
    file->text = read_source (source, &file->len, &problem);
    if (file->text == NULL) {
      g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "%s: %s", source->path, problem);
      return NULL;
    }
  }
  return g_steal_pointer (&files);
}
