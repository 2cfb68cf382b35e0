/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz-support.h"

#include "cg-explain.h"

static const char fuzz_main_conf[] = "[Default]\nPreset=charge-only\nUSBMode=ask\n"
                                     "[CarDefault]\nPreset=audio-only\n";

static const char fuzz_vendor_conf[] = "[Vendor]\nName=Fuzz\n"
                                       "[Match]\n"
                                       "BluetoothOUI=00:1E:DE\n"
                                       "DeviceID=bluetooth:v004Cp1200 usb:v1D6B\n"
                                       "USB=1c98 1d6b:0104\n"
                                       "TypeCPartnerVID=2e8a\n"
                                       "Name=\"Head*Unit?\"\n"
                                       "USBManufacturer=\"Alp*\"\n"
                                       "USBProduct=\"*Dock*\"\n"
                                       "Organization=\"*Motor*\"\n"
                                       "Class=car-audio\n"
                                       "USBInterfaceClass=08\n"
                                       "[Policy]\nPreset=audio-only\n"
                                       "[Device]\nBluetoothAddress=00:1E:DE:00:00:01\n"
                                       "Preset=trusted\n"
                                       "[Device]\nUSBSerial=FUZZ-0001\nPreset=block\n";

const CgPolicy *
fuzz_policy (void)
{
  static CgPolicy *policy;

  if (policy == NULL) {
    const char *names[] = { "carguard.conf", "fuzz.conf" };
    const char *texts[] = { fuzz_main_conf, fuzz_vendor_conf };
    g_autoptr (GError) error = NULL;

    policy = cg_policy_load_from_data (names, texts, G_N_ELEMENTS (names), NULL, &error);
    if (policy == NULL)
      g_error ("the fuzzers' policy does not load: %s", error->message);
  }
  return policy;
}

CgHwdb *
fuzz_hwdb (void)
{
  static CgHwdb *hwdb;

  if (hwdb == NULL)
    hwdb = cg_hwdb_new (NULL);
  return hwdb;
}

static void
exercise_decision (const CgPolicy *policy, const CgFacts *facts, CgTransport transport)
{
  g_auto (CgDecision) decision = { 0 };
  g_autofree char *rules = NULL;
  g_autofree char *vendors = NULL;

  cg_policy_decide (policy, facts, transport, &decision);
  rules = cg_decision_format_rules (&decision);
  vendors = cg_decision_format_vendors (&decision);
  g_assert (rules != NULL && g_utf8_validate (rules, -1, NULL));
  g_assert (vendors == NULL || g_utf8_validate (vendors, -1, NULL));
}

void
fuzz_decide_facts (const CgPolicy *policy, const CgFacts *facts)
{
  exercise_decision (policy, facts, CG_TRANSPORT_BLUETOOTH);
  exercise_decision (policy, facts, CG_TRANSPORT_USB);
}

void
fuzz_explain_facts (const CgPolicy *policy, const CgFacts *facts)
{
  g_autoptr (JsonNode) json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json_text = NULL;

  fuzz_decide_facts (policy, facts);
  json = cg_explain_to_json (policy, facts);
  text = cg_explain_to_text (policy, facts);
  json_text = json_to_string (json, FALSE);
  g_assert (g_utf8_validate (text, -1, NULL));
  g_assert (g_utf8_validate (json_text, -1, NULL));
}

GVariant *
fuzz_variant_new (const guint8 *data, size_t size, const GVariantType *type)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);

  return g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));
}
