/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-document-private.h"
#include "cg-policy-private.h"

#include <string.h>

#define MAX_KEYS_PER_SECTION 16

static void
policy_match_clear (CgPolicyMatch *match)
{
  cg_match_item_clear (&match->item);
  g_clear_pointer (&match->value, g_free);
}

static void
policy_device_clear (CgPolicyDevice *device)
{
  cg_grant_spec_clear (&device->spec);
}

void
cg_policy_file_free (CgPolicyFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file->digest);
  g_free (file->vendor_id);
  g_free (file->name);
  g_ptr_array_unref (file->diagnostics);
  cg_grant_spec_clear (&file->default_spec);
  cg_grant_spec_clear (&file->car_spec);
  cg_grant_spec_clear (&file->vendor_spec);
  cg_grant_spec_clear (&file->policy_spec);
  g_array_unref (file->matches);
  g_array_unref (file->devices);
  g_clear_pointer (&file->settings, g_hash_table_unref);
  g_clear_pointer (&file->setting_sections, g_hash_table_unref);
  g_free (file);
}

gboolean
cg_vendor_id_is_valid (const char *id)
{
  if (id == NULL || !g_ascii_isalnum (id[0]))
    return FALSE;
  for (const char *c = id; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '_' && *c != '.' && *c != '-')
      return FALSE;
  return TRUE;
}

char *
cg_policy_vendor_id_from_name (const char *basename)
{
  gsize len = strlen (basename);

  if (g_str_has_suffix (basename, ".conf"))
    len -= strlen (".conf");
  g_autofree char *id = g_strndup (basename, len);

  return cg_vendor_id_is_valid (id) ? g_steal_pointer (&id) : NULL;
}

/* The section being read: which one, and the keys it has had so far. */
typedef struct {
  const char *name; /* NULL before the first section and inside unknown ones */
  CgGrantSpec *grant;
  gint device;
  guint n_keys;
  const char *keys[MAX_KEYS_PER_SECTION];
  guint key_lines[MAX_KEYS_PER_SECTION];
} SectionState;

static void report (CgPolicyFile *file, guint line, guint col, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);

static void
report (CgPolicyFile *file, guint line, guint col, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_ptr_array_add (file->diagnostics, cg_diagnostic_new (file->path, line, col, "%s", message));
}

static void warn (CgPolicyFile *file, guint line, guint col, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);

static void
warn (CgPolicyFile *file, guint line, guint col, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_ptr_array_add (file->diagnostics,
                   cg_diagnostic_new_warning (file->path, line, col, "%s", message));
}

/* carguard.conf: [Default], [CarDefault] and [VendorDefault] hold grants, the daemon's sections
 * ([USBGadget], [USBHost]) hold settings. FALSE if the section is repeated. */
static gboolean
open_main_section (CgPolicyFile *file, SectionState *state, const char *name, guint lineno)
{
  const struct {
    const char *name;
    CgGrantSpec *spec;
    guint *line;
  } grants[] = {
    { "Default", &file->default_spec, &file->default_line },
    { "CarDefault", &file->car_spec, &file->car_line },
    { "VendorDefault", &file->vendor_spec, &file->vendor_line },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (grants); i++) {
    if (strcmp (name, grants[i].name) != 0)
      continue;
    if (*grants[i].line != 0)
      return FALSE;
    *grants[i].line = lineno;
    state->grant = grants[i].spec;
    return TRUE;
  }
  return g_hash_table_add (file->setting_sections, g_strdup (name));
}

