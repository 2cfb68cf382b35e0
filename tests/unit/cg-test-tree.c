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
