/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile and malformed input to the USB guards' readers: Type-C identities, USB power
 * supplies and extcon states in a FAKE sysfs tree (the lab kernel has none of these
 * classes), bounded sysfs reads, and kernel uevent datagrams. */
#include "config.h"

#include <check.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cg-sysfs.h"
#include "cg-typec.h"
#include "cg-usb-cable.h"
#include "cg-usb-config.h"
#include "cg-usb-uevent.h"
#include "cg-test-tree.h"

static char *root;

#define ck_assert_error(err, dom, c) ck_assert (g_error_matches ((err), (dom), (c)))

static void
write_bytes (const char *relative, const char *data, gsize len)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0755), 0);
  ck_assert (g_file_set_contents (path, data, (gssize)len, NULL));
}

static void
fake_root_setup (void)
{
  root = g_dir_make_tmp ("cg-usb-typec-XXXXXX", NULL);
  ck_assert_ptr_nonnull (root);
  write_bytes ("sys/class/typec/port0/data_role", "[device] host\n", 14);
}

static void
fake_root_teardown (void)
{
  cg_test_tree_remove (root);
  g_clear_pointer (&root, g_free);
}

static void
assert_partner_without_vid (const char *id_header, gsize len)
{
  g_autoptr (CgSysfs) sysfs = cg_sysfs_new (root);
  CgTypecState state;

  write_bytes ("sys/class/typec/port0-partner/identity/id_header", id_header, len);
  cg_typec_read_state (sysfs, &state);
  ck_assert (state.has_port);
  ck_assert (state.has_partner);
  ck_assert (!state.has_vid);
}

START_TEST (test_partner_vid_is_bits_15_0)
{
  g_autoptr (CgSysfs) sysfs = cg_sysfs_new (root);
  CgTypecState state;

  write_bytes ("sys/class/typec/port0-partner/identity/id_header", "0x6c001c98\n", 11);
  cg_typec_read_state (sysfs, &state);
  ck_assert (state.has_partner && state.has_vid);
  ck_assert_uint_eq (state.vid, 0x1c98);
}
END_TEST

START_TEST (test_no_partner)
{
  g_autoptr (CgSysfs) sysfs = cg_sysfs_new (root);
  CgTypecState state;

  cg_typec_read_state (sysfs, &state);
  ck_assert (state.has_port);
  ck_assert (!state.has_partner);
}
END_TEST

START_TEST (test_hostile_id_headers_are_unknown)
{
  g_autofree char *overlong = g_strnfill (100000, 'f');
  static const char invalid_utf8[] = "0x\xff\xfe\xc3\x28";

  assert_partner_without_vid ("0x00000000\n", 11);
  assert_partner_without_vid ("", 0);
  assert_partner_without_vid ("garbage\n", 8);
  assert_partner_without_vid ("0x1ffffffff\n", 12); /* more than 32 bits */
  assert_partner_without_vid (overlong, strlen (overlong));
  assert_partner_without_vid (invalid_utf8, sizeof invalid_utf8 - 1);
  assert_partner_without_vid ("-0x1c98\n", 8);
}
END_TEST

START_TEST (test_two_partners_disagreeing_are_unknown)
{
  g_autoptr (CgSysfs) sysfs = cg_sysfs_new (root);
  CgTypecState state;

  write_bytes ("sys/class/typec/port0-partner/identity/id_header", "0x6c001c98\n", 11);
  write_bytes ("sys/class/typec/port1/data_role", "[device] host\n", 14);
  write_bytes ("sys/class/typec/port1-partner/identity/id_header", "0x6c001d6b\n", 11);
  cg_typec_read_state (sysfs, &state);
  ck_assert (state.has_partner);
  ck_assert (!state.has_vid);
}
END_TEST

