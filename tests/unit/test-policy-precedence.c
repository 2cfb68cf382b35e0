/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Precedence, table-driven: device > vendor+product > vendor > class > default, per
 * transport, with the deciding file:line for each row. */
#include <check.h>
#include <string.h>

#include "cg-policy.h"

static const char main_conf[] = "[Default]\n"
                                "Pairing=ask\n"
                                "Profiles=a2dp avrcp hfp hsp hid pnp gatt\n"
                                "USBMode=charge-only\n"
                                "\n"
                                "[CarDefault]\n"
                                "Preset=audio-only\n";

static const char alpha_conf[] = "[Vendor]\n"
                                 "Name=Alpha\n"
                                 "[Match]\n"
                                 "BluetoothOUI=00:11:22\n"
                                 "DeviceID=bluetooth:v0001 bluetooth:v0001p0002\n"
                                 "USB=1111 1111:2222\n"
                                 "Name=\"Alpha*\"\n"
                                 "Class=0x000404\n"
                                 "USBInterfaceClass=mass-storage\n"
                                 "[Policy]\n"
                                 "Preset=trusted\n"
                                 "[Device]\n"
                                 "BluetoothAddress=00:11:22:33:44:55\n"
                                 "Preset=block\n"
                                 "[Device]\n"
                                 "USBSerial=ALPHA-1\n"
                                 "Preset=charge-only\n";

static const char beta_conf[] = "[Vendor]\n"
                                "[Match]\n"
                                "Name=\"Beta*\"\n"
                                "Organization=\"Beta Org*\"\n"
                                "USBManufacturer=\"Beta*\"\n"
                                "TypeCPartnerVID=3333\n"
                                "[Policy]\n"
                                "Preset=audio-only\n"
                                "USBMode=data\n"
                                "USBInterfaces=audio hid\n";

/* A block by OUI and by manufacturer, beside alpha's more specific allows. */
static const char gamma_conf[] = "[Vendor]\n"
                                 "[Match]\n"
                                 "BluetoothOUI=00:AA:BB\n"
                                 "USBManufacturer=\"Gamma*\"\n"
                                 "[Policy]\n"
                                 "Preset=block\n";

static const guint8 mass_storage[] = { 0x08 };

typedef struct {
  const char *what;
  CgTransport transport;
  CgFacts facts;
  CgLevel level;
  int grant; /* CgPairing for Bluetooth rows, CgUsbMode for USB rows */
  const char *rule;
  guint n_rules;
} Row;

#define BT CG_TRANSPORT_BLUETOOTH
#define USB CG_TRANSPORT_USB

