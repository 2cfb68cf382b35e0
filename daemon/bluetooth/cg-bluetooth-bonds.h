/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-approvals.h"
#include "cg-bluetooth-decide.h"
#include "cg-bluez-device.h"

G_BEGIN_DECLS

/* A device's bond against what was approved for it: the approvals on record
 * (CgApprovals, core) bound to the device's address, address type, class, Device ID
 * and the digest of its stored key (cg-bluez-bond). The digest is read once per device
 * and connection, not per call: invalidate it whenever the bond or the connection
 * changes. */
typedef struct _CgBluetoothBonds CgBluetoothBonds;

/* What cg_bluetooth_bonds_check found. */
typedef struct {
  CgBtApprovalMatch match;
  CgApprovalBy by;  /* when match is not NONE */
  char *name;       /* the name the approved device had, or NULL */
  char *difference; /* the first fact that differs, by key ("class", "bond"), or NULL */
  gboolean learned; /* MATCHES, but a fact unknown when approved (a Device ID read from SDP
                     * after pairing) is known now: the approval is to be bound again */
} CgBtApprovalCheck;

void cg_bt_approval_check_clear (CgBtApprovalCheck *check);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgBtApprovalCheck, cg_bt_approval_check_clear)

/* The facts an approval of device is bound to, "key=value", sorted: address,
 * address-type, class (major and minor bits), device-id (source, vendor, product: a
 * firmware update changes the version, not what the device is) and bond. */
GStrv cg_bt_binding_new (const CgBluezDevice *device, const char *bond_digest);

/* approvals and objects are borrowed; objects (BlueZ's, for the adapters' addresses)
 * may be NULL in tests, where cg_bluetooth_bonds_set_adapter_address stands in.
 * storage_dir: BlueZ's, CG_BLUEZ_STORAGE_DIR. */
CgBluetoothBonds *cg_bluetooth_bonds_new (CgApprovals *approvals, GDBusObjectManager *objects,
                                          const char *storage_dir);
void cg_bluetooth_bonds_free (CgBluetoothBonds *bonds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgBluetoothBonds, cg_bluetooth_bonds_free)

/* For tests without an object manager: the address of the adapter at adapter_path. */
void cg_bluetooth_bonds_set_adapter_address (CgBluetoothBonds *bonds, const char *adapter_path,
                                             const char *address);

void cg_bluetooth_bonds_check (CgBluetoothBonds *bonds, const CgBluezDevice *device,
                               CgBtApprovalCheck *out);
/* The approval on record for an address, or NULL. */
const CgApproval *cg_bluetooth_bonds_lookup (CgBluetoothBonds *bonds, const char *address);

/* Binds an approval to the device and its bond as they are now, and writes it. */
gboolean cg_bluetooth_bonds_record (CgBluetoothBonds *bonds, const CgBluezDevice *device,
                                    CgApprovalBy by, GError **error);
/* Forgets the approval of address, if any; TRUE if there was one. */
gboolean cg_bluetooth_bonds_forget (CgBluetoothBonds *bonds, const char *address,
                                    CgApprovalEnd end);

/* The next check reads the device's key again. */
void cg_bluetooth_bonds_invalidate (CgBluetoothBonds *bonds, const char *object_path);

/* TRUE when BlueZ no longer stores a key for the device (its bond was removed). */
gboolean cg_bluetooth_bonds_key_is_gone (CgBluetoothBonds *bonds, const CgBluezDevice *device);

G_END_DECLS
