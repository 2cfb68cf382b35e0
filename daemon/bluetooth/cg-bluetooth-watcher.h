/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-bluetooth-session.h"
#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-policy-keeper.h"

G_BEGIN_DECLS

/* Enforcement beyond the agent. Older kernels pair Just Works without asking any agent
 * and other tools can pair or trust behind carguard's back, so every device BlueZ knows
 * is re-checked whenever it appears, its bond/trust/connection changes, or the policy
 * is reloaded: forbidden bonds are removed (and blocked when the policy says block),
 * restricted devices lose Trusted, and services a reload forbids are disconnected. */
#define CG_TYPE_BLUETOOTH_WATCHER (cg_bluetooth_watcher_get_type ())
G_DECLARE_FINAL_TYPE (CgBluetoothWatcher, cg_bluetooth_watcher, CG, BLUETOOTH_WATCHER, GObject)

/* session and hwdb are borrowed and must outlive the watcher. Every device's decision
 * is published into registry (may be NULL) when it appears, when the policy is reloaded
 * and when carguard acts on it. Enforces over every known device at once. */
CgBluetoothWatcher *cg_bluetooth_watcher_new (GDBusConnection *bus, GDBusObjectManager *devices,
                                              CgPolicyKeeper *keeper, CgDeviceRegistry *registry,
                                              CgBluetoothSession *session, CgHwdb *hwdb);

/* Re-checks every device on every adapter; returns how many were looked at. */
guint cg_bluetooth_watcher_enforce_all (CgBluetoothWatcher *watcher);

G_END_DECLS
