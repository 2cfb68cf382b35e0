/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-device-registry.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"

G_BEGIN_DECLS

/* The Bluetooth guard: the agent and the watcher over one view of BlueZ's objects,
 * sharing what was granted this session. */
typedef struct _CgBluetoothGuard CgBluetoothGuard;

/* Connects to the system bus; works whether or not bluetoothd runs yet. Decisions are
 * published into registry (may be NULL). */
CgBluetoothGuard *cg_bluetooth_guard_new (CgPolicyKeeper *keeper, CgPending *pending,
                                          CgDeviceRegistry *registry, GError **error);
void cg_bluetooth_guard_free (CgBluetoothGuard *guard);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgBluetoothGuard, cg_bluetooth_guard_free)

G_END_DECLS
