/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The journal's account of what the guards did, the same fields for every transport.
 * A guard enforces first, then logs what happened: the entry names the rule that was
 * applied, as the device record does.
 *   decision (CG_MESSAGE_ID_DECISION): CARGUARD_TRANSPORT, _DEVICE, _DEVICE_NAME, _VENDOR,
 *     _RULE, _DECISION, and for Bluetooth _REQUEST, _SERVICE, _PROFILE; and, to filter on,
 *     _VERDICT (allow, deny or ask: whether a data path opened, whoever decided),
 *     _REASON (policy, person, timeout, withdrawn, nobody, present, watcher: who or what
 *     decided) and, when a person answered, _ANSWERED_UID
 *   enforcement (CG_MESSAGE_ID_ENFORCED): the same subject, _ENFORCED and, when the
 *     kernel or BlueZ refused, _ERROR (the entry is then a warning) */

/* Whom an entry is about and the rule behind it. Strings are borrowed for the call and
 * sanitised here: names and descriptors are the device's own, hostile, choice. */
typedef struct {
  const char *transport;   /* "bluetooth" or "usb" */
  const char *device;      /* address, sysfs name, "gadget g1 on dummy_udc.0"; NULL: unknown */
  const char *device_name; /* as the device gave it, or NULL */
  const char *vendor;      /* vendor id(s) of the deciding rule(s), or NULL */
  const char *rule;        /* cg_decision_format_rules (), or NULL when none applies */
  const char *request;     /* Bluetooth: "pair" or "service"; NULL */
  const char *service;     /* Bluetooth: the service UUID asked for or acted on, or NULL */
  const char *reason;      /* who decided, when the decision's words do not say: "watcher";
                            * NULL: "policy", or the answer's ("deny (timeout)": "timeout") */
  gboolean answered_by_uid;
  guint32 answered_uid; /* the person who answered an ask (cg_ask_get_answered_uid) */
} CgDecisionLogSubject;

/* decision: the policy's ("allow", "charge-only", "ask", ...) or a person's answer
 * (cg_answer_to_string). */
void cg_decision_log_decided (const CgDecisionLogSubject *subject, const char *decision);

/* action: "bond removed", "authorized: data", "unbound: charge-only", ...; failed says
 * the action did not take. */
void cg_decision_log_enforced (const CgDecisionLogSubject *subject, const char *action,
                               const GError *failed);

G_END_DECLS
