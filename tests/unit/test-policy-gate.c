/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pre-deploy gate (`carguard policy check`) as the loader gives it: a root that is
 * missing or holds no policy fails, files the loader ignores are said so, symlinks stay
 * below the root, and --strict names the traps of a policy that loads. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include <glib/gstdio.h>

#include "cg-policy.h"
#include "cg-test-tree.h"

static char *root;

static void
gate_setup (void)
{
  root = g_dir_make_tmp ("cg-gate-XXXXXX", NULL);
  ck_assert_ptr_nonnull (root);
}

static void
gate_teardown (void)
{
  cg_test_tree_remove (root);
  g_clear_pointer (&root, g_free);
}

static void
write_file (const char *relative, const char *text)
{
  cg_test_tree_write (root, relative, text);
}

static void
make_symlink (const char *target, const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0755), 0);
  ck_assert_msg (symlink (target, path) == 0, "%s", g_strerror (errno));
}

/* Loads root with flags; returns the policy or NULL, every diagnostic as text. */
static CgPolicy *
load (CgPolicyLoadFlags flags, const char *const *extra_files, char **text, GError **error)
{
  const CgPolicyLoadOptions options = { .root = root, .extra_files = extra_files, .flags = flags };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  GString *out = g_string_new (NULL);
  CgPolicy *policy = cg_policy_load_with (&options, diagnostics, error);

  for (guint i = 0; i < diagnostics->len; i++) {
    g_autofree char *line = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, i));
    g_string_append_printf (out, "%s\n", line);
  }
  *text = g_string_free (out, FALSE);
  return policy;
}

#define VENDOR(oui) "[Vendor]\n[Match]\nBluetoothOUI=" oui "\n[Policy]\nPreset=block\n"

START_TEST (test_missing_root_fails)
{
  g_autofree char *missing = g_build_filename (root, "does-not-exist", NULL);
  const CgPolicyLoadOptions options = { .root = missing };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_with (&options, diagnostics, &error);

  ck_assert_ptr_null (policy);
  ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_IO));
  ck_assert_ptr_nonnull (strstr (error->message, "does-not-exist"));
}
END_TEST

START_TEST (test_empty_root_fails_when_files_are_required)
{
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) lax = NULL;
  g_autoptr (CgPolicy) required = NULL;

  /* The daemon's view: nothing installed is the fail-closed default. */
  lax = load (0, NULL, &text, NULL);
  ck_assert_ptr_nonnull (lax);
  required = load (CG_POLICY_LOAD_REQUIRE_FILES, NULL, &again, &error);
  ck_assert_ptr_null (required);
  ck_assert (g_error_matches (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND));
}
END_TEST

START_TEST (test_ignored_files_are_reported)
{
  g_autofree char *text = NULL;
  g_autofree char *strict_text = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (CgPolicy) strict = NULL;
  g_autoptr (GError) error = NULL;

  write_file ("etc/carguard/vendors.d/byd.conf", VENDOR ("00:11:22"));
  write_file ("etc/carguard/vendors.d/xpeng.conf.bak", VENDOR ("00:11:33"));
  write_file ("etc/carguard/vendors.d/chery.CONF", VENDOR ("00:11:44"));
  write_file ("etc/carguard/vendors.d/.byd.conf.Ab12Cd", VENDOR ("00:11:55"));
  write_file ("etc/carguard/geely.conf", VENDOR ("00:11:66"));
  policy = load (0, NULL, &text, NULL);
  ck_assert_ptr_nonnull (policy);
  ck_assert_uint_eq (cg_policy_get_n_vendors (policy), 1);
  ck_assert_str_eq (text,
                    "/etc/carguard/geely.conf:1:1: warning: ignored: only carguard.conf and "
                    "vendors.d/ are read here; vendor files belong in vendors.d/\n"
                    "/etc/carguard/vendors.d/chery.CONF:1:1: warning: ignored: only names ending "
                    "in .conf (lower case) are read\n"
                    "/etc/carguard/vendors.d/xpeng.conf.bak:1:1: warning: ignored: only names "
                    "ending in .conf (lower case) are read\n");

  strict = load (CG_POLICY_LOAD_STRICT, NULL, &strict_text, &error);
  ck_assert_ptr_null (strict);
  ck_assert_ptr_nonnull (strstr (strict_text, "xpeng.conf.bak:1:1: error: ignored"));
  ck_assert_ptr_nonnull (strstr (strict_text, "chery.CONF:1:1: error: ignored"));
}
END_TEST

