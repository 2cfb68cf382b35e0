/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cg-document.h"

G_BEGIN_DECLS

/* The longest line a policy file may hold, in bytes without the newline. */
#define CG_DOCUMENT_MAX_LINE 4096

typedef enum {
  CG_DOC_LINE_BLANK,
  CG_DOC_LINE_COMMENT,
  CG_DOC_LINE_SECTION,
  CG_DOC_LINE_KEY,
} CgDocLineKind;

/* One line as written plus where its parts are; the loader walks these. */
typedef struct {
  CgDocLineKind kind;
  char *raw;      /* as written, without the newline */
  char *name;     /* section or key name; NULL for blank and comment lines */
  char *value;    /* key lines: the value, whitespace trimmed */
  guint name_col; /* 1-based byte columns */
  guint value_col;
} CgDocLine;

guint cg_document_get_n_lines (const CgDocument *doc);
/* index is 0-based; the line number is index + 1. */
const CgDocLine *cg_document_get_line (const CgDocument *doc, guint index);

G_END_DECLS
