/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-usb-config.h"

void
cg_usb_config_clear (CgUsbConfig *config)
{
  g_clear_pointer (&config->gadget, g_free);
  g_clear_pointer (&config->udc, g_free);
}

gboolean
cg_usb_config_name_is_safe (const char *name)
{
  /* The policy's own test of Gadget= and UDC=, also for names read from sysfs. */
  return cg_entry_name_is_safe (name);
}

static char *
usb_config_get_name (const CgPolicy *policy, const char *section, const char *key)
{
  const char *value = cg_policy_get_setting (policy, section, key);

  if (value == NULL)
    return NULL;
  if (!cg_usb_config_name_is_safe (value)) {
    g_warning ("[%s] %s=%s is not a device name; ignoring it", section, key, value);
    return NULL;
  }
  return g_strdup (value);
}

gboolean
cg_usb_present_devices_from_string (const char *value, CgUsbPresentDevices *out)
{
  if (g_strcmp0 (value, "authorize") == 0)
    *out = CG_USB_PRESENT_AUTHORIZE;
  else if (g_strcmp0 (value, "judge") == 0)
    *out = CG_USB_PRESENT_JUDGE;
  else if (g_strcmp0 (value, "authorize-all") == 0)
    *out = CG_USB_PRESENT_AUTHORIZE_ALL;
  else
    return FALSE;
  return TRUE;
}

static CgUsbPresentDevices
usb_config_get_present_devices (const CgPolicy *policy)
{
  const char *value = cg_policy_get_setting (policy, "USBHost", "PresentDevices");
  CgUsbPresentDevices mode = CG_USB_PRESENT_AUTHORIZE;

  if (value != NULL && !cg_usb_present_devices_from_string (value, &mode))
    g_warning ("[USBHost] PresentDevices=%s is not authorize, judge or authorize-all; using "
               "authorize",
               value);
  return mode;
}

/* [USBHost] Guard=no: the host role is off (a phone whose only USB port is the device
 * role; the lab's phone role, whose car side shares the phone's kernel). [USBGadget]
 * Guard=no: the device role is off (the lab's laptop role, whose devices are gadgets of
 * the laptop's own kernel). Anything but no guards. */
static gboolean
usb_config_get_guard (const CgPolicy *policy, const char *section)
{
  const char *value = cg_policy_get_setting (policy, section, "Guard");

  if (g_strcmp0 (value, "no") == 0)
    return FALSE;
  if (value != NULL && g_strcmp0 (value, "yes") != 0)
    g_warning ("[%s] Guard=%s is neither yes nor no; guarding", section, value);
  return TRUE;
}

static CgUsbCableMode
usb_config_get_cable (const CgPolicy *policy)
{
  const char *value = cg_policy_get_setting (policy, "USBGadget", "Cable");

  if (g_strcmp0 (value, "udc") == 0)
    return CG_USB_CABLE_UDC;
  if (value != NULL && g_strcmp0 (value, "auto") != 0)
    g_warning ("[USBGadget] Cable=%s is neither auto nor udc; using auto", value);
  return CG_USB_CABLE_AUTO;
}

void
cg_usb_config_load (const CgPolicy *policy, CgUsbConfig *out)
{
  out->host_guard = usb_config_get_guard (policy, "USBHost");
  out->gadget_guard = usb_config_get_guard (policy, "USBGadget");
  out->present_devices = usb_config_get_present_devices (policy);
  out->gadget = usb_config_get_name (policy, "USBGadget", "Gadget");
  out->udc = usb_config_get_name (policy, "USBGadget", "UDC");
  out->cable = usb_config_get_cable (policy);
}
