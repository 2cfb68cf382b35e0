/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libusb's hotplug source: the sysfs names it reports, and a life cycle that leaves no
 * fd or source behind whether or not libusb can start here. */
#include "config.h"

#include <check.h>
#include <gio/gio.h>

#include "cg-usb-hotplug.h"

START_TEST (test_sysfs_names)
{
  const guint8 one[] = { 2 };
  const guint8 two[] = { 2, 4 };
  const guint8 deepest[] = { 1, 2, 3, 4, 5, 6, 7 };
  g_autofree char *hub = cg_usb_hotplug_sysfs_name (1, NULL, 0);
  g_autofree char *port = cg_usb_hotplug_sysfs_name (3, one, G_N_ELEMENTS (one));
  g_autofree char *behind_hub = cg_usb_hotplug_sysfs_name (3, two, G_N_ELEMENTS (two));
  g_autofree char *deep = cg_usb_hotplug_sysfs_name (255, deepest, G_N_ELEMENTS (deepest));

  ck_assert_str_eq (hub, "usb1");
  ck_assert_str_eq (port, "3-2");
  ck_assert_str_eq (behind_hub, "3-2.4");
  ck_assert_str_eq (deep, "255-1.2.3.4.5.6.7");
}
END_TEST

/* Where libusb starts (a machine with usbfs) the source runs in the main context;
 * where it cannot, it says why. Freed either way with nothing left attached. */
START_TEST (test_starts_or_says_why)
{
  g_autoptr (GError) error = NULL;
  CgUsbHotplug *hotplug = cg_usb_hotplug_new (&error);

  if (hotplug == NULL) {
    ck_assert_ptr_nonnull (error);
    ck_assert_ptr_nonnull (error->message);
    return;
  }
  ck_assert_ptr_null (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (hotplug);
  ck_assert (!g_main_context_pending (NULL));
}
END_TEST

static Suite *
usb_hotplug_suite (void)
{
  Suite *suite = suite_create ("usb-hotplug");
  TCase *tc = tcase_create ("hotplug");

  tcase_add_test (tc, test_sysfs_names);
  tcase_add_test (tc, test_starts_or_says_why);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (usb_hotplug_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
