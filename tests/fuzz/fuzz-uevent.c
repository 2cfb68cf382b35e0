/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: one datagram from the kernel's uevent socket, as the USB guards'
 * monitor receives it (at most 8 KiB, NUL-terminated past its end). The parser must
 * never read past the datagram and hand on only a header and fields it found in it. */
#include <string.h>

#include "cg-usb-uevent.h"
#include "fuzz-support.h"

/* The monitor's receive buffer (CG_UEVENT_MAX in cg-usb-uevent.c). */
#define FUZZ_UEVENT_MAX 8192

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *datagram = NULL;
  g_autoptr (GHashTable) fields = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (size == 0 || size > FUZZ_UEVENT_MAX)
    return 0;
  /* Exactly the datagram's bytes, so ASan sees a read past them; the monitor's own
   * terminator is left out on purpose. */
  datagram = g_memdup2 (data, size);
  fields = cg_usb_uevent_parse (datagram, size);
  if (fields == NULL)
    return 0;
  g_assert (memchr (datagram, '@', strnlen (datagram, size)) != NULL);
  g_assert (g_hash_table_lookup (fields, "ACTION") != NULL);
  g_assert (g_hash_table_lookup (fields, "DEVPATH") != NULL);
  g_hash_table_iter_init (&iter, fields);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    /* Every field is KEY=VALUE from the datagram: both fit in it, with the '='. */
    g_assert (strlen (key) + 1 + strlen (value) < size);
    g_assert (strchr (key, '=') == NULL);
  }
  return 0;
}
