/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-decide.h"

void
cg_bt_outcome_clear (CgBtOutcome *outcome)
{
  cg_grant_clear (&outcome->grant);
  g_clear_pointer (&outcome->rule, g_free);
  g_clear_pointer (&outcome->vendor, g_free);
}

void
cg_bt_outcome_copy (CgBtOutcome *dest, const CgBtOutcome *src)
{
  *dest = *src;
  cg_grant_copy (&dest->grant, &src->grant);
  dest->rule = g_strdup (src->rule);
  dest->vendor = g_strdup (src->vendor);
}

const char *
cg_bt_verdict_to_string (CgBtVerdict verdict)
{
  switch (verdict) {
    case CG_BT_VERDICT_ALLOW:
      return "allow";
    case CG_BT_VERDICT_ASK:
      return "ask";
    case CG_BT_VERDICT_DENY:
    default:
      return "deny";
  }
}

static CgBtVerdict
verdict_from_pairing (CgPairing pairing)
{
  switch (pairing) {
    case CG_PAIRING_ALLOW:
      return CG_BT_VERDICT_ALLOW;
    case CG_PAIRING_ASK:
      return CG_BT_VERDICT_ASK;
    case CG_PAIRING_DENY:
    default:
      return CG_BT_VERDICT_DENY;
  }
}

CgBtVerdict
cg_bt_outcome_service_verdict (const CgBtOutcome *outcome, const char *uuid)
{
  const CgGrant *grant = &outcome->grant;

  /* No bond may exist without pairing, so a service behind a denied pairing is denied
   * even if the profile list names it. A malformed UUID is never allowed. */
  if (grant->pairing == CG_PAIRING_DENY || grant->block || uuid == NULL)
    return CG_BT_VERDICT_DENY;
  return cg_grant_allows_uuid (grant, uuid) ? CG_BT_VERDICT_ALLOW : CG_BT_VERDICT_DENY;
}

void
cg_bt_outcome_take_answer (CgBtOutcome *outcome, CgAnswer answer)
{
  outcome->verdict = cg_answer_allows (answer) ? CG_BT_VERDICT_ALLOW : CG_BT_VERDICT_DENY;
}

void
cg_bluetooth_decide (const CgPolicy *policy, const CgFacts *facts, const CgBtRequest *request,
                     CgBtOutcome *out)
{
  g_auto (CgDecision) decision = { 0 };

  *out = (CgBtOutcome){ .verdict = CG_BT_VERDICT_DENY, .profile = CG_PROFILE_UNKNOWN };
  cg_policy_decide (policy, facts, CG_TRANSPORT_BLUETOOTH, &decision);
  cg_grant_copy (&out->grant, &decision.grant);
  out->rule = cg_decision_format_rules (&decision);
  out->vendor = cg_decision_format_vendors (&decision);

  if (request->kind == CG_BT_REQUEST_SERVICE) {
    out->profile = request->uuid ? cg_profile_from_uuid (request->uuid) : CG_PROFILE_UNKNOWN;
    out->verdict = cg_bt_outcome_service_verdict (out, request->uuid);
  } else {
    out->verdict
        = decision.grant.block ? CG_BT_VERDICT_DENY : verdict_from_pairing (decision.grant.pairing);
  }
}

CgBtVerdict
cg_bt_outcome_pairing_verdict (const CgBtOutcome *outcome)
{
  return outcome->grant.block ? CG_BT_VERDICT_DENY : verdict_from_pairing (outcome->grant.pairing);
}

gboolean
cg_bt_pairing_is_approved (CgBtVerdict pairing, const CgBtDeviceState *state, gboolean *by_person)
{
  gboolean person = FALSE;
  gboolean approved = FALSE;

  if (pairing == CG_BT_VERDICT_DENY || state->pairing == CG_BT_PAIRING_ASKING
      || state->pairing == CG_BT_PAIRING_REFUSED || state->pairing == CG_BT_PAIRING_FOREIGN)
    approved = FALSE;
  else if (state->pairing == CG_BT_PAIRING_APPROVED) {
    approved = TRUE;
    person = state->pairing_by == CG_APPROVAL_BY_PERSON;
  } else if (state->approval == CG_BT_APPROVAL_MATCHES) {
    person = state->approved_by == CG_APPROVAL_BY_PERSON;
    approved = pairing == CG_BT_VERDICT_ALLOW || person;
  } else {
    /* Nothing on record: the policy may allow it for what it is now, unless the record
     * that is there was given for something else. */
    approved = pairing == CG_BT_VERDICT_ALLOW && state->approval == CG_BT_APPROVAL_NONE;
  }
  if (by_person != NULL)
    *by_person = approved && person;
  return approved;
}

