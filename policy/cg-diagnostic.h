/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CG_POLICY_ERROR (cg_policy_error_quark ())
GQuark cg_policy_error_quark (void);

typedef enum {
  CG_POLICY_ERROR_INVALID,   /* one or more diagnostics; see the CgDiagnostics */
  CG_POLICY_ERROR_NOT_FOUND, /* no such vendor, key or file */
  CG_POLICY_ERROR_SHIPPED,   /* refusing to write below /usr/lib */
  CG_POLICY_ERROR_IO,
} CgPolicyError;

/* An error makes a policy unusable; a warning is printed and changes nothing. */
typedef enum {
  CG_SEVERITY_ERROR,
  CG_SEVERITY_WARNING,
} CgSeverity;

/* One problem in a policy file, printed as "FILE:LINE:COL: error: MESSAGE" (or
 * "warning:"). LINE and COL are 1-based; COL counts bytes, as GCC does. */
typedef struct {
  char *file;
  guint line;
  guint col;
  char *message;
  CgSeverity severity;
} CgDiagnostic;

CgDiagnostic *cg_diagnostic_new (const char *file, guint line, guint col, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);
CgDiagnostic *cg_diagnostic_new_warning (const char *file, guint line, guint col, const char *fmt,
                                         ...) G_GNUC_PRINTF (4, 5);
void cg_diagnostic_free (CgDiagnostic *d);
char *cg_diagnostic_to_string (const CgDiagnostic *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgDiagnostic, cg_diagnostic_free)

/* An ordered list of diagnostics (GPtrArray of CgDiagnostic, freeing them). */
GPtrArray *cg_diagnostics_new (void);
/* Sorts by file, line, col so output is stable whatever order they were found in. */
void cg_diagnostics_sort (GPtrArray *diagnostics);
/* How many of the diagnostics are errors. */
guint cg_diagnostics_count_errors (GPtrArray *diagnostics);
/* Sets CG_POLICY_ERROR_INVALID with every error, one per line, as the message. */
void cg_diagnostics_to_error (GPtrArray *diagnostics, GError **error);

G_END_DECLS
