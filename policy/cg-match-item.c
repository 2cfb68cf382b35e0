/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-schema-private.h"

#include <string.h>

static const struct {
  const char *name;
  guint8 usb_class;
} usb_class_names[] = {
  { "audio", 0x01 },        { "cdc", 0x02 },         { "hid", 0x03 },
  { "physical", 0x05 },     { "image", 0x06 },       { "printer", 0x07 },
  { "mass-storage", 0x08 }, { "hub", 0x09 },         { "cdc-data", 0x0a },
  { "smart-card", 0x0b },   { "video", 0x0e },       { "audio-video", 0x10 },
  { "billboard", 0x11 },    { "diagnostic", 0xdc },  { "wireless", 0xe0 },
  { "misc", 0xef },         { "application", 0xfe }, { "vendor", 0xff },
};

gboolean
cg_usb_class_from_name (const char *name, guint8 *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (usb_class_names); i++) {
    if (g_ascii_strcasecmp (usb_class_names[i].name, name) == 0) {
      *out = usb_class_names[i].usb_class;
      return TRUE;
    }
  }
  return FALSE;
}

const char *
cg_usb_class_to_name (guint8 usb_class)
{
  for (gsize i = 0; i < G_N_ELEMENTS (usb_class_names); i++)
    if (usb_class_names[i].usb_class == usb_class)
      return usb_class_names[i].name;
  return NULL;
}

gboolean
cg_parse_hex_exact (const char *s, gsize n, guint32 *out)
{
  guint32 value = 0;

  for (gsize i = 0; i < n; i++) {
    int digit = g_ascii_xdigit_value (s[i]);
    if (digit < 0)
      return FALSE;
    value = (value << 4) | (guint32)digit;
  }
  *out = value;
  return TRUE;
}

static guint64
pack (CgMatchKind kind, guint64 value)
{
  return ((guint64)kind << 56) | value;
}

CgLevel
cg_match_kind_level (CgMatchKind kind)
{
  switch (kind) {
    case CG_MATCH_BT_ADDRESS:
    case CG_MATCH_USB_SERIAL:
      return CG_LEVEL_DEVICE;
    case CG_MATCH_DEVICE_ID_PRODUCT:
    case CG_MATCH_USB_PRODUCT:
      return CG_LEVEL_PRODUCT;
    case CG_MATCH_BT_CLASS:
    case CG_MATCH_USB_INTERFACE:
      return CG_LEVEL_CLASS;
    case CG_MATCH_BT_OUI:
    case CG_MATCH_DEVICE_ID_VENDOR:
    case CG_MATCH_USB_VENDOR:
    case CG_MATCH_TYPEC_VENDOR:
    case CG_MATCH_BT_NAME:
    case CG_MATCH_USB_MANUFACTURER:
    case CG_MATCH_USB_PRODUCT_NAME:
    case CG_MATCH_ORGANIZATION:
    case CG_MATCH_DEVICE_ID:
    case CG_MATCH_USB_ID:
    default:
      return CG_LEVEL_VENDOR;
  }
}

gboolean
cg_match_kind_is_bluetooth (CgMatchKind kind)
{
  return kind == CG_MATCH_BT_ADDRESS || kind == CG_MATCH_BT_OUI || kind == CG_MATCH_BT_NAME
         || kind == CG_MATCH_BT_CLASS || kind == CG_MATCH_DEVICE_ID
         || kind == CG_MATCH_DEVICE_ID_PRODUCT || kind == CG_MATCH_DEVICE_ID_VENDOR;
}

void
cg_match_item_clear (CgMatchItem *item)
{
  g_clear_pointer (&item->text, g_free);
}

/* The IEEE's block sizes: MA-L (24 bits, "78:D4:F1"), MA-M (28 bits, "78:D4:F1:4") and
 * MA-S (36 bits, "70:B3:D5:12:3"), written as the hwdb and the registry print them, in
 * octets with a last half octet for MA-M and MA-S. */
static const struct {
  const char *shape; /* 'x' a hex digit */
  guint bits;
} oui_shapes[] = {
  { "xx:xx:xx", 24 },
  { "xx:xx:xx:x", 28 },
  { "xx:xx:xx:xx:x", 36 },
};

