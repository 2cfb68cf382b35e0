/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-sysfs.h"

G_BEGIN_DECLS

/* What the USB Type-C class (/sys/class/typec) says about the far end of the cable.
 * A partner device exists while something is plugged in, whatever the data role and
 * whether or not a gadget is bound, so on a phone it is the cable signal that works
 * while carguard keeps the gadget unbound. Its identity (Discover Identity, USB PD)
 * is the only thing a phone can learn about a host before data flows. */
typedef struct {
  gboolean has_port;    /* the kernel has a Type-C port class device */
  gboolean has_partner; /* something is plugged into one */
  gboolean has_vid;     /* the partner's USB-IF vendor id is known */
  guint16 vid;          /* id_header bits 15:0 */
} CgTypecState;

#define CG_TYPEC_CLASS_DIR "/sys/class/typec"

/* Reads every port; a partner whose identity is all zero (not yet discovered, or no PD)
 * has no vid. With partners of different vids the vid is unknown: carguard cannot tell
 * which one is the host. */
void cg_typec_read_state (const CgSysfs *sysfs, CgTypecState *out);

/* The vendor id of one identity id_header value ("0x..."): bits 15:0; FALSE if zero. */
gboolean cg_typec_vid_from_id_header (guint32 id_header, guint16 *vid);

G_END_DECLS
