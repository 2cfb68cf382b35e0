/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Decisions the policy leaves to a person (`ask`). Each has an id, the device, what is
 * asked and a deadline; it is resolved by an answer or, at the deadline, by deny. A
 * notifier lists them and answers; without one every ask times out to deny. */
#define CG_TYPE_PENDING (cg_pending_get_type ())
G_DECLARE_FINAL_TYPE (CgPending, cg_pending, CG, PENDING, GObject)

/* Shorter than BlueZ's 60 s agent request timeout, so the answer still reaches BlueZ. */
#define CG_PENDING_DEFAULT_TIMEOUT_MS 30000

#define CG_PENDING_ERROR (cg_pending_error_quark ())
GQuark cg_pending_error_quark (void);

typedef enum {
  CG_PENDING_ERROR_NOT_FOUND, /* no such id: never added, or already resolved */
} CgPendingError;

typedef enum {
  CG_PENDING_ANSWER_DENY,
  CG_PENDING_ANSWER_ALLOW,
} CgPendingAnswer;

typedef enum {
  CG_PENDING_BY_PERSON,  /* cg_pending_resolve */
  CG_PENDING_BY_TIMEOUT, /* the deadline passed: deny */
  CG_PENDING_BY_CANCEL,  /* the asker withdrew the question (BlueZ's Cancel): deny */
} CgPendingReason;

/* What is asked of a person, about which device. Strings are borrowed for the call. */
typedef struct {
  const char *transport;   /* "bluetooth", "usb" */
  const char *device;      /* as the device registry names it: address, sysfs or UDC name */
  const char *device_name; /* what a person recognises, or NULL */
  const char *question;    /* "pair", "data" */
  const char *grants;      /* what a yes grants ("a2dp avrcp hfp", "data"), or NULL */
  const char *kind;        /* what the device is, for the words a person reads: "car",
                            * "keyboard", "headset", "phone", "computer", "usb-host",
                            * "usb-device", ...; NULL if unknown */
  gboolean has_passkey;    /* numeric comparison: the number both screens must show */
  guint32 passkey;
  const char *warning; /* what a person must know before saying yes ("already paired
                        * as ..."), or NULL */
} CgPendingQuestion;

/* One pending decision. Strings are sanitised copies, fit for D-Bus and notifications. */
typedef struct {
  guint id;
  char *transport;
  char *device;
  char *device_name; /* may be NULL */
  char *question;
  char *grants; /* may be NULL */
  char *kind;   /* may be NULL */
  gboolean has_passkey;
  guint32 passkey;
  char *warning;   /* may be NULL */
  gint64 deadline; /* g_get_monotonic_time () units */
} CgPendingDecision;

CgPendingDecision *cg_pending_decision_copy (const CgPendingDecision *decision);
void cg_pending_decision_free (CgPendingDecision *decision);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgPendingDecision, cg_pending_decision_free)

/* Who answered: a person's uid (the D-Bus caller of AllowOnce or of a refusal), for the
 * journal; CG_PENDING_NO_UID when no person did (timeout, withdrawal) or it is not known. */
#define CG_PENDING_NO_UID ((gint64)-1)

/* Called once per decision, after it has left the table and before "resolved". */
typedef void (*CgPendingFunc) (guint id, CgPendingAnswer answer, CgPendingReason reason,
                               gint64 answered_uid, gpointer user_data);

/* timeout_ms 0 = CG_PENDING_DEFAULT_TIMEOUT_MS. */
CgPending *cg_pending_new (guint timeout_ms);

/* Adds a decision; returns its id (never 0). Emits "added" (guint id). Guards ask through
 * CgAsk (cg-ask.h), which gives the answer in the one vocabulary. */
guint cg_pending_add (CgPending *pending, const CgPendingQuestion *question, CgPendingFunc func,
                      gpointer user_data, GDestroyNotify destroy);

/* A person's answer. Emits "resolved" (guint id, CgPendingAnswer, CgPendingReason). */
gboolean cg_pending_resolve (CgPending *pending, guint id, CgPendingAnswer answer, GError **error);
/* The same, saying who answered (a uid, or CG_PENDING_NO_UID). */
gboolean cg_pending_resolve_as (CgPending *pending, guint id, CgPendingAnswer answer,
                                gint64 answered_uid, GError **error);
/* The asker withdrew: resolves to deny with CG_PENDING_BY_CANCEL; FALSE if unknown. */
gboolean cg_pending_cancel (CgPending *pending, guint id);

/* Copies of the pending decisions, oldest first (GPtrArray of CgPendingDecision). */
GPtrArray *cg_pending_list (CgPending *pending);
const CgPendingDecision *cg_pending_lookup (CgPending *pending, guint id);
/* The newest question about a device (ASCII case-insensitive, as Bluetooth addresses
 * are written either way), 0 if none is pending: the one place a device's question is
 * known, which the device registry reads instead of keeping a copy. */
guint cg_pending_find (CgPending *pending, const char *transport, const char *device);

G_END_DECLS
