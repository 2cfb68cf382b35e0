/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An approval is bound to the bond it was given for: BlueZ's stored key (read from a
 * fake /var/lib/bluetooth, never printed), the address, its type, the class and the
 * Device ID. A re-pair under the same address, a new class or a new Device ID no longer
 * match; a firmware version or a service-class bit does not count. */
#include "config.h"

#include <check.h>
#include <string.h>
#include <unistd.h>

#include "cg-bluetooth-bonds.h"
#include "cg-bluez-bond.h"
#include "cg-test-tree.h"

#define ADAPTER "00:AA:01:00:00:00"
#define CAR "00:AA:01:01:00:01"
#define INFO ADAPTER "/" CAR "/info"
#define LINK_KEY "00010203040506070809000102030405"

static char *storage;

static void
setup (void)
{
  storage = g_dir_make_tmp ("cg-bonds-XXXXXX", NULL);
  ck_assert_ptr_nonnull (storage);
}

static void
teardown (void)
{
  cg_test_tree_remove (storage);
  g_clear_pointer (&storage, g_free);
}

static void
write_key (const char *key, int type)
{
  g_autofree char *text = g_strdup_printf ("[General]\nName=Lab car\n\n[LinkKey]\nKey=%s\n"
                                           "Type=%d\nPINLength=0\n",
                                           key, type);
  cg_test_tree_write (storage, INFO, text);
}

static char *
digest (void)
{
  g_autoptr (GError) error = NULL;
  char *d = cg_bluez_bond_digest (storage, ADAPTER, CAR, &error);

  ck_assert_msg (d != NULL, "%s", error ? error->message : "");
  return d;
}

START_TEST (test_digest_tells_bonds_apart)
{
  g_autofree char *none = digest ();
  g_autofree char *first = NULL;
  g_autofree char *same = NULL;
  g_autofree char *rekeyed = NULL;
  g_autofree char *other_kind = NULL;
  g_autofree char *lower = NULL;

  ck_assert_str_eq (none, CG_BLUEZ_BOND_NONE);
  write_key (LINK_KEY, 8);
  first = digest ();
  ck_assert (g_str_has_prefix (first, "sha256:"));
  /* Nothing of the key shows. */
  ck_assert_ptr_null (strstr (first, LINK_KEY));
  write_key (LINK_KEY, 8);
  same = digest ();
  ck_assert_str_eq (first, same);
  write_key ("ffeeddccbbaa99887766554433221100", 8);
  rekeyed = digest ();
  ck_assert_str_ne (first, rekeyed);
  /* The same bytes made another way (btvirt's key is a constant): another bond. */
  write_key (LINK_KEY, 7);
  other_kind = digest ();
  ck_assert_str_ne (first, other_kind);
  /* Addresses in any case name the same file. */
  lower = cg_bluez_bond_digest (storage, "00:aa:01:00:00:00", "00:aa:01:01:00:01", NULL);
  ck_assert_str_eq (lower, other_kind);
}
END_TEST

START_TEST (test_digest_of_le_keys)
{
  g_autofree char *ltk = NULL;
  g_autofree char *no_key = NULL;

  cg_test_tree_write (storage, INFO,
                      "[LongTermKey]\nKey=0102030405060708090a0b0c0d0e0f10\nAuthenticated=1\n"
                      "EncSize=16\nEDiv=0\nRand=0\n");
  ltk = digest ();
  ck_assert (g_str_has_prefix (ltk, "sha256:"));
  cg_test_tree_write (storage, INFO, "[General]\nName=no bond\n");
  no_key = digest ();
  ck_assert_str_eq (no_key, CG_BLUEZ_BOND_NONE);
}
END_TEST

