/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bluetooth profiles a policy can name. The order is the order of display. */
typedef enum {
  CG_PROFILE_A2DP,
  CG_PROFILE_AVRCP,
  CG_PROFILE_HFP,
  CG_PROFILE_HSP,
  CG_PROFILE_PBAP,
  CG_PROFILE_MAP,
  CG_PROFILE_OPP,
  CG_PROFILE_FTP,
  CG_PROFILE_PAN,
  CG_PROFILE_DUN,
  CG_PROFILE_SPP,
  CG_PROFILE_HID,
  CG_PROFILE_SAP,
  CG_PROFILE_SYNC, /* IrMC sync */
  CG_PROFILE_BIP,
  CG_PROFILE_PNP,  /* Device ID record; carries no user data */
  CG_PROFILE_GATT, /* generic LE attributes (GAP/GATT service), not a data profile */
  CG_PROFILE_N,
  CG_PROFILE_UNKNOWN = -1,
} CgProfile;

typedef guint32 CgProfileSet; /* bit (1u << CgProfile) */
#define CG_PROFILE_SET_ALL ((CgProfileSet)((1u << CG_PROFILE_N) - 1))
G_STATIC_ASSERT (CG_PROFILE_N <= 32);

const char *cg_profile_to_name (CgProfile profile);
CgProfile cg_profile_from_name (const char *name); /* case-insensitive; UNKNOWN if none */
/* Maps any UUID BlueZ may pass to AuthorizeService or list in Device1.UUIDs to its
 * profile: service classes, and the protocol-level UUIDs (AVDTP 0x0019 / A2DP 110d,
 * AVCTP 0x0017 / AVRCP 110e, BNEP 000f / PAN, HID 1124, ...). Accepts 16-bit ("110d"),
 * 32-bit and 128-bit base-UUID forms in any case. UNKNOWN for anything else. */
CgProfile cg_profile_from_uuid (const char *uuid);
/* Every UUID that counts as profile (service classes and protocols), lower-case 128-bit,
 * appended to uuids (char *, owned by the array). */
void cg_profile_add_uuids (CgProfile profile, GPtrArray *uuids);
/* Normalises a UUID to lower-case 128-bit form; NULL if malformed. */
char *cg_uuid_normalize (const char *uuid);

G_END_DECLS
