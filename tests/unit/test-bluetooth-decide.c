/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Bluetooth guard's decisions as pure functions of (policy, facts, request): which
 * pairing and which AuthorizeService UUID a car gets, and what the watcher must undo. */
#include "config.h"

#include <check.h>

#include "cg-bluetooth-allowlist.h"
#include "cg-bluetooth-decide.h"

#define CAR_AUDIO_CLASS 0x200420 /* major 4, minor 8 */
#define PHONE_CLASS 0x5a020c

static const char main_conf[] = "[Default]\n"
                                "Pairing=ask\n"
                                "Profiles=a2dp avrcp hfp hsp hid\n"
                                "[CarDefault]\n"
                                "Preset=audio-only\n";
static const char blocked_conf[] = "[Vendor]\nName=Blocked Cars\n"
                                   "[Match]\nName=\"EVIL*\"\n"
                                   "[Policy]\nPreset=block\n"
                                   "[Device]\nBluetoothAddress=00:AA:01:01:00:01\n"
                                   "Preset=block\n";
static const char pool_conf[] = "[Vendor]\nName=Pool\n"
                                "[Device]\nBluetoothAddress=00:AA:01:01:00:02\nPreset=trusted\n";

static CgPolicy *
load_policy (void)
{
  const char *names[] = { "carguard.conf", "blocked.conf", "pool.conf" };
  const char *texts[] = { main_conf, blocked_conf, pool_conf };
  g_autoptr (GError) error = NULL;
  CgPolicy *policy = cg_policy_load_from_data (names, texts, 3, NULL, &error);

  ck_assert_msg (policy != NULL, "%s", error ? error->message : "");
  return policy;
}

static CgFacts
car_facts (const char *address, const char *name)
{
  return (CgFacts){
    .bt_address = address, .has_bt_class = TRUE, .bt_class = CAR_AUDIO_CLASS, .bt_name = name
  };
}

static CgBtVerdict
decide_service (const CgPolicy *policy, const CgFacts *facts, const char *uuid)
{
  CgBtRequest request = { .kind = CG_BT_REQUEST_SERVICE, .uuid = uuid };
  g_auto (CgBtOutcome) outcome = { 0 };

  cg_bluetooth_decide (policy, facts, &request, &outcome);
  return outcome.verdict;
}

