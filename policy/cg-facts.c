/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-facts.h"

#include <string.h>

#include "cg-schema-private.h"

/* Reads "<tag>XXXX" at s; the hex must be exactly four digits. */
static gboolean
read_tagged_hex16 (const char *s, char tag, guint16 *out)
{
  guint32 value;

  if (s[0] != tag || strnlen (s + 1, 4) < 4 || !cg_parse_hex_exact (s + 1, 4, &value))
    return FALSE;
  *out = (guint16)value;
  return TRUE;
}

gboolean
cg_device_id_parse_modalias (const char *modalias, CgDeviceId *out)
{
  CgDeviceId id = { 0 };
  const char *p;

  if (modalias == NULL)
    return FALSE;
  if (g_str_has_prefix (modalias, "bluetooth:")) {
    id.source = CG_DEVICE_ID_SOURCE_BLUETOOTH;
    p = modalias + strlen ("bluetooth:");
  } else if (g_str_has_prefix (modalias, "usb:")) {
    id.source = CG_DEVICE_ID_SOURCE_USB;
    p = modalias + strlen ("usb:");
  } else {
    return FALSE;
  }
  if (!read_tagged_hex16 (p, 'v', &id.vendor) || !read_tagged_hex16 (p + 5, 'p', &id.product))
    return FALSE;
  p += 10;
  if (*p != '\0') {
    if (!read_tagged_hex16 (p, 'd', &id.version) || p[5] != '\0')
      return FALSE;
  }
  if (out != NULL)
    *out = id;
  return TRUE;
}

gboolean
cg_facts_has_bluetooth (const CgFacts *facts)
{
  return facts->bt_address != NULL || facts->has_bt_class || facts->bt_name != NULL
         || facts->bt_device_id.source != CG_DEVICE_ID_SOURCE_NONE
         || facts->bt_organization != NULL;
}

gboolean
cg_facts_has_usb (const CgFacts *facts)
{
  return facts->has_usb_id || facts->usb_manufacturer != NULL || facts->usb_product != NULL
         || facts->usb_serial != NULL || facts->n_usb_interface_classes > 0
         || facts->has_typec_partner_vid || facts->usb_organization != NULL;
}

/* Major device class 4 (audio/video) and its minor class, as bits 2..12 of the CoD. */
#define COD_MAJOR_MINOR(cod) ((cod)&0x1ffc)
#define COD_CAR_AUDIO 0x0420
#define COD_HANDS_FREE 0x0408
#define COD_HEADSET 0x0404

gboolean
cg_bt_class_is_car (guint32 cod)
{
  return COD_MAJOR_MINOR (cod) == COD_CAR_AUDIO || COD_MAJOR_MINOR (cod) == COD_HANDS_FREE;
}

const char *
cg_bt_class_describe (guint32 cod)
{
  static const char *const major_names[] = {
    "miscellaneous", "computer", "phone",    "network", "audio-video",
    "peripheral",    "imaging",  "wearable", "toy",     "health",
  };
  guint major = (cod >> 8) & 0x1f;

  switch (COD_MAJOR_MINOR (cod)) {
    case COD_CAR_AUDIO:
      return "car-audio";
    case COD_HANDS_FREE:
      return "hands-free";
    case COD_HEADSET:
      return "headset";
    default:
      break;
  }
  if (major < G_N_ELEMENTS (major_names))
    return major_names[major];
  return major == 0x1f ? "uncategorized" : NULL;
}

gboolean
cg_bt_address_parse (const char *s, guint8 out[6])
{
  guint32 byte;

  if (s == NULL || strnlen (s, 18) != 17)
    return FALSE;
  for (int i = 0; i < 6; i++) {
    if (!cg_parse_hex_exact (s + 3 * i, 2, &byte))
      return FALSE;
    if (i < 5 && s[3 * i + 2] != ':')
      return FALSE;
    out[i] = (guint8)byte;
  }
  return TRUE;
}

static const char *const address_type_names[] = {
  [CG_BT_ADDRESS_PUBLIC] = "public",
  [CG_BT_ADDRESS_STATIC] = "static",
  [CG_BT_ADDRESS_RESOLVABLE] = "resolvable",
  [CG_BT_ADDRESS_NON_RESOLVABLE] = "non-resolvable",
};

CgBtAddressType
cg_bt_address_type_from_bluez (const char *bluez_type, const guint8 address[6])
{
  if (g_strcmp0 (bluez_type, "public") == 0)
    return CG_BT_ADDRESS_PUBLIC;
  if (g_strcmp0 (bluez_type, "random") != 0 || address == NULL)
    return CG_BT_ADDRESS_NON_RESOLVABLE;
  switch (address[0] >> 6) {
    case 3:
      return CG_BT_ADDRESS_STATIC;
    case 1:
      return CG_BT_ADDRESS_RESOLVABLE;
    default: /* 0: non-resolvable; 2: reserved */
      return CG_BT_ADDRESS_NON_RESOLVABLE;
  }
}

const char *
cg_bt_address_type_to_string (CgBtAddressType type)
{
  if ((guint)type >= G_N_ELEMENTS (address_type_names))
    return "non-resolvable";
  return address_type_names[type];
}

gboolean
cg_bt_address_type_from_string (const char *s, CgBtAddressType *out)
{
  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (address_type_names); i++)
    if (g_str_equal (s, address_type_names[i])) {
      *out = (CgBtAddressType)i;
      return TRUE;
    }
  return FALSE;
}

gboolean
cg_bt_address_type_is_identity (CgBtAddressType type)
{
  return type == CG_BT_ADDRESS_PUBLIC || type == CG_BT_ADDRESS_STATIC;
}
