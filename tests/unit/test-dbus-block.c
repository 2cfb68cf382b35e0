/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the daemon's Block writes: local-blocked.conf through the policy editor, each
 * device once, nothing when the edit is refused. */
#include <check.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cg-dbus-block.h"
#include "cg-policy.h"
#include "cg-test-tree.h"

#define BLOCKED_PATH "etc/carguard/vendors.d/" CG_BLOCK_VENDOR_ID ".conf"

static char *root;

static void
block_setup (void)
{
  g_autoptr (GError) error = NULL;

  root = g_dir_make_tmp ("carguard-block-XXXXXX", &error);
  ck_assert_msg (root != NULL, "%s", error ? error->message : "");
}

static void
block_teardown (void)
{
  cg_test_tree_remove (root);
  g_clear_pointer (&root, g_free);
}

static char *
blocked_text (void)
{
  return cg_test_tree_read (root, BLOCKED_PATH);
}

static void
block (const CgBlockTarget *target)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;

  ck_assert_msg (cg_dbus_block_persist (root, target, diagnostics, &error), "%s",
                 error ? error->message : "");
}

/* The policy as the daemon would load it now. */
static CgPolicy *
load (void)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  CgPolicy *policy = cg_policy_load (root, NULL, diagnostics, &error);

  ck_assert_msg (policy != NULL, "%s", error ? error->message : "");
  return policy;
}

/* Whether the policy in force now blocks the device, and at which level. */
static gboolean
usb_blocked_at (const CgFacts *facts, CgLevel level)
{
  g_autoptr (CgPolicy) policy = load ();
  g_auto (CgDecision) decision = { 0 };

  cg_policy_decide (policy, facts, CG_TRANSPORT_USB, &decision);
  return decision.grant.block && decision.level == level;
}

/* Whether the policy in force now blocks the device, whichever level decided: a serial
 * of local-blocked.conf (no USB= of its own) only ever takes away. */
static gboolean
usb_blocked (const CgFacts *facts)
{
  g_autoptr (CgPolicy) policy = load ();
  g_auto (CgDecision) decision = { 0 };

  cg_policy_decide (policy, facts, CG_TRANSPORT_USB, &decision);
  return decision.grant.block && decision.grant.usb_mode == CG_USB_MODE_CHARGE_ONLY;
}

START_TEST (test_block_by_address_serial_and_product)
{
  const CgBlockTarget car = { .bt_address = "00:1E:DE:AA:BB:CC" };
  const CgBlockTarget stick = { .usb_serial = "SN \"7\"", .has_usb_id = TRUE, .usb_vid = 0x0781 };
  const CgBlockTarget dock
      = { .usb_serial = "", .has_usb_id = TRUE, .usb_vid = 0x1d6b, .usb_pid = 2 };
  const CgFacts stick_facts = { .usb_serial = "SN \"7\"", .has_usb_id = TRUE, .usb_vid = 0x0781 };
  const CgFacts dock_facts = { .has_usb_id = TRUE, .usb_vid = 0x1d6b, .usb_pid = 2 };
  g_autofree char *text = NULL;

  block (&car);
  block (&stick);
  block (&dock);
  text = blocked_text ();
  ck_assert_ptr_nonnull (text);
  ck_assert_ptr_nonnull (
      strstr (text, "[Device]\nBluetoothAddress=00:1E:DE:AA:BB:CC\nPreset=block\n"));
  ck_assert_ptr_nonnull (strstr (text, "[Device]\nUSBSerial=\"SN \\\"7\\\"\"\nPreset=block\n"));
  ck_assert_ptr_nonnull (strstr (text, "[Match]\nUSB=1d6b:0002\n"));
  ck_assert (usb_blocked (&stick_facts));
  ck_assert (usb_blocked_at (&dock_facts, CG_LEVEL_PRODUCT));
}
END_TEST

/* The serial as the device sent it, control bytes and all: the block matches what the
 * guard reads from sysfs, and the file stays one line of UTF-8 per key. */
