/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device registry: what guards publish is what the API lists, hostile names come
 * out sanitised, and a question asked without a publication is still listed. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "cg-ask.h"
#include "cg-device-registry.h"

static CgDeviceReport
bluetooth_report (const char *address, const char *name, const char *decision)
{
  return (CgDeviceReport){
    .transport = "bluetooth",
    .device = address,
    .name = name,
    .vendor = "byd",
    .decision = decision,
    .rule = "/etc/carguard/vendors.d/byd.conf:7",
  };
}

static void
on_decision (CgDeviceRegistry *registry, const CgDeviceRecord *record, gpointer user_data)
{
  CgDeviceRecord **last = user_data;

  cg_device_record_free (*last);
  *last = cg_device_record_copy (record);
}

START_TEST (test_publish_lookup_list)
{
  g_autoptr (CgDeviceRegistry) registry = cg_device_registry_new (NULL);
  g_autoptr (CgDeviceRecord) last = NULL;
  CgDeviceReport report = bluetooth_report ("00:1e:de:12:34:56", "BYD\x1b[31m DiLink\xff", "deny");
  CgDeviceReport usb = { .transport = "usb",
                         .device = "1-1.2",
                         .decision = "charge-only",
                         .has_usb_id = TRUE,
                         .usb_vid = 0x1d6b,
                         .usb_pid = 0x0104 };
  const CgDeviceRecord *record;
  g_autoptr (GPtrArray) records = NULL;

  g_signal_connect (registry, "decision", G_CALLBACK (on_decision), &last);
  cg_device_registry_publish (registry, &report);
  ck_assert_ptr_nonnull (last);
  ck_assert_str_eq (last->id, "bluetooth/00:1E:DE:12:34:56");
  /* No escape character and valid UTF-8 survive into what D-Bus and notifiers get. */
  ck_assert_ptr_null (strchr (last->name, '\x1b'));
  ck_assert (g_utf8_validate (last->name, -1, NULL));
  ck_assert_ptr_nonnull (strstr (last->name, "DiLink"));

  cg_device_registry_publish (registry, &usb);
  record = cg_device_registry_lookup (registry, "00:1E:de:12:34:56");
  ck_assert_ptr_nonnull (record);
  ck_assert_str_eq (record->decision, "deny");
  ck_assert_str_eq (record->rule, "/etc/carguard/vendors.d/byd.conf:7");
  ck_assert_ptr_nonnull (cg_device_registry_lookup (registry, "usb/1-1.2"));
  ck_assert_ptr_null (cg_device_registry_lookup (registry, "1-1.3"));

  records = cg_device_registry_list (registry);
  ck_assert_uint_eq (records->len, 2);
  ck_assert_str_eq (((CgDeviceRecord *)records->pdata[0])->id, "bluetooth/00:1E:DE:12:34:56");
  ck_assert_str_eq (((CgDeviceRecord *)records->pdata[1])->id, "usb/1-1.2");

  cg_device_registry_remove (registry, "bluetooth", "00:1e:de:12:34:56");
  ck_assert_ptr_null (cg_device_registry_lookup (registry, "00:1E:DE:12:34:56"));
}
END_TEST

static void
ignore_answer (guint id, CgPendingAnswer answer, CgPendingReason reason, gint64 answered_uid,
               gpointer user_data)
{
}

static void
quit_on_decision (CgDeviceRegistry *registry, const CgDeviceRecord *record, gpointer loop)
{
  g_main_loop_quit (loop);
}

