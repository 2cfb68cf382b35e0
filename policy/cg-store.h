/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "cg-document.h"

G_BEGIN_DECLS

/* Writing policy text safely: the only way carguard changes a policy file.
 * Write = temp file in the same directory, write, fsync, rename over, fsync dir.
 * Every step goes through CgStoreOps so tests can inject a failure at each one. */
typedef enum {
  CG_STORE_STEP_OPEN_TEMP,
  CG_STORE_STEP_WRITE,
  CG_STORE_STEP_FSYNC,
  CG_STORE_STEP_CLOSE,
  CG_STORE_STEP_RENAME,
  CG_STORE_STEP_FSYNC_DIR,
  CG_STORE_STEP_N,
} CgStoreStep;

/* Called before each step; returning FALSE with error set fails that step as the
 * real syscall would. NULL ops = no injection. */
typedef gboolean (*CgStoreFaultFunc) (CgStoreStep step, gpointer user_data, GError **error);

typedef struct _CgStore CgStore;

/* root as for cg_policy_load. */
CgStore *cg_store_new (const char *root);
void cg_store_free (CgStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgStore, cg_store_free)
void cg_store_set_fault_func (CgStore *store, CgStoreFaultFunc func, gpointer user_data);

/* Serialises edits across processes: flock on ROOT/etc/carguard/.lock (created 0600).
 * Blocks; released by cg_store_unlock or on exit. */
gboolean cg_store_lock (CgStore *store, GError **error);
void cg_store_unlock (CgStore *store);

/* path is absolute within root ("/etc/carguard/vendors.d/x.conf"). Refuses paths
 * under /usr/lib (CG_POLICY_ERROR_SHIPPED). Creates parent directories 0755. */
gboolean cg_store_write (CgStore *store, const char *path, const char *data, gsize len,
                         GError **error);
gboolean cg_store_remove (CgStore *store, const char *path, GError **error);
/* Masks a shipped vendor: /etc/carguard/vendors.d/ID.conf -> /dev/null. */
gboolean cg_store_mask (CgStore *store, const char *path, GError **error);
/* The full host path for a root-relative path. */
char *cg_store_resolve (const CgStore *store, const char *path);

G_END_DECLS
