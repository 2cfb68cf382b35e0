/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-policy-keeper.h"

G_BEGIN_DECLS

/* Enforcement below the agent: BlueZ's adapter-wide service allowlist
 * (org.bluez.AdminPolicySet1.SetServiceAllowList, the admin plugin). A profile that no
 * rule of the policy grants any device (PBAP, MAP, OPP, PAN under the shipped policy)
 * is left off, so BlueZ refuses it before any agent is asked, for a Trusted device too,
 * and whatever agent has the default role. Set on every adapter that offers the
 * interface, whenever one appears and whenever the policy is reloaded. bluetoothd keeps
 * the list across its restarts. Where bluetoothd has no admin plugin (Debian 12), the
 * journal says so once per adapter. */
#define CG_TYPE_BLUETOOTH_ALLOWLIST (cg_bluetooth_allowlist_get_type ())
G_DECLARE_FINAL_TYPE (CgBluetoothAllowlist, cg_bluetooth_allowlist, CG, BLUETOOTH_ALLOWLIST,
                      GObject)

/* The UUIDs some grant of policy allows (sorted, lower-case 128-bit), or NULL with
 * *unrestricted set when some grant allows every UUID (Preset=trusted): BlueZ's empty
 * list, which allows all. Grants that block or deny pairing give nothing. */
GStrv cg_bt_allowlist_compute (const CgPolicy *policy, gboolean *unrestricted);

CgBluetoothAllowlist *cg_bluetooth_allowlist_new (GDBusConnection *bus, GDBusObjectManager *objects,
                                                  CgPolicyKeeper *keeper);

G_END_DECLS
