/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-pending.h"
#include "cg-sanitize.h"

/* Bounds on what a pending decision carries to a person. */
#define CG_PENDING_TEXT_MAX 256

typedef struct {
  CgPendingDecision decision;
  CgPending *owner; /* not a reference: entries never outlive the table */
  CgPendingFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  guint timeout_id;
} PendingEntry;

struct _CgPending {
  GObject parent_instance;
  GHashTable *entries; /* GUINT_TO_POINTER (id) → PendingEntry */
  guint next_id;
  guint timeout_ms;
};

enum { SIGNAL_ADDED, SIGNAL_RESOLVED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CgPending, cg_pending, G_TYPE_OBJECT)
/* The quark's name is one token, not an expression clang-format may space out. */
/* clang-format off */
G_DEFINE_QUARK (cg-pending-error-quark, cg_pending_error)
/* clang-format on */

static void
pending_decision_clear (CgPendingDecision *decision)
{
  g_clear_pointer (&decision->transport, g_free);
  g_clear_pointer (&decision->device, g_free);
  g_clear_pointer (&decision->device_name, g_free);
  g_clear_pointer (&decision->question, g_free);
  g_clear_pointer (&decision->grants, g_free);
  g_clear_pointer (&decision->kind, g_free);
  g_clear_pointer (&decision->warning, g_free);
}

CgPendingDecision *
cg_pending_decision_copy (const CgPendingDecision *decision)
{
  CgPendingDecision *copy = g_new0 (CgPendingDecision, 1);

  copy->id = decision->id;
  copy->transport = g_strdup (decision->transport);
  copy->device = g_strdup (decision->device);
  copy->device_name = g_strdup (decision->device_name);
  copy->question = g_strdup (decision->question);
  copy->grants = g_strdup (decision->grants);
  copy->kind = g_strdup (decision->kind);
  copy->has_passkey = decision->has_passkey;
  copy->passkey = decision->passkey;
  copy->warning = g_strdup (decision->warning);
  copy->deadline = decision->deadline;
  return copy;
}

void
cg_pending_decision_free (CgPendingDecision *decision)
{
  if (decision == NULL)
    return;
  pending_decision_clear (decision);
  g_free (decision);
}

static void
pending_entry_free (gpointer data)
{
  PendingEntry *entry = data;

  g_clear_handle_id (&entry->timeout_id, g_source_remove);
  if (entry->destroy != NULL)
    entry->destroy (entry->user_data);
  pending_decision_clear (&entry->decision);
  g_free (entry);
}

static void
cg_pending_finalize (GObject *object)
{
  CgPending *self = CG_PENDING (object);

  /* Entries still open are dropped without an answer: their askers are going too. */
  g_clear_pointer (&self->entries, g_hash_table_unref);
  G_OBJECT_CLASS (cg_pending_parent_class)->finalize (object);
}

static void
cg_pending_class_init (CgPendingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cg_pending_finalize;
  signals[SIGNAL_ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_RESOLVED]
      = g_signal_new ("resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_INT, G_TYPE_INT);
}

static void
cg_pending_init (CgPending *self)
{
  self->entries = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, pending_entry_free);
  self->next_id = 1;
}

CgPending *
cg_pending_new (guint timeout_ms)
{
  CgPending *self = g_object_new (CG_TYPE_PENDING, NULL);

  self->timeout_ms = timeout_ms > 0 ? timeout_ms : CG_PENDING_DEFAULT_TIMEOUT_MS;
  return self;
}

/* Takes the entry out of the table first, so the callback may add or resolve others. */
static gboolean
pending_finish (CgPending *self, guint id, CgPendingAnswer answer, CgPendingReason reason,
                gint64 answered_uid)
{
  gpointer key = GUINT_TO_POINTER (id);
  PendingEntry *entry;

  if (!g_hash_table_steal_extended (self->entries, key, NULL, (gpointer *)&entry))
    return FALSE;
  g_object_ref (self);
  if (entry->func != NULL)
    entry->func (id, answer, reason, answered_uid, entry->user_data);
  pending_entry_free (entry);
  g_signal_emit (self, signals[SIGNAL_RESOLVED], 0, id, (int)answer, (int)reason);
  g_object_unref (self);
  return TRUE;
}

static gboolean
pending_on_deadline (gpointer user_data)
{
  PendingEntry *entry = user_data;

  entry->timeout_id = 0;
  pending_finish (entry->owner, entry->decision.id, CG_PENDING_ANSWER_DENY, CG_PENDING_BY_TIMEOUT,
                  CG_PENDING_NO_UID);
  return G_SOURCE_REMOVE;
}

static guint
pending_next_id (CgPending *self)
{
  guint id;

  /* Ids are not reused while pending, even after 2^32 questions; 0 means none. */
  do {
    id = self->next_id++;
  } while (id == 0 || g_hash_table_contains (self->entries, GUINT_TO_POINTER (id)));
  return id;
}