CgBtVerdict
cg_bt_service_verdict (const CgBtOutcome *outcome, const CgBtDeviceState *state, const char *uuid)
{
  if (!cg_bt_pairing_is_approved (cg_bt_outcome_pairing_verdict (outcome), state, NULL))
    return CG_BT_VERDICT_DENY;
  return cg_bt_outcome_service_verdict (outcome, uuid);
}

void
cg_bt_plan_clear (CgBtPlan *plan)
{
  cg_bt_outcome_clear (&plan->outcome);
  g_clear_pointer (&plan->disconnect_uuids, g_ptr_array_unref);
  g_clear_pointer (&plan->drop_uuids, g_ptr_array_unref);
}

gboolean
cg_bt_plan_is_empty (const CgBtPlan *plan)
{
  return !plan->remove_bond && !plan->set_blocked && !plan->set_unblocked && !plan->set_untrusted
         && !plan->disconnect
         && (plan->disconnect_uuids == NULL || plan->disconnect_uuids->len == 0)
         && (plan->drop_uuids == NULL || plan->drop_uuids->len == 0) && !plan->record_approval
         && !plan->forget_approval && plan->ask == CG_BT_BOND_QUESTION_NONE;
}

/* UUIDs of uuids that outcome does not allow; with known_only, only those of a known
 * profile (the ones BlueZ may connect by itself). */
static GPtrArray *
plan_forbidden_uuids (const CgBtOutcome *outcome, const char *const *uuids, gboolean known_only)
{
  GPtrArray *forbidden = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; uuids != NULL && uuids[i] != NULL; i++) {
    if (known_only && cg_profile_from_uuid (uuids[i]) == CG_PROFILE_UNKNOWN)
      continue;
    if (cg_bt_outcome_service_verdict (outcome, uuids[i]) != CG_BT_VERDICT_ALLOW)
      g_ptr_array_add (forbidden, g_strdup (uuids[i]));
  }
  return forbidden;
}

static gboolean
foreign_forbidden (const CgBtOutcome *outcome, const CgBtDeviceState *state, gboolean approved)
{
  for (gsize i = 0; state->foreign_uuids != NULL && state->foreign_uuids[i] != NULL; i++)
    if (!approved
        || cg_bt_outcome_service_verdict (outcome, state->foreign_uuids[i]) != CG_BT_VERDICT_ALLOW)
      return TRUE;
  return FALSE;
}

static void
plan_remove (CgBtPlan *out, const CgBtDeviceState *state, const char *reason)
{
  out->remove_bond = TRUE;
  out->removal_reason = reason;
  out->forget_approval = state->approval != CG_BT_APPROVAL_NONE;
}

static void
plan_record (CgBtPlan *out, const CgBtDeviceState *state, CgApprovalBy by)
{
  /* The same approval again is no news. */
  if (state->approval == CG_BT_APPROVAL_MATCHES && state->approved_by == by
      && !state->approval_learned)
    return;
  out->record_approval = TRUE;
  out->record_by = by;
}

#define HOGP_UUID "00001812-0000-1000-8000-00805f9b34fb"

/* BlueZ connects HID over GATT to every bonded LE device that offers it, asking no agent,
 * and an input device exists a moment later: a bond is the only thing that stands in
 * its way. */
static gboolean
offers_forbidden_hogp (const CgBtOutcome *outcome, const CgBtDeviceState *state)
{
  for (gsize i = 0; state->device_uuids != NULL && state->device_uuids[i] != NULL; i++)
    if (g_ascii_strcasecmp (state->device_uuids[i], HOGP_UUID) == 0)
      return !cg_grant_allows_uuid (&outcome->grant, HOGP_UUID);
  return FALSE;
}