/* Starts a section; FALSE (reported) if it is unknown or repeated. */
static gboolean
open_section (CgPolicyFile *file, SectionState *state, const CgDocLine *line, guint lineno,
              gboolean *seen_vendor)
{
  memset (state, 0, sizeof (*state));
  state->device = -1;
  if (!cg_schema_section_known (file->main_file, line->name)) {
    report (file, lineno, line->name_col, "unknown section [%s]", line->name);
    return FALSE;
  }
  if (file->main_file) {
    if (!open_main_section (file, state, line->name, lineno))
      goto repeated;
  } else if (strcmp (line->name, "Device") == 0) {
    CgPolicyDevice device = { .line = lineno };
    g_array_append_val (file->devices, device);
    state->device = (gint)file->devices->len - 1;
    state->grant = &g_array_index (file->devices, CgPolicyDevice, state->device).spec;
  } else if (strcmp (line->name, "Policy") == 0) {
    state->grant = file->policy_line == 0 ? &file->policy_spec : NULL;
    file->policy_line = file->policy_line == 0 ? lineno : file->policy_line;
    if (state->grant == NULL)
      goto repeated;
  } else if (strcmp (line->name, "Vendor") == 0 || strcmp (line->name, "Match") == 0) {
    gboolean *seen = strcmp (line->name, "Vendor") == 0 ? &seen_vendor[0] : &seen_vendor[1];
    if (*seen)
      goto repeated;
    *seen = TRUE;
  }
  state->name = line->name;
  return TRUE;

repeated:
  report (file, lineno, line->name_col, "duplicate section [%s]", line->name);
  return FALSE;
}

/* FALSE (reported) if key already appeared in this section. */
static gboolean
note_key (CgPolicyFile *file, SectionState *state, const CgDocLine *line, guint lineno)
{
  for (guint i = 0; i < state->n_keys; i++) {
    if (strcmp (state->keys[i], line->name) == 0) {
      report (file, lineno, line->name_col, "duplicate key '%s' (first set on line %u)", line->name,
              state->key_lines[i]);
      return FALSE;
    }
  }
  if (state->n_keys < MAX_KEYS_PER_SECTION) {
    state->keys[state->n_keys] = line->name;
    state->key_lines[state->n_keys++] = lineno;
  }
  return TRUE;
}

/* "Name="BYD*" # their cars": the glob list is "BYD*", "#", "their", "cars". */
static void
warn_about_hash (CgPolicyFile *file, const CgDocLine *line, GArray *parsed, const CgValueSite *site)
{
  for (guint i = 0; i < parsed->len; i++) {
    const CgListItem *item = &g_array_index (parsed, CgParsedMatch, i).list;

    if (item->text[0] == '#' && line->value[item->offset] != '"') {
      warn (file, site->line, site->col + (guint)item->offset,
            "'#' starts a list item here, not a comment: it and the words after it are "
            "matched; a comment starts a line");
      return;
    }
  }
}

/* Each item is split and parsed once: with thousands of identifiers a vendor, this is
 * most of a load. A line with an invalid item adds none of its items. */
static void
add_matches (CgPolicyFile *file, const SectionState *state, const CgSchemaKey *key,
             const CgDocLine *line, const CgValueSite *site)
{
  g_autoptr (GArray) parsed = cg_schema_parse_matches (key, line->value, site);

  if (parsed == NULL)
    return;
  if (file->flags & CG_POLICY_LOAD_STRICT)
    warn_about_hash (file, line, parsed, site);
  for (guint i = 0; i < parsed->len; i++) {
    CgParsedMatch *item = &g_array_index (parsed, CgParsedMatch, i);
    CgPolicyMatch match = { .key = key->key, .line = site->line, .device = state->device };

    match.item = item->item;
    memset (&item->item, 0, sizeof (item->item));
    /* Rules show the value as written: a serial's raw bytes stay escaped. */
    match.value = cg_schema_item_needs_escape (item->list.text)
                      ? cg_schema_quote_item (item->list.text)
                      : g_steal_pointer (&item->list.text);
    match.col = site->col + (guint)item->list.offset;
    g_array_append_val (file->matches, match);
  }
}

/* Forgets what the section's earlier lines of key listed. */
static void
reset_matches (CgPolicyFile *file, const SectionState *state, const CgSchemaKey *key)
{
  guint kept = 0;

  for (guint i = 0; i < file->matches->len; i++) {
    CgPolicyMatch *match = &g_array_index (file->matches, CgPolicyMatch, i);

    if (match->key == key->key && match->device == state->device) {
      policy_match_clear (match);
      continue;
    }
    if (kept != i)
      g_array_index (file->matches, CgPolicyMatch, kept) = *match;
    kept++;
  }
  /* The moved-out entries are cleared or copied: drop them without the clear func. */
  g_array_set_clear_func (file->matches, NULL);
  g_array_set_size (file->matches, kept);
  g_array_set_clear_func (file->matches, (GDestroyNotify)policy_match_clear);
}

