/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-schema-private.h"

#include <string.h>

/* clang-format off */
#define GRANT_KEYS(section)                                  \
  { section, "Preset", CG_VALUE_PRESET, 0 },                 \
  { section, "Pairing", CG_VALUE_PAIRING, 0 },               \
  { section, "Profiles", CG_VALUE_PROFILES, 0 },             \
  { section, "USBMode", CG_VALUE_USB_MODE, 0 },              \
  { section, "USBInterfaces", CG_VALUE_USB_INTERFACES, 0 },  \
  { section, "USBWhileLocked", CG_VALUE_USB_WHILE_LOCKED, 0 }
/* clang-format on */

static const CgSchemaKey main_keys[] = {
  GRANT_KEYS ("Default"),
  GRANT_KEYS ("CarDefault"),
  GRANT_KEYS ("VendorDefault"),
  /* The daemon's settings, read by carguardd's USB guards (daemon/usb/cg-usb-config.c).
   * A value a key does not take fails the load like any other error: the daemon keeps
   * the last good policy rather than guess. */
  { "USBGadget", "Gadget", CG_VALUE_ENTRY_NAME, 0, NULL },
  { "USBGadget", "UDC", CG_VALUE_ENTRY_NAME, 0, NULL },
  { "USBGadget", "Cable", CG_VALUE_CHOICE, 0, "auto udc" },
  { "USBGadget", "Guard", CG_VALUE_CHOICE, 0, "yes no" },
  { "USBHost", "PresentDevices", CG_VALUE_CHOICE, 0, "authorize judge authorize-all" },
  { "USBHost", "Guard", CG_VALUE_CHOICE, 0, "yes no" },
};

/* Order matters for cg_schema_section_for_key: the first section holding a key wins,
 * so a bare Name= is the vendor's display name, not the [Match] glob. */
static const CgSchemaKey vendor_keys[] = {
  { "Vendor", "Name", CG_VALUE_TEXT, 0 },
  { "Vendor", "Comment", CG_VALUE_TEXT, 0 },
  { "Match", "BluetoothOUI", CG_VALUE_MATCH_LIST, CG_MATCH_BT_OUI },
  { "Match", "DeviceID", CG_VALUE_MATCH_LIST, CG_MATCH_DEVICE_ID },
  { "Match", "Class", CG_VALUE_MATCH_LIST, CG_MATCH_BT_CLASS },
  { "Match", "Name", CG_VALUE_MATCH_LIST, CG_MATCH_BT_NAME },
  { "Match", "USB", CG_VALUE_MATCH_LIST, CG_MATCH_USB_ID },
  { "Match", "USBManufacturer", CG_VALUE_MATCH_LIST, CG_MATCH_USB_MANUFACTURER },
  { "Match", "USBProduct", CG_VALUE_MATCH_LIST, CG_MATCH_USB_PRODUCT_NAME },
  { "Match", "USBInterfaceClass", CG_VALUE_MATCH_LIST, CG_MATCH_USB_INTERFACE },
  { "Match", "TypeCPartnerVID", CG_VALUE_MATCH_LIST, CG_MATCH_TYPEC_VENDOR },
  { "Match", "Organization", CG_VALUE_MATCH_LIST, CG_MATCH_ORGANIZATION },
  GRANT_KEYS ("Policy"),
  { "Device", "BluetoothAddress", CG_VALUE_MATCH_ONE, CG_MATCH_BT_ADDRESS },
  { "Device", "USBSerial", CG_VALUE_MATCH_ONE, CG_MATCH_USB_SERIAL },
  GRANT_KEYS ("Device"),
};

const char *
cg_match_kind_key (CgMatchKind kind)
{
  /* One key writes a Device ID or a USB id, whether the value names a vendor or a product. */
  if (kind == CG_MATCH_DEVICE_ID_PRODUCT || kind == CG_MATCH_DEVICE_ID_VENDOR)
    kind = CG_MATCH_DEVICE_ID;
  else if (kind == CG_MATCH_USB_PRODUCT || kind == CG_MATCH_USB_VENDOR)
    kind = CG_MATCH_USB_ID;
  for (gsize i = 0; i < G_N_ELEMENTS (vendor_keys); i++)
    if ((vendor_keys[i].type == CG_VALUE_MATCH_LIST || vendor_keys[i].type == CG_VALUE_MATCH_ONE)
        && vendor_keys[i].match == kind)
      return vendor_keys[i].key;
  g_return_val_if_reached (NULL);
}

static const CgSchemaKey *
schema_keys (gboolean main_file, gsize *n)
{
  *n = main_file ? G_N_ELEMENTS (main_keys) : G_N_ELEMENTS (vendor_keys);
  return main_file ? main_keys : vendor_keys;
}

