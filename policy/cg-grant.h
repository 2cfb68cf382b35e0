/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "cg-profile.h"

G_BEGIN_DECLS

/* Ordered from least to most permissive: combining two grants takes the minimum. */
typedef enum {
  CG_PAIRING_DENY,
  CG_PAIRING_ASK,
  CG_PAIRING_ALLOW,
} CgPairing;

typedef enum {
  CG_USB_MODE_CHARGE_ONLY,
  CG_USB_MODE_ASK,
  CG_USB_MODE_DATA,
} CgUsbMode;

/* What a new USB peer gets while every session is locked (GrapheneOS' "charging-only
 * when locked"): charge-only until a person unlocks, then it is judged; or what the
 * policy grants it at once. */
typedef enum {
  CG_USB_LOCKED_CHARGE_ONLY,
  CG_USB_LOCKED_DATA,
} CgUsbWhileLocked;

typedef enum {
  CG_PRESET_NONE,
  CG_PRESET_TRUSTED,
  CG_PRESET_AUDIO_ONLY,
  CG_PRESET_CHARGE_ONLY,
  CG_PRESET_BLOCK,
} CgPreset;

/* What a device gets. A value type: copy it freely. */
typedef struct {
  CgPairing pairing;
  CgProfileSet profiles; /* named profiles allowed */
  gboolean all_uuids;    /* any UUID, named or not (trusted) */
  GStrv extra_uuids;     /* allowed UUIDs outside the named profiles, normalised; may be NULL */
  CgUsbMode usb_mode;
  guint32 usb_interfaces[8];         /* host role: allowed interface classes, bit per class 0..255;
                                      * all zero = every interface when usb_mode is data */
  gboolean block;                    /* also mark the device Blocked in BlueZ */
  CgUsbWhileLocked usb_while_locked; /* charge-only for every preset */
} CgGrant;

void cg_grant_init_preset (CgGrant *grant, CgPreset preset);
void cg_grant_copy (CgGrant *dest, const CgGrant *src);
void cg_grant_clear (CgGrant *grant);
/* dest = the most restrictive of dest and other, field by field. */
void cg_grant_restrict (CgGrant *dest, const CgGrant *other);
gboolean cg_grant_allows_uuid (const CgGrant *grant, const char *uuid);
gboolean cg_grant_allows_usb_interface (const CgGrant *grant, guint8 iface_class);
/* The interface classes an USBInterfaces= allowlist names, by their FORMAT.md names (hex
 * for unnamed classes); "all" alone without an allowlist. */
GPtrArray *cg_grant_usb_interface_names (const CgGrant *grant);

const char *cg_pairing_to_string (CgPairing p);
const char *cg_usb_mode_to_string (CgUsbMode m);
const char *cg_usb_while_locked_to_string (CgUsbWhileLocked w);
const char *cg_preset_to_string (CgPreset p);
gboolean cg_preset_from_string (const char *s, CgPreset *out);

G_END_DECLS
