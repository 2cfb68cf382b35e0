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

void
cg_bt_plan_clear (CgBtPlan *plan)
{
  cg_bt_outcome_clear (&plan->outcome);
  g_clear_pointer (&plan->disconnect_uuids, g_ptr_array_unref);
}

gboolean
cg_bt_plan_is_empty (const CgBtPlan *plan)
{
  return !plan->remove_bond && !plan->set_blocked && !plan->set_untrusted
         && (plan->disconnect_uuids == NULL || plan->disconnect_uuids->len == 0);
}

static GPtrArray *
plan_forbidden_uuids (const CgBtOutcome *outcome, const char *const *authorized_uuids)
{
  GPtrArray *forbidden = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; authorized_uuids != NULL && authorized_uuids[i] != NULL; i++)
    if (cg_bt_outcome_service_verdict (outcome, authorized_uuids[i]) != CG_BT_VERDICT_ALLOW)
      g_ptr_array_add (forbidden, g_strdup (authorized_uuids[i]));
  return forbidden;
}

void
cg_bluetooth_plan (const CgPolicy *policy, const CgFacts *facts, const CgBtDeviceState *state,
                   CgBtPlan *out)
{
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  const CgBtOutcome *outcome = &out->outcome;

  *out = (CgBtPlan){ 0 };
  cg_bluetooth_decide (policy, facts, &pairing, &out->outcome);

  out->remove_bond = state->has_bond
                     && (outcome->verdict == CG_BT_VERDICT_DENY
                         || (outcome->verdict == CG_BT_VERDICT_ASK && !state->pairing_approved));
  /* Removing the device drops BlueZ's Blocked flag with it, so blocking waits until the
   * device object appears again without a bond. */
  out->set_blocked = outcome->grant.block && !state->blocked && !out->remove_bond;
  /* A Trusted device skips AuthorizeService, which would bypass the profile list. */
  out->set_untrusted = state->trusted && !outcome->grant.all_uuids && !out->remove_bond;
  if (!out->remove_bond && state->connected)
    out->disconnect_uuids = plan_forbidden_uuids (outcome, state->authorized_uuids);
}
