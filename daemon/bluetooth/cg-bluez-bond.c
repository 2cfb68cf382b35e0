/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "cg-bluez-bond.h"
#include "cg-facts.h"

/* The groups of an info file that hold key material, in the order they are digested.
 * SlaveLongTermKey is the name BlueZ used before 5.62; it still reads it. */
static const char *const key_groups[] = {
  "LinkKey",
  "LongTermKey",
  "PeripheralLongTermKey",
  "SlaveLongTermKey",
};

/* What says how a key was made: BR/EDR's link key Type, LE's Authenticated. */
static const char *const key_kinds[] = { "Type", "Authenticated" };

static gboolean
address_is_valid (const char *address)
{
  guint8 bytes[6];

  return cg_bt_address_parse (address, bytes);
}

/* A bounded read that follows no symlink: the file is bluetoothd's, but a path built
 * from addresses must still not lead anywhere else. */
static char *
read_info (const char *path, gsize *len, GError **error)
{
  g_autofree char *data = g_malloc (CG_BLUEZ_INFO_MAX_BYTES + 1);
  gsize total = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0) {
    int saved_errno = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "cannot open %s: %s", path,
                 g_strerror (saved_errno));
    return NULL;
  }
  while (total <= CG_BLUEZ_INFO_MAX_BYTES) {
    ssize_t n = read (fd, data + total, CG_BLUEZ_INFO_MAX_BYTES + 1 - total);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved_errno = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "cannot read %s: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }
    if (n == 0)
      break;
    total += (gsize)n;
  }
  close (fd);
  if (total > CG_BLUEZ_INFO_MAX_BYTES) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is larger than %u bytes", path,
                 CG_BLUEZ_INFO_MAX_BYTES);
    return NULL;
  }
  data[total] = '\0';
  *len = total;
  return g_steal_pointer (&data);
}

char *
cg_bluez_bond_digest (const char *storage_dir, const char *adapter_address,
                      const char *device_address, GError **error)
{
  g_autofree char *adapter = NULL;
  g_autofree char *device = NULL;
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr (GKeyFile) info = g_key_file_new ();
  g_autoptr (GChecksum) checksum = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean any_key = FALSE;
  gsize len = 0;

  if (!address_is_valid (adapter_address) || !address_is_valid (device_address)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a Bluetooth address");
    return NULL;
  }
  adapter = g_ascii_strup (adapter_address, -1);
  device = g_ascii_strup (device_address, -1);
  path = g_build_filename (storage_dir, adapter, device, "info", NULL);
  data = read_info (path, &len, &local_error);
  if (data == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return g_strdup (CG_BLUEZ_BOND_NONE);
  if (data == NULL) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  if (!g_key_file_load_from_data (info, data, len, G_KEY_FILE_NONE, &local_error)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, local_error->message);
    return NULL;
  }
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *)adapter, -1);
  g_checksum_update (checksum, (const guchar *)device, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (key_groups); i++) {
    g_autofree char *key = g_key_file_get_value (info, key_groups[i], "Key", NULL);
    if (key == NULL)
      continue;
    any_key = TRUE;
    g_checksum_update (checksum, (const guchar *)key_groups[i], -1);
    g_checksum_update (checksum, (const guchar *)"=", 1);
    g_checksum_update (checksum, (const guchar *)key, -1);
    explicit_bzero (key, strlen (key));
    /* A key of another kind (authenticated or not) is another bond, even with equal bytes. */
    for (gsize k = 0; k < G_N_ELEMENTS (key_kinds); k++) {
      g_autofree char *kind = g_key_file_get_value (info, key_groups[i], key_kinds[k], NULL);
      if (kind == NULL)
        continue;
      g_checksum_update (checksum, (const guchar *)key_kinds[k], -1);
      g_checksum_update (checksum, (const guchar *)kind, -1);
    }
  }
  explicit_bzero (data, len);
  if (!any_key)
    return g_strdup (CG_BLUEZ_BOND_NONE);
  return g_strconcat ("sha256:", g_checksum_get_string (checksum), NULL);
}