START_TEST (test_car_default_gets_audio_only)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:11:22:33:44:55", "MY CAR");
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  g_auto (CgBtOutcome) outcome = { 0 };

  cg_bluetooth_decide (policy, &facts, &pairing, &outcome);
  ck_assert_int_eq (outcome.verdict, CG_BT_VERDICT_ALLOW);
  ck_assert_ptr_nonnull (outcome.rule);
  /* The UUIDs BlueZ really passes: A2DP as 110d, AVRCP as 110e, HFP AG as 111f. */
  ck_assert_int_eq (decide_service (policy, &facts, "0000110d-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_ALLOW);
  ck_assert_int_eq (decide_service (policy, &facts, "0000110e-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_ALLOW);
  ck_assert_int_eq (decide_service (policy, &facts, "0000111f-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_ALLOW);
  /* PBAP server, MAP, OPP, PAN's BNEP: the data a car must not get. */
  ck_assert_int_eq (decide_service (policy, &facts, "0000112f-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_DENY);
  ck_assert_int_eq (decide_service (policy, &facts, "00001132-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_DENY);
  ck_assert_int_eq (decide_service (policy, &facts, "00001105-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_DENY);
  ck_assert_int_eq (decide_service (policy, &facts, "0000000f-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_DENY);
  /* An external profile's own UUID is nobody's profile: denied. */
  ck_assert_int_eq (decide_service (policy, &facts, "8e771301-0000-4d4e-b7f8-5c1b5b24ad41"),
                    CG_BT_VERDICT_DENY);
  ck_assert_int_eq (decide_service (policy, &facts, NULL), CG_BT_VERDICT_DENY);
  ck_assert_int_eq (decide_service (policy, &facts, "not a uuid"), CG_BT_VERDICT_DENY);
}
END_TEST

START_TEST (test_block_by_address_denies_everything)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:aa:01:01:00:01", "Lab car");
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  g_auto (CgBtOutcome) outcome = { 0 };

  cg_bluetooth_decide (policy, &facts, &pairing, &outcome);
  ck_assert_int_eq (outcome.verdict, CG_BT_VERDICT_DENY);
  ck_assert (outcome.grant.block);
  ck_assert_str_eq (outcome.vendor, "blocked");
  ck_assert_msg (g_str_has_suffix (outcome.rule, "blocked.conf:8"), "rule %s", outcome.rule);
  /* Even audio: no service behind a denied pairing. */
  ck_assert_int_eq (decide_service (policy, &facts, "0000110d-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_DENY);
}
END_TEST

START_TEST (test_vetted_device_gets_everything)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:AA:01:01:00:02", "Pool car");

  ck_assert_int_eq (decide_service (policy, &facts, "0000112f-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_ALLOW);
  ck_assert_int_eq (decide_service (policy, &facts, "8e771301-0000-4d4e-b7f8-5c1b5b24ad41"),
                    CG_BT_VERDICT_ALLOW);
}
END_TEST

START_TEST (test_non_car_asks)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts
      = { .bt_address = "00:11:22:33:44:66", .has_bt_class = TRUE, .bt_class = PHONE_CLASS };
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  g_auto (CgBtOutcome) outcome = { 0 };

  cg_bluetooth_decide (policy, &facts, &pairing, &outcome);
  ck_assert_int_eq (outcome.verdict, CG_BT_VERDICT_ASK);
  ck_assert_str_eq (outcome.rule, "carguard.conf:1");
  /* HID 1124 is in the default list; PBAP is not. */
  ck_assert_int_eq (decide_service (policy, &facts, "00001124-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_ALLOW);
  ck_assert_int_eq (decide_service (policy, &facts, "0000112f-0000-1000-8000-00805f9b34fb"),
                    CG_BT_VERDICT_DENY);
}
END_TEST

START_TEST (test_hostile_name_matches_block_glob)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:11:22:33:44:77", "EVIL\x1b[31m\xff\xfe car");
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  g_auto (CgBtOutcome) outcome = { 0 };

  cg_bluetooth_decide (policy, &facts, &pairing, &outcome);
  ck_assert_int_eq (outcome.verdict, CG_BT_VERDICT_DENY);
}
END_TEST

static CgBtDeviceState
bonded_state (void)
{
  return (CgBtDeviceState){ .has_bond = TRUE, .connected = TRUE };
}

START_TEST (test_plan_removes_forbidden_bond_then_blocks)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:AA:01:01:00:01", "Lab car");
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) plan = { 0 };
  g_auto (CgBtPlan) after = { 0 };

  cg_bluetooth_plan (policy, &facts, &state, &plan);
  ck_assert (plan.remove_bond);
  /* Blocked goes with the device object: set it when the device comes back bond-less. */
  ck_assert (!plan.set_blocked);
  state = (CgBtDeviceState){ 0 };
  cg_bluetooth_plan (policy, &facts, &state, &after);
  ck_assert (!after.remove_bond);
  ck_assert (after.set_blocked);
}
END_TEST

/* The pool car is not blocked by the policy: carguard lifts only a block it set itself. */
START_TEST (test_plan_lifts_only_carguards_own_block)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:AA:01:01:00:02", "Pool car");
  CgFacts blocked_facts = car_facts ("00:AA:01:01:00:01", "Lab car");
  CgBtDeviceState ours = { .blocked = TRUE, .blocked_by_carguard = TRUE };
  CgBtDeviceState theirs = { .blocked = TRUE };
  g_auto (CgBtPlan) lift = { 0 };
  g_auto (CgBtPlan) keep = { 0 };
  g_auto (CgBtPlan) still = { 0 };

  cg_bluetooth_plan (policy, &facts, &ours, &lift);
  ck_assert (lift.set_unblocked);
  ck_assert (!lift.set_blocked);
  cg_bluetooth_plan (policy, &facts, &theirs, &keep);
  ck_assert (!keep.set_unblocked);
  ck_assert (cg_bt_plan_is_empty (&keep));
  cg_bluetooth_plan (policy, &blocked_facts, &ours, &still);
  ck_assert (!still.set_unblocked);
  ck_assert (!still.set_blocked);
}
END_TEST

#define HID_UUID "00001124-0000-1000-8000-00805f9b34fb"
#define PBAP_UUID "0000112f-0000-1000-8000-00805f9b34fb"
#define A2DP_UUID "0000110d-0000-1000-8000-00805f9b34fb"

static CgFacts
phone_facts (void)
{
  return (
      CgFacts){ .bt_address = "00:11:22:33:44:66", .has_bt_class = TRUE, .bt_class = PHONE_CLASS };
}

/* A bond under `ask` that nobody approved is put to a person, not kept silently, and
 * gets no service meanwhile. */
START_TEST (test_plan_unapproved_bond_is_asked)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = phone_facts ();
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) plan = { 0 };
  CgBtRequest service = { .kind = CG_BT_REQUEST_SERVICE, .uuid = A2DP_UUID };
  g_auto (CgBtOutcome) outcome = { 0 };

  cg_bluetooth_plan (policy, &facts, &state, &plan);
  ck_assert (!plan.remove_bond);
  ck_assert_int_eq (plan.ask, CG_BT_BOND_QUESTION_UNSEEN);
  ck_assert (!plan.record_approval);
  cg_bluetooth_decide (policy, &facts, &service, &outcome);
  ck_assert_int_eq (cg_bt_service_verdict (&outcome, &state, A2DP_UUID), CG_BT_VERDICT_DENY);
  state.pairing = CG_BT_PAIRING_ASKING;
  ck_assert_int_eq (cg_bt_service_verdict (&outcome, &state, A2DP_UUID), CG_BT_VERDICT_DENY);
}
END_TEST

/* A person's yes, bound to the bond, survives: the device is kept, published with the
 * answer (not as `ask`), and gets its grant. */
START_TEST (test_plan_person_approval_holds)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = phone_facts ();
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) fresh = { 0 };
  g_auto (CgBtPlan) kept = { 0 };
  CgBtRequest service = { .kind = CG_BT_REQUEST_SERVICE, .uuid = A2DP_UUID };
  g_auto (CgBtOutcome) outcome = { 0 };

  /* Just answered through the agent: the approval is bound to the bond now. */
  state.pairing = CG_BT_PAIRING_APPROVED;
  state.pairing_by = CG_APPROVAL_BY_PERSON;
  cg_bluetooth_plan (policy, &facts, &state, &fresh);
  ck_assert (fresh.record_approval);
  ck_assert_int_eq (fresh.record_by, CG_APPROVAL_BY_PERSON);
  ck_assert_int_eq (fresh.outcome.verdict, CG_BT_VERDICT_ALLOW);
  ck_assert_str_eq (fresh.decision, "allow once (person)");
  /* After a restart: on record, matching. */
  state = bonded_state ();
  state.approval = CG_BT_APPROVAL_MATCHES;
  state.approved_by = CG_APPROVAL_BY_PERSON;
  cg_bluetooth_plan (policy, &facts, &state, &kept);
  ck_assert (!kept.remove_bond && !kept.record_approval && kept.ask == CG_BT_BOND_QUESTION_NONE);
  ck_assert_str_eq (kept.decision, "allow once (person)");
  cg_bluetooth_decide (policy, &facts, &service, &outcome);
  ck_assert_int_eq (cg_bt_service_verdict (&outcome, &state, A2DP_UUID), CG_BT_VERDICT_ALLOW);
  ck_assert_int_eq (cg_bt_service_verdict (&outcome, &state, PBAP_UUID), CG_BT_VERDICT_DENY);
  /* The policy's own approval does not stand for a person's once the policy asks. */
  state.approved_by = CG_APPROVAL_BY_POLICY;
  ck_assert_int_eq (cg_bt_service_verdict (&outcome, &state, A2DP_UUID), CG_BT_VERDICT_DENY);
}
END_TEST

/* Paired as a car, back as a keyboard: judged again from nothing. */
START_TEST (test_plan_changed_identity_is_judged_again)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts keyboard
      = { .bt_address = "00:11:22:33:44:55", .has_bt_class = TRUE, .bt_class = 0x002540 };
  CgFacts car = car_facts ("00:11:22:33:44:55", "MY CAR");
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) asked = { 0 };
  g_auto (CgBtPlan) allowed = { 0 };
  CgBtRequest service = { .kind = CG_BT_REQUEST_SERVICE, .uuid = HID_UUID };
  g_auto (CgBtOutcome) outcome = { 0 };

  state.approval = CG_BT_APPROVAL_FACTS_DIFFER;
  state.approved_by = CG_APPROVAL_BY_PERSON;
  cg_bluetooth_plan (policy, &keyboard, &state, &asked);
  ck_assert_int_eq (asked.ask, CG_BT_BOND_QUESTION_CHANGED);
  ck_assert (!asked.record_approval);
  cg_bluetooth_decide (policy, &keyboard, &service, &outcome);
  ck_assert_int_eq (cg_bt_service_verdict (&outcome, &state, HID_UUID), CG_BT_VERDICT_DENY);
  /* Where the policy allows the device as it is now, the approval is bound anew. */
  cg_bluetooth_plan (policy, &car, &state, &allowed);
  ck_assert (allowed.record_approval);
  ck_assert_int_eq (allowed.record_by, CG_APPROVAL_BY_POLICY);
}
END_TEST

/* A new key under an approved address, or a pairing another agent answered: the
 * approval no longer holds and the bond goes. */
START_TEST (test_plan_new_bond_under_approved_address_goes)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts vetted = car_facts ("00:AA:01:01:00:02", "Pool car");
  CgFacts unknown = phone_facts ();
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) rekeyed = { 0 };
  g_auto (CgBtPlan) foreign = { 0 };
  g_auto (CgBtPlan) foreign_new = { 0 };
  g_auto (CgBtPlan) refused = { 0 };

  state.approval = CG_BT_APPROVAL_BOND_DIFFERS;
  cg_bluetooth_plan (policy, &vetted, &state, &rekeyed);
  ck_assert (rekeyed.remove_bond && rekeyed.forget_approval);
  state.approval = CG_BT_APPROVAL_MATCHES;
  state.pairing = CG_BT_PAIRING_FOREIGN;
  cg_bluetooth_plan (policy, &vetted, &state, &foreign);
  ck_assert (foreign.remove_bond && foreign.forget_approval);
  /* Never approved before: a person is asked, as for any bond carguard did not make. */
  state.approval = CG_BT_APPROVAL_NONE;
  cg_bluetooth_plan (policy, &unknown, &state, &foreign_new);
  ck_assert (!foreign_new.remove_bond);
  ck_assert_int_eq (foreign_new.ask, CG_BT_BOND_QUESTION_UNSEEN);
  state.pairing = CG_BT_PAIRING_REFUSED;
  cg_bluetooth_plan (policy, &unknown, &state, &refused);
  ck_assert (refused.remove_bond);
}
END_TEST

/* The policy allows a car by address: no record yet is enough, and it is recorded. */
START_TEST (test_plan_policy_allow_is_recorded)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts vetted = car_facts ("00:AA:01:01:00:02", "Pool car");
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) plan = { 0 };
  CgBtRequest service = { .kind = CG_BT_REQUEST_SERVICE, .uuid = PBAP_UUID };
  g_auto (CgBtOutcome) outcome = { 0 };

  cg_bluetooth_plan (policy, &vetted, &state, &plan);
  ck_assert (plan.record_approval);
  ck_assert_int_eq (plan.record_by, CG_APPROVAL_BY_POLICY);
  cg_bluetooth_decide (policy, &vetted, &service, &outcome);
  ck_assert_int_eq (cg_bt_service_verdict (&outcome, &state, PBAP_UUID), CG_BT_VERDICT_ALLOW);
}
END_TEST

/* Profiles BlueZ connects by itself (HID) are dropped when the grant lacks them; until a
 * yes every profile is; what another agent let in takes the connection down. */
START_TEST (test_plan_drops_what_others_let_in)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:11:22:33:44:55", "MY CAR");
  const char *offered[] = { A2DP_UUID, HID_UUID, "8e771301-0000-4d4e-b7f8-5c1b5b24ad41", NULL };
  const char *foreign_pbap[] = { PBAP_UUID, NULL };
  const char *foreign_a2dp[] = { A2DP_UUID, NULL };
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) approved = { 0 };
  g_auto (CgBtPlan) asking = { 0 };
  g_auto (CgBtPlan) pbap = { 0 };
  g_auto (CgBtPlan) a2dp = { 0 };

  state.device_uuids = offered;
  state.approval = CG_BT_APPROVAL_MATCHES;
  state.approved_by = CG_APPROVAL_BY_POLICY;
  cg_bluetooth_plan (policy, &facts, &state, &approved);
  ck_assert_uint_eq (approved.drop_uuids->len, 1);
  ck_assert_str_eq (g_ptr_array_index (approved.drop_uuids, 0), HID_UUID);
  state.pairing = CG_BT_PAIRING_ASKING;
  cg_bluetooth_plan (policy, &facts, &state, &asking);
  ck_assert_uint_eq (asking.drop_uuids->len, 2);
  state.pairing = CG_BT_PAIRING_NONE;
  state.foreign_uuids = foreign_pbap;
  cg_bluetooth_plan (policy, &facts, &state, &pbap);
  ck_assert (pbap.disconnect);
  state.foreign_uuids = foreign_a2dp;
  cg_bluetooth_plan (policy, &facts, &state, &a2dp);
  ck_assert (!a2dp.disconnect);
}
END_TEST

START_TEST (test_plan_untrusts_restricted_and_drops_forbidden_services)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:11:22:33:44:55", "MY CAR");
  const char *authorized[]
      = { "0000110d-0000-1000-8000-00805f9b34fb", "0000112f-0000-1000-8000-00805f9b34fb", NULL };
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) plan = { 0 };

  state.trusted = TRUE;
  state.authorized_uuids = authorized;
  cg_bluetooth_plan (policy, &facts, &state, &plan);
  ck_assert (!plan.remove_bond);
  ck_assert (plan.set_untrusted);
  /* What it opened while Trusted skipped carguard: the connection goes whole. */
  ck_assert (plan.disconnect);
  state.trusted = FALSE;
  cg_bt_plan_clear (&plan);
  cg_bluetooth_plan (policy, &facts, &state, &plan);
  ck_assert (!plan.disconnect);
  ck_assert_uint_eq (plan.disconnect_uuids->len, 1);
  ck_assert_str_eq (g_ptr_array_index (plan.disconnect_uuids, 0),
                    "0000112f-0000-1000-8000-00805f9b34fb");
}
END_TEST

