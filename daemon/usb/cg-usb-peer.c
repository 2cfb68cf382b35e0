/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-usb-peer.h"

void
cg_usb_guard_core_init (CgUsbGuardCore *core, CgPolicyKeeper *keeper, CgPending *pending,
                        CgDeviceRegistry *registry, GCallback on_policy_changed, gpointer guard)
{
  core->keeper = g_object_ref (keeper);
  core->pending = pending != NULL ? g_object_ref (pending) : NULL;
  core->registry = registry != NULL ? g_object_ref (registry) : NULL;
  core->policy_changed_id = g_signal_connect (keeper, "changed", on_policy_changed, guard);
}

void
cg_usb_guard_core_clear (CgUsbGuardCore *core)
{
  if (core->keeper != NULL)
    g_clear_signal_handler (&core->policy_changed_id, core->keeper);
  g_clear_object (&core->keeper);
  g_clear_object (&core->pending);
  g_clear_object (&core->registry);
}

void
cg_usb_guard_core_publish (const CgUsbGuardCore *core, const CgDeviceReport *report)
{
  if (core->registry != NULL)
    cg_device_registry_publish (core->registry, report);
}

void
cg_usb_guard_core_report_guard (const CgUsbGuardCore *core, const char *name, gboolean running,
                                const char *what)
{
  if (core->registry != NULL)
    cg_device_registry_report_guard (core->registry, name, running, what);
}

void
cg_usb_guard_core_remove (const CgUsbGuardCore *core, const char *device)
{
  if (core->registry != NULL)
    cg_device_registry_remove (core->registry, "usb", device);
}

void
cg_usb_peer_clear (CgUsbPeer *peer)
{
  cg_ask_withdraw (&peer->ask);
  cg_usb_verdict_clear (&peer->verdict);
}

void
cg_usb_peer_reset (CgUsbPeer *peer)
{
  cg_ask_withdraw (&peer->ask);
  peer->access = CG_USB_ACCESS_CHARGE_ONLY;
  peer->has_answer = FALSE;
  peer->why = NULL;
}

static void
usb_peer_set_answer (CgUsbPeer *peer, CgAnswer answer)
{
  peer->has_answer = TRUE;
  peer->answer = answer;
  peer->access = cg_answer_allows (answer) ? CG_USB_ACCESS_DATA : CG_USB_ACCESS_CHARGE_ONLY;
}

/* What a yes grants, in the words of the policy: "data", or "data: audio hid". */
static char *
usb_peer_grants (const CgUsbVerdict *verdict)
{
  g_autoptr (GPtrArray) names = cg_grant_usb_interface_names (&verdict->grant);
  g_autofree char *list = NULL;

  if (names->len == 1 && g_str_equal (names->pdata[0], "all"))
    return g_strdup ("data");
  g_ptr_array_add (names, NULL);
  list = g_strjoinv (" ", (char **)names->pdata);
  return g_strconcat ("data: ", list, NULL);
}

static void
usb_peer_apply (CgUsbPeer *peer, const CgUsbGuardCore *core, const CgUsbJudgement *judgement)
{
  g_autofree char *grants = usb_peer_grants (&peer->verdict);
  CgPendingQuestion question = { .transport = "usb",
                                 .device = judgement->device,
                                 .device_name = judgement->name,
                                 .question = "data",
                                 .grants = grants,
                                 .kind = judgement->kind };

  if (peer->verdict.mode != CG_USB_MODE_CHARGE_ONLY && judgement->locked
      && peer->verdict.grant.usb_while_locked != CG_USB_LOCKED_DATA)
    peer->access = CG_USB_ACCESS_HELD;
  else if (peer->verdict.mode == CG_USB_MODE_DATA)
    peer->access = CG_USB_ACCESS_DATA;
  else if (peer->verdict.mode != CG_USB_MODE_ASK)
    peer->access = CG_USB_ACCESS_CHARGE_ONLY;
  else if (judgement->cannot_ask != NULL)
    peer->why = judgement->cannot_ask;
  else if (cg_ask_raise (&peer->ask, core->pending, &question, judgement->on_answer,
                         judgement->user_data))
    peer->access = CG_USB_ACCESS_ASKING;
  else
    usb_peer_set_answer (peer, CG_ANSWER_DENY_NOBODY);
}

void
cg_usb_peer_judge (CgUsbPeer *peer, const CgUsbGuardCore *core, const CgUsbJudgement *judgement)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (core->keeper);

  cg_usb_peer_reset (peer);
  cg_usb_verdict_clear (&peer->verdict);
  cg_usb_decide (policy, judgement->facts, &peer->verdict);
  usb_peer_apply (peer, core, judgement);
}

