/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-approvals.h"
#include "cg-dbus-names.h"
#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"

G_BEGIN_DECLS

#define CG_DBUS_ERROR (cg_dbus_error_quark ())
GQuark cg_dbus_error_quark (void);

/* On the bus as CG_DBUS_ERROR_NAME_* (cg-dbus-names.h). */
typedef enum {
  CG_DBUS_ERROR_UNKNOWN_DEVICE,
  CG_DBUS_ERROR_NOT_ASKED,      /* the policy does not say ask, or nothing is pending */
  CG_DBUS_ERROR_POLICY_INVALID, /* the message lists the diagnostics */
  CG_DBUS_ERROR_FAILED,
  CG_DBUS_ERROR_NOT_APPROVED, /* Revoke: no approval of the device is on record */
} CgDbusError;

/* carguardd's API on the system bus (common/org.carguard.Daemon1.xml): the devices of the
 * registry, Explain, AllowOnce, Deny, Block, Reload, a Decision signal for every decision
 * published into the registry and a DeviceRemoved signal for every device it forgets.
 * Every call passes the bouncer first. */
#define CG_TYPE_DBUS_SERVICE (cg_dbus_service_get_type ())
G_DECLARE_FINAL_TYPE (CgDbusService, cg_dbus_service, CG, DBUS_SERVICE, GObject)

/* Exports the object on bus; everything else is borrowed and must outlive the service.
 * hwdb may be NULL (Explain then names no organisations); approvals may be NULL (Revoke
 * then finds none). */
CgDbusService *cg_dbus_service_new (GDBusConnection *bus, CgPolicyKeeper *keeper,
                                    CgDeviceRegistry *registry, CgPending *pending, CgHwdb *hwdb,
                                    CgApprovals *approvals, GError **error);

/* Takes the well-known name; fails if another process owns it (a second carguardd). */
gboolean cg_dbus_service_own_name (CgDbusService *service, GError **error);

G_END_DECLS
