/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-hwdb.h"

#include <string.h>
#include <systemd/sd-hwdb.h>

#include "cg-diagnostic.h"

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

gboolean
cg_hwdb_is_loaded (const CgHwdb *hwdb)
{
  return hwdb != NULL && hwdb->hwdb != NULL;
}

char *
cg_hwdb_find_database (const char *root)
{
  /* sd_hwdb_new ()'s search path (systemd's sd-hwdb.c), first found wins. */
  static const char *const paths[] = {
    "/etc/systemd/hwdb/hwdb.bin", "/etc/udev/hwdb.bin",     "/usr/lib/systemd/hwdb/hwdb.bin",
    "/lib/systemd/hwdb/hwdb.bin", "/usr/lib/udev/hwdb.bin",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autofree char *host = g_build_filename (root != NULL ? root : "/", paths[i], NULL);
    if (g_file_test (host, G_FILE_TEST_IS_REGULAR))
      return g_strdup (paths[i]);
  }
  return NULL;
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
  /* The whole address: systemd's 20-OUI.hwdb keys MA-L blocks by 6 hex digits
   * ("OUI:001EDE*"), MA-M by 7 ("OUI:78D4F14*") and MA-S by 9 ("OUI:70B3D5123*"), and
   * each pattern matches the address of its size. Where blocks nest, the hwdb lists the
   * smaller after the larger and sd-hwdb keeps the later entry: the most specific wins. */
  modalias = g_strdup_printf ("OUI:%02X%02X%02X%02X%02X%02X", address[0], address[1], address[2],
                              address[3], address[4], address[5]);
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

/* One source file: records of match lines, then " KEY=VALUE" lines for all of them. */
static void
parse_source (const char *text, CgHwdbEntryFunc func, gpointer user_data)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();
  gboolean in_properties = FALSE;

  for (guint i = 0; lines[i] != NULL; i++) {
    char *line = lines[i];
    char *equals;

    g_strchomp (line);
    if (line[0] == '#')
      continue;
    if (line[0] == '\0') {
      g_ptr_array_set_size (matches, 0);
      in_properties = FALSE;
      continue;
    }
    if (line[0] != ' ' && line[0] != '\t') {
      /* A match line after properties starts a record of its own. */
      if (in_properties)
        g_ptr_array_set_size (matches, 0);
      in_properties = FALSE;
      g_ptr_array_add (matches, line);
      continue;
    }
    in_properties = TRUE;
    line = g_strchug (line);
    equals = strchr (line, '=');
    if (equals == NULL)
      continue;
    *equals = '\0';
    for (guint m = 0; m < matches->len; m++)
      func (g_ptr_array_index (matches, m), line, equals + 1, user_data);
  }
}

static void
add_source_names (GHashTable *by_name, const char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".hwdb"))
      g_hash_table_replace (by_name, g_strdup (name), g_build_filename (dir, name, NULL));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

gboolean
cg_hwdb_foreach_source_entry (const char *root, const char *dir, CgHwdbEntryFunc func,
                              gpointer user_data, GError **error)
{
  g_autoptr (GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *shipped
      = g_build_filename (root != NULL ? root : "/", "usr/lib/udev/hwdb.d", NULL);
  g_autofree char *admin = g_build_filename (root != NULL ? root : "/", "etc/udev/hwdb.d", NULL);
  g_autofree const char **names = NULL;
  guint n = 0;

  if (dir != NULL) {
    add_source_names (by_name, dir);
  } else {
    add_source_names (by_name, shipped);
    add_source_names (by_name, admin);
  }
  if (g_hash_table_size (by_name) == 0) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND,
                 "no hwdb sources (*.hwdb) in %s", dir != NULL ? dir : shipped);
    return FALSE;
  }
  names = (const char **)g_hash_table_get_keys_as_array (by_name, &n);
  qsort (names, n, sizeof (char *), compare_names);
  for (guint i = 0; i < n; i++) {
    g_autofree char *text = NULL;
    g_autoptr (GError) read_error = NULL;

    if (!g_file_get_contents (g_hash_table_lookup (by_name, names[i]), &text, NULL, &read_error)) {
      g_propagate_error (error, g_steal_pointer (&read_error));
      return FALSE;
    }
    parse_source (text, func, user_data);
  }
  return TRUE;
}
