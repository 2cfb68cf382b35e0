/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lists that scale: a list key repeated in a section adds to the list, an empty one
 * empties it, and OUIs come in every IEEE block size, the most specific winning. */
#include <check.h>
#include <string.h>

#include "cg-policy.h"

static CgPolicy *
load_vendor (const char *text, GPtrArray *diagnostics)
{
  const char *names[] = { "carguard.conf", "acme.conf" };
  const char *texts[] = { "[Default]\nPreset=charge-only\n", text };

  return cg_policy_load_from_data (names, texts, 2, diagnostics, NULL);
}

static CgPolicy *
load_vendor_ok (const char *text)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  CgPolicy *policy = load_vendor (text, diagnostics);

  if (policy == NULL) {
    g_autofree char *first = diagnostics->len > 0
                                 ? cg_diagnostic_to_string (g_ptr_array_index (diagnostics, 0))
                                 : g_strdup ("(none)");
    ck_abort_msg ("did not load: %s", first);
  }
  return policy;
}

/* The rule that decides a Bluetooth device at address, or NULL for the default. */
static const CgRule *
bt_rule (const CgPolicy *policy, const char *address, CgDecision *decision)
{
  const CgFacts facts = { .bt_address = address };

  cg_policy_decide (policy, &facts, CG_TRANSPORT_BLUETOOTH, decision);
  if (decision->level == CG_LEVEL_DEFAULT)
    return NULL;
  return g_ptr_array_index (decision->rules, 0);
}

START_TEST (test_repeated_list_key_appends)
{
  g_autoptr (CgPolicy) policy = load_vendor_ok ("[Vendor]\n"
                                                "[Match]\n"
                                                "BluetoothOUI=00:11:22\n"
                                                "USB=1234\n"
                                                "BluetoothOUI=00:11:33 00:11:44\n"
                                                "[Policy]\n"
                                                "Preset=block\n");
  g_auto (CgDecision) first = { 0 };
  g_auto (CgDecision) later = { 0 };
  const CgRule *rule;

  rule = bt_rule (policy, "00:11:22:00:00:01", &first);
  ck_assert_ptr_nonnull (rule);
  ck_assert_uint_eq (rule->line, 3);
  rule = bt_rule (policy, "00:11:44:00:00:01", &later);
  ck_assert_ptr_nonnull (rule);
  ck_assert_uint_eq (rule->line, 5);
  ck_assert_str_eq (rule->value, "00:11:44");
}
END_TEST

START_TEST (test_empty_list_key_resets)
{
  g_autoptr (CgPolicy) policy = load_vendor_ok ("[Vendor]\n"
                                                "[Match]\n"
                                                "BluetoothOUI=00:11:22 00:11:33\n"
                                                "Name=\"Acme*\"\n"
                                                "BluetoothOUI=\n"
                                                "BluetoothOUI=00:11:44\n"
                                                "[Policy]\n"
                                                "Preset=block\n");
  g_auto (CgDecision) reset = { 0 };
  g_auto (CgDecision) kept = { 0 };
  g_auto (CgDecision) after = { 0 };
  const CgFacts named = { .bt_name = "Acme car" };

  /* The reset empties only its own key: Name= stays. */
  ck_assert_ptr_null (bt_rule (policy, "00:11:22:00:00:01", &reset));
  cg_policy_decide (policy, &named, CG_TRANSPORT_BLUETOOTH, &kept);
  ck_assert_int_eq (kept.level, CG_LEVEL_VENDOR);
  ck_assert_ptr_nonnull (bt_rule (policy, "00:11:44:00:00:01", &after));
}
END_TEST

/* A reset makes room: the OUI listed before it is no longer claimed twice. */
START_TEST (test_reset_then_same_item_is_no_conflict)
{
  g_autoptr (CgPolicy) policy = load_vendor_ok ("[Vendor]\n"
                                                "[Match]\n"
                                                "BluetoothOUI=00:11:22\n"
                                                "BluetoothOUI=\n"
                                                "BluetoothOUI=00:11:22\n");
  g_auto (CgDecision) decision = { 0 };
  const CgRule *rule = bt_rule (policy, "00:11:22:00:00:01", &decision);

  ck_assert_ptr_nonnull (rule);
  ck_assert_uint_eq (rule->line, 5);
}
END_TEST

START_TEST (test_repeated_item_is_a_conflict)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgPolicy) policy = load_vendor ("[Vendor]\n"
                                             "[Match]\n"
                                             "BluetoothOUI=00:11:22\n"
                                             "BluetoothOUI=00:11:22\n",
                                             diagnostics);
  g_autofree char *text = NULL;

  ck_assert_ptr_null (policy);
  ck_assert_uint_eq (diagnostics->len, 1);
  text = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, 0));
  ck_assert_str_eq (text, "acme.conf:4:14: error: BluetoothOUI 00:11:22 is already claimed at "
                          "the same level by acme.conf:3");
}
END_TEST

