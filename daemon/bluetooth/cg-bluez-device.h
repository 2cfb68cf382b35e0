/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-facts.h"
#include "cg-hwdb.h"

G_BEGIN_DECLS

#define CG_BLUEZ_SERVICE "org.bluez"
#define CG_BLUEZ_DEVICE_INTERFACE "org.bluez.Device1"
#define CG_BLUEZ_ADAPTER_INTERFACE "org.bluez.Adapter1"

/* The longest name Bluetooth carries (the Local Name field, Core spec Vol 3 Part C). */
#define CG_BT_NAME_MAX 248

/* What BlueZ's Device1 reports about one device, copied out of a proxy's property cache.
 * Everything the car controls (names, modalias, UUIDs) is bounded; the *_display copies
 * are sanitised for logs, D-Bus and notifications. */
typedef struct {
  char *object_path;
  char *adapter_path;
  char *address;                /* NULL unless it parsed as AA:BB:CC:DD:EE:FF */
  char *address_type;           /* BlueZ's: "public" or "random", as given */
  CgBtAddressType address_kind; /* what the address names: public, static, private */
  gboolean has_class;
  guint32 bt_class;
  char *name;  /* raw, at most CG_BT_NAME_MAX bytes: matched by the policy */
  char *alias; /* raw, bounded */
  char *name_display;
  char *icon;
  char *modalias;
  CgDeviceId device_id;
  GStrv uuids; /* normalised, malformed ones dropped */
  gboolean paired;
  gboolean bonded;
  gboolean trusted;
  gboolean blocked;
  gboolean connected;
  gboolean services_resolved;
  CgOrganizations organizations;
} CgBluezDevice;

/* Reads the cached properties of an org.bluez.Device1 proxy; hwdb may be NULL. */
CgBluezDevice *cg_bluez_device_new_from_proxy (GDBusProxy *proxy, CgHwdb *hwdb);
/* The same from an a{sv} of Device1 properties (InterfacesAdded, GetAll, tests). */
CgBluezDevice *cg_bluez_device_new_from_properties (const char *object_path, GVariant *properties,
                                                    CgHwdb *hwdb);
CgBluezDevice *cg_bluez_device_copy (const CgBluezDevice *device);
void cg_bluez_device_free (CgBluezDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgBluezDevice, cg_bluez_device_free)

/* Facts that borrow from device; valid as long as device is. */
void cg_bluez_device_get_facts (const CgBluezDevice *device, CgFacts *facts);
/* What kind of device it says it is, for the words a person reads: "car", "headset",
 * "audio", "keyboard", "mouse", "input", "phone", "computer", or NULL; from its class of
 * device, which is its own choice. */
const char *cg_bluez_device_kind (const CgBluezDevice *device);
/* The Address of the adapter object at adapter_path, upper case, or NULL. */
char *cg_bluez_adapter_address (GDBusObjectManager *objects, const char *adapter_path);

/* "AA:BB:… (Name)" for messages; sanitised. */
char *cg_bluez_device_describe (const CgBluezDevice *device);

/* A copy of a device string cut to at most max_bytes without splitting a UTF-8 sequence
 * that was valid; NULL stays NULL. */
char *cg_bluez_bound_string (const char *s, gsize max_bytes);

G_END_DECLS
