/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-ask.h"
#include "cg-facts.h"
#include "cg-grant.h"
#include "cg-policy.h"
#include "cg-profile.h"

G_BEGIN_DECLS

/* What BlueZ asks the agent, reduced to what the policy decides on. Every pairing
 * method (RequestAuthorization, RequestConfirmation, RequestPinCode, RequestPasskey,
 * DisplayPasskey, DisplayPinCode) is a pairing request; AuthorizeService is a service
 * request for one UUID. */
typedef enum {
  CG_BT_REQUEST_PAIRING,
  CG_BT_REQUEST_SERVICE,
} CgBtRequestKind;

typedef struct {
  CgBtRequestKind kind;
  const char *uuid; /* service requests: the UUID BlueZ passed, as given */
} CgBtRequest;

/* Ordered from most to least restrictive. */
typedef enum {
  CG_BT_VERDICT_DENY,
  CG_BT_VERDICT_ASK,
  CG_BT_VERDICT_ALLOW,
} CgBtVerdict;

/* The answer to one request, with what a log entry and a device record need to say why.
 * It is what gets enforced, logged and published: nothing downstream decides again. */
typedef struct {
  CgBtVerdict verdict;
  CgProfile profile; /* service requests: the profile the UUID belongs to */
  CgGrant grant;     /* what the policy grants the device: block, all_uuids, profiles */
  char *rule;        /* cg_decision_format_rules () */
  char *vendor;      /* cg_decision_format_vendors (), or NULL */
} CgBtOutcome;

void cg_bt_outcome_clear (CgBtOutcome *outcome);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgBtOutcome, cg_bt_outcome_clear)
void cg_bt_outcome_copy (CgBtOutcome *dest, const CgBtOutcome *src);

/* The verdict on one service of a device whose pairing outcome this is, from its grant:
 * no second look at the policy. */
CgBtVerdict cg_bt_outcome_service_verdict (const CgBtOutcome *outcome, const char *uuid);
/* The outcome of an `ask` once it is answered: allowed or denied as the answer says. */
void cg_bt_outcome_take_answer (CgBtOutcome *outcome, CgAnswer answer);

/* A pure function of (policy, facts, request): no D-Bus, no I/O. A service request is
 * denied whenever pairing is denied, so a device that slipped a bond past the agent
 * still gets nothing. */
void cg_bluetooth_decide (const CgPolicy *policy, const CgFacts *facts, const CgBtRequest *request,
                          CgBtOutcome *out);

const char *cg_bt_verdict_to_string (CgBtVerdict verdict);

/* What one device's state should become under the policy; computed by
 * cg_bluetooth_plan, carried out, logged and published by the watcher. */
typedef struct {
  gboolean has_bond; /* Paired or Bonded */
  gboolean trusted;
  gboolean blocked;
  gboolean connected;
  gboolean pairing_approved;           /* a person or the policy approved this bond this session */
  const char *const *authorized_uuids; /* granted through AuthorizeService this session */
} CgBtDeviceState;

typedef struct {
  CgBtOutcome outcome;  /* the pairing decision the plan was computed from */
  gboolean remove_bond; /* Disconnect, then Adapter1.RemoveDevice */
  gboolean set_blocked;
  gboolean set_untrusted;
  GPtrArray *disconnect_uuids; /* char *: authorized UUIDs the policy now forbids */
} CgBtPlan;

void cg_bt_plan_clear (CgBtPlan *plan);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgBtPlan, cg_bt_plan_clear)

gboolean cg_bt_plan_is_empty (const CgBtPlan *plan);

/* A pure function of (policy, facts, device state); decides once, for the pairing. */
void cg_bluetooth_plan (const CgPolicy *policy, const CgFacts *facts, const CgBtDeviceState *state,
                        CgBtPlan *out);

G_END_DECLS
