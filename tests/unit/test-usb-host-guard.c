/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-role USB guard against a FAKE sysfs tree (a temporary root): sysfs
 * attributes are plain files, so what the guard writes to `authorized` is what the
 * kernel would get. What the kernel then does (no driver, no netdev) is asserted in the
 * lab (tests/lab/scenarios/usb-guard-host.py). */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-usb-config.h"
#include "cg-usb-host-guard.h"
#include "cg-test-tree.h"

#define DEV "sys/bus/usb/devices/"

typedef struct {
  char *root;
  CgPolicyKeeper *keeper;
  CgPending *pending;
  CgDeviceRegistry *registry;
  CgUsbHostGuard *guard;
} HostFixture;

static HostFixture fixture;

static void
write_file (const char *relative, const char *text)
{
  cg_test_tree_write (fixture.root, relative, text);
}

static void
write_bytes (const char *relative, const guint8 *data, gsize len)
{
  g_autofree char *path = g_build_filename (fixture.root, relative, NULL);

  ck_assert (g_file_set_contents (path, (const char *)data, len, NULL));
}

static char *
read_attr (const char *relative)
{
  g_autofree char *path = g_build_filename (fixture.root, relative, NULL);
  char *text = NULL;

  ck_assert_msg (g_file_get_contents (path, &text, NULL, NULL), "%s", relative);
  return g_strstrip (text);
}

/* A device as the kernel shows it with authorized_default=0: strings and descriptors
 * readable, not authorized. Interfaces 1.0 (cdc 02) and 1.1 (mass storage 08) exist
 * unauthorized, as with interface_authorized_default=0 once the device is configured. */
static void
fake_device_on_port (const char *name, const char *vid, const char *devnum, const char *authorized,
                     const char *connect_type)
{
  static const guint8 descriptors[]
      = { 18, 1, 0,    2,   0xef, 2, 1, 64, 0x98, 0x1c, 1,  0, 0, 1, 1, 2, 3, 1, 9, 2, 27, 0, 2,
          1,  0, 0x80, 250, 9,    4, 0, 0,  1,    2,    13, 0, 0, 9, 4, 1, 0, 2, 8, 6, 80, 0 };
  const char *const attrs[][2] = {
    { "idVendor", vid },
    { "idProduct", "0001" },
    { "devnum", devnum },
    { "authorized", authorized },
    { "product", "Car\x1b[31m Head Unit $(reboot)" },
    { "manufacturer", "ALPINE" },
    { "serial", "HU0001" },
    { "port/connect_type", connect_type },
  };

  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++) {
    if (attrs[i][1] == NULL)
      continue;
    g_autofree char *path = g_strconcat (DEV, name, "/", attrs[i][0], NULL);
    write_file (path, attrs[i][1]);
  }
  {
    /* idVendor is the device descriptor's idVendor, as the kernel shows it. */
    g_autofree char *path = g_strconcat (DEV, name, "/descriptors", NULL);
    guint8 device[sizeof descriptors];
    guint16 id = (guint16)g_ascii_strtoull (vid, NULL, 16);

    memcpy (device, descriptors, sizeof descriptors);
    device[8] = (guint8)(id & 0xff);
    device[9] = (guint8)(id >> 8);
    write_bytes (path, device, sizeof device);
  }
  for (guint i = 0; i < 2; i++) {
    g_autofree char *cls = g_strdup_printf ("%s%s:1.%u/bInterfaceClass", DEV, name, i);
    g_autofree char *auth = g_strdup_printf ("%s%s:1.%u/authorized", DEV, name, i);
    write_file (cls, i == 0 ? "02" : "08");
    write_file (auth, "0");
  }
}

/* A device on a port the firmware calls user-reachable: what a car's cable plugs into. */
static void
fake_device (const char *name, const char *vid, const char *devnum, const char *authorized)
{
  fake_device_on_port (name, vid, devnum, authorized, "hotplug");
}

