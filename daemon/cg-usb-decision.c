/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-explain.h"
#include "cg-log.h"
#include "cg-usb-decision.h"

/* Log values are device-influenced or carry file names: keep entries bounded. */
#define CG_USB_LOG_VALUE_MAX 512

void
cg_usb_verdict_clear (CgUsbVerdict *verdict)
{
  cg_grant_clear (&verdict->grant);
  g_clear_pointer (&verdict->rule, g_free);
  g_clear_pointer (&verdict->vendor, g_free);
}

void
cg_usb_decide (const CgPolicy *policy, const CgFacts *facts, CgUsbVerdict *out)
{
  g_auto (CgDecision) decision = { 0 };

  cg_policy_decide (policy, facts, CG_TRANSPORT_USB, &decision);
  *out = (CgUsbVerdict){ 0 };
  cg_grant_copy (&out->grant, &decision.grant);
  out->mode = decision.grant.usb_mode;
  out->rule = cg_decision_format_rules (&decision);
  out->vendor = cg_decision_format_vendors (&decision);
}

void
cg_usb_log_decision (const char *device, const char *device_name, const CgUsbVerdict *verdict,
                     const char *decision)
{
  g_autofree char *who = cg_sanitize_string (device, CG_USB_LOG_VALUE_MAX);
  g_autofree char *name
      = device_name ? cg_sanitize_string (device_name, CG_USB_LOG_VALUE_MAX) : NULL;
  g_autofree char *vendor = verdict->vendor ? cg_sanitize_string (verdict->vendor, 128) : NULL;
  g_autofree char *rule
      = cg_sanitize_string (verdict->rule ? verdict->rule : "default", CG_USB_LOG_VALUE_MAX);
  const char *answer = decision ? decision : cg_usb_mode_to_string (verdict->mode);
  g_autofree char *message = g_strdup_printf ("USB %s%s%s%s: %s by %s", who, name ? " (" : "",
                                              name ? name : "", name ? ")" : "", answer, rule);

  cg_log_event (G_LOG_LEVEL_INFO, CG_MESSAGE_ID_DECISION, message, "CARGUARD_TRANSPORT", "usb",
                "CARGUARD_DEVICE", who, "CARGUARD_DEVICE_NAME", name, "CARGUARD_VENDOR", vendor,
                "CARGUARD_RULE", rule, "CARGUARD_DECISION", answer, NULL);
}

void
cg_usb_log_enforced (const char *device, const char *action, const CgUsbVerdict *verdict,
                     const GError *failed)
{
  g_autofree char *who = cg_sanitize_string (device, CG_USB_LOG_VALUE_MAX);
  g_autofree char *vendor = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *error
      = failed ? cg_sanitize_string (failed->message, CG_USB_LOG_VALUE_MAX) : NULL;
  g_autofree char *message = g_strdup_printf ("USB %s: %s%s%s", who, action,
                                              error ? " failed: " : "", error ? error : "");

  if (verdict != NULL) {
    vendor = verdict->vendor ? cg_sanitize_string (verdict->vendor, 128) : NULL;
    rule = cg_sanitize_string (verdict->rule ? verdict->rule : "default", CG_USB_LOG_VALUE_MAX);
  }
  cg_log_event (failed ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE, CG_MESSAGE_ID_ENFORCED, message,
                "CARGUARD_TRANSPORT", "usb", "CARGUARD_DEVICE", who, "CARGUARD_VENDOR", vendor,
                "CARGUARD_RULE", rule, "CARGUARD_ENFORCED", action, "CARGUARD_ERROR", error, NULL);
}
