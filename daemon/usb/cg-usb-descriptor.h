/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The sysfs `descriptors` attribute of a USB device, as the device sent it: the
 * device descriptor, then each configuration with its interface and endpoint
 * descriptors. It is readable while the device is unauthorized, so the host guard can
 * judge interface classes before any driver sees the device. Hostile input: every
 * length is checked against what is left, and nothing is read out of bounds. */

#define CG_USB_DESCRIPTOR_ERROR (cg_usb_descriptor_error_quark ())
GQuark cg_usb_descriptor_error_quark (void);

typedef enum {
  CG_USB_DESCRIPTOR_ERROR_INVALID,
} CgUsbDescriptorError;

/* The most interfaces kept; a real device has a handful. */
#define CG_USB_DESCRIPTOR_MAX_INTERFACES 64

typedef struct {
  guint8 number;
  guint8 alternate;
  guint8 interface_class;
  guint8 interface_subclass;
  guint8 interface_protocol;
} CgUsbInterfaceDescriptor;

typedef struct {
  gboolean has_device; /* a valid device descriptor: vid, pid and device_class are its */
  guint16 vid;
  guint16 pid;
  guint8 device_class;
  guint n_interfaces;
  CgUsbInterfaceDescriptor interfaces[CG_USB_DESCRIPTOR_MAX_INTERFACES];
  /* Distinct interface classes in order of appearance, for CgFacts. */
  guint n_classes;
  guint8 classes[CG_USB_DESCRIPTOR_MAX_INTERFACES];
} CgUsbDescriptors;

/* Fails with CG_USB_DESCRIPTOR_ERROR_INVALID on a malformed device descriptor or a
 * descriptor whose length is zero or runs past the end. */
gboolean cg_usb_descriptors_parse (const guint8 *data, gsize len, CgUsbDescriptors *out,
                                   GError **error);

G_END_DECLS
