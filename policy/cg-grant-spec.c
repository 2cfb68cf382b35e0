/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-schema-private.h"

#include <string.h>

void
cg_grant_spec_init (CgGrantSpec *spec)
{
  memset (spec, 0, sizeof (*spec));
}

void
cg_grant_spec_clear (CgGrantSpec *spec)
{
  g_clear_pointer (&spec->extra_uuids, g_ptr_array_unref);
}

static gboolean
set_pairing (CgGrantSpec *spec, const char *value, const CgValueSite *site)
{
  static const char *const names[] = { "deny", "ask", "allow" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    if (strcmp (value, names[i]) == 0) {
      spec->pairing = (CgPairing)i;
      return TRUE;
    }
  }
  cg_value_site_report (site, 0, "invalid Pairing '%s' (allow, deny or ask)", value);
  return FALSE;
}

static gboolean
set_usb_mode (CgGrantSpec *spec, const char *value, const CgValueSite *site)
{
  static const char *const names[] = { "charge-only", "ask", "data" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    if (strcmp (value, names[i]) == 0) {
      spec->usb_mode = (CgUsbMode)i;
      return TRUE;
    }
  }
  cg_value_site_report (site, 0, "invalid USBMode '%s' (data, charge-only or ask)", value);
  return FALSE;
}

static gboolean
set_usb_while_locked (CgGrantSpec *spec, const char *value, const CgValueSite *site)
{
  if (strcmp (value, "charge-only") == 0 || strcmp (value, "data") == 0) {
    spec->usb_while_locked = value[0] == 'd' ? CG_USB_LOCKED_DATA : CG_USB_LOCKED_CHARGE_ONLY;
    return TRUE;
  }
  cg_value_site_report (site, 0, "invalid USBWhileLocked '%s' (charge-only or data)", value);
  return FALSE;
}

static gboolean
set_preset (CgGrantSpec *spec, const char *value, const CgValueSite *site)
{
  if (cg_preset_from_string (value, &spec->preset))
    return TRUE;
  cg_value_site_report (site, 0, "unknown preset '%s' (trusted, audio-only, charge-only or block)",
                        value);
  return FALSE;
}

static gboolean
add_profile (CgGrantSpec *spec, const CgListItem *item, guint n_items, const CgValueSite *site)
{
  CgProfile profile = cg_profile_from_name (item->text);
  g_autofree char *uuid = NULL;

  if (strcmp (item->text, "all") == 0 || strcmp (item->text, "none") == 0) {
    if (n_items != 1) {
      cg_value_site_report (site, item->offset, "'%s' must be the only profile", item->text);
      return FALSE;
    }
    spec->all_uuids = item->text[0] == 'a';
    spec->profiles = spec->all_uuids ? CG_PROFILE_SET_ALL : 0;
    return TRUE;
  }
  if (profile == CG_PROFILE_UNKNOWN)
    profile = cg_profile_from_uuid (item->text);
  if (profile != CG_PROFILE_UNKNOWN) {
    spec->profiles |= 1u << profile;
    return TRUE;
  }
  uuid = cg_uuid_normalize (item->text);
  if (uuid == NULL) {
    cg_value_site_report (site, item->offset, "unknown profile '%s'", item->text);
    return FALSE;
  }
  if (spec->extra_uuids == NULL)
    spec->extra_uuids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (spec->extra_uuids, g_steal_pointer (&uuid));
  return TRUE;
}

static gboolean
set_profiles (CgGrantSpec *spec, const char *value, const CgValueSite *site)
{
  g_autoptr (GArray) items = cg_schema_split_list (value, site);
  gboolean ok = TRUE;

  if (items == NULL)
    return FALSE;
  spec->profiles = 0;
  spec->all_uuids = FALSE;
  g_clear_pointer (&spec->extra_uuids, g_ptr_array_unref);
  for (guint i = 0; i < items->len; i++)
    ok &= add_profile (spec, &g_array_index (items, CgListItem, i), items->len, site);
  return ok;
}

