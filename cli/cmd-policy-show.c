/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cg-document.h"
#include "cg-sanitize.h"
#include "cg-store.h"
#include "cli-output.h"
#include "cmd-policy.h"

/* One key as written. */
typedef struct {
  const char *name;
  const char *value;
} ShownKey;

/* The keys of one section as written, in file order; the strings are the document's. */
typedef struct {
  const char *name;
  GArray *keys; /* ShownKey */
} ShownSection;

static void
shown_section_free (ShownSection *section)
{
  g_array_unref (section->keys);
  g_free (section);
}

static GPtrArray *
collect_sections (const CgDocument *doc)
{
  GPtrArray *sections = g_ptr_array_new_with_free_func ((GDestroyNotify)shown_section_free);
  ShownSection *current = NULL;
  CgDocumentIter iter;
  const char *section, *key, *value;

  cg_document_iter_init (&iter, doc);
  while (cg_document_iter_next (&iter, &section, &key, &value)) {
    if (key == NULL) {
      current = g_new0 (ShownSection, 1);
      current->name = section;
      current->keys = g_array_new (FALSE, FALSE, sizeof (ShownKey));
      g_ptr_array_add (sections, current);
    } else if (current != NULL) {
      ShownKey shown = { key, value };
      g_array_append_val (current->keys, shown);
    }
  }
  return sections;
}

static CgDocument *
read_vendor_document (const CliGlobals *globals, const CgVendor *vendor, GError **error)
{
  g_autoptr (CgStore) store = cg_store_new (globals->root);
  g_autofree char *path = cg_store_resolve (store, cg_vendor_get_file (vendor));
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  gsize len = 0;
  CgDocument *doc;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  doc = cg_document_parse (path, text, len, diagnostics);
  if (doc == NULL)
    cg_diagnostics_to_error (diagnostics, error);
  return doc;
}

static gboolean
is_shown_section (const ShownSection *section)
{
  return g_str_equal (section->name, "Match") || g_str_equal (section->name, "Device");
}

static void
add_keys_object (JsonBuilder *builder, const ShownSection *section)
{
  json_builder_begin_object (builder);
  for (guint k = 0; k < section->keys->len; k++) {
    const ShownKey *key = &g_array_index (section->keys, ShownKey, k);
    json_builder_set_member_name (builder, key->name);
    json_builder_add_string_value (builder, key->value);
  }
  json_builder_end_object (builder);
}

static void
print_vendor_json (const CgVendor *vendor, GPtrArray *sections)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, cg_vendor_get_id (vendor));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, cg_vendor_get_name (vendor));
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, cg_vendor_get_file (vendor));
  json_builder_set_member_name (builder, "grant");
  json_builder_add_value (builder, cli_grant_to_json (cg_vendor_get_grant (vendor)));
  json_builder_set_member_name (builder, "match");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sections->len; i++) {
    const ShownSection *section = g_ptr_array_index (sections, i);
    if (g_str_equal (section->name, "Match"))
      add_keys_object (builder, section);
  }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sections->len; i++) {
    const ShownSection *section = g_ptr_array_index (sections, i);
    if (g_str_equal (section->name, "Device"))
      add_keys_object (builder, section);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  cli_print_json (root);
}

static void
print_vendor_text (const CgVendor *vendor, GPtrArray *sections)
{
  g_autofree char *name = cg_sanitize_string (cg_vendor_get_name (vendor), 256);
  g_autofree char *grant = cli_grant_describe (cg_vendor_get_grant (vendor));

  printf ("%s (%s)\n  file:  %s\n  grant: %s\n", cg_vendor_get_id (vendor), name,
          cg_vendor_get_file (vendor), grant);
  for (guint i = 0; i < sections->len; i++) {
    const ShownSection *section = g_ptr_array_index (sections, i);
    if (!is_shown_section (section))
      continue;
    printf ("  [%s]\n", section->name);
    for (guint k = 0; k < section->keys->len; k++) {
      const ShownKey *key = &g_array_index (section->keys, ShownKey, k);
      g_autofree char *value = cg_sanitize_string (key->value, 4096);
      printf ("    %s=%s\n", key->name, value);
    }
  }
}

int
cmd_policy_show (CliGlobals *globals, int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON object", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "VENDOR",
      "Show a vendor: the file in effect, its resolved grant, its [Match] keys and its\n"
      "[Device] entries.",
      entries);
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (CgDocument) doc = NULL;
  g_autoptr (GPtrArray) sections = NULL;
  g_autoptr (GError) error = NULL;
  const CgVendor *vendor;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 2)
    return cli_usage_error (g_get_prgname (), "expected one VENDOR");
  policy = cmd_policy_load (globals, NULL);
  if (policy == NULL)
    return CLI_EXIT_REFUSED;
  vendor = cg_policy_lookup_vendor (policy, argv[1]);
  if (vendor == NULL) {
    fprintf (stderr, "carguard: error: no vendor '%s'\n", argv[1]);
    return CLI_EXIT_REFUSED;
  }
  doc = read_vendor_document (globals, vendor, &error);
  if (doc == NULL) {
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  sections = collect_sections (doc);
  if (json)
    print_vendor_json (vendor, sections);
  else
    print_vendor_text (vendor, sections);
  return CLI_EXIT_OK;
}
