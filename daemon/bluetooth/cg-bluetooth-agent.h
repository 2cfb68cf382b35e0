/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-bluetooth-session.h"
#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"

G_BEGIN_DECLS

#define CG_BLUETOOTH_AGENT_PATH "/org/carguard/bluetooth/agent"
/* DisplayYesNo makes BlueZ ask for Just Works pairing too; NoInputNoOutput would not. */
#define CG_BLUETOOTH_AGENT_CAPABILITY "DisplayYesNo"

/* BlueZ's default agent: every pairing and every service authorisation BlueZ asks about
 * is answered from the policy; `ask` goes to a person through CgPending. Registers
 * again whenever bluetoothd (re)appears on the bus. */
#define CG_TYPE_BLUETOOTH_AGENT (cg_bluetooth_agent_get_type ())
G_DECLARE_FINAL_TYPE (CgBluetoothAgent, cg_bluetooth_agent, CG, BLUETOOTH_AGENT, GObject)

/* devices: an object manager client on org.bluez, for the facts of the device asked
 * about. Pairing decisions are published into registry (may be NULL). session and hwdb
 * are borrowed and must outlive the agent. */
CgBluetoothAgent *cg_bluetooth_agent_new (GDBusConnection *bus, GDBusObjectManager *devices,
                                          CgPolicyKeeper *keeper, CgPending *pending,
                                          CgDeviceRegistry *registry, CgBluetoothSession *session,
                                          CgHwdb *hwdb, GError **error);

/* TRUE once BlueZ accepted the registration as default agent. */
gboolean cg_bluetooth_agent_is_registered (CgBluetoothAgent *agent);

G_END_DECLS
