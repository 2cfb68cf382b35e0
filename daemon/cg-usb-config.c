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
  if (name == NULL || *name == '\0' || strlen (name) > 255)
    return FALSE;
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (*p == '/' || !g_ascii_isgraph (*p))
      return FALSE;
  return TRUE;
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

void
cg_usb_config_load (const CgPolicy *policy, CgUsbConfig *out)
{
  out->gadget = usb_config_get_name (policy, "USBGadget", "Gadget");
  out->udc = usb_config_get_name (policy, "USBGadget", "UDC");
}
