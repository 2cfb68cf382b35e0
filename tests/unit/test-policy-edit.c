/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The [Device] editor of policy/cg-policy-edit.h, as `carguard policy` and the daemon's
 * Block use it: entries found by the loader's reading of their values, written once,
 * removed whole, and nothing written when the edit is refused. */
#include <check.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cg-policy-edit.h"
#include "cg-test-tree.h"

#define BYD_PATH "etc/carguard/vendors.d/byd.conf"
#define BYD_TEXT                                                                                   \
  "# BYD head units\n"                                                                             \
  "[Vendor]\n"                                                                                     \
  "Name=BYD\n"                                                                                     \
  "\n"                                                                                             \
  "[Match]\n"                                                                                      \
  "USB=1c98 2bbe:0001\n"                                                                           \
  "\n"                                                                                             \
  "[Device]\n"                                                                                     \
  "BluetoothAddress=00:1E:DE:12:34:56\n"                                                           \
  "Preset=trusted\n"                                                                               \
  "\n"                                                                                             \
  "# the dock in room 4\n"                                                                         \
  "[Device]\n"                                                                                     \
  "USBSerial=\"HU \\\"0001\\\"\"\n"                                                                \
  "# vetted in May\n"                                                                              \
  "Preset=audio-only\n"

typedef struct {
  char *root;
  CgPolicyEdit edit;
  GPtrArray *diagnostics;
} EditFixture;

static EditFixture fixture;

static void
edit_setup (void)
{
  g_autoptr (GError) error = NULL;

  fixture.root = g_dir_make_tmp ("carguard-edit-test-XXXXXX", &error);
  ck_assert_msg (fixture.root != NULL, "%s", error ? error->message : "");
  fixture.diagnostics = cg_diagnostics_new ();
  cg_test_tree_write (fixture.root, BYD_PATH, BYD_TEXT);
}

static void
edit_teardown (void)
{
  cg_policy_edit_clear (&fixture.edit);
  fixture.edit = (CgPolicyEdit){ NULL };
  g_ptr_array_unref (fixture.diagnostics);
  cg_test_tree_remove (fixture.root);
  g_free (fixture.root);
}

static void
begin (const char *vendor_id)
{
  g_autoptr (GError) error = NULL;

  cg_policy_edit_clear (&fixture.edit);
  fixture.edit = (CgPolicyEdit){ NULL };
  ck_assert_msg (
      cg_policy_edit_begin (&fixture.edit, fixture.root, vendor_id, fixture.diagnostics, &error),
      "%s", error ? error->message : "");
}

static char *
document_text (void)
{
  return cg_document_to_data (fixture.edit.doc, NULL);
}

static void
commit (void)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (cg_policy_edit_commit (&fixture.edit, fixture.diagnostics, &error), "%s",
                 error ? error->message : "");
}

static void
put (const CgDeviceKey *key, const char *const *grant, guint *index)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (cg_policy_edit_put_device (&fixture.edit, key, grant, index, &error), "%s",
                 error ? error->message : "");
}

static const char *const block[] = { "Preset", "block", NULL };

START_TEST (test_find_reads_values_as_the_loader_does)
{
  CgDeviceKey lower = { .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = "00:1e:de:12:34:56" };
  CgDeviceKey serial = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "HU \"0001\"" };
  CgDeviceKey serial_case = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "hu \"0001\"" };
  CgDeviceKey product = { .kind = CG_DEVICE_KEY_USB_PRODUCT, .usb_vid = 0x2bbe, .usb_pid = 1 };
  CgDeviceKey vendor_only = { .kind = CG_DEVICE_KEY_USB_PRODUCT, .usb_vid = 0x1c98 };
  CgDeviceKey bad = { .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = "not an address" };
  guint index = G_MAXUINT;

  begin ("byd");
  ck_assert (cg_policy_edit_find_device (&fixture.edit, &lower, &index));
  ck_assert_uint_eq (index, 0);
  ck_assert (cg_policy_edit_find_device (&fixture.edit, &serial, &index));
  ck_assert_uint_eq (index, 1);
  /* The loader matches serials byte for byte: another case is another device. */
  ck_assert (!cg_policy_edit_find_device (&fixture.edit, &serial_case, NULL));
  ck_assert (cg_policy_edit_find_device (&fixture.edit, &product, &index));
  ck_assert_uint_eq (index, 0);
  /* USB=1c98 is the vendor, not the product 1c98:0000. */
  ck_assert (!cg_policy_edit_find_device (&fixture.edit, &vendor_only, NULL));
  ck_assert (!cg_policy_edit_find_device (&fixture.edit, &bad, NULL));
}
END_TEST

