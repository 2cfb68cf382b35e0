/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The vendor file that holds what an administrator blocked through Block(). */
#define CG_BLOCK_VENDOR_ID "local-blocked"

/* What identifies a device to block, most specific first. */
typedef struct {
  const char *bt_address; /* a [Device] BluetoothAddress= entry */
  const char *usb_serial; /* else a [Device] USBSerial= entry */
  gboolean has_usb_id;    /* else the product: [Match] USB=VID:PID */
  guint16 usb_vid;
  guint16 usb_pid;
} CgBlockTarget;

/* Adds the target to /etc/carguard/vendors.d/local-blocked.conf under root, through the
 * same locked, validated, atomic edit `carguard policy` uses (cg_policy_edit_put_device):
 * the whole policy is checked with the new file in place and nothing is written if it
 * would not load. A device already in the file keeps its one entry, set to block.
 * Diagnostics of a refused edit go to diagnostics. */
gboolean cg_dbus_block_persist (const char *root, const CgBlockTarget *target,
                                GPtrArray *diagnostics, GError **error);

G_END_DECLS
