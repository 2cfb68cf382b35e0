/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One side of a diff: the text and what the diff calls it ("/dev/null" when absent). */
typedef struct {
  const char *label;
  const char *text; /* NULL: absent, an empty side */
  gsize len;
} CliDiffSide;

/* Prints a unified diff from one text to the other on stdout, as `diff -u` (diffutils,
 * which Debian never lacks) writes it: the format every reviewer and patch(1) reads.
 * *differ says whether the texts differ. */
gboolean cli_diff_print (const CliDiffSide *from, const CliDiffSide *to, gboolean *differ,
                         GError **error);

G_END_DECLS
