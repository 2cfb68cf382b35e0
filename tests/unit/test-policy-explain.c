/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Explain output, JSON and text, against the shipped policy installed in a test root
 * (ROOT/usr/lib/carguard), so the must-hold defaults are checked as shipped. */
#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cg-explain.h"
#include "cg-report.h"
#include "cg-sanitize.h"
#include "cg-test-tree.h"

typedef struct {
  char *root;
  CgPolicy *policy;
} Fixture;

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (from, &text, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, text, (gssize)len, &error);
  g_assert_no_error (error);
}

static void
install_shipped (const char *root)
{
  const char *shipped = g_getenv ("CG_SHIPPED_POLICY");
  g_autofree char *target = g_build_filename (root, "usr/lib/carguard", NULL);
  g_autofree char *vendors = g_build_filename (target, "vendors.d", NULL);
  g_autofree char *shipped_vendors = g_build_filename (shipped, "vendors.d", NULL);
  g_autofree char *main_from = g_build_filename (shipped, "carguard.conf", NULL);
  g_autofree char *main_to = g_build_filename (target, "carguard.conf", NULL);
  g_autoptr (GDir) dir = g_dir_open (shipped_vendors, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_mkdir_with_parents (vendors, 0755);
  copy_file (main_from, main_to);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *from = g_build_filename (shipped_vendors, name, NULL);
    g_autofree char *to = g_build_filename (vendors, name, NULL);
    copy_file (from, to);
  }
}

static void
fixture_setup (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  f->root = g_dir_make_tmp ("cg-explain-XXXXXX", &error);
  g_assert_no_error (error);
  install_shipped (f->root);
  f->policy = cg_policy_load (f->root, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f)
{
  cg_policy_unref (f->policy);
  cg_test_tree_remove (f->root);
  g_free (f->root);
}

/* The 1-based line of the first line equal to text in the shipped file. */
static guint
shipped_line (const char *relative, const char *text)
{
  g_autofree char *path = g_build_filename (g_getenv ("CG_SHIPPED_POLICY"), relative, NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strcmp (lines[i], text) == 0)
      return i + 1;
  g_assert_not_reached ();
}

static gboolean
array_has (JsonArray *array, const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static JsonObject *
member_object (JsonObject *object, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    object = json_object_get_object_member (object, parts[i]);
  return object;
}

START_TEST (test_car_audio_gets_audio_only)
{
  Fixture f;
  const CgFacts facts
      = { .bt_address = "12:34:56:78:9A:BC", .has_bt_class = TRUE, .bt_class = 0x200420 };
  g_autoptr (JsonNode) node = NULL;
  JsonObject *bt;
  JsonArray *allowed, *denied;
  g_autofree char *rule = NULL;

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, &facts);
  bt = member_object (json_node_get_object (node), "bluetooth");
  allowed = json_object_get_array_member (member_object (bt, "profiles"), "allowed");
  denied = json_object_get_array_member (member_object (bt, "profiles"), "denied");
  rule = g_strdup_printf ("/usr/lib/carguard/carguard.conf:%u",
                          shipped_line ("carguard.conf", "[CarDefault]"));

  /* Anything can say it is a car: the person is asked; a yes gets audio only. */
  ck_assert_str_eq (json_object_get_string_member (bt, "pairing"), "ask");
  ck_assert (array_has (allowed, "a2dp"));
  ck_assert (array_has (allowed, "hfp"));
  ck_assert (!array_has (allowed, "pbap"));
  ck_assert (array_has (denied, "pbap"));
  ck_assert (array_has (denied, "map"));
  ck_assert (!json_object_get_boolean_member (bt, "all-uuids"));
  ck_assert_str_eq (json_object_get_string_member (bt, "level"), "class");
  ck_assert_str_eq (json_object_get_string_member (bt, "rule"), rule);
  ck_assert_str_eq (json_object_get_string_member (json_node_get_object (node), "rule"), rule);
  ck_assert_str_eq (
      json_object_get_string_member (member_object (json_node_get_object (node), "facts.bluetooth"),
                                     "class-name"),
      "car-audio");
  fixture_teardown (&f);
}
END_TEST

/* The shipped defaults toward a device nobody named that says it is a keyboard: asked,
 * and even a yes gives it no HID. */
START_TEST (test_unknown_keyboard_gets_no_hid)
{
  Fixture f;
  const CgFacts facts = { .has_bt_class = TRUE, .bt_class = 0x002540 };
  g_autoptr (JsonNode) node = NULL;
  JsonObject *bt;

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, &facts);
  bt = member_object (json_node_get_object (node), "bluetooth");
  ck_assert_str_eq (json_object_get_string_member (bt, "pairing"), "ask");
  ck_assert (
      array_has (json_object_get_array_member (member_object (bt, "profiles"), "denied"), "hid"));
  ck_assert (
      !array_has (json_object_get_array_member (member_object (bt, "profiles"), "allowed"), "hid"));
  ck_assert_str_eq (json_object_get_string_member (bt, "level"), "default");
  fixture_teardown (&f);
}
END_TEST