START_TEST (test_unpublished_question_is_listed)
{
  g_autoptr (CgPending) pending = cg_pending_new (0);
  g_autoptr (CgDeviceRegistry) registry = cg_device_registry_new (pending);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  const CgDeviceRecord *record;
  guint id;

  g_signal_connect (registry, "decision", G_CALLBACK (quit_on_decision), loop);
  id = cg_pending_add (pending,
                       &(CgPendingQuestion){ "bluetooth", "00:1E:DE:00:00:01", "Car", "pair" },
                       ignore_answer, NULL, NULL);
  g_main_loop_run (loop);

  record = cg_device_registry_lookup (registry, "00:1E:DE:00:00:01");
  ck_assert_ptr_nonnull (record);
  ck_assert_str_eq (record->decision, "ask");
  ck_assert_uint_eq (record->pending_id, id);

  ck_assert (cg_pending_resolve (pending, id, CG_PENDING_ANSWER_DENY, NULL));
  ck_assert_uint_eq (cg_device_registry_lookup (registry, "00:1E:DE:00:00:01")->pending_id, 0);
}
END_TEST

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
count_decision (CgDeviceRegistry *registry, const CgDeviceRecord *record, gpointer user_data)
{
  guint *n_decisions = user_data;

  (*n_decisions)++;
}

START_TEST (test_published_question_is_not_duplicated)
{
  g_autoptr (CgPending) pending = cg_pending_new (0);
  g_autoptr (CgDeviceRegistry) registry = cg_device_registry_new (pending);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  CgDeviceReport report = bluetooth_report ("00:1E:DE:00:00:02", "Car", "ask");
  guint n_decisions = 0;

  g_signal_connect (registry, "decision", G_CALLBACK (count_decision), &n_decisions);
  cg_pending_add (pending, &(CgPendingQuestion){ "bluetooth", "00:1E:DE:00:00:02", "Car", "pair" },
                  ignore_answer, NULL, NULL);
  cg_device_registry_publish (registry, &report);
  /* An idle of lower priority runs once the registry's own check has run. */
  g_idle_add_full (G_PRIORITY_LOW, quit_loop, loop, NULL);
  g_main_loop_run (loop);

  ck_assert_uint_eq (n_decisions, 1);
  ck_assert_str_eq (cg_device_registry_lookup (registry, "00:1E:DE:00:00:02")->vendor, "byd");
}
END_TEST

static void
ignore_ask_answer (CgAnswer answer, gpointer user_data)
{
}

START_TEST (test_record_pending_id_is_the_tables)
{
  g_autoptr (CgPending) pending = cg_pending_new (0);
  g_autoptr (CgDeviceRegistry) registry = cg_device_registry_new (pending);
  g_autoptr (GPtrArray) records = NULL;
  CgDeviceReport report = bluetooth_report ("00:1E:DE:00:00:03", "Car", "ask");
  CgPendingQuestion question = { "bluetooth", "00:1e:de:00:00:03", "Car", "pair", NULL };
  CgAsk ask = { 0 };
  guint id;

  ck_assert (cg_ask_raise (&ask, pending, &question, ignore_ask_answer, NULL));
  id = cg_ask_get_id (&ask);
  cg_device_registry_publish (registry, &report);
  /* The question is the table's; the record reads it, in any case of the address. */
  ck_assert_uint_eq (cg_device_registry_lookup (registry, "00:1E:DE:00:00:03")->pending_id, id);
  records = cg_device_registry_list (registry);
  ck_assert_uint_eq (((CgDeviceRecord *)records->pdata[0])->pending_id, id);

  ck_assert (cg_pending_resolve (pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert_uint_eq (cg_device_registry_lookup (registry, "00:1E:DE:00:00:03")->pending_id, 0);

  ck_assert (cg_ask_raise (&ask, pending, &question, ignore_ask_answer, NULL));
  ck_assert_uint_eq (cg_device_registry_lookup (registry, "00:1E:DE:00:00:03")->pending_id,
                     cg_ask_get_id (&ask));
  cg_ask_withdraw (&ask);
  ck_assert_uint_eq (cg_device_registry_lookup (registry, "00:1E:DE:00:00:03")->pending_id, 0);
}
END_TEST

static Suite *
registry_suite (void)
{
  Suite *s = suite_create ("dbus-registry");
  TCase *tc = tcase_create ("registry");

  tcase_add_test (tc, test_publish_lookup_list);
  tcase_add_test (tc, test_unpublished_question_is_listed);
  tcase_add_test (tc, test_published_question_is_not_duplicated);
  tcase_add_test (tc, test_record_pending_id_is_the_tables);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (registry_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
