/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The USB guards' settings in carguard.conf ([USBHost], [USBGadget]) as one loader
 * reads them: defaults that fail safe, and values a key does not take refused. */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>

#include "cg-test-tree.h"
#include "cg-usb-config.h"

static char *root;

static void
config_setup (void)
{
  g_autoptr (GError) error = NULL;

  root = g_dir_make_tmp ("cg-usb-config-XXXXXX", &error);
  ck_assert_msg (root != NULL, "%s", error ? error->message : "");
}

static void
config_teardown (void)
{
  cg_test_tree_remove (root);
  g_clear_pointer (&root, g_free);
}

/* Loads carguard.conf with text (NULL: no file) into config. */
static void
load_config (const char *text, CgUsbConfig *config)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = NULL;

  if (text != NULL)
    cg_test_tree_write (root, "etc/carguard/carguard.conf", text);
  policy = cg_policy_load (root, NULL, diagnostics, &error);
  ck_assert_msg (policy != NULL, "%s", error ? error->message : "");
  cg_usb_config_load (policy, config);
}

START_TEST (test_defaults_without_settings)
{
  g_auto (CgUsbConfig) config = { 0 };

  load_config (NULL, &config);
  ck_assert (config.host_guard);
  ck_assert_int_eq (config.present_devices, CG_USB_PRESENT_AUTHORIZE);
  ck_assert_ptr_null (config.gadget);
  ck_assert_ptr_null (config.udc);
  ck_assert (config.gadget_guard);
  ck_assert_int_eq (config.cable, CG_USB_CABLE_AUTO);
}
END_TEST

START_TEST (test_both_sections_read)
{
  g_auto (CgUsbConfig) config = { 0 };

  load_config ("[Default]\nPreset=charge-only\n"
               "[USBHost]\nGuard=no\nPresentDevices=judge\n"
               "[USBGadget]\nGadget=g1\nUDC=dummy_udc.0\nCable=udc\n",
               &config);
  ck_assert_int_eq (config.cable, CG_USB_CABLE_UDC);
  ck_assert (!config.host_guard);
  ck_assert (config.gadget_guard);
  ck_assert_int_eq (config.present_devices, CG_USB_PRESENT_JUDGE);
  ck_assert_str_eq (config.gadget, "g1");
  ck_assert_str_eq (config.udc, "dummy_udc.0");
}
END_TEST

START_TEST (test_guard_yes_guards)
{
  g_auto (CgUsbConfig) config = { 0 };

  load_config ("[USBHost]\nGuard=yes\nPresentDevices=authorize\n[USBGadget]\nGuard=no\n", &config);
  ck_assert (config.host_guard);
  ck_assert (!config.gadget_guard);
  ck_assert_int_eq (config.present_devices, CG_USB_PRESENT_AUTHORIZE);
}
END_TEST

/* A value a key does not take is a load error, line by line: the daemon keeps the last
 * good policy rather than guess, so a typo neither turns the guard off nor locks out the
 * keyboard, and a name cannot lead out of configfs or sysfs. */
START_TEST (test_values_a_key_does_not_take)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgPolicy) policy = NULL;
  const guint lines[] = { 2, 3, 5, 6, 7, 8 };

  cg_test_tree_write (root, "etc/carguard/carguard.conf",
                      "[USBHost]\nGuard=off\nPresentDevices=deny\n"
                      "[USBGadget]\nGadget=../../etc\nUDC=a/b\nGuard=0\nCable=always\n");
  policy = cg_policy_load (root, NULL, diagnostics, NULL);
  ck_assert_ptr_null (policy);
  ck_assert_uint_eq (diagnostics->len, G_N_ELEMENTS (lines));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    ck_assert_uint_eq (((CgDiagnostic *)g_ptr_array_index (diagnostics, i))->line, lines[i]);
}
END_TEST

static Suite *
usb_config_suite (void)
{
  Suite *suite = suite_create ("usb-config");
  TCase *tc = tcase_create ("load");

  tcase_add_checked_fixture (tc, config_setup, config_teardown);
  tcase_add_test (tc, test_defaults_without_settings);
  tcase_add_test (tc, test_both_sections_read);
  tcase_add_test (tc, test_guard_yes_guards);
  tcase_add_test (tc, test_values_a_key_does_not_take);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (usb_config_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
