/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-usb-uevent.h"

G_BEGIN_DECLS

/* The host role (a laptop): the kernel's USB authorization decides whether a device
 * plugged into this machine gets drivers. carguardd sets authorized_default=0 on every
 * root hub, so a new device is powered and enumerated but driverless; it is judged on
 * what sysfs tells while it is unauthorized (VID:PID, strings, interface classes from
 * its descriptors, port) and authorized only for data, per interface for an interface
 * allowlist, or after a person's "allow once" for an `ask`. Devices present at start
 * follow [USBHost] PresentDevices= (policy/FORMAT.md).
 *
 * Wake-ups: libusb hotplug (its fds in the GLib loop) and the kernel uevent source;
 * whichever comes first judges the device, the other finds it judged. */
#define CG_TYPE_USB_HOST_GUARD (cg_usb_host_guard_get_type ())
G_DECLARE_FINAL_TYPE (CgUsbHostGuard, cg_usb_host_guard, CG, USB_HOST_GUARD, GObject)

#define CG_USB_DEVICES_DIR "/sys/bus/usb/devices"
#define CG_USB_DRIVERS_PROBE "/sys/bus/usb/drivers_probe"

/* What happens to devices present when carguardd starts ([USBHost] PresentDevices=). */
typedef enum {
  CG_USB_PRESENT_AUTHORIZE, /* authorized ones stay authorized (the keyboard); others judged */
  CG_USB_PRESENT_JUDGE,     /* every device is judged like a new one */
} CgUsbPresentDevices;

/* pending, registry and hwdb may be NULL. sysfs_root is "/" or a fake tree. */
CgUsbHostGuard *cg_usb_host_guard_new (CgPolicyKeeper *keeper, CgPending *pending,
                                       CgDeviceRegistry *registry, CgHwdb *hwdb,
                                       const char *sysfs_root);

/* libusb hotplug in the GLib main context. Without it the guard still works from
 * uevents and rechecks; the error says why. */
gboolean cg_usb_host_guard_start_hotplug (CgUsbHostGuard *guard, GError **error);

/* Wakes the guard on "usb" uevents (devices and root hubs). */
void cg_usb_host_guard_listen (CgUsbHostGuard *guard, CgUsbUeventMonitor *monitor);

/* Locks every root hub and handles the devices present now; called once at start. */
void cg_usb_host_guard_start (CgUsbHostGuard *guard);

/* Judges one device by its sysfs name ("1-1", "3-2.4") unless it is already judged
 * for this connection; for tests. */
void cg_usb_host_guard_device_added (CgUsbHostGuard *guard, const char *name);
void cg_usb_host_guard_device_removed (CgUsbHostGuard *guard, const char *name);

/* The pending decision asked for a device, 0 if none. */
guint cg_usb_host_guard_get_pending_id (CgUsbHostGuard *guard, const char *name);

gboolean cg_usb_present_devices_from_string (const char *value, CgUsbPresentDevices *out);

G_END_DECLS
