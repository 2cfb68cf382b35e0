/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-facts.h"
#include "cg-grant.h"
#include "cg-policy.h"

G_BEGIN_DECLS

/* What the policy says about one USB peer (a host in the device role, a device in the
 * host role), with what a log entry and a device record need to say why. */
typedef struct {
  CgUsbMode mode;
  CgGrant grant; /* for the host role's interface allowlist */
  char *rule;    /* cg_decision_format_rules () */
  char *vendor;  /* cg_decision_format_vendors (), or NULL */
} CgUsbVerdict;

void cg_usb_verdict_clear (CgUsbVerdict *verdict);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgUsbVerdict, cg_usb_verdict_clear)

/* A pure function of (policy, facts). */
void cg_usb_decide (const CgPolicy *policy, const CgFacts *facts, CgUsbVerdict *out);

G_END_DECLS
