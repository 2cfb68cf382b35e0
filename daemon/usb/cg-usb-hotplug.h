/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* libusb's hotplug as a GLib source: it owns the libusb context and keeps libusb's fds
 * in the default main context. Emits
 *   "device-added" (const char *name) and "device-removed" (const char *name)
 * with the device's sysfs name, made from its bus number and port path ("3-2.4"), or
 * "usbB" for a root hub. libusb hears of devices through udevd: without udevd it stays
 * silent, and the kernel uevent monitor (cg-usb-uevent.h) is the wake-up. */
#define CG_TYPE_USB_HOTPLUG (cg_usb_hotplug_get_type ())
G_DECLARE_FINAL_TYPE (CgUsbHotplug, cg_usb_hotplug, CG, USB_HOTPLUG, GObject)

/* NULL with the reason when libusb cannot start or has no hotplug. */
CgUsbHotplug *cg_usb_hotplug_new (GError **error);

/* The sysfs name of the device behind ports[0..n_ports) of bus's root hub; the root hub
 * itself when n_ports is 0. Exposed for the unit tests. */
char *cg_usb_hotplug_sysfs_name (guint8 bus, const guint8 *ports, gsize n_ports);

G_END_DECLS
