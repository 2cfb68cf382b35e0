/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-approvals.h"
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

/* The pairing verdict behind an outcome, whatever request it answered. */
CgBtVerdict cg_bt_outcome_pairing_verdict (const CgBtOutcome *outcome);

/* How a device's bond stands against the approval on record for its address
 * (cg-bluetooth-bonds): the approval holds only for the facts and the bond it was
 * given for. */
typedef enum {
  CG_BT_APPROVAL_NONE,         /* nothing on record */
  CG_BT_APPROVAL_MATCHES,      /* on record for these facts and this bond */
  CG_BT_APPROVAL_FACTS_DIFFER, /* the device now says another class, Device ID or address type */
  CG_BT_APPROVAL_BOND_DIFFERS, /* another key under the same address: a bond carguard never saw */
} CgBtApprovalMatch;

/* Where this session's pairing of a device stands, as the agent left it. */
typedef enum {
  CG_BT_PAIRING_NONE,     /* carguard was not asked */
  CG_BT_PAIRING_ASKING,   /* a person is being asked: the bond is kept, no service is given */
  CG_BT_PAIRING_APPROVED, /* the agent said yes (by the policy or a person) */
  CG_BT_PAIRING_REFUSED,  /* a person, the deadline or the lock said no */
  CG_BT_PAIRING_FOREIGN,  /* bluetoothd asked another agent: carguard decided nothing */
} CgBtPairingState;

/* What one device is now, as the watcher or the agent sees it. */
typedef struct {
  gboolean has_bond; /* Paired or Bonded */
  gboolean trusted;
  gboolean blocked;
  gboolean blocked_by_carguard; /* carguard set Blocked, this session */
  gboolean connected;
  CgBtApprovalMatch approval;
  CgApprovalBy approved_by;  /* when approval is not NONE */
  gboolean approval_learned; /* MATCHES, and a fact unknown then is known now: bind again */
  CgBtPairingState pairing;
  CgApprovalBy pairing_by;             /* when pairing is APPROVED */
  const char *const *authorized_uuids; /* granted through AuthorizeService this connection */
  const char *const *device_uuids;     /* Device1.UUIDs: what the device offers */
  const char *const *foreign_uuids;    /* services bluetoothd asked another agent about */
} CgBtDeviceState;

/* Whether the device's pairing was allowed, by the policy or by a person, for what it is
 * now. by_person, if not NULL, says a person's yes is what allows it. */
gboolean cg_bt_pairing_is_approved (CgBtVerdict pairing, const CgBtDeviceState *state,
                                    gboolean *by_person);

/* The verdict on one AuthorizeService: none without an approved pairing, then what the
 * grant says. outcome is cg_bluetooth_decide's for the service request. */
CgBtVerdict cg_bt_service_verdict (const CgBtOutcome *outcome, const CgBtDeviceState *state,
                                   const char *uuid);

/* What carguard must ask a person about a bond it did not make, if anything. */
typedef enum {
  CG_BT_BOND_QUESTION_NONE,
  CG_BT_BOND_QUESTION_UNSEEN,  /* paired without carguard's agent being asked */
  CG_BT_BOND_QUESTION_CHANGED, /* approved as something else: class or Device ID changed */
} CgBtBondQuestion;

/* What one device's state should become under the policy; computed by
 * cg_bluetooth_plan, carried out, logged and published by the watcher. */
typedef struct {
  CgBtOutcome outcome;        /* the pairing decision acted on (ALLOW once a person said yes) */
  const char *decision;       /* the word to publish instead of the verdict's, or NULL */
  gboolean remove_bond;       /* Disconnect, then Adapter1.RemoveDevice */
  const char *removal_reason; /* why, for the journal, when remove_bond */
  gboolean set_blocked;
  gboolean set_unblocked; /* carguard's own block, which the policy no longer asks for */
  gboolean set_untrusted;
  gboolean disconnect;         /* the whole device: it was Trusted while connected */
  GPtrArray *disconnect_uuids; /* char *: authorized UUIDs the policy now forbids */
  GPtrArray *drop_uuids;       /* char *: offered UUIDs of forbidden profiles, whoever let
                                * them in (DisconnectProfile) */
  gboolean record_approval;    /* bind the approval to the bond as it is now */
  CgApprovalBy record_by;
  gboolean forget_approval; /* the approval on record no longer holds */
  CgBtBondQuestion ask;
} CgBtPlan;

void cg_bt_plan_clear (CgBtPlan *plan);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgBtPlan, cg_bt_plan_clear)

gboolean cg_bt_plan_is_empty (const CgBtPlan *plan);

/* A pure function of (policy, facts, device state); decides once, for the pairing. */
void cg_bluetooth_plan (const CgPolicy *policy, const CgFacts *facts, const CgBtDeviceState *state,
                        CgBtPlan *out);

G_END_DECLS