static void
compile_key (CgPolicyFile *file, SectionState *state, const CgDocLine *line, guint lineno)
{
  const CgSchemaKey *key = cg_schema_lookup (file->main_file, state->name, line->name);
  const CgValueSite site = { file->path, lineno, line->value_col, file->diagnostics };

  if (key == NULL) {
    report (file, lineno, line->name_col, "unknown key '%s' in [%s]", line->name, state->name);
    return;
  }
  /* A list key may repeat and each line adds to the list; an empty one empties it
   * (the systemd convention), so a vendor holds thousands of identifiers in short lines. */
  if (key->type == CG_VALUE_MATCH_LIST && *line->value == '\0') {
    reset_matches (file, state, key);
    return;
  }
  if (key->type != CG_VALUE_MATCH_LIST && !note_key (file, state, line, lineno))
    return;
  switch (key->type) {
    case CG_VALUE_CHOICE:
    case CG_VALUE_ENTRY_NAME:
      if (!cg_schema_validate (key, line->value, &site))
        break;
      G_GNUC_FALLTHROUGH;
    case CG_VALUE_TEXT:
      if (file->main_file)
        g_hash_table_replace (file->settings, g_strdup_printf ("%s.%s", state->name, key->key),
                              g_strdup (line->value));
      else if (strcmp (key->key, "Name") == 0) {
        g_free (file->name);
        file->name = g_strdup (line->value);
      }
      break;
    case CG_VALUE_MATCH_LIST:
    case CG_VALUE_MATCH_ONE:
      add_matches (file, state, key, line, &site);
      break;
    case CG_VALUE_PRESET:
    case CG_VALUE_PAIRING:
    case CG_VALUE_PROFILES:
    case CG_VALUE_USB_MODE:
    case CG_VALUE_USB_INTERFACES:
    case CG_VALUE_USB_WHILE_LOCKED:
    default:
      cg_grant_spec_set (state->grant, key, line->value, &site);
      break;
  }
}

static void
check_devices_identified (CgPolicyFile *file)
{
  g_autofree gboolean *identified = g_new0 (gboolean, file->devices->len + 1);

  for (guint i = 0; i < file->matches->len; i++) {
    const CgPolicyMatch *match = &g_array_index (file->matches, CgPolicyMatch, i);
    if (match->device >= 0)
      identified[match->device] = TRUE;
  }
  for (guint d = 0; d < file->devices->len; d++) {
    if (!identified[d])
      report (file, g_array_index (file->devices, CgPolicyDevice, d).line, 1,
              "[Device] needs BluetoothAddress= or USBSerial=");
  }
}

static void
check_grants (CgPolicyFile *file)
{
  if (file->main_file) {
    cg_grant_spec_check (&file->default_spec, file->path, file->diagnostics);
    cg_grant_spec_check (&file->car_spec, file->path, file->diagnostics);
    return;
  }
  cg_grant_spec_check (&file->policy_spec, file->path, file->diagnostics);
  for (guint d = 0; d < file->devices->len; d++)
    cg_grant_spec_check (&g_array_index (file->devices, CgPolicyDevice, d).spec, file->path,
                         file->diagnostics);
}

static gboolean
match_is_a_chosen_name (const CgPolicyMatch *match)
{
  return match->item.kind == CG_MATCH_BT_NAME || match->item.kind == CG_MATCH_USB_MANUFACTURER
         || match->item.kind == CG_MATCH_USB_PRODUCT_NAME;
}

/* A vendor whose every [Match] key is a name the device picks itself: a car renames
 * itself past a block, and any device can name itself into a grant. */