static const Row rows[] = {
  { "address beats everything",
    BT,
    { .bt_address = "00:11:22:33:44:55", .bt_name = "Beta car" },
    CG_LEVEL_DEVICE,
    CG_PAIRING_DENY,
    "alpha.conf:13",
    1 },
  { "address in any case",
    BT,
    { .bt_address = "00:11:22:33:44:55" },
    CG_LEVEL_DEVICE,
    CG_PAIRING_DENY,
    "alpha.conf:13",
    1 },
  { "device id with product beats OUI",
    BT,
    { .bt_address = "00:11:22:99:99:99",
      .bt_device_id = { CG_DEVICE_ID_SOURCE_BLUETOOTH, 0x0001, 0x0002, 0 } },
    CG_LEVEL_PRODUCT,
    CG_PAIRING_ALLOW,
    "alpha.conf:5",
    1 },
  { "OUI",
    BT,
    { .bt_address = "00:11:22:99:99:99" },
    CG_LEVEL_VENDOR,
    CG_PAIRING_ALLOW,
    "alpha.conf:4",
    1 },
  { "device id vendor only",
    BT,
    { .bt_device_id = { CG_DEVICE_ID_SOURCE_BLUETOOTH, 0x0001, 0x7777, 0 } },
    CG_LEVEL_VENDOR,
    CG_PAIRING_ALLOW,
    "alpha.conf:5",
    1 },
  { "usb device id source is not bluetooth",
    BT,
    { .bt_device_id = { CG_DEVICE_ID_SOURCE_USB, 0x0001, 0x0002, 0 } },
    CG_LEVEL_DEFAULT,
    CG_PAIRING_ASK,
    "carguard.conf:1",
    1 },
  { "name glob",
    BT,
    { .bt_address = "AA:BB:CC:DD:EE:FF", .bt_name = "Alpha 1" },
    CG_LEVEL_VENDOR,
    CG_PAIRING_ALLOW,
    "alpha.conf:7",
    1 },
  { "two vendors at one level: most restrictive, both named",
    BT,
    { .bt_address = "00:11:22:00:00:01", .bt_name = "Beta X" },
    CG_LEVEL_VENDOR,
    CG_PAIRING_ALLOW,
    "alpha.conf:4",
    2 },
  { "organisation glob",
    BT,
    { .bt_organization = "Beta Org Ltd" },
    CG_LEVEL_VENDOR,
    CG_PAIRING_ALLOW,
    "beta.conf:4",
    1 },
  { "vendor class beats car default",
    BT,
    { .has_bt_class = TRUE, .bt_class = 0x200404 },
    CG_LEVEL_CLASS,
    CG_PAIRING_ALLOW,
    "alpha.conf:8",
    1 },
  { "car class without vendor",
    BT,
    { .has_bt_class = TRUE, .bt_class = 0x200420 },
    CG_LEVEL_CLASS,
    CG_PAIRING_ALLOW,
    "carguard.conf:6",
    1 },
  { "hands-free is a car class",
    BT,
    { .has_bt_class = TRUE, .bt_class = 0x240408 },
    CG_LEVEL_CLASS,
    CG_PAIRING_ALLOW,
    "carguard.conf:6",
    1 },
  { "phone gets the default",
    BT,
    { .has_bt_class = TRUE, .bt_class = 0x5a020c },
    CG_LEVEL_DEFAULT,
    CG_PAIRING_ASK,
    "carguard.conf:1",
    1 },
  { "garbage address is no address",
    BT,
    { .bt_address = "00:11:22:33:44:5" },
    CG_LEVEL_DEFAULT,
    CG_PAIRING_ASK,
    "carguard.conf:1",
    1 },
  { "hostile name",
    BT,
    { .bt_name = "\xff\xfe"
                 "Alpha\x1b[2J" },
    CG_LEVEL_DEFAULT,
    CG_PAIRING_ASK,
    "carguard.conf:1",
    1 },
  { "a vendor block beats a product allow in another file",
    BT,
    { .bt_address = "00:AA:BB:00:00:01",
      .bt_device_id = { CG_DEVICE_ID_SOURCE_BLUETOOTH, 0x0001, 0x0002, 0 } },
    CG_LEVEL_VENDOR,
    CG_PAIRING_DENY,
    "gamma.conf:3",
    1 },
  { "a block by address beats a trusted name",
    BT,
    { .bt_address = "00:11:22:33:44:55", .bt_name = "Alpha 1" },
    CG_LEVEL_DEVICE,
    CG_PAIRING_DENY,
    "alpha.conf:13",
    1 },
  { "a private address matches no address rule",
    BT,
    { .bt_address = "00:11:22:33:44:55", .bt_address_type = CG_BT_ADDRESS_RESOLVABLE },
    CG_LEVEL_DEFAULT,
    CG_PAIRING_ASK,
    "carguard.conf:1",
    1 },
  { "a private address has no OUI",
    BT,
    { .bt_address = "00:11:22:99:99:99", .bt_address_type = CG_BT_ADDRESS_NON_RESOLVABLE },
    CG_LEVEL_DEFAULT,
    CG_PAIRING_ASK,
    "carguard.conf:1",
    1 },
  { "a static address matches its address rule",
    BT,
    { .bt_address = "00:11:22:33:44:55", .bt_address_type = CG_BT_ADDRESS_STATIC },
    CG_LEVEL_DEVICE,
    CG_PAIRING_DENY,
    "alpha.conf:13",
    1 },
  { "a static address has no OUI",
    BT,
    { .bt_address = "00:11:22:99:99:99", .bt_address_type = CG_BT_ADDRESS_STATIC },
    CG_LEVEL_DEFAULT,
    CG_PAIRING_ASK,
    "carguard.conf:1",
    1 },
  { "serial beats VID:PID",
    USB,
    { .usb_serial = "ALPHA-1", .has_usb_id = TRUE, .usb_vid = 0x1111, .usb_pid = 0x2222 },
    CG_LEVEL_DEVICE,
    CG_USB_MODE_CHARGE_ONLY,
    "alpha.conf:16",
    1 },
  { "serial without its vendor's USB id only takes away",
    USB,
    { .usb_serial = "ALPHA-1", .has_usb_id = TRUE, .usb_vid = 0x9999, .usb_pid = 0x0001 },
    CG_LEVEL_DEFAULT,
    CG_USB_MODE_CHARGE_ONLY,
    "carguard.conf:1",
    2 },
  { "VID:PID",
    USB,
    { .has_usb_id = TRUE, .usb_vid = 0x1111, .usb_pid = 0x2222 },
    CG_LEVEL_PRODUCT,
    CG_USB_MODE_DATA,
    "alpha.conf:6",
    1 },
  { "VID",
    USB,
    { .has_usb_id = TRUE, .usb_vid = 0x1111, .usb_pid = 0x9999 },
    CG_LEVEL_VENDOR,
    CG_USB_MODE_DATA,
    "alpha.conf:6",
    1 },
  { "manufacturer glob",
    USB,
    { .usb_manufacturer = "Beta Corp" },
    CG_LEVEL_VENDOR,
    CG_USB_MODE_DATA,
    "beta.conf:5",
    1 },
  { "Type-C partner",
    USB,
    { .has_typec_partner_vid = TRUE, .typec_partner_vid = 0x3333 },
    CG_LEVEL_VENDOR,
    CG_USB_MODE_DATA,
    "beta.conf:6",
    1 },
  { "interface class",
    USB,
    { .usb_interface_classes = mass_storage, .n_usb_interface_classes = 1 },
    CG_LEVEL_CLASS,
    CG_USB_MODE_DATA,
    "alpha.conf:9",
    1 },
  { "a manufacturer block beats a product allow",
    USB,
    { .has_usb_id = TRUE, .usb_vid = 0x1111, .usb_pid = 0x2222, .usb_manufacturer = "Gamma X" },
    CG_LEVEL_VENDOR,
    CG_USB_MODE_CHARGE_ONLY,
    "gamma.conf:4",
    1 },
  { "unknown USB id",
    USB,
    { .has_usb_id = TRUE, .usb_vid = 0x9999, .usb_pid = 0x0001 },
    CG_LEVEL_DEFAULT,
    CG_USB_MODE_CHARGE_ONLY,
    "carguard.conf:1",
    1 },
};

