/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-agent.h"
#include "cg-bluetooth-allowlist.h"
#include "cg-bluetooth-bonds.h"
#include "cg-bluetooth-guard.h"
#include "cg-bluetooth-session.h"
#include "cg-bluetooth-watcher.h"
#include "cg-bluez-device.h"
#include "cg-hwdb.h"

struct _CgBluetoothGuard {
  GDBusConnection *bus;
  GDBusObjectManager *devices;
  CgApprovals *approvals;
  CgHwdb *hwdb;
  CgBluetoothSession *session;
  CgBluetoothBonds *bonds;
  CgBluetoothAgent *agent;
  CgBluetoothWatcher *watcher;
  CgBluetoothAllowlist *allowlist;
};

void
cg_bluetooth_guard_free (CgBluetoothGuard *guard)
{
  if (guard == NULL)
    return;
  if (guard->approvals != NULL)
    g_signal_handlers_disconnect_by_data (guard->approvals, guard);
  /* The agent and watcher borrow the session, the bonds and hwdb: they go first. */
  g_clear_object (&guard->allowlist);
  g_clear_object (&guard->agent);
  g_clear_object (&guard->watcher);
  g_clear_pointer (&guard->bonds, cg_bluetooth_bonds_free);
  g_clear_pointer (&guard->session, cg_bluetooth_session_free);
  g_clear_pointer (&guard->hwdb, cg_hwdb_free);
  g_clear_object (&guard->approvals);
  g_clear_object (&guard->devices);
  g_clear_object (&guard->bus);
  g_free (guard);
}

/* The watcher found a bond nobody approved: a person is asked, and a bond made without
 * carguard's agent means another agent has the role. */
static void
guard_on_ask_bond (CgBluetoothWatcher *watcher, CgBluezDevice *device, CgBtPlan *plan,
                   const char *warning, gpointer user_data)
{
  CgBluetoothGuard *guard = user_data;

  if (plan->ask == CG_BT_BOND_QUESTION_UNSEEN)
    cg_bluetooth_agent_reclaim (guard->agent, "A bond appeared that carguard's agent was not "
                                              "asked about: carguard takes the default role back");
  cg_bluetooth_agent_ask_bond (guard->agent, device, &plan->outcome, warning);
}

static void
guard_on_answered (CgBluetoothAgent *agent, const char *device_path, gpointer user_data)
{
  CgBluetoothGuard *guard = user_data;

  cg_bluetooth_watcher_enforce_path (guard->watcher, device_path);
}

static void
guard_on_approval_forgotten (CgApprovals *approvals, const char *transport, const char *device,
                             guint end, gpointer user_data)
{
  CgBluetoothGuard *guard = user_data;

  if (end == CG_APPROVAL_REVOKED && g_str_equal (transport, "bluetooth"))
    cg_bluetooth_watcher_remove_address (guard->watcher, device, "bond removed (revoked)");
}

CgBluetoothGuard *
cg_bluetooth_guard_new (CgPolicyKeeper *keeper, CgPending *pending, CgDeviceRegistry *registry,
                        CgSessionLock *lock, CgApprovals *approvals, const char *storage_dir,
                        GError **error)
{
  g_autoptr (CgBluetoothGuard) guard = g_new0 (CgBluetoothGuard, 1);
  CgBluetoothAgentContext context;

  guard->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  if (guard->bus == NULL)
    return NULL;
  /* Follows org.bluez's owner: when bluetoothd restarts the objects go and come back,
   * and the watcher sees each one appear again. */
  guard->devices = g_dbus_object_manager_client_new_sync (
      guard->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, CG_BLUEZ_SERVICE, "/", NULL,
      NULL, NULL, NULL, error);
  if (guard->devices == NULL)
    return NULL;
  guard->approvals = g_object_ref (approvals);
  guard->hwdb = cg_hwdb_new (NULL);
  guard->session = cg_bluetooth_session_new ();
  guard->bonds = cg_bluetooth_bonds_new (approvals, guard->devices, storage_dir);
  context = (CgBluetoothAgentContext){
    .bus = guard->bus,
    .devices = guard->devices,
    .keeper = keeper,
    .pending = pending,
    .registry = registry,
    .lock = lock,
    .session = guard->session,
    .bonds = guard->bonds,
    .hwdb = guard->hwdb,
  };
  guard->agent = cg_bluetooth_agent_new (&context, error);
  if (guard->agent == NULL)
    return NULL;
  guard->watcher = cg_bluetooth_watcher_new (guard->bus, guard->devices, keeper, registry,
                                             guard->session, guard->bonds, guard->hwdb);
  g_signal_connect (guard->watcher, "ask-bond", G_CALLBACK (guard_on_ask_bond), guard);
  g_signal_connect (guard->agent, "answered", G_CALLBACK (guard_on_answered), guard);
  g_signal_connect (approvals, "forgotten", G_CALLBACK (guard_on_approval_forgotten), guard);
  cg_bluetooth_watcher_start (guard->watcher);
  guard->allowlist = cg_bluetooth_allowlist_new (guard->bus, guard->devices, keeper);
  return g_steal_pointer (&guard);
}
