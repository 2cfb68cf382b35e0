/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-notice.h"

G_BEGIN_DECLS

/* How many notices reach a person. A car that asks again and again, or a nearby device
 * that asks from a new random address each time, must not bury the desktop in bubbles:
 *
 * - the same text for the same device is shown once per interval;
 * - a device gets one question per interval, unless the person allowed its last one;
 *   a question whose bubble is still open is updated in place instead;
 * - after "Keep blocked" the device is not shown at all for an interval;
 * - at most `burst` devices get a new bubble per interval; the ones held back beyond
 *   that are counted for one notice that says so (cg_notice_limit_flood_due).
 *
 * What is held back is not answered: carguardd's question times out to deny. Times are
 * g_get_monotonic_time () microseconds, passed in, so the rules are plain arithmetic. */
typedef struct _CgNoticeLimit CgNoticeLimit;

typedef enum {
  CG_NOTICE_LIMIT_SHOW,   /* show it (a new bubble, or in place of the device's open one) */
  CG_NOTICE_LIMIT_REPEAT, /* already shown: nothing new */
  CG_NOTICE_LIMIT_HOLD,   /* over the device's or everyone's allowance: not shown */
} CgNoticeLimitVerdict;

CgNoticeLimit *cg_notice_limit_new (gint64 interval_us, guint burst);
void cg_notice_limit_free (CgNoticeLimit *limit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgNoticeLimit, cg_notice_limit_free)

/* Decides one notice for device (a record's Id) and, on SHOW, remembers it as shown.
 * question_open: the device's question bubble is still on screen. */
CgNoticeLimitVerdict cg_notice_limit_admit (CgNoticeLimit *limit, const char *device,
                                            const CgNotice *notice, gboolean question_open,
                                            gint64 now);

/* The person answered the device's question: "Allow once" lets its next question
 * through, "Keep blocked" quiets the device for an interval. */
void cg_notice_limit_answered (CgNoticeLimit *limit, const char *device, gboolean allowed,
                               gint64 now);

/* TRUE when the notice about held-back devices is due (at most once per interval, and
 * only when some were held since the last one); held: how many devices since then.
 * FALSE: wait_us is how long until it is due, or -1 when nothing was held. */
gboolean cg_notice_limit_flood_due (CgNoticeLimit *limit, gint64 now, guint *held, gint64 *wait_us);

G_END_DECLS
