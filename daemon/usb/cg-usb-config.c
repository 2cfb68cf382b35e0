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
    g_warning ("[USBHost] PresentDevices=%s is neither authorize nor judge; using authorize",
               value);
  return mode;
}

/* Guard=no: the host role is off (a phone whose only USB port is the device role; the
 * lab, whose car side shares the phone's kernel). */
static gboolean
usb_config_get_host_guard (const CgPolicy *policy)
{
  const char *value = cg_policy_get_setting (policy, "USBHost", "Guard");

  if (g_strcmp0 (value, "no") == 0)
    return FALSE;
  if (value != NULL && g_strcmp0 (value, "yes") != 0)
    g_warning ("[USBHost] Guard=%s is neither yes nor no; guarding", value);
  return TRUE;
}

void
cg_usb_config_load (const CgPolicy *policy, CgUsbConfig *out)
{
  out->host_guard = usb_config_get_host_guard (policy);
  out->present_devices = usb_config_get_present_devices (policy);
  out->gadget = usb_config_get_name (policy, "USBGadget", "Gadget");
  out->udc = usb_config_get_name (policy, "USBGadget", "UDC");
}
