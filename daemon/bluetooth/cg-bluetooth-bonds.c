/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-bluetooth-bonds.h"
#include "cg-bluez-bond.h"
#include "cg-log.h"

#define TRANSPORT "bluetooth"
/* What the binding says when BlueZ's keys cannot be read (carguardd's sandbox, a broken
 * file): approvals then hold for the facts only, and the journal says so. */
#define BOND_UNREADABLE "unreadable"

struct _CgBluetoothBonds {
  CgApprovals *approvals;      /* borrowed */
  GDBusObjectManager *objects; /* borrowed, may be NULL */
  char *storage_dir;
  GHashTable *digests;  /* object path -> "sha256:..." | "none" | "unreadable" */
  GHashTable *adapters; /* adapter path -> address: tests only */
  gboolean warned_unreadable;
};

void
cg_bt_approval_check_clear (CgBtApprovalCheck *check)
{
  g_clear_pointer (&check->name, g_free);
  g_clear_pointer (&check->difference, g_free);
}

GStrv
cg_bt_binding_new (const CgBluezDevice *device, const char *bond_digest)
{
  g_autoptr (GStrvBuilder) binding = g_strv_builder_new ();
  g_autofree char *address = g_strdup_printf ("address=%s", device->address);
  g_autofree char *type
      = g_strdup_printf ("address-type=%s", cg_bt_address_type_to_string (device->address_kind));
  g_autofree char *bond = g_strdup_printf ("bond=%s", bond_digest);
  g_autofree char *cod = device->has_class
                             ? g_strdup_printf ("class=0x%06x", device->bt_class & 0x1ffc)
                             : g_strdup ("class=none");
  g_autofree char *id = NULL;

  if (device->device_id.source == CG_DEVICE_ID_SOURCE_NONE)
    id = g_strdup ("device-id=none");
  else
    id = g_strdup_printf ("device-id=%s:v%04Xp%04X",
                          device->device_id.source == CG_DEVICE_ID_SOURCE_USB ? "usb" : "bluetooth",
                          device->device_id.vendor, device->device_id.product);
  /* Sorted by key, as CgApprovals keeps them. */
  g_strv_builder_add_many (binding, address, type, bond, cod, id, NULL);
  return g_strv_builder_end (binding);
}

CgBluetoothBonds *
cg_bluetooth_bonds_new (CgApprovals *approvals, GDBusObjectManager *objects,
                        const char *storage_dir)
{
  CgBluetoothBonds *bonds = g_new0 (CgBluetoothBonds, 1);

  bonds->approvals = approvals;
  bonds->objects = objects;
  bonds->storage_dir = g_strdup (storage_dir);
  bonds->digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bonds->adapters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return bonds;
}

void
cg_bluetooth_bonds_free (CgBluetoothBonds *bonds)
{
  if (bonds == NULL)
    return;
  g_hash_table_unref (bonds->digests);
  g_hash_table_unref (bonds->adapters);
  g_free (bonds->storage_dir);
  g_free (bonds);
}

void
cg_bluetooth_bonds_set_adapter_address (CgBluetoothBonds *bonds, const char *adapter_path,
                                        const char *address)
{
  g_hash_table_insert (bonds->adapters, g_strdup (adapter_path), g_ascii_strup (address, -1));
}

static char *
bonds_adapter_address (CgBluetoothBonds *bonds, const CgBluezDevice *device)
{
  g_autofree char *adapter_path = device->adapter_path ? g_strdup (device->adapter_path)
                                                       : g_path_get_dirname (device->object_path);
  const char *known = g_hash_table_lookup (bonds->adapters, adapter_path);

  if (known != NULL)
    return g_strdup (known);
  return bonds->objects != NULL ? cg_bluez_adapter_address (bonds->objects, adapter_path) : NULL;
}

static char *
bonds_read_digest (CgBluetoothBonds *bonds, const CgBluezDevice *device)
{
  g_autofree char *adapter = bonds_adapter_address (bonds, device);
  g_autoptr (GError) error = NULL;
  char *digest;

  if (adapter == NULL || device->address == NULL)
    return g_strdup (BOND_UNREADABLE);
  digest = cg_bluez_bond_digest (bonds->storage_dir, adapter, device->address, &error);
  if (digest != NULL)
    return digest;
  if (!bonds->warned_unreadable) {
    g_autofree char *message = g_strdup_printf (
        "BlueZ's stored bonds cannot be read (%s): approvals are bound to the devices' facts "
        "but not to their keys",
        error->message);
    cg_log_event (G_LOG_LEVEL_WARNING, NULL, message, "CARGUARD_TRANSPORT", TRANSPORT, NULL);
    bonds->warned_unreadable = TRUE;
  }
  return g_strdup (BOND_UNREADABLE);
}

