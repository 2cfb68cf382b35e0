/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host guard's parser of a USB device's sysfs `descriptors`: hostile bytes from
 * the device, so every length lies somewhere in these tests. The data file is the
 * descriptors of the lab's car head-unit gadget (ncm, mass_storage, acm). */
#include "config.h"

#include <check.h>
#include <string.h>

#include "cg-usb-descriptor.h"

static const guint8 device_descriptor[18]
    = { 18, 1, 0x00, 0x02, 0xef, 0x02, 0x01, 64, 0x98, 0x1c, 0x01, 0x00, 0x00, 0x01, 1, 2, 3, 1 };

/* Device, then a config of wTotalLength 9 + 9 + 9 holding two interfaces. */
static GByteArray *
two_interfaces (void)
{
  static const guint8 config[]
      = { 9, 2, 27, 0, 2, 1, 0, 0x80, 250, 9, 4, 0, 0, 1, 8, 6, 80, 0, 9, 4, 1, 0, 2, 3, 0, 0, 0 };
  GByteArray *bytes = g_byte_array_new ();

  g_byte_array_append (bytes, device_descriptor, sizeof device_descriptor);
  g_byte_array_append (bytes, config, sizeof config);
  return bytes;
}

START_TEST (test_interfaces_and_ids)
{
  g_autoptr (GByteArray) bytes = two_interfaces ();
  g_autoptr (GError) error = NULL;
  CgUsbDescriptors d;

  ck_assert (cg_usb_descriptors_parse (bytes->data, bytes->len, &d, &error));
  ck_assert_uint_eq (d.vid, 0x1c98);
  ck_assert_uint_eq (d.pid, 0x0001);
  ck_assert_uint_eq (d.n_interfaces, 2);
  ck_assert_uint_eq (d.interfaces[0].interface_class, 0x08);
  ck_assert_uint_eq (d.interfaces[1].interface_class, 0x03);
  ck_assert_uint_eq (d.n_classes, 2);
}
END_TEST

START_TEST (test_every_truncation_is_safe)
{
  g_autoptr (GByteArray) bytes = two_interfaces ();

  /* Each prefix is copied to its own allocation so ASan sees any read past it. */
  for (guint len = 0; len <= bytes->len; len++) {
    g_autofree guint8 *copy = g_memdup2 (bytes->data, len);
    CgUsbDescriptors d;

    (void)cg_usb_descriptors_parse (copy, len, &d, NULL);
    ck_assert_uint_le (d.n_interfaces, 2);
  }
}
END_TEST

START_TEST (test_zero_length_descriptor_fails)
{
  g_autoptr (GByteArray) bytes = two_interfaces ();
  g_autoptr (GError) error = NULL;
  CgUsbDescriptors d;

  bytes->data[18 + 9] = 0; /* the first interface descriptor's bLength */
  ck_assert (!cg_usb_descriptors_parse (bytes->data, bytes->len, &d, &error));
  ck_assert (g_error_matches (error, CG_USB_DESCRIPTOR_ERROR, CG_USB_DESCRIPTOR_ERROR_INVALID));
}
END_TEST

START_TEST (test_lying_total_length_is_cut)
{
  g_autoptr (GByteArray) bytes = two_interfaces ();
  CgUsbDescriptors d;

  bytes->data[18 + 2] = 0xff; /* wTotalLength 0xffff */
  bytes->data[18 + 3] = 0xff;
  ck_assert (cg_usb_descriptors_parse (bytes->data, bytes->len, &d, NULL));
  ck_assert_uint_eq (d.n_interfaces, 2);
}
END_TEST

START_TEST (test_interface_count_is_bounded)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint8 config[9] = { 9, 2, 0, 0, 200, 1, 0, 0x80, 250 };
  guint total = 9 + 200 * 9;
  CgUsbDescriptors d;

  config[2] = total & 0xff;
  config[3] = total >> 8;
  g_byte_array_append (bytes, device_descriptor, sizeof device_descriptor);
  g_byte_array_append (bytes, config, sizeof config);
  for (guint i = 0; i < 200; i++) {
    guint8 iface[9] = { 9, 4, (guint8)i, 0, 0, (guint8)i, 0, 0, 0 };
    g_byte_array_append (bytes, iface, sizeof iface);
  }
  ck_assert (cg_usb_descriptors_parse (bytes->data, bytes->len, &d, NULL));
  ck_assert_uint_eq (d.n_interfaces, CG_USB_DESCRIPTOR_MAX_INTERFACES);
  ck_assert_uint_le (d.n_classes, CG_USB_DESCRIPTOR_MAX_INTERFACES);
}
END_TEST

START_TEST (test_random_bytes_never_crash)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);

  for (guint round = 0; round < 20000; round++) {
    guint len = g_rand_int_range (rand, 0, 96);
    g_autofree guint8 *data = g_malloc (MAX (len, 1));
    CgUsbDescriptors d;

    for (guint i = 0; i < len; i++)
      data[i] = g_rand_int_range (rand, 0, 256);
    if (len >= 2 && round % 2 == 0) {
      memcpy (data, device_descriptor, MIN (len, sizeof device_descriptor));
    }
    (void)cg_usb_descriptors_parse (data, len, &d, NULL);
  }
}
END_TEST

START_TEST (test_lab_head_unit_descriptors)
{
  g_autofree char *path
      = g_build_filename (g_getenv ("CG_TEST_DATA"), "usb-head-unit-descriptors.bin", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  CgUsbDescriptors d;
  g_autoptr (GError) error = NULL;
  gboolean storage = FALSE, cdc = FALSE;

  ck_assert (g_file_get_contents (path, &data, &len, NULL));
  ck_assert_msg (cg_usb_descriptors_parse ((const guint8 *)data, len, &d, &error), "%s",
                 error ? error->message : "");
  ck_assert_uint_eq (d.vid, 0x1c98);
  for (guint i = 0; i < d.n_classes; i++) {
    storage |= d.classes[i] == 0x08;
    cdc |= d.classes[i] == 0x02;
  }
  ck_assert (storage && cdc);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("usb-host-descriptor");
  TCase *tc = tcase_create ("parse");
  SRunner *runner;
  int failed;

  tcase_add_test (tc, test_interfaces_and_ids);
  tcase_add_test (tc, test_every_truncation_is_safe);
  tcase_add_test (tc, test_zero_length_descriptor_fails);
  tcase_add_test (tc, test_lying_total_length_is_cut);
  tcase_add_test (tc, test_interface_count_is_bounded);
  tcase_add_test (tc, test_random_bytes_never_crash);
  tcase_add_test (tc, test_lab_head_unit_descriptors);
  suite_add_tcase (suite, tc);
  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