/* `carguard policy set VENDOR --device ADDR KEY=VALUE`: the entry is made once, then
 * its grant keys change in place. */
START_TEST (test_cli_set_on_a_new_and_an_old_device)
{
  CgDeviceKey address = { .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = "02:00:00:00:00:0a" };
  const char *const trusted[] = { "Preset", "trusted", NULL };
  const char *const deny[] = { "Pairing", "deny", NULL };
  g_autofree char *text = NULL;
  g_autofree char *written = NULL;
  guint index = G_MAXUINT, again = G_MAXUINT;

  begin ("byd");
  put (&address, trusted, &index);
  ck_assert_uint_eq (index, 2);
  put (&address, deny, &again);
  ck_assert_uint_eq (again, 2);
  text = document_text ();
  ck_assert_str_eq (text, BYD_TEXT "\n[Device]\nBluetoothAddress=02:00:00:00:00:0A\n"
                                   "Preset=trusted\nPairing=deny\n");
  commit ();
  written = cg_test_tree_read (fixture.root, BYD_PATH);
  ck_assert_str_eq (written, text);
}
END_TEST

START_TEST (test_cli_set_keeps_the_way_a_value_was_written)
{
  CgDeviceKey serial = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "HU \"0001\"" };
  const char *const trusted[] = { "Preset", "trusted", NULL };
  g_autofree char *text = NULL;

  begin ("byd");
  put (&serial, trusted, NULL);
  text = document_text ();
  ck_assert_ptr_nonnull (strstr (text,
                                 "# the dock in room 4\n[Device]\nUSBSerial=\"HU \\\"0001\\\"\"\n"
                                 "# vetted in May\nPreset=trusted\n"));
  ck_assert_uint_eq (cg_document_count_sections (fixture.edit.doc, "Device"), 2);
}
END_TEST

/* A serial is the device's own text: quoted, so spaces and quotes read back as written. */
START_TEST (test_cli_add_quotes_a_serial)
{
  CgDeviceKey serial = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "A \\ \"B\"" };
  g_autofree char *text = NULL;
  guint index = G_MAXUINT;

  begin ("acme");
  cg_policy_edit_start_empty (&fixture.edit);
  ck_assert (cg_document_set (fixture.edit.doc, "Vendor", 0, "Name", "acme", NULL));
  put (&serial, NULL, &index);
  ck_assert_uint_eq (index, 0);
  text = document_text ();
  ck_assert_str_eq (text, "[Vendor]\nName=acme\n\n[Device]\nUSBSerial=\"A \\\\ \\\"B\\\"\"\n");
  ck_assert (cg_policy_edit_find_device (&fixture.edit, &serial, NULL));
  commit ();
}
END_TEST

/* `carguard policy unset VENDOR --device ADDR`: the entry goes, the rest stays as it was. */
START_TEST (test_cli_unset_removes_the_whole_entry)
{
  CgDeviceKey address = { .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = "00:1E:DE:12:34:56" };
  CgDeviceKey serial = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "HU \"0001\"" };
  CgDeviceKey absent = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "nobody" };
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  begin ("byd");
  ck_assert (cg_policy_edit_remove_device (&fixture.edit, &address, &error));
  ck_assert (!cg_policy_edit_find_device (&fixture.edit, &address, NULL));
  ck_assert (cg_policy_edit_remove_device (&fixture.edit, &serial, &error));
  text = document_text ();
  ck_assert_str_eq (text, "# BYD head units\n[Vendor]\nName=BYD\n\n[Match]\nUSB=1c98 2bbe:0001\n");
  ck_assert (!cg_policy_edit_remove_device (&fixture.edit, &absent, &error));
  ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND));
  commit ();
}
END_TEST

