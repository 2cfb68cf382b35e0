/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-bluetooth-bonds.h"
#include "cg-bluetooth-session.h"
#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-policy-keeper.h"

G_BEGIN_DECLS

/* Enforcement beyond the agent. Older kernels pair Just Works without asking any agent
 * and other tools can pair or trust behind carguard's back, so every device BlueZ knows
 * is judged whenever it appears, its bond/trust/connection/identity changes, or the
 * policy is reloaded: a bond is judged the moment it appears, before any service; a
 * forbidden bond is removed (and blocked when the policy says block), a bond nobody
 * approved is put to a person (signal "ask-bond"), an approval is bound to the bond it
 * was given for (and forgotten when it no longer holds), restricted devices lose
 * Trusted (and their connection, if they had one while Trusted), and services the grant
 * forbids are disconnected, whoever let them in.
 *
 * Signal "ask-bond" (CgBluezDevice *device, CgBtPlan *plan, const char *warning): the
 * bond of device is to be put to a person; both pointers are borrowed for the call. */
#define CG_TYPE_BLUETOOTH_WATCHER (cg_bluetooth_watcher_get_type ())
G_DECLARE_FINAL_TYPE (CgBluetoothWatcher, cg_bluetooth_watcher, CG, BLUETOOTH_WATCHER, GObject)

/* session, bonds and hwdb are borrowed and must outlive the watcher. Every device's
 * decision is published into registry (may be NULL) when it appears, when the policy is
 * reloaded and when carguard acts on it. Starts judging with cg_bluetooth_watcher_start. */
CgBluetoothWatcher *cg_bluetooth_watcher_new (GDBusConnection *bus, GDBusObjectManager *devices,
                                              CgPolicyKeeper *keeper, CgDeviceRegistry *registry,
                                              CgBluetoothSession *session, CgBluetoothBonds *bonds,
                                              CgHwdb *hwdb);

/* Judges every device now and follows BlueZ's objects from then on. */
void cg_bluetooth_watcher_start (CgBluetoothWatcher *watcher);

/* Judges one device again (after an answer about it) and publishes it. */
void cg_bluetooth_watcher_enforce_path (CgBluetoothWatcher *watcher, const char *object_path);

/* An approval of address was revoked: its bond goes. Returns how many device objects
 * had that address. */
guint cg_bluetooth_watcher_remove_address (CgBluetoothWatcher *watcher, const char *address,
                                           const char *reason);

/* Re-checks every device on every adapter; returns how many were looked at. */
guint cg_bluetooth_watcher_enforce_all (CgBluetoothWatcher *watcher);

G_END_DECLS
