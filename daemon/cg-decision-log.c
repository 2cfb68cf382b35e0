/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-decision-log.h"
#include "cg-explain.h"
#include "cg-log.h"

/* Log values are device-influenced or carry file names: keep entries bounded. */
#define CG_LOG_VALUE_MAX 512

static const char *
service_name (const char *uuid)
{
  CgProfile profile = uuid ? cg_profile_from_uuid (uuid) : CG_PROFILE_UNKNOWN;

  return profile == CG_PROFILE_UNKNOWN ? "unknown" : cg_profile_to_name (profile);
}

void
cg_decision_log_bluetooth (const CgBluezDevice *device, const char *request, const char *uuid,
                           const CgBtOutcome *outcome, const char *answer)
{
  g_autofree char *who = cg_bluez_device_describe (device);
  g_autofree char *safe_uuid = uuid ? cg_sanitize_string (uuid, 64) : NULL;
  g_autofree char *vendor = outcome->vendor ? cg_sanitize_string (outcome->vendor, 128) : NULL;
  g_autofree char *rule
      = cg_sanitize_string (outcome->rule ? outcome->rule : "default", CG_LOG_VALUE_MAX);
  const char *decision = answer ? answer : cg_bt_verdict_to_string (outcome->verdict);
  g_autofree char *message = NULL;

  if (safe_uuid != NULL)
    message = g_strdup_printf ("Bluetooth %s %s (%s) of %s: %s by %s", request, service_name (uuid),
                               safe_uuid, who, decision, rule);
  else
    message = g_strdup_printf ("Bluetooth %s of %s: %s by %s", request, who, decision, rule);
  cg_log_event (G_LOG_LEVEL_INFO, CG_MESSAGE_ID_DECISION, message, "CARGUARD_TRANSPORT",
                "bluetooth", "CARGUARD_REQUEST", request, "CARGUARD_DEVICE",
                device->address ? device->address : "unknown", "CARGUARD_DEVICE_NAME",
                device->name_display, "CARGUARD_VENDOR", vendor, "CARGUARD_RULE", rule,
                "CARGUARD_DECISION", decision, "CARGUARD_SERVICE", safe_uuid, "CARGUARD_PROFILE",
                safe_uuid ? service_name (uuid) : NULL, NULL);
}

void
cg_decision_log_enforced (const CgBluezDevice *device, const char *action, const char *uuid,
                          const CgBtOutcome *outcome, const GError *failed)
{
  g_autofree char *who = cg_bluez_device_describe (device);
  g_autofree char *safe_uuid = uuid ? cg_sanitize_string (uuid, 64) : NULL;
  g_autofree char *vendor = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *error = failed ? cg_sanitize_string (failed->message, CG_LOG_VALUE_MAX) : NULL;
  g_autofree char *message = NULL;

  if (outcome != NULL) {
    vendor = outcome->vendor ? cg_sanitize_string (outcome->vendor, 128) : NULL;
    rule = cg_sanitize_string (outcome->rule ? outcome->rule : "default", CG_LOG_VALUE_MAX);
  }
  message = g_strdup_printf ("Bluetooth %s%s%s: %s%s%s", who, safe_uuid ? " " : "",
                             safe_uuid ? safe_uuid : "", action, error ? " failed: " : "",
                             error ? error : "");
  cg_log_event (failed ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE, CG_MESSAGE_ID_ENFORCED, message,
                "CARGUARD_TRANSPORT", "bluetooth", "CARGUARD_DEVICE",
                device->address ? device->address : "unknown", "CARGUARD_DEVICE_NAME",
                device->name_display, "CARGUARD_VENDOR", vendor, "CARGUARD_RULE", rule,
                "CARGUARD_ENFORCED", action, "CARGUARD_SERVICE", safe_uuid, "CARGUARD_ERROR", error,
                NULL);
}
