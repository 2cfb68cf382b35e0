/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-dbus-record.h"

G_BEGIN_DECLS

/* What the notifier tells a person about one Decision of carguardd. */
typedef struct {
  char *summary;     /* plain text; holds no device string */
  char *body;        /* markup: device strings sanitised, then escaped */
  gboolean ask;      /* a question awaiting the person: offer Allow once / Keep blocked */
  guint question_id; /* the question "Keep blocked" denies (Deny) */
} CgNotice;

void cg_notice_clear (CgNotice *notice);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgNotice, cg_notice_clear)

/* record: org.carguard.Daemon1's Decision. A question names the kind of device (the
 * question's Kind, never the device's own words), the name the device chose as its own
 * claim, what a yes grants and what stays behind, the passkey to compare and the
 * question's warning. A refusal says once what stayed on this device. Returns FALSE
 * when there is nothing to bother a person with: a device that got what it asked for,
 * an answer the person gave themself, a device that gave up. */
gboolean cg_notice_from_record (const CgDbusRecord *record, CgNotice *out);

G_END_DECLS
