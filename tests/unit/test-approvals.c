/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Approvals that last: what a person allowed survives a restart exactly as it was
 * given, a file that cannot be read whole gives nothing (every device is judged
 * again), and forgetting one is written at once. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "cg-approvals.h"
#include "cg-test-tree.h"

typedef struct {
  char *root;
  char *path;
} Fixture;

static Fixture f;

static void
setup (void)
{
  f.root = g_dir_make_tmp ("cg-approvals-XXXXXX", NULL);
  ck_assert_ptr_nonnull (f.root);
  f.path = g_build_filename (f.root, "var/lib/carguard", CG_APPROVALS_FILE, NULL);
}

static void
teardown (void)
{
  cg_test_tree_remove (f.root);
  g_clear_pointer (&f.root, g_free);
  g_clear_pointer (&f.path, g_free);
}

static const char *const car_binding[] = {
  "address=00:AA:01:01:00:01",
  "address-type=public",
  "bond=sha256:0123456789abcdef",
  "class=0x200420",
  "device-id=none",
  NULL,
};

static CgApproval
car_approval (void)
{
  return (CgApproval){ .transport = "bluetooth",
                       .device = "00:aa:01:01:00:01",
                       .by = CG_APPROVAL_BY_PERSON,
                       .name = "Lab car\x1b[2J",
                       .approved = 1733100000,
                       .binding = (GStrv)car_binding };
}

static CgApprovals *
loaded (void)
{
  g_autoptr (GError) error = NULL;
  CgApprovals *approvals = cg_approvals_new (f.path);

  ck_assert_msg (cg_approvals_load (approvals, &error), "%s", error ? error->message : "");
  return approvals;
}

static void
write_state (const char *text)
{
  cg_test_tree_write (f.root, "var/lib/carguard/" CG_APPROVALS_FILE, text);
}

START_TEST (test_missing_file_is_no_approvals)
{
  g_autoptr (CgApprovals) approvals = loaded ();
  g_autoptr (GPtrArray) list = cg_approvals_list (approvals);

  ck_assert_uint_eq (list->len, 0);
  ck_assert_ptr_null (cg_approvals_lookup (approvals, "bluetooth", "00:AA:01:01:00:01"));
}
END_TEST

/* What a second carguardd reads back is what the first one recorded. */
START_TEST (test_record_survives_a_restart)
{
  CgApproval approval = car_approval ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CgApprovals) before = loaded ();
  g_autoptr (CgApprovals) after = NULL;
  const CgApproval *found;

  ck_assert_msg (cg_approvals_record (before, &approval, &error), "%s",
                 error ? error->message : "");
  after = loaded ();
  found = cg_approvals_lookup (after, "bluetooth", "00:AA:01:01:00:01");
  ck_assert_ptr_nonnull (found);
  ck_assert_str_eq (found->device, "00:AA:01:01:00:01");
  ck_assert_int_eq (found->by, CG_APPROVAL_BY_PERSON);
  ck_assert_int_eq (found->approved, 1733100000);
  /* The name is the device's: sanitised on the way in. */
  ck_assert_ptr_null (strchr (found->name, '\x1b'));
  ck_assert_str_eq (cg_approval_get (found, "bond"), "sha256:0123456789abcdef");
  ck_assert_str_eq (cg_approval_get (found, "class"), "0x200420");
  ck_assert_ptr_null (cg_approval_get (found, "clas"));
  ck_assert_ptr_null (cg_approval_first_difference (found, car_binding));
  /* Addresses are written either way. */
  ck_assert_ptr_nonnull (cg_approvals_lookup (after, "bluetooth", "00:aa:01:01:00:01"));
  ck_assert_ptr_null (cg_approvals_lookup (after, "usb", "00:AA:01:01:00:01"));
}
END_TEST

