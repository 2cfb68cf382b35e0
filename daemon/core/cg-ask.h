/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-pending.h"

G_BEGIN_DECLS

/* How an `ask` ended. One vocabulary for every guard: the journal's CARGUARD_DECISION
 * and a device record's Decision say the same words for Bluetooth and USB. */
typedef enum {
  CG_ANSWER_ALLOW_ONCE,     /* a person allowed it, for this connection */
  CG_ANSWER_DENY_PERSON,    /* a person refused */
  CG_ANSWER_DENY_TIMEOUT,   /* nobody answered in time */
  CG_ANSWER_DENY_WITHDRAWN, /* the asker took the question back (BlueZ's Cancel) */
  CG_ANSWER_DENY_NOBODY,    /* no one could be asked (no pending table) */
} CgAnswer;

/* "allow once (person)", "deny (person)", "deny (timeout)", "deny (withdrawn)",
 * "deny (nobody to ask)". */
const char *cg_answer_to_string (CgAnswer answer);
gboolean cg_answer_allows (CgAnswer answer);

typedef void (*CgAskFunc) (CgAnswer answer, gpointer user_data);

/* One question a guard asks a person about one device, kept in what asked it (a USB
 * device, a gadget connection, a BlueZ agent call). Zero-initialised means none is open.
 * The question's id lives in CgPending; this only remembers which one is ours. */
typedef struct {
  CgPending *pending; /* a reference while a question is open */
  guint id;           /* 0: none open */
  CgAskFunc func;
  gpointer user_data;
  gint64 answered_uid; /* of the last answer, from its func on; CG_PENDING_NO_UID (or 0
                        * in a zero-initialised CgAsk, read through the getter) */
  gboolean answered_by_uid;
} CgAsk;

/* Asks, withdrawing any question this CgAsk still has open. func gets the answer once,
 * from the main loop, unless the question is withdrawn first. pending NULL: there is
 * nobody to ask; returns FALSE, the answer is CG_ANSWER_DENY_NOBODY and func is not
 * called. */
gboolean cg_ask_raise (CgAsk *ask, CgPending *pending, const CgPendingQuestion *question,
                       CgAskFunc func, gpointer user_data);

/* Takes the question back, if one is open: it leaves the pending table (a late answer
 * finds nothing) and func is not called; the asker says what it does instead. Must be
 * called before the memory holding ask goes. */
void cg_ask_withdraw (CgAsk *ask);

/* The open question's CgPending id, 0 if none. */
guint cg_ask_get_id (const CgAsk *ask);
/* The uid of the person whose answer func was given last (the caller of AllowOnce or of a
 * refusal), or CG_PENDING_NO_UID: for the journal's CARGUARD_ANSWERED_UID. */
gint64 cg_ask_get_answered_uid (const CgAsk *ask);

G_END_DECLS