START_TEST (test_sysfs_reads_are_bounded)
{
  g_autoptr (CgSysfs) sysfs = cg_sysfs_new (root);
  g_autofree char *big = g_strnfill (3 * CG_SYSFS_ATTR_MAX, 'A');
  g_autofree char *text = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  write_bytes ("sys/bus/usb/devices/1-1/manufacturer", big, strlen (big));
  text = cg_sysfs_read_text (sysfs, "/sys/bus/usb/devices/1-1/manufacturer", CG_SYSFS_ATTR_MAX,
                             &error);
  ck_assert_ptr_nonnull (text);
  ck_assert_uint_eq (strlen (text), CG_SYSFS_ATTR_MAX);
  bytes = cg_sysfs_read_bytes (sysfs, "/sys/bus/usb/devices/1-1/manufacturer", 10, NULL);
  ck_assert_uint_eq (g_bytes_get_size (bytes), 10);
  g_clear_error (&error);
  ck_assert_ptr_null (cg_sysfs_read_text (sysfs, "/sys/nope", 10, &error));
  ck_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}
END_TEST

START_TEST (test_usb_type_says_whether_a_host_is_there)
{
  ck_assert (cg_usb_cable_usb_type_has_host ("Unknown [SDP] DCP CDP"));
  ck_assert (cg_usb_cable_usb_type_has_host ("Unknown SDP DCP [CDP]"));
  ck_assert (!cg_usb_cable_usb_type_has_host ("Unknown SDP [DCP] CDP"));
  ck_assert (!cg_usb_cable_usb_type_has_host ("DCP"));
  ck_assert (!cg_usb_cable_usb_type_has_host ("[BrickID]"));
  /* Detection not finished, or a value carguard does not know: maybe a host. */
  ck_assert (cg_usb_cable_usb_type_has_host ("[Unknown] SDP DCP"));
  ck_assert (cg_usb_cable_usb_type_has_host ("SDP"));
  ck_assert (cg_usb_cable_usb_type_has_host ("[DCP"));
  ck_assert (cg_usb_cable_usb_type_has_host (""));
}
END_TEST

START_TEST (test_extcon_state)
{
  gboolean has_usb;

  ck_assert (cg_usb_cable_extcon_has_host ("USB=1\nUSB-HOST=0\n", &has_usb));
  ck_assert (has_usb);
  ck_assert (!cg_usb_cable_extcon_has_host ("USB=0\nUSB-HOST=1\n", &has_usb));
  ck_assert (has_usb);
  ck_assert (cg_usb_cable_extcon_has_host ("USB=0\nSDP=1\n", &has_usb));
  ck_assert (!cg_usb_cable_extcon_has_host ("USB=0\nDCP=1\n", &has_usb));
  /* A headphone jack's extcon is no USB cable signal. */
  ck_assert (!cg_usb_cable_extcon_has_host ("HEADPHONE=1\nMICROPHONE=0\n", &has_usb));
  ck_assert (!has_usb);
  ck_assert (!cg_usb_cable_extcon_has_host ("USB\n=1\n==\n", &has_usb));
  ck_assert (!has_usb);
}
END_TEST

/* Only supplies of type USB that report `online` are cable signals; any one seeing a
 * host counts (a charger chip and a PMIC may both report the port). */
START_TEST (test_cable_read_classes)
{
  g_autoptr (CgSysfs) sysfs = cg_sysfs_new (root);
  CgUsbCable cable;

  cg_test_tree_remove (root);
  write_bytes ("sys/class/power_supply/battery/type", "Battery\n", 8);
  write_bytes ("sys/class/power_supply/battery/online", "1\n", 2);
  write_bytes ("sys/class/extcon/extcon1/state", "HEADPHONE=1\n", 12);
  cg_usb_cable_read (sysfs, &cable);
  ck_assert_uint_eq (cable.signals, 0);
  ck_assert (!cg_usb_cable_host_attached (&cable));

  write_bytes ("sys/class/power_supply/usb/type", "USB_DCP\n", 8);
  write_bytes ("sys/class/power_supply/usb/online", "1\n", 2);
  write_bytes ("sys/class/power_supply/pmic/type", "USB\n", 4);
  write_bytes ("sys/class/power_supply/pmic/online", "0\n", 2);
  cg_usb_cable_read (sysfs, &cable);
  ck_assert_uint_eq (cable.signals, CG_USB_CABLE_POWER_SUPPLY);
  ck_assert (!cg_usb_cable_host_attached (&cable));

  write_bytes ("sys/class/power_supply/pmic/online", "1\n", 2);
  cg_usb_cable_read (sysfs, &cable);
  ck_assert (cg_usb_cable_host_attached (&cable));

  /* With two signals, both must see the host. */
  write_bytes ("sys/class/extcon/extcon0/state", "USB=0\n", 6);
  cg_usb_cable_read (sysfs, &cable);
  ck_assert_uint_eq (cable.signals, CG_USB_CABLE_POWER_SUPPLY | CG_USB_CABLE_EXTCON);
  ck_assert (!cg_usb_cable_host_attached (&cable));
  write_bytes ("sys/class/extcon/extcon0/state", "USB=1\n", 6);
  cg_usb_cable_read (sysfs, &cable);
  ck_assert (cg_usb_cable_host_attached (&cable));
}
END_TEST

