/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-document-private.h"

#include <string.h>

struct _CgDocument {
  char *file;
  GPtrArray *lines; /* CgDocLine */
  gboolean final_newline;
};

static void
doc_line_free (CgDocLine *line)
{
  g_free (line->raw);
  g_free (line->name);
  g_free (line->value);
  g_free (line);
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c);
}

static gboolean
is_valid_name (const char *s, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_name_char (s[i]))
      return FALSE;
  return TRUE;
}

CgDocument *
cg_document_new_empty (const char *file)
{
  CgDocument *doc = g_new0 (CgDocument, 1);

  doc->file = g_strdup (file != NULL ? file : "<memory>");
  doc->lines = g_ptr_array_new_with_free_func ((GDestroyNotify)doc_line_free);
  doc->final_newline = TRUE;
  return doc;
}

void
cg_document_free (CgDocument *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->file);
  g_ptr_array_unref (doc->lines);
  g_free (doc);
}

const char *
cg_document_get_file (const CgDocument *doc)
{
  return doc->file;
}

guint
cg_document_get_n_lines (const CgDocument *doc)
{
  return doc->lines->len;
}

const CgDocLine *
cg_document_get_line (const CgDocument *doc, guint index)
{
  g_return_val_if_fail (index < doc->lines->len, NULL);
  return g_ptr_array_index (doc->lines, index);
}

typedef struct {
  const char *file;
  guint lineno;
  GPtrArray *diagnostics;
} LineSite;

static void
report (const LineSite *site, gsize offset, const char *message)
{
  if (site->diagnostics != NULL)
    g_ptr_array_add (site->diagnostics, cg_diagnostic_new (site->file, site->lineno,
                                                           (guint)offset + 1, "%s", message));
}

/* Checks the bytes of one line: no NUL, valid UTF-8, bounded length. */
static gboolean
check_line_bytes (const char *s, gsize len, const LineSite *site)
{
  const char *nul = memchr (s, '\0', len);
  const char *bad = NULL;

  if (nul != NULL) {
    report (site, nul - s, "NUL byte in policy file");
    return FALSE;
  }
  if (len > CG_DOCUMENT_MAX_LINE) {
    report (site, CG_DOCUMENT_MAX_LINE, "line longer than 4096 bytes");
    return FALSE;
  }
  if (!g_utf8_validate_len (s, len, &bad)) {
    report (site, bad - s, "invalid UTF-8");
    return FALSE;
  }
  return TRUE;
}

static gboolean
classify_section (CgDocLine *line, gsize start, gsize end, const LineSite *site)
{
  const char *raw = line->raw;
  gsize name_start = start + 1;
  gsize name_end;

  if (raw[end - 1] != ']') {
    report (site, end, "expected ']' at the end of the section header");
    return FALSE;
  }
  name_end = end - 1;
  if (!is_valid_name (raw + name_start, name_end - name_start)) {
    report (site, name_start, "invalid section name (letters and digits only)");
    return FALSE;
  }
  line->kind = CG_DOC_LINE_SECTION;
  line->name = g_strndup (raw + name_start, name_end - name_start);
  line->name_col = (guint)name_start + 1;
  return TRUE;
}

static gboolean
classify_key (CgDocLine *line, gsize start, gsize end, const LineSite *site)
{
  const char *raw = line->raw;
  const char *eq = memchr (raw + start, '=', end - start);
  gsize key_end, value_start;

  if (eq == NULL) {
    report (site, start, "expected 'Key=Value', '[Section]' or a comment");
    return FALSE;
  }
  key_end = eq - raw;
  while (key_end > start && is_blank (raw[key_end - 1]))
    key_end--;
  if (!is_valid_name (raw + start, key_end - start)) {
    report (site, start,
            key_end == start ? "missing key before '='"
                             : "invalid key name (letters and digits only)");
    return FALSE;
  }
  value_start = (eq - raw) + 1;
  while (value_start < end && is_blank (raw[value_start]))
    value_start++;
  line->kind = CG_DOC_LINE_KEY;
  line->name = g_strndup (raw + start, key_end - start);
  line->name_col = (guint)start + 1;
  line->value = g_strndup (raw + value_start, end - value_start);
  line->value_col = (guint)value_start + 1;
  return TRUE;
}

