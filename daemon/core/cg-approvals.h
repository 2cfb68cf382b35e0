/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a person (or the policy) allowed a device, kept across restarts and reboots in
 * one file (STATE/approvals.conf, written atomically through cg-store). Each approval
 * names one device of one transport and the facts it was given for, as "key=value"
 * pairs the guard chooses (the binding): an approval whose binding no longer matches
 * the device is worth nothing, and the guard judges the device again from nothing.
 * A file that cannot be read whole is not used at all: every device is judged again,
 * so a broken file opens nothing. */
#define CG_TYPE_APPROVALS (cg_approvals_get_type ())
G_DECLARE_FINAL_TYPE (CgApprovals, cg_approvals, CG, APPROVALS, GObject)

#define CG_APPROVALS_FILE "approvals.conf"
/* Bounds on what carguardd reads back: the file is its own, but a disk can lie. */
#define CG_APPROVALS_MAX_BYTES (1024 * 1024)
#define CG_APPROVALS_MAX_ENTRIES 4096
#define CG_APPROVALS_MAX_BINDING 16

typedef enum {
  CG_APPROVAL_BY_PERSON, /* a person answered an `ask` */
  CG_APPROVAL_BY_POLICY, /* the policy allowed it; kept so the bond it was given for is known */
} CgApprovalBy;

typedef struct {
  char *transport; /* "bluetooth" */
  char *device;    /* as the registry names it: "00:AA:01:01:00:01" */
  CgApprovalBy by;
  char *name;      /* the device's name when approved, sanitised; may be NULL */
  gint64 approved; /* g_get_real_time () / G_USEC_PER_SEC */
  GStrv binding;   /* "key=value", sorted; keys [a-z0-9-]+, values printable ASCII */
} CgApproval;

CgApproval *cg_approval_copy (const CgApproval *approval);
void cg_approval_free (CgApproval *approval);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgApproval, cg_approval_free)
const char *cg_approval_by_to_string (CgApprovalBy by);
/* The value of key in the approval's binding, NULL if it has none. */
const char *cg_approval_get (const CgApproval *approval, const char *key);
/* The first key whose value differs between the approval and binding (a "key=value"
 * set), or NULL when they are the same; free with g_free. */
char *cg_approval_first_difference (const CgApproval *approval, const char *const *binding);

/* path: the file (absolute); NULL keeps approvals in memory only (tests). Nothing is
 * read until cg_approvals_load. */
CgApprovals *cg_approvals_new (const char *path);

/* Reads the file. A missing file is no approvals. A file that is too large, does not
 * parse, or holds one malformed entry leaves the set empty and returns FALSE. */
gboolean cg_approvals_load (CgApprovals *approvals, GError **error);

/* The approval of a device (Bluetooth addresses in any case), or NULL. Borrowed until
 * the next change. */
const CgApproval *cg_approvals_lookup (CgApprovals *approvals, const char *transport,
                                       const char *device);
/* Every approval, sorted by transport and device (CgApproval *, borrowed). */
GPtrArray *cg_approvals_list (CgApprovals *approvals);

/* Records (replacing the device's approval, if any) and writes the file. The approval
 * is in force even when the write fails (until the next restart); the error says so. */
gboolean cg_approvals_record (CgApprovals *approvals, const CgApproval *approval, GError **error);

/* Forgets one device's approval and writes the file; FALSE with no error if there was
 * none. end says why, for the "forgotten" signal: a person or admin revoked it, or the
 * guard found it no longer holds. */
typedef enum {
  CG_APPROVAL_REVOKED,    /* carguard revoke: the guard removes the bond too */
  CG_APPROVAL_SUPERSEDED, /* the guard found the binding broken, or the bond gone */
} CgApprovalEnd;

gboolean cg_approvals_forget (CgApprovals *approvals, const char *transport, const char *device,
                              CgApprovalEnd end, GError **error);

/* "forgotten" (const char *transport, const char *device, guint CgApprovalEnd) is
 * emitted after the approval is gone. */

G_END_DECLS