static void
reload (void)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (cg_policy_keeper_reload (fixture.keeper, &error), "%s",
                 error ? error->message : "");
}

static const char *
decision_of (const char *id)
{
  const CgDeviceRecord *record = cg_device_registry_lookup (fixture.registry, id);

  ck_assert_msg (record != NULL, "no record %s", id);
  return record->decision;
}

static void
host_setup_with (const char *main_conf)
{
  g_autoptr (GError) error = NULL;

  fixture.root = g_dir_make_tmp ("cg-usb-host-XXXXXX", &error);
  ck_assert_ptr_nonnull (fixture.root);
  write_file ("etc/carguard/carguard.conf", main_conf);
  write_file ("etc/carguard/vendors.d/alpine.conf",
              "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=charge-only\n");
  write_file ("etc/carguard/vendors.d/dock.conf",
              "[Vendor]\nName=Dock\n[Match]\nUSB=1d6b\n[Policy]\nPreset=trusted\n");
  write_file ("etc/carguard/vendors.d/stick.conf",
              "[Vendor]\nName=Stick\n[Match]\nUSB=0781\n"
              "[Policy]\nUSBMode=data\nUSBInterfaces=mass-storage\n");
  write_file (DEV "usb1/authorized_default", "1");
  write_file (DEV "usb1/interface_authorized_default", "1");
  write_file ("sys/bus/usb/drivers_probe", "");
  fixture.keeper = cg_policy_keeper_new (fixture.root);
  ck_assert_msg (cg_policy_keeper_reload (fixture.keeper, &error), "%s",
                 error ? error->message : "");
  fixture.pending = cg_pending_new (0);
  fixture.registry = cg_device_registry_new (fixture.pending);
  fixture.guard = cg_usb_host_guard_new (fixture.keeper, fixture.pending, fixture.registry, NULL,
                                         fixture.root);
}

static void
host_setup (void)
{
  host_setup_with ("[Default]\nPreset=charge-only\n");
}

static void
host_teardown (void)
{
  g_clear_object (&fixture.guard);
  g_clear_object (&fixture.pending);
  g_clear_object (&fixture.registry);
  g_clear_object (&fixture.keeper);
  cg_test_tree_remove (fixture.root);
  g_clear_pointer (&fixture.root, g_free);
}

static void
assert_attr (const char *relative, const char *expected)
{
  g_autofree char *value = read_attr (relative);

  ck_assert_str_eq (value, expected);
}

/* The guard to the registry, for `carguard status`. */
static const CgGuardState *
host_guard_state (void)
{
  g_autoptr (GPtrArray) guards = cg_device_registry_list_guards (fixture.registry);

  for (guint i = 0; i < guards->len; i++)
    if (g_str_equal (((CgGuardState *)g_ptr_array_index (guards, i))->name, "usb-host"))
      return g_ptr_array_index (guards, i);
  return NULL;
}

START_TEST (test_root_hubs_locked_at_start)
{
  const CgGuardState *state;

  cg_usb_host_guard_start (fixture.guard);
  assert_attr (DEV "usb1/authorized_default", "0");
  state = host_guard_state ();
  ck_assert_ptr_nonnull (state);
  ck_assert (state->running);
  ck_assert_msg (g_str_has_prefix (state->what, "root hubs usb1"), "%s", state->what);
}
END_TEST

START_TEST (test_present_keyboard_stays_authorized)
{
  const CgDeviceRecord *record;

  /* The keyboard that typed the disk password, on a port the firmware calls internal. */
  fake_device_on_port ("1-2", "046d", "2", "1", "hardwired");
  cg_usb_host_guard_start (fixture.guard);
  assert_attr (DEV "1-2/authorized", "1");
  record = cg_device_registry_lookup (fixture.registry, "usb/1-2");
  ck_assert_ptr_nonnull (record);
  /* The same words as the journal's CARGUARD_DECISION. */
  ck_assert_str_eq (record->decision, "data (present at start)");
}
END_TEST