/* The digest of the device's key, read once until invalidated. */
static const char *
bonds_digest (CgBluetoothBonds *bonds, const CgBluezDevice *device)
{
  const char *cached = g_hash_table_lookup (bonds->digests, device->object_path);

  if (cached != NULL)
    return cached;
  cached = bonds_read_digest (bonds, device);
  g_hash_table_insert (bonds->digests, g_strdup (device->object_path), (char *)cached);
  return cached;
}

const CgApproval *
cg_bluetooth_bonds_lookup (CgBluetoothBonds *bonds, const char *address)
{
  return address != NULL ? cg_approvals_lookup (bonds->approvals, TRANSPORT, address) : NULL;
}

/* Whether every fact that differs was unknown when the approval was given: BlueZ reads
 * the Device ID (and may learn the class) from SDP after the pairing. A key is never
 * "learned": a bond from none is a new bond. */
static gboolean
bonds_only_learned (const CgApproval *approval, GStrv binding)
{
  g_autoptr (GStrvBuilder) masked = g_strv_builder_new ();
  g_auto (GStrv) compared = NULL;
  g_autofree char *difference = NULL;

  for (guint i = 0; binding[i] != NULL; i++) {
    g_autofree char *key = g_strndup (binding[i], strcspn (binding[i], "="));
    g_autofree char *unknown = g_strconcat (key, "=none", NULL);
    gboolean was_unknown
        = !g_str_equal (key, "bond") && g_strcmp0 (cg_approval_get (approval, key), "none") == 0;
    g_strv_builder_add (masked, was_unknown ? unknown : binding[i]);
  }
  compared = g_strv_builder_end (masked);
  difference = cg_approval_first_difference (approval, (const char *const *)compared);
  return difference == NULL;
}

void
cg_bluetooth_bonds_check (CgBluetoothBonds *bonds, const CgBluezDevice *device,
                          CgBtApprovalCheck *out)
{
  const CgApproval *approval = cg_bluetooth_bonds_lookup (bonds, device->address);
  g_auto (GStrv) binding = NULL;

  *out = (CgBtApprovalCheck){ .match = CG_BT_APPROVAL_NONE };
  if (approval == NULL)
    return;
  out->by = approval->by;
  out->name = g_strdup (approval->name);
  binding = cg_bt_binding_new (device, bonds_digest (bonds, device));
  out->difference = cg_approval_first_difference (approval, (const char *const *)binding);
  if (out->difference != NULL && bonds_only_learned (approval, binding)) {
    g_clear_pointer (&out->difference, g_free);
    out->learned = TRUE;
  }
  if (out->difference == NULL)
    out->match = CG_BT_APPROVAL_MATCHES;
  else if (g_str_equal (out->difference, "bond"))
    out->match = CG_BT_APPROVAL_BOND_DIFFERS;
  else
    out->match = CG_BT_APPROVAL_FACTS_DIFFER;
}

gboolean
cg_bluetooth_bonds_record (CgBluetoothBonds *bonds, const CgBluezDevice *device, CgApprovalBy by,
                           GError **error)
{
  g_auto (GStrv) binding = NULL;
  CgApproval approval;

  if (device->address == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the device has no address");
    return FALSE;
  }
  /* Read now: the key the approval is bound to is the one stored at this moment. */
  g_hash_table_remove (bonds->digests, device->object_path);
  binding = cg_bt_binding_new (device, bonds_digest (bonds, device));
  approval = (CgApproval){ .transport = TRANSPORT,
                           .device = device->address,
                           .by = by,
                           .name = device->name != NULL ? device->name : device->alias,
                           .approved = g_get_real_time () / G_USEC_PER_SEC,
                           .binding = binding };
  return cg_approvals_record (bonds->approvals, &approval, error);
}

gboolean
cg_bluetooth_bonds_forget (CgBluetoothBonds *bonds, const char *address, CgApprovalEnd end)
{
  g_autoptr (GError) error = NULL;
  gboolean had;

  if (address == NULL)
    return FALSE;
  had = cg_approvals_forget (bonds->approvals, TRANSPORT, address, end, &error);
  if (error != NULL)
    g_warning ("Could not write that the approval of %s is gone: %s", address, error->message);
  return had || error != NULL;
}

void
cg_bluetooth_bonds_invalidate (CgBluetoothBonds *bonds, const char *object_path)
{
  g_hash_table_remove (bonds->digests, object_path);
}

gboolean
cg_bluetooth_bonds_key_is_gone (CgBluetoothBonds *bonds, const CgBluezDevice *device)
{
  g_autofree char *digest = NULL;

  g_hash_table_remove (bonds->digests, device->object_path);
  digest = bonds_read_digest (bonds, device);
  return g_str_equal (digest, CG_BLUEZ_BOND_NONE);
}
