/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-glob-index.h"
#include "cg-policy-private.h"

typedef struct {
  const char *pattern;
  gpointer value;
} GlobEntry;

/* A byte trie with first-child / next-sibling links: policies hold few globs with long
 * shared prefixes ("Head Unit …"), so a per-node table would cost more than it saves. */
typedef struct _GlobNode GlobNode;
struct _GlobNode {
  GlobNode *child;
  GlobNode *sibling;
  GArray *entries; /* GlobEntry; NULL until a pattern's prefix ends here */
  guchar byte;
};

struct _CgGlobIndex {
  GlobNode root;
};

CgGlobIndex *
cg_glob_index_new (void)
{
  return g_new0 (CgGlobIndex, 1);
}

static void
glob_node_clear (GlobNode *node)
{
  /* Iterative over siblings so a long chain cannot exhaust the stack. */
  GlobNode *child = node->child;

  while (child != NULL) {
    GlobNode *next = child->sibling;
    glob_node_clear (child);
    g_free (child);
    child = next;
  }
  g_clear_pointer (&node->entries, g_array_unref);
}

void
cg_glob_index_free (CgGlobIndex *index)
{
  if (index == NULL)
    return;
  glob_node_clear (&index->root);
  g_free (index);
}

static GlobNode *
glob_node_find_child (const GlobNode *node, guchar byte)
{
  for (GlobNode *child = node->child; child != NULL; child = child->sibling)
    if (child->byte == byte)
      return child;
  return NULL;
}

static GlobNode *
glob_node_get_child (GlobNode *node, guchar byte)
{
  GlobNode *child = glob_node_find_child (node, byte);

  if (child == NULL) {
    child = g_new0 (GlobNode, 1);
    child->byte = byte;
    child->sibling = node->child;
    node->child = child;
  }
  return child;
}

void
cg_glob_index_add (CgGlobIndex *index, const char *pattern, gpointer value)
{
  GlobNode *node = &index->root;
  GlobEntry entry = { pattern, value };

  for (const char *p = pattern; *p != '\0' && *p != '*' && *p != '?' && *p != '\\'; p++)
    node = glob_node_get_child (node, (guchar)*p);
  if (node->entries == NULL)
    node->entries = g_array_new (FALSE, FALSE, sizeof (GlobEntry));
  g_array_append_val (node->entries, entry);
}

gboolean
cg_glob_index_is_empty (const CgGlobIndex *index)
{
  return index->root.child == NULL && index->root.entries == NULL;
}

static void
glob_node_match (const GlobNode *node, const char *text, gsize len, CgGlobIndexFunc func,
                 gpointer user_data)
{
  if (node->entries == NULL)
    return;
  for (guint i = 0; i < node->entries->len; i++) {
    const GlobEntry *entry = &g_array_index (node->entries, GlobEntry, i);
    if (cg_glob_match (entry->pattern, text, len))
      func (entry->value, user_data);
  }
}

void
cg_glob_index_match (const CgGlobIndex *index, const char *text, gsize len, CgGlobIndexFunc func,
                     gpointer user_data)
{
  const GlobNode *node = &index->root;

  glob_node_match (node, text, len, func, user_data);
  for (gsize i = 0; i < len && node != NULL; i++) {
    node = glob_node_find_child (node, (guchar)text[i]);
    if (node != NULL)
      glob_node_match (node, text, len, func, user_data);
  }
}
