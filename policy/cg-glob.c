/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-policy-private.h"

/* Iterative matcher that remembers only the last '*': on a mismatch it retries from
 * there one byte further, so the work is bounded by len(pattern) * len(text) and no
 * pattern can make it backtrack exponentially. */
gboolean
cg_glob_match (const char *pattern, const char *text, gsize text_len)
{
  gsize p = 0, t = 0;
  gsize star_p = 0, star_t = 0;
  gboolean have_star = FALSE;

  while (t < text_len) {
    char want = pattern[p];
    gsize step = 1;

    if (want == '*') {
      have_star = TRUE;
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (want == '\\' && pattern[p + 1] != '\0') {
      want = pattern[p + 1];
      step = 2;
    } else if (want == '?') {
      p++;
      t++;
      continue;
    }
    if (want != '\0' && want == text[t]) {
      p += step;
      t++;
      continue;
    }
    if (!have_star)
      return FALSE;
    p = star_p;
    t = ++star_t;
  }
  while (pattern[p] == '*')
    p++;
  return pattern[p] == '\0';
}
