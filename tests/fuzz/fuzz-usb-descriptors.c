/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a USB device's sysfs `descriptors` attribute, which the device wrote
 * (device descriptor, then configurations with their interfaces). Whatever parses, in
 * full or up to a malformed tail, is judged by the policy as the host guard judges it. */
#include "cg-usb-descriptor.h"
#include "fuzz-support.h"

/* What the host guard reads of the attribute (HOST_DESCRIPTORS_MAX). */
#define FUZZ_DESCRIPTORS_MAX 65536

static void
check_descriptors (const CgUsbDescriptors *descriptors)
{
  g_assert (descriptors->n_interfaces <= CG_USB_DESCRIPTOR_MAX_INTERFACES);
  g_assert (descriptors->n_classes <= descriptors->n_interfaces);
  for (guint i = 0; i < descriptors->n_classes; i++)
    for (guint j = i + 1; j < descriptors->n_classes; j++)
      g_assert (descriptors->classes[i] != descriptors->classes[j]);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree guint8 *attribute = NULL;
  g_autoptr (GError) error = NULL;
  CgUsbDescriptors descriptors;
  gboolean parsed;
  CgFacts facts = { 0 };

  if (size > FUZZ_DESCRIPTORS_MAX)
    return 0;
  attribute = g_memdup2 (data, size);
  parsed = cg_usb_descriptors_parse (attribute, size, &descriptors, &error);
  g_assert (parsed == (error == NULL));
  check_descriptors (&descriptors);
  facts.has_usb_id = descriptors.vid != 0;
  facts.usb_vid = descriptors.vid;
  facts.usb_pid = descriptors.pid;
  facts.usb_interface_classes = descriptors.classes;
  facts.n_usb_interface_classes = descriptors.n_classes;
  fuzz_decide_facts (fuzz_policy (), &facts);
  return 0;
}
