/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-diagnostic.h"

#include <string.h>

GQuark
cg_policy_error_quark (void)
{
  return g_quark_from_static_string ("cg-policy-error-quark");
}

static CgDiagnostic *diagnostic_new_valist (CgSeverity severity, const char *file, guint line,
                                            guint col, const char *fmt, va_list args)
    G_GNUC_PRINTF (5, 0);

static CgDiagnostic *
diagnostic_new_valist (CgSeverity severity, const char *file, guint line, guint col,
                       const char *fmt, va_list args)
{
  CgDiagnostic *d = g_new0 (CgDiagnostic, 1);

  d->file = g_strdup (file != NULL ? file : "<unknown>");
  d->line = line;
  d->col = col;
  d->message = g_strdup_vprintf (fmt, args);
  d->severity = severity;
  return d;
}

CgDiagnostic *
cg_diagnostic_new (const char *file, guint line, guint col, const char *fmt, ...)
{
  CgDiagnostic *d;
  va_list args;

  va_start (args, fmt);
  d = diagnostic_new_valist (CG_SEVERITY_ERROR, file, line, col, fmt, args);
  va_end (args);
  return d;
}

CgDiagnostic *
cg_diagnostic_new_warning (const char *file, guint line, guint col, const char *fmt, ...)
{
  CgDiagnostic *d;
  va_list args;

  va_start (args, fmt);
  d = diagnostic_new_valist (CG_SEVERITY_WARNING, file, line, col, fmt, args);
  va_end (args);
  return d;
}

void
cg_diagnostic_free (CgDiagnostic *d)
{
  if (d == NULL)
    return;
  g_free (d->file);
  g_free (d->message);
  g_free (d);
}

char *
cg_diagnostic_to_string (const CgDiagnostic *d)
{
  return g_strdup_printf ("%s:%u:%u: %s: %s", d->file, d->line, d->col,
                          d->severity == CG_SEVERITY_WARNING ? "warning" : "error", d->message);
}

GPtrArray *
cg_diagnostics_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)cg_diagnostic_free);
}

static int
compare_diagnostics (gconstpointer a, gconstpointer b)
{
  const CgDiagnostic *da = *(const CgDiagnostic *const *)a;
  const CgDiagnostic *db = *(const CgDiagnostic *const *)b;
  int by_file = strcmp (da->file, db->file);

  if (by_file != 0)
    return by_file;
  if (da->line != db->line)
    return da->line < db->line ? -1 : 1;
  if (da->col != db->col)
    return da->col < db->col ? -1 : 1;
  return 0;
}

void
cg_diagnostics_sort (GPtrArray *diagnostics)
{
  /* g_ptr_array_sort is a stable merge sort, so diagnostics at one place keep the
   * order they were found in. */
  g_ptr_array_sort (diagnostics, compare_diagnostics);
}

guint
cg_diagnostics_count_errors (GPtrArray *diagnostics)
{
  guint n = 0;

  for (guint i = 0; diagnostics != NULL && i < diagnostics->len; i++)
    n += ((const CgDiagnostic *)g_ptr_array_index (diagnostics, i))->severity == CG_SEVERITY_ERROR;
  return n;
}

void
cg_diagnostics_to_error (GPtrArray *diagnostics, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < diagnostics->len; i++) {
    const CgDiagnostic *d = g_ptr_array_index (diagnostics, i);
    g_autofree char *line = NULL;

    if (d->severity != CG_SEVERITY_ERROR)
      continue;
    line = cg_diagnostic_to_string (d);
    if (text->len > 0)
      g_string_append_c (text, '\n');
    g_string_append (text, line);
  }
  if (text->len == 0)
    g_string_append (text, "invalid policy");
  g_set_error_literal (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, text->str);
}