static CgPolicy *
load_fixture (void)
{
  const char *names[] = { "alpha.conf", "carguard.conf", "beta.conf", "gamma.conf" };
  const char *texts[] = { alpha_conf, main_conf, beta_conf, gamma_conf };
  g_autoptr (GError) error = NULL;
  CgPolicy *policy = cg_policy_load_from_data (names, texts, 4, NULL, &error);

  g_assert_no_error (error);
  return policy;
}

START_TEST (test_precedence_row)
{
  const Row *row = &rows[_i];
  g_autoptr (CgPolicy) policy = load_fixture ();
  g_auto (CgDecision) decision = { 0 };
  const CgRule *rule;
  g_autofree char *where = NULL;

  cg_policy_decide (policy, &row->facts, row->transport, &decision);
  ck_assert_msg (decision.level == row->level, "%s: level %s, expected %s", row->what,
                 cg_level_to_string (decision.level), cg_level_to_string (row->level));
  if (row->transport == BT)
    ck_assert_msg ((int)decision.grant.pairing == row->grant, "%s: pairing %s", row->what,
                   cg_pairing_to_string (decision.grant.pairing));
  else
    ck_assert_msg ((int)decision.grant.usb_mode == row->grant, "%s: usb mode %s", row->what,
                   cg_usb_mode_to_string (decision.grant.usb_mode));
  ck_assert_uint_eq (decision.rules->len, row->n_rules);
  rule = g_ptr_array_index (decision.rules, 0);
  where = g_strdup_printf ("%s:%u", rule->file, rule->line);
  ck_assert_msg (strcmp (where, row->rule) == 0, "%s: rule %s, expected %s", row->what, where,
                 row->rule);
}
END_TEST