/* A bond exists: does it stay, and on what grounds? */
static void
plan_bond (CgBtPlan *out, const CgBtDeviceState *state)
{
  CgBtVerdict verdict = out->outcome.verdict;

  if (verdict == CG_BT_VERDICT_DENY) {
    plan_remove (out, state, out->outcome.grant.block ? "bond removed (block)" : "bond removed");
    return;
  }
  if (offers_forbidden_hogp (&out->outcome, state)) {
    plan_remove (out, state, "bond removed (offers HID over LE, which BlueZ connects unasked)");
    return;
  }
  switch (state->pairing) {
    case CG_BT_PAIRING_REFUSED:
      plan_remove (out, state, "bond removed (refused)");
      return;
    case CG_BT_PAIRING_ASKING:
      return;
    case CG_BT_PAIRING_FOREIGN:
      /* Another agent answered for this device. A device that had an approval came back
       * with a pairing carguard did not see: whatever it was approved for, this is not it. */
      if (state->approval != CG_BT_APPROVAL_NONE)
        plan_remove (out, state, "bond removed (paired again through another agent)");
      else
        out->ask = CG_BT_BOND_QUESTION_UNSEEN;
      return;
    case CG_BT_PAIRING_APPROVED:
      plan_record (out, state, state->pairing_by);
      return;
    case CG_BT_PAIRING_NONE:
    default:
      break;
  }
  switch (state->approval) {
    case CG_BT_APPROVAL_BOND_DIFFERS:
      plan_remove (out, state, "bond removed (a new key under an approved address)");
      return;
    case CG_BT_APPROVAL_MATCHES:
      if (verdict == CG_BT_VERDICT_ASK && state->approved_by != CG_APPROVAL_BY_PERSON)
        plan_remove (out, state, "bond removed (nobody approved it)");
      else if (state->approval_learned)
        plan_record (out, state, state->approved_by);
      return;
    case CG_BT_APPROVAL_FACTS_DIFFER:
    case CG_BT_APPROVAL_NONE:
    default:
      /* Judged from nothing: what the policy says of the device as it is now. */
      if (verdict == CG_BT_VERDICT_ALLOW)
        plan_record (out, state, CG_APPROVAL_BY_POLICY);
      else
        out->ask = state->approval == CG_BT_APPROVAL_NONE ? CG_BT_BOND_QUESTION_UNSEEN
                                                          : CG_BT_BOND_QUESTION_CHANGED;
      return;
  }
}

/* What carries over to services: a person's yes makes an `ask` an allow. */
static void
plan_settle_outcome (CgBtPlan *out, const CgBtDeviceState *state)
{
  gboolean by_person = FALSE;

  if (out->outcome.verdict != CG_BT_VERDICT_ASK || !state->has_bond || out->remove_bond
      || !cg_bt_pairing_is_approved (out->outcome.verdict, state, &by_person) || !by_person)
    return;
  out->outcome.verdict = CG_BT_VERDICT_ALLOW;
  out->decision = cg_answer_to_string (CG_ANSWER_ALLOW_ONCE);
}

void
cg_bluetooth_plan (const CgPolicy *policy, const CgFacts *facts, const CgBtDeviceState *state,
                   CgBtPlan *out)
{
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  const CgBtOutcome *outcome = &out->outcome;
  gboolean approved;

  *out = (CgBtPlan){ 0 };
  cg_bluetooth_decide (policy, facts, &pairing, &out->outcome);

  if (state->has_bond)
    plan_bond (out, state);
  plan_settle_outcome (out, state);
  approved = state->has_bond && !out->remove_bond
             && cg_bt_pairing_is_approved (outcome->verdict, state, NULL);
  /* Removing the device drops BlueZ's Blocked flag with it, so blocking waits until the
   * device object appears again without a bond. */
  out->set_blocked = outcome->grant.block && !state->blocked && !out->remove_bond;
  /* BlueZ keeps Blocked on disk, so a block carguard set must end with the rule that asked
   * for it. A block anyone else set is theirs to lift. */
  out->set_unblocked = !outcome->grant.block && state->blocked && state->blocked_by_carguard;
  /* A Trusted device skips AuthorizeService, which would bypass the grant; what it
   * opened while Trusted cannot be seen, so a connected one is disconnected. */
  out->set_untrusted
      = state->trusted && !(approved && outcome->grant.all_uuids) && !out->remove_bond;
  /* What another agent let in cannot be seen either: unless the grant allows it, the
   * whole connection goes. */
  out->disconnect = state->connected && !out->remove_bond
                    && (out->set_untrusted || foreign_forbidden (outcome, state, approved));
  if (!out->remove_bond && !out->disconnect && state->connected) {
    out->disconnect_uuids = plan_forbidden_uuids (outcome, state->authorized_uuids, FALSE);
    /* Until a yes, a bonded device gets nothing: every profile it offers is forbidden.
     * BlueZ connects no profile of its own to a device without a bond. */
    if (!state->has_bond)
      ;
    else if (approved)
      out->drop_uuids = plan_forbidden_uuids (outcome, state->device_uuids, TRUE);
    else {
      CgBtOutcome nothing
          = { .verdict = CG_BT_VERDICT_DENY, .grant = { .pairing = CG_PAIRING_DENY } };
      out->drop_uuids = plan_forbidden_uuids (&nothing, state->device_uuids, TRUE);
    }
  }
}