static gboolean
oui_fits_shape (const char *s, const char *shape, guint64 *prefix)
{
  guint64 value = 0;

  if (strlen (s) != strlen (shape))
    return FALSE;
  for (gsize i = 0; shape[i] != '\0'; i++) {
    if (shape[i] == ':') {
      if (s[i] != ':')
        return FALSE;
      continue;
    }
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
    value = (value << 4) | (guint64)g_ascii_xdigit_value (s[i]);
  }
  *prefix = value;
  return TRUE;
}

guint64
cg_oui_pack (guint bits, guint64 prefix)
{
  return ((guint64)bits << 40) | prefix;
}

static char *
parse_oui (const char *s, CgMatchItem *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (oui_shapes); i++) {
    guint64 prefix;

    if (oui_fits_shape (s, oui_shapes[i].shape, &prefix)) {
      out->id = pack (CG_MATCH_BT_OUI, cg_oui_pack (oui_shapes[i].bits, prefix));
      return NULL;
    }
  }
  return g_strdup_printf ("invalid Bluetooth OUI '%s' (expected an IEEE block: XX:XX:XX, "
                          "XX:XX:XX:X or XX:XX:XX:XX:X)",
                          s);
}

static char *
parse_device_id (const char *s, CgMatchItem *out)
{
  CgDeviceId id = { 0 };
  const char *rest = strchr (s, ':');
  gboolean has_product = rest != NULL && strchr (rest, 'p') != NULL;

  /* The vendor-only form is a Modalias cut after the vendor; complete it so the one
   * Modalias parser decides what is valid. */
  g_autofree char *modalias = has_product ? g_strdup (s) : g_strconcat (s, "p0000", NULL);

  if (!cg_device_id_parse_modalias (modalias, &id))
    return g_strdup_printf (
        "invalid DeviceID '%s' (expected bluetooth:vXXXX[pXXXX] or usb:vXXXX[pXXXX])", s);
  if (has_product) {
    out->kind = CG_MATCH_DEVICE_ID_PRODUCT;
    out->id
        = pack (out->kind, ((guint64)id.source << 32) | ((guint64)id.vendor << 16) | id.product);
  } else {
    out->kind = CG_MATCH_DEVICE_ID_VENDOR;
    out->id = pack (out->kind, ((guint64)id.source << 16) | id.vendor);
  }
  return NULL;
}

static char *
parse_class (const char *s, CgMatchItem *out)
{
  static const struct {
    const char *name;
    guint32 cod;
  } names[] = {
    { "car-audio", 0x0420 },
    { "hands-free", 0x0408 },
    { "headset", 0x0404 },
  };
  guint64 number = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    if (strcmp (s, names[i].name) == 0) {
      out->bt_class = names[i].cod;
      out->id = pack (CG_MATCH_BT_CLASS, out->bt_class);
      return NULL;
    }
  }
  if (g_str_has_prefix (s, "0x") && s[2] != '\0'
      && g_ascii_string_to_unsigned (s + 2, 16, 0, 0xffffff, &number, NULL)
      && (number & 0x1ffc) != 0) {
    out->bt_class = (guint32)number & 0x1ffc;
    out->id = pack (CG_MATCH_BT_CLASS, out->bt_class);
    return NULL;
  }
  return g_strdup_printf (
      "invalid class '%s' (car-audio, hands-free, headset or a class of device like 0x200420)", s);
}

static char *
parse_usb_id (const char *s, CgMatchItem *out)
{
  guint32 vid, pid;
  gsize len = strlen (s);

  if (len == 4 && cg_parse_hex_exact (s, 4, &vid)) {
    out->kind = CG_MATCH_USB_VENDOR;
    out->id = pack (out->kind, vid);
    return NULL;
  }
  if (len == 9 && s[4] == ':' && cg_parse_hex_exact (s, 4, &vid)
      && cg_parse_hex_exact (s + 5, 4, &pid)) {
    out->kind = CG_MATCH_USB_PRODUCT;
    out->id = pack (out->kind, (vid << 16) | pid);
    return NULL;
  }
  return g_strdup_printf ("invalid USB id '%s' (expected VID or VID:PID, 4 hex digits each)", s);
}

