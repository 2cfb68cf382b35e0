/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device facts from BlueZ's Device1 properties: hostile names are bounded for matching
 * and sanitised for display; addresses, modalias and UUIDs are validated. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "cg-bluez-device.h"

static GVariant *
device_properties (const char *address, const char *name, const char *modalias)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  const char *uuids[] = { "0000110d-0000-1000-8000-00805f9b34fb", "garbage", "112f", NULL };

  g_variant_builder_add (&builder, "{sv}", "Address", g_variant_new_string (address));
  g_variant_builder_add (&builder, "{sv}", "Adapter",
                         g_variant_new_object_path ("/org/bluez/hci0"));
  g_variant_builder_add (&builder, "{sv}", "Name", g_variant_new_string (name));
  g_variant_builder_add (&builder, "{sv}", "Class", g_variant_new_uint32 (0x200420));
  g_variant_builder_add (&builder, "{sv}", "Modalias", g_variant_new_string (modalias));
  g_variant_builder_add (&builder, "{sv}", "UUIDs", g_variant_new_strv (uuids, -1));
  g_variant_builder_add (&builder, "{sv}", "Paired", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&builder, "{sv}", "Trusted", g_variant_new_boolean (TRUE));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gboolean
has_control_bytes (const char *s)
{
  for (const guchar *p = (const guchar *)s; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

START_TEST (test_facts_from_properties)
{
  g_autoptr (GVariant) props
      = device_properties ("00:aa:01:01:00:01", "MY CAR", "bluetooth:v001Dp1200d1436");
  g_autoptr (CgBluezDevice) device
      = cg_bluez_device_new_from_properties ("/org/bluez/hci0/dev_00_AA_01_01_00_01", props, NULL);
  CgFacts facts;

  ck_assert_str_eq (device->address, "00:AA:01:01:00:01");
  ck_assert_str_eq (device->adapter_path, "/org/bluez/hci0");
  ck_assert (device->has_class);
  ck_assert (device->paired && device->trusted && !device->bonded);
  ck_assert_int_eq (device->device_id.source, CG_DEVICE_ID_SOURCE_BLUETOOTH);
  ck_assert_uint_eq (device->device_id.vendor, 0x001d);
  ck_assert_uint_eq (device->device_id.product, 0x1200);
  /* The malformed UUID is dropped, the short form normalised. */
  ck_assert_uint_eq (g_strv_length (device->uuids), 2);
  ck_assert (
      g_strv_contains ((const char *const *)device->uuids, "0000112f-0000-1000-8000-00805f9b34fb"));
  cg_bluez_device_get_facts (device, &facts);
  ck_assert_str_eq (facts.bt_name, "MY CAR");
  ck_assert (cg_facts_has_bluetooth (&facts));
}
END_TEST

START_TEST (test_hostile_name_bounded_and_sanitised)
{
  g_autoptr (GString) name = g_string_new (NULL);
  g_autoptr (GVariant) props = NULL;
  g_autoptr (CgBluezDevice) device = NULL;
  g_autofree char *described = NULL;

  /* Markup, an escape sequence, a newline, then 2-byte characters past 248 bytes. */
  g_string_append (name, "<b>car</b>\x1b[31m\nline2\t");
  while (name->len < 400)
    g_string_append (name, "\xc3\xa9");
  props = device_properties ("zz:not:an:address", name->str, "usb:nonsense");
  device = cg_bluez_device_new_from_properties ("/org/bluez/hci0/dev_X", props, NULL);

  ck_assert_ptr_null (device->address);
  ck_assert_int_eq (device->device_id.source, CG_DEVICE_ID_SOURCE_NONE);
  ck_assert_uint_le (strlen (device->name), CG_BT_NAME_MAX);
  /* Cut on a character boundary: still valid UTF-8. */
  ck_assert (g_utf8_validate (device->name, -1, NULL));
  ck_assert_uint_le (strlen (device->name_display), CG_BT_NAME_MAX);
  ck_assert (g_utf8_validate (device->name_display, -1, NULL));
  ck_assert (!has_control_bytes (device->name_display));
  described = cg_bluez_device_describe (device);
  ck_assert (!has_control_bytes (described));
}
END_TEST

START_TEST (test_bound_string_invalid_utf8)
{
  g_autofree char *cut = cg_bluez_bound_string ("ab\xff\xfe\xc3", 3);

  ck_assert_uint_eq (strlen (cut), 3);
  ck_assert_ptr_null (cg_bluez_bound_string (NULL, 10));
}
END_TEST

static Suite *
device_suite (void)
{
  Suite *suite = suite_create ("bluetooth-device");
  TCase *tc = tcase_create ("device");

  tcase_add_test (tc, test_facts_from_properties);
  tcase_add_test (tc, test_hostile_name_bounded_and_sanitised);
  tcase_add_test (tc, test_bound_string_invalid_utf8);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (device_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
