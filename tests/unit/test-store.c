/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cg-store.h"
#include "cg-test-tree.h"

#define VENDOR_PATH "/etc/carguard/vendors.d/byd.conf"
#define OLD_TEXT "# the admin's words\n[Vendor]\nName=BYD\n"
#define NEW_TEXT "[Vendor]\nName=BYD\n\n[Policy]\nPreset=audio-only\n"

static char *
make_root (void)
{
  g_autoptr (GError) error = NULL;
  char *root = g_dir_make_tmp ("carguard-store-XXXXXX", &error);

  ck_assert_msg (root != NULL, "%s", error ? error->message : "");
  return root;
}

static char *
read_file (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
write_old_file (CgStore *store)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (cg_store_write (store, VENDOR_PATH, OLD_TEXT, strlen (OLD_TEXT), &error), "%s",
                 error ? error->message : "");
}

/* Names in the vendor directory other than byd.conf: temp files and backups. */
static guint
count_stray_files (CgStore *store)
{
  g_autofree char *dir_path = cg_store_resolve (store, "/etc/carguard/vendors.d");
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  ck_assert_ptr_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, "byd.conf"))
      n++;
  return n;
}

static gboolean
fail_at_step (CgStoreStep step, gpointer user_data, GError **error)
{
  if ((int)step != GPOINTER_TO_INT (user_data))
    return TRUE;
  g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO, "injected failure at step %d", step);
  return FALSE;
}

static gboolean
kill_at_step (CgStoreStep step, gpointer user_data, GError **error)
{
  if ((int)step == GPOINTER_TO_INT (user_data))
    raise (SIGKILL);
  return TRUE;
}

START_TEST (test_store_write_creates_file)
{
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *path = cg_store_resolve (store, VENDOR_PATH);
  g_autofree char *text = NULL;
  GStatBuf st;

  write_old_file (store);
  text = read_file (path);
  ck_assert_str_eq (text, OLD_TEXT);
  ck_assert_int_eq (g_stat (path, &st), 0);
  ck_assert_int_eq (st.st_mode & 0777, 0644);
  ck_assert_uint_eq (count_stray_files (store), 0);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_store_fault_keeps_old_file)
{
  CgStoreStep step = _i;
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *path = cg_store_resolve (store, VENDOR_PATH);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  write_old_file (store);
  cg_store_set_fault_func (store, fail_at_step, GINT_TO_POINTER (step));
  ck_assert (!cg_store_write (store, VENDOR_PATH, NEW_TEXT, strlen (NEW_TEXT), &error));
  ck_assert_ptr_nonnull (error);
  text = read_file (path);
  ck_assert_str_eq (text, OLD_TEXT);
  ck_assert_uint_eq (count_stray_files (store), 0);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_store_fault_on_new_file_leaves_nothing)
{
  CgStoreStep step = _i;
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *path = cg_store_resolve (store, VENDOR_PATH);
  g_autoptr (GError) error = NULL;

  cg_store_set_fault_func (store, fail_at_step, GINT_TO_POINTER (step));
  ck_assert (!cg_store_write (store, VENDOR_PATH, NEW_TEXT, strlen (NEW_TEXT), &error));
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS));
  ck_assert_uint_eq (count_stray_files (store), 0);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_store_killed_never_leaves_broken_file)
{
  CgStoreStep step = _i;
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *path = cg_store_resolve (store, VENDOR_PATH);
  g_autofree char *text = NULL;
  int status = 0;
  pid_t pid;

  write_old_file (store);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0) {
    cg_store_set_fault_func (store, kill_at_step, GINT_TO_POINTER (step));
    cg_store_write (store, VENDOR_PATH, NEW_TEXT, strlen (NEW_TEXT), NULL);
    _exit (0);
  }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert (WIFSIGNALED (status));
  ck_assert_int_eq (WTERMSIG (status), SIGKILL);
  text = read_file (path);
  ck_assert_ptr_nonnull (text);
  if (step < CG_STORE_STEP_FSYNC_DIR)
    ck_assert_str_eq (text, OLD_TEXT);
  else
    ck_assert_str_eq (text, NEW_TEXT);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_store_refuses_shipped)
{
  const char *shipped[] = { "/usr/lib/carguard/vendors.d/byd.conf", "//usr/./lib/carguard/x.conf",
                            "/usr/lib/carguard/carguard.conf" };
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *usr = cg_store_resolve (store, "/usr");

  for (guint i = 0; i < G_N_ELEMENTS (shipped); i++) {
    g_autoptr (GError) error = NULL;

    ck_assert (!cg_store_write (store, shipped[i], NEW_TEXT, strlen (NEW_TEXT), &error));
    ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_SHIPPED));
    g_clear_error (&error);
    ck_assert (!cg_store_mask (store, shipped[i], &error));
    ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_SHIPPED));
    g_clear_error (&error);
    ck_assert (!cg_store_remove (store, shipped[i], &error));
    ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_SHIPPED));
  }
  ck_assert (!g_file_test (usr, G_FILE_TEST_EXISTS));
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_store_refuses_dot_dot)
{
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autoptr (GError) error = NULL;

  ck_assert (!cg_store_write (store, "/etc/../../x.conf", "x", 1, &error));
  ck_assert_ptr_nonnull (error);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_store_does_not_follow_symlink_out_of_root)
{
  g_autofree char *root = make_root ();
  g_autofree char *outside = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *etc_dir = cg_store_resolve (store, "/etc/carguard");
  g_autofree char *vendors_dir = cg_store_resolve (store, "/etc/carguard/vendors.d");
  g_autofree char *escaped = g_build_filename (outside, "byd.conf", NULL);
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (g_mkdir_with_parents (etc_dir, 0755), 0);
  ck_assert_int_eq (symlink (outside, vendors_dir), 0);
  ck_assert (!cg_store_write (store, VENDOR_PATH, NEW_TEXT, strlen (NEW_TEXT), &error));
  ck_assert_ptr_nonnull (error);
  ck_assert (!g_file_test (escaped, G_FILE_TEST_EXISTS));
  cg_test_tree_remove (root);
  cg_test_tree_remove (outside);
}
END_TEST

