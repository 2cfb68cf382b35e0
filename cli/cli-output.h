/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cg-grant.h"

G_BEGIN_DECLS

/* Prints every diagnostic as "FILE:LINE:COL: error: MESSAGE" (or "warning:") on stderr,
 * sorted; if none is an error, error's message too, if there is one. */
void cli_print_problems (GPtrArray *diagnostics, const GError *error);
/* Prints "carguard: error: MESSAGE" on stderr. */
void cli_print_error (const GError *error);

void cli_print_json (JsonNode *node);

/* { "pairing", "profiles": [...], "usb-mode", "usb-interfaces": [...], "block" } */
JsonNode *cli_grant_to_json (const CgGrant *grant);
/* One line: "pairing=allow profiles=a2dp,avrcp usb=charge-only". */
char *cli_grant_describe (const CgGrant *grant);

G_END_DECLS