/* The daemon's Block: each kind of key, then the same Block again changes nothing. */
START_TEST (test_block_each_key_once)
{
  CgDeviceKey address = { .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = "00:1E:DE:AA:BB:CC" };
  CgDeviceKey serial = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "SN 42" };
  CgDeviceKey product = { .kind = CG_DEVICE_KEY_USB_PRODUCT, .usb_vid = 0x1234, .usb_pid = 0xabcd };
  g_autofree char *once = NULL;
  g_autofree char *twice = NULL;

  begin ("local-blocked");
  cg_policy_edit_start_empty (&fixture.edit);
  ck_assert (cg_document_set (fixture.edit.doc, "Vendor", 0, "Name", "Blocked", NULL));
  ck_assert (cg_document_set (fixture.edit.doc, "Policy", 0, "Preset", "block", NULL));
  put (&address, block, NULL);
  put (&serial, block, NULL);
  put (&product, block, NULL);
  once = document_text ();
  ck_assert_str_eq (once, "[Vendor]\nName=Blocked\n\n[Policy]\nPreset=block\n"
                          "\n[Device]\nBluetoothAddress=00:1E:DE:AA:BB:CC\nPreset=block\n"
                          "\n[Device]\nUSBSerial=\"SN 42\"\nPreset=block\n"
                          "\n[Match]\nUSB=1234:abcd\n");
  put (&address, block, NULL);
  put (&serial, block, NULL);
  put (&product, block, NULL);
  twice = document_text ();
  ck_assert_str_eq (twice, once);
  commit ();
}
END_TEST

/* A second product joins the USB= list; removing one leaves the others. */
START_TEST (test_block_products_share_the_list)
{
  CgDeviceKey product = { .kind = CG_DEVICE_KEY_USB_PRODUCT, .usb_vid = 0x1234, .usb_pid = 0xabcd };
  CgDeviceKey listed = { .kind = CG_DEVICE_KEY_USB_PRODUCT, .usb_vid = 0x2bbe, .usb_pid = 0x0001 };
  g_autoptr (GError) error = NULL;

  begin ("byd");
  put (&product, NULL, NULL);
  ck_assert_str_eq (cg_document_get (fixture.edit.doc, "Match", 0, "USB"),
                    "1c98 2bbe:0001 1234:abcd");
  ck_assert (cg_policy_edit_remove_device (&fixture.edit, &listed, &error));
  ck_assert_str_eq (cg_document_get (fixture.edit.doc, "Match", 0, "USB"), "1c98 1234:abcd");
  ck_assert (cg_policy_edit_remove_device (&fixture.edit, &product, &error));
  ck_assert_str_eq (cg_document_get (fixture.edit.doc, "Match", 0, "USB"), "1c98");
  commit ();
}
END_TEST

START_TEST (test_last_product_takes_the_key)
{
  CgDeviceKey product = { .kind = CG_DEVICE_KEY_USB_PRODUCT, .usb_vid = 0x1234, .usb_pid = 0xabcd };
  g_autoptr (GError) error = NULL;

  begin ("acme");
  cg_policy_edit_start_empty (&fixture.edit);
  ck_assert (cg_document_set (fixture.edit.doc, "Vendor", 0, "Name", "acme", NULL));
  put (&product, block, NULL);
  ck_assert_str_eq (cg_document_get (fixture.edit.doc, "Policy", 0, "Preset"), "block");
  ck_assert (cg_policy_edit_remove_device (&fixture.edit, &product, &error));
  ck_assert_ptr_null (cg_document_get (fixture.edit.doc, "Match", 0, "USB"));
}
END_TEST

