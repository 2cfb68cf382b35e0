/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The small parts: document edits that keep untouched lines, the schema, the UUIDs
 * BlueZ hands over, Modalias and address parsing, grants and globs. */
#include <check.h>
#include <string.h>

#include "cg-document.h"
#include "cg-policy.h"

static const char vendor_text[] = "# BYD\n"
                                  "[Vendor]\n"
                                  "Name = BYD   \n"
                                  "\n"
                                  "# how to recognise them\n"
                                  "[Match]\n"
                                  "BluetoothOUI=00:1E:DE\n"
                                  "\n"
                                  "# a vetted unit\n"
                                  "[Device]\n"
                                  "BluetoothAddress=00:1E:DE:00:00:01\n";

static CgDocument *
parse_vendor (void)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  CgDocument *doc = cg_document_parse ("byd.conf", vendor_text, strlen (vendor_text), diagnostics);

  ck_assert_ptr_nonnull (doc);
  ck_assert_uint_eq (diagnostics->len, 0);
  return doc;
}

START_TEST (test_document_round_trip)
{
  g_autoptr (CgDocument) doc = parse_vendor ();
  g_autofree char *data = cg_document_to_data (doc, NULL);

  ck_assert_str_eq (data, vendor_text);
  ck_assert_str_eq (cg_document_get (doc, "Vendor", 0, "Name"), "BYD");
  ck_assert_str_eq (cg_document_get (doc, "Device", 0, "BluetoothAddress"), "00:1E:DE:00:00:01");
  ck_assert_ptr_null (cg_document_get (doc, "Device", 1, "BluetoothAddress"));
  ck_assert_str_eq (cg_document_get_file (doc), "byd.conf");
}
END_TEST

START_TEST (test_document_edits_touch_one_line)
{
  g_autoptr (CgDocument) doc = parse_vendor ();
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  guint index;

  ck_assert (cg_document_set (doc, "Vendor", 0, "Name", "BYD Auto", &error));
  ck_assert (cg_document_set (doc, "Match", 0, "USB", "19d1", &error));
  ck_assert (cg_document_set (doc, "Policy", 0, "Preset", "audio-only", &error));
  ck_assert (cg_document_unset (doc, "Match", 0, "BluetoothOUI", &error));
  index = cg_document_add_section (doc, "Device");
  ck_assert_uint_eq (index, 1);
  ck_assert (cg_document_set (doc, "Device", 1, "USBSerial", "\"HU 1\"", &error));
  g_assert_no_error (error);
  data = cg_document_to_data (doc, NULL);
  ck_assert_str_eq (data, "# BYD\n"
                          "[Vendor]\n"
                          "Name = BYD Auto\n"
                          "\n"
                          "# how to recognise them\n"
                          "[Match]\n"
                          "USB=19d1\n"
                          "\n"
                          "# a vetted unit\n"
                          "[Device]\n"
                          "BluetoothAddress=00:1E:DE:00:00:01\n"
                          "\n"
                          "[Policy]\n"
                          "Preset=audio-only\n"
                          "\n"
                          "[Device]\n"
                          "USBSerial=\"HU 1\"\n");
}
END_TEST

START_TEST (test_document_edit_errors)
{
  g_autoptr (CgDocument) doc = parse_vendor ();
  g_autoptr (GError) error = NULL;

  ck_assert (!cg_document_set (doc, "Device", 5, "Preset", "block", &error));
  g_assert_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert (!cg_document_set (doc, "Vendor", 0, "Name", "two\nlines", &error));
  g_assert_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert (!cg_document_set (doc, "Vendor", 0, "Bad Key", "x", &error));
  g_assert_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert (!cg_document_unset (doc, "Vendor", 0, "Comment", &error));
  g_assert_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND);
}
END_TEST

START_TEST (test_document_new_empty)
{
  g_autoptr (CgDocument) doc = cg_document_new_empty ("x.conf");
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;

  ck_assert (cg_document_set (doc, "Vendor", 0, "Name", "X", &error));
  ck_assert (cg_document_set (doc, "Match", 0, "USB", "1234", &error));
  data = cg_document_to_data (doc, NULL);
  ck_assert_str_eq (data, "[Vendor]\nName=X\n\n[Match]\nUSB=1234\n");
}
END_TEST