START_TEST (test_digest_refuses_what_is_not_an_info_file)
{
  g_autofree char *big = g_strnfill (CG_BLUEZ_INFO_MAX_BYTES + 1, '#');
  g_autofree char *target = g_build_filename (storage, "elsewhere", NULL);
  g_autofree char *info = g_build_filename (storage, INFO, NULL);
  g_autoptr (GError) error = NULL;

  ck_assert_ptr_null (cg_bluez_bond_digest (storage, "../../etc", CAR, &error));
  g_clear_error (&error);
  cg_test_tree_write (storage, INFO, big);
  ck_assert_ptr_null (cg_bluez_bond_digest (storage, ADAPTER, CAR, &error));
  g_clear_error (&error);
  cg_test_tree_write (storage, INFO, "[LinkKey\nKey=1\n");
  ck_assert_ptr_null (cg_bluez_bond_digest (storage, ADAPTER, CAR, &error));
  g_clear_error (&error);
  /* A symlink is not followed. */
  cg_test_tree_write (storage, "elsewhere", "[LinkKey]\nKey=" LINK_KEY "\n");
  ck_assert_int_eq (unlink (info), 0);
  ck_assert_int_eq (symlink (target, info), 0);
  ck_assert_ptr_null (cg_bluez_bond_digest (storage, ADAPTER, CAR, &error));
}
END_TEST

static CgBluezDevice *
car_device (guint32 cod, const char *modalias)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) props = NULL;

  g_variant_builder_add (&builder, "{sv}", "Address", g_variant_new_string (CAR));
  g_variant_builder_add (&builder, "{sv}", "AddressType", g_variant_new_string ("public"));
  g_variant_builder_add (&builder, "{sv}", "Adapter",
                         g_variant_new_object_path ("/org/bluez/hci0"));
  g_variant_builder_add (&builder, "{sv}", "Name", g_variant_new_string ("Lab car"));
  g_variant_builder_add (&builder, "{sv}", "Class", g_variant_new_uint32 (cod));
  if (modalias != NULL)
    g_variant_builder_add (&builder, "{sv}", "Modalias", g_variant_new_string (modalias));
  g_variant_builder_add (&builder, "{sv}", "Paired", g_variant_new_boolean (TRUE));
  props = g_variant_ref_sink (g_variant_builder_end (&builder));
  return cg_bluez_device_new_from_properties ("/org/bluez/hci0/dev_00_AA_01_01_00_01", props, NULL);
}

START_TEST (test_binding)
{
  g_autoptr (CgBluezDevice) device = car_device (0x200420, "bluetooth:v004Bp1200d0100");
  g_autoptr (CgBluezDevice) updated = car_device (0x240420, "bluetooth:v004Bp1200d0200");
  g_auto (GStrv) binding = cg_bt_binding_new (device, "sha256:ab");
  g_auto (GStrv) same = cg_bt_binding_new (updated, "sha256:ab");

  ck_assert (g_strv_contains ((const char *const *)binding, "address=" CAR));
  ck_assert (g_strv_contains ((const char *const *)binding, "address-type=public"));
  ck_assert (g_strv_contains ((const char *const *)binding, "class=0x000420"));
  ck_assert (g_strv_contains ((const char *const *)binding, "device-id=bluetooth:v004Bp1200"));
  ck_assert (g_strv_contains ((const char *const *)binding, "bond=sha256:ab"));
  /* A service-class bit and a firmware version are not what the device is. */
  ck_assert (g_strv_equal ((const char *const *)binding, (const char *const *)same));
}
END_TEST

typedef struct {
  CgApprovals *approvals;
  CgBluetoothBonds *bonds;
} Bonds;

static Bonds
bonds_new (void)
{
  Bonds b = { .approvals = cg_approvals_new (NULL) };

  b.bonds = cg_bluetooth_bonds_new (b.approvals, NULL, storage);
  cg_bluetooth_bonds_set_adapter_address (b.bonds, "/org/bluez/hci0", ADAPTER);
  return b;
}

static void
bonds_free (Bonds *b)
{
  cg_bluetooth_bonds_free (b->bonds);
  g_object_unref (b->approvals);
}

static CgBtApprovalMatch
check (Bonds *b, const CgBluezDevice *device, char **difference)
{
  g_auto (CgBtApprovalCheck) result = { 0 };

  cg_bluetooth_bonds_check (b->bonds, device, &result);
  if (difference != NULL)
    *difference = g_steal_pointer (&result.difference);
  return result.match;
}