START_TEST (test_plan_leaves_vetted_trusted)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:AA:01:01:00:02", "Pool car");
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) plan = { 0 };

  state.trusted = TRUE;
  cg_bluetooth_plan (policy, &facts, &state, &plan);
  /* First seen: the policy's approval is bound to the bond; Trusted stays. */
  ck_assert (!plan.set_untrusted && !plan.remove_bond && !plan.disconnect);
  ck_assert (plan.record_approval);
  state.approval = CG_BT_APPROVAL_MATCHES;
  state.approved_by = CG_APPROVAL_BY_POLICY;
  cg_bt_plan_clear (&plan);
  cg_bluetooth_plan (policy, &facts, &state, &plan);
  ck_assert (cg_bt_plan_is_empty (&plan));
}
END_TEST

/* HID over GATT connects to any bonded LE device, unasked: offering it without a hid
 * grant costs the bond, even one a person approved. */
START_TEST (test_plan_le_hid_costs_the_bond)
{
  g_autoptr (CgPolicy) policy = load_policy ();
  CgFacts facts = car_facts ("00:11:22:33:44:55", "MY CAR");
  const char *offered[] = { "00001812-0000-1000-8000-00805f9b34fb", NULL };
  CgBtDeviceState state = bonded_state ();
  g_auto (CgBtPlan) plan = { 0 };

  state.device_uuids = offered;
  state.approval = CG_BT_APPROVAL_MATCHES;
  state.approved_by = CG_APPROVAL_BY_PERSON;
  cg_bluetooth_plan (policy, &facts, &state, &plan);
  ck_assert (plan.remove_bond);
  ck_assert (plan.forget_approval);
}
END_TEST

