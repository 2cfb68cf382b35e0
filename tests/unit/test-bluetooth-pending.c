/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pending-decision table behind `ask`: answers, timeouts that deny, cancels, and
 * the added/resolved signals a notifier will follow. Waits on the main loop, no sleeps. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "cg-pending.h"

typedef struct {
  GMainLoop *loop;
  guint id;
  int calls;
  CgPendingAnswer answer;
  CgPendingReason reason;
  int destroyed;
  guint added_id;
  guint resolved_id;
} Outcome;

static void
on_resolved_func (guint id, CgPendingAnswer answer, CgPendingReason reason, gint64 answered_uid,
                  gpointer user_data)
{
  Outcome *outcome = user_data;

  outcome->id = id;
  outcome->calls++;
  outcome->answer = answer;
  outcome->reason = reason;
  if (outcome->loop != NULL)
    g_main_loop_quit (outcome->loop);
}

static void
on_destroy (gpointer user_data)
{
  ((Outcome *)user_data)->destroyed++;
}

static void
on_added_signal (CgPending *pending, guint id, gpointer user_data)
{
  ((Outcome *)user_data)->added_id = id;
}

static void
on_resolved_signal (CgPending *pending, guint id, int answer, int reason, gpointer user_data)
{
  ((Outcome *)user_data)->resolved_id = id;
}

static gboolean
fail_if_reached (gpointer user_data)
{
  ck_abort_msg ("the pending decision was never resolved");
  return G_SOURCE_REMOVE;
}

START_TEST (test_timeout_denies)
{
  g_autoptr (CgPending) pending = cg_pending_new (50);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Outcome outcome = { .loop = loop };
  guint guard_id, id;

  g_signal_connect (pending, "added", G_CALLBACK (on_added_signal), &outcome);
  g_signal_connect (pending, "resolved", G_CALLBACK (on_resolved_signal), &outcome);
  id = cg_pending_add (pending,
                       &(CgPendingQuestion){ "bluetooth", "00:AA:01:01:00:01", "Car", "pair" },
                       on_resolved_func, &outcome, on_destroy);
  ck_assert_uint_ne (id, 0);
  ck_assert_uint_eq (outcome.added_id, id);
  /* A watchdog on the test itself, not a wait for the outcome. */
  guard_id = g_timeout_add_seconds (20, fail_if_reached, NULL);
  g_main_loop_run (loop);
  g_source_remove (guard_id);

  ck_assert_int_eq (outcome.calls, 1);
  ck_assert_uint_eq (outcome.id, id);
  ck_assert_int_eq (outcome.answer, CG_PENDING_ANSWER_DENY);
  ck_assert_int_eq (outcome.reason, CG_PENDING_BY_TIMEOUT);
  ck_assert_int_eq (outcome.destroyed, 1);
  ck_assert_uint_eq (outcome.resolved_id, id);
  ck_assert_ptr_null (cg_pending_lookup (pending, id));
}
END_TEST

START_TEST (test_person_allows_once)
{
  g_autoptr (CgPending) pending = cg_pending_new (60000);
  g_autoptr (GError) error = NULL;
  Outcome outcome = { 0 };
  guint id = cg_pending_add (pending,
                             &(CgPendingQuestion){ "bluetooth", "00:11:22:33:44:55", NULL, "pair" },
                             on_resolved_func, &outcome, on_destroy);

  ck_assert (cg_pending_resolve (pending, id, CG_PENDING_ANSWER_ALLOW, &error));
  ck_assert_int_eq (outcome.calls, 1);
  ck_assert_int_eq (outcome.answer, CG_PENDING_ANSWER_ALLOW);
  ck_assert_int_eq (outcome.reason, CG_PENDING_BY_PERSON);
  /* A second answer finds nothing: the first one stands. */
  ck_assert (!cg_pending_resolve (pending, id, CG_PENDING_ANSWER_DENY, &error));
  ck_assert (g_error_matches (error, CG_PENDING_ERROR, CG_PENDING_ERROR_NOT_FOUND));
  ck_assert_int_eq (outcome.calls, 1);
  ck_assert_int_eq (outcome.destroyed, 1);
}
END_TEST

START_TEST (test_cancel_denies_and_list_tracks)
{
  g_autoptr (CgPending) pending = cg_pending_new (60000);
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  Outcome first = { 0 }, second = { 0 };
  guint id1
      = cg_pending_add (pending, &(CgPendingQuestion){ "bluetooth", "A", "Car\x1b[2J", "pair" },
                        on_resolved_func, &first, NULL);
  guint id2 = cg_pending_add (pending, &(CgPendingQuestion){ "usb", "1-1", NULL, "data" },
                              on_resolved_func, &second, NULL);
  const CgPendingDecision *decision;

  ck_assert_uint_ne (id1, id2);
  before = cg_pending_list (pending);
  ck_assert_uint_eq (before->len, 2);
  ck_assert_uint_eq (((CgPendingDecision *)g_ptr_array_index (before, 0))->id, id1);
  decision = cg_pending_lookup (pending, id1);
  /* What reaches a notifier has no control characters. */
  ck_assert_ptr_null (strchr (decision->device_name, '\x1b'));
  ck_assert (decision->deadline > g_get_monotonic_time ());

  ck_assert (cg_pending_cancel (pending, id1));
  ck_assert_int_eq (first.answer, CG_PENDING_ANSWER_DENY);
  ck_assert_int_eq (first.reason, CG_PENDING_BY_CANCEL);
  after = cg_pending_list (pending);
  ck_assert_uint_eq (after->len, 1);
  ck_assert_uint_eq (((CgPendingDecision *)g_ptr_array_index (after, 0))->id, id2);
  ck_assert_int_eq (second.calls, 0);
}
END_TEST

static void
resolve_other_from_callback (guint id, CgPendingAnswer answer, CgPendingReason reason,
                             gint64 answered_uid, gpointer user_data)
{
  CgPending *pending = user_data;
  g_autoptr (GPtrArray) rest = cg_pending_list (pending);

  /* The resolved entry is already out of the table when its callback runs. */
  for (guint i = 0; i < rest->len; i++)
    ck_assert_uint_ne (((CgPendingDecision *)g_ptr_array_index (rest, i))->id, id);
  for (guint i = 0; i < rest->len; i++)
    cg_pending_cancel (pending, ((CgPendingDecision *)g_ptr_array_index (rest, i))->id);
}

START_TEST (test_callback_may_reenter)
{
  g_autoptr (CgPending) pending = cg_pending_new (60000);
  g_autoptr (GPtrArray) left = NULL;
  Outcome other = { 0 };
  guint id = cg_pending_add (pending, &(CgPendingQuestion){ "bluetooth", "A", NULL, "pair" },
                             resolve_other_from_callback, pending, NULL);

  cg_pending_add (pending, &(CgPendingQuestion){ "bluetooth", "B", NULL, "pair" }, on_resolved_func,
                  &other, NULL);
  ck_assert (cg_pending_resolve (pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert_int_eq (other.calls, 1);
  ck_assert_int_eq (other.reason, CG_PENDING_BY_CANCEL);
  left = cg_pending_list (pending);
  ck_assert_uint_eq (left->len, 0);
}
END_TEST

static Suite *
pending_suite (void)
{
  Suite *suite = suite_create ("bluetooth-pending");
  TCase *tc = tcase_create ("pending");

  tcase_add_test (tc, test_timeout_denies);
  tcase_add_test (tc, test_person_allows_once);
  tcase_add_test (tc, test_cancel_denies_and_list_tracks);
  tcase_add_test (tc, test_callback_may_reenter);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (pending_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
