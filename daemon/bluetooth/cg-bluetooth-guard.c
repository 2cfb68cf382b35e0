/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-agent.h"
#include "cg-bluetooth-guard.h"
#include "cg-bluetooth-session.h"
#include "cg-bluetooth-watcher.h"
#include "cg-bluez-device.h"
#include "cg-hwdb.h"

struct _CgBluetoothGuard {
  GDBusConnection *bus;
  GDBusObjectManager *devices;
  CgHwdb *hwdb;
  CgBluetoothSession *session;
  CgBluetoothAgent *agent;
  CgBluetoothWatcher *watcher;
};

void
cg_bluetooth_guard_free (CgBluetoothGuard *guard)
{
  if (guard == NULL)
    return;
  /* The agent and watcher borrow the session and hwdb: they go first. */
  g_clear_object (&guard->agent);
  g_clear_object (&guard->watcher);
  g_clear_pointer (&guard->session, cg_bluetooth_session_free);
  g_clear_pointer (&guard->hwdb, cg_hwdb_free);
  g_clear_object (&guard->devices);
  g_clear_object (&guard->bus);
  g_free (guard);
}

CgBluetoothGuard *
cg_bluetooth_guard_new (CgPolicyKeeper *keeper, CgPending *pending, CgDeviceRegistry *registry,
                        GError **error)
{
  g_autoptr (CgBluetoothGuard) guard = g_new0 (CgBluetoothGuard, 1);

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
  guard->hwdb = cg_hwdb_new (NULL);
  guard->session = cg_bluetooth_session_new ();
  guard->agent = cg_bluetooth_agent_new (guard->bus, guard->devices, keeper, pending, registry,
                                         guard->session, guard->hwdb, error);
  if (guard->agent == NULL)
    return NULL;
  guard->watcher = cg_bluetooth_watcher_new (guard->bus, guard->devices, keeper, registry,
                                             guard->session, guard->hwdb);
  return g_steal_pointer (&guard);
}
