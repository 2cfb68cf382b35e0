/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-usb-descriptor.h"

#define USB_DT_DEVICE 0x01
#define USB_DT_CONFIG 0x02
#define USB_DT_INTERFACE 0x04
#define USB_DT_DEVICE_SIZE 18
#define USB_DT_CONFIG_SIZE 9
#define USB_DT_INTERFACE_SIZE 9

/* The quark's name is one token, not an expression clang-format may space out. */
/* clang-format off */
G_DEFINE_QUARK (cg-usb-descriptor-error-quark, cg_usb_descriptor_error)
/* clang-format on */

static guint16
descriptor_le16 (const guint8 *p)
{
  return (guint16)(p[0] | (p[1] << 8));
}

static void
descriptors_add_class (CgUsbDescriptors *out, guint8 interface_class)
{
  for (guint i = 0; i < out->n_classes; i++)
    if (out->classes[i] == interface_class)
      return;
  out->classes[out->n_classes++] = interface_class;
}

static void
descriptors_add_interface (CgUsbDescriptors *out, const guint8 *d)
{
  CgUsbInterfaceDescriptor *iface;

  if (out->n_interfaces >= CG_USB_DESCRIPTOR_MAX_INTERFACES)
    return;
  iface = &out->interfaces[out->n_interfaces++];
  iface->number = d[2];
  iface->alternate = d[3];
  iface->interface_class = d[5];
  iface->interface_subclass = d[6];
  iface->interface_protocol = d[7];
  descriptors_add_class (out, iface->interface_class);
}

/* One configuration: [at, at + total) where total is its wTotalLength, cut to what is
 * there (the kernel stores what the device sent, which may be short). */
static gboolean
descriptors_parse_config (const guint8 *data, gsize len, CgUsbDescriptors *out, GError **error)
{
  gsize at = 0;

  while (at < len) {
    gsize remaining = len - at;
    guint8 length = data[at];

    if (length < 2 || length > remaining) {
      g_set_error (error, CG_USB_DESCRIPTOR_ERROR, CG_USB_DESCRIPTOR_ERROR_INVALID,
                   "descriptor at offset %" G_GSIZE_FORMAT " has length %u with %" G_GSIZE_FORMAT
                   " bytes left",
                   at, length, remaining);
      return FALSE;
    }
    if (data[at + 1] == USB_DT_INTERFACE && length >= USB_DT_INTERFACE_SIZE)
      descriptors_add_interface (out, data + at);
    at += length;
  }
  return TRUE;
}

gboolean
cg_usb_descriptors_parse (const guint8 *data, gsize len, CgUsbDescriptors *out, GError **error)
{
  gsize at;

  memset (out, 0, sizeof *out);
  if (data == NULL || len < USB_DT_DEVICE_SIZE || data[0] != USB_DT_DEVICE_SIZE
      || data[1] != USB_DT_DEVICE) {
    g_set_error_literal (error, CG_USB_DESCRIPTOR_ERROR, CG_USB_DESCRIPTOR_ERROR_INVALID,
                         "no device descriptor");
    return FALSE;
  }
  out->has_device = TRUE;
  out->device_class = data[4];
  out->vid = descriptor_le16 (data + 8);
  out->pid = descriptor_le16 (data + 10);
  at = USB_DT_DEVICE_SIZE;
  while (at < len) {
    gsize remaining = len - at;
    gsize total;

    if (remaining < USB_DT_CONFIG_SIZE || data[at] < USB_DT_CONFIG_SIZE
        || data[at + 1] != USB_DT_CONFIG) {
      g_set_error (error, CG_USB_DESCRIPTOR_ERROR, CG_USB_DESCRIPTOR_ERROR_INVALID,
                   "no configuration descriptor at offset %" G_GSIZE_FORMAT, at);
      return FALSE;
    }
    total = descriptor_le16 (data + at + 2);
    if (total < data[at])
      total = data[at];
    total = MIN (total, remaining);
    if (!descriptors_parse_config (data + at, total, out, error))
      return FALSE;
    at += total;
  }
  return TRUE;
}
