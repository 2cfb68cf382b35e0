/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-policy-edit.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cg-policy.h"

void
cg_policy_edit_clear (CgPolicyEdit *edit)
{
  g_clear_pointer (&edit->store, cg_store_free);
  g_clear_pointer (&edit->root, g_free);
  g_clear_pointer (&edit->name, g_free);
  g_clear_pointer (&edit->admin_path, g_free);
  g_clear_pointer (&edit->shipped_path, g_free);
  g_clear_pointer (&edit->display_path, g_free);
  g_clear_pointer (&edit->doc, cg_document_free);
}

static char *
policy_path (const char *dir, const char *vendor_id)
{
  g_autofree char *file = NULL;

  if (vendor_id == NULL)
    return g_build_filename (dir, CG_POLICY_MAIN_FILE, NULL);
  file = g_strconcat (vendor_id, ".conf", NULL);
  return g_build_filename (dir, CG_POLICY_VENDORS_DIR, file, NULL);
}

/* A mask is a symlink to /dev/null or an empty file. */
static gboolean
is_mask (const char *host_path)
{
  g_autofree char *target = g_file_read_link (host_path, NULL);
  GStatBuf st;

  if (target != NULL)
    return g_str_equal (target, "/dev/null");
  return g_stat (host_path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0;
}

static gboolean
exists_without_following (const char *host_path)
{
  GStatBuf st;

  return g_lstat (host_path, &st) == 0;
}

static gboolean
read_document (CgPolicyEdit *edit, const char *path, GPtrArray *diagnostics, GError **error)
{
  g_autofree char *host_path = cg_store_resolve (edit->store, path);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) local_error = NULL;

  if (!g_file_get_contents (host_path, &text, &len, &local_error)) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "%s", local_error->message);
    return FALSE;
  }
  edit->doc = cg_document_parse (path, text, len, diagnostics);
  if (edit->doc == NULL) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "%s has errors", path);
    return FALSE;
  }
  return TRUE;
}

static void
warn_if_runtime_override (CgPolicyEdit *edit, const char *vendor_id)
{
  g_autofree char *runtime_path = policy_path (CG_POLICY_DIR_RUNTIME, vendor_id);
  g_autofree char *host_path = cg_store_resolve (edit->store, runtime_path);

  if (exists_without_following (host_path))
    fprintf (stderr, "carguard: warning: %s overrides %s until the next boot\n", runtime_path,
             edit->admin_path);
}

gboolean
cg_policy_edit_begin (CgPolicyEdit *edit, const char *root, const char *vendor_id,
                      GPtrArray *diagnostics, GError **error)
{
  g_autofree char *admin_host = NULL;
  g_autofree char *shipped_host = NULL;

  edit->root = g_strdup (root);
  edit->store = cg_store_new (root);
  edit->name
      = vendor_id != NULL ? g_strconcat (vendor_id, ".conf", NULL) : g_strdup (CG_POLICY_MAIN_FILE);
  edit->admin_path = policy_path (CG_POLICY_DIR_ADMIN, vendor_id);
  edit->shipped_path = policy_path (CG_POLICY_DIR_SHIPPED, vendor_id);
  /* Named as the loader names files in its diagnostics: relative to the root. */
  edit->display_path = g_strdup (edit->admin_path);
  if (!cg_store_lock (edit->store, error))
    return FALSE;
  warn_if_runtime_override (edit, vendor_id);

  admin_host = cg_store_resolve (edit->store, edit->admin_path);
  shipped_host = cg_store_resolve (edit->store, edit->shipped_path);
  if (exists_without_following (admin_host)) {
    if (is_mask (admin_host)) {
      edit->state = CG_POLICY_FILE_MASKED;
      return TRUE;
    }
    edit->state = CG_POLICY_FILE_ADMIN;
    return read_document (edit, edit->admin_path, diagnostics, error);
  }
  if (exists_without_following (shipped_host) && !is_mask (shipped_host)) {
    edit->state = CG_POLICY_FILE_SHIPPED;
    return read_document (edit, edit->shipped_path, diagnostics, error);
  }
  edit->state = CG_POLICY_FILE_ABSENT;
  return TRUE;
}

void
cg_policy_edit_start_empty (CgPolicyEdit *edit)
{
  g_clear_pointer (&edit->doc, cg_document_free);
  edit->doc = cg_document_new_empty (edit->display_path);
}

/* The loader names the candidate by its temporary path; the user knows the file as
 * the one the edit will write. */
static void
rename_diagnostics (GPtrArray *diagnostics, guint first, const char *from, const char *to)
{
  for (guint i = first; i < diagnostics->len; i++) {
    CgDiagnostic *d = g_ptr_array_index (diagnostics, i);

    if (d->file != NULL && g_str_has_suffix (d->file, from)) {
      g_free (d->file);
      d->file = g_strdup (to);
    }
  }
}

/* Loads the whole policy with text standing in for the admin file, as `policy check
 * FILE` does: the candidate goes to a private directory under its own name. */
static gboolean
validate (CgPolicyEdit *edit, const char *text, gsize len, GPtrArray *diagnostics, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("carguard-edit-XXXXXX", error);
  g_autofree char *candidate = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  const char *extra_files[2] = { NULL, NULL };
  guint first = diagnostics->len;

  if (dir == NULL)
    return FALSE;
  candidate = g_build_filename (dir, edit->name, NULL);
  if (g_file_set_contents (candidate, text, (gssize)len, error)) {
    extra_files[0] = candidate;
    policy = cg_policy_load (edit->root, extra_files, diagnostics, error);
    rename_diagnostics (diagnostics, first, candidate, edit->display_path);
    g_unlink (candidate);
  }
  g_rmdir (dir);
  return policy != NULL;
}

gboolean
cg_policy_edit_commit (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error)
{
  gsize len = 0;
  g_autofree char *text = cg_document_to_data (edit->doc, &len);

  if (!validate (edit, text, len, diagnostics, error))
    return FALSE;
  return cg_store_write (edit->store, edit->admin_path, text, len, error);
}

gboolean
cg_policy_edit_commit_removal (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error)
{
  g_autofree char *shipped_host = cg_store_resolve (edit->store, edit->shipped_path);

  if (!validate (edit, "", 0, diagnostics, error))
    return FALSE;
  if (exists_without_following (shipped_host))
    return cg_store_mask (edit->store, edit->admin_path, error);
  return cg_store_remove (edit->store, edit->admin_path, error);
}
