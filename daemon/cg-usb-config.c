/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-document.h"
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

static const char *
usb_config_main_file (const CgPolicy *policy)
{
  const char *const *files = cg_policy_get_files (policy);
  const char *main_file = NULL;

  for (guint i = 0; files != NULL && files[i] != NULL; i++) {
    g_autofree char *base = g_path_get_basename (files[i]);
    if (strcmp (base, CG_POLICY_MAIN_FILE) == 0)
      main_file = files[i];
  }
  return main_file;
}

static char *
usb_config_get_name (const CgDocument *doc, const char *section, const char *key)
{
  const char *value = cg_document_get (doc, section, 0, key);

  if (value == NULL)
    return NULL;
  if (!cg_usb_config_name_is_safe (value)) {
    g_warning ("[%s] %s=%s is not a device name; ignoring it", section, key, value);
    return NULL;
  }
  return g_strdup (value);
}

void
cg_usb_config_load (const CgPolicy *policy, const char *root, CgUsbConfig *out)
{
  const char *main_file = usb_config_main_file (policy);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgDocument) doc = NULL;

  *out = (CgUsbConfig){ 0 };
  if (main_file == NULL)
    return;
  path = g_build_filename (root != NULL ? root : "/", main_file, NULL);
  if (!g_file_get_contents (path, &text, &len, NULL))
    return;
  doc = cg_document_parse (path, text, len, diagnostics);
  if (doc == NULL)
    return;
  out->gadget = usb_config_get_name (doc, "USBGadget", "Gadget");
  out->udc = usb_config_get_name (doc, "USBGadget", "UDC");
}