static CgPolicy *
load_texts (const char *main_text, const char *vendor_text)
{
  const char *names[] = { "carguard.conf", "vendor.conf" };
  const char *texts[] = { main_text, vendor_text };
  g_autoptr (GError) error = NULL;
  CgPolicy *policy = cg_policy_load_from_data (names, texts, vendor_text ? 2 : 1, NULL, &error);

  ck_assert_msg (policy != NULL, "%s", error ? error->message : "");
  return policy;
}

/* Below the agent: a profile no rule grants is off BlueZ's adapter-wide list. */
START_TEST (test_allowlist_holds_what_some_rule_grants)
{
  g_autoptr (CgPolicy) shipped
      = load_texts ("[Default]\nPairing=ask\nProfiles=a2dp avrcp hfp hsp pnp gatt\n"
                    "[CarDefault]\nPreset=audio-only\nPairing=ask\n",
                    "[Vendor]\n[Match]\nName=\"EVIL*\"\n[Policy]\nPreset=block\n"
                    "[Device]\nBluetoothAddress=00:AA:01:01:00:09\n"
                    "Preset=audio-only\nProfiles=a2dp 8e771301-0000-4d4e-b7f8-5c1b5b24ad41\n");
  g_autoptr (CgPolicy) trusted = load_policy ();
  g_autoptr (CgPolicy) nothing = load_texts ("", NULL);
  gboolean unrestricted = TRUE;
  g_auto (GStrv) list = cg_bt_allowlist_compute (shipped, &unrestricted);
  g_auto (GStrv) none = NULL;
  g_auto (GStrv) all = NULL;

  ck_assert (!unrestricted);
  ck_assert (g_strv_contains ((const char *const *)list, A2DP_UUID));
  ck_assert (g_strv_contains ((const char *const *)list, "0000111f-0000-1000-8000-00805f9b34fb"));
  ck_assert (g_strv_contains ((const char *const *)list, "8e771301-0000-4d4e-b7f8-5c1b5b24ad41"));
  /* No rule grants pbap (a block cannot: the policy refuses Preset=block with Profiles=);
   * hid and the data profiles are off. */
  ck_assert (!g_strv_contains ((const char *const *)list, PBAP_UUID));
  ck_assert (!g_strv_contains ((const char *const *)list, HID_UUID));
  ck_assert (!g_strv_contains ((const char *const *)list, "00001812-0000-1000-8000-00805f9b34fb"));
  ck_assert (!g_strv_contains ((const char *const *)list, "00001132-0000-1000-8000-00805f9b34fb"));
  ck_assert (!g_strv_contains ((const char *const *)list, "00001105-0000-1000-8000-00805f9b34fb"));
  ck_assert (!g_strv_contains ((const char *const *)list, "0000000f-0000-1000-8000-00805f9b34fb"));
  /* A trusted device may get anything: the list cannot narrow it. */
  all = cg_bt_allowlist_compute (trusted, &unrestricted);
  ck_assert (unrestricted);
  ck_assert_ptr_null (all);
  /* Nothing granted is not BlueZ's empty list (which allows all): one UUID of no service. */
  none = cg_bt_allowlist_compute (nothing, &unrestricted);
  ck_assert (!unrestricted);
  ck_assert_uint_eq (g_strv_length (none), 1);
  ck_assert_int_eq (cg_profile_from_uuid (none[0]), CG_PROFILE_UNKNOWN);
}
END_TEST

