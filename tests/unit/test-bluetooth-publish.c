/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the Bluetooth guard publishes and logs is the outcome it acted on: a refused
 * pairing lists no allowed profiles, a vendor is named once, and after a reload the
 * record and the journal still name the rule that was applied. */
#include "config.h"

#include <check.h>

#include "cg-bluetooth-publish.h"
#include "cg-log.h"
#include "cg-policy-keeper.h"
#include "cg-test-tree.h"

#define CAR_ADDRESS "00:1E:DE:12:34:56"
#define CAR_PATH "/org/bluez/hci0/dev_00_1E_DE_12_34_56"

static const char ask_conf[] = "[Default]\nPreset=charge-only\n";
/* Two keys of one vendor match the car at the vendor level. */
static const char byd_conf[] = "[Vendor]\nName=BYD\n"
                               "[Match]\nBluetoothOUI=00:1E:DE\nName=\"BYD*\"\n"
                               "[Policy]\nPreset=audio-only\nPairing=ask\n";

static CgBluezDevice *
car_device (void)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) props = NULL;

  g_variant_builder_add (&builder, "{sv}", "Address", g_variant_new_string (CAR_ADDRESS));
  g_variant_builder_add (&builder, "{sv}", "Name", g_variant_new_string ("BYD DiLink"));
  g_variant_builder_add (&builder, "{sv}", "Class", g_variant_new_uint32 (0x200420));
  props = g_variant_ref_sink (g_variant_builder_end (&builder));
  return cg_bluez_device_new_from_properties (CAR_PATH, props, NULL);
}

/* The car, the registry it is published into and the outcome it got. */
typedef struct {
  CgBluezDevice *device;
  CgDeviceRegistry *registry;
  CgBtOutcome outcome;
} PublishFixture;

static PublishFixture fixture;

static void
publish_setup (void)
{
  fixture = (PublishFixture){ .device = car_device (), .registry = cg_device_registry_new (NULL) };
}

static void
publish_teardown (void)
{
  cg_bt_outcome_clear (&fixture.outcome);
  g_clear_object (&fixture.registry);
  g_clear_pointer (&fixture.device, cg_bluez_device_free);
}

static void
decide_pairing (const CgPolicy *policy, CgBtOutcome *out)
{
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  CgFacts facts;

  cg_bt_outcome_clear (out);
  cg_bluez_device_get_facts (fixture.device, &facts);
  cg_bluetooth_decide (policy, &facts, &pairing, out);
}

/* The car's pairing outcome under a policy of these files (vendor_conf may be NULL). */
static void
decide_under (const char *main_conf, const char *vendor_conf)
{
  const char *names[] = { "carguard.conf", "byd.conf" };
  const char *texts[] = { main_conf, vendor_conf };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy
      = cg_policy_load_from_data (names, texts, vendor_conf ? 2 : 1, NULL, &error);

  ck_assert_msg (policy != NULL, "%s", error ? error->message : "");
  decide_pairing (policy, &fixture.outcome);
}

static const CgDeviceRecord *
publish_car (const char *decision)
{
  cg_bluetooth_publish (fixture.registry, fixture.device, &fixture.outcome, decision, TRUE);
  return cg_device_registry_lookup (fixture.registry, CAR_ADDRESS);
}

static gboolean
strv_has (char **strv, const char *item)
{
  return strv != NULL && g_strv_contains ((const char *const *)strv, item);
}

START_TEST (test_refused_pairing_publishes_no_allowed_profiles)
{
  const CgDeviceRecord *record;

  decide_under (ask_conf, byd_conf);
  ck_assert_int_eq (fixture.outcome.verdict, CG_BT_VERDICT_ASK);
  /* While asked, the record lists what a yes would grant. */
  record = publish_car (NULL);
  ck_assert_str_eq (record->decision, "ask");
  ck_assert (strv_has (record->allowed, "a2dp"));

  /* The person says no: nothing is allowed, whatever the profile list says. */
  cg_bt_outcome_take_answer (&fixture.outcome, CG_ANSWER_DENY_PERSON);
  record = publish_car (cg_answer_to_string (CG_ANSWER_DENY_PERSON));
  ck_assert_str_eq (record->decision, "deny (person)");
  ck_assert_ptr_nonnull (record->allowed);
  ck_assert_ptr_null (record->allowed[0]);
  ck_assert (strv_has (record->denied, "a2dp"));
  ck_assert (strv_has (record->denied, "pbap"));
  ck_assert_uint_eq (g_strv_length (record->denied), CG_PROFILE_N);
}
END_TEST