/* The boot window: what a car's cable plugged in before carguardd started, on a port a
 * person can reach (hotplug), one the firmware does not describe (unknown) or with no
 * port information at all, is judged like a new device. */
START_TEST (test_present_on_external_port_is_judged)
{
  fake_device_on_port ("1-1", "1c98", "2", "1", "hotplug");
  fake_device_on_port ("1-3", "1c98", "3", "1", "unknown");
  fake_device_on_port ("1-4", "1c98", "4", "1", NULL);
  fake_device_on_port ("1-5", "1d6b", "5", "1", "hotplug");
  cg_usb_host_guard_start (fixture.guard);
  assert_attr (DEV "1-1/authorized", "0");
  assert_attr (DEV "1-3/authorized", "0");
  assert_attr (DEV "1-4/authorized", "0");
  ck_assert_str_eq (decision_of ("usb/1-1"), "charge-only");
  /* A trusted device there keeps working: judged, and granted data. */
  assert_attr (DEV "1-5/authorized", "1");
  ck_assert_str_eq (decision_of ("usb/1-5"), "data");
}
END_TEST

/* Block reaches a device kept at start: the keyboard stays only until it is blocked. */
START_TEST (test_block_reaches_a_device_kept_at_start)
{
  fake_device_on_port ("1-2", "046d", "2", "1", "hardwired");
  cg_usb_host_guard_start (fixture.guard);
  assert_attr (DEV "1-2/authorized", "1");
  /* An unrelated reload leaves it alone. */
  reload ();
  assert_attr (DEV "1-2/authorized", "1");
  write_file ("etc/carguard/vendors.d/local-blocked.conf",
              "[Vendor]\n[Match]\nUSB=046d:0001\n[Policy]\nPreset=block\n");
  reload ();
  assert_attr (DEV "1-2/authorized", "0");
  ck_assert_str_eq (decision_of ("usb/1-2"), "block");
}
END_TEST

/* Block reaches a device a person allowed once, and a block by its raw serial too. */
START_TEST (test_block_reaches_an_answered_device)
{
  guint id;

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-3", "abcd", "7", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-3");
  id = cg_usb_host_guard_get_pending_id (fixture.guard, "1-3");
  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  assert_attr (DEV "1-3/authorized", "1");
  /* A reload that does not block it leaves the person's answer standing. */
  reload ();
  assert_attr (DEV "1-3/authorized", "1");
  write_file ("etc/carguard/vendors.d/local-blocked.conf",
              "[Vendor]\n[Policy]\nPreset=block\n[Device]\nUSBSerial=HU0001\nPreset=block\n");
  reload ();
  assert_attr (DEV "1-3/authorized", "0");
  ck_assert_str_eq (decision_of ("usb/1-3"), "block");
}
END_TEST

/* A reload withdraws a question the policy no longer asks, and keeps one it still asks. */
START_TEST (test_reload_rejudges_pending_questions)
{
  guint id;

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-3", "abcd", "8", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-3");
  id = cg_usb_host_guard_get_pending_id (fixture.guard, "1-3");
  ck_assert_uint_ne (id, 0);
  reload ();
  ck_assert_uint_eq (cg_usb_host_guard_get_pending_id (fixture.guard, "1-3"), id);

  write_file ("etc/carguard/vendors.d/local-blocked.conf",
              "[Vendor]\n[Match]\nUSB=abcd\n[Policy]\nPreset=block\n");
  reload ();
  ck_assert_uint_eq (cg_usb_host_guard_get_pending_id (fixture.guard, "1-3"), 0);
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, id));
  /* The answer to the question the person saw changes nothing. */
  ck_assert (!cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  assert_attr (DEV "1-3/authorized", "0");
  ck_assert_str_eq (decision_of ("usb/1-3"), "block");
}
END_TEST