START_TEST (test_store_replaces_symlinked_file_not_its_target)
{
  g_autofree char *root = make_root ();
  g_autofree char *outside = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *path = cg_store_resolve (store, VENDOR_PATH);
  g_autofree char *target = g_build_filename (outside, "target.conf", NULL);
  g_autofree char *target_text = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  write_old_file (store);
  ck_assert (g_file_set_contents (target, OLD_TEXT, -1, NULL));
  ck_assert_int_eq (g_unlink (path), 0);
  ck_assert_int_eq (symlink (target, path), 0);
  ck_assert_msg (cg_store_write (store, VENDOR_PATH, NEW_TEXT, strlen (NEW_TEXT), &error), "%s",
                 error ? error->message : "");
  target_text = read_file (target);
  ck_assert_str_eq (target_text, OLD_TEXT);
  ck_assert (!g_file_test (path, G_FILE_TEST_IS_SYMLINK));
  text = read_file (path);
  ck_assert_str_eq (text, NEW_TEXT);
  cg_test_tree_remove (root);
  cg_test_tree_remove (outside);
}
END_TEST

START_TEST (test_store_mask_and_remove)
{
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *path = cg_store_resolve (store, VENDOR_PATH);
  g_autofree char *link = NULL;
  g_autoptr (GError) error = NULL;

  write_old_file (store);
  ck_assert_msg (cg_store_mask (store, VENDOR_PATH, &error), "%s", error ? error->message : "");
  link = g_file_read_link (path, NULL);
  ck_assert_str_eq (link, "/dev/null");
  ck_assert_uint_eq (count_stray_files (store), 0);

  ck_assert (cg_store_remove (store, VENDOR_PATH, &error));
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK));
  ck_assert (!cg_store_remove (store, VENDOR_PATH, &error));
  ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND));
  cg_test_tree_remove (root);
}
END_TEST

static int
try_lock (const char *lock_path)
{
  int fd = open (lock_path, O_RDWR | O_CLOEXEC);
  int r;

  ck_assert_int_ge (fd, 0);
  r = flock (fd, LOCK_EX | LOCK_NB);
  close (fd);
  return r;
}

START_TEST (test_store_lock_excludes_others)
{
  g_autofree char *root = make_root ();
  g_autoptr (CgStore) store = cg_store_new (root);
  g_autofree char *lock_path = cg_store_resolve (store, "/etc/carguard/.lock");
  g_autoptr (GError) error = NULL;
  GStatBuf st;

  ck_assert_msg (cg_store_lock (store, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (g_stat (lock_path, &st), 0);
  ck_assert_int_eq (st.st_mode & 0777, 0600);
  ck_assert_int_eq (try_lock (lock_path), -1);
  cg_store_unlock (store);
  ck_assert_int_eq (try_lock (lock_path), 0);
  cg_test_tree_remove (root);
}
END_TEST

static Suite *
store_suite (void)
{
  Suite *s = suite_create ("store");
  TCase *tc = tcase_create ("store");

  tcase_add_test (tc, test_store_write_creates_file);
  tcase_add_loop_test (tc, test_store_fault_keeps_old_file, 0, CG_STORE_STEP_N);
  tcase_add_loop_test (tc, test_store_fault_on_new_file_leaves_nothing, 0, CG_STORE_STEP_N);
  tcase_add_loop_test (tc, test_store_killed_never_leaves_broken_file, 0, CG_STORE_STEP_N);
  tcase_add_test (tc, test_store_refuses_shipped);
  tcase_add_test (tc, test_store_refuses_dot_dot);
  tcase_add_test (tc, test_store_does_not_follow_symlink_out_of_root);
  tcase_add_test (tc, test_store_replaces_symlinked_file_not_its_target);
  tcase_add_test (tc, test_store_mask_and_remove);
  tcase_add_test (tc, test_store_lock_excludes_others);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (store_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
