/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cg-policy.h"

G_BEGIN_DECLS

/* The audit of a policy: for every Bluetooth profile and for USB data, who may get it
 * (`carguard policy report`, carguardd's Report over D-Bus). One object:
 *   { "profiles": { "pbap": [HOLDER...], ... every profile, in display order },
 *     "other-services": [HOLDER...],  (any UUID outside the named profiles)
 *     "usb": { "data": [HOLDER...], "ask": [HOLDER...] } }
 * A HOLDER is a grant and the place that gives it:
 *   { "kind": "default" | "car-default" | "vendor" | "device",
 *     "rule": "FILE:LINE" | "default",
 *     "vendor": ID, "vendor-name": NAME,      (vendors and devices)
 *     "device": "00:1E:DE:12:34:56",          (devices: the address or serial)
 *     "matched-by": { "BluetoothOUI": 3, ... } (vendors: their [Match] keys, counted)
 *     "pairing": "allow" | "ask",             (profiles: ask = only if a person says yes)
 *     "interfaces": [...] }                   (usb: the classes allowed, or ["all"])
 * A grant that blocks, or denies pairing, gets no profile. Holders are in policy order:
 * the defaults, then vendors by id, each followed by its devices. */
JsonNode *cg_report_to_json (const CgPolicy *policy);

G_END_DECLS