START_TEST (test_schema)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autofree char *message = NULL;

  ck_assert_str_eq (cg_schema_section_for_key (FALSE, "BluetoothOUI"), "Match");
  ck_assert_str_eq (cg_schema_section_for_key (FALSE, "Preset"), "Policy");
  ck_assert_str_eq (cg_schema_section_for_key (FALSE, "Name"), "Vendor");
  ck_assert_str_eq (cg_schema_section_for_key (FALSE, "USBSerial"), "Device");
  ck_assert_str_eq (cg_schema_section_for_key (TRUE, "Pairing"), "Default");
  ck_assert_ptr_null (cg_schema_section_for_key (TRUE, "BluetoothOUI"));
  ck_assert (cg_schema_check_value (FALSE, "Policy", "Profiles", "a2dp hfp", diagnostics));
  ck_assert (!cg_schema_check_value (FALSE, "Policy", "Profiles", "a2dp bogus", diagnostics));
  ck_assert (!cg_schema_check_value (FALSE, "Match", "Colour", "red", diagnostics));
  ck_assert_uint_eq (diagnostics->len, 2);
  message = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, 0));
  ck_assert_str_eq (message, "<command line>:1:6: error: unknown profile 'bogus'");
}
END_TEST

static const struct {
  const char *uuid;
  CgProfile profile;
} bluez_uuids[] = {
  { "0000110d-0000-1000-8000-00805f9b34fb", CG_PROFILE_A2DP },
  { "0000110a", CG_PROFILE_A2DP },
  { "110b", CG_PROFILE_A2DP },
  { "0019", CG_PROFILE_A2DP },
  { "0000110E-0000-1000-8000-00805F9B34FB", CG_PROFILE_AVRCP },
  { "110c", CG_PROFILE_AVRCP },
  { "110f", CG_PROFILE_AVRCP },
  { "0017", CG_PROFILE_AVRCP },
  { "0000000f-0000-1000-8000-00805f9b34fb", CG_PROFILE_PAN },
  { "1115", CG_PROFILE_PAN },
  { "1116", CG_PROFILE_PAN },
  { "1117", CG_PROFILE_PAN },
  { "00001124-0000-1000-8000-00805f9b34fb", CG_PROFILE_HID },
  { "1812", CG_PROFILE_HID },
  { "111f", CG_PROFILE_HFP },
  { "111e", CG_PROFILE_HFP },
  { "1108", CG_PROFILE_HSP },
  { "1112", CG_PROFILE_HSP },
  { "1131", CG_PROFILE_HSP },
  { "112f", CG_PROFILE_PBAP },
  { "112e", CG_PROFILE_PBAP },
  { "1130", CG_PROFILE_PBAP },
  { "1132", CG_PROFILE_MAP },
  { "1133", CG_PROFILE_MAP },
  { "1134", CG_PROFILE_MAP },
  { "1105", CG_PROFILE_OPP },
  { "1106", CG_PROFILE_FTP },
  { "1103", CG_PROFILE_DUN },
  { "1101", CG_PROFILE_SPP },
  { "112d", CG_PROFILE_SAP },
  { "1104", CG_PROFILE_SYNC },
  { "111a", CG_PROFILE_BIP },
  { "111b", CG_PROFILE_BIP },
  { "111c", CG_PROFILE_BIP },
  { "1200", CG_PROFILE_PNP },
  { "1800", CG_PROFILE_GATT },
  { "1801", CG_PROFILE_GATT },
  { "0000fd6f-0000-1000-8000-00805f9b34fb", CG_PROFILE_UNKNOWN },
  { "0000110d-0000-1000-8000-00805f9b34fc", CG_PROFILE_UNKNOWN },
  { "0001110d", CG_PROFILE_UNKNOWN },
  { "110", CG_PROFILE_UNKNOWN },
  { "110dx", CG_PROFILE_UNKNOWN },
  { "", CG_PROFILE_UNKNOWN },
  { NULL, CG_PROFILE_UNKNOWN },
};