START_TEST (test_ignored_extra_file_is_reported)
{
  g_autofree char *candidate = g_build_filename (root, "notconf.txt", NULL);
  const char *extra[] = { candidate, NULL };
  g_autofree char *text = NULL;
  g_autofree char *strict_text = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (CgPolicy) strict = NULL;

  write_file ("notconf.txt", "[Vendor]\n[Policy]\nPreset=bogus\n");
  policy = load (0, extra, &text, NULL);
  ck_assert_ptr_nonnull (policy);
  ck_assert_uint_eq (cg_policy_get_n_vendors (policy), 0);
  ck_assert_msg (g_str_has_suffix (text, "notconf.txt:1:1: warning: ignored: installed, this file "
                                         "would not be read: only names ending in .conf (lower "
                                         "case, not starting with '.') are\n"),
                 "%s", text);
  strict = load (CG_POLICY_LOAD_STRICT, extra, &strict_text, NULL);
  ck_assert_ptr_null (strict);
}
END_TEST

/* Whether this kernel (or valgrind, which does not know the call) has openat2. Without
 * it carguard follows no symlink at all below a root: the policy with one fails closed. */
static gboolean
have_openat2 (void)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  int fd = (int)syscall (SYS_openat2, AT_FDCWD, ".", &how, sizeof how);

  if (fd >= 0)
    close (fd);
  return fd >= 0 || (errno != ENOSYS && errno != EPERM);
}

static void
assert_symlink_refused (const char *text, const char *file)
{
  g_autofree char *expected = g_strdup_printf ("%s:1:1: error: cannot open", file);

  ck_assert_msg (strstr (text, expected) != NULL, "%s", text);
}

/* An absolute symlink means what it means in the image: below the root. */
START_TEST (test_absolute_symlink_stays_below_root)
{
  g_autofree char *host_file = g_build_filename (root, "..", "cg-gate-host.conf", NULL);
  g_autofree char *text = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  const CgVendor *vendor;

  write_file ("usr/share/fleet/byd.conf", VENDOR ("00:1E:DE"));
  make_symlink ("/usr/share/fleet/byd.conf", "etc/carguard/vendors.d/byd.conf");
  make_symlink ("/dev/null", "etc/carguard/vendors.d/masked.conf");
  write_file ("usr/lib/carguard/vendors.d/masked.conf", VENDOR ("00:11:22"));
  policy = load (0, NULL, &text, NULL);
  if (!have_openat2 ()) {
    ck_assert_ptr_null (policy);
    assert_symlink_refused (text, "/etc/carguard/vendors.d/byd.conf");
    return;
  }
  ck_assert_msg (policy != NULL, "%s", text);
  vendor = cg_policy_lookup_vendor (policy, "byd");
  ck_assert_ptr_nonnull (vendor);
  ck_assert_ptr_null (cg_policy_lookup_vendor (policy, "masked"));

  /* A host file of the same absolute name is never read in its place. */
  ck_assert (g_file_set_contents (host_file, VENDOR ("00:99:99"), -1, NULL));
  g_clear_pointer (&policy, cg_policy_unref);
  g_free (text);
  g_autofree char *real = realpath (host_file, NULL);
  make_symlink (real, "etc/carguard/vendors.d/escape.conf");
  policy = load (0, NULL, &text, NULL);
  g_unlink (real);
  ck_assert_ptr_null (policy);
  ck_assert_msg (strstr (text, "/etc/carguard/vendors.d/escape.conf:1:1: error: cannot open")
                     != NULL,
                 "%s", text);
}
END_TEST

/* ".." climbs no higher than the root, and a symlinked directory stays below it too. */
START_TEST (test_relative_symlinks_stay_below_root)
{
  g_autofree char *text = NULL;
  g_autoptr (CgPolicy) policy = NULL;

  write_file ("srv/vendors/nio.conf", VENDOR ("00:11:22"));
  make_symlink ("../../../../../../../../srv/vendors/nio.conf", "etc/carguard/vendors.d/nio.conf");
  make_symlink ("/srv/vendors", "run/carguard/vendors.d");
  policy = load (0, NULL, &text, NULL);
  if (!have_openat2 ()) {
    ck_assert_ptr_null (policy);
    assert_symlink_refused (text, "/etc/carguard/vendors.d/nio.conf");
    return;
  }
  ck_assert_msg (policy != NULL, "%s", text);
  ck_assert_str_eq (cg_vendor_get_file (cg_policy_lookup_vendor (policy, "nio")),
                    "/run/carguard/vendors.d/nio.conf");
}
END_TEST

