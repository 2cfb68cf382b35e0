/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the agent granted this session, per device object path, so the watcher can tell
 * a bond approved through the agent from one made behind carguard's back, and can drop
 * exactly the services a policy reload forbids. Memory only: a restart forgets it. */
typedef struct _CgBluetoothSession CgBluetoothSession;

CgBluetoothSession *cg_bluetooth_session_new (void);
void cg_bluetooth_session_free (CgBluetoothSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgBluetoothSession, cg_bluetooth_session_free)

void cg_bluetooth_session_approve_pairing (CgBluetoothSession *session, const char *device_path);
gboolean cg_bluetooth_session_pairing_approved (CgBluetoothSession *session,
                                                const char *device_path);
void cg_bluetooth_session_add_service (CgBluetoothSession *session, const char *device_path,
                                       const char *uuid);
void cg_bluetooth_session_remove_service (CgBluetoothSession *session, const char *device_path,
                                          const char *uuid);
/* The UUIDs authorised for the device, NULL-terminated; free with g_free (not the strings:
 * they stay owned by the session until the next change). */
const char **cg_bluetooth_session_get_services (CgBluetoothSession *session,
                                                const char *device_path);
/* The device disconnected: its services must be authorised again. */
void cg_bluetooth_session_forget_services (CgBluetoothSession *session, const char *device_path);
/* The device object is gone (bond removed): forget everything about it. */
void cg_bluetooth_session_forget_device (CgBluetoothSession *session, const char *device_path);

G_END_DECLS
