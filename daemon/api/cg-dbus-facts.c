/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cg-dbus-facts.h"
#include "cg-dbus-names.h"

void
cg_dbus_facts_clear (CgDbusFacts *facts)
{
  g_clear_pointer (&facts->source, g_variant_unref);
  g_clear_pointer (&facts->interface_classes, g_bytes_unref);
  memset (&facts->facts, 0, sizeof facts->facts);
}

static gboolean
check_type (const char *key, GVariant *value, const GVariantType *type, GError **error)
{
  if (g_variant_is_of_type (value, type))
    return TRUE;
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "fact %s must be of type %.*s", key,
               (int)g_variant_type_get_string_length (type), g_variant_type_peek_string (type));
  return FALSE;
}

static const char **
string_field (CgFacts *facts, const char *key)
{
  if (g_str_equal (key, CG_DBUS_FACT_BLUETOOTH_ADDRESS))
    return &facts->bt_address;
  if (g_str_equal (key, CG_DBUS_FACT_BLUETOOTH_NAME))
    return &facts->bt_name;
  if (g_str_equal (key, CG_DBUS_FACT_USB_MANUFACTURER))
    return &facts->usb_manufacturer;
  if (g_str_equal (key, CG_DBUS_FACT_USB_PRODUCT_NAME))
    return &facts->usb_product;
  if (g_str_equal (key, CG_DBUS_FACT_USB_SERIAL))
    return &facts->usb_serial;
  return NULL;
}

static gboolean
parse_modalias (CgFacts *facts, const char *modalias, GError **error)
{
  if (cg_device_id_parse_modalias (modalias, &facts->bt_device_id))
    return TRUE;
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Modalias is not a Device ID");
  return FALSE;
}

static gboolean
parse_one (CgDbusFacts *out, const char *key, GVariant *value, GError **error)
{
  CgFacts *facts = &out->facts;
  const char **string = string_field (facts, key);

  if (string != NULL) {
    if (!check_type (key, value, G_VARIANT_TYPE_STRING, error))
      return FALSE;
    *string = g_variant_get_string (value, NULL);
    return TRUE;
  }
  if (g_str_equal (key, CG_DBUS_FACT_MODALIAS))
    return check_type (key, value, G_VARIANT_TYPE_STRING, error)
           && parse_modalias (facts, g_variant_get_string (value, NULL), error);
  if (g_str_equal (key, CG_DBUS_FACT_BLUETOOTH_ADDRESS_TYPE)) {
    if (!check_type (key, value, G_VARIANT_TYPE_STRING, error))
      return FALSE;
    if (cg_bt_address_type_from_string (g_variant_get_string (value, NULL),
                                        &facts->bt_address_type))
      return TRUE;
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                 "BluetoothAddressType is not public, static, resolvable or non-resolvable");
    return FALSE;
  }
  if (g_str_equal (key, CG_DBUS_FACT_BLUETOOTH_CLASS)) {
    if (!check_type (key, value, G_VARIANT_TYPE_UINT32, error))
      return FALSE;
    facts->has_bt_class = TRUE;
    facts->bt_class = g_variant_get_uint32 (value);
    return TRUE;
  }
  if (g_str_equal (key, CG_DBUS_FACT_USB_VENDOR) || g_str_equal (key, CG_DBUS_FACT_USB_PRODUCT)) {
    if (!check_type (key, value, G_VARIANT_TYPE_UINT16, error))
      return FALSE;
    facts->has_usb_id = TRUE;
    *(g_str_equal (key, CG_DBUS_FACT_USB_VENDOR) ? &facts->usb_vid : &facts->usb_pid)
        = g_variant_get_uint16 (value);
    return TRUE;
  }
  if (g_str_equal (key, CG_DBUS_FACT_TYPEC_PARTNER_VID)) {
    if (!check_type (key, value, G_VARIANT_TYPE_UINT16, error))
      return FALSE;
    facts->has_typec_partner_vid = TRUE;
    facts->typec_partner_vid = g_variant_get_uint16 (value);
    return TRUE;
  }
  if (g_str_equal (key, CG_DBUS_FACT_USB_INTERFACE_CLASSES)) {
    if (!check_type (key, value, G_VARIANT_TYPE_BYTESTRING, error))
      return FALSE;
    g_clear_pointer (&out->interface_classes, g_bytes_unref);
    out->interface_classes = g_variant_get_data_as_bytes (value);
    facts->usb_interface_classes
        = g_bytes_get_data (out->interface_classes, &facts->n_usb_interface_classes);
    return TRUE;
  }
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "unknown fact %s", key);
  return FALSE;
}

gboolean
cg_dbus_facts_parse (GVariant *vardict, CgDbusFacts *out, GError **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  memset (out, 0, sizeof *out);
  out->source = g_variant_ref_sink (vardict);
  g_variant_iter_init (&iter, vardict);
  /* Borrowed values: vardict (kept in out->source) owns them. */
  while (g_variant_iter_next (&iter, "{&s@v}", &key, &value)) {
    g_autoptr (GVariant) boxed = value;
    g_autoptr (GVariant) inner = g_variant_get_variant (boxed);

    if (!parse_one (out, key, inner, error)) {
      cg_dbus_facts_clear (out);
      return FALSE;
    }
  }
  return TRUE;
}
