/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the properties of a BlueZ org.bluez.Device1 object (InterfacesAdded,
 * PropertiesChanged, GetAll), an a{sv} whose Name, Alias, Class, Modalias and UUIDs the
 * car chose, as serialised GVariant bytes. The device read from them must be bounded and
 * its display name safe, and it is then decided and explained as the Bluetooth guard
 * does. */
#include <string.h>

#include "cg-bluez-device.h"
#include "cg-profile.h"
#include "fuzz-support.h"

static void
check_device (const CgBluezDevice *device)
{
  guint8 bytes[6];

  g_assert (device->address == NULL || cg_bt_address_parse (device->address, bytes));
  g_assert (device->name == NULL || strlen (device->name) <= CG_BT_NAME_MAX);
  g_assert (device->alias == NULL || strlen (device->alias) <= CG_BT_NAME_MAX);
  g_assert (device->name_display != NULL && strlen (device->name_display) <= CG_BT_NAME_MAX);
  g_assert (g_utf8_validate (device->name_display, -1, NULL));
  for (guint i = 0; device->uuids[i] != NULL; i++) {
    g_autofree char *normal = cg_uuid_normalize (device->uuids[i]);
    g_assert_cmpstr (normal, ==, device->uuids[i]);
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GVariant) properties = fuzz_variant_new (data, size, G_VARIANT_TYPE_VARDICT);
  g_autoptr (CgBluezDevice) device = NULL;
  g_autofree char *described = NULL;
  CgFacts facts;

  device = cg_bluez_device_new_from_properties ("/org/bluez/hci0/dev_00_1E_DE_00_00_01", properties,
                                                fuzz_hwdb ());
  check_device (device);
  described = cg_bluez_device_describe (device);
  g_assert (g_utf8_validate (described, -1, NULL));
  cg_bluez_device_get_facts (device, &facts);
  fuzz_decide_facts (fuzz_policy (), &facts);
  return 0;
}
