/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What carguard-notifier says (cg-notice) and how much of it a person sees
 * (cg-notice-limit), from device records as carguardd sends them. */
#include <check.h>
#include <string.h>

#include "cg-notice-limit.h"
#include "cg-notice.h"

#define SECOND G_USEC_PER_SEC
#define INTERVAL (60 * SECOND)

static const char *const audio_only[] = { "a2dp", "avrcp", "hfp", "hsp", "pnp", "gatt", NULL };
static const char *const not_audio[]
    = { "pbap", "map", "opp", "ftp", "pan", "dun", "spp", "hid", "sap", "sync", "bip", NULL };

/* A Bluetooth question, as the Bluetooth guard raises it for a car. */
static CgDbusRecord
question_record (const char *kind, const char *name, const char *grants)
{
  return (CgDbusRecord){
    .id = "bluetooth/00:1E:DE:12:34:56",
    .transport = "bluetooth",
    .device = "00:1E:DE:12:34:56",
    .name = name,
    .vendor = "",
    .vendor_name = "",
    .decision = "ask",
    .rule = "/usr/lib/carguard/vendors.d/byd.conf:20",
    .pending = 7,
    .question = { .id = 7, .asks = "pair", .kind = kind, .grants = grants, .warning = "" },
  };
}

static CgDbusRecord
decision_record (const char *transport, const char *name, const char *decision,
                 const char *const *allowed, const char *const *denied)
{
  return (CgDbusRecord){
    .id = g_str_equal (transport, "usb") ? "usb/1-1" : "bluetooth/00:1E:DE:12:34:56",
    .transport = transport,
    .device = g_str_equal (transport, "usb") ? "1-1" : "00:1E:DE:12:34:56",
    .name = name,
    .vendor = "",
    .vendor_name = "",
    .decision = decision,
    .rule = "default",
    .allowed = allowed,
    .denied = denied,
  };
}

START_TEST (test_car_question)
{
  CgDbusRecord record = question_record ("car", "DiLink", "a2dp avrcp hfp hsp pnp gatt");
  g_auto (CgNotice) notice = { NULL };

  record.vendor_name = "BYD";
  ck_assert (cg_notice_from_record (&record, &notice));
  ck_assert (notice.ask);
  ck_assert_uint_eq (notice.question_id, 7);
  ck_assert_str_eq (notice.summary, "A car asks to pair");
  ck_assert_str_eq (notice.body,
                    "It calls itself “DiLink”; any device can claim that name. carguard’s policy "
                    "counts it as BYD.\n"
                    "Allowing it gives calls and music; contacts and messages stay on this "
                    "device.\n"
                    "Allow it this once?");
}
END_TEST

/* A keyboard is not "a car"; what a yes grants it includes typing. */
START_TEST (test_keyboard_question_with_passkey)
{
  CgDbusRecord record
      = question_record ("keyboard", "Magic Keys", "a2dp avrcp hfp hsp hid pnp gatt");
  g_auto (CgNotice) notice = { NULL };

  record.question.has_passkey = TRUE;
  record.question.passkey = 42;
  ck_assert (cg_notice_from_record (&record, &notice));
  ck_assert_str_eq (notice.summary, "A keyboard asks to pair");
  ck_assert_str_eq (notice.body, "It calls itself “Magic Keys”; any device can claim that name.\n"
                                 "Allowing it gives calls, music and typing; contacts and "
                                 "messages stay on this device.\n"
                                 "Pair only if it shows <b>000 042</b>.\n"
                                 "Allow it this once?");
}
END_TEST