static char *
parse_vid (const char *s, CgMatchItem *out)
{
  guint32 vid;

  if (strlen (s) != 4 || !cg_parse_hex_exact (s, 4, &vid))
    return g_strdup_printf ("invalid USB vendor id '%s' (expected 4 hex digits)", s);
  out->id = pack (out->kind, vid);
  return NULL;
}

static char *
parse_interface (const char *s, CgMatchItem *out)
{
  g_auto (GStrv) parts = g_strsplit (s, ":", 0);
  guint n = g_strv_length (parts);
  guint32 byte;

  if (n == 1 && cg_usb_class_from_name (s, &out->iface[0])) {
    out->n_iface_parts = 1;
  } else {
    if (n < 1 || n > 3)
      goto invalid;
    /* The guards report interface classes only; a rule naming a subclass could never
     * match, and an admin must learn that from `policy check`, not from a car. */
    if (n > 1)
      return g_strdup_printf ("interface subclass and protocol are not matched: write the "
                              "class alone ('%s')",
                              parts[0]);
    for (guint i = 0; i < n; i++) {
      if (strlen (parts[i]) != 2 || !cg_parse_hex_exact (parts[i], 2, &byte))
        goto invalid;
      out->iface[i] = (guint8)byte;
    }
    out->n_iface_parts = (guint8)n;
  }
  out->id = pack (CG_MATCH_USB_INTERFACE, ((guint64)out->n_iface_parts << 24)
                                              | ((guint64)out->iface[0] << 16)
                                              | ((guint64)out->iface[1] << 8) | out->iface[2]);
  return NULL;

invalid:
  return g_strdup_printf ("invalid interface class '%s' (a name, or a class in hex)", s);
}

static char *
parse_address (const char *s, CgMatchItem *out)
{
  guint8 bytes[6];
  guint64 value = 0;

  if (!cg_bt_address_parse (s, bytes))
    return g_strdup_printf ("invalid Bluetooth address '%s' (expected XX:XX:XX:XX:XX:XX)", s);
  for (int i = 0; i < 6; i++)
    value = (value << 8) | bytes[i];
  out->id = pack (CG_MATCH_BT_ADDRESS, value);
  return NULL;
}

static char *
parse_text (const char *s, CgMatchItem *out)
{
  if (*s == '\0')
    return g_strdup ("empty text");
  if (strlen (s) > CG_MATCH_TEXT_MAX)
    return g_strdup_printf ("text longer than %d bytes", CG_MATCH_TEXT_MAX);
  out->text = g_strdup (s);
  return NULL;
}

char *
cg_match_item_parse (CgMatchKind kind, const char *item, CgMatchItem *out)
{
  memset (out, 0, sizeof (*out));
  out->kind = kind;
  switch (kind) {
    case CG_MATCH_BT_OUI:
      return parse_oui (item, out);
    case CG_MATCH_DEVICE_ID:
    case CG_MATCH_DEVICE_ID_PRODUCT:
    case CG_MATCH_DEVICE_ID_VENDOR:
      return parse_device_id (item, out);
    case CG_MATCH_BT_CLASS:
      return parse_class (item, out);
    case CG_MATCH_USB_ID:
    case CG_MATCH_USB_VENDOR:
    case CG_MATCH_USB_PRODUCT:
      return parse_usb_id (item, out);
    case CG_MATCH_TYPEC_VENDOR:
      return parse_vid (item, out);
    case CG_MATCH_USB_INTERFACE:
      return parse_interface (item, out);
    case CG_MATCH_BT_ADDRESS:
      return parse_address (item, out);
    case CG_MATCH_USB_SERIAL:
    case CG_MATCH_BT_NAME:
    case CG_MATCH_USB_MANUFACTURER:
    case CG_MATCH_USB_PRODUCT_NAME:
    case CG_MATCH_ORGANIZATION:
    default:
      return parse_text (item, out);
  }
}