/* Fills in kind, name and value from raw; FALSE (with a diagnostic) on a syntax error. */
static gboolean
classify_line (CgDocLine *line, gboolean in_section, const LineSite *site)
{
  const char *raw = line->raw;
  gsize len = strlen (raw);
  gsize start = 0, end = len;

  while (start < len && is_blank (raw[start]))
    start++;
  while (end > start && is_blank (raw[end - 1]))
    end--;
  if (start == end) {
    line->kind = CG_DOC_LINE_BLANK;
    return TRUE;
  }
  if (raw[start] == '#' || raw[start] == ';') {
    line->kind = CG_DOC_LINE_COMMENT;
    return TRUE;
  }
  if (raw[start] == '[')
    return classify_section (line, start, end, site);
  if (!in_section) {
    report (site, start, "key outside of any section");
    return FALSE;
  }
  return classify_key (line, start, end, site);
}

CgDocument *
cg_document_parse (const char *file, const char *text, gsize len, GPtrArray *diagnostics)
{
  g_autoptr (CgDocument) doc = cg_document_new_empty (file);
  LineSite site = { doc->file, 0, diagnostics };
  gboolean ok = TRUE, in_section = FALSE;
  gsize pos = 0;

  doc->final_newline = len == 0 || text[len - 1] == '\n';
  while (pos < len) {
    const char *nl = memchr (text + pos, '\n', len - pos);
    gsize line_len = (nl != NULL ? (gsize)(nl - text) : len) - pos;
    CgDocLine *line;

    site.lineno++;
    if (!check_line_bytes (text + pos, line_len, &site)) {
      ok = FALSE;
      pos += line_len + 1;
      continue;
    }
    line = g_new0 (CgDocLine, 1);
    line->raw = g_strndup (text + pos, line_len);
    g_ptr_array_add (doc->lines, line);
    if (!classify_line (line, in_section, &site))
      ok = FALSE;
    else if (line->kind == CG_DOC_LINE_SECTION)
      in_section = TRUE;
    pos += line_len + 1;
  }
  return ok ? g_steal_pointer (&doc) : NULL;
}

char *
cg_document_to_data (const CgDocument *doc, gsize *len)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < doc->lines->len; i++) {
    const CgDocLine *line = g_ptr_array_index (doc->lines, i);
    g_string_append (out, line->raw);
    if (i + 1 < doc->lines->len || doc->final_newline)
      g_string_append_c (out, '\n');
  }
  if (len != NULL)
    *len = out->len;
  return g_string_free (out, FALSE);
}

/* The header line of the section_index-th section called section, and the line after
 * its last line. FALSE if there is no such section. */
static gboolean
find_section (const CgDocument *doc, const char *section, guint section_index, guint *header,
              guint *end)
{
  guint seen = 0;

  for (guint i = 0; i < doc->lines->len; i++) {
    const CgDocLine *line = g_ptr_array_index (doc->lines, i);
    if (line->kind != CG_DOC_LINE_SECTION || g_strcmp0 (line->name, section) != 0)
      continue;
    if (seen++ != section_index)
      continue;
    *header = i;
    for (*end = i + 1; *end < doc->lines->len; (*end)++) {
      const CgDocLine *next = g_ptr_array_index (doc->lines, *end);
      if (next->kind == CG_DOC_LINE_SECTION)
        break;
    }
    return TRUE;
  }
  return FALSE;
}

guint
cg_document_count_sections (const CgDocument *doc, const char *section)
{
  guint n = 0;

  for (guint i = 0; i < doc->lines->len; i++) {
    const CgDocLine *line = g_ptr_array_index (doc->lines, i);
    if (line->kind == CG_DOC_LINE_SECTION && g_strcmp0 (line->name, section) == 0)
      n++;
  }
  return n;
}

/* The line of the nth occurrence of key between header and end, or -1. */
static gint
find_nth_key (const CgDocument *doc, guint header, guint end, const char *key, guint nth)
{
  for (guint i = header + 1; i < end; i++) {
    const CgDocLine *line = g_ptr_array_index (doc->lines, i);
    if (line->kind == CG_DOC_LINE_KEY && strcmp (line->name, key) == 0 && nth-- == 0)
      return (gint)i;
  }
  return -1;
}

static gint
find_key (const CgDocument *doc, guint header, guint end, const char *key)
{
  return find_nth_key (doc, header, end, key, 0);
}

static CgDocLine *
new_line (const char *raw)
{
  CgDocLine *line = g_new0 (CgDocLine, 1);
  LineSite quiet = { "", 0, NULL };

  line->raw = g_strdup (raw);
  classify_line (line, TRUE, &quiet);
  return line;
}

