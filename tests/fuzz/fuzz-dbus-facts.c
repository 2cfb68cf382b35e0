/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the facts argument of org.carguard.Daemon1.Explain, an a{sv} any
 * local user may send, as serialised GVariant bytes (GDBus hands the method exactly such
 * an untrusted variant). What parses is filled from hwdb and explained, as the daemon's
 * Explain does; what does not must fail with an error and leave nothing behind. */
#include <gio/gio.h>

#include "cg-dbus-facts.h"
#include "fuzz-support.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GVariant) vardict = fuzz_variant_new (data, size, G_VARIANT_TYPE_VARDICT);
  g_auto (CgDbusFacts) facts = { 0 };
  g_auto (CgOrganizations) organizations = { 0 };
  g_autoptr (GError) error = NULL;

  if (!cg_dbus_facts_parse (vardict, &facts, &error)) {
    g_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS));
    g_assert (facts.source == NULL && facts.interface_classes == NULL);
    return 0;
  }
  g_assert_no_error (error);
  cg_hwdb_fill_organizations (fuzz_hwdb (), &facts.facts, &organizations);
  fuzz_explain_facts (fuzz_policy (), &facts.facts);
  return 0;
}
