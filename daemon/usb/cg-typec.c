/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-typec.h"

gboolean
cg_typec_vid_from_id_header (guint32 id_header, guint16 *vid)
{
  *vid = (guint16)(id_header & 0xffff);
  return *vid != 0;
}

static gboolean
typec_is_partner_name (const char *name)
{
  return g_str_has_prefix (name, "port") && g_str_has_suffix (name, "-partner");
}

static gboolean
typec_is_port_name (const char *name)
{
  const char *p = name + 4;

  if (!g_str_has_prefix (name, "port") || *p == '\0')
    return FALSE;
  for (; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
typec_read_partner_vid (const CgSysfs *sysfs, const char *partner, guint16 *vid)
{
  g_autofree char *path
      = g_build_filename (CG_TYPEC_CLASS_DIR, partner, "identity", "id_header", NULL);
  guint64 id_header = 0;

  if (!cg_sysfs_read_hex (sysfs, path, G_MAXUINT32, &id_header, NULL))
    return FALSE;
  return cg_typec_vid_from_id_header ((guint32)id_header, vid);
}

void
cg_typec_read_state (const CgSysfs *sysfs, CgTypecState *out)
{
  g_autoptr (GPtrArray) names = cg_sysfs_list (sysfs, CG_TYPEC_CLASS_DIR);
  gboolean vid_conflict = FALSE;

  *out = (CgTypecState){ 0 };
  for (guint i = 0; i < names->len; i++) {
    const char *name = names->pdata[i];
    guint16 vid;

    if (typec_is_port_name (name))
      out->has_port = TRUE;
    if (!typec_is_partner_name (name))
      continue;
    out->has_partner = TRUE;
    if (!typec_read_partner_vid (sysfs, name, &vid))
      continue;
    if (out->has_vid && out->vid != vid)
      vid_conflict = TRUE;
    out->has_vid = TRUE;
    out->vid = vid;
  }
  if (vid_conflict) {
    out->has_vid = FALSE;
    out->vid = 0;
  }
}
