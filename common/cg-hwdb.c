/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-hwdb.h"

#include <systemd/sd-hwdb.h>

struct _CgHwdb {
  sd_hwdb *hwdb; /* NULL when there is no readable database */
};

CgHwdb *
cg_hwdb_new (const char *path)
{
  CgHwdb *hwdb = g_new0 (CgHwdb, 1);
  int r = path != NULL ? sd_hwdb_new_from_path (path, &hwdb->hwdb) : sd_hwdb_new (&hwdb->hwdb);

  if (r < 0) {
    g_debug ("no hwdb (%s): organisation names unknown", g_strerror (-r));
    hwdb->hwdb = NULL;
  }
  return hwdb;
}

void
cg_hwdb_free (CgHwdb *hwdb)
{
  if (hwdb == NULL)
    return;
  if (hwdb->hwdb != NULL)
    sd_hwdb_unref (hwdb->hwdb);
  g_free (hwdb);
}

static char *
lookup (CgHwdb *hwdb, const char *modalias, const char *key)
{
  const char *value = NULL;

  if (hwdb->hwdb == NULL || sd_hwdb_get (hwdb->hwdb, modalias, key, &value) < 0 || value == NULL
      || *value == '\0')
    return NULL;
  return g_strdup (value);
}

char *
cg_hwdb_lookup_oui (CgHwdb *hwdb, const char *bt_address)
{
  guint8 address[6];
  g_autofree char *modalias = NULL;

  if (bt_address == NULL || !cg_bt_address_parse (bt_address, address))
    return NULL;
  modalias = g_strdup_printf ("OUI:%02X%02X%02X", address[0], address[1], address[2]);
  return lookup (hwdb, modalias, "ID_OUI_FROM_DATABASE");
}

char *
cg_hwdb_lookup_bluetooth_company (CgHwdb *hwdb, guint16 company_id)
{
  g_autofree char *modalias = g_strdup_printf ("bluetooth:v%04X", company_id);

  return lookup (hwdb, modalias, "ID_VENDOR_FROM_DATABASE");
}

char *
cg_hwdb_lookup_usb_vendor (CgHwdb *hwdb, guint16 vid)
{
  g_autofree char *modalias = g_strdup_printf ("usb:v%04X", vid);

  return lookup (hwdb, modalias, "ID_VENDOR_FROM_DATABASE");
}

static char *
lookup_device_id_vendor (CgHwdb *hwdb, const CgDeviceId *device_id)
{
  switch (device_id->source) {
    case CG_DEVICE_ID_SOURCE_BLUETOOTH:
      return cg_hwdb_lookup_bluetooth_company (hwdb, device_id->vendor);
    case CG_DEVICE_ID_SOURCE_USB:
      return cg_hwdb_lookup_usb_vendor (hwdb, device_id->vendor);
    case CG_DEVICE_ID_SOURCE_NONE:
    default:
      return NULL;
  }
}

void
cg_organizations_clear (CgOrganizations *organizations)
{
  g_clear_pointer (&organizations->bt_organization, g_free);
  g_clear_pointer (&organizations->usb_organization, g_free);
}

void
cg_hwdb_fill_organizations (CgHwdb *hwdb, CgFacts *facts, CgOrganizations *storage)
{
  cg_organizations_clear (storage);
  /* Only a public address carries an OUI; a random one's top bytes mean nothing. */
  if (facts->bt_address_type == CG_BT_ADDRESS_PUBLIC)
    storage->bt_organization = cg_hwdb_lookup_oui (hwdb, facts->bt_address);
  if (storage->bt_organization == NULL)
    storage->bt_organization = lookup_device_id_vendor (hwdb, &facts->bt_device_id);
  if (facts->has_usb_id)
    storage->usb_organization = cg_hwdb_lookup_usb_vendor (hwdb, facts->usb_vid);
  if (storage->usb_organization == NULL && facts->has_typec_partner_vid)
    storage->usb_organization = cg_hwdb_lookup_usb_vendor (hwdb, facts->typec_partner_vid);
  facts->bt_organization = storage->bt_organization;
  facts->usb_organization = storage->usb_organization;
}