static char *
pending_sanitize_or_null (const char *s)
{
  return s != NULL ? cg_sanitize_string (s, CG_PENDING_TEXT_MAX) : NULL;
}

guint
cg_pending_add (CgPending *pending, const CgPendingQuestion *question, CgPendingFunc func,
                gpointer user_data, GDestroyNotify destroy)
{
  PendingEntry *entry;
  guint id;

  g_return_val_if_fail (CG_IS_PENDING (pending), 0);
  entry = g_new0 (PendingEntry, 1);
  id = pending_next_id (pending);
  entry->owner = pending;
  entry->decision.id = id;
  entry->decision.transport
      = cg_sanitize_string (question->transport != NULL ? question->transport : "", 32);
  entry->decision.device
      = cg_sanitize_string (question->device != NULL ? question->device : "", CG_PENDING_TEXT_MAX);
  entry->decision.device_name = pending_sanitize_or_null (question->device_name);
  entry->decision.question = cg_sanitize_string (
      question->question != NULL ? question->question : "", CG_PENDING_TEXT_MAX);
  entry->decision.grants = pending_sanitize_or_null (question->grants);
  entry->decision.kind = pending_sanitize_or_null (question->kind);
  entry->decision.has_passkey = question->has_passkey;
  entry->decision.passkey = question->passkey;
  entry->decision.warning = pending_sanitize_or_null (question->warning);
  entry->decision.deadline = g_get_monotonic_time () + (gint64)pending->timeout_ms * 1000;
  entry->func = func;
  entry->user_data = user_data;
  entry->destroy = destroy;
  entry->timeout_id = g_timeout_add (pending->timeout_ms, pending_on_deadline, entry);
  g_hash_table_insert (pending->entries, GUINT_TO_POINTER (id), entry);
  g_signal_emit (pending, signals[SIGNAL_ADDED], 0, id);
  return id;
}

gboolean
cg_pending_resolve (CgPending *pending, guint id, CgPendingAnswer answer, GError **error)
{
  return cg_pending_resolve_as (pending, id, answer, CG_PENDING_NO_UID, error);
}

gboolean
cg_pending_resolve_as (CgPending *pending, guint id, CgPendingAnswer answer, gint64 answered_uid,
                       GError **error)
{
  g_return_val_if_fail (CG_IS_PENDING (pending), FALSE);
  if (pending_finish (pending, id, answer, CG_PENDING_BY_PERSON, answered_uid))
    return TRUE;
  g_set_error (error, CG_PENDING_ERROR, CG_PENDING_ERROR_NOT_FOUND,
               "No pending decision %u: it was never asked or is already decided", id);
  return FALSE;
}

gboolean
cg_pending_cancel (CgPending *pending, guint id)
{
  g_return_val_if_fail (CG_IS_PENDING (pending), FALSE);
  return pending_finish (pending, id, CG_PENDING_ANSWER_DENY, CG_PENDING_BY_CANCEL,
                         CG_PENDING_NO_UID);
}

static gint
pending_compare_oldest_first (gconstpointer a, gconstpointer b)
{
  const CgPendingDecision *da = *(const CgPendingDecision *const *)a;
  const CgPendingDecision *db = *(const CgPendingDecision *const *)b;

  return da->deadline != db->deadline ? (da->deadline < db->deadline ? -1 : 1)
                                      : (da->id < db->id ? -1 : da->id > db->id);
}

GPtrArray *
cg_pending_list (CgPending *pending)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)cg_pending_decision_free);
  GHashTableIter iter;
  PendingEntry *entry;

  g_return_val_if_fail (CG_IS_PENDING (pending), list);
  g_hash_table_iter_init (&iter, pending->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    g_ptr_array_add (list, cg_pending_decision_copy (&entry->decision));
  g_ptr_array_sort (list, pending_compare_oldest_first);
  return list;
}

const CgPendingDecision *
cg_pending_lookup (CgPending *pending, guint id)
{
  PendingEntry *entry;

  g_return_val_if_fail (CG_IS_PENDING (pending), NULL);
  entry = g_hash_table_lookup (pending->entries, GUINT_TO_POINTER (id));
  return entry ? &entry->decision : NULL;
}

guint
cg_pending_find (CgPending *pending, const char *transport, const char *device)
{
  GHashTableIter iter;
  PendingEntry *entry;
  const CgPendingDecision *newest = NULL;

  g_return_val_if_fail (CG_IS_PENDING (pending), 0);
  g_hash_table_iter_init (&iter, pending->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry)) {
    const CgPendingDecision *decision = &entry->decision;
    if (g_strcmp0 (decision->transport, transport) != 0
        || g_ascii_strcasecmp (decision->device, device) != 0)
      continue;
    if (newest == NULL || pending_compare_oldest_first (&newest, &decision) < 0)
      newest = decision;
  }
  return newest != NULL ? newest->id : 0;
}
