/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-bluetooth-bonds.h"
#include "cg-bluetooth-session.h"
#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-session-lock.h"

G_BEGIN_DECLS

#define CG_BLUETOOTH_AGENT_PATH "/org/carguard/bluetooth/agent"
/* DisplayYesNo makes BlueZ ask for Just Works pairing too; NoInputNoOutput would not. */
#define CG_BLUETOOTH_AGENT_CAPABILITY "DisplayYesNo"

/* BlueZ's default agent: every pairing and every service authorisation BlueZ asks about
 * is answered from the policy; `ask` goes to a person through CgPending. A pairing
 * request from an address that already has a bond or an approval is asked with a
 * warning, whatever the policy grants; while the session is locked a new pairing waits
 * for the unlock or the deadline. A service is given only to a device whose pairing was
 * approved for what it is now (cg-bluetooth-bonds). Registers again whenever bluetoothd
 * (re)appears on the bus, and takes the default role back whenever it sees it taken
 * (cg-bluetooth-agent-role).
 *
 * Signal "answered" (const char *device_path): a question about a bond that exists was
 * answered; the watcher acts on it. */
#define CG_TYPE_BLUETOOTH_AGENT (cg_bluetooth_agent_get_type ())
G_DECLARE_FINAL_TYPE (CgBluetoothAgent, cg_bluetooth_agent, CG, BLUETOOTH_AGENT, GObject)

/* What the agent works with. devices: an object manager client on org.bluez, for the
 * facts of the device asked about. Pairing decisions are published into registry (may
 * be NULL). lock may be NULL (never locked). session, bonds and hwdb are borrowed and
 * must outlive the agent. */
typedef struct {
  GDBusConnection *bus;
  GDBusObjectManager *devices;
  CgPolicyKeeper *keeper;
  CgPending *pending;
  CgDeviceRegistry *registry;
  CgSessionLock *lock;
  CgBluetoothSession *session;
  CgBluetoothBonds *bonds;
  CgHwdb *hwdb;
} CgBluetoothAgentContext;

CgBluetoothAgent *cg_bluetooth_agent_new (const CgBluetoothAgentContext *context, GError **error);

/* Asks a person whether a bond carguard did not make may stay (the watcher found it);
 * the device gets no service meanwhile. warning says what is odd about it. */
void cg_bluetooth_agent_ask_bond (CgBluetoothAgent *agent, const CgBluezDevice *device,
                                  const CgBtOutcome *outcome, const char *warning);

/* Asks BlueZ again to make carguard the default agent; why goes to the journal. */
void cg_bluetooth_agent_reclaim (CgBluetoothAgent *agent, const char *why);

/* TRUE once BlueZ accepted the registration as default agent. */
gboolean cg_bluetooth_agent_is_registered (CgBluetoothAgent *agent);

G_END_DECLS
