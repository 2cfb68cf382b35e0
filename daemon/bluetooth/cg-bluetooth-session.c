/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-session.h"

typedef struct {
  CgBtPairingState pairing;
  CgApprovalBy pairing_by;
  gboolean blocked_by_carguard;
  GHashTable *services; /* UUID set */
  GHashTable *dropped;  /* UUID set */
  GHashTable *foreign;  /* UUID set */
} SessionDevice;

struct _CgBluetoothSession {
  GHashTable *devices; /* object path → SessionDevice */
};

static void
session_device_free (gpointer data)
{
  SessionDevice *device = data;

  g_hash_table_unref (device->services);
  g_hash_table_unref (device->dropped);
  g_hash_table_unref (device->foreign);
  g_free (device);
}

CgBluetoothSession *
cg_bluetooth_session_new (void)
{
  CgBluetoothSession *session = g_new0 (CgBluetoothSession, 1);

  session->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, session_device_free);
  return session;
}

void
cg_bluetooth_session_free (CgBluetoothSession *session)
{
  if (session == NULL)
    return;
  g_hash_table_unref (session->devices);
  g_free (session);
}

static SessionDevice *
session_ensure_device (CgBluetoothSession *session, const char *device_path)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  if (device == NULL) {
    device = g_new0 (SessionDevice, 1);
    device->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    device->dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    device->foreign = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert (session->devices, g_strdup (device_path), device);
  }
  return device;
}

void
cg_bluetooth_session_set_pairing (CgBluetoothSession *session, const char *device_path,
                                  CgBtPairingState state, CgApprovalBy by)
{
  SessionDevice *device = session_ensure_device (session, device_path);

  device->pairing = state;
  device->pairing_by = by;
}

CgBtPairingState
cg_bluetooth_session_get_pairing (CgBluetoothSession *session, const char *device_path,
                                  CgApprovalBy *by)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  if (by != NULL)
    *by = device != NULL ? device->pairing_by : CG_APPROVAL_BY_POLICY;
  return device != NULL ? device->pairing : CG_BT_PAIRING_NONE;
}

void
cg_bluetooth_session_set_blocked (CgBluetoothSession *session, const char *device_path,
                                  gboolean blocked_by_carguard)
{
  session_ensure_device (session, device_path)->blocked_by_carguard = blocked_by_carguard;
}

gboolean
cg_bluetooth_session_get_blocked (CgBluetoothSession *session, const char *device_path)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  return device != NULL && device->blocked_by_carguard;
}

void
cg_bluetooth_session_mark_dropped (CgBluetoothSession *session, const char *device_path,
                                   const char *uuid)
{
  g_hash_table_add (session_ensure_device (session, device_path)->dropped, g_strdup (uuid));
}

gboolean
cg_bluetooth_session_was_dropped (CgBluetoothSession *session, const char *device_path,
                                  const char *uuid)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  return device != NULL && g_hash_table_contains (device->dropped, uuid);
}

void
cg_bluetooth_session_add_service (CgBluetoothSession *session, const char *device_path,
                                  const char *uuid)
{
  g_hash_table_add (session_ensure_device (session, device_path)->services, g_strdup (uuid));
}

void
cg_bluetooth_session_remove_service (CgBluetoothSession *session, const char *device_path,
                                     const char *uuid)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  if (device != NULL)
    g_hash_table_remove (device->services, uuid);
}

void
cg_bluetooth_session_add_foreign_service (CgBluetoothSession *session, const char *device_path,
                                          const char *uuid)
{
  g_hash_table_add (session_ensure_device (session, device_path)->foreign, g_strdup (uuid));
}

const char **
cg_bluetooth_session_get_foreign_services (CgBluetoothSession *session, const char *device_path)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  if (device == NULL)
    return g_new0 (const char *, 1);
  return (const char **)g_hash_table_get_keys_as_array (device->foreign, NULL);
}

const char **
cg_bluetooth_session_get_services (CgBluetoothSession *session, const char *device_path)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  if (device == NULL)
    return g_new0 (const char *, 1);
  return (const char **)g_hash_table_get_keys_as_array (device->services, NULL);
}

void
cg_bluetooth_session_forget_services (CgBluetoothSession *session, const char *device_path)
{
  SessionDevice *device = g_hash_table_lookup (session->devices, device_path);

  if (device == NULL)
    return;
  g_hash_table_remove_all (device->services);
  g_hash_table_remove_all (device->dropped);
  g_hash_table_remove_all (device->foreign);
  if (device->pairing == CG_BT_PAIRING_APPROVED)
    device->pairing = CG_BT_PAIRING_NONE;
}

void
cg_bluetooth_session_forget_device (CgBluetoothSession *session, const char *device_path)
{
  g_hash_table_remove (session->devices, device_path);
}