START_TEST (test_profile_from_uuid)
{
  ck_assert_msg (cg_profile_from_uuid (bluez_uuids[_i].uuid) == bluez_uuids[_i].profile, "%s",
                 bluez_uuids[_i].uuid != NULL ? bluez_uuids[_i].uuid : "(null)");
}
END_TEST

START_TEST (test_profile_names)
{
  for (int p = 0; p < CG_PROFILE_N; p++)
    ck_assert_int_eq (cg_profile_from_name (cg_profile_to_name ((CgProfile)p)), p);
  ck_assert_int_eq (cg_profile_from_name ("A2DP"), CG_PROFILE_A2DP);
  ck_assert_int_eq (cg_profile_from_name ("phonebook"), CG_PROFILE_UNKNOWN);
}
END_TEST

START_TEST (test_uuid_normalize)
{
  g_autofree char *short_form = cg_uuid_normalize ("110D");
  g_autofree char *long_form = cg_uuid_normalize ("0000FD6F-0000-1000-8000-00805F9B34FB");
  g_autofree char *bad = cg_uuid_normalize ("0000fd6f-0000-1000-8000-00805f9b34f");

  ck_assert_str_eq (short_form, "0000110d-0000-1000-8000-00805f9b34fb");
  ck_assert_str_eq (long_form, "0000fd6f-0000-1000-8000-00805f9b34fb");
  ck_assert_ptr_null (bad);
}
END_TEST

START_TEST (test_modalias)
{
  CgDeviceId id = { 0 };

  ck_assert (cg_device_id_parse_modalias ("bluetooth:v001Dp1200d1436", &id));
  ck_assert_int_eq (id.source, CG_DEVICE_ID_SOURCE_BLUETOOTH);
  ck_assert_uint_eq (id.vendor, 0x001d);
  ck_assert_uint_eq (id.product, 0x1200);
  ck_assert_uint_eq (id.version, 0x1436);
  ck_assert (cg_device_id_parse_modalias ("usb:v1D6Bp0246d0537", &id));
  ck_assert_int_eq (id.source, CG_DEVICE_ID_SOURCE_USB);
  ck_assert_uint_eq (id.vendor, 0x1d6b);
  ck_assert (cg_device_id_parse_modalias ("usb:v1D6Bp0246", &id));
  ck_assert (!cg_device_id_parse_modalias ("usb:v1D6Bp024", &id));
  ck_assert (!cg_device_id_parse_modalias ("usb:v1D6Bp0246d0537x", &id));
  ck_assert (!cg_device_id_parse_modalias ("pci:v1D6Bp0246", &id));
  ck_assert (!cg_device_id_parse_modalias ("bluetooth:", &id));
  ck_assert (!cg_device_id_parse_modalias (NULL, &id));
}
END_TEST

START_TEST (test_bt_address_and_class)
{
  guint8 bytes[6];

  ck_assert (cg_bt_address_parse ("00:1e:DE:12:34:56", bytes));
  ck_assert_uint_eq (bytes[0], 0x00);
  ck_assert_uint_eq (bytes[2], 0xde);
  ck_assert_uint_eq (bytes[5], 0x56);
  ck_assert (!cg_bt_address_parse ("00:1e:DE:12:34:5", bytes));
  ck_assert (!cg_bt_address_parse ("00:1e:DE:12:34:567", bytes));
  ck_assert (!cg_bt_address_parse ("00-1e-DE-12-34-56", bytes));
  ck_assert (cg_bt_class_is_car (0x200420));
  ck_assert (cg_bt_class_is_car (0x240408));
  ck_assert (!cg_bt_class_is_car (0x240404));
  ck_assert (!cg_bt_class_is_car (0x5a020c));
  ck_assert_str_eq (cg_bt_class_describe (0x200420), "car-audio");
  ck_assert_str_eq (cg_bt_class_describe (0x5a020c), "phone");
}
END_TEST

/* The kind of a random address is in its top two bits; anything BlueZ did not say is
 * taken as naming nobody. */
