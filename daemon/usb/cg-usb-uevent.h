/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Kernel uevents (NETLINK_KOBJECT_UEVENT, the kernel's multicast group) as a GLib
 * source: the USB guards' wake-up for UDCs, Type-C partners and USB devices coming
 * and going. Straight from the kernel, so it works before and without udevd, and it
 * costs no wakeup while nothing happens. Emits
 *   "uevent" (const char *action, const char *subsystem, const char *devpath)
 * and "overflow" () when the kernel dropped events (the guards then re-read sysfs). */
#define CG_TYPE_USB_UEVENT_MONITOR (cg_usb_uevent_monitor_get_type ())
G_DECLARE_FINAL_TYPE (CgUsbUeventMonitor, cg_usb_uevent_monitor, CG, USB_UEVENT_MONITOR, GObject)

CgUsbUeventMonitor *cg_usb_uevent_monitor_new (GError **error);

/* Splits one uevent datagram ("ACTION@DEVPATH\0KEY=VALUE\0...") into its fields;
 * NULL if it is not one. Exposed for the unit tests. */
GHashTable *cg_usb_uevent_parse (const char *data, gsize len);

G_END_DECLS
