/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cg-policy.h"
#include "cli-diff.h"
#include "cli-output.h"
#include "cmd-policy.h"

/* diff(1)'s exit status, so a deployment can ask "is there anything to ship?". */
enum {
  DIFF_SAME = 0,
  DIFF_DIFFERENT = 1,
  DIFF_TROUBLE = 2,
};

static const CgPolicyFileText *
find_file (GPtrArray *files, const char *name)
{
  for (guint i = 0; files != NULL && i < files->len; i++) {
    const CgPolicyFileText *file = g_ptr_array_index (files, i);
    if (g_str_equal (file->name, name))
      return file;
  }
  return NULL;
}

/* One file of each side, either absent; labels name the tree the file is in. */
static gboolean
diff_file (const CgPolicyFileText *from, const char *from_root, const CgPolicyFileText *to,
           const char *to_root, gboolean *differ, GError **error)
{
  g_autofree char *from_label
      = from != NULL ? g_strconcat (from_root != NULL ? from_root : "", from->path, NULL) : NULL;
  g_autofree char *to_label
      = to != NULL ? g_strconcat (to_root != NULL ? to_root : "", to->path, NULL) : NULL;
  const CliDiffSide a = { from_label != NULL ? from_label : "/dev/null",
                          from != NULL ? from->text : NULL, from != NULL ? from->len : 0 };
  const CliDiffSide b = { to_label != NULL ? to_label : "/dev/null", to != NULL ? to->text : NULL,
                          to != NULL ? to->len : 0 };
  gboolean this_differs = FALSE;

  if (!cli_diff_print (&a, &b, &this_differs, error))
    return FALSE;
  /* A file that moved (from /usr/lib to /etc) with the same text is still a change of
   * what overrides what. */
  if (!this_differs && from != NULL && to != NULL && !g_str_equal (from->path, to->path)) {
    printf ("policy file %s: now %s%s, text unchanged\n", from->name, to_root ? to_root : "",
            to->path);
    this_differs = TRUE;
  }
  *differ |= this_differs;
  return TRUE;
}

/* Every file either tree reads, by the name that decides its role. */
static gboolean
diff_trees (const char *from_root, const char *to_root, gboolean *differ, GError **error)
{
  g_autoptr (GPtrArray) from = cg_policy_read_files (from_root, error);
  g_autoptr (GPtrArray) to = from != NULL ? cg_policy_read_files (to_root, error) : NULL;

  if (to == NULL)
    return FALSE;
  for (guint i = 0; i < from->len; i++) {
    const CgPolicyFileText *file = g_ptr_array_index (from, i);
    if (!diff_file (file, from_root, find_file (to, file->name), to_root, differ, error))
      return FALSE;
  }
  for (guint i = 0; i < to->len; i++) {
    const CgPolicyFileText *file = g_ptr_array_index (to, i);
    if (find_file (from, file->name) == NULL
        && !diff_file (NULL, from_root, file, to_root, differ, error))
      return FALSE;
  }
  return TRUE;
}

/* A candidate file against the file of its name that a load reads now. */
static gboolean
diff_candidate (const char *root, const char *path, gboolean *differ, GError **error)
{
  g_autoptr (GPtrArray) installed = cg_policy_read_files (root, error);
  g_autofree char *name = g_path_get_basename (path);
  CgPolicyFileText candidate = { name, (char *)path, NULL, 0 };
  gboolean ok;

  if (installed == NULL)
    return FALSE;
  if (!g_str_has_suffix (name, ".conf") || name[0] == '.') {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID,
                 "%s: installed, this file would not be read: only names ending in .conf are",
                 path);
    return FALSE;
  }
  if (!g_file_get_contents (path, &candidate.text, &candidate.len, error))
    return FALSE;
  ok = diff_file (find_file (installed, name), root, &candidate, NULL, differ, error);
  g_free (candidate.text);
  return ok;
}

int
cmd_policy_diff (CliGlobals *globals, int argc, char **argv)
{
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "PATH…",
      "Show what would change, as a unified diff. A PATH that is a directory is another\n"
      "root: every policy file it reads (after its overrides) against the file of the same\n"
      "name read below --root (or /). A PATH that is a file is a candidate, as\n"
      "'policy check FILE' takes it: against the file of its name that is read now.\n"
      "The exit status is that of diff(1): 0 if nothing differs, 1 if something does,\n"
      "2 on trouble.",
      NULL);
  g_autoptr (GError) error = NULL;
  gboolean differ = FALSE;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc < 2)
    return cli_usage_error (g_get_prgname (), "a PATH to compare with is missing");
  for (int i = 1; i < argc; i++) {
    gboolean ok = g_file_test (argv[i], G_FILE_TEST_IS_DIR)
                      ? diff_trees (globals->root, argv[i], &differ, &error)
                      : diff_candidate (globals->root, argv[i], &differ, &error);
    if (!ok) {
      cli_print_error (error);
      return DIFF_TROUBLE;
    }
  }
  return differ ? DIFF_DIFFERENT : DIFF_SAME;
}