/* Two vendors at one level: the device gets what both allow. */
START_TEST (test_same_level_takes_most_restrictive)
{
  g_autoptr (CgPolicy) policy = load_fixture ();
  g_auto (CgDecision) decision = { 0 };
  const CgFacts facts = { .bt_address = "00:11:22:00:00:01", .bt_name = "Beta X" };

  cg_policy_decide (policy, &facts, BT, &decision);
  ck_assert (!decision.grant.all_uuids);
  ck_assert (cg_grant_allows_uuid (&decision.grant, "110d"));
  ck_assert (!cg_grant_allows_uuid (&decision.grant, "112f"));
  ck_assert (!cg_grant_allows_uuid (&decision.grant, "0000fd6f-0000-1000-8000-00805f9b34fb"));
}
END_TEST

START_TEST (test_usb_interfaces_follow_grant)
{
  g_autoptr (CgPolicy) policy = load_fixture ();
  g_auto (CgDecision) decision = { 0 };
  const CgFacts facts = { .usb_manufacturer = "Beta" };

  cg_policy_decide (policy, &facts, USB, &decision);
  ck_assert (cg_grant_allows_usb_interface (&decision.grant, 0x01));
  ck_assert (cg_grant_allows_usb_interface (&decision.grant, 0x03));
  ck_assert (!cg_grant_allows_usb_interface (&decision.grant, 0x08));
}
END_TEST

/* The guards skip the hwdb when no rule could use its answer. */
START_TEST (test_matches_organizations)
{
  const char *names[] = { "carguard.conf", "acme.conf" };
  const char *texts[] = { main_conf, "[Vendor]\n[Match]\nUSB=1234\n" };
  g_autoptr (CgPolicy) with = load_fixture ();
  g_autoptr (CgPolicy) without = cg_policy_load_from_data (names, texts, 2, NULL, NULL);

  ck_assert (cg_policy_matches_organizations (with));
  ck_assert_ptr_nonnull (without);
  ck_assert (!cg_policy_matches_organizations (without));
}
END_TEST

static const char *
decided_by (const CgPolicy *policy, const CgFacts *facts, CgTransport transport)
{
  g_auto (CgDecision) decision = { 0 };

  cg_policy_decide (policy, facts, transport, &decision);
  if (decision.rules == NULL || decision.rules->len != 1)
    return "not one rule";
  return cg_vendor_get_id (((const CgRule *)g_ptr_array_index (decision.rules, 0))->vendor);
}

/* Identifiers that differ only above their low 32 bits (the kind, an address's OUI, a
 * Device ID's source) are different rules, whoever claims them. */
START_TEST (test_identifiers_apart_above_low_bits)
{
  const char *names[] = { "carguard.conf", "a.conf", "b.conf", "c.conf" };
  const char *texts[] = {
    main_conf,
    "[Vendor]\n[Match]\nUSB=1234:5678\n[Device]\nBluetoothAddress=00:11:22:33:44:55\n",
    ("[Vendor]\n[Match]\nDeviceID=bluetooth:v1234p5678\n"
     "[Device]\nBluetoothAddress=66:77:22:33:44:55\n"),
    "[Vendor]\n[Match]\nDeviceID=usb:v1234p5678\n",
  };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 4, diagnostics, NULL);
  const CgFacts usb = { .has_usb_id = TRUE, .usb_vid = 0x1234, .usb_pid = 0x5678 };
  const CgFacts bt_id = { .bt_device_id = { CG_DEVICE_ID_SOURCE_BLUETOOTH, 0x1234, 0x5678, 0 } };
  const CgFacts usb_id = { .bt_device_id = { CG_DEVICE_ID_SOURCE_USB, 0x1234, 0x5678, 0 } };
  const CgFacts first = { .bt_address = "00:11:22:33:44:55" };
  const CgFacts second = { .bt_address = "66:77:22:33:44:55" };

  ck_assert_ptr_nonnull (policy);
  ck_assert_uint_eq (cg_diagnostics_count_errors (diagnostics), 0);
  ck_assert_str_eq (decided_by (policy, &usb, USB), "a");
  ck_assert_str_eq (decided_by (policy, &bt_id, BT), "b");
  ck_assert_str_eq (decided_by (policy, &usb_id, BT), "c");
  ck_assert_str_eq (decided_by (policy, &first, BT), "a");
  ck_assert_str_eq (decided_by (policy, &second, BT), "b");
}
END_TEST