/* The question a person sees names what a yes grants and what kind of device asks. */
START_TEST (test_question_says_kind_and_grants)
{
  const CgPendingDecision *asked;

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-3", "abcd", "9", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-3");
  asked = cg_pending_lookup (fixture.pending,
                             cg_usb_host_guard_get_pending_id (fixture.guard, "1-3"));
  ck_assert_ptr_nonnull (asked);
  ck_assert_str_eq (asked->transport, "usb");
  ck_assert_str_eq (asked->device, "1-3");
  ck_assert_str_eq (asked->question, "data");
  ck_assert_str_eq (asked->kind, "usb-device");
  ck_assert_str_eq (asked->grants, "data");
}
END_TEST

/* Locked: a new device gets nothing, not even a question, until the unlock; what was
 * authorized before the lock keeps working; USBWhileLocked=data lets a device in. */
START_TEST (test_locked_holds_new_devices_until_unlock)
{
  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-1", "1d6b", "3", "0"); /* trusted, connected before the lock */
  cg_usb_host_guard_device_added (fixture.guard, "1-1");
  assert_attr (DEV "1-1/authorized", "1");

  cg_usb_host_guard_set_locked (fixture.guard, TRUE);
  assert_attr (DEV "1-1/authorized", "1");
  /* A reload while locked judges it again, but takes no data path it has away. */
  reload ();
  assert_attr (DEV "1-1/authorized", "1");
  fake_device ("1-2", "1d6b", "4", "0"); /* trusted, plugged in while locked */
  cg_usb_host_guard_device_added (fixture.guard, "1-2");
  assert_attr (DEV "1-2/authorized", "0");
  ck_assert_str_eq (decision_of ("usb/1-2"), "charge-only (locked)");
  fake_device ("1-3", "abcd", "5", "0"); /* the policy would ask */
  cg_usb_host_guard_device_added (fixture.guard, "1-3");
  ck_assert_uint_eq (cg_usb_host_guard_get_pending_id (fixture.guard, "1-3"), 0);
  fake_device ("1-4", "0bda", "6", "0"); /* USBWhileLocked=data */
  cg_usb_host_guard_device_added (fixture.guard, "1-4");
  assert_attr (DEV "1-4/authorized", "1");

  cg_usb_host_guard_set_locked (fixture.guard, FALSE);
  assert_attr (DEV "1-2/authorized", "1");
  ck_assert_str_eq (decision_of ("usb/1-2"), "data");
  ck_assert_uint_ne (cg_usb_host_guard_get_pending_id (fixture.guard, "1-3"), 0);
  assert_attr (DEV "1-3/authorized", "0");
}
END_TEST

START_TEST (test_car_vendor_stays_unauthorized)
{
  const CgDeviceRecord *record;

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-1", "1c98", "3", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-1");
  assert_attr (DEV "1-1/authorized", "0");
  record = cg_device_registry_lookup (fixture.registry, "usb/1-1");
  ck_assert_ptr_nonnull (record);
  ck_assert_str_eq (record->decision, "charge-only");
  ck_assert_str_eq (record->vendor, "alpine");
  ck_assert (record->enforced);
  /* The registry holds the hostile product name sanitised. */
  ck_assert_ptr_null (strchr (record->name, '\x1b'));
}
END_TEST

START_TEST (test_trusted_vendor_authorized_with_interfaces)
{
  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-1", "1d6b", "4", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-1");
  assert_attr (DEV "1-1/authorized", "1");
  assert_attr (DEV "1-1:1.0/authorized", "1");
  assert_attr (DEV "1-1:1.1/authorized", "1");
}
END_TEST

/* Without readable descriptors the VID:PID come from idVendor and idProduct. */
START_TEST (test_vendor_without_descriptors)
{
  g_autofree char *descriptors = g_build_filename (fixture.root, DEV "1-1/descriptors", NULL);

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-1", "1d6b", "4", "0");
  ck_assert_int_eq (g_unlink (descriptors), 0);
  cg_usb_host_guard_device_added (fixture.guard, "1-1");
  assert_attr (DEV "1-1/authorized", "1");
}
END_TEST