static void
warn_about_names_alone (CgPolicyFile *file)
{
  const CgPolicyMatch *first = NULL;

  for (guint i = 0; i < file->matches->len; i++) {
    const CgPolicyMatch *match = &g_array_index (file->matches, CgPolicyMatch, i);

    if (match->device >= 0)
      continue;
    if (!match_is_a_chosen_name (match))
      return;
    if (first == NULL)
      first = match;
  }
  if (first != NULL)
    warn (file, first->line, first->col,
          "vendor '%s' is matched only by names its devices choose (Name=, USBManufacturer=, "
          "USBProduct=): a device takes or drops such a name at will",
          file->vendor_id);
}

/* The traps of a policy that loads: what it says is not what the admin meant. */
static void
warn_about_traps (CgPolicyFile *file, CgPolicyLoadFlags flags)
{
  if (file->main_file || file->vendor_id == NULL)
    return;
  if (file->matches->len == 0)
    warn (file, 1, 1, "vendor '%s' matches no device: it has no [Match] key and no [Device]",
          file->vendor_id);
  warn_about_names_alone (file);
  for (guint i = 0; (flags & CG_POLICY_LOAD_NO_HWDB) && i < file->matches->len; i++) {
    const CgPolicyMatch *match = &g_array_index (file->matches, CgPolicyMatch, i);
    if (match->item.kind == CG_MATCH_ORGANIZATION)
      warn (file, match->line, match->col,
            "Organization= matches nothing here: this machine has no hwdb to name "
            "organisations");
  }
}

static void
compile_document (CgPolicyFile *file, const CgDocument *doc, CgPolicyLoadFlags flags)
{
  SectionState state = { .device = -1 };
  gboolean seen_vendor[2] = { FALSE, FALSE };
  gboolean in_known = FALSE;

  for (guint i = 0; i < cg_document_get_n_lines (doc); i++) {
    const CgDocLine *line = cg_document_get_line (doc, i);
    if (line->kind == CG_DOC_LINE_SECTION)
      in_known = open_section (file, &state, line, i + 1, seen_vendor);
    else if (line->kind == CG_DOC_LINE_KEY && in_known)
      compile_key (file, &state, line, i + 1);
  }
  if (!file->main_file && !seen_vendor[0])
    report (file, 1, 1, "missing [Vendor] section");
  check_devices_identified (file);
  check_grants (file);
  if (flags & CG_POLICY_LOAD_STRICT)
    warn_about_traps (file, flags);
}

static CgPolicyFile *
policy_file_new (const char *path, const char *role_name)
{
  CgPolicyFile *file = g_new0 (CgPolicyFile, 1);
  g_autofree char *basename = g_path_get_basename (role_name);

  file->path = g_strdup (path);
  file->main_file = strcmp (basename, CG_POLICY_MAIN_FILE) == 0;
  if (file->main_file) {
    file->settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    file->setting_sections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  }
  file->diagnostics = cg_diagnostics_new ();
  file->matches = g_array_new (FALSE, TRUE, sizeof (CgPolicyMatch));
  g_array_set_clear_func (file->matches, (GDestroyNotify)policy_match_clear);
  file->devices = g_array_new (FALSE, TRUE, sizeof (CgPolicyDevice));
  g_array_set_clear_func (file->devices, (GDestroyNotify)policy_device_clear);
  if (!file->main_file) {
    file->vendor_id = cg_policy_vendor_id_from_name (basename);
    if (file->vendor_id == NULL)
      report (file, 1, 1,
              "invalid vendor id '%s' (file names must match [A-Za-z0-9][A-Za-z0-9_.-]*.conf)",
              basename);
  }
  return file;
}

CgPolicyFile *
cg_policy_file_compile (const char *path, const char *role_name, const char *text, gsize len,
                        CgPolicyLoadFlags flags)
{
  g_autoptr (CgPolicyFile) file = policy_file_new (path, role_name);
  g_autoptr (CgDocument) doc = NULL;

  file->flags = flags;
  file->digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)text, len);
  if (len == 0) {
    file->masked = TRUE;
    return g_steal_pointer (&file);
  }
  doc = cg_document_parse (path, text, len, file->diagnostics);
  if (doc != NULL)
    compile_document (file, doc, flags);
  return g_steal_pointer (&file);
}
