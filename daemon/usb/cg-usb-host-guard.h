/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-usb-hotplug.h"
#include "cg-usb-uevent.h"

G_BEGIN_DECLS

/* The host role (a laptop): the kernel's USB authorization decides whether a device
 * plugged into this machine gets drivers. carguardd sets authorized_default=0 on every
 * root hub, so a new device is powered and enumerated but driverless; it is judged on
 * what sysfs tells while it is unauthorized (VID:PID, strings, interface classes from
 * its descriptors, port) and authorized only for data, per interface for an interface
 * allowlist, or after a person's "allow once" for an `ask`. Devices present at start
 * follow [USBHost] PresentDevices= (policy/FORMAT.md): by default those on a port the
 * firmware calls hardwired stay authorized, the rest are judged like new ones. A block
 * reaches every device, kept at start or allowed once.
 *
 * Wake-ups: libusb hotplug (cg-usb-hotplug.h) and kernel uevents (cg-usb-uevent.h);
 * whichever comes first judges the device, the other finds it judged. */
#define CG_TYPE_USB_HOST_GUARD (cg_usb_host_guard_get_type ())
G_DECLARE_FINAL_TYPE (CgUsbHostGuard, cg_usb_host_guard, CG, USB_HOST_GUARD, GObject)

#define CG_USB_DEVICES_DIR "/sys/bus/usb/devices"
#define CG_USB_DRIVERS_PROBE "/sys/bus/usb/drivers_probe"

/* pending, registry and hwdb may be NULL. sysfs_root is "/" or a fake tree. */
CgUsbHostGuard *cg_usb_host_guard_new (CgPolicyKeeper *keeper, CgPending *pending,
                                       CgDeviceRegistry *registry, CgHwdb *hwdb,
                                       const char *sysfs_root);

/* Wakes the guard on "usb" uevents and on libusb hotplug (devices and root hubs).
 * Either may be NULL: without libusb's hotplug the uevents do the work. */
void cg_usb_host_guard_listen (CgUsbHostGuard *guard, CgUsbUeventMonitor *monitor,
                               CgUsbHotplug *hotplug);

/* Locks every root hub and handles the devices present now; called once at start. */
void cg_usb_host_guard_start (CgUsbHostGuard *guard);

/* Judges one device by its sysfs name ("1-1", "3-2.4") unless it is already judged
 * for this connection; for tests. */
void cg_usb_host_guard_device_added (CgUsbHostGuard *guard, const char *name);
void cg_usb_host_guard_device_removed (CgUsbHostGuard *guard, const char *name);

/* Whether every session is locked (cg-session-lock): a device that arrives then stays
 * unauthorized until unlock unless its grant says USBWhileLocked=data; at the unlock it
 * is judged. A device authorized before the lock keeps its authorization. Starts
 * unlocked. */
void cg_usb_host_guard_set_locked (CgUsbHostGuard *guard, gboolean locked);

/* The pending decision asked for a device, 0 if none. */
guint cg_usb_host_guard_get_pending_id (CgUsbHostGuard *guard, const char *name);

G_END_DECLS