START_TEST (test_interface_allowlist)
{
  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-1", "0781", "5", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-1");
  assert_attr (DEV "usb1/interface_authorized_default", "0");
  assert_attr (DEV "1-1/authorized", "1");
  assert_attr (DEV "1-1:1.0/authorized", "0"); /* cdc: no network */
  assert_attr (DEV "1-1:1.1/authorized", "1"); /* mass storage */
  assert_attr ("sys/bus/usb/drivers_probe", "1-1:1.1");
}
END_TEST

START_TEST (test_reload_reauthorizes_and_deauthorizes)
{
  g_autoptr (GError) error = NULL;

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-1", "1c98", "6", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-1");
  assert_attr (DEV "1-1/authorized", "0");

  write_file ("etc/carguard/vendors.d/alpine.conf",
              "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=trusted\n");
  ck_assert (cg_policy_keeper_reload (fixture.keeper, &error));
  assert_attr (DEV "1-1/authorized", "1");

  write_file ("etc/carguard/vendors.d/alpine.conf",
              "[Vendor]\nName=Alpine\n[Match]\nUSB=1c98\n[Policy]\nPreset=block\n");
  ck_assert (cg_policy_keeper_reload (fixture.keeper, &error));
  assert_attr (DEV "1-1/authorized", "0");
}
END_TEST

START_TEST (test_ask_authorizes_only_on_allow)
{
  guint id;
  const CgDeviceRecord *record;

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-3", "abcd", "7", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-3");
  id = cg_usb_host_guard_get_pending_id (fixture.guard, "1-3");
  ck_assert_uint_ne (id, 0);
  assert_attr (DEV "1-3/authorized", "0");
  record = cg_device_registry_lookup (fixture.registry, "usb/1-3");
  ck_assert_str_eq (record->decision, "ask");
  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  assert_attr (DEV "1-3/authorized", "1");
}
END_TEST

START_TEST (test_ask_removed_withdraws_question)
{
  guint id;

  cg_usb_host_guard_start (fixture.guard);
  fake_device ("1-3", "abcd", "8", "0");
  cg_usb_host_guard_device_added (fixture.guard, "1-3");
  id = cg_usb_host_guard_get_pending_id (fixture.guard, "1-3");
  ck_assert_uint_ne (id, 0);
  cg_usb_host_guard_device_removed (fixture.guard, "1-3");
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, id));
  ck_assert_ptr_null (cg_device_registry_lookup (fixture.registry, "usb/1-3"));
}
END_TEST

START_TEST (test_judge_present_devices)
{
  fake_device ("1-1", "1c98", "2", "1"); /* a head unit left authorized before carguardd */
  cg_usb_host_guard_start (fixture.guard);
  assert_attr (DEV "1-1/authorized", "0");
}
END_TEST

START_TEST (test_present_devices_values)
{
  CgUsbPresentDevices mode;

  ck_assert (cg_usb_present_devices_from_string ("authorize", &mode));
  ck_assert_int_eq (mode, CG_USB_PRESENT_AUTHORIZE);
  ck_assert (cg_usb_present_devices_from_string ("judge", &mode));
  ck_assert_int_eq (mode, CG_USB_PRESENT_JUDGE);
  ck_assert (cg_usb_present_devices_from_string ("authorize-all", &mode));
  ck_assert_int_eq (mode, CG_USB_PRESENT_AUTHORIZE_ALL);
  ck_assert (!cg_usb_present_devices_from_string ("deny", &mode));
}
END_TEST

START_TEST (test_guard_off_leaves_hubs_alone)
{
  cg_usb_host_guard_start (fixture.guard);
  assert_attr (DEV "usb1/authorized_default", "1");
  ck_assert (!host_guard_state ()->running);
  ck_assert_str_eq (host_guard_state ()->what, "off: [USBHost] Guard=no");
  fake_device ("1-1", "1c98", "9", "1");
  cg_usb_host_guard_device_added (fixture.guard, "1-1");
  assert_attr (DEV "1-1/authorized", "1");
}
END_TEST