static gboolean
set_usb_interfaces (CgGrantSpec *spec, const char *value, const CgValueSite *site)
{
  g_autoptr (GArray) items = cg_schema_split_list (value, site);
  gboolean ok = TRUE;

  if (items == NULL)
    return FALSE;
  memset (spec->usb_interfaces, 0, sizeof (spec->usb_interfaces));
  for (guint i = 0; i < items->len; i++) {
    const CgListItem *item = &g_array_index (items, CgListItem, i);
    guint32 byte = 0;
    guint8 usb_class = 0;

    if (strcmp (item->text, "all") == 0 && items->len == 1)
      break;
    if (cg_usb_class_from_name (item->text, &usb_class)
        || (strlen (item->text) == 2 && cg_parse_hex_exact (item->text, 2, &byte))) {
      usb_class = usb_class != 0 ? usb_class : (guint8)byte;
      spec->usb_interfaces[usb_class / 32] |= 1u << (usb_class % 32);
      continue;
    }
    cg_value_site_report (site, item->offset,
                          "invalid interface class '%s' (a name or two hex digits)", item->text);
    ok = FALSE;
  }
  return ok;
}

/* The field a grant key sets. */
static CgGrantSpecField
grant_key_field (CgValueType type)
{
  switch (type) {
    case CG_VALUE_PRESET:
      return CG_GRANT_SPEC_PRESET;
    case CG_VALUE_PAIRING:
      return CG_GRANT_SPEC_PAIRING;
    case CG_VALUE_PROFILES:
      return CG_GRANT_SPEC_PROFILES;
    case CG_VALUE_USB_MODE:
      return CG_GRANT_SPEC_USB_MODE;
    case CG_VALUE_USB_INTERFACES:
      return CG_GRANT_SPEC_USB_INTERFACES;
    case CG_VALUE_USB_WHILE_LOCKED:
      return CG_GRANT_SPEC_USB_WHILE_LOCKED;
    case CG_VALUE_TEXT:
    case CG_VALUE_CHOICE:
    case CG_VALUE_ENTRY_NAME:
    case CG_VALUE_MATCH_LIST:
    case CG_VALUE_MATCH_ONE:
    default:
      return 0;
  }
}

gboolean
cg_grant_spec_set (CgGrantSpec *spec, const CgSchemaKey *key, const char *value,
                   const CgValueSite *site)
{
  CgGrantSpecField field = grant_key_field (key->type);
  gboolean ok;

  g_return_val_if_fail (field != 0, FALSE);
  switch (field) {
    case CG_GRANT_SPEC_PRESET:
      ok = set_preset (spec, value, site);
      break;
    case CG_GRANT_SPEC_PAIRING:
      ok = set_pairing (spec, value, site);
      break;
    case CG_GRANT_SPEC_PROFILES:
      ok = set_profiles (spec, value, site);
      break;
    case CG_GRANT_SPEC_USB_MODE:
      ok = set_usb_mode (spec, value, site);
      break;
    case CG_GRANT_SPEC_USB_WHILE_LOCKED:
      ok = set_usb_while_locked (spec, value, site);
      break;
    case CG_GRANT_SPEC_USB_INTERFACES:
    default:
      ok = set_usb_interfaces (spec, value, site);
      break;
  }
  /* A field counts as set once its value reads: a bad one is its own error, and no
   * contradiction is made of it. */
  if (ok) {
    spec->set |= field;
    spec->line[g_bit_nth_lsf (field, -1)] = site->line;
  }
  return ok;
}

void
cg_grant_spec_resolve (const CgGrantSpec *spec, const CgGrant *base, CgGrant *out)
{
  if (spec->set & CG_GRANT_SPEC_PRESET)
    cg_grant_init_preset (out, spec->preset);
  else
    cg_grant_copy (out, base);
  if (spec->set & CG_GRANT_SPEC_PAIRING)
    out->pairing = spec->pairing;
  if (spec->set & CG_GRANT_SPEC_PROFILES) {
    out->profiles = spec->profiles;
    out->all_uuids = spec->all_uuids;
    g_clear_pointer (&out->extra_uuids, g_strfreev);
    if (spec->extra_uuids != NULL && spec->extra_uuids->len > 0) {
      g_autoptr (GStrvBuilder) uuids = g_strv_builder_new ();
      for (guint i = 0; i < spec->extra_uuids->len; i++)
        g_strv_builder_add (uuids, g_ptr_array_index (spec->extra_uuids, i));
      out->extra_uuids = g_strv_builder_end (uuids);
    }
  }
  if (spec->set & CG_GRANT_SPEC_USB_MODE)
    out->usb_mode = spec->usb_mode;
  if (spec->set & CG_GRANT_SPEC_USB_INTERFACES)
    memcpy (out->usb_interfaces, spec->usb_interfaces, sizeof (out->usb_interfaces));
  if (spec->set & CG_GRANT_SPEC_USB_WHILE_LOCKED)
    out->usb_while_locked = spec->usb_while_locked;
}