START_TEST (test_question_warning_and_no_name)
{
  CgDbusRecord record = question_record ("phone", "", "a2dp avrcp pbap");
  g_auto (CgNotice) notice = { NULL };

  record.question.warning = "00:1E:DE:12:34:56 is already paired as 'Pool <car>'";
  ck_assert (cg_notice_from_record (&record, &notice));
  ck_assert_str_eq (notice.summary, "A phone asks to pair");
  ck_assert_str_eq (notice.body, "It gives no name; its address is 00:1E:DE:12:34:56.\n"
                                 "Allowing it gives music and contacts; messages stay on this "
                                 "device.\n"
                                 "<b>Warning:</b> 00:1E:DE:12:34:56 is already paired as "
                                 "&apos;Pool &lt;car&gt;&apos;\n"
                                 "Allow it this once?");
}
END_TEST

/* The phone's side of a cable: the host asks for the gadget's data functions. */
START_TEST (test_usb_host_question)
{
  CgDbusRecord record = question_record ("usb-host", "", "data");
  g_auto (CgNotice) notice = { NULL };

  record.id = "usb/musb-hdrc.1.auto";
  record.transport = "usb";
  record.device = "musb-hdrc.1.auto";
  record.question.asks = "data";
  ck_assert (cg_notice_from_record (&record, &notice));
  ck_assert_str_eq (notice.summary, "A USB host asks for a data connection");
  ck_assert_str_eq (notice.body, "It gives no name.\n"
                                 "Allowing it opens a data connection (files, network) until "
                                 "it is unplugged.\n"
                                 "Allow it this once?");
}
END_TEST

/* A kind or grants the notifier does not know: its own words never reach the summary; the
 * grants are shown as they are. */
START_TEST (test_unknown_kind_and_worded_grants)
{
  CgDbusRecord record = question_record ("<b>sofa</b>", "Evil\x1b[2J<i>", "calls and music");
  g_auto (CgNotice) notice = { NULL };

  ck_assert (cg_notice_from_record (&record, &notice));
  ck_assert_str_eq (notice.summary, "A Bluetooth device asks to pair");
  ck_assert_ptr_null (strchr (notice.body, '\x1b'));
  ck_assert_ptr_null (strstr (notice.body, "<i>"));
  ck_assert_ptr_nonnull (strstr (notice.body, "&lt;i&gt;"));
  ck_assert_ptr_nonnull (strstr (notice.body, "\nAllowing it gives: calls and music.\n"));
}
END_TEST

/* Grants that carry nothing, and grants that include contacts and messages. */
START_TEST (test_grants_none_and_all)
{
  CgDbusRecord nothing = question_record ("car", "Car", "pnp gatt");
  CgDbusRecord everything = question_record ("car", "Car", "hfp pbap map");
  g_auto (CgNotice) none_notice = { NULL };
  g_auto (CgNotice) all_notice = { NULL };

  ck_assert (cg_notice_from_record (&nothing, &none_notice));
  ck_assert_ptr_nonnull (
      strstr (none_notice.body, "\nAllowing it lets it pair, with no service.\n"));
  ck_assert (cg_notice_from_record (&everything, &all_notice));
  ck_assert_ptr_nonnull (
      strstr (all_notice.body, "\nAllowing it gives calls, contacts and messages.\n"));
}
END_TEST

/* An audio-only car let in: contacts and messages stayed, said once, not nine profiles. */
START_TEST (test_audio_only_car_notice)
{
  CgDbusRecord record = decision_record ("bluetooth", "DiLink", "allow", audio_only, not_audio);
  g_auto (CgNotice) notice = { NULL };

  ck_assert (cg_notice_from_record (&record, &notice));
  ck_assert (!notice.ask);
  ck_assert_str_eq (notice.summary, "carguard protected your data");
  ck_assert_str_eq (notice.body,
                    "“DiLink” gets calls and music; contacts and messages stayed on this device.");
}
END_TEST

