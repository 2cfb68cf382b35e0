/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-decision-log.h"
#include "cg-log.h"
#include "cg-profile.h"
#include "cg-sanitize.h"

/* Log values are device-influenced or carry file names: keep entries bounded. */
#define CG_LOG_VALUE_MAX 512
#define CG_LOG_ID_MAX 128
#define CG_LOG_UUID_MAX 64

/* The subject's strings, sanitised, and how a message names it. */
typedef struct {
  const char *transport;
  char *device;
  char *name; /* NULL when the device gave none */
  char *vendor;
  char *rule;
  char *service;
  const char *profile;
  char *who; /* "DEVICE (NAME)" */
} LogSubject;

static char *
sanitize_or_null (const char *s, gsize max_bytes)
{
  return s != NULL ? cg_sanitize_string (s, max_bytes) : NULL;
}

static const char *
service_profile (const char *uuid)
{
  CgProfile profile = cg_profile_from_uuid (uuid);

  return profile == CG_PROFILE_UNKNOWN ? "unknown" : cg_profile_to_name (profile);
}

static void
log_subject_init (LogSubject *out, const CgDecisionLogSubject *subject)
{
  out->transport = subject->transport != NULL ? subject->transport : "unknown";
  out->device = cg_sanitize_string (subject->device != NULL ? subject->device : "unknown",
                                    CG_LOG_VALUE_MAX);
  out->name = sanitize_or_null (subject->device_name, CG_LOG_VALUE_MAX);
  if (out->name != NULL && out->name[0] == '\0')
    g_clear_pointer (&out->name, g_free);
  out->vendor = sanitize_or_null (subject->vendor, CG_LOG_ID_MAX);
  out->rule = sanitize_or_null (subject->rule, CG_LOG_VALUE_MAX);
  out->service = sanitize_or_null (subject->service, CG_LOG_UUID_MAX);
  out->profile = subject->service != NULL ? service_profile (subject->service) : NULL;
  out->who = out->name != NULL ? g_strdup_printf ("%s (%s)", out->device, out->name)
                               : g_strdup (out->device);
}

static void
log_subject_clear (LogSubject *subject)
{
  g_free (subject->device);
  g_free (subject->name);
  g_free (subject->vendor);
  g_free (subject->rule);
  g_free (subject->service);
  g_free (subject->who);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LogSubject, log_subject_clear)

static const char *
transport_label (const char *transport)
{
  if (g_str_equal (transport, "bluetooth"))
    return "Bluetooth";
  if (g_str_equal (transport, "usb"))
    return "USB";
  return transport;
}

/* "Bluetooth service a2dp (0000110d-…) of ADDRESS (NAME)", "Bluetooth pair of …", "USB 1-1 (NAME)".
 */
static char *
describe_request (const LogSubject *subject, const char *request)
{
  const char *label = transport_label (subject->transport);

  if (request == NULL)
    return g_strdup_printf ("%s %s", label, subject->who);
  if (subject->service != NULL)
    return g_strdup_printf ("%s %s %s (%s) of %s", label, request, subject->profile,
                            subject->service, subject->who);
  return g_strdup_printf ("%s %s of %s", label, request, subject->who);
}

/* A decision in one word: did a data path open? The policy's "data" and a person's
 * "allow once" did; "charge-only", "block" and every "deny (...)" did not. */
static const char *
decision_verdict (const char *decision)
{
  if (g_str_has_prefix (decision, "allow") || g_str_has_prefix (decision, "data"))
    return "allow";
  if (g_str_has_prefix (decision, "ask"))
    return "ask";
  return "deny";
}

/* Who decided: an answer says so in its parentheses (cg_answer_to_string), the policy's
 * own words do not. */
static const char *
decision_reason (const char *decision)
{
  static const struct {
    const char *words;
    const char *reason;
  } reasons[] = {
    { "(person)", "person" },
    { "(timeout)", "timeout" },
    { "(withdrawn)", "withdrawn" },
    { "(nobody to ask)", "nobody" },
    { "(present at start)", "present" },
    { "(locked)", "locked" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (g_str_has_suffix (decision, reasons[i].words))
      return reasons[i].reason;
  return "policy";
}

void
cg_decision_log_decided (const CgDecisionLogSubject *subject, const char *decision)
{
  g_auto (LogSubject) s = { 0 };
  g_autofree char *what = NULL;
  g_autofree char *message = NULL;
  g_autofree char *uid
      = subject->answered_by_uid ? g_strdup_printf ("%u", subject->answered_uid) : NULL;
  const char *reason = subject->reason != NULL ? subject->reason : decision_reason (decision);

  log_subject_init (&s, subject);
  if (s.rule == NULL)
    s.rule = g_strdup ("default");
  what = describe_request (&s, subject->request);
  message = uid != NULL
                ? g_strdup_printf ("%s: %s by %s (answered by uid %s)", what, decision, s.rule, uid)
                : g_strdup_printf ("%s: %s by %s", what, decision, s.rule);
  cg_log_event (G_LOG_LEVEL_INFO, CG_MESSAGE_ID_DECISION, message, "CARGUARD_TRANSPORT",
                s.transport, "CARGUARD_REQUEST", subject->request, "CARGUARD_DEVICE", s.device,
                "CARGUARD_DEVICE_NAME", s.name, "CARGUARD_VENDOR", s.vendor, "CARGUARD_RULE",
                s.rule, "CARGUARD_DECISION", decision, "CARGUARD_VERDICT",
                decision_verdict (decision), "CARGUARD_REASON", reason, "CARGUARD_ANSWERED_UID",
                uid, "CARGUARD_SERVICE", s.service, "CARGUARD_PROFILE", s.profile, NULL);
}

void
cg_decision_log_enforced (const CgDecisionLogSubject *subject, const char *action,
                          const GError *failed)
{
  g_auto (LogSubject) s = { 0 };
  g_autofree char *error = failed ? cg_sanitize_string (failed->message, CG_LOG_VALUE_MAX) : NULL;
  g_autofree char *message = NULL;

  log_subject_init (&s, subject);
  message = g_strdup_printf ("%s %s%s%s: %s%s%s", transport_label (s.transport), s.who,
                             s.service ? " " : "", s.service ? s.service : "", action,
                             error ? " failed: " : "", error ? error : "");
  cg_log_event (failed ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE, CG_MESSAGE_ID_ENFORCED, message,
                "CARGUARD_TRANSPORT", s.transport, "CARGUARD_DEVICE", s.device,
                "CARGUARD_DEVICE_NAME", s.name, "CARGUARD_VENDOR", s.vendor, "CARGUARD_RULE",
                s.rule, "CARGUARD_ENFORCED", action, "CARGUARD_SERVICE", s.service,
                "CARGUARD_PROFILE", s.profile, "CARGUARD_ERROR", error, NULL);
}
