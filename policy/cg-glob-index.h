/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Globs filed under their literal prefix (the bytes before the first '*', '?' or '\'),
 * so matching a text visits only the globs whose fixed beginning the text starts with,
 * never every glob of the policy. */
typedef struct _CgGlobIndex CgGlobIndex;

typedef void (*CgGlobIndexFunc) (gpointer value, gpointer user_data);

CgGlobIndex *cg_glob_index_new (void);
void cg_glob_index_free (CgGlobIndex *index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgGlobIndex, cg_glob_index_free)

/* pattern must outlive the index. */
void cg_glob_index_add (CgGlobIndex *index, const char *pattern, gpointer value);
gboolean cg_glob_index_is_empty (const CgGlobIndex *index);
/* Calls func, in the order they were added along the prefix path, for every value
 * whose pattern matches the first len bytes of text. */
void cg_glob_index_match (const CgGlobIndex *index, const char *text, gsize len,
                          CgGlobIndexFunc func, gpointer user_data);

G_END_DECLS