START_TEST (test_approval_bound_to_the_bond)
{
  Bonds b = bonds_new ();
  g_autoptr (CgBluezDevice) car = car_device (0x200420, NULL);
  g_autoptr (CgBluezDevice) keyboard = car_device (0x002540, NULL);
  g_autofree char *difference = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (check (&b, car, NULL), CG_BT_APPROVAL_NONE);
  write_key (LINK_KEY, 8);
  ck_assert (cg_bluetooth_bonds_record (b.bonds, car, CG_APPROVAL_BY_PERSON, &error));
  ck_assert_int_eq (check (&b, car, NULL), CG_BT_APPROVAL_MATCHES);
  ck_assert_int_eq (check (&b, keyboard, &difference), CG_BT_APPROVAL_FACTS_DIFFER);
  ck_assert_str_eq (difference, "class");
  /* A re-pair: another key. The cached digest holds until the bond or connection changes. */
  write_key ("ffeeddccbbaa99887766554433221100", 8);
  ck_assert_int_eq (check (&b, car, NULL), CG_BT_APPROVAL_MATCHES);
  cg_bluetooth_bonds_invalidate (b.bonds, car->object_path);
  ck_assert_int_eq (check (&b, car, NULL), CG_BT_APPROVAL_BOND_DIFFERS);
  ck_assert (!cg_bluetooth_bonds_key_is_gone (b.bonds, car));
  {
    /* bluetoothctl remove: the device's directory goes with its key. */
    g_autofree char *dir = g_build_filename (storage, ADAPTER, NULL);
    cg_test_tree_remove (dir);
  }
  ck_assert (cg_bluetooth_bonds_key_is_gone (b.bonds, car));
  ck_assert (cg_bluetooth_bonds_forget (b.bonds, CAR, CG_APPROVAL_SUPERSEDED));
  ck_assert_int_eq (check (&b, car, NULL), CG_BT_APPROVAL_NONE);
  bonds_free (&b);
}
END_TEST

/* The Device ID is read from SDP after the pairing: learning it is no change; changing
 * it is. */
START_TEST (test_learned_fact_is_no_change)
{
  Bonds b = bonds_new ();
  g_autoptr (CgBluezDevice) paired = car_device (0x200420, NULL);
  g_autoptr (CgBluezDevice) browsed = car_device (0x200420, "bluetooth:v004Bp1200d0100");
  g_autoptr (CgBluezDevice) other = car_device (0x200420, "bluetooth:v1D6Bp0246d0537");
  g_auto (CgBtApprovalCheck) learned = { 0 };
  g_autofree char *difference = NULL;

  write_key (LINK_KEY, 8);
  ck_assert (cg_bluetooth_bonds_record (b.bonds, paired, CG_APPROVAL_BY_PERSON, NULL));
  cg_bluetooth_bonds_check (b.bonds, browsed, &learned);
  ck_assert_int_eq (learned.match, CG_BT_APPROVAL_MATCHES);
  ck_assert (learned.learned);
  ck_assert (cg_bluetooth_bonds_record (b.bonds, browsed, learned.by, NULL));
  ck_assert_int_eq (check (&b, browsed, NULL), CG_BT_APPROVAL_MATCHES);
  ck_assert_int_eq (check (&b, other, &difference), CG_BT_APPROVAL_FACTS_DIFFER);
  ck_assert_str_eq (difference, "device-id");
  bonds_free (&b);
}
END_TEST

static Suite *
bonds_suite (void)
{
  Suite *suite = suite_create ("bluetooth-bonds");
  TCase *tc = tcase_create ("bonds");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_digest_tells_bonds_apart);
  tcase_add_test (tc, test_digest_of_le_keys);
  tcase_add_test (tc, test_digest_refuses_what_is_not_an_info_file);
  tcase_add_test (tc, test_binding);
  tcase_add_test (tc, test_approval_bound_to_the_bond);
  tcase_add_test (tc, test_learned_fact_is_no_change);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (bonds_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