/* authorize-all: what the kernel authorized before carguardd stays, on any port. */
START_TEST (test_authorize_all_keeps_external_devices)
{
  fake_device_on_port ("1-1", "1c98", "2", "1", "hotplug");
  cg_usb_host_guard_start (fixture.guard);
  assert_attr (DEV "1-1/authorized", "1");
  ck_assert_str_eq (decision_of ("usb/1-1"), "data (present at start)");
}
END_TEST

static void
host_setup_authorize_all (void)
{
  host_setup_with ("[Default]\nPreset=charge-only\n[USBHost]\nPresentDevices=authorize-all\n");
}

static void
host_setup_off (void)
{
  host_setup_with ("[Default]\nPreset=charge-only\n[USBHost]\nGuard=no\n");
}

static void
host_setup_ask (void)
{
  host_setup_with ("[Default]\nPreset=charge-only\nUSBMode=ask\n");
  write_file ("etc/carguard/vendors.d/reader.conf",
              "[Vendor]\n[Match]\nUSB=0bda\n[Policy]\nPreset=trusted\nUSBWhileLocked=data\n");
  reload ();
}

static void
host_setup_judge (void)
{
  host_setup_with ("[Default]\nPreset=charge-only\n[USBHost]\nPresentDevices=judge\n");
}

int
main (void)
{
  Suite *suite = suite_create ("usb-host-guard");
  TCase *tc = tcase_create ("fake-sysfs");
  TCase *ask = tcase_create ("ask");
  TCase *judge = tcase_create ("present-judge");
  TCase *off = tcase_create ("guard-off");
  TCase *all = tcase_create ("present-authorize-all");
  SRunner *runner;
  int failed;

  tcase_add_checked_fixture (tc, host_setup, host_teardown);
  tcase_add_test (tc, test_root_hubs_locked_at_start);
  tcase_add_test (tc, test_present_keyboard_stays_authorized);
  tcase_add_test (tc, test_present_on_external_port_is_judged);
  tcase_add_test (tc, test_block_reaches_a_device_kept_at_start);
  tcase_add_test (tc, test_car_vendor_stays_unauthorized);
  tcase_add_test (tc, test_trusted_vendor_authorized_with_interfaces);
  tcase_add_test (tc, test_vendor_without_descriptors);
  tcase_add_test (tc, test_interface_allowlist);
  tcase_add_test (tc, test_reload_reauthorizes_and_deauthorizes);
  tcase_add_test (tc, test_present_devices_values);
  suite_add_tcase (suite, tc);
  tcase_add_checked_fixture (ask, host_setup_ask, host_teardown);
  tcase_add_test (ask, test_ask_authorizes_only_on_allow);
  tcase_add_test (ask, test_ask_removed_withdraws_question);
  tcase_add_test (ask, test_block_reaches_an_answered_device);
  tcase_add_test (ask, test_reload_rejudges_pending_questions);
  tcase_add_test (ask, test_question_says_kind_and_grants);
  tcase_add_test (ask, test_locked_holds_new_devices_until_unlock);
  suite_add_tcase (suite, ask);
  tcase_add_checked_fixture (judge, host_setup_judge, host_teardown);
  tcase_add_test (judge, test_judge_present_devices);
  suite_add_tcase (suite, judge);
  tcase_add_checked_fixture (all, host_setup_authorize_all, host_teardown);
  tcase_add_test (all, test_authorize_all_keeps_external_devices);
  suite_add_tcase (suite, all);
  tcase_add_checked_fixture (off, host_setup_off, host_teardown);
  tcase_add_test (off, test_guard_off_leaves_hubs_alone);
  suite_add_tcase (suite, off);
  runner = srunner_create (suite);
  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
