/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-dbus-record.h"

G_BEGIN_DECLS

/* What the notifier tells a person about one Decision of carguardd. */
typedef struct {
  char *summary; /* plain text; holds no device string */
  char *body;    /* markup: device strings sanitised, then escaped */
  gboolean ask;  /* a question awaiting the person: offer Allow once / Keep blocked */
  guint pending_id;
} CgNotice;

void cg_notice_clear (CgNotice *notice);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgNotice, cg_notice_clear)

/* record: org.carguard.Daemon1's Decision. Returns FALSE when the decision is nothing
 * to bother a person with (a device that got what it asked for). */
gboolean cg_notice_from_record (const CgDbusRecord *record, CgNotice *out);

G_END_DECLS
