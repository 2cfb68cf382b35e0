/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "cg-policy.h"

G_BEGIN_DECLS

/* The explanation of one device's decisions, for `carguard policy explain`, the
 * daemon's logs and its D-Bus Explain method. One object:
 *   { "facts": {...every fact given, with hwdb organisation names...},
 *     "bluetooth": { "pairing": "allow", "profiles": { "allowed": [...], "denied": [...] },
 *                    "uuids": [...], "block": false, "level": "class",
 *                    "rule": "/usr/lib/carguard/carguard.conf:9", "rules": [...],
 *                    "warnings": [...] },
 *     "usb": { "mode": "charge-only", "while-locked": "charge-only", "interfaces": [...],
 *              "level": ..., "rule": ..., "warnings": [...] },
 *     "rule": "file:line" | "default" }
 * The top-level "rule" is the Bluetooth rule when Bluetooth facts were given, else
 * the USB one. "warnings" holds one text when what a transport opens (USB data, a
 * pairing) rests only on what the device says of itself: a serial, a USB id, a name, a
 * Device ID, a class. Device strings are escaped by JSON, never interpreted. */
JsonNode *cg_explain_to_json (const CgPolicy *policy, const CgFacts *facts);

/* The same, as text for a person; device strings are sanitised (no control chars,
 * invalid UTF-8 replaced) before printing. */
char *cg_explain_to_text (const CgPolicy *policy, const CgFacts *facts);
/* That text from an explanation's JSON, wherever it was made (carguardd's Explain over
 * D-Bus): every string is sanitised before it is printed. */
char *cg_explain_json_to_text (JsonNode *explanation);

G_END_DECLS