/* [VendorDefault] decides for every vendor file that does not set its own Preset=: one
 * setting flips a whole shipped set from ask to block. */
START_TEST (test_vendor_default_decides_for_vendors_without_preset)
{
  const char *names[] = { "carguard.conf", "curated.conf", "own.conf", "refined.conf" };
  const char *texts[] = {
    "[Default]\nPreset=charge-only\n[VendorDefault]\nPreset=block\n",
    "[Vendor]\n[Match]\nBluetoothOUI=00:1E:DE\n",
    "[Vendor]\n[Match]\nBluetoothOUI=00:11:22\n[Policy]\nPreset=audio-only\n",
    "[Vendor]\n[Match]\nBluetoothOUI=00:33:44\n[Policy]\nUSBMode=charge-only\n",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 4, NULL, &error);
  g_auto (CgDecision) curated = { 0 };
  g_auto (CgDecision) own = { 0 };
  g_auto (CgDecision) refined = { 0 };
  g_auto (CgDecision) unknown = { 0 };

  g_assert_no_error (error);
  cg_policy_decide (policy, &(CgFacts){ .bt_address = "00:1E:DE:00:00:01" }, BT, &curated);
  cg_policy_decide (policy, &(CgFacts){ .bt_address = "00:11:22:00:00:01" }, BT, &own);
  cg_policy_decide (policy, &(CgFacts){ .bt_address = "00:33:44:00:00:01" }, BT, &refined);
  cg_policy_decide (policy, &(CgFacts){ .bt_address = "00:55:66:00:00:01" }, BT, &unknown);
  ck_assert (curated.grant.block);
  ck_assert (refined.grant.block);
  ck_assert (!own.grant.block);
  ck_assert_int_eq (own.grant.pairing, CG_PAIRING_ALLOW);
  ck_assert (!unknown.grant.block);
  ck_assert_int_eq (unknown.grant.pairing, CG_PAIRING_DENY);
}
END_TEST

/* Without [VendorDefault], vendors start from [Default]. */
START_TEST (test_vendor_default_absent_means_default)
{
  const char *names[] = { "carguard.conf", "curated.conf" };
  const char *texts[]
      = { "[Default]\nPairing=ask\nProfiles=a2dp\n", "[Vendor]\n[Match]\nBluetoothOUI=00:1E:DE\n" };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 2, NULL, &error);
  g_auto (CgDecision) curated = { 0 };

  g_assert_no_error (error);
  cg_policy_decide (policy, &(CgFacts){ .bt_address = "00:1E:DE:00:00:01" }, BT, &curated);
  ck_assert_int_eq (curated.level, CG_LEVEL_VENDOR);
  ck_assert_int_eq (curated.grant.pairing, CG_PAIRING_ASK);
  ck_assert (cg_grant_allows_uuid (&curated.grant, "110d"));
  ck_assert (!cg_grant_allows_uuid (&curated.grant, "111f"));
}
END_TEST

/* A vetted dock's serial copied by a device of a blocked vendor (or of nobody's): the
 * serial counts only with the dock vendor's USB= id, and otherwise only takes away. */
