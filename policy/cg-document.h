/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "cg-diagnostic.h"

G_BEGIN_DECLS

/* A policy file as text: every line kept as written (comments, blank lines, order,
 * spacing), plus where its sections, keys and values are. The parser reads it;
 * the editor changes single lines so untouched lines stay byte-for-byte. */
typedef struct _CgDocument CgDocument;

/* Syntax only (sections, key=value, comments, no NUL, valid UTF-8, line length);
 * appends diagnostics and returns NULL on error. */
CgDocument *cg_document_parse (const char *file, const char *text, gsize len,
                               GPtrArray *diagnostics);
CgDocument *cg_document_new_empty (const char *file);
void cg_document_free (CgDocument *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgDocument, cg_document_free)

char *cg_document_to_data (const CgDocument *doc, gsize *len);
const char *cg_document_get_file (const CgDocument *doc);

/* Edits. section names the first section of that name (repeatable sections such as
 * [Device] are addressed by section_index, 0-based among those of that name).
 * cg_document_set gives the key one line, the first it had: later lines of a repeated
 * (list) key go. */
gboolean cg_document_set (CgDocument *doc, const char *section, guint section_index,
                          const char *key, const char *value, GError **error);
/* A list key's lines, which may repeat (policy/FORMAT.md; read them with the iterator
 * below): replacing the value of the nth (0-based, file order; value != NULL) or removing
 * that line alone (value NULL), and one more line after the key's last (after the
 * section's last key if it has none; the section is added if missing). */
gboolean cg_document_replace_nth (CgDocument *doc, const char *section, guint section_index,
                                  const char *key, guint nth, const char *value, GError **error);
gboolean cg_document_append (CgDocument *doc, const char *section, guint section_index,
                             const char *key, const char *value, GError **error);
gboolean cg_document_unset (CgDocument *doc, const char *section, guint section_index,
                            const char *key, GError **error);
/* Appends a new section at the end; returns its section_index. */
guint cg_document_add_section (CgDocument *doc, const char *section);
/* Removes a section: the comments right above its header, its keys and the comments
 * between them. Comments after its last key stay, for they introduce what follows. */
gboolean cg_document_remove_section (CgDocument *doc, const char *section, guint section_index,
                                     GError **error);
const char *cg_document_get (const CgDocument *doc, const char *section, guint section_index,
                             const char *key);
guint cg_document_count_sections (const CgDocument *doc, const char *section);

/* A walk over the section headers and key lines in file order (blank lines and
 * comments are skipped):
 *   CgDocumentIter iter;
 *   cg_document_iter_init (&iter, doc);
 *   while (cg_document_iter_next (&iter, &section, &key, &value))
 * On a section header key and value are NULL; any of the three may be NULL when not
 * wanted. The strings are the document's, valid until it changes. */
typedef struct {
  const CgDocument *doc;
  guint line;
  const char *section;
} CgDocumentIter;

void cg_document_iter_init (CgDocumentIter *iter, const CgDocument *doc);
gboolean cg_document_iter_next (CgDocumentIter *iter, const char **section, const char **key,
                                const char **value);

/* Schema: which section a key belongs to in a vendor file or carguard.conf, so the CLI
 * can accept bare KEY=VALUE. NULL if unknown. */
const char *cg_schema_section_for_key (gboolean main_file, const char *key);
/* Validates one value for a key without a file around it; appends diagnostics with
 * file "<command line>" and column in the value. */
gboolean cg_schema_check_value (gboolean main_file, const char *section, const char *key,
                                const char *value, GPtrArray *diagnostics);

G_END_DECLS
