/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>

#include "cg-test-tree.h"

static int
test_tree_remove_entry (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  return remove (path);
}

void
cg_test_tree_remove (const char *path)
{
  if (path == NULL)
    return;
  ck_assert_int_eq (nftw (path, test_tree_remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

void
cg_test_tree_write (const char *root, const char *relative, const char *text)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0755), 0);
  ck_assert_msg (g_file_set_contents (path, text, -1, &error), "%s: %s", path,
                 error != NULL ? error->message : "");
}

char *
cg_test_tree_read (const char *root, const char *relative)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) ? text : NULL;
}