static Suite *
decide_suite (void)
{
  Suite *suite = suite_create ("bluetooth-decide");
  TCase *tc = tcase_create ("decide");

  tcase_add_test (tc, test_car_default_gets_audio_only);
  tcase_add_test (tc, test_block_by_address_denies_everything);
  tcase_add_test (tc, test_vetted_device_gets_everything);
  tcase_add_test (tc, test_non_car_asks);
  tcase_add_test (tc, test_hostile_name_matches_block_glob);
  tcase_add_test (tc, test_plan_removes_forbidden_bond_then_blocks);
  tcase_add_test (tc, test_plan_lifts_only_carguards_own_block);
  tcase_add_test (tc, test_plan_unapproved_bond_is_asked);
  tcase_add_test (tc, test_plan_person_approval_holds);
  tcase_add_test (tc, test_plan_changed_identity_is_judged_again);
  tcase_add_test (tc, test_plan_new_bond_under_approved_address_goes);
  tcase_add_test (tc, test_plan_policy_allow_is_recorded);
  tcase_add_test (tc, test_plan_drops_what_others_let_in);
  tcase_add_test (tc, test_allowlist_holds_what_some_rule_grants);
  tcase_add_test (tc, test_plan_le_hid_costs_the_bond);
  tcase_add_test (tc, test_plan_untrusts_restricted_and_drops_forbidden_services);
  tcase_add_test (tc, test_plan_leaves_vetted_trusted);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (decide_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