START_TEST (test_bt_address_type)
{
  const guint8 static_addr[6] = { 0xc0, 1, 2, 3, 4, 5 };
  const guint8 resolvable[6] = { 0x40, 1, 2, 3, 4, 5 };
  const guint8 non_resolvable[6] = { 0x00, 1, 2, 3, 4, 5 };
  const guint8 reserved[6] = { 0x80, 1, 2, 3, 4, 5 };
  CgBtAddressType type;

  ck_assert_int_eq (cg_bt_address_type_from_bluez ("public", resolvable), CG_BT_ADDRESS_PUBLIC);
  ck_assert_int_eq (cg_bt_address_type_from_bluez ("random", static_addr), CG_BT_ADDRESS_STATIC);
  ck_assert_int_eq (cg_bt_address_type_from_bluez ("random", resolvable), CG_BT_ADDRESS_RESOLVABLE);
  ck_assert_int_eq (cg_bt_address_type_from_bluez ("random", non_resolvable),
                    CG_BT_ADDRESS_NON_RESOLVABLE);
  ck_assert_int_eq (cg_bt_address_type_from_bluez ("random", reserved),
                    CG_BT_ADDRESS_NON_RESOLVABLE);
  ck_assert_int_eq (cg_bt_address_type_from_bluez (NULL, static_addr),
                    CG_BT_ADDRESS_NON_RESOLVABLE);
  ck_assert_int_eq (cg_bt_address_type_from_bluez ("Public", static_addr),
                    CG_BT_ADDRESS_NON_RESOLVABLE);
  ck_assert (cg_bt_address_type_is_identity (CG_BT_ADDRESS_PUBLIC));
  ck_assert (cg_bt_address_type_is_identity (CG_BT_ADDRESS_STATIC));
  ck_assert (!cg_bt_address_type_is_identity (CG_BT_ADDRESS_RESOLVABLE));
  ck_assert (!cg_bt_address_type_is_identity (CG_BT_ADDRESS_NON_RESOLVABLE));
  for (int t = CG_BT_ADDRESS_PUBLIC; t <= CG_BT_ADDRESS_NON_RESOLVABLE; t++) {
    ck_assert (cg_bt_address_type_from_string (cg_bt_address_type_to_string (t), &type));
    ck_assert_int_eq (type, t);
  }
  ck_assert (!cg_bt_address_type_from_string ("random", &type));
  ck_assert (!cg_bt_address_type_from_string (NULL, &type));
}
END_TEST

START_TEST (test_grant_restrict)
{
  CgGrant trusted, audio, usb_audio, usb_hid;

  cg_grant_init_preset (&trusted, CG_PRESET_TRUSTED);
  cg_grant_init_preset (&audio, CG_PRESET_AUDIO_ONLY);
  cg_grant_restrict (&trusted, &audio);
  ck_assert_int_eq (trusted.pairing, CG_PAIRING_ALLOW);
  ck_assert (!trusted.all_uuids);
  ck_assert (cg_grant_allows_uuid (&trusted, "110d"));
  ck_assert (!cg_grant_allows_uuid (&trusted, "1132"));
  ck_assert_int_eq (trusted.usb_mode, CG_USB_MODE_CHARGE_ONLY);

  /* Data with disjoint interface sets leaves no interface: no data at all. */
  cg_grant_init_preset (&usb_audio, CG_PRESET_TRUSTED);
  cg_grant_init_preset (&usb_hid, CG_PRESET_TRUSTED);
  usb_audio.usb_interfaces[0] = 1u << 0x01;
  usb_hid.usb_interfaces[0] = 1u << 0x03;
  ck_assert (cg_grant_allows_usb_interface (&usb_audio, 0x01));
  ck_assert (!cg_grant_allows_usb_interface (&usb_audio, 0x03));
  cg_grant_restrict (&usb_audio, &usb_hid);
  ck_assert_int_eq (usb_audio.usb_mode, CG_USB_MODE_CHARGE_ONLY);
  ck_assert (!cg_grant_allows_usb_interface (&usb_audio, 0x01));
  ck_assert (!cg_grant_allows_usb_interface (&usb_audio, 0x03));
  cg_grant_clear (&trusted);
  cg_grant_clear (&audio);
}
END_TEST

/* No preset opens data while locked; a vendor opts in with USBWhileLocked=data, and two
 * grants combined keep the stricter. */
