/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "cg-dbus-block.h"
#include "cg-policy-edit.h"

static void
block_file_start (CgPolicyEdit *edit)
{
  cg_policy_edit_start_empty (edit);
  cg_document_add_section (edit->doc, "Vendor");
  cg_document_set (edit->doc, "Vendor", 0, "Name", "Blocked on this machine", NULL);
  cg_document_set (edit->doc, "Vendor", 0, "Comment",
                   "Devices an administrator blocked with carguard block.", NULL);
  cg_document_add_section (edit->doc, "Policy");
  cg_document_set (edit->doc, "Policy", 0, "Preset", "block", NULL);
}

/* The most specific key the target has. */
static gboolean
block_key_for (const CgBlockTarget *target, CgDeviceKey *key, GError **error)
{
  if (target->bt_address != NULL)
    *key = (CgDeviceKey){ .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = target->bt_address };
  else if (target->usb_serial != NULL && target->usb_serial[0] != '\0')
    *key = (CgDeviceKey){ .kind = CG_DEVICE_KEY_USB_SERIAL, .text = target->usb_serial };
  else if (target->has_usb_id)
    *key = (CgDeviceKey){ .kind = CG_DEVICE_KEY_USB_PRODUCT,
                          .usb_vid = target->usb_vid,
                          .usb_pid = target->usb_pid };
  else {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "the device has no address, serial number or USB id to block it by");
    return FALSE;
  }
  return TRUE;
}

gboolean
cg_dbus_block_persist (const char *root, const CgBlockTarget *target, GPtrArray *diagnostics,
                       GError **error)
{
  static const char *const block[] = { "Preset", "block", NULL };
  g_auto (CgPolicyEdit) edit = { NULL };
  CgDeviceKey key;

  if (!block_key_for (target, &key, error)
      || !cg_policy_edit_begin (&edit, root, CG_BLOCK_VENDOR_ID, diagnostics, error))
    return FALSE;
  if (edit.state == CG_POLICY_FILE_MASKED) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s is masked; unmask it to block devices",
                 edit.display_path);
    return FALSE;
  }
  if (edit.doc == NULL)
    block_file_start (&edit);
  if (!cg_policy_edit_put_device (&edit, &key, block, NULL, error))
    return FALSE;
  return cg_policy_edit_commit (&edit, diagnostics, error);
}