START_TEST (test_config_names_stay_in_their_directory)
{
  ck_assert (cg_usb_config_name_is_safe ("g1"));
  ck_assert (cg_usb_config_name_is_safe ("musb-hdrc.1.auto"));
  ck_assert (!cg_usb_config_name_is_safe (".."));
  ck_assert (!cg_usb_config_name_is_safe ("."));
  ck_assert (!cg_usb_config_name_is_safe ("../../etc"));
  ck_assert (!cg_usb_config_name_is_safe ("g 1"));
  ck_assert (!cg_usb_config_name_is_safe ("g\n1"));
  ck_assert (!cg_usb_config_name_is_safe (""));
  ck_assert (!cg_usb_config_name_is_safe (NULL));
}
END_TEST

START_TEST (test_uevent_parse)
{
  static const char good[] = "add@/devices/platform/dummy_udc.0/udc/dummy_udc.0\0ACTION=add\0"
                             "DEVPATH=/devices/platform/dummy_udc.0/udc/dummy_udc.0\0SUBSYSTEM=udc";
  static const char libudev[] = "libudev\0\xfe\xed\xca\xfe";
  static const char no_fields[] = "add@/devices/x";
  static const char truncated[] = "add@/devices/x\0ACTION=add\0DEVPATH";
  g_autoptr (GHashTable) fields = cg_usb_uevent_parse (good, sizeof good);
  g_autofree char *garbage = g_strnfill (8192, '@');

  ck_assert_ptr_nonnull (fields);
  ck_assert_str_eq (g_hash_table_lookup (fields, "SUBSYSTEM"), "udc");
  ck_assert_str_eq (g_hash_table_lookup (fields, "ACTION"), "add");
  ck_assert_ptr_null (cg_usb_uevent_parse (libudev, sizeof libudev - 1));
  ck_assert_ptr_null (cg_usb_uevent_parse (no_fields, sizeof no_fields - 1));
  ck_assert_ptr_null (cg_usb_uevent_parse (truncated, sizeof truncated - 1));
  ck_assert_ptr_null (cg_usb_uevent_parse (garbage, strlen (garbage)));
  ck_assert_ptr_null (cg_usb_uevent_parse ("", 0));
}
END_TEST

static Suite *
usb_typec_suite (void)
{
  Suite *s = suite_create ("usb-typec");
  TCase *tc = tcase_create ("fake-sysfs");
  TCase *pure = tcase_create ("parsers");

  tcase_add_checked_fixture (tc, fake_root_setup, fake_root_teardown);
  tcase_add_test (tc, test_partner_vid_is_bits_15_0);
  tcase_add_test (tc, test_no_partner);
  tcase_add_test (tc, test_hostile_id_headers_are_unknown);
  tcase_add_test (tc, test_two_partners_disagreeing_are_unknown);
  tcase_add_test (tc, test_sysfs_reads_are_bounded);
  tcase_add_test (tc, test_cable_read_classes);
  suite_add_tcase (s, tc);
  tcase_add_test (pure, test_config_names_stay_in_their_directory);
  tcase_add_test (pure, test_uevent_parse);
  tcase_add_test (pure, test_usb_type_says_whether_a_host_is_there);
  tcase_add_test (pure, test_extcon_state);
  suite_add_tcase (s, pure);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (usb_typec_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
