/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Organisation look-ups against a hwdb.bin compiled for the test by systemd-hwdb, so
 * the answers do not depend on the machine's database. */
#include <check.h>
#include <stdio.h>
#include <sys/wait.h>

#include <glib.h>

#include "cg-hwdb.h"
#include "cg-test-tree.h"

#define TEST_HWDB                                                                                  \
  "OUI:001EDE*\n"                                                                                  \
  " ID_OUI_FROM_DATABASE=Test OUI Works\n"                                                         \
  "\n"                                                                                             \
  "OUI:70B3D5*\n"                                                                                  \
  " ID_OUI_FROM_DATABASE=Test Registration Authority\n"                                            \
  "\n"                                                                                             \
  "OUI:70B3D5123*\n"                                                                               \
  " ID_OUI_FROM_DATABASE=Test MA-S\n"                                                              \
  "\n"                                                                                             \
  "OUI:78D4F14*\n"                                                                                 \
  " ID_OUI_FROM_DATABASE=Test MA-M\n"                                                              \
  "\n"                                                                                             \
  "bluetooth:v004C*\n"                                                                             \
  " ID_VENDOR_FROM_DATABASE=Test Bluetooth Company\n"                                              \
  "\n"                                                                                             \
  "usb:v1D6B*\n"                                                                                   \
  " ID_VENDOR_FROM_DATABASE=Test USB Vendor\n"                                                     \
  "\n"                                                                                             \
  "usb:v2E8A*\n"                                                                                   \
  " ID_VENDOR_FROM_DATABASE=Test Type-C Partner\n"

/* Compiles TEST_HWDB into DIR/etc/udev/hwdb.bin; returns DIR. */
static char *
make_hwdb_root (char **bin_path)
{
  g_autoptr (GError) error = NULL;
  char *root = g_dir_make_tmp ("carguard-hwdb-XXXXXX", &error);
  g_autofree char *source_dir = NULL;
  g_autofree char *source = NULL;
  const char *argv[] = { "systemd-hwdb", "update", "--root", root, NULL };
  int status = 0;

  ck_assert_msg (root != NULL, "%s", error ? error->message : "");
  source_dir = g_build_filename (root, "etc/udev/hwdb.d", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (source_dir, 0755), 0);
  source = g_build_filename (source_dir, "50-carguard-test.hwdb", NULL);
  ck_assert (g_file_set_contents (source, TEST_HWDB, -1, NULL));
  ck_assert_msg (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error),
                 "%s", error ? error->message : "");
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  *bin_path = g_build_filename (root, "etc/udev/hwdb.bin", NULL);
  ck_assert (g_file_test (*bin_path, G_FILE_TEST_IS_REGULAR));
  return root;
}

START_TEST (test_hwdb_lookups)
{
  g_autofree char *bin = NULL;
  g_autofree char *root = make_hwdb_root (&bin);
  g_autoptr (CgHwdb) hwdb = cg_hwdb_new (bin);
  g_autofree char *oui = cg_hwdb_lookup_oui (hwdb, "00:1e:de:12:34:56");
  g_autofree char *company = cg_hwdb_lookup_bluetooth_company (hwdb, 0x004c);
  g_autofree char *vendor = cg_hwdb_lookup_usb_vendor (hwdb, 0x1d6b);
  g_autofree char *unknown = cg_hwdb_lookup_usb_vendor (hwdb, 0xfffe);
  g_autofree char *bad_address = cg_hwdb_lookup_oui (hwdb, "00:1E:DE\n:12:34:56");

  ck_assert_str_eq (oui, "Test OUI Works");
  ck_assert_str_eq (company, "Test Bluetooth Company");
  ck_assert_str_eq (vendor, "Test USB Vendor");
  ck_assert_ptr_null (unknown);
  ck_assert_ptr_null (bad_address);
  cg_test_tree_remove (root);
}
END_TEST

/* Blocks of every IEEE size, as systemd's 20-OUI.hwdb writes them (a smaller block
 * after the larger one it lies in): the most specific names the organisation. */
START_TEST (test_hwdb_oui_block_sizes)
{
  g_autofree char *bin = NULL;
  g_autofree char *root = make_hwdb_root (&bin);
  g_autoptr (CgHwdb) hwdb = cg_hwdb_new (bin);
  g_autofree char *ma_s = cg_hwdb_lookup_oui (hwdb, "70:B3:D5:12:34:56");
  g_autofree char *ma_l = cg_hwdb_lookup_oui (hwdb, "70:B3:D5:99:00:01");
  g_autofree char *ma_m = cg_hwdb_lookup_oui (hwdb, "78:d4:f1:4a:bc:de");
  g_autofree char *outside = cg_hwdb_lookup_oui (hwdb, "78:D4:F1:5A:BC:DE");

  ck_assert_str_eq (ma_s, "Test MA-S");
  ck_assert_str_eq (ma_l, "Test Registration Authority");
  ck_assert_str_eq (ma_m, "Test MA-M");
  ck_assert_ptr_null (outside);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_hwdb_fill_organizations)
{
  g_autofree char *bin = NULL;
  g_autofree char *root = make_hwdb_root (&bin);
  g_autoptr (CgHwdb) hwdb = cg_hwdb_new (bin);
  g_auto (CgOrganizations) organizations = { NULL };
  CgFacts by_oui = { .bt_address = "00:1E:DE:00:00:01", .has_usb_id = TRUE, .usb_vid = 0x1d6b };
  CgFacts by_device_id = { .bt_address = "02:00:00:00:00:01",
                           .has_typec_partner_vid = TRUE,
                           .typec_partner_vid = 0x2e8a };

  ck_assert (cg_device_id_parse_modalias ("bluetooth:v004Cp1234d0001", &by_device_id.bt_device_id));
  cg_hwdb_fill_organizations (hwdb, &by_oui, &organizations);
  ck_assert_str_eq (by_oui.bt_organization, "Test OUI Works");
  ck_assert_str_eq (by_oui.usb_organization, "Test USB Vendor");

  cg_hwdb_fill_organizations (hwdb, &by_device_id, &organizations);
  ck_assert_str_eq (by_device_id.bt_organization, "Test Bluetooth Company");
  ck_assert_str_eq (by_device_id.usb_organization, "Test Type-C Partner");
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_hwdb_missing_database)
{
  g_autoptr (CgHwdb) hwdb = cg_hwdb_new ("/nonexistent/hwdb.bin");
  g_auto (CgOrganizations) organizations = { NULL };
  CgFacts facts = { .bt_address = "00:1E:DE:00:00:01", .has_usb_id = TRUE, .usb_vid = 0x1d6b };
  g_autofree char *vendor = cg_hwdb_lookup_usb_vendor (hwdb, 0x1d6b);

  ck_assert_ptr_null (vendor);
  cg_hwdb_fill_organizations (hwdb, &facts, &organizations);
  ck_assert_ptr_null (facts.bt_organization);
  ck_assert_ptr_null (facts.usb_organization);
}
END_TEST

static Suite *
hwdb_suite (void)
{
  Suite *s = suite_create ("hwdb");
  TCase *tc = tcase_create ("hwdb");

  tcase_add_test (tc, test_hwdb_lookups);
  tcase_add_test (tc, test_hwdb_oui_block_sizes);
  tcase_add_test (tc, test_hwdb_fill_organizations);
  tcase_add_test (tc, test_hwdb_missing_database);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (hwdb_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
