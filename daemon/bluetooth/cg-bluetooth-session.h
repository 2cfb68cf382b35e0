/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-bluetooth-decide.h"

G_BEGIN_DECLS

/* What the agent did this session, per device object path: where the device's pairing
 * stands (asked, approved, refused), so the watcher can tell a bond approved through the
 * agent from one made behind carguard's back, and the services it authorised, so a
 * policy reload drops exactly those it forbids. Memory only: what lasts is an approval
 * on record (cg-bluetooth-bonds). */
typedef struct _CgBluetoothSession CgBluetoothSession;

CgBluetoothSession *cg_bluetooth_session_new (void);
void cg_bluetooth_session_free (CgBluetoothSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgBluetoothSession, cg_bluetooth_session_free)

/* by matters only for CG_BT_PAIRING_APPROVED. */
void cg_bluetooth_session_set_pairing (CgBluetoothSession *session, const char *device_path,
                                       CgBtPairingState state, CgApprovalBy by);
CgBtPairingState cg_bluetooth_session_get_pairing (CgBluetoothSession *session,
                                                   const char *device_path, CgApprovalBy *by);
/* Whether Blocked on the device is carguard's own doing: only such a block is lifted when
 * the policy stops blocking the device. */
void cg_bluetooth_session_set_blocked (CgBluetoothSession *session, const char *device_path,
                                       gboolean blocked_by_carguard);
gboolean cg_bluetooth_session_get_blocked (CgBluetoothSession *session, const char *device_path);
/* Profiles the watcher dropped this connection, so it drops each once. */
void cg_bluetooth_session_mark_dropped (CgBluetoothSession *session, const char *device_path,
                                        const char *uuid);
gboolean cg_bluetooth_session_was_dropped (CgBluetoothSession *session, const char *device_path,
                                           const char *uuid);
void cg_bluetooth_session_add_service (CgBluetoothSession *session, const char *device_path,
                                       const char *uuid);
void cg_bluetooth_session_remove_service (CgBluetoothSession *session, const char *device_path,
                                          const char *uuid);
/* A service bluetoothd asked another agent about: carguard cannot tell what it said. */
void cg_bluetooth_session_add_foreign_service (CgBluetoothSession *session, const char *device_path,
                                               const char *uuid);
/* Those UUIDs, NULL-terminated, as for cg_bluetooth_session_get_services. */
const char **cg_bluetooth_session_get_foreign_services (CgBluetoothSession *session,
                                                        const char *device_path);
/* The UUIDs authorised for the device, NULL-terminated; free with g_free (not the strings:
 * they stay owned by the session until the next change). */
const char **cg_bluetooth_session_get_services (CgBluetoothSession *session,
                                                const char *device_path);
/* The device disconnected: its services must be authorised again, and a pairing the
 * agent approved that made no bond is over. */
void cg_bluetooth_session_forget_services (CgBluetoothSession *session, const char *device_path);
/* The device object is gone (bond removed): forget everything about it. */
void cg_bluetooth_session_forget_device (CgBluetoothSession *session, const char *device_path);

G_END_DECLS
