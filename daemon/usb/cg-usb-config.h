/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-policy.h"

G_BEGIN_DECLS

/* What happens to devices present when carguardd starts ([USBHost] PresentDevices=). */
typedef enum {
  CG_USB_PRESENT_AUTHORIZE,     /* authorized ones on hardwired ports stay (the keyboard) */
  CG_USB_PRESENT_JUDGE,         /* every device is judged like a new one */
  CG_USB_PRESENT_AUTHORIZE_ALL, /* every authorized one stays: the boot window stays open */
} CgUsbPresentDevices;

/* What tells the gadget guard that a host is plugged in ([USBGadget] Cable=). */
typedef enum {
  CG_USB_CABLE_AUTO, /* the Type-C partner, a USB power supply, extcon: what the phone has */
  CG_USB_CABLE_UDC,  /* the UDC's presence: a UDC that exists only while a host is (dummy_hcd) */
} CgUsbCableMode;

/* The daemon sections of carguard.conf the USB guards read (policy/FORMAT.md):
 *   [USBHost]   Guard=yes|no PresentDevices=authorize|judge|authorize-all
 *   [USBGadget] Guard=yes|no Gadget=NAME UDC=NAME Cable=auto|udc */
typedef struct {
  gboolean host_guard;   /* [USBHost] Guard=no turns the host role off */
  gboolean gadget_guard; /* [USBGadget] Guard=no turns the device role off */
  CgUsbPresentDevices present_devices;
  char *gadget; /* configfs gadget name, or NULL: the only one there is */
  char *udc;    /* UDC name, or NULL: the only one there is */
  CgUsbCableMode cable;
} CgUsbConfig;

void cg_usb_config_clear (CgUsbConfig *config);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgUsbConfig, cg_usb_config_clear)

/* The settings as the policy read them from carguard.conf. An unset key gives the
 * default; a value the key does not take is warned about and gives the default too:
 * the host guard stays on, present devices stay authorized (a typo never locks out
 * the keyboard), and a name that could leave its directory ("..", "/") is ignored. */
void cg_usb_config_load (const CgPolicy *policy, CgUsbConfig *out);

/* A configfs or sysfs entry name that stays inside its directory. */
gboolean cg_usb_config_name_is_safe (const char *name);

gboolean cg_usb_present_devices_from_string (const char *value, CgUsbPresentDevices *out);

G_END_DECLS