guint
cg_document_add_section (CgDocument *doc, const char *section)
{
  g_autofree char *header = g_strdup_printf ("[%s]", section);

  if (doc->lines->len > 0) {
    const CgDocLine *last = g_ptr_array_index (doc->lines, doc->lines->len - 1);
    if (last->kind != CG_DOC_LINE_BLANK)
      g_ptr_array_add (doc->lines, new_line (""));
  }
  g_ptr_array_add (doc->lines, new_line (header));
  doc->final_newline = TRUE;
  return cg_document_count_sections (doc, section) - 1;
}

static void
set_no_section (const CgDocument *doc, const char *section, guint section_index, GError **error)
{
  g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "%s: no section [%s] #%u",
               doc->file, section, section_index);
}

static gboolean
line_is (const CgDocument *doc, guint index, CgDocLineKind kind)
{
  return index < doc->lines->len
         && ((const CgDocLine *)g_ptr_array_index (doc->lines, index))->kind == kind;
}

gboolean
cg_document_remove_section (CgDocument *doc, const char *section, guint section_index,
                            GError **error)
{
  guint header, end, first, last;

  if (!find_section (doc, section, section_index, &header, &end)) {
    set_no_section (doc, section, section_index, error);
    return FALSE;
  }
  for (first = header; first > 0 && line_is (doc, first - 1, CG_DOC_LINE_COMMENT); first--)
    ;
  last = header;
  for (guint i = header + 1; i < end; i++)
    if (line_is (doc, i, CG_DOC_LINE_KEY))
      last = i;
  g_ptr_array_remove_range (doc->lines, first, last - first + 1);
  /* The blank line that set the section apart goes with it, so none doubles up. */
  if (first > 0 && line_is (doc, first - 1, CG_DOC_LINE_BLANK)
      && (first == doc->lines->len || line_is (doc, first, CG_DOC_LINE_BLANK)))
    g_ptr_array_remove_index (doc->lines, first - 1);
  return TRUE;
}

static gboolean
check_edit (const char *section, const char *key, const char *value, GError **error)
{
  if (section == NULL || !is_valid_name (section, strlen (section))) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "invalid section name '%s'",
                 section != NULL ? section : "");
    return FALSE;
  }
  if (key == NULL || !is_valid_name (key, strlen (key))) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "invalid key name '%s'",
                 key != NULL ? key : "");
    return FALSE;
  }
  if (value != NULL && (strpbrk (value, "\n\r") != NULL || !g_utf8_validate (value, -1, NULL))) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID,
                 "the value for %s must be one line of valid UTF-8", key);
    return FALSE;
  }
  return TRUE;
}

/* Replaces the value of an existing key line, keeping "Key = " as it was written. */
static void
replace_value (CgDocLine *line, const char *value)
{
  g_autofree char *prefix = g_strndup (line->raw, line->value_col - 1);
  g_autofree char *raw = g_strconcat (prefix, value, NULL);

  g_free (line->raw);
  line->raw = g_steal_pointer (&raw);
  g_free (line->value);
  line->value = g_strdup (value);
}

static void
insert_key (CgDocument *doc, guint header, guint end, const char *key, const char *value)
{
  g_autofree char *raw = g_strconcat (key, "=", value, NULL);
  guint after = header;

  /* After the section's last key, so trailing comments that introduce the next
   * section stay with it. */
  for (guint i = header + 1; i < end; i++) {
    const CgDocLine *line = g_ptr_array_index (doc->lines, i);
    if (line->kind == CG_DOC_LINE_KEY)
      after = i;
  }
  g_ptr_array_insert (doc->lines, (gint)after + 1, new_line (raw));
  if (after + 1 == doc->lines->len - 1)
    doc->final_newline = TRUE;
}

gboolean
cg_document_set (CgDocument *doc, const char *section, guint section_index, const char *key,
                 const char *value, GError **error)
{
  g_autofree char *trimmed = NULL;
  guint header, end;
  gint existing;

  if (!check_edit (section, key, value, error))
    return FALSE;
  trimmed = g_strstrip (g_strdup (value != NULL ? value : ""));
  if (!find_section (doc, section, section_index, &header, &end)) {
    if (section_index != cg_document_count_sections (doc, section)) {
      set_no_section (doc, section, section_index, error);
      return FALSE;
    }
    cg_document_add_section (doc, section);
    find_section (doc, section, section_index, &header, &end);
  }
  existing = find_key (doc, header, end, key);
  if (existing < 0) {
    insert_key (doc, header, end, key, trimmed);
    return TRUE;
  }
  replace_value (g_ptr_array_index (doc->lines, existing), trimmed);
  for (gint later; (later = find_nth_key (doc, header, end, key, 1)) >= 0; end--)
    g_ptr_array_remove_index (doc->lines, later);
  return TRUE;
}