START_TEST (test_strict_warns_about_traps)
{
  g_autofree char *text = NULL;
  g_autofree char *lax_text = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (CgPolicy) lax = NULL;

  write_file ("etc/carguard/vendors.d/comment.conf",
              "[Vendor]\n[Match]\nName=\"BYD*\" # BYD cars\nName=\"Car #1\" \"#2\"\n"
              "BluetoothOUI=00:1E:DE\n");
  write_file ("etc/carguard/vendors.d/empty.conf", "[Vendor]\nName=Nothing\n[Policy]\n"
                                                   "Preset=trusted\n");
  write_file ("etc/carguard/vendors.d/names.conf",
              "[Vendor]\n[Match]\nName=\"Pool car*\"\nUSBProduct=\"Dock\"\n"
              "[Policy]\nPreset=trusted\n");
  write_file ("etc/carguard/vendors.d/org.conf",
              "[Vendor]\n[Match]\nOrganization=\"BYD COMPANY LIMITED\"\n");
  policy = load (CG_POLICY_LOAD_STRICT | CG_POLICY_LOAD_NO_HWDB, NULL, &text, NULL);
  ck_assert_msg (policy != NULL, "%s", text);
  ck_assert_str_eq (
      text,
      "/etc/carguard/vendors.d/comment.conf:3:13: warning: '#' starts a list item here, not a "
      "comment: it and the words after it are matched; a comment starts a line\n"
      "/etc/carguard/vendors.d/empty.conf:1:1: warning: vendor 'empty' matches no device: it has "
      "no [Match] key and no [Device]\n"
      "/etc/carguard/vendors.d/names.conf:3:6: warning: vendor 'names' is matched only by names "
      "its devices choose (Name=, USBManufacturer=, USBProduct=): a device takes or drops such a "
      "name at will\n"
      "/etc/carguard/vendors.d/org.conf:3:14: warning: Organization= matches nothing here: this "
      "machine has no hwdb to name organisations\n");

  lax = load (0, NULL, &lax_text, NULL);
  ck_assert_ptr_nonnull (lax);
  ck_assert_str_eq (lax_text, "");
}
END_TEST

/* The same files give the same hash wherever they are loaded; any change changes it. */
START_TEST (test_hash_follows_the_files)
{
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  g_autoptr (CgPolicy) first = NULL;
  g_autoptr (CgPolicy) second = NULL;
  g_autoptr (CgPolicy) changed = NULL;
  g_autofree char *first_hash = NULL;

  write_file ("etc/carguard/vendors.d/byd.conf", VENDOR ("00:11:22"));
  first = load (0, NULL, &a, NULL);
  second = load (0, NULL, &b, NULL);
  ck_assert_uint_eq (strlen (cg_policy_get_hash (first)), 64);
  ck_assert_str_eq (cg_policy_get_hash (first), cg_policy_get_hash (second));
  first_hash = g_strdup (cg_policy_get_hash (first));
  write_file ("etc/carguard/vendors.d/byd.conf", VENDOR ("00:11:23"));
  changed = load (0, NULL, &c, NULL);
  ck_assert_str_ne (cg_policy_get_hash (changed), first_hash);
}
END_TEST

/* The files' hash, read without parsing, is the hash their load gives: with overrides
 * across the layers, a mask and the main file; and it follows a change. */
START_TEST (test_text_hash_is_the_load_hash)
{
  g_autofree char *diagnostics = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (GPtrArray) texts = NULL;
  g_autofree char *hash = NULL, *changed = NULL;
  g_autoptr (GError) error = NULL;

  write_file ("usr/lib/carguard/carguard.conf", "[Default]\nPreset=charge-only\n");
  write_file ("usr/lib/carguard/vendors.d/byd.conf", VENDOR ("00:11:22"));
  write_file ("etc/carguard/vendors.d/byd.conf", VENDOR ("00:11:23"));
  write_file ("usr/lib/carguard/vendors.d/tesla.conf", VENDOR ("00:11:24"));
  make_symlink ("/dev/null", "run/carguard/vendors.d/tesla.conf");
  policy = load (0, NULL, &diagnostics, NULL);
  ck_assert_ptr_nonnull (policy);
  texts = cg_policy_read_files (root, &error);
  ck_assert_msg (texts != NULL, "%s", error != NULL ? error->message : "");
  hash = cg_policy_hash_texts (texts);
  ck_assert_str_eq (hash, cg_policy_get_hash (policy));

  write_file ("etc/carguard/vendors.d/byd.conf", VENDOR ("00:11:25"));
  g_clear_pointer (&texts, g_ptr_array_unref);
  texts = cg_policy_read_files (root, &error);
  ck_assert_msg (texts != NULL, "%s", error != NULL ? error->message : "");
  changed = cg_policy_hash_texts (texts);
  ck_assert_str_ne (changed, hash);
}
END_TEST

static Suite *
gate_suite (void)
{
  Suite *s = suite_create ("policy-gate");
  TCase *tc = tcase_create ("gate");

  tcase_add_checked_fixture (tc, gate_setup, gate_teardown);
  tcase_add_test (tc, test_missing_root_fails);
  tcase_add_test (tc, test_empty_root_fails_when_files_are_required);
  tcase_add_test (tc, test_ignored_files_are_reported);
  tcase_add_test (tc, test_ignored_extra_file_is_reported);
  tcase_add_test (tc, test_absolute_symlink_stays_below_root);
  tcase_add_test (tc, test_relative_symlinks_stay_below_root);
  tcase_add_test (tc, test_strict_warns_about_traps);
  tcase_add_test (tc, test_hash_follows_the_files);
  tcase_add_test (tc, test_text_hash_is_the_load_hash);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (gate_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