/* Keys that hold one value (grants, [Vendor], [Device]) still may not repeat. */
START_TEST (test_single_value_keys_do_not_repeat)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgPolicy) policy = load_vendor ("[Vendor]\n"
                                             "[Policy]\n"
                                             "Profiles=a2dp\n"
                                             "Profiles=pbap\n",
                                             diagnostics);
  g_autofree char *text = NULL;

  ck_assert_ptr_null (policy);
  ck_assert_uint_eq (diagnostics->len, 1);
  text = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, 0));
  ck_assert_str_eq (text, "acme.conf:4:1: error: duplicate key 'Profiles' (first set on line 3)");
}
END_TEST

/* 2,000 OUIs, many to a line and one to a line, check clean; every one of them matches. */
START_TEST (test_two_thousand_ouis)
{
  g_autoptr (GString) text = g_string_new ("[Vendor]\nName=Many\n[Match]\n");
  g_autoptr (CgPolicy) policy = NULL;

  for (guint i = 0; i < 2000; i++) {
    if (i % 400 == 0)
      g_string_append (text, i > 0 ? "\nBluetoothOUI=" : "BluetoothOUI=");
    else if (i >= 1600)
      g_string_append (text, "\nBluetoothOUI=");
    else
      g_string_append_c (text, ' ');
    g_string_append_printf (text, "%02X:%02X:%02X", 0x02 | ((i >> 16) & 0xfc), (i >> 8) & 0xff,
                            i & 0xff);
  }
  g_string_append (text, "\n[Policy]\nPreset=block\n");
  policy = load_vendor_ok (text->str);
  for (guint i = 0; i < 2000; i++) {
    g_autofree char *address = g_strdup_printf ("02:%02X:%02X:00:00:01", (i >> 8) & 0xff, i & 0xff);
    g_auto (CgDecision) decision = { 0 };
    ck_assert_msg (bt_rule (policy, address, &decision) != NULL, "%s", address);
    ck_assert (decision.grant.block);
  }
}
END_TEST

/* Identifiers of every exact kind, written in no order, apart in every 16 bits of their
 * packed form: each decides by its own rule, on its own line. */
START_TEST (test_every_identifier_finds_its_own_rule)
{
  g_autoptr (GString) text = g_string_new ("[Vendor]\nName=Mixed\n[Match]\n");
  g_autoptr (CgPolicy) policy = NULL;
  guint32 order[3000];
  guint32 state = 12345;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    order[i] = i;
  for (guint i = G_N_ELEMENTS (order) - 1; i > 0; i--) {
    guint j, swap;
    state = state * 1103515245u + 12345u;
    j = (state >> 8) % (i + 1);
    swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
    guint n = order[i];
    if (n % 2 == 0)
      g_string_append_printf (text, "USB=%04x:%04x\n", (n * 40503u) & 0xffff, n);
    else
      g_string_append_printf (text, "DeviceID=bluetooth:v%04Xp%04X\n", n, (n * 40503u) & 0xffff);
  }
  g_string_append (text, "[Policy]\nPreset=block\n");
  policy = load_vendor_ok (text->str);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
    guint n = order[i];
    g_auto (CgDecision) decision = { 0 };
    g_autofree char *modalias
        = g_strdup_printf ("bluetooth:v%04Xp%04Xd0001", n, (n * 40503u) & 0xffff);
    CgFacts facts = { .has_usb_id = TRUE,
                      .usb_vid = (guint16)((n * 40503u) & 0xffff),
                      .usb_pid = (guint16)n };
    const CgRule *rule;

    if (n % 2 == 1) {
      facts = (CgFacts){ .bt_address = "00:00:00:00:00:01" };
      ck_assert (cg_device_id_parse_modalias (modalias, &facts.bt_device_id));
    }
    cg_policy_decide (policy, &facts, n % 2 == 0 ? CG_TRANSPORT_USB : CG_TRANSPORT_BLUETOOTH,
                      &decision);
    ck_assert_uint_eq (decision.level, CG_LEVEL_PRODUCT);
    ck_assert_uint_eq (decision.rules->len, 1);
    rule = g_ptr_array_index (decision.rules, 0);
    ck_assert_uint_eq (rule->line, 4 + i);
    ck_assert_str_eq (rule->key, n % 2 == 0 ? "USB" : "DeviceID");
  }
}
END_TEST

/* A claim made three times, in two files: both later claims are errors against the first
 * in load order, whatever order the index keeps them in. */
