/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cg-dbus-record.h"

G_BEGIN_DECLS

/* A device record of org.carguard.Daemon1 as JSON: { "id", "transport", "device", "name",
 * "usb-id", "vendor", "vendor-name", "decision", "rule", "allowed": [...], "denied": [...],
 * "enforced", "pending" }. */
JsonNode *cli_device_record_to_json (const CgDbusRecord *record);

/* One line for a person: "bluetooth/00:1E:DE:12:34:56  "BYD DiLink"  ask (pending 3)
 * byd.conf:12". The daemon sanitised the strings; they are printed quoted. */
char *cli_device_record_describe (const CgDbusRecord *record);

G_END_DECLS
