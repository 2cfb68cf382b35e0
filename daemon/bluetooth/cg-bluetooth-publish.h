/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cg-bluetooth-decide.h"
#include "cg-bluez-device.h"
#include "cg-decision-log.h"
#include "cg-device-registry.h"

G_BEGIN_DECLS

/* What the Bluetooth guard says about a device once it has acted: the outcome it
 * enforced, never a fresh look at the policy, so the journal and the device record name
 * the same rule. */

/* Publishes one device as a whole into the registry, as "bluetooth/ADDRESS": the pairing
 * outcome acted on, its rule, vendor, allowed and denied profiles (none allowed when the
 * pairing is refused). decision, if not NULL, replaces the verdict's word: a person's
 * answer (cg_answer_to_string) after cg_bt_outcome_take_answer. A device without a
 * well-formed address is not published. */
void cg_bluetooth_publish (CgDeviceRegistry *registry, const CgBluezDevice *device,
                           const CgBtOutcome *outcome, const char *decision, gboolean enforced);

/* A pairing request was answered as outcome says: logs the decision, then publishes
 * the device (registry may be NULL). decision as for cg_bluetooth_publish; answered_uid:
 * who answered an ask (cg_ask_get_answered_uid), or CG_PENDING_NO_UID. */
void cg_bluetooth_report_pairing (CgDeviceRegistry *registry, const CgBluezDevice *device,
                                  const CgBtOutcome *outcome, const char *decision,
                                  gint64 answered_uid);

/* The device object at object_path is gone: so is its record. */
void cg_bluetooth_publish_removed (CgDeviceRegistry *registry, const char *object_path);

/* The profile names a device gets under outcome, NULL-terminated, static strings: none
 * when the pairing is refused, whatever the profile list says. */
GPtrArray *cg_bt_outcome_allowed_profiles (const CgBtOutcome *outcome);

/* The journal's view of device and the outcome acted on; both are borrowed. request is
 * "pair" or "service" (then uuid is the service), or NULL for an enforcement. */
CgDecisionLogSubject cg_bluetooth_log_subject (const CgBluezDevice *device,
                                               const CgBtOutcome *outcome, const char *request,
                                               const char *uuid);

G_END_DECLS