/* A private LE address in BYD's OUI range is not BYD's: the facts name its type, and
 * neither the OUI nor the hwdb organisation is looked at. */
START_TEST (test_private_address_names_nobody)
{
  Fixture f;
  const CgFacts facts
      = { .bt_address = "00:1E:DE:12:34:56", .bt_address_type = CG_BT_ADDRESS_NON_RESOLVABLE };
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonObject *bt;

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, &facts);
  bt = member_object (json_node_get_object (node), "bluetooth");
  ck_assert_str_eq (json_object_get_string_member (bt, "level"), "default");
  ck_assert_str_eq (
      json_object_get_string_member (member_object (json_node_get_object (node), "facts.bluetooth"),
                                     "address-type"),
      "non-resolvable");
  text = cg_explain_to_text (f.policy, &facts);
  ck_assert_ptr_nonnull (strstr (text, "Bluetooth address type: non-resolvable (private"));
  fixture_teardown (&f);
}
END_TEST

START_TEST (test_unknown_usb_gets_charge_only)
{
  Fixture f;
  const CgFacts facts = { .has_usb_id = TRUE, .usb_vid = 0x1234, .usb_pid = 0x5678 };
  g_autoptr (JsonNode) node = NULL;
  JsonObject *usb;
  g_autofree char *rule = NULL;

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, &facts);
  usb = member_object (json_node_get_object (node), "usb");
  rule = g_strdup_printf ("/usr/lib/carguard/carguard.conf:%u",
                          shipped_line ("carguard.conf", "[Default]"));
  ck_assert_str_eq (json_object_get_string_member (usb, "mode"), "charge-only");
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (usb, "interfaces")), 0);
  ck_assert_str_eq (json_object_get_string_member (usb, "level"), "default");
  ck_assert_str_eq (json_object_get_string_member (usb, "rule"), rule);
  /* No Bluetooth facts: the top-level rule is USB's. */
  ck_assert_str_eq (json_object_get_string_member (json_node_get_object (node), "rule"), rule);
  fixture_teardown (&f);
}
END_TEST

START_TEST (test_shipped_vendor_named_with_organisation)
{
  Fixture f;
  const CgFacts facts
      = { .bt_address = "00:1E:DE:12:34:56", .bt_organization = "BYD COMPANY LIMITED" };
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *rule = NULL;
  JsonObject *bt, *first;

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, &facts);
  bt = member_object (json_node_get_object (node), "bluetooth");
  rule = g_strdup_printf ("/usr/lib/carguard/vendors.d/byd.conf:%u",
                          shipped_line ("vendors.d/byd.conf", "BluetoothOUI=00:1E:DE"));
  ck_assert_str_eq (json_object_get_string_member (bt, "level"), "vendor");
  ck_assert_str_eq (json_object_get_string_member (bt, "rule"), rule);
  /* The OUI and the organisation name both match BYD: both are named. */
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (bt, "rules")), 2);
  first = json_array_get_object_element (json_object_get_array_member (bt, "rules"), 0);
  ck_assert_str_eq (json_object_get_string_member (first, "vendor"), "byd");
  ck_assert_str_eq (json_object_get_string_member (first, "key"), "BluetoothOUI");
  ck_assert_str_eq (
      json_object_get_string_member (member_object (json_node_get_object (node), "facts.bluetooth"),
                                     "organization"),
      "BYD COMPANY LIMITED");

  text = cg_explain_to_text (f.policy, &facts);
  /* The curated set has no [Policy]: [VendorDefault] asks before pairing. */
  ck_assert_ptr_nonnull (strstr (text, "Bluetooth: pairing ask"));
  ck_assert_ptr_nonnull (strstr (text, rule));
  ck_assert_ptr_nonnull (strstr (text, "BYD COMPANY LIMITED"));
  ck_assert_ptr_nonnull (strstr (text, "profiles denied: pbap map"));
  fixture_teardown (&f);
}
END_TEST

