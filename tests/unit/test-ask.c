/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one ask helper of every guard: a question about a device, answered once in the one
 * vocabulary, withdrawn without an answer, and "nobody to ask" without a pending table. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "cg-ask.h"

/* One asker: its question, and what it heard. */
typedef struct {
  CgPending *pending;
  CgAsk ask;
  guint calls;
  CgAnswer answer;
  gint64 answered_uid; /* what the ask said of who answered, inside the callback */
} AskFixture;

static AskFixture fixture;

static void
on_answer (CgAnswer answer, gpointer user_data)
{
  AskFixture *heard = user_data;

  heard->calls++;
  heard->answer = answer;
  heard->answered_uid = cg_ask_get_answered_uid (&heard->ask);
}

static const CgPendingQuestion car_question = {
  .transport = "usb",
  .device = "1-1",
  .device_name = "Head unit\x1b[2J",
  .question = "data",
  .grants = "data",
};

static void
ask_setup (void)
{
  fixture = (AskFixture){ .pending = cg_pending_new (60000) };
}

static void
ask_teardown (void)
{
  cg_ask_withdraw (&fixture.ask);
  g_clear_object (&fixture.pending);
}

/* Asks about the car; returns the question's id. */
static guint
ask_car (void)
{
  ck_assert (cg_ask_raise (&fixture.ask, fixture.pending, &car_question, on_answer, &fixture));
  ck_assert_uint_ne (cg_ask_get_id (&fixture.ask), 0);
  return cg_ask_get_id (&fixture.ask);
}

START_TEST (test_vocabulary)
{
  ck_assert_str_eq (cg_answer_to_string (CG_ANSWER_ALLOW_ONCE), "allow once (person)");
  ck_assert_str_eq (cg_answer_to_string (CG_ANSWER_DENY_PERSON), "deny (person)");
  ck_assert_str_eq (cg_answer_to_string (CG_ANSWER_DENY_TIMEOUT), "deny (timeout)");
  ck_assert_str_eq (cg_answer_to_string (CG_ANSWER_DENY_WITHDRAWN), "deny (withdrawn)");
  ck_assert_str_eq (cg_answer_to_string (CG_ANSWER_DENY_NOBODY), "deny (nobody to ask)");
  ck_assert (cg_answer_allows (CG_ANSWER_ALLOW_ONCE));
  ck_assert (!cg_answer_allows (CG_ANSWER_DENY_PERSON));
  ck_assert (!cg_answer_allows (CG_ANSWER_DENY_TIMEOUT));
  ck_assert (!cg_answer_allows (CG_ANSWER_DENY_WITHDRAWN));
  ck_assert (!cg_answer_allows (CG_ANSWER_DENY_NOBODY));
}
END_TEST

START_TEST (test_person_answers_once)
{
  guint id = ask_car ();
  const CgPendingDecision *decision = cg_pending_lookup (fixture.pending, id);

  /* The question as a person sees it: sanitised, with what a yes grants. */
  ck_assert_ptr_nonnull (decision);
  ck_assert_str_eq (decision->transport, "usb");
  ck_assert_str_eq (decision->device, "1-1");
  ck_assert_ptr_null (strchr (decision->device_name, '\x1b'));
  ck_assert_str_eq (decision->question, "data");
  ck_assert_str_eq (decision->grants, "data");
  ck_assert_uint_eq (cg_pending_find (fixture.pending, "usb", "1-1"), id);

  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert_uint_eq (fixture.calls, 1);
  ck_assert_int_eq (fixture.answer, CG_ANSWER_ALLOW_ONCE);
  ck_assert_uint_eq (cg_ask_get_id (&fixture.ask), 0);
  ck_assert_uint_eq (cg_pending_find (fixture.pending, "usb", "1-1"), 0);
  /* Answered: a second answer finds nothing and is not heard. */
  ck_assert (!cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_DENY, NULL));
  cg_ask_withdraw (&fixture.ask);
  ck_assert_uint_eq (fixture.calls, 1);
}
END_TEST

