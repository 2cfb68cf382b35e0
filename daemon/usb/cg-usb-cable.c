/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-usb-cable.h"

/* The active value of a multiple-choice attribute: the [bracketed] word, or the one word
 * written; NULL when neither. */
static char *
cable_active_word (const char *value)
{
  const char *open = strchr (value, '[');
  const char *close = open != NULL ? strchr (open, ']') : NULL;

  if (open != NULL && close != NULL)
    return g_strndup (open + 1, (gsize)(close - open - 1));
  if (open == NULL && *value != '\0' && strpbrk (value, " \t") == NULL)
    return g_strdup (value);
  return NULL;
}

gboolean
cg_usb_cable_usb_type_has_host (const char *usb_type)
{
  g_autofree char *active = cable_active_word (usb_type);

  /* A dedicated charger (D+ shorted to D-) and Apple's brick signature carry no data.
   * Anything else, "Unknown" included (detection not done), may be a host. */
  return active == NULL || (g_strcmp0 (active, "DCP") != 0 && g_strcmp0 (active, "BrickID") != 0);
}

static gboolean
cable_is_usb_supply_type (const char *type)
{
  /* "USB"; before 4.19 the charger type was the supply's type: "USB_DCP", "USB_CDP"... */
  return g_strcmp0 (type, "USB") == 0 || g_str_has_prefix (type, "USB_");
}

/* One supply of type USB that reports `online`: FALSE if it is none. */
static gboolean
cable_read_supply (const CgSysfs *sysfs, const char *name, gboolean *host)
{
  g_autofree char *dir = g_build_filename (CG_POWER_SUPPLY_CLASS_DIR, name, NULL);
  g_autofree char *type_path = g_build_filename (dir, "type", NULL);
  g_autofree char *online_path = g_build_filename (dir, "online", NULL);
  g_autofree char *usb_type_path = g_build_filename (dir, "usb_type", NULL);
  g_autofree char *type = cg_sysfs_read_text (sysfs, type_path, 64, NULL);
  g_autofree char *online = NULL;
  g_autofree char *usb_type = NULL;

  if (type == NULL || !cable_is_usb_supply_type (g_strstrip (type)))
    return FALSE;
  online = cg_sysfs_read_text (sysfs, online_path, 16, NULL);
  if (online == NULL)
    return FALSE;
  usb_type = cg_sysfs_read_text (sysfs, usb_type_path, 256, NULL);
  *host = g_strcmp0 (g_strstrip (online), "1") == 0 && g_strcmp0 (type, "USB_DCP") != 0
          && (usb_type == NULL || cg_usb_cable_usb_type_has_host (g_strstrip (usb_type)));
  return TRUE;
}

gboolean
cg_usb_cable_extcon_has_host (const char *state, gboolean *has_usb)
{
  static const char *const host_cables[] = { "USB", "SDP", "CDP", "ACA" };
  g_auto (GStrv) lines = g_strsplit (state, "\n", 64);
  gboolean host = FALSE;

  *has_usb = FALSE;
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto (GStrv) pair = g_strsplit (g_strstrip (lines[i]), "=", 2);

    if (pair[0] == NULL || pair[1] == NULL || !g_strv_contains (host_cables, g_strstrip (pair[0])))
      continue;
    if (g_str_equal (pair[0], "USB"))
      *has_usb = TRUE;
    host |= g_strcmp0 (g_strstrip (pair[1]), "1") == 0;
  }
  return *has_usb && host;
}

static gboolean
cable_read_extcon (const CgSysfs *sysfs, const char *name, gboolean *host)
{
  g_autofree char *path = g_build_filename (CG_EXTCON_CLASS_DIR, name, "state", NULL);
  g_autofree char *state = cg_sysfs_read_text (sysfs, path, 4096, NULL);
  gboolean has_usb = FALSE;

  if (state == NULL)
    return FALSE;
  *host = cg_usb_cable_extcon_has_host (state, &has_usb);
  return has_usb;
}

typedef gboolean (*CableReadFunc) (const CgSysfs *sysfs, const char *name, gboolean *host);

/* Every entry of a class: whether one is a cable signal (*signal), and whether any of
 * those sees a host. A phone may have several (a charger chip and the PMIC). */
static gboolean
cable_read_class (const CgSysfs *sysfs, const char *dir, CableReadFunc read, gboolean *signal)
{
  g_autoptr (GPtrArray) names = cg_sysfs_list (sysfs, dir);
  gboolean any_host = FALSE;

  *signal = FALSE;
  for (guint i = 0; i < names->len; i++) {
    gboolean host = FALSE;

    if (!read (sysfs, names->pdata[i], &host))
      continue;
    *signal = TRUE;
    any_host |= host;
  }
  return any_host;
}

static void
cable_note (CgUsbCable *out, CgUsbCableSignal signal, gboolean present, gboolean attached)
{
  if (present)
    out->signals |= signal;
  if (present && attached)
    out->attached |= signal;
}

void
cg_usb_cable_read (const CgSysfs *sysfs, CgUsbCable *out)
{
  gboolean present = FALSE, attached;

  *out = (CgUsbCable){ 0 };
  cg_typec_read_state (sysfs, &out->typec);
  cable_note (out, CG_USB_CABLE_TYPEC, out->typec.has_port, out->typec.has_partner);
  attached = cable_read_class (sysfs, CG_POWER_SUPPLY_CLASS_DIR, cable_read_supply, &present);
  cable_note (out, CG_USB_CABLE_POWER_SUPPLY, present, attached);
  attached = cable_read_class (sysfs, CG_EXTCON_CLASS_DIR, cable_read_extcon, &present);
  cable_note (out, CG_USB_CABLE_EXTCON, present, attached);
}

gboolean
cg_usb_cable_host_attached (const CgUsbCable *cable)
{
  return cable->signals != 0 && cable->attached == cable->signals;
}

char *
cg_usb_cable_describe (guint signals)
{
  static const struct {
    CgUsbCableSignal signal;
    const char *name;
  } names[] = {
    { CG_USB_CABLE_TYPEC, "Type-C partner" },
    { CG_USB_CABLE_POWER_SUPPLY, "USB power supply" },
    { CG_USB_CABLE_EXTCON, "extcon USB cable" },
  };
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (signals & names[i].signal)
      g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", names[i].name);
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : g_strdup ("none");
}
