/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a device record (ListDevices, the Decision signal) as the CLI and the
 * notifier decode it: an a{sv} from the bus, as serialised GVariant bytes. A client must
 * read any record, of an older, newer or lying sender, and what it read must encode
 * and decode to the same record. */
#include <string.h>

#include "cg-dbus-record.h"
#include "fuzz-support.h"

static void
assert_records_equal (const CgDbusRecord *a, const CgDbusRecord *b)
{
  const char *const as[] = { a->id,     a->transport,   a->device,   a->name, a->usb_id,
                             a->vendor, a->vendor_name, a->decision, a->rule };
  const char *const bs[] = { b->id,     b->transport,   b->device,   b->name, b->usb_id,
                             b->vendor, b->vendor_name, b->decision, b->rule };

  for (gsize i = 0; i < G_N_ELEMENTS (as); i++)
    g_assert_cmpstr (as[i], ==, bs[i]);
  g_assert (g_strv_equal (a->allowed, b->allowed));
  g_assert (g_strv_equal (a->denied, b->denied));
  g_assert (a->enforced == b->enforced);
  g_assert (a->pending == b->pending);
  g_assert (a->question.id == b->question.id);
  if (a->question.id == 0)
    return;
  g_assert_cmpstr (a->question.asks, ==, b->question.asks);
  g_assert_cmpstr (a->question.kind, ==, b->question.kind);
  g_assert_cmpstr (a->question.grants, ==, b->question.grants);
  g_assert_cmpstr (a->question.warning, ==, b->question.warning);
  g_assert (a->question.has_passkey == b->question.has_passkey);
  g_assert (!a->question.has_passkey || a->question.passkey == b->question.passkey);
  g_assert (a->question.seconds_left == b->question.seconds_left);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GVariant) variant = fuzz_variant_new (data, size, G_VARIANT_TYPE_VARDICT);
  g_auto (CgDbusRecord) record = { 0 };
  g_auto (CgDbusRecord) again = { 0 };

  cg_dbus_record_from_variant (variant, &record);
  g_assert (record.id != NULL && record.rule != NULL && record.allowed != NULL);
  cg_dbus_record_from_variant (cg_dbus_record_to_variant (&record), &again);
  assert_records_equal (&record, &again);
  return 0;
}
