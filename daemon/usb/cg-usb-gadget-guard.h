/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "cg-device-registry.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-usb-uevent.h"

G_BEGIN_DECLS

/* The device role (a phone): carguardd owns the binding of every configfs gadget to
 * every UDC. Unbound is charge-only. A host that plugs in is judged by what the phone
 * can know of it before any data flows (its Type-C partner identity, else nothing), and
 * the guarded gadget ([USBGadget] Gadget=, else the only one) is bound to the guarded
 * UDC only for data (trusted) or after a person's "allow once" for this connection. On
 * detach it is unbound again. Any other binding (another gadget, another UDC, a bind by
 * a NetworkManager dispatcher or usb-moded) is undone and logged.
 *
 * The cable signal (cg-usb-cable.h, cg-usb-gadget-guard.md): the Type-C partner, a USB
 * power supply, extcon, whichever the phone has, and the UDC's state while bound; with
 * none of them `ask` is charge-only. [USBGadget] Cable=udc makes the UDC's presence the
 * cable (dummy_hcd: its host side lives in the same module). */
#define CG_TYPE_USB_GADGET_GUARD (cg_usb_gadget_guard_get_type ())
G_DECLARE_FINAL_TYPE (CgUsbGadgetGuard, cg_usb_gadget_guard, CG, USB_GADGET_GUARD, GObject)

#define CG_USB_GADGET_CONFIGFS_DIR "/sys/kernel/config/usb_gadget"
#define CG_USB_UDC_CLASS_DIR "/sys/class/udc"

/* pending may be NULL: every `ask` is then charge-only. registry may be NULL; else the
 * host is published there as transport "usb", device = the UDC name, so the D-Bus
 * AllowOnce("usb/UDC") answers its pending question. sysfs_root is "/" or a fake tree. */
CgUsbGadgetGuard *cg_usb_gadget_guard_new (CgPolicyKeeper *keeper, CgPending *pending,
                                           CgDeviceRegistry *registry, const char *sysfs_root);

/* Wakes the guard on UDC, Type-C, power supply and extcon uevents. */
void cg_usb_gadget_guard_listen (CgUsbGadgetGuard *guard, CgUsbUeventMonitor *monitor);

/* Whether every session is locked (cg-session-lock): a host that arrives then stays
 * charge-only until unlock unless its grant says USBWhileLocked=data; at the unlock it is
 * judged. A host connected before the lock keeps its data path. Starts unlocked. */
void cg_usb_gadget_guard_set_locked (CgUsbGadgetGuard *guard, gboolean locked);

/* Reads sysfs and configfs and makes the binding what the policy says; called on every
 * uevent, UDC state change and policy change, and by tests after changing a fake tree. */
void cg_usb_gadget_guard_recheck (CgUsbGadgetGuard *guard);

/* For tests and the D-Bus API: whether a host is attached now, and the id of the
 * pending decision asked for this connection (0 if none). */
gboolean cg_usb_gadget_guard_host_present (CgUsbGadgetGuard *guard);
guint cg_usb_gadget_guard_get_pending_id (CgUsbGadgetGuard *guard);

G_END_DECLS