START_TEST (test_block_by_hostile_serial_round_trips)
{
  const char serial[] = "HU\x01\x1b[2J\n\"7\\\xff";
  const CgBlockTarget car = { .usb_serial = serial, .has_usb_id = TRUE, .usb_vid = 0x1c98 };
  const CgFacts car_facts = { .usb_serial = serial, .has_usb_id = TRUE, .usb_vid = 0x1c98 };
  const CgFacts look_alike = { .usb_serial = "HU??[2J?\"7\\?", .has_usb_id = TRUE };
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;

  block (&car);
  text = blocked_text ();
  ck_assert_ptr_nonnull (strstr (text, "USBSerial=\"HU\\x01\\x1b[2J\\x0a\\\"7\\\\\\xff\"\n"));
  ck_assert (usb_blocked (&car_facts));
  ck_assert (!usb_blocked (&look_alike));
  /* Blocking it again finds the entry it wrote. */
  block (&car);
  again = blocked_text ();
  ck_assert_str_eq (again, text);
}
END_TEST

START_TEST (test_block_again_changes_nothing)
{
  const CgBlockTarget car = { .bt_address = "00:1E:DE:AA:BB:CC" };
  const CgBlockTarget car_lower = { .bt_address = "00:1e:de:aa:bb:cc" };
  const CgBlockTarget dock = { .has_usb_id = TRUE, .usb_vid = 0x1d6b, .usb_pid = 2 };
  g_autofree char *once = NULL;
  g_autofree char *twice = NULL;

  block (&car);
  block (&dock);
  once = blocked_text ();
  block (&car);
  block (&car_lower);
  block (&dock);
  twice = blocked_text ();
  ck_assert_str_eq (twice, once);
}
END_TEST

START_TEST (test_block_without_a_key_writes_nothing)
{
  const CgBlockTarget nothing = { .usb_serial = "" };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;

  ck_assert (!cg_dbus_block_persist (root, &nothing, diagnostics, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  ck_assert_ptr_null (blocked_text ());
}
END_TEST

/* Another vendor's broken file refuses the edit: local-blocked.conf stays as it was. */
START_TEST (test_refused_block_leaves_the_file_byte_identical)
{
  const CgBlockTarget car = { .bt_address = "00:1E:DE:AA:BB:CC" };
  const CgBlockTarget other = { .bt_address = "00:1E:DE:00:00:01" };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  block (&car);
  before = blocked_text ();
  cg_test_tree_write (root, "etc/carguard/vendors.d/byd.conf", "[Vendor]\nName=BYD\nBogus=1\n");
  ck_assert (!cg_dbus_block_persist (root, &other, diagnostics, &error));
  ck_assert_uint_gt (diagnostics->len, 0);
  after = blocked_text ();
  ck_assert_str_eq (after, before);
}
END_TEST

START_TEST (test_masked_file_is_not_unmasked)
{
  const CgBlockTarget car = { .bt_address = "00:1E:DE:AA:BB:CC" };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  cg_test_tree_write (root, BLOCKED_PATH, "");
  ck_assert (!cg_dbus_block_persist (root, &car, diagnostics, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS));
  text = blocked_text ();
  ck_assert_str_eq (text, "");
}
END_TEST

static Suite *
dbus_block_suite (void)
{
  Suite *suite = suite_create ("dbus-block");
  TCase *tc = tcase_create ("persist");

  tcase_add_checked_fixture (tc, block_setup, block_teardown);
  tcase_add_test (tc, test_block_by_address_serial_and_product);
  tcase_add_test (tc, test_block_by_hostile_serial_round_trips);
  tcase_add_test (tc, test_block_again_changes_nothing);
  tcase_add_test (tc, test_block_without_a_key_writes_nothing);
  tcase_add_test (tc, test_refused_block_leaves_the_file_byte_identical);
  tcase_add_test (tc, test_masked_file_is_not_unmasked);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (dbus_block_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
