/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-facts.h"
#include "cg-grant.h"
#include "cg-policy.h"

G_BEGIN_DECLS

/* What the policy says about one USB peer (a host in the device role, a device in the
 * host role), with what a log entry needs to say why. */
typedef struct {
  CgUsbMode mode;
  CgGrant grant; /* for the host role's interface allowlist */
  char *rule;    /* "file:line" of the winning rule, or "default" */
  char *vendor;  /* vendor id of the winning rule, or NULL */
} CgUsbVerdict;

void cg_usb_verdict_clear (CgUsbVerdict *verdict);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgUsbVerdict, cg_usb_verdict_clear)

/* A pure function of (policy, facts). */
void cg_usb_decide (const CgPolicy *policy, const CgFacts *facts, CgUsbVerdict *out);

/* One journald entry per decision (CG_MESSAGE_ID_DECISION), as the Bluetooth guard
 * writes them. device is the sysfs name ("1-1") or the gadget and UDC; decision
 * overrides the verdict's mode when a person or a timeout decided an `ask`. */
void cg_usb_log_decision (const char *device, const char *device_name, const CgUsbVerdict *verdict,
                          const char *decision);

/* One entry per enforcement action (CG_MESSAGE_ID_ENFORCED): "unbound", "bound",
 * "authorized", ...; failed tells that the kernel refused. verdict may be NULL. */
void cg_usb_log_enforced (const char *device, const char *action, const CgUsbVerdict *verdict,
                          const GError *failed);

G_END_DECLS
