/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether carguard's agent is still the one BlueZ asks. BlueZ keeps default agents last
 * in, first out and tells the displaced one nothing, so this watches the system bus
 * itself: a monitor connection (org.freedesktop.DBus.Monitoring.BecomeMonitor, which
 * the bus grants to root) that sees every AgentManager1.RequestDefaultAgent call and
 * every Agent1 call bluetoothd sends. A RequestDefaultAgent from anyone else, and an
 * Agent1 call to another agent (a pairing, a service), are reported from the main loop;
 * the agent then asks to be default again and the watcher judges the device. The
 * monitor never sends: its messages are dropped after they are looked at. */
typedef struct _CgBluetoothAgentRole CgBluetoothAgentRole;

typedef enum {
  CG_AGENT_ROLE_DEFAULT_REQUESTED, /* someone else asked to be the default agent */
  CG_AGENT_ROLE_FOREIGN_PAIRING,   /* bluetoothd asked another agent about a pairing */
  CG_AGENT_ROLE_FOREIGN_SERVICE,   /* bluetoothd asked another agent about a service */
} CgAgentRoleEvent;

/* sender: who sent the call; device: the device object path of an Agent1 call, or NULL;
 * uuid: AuthorizeService's, or NULL. */
typedef void (*CgAgentRoleFunc) (CgAgentRoleEvent event, const char *sender, const char *device,
                                 const char *uuid, gpointer user_data);

/* ours: carguard's own connection, whose calls are not reported. Returns NULL (with
 * error) when the bus does not let carguardd monitor it. */
CgBluetoothAgentRole *cg_bluetooth_agent_role_new (GDBusConnection *ours, CgAgentRoleFunc func,
                                                   gpointer user_data, GError **error);
void cg_bluetooth_agent_role_free (CgBluetoothAgentRole *role);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgBluetoothAgentRole, cg_bluetooth_agent_role_free)

G_END_DECLS
