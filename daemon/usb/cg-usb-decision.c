/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-usb-decision.h"

void
cg_usb_verdict_clear (CgUsbVerdict *verdict)
{
  cg_grant_clear (&verdict->grant);
  g_clear_pointer (&verdict->rule, g_free);
  g_clear_pointer (&verdict->vendor, g_free);
}

void
cg_usb_decide (const CgPolicy *policy, const CgFacts *facts, CgUsbVerdict *out)
{
  g_auto (CgDecision) decision = { 0 };

  cg_policy_decide (policy, facts, CG_TRANSPORT_USB, &decision);
  *out = (CgUsbVerdict){ 0 };
  cg_grant_copy (&out->grant, &decision.grant);
  out->mode = decision.grant.usb_mode;
  out->rule = cg_decision_format_rules (&decision);
  out->vendor = cg_decision_format_vendors (&decision);
}
