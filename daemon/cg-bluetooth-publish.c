/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-decide.h"
#include "cg-bluetooth-publish.h"

static const char *
publish_decision (const CgBtOutcome *outcome)
{
  return outcome->block ? "block" : cg_bt_verdict_to_string (outcome->verdict);
}

/* Splits the profiles carguard knows by name into those the grant allows and the rest;
 * nothing is allowed without pairing, whatever the profile list says. */
static void
publish_split_profiles (const CgBtOutcome *outcome, GPtrArray *allowed, GPtrArray *denied)
{
  gboolean pairing_denied = outcome->verdict == CG_BT_VERDICT_DENY || outcome->block;

  for (int p = 0; p < CG_PROFILE_N; p++) {
    gboolean allows = outcome->all_uuids || (outcome->profiles & (1u << p)) != 0;
    g_ptr_array_add (allows && !pairing_denied ? allowed : denied,
                     (gpointer)cg_profile_to_name ((CgProfile)p));
  }
  g_ptr_array_add (allowed, NULL);
  g_ptr_array_add (denied, NULL);
}

void
cg_bluetooth_publish (CgDeviceRegistry *registry, const CgPolicy *policy,
                      const CgBluezDevice *device, const char *answer, guint pending_id,
                      gboolean enforced)
{
  g_autoptr (GPtrArray) allowed = g_ptr_array_new ();
  g_autoptr (GPtrArray) denied = g_ptr_array_new ();
  CgBtRequest pairing = { .kind = CG_BT_REQUEST_PAIRING };
  g_auto (CgBtOutcome) outcome = { 0 };
  CgDeviceReport report;
  CgFacts facts;

  if (registry == NULL || device->address == NULL)
    return;
  cg_bluez_device_get_facts (device, &facts);
  cg_bluetooth_decide (policy, &facts, &pairing, &outcome);
  publish_split_profiles (&outcome, allowed, denied);
  /* The registry sanitises the name; the raw one is what the device sent. */
  report = (CgDeviceReport){
    .transport = "bluetooth",
    .device = device->address,
    .name = device->name != NULL ? device->name : device->alias,
    .vendor = outcome.vendor,
    .decision = answer != NULL ? answer : publish_decision (&outcome),
    .rule = outcome.rule,
    .allowed = (const char *const *)allowed->pdata,
    .denied = (const char *const *)denied->pdata,
    .enforced = enforced,
    .pending_id = pending_id,
  };
  cg_device_registry_publish (registry, &report);
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