/* The curated vendor set: explain names the file of an identifier of each kind. */
typedef struct {
  const char *what;
  CgFacts facts;
  const char *transport; /* the explanation's member: "bluetooth" or "usb" */
  const char *file;      /* under vendors.d/ */
  const char *line;      /* the shipped line that decides */
} CuratedRow;

static const CuratedRow curated_rows[] = {
  { "BYD by its MA-M block",
    { .bt_address = "78:D4:F1:4A:BC:DE" },
    "bluetooth",
    "byd.conf",
    "BluetoothOUI=78:D4:F1:4" },
  { "NIO by its Bluetooth SIG company id",
    { .bt_device_id = { CG_DEVICE_ID_SOURCE_BLUETOOTH, 0x0B48, 0x0001, 0x0001 } },
    "bluetooth",
    "nio.conf",
    "DeviceID=bluetooth:v0B48" },
  { "Desay SV by its OUI",
    { .bt_address = "74:9C:52:00:00:01" },
    "bluetooth",
    "desay-sv.conf",
    "BluetoothOUI=74:9C:52 CC:D9:20" },
  { "Huawei by its USB vendor id",
    { .has_usb_id = TRUE, .usb_vid = 0x12d1, .usb_pid = 0x1506 },
    "usb",
    "huawei.conf",
    "USB=12d1" },
  { "ECARX by its Bluetooth SIG company id",
    { .bt_device_id = { CG_DEVICE_ID_SOURCE_BLUETOOTH, 0x0E2D, 0x0001, 0x0001 } },
    "bluetooth",
    "ecarx.conf",
    "DeviceID=bluetooth:v0E2D" },
};

START_TEST (test_curated_vendor_named)
{
  const CuratedRow *row = &curated_rows[_i];
  Fixture f;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *relative = g_strdup_printf ("vendors.d/%s", row->file);
  g_autofree char *rule = NULL;
  JsonObject *decided;

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, &row->facts);
  decided = member_object (json_node_get_object (node), row->transport);
  rule = g_strdup_printf ("/usr/lib/carguard/%s:%u", relative, shipped_line (relative, row->line));
  ck_assert_msg (g_strcmp0 (json_object_get_string_member (decided, "rule"), rule) == 0,
                 "%s: decided by %s, not %s", row->what,
                 json_object_get_string_member (decided, "rule"), rule);
  ck_assert_str_eq (json_object_get_string_member (decided, "level"), "vendor");
  /* [VendorDefault] as shipped: ask before pairing, audio only, no data over USB. */
  if (g_str_equal (row->transport, "bluetooth"))
    ck_assert_str_eq (json_object_get_string_member (decided, "pairing"), "ask");
  else
    ck_assert_str_eq (json_object_get_string_member (decided, "mode"), "charge-only");
  fixture_teardown (&f);
}
END_TEST

/* Names in the registries that look like a curated vendor's but are other companies:
 * neither their blocks nor their exact names are caught. */
static const CgFacts lookalikes[] = {
  { .bt_address = "00:60:4A:12:34:56", .bt_organization = "SAIC IDEAS GROUP" },
  { .bt_address = "00:04:EF:12:34:56", .bt_organization = "Polestar Corp." },
  { .has_usb_id = TRUE, .usb_vid = 0x074b, .usb_organization = "Polestar Tech. Corp." },
  { .bt_address = "58:23:BC:21:23:45",
    .bt_organization = "Great Wall Power Supply Technology Co., Ltd." },
  { .has_usb_id = TRUE, .usb_vid = 0x1472, .usb_organization = "Huawei-3Com" },
};

START_TEST (test_lookalike_not_caught)
{
  const CgFacts *facts = &lookalikes[_i];
  Fixture f;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *decided;
  const char *transport = facts->has_usb_id ? "usb" : "bluetooth";

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, facts);
  decided = member_object (json_node_get_object (node), transport);
  ck_assert_msg (g_str_equal (json_object_get_string_member (decided, "level"), "default"),
                 "%s is caught by %s",
                 facts->bt_organization ? facts->bt_organization : facts->usb_organization,
                 json_object_get_string_member (decided, "rule"));
  fixture_teardown (&f);
}
END_TEST

