/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cg-diagnostic.h"
#include "cg-hwdb.h"
#include "cg-sanitize.h"
#include "cli-output.h"
#include "cmd-policy.h"

/* The [Match] keys an import fills, each with the items found for it in order. */
typedef struct {
  GPtrArray *keys;     /* char *: the keys in the order they were first found */
  GHashTable *items;   /* key -> GPtrArray of char *: items as written */
  GHashTable *matched; /* hwdb organisation name -> number of identifiers */
  char *const *globs;
} Import;

static void
import_clear (Import *import)
{
  g_clear_pointer (&import->keys, g_ptr_array_unref);
  g_clear_pointer (&import->items, g_hash_table_unref);
  g_clear_pointer (&import->matched, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Import, import_clear)

static void
import_init (Import *import, char *const *globs)
{
  import->keys = g_ptr_array_new_with_free_func (g_free);
  import->items
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  import->matched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import->globs = globs;
}

static void
import_add (Import *import, const char *key, const char *item)
{
  GPtrArray *items = g_hash_table_lookup (import->items, key);

  if (items == NULL) {
    items = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_insert (import->items, g_strdup (key), items);
    g_ptr_array_add (import->keys, g_strdup (key));
  }
  g_ptr_array_add (items, g_strdup (item));
}

/* ---- from the hwdb: organisation names ---- */

/* "OUI:78D4F14*" -> "78:D4:F1:4": the hwdb's 6, 7 or 9 hex digits of an IEEE block. */
static char *
oui_from_match (const char *match)
{
  const char *hex = match + strlen ("OUI:");
  gsize n = strcspn (hex, "*");
  GString *oui;

  if (!g_str_has_prefix (match, "OUI:") || (n != 6 && n != 7 && n != 9) || hex[n] != '*'
      || hex[n + 1] != '\0')
    return NULL;
  oui = g_string_new (NULL);
  for (gsize i = 0; i < n; i++) {
    if (!g_ascii_isxdigit (hex[i])) {
      g_string_free (oui, TRUE);
      return NULL;
    }
    if (i > 0 && i % 2 == 0)
      g_string_append_c (oui, ':');
    g_string_append_c (oui, g_ascii_toupper (hex[i]));
  }
  return g_string_free (oui, FALSE);
}

/* "usb:v1D6B*" -> "1d6b", "bluetooth:v0C34*" -> "0C34": a vendor's own entry, not a
 * product's ("usb:v1D6Bp0104*"). */
static char *
vendor_from_match (const char *match, const char *prefix)
{
  const char *hex = match + strlen (prefix);

  if (!g_str_has_prefix (match, prefix) || strlen (hex) != 5 || hex[4] != '*')
    return NULL;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isxdigit (hex[i]))
      return NULL;
  return g_strndup (hex, 4);
}

static gboolean
import_wants (const Import *import, const char *organization)
{
  for (guint i = 0; import->globs[i] != NULL; i++)
    if (cg_glob_match (import->globs[i], organization, strlen (organization)))
      return TRUE;
  return FALSE;
}

static void
import_on_hwdb_entry (const char *match, const char *key, const char *value, gpointer user_data)
{
  Import *import = user_data;
  g_autofree char *oui = NULL;
  g_autofree char *usb = NULL;
  g_autofree char *company = NULL;

  if (!import_wants (import, value))
    return;
  if (g_str_equal (key, "ID_OUI_FROM_DATABASE") && (oui = oui_from_match (match)) != NULL) {
    import_add (import, "BluetoothOUI", oui);
  } else if (g_str_equal (key, "ID_VENDOR_FROM_DATABASE")
             && (usb = vendor_from_match (match, "usb:v")) != NULL) {
    g_autofree char *lower = g_ascii_strdown (usb, -1);
    import_add (import, "USB", lower);
  } else if (g_str_equal (key, "ID_VENDOR_FROM_DATABASE")
             && (company = vendor_from_match (match, "bluetooth:v")) != NULL) {
    g_autofree char *device_id = g_strconcat ("bluetooth:v", company, NULL);
    import_add (import, "DeviceID", device_id);
  } else {
    return;
  }
  g_hash_table_insert (
      import->matched, g_strdup (value),
      GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (import->matched, value)) + 1));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The organisations a glob caught, for the admin to spot a look-alike ("SAIC*" also
 * catches "SAIC IDEAS GROUP"). Names are the hwdb's, printed sanitised. */
