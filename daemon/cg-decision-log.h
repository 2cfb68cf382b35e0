/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cg-bluetooth-decide.h"
#include "cg-bluez-device.h"

G_BEGIN_DECLS

/* One journald entry per Bluetooth decision (CG_MESSAGE_ID_DECISION): what was asked
 * ("pair", "service"), of which device, the answer and the rule behind it. uuid is the
 * service asked for, or NULL. answer overrides the outcome's verdict when a person or a
 * timeout decided an `ask` ("allow (person)", "deny (timeout)"). */
void cg_decision_log_bluetooth (const CgBluezDevice *device, const char *request, const char *uuid,
                                const CgBtOutcome *outcome, const char *answer);

/* One entry per enforcement action (CG_MESSAGE_ID_ENFORCED): "bond removed",
 * "blocked", "untrusted", "profile disconnected", ...; failed tells that BlueZ refused. */
void cg_decision_log_enforced (const CgBluezDevice *device, const char *action, const char *uuid,
                               const CgBtOutcome *outcome, const GError *failed);

G_END_DECLS