START_TEST (test_refusals)
{
  static const char *const none[] = { NULL };
  static const char *const all[] = { "a2dp", "pbap", "map", NULL };
  const struct {
    const char *transport, *decision, *body;
  } rows[] = {
    { "bluetooth", "block", "“DiLink” is blocked: it got nothing from this device." },
    { "bluetooth", "deny", "“DiLink” may not pair: it got nothing from this device." },
    { "bluetooth", "deny (timeout)", "Nobody answered in time, so “DiLink” was kept out." },
    { "usb", "charge-only", "“DiLink” gets charging only, no data connection." },
    { "usb", "deny (timeout)", "Nobody answered in time, so “DiLink” gets charging only." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++) {
    CgDbusRecord record
        = decision_record (rows[i].transport, "DiLink", rows[i].decision, none, all);
    g_auto (CgNotice) notice = { NULL };

    ck_assert_msg (cg_notice_from_record (&record, &notice), "%s", rows[i].decision);
    ck_assert_str_eq (notice.body, rows[i].body);
  }
}
END_TEST

/* Nothing to tell: the person's own answer, a device that gave up, one that got all it
 * could want. */
START_TEST (test_nothing_to_tell)
{
  static const char *const all[] = { "a2dp", "pbap", "map", NULL };
  static const char *const none[] = { NULL };
  const char *const decisions[] = { "deny (person)", "deny (withdrawn)", "data", "allow" };

  for (gsize i = 0; i < G_N_ELEMENTS (decisions); i++) {
    CgDbusRecord record = decision_record ("bluetooth", "Car", decisions[i],
                                           g_str_equal (decisions[i], "allow") ? all : none, none);
    g_auto (CgNotice) notice = { NULL };

    ck_assert_msg (!cg_notice_from_record (&record, &notice), "%s", decisions[i]);
  }
}
END_TEST

static CgNotice
text (const char *body, gboolean ask)
{
  return (CgNotice){ .summary = (char *)"s", .body = (char *)body, .ask = ask };
}

START_TEST (test_limit_repeats_and_questions)
{
  g_autoptr (CgNoticeLimit) limit = cg_notice_limit_new (INTERVAL, 3);
  CgNotice blocked = text ("blocked", FALSE);
  CgNotice question = text ("question", TRUE);
  CgNotice passkey = text ("question, new passkey", TRUE);
  gint64 t = 1000 * SECOND;

  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &blocked, FALSE, t), CG_NOTICE_LIMIT_SHOW);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &blocked, FALSE, t + SECOND),
                    CG_NOTICE_LIMIT_REPEAT);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &blocked, FALSE, t + INTERVAL),
                    CG_NOTICE_LIMIT_SHOW);

  /* One question per interval; an open one changes in place (a new passkey). */
  t += 2 * INTERVAL;
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &question, FALSE, t),
                    CG_NOTICE_LIMIT_SHOW);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &question, TRUE, t + SECOND),
                    CG_NOTICE_LIMIT_REPEAT);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &passkey, TRUE, t + SECOND),
                    CG_NOTICE_LIMIT_SHOW);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &question, FALSE, t + 31 * SECOND),
                    CG_NOTICE_LIMIT_HOLD);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &question, FALSE, t + INTERVAL + SECOND),
                    CG_NOTICE_LIMIT_SHOW);

  /* Allowed: the next question comes through at once. */
  cg_notice_limit_answered (limit, "car", TRUE, t + INTERVAL + 2 * SECOND);
  ck_assert_int_eq (
      cg_notice_limit_admit (limit, "car", &passkey, FALSE, t + INTERVAL + 3 * SECOND),
      CG_NOTICE_LIMIT_SHOW);

  /* Kept blocked: nothing of the device for an interval. */
  t += 4 * INTERVAL;
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &question, FALSE, t),
                    CG_NOTICE_LIMIT_SHOW);
  cg_notice_limit_answered (limit, "car", FALSE, t + SECOND);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &blocked, FALSE, t + 2 * SECOND),
                    CG_NOTICE_LIMIT_HOLD);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &passkey, FALSE, t + 2 * SECOND),
                    CG_NOTICE_LIMIT_HOLD);
  ck_assert_int_eq (cg_notice_limit_admit (limit, "car", &blocked, FALSE, t + INTERVAL + SECOND),
                    CG_NOTICE_LIMIT_SHOW);
}
END_TEST

