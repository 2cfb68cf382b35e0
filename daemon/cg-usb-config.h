/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-policy.h"

G_BEGIN_DECLS

/* The daemon section of carguard.conf the USB gadget guard reads (policy/FORMAT.md):
 *   [USBGadget] Gadget=NAME UDC=NAME */
typedef struct {
  char *gadget; /* configfs gadget name, or NULL: the only one there is */
  char *udc;    /* UDC name, or NULL: the only one there is */
} CgUsbConfig;

void cg_usb_config_clear (CgUsbConfig *config);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgUsbConfig, cg_usb_config_clear)

/* The settings as the policy read them from carguard.conf. An unset key gives the
 * default; a name that could leave its directory ("..", "/") is ignored with a warning. */
void cg_usb_config_load (const CgPolicy *policy, CgUsbConfig *out);

/* A configfs or sysfs entry name that stays inside its directory. */
gboolean cg_usb_config_name_is_safe (const char *name);

G_END_DECLS