START_TEST (test_person_denies)
{
  ck_assert (cg_pending_resolve (fixture.pending, ask_car (), CG_PENDING_ANSWER_DENY, NULL));
  ck_assert_uint_eq (fixture.calls, 1);
  ck_assert_int_eq (fixture.answer, CG_ANSWER_DENY_PERSON);
}
END_TEST

START_TEST (test_timeout_denies)
{
  g_object_unref (fixture.pending);
  fixture.pending = cg_pending_new (20);
  ask_car ();
  while (fixture.calls == 0)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_uint_eq (fixture.calls, 1);
  ck_assert_int_eq (fixture.answer, CG_ANSWER_DENY_TIMEOUT);
  ck_assert_uint_eq (cg_ask_get_id (&fixture.ask), 0);
}
END_TEST

START_TEST (test_withdrawn_is_not_answered)
{
  guint id = ask_car ();

  cg_ask_withdraw (&fixture.ask);
  ck_assert_uint_eq (cg_ask_get_id (&fixture.ask), 0);
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, id));
  /* A late "allow" for the device that left opens nothing, and the asker hears nothing. */
  ck_assert (!cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert_uint_eq (fixture.calls, 0);
}
END_TEST

START_TEST (test_asking_again_withdraws_the_first)
{
  guint first = ask_car ();
  guint second = ask_car ();

  ck_assert_uint_ne (second, first);
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, first));
  ck_assert_uint_eq (cg_pending_find (fixture.pending, "usb", "1-1"), second);
  ck_assert_uint_eq (fixture.calls, 0);
}
END_TEST

START_TEST (test_nobody_to_ask)
{
  ck_assert (!cg_ask_raise (&fixture.ask, NULL, &car_question, on_answer, &fixture));
  ck_assert_uint_eq (cg_ask_get_id (&fixture.ask), 0);
  ck_assert_uint_eq (fixture.calls, 0);
}
END_TEST

/* The asker frees its question from the answer, as the Bluetooth agent does. */
static void
free_on_answer (CgAnswer answer, gpointer user_data)
{
  CgAsk *ask = user_data;

  ck_assert_int_eq (answer, CG_ANSWER_ALLOW_ONCE);
  g_free (ask);
}

START_TEST (test_asker_may_free_from_its_answer)
{
  CgAsk *ask = g_new0 (CgAsk, 1);
  guint id;

  ck_assert (cg_ask_raise (ask, fixture.pending, &car_question, free_on_answer, ask));
  id = cg_ask_get_id (ask);
  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, id));
}
END_TEST

/* Who answered reaches the asker, for the journal; a timeout or withdrawal names nobody. */
START_TEST (test_answered_uid)
{
  guint id = ask_car ();

  ck_assert (cg_pending_resolve_as (fixture.pending, id, CG_PENDING_ANSWER_DENY, 1000, NULL));
  ck_assert_uint_eq (fixture.calls, 1);
  ck_assert_int_eq (fixture.answer, CG_ANSWER_DENY_PERSON);
  ck_assert_int_eq (fixture.answered_uid, 1000);
  ck_assert_int_eq (cg_ask_get_answered_uid (&fixture.ask), 1000);

  /* Asked again: the last answer's person is forgotten; an unknown one is no uid at all. */
  id = ask_car ();
  ck_assert_int_eq (cg_ask_get_answered_uid (&fixture.ask), CG_PENDING_NO_UID);
  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert_int_eq (fixture.answered_uid, CG_PENDING_NO_UID);
}
END_TEST

static Suite *
ask_suite (void)
{
  Suite *suite = suite_create ("ask");
  TCase *tc = tcase_create ("ask");

  tcase_add_checked_fixture (tc, ask_setup, ask_teardown);
  tcase_add_test (tc, test_vocabulary);
  tcase_add_test (tc, test_answered_uid);
  tcase_add_test (tc, test_person_answers_once);
  tcase_add_test (tc, test_person_denies);
  tcase_add_test (tc, test_timeout_denies);
  tcase_add_test (tc, test_withdrawn_is_not_answered);
  tcase_add_test (tc, test_asking_again_withdraws_the_first);
  tcase_add_test (tc, test_nobody_to_ask);
  tcase_add_test (tc, test_asker_may_free_from_its_answer);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (ask_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