gboolean
cg_schema_section_known (gboolean main_file, const char *section)
{
  gsize n;
  const CgSchemaKey *keys = schema_keys (main_file, &n);

  if (!main_file && g_strcmp0 (section, "Vendor") == 0)
    return TRUE;
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (keys[i].section, section) == 0)
      return TRUE;
  return FALSE;
}

const CgSchemaKey *
cg_schema_lookup (gboolean main_file, const char *section, const char *key)
{
  gsize n;
  const CgSchemaKey *keys = schema_keys (main_file, &n);

  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (keys[i].section, section) == 0 && g_strcmp0 (keys[i].key, key) == 0)
      return &keys[i];
  return NULL;
}

const char *
cg_schema_section_for_key (gboolean main_file, const char *key)
{
  gsize n;
  const CgSchemaKey *keys = schema_keys (main_file, &n);

  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (keys[i].key, key) == 0)
      return keys[i].section;
  return NULL;
}

void
cg_value_site_report (const CgValueSite *site, gsize offset, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (site->diagnostics == NULL)
    return;
  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_ptr_array_add (site->diagnostics, cg_diagnostic_new (site->file, site->line,
                                                         site->col + (guint)offset, "%s", message));
}

static void
list_item_clear (CgListItem *item)
{
  g_clear_pointer (&item->text, g_free);
}

/* Reads one double-quoted item starting at value[*pos] == '"'; advances *pos past it. */
static char *
read_quoted (const char *value, gsize *pos, const CgValueSite *site)
{
  g_autoptr (GString) text = g_string_new (NULL);
  gsize start = *pos;
  gsize i = start + 1;

  for (; value[i] != '\0' && value[i] != '"'; i++) {
    if (value[i] == '\\' && value[i + 1] == 'x') {
      guint32 byte = 0;

      /* A device's serial may hold any byte; the file stays one line of UTF-8. */
      if (!cg_parse_hex_exact (value + i + 2, 2, &byte) || byte == 0) {
        cg_value_site_report (site, i, "invalid \\x escape (two hex digits, not 00)");
        return NULL;
      }
      g_string_append_c (text, (char)byte);
      i += 3;
      continue;
    }
    if (value[i] == '\\') {
      if (value[i + 1] != '"' && value[i + 1] != '\\') {
        cg_value_site_report (site, i, "invalid escape in quoted text (only \\\", \\\\ and \\xHH)");
        return NULL;
      }
      i++;
    }
    g_string_append_c (text, value[i]);
  }
  if (value[i] != '"') {
    cg_value_site_report (site, start, "unterminated quoted text");
    return NULL;
  }
  i++;
  if (value[i] != '\0' && value[i] != ' ' && value[i] != '\t') {
    cg_value_site_report (site, i, "expected whitespace after quoted text");
    return NULL;
  }
  *pos = i;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

GArray *
cg_schema_split_list (const char *value, const CgValueSite *site)
{
  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (CgListItem));
  gsize pos = 0;

  g_array_set_clear_func (items, (GDestroyNotify)list_item_clear);
  while (value[pos] != '\0') {
    CgListItem item = { NULL, 0 };

    if (value[pos] == ' ' || value[pos] == '\t') {
      pos++;
      continue;
    }
    item.offset = pos;
    if (value[pos] == '"') {
      item.text = read_quoted (value, &pos, site);
      if (item.text == NULL)
        return NULL;
    } else {
      gsize len = strcspn (value + pos, " \t");
      item.text = g_strndup (value + pos, len);
      pos += len;
    }
    g_array_append_val (items, item);
  }
  return g_steal_pointer (&items);
}

/* The length of the valid UTF-8 character at c that is fine to write as it is (no
 * control character), or 0 when the byte at c must be written as \xHH. */
static gsize
quote_plain_length (const char *c)
{
  gunichar ch = g_utf8_get_char_validated (c, -1);

  if (ch == (gunichar)-1 || ch == (gunichar)-2 || g_unichar_iscntrl (ch))
    return 0;
  return (gsize)(g_utf8_next_char (c) - c);
}

char *
cg_schema_quote_item (const char *text)
{
  GString *quoted = g_string_new ("\"");

  for (const char *c = text; *c != '\0';) {
    gsize plain = quote_plain_length (c);

    if (plain == 0) {
      g_string_append_printf (quoted, "\\x%02x", (guint)(guchar)*c++);
      continue;
    }
    if (*c == '"' || *c == '\\')
      g_string_append_c (quoted, '\\');
    g_string_append_len (quoted, c, (gssize)plain);
    c += plain;
  }
  g_string_append_c (quoted, '"');
  return g_string_free (quoted, FALSE);
}

gboolean
cg_schema_item_needs_escape (const char *text)
{
  for (const char *c = text; *c != '\0'; c += quote_plain_length (c))
    if (quote_plain_length (c) == 0)
      return TRUE;
  return FALSE;
}

static void
parsed_match_clear (CgParsedMatch *parsed)
{
  list_item_clear (&parsed->list);
  cg_match_item_clear (&parsed->item);
}

