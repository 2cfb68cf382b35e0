/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-sanitize.h"

#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Characters that could move the cursor, end a log line or reorder text on screen
 * (bidi overrides make "evil\u202Efdp.exe" read differently than it is). */
static gboolean
is_unsafe (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);
  return type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT || type == G_UNICODE_LINE_SEPARATOR
         || type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

char *
cg_sanitize_string (const char *s, gsize max_bytes)
{
  GString *out = g_string_new (NULL);
  const char *p = s;

  /* Walks at most until the output is full, so a huge input costs nothing extra. */
  while (p != NULL && *p != '\0') {
    gsize avail = strnlen (p, 4);
    gunichar c = g_utf8_get_char_validated (p, (gssize)avail);
    const char *piece = REPLACEMENT;
    gsize piece_len = strlen (REPLACEMENT);
    gsize advance = 1;

    if (c != (gunichar)-1 && c != (gunichar)-2) {
      advance = (gsize)(g_utf8_next_char (p) - p);
      if (!is_unsafe (c)) {
        piece = p;
        piece_len = advance;
      }
    }
    if (out->len + piece_len > max_bytes)
      break;
    g_string_append_len (out, piece, (gssize)piece_len);
    p += advance;
  }
  return g_string_free (out, FALSE);
}