START_TEST (test_conflicts_name_the_first_claim)
{
  const char *names[] = { "carguard.conf", "acme.conf", "byd.conf" };
  const char *texts[] = { "[Default]\nPreset=charge-only\n", "[Vendor]\n[Match]\nUSB=1d6b:0104\n",
                          "[Vendor]\n[Match]\nUSB=1D6B:0104\nUSB=1d6b:0104\n" };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 3, diagnostics, NULL);
  g_autofree char *first = NULL, *second = NULL;

  ck_assert_ptr_null (policy);
  ck_assert_uint_eq (diagnostics->len, 2);
  first = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, 0));
  second = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, 1));
  ck_assert_str_eq (first, "byd.conf:3:5: error: USB 1D6B:0104 is already claimed at the same "
                           "level by acme.conf:3");
  ck_assert_str_eq (second, "byd.conf:4:5: error: USB 1d6b:0104 is already claimed at the same "
                            "level by acme.conf:3");
}
END_TEST

static const char blocks_conf[] = "[Vendor]\n"
                                  "[Match]\n"
                                  "BluetoothOUI=70:B3:D5\n"
                                  "BluetoothOUI=78:d4:f1:4\n"
                                  "[Policy]\n"
                                  "Preset=audio-only\n";
static const char small_conf[] = "[Vendor]\n"
                                 "[Match]\n"
                                 "BluetoothOUI=70:B3:D5:12:3\n"
                                 "BluetoothOUI=78:D4:F1\n"
                                 "[Policy]\n"
                                 "Preset=block\n";

static CgPolicy *
load_blocks (void)
{
  const char *names[] = { "registry.conf", "small.conf" };
  const char *texts[] = { blocks_conf, small_conf };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  CgPolicy *policy = cg_policy_load_from_data (names, texts, 2, diagnostics, NULL);

  ck_assert_msg (policy != NULL, "%u diagnostics", diagnostics->len);
  return policy;
}

/* MA-S inside an MA-L, and an MA-L around an MA-M: the smaller block decides alone. */
START_TEST (test_oui_most_specific_block_wins)
{
  g_autoptr (CgPolicy) policy = load_blocks ();
  const struct {
    const char *address;
    const char *file;
    guint line;
  } cases[] = {
    { "70:B3:D5:12:34:56", "small.conf", 3 },    /* MA-S */
    { "70:B3:D5:13:34:56", "registry.conf", 3 }, /* the MA-L around it */
    { "70:b3:d5:12:2f:ff", "registry.conf", 3 }, /* just below the MA-S */
    { "78:D4:F1:41:00:00", "registry.conf", 4 }, /* MA-M */
    { "78:D4:F1:51:00:00", "small.conf", 4 },    /* the MA-L around it */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (CgDecision) decision = { 0 };
    const CgRule *rule = bt_rule (policy, cases[i].address, &decision);

    ck_assert_msg (rule != NULL, "%s", cases[i].address);
    ck_assert_str_eq (rule->file, cases[i].file);
    ck_assert_uint_eq (rule->line, cases[i].line);
    ck_assert_int_eq (decision.level, CG_LEVEL_VENDOR);
    ck_assert_uint_eq (decision.rules->len, 1);
  }
}
END_TEST

/* The same block written in another case is the same claim; blocks of different sizes
 * never are, even when their digits agree. */
START_TEST (test_oui_sizes_claim_apart)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgPolicy) apart = load_vendor ("[Vendor]\n"
                                            "[Match]\n"
                                            "BluetoothOUI=78:D4:F1 78:D4:F1:0 70:B3:D5:00:0\n",
                                            diagnostics);
  g_autoptr (CgPolicy) same = NULL;

  ck_assert_ptr_nonnull (apart);
  same = load_vendor ("[Vendor]\n[Match]\nBluetoothOUI=78:D4:F1:4 78:d4:f1:4\n", diagnostics);
  ck_assert_ptr_null (same);
  ck_assert_uint_eq (diagnostics->len, 1);
}
END_TEST

static Suite *
lists_suite (void)
{
  Suite *s = suite_create ("policy-lists");
  TCase *tc = tcase_create ("lists");

  tcase_add_test (tc, test_repeated_list_key_appends);
  tcase_add_test (tc, test_empty_list_key_resets);
  tcase_add_test (tc, test_reset_then_same_item_is_no_conflict);
  tcase_add_test (tc, test_repeated_item_is_a_conflict);
  tcase_add_test (tc, test_single_value_keys_do_not_repeat);
  tcase_add_test (tc, test_two_thousand_ouis);
  tcase_add_test (tc, test_every_identifier_finds_its_own_rule);
  tcase_add_test (tc, test_conflicts_name_the_first_claim);
  tcase_add_test (tc, test_oui_most_specific_block_wins);
  tcase_add_test (tc, test_oui_sizes_claim_apart);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (lists_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
