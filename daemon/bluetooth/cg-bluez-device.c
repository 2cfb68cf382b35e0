/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-bluez-device.h"
#include "cg-profile.h"
#include "cg-sanitize.h"

/* Bounds on what the car controls beyond its name: BlueZ's own limits are larger. */
#define CG_BT_SHORT_STRING_MAX 64
#define CG_BT_MAX_UUIDS 64

char *
cg_bluez_bound_string (const char *s, gsize max_bytes)
{
  const char *end;

  if (s == NULL)
    return NULL;
  if (strnlen (s, max_bytes + 1) <= max_bytes)
    return g_strdup (s);
  /* Back off to the start of a UTF-8 sequence so a valid name stays valid. */
  end = s + max_bytes;
  while (end > s && ((guchar)*end & 0xc0) == 0x80)
    end--;
  return g_strndup (s, end - s);
}

static char *
lookup_string (GVariantDict *dict, const char *key, gsize max_bytes)
{
  const char *value = NULL;

  if (!g_variant_dict_lookup (dict, key, "&s", &value))
    return NULL;
  return cg_bluez_bound_string (value, max_bytes);
}

static char *
lookup_object_path (GVariantDict *dict, const char *key)
{
  const char *value = NULL;

  if (!g_variant_dict_lookup (dict, key, "&o", &value))
    return NULL;
  return g_strdup (value);
}

static gboolean
lookup_boolean (GVariantDict *dict, const char *key)
{
  gboolean value = FALSE;

  return g_variant_dict_lookup (dict, key, "b", &value) && value;
}

static GStrv
lookup_uuids (GVariantDict *dict)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GVariant) value = g_variant_dict_lookup_value (dict, "UUIDs", G_VARIANT_TYPE ("as"));
  gsize n = value ? g_variant_n_children (value) : 0;

  for (gsize i = 0; i < n && i < CG_BT_MAX_UUIDS; i++) {
    const char *uuid = NULL;
    g_autofree char *normalized = NULL;

    g_variant_get_child (value, i, "&s", &uuid);
    normalized = cg_uuid_normalize (uuid);
    if (normalized != NULL)
      g_strv_builder_add (builder, normalized);
  }
  return g_strv_builder_end (builder);
}

static char *
validated_address (GVariantDict *dict)
{
  g_autofree char *address = lookup_string (dict, "Address", CG_BT_SHORT_STRING_MAX);
  guint8 bytes[6];

  if (address == NULL || !cg_bt_address_parse (address, bytes))
    return NULL;
  return g_ascii_strup (address, -1);
}

/* BlueZ leaves AddressType out for no device it creates; one that is missing is taken
 * as BR/EDR, whose addresses are public. */
static CgBtAddressType
address_kind (const char *address, const char *address_type)
{
  guint8 bytes[6];

  if (address_type == NULL)
    return CG_BT_ADDRESS_PUBLIC;
  if (address == NULL || !cg_bt_address_parse (address, bytes))
    return CG_BT_ADDRESS_NON_RESOLVABLE;
  return cg_bt_address_type_from_bluez (address_type, bytes);
}

CgBluezDevice *
cg_bluez_device_new_from_properties (const char *object_path, GVariant *properties, CgHwdb *hwdb)
{
  g_autoptr (CgBluezDevice) device = g_new0 (CgBluezDevice, 1);
  g_auto (GVariantDict) dict = G_VARIANT_DICT_INIT (properties);
  CgFacts facts;

  device->object_path = g_strdup (object_path);
  device->adapter_path = lookup_object_path (&dict, "Adapter");
  device->address = validated_address (&dict);
  device->address_type = lookup_string (&dict, "AddressType", CG_BT_SHORT_STRING_MAX);
  device->address_kind = address_kind (device->address, device->address_type);
  device->has_class = g_variant_dict_lookup (&dict, "Class", "u", &device->bt_class);
  device->name = lookup_string (&dict, "Name", CG_BT_NAME_MAX);
  device->alias = lookup_string (&dict, "Alias", CG_BT_NAME_MAX);
  device->name_display = cg_sanitize_string (device->name    ? device->name
                                             : device->alias ? device->alias
                                                             : "",
                                             CG_BT_NAME_MAX);
  device->icon = lookup_string (&dict, "Icon", CG_BT_SHORT_STRING_MAX);
  device->modalias = lookup_string (&dict, "Modalias", CG_BT_SHORT_STRING_MAX);
  if (device->modalias == NULL
      || !cg_device_id_parse_modalias (device->modalias, &device->device_id))
    device->device_id = (CgDeviceId){ .source = CG_DEVICE_ID_SOURCE_NONE };
  device->uuids = lookup_uuids (&dict);
  device->paired = lookup_boolean (&dict, "Paired");
  device->bonded = lookup_boolean (&dict, "Bonded");
  device->trusted = lookup_boolean (&dict, "Trusted");
  device->blocked = lookup_boolean (&dict, "Blocked");
  device->connected = lookup_boolean (&dict, "Connected");
  device->services_resolved = lookup_boolean (&dict, "ServicesResolved");

  if (hwdb != NULL) {
    cg_bluez_device_get_facts (device, &facts);
    cg_hwdb_fill_organizations (hwdb, &facts, &device->organizations);
  }
  return g_steal_pointer (&device);
}