/* A key the loader would refuse changes nothing, not even the document. */
START_TEST (test_invalid_key_is_refused_before_any_change)
{
  CgDeviceKey address = { .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = "00:1E:DE:12:34" };
  CgDeviceKey empty = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = "" };
  CgDeviceKey missing = { .kind = CG_DEVICE_KEY_USB_SERIAL, .text = NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  begin ("byd");
  ck_assert (!cg_policy_edit_put_device (&fixture.edit, &address, block, NULL, &error));
  ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!cg_policy_edit_put_device (&fixture.edit, &empty, block, NULL, &error));
  g_clear_error (&error);
  ck_assert (!cg_policy_edit_put_device (&fixture.edit, &missing, block, NULL, &error));
  text = document_text ();
  ck_assert_str_eq (text, BYD_TEXT);
}
END_TEST

/* A refused commit (the grant does not parse, or another file is broken) leaves the
 * file byte for byte as it was. */
START_TEST (test_refused_edit_leaves_the_file_byte_identical)
{
  CgDeviceKey address = { .kind = CG_DEVICE_KEY_BT_ADDRESS, .text = "02:00:00:00:00:01" };
  const char *const bogus[] = { "Preset", "sometimes", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *after_broken = NULL;

  begin ("byd");
  put (&address, bogus, NULL);
  ck_assert (!cg_policy_edit_commit (&fixture.edit, fixture.diagnostics, &error));
  ck_assert_uint_gt (fixture.diagnostics->len, 0);
  after = cg_test_tree_read (fixture.root, BYD_PATH);
  ck_assert_str_eq (after, BYD_TEXT);

  g_clear_error (&error);
  cg_test_tree_write (fixture.root, "etc/carguard/vendors.d/broken.conf", "[Vendor]\nBogus=1\n");
  begin ("byd");
  put (&address, block, NULL);
  ck_assert (!cg_policy_edit_commit (&fixture.edit, fixture.diagnostics, &error));
  after_broken = cg_test_tree_read (fixture.root, BYD_PATH);
  ck_assert_str_eq (after_broken, BYD_TEXT);
}
END_TEST

START_TEST (test_iterate_sections_and_keys)
{
  GString *walk = g_string_new (NULL);
  g_autofree char *text = NULL;
  CgDocumentIter iter;
  const char *section, *key, *value;

  begin ("byd");
  cg_document_iter_init (&iter, fixture.edit.doc);
  while (cg_document_iter_next (&iter, &section, &key, &value)) {
    if (key == NULL)
      g_string_append_printf (walk, "[%s]", section);
    else
      g_string_append_printf (walk, " %s.%s=%s", section, key, value);
  }
  text = g_string_free (walk, FALSE);
  ck_assert_str_eq (text, "[Vendor] Vendor.Name=BYD[Match] Match.USB=1c98 2bbe:0001"
                          "[Device] Device.BluetoothAddress=00:1E:DE:12:34:56 Device.Preset=trusted"
                          "[Device] Device.USBSerial=\"HU \\\"0001\\\"\" Device.Preset=audio-only");
  /* Any out may be left out. */
  cg_document_iter_init (&iter, fixture.edit.doc);
  ck_assert (cg_document_iter_next (&iter, NULL, NULL, NULL));
}
END_TEST

static Suite *
policy_edit_suite (void)
{
  Suite *suite = suite_create ("policy-edit");
  TCase *tc = tcase_create ("devices");

  tcase_add_checked_fixture (tc, edit_setup, edit_teardown);
  tcase_add_test (tc, test_find_reads_values_as_the_loader_does);
  tcase_add_test (tc, test_cli_set_on_a_new_and_an_old_device);
  tcase_add_test (tc, test_cli_set_keeps_the_way_a_value_was_written);
  tcase_add_test (tc, test_cli_add_quotes_a_serial);
  tcase_add_test (tc, test_cli_unset_removes_the_whole_entry);
  tcase_add_test (tc, test_block_each_key_once);
  tcase_add_test (tc, test_block_products_share_the_list);
  tcase_add_test (tc, test_last_product_takes_the_key);
  tcase_add_test (tc, test_invalid_key_is_refused_before_any_change);
  tcase_add_test (tc, test_refused_edit_leaves_the_file_byte_identical);
  tcase_add_test (tc, test_iterate_sections_and_keys);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (policy_edit_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
