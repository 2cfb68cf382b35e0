/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "cg-policy.h"

G_BEGIN_DECLS

/* Holds the policy every guard decides from. A reload that fails keeps the last good
 * policy; if there never was one, a built-in fail-closed policy stands in (no pairing,
 * no profiles, charge-only), so a broken first policy opens nothing. */
#define CG_TYPE_POLICY_KEEPER (cg_policy_keeper_get_type ())
G_DECLARE_FINAL_TYPE (CgPolicyKeeper, cg_policy_keeper, CG, POLICY_KEEPER, GObject)

CgPolicyKeeper *cg_policy_keeper_new (const char *root);

/* Reads the policy again. Returns FALSE (and logs every diagnostic) if it is broken;
 * the current policy then stays. Emits "changed" after a successful reload. */
gboolean cg_policy_keeper_reload (CgPolicyKeeper *keeper, GError **error);

/* Reloads by itself when a file in the policy directories changes (inotify through
 * GFileMonitor, debounced), so a CLI edit reaches a running daemon with no IPC. */
void cg_policy_keeper_watch (CgPolicyKeeper *keeper);

/* What `carguard status` says of the policy in force and of the last reload. */
typedef struct {
  gint64 loaded_at;   /* g_get_real_time () of the load in force; 0: the fail-closed policy */
  gint64 reloaded_at; /* of the last reload tried, good or not; 0: none yet */
  gboolean reload_ok;
  GStrv problems; /* the last reload's diagnostics, "FILE:LINE:COL: error: ..." (a good
                   * one's warnings), NULL-terminated, never NULL */
} CgPolicyKeeperStatus;

const CgPolicyKeeperStatus *cg_policy_keeper_get_status (CgPolicyKeeper *keeper);

/* The policy in force; never NULL. The reference is the caller's. */
CgPolicy *cg_policy_keeper_get_policy (CgPolicyKeeper *keeper);
gboolean cg_policy_keeper_is_fallback (CgPolicyKeeper *keeper);
const char *cg_policy_keeper_get_root (CgPolicyKeeper *keeper);

G_END_DECLS