START_TEST (test_serial_is_scoped_to_its_vendor)
{
  const char *names[] = { "carguard.conf", "dock.conf", "rogue.conf" };
  const char *texts[] = {
    "[Default]\nPreset=charge-only\nUSBMode=ask\n",
    ("[Vendor]\n[Match]\nUSB=17ef\n[Policy]\nPreset=charge-only\n"
     "[Device]\nUSBSerial=DOCK-1\nPreset=trusted\n"),
    "[Vendor]\n[Match]\nUSB=dead\n[Policy]\nPreset=block\n",
  };
  const CgFacts dock = { .usb_serial = "DOCK-1", .has_usb_id = TRUE, .usb_vid = 0x17ef };
  const CgFacts rogue = { .usb_serial = "DOCK-1", .has_usb_id = TRUE, .usb_vid = 0xdead };
  const CgFacts stranger = { .usb_serial = "DOCK-1", .has_usb_id = TRUE, .usb_vid = 0x1234 };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 3, NULL, &error);
  g_auto (CgDecision) d_dock = { 0 };
  g_auto (CgDecision) d_rogue = { 0 };
  g_auto (CgDecision) d_stranger = { 0 };

  g_assert_no_error (error);
  cg_policy_decide (policy, &dock, USB, &d_dock);
  ck_assert_int_eq (d_dock.level, CG_LEVEL_DEVICE);
  ck_assert_int_eq (d_dock.grant.usb_mode, CG_USB_MODE_DATA);

  cg_policy_decide (policy, &rogue, USB, &d_rogue);
  ck_assert_int_eq (d_rogue.grant.usb_mode, CG_USB_MODE_CHARGE_ONLY);
  ck_assert (d_rogue.grant.block);
  ck_assert_int_eq (d_rogue.level, CG_LEVEL_VENDOR);

  /* Out of scope the serial still names itself, but grants no more than the default. */
  cg_policy_decide (policy, &stranger, USB, &d_stranger);
  ck_assert_int_eq (d_stranger.grant.usb_mode, CG_USB_MODE_ASK);
  ck_assert_int_eq (d_stranger.level, CG_LEVEL_DEFAULT);
  ck_assert_uint_eq (d_stranger.rules->len, 2);
}
END_TEST

/* A serial of a vendor without USB= (what Block writes) blocks whatever carries it. */
START_TEST (test_unscoped_serial_still_blocks)
{
  const char *names[] = { "carguard.conf", "dock.conf", "local-blocked.conf" };
  const char *texts[] = {
    "[Default]\nPreset=charge-only\n",
    "[Vendor]\n[Match]\nUSB=17ef\n[Policy]\nPreset=trusted\n",
    "[Vendor]\n[Policy]\nPreset=block\n[Device]\nUSBSerial=\"HU\\x01\\x0a7\"\nPreset=block\n",
  };
  const CgFacts hostile = { .usb_serial = "HU\x01\n7", .has_usb_id = TRUE, .usb_vid = 0x17ef };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 3, NULL, &error);
  g_auto (CgDecision) decision = { 0 };

  g_assert_no_error (error);
  cg_policy_decide (policy, &hostile, USB, &decision);
  ck_assert (decision.grant.block);
  ck_assert_int_eq (decision.grant.usb_mode, CG_USB_MODE_CHARGE_ONLY);
}
END_TEST

/* Without any policy file everything fails closed. */
START_TEST (test_no_files_fail_closed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (NULL, NULL, 0, NULL, &error);
  g_auto (CgDecision) bt = { 0 };
  g_auto (CgDecision) usb = { 0 };
  const CgFacts car = { .has_bt_class = TRUE, .bt_class = 0x200420, .has_usb_id = TRUE };

  g_assert_no_error (error);
  cg_policy_decide (policy, &car, BT, &bt);
  cg_policy_decide (policy, &car, USB, &usb);
  ck_assert_int_eq (bt.grant.pairing, CG_PAIRING_DENY);
  ck_assert_uint_eq (bt.grant.profiles, 0);
  ck_assert_int_eq (usb.grant.usb_mode, CG_USB_MODE_CHARGE_ONLY);
}
END_TEST

static Suite *
precedence_suite (void)
{
  Suite *s = suite_create ("policy-precedence");
  TCase *tc = tcase_create ("table");

  tcase_add_loop_test (tc, test_precedence_row, 0, G_N_ELEMENTS (rows));
  tcase_add_test (tc, test_same_level_takes_most_restrictive);
  tcase_add_test (tc, test_usb_interfaces_follow_grant);
  tcase_add_test (tc, test_no_files_fail_closed);
  tcase_add_test (tc, test_matches_organizations);
  tcase_add_test (tc, test_identifiers_apart_above_low_bits);
  tcase_add_test (tc, test_vendor_default_decides_for_vendors_without_preset);
  tcase_add_test (tc, test_vendor_default_absent_means_default);
  tcase_add_test (tc, test_serial_is_scoped_to_its_vendor);
  tcase_add_test (tc, test_unscoped_serial_still_blocks);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (precedence_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
