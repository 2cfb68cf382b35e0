/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-policy.h"

G_BEGIN_DECLS

/* The daemon sections of carguard.conf the USB guards read (policy/FORMAT.md):
 *   [USBGadget] Gadget=NAME UDC=NAME
 *   [USBHost]   PresentDevices=authorize|keep|policy */
typedef enum {
  CG_USB_PRESENT_AUTHORIZE, /* devices present at start stay usable: never locks out a keyboard */
  CG_USB_PRESENT_KEEP,      /* leave their authorized attribute as it is */
  CG_USB_PRESENT_POLICY,    /* judge them like a new device */
} CgUsbPresentDevices;

typedef struct {
  char *gadget; /* configfs gadget name, or NULL: the only one there is */
  char *udc;    /* UDC name, or NULL: the only one there is */
  CgUsbPresentDevices present_devices;
} CgUsbConfig;

void cg_usb_config_clear (CgUsbConfig *config);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgUsbConfig, cg_usb_config_clear)

/* Reads the sections from the carguard.conf that policy was loaded from (the last one
 * in its file list), under root. A missing file or section gives the defaults; a name
 * that could leave its directory ("..", "/") is ignored with a warning. */
void cg_usb_config_load (const CgPolicy *policy, const char *root, CgUsbConfig *out);

/* A configfs or sysfs entry name that stays inside its directory. */
gboolean cg_usb_config_name_is_safe (const char *name);

G_END_DECLS