static void
print_matched (const Import *import)
{
  g_autofree const char **names = NULL;
  guint n = 0;

  names = (const char **)g_hash_table_get_keys_as_array (import->matched, &n);
  qsort (names, n, sizeof (char *), compare_strings);
  fprintf (stderr, "carguard: the hwdb names %u organisation%s matching:\n", n, n == 1 ? "" : "s");
  for (guint i = 0; i < n; i++) {
    g_autofree char *safe = cg_sanitize_string (names[i], 256);
    guint count = GPOINTER_TO_UINT (g_hash_table_lookup (import->matched, names[i]));
    fprintf (stderr, "  \"%s\": %u identifier%s\n", safe, count, count == 1 ? "" : "s");
  }
}

static gboolean
import_from_hwdb (Import *import, const char *root, const char *hwdb_dir, GError **error)
{
  if (!cg_hwdb_foreach_source_entry (root, hwdb_dir, import_on_hwdb_entry, import, error))
    return FALSE;
  print_matched (import);
  if (g_hash_table_size (import->matched) == 0) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND,
                 "no organisation in the hwdb matches; globs are case-sensitive and match the "
                 "whole name (\"BYD*\", not \"byd\")");
    return FALSE;
  }
  return TRUE;
}

/* ---- from a file of identifiers ---- */

/* A bare identifier's key: an OUI, a Device ID, a USB VID[:PID], whichever it reads as. */
static const char *
identifier_key (const char *text)
{
  static const char *const keys[] = { "BluetoothOUI", "DeviceID", "USB" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
    g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
    if (cg_schema_check_value (FALSE, "Match", keys[i], text, diagnostics))
      return keys[i];
  }
  return NULL;
}

static void report_at (GPtrArray *diagnostics, const char *file, guint line, const char *start,
                       const char *at, const char *fmt, ...) G_GNUC_PRINTF (6, 7);

static void
report_at (GPtrArray *diagnostics, const char *file, guint line, const char *start, const char *at,
           const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_ptr_array_add (diagnostics,
                   cg_diagnostic_new (file, line, (guint)(at - start) + 1, "%s", message));
}

/* "KEY=VALUE" for any [Match] key, as a vendor file writes it. */
static void
import_assignment (Import *import, const char *file, guint lineno, const char *line,
                   const char *text, GPtrArray *diagnostics)
{
  const char *equals = strchr (text, '=');
  g_autofree char *key = g_strstrip (g_strndup (text, equals - text));
  g_autofree char *value = g_strstrip (g_strdup (equals + 1));
  g_autoptr (GPtrArray) problems = cg_diagnostics_new ();

  if (!cg_schema_check_value (FALSE, "Match", key, value, problems)) {
    const CgDiagnostic *first = g_ptr_array_index (problems, 0);
    report_at (diagnostics, file, lineno, line, text, "%s", first->message);
    return;
  }
  import_add (import, key, value);
}

static void
import_line (Import *import, const char *file, guint lineno, char *line, GPtrArray *diagnostics)
{
  g_auto (GStrv) words = NULL;
  const char *text = line;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0' || *text == '#' || *text == ';')
    return;
  if (strchr (text, '=') != NULL) {
    import_assignment (import, file, lineno, line, text, diagnostics);
    return;
  }
  words = g_strsplit_set (text, " \t", -1);
  for (guint i = 0; words[i] != NULL; i++) {
    const char *key;

    if (*words[i] == '\0')
      continue;
    key = identifier_key (words[i]);
    if (key == NULL)
      report_at (diagnostics, file, lineno, line, strstr (text, words[i]),
                 "'%s' is no identifier carguard reads (an OUI, a DeviceID, a USB VID[:PID]); "
                 "write KEY=VALUE for the other [Match] keys",
                 words[i]);
    else
      import_add (import, key, words[i]);
  }
}

static gboolean
import_from_file (Import *import, const char *file, GPtrArray *diagnostics, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint before = diagnostics->len;

  if (!g_file_get_contents (file, &text, NULL, error))
    return FALSE;
  if (!g_utf8_validate (text, -1, NULL)) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "%s is not UTF-8 text", file);
    return FALSE;
  }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    import_line (import, file, i + 1, g_strchomp (lines[i]), diagnostics);
  if (diagnostics->len > before) {
    cg_diagnostics_to_error (diagnostics, error);
    return FALSE;
  }
  return TRUE;
}

/* ---- into the vendor file ---- */

