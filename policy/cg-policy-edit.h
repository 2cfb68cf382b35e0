/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-document.h"
#include "cg-store.h"

G_BEGIN_DECLS

/* Where the file being edited lives now. */
typedef enum {
  CG_POLICY_FILE_ABSENT,  /* in no directory */
  CG_POLICY_FILE_MASKED,  /* /etc holds a mask (symlink to /dev/null or empty file) */
  CG_POLICY_FILE_ADMIN,   /* /etc holds it */
  CG_POLICY_FILE_SHIPPED, /* only /usr/lib holds it; the edit becomes an override in /etc */
} CgPolicyFileState;

/* One edit of one policy file, from the lock to the write: the lock is taken before
 * the file is read, so concurrent edits of the same file are applied one after the
 * other and none is lost. */
typedef struct {
  CgStore *store;
  char *root;
  char *name;         /* "byd.conf" or "carguard.conf" */
  char *admin_path;   /* root-relative: "/etc/carguard/vendors.d/byd.conf" */
  char *shipped_path; /* root-relative: "/usr/lib/carguard/vendors.d/byd.conf" */
  char *display_path; /* the admin file as diagnostics name it */
  CgPolicyFileState state;
  CgDocument *doc; /* the text to edit; NULL when absent or masked */
} CgPolicyEdit;

void cg_policy_edit_clear (CgPolicyEdit *edit);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgPolicyEdit, cg_policy_edit_clear)

/* vendor_id NULL = carguard.conf. Locks, then reads the current text (the admin's
 * file, else a copy of the shipped one, comments included). Syntax errors of that
 * text go to diagnostics. */
gboolean cg_policy_edit_begin (CgPolicyEdit *edit, const char *root, const char *vendor_id,
                               GPtrArray *diagnostics, GError **error);
/* Starts from an empty document (a new vendor, or a main file that does not exist). */
void cg_policy_edit_start_empty (CgPolicyEdit *edit);
/* Checks the whole policy with edit->doc in place of the file; writes only if valid. */
gboolean cg_policy_edit_commit (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error);
/* Removes the vendor: deletes the admin file, or masks a shipped vendor. */
gboolean cg_policy_edit_commit_removal (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error);

G_END_DECLS
