/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-profile.h"

#include <string.h>

#include "cg-schema-private.h"

static const char *const profile_names[CG_PROFILE_N] = {
  [CG_PROFILE_A2DP] = "a2dp", [CG_PROFILE_AVRCP] = "avrcp", [CG_PROFILE_HFP] = "hfp",
  [CG_PROFILE_HSP] = "hsp",   [CG_PROFILE_PBAP] = "pbap",   [CG_PROFILE_MAP] = "map",
  [CG_PROFILE_OPP] = "opp",   [CG_PROFILE_FTP] = "ftp",     [CG_PROFILE_PAN] = "pan",
  [CG_PROFILE_DUN] = "dun",   [CG_PROFILE_SPP] = "spp",     [CG_PROFILE_HID] = "hid",
  [CG_PROFILE_SAP] = "sap",   [CG_PROFILE_SYNC] = "sync",   [CG_PROFILE_BIP] = "bip",
  [CG_PROFILE_PNP] = "pnp",   [CG_PROFILE_GATT] = "gatt",
};

/* 16-bit UUIDs as BlueZ hands them to AuthorizeService or lists in Device1.UUIDs.
 * BlueZ authorizes some services by their protocol or by the UUID its profile
 * registered, not by the service class, hence the protocol entries. */
static const struct {
  guint16 uuid16;
  CgProfile profile;
} uuid_profiles[] = {
  { 0x0019, CG_PROFILE_A2DP },  /* AVDTP */
  { 0x110a, CG_PROFILE_A2DP },  /* audio source */
  { 0x110b, CG_PROFILE_A2DP },  /* audio sink */
  { 0x110d, CG_PROFILE_A2DP },  /* advanced audio distribution */
  { 0x0017, CG_PROFILE_AVRCP }, /* AVCTP */
  { 0x110c, CG_PROFILE_AVRCP }, /* remote control target */
  { 0x110e, CG_PROFILE_AVRCP }, /* remote control */
  { 0x110f, CG_PROFILE_AVRCP }, /* remote control controller */
  { 0x111e, CG_PROFILE_HFP },   /* hands-free unit */
  { 0x111f, CG_PROFILE_HFP },   /* hands-free audio gateway */
  { 0x1108, CG_PROFILE_HSP },   /* headset */
  { 0x1112, CG_PROFILE_HSP },   /* headset audio gateway */
  { 0x1131, CG_PROFILE_HSP },   /* headset HS */
  { 0x112e, CG_PROFILE_PBAP },  /* phonebook client */
  { 0x112f, CG_PROFILE_PBAP },  /* phonebook server */
  { 0x1130, CG_PROFILE_PBAP },  /* phonebook access */
  { 0x1132, CG_PROFILE_MAP },   /* message access server */
  { 0x1133, CG_PROFILE_MAP },   /* message notification server */
  { 0x1134, CG_PROFILE_MAP },   /* message access profile */
  { 0x1105, CG_PROFILE_OPP },   /* OBEX object push */
  { 0x1106, CG_PROFILE_FTP },   /* OBEX file transfer */
  { 0x000f, CG_PROFILE_PAN },   /* BNEP */
  { 0x1115, CG_PROFILE_PAN },   /* PANU */
  { 0x1116, CG_PROFILE_PAN },   /* NAP */
  { 0x1117, CG_PROFILE_PAN },   /* GN */
  { 0x1103, CG_PROFILE_DUN },   /* dial-up networking */
  { 0x1101, CG_PROFILE_SPP },   /* serial port */
  { 0x1124, CG_PROFILE_HID },   /* human interface device */
  { 0x1812, CG_PROFILE_HID },   /* HID over GATT */
  { 0x112d, CG_PROFILE_SAP },   /* SIM access */
  { 0x1104, CG_PROFILE_SYNC },  /* IrMC sync */
  { 0x111a, CG_PROFILE_BIP },   /* imaging */
  { 0x111b, CG_PROFILE_BIP },   /* imaging responder */
  { 0x111c, CG_PROFILE_BIP },   /* imaging automatic archive */
  { 0x1200, CG_PROFILE_PNP },   /* PnP information (Device ID) */
  { 0x1800, CG_PROFILE_GATT },  /* generic access */
  { 0x1801, CG_PROFILE_GATT },  /* generic attribute */
};

#define BASE_UUID_TAIL "-0000-1000-8000-00805f9b34fb"

const char *
cg_profile_to_name (CgProfile profile)
{
  if (profile < 0 || profile >= CG_PROFILE_N)
    return "unknown";
  return profile_names[profile];
}

CgProfile
cg_profile_from_name (const char *name)
{
  if (name == NULL)
    return CG_PROFILE_UNKNOWN;
  for (int i = 0; i < CG_PROFILE_N; i++)
    if (g_ascii_strcasecmp (profile_names[i], name) == 0)
      return (CgProfile)i;
  return CG_PROFILE_UNKNOWN;
}

static gboolean
is_hex_run (const char *s, gsize n)
{
  guint32 ignored;
  return cg_parse_hex_exact (s, n, &ignored);
}

static char *
lower_concat (const char *a, const char *b, const char *c)
{
  g_autofree char *joined = g_strconcat (a, b, c, NULL);
  return g_ascii_strdown (joined, -1);
}

char *
cg_uuid_normalize (const char *uuid)
{
  static const gsize dash_at[] = { 8, 13, 18, 23 };
  gsize len;

  if (uuid == NULL)
    return NULL;
  if (g_str_has_prefix (uuid, "0x") || g_str_has_prefix (uuid, "0X"))
    uuid += 2;
  len = strnlen (uuid, 37);
  if (len == 4 && is_hex_run (uuid, 4))
    return lower_concat ("0000", uuid, BASE_UUID_TAIL);
  if (len == 8 && is_hex_run (uuid, 8))
    return lower_concat ("", uuid, BASE_UUID_TAIL);
  if (len != 36)
    return NULL;
  for (gsize i = 0, d = 0; i < 36; i++) {
    if (d < G_N_ELEMENTS (dash_at) && i == dash_at[d]) {
      if (uuid[i] != '-')
        return NULL;
      d++;
    } else if (!g_ascii_isxdigit (uuid[i])) {
      return NULL;
    }
  }
  return g_ascii_strdown (uuid, 36);
}

CgProfile
cg_profile_from_uuid (const char *uuid)
{
  g_autofree char *normal = cg_uuid_normalize (uuid);
  guint32 value;

  if (normal == NULL || strcmp (normal + 8, BASE_UUID_TAIL) != 0
      || !cg_parse_hex_exact (normal, 8, &value) || value > 0xffff)
    return CG_PROFILE_UNKNOWN;
  for (gsize i = 0; i < G_N_ELEMENTS (uuid_profiles); i++)
    if (uuid_profiles[i].uuid16 == value)
      return uuid_profiles[i].profile;
  return CG_PROFILE_UNKNOWN;
}

void
cg_profile_add_uuids (CgProfile profile, GPtrArray *uuids)
{
  for (gsize i = 0; i < G_N_ELEMENTS (uuid_profiles); i++)
    if (uuid_profiles[i].profile == profile)
      g_ptr_array_add (uuids, g_strdup_printf ("%08x" BASE_UUID_TAIL, uuid_profiles[i].uuid16));
}
