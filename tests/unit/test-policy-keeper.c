/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's policy keeper: a broken reload keeps the last good policy, a broken
 * first policy fails closed, and an edit on disk reaches the daemon by itself. */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cg-policy-keeper.h"
#include "cg-store.h"
#include "cg-test-tree.h"

typedef struct {
  char *root;
} KeeperFixture;

static KeeperFixture fixture;

static void
write_policy_file (const char *relative, const char *text)
{
  cg_test_tree_write (fixture.root, relative, text);
}

static void
keeper_setup (void)
{
  g_autoptr (GError) error = NULL;

  fixture.root = g_dir_make_tmp ("cg-keeper-XXXXXX", &error);
  ck_assert_ptr_nonnull (fixture.root);
  write_policy_file ("etc/carguard/carguard.conf",
                     "[Default]\nPreset=charge-only\n[CarDefault]\nPreset=audio-only\n");
}

static void
keeper_teardown (void)
{
  cg_test_tree_remove (fixture.root);
  g_clear_pointer (&fixture.root, g_free);
}

static CgPairing
keeper_car_pairing (CgPolicyKeeper *keeper)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (keeper);
  g_auto (CgDecision) decision = { 0 };
  CgFacts facts = { .has_bt_class = TRUE, .bt_class = 0x200420, .bt_address = "00:AA:01:01:00:01" };

  cg_policy_decide (policy, &facts, CG_TRANSPORT_BLUETOOTH, &decision);
  return decision.grant.pairing;
}

START_TEST (test_broken_reload_keeps_last_good)
{
  g_autoptr (CgPolicyKeeper) keeper = cg_policy_keeper_new (fixture.root);
  g_autoptr (GError) error = NULL;

  ck_assert (cg_policy_keeper_reload (keeper, &error));
  ck_assert (!cg_policy_keeper_is_fallback (keeper));
  ck_assert_int_eq (keeper_car_pairing (keeper), CG_PAIRING_ALLOW);

  write_policy_file ("etc/carguard/carguard.conf", "[CarDefault]\nPairing=maybe\n");
  ck_assert (!cg_policy_keeper_reload (keeper, &error));
  ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID));
  ck_assert (!cg_policy_keeper_is_fallback (keeper));
  ck_assert_int_eq (keeper_car_pairing (keeper), CG_PAIRING_ALLOW);
}
END_TEST

/* What `carguard status` reads: when the policy in force loaded, and what the last
 * reload said, whether it loaded or not. */
START_TEST (test_status_of_reloads)
{
  g_autoptr (CgPolicyKeeper) keeper = cg_policy_keeper_new (fixture.root);
  const CgPolicyKeeperStatus *status = cg_policy_keeper_get_status (keeper);
  gint64 loaded;

  ck_assert_int_eq (status->loaded_at, 0);
  ck_assert_int_eq (status->reloaded_at, 0);
  write_policy_file ("etc/carguard/vendors.d/old.conf.bak", "[Vendor]\n");
  ck_assert (cg_policy_keeper_reload (keeper, NULL));
  ck_assert (status->reload_ok);
  ck_assert_int_gt (status->loaded_at, 0);
  ck_assert_uint_eq (g_strv_length (status->problems), 1);
  ck_assert_ptr_nonnull (strstr (status->problems[0], "old.conf.bak:1:1: warning: ignored"));
  loaded = status->loaded_at;

  write_policy_file ("etc/carguard/vendors.d/bad.conf", "[Vendor]\nBogus=1\n");
  ck_assert (!cg_policy_keeper_reload (keeper, NULL));
  ck_assert (!status->reload_ok);
  ck_assert_int_eq (status->loaded_at, loaded);
  ck_assert_int_ge (status->reloaded_at, loaded);
  ck_assert (g_strv_contains ((const char *const *)status->problems,
                              "/etc/carguard/vendors.d/bad.conf:2:1: error: unknown key 'Bogus' "
                              "in [Vendor]"));
}
END_TEST

START_TEST (test_broken_first_policy_fails_closed)
{
  g_autoptr (CgPolicyKeeper) keeper = cg_policy_keeper_new (fixture.root);
  g_autoptr (GError) error = NULL;

  write_policy_file ("etc/carguard/carguard.conf", "[CarDefault]\nPreset=trusted\nBogus=1\n");
  ck_assert (!cg_policy_keeper_reload (keeper, &error));
  ck_assert (cg_policy_keeper_is_fallback (keeper));
  ck_assert_int_eq (keeper_car_pairing (keeper), CG_PAIRING_DENY);
}
END_TEST

static void
on_keeper_changed (CgPolicyKeeper *keeper, gpointer user_data)
{
  g_main_loop_quit (user_data);
}

static gboolean
on_give_up (gpointer user_data)
{
  ck_abort_msg ("the keeper did not reload after the policy file changed");
  return G_SOURCE_REMOVE;
}

START_TEST (test_file_change_reloads)
{
  g_autoptr (CgPolicyKeeper) keeper = cg_policy_keeper_new (fixture.root);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (CgStore) store = NULL;
  const char *new_text = "[CarDefault]\nPreset=block\n";
  guint give_up_id;

  ck_assert (cg_policy_keeper_reload (keeper, &error));
  cg_policy_keeper_watch (keeper);
  g_signal_connect (keeper, "changed", G_CALLBACK (on_keeper_changed), loop);

  /* Through the store, as `carguard policy` writes: a rename of a dot-file onto the name. */
  store = cg_store_new (fixture.root);
  ck_assert_msg (
      cg_store_write (store, "/etc/carguard/carguard.conf", new_text, strlen (new_text), &error),
      "%s", error ? error->message : "");
  /* A deadline, not a sleep: the loop ends on the "changed" signal. */
  give_up_id = g_timeout_add_seconds (30, on_give_up, NULL);
  g_main_loop_run (loop);
  g_source_remove (give_up_id);

  ck_assert_int_eq (keeper_car_pairing (keeper), CG_PAIRING_DENY);
}
END_TEST

static Suite *
keeper_suite (void)
{
  Suite *s = suite_create ("policy-keeper");
  TCase *tc = tcase_create ("reload");

  tcase_add_checked_fixture (tc, keeper_setup, keeper_teardown);
  tcase_add_test (tc, test_broken_reload_keeps_last_good);
  tcase_add_test (tc, test_broken_first_policy_fails_closed);
  tcase_add_test (tc, test_status_of_reloads);
  tcase_add_test (tc, test_file_change_reloads);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (keeper_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