static gboolean
import_into (CgPolicyEdit *edit, const Import *import, GError **error)
{
  guint added = 0, found = 0;
  g_autoptr (GString) by_key = g_string_new (NULL);

  for (guint i = 0; i < import->keys->len; i++) {
    const char *key = g_ptr_array_index (import->keys, i);
    GPtrArray *items = g_hash_table_lookup (import->items, key);
    g_autofree char *value = NULL;
    guint n = 0;

    g_ptr_array_add (items, NULL);
    value = g_strjoinv (" ", (char **)items->pdata);
    g_ptr_array_remove_index (items, items->len - 1);
    if (!cg_policy_edit_list_add (edit, key, value, &n, error))
      return FALSE;
    added += n;
    found += items->len;
    g_string_append_printf (by_key, "%s%s %u", by_key->len > 0 ? ", " : "", key, n);
  }
  fprintf (stderr, "carguard: %u identifier%s to add to %s (%s); %u listed already\n", added,
           added == 1 ? "" : "s", edit->admin_path, by_key->str, found - added);
  return TRUE;
}

static const char import_description[]
    = "--organization takes globs on the organisation names of the hwdb's sources\n"
      "(/usr/lib/udev/hwdb.d and /etc/udev/hwdb.d below --root, or --hwdb-dir): the IEEE\n"
      "blocks of every size (BluetoothOUI=), USB vendor ids (USB=) and Bluetooth SIG\n"
      "company ids (DeviceID=bluetooth:vXXXX) registered to a matching name. Globs are\n"
      "case-sensitive and match the whole name: \"BYD COMPANY LIMITED\" exactly, \"BYD *\"\n"
      "for names starting so. Every organisation caught is listed, so that a look-alike\n"
      "(\"SAIC*\" catches \"SAIC IDEAS GROUP\") shows before it is written.\n"
      "\n"
      "--from reads a file of identifiers: OUIs, DeviceIDs and USB VID[:PID]s separated by\n"
      "whitespace, or KEY=VALUE lines for any [Match] key; '#' starts a comment line.\n"
      "\n"
      "Identifiers the vendor lists already are skipped; the others go on new lines of\n"
      "[Match], the file's other lines untouched. A vendor that does not exist yet is\n"
      "added. The whole policy is checked before anything is written; --dry-run prints\n"
      "the change as a unified diff instead.";

static int
run_import (CliGlobals *globals, const char *vendor_id, Import *import, gboolean dry_run)
{
  g_auto (CgPolicyEdit) edit = { NULL };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;

  if (!cg_policy_edit_begin (&edit, globals->root, vendor_id, diagnostics, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  if (edit.doc == NULL) {
    cg_policy_edit_start_empty (&edit);
    if (!cg_document_set (edit.doc, "Vendor", 0, "Name", vendor_id, &error))
      return cmd_policy_edit_failed (diagnostics, error);
  }
  if (!import_into (&edit, import, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  return cmd_policy_edit_finish (&edit, dry_run, diagnostics);
}

int
cmd_policy_import (CliGlobals *globals, int argc, char **argv)
{
  g_auto (GStrv) organizations = NULL;
  g_auto (GStrv) files = NULL;
  g_autofree char *hwdb_dir = NULL;
  gboolean dry_run = FALSE;
  const GOptionEntry entries[] = {
    { "organization", 0, 0, G_OPTION_ARG_STRING_ARRAY, &organizations,
      "Import what the hwdb registers to organisations matching GLOB (may repeat)", "GLOB" },
    { "from", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
      "Import the identifiers listed in FILE (may repeat)", "FILE" },
    { "hwdb-dir", 0, 0, G_OPTION_ARG_FILENAME, &hwdb_dir, "Read the hwdb's *.hwdb sources from DIR",
      "DIR" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the change as a diff; write nothing",
      NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "VENDOR",
      "Fill a vendor's [Match] with identifiers from the hwdb's organisation names or from "
      "a file.",
      entries);
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_auto (Import) import = { NULL };

  g_option_context_set_description (context, import_description);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 2)
    return cli_usage_error (g_get_prgname (), "expected one VENDOR");
  if (!cg_vendor_id_is_valid (argv[1]))
    return cli_usage_error (g_get_prgname (),
                            "'%s' is not a vendor id ([A-Za-z0-9][A-Za-z0-9_.-]*)", argv[1]);
  if (organizations == NULL && files == NULL)
    return cli_usage_error (g_get_prgname (), "nothing to import: give --organization or --from");
  import_init (&import, organizations != NULL ? organizations : (char *[]){ NULL });
  if (organizations != NULL && !import_from_hwdb (&import, globals->root, hwdb_dir, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    if (!import_from_file (&import, files[i], diagnostics, &error))
      return cmd_policy_edit_failed (diagnostics, error);
  return run_import (globals, argv[1], &import, dry_run);
}
