/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CG_DEVICE_ID_SOURCE_NONE,
  CG_DEVICE_ID_SOURCE_BLUETOOTH, /* Bluetooth SIG company identifier */
  CG_DEVICE_ID_SOURCE_USB,       /* USB-IF vendor id */
} CgDeviceIdSource;

typedef struct {
  CgDeviceIdSource source;
  guint16 vendor;
  guint16 product;
  guint16 version;
} CgDeviceId;

/* Parses BlueZ's Modalias ("bluetooth:v001Dp1200d1436", "usb:v1D6Bp0246d0537").
 * Returns FALSE for anything else; never reads past the string. */
gboolean cg_device_id_parse_modalias (const char *modalias, CgDeviceId *out);

/* What kind of address a Bluetooth device uses (Core spec Vol 6 Part B 1.3). Only a
 * public address carries an IEEE OUI; a private one changes at every rotation, so
 * neither an OUI nor an address rule may match it. */
typedef enum {
  CG_BT_ADDRESS_PUBLIC,         /* BR/EDR, or LE public: the default when nothing is known */
  CG_BT_ADDRESS_STATIC,         /* LE random static: stable, chosen by the device, no OUI */
  CG_BT_ADDRESS_RESOLVABLE,     /* LE resolvable private (an IRK resolves it) */
  CG_BT_ADDRESS_NON_RESOLVABLE, /* LE non-resolvable private */
} CgBtAddressType;

/* BlueZ's AddressType ("public", "random") and the address: a random address's type is
 * in its two most significant bits. Anything unknown counts as non-resolvable: it
 * names nobody. */
CgBtAddressType cg_bt_address_type_from_bluez (const char *bluez_type, const guint8 address[6]);
/* "public", "static", "resolvable", "non-resolvable". */
const char *cg_bt_address_type_to_string (CgBtAddressType type);
gboolean cg_bt_address_type_from_string (const char *s, CgBtAddressType *out);
/* Public and static addresses stay with a device, so an address rule may name them. */
gboolean cg_bt_address_type_is_identity (CgBtAddressType type);

/* Everything carguard knows about one device, as the device (hostile) or the
 * system (hwdb) reported it. All strings are borrowed; NULL/FALSE = unknown.
 * The policy library never trusts these to be valid UTF-8 or bounded. */
typedef struct {
  /* Bluetooth */
  const char *bt_address; /* "AA:BB:CC:DD:EE:FF" */
  CgBtAddressType bt_address_type;
  gboolean has_bt_class;
  guint32 bt_class;
  const char *bt_name;
  CgDeviceId bt_device_id;     /* from Modalias */
  const char *bt_organization; /* hwdb: OUI org for the address, else the Device ID vendor */

  /* USB: the device in the host role, or the host (car) in the device role */
  gboolean has_usb_id;
  guint16 usb_vid;
  guint16 usb_pid;
  const char *usb_manufacturer;
  const char *usb_product;
  const char *usb_serial;
  const guint8 *usb_interface_classes;
  gsize n_usb_interface_classes;
  gboolean has_typec_partner_vid;
  guint16 typec_partner_vid;
  const char *usb_organization; /* hwdb: vendor name for usb_vid or the Type-C VID */
} CgFacts;

gboolean cg_facts_has_bluetooth (const CgFacts *facts);
gboolean cg_facts_has_usb (const CgFacts *facts);

/* Class of device: major class 4 (audio/video), minor 8 (car audio) or 2 (hands-free). */
gboolean cg_bt_class_is_car (guint32 cod);
/* "car-audio", "hands-free", "headset", ... or NULL; for explain. */
const char *cg_bt_class_describe (guint32 cod);

/* Parses "AA:BB:CC:DD:EE:FF" (any case) into 6 bytes, most significant first. */
gboolean cg_bt_address_parse (const char *s, guint8 out[6]);

G_END_DECLS
