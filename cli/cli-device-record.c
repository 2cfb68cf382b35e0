/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-device-record.h"

static const char *
record_string (GVariant *record, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (record, key, "&s", &value))
    return "";
  return value;
}

static void
add_strv (JsonBuilder *builder, GVariant *record, const char *key, const char *member)
{
  g_autofree const char **values = NULL;

  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  if (g_variant_lookup (record, key, "^a&s", &values)) {
    for (guint i = 0; values[i] != NULL; i++)
      json_builder_add_string_value (builder, values[i]);
  }
  json_builder_end_array (builder);
}

JsonNode *
cli_device_record_to_json (GVariant *record)
{
  static const char *const strings[][2] = {
    { "Id", "id" },
    { "Transport", "transport" },
    { "Device", "device" },
    { "Name", "name" },
    { "USBID", "usb-id" },
    { "Vendor", "vendor" },
    { "VendorName", "vendor-name" },
    { "Decision", "decision" },
    { "Rule", "rule" },
  };
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gboolean enforced = FALSE;
  guint32 pending = 0;

  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++) {
    json_builder_set_member_name (builder, strings[i][1]);
    json_builder_add_string_value (builder, record_string (record, strings[i][0]));
  }
  add_strv (builder, record, "Allowed", "allowed");
  add_strv (builder, record, "Denied", "denied");
  g_variant_lookup (record, "Enforced", "b", &enforced);
  g_variant_lookup (record, "Pending", "u", &pending);
  json_builder_set_member_name (builder, "enforced");
  json_builder_add_boolean_value (builder, enforced);
  json_builder_set_member_name (builder, "pending");
  json_builder_add_int_value (builder, pending);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
cli_device_record_describe (GVariant *record)
{
  GString *line = g_string_new (record_string (record, "Id"));
  const char *vendor = record_string (record, "VendorName");
  const char *usb_id = record_string (record, "USBID");
  guint32 pending = 0;

  g_string_append_printf (line, "  \"%s\"", record_string (record, "Name"));
  if (usb_id[0] != '\0')
    g_string_append_printf (line, "  %s", usb_id);
  if (vendor[0] != '\0')
    g_string_append_printf (line, "  vendor=%s", vendor);
  g_string_append_printf (line, "  %s", record_string (record, "Decision"));
  if (g_variant_lookup (record, "Pending", "u", &pending) && pending != 0)
    g_string_append_printf (line, " (waiting for a person, question %u)", pending);
  g_string_append_printf (line, "  rule=%s", record_string (record, "Rule"));
  return g_string_free (line, FALSE);
}