START_TEST (test_policy_refusal_publishes_no_allowed_profiles)
{
  const CgDeviceRecord *record;

  decide_under ("[Default]\nPairing=deny\nProfiles=a2dp avrcp\n", NULL);
  ck_assert_int_eq (fixture.outcome.verdict, CG_BT_VERDICT_DENY);
  record = publish_car (NULL);
  ck_assert_str_eq (record->decision, "deny");
  ck_assert_ptr_null (record->allowed[0]);
  ck_assert (strv_has (record->denied, "a2dp"));
}
END_TEST

START_TEST (test_vendor_listed_once)
{
  g_auto (GStrv) rules = NULL;

  decide_under (ask_conf, byd_conf);
  /* Both keys are named, each file:line once; the vendor behind them once. */
  rules = g_strsplit (fixture.outcome.rule, ", ", -1);
  ck_assert_uint_eq (g_strv_length (rules), 2);
  ck_assert_str_eq (rules[0], "byd.conf:4");
  ck_assert_str_eq (rules[1], "byd.conf:5");
  ck_assert_str_eq (fixture.outcome.vendor, "byd");
  ck_assert_str_eq (publish_car (NULL)->vendor, "byd");
}
END_TEST

/* The CARGUARD_RULE of the last decision entry. */
static char *logged_rule;

static GLogWriterOutput
capture_decision (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  gboolean decision = FALSE;
  const char *rule = NULL;

  for (gsize i = 0; i < n_fields; i++) {
    if (g_str_equal (fields[i].key, "MESSAGE_ID"))
      decision = g_str_equal (fields[i].value, CG_MESSAGE_ID_DECISION);
    else if (g_str_equal (fields[i].key, "CARGUARD_RULE"))
      rule = fields[i].value;
  }
  if (decision) {
    g_free (logged_rule);
    logged_rule = g_strdup (rule);
  }
  return G_LOG_WRITER_HANDLED;
}

START_TEST (test_published_rule_is_logged_rule_after_reload)
{
  g_autofree char *root = g_dir_make_tmp ("cg-publish-XXXXXX", NULL);
  g_autofree char *moved = g_strconcat ("# moved\n#\n", byd_conf, NULL);
  g_autoptr (CgPolicyKeeper) keeper = cg_policy_keeper_new (root);
  g_autoptr (CgPolicy) asked_under = NULL;
  g_autoptr (CgPolicy) reloaded = NULL;
  g_auto (CgBtOutcome) now = { 0 };
  g_autoptr (GError) error = NULL;
  const CgDeviceRecord *record;

  g_log_set_writer_func (capture_decision, NULL, NULL);
  cg_test_tree_write (root, "etc/carguard/carguard.conf", ask_conf);
  cg_test_tree_write (root, "etc/carguard/vendors.d/byd.conf", byd_conf);
  ck_assert (cg_policy_keeper_reload (keeper, &error));
  asked_under = cg_policy_keeper_get_policy (keeper);
  decide_pairing (asked_under, &fixture.outcome);

  /* While the person decides, the vendor file moves its rule two lines down. */
  cg_test_tree_write (root, "etc/carguard/vendors.d/byd.conf", moved);
  ck_assert (cg_policy_keeper_reload (keeper, &error));
  reloaded = cg_policy_keeper_get_policy (keeper);
  decide_pairing (reloaded, &now);
  ck_assert_str_ne (now.rule, fixture.outcome.rule);

  /* The answer carried out is the one asked under the rule of then: say that rule. */
  cg_bt_outcome_take_answer (&fixture.outcome, CG_ANSWER_ALLOW_ONCE);
  cg_bluetooth_report_pairing (fixture.registry, fixture.device, &fixture.outcome,
                               cg_answer_to_string (CG_ANSWER_ALLOW_ONCE), CG_PENDING_NO_UID);
  record = cg_device_registry_lookup (fixture.registry, CAR_ADDRESS);
  ck_assert_ptr_nonnull (logged_rule);
  ck_assert_str_eq (record->rule, logged_rule);
  ck_assert_str_eq (record->rule, fixture.outcome.rule);
  ck_assert_str_eq (record->decision, "allow once (person)");
  ck_assert (strv_has (record->allowed, "a2dp"));
  g_clear_pointer (&logged_rule, g_free);
  cg_test_tree_remove (root);
}
END_TEST

static Suite *
publish_suite (void)
{
  Suite *suite = suite_create ("bluetooth-publish");
  TCase *tc = tcase_create ("publish");

  tcase_add_checked_fixture (tc, publish_setup, publish_teardown);
  tcase_add_test (tc, test_refused_pairing_publishes_no_allowed_profiles);
  tcase_add_test (tc, test_policy_refusal_publishes_no_allowed_profiles);
  tcase_add_test (tc, test_vendor_listed_once);
  tcase_add_test (tc, test_published_rule_is_logged_rule_after_reload);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (publish_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