gboolean
cg_document_replace_nth (CgDocument *doc, const char *section, guint section_index, const char *key,
                         guint nth, const char *value, GError **error)
{
  g_autofree char *trimmed = NULL;
  guint header, end;
  gint line;

  if (!check_edit (section, key, value, error))
    return FALSE;
  if (!find_section (doc, section, section_index, &header, &end)
      || (line = find_nth_key (doc, header, end, key, nth)) < 0) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "%s: [%s] has no line %u of %s",
                 doc->file, section, nth + 1, key);
    return FALSE;
  }
  if (value == NULL) {
    g_ptr_array_remove_index (doc->lines, (guint)line);
    return TRUE;
  }
  trimmed = g_strstrip (g_strdup (value));
  replace_value (g_ptr_array_index (doc->lines, line), trimmed);
  return TRUE;
}

gboolean
cg_document_append (CgDocument *doc, const char *section, guint section_index, const char *key,
                    const char *value, GError **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *raw = NULL;
  guint header, end, after;
  gboolean has_key;

  if (!check_edit (section, key, value, error))
    return FALSE;
  if (!find_section (doc, section, section_index, &header, &end))
    return cg_document_set (doc, section, section_index, key, value, error);
  trimmed = g_strstrip (g_strdup (value != NULL ? value : ""));
  has_key = find_key (doc, header, end, key) >= 0;
  after = header;
  for (guint i = header + 1; i < end; i++) {
    const CgDocLine *line = g_ptr_array_index (doc->lines, i);
    /* After the key's last line, else after the section's last key. */
    if (line->kind == CG_DOC_LINE_KEY && (!has_key || strcmp (line->name, key) == 0))
      after = i;
  }
  raw = g_strconcat (key, "=", trimmed, NULL);
  g_ptr_array_insert (doc->lines, (gint)after + 1, new_line (raw));
  if (after + 1 == doc->lines->len - 1)
    doc->final_newline = TRUE;
  return TRUE;
}

gboolean
cg_document_unset (CgDocument *doc, const char *section, guint section_index, const char *key,
                   GError **error)
{
  guint header, end;
  gint existing;
  gboolean removed = FALSE;

  if (!check_edit (section, key, NULL, error))
    return FALSE;
  if (find_section (doc, section, section_index, &header, &end)) {
    while ((existing = find_key (doc, header, end, key)) >= 0) {
      g_ptr_array_remove_index (doc->lines, existing);
      end--;
      removed = TRUE;
    }
  }
  if (!removed) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "%s: [%s] has no key %s",
                 doc->file, section, key);
    return FALSE;
  }
  return TRUE;
}

const char *
cg_document_get (const CgDocument *doc, const char *section, guint section_index, const char *key)
{
  guint header, end;
  gint existing;

  if (section == NULL || key == NULL || !find_section (doc, section, section_index, &header, &end))
    return NULL;
  existing = find_key (doc, header, end, key);
  if (existing < 0)
    return NULL;
  return ((const CgDocLine *)g_ptr_array_index (doc->lines, existing))->value;
}

void
cg_document_iter_init (CgDocumentIter *iter, const CgDocument *doc)
{
  *iter = (CgDocumentIter){ .doc = doc, .line = 0, .section = NULL };
}

gboolean
cg_document_iter_next (CgDocumentIter *iter, const char **section, const char **key,
                       const char **value)
{
  while (iter->line < iter->doc->lines->len) {
    const CgDocLine *line = g_ptr_array_index (iter->doc->lines, iter->line++);

    if (line->kind == CG_DOC_LINE_SECTION)
      iter->section = line->name;
    else if (line->kind != CG_DOC_LINE_KEY)
      continue;
    if (section != NULL)
      *section = iter->section;
    if (key != NULL)
      *key = line->kind == CG_DOC_LINE_KEY ? line->name : NULL;
    if (value != NULL)
      *value = line->kind == CG_DOC_LINE_KEY ? line->value : NULL;
    return TRUE;
  }
  return FALSE;
}
