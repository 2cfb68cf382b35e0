/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-output.h"

#include <stdio.h>

#include "cg-diagnostic.h"

void
cli_print_error (const GError *error)
{
  fprintf (stderr, "carguard: error: %s\n", error->message);
}

void
cli_print_problems (GPtrArray *diagnostics, const GError *error)
{
  if (cg_diagnostics_count_errors (diagnostics) == 0 && error != NULL)
    cli_print_error (error);
  if (diagnostics == NULL)
    return;
  cg_diagnostics_sort (diagnostics);
  for (guint i = 0; i < diagnostics->len; i++) {
    g_autofree char *line = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, i));
    fprintf (stderr, "%s\n", line);
  }
}

void
cli_print_json (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static GPtrArray *
grant_profile_names (const CgGrant *grant)
{
  GPtrArray *names = g_ptr_array_new ();

  if (grant->all_uuids) {
    g_ptr_array_add (names, (gpointer) "all");
    return names;
  }
  for (int p = 0; p < CG_PROFILE_N; p++)
    if (grant->profiles & (1u << p))
      g_ptr_array_add (names, (gpointer)cg_profile_to_name (p));
  for (guint i = 0; grant->extra_uuids != NULL && grant->extra_uuids[i] != NULL; i++)
    g_ptr_array_add (names, grant->extra_uuids[i]);
  return names;
}

static gboolean
grant_has_interface_list (const CgGrant *grant)
{
  for (guint i = 0; i < G_N_ELEMENTS (grant->usb_interfaces); i++)
    if (grant->usb_interfaces[i] != 0)
      return TRUE;
  return FALSE;
}

JsonNode *
cli_grant_to_json (const CgGrant *grant)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray) profiles = grant_profile_names (grant);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pairing");
  json_builder_add_string_value (builder, cg_pairing_to_string (grant->pairing));
  json_builder_set_member_name (builder, "profiles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < profiles->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (profiles, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "usb-mode");
  json_builder_add_string_value (builder, cg_usb_mode_to_string (grant->usb_mode));
  json_builder_set_member_name (builder, "usb-interfaces");
  json_builder_begin_array (builder);
  for (guint c = 0; c < 256 && grant_has_interface_list (grant); c++)
    if (cg_grant_allows_usb_interface (grant, c)) {
      g_autofree char *hex = g_strdup_printf ("%02x", c);
      json_builder_add_string_value (builder, hex);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "usb-while-locked");
  json_builder_add_string_value (builder, cg_usb_while_locked_to_string (grant->usb_while_locked));
  json_builder_set_member_name (builder, "block");
  json_builder_add_boolean_value (builder, grant->block);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
cli_grant_describe (const CgGrant *grant)
{
  g_autoptr (GPtrArray) profiles = grant_profile_names (grant);
  g_autofree char *profile_list = NULL;

  g_ptr_array_add (profiles, NULL);
  profile_list = profiles->len > 1 ? g_strjoinv (",", (char **)profiles->pdata) : g_strdup ("none");
  return g_strdup_printf (
      "pairing=%s profiles=%s usb=%s%s%s", cg_pairing_to_string (grant->pairing), profile_list,
      cg_usb_mode_to_string (grant->usb_mode),
      grant->usb_while_locked == CG_USB_LOCKED_DATA ? " usb-while-locked=data" : "",
      grant->block ? " block" : "");
}
