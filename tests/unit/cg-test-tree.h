/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes a test's temporary tree (a --root, a fake sysfs) without following symlinks:
 * fake sysfs trees link into themselves the way the kernel's do. */
void cg_test_tree_remove (const char *path);

/* Writes TEXT to ROOT/RELATIVE, creating the directories on the way. */
void cg_test_tree_write (const char *root, const char *relative, const char *text);

/* The text of ROOT/RELATIVE, or NULL if it cannot be read. */
char *cg_test_tree_read (const char *root, const char *relative);

G_END_DECLS