CgBluezDevice *
cg_bluez_device_new_from_proxy (GDBusProxy *proxy, CgHwdb *hwdb)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_auto (GStrv) names = g_dbus_proxy_get_cached_property_names (proxy);
  g_autoptr (GVariant) properties = NULL;

  for (gsize i = 0; names != NULL && names[i] != NULL; i++) {
    g_autoptr (GVariant) value = g_dbus_proxy_get_cached_property (proxy, names[i]);
    if (value != NULL)
      g_variant_builder_add (&builder, "{sv}", names[i], value);
  }
  properties = g_variant_ref_sink (g_variant_builder_end (&builder));
  return cg_bluez_device_new_from_properties (g_dbus_proxy_get_object_path (proxy), properties,
                                              hwdb);
}

CgBluezDevice *
cg_bluez_device_copy (const CgBluezDevice *device)
{
  CgBluezDevice *copy = g_new (CgBluezDevice, 1);

  *copy = *device;
  copy->object_path = g_strdup (device->object_path);
  copy->adapter_path = g_strdup (device->adapter_path);
  copy->address = g_strdup (device->address);
  copy->address_type = g_strdup (device->address_type);
  copy->name = g_strdup (device->name);
  copy->alias = g_strdup (device->alias);
  copy->name_display = g_strdup (device->name_display);
  copy->icon = g_strdup (device->icon);
  copy->modalias = g_strdup (device->modalias);
  copy->uuids = g_strdupv (device->uuids);
  copy->organizations.bt_organization = g_strdup (device->organizations.bt_organization);
  copy->organizations.usb_organization = g_strdup (device->organizations.usb_organization);
  return copy;
}

void
cg_bluez_device_free (CgBluezDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->object_path);
  g_free (device->adapter_path);
  g_free (device->address);
  g_free (device->address_type);
  g_free (device->name);
  g_free (device->alias);
  g_free (device->name_display);
  g_free (device->icon);
  g_free (device->modalias);
  g_strfreev (device->uuids);
  cg_organizations_clear (&device->organizations);
  g_free (device);
}

void
cg_bluez_device_get_facts (const CgBluezDevice *device, CgFacts *facts)
{
  *facts = (CgFacts){ 0 };
  facts->bt_address = device->address;
  facts->bt_address_type = device->address_kind;
  facts->has_bt_class = device->has_class;
  facts->bt_class = device->bt_class;
  /* The name the device sent, not the Alias a local user may have set. */
  facts->bt_name = device->name;
  facts->bt_device_id = device->device_id;
  facts->bt_organization = device->organizations.bt_organization;
}

char *
cg_bluez_device_describe (const CgBluezDevice *device)
{
  const char *address = device->address ? device->address : "unknown address";

  if (device->name_display == NULL || device->name_display[0] == '\0')
    return g_strdup (address);
  return g_strdup_printf ("%s (%s)", address, device->name_display);
}

/* Peripheral minor class, bits 6-7 (Assigned Numbers, Baseband 2.8.2.5). */
#define COD_MAJOR(cod) (((cod) >> 8) & 0x1f)
#define COD_PERIPHERAL_KIND(cod) (((cod) >> 6) & 0x3)

const char *
cg_bluez_device_kind (const CgBluezDevice *device)
{
  const char *described;

  if (!device->has_class)
    return NULL;
  if (cg_bt_class_is_car (device->bt_class))
    return "car";
  switch (COD_MAJOR (device->bt_class)) {
    case 1:
      return "computer";
    case 2:
      return "phone";
    case 4:
      described = cg_bt_class_describe (device->bt_class);
      return g_strcmp0 (described, "headset") == 0 ? "headset" : "audio";
    case 5: /* 01 keyboard, 10 pointing device, 11 both, 00 game pads and the like */
      switch (COD_PERIPHERAL_KIND (device->bt_class)) {
        case 2:
          return "mouse";
        case 0:
          return "input";
        default:
          return "keyboard";
      }
    default:
      return NULL;
  }
}

char *
cg_bluez_adapter_address (GDBusObjectManager *objects, const char *adapter_path)
{
  g_autoptr (GDBusInterface) adapter = NULL;
  g_autoptr (GVariant) address = NULL;
  guint8 bytes[6];

  if (adapter_path == NULL)
    return NULL;
  adapter = g_dbus_object_manager_get_interface (objects, adapter_path, CG_BLUEZ_ADAPTER_INTERFACE);
  if (adapter == NULL)
    return NULL;
  address = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (adapter), "Address");
  if (address == NULL || !g_variant_is_of_type (address, G_VARIANT_TYPE_STRING)
      || !cg_bt_address_parse (g_variant_get_string (address, NULL), bytes))
    return NULL;
  return g_ascii_strup (g_variant_get_string (address, NULL), -1);
}
