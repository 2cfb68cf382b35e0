/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-approvals.h"
#include "cg-device-registry.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-session-lock.h"

G_BEGIN_DECLS

/* The Bluetooth guard: the agent and the watcher over one view of BlueZ's objects,
 * sharing what was granted this session. */
typedef struct _CgBluetoothGuard CgBluetoothGuard;

/* Connects to the system bus; works whether or not bluetoothd runs yet. Decisions are
 * published into registry (may be NULL); lock may be NULL (never locked). approvals
 * holds what a person allowed; a revoked approval takes the device's bond with it.
 * storage_dir: BlueZ's (CG_BLUEZ_STORAGE_DIR). */
CgBluetoothGuard *cg_bluetooth_guard_new (CgPolicyKeeper *keeper, CgPending *pending,
                                          CgDeviceRegistry *registry, CgSessionLock *lock,
                                          CgApprovals *approvals, const char *storage_dir,
                                          GError **error);
void cg_bluetooth_guard_free (CgBluetoothGuard *guard);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgBluetoothGuard, cg_bluetooth_guard_free)

G_END_DECLS
