/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-ask.h"

const char *
cg_answer_to_string (CgAnswer answer)
{
  switch (answer) {
    case CG_ANSWER_ALLOW_ONCE:
      return "allow once (person)";
    case CG_ANSWER_DENY_PERSON:
      return "deny (person)";
    case CG_ANSWER_DENY_TIMEOUT:
      return "deny (timeout)";
    case CG_ANSWER_DENY_WITHDRAWN:
      return "deny (withdrawn)";
    case CG_ANSWER_DENY_NOBODY:
    default:
      return "deny (nobody to ask)";
  }
}

gboolean
cg_answer_allows (CgAnswer answer)
{
  return answer == CG_ANSWER_ALLOW_ONCE;
}

static CgAnswer
ask_answer_from_pending (CgPendingAnswer answer, CgPendingReason reason)
{
  switch (reason) {
    case CG_PENDING_BY_PERSON:
      return answer == CG_PENDING_ANSWER_ALLOW ? CG_ANSWER_ALLOW_ONCE : CG_ANSWER_DENY_PERSON;
    case CG_PENDING_BY_TIMEOUT:
      return CG_ANSWER_DENY_TIMEOUT;
    case CG_PENDING_BY_CANCEL:
    default:
      return CG_ANSWER_DENY_WITHDRAWN;
  }
}

static void
ask_close (CgAsk *ask)
{
  ask->id = 0;
  g_clear_object (&ask->pending);
}

static void
ask_on_resolved (guint id, CgPendingAnswer answer, CgPendingReason reason, gint64 answered_uid,
                 gpointer user_data)
{
  CgAsk *ask = user_data;

  if (id == 0 || id != ask->id)
    return; /* withdrawn: the asker already knows */
  ask_close (ask);
  ask->answered_by_uid = answered_uid != CG_PENDING_NO_UID;
  ask->answered_uid = answered_uid;
  /* Last: the asker may free ask or ask again from its callback. */
  ask->func (ask_answer_from_pending (answer, reason), ask->user_data);
}

gboolean
cg_ask_raise (CgAsk *ask, CgPending *pending, const CgPendingQuestion *question, CgAskFunc func,
              gpointer user_data)
{
  cg_ask_withdraw (ask);
  ask->answered_by_uid = FALSE;
  if (pending == NULL)
    return FALSE;
  ask->pending = g_object_ref (pending);
  ask->func = func;
  ask->user_data = user_data;
  ask->id = cg_pending_add (pending, question, ask_on_resolved, ask, NULL);
  return TRUE;
}

void
cg_ask_withdraw (CgAsk *ask)
{
  g_autoptr (CgPending) pending = g_steal_pointer (&ask->pending);
  guint id = ask->id;

  /* Closed first: the cancel calls back into ask_on_resolved, which must not answer. */
  ask_close (ask);
  if (id != 0 && pending != NULL)
    cg_pending_cancel (pending, id);
}

guint
cg_ask_get_id (const CgAsk *ask)
{
  return ask->id;
}

gint64
cg_ask_get_answered_uid (const CgAsk *ask)
{
  return ask->answered_by_uid ? ask->answered_uid : CG_PENDING_NO_UID;
}