START_TEST (test_hostile_strings)
{
  Fixture f;
  g_autofree char *huge = g_strnfill (1 << 20, 'A');
  const CgFacts facts = { .bt_name = "Evil\x1b[2J\xff\xfe\xe2\x80\xaemoc.txt",
                          .usb_product = huge,
                          .usb_manufacturer = "\xc3" };
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonNode) reparsed = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  fixture_setup (&f);
  node = cg_explain_to_json (f.policy, &facts);
  json = json_to_string (node, FALSE);
  ck_assert (g_utf8_validate (json, -1, NULL));
  reparsed = json_from_string (json, &error);
  g_assert_no_error (error);

  text = cg_explain_to_text (f.policy, &facts);
  ck_assert (g_utf8_validate (text, -1, NULL));
  ck_assert_ptr_null (strchr (text, '\x1b'));
  ck_assert_ptr_null (strstr (text, "\xe2\x80\xae"));
  ck_assert_ptr_nonnull (strstr (text, "Evil\xef\xbf\xbd[2J"));
  ck_assert_uint_lt (strlen (text), 4096);
  fixture_teardown (&f);
}
END_TEST

static JsonArray *
report_array (JsonNode *report, const char *group, const char *name)
{
  JsonObject *object = json_object_get_object_member (json_node_get_object (report), group);

  return json_object_get_array_member (object, name);
}

/* The audit names who may get contacts, messages, a network link or USB data, and where
 * that is granted: the defaults, a vendor, a device of a vendor; a block gets nothing. */
START_TEST (test_report_lists_who_gets_what)
{
  const char *names[] = { "carguard.conf", "pool.conf", "dock.conf", "evil.conf" };
  const char *texts[] = {
    "[Default]\nPairing=ask\nProfiles=a2dp hfp\n[CarDefault]\nPreset=audio-only\n",
    ("[Vendor]\nName=Pool cars\n[Match]\nBluetoothOUI=02:00:00\n[Policy]\nPreset=audio-only\n"
     "[Device]\nBluetoothAddress=02:00:00:00:00:01\nPreset=trusted\n"),
    "[Vendor]\n[Match]\nUSB=1234:5678\nUSB=1235\n[Policy]\nUSBMode=data\nUSBInterfaces=hid\n",
    "[Vendor]\n[Match]\nName=\"Evil*\"\n[Policy]\nPreset=block\n",
  };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 4, diagnostics, NULL);
  g_autoptr (JsonNode) report = NULL;
  JsonArray *pbap, *a2dp, *data, *ask;
  JsonObject *device, *dock;

  ck_assert_ptr_nonnull (policy);
  report = cg_report_to_json (policy);
  pbap = report_array (report, "profiles", "pbap");
  ck_assert_uint_eq (json_array_get_length (pbap), 1);
  device = json_array_get_object_element (pbap, 0);
  ck_assert_str_eq (json_object_get_string_member (device, "kind"), "device");
  ck_assert_str_eq (json_object_get_string_member (device, "device"), "02:00:00:00:00:01");
  ck_assert_str_eq (json_object_get_string_member (device, "rule"), "pool.conf:8");
  ck_assert_str_eq (json_object_get_string_member (device, "vendor"), "pool");

  /* Music: the default (if asked), the car default, the pool cars, the device, and the
   * dock, whose [Policy] refines [Default]. */
  a2dp = report_array (report, "profiles", "a2dp");
  ck_assert_uint_eq (json_array_get_length (a2dp), 5);
  ck_assert_str_eq (
      json_object_get_string_member (json_array_get_object_element (a2dp, 0), "pairing"), "ask");
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (a2dp, 0), "rule"),
                    "carguard.conf:1");

  data = report_array (report, "usb", "data");
  ck_assert_uint_eq (json_array_get_length (data), 2);
  dock = json_array_get_object_element (data, 0);
  ck_assert_str_eq (json_object_get_string_member (dock, "vendor"), "dock");
  ck_assert_str_eq (
      json_array_get_string_element (json_object_get_array_member (dock, "interfaces"), 0), "hid");
  ck_assert_int_eq (
      json_object_get_int_member (json_object_get_object_member (dock, "matched-by"), "USB"), 2);
  ck_assert_str_eq (
      json_array_get_string_element (
          json_object_get_array_member (json_array_get_object_element (data, 1), "interfaces"), 0),
      "all");
  ask = report_array (report, "usb", "ask");
  ck_assert_uint_eq (json_array_get_length (ask), 0);
  /* The blocked vendor appears nowhere. */
  {
    g_autofree char *text = json_to_string (report, FALSE);
    ck_assert_ptr_null (strstr (text, "\"evil\""));
  }
}
END_TEST

