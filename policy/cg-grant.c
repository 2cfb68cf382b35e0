/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-grant.h"
#include "cg-schema-private.h"

#include <string.h>

#define PROFILE_BIT(p) ((CgProfileSet)1u << (p))

static const CgProfileSet audio_only_profiles
    = PROFILE_BIT (CG_PROFILE_A2DP) | PROFILE_BIT (CG_PROFILE_AVRCP) | PROFILE_BIT (CG_PROFILE_HFP)
      | PROFILE_BIT (CG_PROFILE_HSP) | PROFILE_BIT (CG_PROFILE_PNP) | PROFILE_BIT (CG_PROFILE_GATT);

void
cg_grant_init_preset (CgGrant *grant, CgPreset preset)
{
  memset (grant, 0, sizeof (*grant));
  grant->pairing = CG_PAIRING_DENY;
  grant->usb_mode = CG_USB_MODE_CHARGE_ONLY;
  /* No preset opens a new data path while locked, trusted neither: only USBWhileLocked=. */
  grant->usb_while_locked = CG_USB_LOCKED_CHARGE_ONLY;
  switch (preset) {
    case CG_PRESET_TRUSTED:
      grant->pairing = CG_PAIRING_ALLOW;
      grant->profiles = CG_PROFILE_SET_ALL;
      grant->all_uuids = TRUE;
      grant->usb_mode = CG_USB_MODE_DATA;
      break;
    case CG_PRESET_AUDIO_ONLY:
      grant->pairing = CG_PAIRING_ALLOW;
      grant->profiles = audio_only_profiles;
      break;
    case CG_PRESET_BLOCK:
      grant->block = TRUE;
      break;
    case CG_PRESET_NONE:
    case CG_PRESET_CHARGE_ONLY:
    default:
      /* Fail closed: anything unnamed gets nothing but power. */
      break;
  }
}

void
cg_grant_copy (CgGrant *dest, const CgGrant *src)
{
  if (dest == src)
    return;
  *dest = *src;
  dest->extra_uuids = g_strdupv (src->extra_uuids);
}

void
cg_grant_clear (CgGrant *grant)
{
  g_clear_pointer (&grant->extra_uuids, g_strfreev);
}

static gboolean
interfaces_all (const guint32 bits[8])
{
  for (int i = 0; i < 8; i++)
    if (bits[i] != 0)
      return FALSE;
  return TRUE;
}

static void
restrict_uuids (CgGrant *dest, const CgGrant *other)
{
  g_autoptr (GStrvBuilder) kept = g_strv_builder_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const GStrv lists[2] = { dest->extra_uuids, other->extra_uuids };

  for (int l = 0; l < 2; l++) {
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
      const char *uuid = lists[l][i];
      if (g_hash_table_contains (seen, uuid) || !cg_grant_allows_uuid (dest, uuid)
          || !cg_grant_allows_uuid (other, uuid))
        continue;
      g_hash_table_add (seen, (gpointer)uuid);
      g_strv_builder_add (kept, uuid);
    }
  }
  g_strfreev (dest->extra_uuids);
  dest->extra_uuids = g_strv_builder_end (kept);
  if (dest->extra_uuids[0] == NULL)
    g_clear_pointer (&dest->extra_uuids, g_strfreev);
}

static void
restrict_interfaces (CgGrant *dest, const CgGrant *other)
{
  gboolean any = FALSE;

  if (interfaces_all (other->usb_interfaces))
    return;
  if (interfaces_all (dest->usb_interfaces)) {
    memcpy (dest->usb_interfaces, other->usb_interfaces, sizeof (dest->usb_interfaces));
    return;
  }
  for (int i = 0; i < 8; i++) {
    dest->usb_interfaces[i] &= other->usb_interfaces[i];
    any |= dest->usb_interfaces[i] != 0;
  }
  /* No class both allow: an empty set would read as "every class", so no data. */
  if (!any)
    dest->usb_mode = CG_USB_MODE_CHARGE_ONLY;
}

void
cg_grant_restrict (CgGrant *dest, const CgGrant *other)
{
  restrict_uuids (dest, other);
  dest->pairing = MIN (dest->pairing, other->pairing);
  dest->profiles &= other->profiles;
  dest->all_uuids = dest->all_uuids && other->all_uuids;
  dest->usb_mode = MIN (dest->usb_mode, other->usb_mode);
  dest->usb_while_locked = MIN (dest->usb_while_locked, other->usb_while_locked);
  restrict_interfaces (dest, other);
  dest->block = dest->block || other->block;
}

gboolean
cg_grant_allows_uuid (const CgGrant *grant, const char *uuid)
{
  CgProfile profile;
  g_autofree char *normal = NULL;

  if (grant->all_uuids)
    return TRUE;
  profile = cg_profile_from_uuid (uuid);
  if (profile != CG_PROFILE_UNKNOWN)
    return (grant->profiles & PROFILE_BIT (profile)) != 0;
  normal = cg_uuid_normalize (uuid);
  if (normal == NULL || grant->extra_uuids == NULL)
    return FALSE;
  return g_strv_contains ((const char *const *)grant->extra_uuids, normal);
}

gboolean
cg_grant_allows_usb_interface (const CgGrant *grant, guint8 iface_class)
{
  if (grant->usb_mode != CG_USB_MODE_DATA)
    return FALSE;
  if (interfaces_all (grant->usb_interfaces))
    return TRUE;
  return (grant->usb_interfaces[iface_class / 32] & (1u << (iface_class % 32))) != 0;
}

GPtrArray *
cg_grant_usb_interface_names (const CgGrant *grant)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < 256; c++) {
    const char *name;

    if ((grant->usb_interfaces[c / 32] & (1u << (c % 32))) == 0)
      continue;
    name = cg_usb_class_to_name ((guint8)c);
    g_ptr_array_add (names, name != NULL ? g_strdup (name) : g_strdup_printf ("%02x", c));
  }
  if (names->len == 0)
    g_ptr_array_add (names, g_strdup ("all"));
  return names;
}

const char *
cg_pairing_to_string (CgPairing p)
{
  switch (p) {
    case CG_PAIRING_ALLOW:
      return "allow";
    case CG_PAIRING_ASK:
      return "ask";
    case CG_PAIRING_DENY:
    default:
      return "deny";
  }
}

const char *
cg_usb_mode_to_string (CgUsbMode m)
{
  switch (m) {
    case CG_USB_MODE_DATA:
      return "data";
    case CG_USB_MODE_ASK:
      return "ask";
    case CG_USB_MODE_CHARGE_ONLY:
    default:
      return "charge-only";
  }
}

const char *
cg_usb_while_locked_to_string (CgUsbWhileLocked w)
{
  return w == CG_USB_LOCKED_DATA ? "data" : "charge-only";
}

static const char *const preset_names[] = {
  [CG_PRESET_NONE] = "none",
  [CG_PRESET_TRUSTED] = "trusted",
  [CG_PRESET_AUDIO_ONLY] = "audio-only",
  [CG_PRESET_CHARGE_ONLY] = "charge-only",
  [CG_PRESET_BLOCK] = "block",
};

const char *
cg_preset_to_string (CgPreset p)
{
  if ((guint)p >= G_N_ELEMENTS (preset_names))
    return "none";
  return preset_names[p];
}

gboolean
cg_preset_from_string (const char *s, CgPreset *out)
{
  for (guint i = CG_PRESET_TRUSTED; i < G_N_ELEMENTS (preset_names); i++) {
    if (g_strcmp0 (s, preset_names[i]) == 0) {
      *out = (CgPreset)i;
      return TRUE;
    }
  }
  return FALSE;
}
