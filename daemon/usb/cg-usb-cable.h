/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-sysfs.h"
#include "cg-typec.h"

G_BEGIN_DECLS

/* What a phone can tell of its cable while its gadget is unbound (so the UDC sees no
 * host), from the kernel classes a phone may have. None of them says who the host is
 * (but the Type-C partner's identity, which the host chooses); each says whether
 * something is plugged in. A real phone's UDC (musb, dwc3, chipidea) stays when the
 * cable goes, so its presence says nothing.
 *   Type-C:       /sys/class/typec/portN-partner exists while a cable is in
 *   power supply: /sys/class/power_supply/NAME of type USB: online, and usb_type
 *                 SDP/CDP (a data port) or DCP (a charger: no host at all)
 *   extcon:       /sys/class/extcon/NAME/state: USB=1 (or SDP, CDP, ACA) is a host;
 *                 USB-HOST=1 is the phone being the host */
typedef enum {
  CG_USB_CABLE_TYPEC = 1 << 0,
  CG_USB_CABLE_POWER_SUPPLY = 1 << 1,
  CG_USB_CABLE_EXTCON = 1 << 2,
} CgUsbCableSignal;

#define CG_POWER_SUPPLY_CLASS_DIR "/sys/class/power_supply"
#define CG_EXTCON_CLASS_DIR "/sys/class/extcon"

typedef struct {
  guint signals;  /* CgUsbCableSignal: what this phone has */
  guint attached; /* CgUsbCableSignal: which of them see a host now */
  CgTypecState typec;
} CgUsbCable;

void cg_usb_cable_read (const CgSysfs *sysfs, CgUsbCable *out);

/* A host is attached when the phone has a cable signal and every signal it has says so:
 * any one of them seeing the cable go ends the connection. */
gboolean cg_usb_cable_host_attached (const CgUsbCable *cable);

/* "Type-C partner, USB power supply"; "none" for no signal. */
char *cg_usb_cable_describe (guint signals);

/* Parsers of one attribute, for the tests. */
/* A power supply's `usb_type` ("Unknown [SDP] DCP CDP", or one bare word): whether the
 * port it names can carry data (not a dedicated charger). */
gboolean cg_usb_cable_usb_type_has_host (const char *usb_type);
/* An extcon `state` ("USB=1\nUSB-HOST=0\n"): *has_usb says it reports a USB cable at all;
 * returns whether a USB host is attached (the phone in the device role). */
gboolean cg_usb_cable_extcon_has_host (const char *state, gboolean *has_usb);

G_END_DECLS