START_TEST (test_sanitize_string)
{
  g_autofree char *plain = cg_sanitize_string ("Car Audio ÄÖ", 64);
  g_autofree char *cut = cg_sanitize_string ("ÄÄÄ", 5);
  g_autofree char *null = cg_sanitize_string (NULL, 10);
  g_autofree char *bad = cg_sanitize_string ("a\nb\xff", 64);

  ck_assert_str_eq (plain, "Car Audio ÄÖ");
  ck_assert_str_eq (cut, "ÄÄ"); /* never cuts inside a character */
  ck_assert_str_eq (null, "");
  ck_assert_str_eq (bad, "a\xef\xbf\xbd"
                         "b\xef\xbf\xbd");
}
END_TEST

/* USB data opened by a serial, a USB id or a name is the device's word alone: explain
 * says so, in the JSON and in the text; charge-only and the default say nothing. */
START_TEST (test_warns_when_trust_rests_on_what_the_device_says)
{
  const char *names[] = { "carguard.conf", "dock.conf" };
  const char *texts[] = {
    "[Default]\nPreset=charge-only\n",
    "[Vendor]\n[Match]\nUSB=17ef:a395\nUSBProduct=\"Car*\"\n[Policy]\nPreset=trusted\n"
    "[Device]\nUSBSerial=DOCK-1\nPreset=trusted\n",
  };
  const CgFacts by_serial
      = { .usb_serial = "DOCK-1", .has_usb_id = TRUE, .usb_vid = 0x17ef, .usb_pid = 0xa395 };
  const CgFacts by_name = { .usb_product = "Car Kit" };
  const CgFacts nobody = { .has_usb_id = TRUE, .usb_vid = 0x1234, .usb_pid = 0x5678 };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 2, NULL, &error);
  g_autoptr (JsonNode) serial_node = NULL;
  g_autoptr (JsonNode) name_node = NULL;
  g_autoptr (JsonNode) nobody_node = NULL;
  g_autofree char *text = NULL;
  JsonArray *warnings;

  g_assert_no_error (error);
  serial_node = cg_explain_to_json (policy, &by_serial);
  warnings = json_object_get_array_member (
      member_object (json_node_get_object (serial_node), "usb"), "warnings");
  ck_assert_uint_eq (json_array_get_length (warnings), 1);
  ck_assert_ptr_nonnull (strstr (json_array_get_string_element (warnings, 0), "a serial"));

  name_node = cg_explain_to_json (policy, &by_name);
  warnings = json_object_get_array_member (member_object (json_node_get_object (name_node), "usb"),
                                           "warnings");
  ck_assert_uint_eq (json_array_get_length (warnings), 1);
  ck_assert_ptr_nonnull (strstr (json_array_get_string_element (warnings, 0), "a name"));

  nobody_node = cg_explain_to_json (policy, &nobody);
  warnings = json_object_get_array_member (
      member_object (json_node_get_object (nobody_node), "usb"), "warnings");
  ck_assert_uint_eq (json_array_get_length (warnings), 0);

  text = cg_explain_to_text (policy, &by_serial);
  ck_assert_ptr_nonnull (strstr (text, "  warning: USB data rests on a serial (USBSerial=DOCK-1"));
}
END_TEST

static Suite *
explain_suite (void)
{
  Suite *s = suite_create ("policy-explain");
  TCase *tc = tcase_create ("shipped");

  tcase_add_test (tc, test_car_audio_gets_audio_only);
  tcase_add_test (tc, test_unknown_keyboard_gets_no_hid);
  tcase_add_test (tc, test_private_address_names_nobody);
  tcase_add_test (tc, test_unknown_usb_gets_charge_only);
  tcase_add_test (tc, test_shipped_vendor_named_with_organisation);
  tcase_add_loop_test (tc, test_curated_vendor_named, 0, G_N_ELEMENTS (curated_rows));
  tcase_add_loop_test (tc, test_lookalike_not_caught, 0, G_N_ELEMENTS (lookalikes));
  tcase_add_test (tc, test_hostile_strings);
  tcase_add_test (tc, test_sanitize_string);
  tcase_add_test (tc, test_report_lists_who_gets_what);
  tcase_add_test (tc, test_warns_when_trust_rests_on_what_the_device_says);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (explain_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
