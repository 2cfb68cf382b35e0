/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the short identifiers a device chooses, as text. The input is up to
 * four NUL-separated strings: a modalias (BlueZ's Device ID, "bluetooth:v004Cp1200d0100"),
 * a Bluetooth address, a service UUID and a name. Each goes through its parser, each
 * parse is checked against the grammar it claims to accept, the address and the Device
 * ID become hwdb look-up keys, and the name is sanitised as logs and D-Bus show it. */
#include <string.h>

#include "cg-profile.h"
#include "cg-sanitize.h"
#include "fuzz-support.h"

/* A parsed modalias prints back as the input, up to the case of its hex digits. */
static void
check_modalias (const char *modalias, CgDeviceId *id)
{
  g_autofree char *printed = NULL;

  if (!cg_device_id_parse_modalias (modalias, id)) {
    *id = (CgDeviceId){ .source = CG_DEVICE_ID_SOURCE_NONE };
    return;
  }
  g_assert (id->source == CG_DEVICE_ID_SOURCE_BLUETOOTH || id->source == CG_DEVICE_ID_SOURCE_USB);
  printed = g_strdup_printf ("%s:v%04Xp%04X",
                             id->source == CG_DEVICE_ID_SOURCE_USB ? "usb" : "bluetooth",
                             id->vendor, id->product);
  if (strlen (modalias) > strlen (printed)) {
    g_autofree char *with_version = g_strdup_printf ("%sd%04X", printed, id->version);
    g_free (printed);
    printed = g_steal_pointer (&with_version);
  }
  g_assert (g_ascii_strcasecmp (modalias, printed) == 0);
}

static void
check_address (const char *address)
{
  guint8 bytes[6];
  g_autofree char *printed = NULL;

  if (!cg_bt_address_parse (address, bytes))
    return;
  printed = g_strdup_printf ("%02X:%02X:%02X:%02X:%02X:%02X", bytes[0], bytes[1], bytes[2],
                             bytes[3], bytes[4], bytes[5]);
  g_assert (g_ascii_strcasecmp (address, printed) == 0);
}

static void
check_uuid (const char *uuid)
{
  g_autofree char *normal = cg_uuid_normalize (uuid);
  g_autofree char *again = NULL;

  (void)cg_profile_from_uuid (uuid);
  if (normal == NULL)
    return;
  g_assert (strlen (normal) == 36);
  again = cg_uuid_normalize (normal);
  g_assert (g_strcmp0 (normal, again) == 0);
}

static void
check_sanitized (const char *name, gsize max_bytes)
{
  g_autofree char *safe = cg_sanitize_string (name, max_bytes);

  g_assert (strlen (safe) <= max_bytes);
  g_assert (g_utf8_validate (safe, -1, NULL));
  for (const char *p = safe; *p != '\0'; p = g_utf8_next_char (p)) {
    GUnicodeType type = g_unichar_type (g_utf8_get_char (p));
    g_assert (type != G_UNICODE_CONTROL && type != G_UNICODE_FORMAT);
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *copy = g_malloc (size + 1);
  const char *field[4] = { "", "", "", "" };
  g_auto (CgOrganizations) organizations = { 0 };
  CgFacts facts = { 0 };

  memcpy (copy, data, size);
  copy[size] = '\0';
  for (gsize i = 0, at = 0; i < G_N_ELEMENTS (field) && at <= size; i++) {
    field[i] = copy + at;
    at += strlen (copy + at) + 1;
  }
  check_modalias (field[0], &facts.bt_device_id);
  check_address (field[1]);
  check_uuid (field[2]);
  check_sanitized (field[3], size > 0 ? data[0] : 0);
  facts.bt_address = field[1];
  facts.bt_name = field[3];
  facts.has_usb_id = facts.bt_device_id.source == CG_DEVICE_ID_SOURCE_USB;
  facts.usb_vid = facts.bt_device_id.vendor;
  facts.usb_pid = facts.bt_device_id.product;
  facts.usb_product = field[3];
  cg_hwdb_fill_organizations (fuzz_hwdb (), &facts, &organizations);
  fuzz_decide_facts (fuzz_policy (), &facts);
  return 0;
}