static gboolean
usb_peer_answered (const CgUsbPeer *peer)
{
  /* "Nobody to ask" is no one's answer: once there is someone, a reload asks again. */
  return peer->has_answer && peer->answer != CG_ANSWER_DENY_NOBODY;
}

static gboolean
usb_verdict_same (const CgUsbVerdict *a, const CgUsbVerdict *b)
{
  return a->mode == b->mode && g_strcmp0 (a->rule, b->rule) == 0
         && memcmp (a->grant.usb_interfaces, b->grant.usb_interfaces,
                    sizeof a->grant.usb_interfaces)
                == 0
         && a->grant.usb_while_locked == b->grant.usb_while_locked;
}

gboolean
cg_usb_peer_rejudge (CgUsbPeer *peer, const CgUsbGuardCore *core, const CgUsbJudgement *judgement)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (core->keeper);
  g_auto (CgUsbVerdict) verdict = { 0 };
  CgUsbJudgement again = *judgement;

  /* The lock holds back new data paths: one this connection already has stays. */
  again.locked = judgement->locked && peer->access != CG_USB_ACCESS_DATA;
  cg_usb_decide (policy, judgement->facts, &verdict);
  /* Block reaches everything: a yes for this connection, a question still open. */
  if (usb_peer_answered (peer) && !verdict.grant.block)
    return FALSE;
  if (peer->access == CG_USB_ACCESS_ASKING && usb_verdict_same (&peer->verdict, &verdict))
    return FALSE;
  cg_usb_peer_reset (peer);
  cg_usb_verdict_clear (&peer->verdict);
  peer->verdict = verdict;
  verdict = (CgUsbVerdict){ 0 };
  usb_peer_apply (peer, core, &again);
  return TRUE;
}

gboolean
cg_usb_peer_unlock (CgUsbPeer *peer, const CgUsbGuardCore *core, const CgUsbJudgement *judgement)
{
  if (peer->access != CG_USB_ACCESS_HELD)
    return FALSE;
  cg_usb_peer_judge (peer, core, judgement);
  return TRUE;
}

void
cg_usb_peer_take_answer (CgUsbPeer *peer, CgAnswer answer)
{
  usb_peer_set_answer (peer, answer);
}

static const char *
usb_access_to_string (CgUsbAccess access)
{
  switch (access) {
    case CG_USB_ACCESS_DATA:
      return "data";
    case CG_USB_ACCESS_ASKING:
      return "ask";
    case CG_USB_ACCESS_HELD:
      return "charge-only (locked)";
    case CG_USB_ACCESS_CHARGE_ONLY:
    default:
      return "charge-only";
  }
}

const char *
cg_usb_peer_decision (const CgUsbPeer *peer)
{
  if (peer->has_answer)
    return cg_answer_to_string (peer->answer);
  if (peer->why != NULL)
    return peer->why;
  if (peer->access == CG_USB_ACCESS_CHARGE_ONLY && peer->verdict.grant.block)
    return "block";
  return usb_access_to_string (peer->access);
}

CgDecisionLogSubject
cg_usb_peer_log_subject (const CgUsbPeer *peer, const char *device, const char *name)
{
  gint64 answered_uid = peer->has_answer ? cg_ask_get_answered_uid (&peer->ask) : CG_PENDING_NO_UID;

  return (CgDecisionLogSubject){ .transport = "usb",
                                 .device = device,
                                 .device_name = name,
                                 .vendor = peer->verdict.vendor,
                                 .rule = peer->verdict.rule,
                                 .answered_by_uid = answered_uid != CG_PENDING_NO_UID,
                                 .answered_uid = (guint32)answered_uid };
}

CgDeviceReport
cg_usb_peer_report (const CgUsbPeer *peer, const char *device, const char *name, gboolean enforced)
{
  return (CgDeviceReport){ .transport = "usb",
                           .device = device,
                           .name = name,
                           .vendor = peer->verdict.vendor,
                           .decision = cg_usb_peer_decision (peer),
                           .rule = peer->verdict.rule,
                           .enforced = enforced };
}

void
cg_usb_peer_log_decided (const CgUsbPeer *peer, const char *device, const char *name)
{
  CgDecisionLogSubject subject = cg_usb_peer_log_subject (peer, device, name);

  cg_decision_log_decided (&subject, cg_usb_peer_decision (peer));
}

void
cg_usb_peer_log_enforced (const CgUsbPeer *peer, const char *device, const char *name,
                          const char *action, const GError *failed)
{
  CgDecisionLogSubject subject = cg_usb_peer_log_subject (peer, device, name);

  cg_decision_log_enforced (&subject, action, failed);
}