/* Random addresses: a few bubbles, then one notice counting the rest, once per interval. */
START_TEST (test_limit_many_devices)
{
  g_autoptr (CgNoticeLimit) limit = cg_notice_limit_new (INTERVAL, 3);
  CgNotice question = text ("question", TRUE);
  gint64 t = 1000 * SECOND;
  gint64 wait = 0;
  guint shown = 0, held = 0;

  for (guint i = 0; i < 200; i++) {
    g_autofree char *device = g_strdup_printf ("bluetooth/4A:00:00:00:%02X:%02X", i >> 8, i & 0xff);
    shown += cg_notice_limit_admit (limit, device, &question, FALSE, t + i) == CG_NOTICE_LIMIT_SHOW;
  }
  ck_assert_uint_eq (shown, 3);
  ck_assert (cg_notice_limit_flood_due (limit, t + 200, &held, &wait));
  ck_assert_uint_eq (held, 197);
  ck_assert (!cg_notice_limit_flood_due (limit, t + 201, &held, &wait));
  ck_assert_int_eq (wait, -1);

  /* The same held devices again (their timeouts): not counted twice. */
  for (guint i = 3; i < 200; i++) {
    g_autofree char *device = g_strdup_printf ("bluetooth/4A:00:00:00:%02X:%02X", i >> 8, i & 0xff);
    CgNotice timeout = text ("timed out", FALSE);
    ck_assert_int_eq (cg_notice_limit_admit (limit, device, &timeout, FALSE, t + 30 * SECOND),
                      CG_NOTICE_LIMIT_HOLD);
  }
  ck_assert (!cg_notice_limit_flood_due (limit, t + INTERVAL + SECOND, &held, &wait));
  ck_assert_int_eq (wait, -1);

  /* A device already on screen changes its bubble even now. */
  {
    CgNotice timeout = text ("timed out", FALSE);
    ck_assert_int_eq (cg_notice_limit_admit (limit, "bluetooth/4A:00:00:00:00:00", &timeout, FALSE,
                                             t + 30 * SECOND),
                      CG_NOTICE_LIMIT_SHOW);
  }
  /* The next interval has room again, and its flood notice counts only the new ones. */
  t += 2 * INTERVAL;
  for (guint i = 0; i < 5; i++) {
    g_autofree char *device = g_strdup_printf ("bluetooth/later-%u", i);
    shown += cg_notice_limit_admit (limit, device, &question, FALSE, t) == CG_NOTICE_LIMIT_SHOW;
  }
  ck_assert_uint_eq (shown, 6);
  ck_assert (cg_notice_limit_flood_due (limit, t, &held, &wait));
  ck_assert_uint_eq (held, 2);
  /* Held again at once: due when the interval since that notice is over. */
  cg_notice_limit_admit (limit, "bluetooth/later-9", &question, FALSE, t + SECOND);
  ck_assert (!cg_notice_limit_flood_due (limit, t + SECOND, &held, &wait));
  ck_assert_int_eq (wait, INTERVAL - SECOND);
}
END_TEST

static Suite *
notice_suite (void)
{
  Suite *s = suite_create ("notice");
  TCase *words = tcase_create ("words");
  TCase *limit = tcase_create ("limit");

  tcase_add_test (words, test_car_question);
  tcase_add_test (words, test_keyboard_question_with_passkey);
  tcase_add_test (words, test_question_warning_and_no_name);
  tcase_add_test (words, test_usb_host_question);
  tcase_add_test (words, test_unknown_kind_and_worded_grants);
  tcase_add_test (words, test_grants_none_and_all);
  tcase_add_test (words, test_audio_only_car_notice);
  tcase_add_test (words, test_refusals);
  tcase_add_test (words, test_nothing_to_tell);
  tcase_add_test (limit, test_limit_repeats_and_questions);
  tcase_add_test (limit, test_limit_many_devices);
  suite_add_tcase (s, words);
  suite_add_tcase (s, limit);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (notice_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