START_TEST (test_usb_while_locked)
{
  const char *names[] = { "carguard.conf", "dock.conf", "kbd.conf" };
  const char *texts[] = {
    "[Default]\nPreset=trusted\n",
    ("[Vendor]\n[Match]\nUSB=17ef\n[Policy]\nPreset=trusted\nUSBWhileLocked=data\n"
     "[Device]\nUSBSerial=D1\nUSBWhileLocked=charge-only\n"),
    "[Vendor]\n[Match]\nUSBProduct=\"Keyboard\"\n[Policy]\nPreset=trusted\n",
  };
  const CgFacts dock = { .has_usb_id = TRUE, .usb_vid = 0x17ef };
  const CgFacts dock_d1 = { .has_usb_id = TRUE, .usb_vid = 0x17ef, .usb_serial = "D1" };
  const CgFacts dock_keyboard
      = { .has_usb_id = TRUE, .usb_vid = 0x17ef, .usb_product = "Keyboard" };
  const CgFacts other = { .has_usb_id = TRUE, .usb_vid = 0x1234 };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 3, NULL, &error);
  struct {
    const CgFacts *facts;
    CgUsbWhileLocked expected;
  } rows[] = {
    { &dock, CG_USB_LOCKED_DATA },
    { &dock_d1, CG_USB_LOCKED_CHARGE_ONLY },
    { &dock_keyboard, CG_USB_LOCKED_CHARGE_ONLY },
    { &other, CG_USB_LOCKED_CHARGE_ONLY },
  };
  CgGrant trusted;

  g_assert_no_error (error);
  cg_grant_init_preset (&trusted, CG_PRESET_TRUSTED);
  ck_assert_int_eq (trusted.usb_while_locked, CG_USB_LOCKED_CHARGE_ONLY);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_auto (CgDecision) decision = { 0 };

    cg_policy_decide (policy, rows[i].facts, CG_TRANSPORT_USB, &decision);
    ck_assert_msg (decision.grant.usb_while_locked == rows[i].expected, "row %u", i);
    ck_assert_int_eq (decision.grant.usb_mode, CG_USB_MODE_DATA);
  }
}
END_TEST

/* Globs through the policy: the matcher is internal, the behaviour is not. */
static gboolean
name_matches (const char *glob, const char *name)
{
  g_autofree char *vendor = g_strdup_printf ("[Vendor]\n[Match]\nName=\"%s\"\n", glob);
  const char *names[] = { "v.conf" };
  const char *texts[] = { vendor };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 1, NULL, &error);
  g_auto (CgDecision) decision = { 0 };
  const CgFacts facts = { .bt_name = name };

  g_assert_no_error (error);
  cg_policy_decide (policy, &facts, CG_TRANSPORT_BLUETOOTH, &decision);
  return decision.level == CG_LEVEL_VENDOR;
}

START_TEST (test_glob)
{
  g_autofree char *long_a = g_strnfill (4000, 'a');
  g_autofree char *huge = g_strnfill (1 << 22, 'a');

  ck_assert (name_matches ("MY CAR*", "MY CAR 2000"));
  ck_assert (!name_matches ("MY CAR*", "my car 2000"));
  ck_assert (name_matches ("*Audio", "Car Audio"));
  ck_assert (name_matches ("C?r*", "Car"));
  ck_assert (!name_matches ("C?r*", "Cr"));
  /* Inside quotes a doubled backslash is one, which then quotes the star. */
  ck_assert (name_matches ("a\\\\*b", "a*b"));
  ck_assert (!name_matches ("a\\\\*b", "axb"));
  ck_assert (name_matches ("*", ""));
  /* The classic exponential case stays linear-ish and simply does not match. */
  ck_assert (!name_matches ("*a*a*a*a*a*a*a*a*a*a*b", long_a));
  /* Huge device strings are cut to 1024 bytes before matching. */
  ck_assert (name_matches ("aaaa*", huge));
}
END_TEST

/* Globs are filed by literal prefix: every glob whose prefix the name starts with must
 * still be found, including ones that start with a wildcard and overlapping prefixes. */
