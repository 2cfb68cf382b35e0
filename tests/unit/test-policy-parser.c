/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parser corpus: every file under data/policy/parser/valid loads; every case under
 * data/policy/parser/invalid fails with exactly the diagnostics in its .expected file.
 * A case is a vendor file X.conf, or a directory X/ of policy files, next to X.expected.
 * CG_UPDATE_EXPECTED=1 rewrites the .expected files (review the diff before committing). */
#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cg-policy.h"

static char *
corpus_dir (const char *kind)
{
  return g_build_filename (g_getenv ("CG_TEST_DATA"), "policy", "parser", kind, NULL);
}

/* The case names (X for X.conf or X/), sorted. */
static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static GPtrArray *
list_cases (const char *kind)
{
  g_autofree char *dir_path = corpus_dir (kind);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *cases = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  /* Also runs while the suite is built, outside any test: no ck_assert here. */
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (dir_path, name, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_DIR))
      g_ptr_array_add (cases, g_strdup (name));
    else if (g_str_has_suffix (name, ".conf"))
      g_ptr_array_add (cases, g_strndup (name, strlen (name) - strlen (".conf")));
  }
  g_ptr_array_sort (cases, compare_strings);
  return cases;
}

/* The policy files of a case, and the prefix to strip from diagnostics. */
static GStrv
case_files (const char *kind, const char *name, char **prefix)
{
  g_autofree char *dir_path = corpus_dir (kind);
  g_autofree char *case_dir = g_build_filename (dir_path, name, NULL);
  g_autoptr (GStrvBuilder) files = g_strv_builder_new ();

  if (g_file_test (case_dir, G_FILE_TEST_IS_DIR)) {
    g_autoptr (GDir) dir = g_dir_open (case_dir, 0, NULL);
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    const char *entry;
    while ((entry = g_dir_read_name (dir)) != NULL)
      g_ptr_array_add (names, g_build_filename (case_dir, entry, NULL));
    g_ptr_array_sort (names, compare_strings);
    for (guint i = 0; i < names->len; i++)
      g_strv_builder_add (files, g_ptr_array_index (names, i));
    *prefix = g_strconcat (case_dir, "/", NULL);
  } else {
    g_autofree char *file = g_strconcat (case_dir, ".conf", NULL);
    g_strv_builder_add (files, file);
    *prefix = g_strconcat (dir_path, "/", NULL);
  }
  return g_strv_builder_end (files);
}

static char *
make_empty_root (void)
{
  g_autoptr (GError) error = NULL;
  char *root = g_dir_make_tmp ("cg-parser-XXXXXX", &error);
  g_assert_no_error (error);
  return root;
}

/* Loads a case into an empty root; returns its diagnostics, one per line, prefix-free. */
static char *
load_case (const char *kind, const char *name, gboolean *loaded)
{
  g_autofree char *prefix = NULL;
  g_auto (GStrv) files = case_files (kind, name, &prefix);
  g_autofree char *root = make_empty_root ();
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy
      = cg_policy_load (root, (const char *const *)files, diagnostics, &error);
  GString *out = g_string_new (NULL);

  g_rmdir (root);
  *loaded = policy != NULL;
  ck_assert_int_eq (policy == NULL, error != NULL);
  for (guint i = 0; i < diagnostics->len; i++) {
    g_autofree char *line = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, i));
    g_autoptr (GString) relative = g_string_new (line);
    /* Messages naming a second place (conflicts) carry the prefix too. */
    g_string_replace (relative, prefix, "", 0);
    g_string_append_printf (out, "%s\n", relative->str);
  }
  return g_string_free (out, FALSE);
}

START_TEST (test_valid_corpus)
{
  g_autoptr (GPtrArray) cases = list_cases ("valid");

  ck_assert_uint_gt (cases->len, (guint)_i);
  {
    const char *name = g_ptr_array_index (cases, _i);
    gboolean loaded = FALSE;
    g_autofree char *diagnostics = load_case ("valid", name, &loaded);
    ck_assert_msg (loaded, "valid/%s did not load:\n%s", name, diagnostics);
    ck_assert_str_eq (diagnostics, "");
  }
}
END_TEST

START_TEST (test_invalid_corpus)
{
  g_autoptr (GPtrArray) cases = list_cases ("invalid");
  const char *name;
  g_autofree char *dir_path = corpus_dir ("invalid");
  g_autofree char *expected_path = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  gboolean loaded = TRUE;

  ck_assert_uint_gt (cases->len, (guint)_i);
  name = g_ptr_array_index (cases, _i);
  expected_path = g_strdup_printf ("%s/%s.expected", dir_path, name);
  actual = load_case ("invalid", name, &loaded);
  ck_assert_msg (!loaded, "invalid/%s loaded", name);
  if (g_strcmp0 (g_getenv ("CG_UPDATE_EXPECTED"), "1") == 0)
    g_file_set_contents (expected_path, actual, -1, NULL);
  ck_assert_msg (g_file_get_contents (expected_path, &expected, NULL, NULL), "missing %s",
                 expected_path);
  ck_assert_msg (strlen (expected) > 0, "%s is empty", expected_path);
  ck_assert_str_eq (actual, expected);
}
END_TEST

/* A failed load leaves nothing half-applied: no policy comes back at all, and the
 * error message carries every diagnostic. */
START_TEST (test_error_lists_every_diagnostic)
{
  const char *names[] = { "carguard.conf", "a.conf" };
  const char *texts[] = { "[Default]\nPairing=never\n", "[Vendor]\n[Match]\nUSB=xyz\n" };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = cg_policy_load_from_data (names, texts, 2, diagnostics, &error);

  ck_assert_ptr_null (policy);
  g_assert_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID);
  ck_assert_uint_eq (diagnostics->len, 2);
  ck_assert_str_eq (error->message,
                    "a.conf:3:5: error: invalid USB id 'xyz' (expected VID or VID:PID, 4 hex "
                    "digits each)\n"
                    "carguard.conf:2:9: error: invalid Pairing 'never' (allow, deny or ask)");
}
END_TEST

static Suite *
parser_suite (void)
{
  Suite *s = suite_create ("policy-parser");
  TCase *tc = tcase_create ("corpus");
  g_autoptr (GPtrArray) valid = list_cases ("valid");
  g_autoptr (GPtrArray) invalid = list_cases ("invalid");

  tcase_add_loop_test (tc, test_valid_corpus, 0, (int)valid->len);
  tcase_add_loop_test (tc, test_invalid_corpus, 0, (int)invalid->len);
  tcase_add_test (tc, test_error_lists_every_diagnostic);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (parser_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