GArray *
cg_schema_parse_matches (const CgSchemaKey *key, const char *value, const CgValueSite *site)
{
  g_autoptr (GArray) items = cg_schema_split_list (value, site);
  g_autoptr (GArray) parsed = NULL;
  gboolean ok = TRUE;

  if (items == NULL)
    return NULL;
  /* An empty list key empties the list (cg-policy-file.c); a [Device] key names one. */
  if (key->type == CG_VALUE_MATCH_ONE && items->len != 1) {
    cg_value_site_report (site, 0, "%s= takes exactly one value", key->key);
    return NULL;
  }
  parsed = g_array_sized_new (FALSE, TRUE, sizeof (CgParsedMatch), items->len);
  g_array_set_clear_func (parsed, (GDestroyNotify)parsed_match_clear);
  for (guint i = 0; i < items->len; i++) {
    CgParsedMatch match = { g_array_index (items, CgListItem, i), { 0 } };
    g_autofree char *message = cg_match_item_parse (key->match, match.list.text, &match.item);

    /* The text moves to parsed, which clears it from now on. */
    g_array_index (items, CgListItem, i).text = NULL;
    g_array_append_val (parsed, match);
    if (message != NULL) {
      cg_value_site_report (site, match.list.offset, "%s", message);
      ok = FALSE;
    }
  }
  return ok ? g_steal_pointer (&parsed) : NULL;
}

static gboolean
validate_match (const CgSchemaKey *key, const char *value, const CgValueSite *site)
{
  g_autoptr (GArray) parsed = cg_schema_parse_matches (key, value, site);

  return parsed != NULL;
}

gboolean
cg_entry_name_is_safe (const char *name)
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

static gboolean
validate_choice (const CgSchemaKey *key, const char *value, const CgValueSite *site)
{
  g_auto (GStrv) choices = g_strsplit (key->choices, " ", -1);
  guint n = g_strv_length (choices);
  g_autofree char *last = NULL;
  g_autofree char *listed = NULL;

  if (g_strv_contains ((const char *const *)choices, value))
    return TRUE;
  /* "yes or no", "authorize, judge or authorize-all" */
  last = choices[n - 1];
  choices[n - 1] = NULL;
  listed = n > 1 ? g_strjoinv (", ", choices) : g_strdup ("");
  cg_value_site_report (site, 0, "invalid %s '%s' (%s%s%s)", key->key, value, listed,
                        n > 1 ? " or " : "", last);
  return FALSE;
}

static gboolean
validate_entry_name (const CgSchemaKey *key, const char *value, const CgValueSite *site)
{
  if (cg_entry_name_is_safe (value))
    return TRUE;
  cg_value_site_report (site, 0,
                        "invalid %s '%s' (a name in its directory: no '/', whitespace or control "
                        "characters, not '.' or '..')",
                        key->key, value);
  return FALSE;
}

gboolean
cg_schema_validate (const CgSchemaKey *key, const char *value, const CgValueSite *site)
{
  CgGrantSpec spec;
  gboolean ok;

  switch (key->type) {
    case CG_VALUE_TEXT:
      return TRUE;
    case CG_VALUE_CHOICE:
      return validate_choice (key, value, site);
    case CG_VALUE_ENTRY_NAME:
      return validate_entry_name (key, value, site);
    case CG_VALUE_MATCH_LIST:
    case CG_VALUE_MATCH_ONE:
      return validate_match (key, value, site);
    case CG_VALUE_PRESET:
    case CG_VALUE_PAIRING:
    case CG_VALUE_PROFILES:
    case CG_VALUE_USB_MODE:
    case CG_VALUE_USB_INTERFACES:
    case CG_VALUE_USB_WHILE_LOCKED:
    default:
      cg_grant_spec_init (&spec);
      ok = cg_grant_spec_set (&spec, key, value, site);
      cg_grant_spec_clear (&spec);
      return ok;
  }
}

gboolean
cg_schema_check_value (gboolean main_file, const char *section, const char *key, const char *value,
                       GPtrArray *diagnostics)
{
  const CgValueSite site = { "<command line>", 1, 1, diagnostics };
  const CgSchemaKey *entry = cg_schema_lookup (main_file, section, key);

  if (entry == NULL) {
    if (diagnostics != NULL)
      g_ptr_array_add (diagnostics,
                       cg_diagnostic_new (site.file, 1, 1, "unknown key '%s' in [%s]",
                                          key != NULL ? key : "", section != NULL ? section : ""));
    return FALSE;
  }
  if (value == NULL || !g_utf8_validate (value, -1, NULL) || strpbrk (value, "\n\r") != NULL) {
    if (diagnostics != NULL)
      g_ptr_array_add (diagnostics,
                       cg_diagnostic_new (site.file, 1, 1, "the value must be one line of UTF-8"));
    return FALSE;
  }
  return cg_schema_validate (entry, value, &site);
}