static guint
field_line (const CgGrantSpec *spec, CgGrantSpecField field)
{
  return spec->line[g_bit_nth_lsf (field, -1)];
}

static void report_contradiction (const CgGrantSpec *spec, CgGrantSpecField field, const char *file,
                                  GPtrArray *diagnostics, const char *fmt, ...)
    G_GNUC_PRINTF (5, 6);

static void
report_contradiction (const CgGrantSpec *spec, CgGrantSpecField field, const char *file,
                      GPtrArray *diagnostics, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_ptr_array_add (diagnostics,
                   cg_diagnostic_new (file, field_line (spec, field), 1, "%s", message));
}

/* A blocked device gets nothing: a key granting it something says the opposite. */
static void
check_block (const CgGrantSpec *spec, const char *file, GPtrArray *diagnostics)
{
  guint preset_line = field_line (spec, CG_GRANT_SPEC_PRESET);

  if ((spec->set & CG_GRANT_SPEC_PAIRING) && spec->pairing != CG_PAIRING_DENY)
    report_contradiction (spec, CG_GRANT_SPEC_PAIRING, file, diagnostics,
                          "Pairing=%s contradicts Preset=block (line %u): a blocked device never "
                          "pairs",
                          cg_pairing_to_string (spec->pairing), preset_line);
  if ((spec->set & CG_GRANT_SPEC_PROFILES)
      && (spec->profiles != 0 || spec->all_uuids
          || (spec->extra_uuids != NULL && spec->extra_uuids->len > 0)))
    report_contradiction (spec, CG_GRANT_SPEC_PROFILES, file, diagnostics,
                          "Profiles= contradicts Preset=block (line %u): a blocked device gets "
                          "no profile",
                          preset_line);
  if ((spec->set & CG_GRANT_SPEC_USB_MODE) && spec->usb_mode != CG_USB_MODE_CHARGE_ONLY)
    report_contradiction (spec, CG_GRANT_SPEC_USB_MODE, file, diagnostics,
                          "USBMode=%s contradicts Preset=block (line %u): a blocked device gets "
                          "no USB data",
                          cg_usb_mode_to_string (spec->usb_mode), preset_line);
}

/* USBInterfaces= narrows what USBMode=data (or an allowed ask) opens; where the section
 * itself says charge-only it has nothing to narrow. */
static void
check_interfaces (const CgGrantSpec *spec, const char *file, GPtrArray *diagnostics)
{
  CgUsbMode mode;
  guint mode_line;

  if (!(spec->set & CG_GRANT_SPEC_USB_INTERFACES))
    return;
  if (spec->set & CG_GRANT_SPEC_USB_MODE) {
    mode = spec->usb_mode;
    mode_line = field_line (spec, CG_GRANT_SPEC_USB_MODE);
  } else if (spec->set & CG_GRANT_SPEC_PRESET) {
    CgGrant preset;
    cg_grant_init_preset (&preset, spec->preset);
    mode = preset.usb_mode;
    mode_line = field_line (spec, CG_GRANT_SPEC_PRESET);
    cg_grant_clear (&preset);
  } else {
    return;
  }
  if (mode == CG_USB_MODE_CHARGE_ONLY)
    report_contradiction (spec, CG_GRANT_SPEC_USB_INTERFACES, file, diagnostics,
                          "USBInterfaces= has no effect: the USB mode here is charge-only "
                          "(line %u); say USBMode=data or ask, or drop USBInterfaces=",
                          mode_line);
}

void
cg_grant_spec_check (const CgGrantSpec *spec, const char *file, GPtrArray *diagnostics)
{
  if ((spec->set & CG_GRANT_SPEC_PRESET) && spec->preset == CG_PRESET_BLOCK)
    check_block (spec, file, diagnostics);
  check_interfaces (spec, file, diagnostics);
}
