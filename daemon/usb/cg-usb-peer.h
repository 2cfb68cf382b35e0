/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-ask.h"
#include "cg-decision-log.h"
#include "cg-device-registry.h"
#include "cg-policy-keeper.h"
#include "cg-usb-decision.h"

G_BEGIN_DECLS

/* What both USB guards judge, ask and publish with: the policy, the people to ask (NULL:
 * nobody), the device registry (NULL: nothing is published). */
typedef struct {
  CgPolicyKeeper *keeper;
  CgPending *pending;
  CgDeviceRegistry *registry;
  gulong policy_changed_id;
} CgUsbGuardCore;

/* Takes references; on_policy_changed (CgPolicyKeeper *, gpointer guard) runs on every
 * reload until cg_usb_guard_core_clear. */
void cg_usb_guard_core_init (CgUsbGuardCore *core, CgPolicyKeeper *keeper, CgPending *pending,
                             CgDeviceRegistry *registry, GCallback on_policy_changed,
                             gpointer guard);
void cg_usb_guard_core_clear (CgUsbGuardCore *core);

/* What a USB peer may do now: the state both USB guards enforce. */
typedef enum {
  CG_USB_ACCESS_CHARGE_ONLY,
  CG_USB_ACCESS_ASKING, /* charge-only until a person answers */
  CG_USB_ACCESS_HELD,   /* charge-only until a person unlocks, then judged */
  CG_USB_ACCESS_DATA,
} CgUsbAccess;

/* One USB peer (a device plugged into this machine, the host this phone is plugged
 * into) for as long as it stays attached: what the policy says of it, what it may do,
 * and the question while a person decides. Zero-initialised is a new peer. */
typedef struct {
  CgUsbVerdict verdict;
  CgUsbAccess access;
  CgAsk ask;
  gboolean has_answer;
  CgAnswer answer;
  /* static: the decision as the log and the record say it when the access alone does
   * not ("charge-only (no cable signal)", "data (present at start)"), or NULL */
  const char *why;
} CgUsbPeer;

/* What a guard knows when it judges a peer. Strings are borrowed for the call. */
typedef struct {
  const CgFacts *facts;
  const char *device; /* as the registry names the peer */
  const char *name;   /* what a person is shown: the device's own name, or a description */
  const char *kind;   /* the question's kind: "usb-host", "usb-device", ... */
  gboolean locked;    /* every session is locked: a new data path waits for the unlock */
  /* Static: when a yes could not be kept to this connection (no cable signal) or would
   * open nothing (no gadget to bind), the decision an `ask` is instead, with the reason:
   * "charge-only (no cable signal)"; NULL when a person can be asked. */
  const char *cannot_ask;
  CgAskFunc on_answer;
  gpointer user_data;
} CgUsbJudgement;

/* Withdraws the question and frees what the peer holds. */
void cg_usb_peer_clear (CgUsbPeer *peer);
/* A new connection: nothing decided or asked. The last verdict stays, so what is
 * enforced until the next judgement still names its rule. */
void cg_usb_peer_reset (CgUsbPeer *peer);

/* Decides from the facts under the policy in force. While locked, what the policy would
 * open (data, or a question) is held charge-only unless the grant says USBWhileLocked=data.
 * For `ask` raises the question (kind, what a yes grants); on_answer hands the answer to
 * cg_usb_peer_take_answer, then enforces. Nobody to ask, or judgement->cannot_ask:
 * charge-only. */
void cg_usb_peer_judge (CgUsbPeer *peer, const CgUsbGuardCore *core,
                        const CgUsbJudgement *judgement);
void cg_usb_peer_take_answer (CgUsbPeer *peer, CgAnswer answer);

/* Under a new policy: a person's answer stands for this connection unless the policy
 * now blocks the peer; an open question stands while the policy still asks the same of
 * it (same rule, same grant) and is withdrawn otherwise; anything else is judged again.
 * Returns whether what the peer may do was judged again. */
gboolean cg_usb_peer_rejudge (CgUsbPeer *peer, const CgUsbGuardCore *core,
                              const CgUsbJudgement *judgement);

/* The machine was unlocked: a held peer is judged now. Returns whether it was held. */
gboolean cg_usb_peer_unlock (CgUsbPeer *peer, const CgUsbGuardCore *core,
                             const CgUsbJudgement *judgement);

/* What the log and the device record say: the answer ("allow once (person)") if one
 * decided, else the access ("data", "ask", "charge-only", "block", "charge-only (locked)",
 * "charge-only (no cable signal)"). */
const char *cg_usb_peer_decision (const CgUsbPeer *peer);

/* The log's and the registry's view of the peer; device and name are borrowed. A report
 * leaves to the caller what only it knows (USB ids, serial). */
CgDecisionLogSubject cg_usb_peer_log_subject (const CgUsbPeer *peer, const char *device,
                                              const char *name);
CgDeviceReport cg_usb_peer_report (const CgUsbPeer *peer, const char *device, const char *name,
                                   gboolean enforced);
/* What `carguard status` says of a USB guard ("usb-host", "usb-gadget"); no-op without
 * registry. */
void cg_usb_guard_core_report_guard (const CgUsbGuardCore *core, const char *name, gboolean running,
                                     const char *what);
/* Publishes a report (cg_usb_peer_report), or forgets the device; no-ops without registry. */
void cg_usb_guard_core_publish (const CgUsbGuardCore *core, const CgDeviceReport *report);
void cg_usb_guard_core_remove (const CgUsbGuardCore *core, const char *device);

/* Enforced, then logged: cg_decision_log_* about this peer. */
void cg_usb_peer_log_decided (const CgUsbPeer *peer, const char *device, const char *name);
void cg_usb_peer_log_enforced (const CgUsbPeer *peer, const char *device, const char *name,
                               const char *action, const GError *failed);

G_END_DECLS