START_TEST (test_glob_index_finds_every_match)
{
  const char *names[] = { "a.conf", "b.conf", "c.conf", "d.conf", "e.conf" };
  const char *texts[] = {
    "[Vendor]\n[Match]\nName=\"Head*\"\n",        "[Vendor]\n[Match]\nName=\"Head Unit 7*\"\n",
    "[Vendor]\n[Match]\nName=\"Head Unit 8*\"\n", "[Vendor]\n[Match]\nName=\"*Unit 7\"\n",
    "[Vendor]\n[Match]\nName=\"Hea?\"\n",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 5, NULL, &error);
  g_auto (CgDecision) unit7 = { 0 };
  g_auto (CgDecision) head = { 0 };
  const CgFacts unit7_facts = { .bt_name = "Head Unit 7" };
  const CgFacts head_facts = { .bt_name = "Heax" };
  g_autoptr (GHashTable) vendors = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_no_error (error);
  cg_policy_decide (policy, &unit7_facts, CG_TRANSPORT_BLUETOOTH, &unit7);
  for (guint i = 0; i < unit7.rules->len; i++) {
    const CgRule *rule = g_ptr_array_index (unit7.rules, i);
    g_hash_table_add (vendors, (gpointer)cg_vendor_get_id (rule->vendor));
  }
  ck_assert_uint_eq (g_hash_table_size (vendors), 3);
  ck_assert (g_hash_table_contains (vendors, "a"));
  ck_assert (g_hash_table_contains (vendors, "b"));
  ck_assert (g_hash_table_contains (vendors, "d"));

  cg_policy_decide (policy, &head_facts, CG_TRANSPORT_BLUETOOTH, &head);
  ck_assert_uint_eq (head.rules->len, 1);
  ck_assert_str_eq (cg_vendor_get_id (((const CgRule *)g_ptr_array_index (head.rules, 0))->vendor),
                    "e");
}
END_TEST

/* The daemon's sections of carguard.conf are settings, not grant slots: they may stand
 * anywhere, and the guards read them from the loaded policy. */
START_TEST (test_daemon_settings)
{
  const char *names[] = { "carguard.conf" };
  const char *texts[] = { "[USBGadget]\nGadget=g1\n[CarDefault]\nPreset=audio-only\n"
                          "[USBHost]\nGuard=no\n[Default]\nPreset=charge-only\n" };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 1, NULL, &error);

  g_assert_no_error (error);
  ck_assert_str_eq (cg_policy_get_setting (policy, "USBGadget", "Gadget"), "g1");
  ck_assert_str_eq (cg_policy_get_setting (policy, "USBHost", "Guard"), "no");
  ck_assert_ptr_null (cg_policy_get_setting (policy, "USBGadget", "UDC"));
  ck_assert_int_eq (cg_policy_get_default (policy, TRUE)->pairing, CG_PAIRING_ALLOW);
  ck_assert_int_eq (cg_policy_get_default (policy, FALSE)->pairing, CG_PAIRING_DENY);
}
END_TEST

static Suite *
primitives_suite (void)
{
  Suite *s = suite_create ("policy-primitives");
  TCase *doc = tcase_create ("document");
  TCase *ids = tcase_create ("identifiers");

  tcase_add_test (doc, test_document_round_trip);
  tcase_add_test (doc, test_document_edits_touch_one_line);
  tcase_add_test (doc, test_document_edit_errors);
  tcase_add_test (doc, test_document_new_empty);
  tcase_add_test (doc, test_schema);
  tcase_add_loop_test (ids, test_profile_from_uuid, 0, G_N_ELEMENTS (bluez_uuids));
  tcase_add_test (ids, test_profile_names);
  tcase_add_test (ids, test_uuid_normalize);
  tcase_add_test (ids, test_modalias);
  tcase_add_test (ids, test_bt_address_and_class);
  tcase_add_test (ids, test_bt_address_type);
  tcase_add_test (ids, test_grant_restrict);
  tcase_add_test (ids, test_usb_while_locked);
  tcase_add_test (ids, test_glob);
  tcase_add_test (ids, test_glob_index_finds_every_match);
  tcase_add_test (ids, test_daemon_settings);
  suite_add_tcase (s, doc);
  suite_add_tcase (s, ids);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (primitives_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
