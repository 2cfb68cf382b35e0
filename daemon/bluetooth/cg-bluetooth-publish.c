/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-publish.h"

static const char *
publish_decision (const CgBtOutcome *outcome)
{
  return outcome->grant.block ? "block" : cg_bt_verdict_to_string (outcome->verdict);
}

static gboolean
outcome_allows_profile (const CgBtOutcome *outcome, CgProfile profile)
{
  if (outcome->verdict == CG_BT_VERDICT_DENY || outcome->grant.block)
    return FALSE;
  return outcome->grant.all_uuids || (outcome->grant.profiles & (1u << profile)) != 0;
}

static GPtrArray *
outcome_profiles (const CgBtOutcome *outcome, gboolean allowed)
{
  GPtrArray *names = g_ptr_array_new ();

  for (int p = 0; p < CG_PROFILE_N; p++)
    if (outcome_allows_profile (outcome, (CgProfile)p) == allowed)
      g_ptr_array_add (names, (gpointer)cg_profile_to_name ((CgProfile)p));
  g_ptr_array_add (names, NULL);
  return names;
}

GPtrArray *
cg_bt_outcome_allowed_profiles (const CgBtOutcome *outcome)
{
  return outcome_profiles (outcome, TRUE);
}

void
cg_bluetooth_publish (CgDeviceRegistry *registry, const CgBluezDevice *device,
                      const CgBtOutcome *outcome, const char *decision, gboolean enforced)
{
  g_autoptr (GPtrArray) allowed = NULL;
  g_autoptr (GPtrArray) denied = NULL;
  CgDeviceReport report;

  if (registry == NULL || device->address == NULL)
    return;
  allowed = outcome_profiles (outcome, TRUE);
  denied = outcome_profiles (outcome, FALSE);
  /* The registry sanitises the name; the raw one is what the device sent. */
  report = (CgDeviceReport){
    .transport = "bluetooth",
    .device = device->address,
    .name = device->name != NULL ? device->name : device->alias,
    .vendor = outcome->vendor,
    .decision = decision != NULL ? decision : publish_decision (outcome),
    .rule = outcome->rule,
    .allowed = (const char *const *)allowed->pdata,
    .denied = (const char *const *)denied->pdata,
    .enforced = enforced,
  };
  cg_device_registry_publish (registry, &report);
}

void
cg_bluetooth_report_pairing (CgDeviceRegistry *registry, const CgBluezDevice *device,
                             const CgBtOutcome *outcome, const char *decision, gint64 answered_uid)
{
  CgDecisionLogSubject subject = cg_bluetooth_log_subject (device, outcome, "pair", NULL);

  subject.answered_by_uid = answered_uid != CG_PENDING_NO_UID;
  subject.answered_uid = (guint32)answered_uid;
  cg_decision_log_decided (&subject, decision != NULL ? decision
                                                      : cg_bt_verdict_to_string (outcome->verdict));
  cg_bluetooth_publish (registry, device, outcome, decision, TRUE);
}

void
cg_bluetooth_publish_removed (CgDeviceRegistry *registry, const char *object_path)
{
  g_autofree char *base = g_path_get_basename (object_path);

  /* BlueZ names device objects dev_AA_BB_CC_DD_EE_FF. */
  if (registry == NULL || !g_str_has_prefix (base, "dev_") || strlen (base) != 4 + 17)
    return;
  g_strdelimit (base, "_", ':');
  cg_device_registry_remove (registry, "bluetooth", base + 4);
}

CgDecisionLogSubject
cg_bluetooth_log_subject (const CgBluezDevice *device, const CgBtOutcome *outcome,
                          const char *request, const char *uuid)
{
  return (CgDecisionLogSubject){ .transport = "bluetooth",
                                 .device = device->address,
                                 .device_name = device->name_display,
                                 .vendor = outcome->vendor,
                                 .rule = outcome->rule,
                                 .request = request,
                                 .service = uuid };
}
