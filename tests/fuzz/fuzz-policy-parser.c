/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the input is a vendor file, a NUL byte, then a carguard.conf.
 * Both go through the whole loader; whatever loads is then asked to decide and explain
 * for a device whose strings come from the same bytes. Nothing may crash or leak. */
#include <string.h>

#include "cg-document.h"
#include "cg-report.h"
#include "fuzz-support.h"

static void
exercise_policy (const CgPolicy *policy, const char *hostile)
{
  const guint8 classes[] = { 0x01, 0x08, 0xff };
  const CgFacts facts = {
    .bt_address = hostile,
    .has_bt_class = TRUE,
    .bt_class = 0x200420,
    .bt_name = hostile,
    .bt_device_id = { CG_DEVICE_ID_SOURCE_BLUETOOTH, 0x004b, 0x0001, 0 },
    .bt_organization = hostile,
    .has_usb_id = TRUE,
    .usb_vid = 0x1d6b,
    .usb_pid = 0x0104,
    .usb_manufacturer = hostile,
    .usb_product = hostile,
    .usb_serial = hostile,
    .usb_interface_classes = classes,
    .n_usb_interface_classes = G_N_ELEMENTS (classes),
    .usb_organization = hostile,
  };
  g_autoptr (JsonNode) report = cg_report_to_json (policy);
  g_autofree char *report_text = json_to_string (report, FALSE);

  fuzz_explain_facts (policy, &facts);
  g_assert (g_utf8_validate (report_text, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *input = g_strndup ((const char *)data, size); /* cut at the first NUL */
  const char *nul = memchr (data, '\0', size);
  g_autofree char *main_text
      = nul != NULL ? g_strndup (nul + 1, size - (nul + 1 - (const char *)data)) : g_strdup ("");
  const char *names[] = { "fuzz.conf", "carguard.conf" };
  const char *texts[] = { input, main_text };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (CgDocument) doc = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (GError) error = NULL;

  /* The raw bytes, NULs included, through the document parser and serialiser. */
  doc = cg_document_parse ("raw.conf", (const char *)data, size, diagnostics);
  if (doc != NULL) {
    g_autofree char *round_trip = cg_document_to_data (doc, NULL);
    g_assert (round_trip != NULL);
  }
  policy = cg_policy_load_from_data (names, texts, 2, diagnostics, &error);
  g_assert ((policy == NULL) == (error != NULL));
  if (policy != NULL)
    exercise_policy (policy, input);
  return 0;
}