/* The first fact that differs is named by its key, never by the device's value. */
START_TEST (test_first_difference_names_the_key)
{
  CgApproval approval = car_approval ();
  const char *const keyboard[] = {
    "address=00:AA:01:01:00:01",
    "address-type=public",
    "bond=sha256:0123456789abcdef",
    "class=0x002540",
    "device-id=none",
    NULL,
  };
  const char *const fewer[] = { "address=00:AA:01:01:00:01", NULL };
  g_autofree char *by_class = cg_approval_first_difference (&approval, keyboard);
  g_autofree char *by_missing = cg_approval_first_difference (&approval, fewer);

  ck_assert_str_eq (by_class, "class");
  ck_assert_ptr_nonnull (by_missing);
  ck_assert_ptr_null (strchr (by_missing, '='));
}
END_TEST

static void
on_forgotten (CgApprovals *approvals, const char *transport, const char *device, guint end,
              gpointer user_data)
{
  guint *forgotten = user_data;

  ck_assert_str_eq (transport, "bluetooth");
  ck_assert_uint_eq (end, CG_APPROVAL_REVOKED);
  (*forgotten)++;
}

START_TEST (test_forget_writes_and_signals)
{
  CgApproval approval = car_approval ();
  g_autoptr (CgApprovals) approvals = loaded ();
  g_autoptr (CgApprovals) after = NULL;
  g_autoptr (GError) error = NULL;
  guint forgotten = 0;

  ck_assert (cg_approvals_record (approvals, &approval, NULL));
  g_signal_connect (approvals, "forgotten", G_CALLBACK (on_forgotten), &forgotten);
  ck_assert (cg_approvals_forget (approvals, "bluetooth", "00:AA:01:01:00:01", CG_APPROVAL_REVOKED,
                                  &error));
  ck_assert_uint_eq (forgotten, 1);
  ck_assert (!cg_approvals_forget (approvals, "bluetooth", "00:AA:01:01:00:01", CG_APPROVAL_REVOKED,
                                   &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (forgotten, 1);
  after = loaded ();
  ck_assert_ptr_null (cg_approvals_lookup (after, "bluetooth", "00:AA:01:01:00:01"));
}
END_TEST

/* Nothing the file cannot say is recorded: no half-valid entry to read back later. */
START_TEST (test_record_refuses_malformed)
{
  const char *const spaced[] = { "class=0x20 0420", NULL };
  const char *const bad_key[] = { "Class=0x200420", NULL };
  const char *const empty[] = { NULL };
  CgApproval approval = car_approval ();
  g_autoptr (CgApprovals) approvals = loaded ();
  g_autoptr (GError) error = NULL;

  approval.binding = (GStrv)spaced;
  ck_assert (!cg_approvals_record (approvals, &approval, &error));
  g_clear_error (&error);
  approval.binding = (GStrv)bad_key;
  ck_assert (!cg_approvals_record (approvals, &approval, &error));
  g_clear_error (&error);
  approval.binding = (GStrv)empty;
  ck_assert (!cg_approvals_record (approvals, &approval, &error));
  g_clear_error (&error);
  approval = car_approval ();
  approval.device = "not an address";
  ck_assert (!cg_approvals_record (approvals, &approval, &error));
  ck_assert_ptr_null (cg_approvals_lookup (approvals, "bluetooth", "not an address"));
  ck_assert (!g_file_test (f.path, G_FILE_TEST_EXISTS));
}
END_TEST

/* Fail closed: one broken entry, and the whole file gives nothing. */
static const char *const corrupt_files[] = {
  "this is not a key file\n",
  ("[bluetooth 00:AA:01:01:00:01]\nBy=person\nApproved=1\nclass=0x200420\n"
   "[bluetooth 00:AA:01:01:00:02]\nBy=somebody\nApproved=1\nclass=0x200420\n"),
  "[bluetooth 00:AA:01:01:00:01]\nBy=person\nclass=0x200420\n",
  "[bluetooth 00:AA:01:01:00:01]\nBy=person\nApproved=yesterday\nclass=0x200420\n",
  "[bluetooth 00:AA:01:01:0]\nBy=person\nApproved=1\nclass=0x200420\n",
  "[usb 1-1]\nBy=person\nApproved=1\nclass=0x200420\n",
  "[bluetooth 00:AA:01:01:00:01]\nBy=person\nApproved=1\n",
  "[bluetooth 00:AA:01:01:00:01]\nBy=person\nApproved=1\nclass=\x01\n",
  "[bluetooth 00:AA:01:01:00:01]\nBy=person\nApproved=1\nName=\xff\xfe\nclass=0x200420\n",
  "[bluetooth 00:AA:01:01:00:01 extra]\nBy=person\nApproved=1\nclass=0x200420\n",
};

START_TEST (test_corrupt_file_gives_nothing)
{
  g_autoptr (CgApprovals) approvals = cg_approvals_new (f.path);
  g_autoptr (GError) error = NULL;
  CgApproval approval = car_approval ();
  g_autoptr (GPtrArray) list = NULL;

  /* An approval in memory from before does not outlive a reload of a broken file. */
  ck_assert (cg_approvals_record (approvals, &approval, NULL));
  write_state (corrupt_files[_i]);
  ck_assert_msg (!cg_approvals_load (approvals, &error), "file %d loaded", _i);
  ck_assert_ptr_nonnull (error);
  list = cg_approvals_list (approvals);
  ck_assert_uint_eq (list->len, 0);
}
END_TEST

START_TEST (test_oversized_file_gives_nothing)
{
  g_autoptr (CgApprovals) approvals = cg_approvals_new (f.path);
  g_autoptr (GError) error = NULL;
  g_autofree char *huge = g_strnfill (CG_APPROVALS_MAX_BYTES + 1, '#');

  write_state (huge);
  ck_assert (!cg_approvals_load (approvals, &error));
  ck_assert_ptr_null (cg_approvals_lookup (approvals, "bluetooth", "00:AA:01:01:00:01"));
}
END_TEST

/* The format is plain: an administrator can read it, and a valid hand-written entry
 * loads. */
START_TEST (test_file_format)
{
  CgApproval approval = car_approval ();
  g_autoptr (CgApprovals) approvals = loaded ();
  g_autofree char *text = NULL;
  g_autoptr (CgApprovals) again = NULL;

  ck_assert (cg_approvals_record (approvals, &approval, NULL));
  text = cg_test_tree_read (f.root, "var/lib/carguard/" CG_APPROVALS_FILE);
  ck_assert_ptr_nonnull (strstr (text, "[bluetooth 00:AA:01:01:00:01]\n"));
  ck_assert_ptr_nonnull (strstr (text, "\nBy=person\n"));
  ck_assert_ptr_nonnull (strstr (text, "\nApproved=1733100000\n"));
  ck_assert_ptr_nonnull (strstr (text, "\nclass=0x200420\n"));
  ck_assert_ptr_nonnull (strstr (text, "\nbond=sha256:0123456789abcdef\n"));
  write_state ("[bluetooth 00:aa:01:01:00:03]\nBy=policy\nApproved=5\naddress=x\n");
  again = loaded ();
  ck_assert_int_eq (cg_approvals_lookup (again, "bluetooth", "00:AA:01:01:00:03")->by,
                    CG_APPROVAL_BY_POLICY);
}
END_TEST

static Suite *
approvals_suite (void)
{
  Suite *s = suite_create ("approvals");
  TCase *tc = tcase_create ("approvals");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_missing_file_is_no_approvals);
  tcase_add_test (tc, test_record_survives_a_restart);
  tcase_add_test (tc, test_first_difference_names_the_key);
  tcase_add_test (tc, test_forget_writes_and_signals);
  tcase_add_test (tc, test_record_refuses_malformed);
  tcase_add_loop_test (tc, test_corrupt_file_gives_nothing, 0, G_N_ELEMENTS (corrupt_files));
  tcase_add_test (tc, test_oversized_file_gives_nothing);
  tcase_add_test (tc, test_file_format);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (approvals_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
