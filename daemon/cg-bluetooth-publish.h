/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cg-bluez-device.h"
#include "cg-device-registry.h"
#include "cg-policy.h"

G_BEGIN_DECLS

/* Publishes what the policy says of one Bluetooth device as a whole (its pairing
 * decision, rule, vendor, allowed and denied profiles) into the registry, as
 * "bluetooth/ADDRESS". answer, if not NULL, is a person's answer to an `ask` and replaces
 * the policy's decision; pending_id, if not 0, is the CgPending question the device
 * awaits. A device without a well-formed address is not published. */
void cg_bluetooth_publish (CgDeviceRegistry *registry, const CgPolicy *policy,
                           const CgBluezDevice *device, const char *answer, guint pending_id,
                           gboolean enforced);

/* The device object at object_path is gone: so is its record. */
void cg_bluetooth_publish_removed (CgDeviceRegistry *registry, const char *object_path);

G_END_DECLS
