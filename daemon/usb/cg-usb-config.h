/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-policy.h"

G_BEGIN_DECLS

/* What happens to devices present when carguardd starts ([USBHost] PresentDevices=). */
typedef enum {
  CG_USB_PRESENT_AUTHORIZE, /* authorized ones stay authorized (the keyboard); others judged */
  CG_USB_PRESENT_JUDGE,     /* every device is judged like a new one */
} CgUsbPresentDevices;

/* The daemon sections of carguard.conf the USB guards read (policy/FORMAT.md):
 *   [USBHost]   Guard=yes|no PresentDevices=authorize|judge
 *   [USBGadget] Gadget=NAME UDC=NAME */
typedef struct {
  gboolean host_guard; /* Guard=no turns the host role off */
  CgUsbPresentDevices present_devices;
  char *gadget; /* configfs gadget name, or NULL: the only one there is */
  char *udc;    /* UDC name, or NULL: the only one there is */
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
