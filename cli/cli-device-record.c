/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-device-record.h"

static void
add_string (JsonBuilder *builder, const char *member, const char *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_strv (JsonBuilder *builder, const char *member, const char *const *values)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

JsonNode *
cli_device_record_to_json (const CgDbusRecord *record)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "id", record->id);
  add_string (builder, "transport", record->transport);
  add_string (builder, "device", record->device);
  add_string (builder, "name", record->name);
  add_string (builder, "usb-id", record->usb_id);
  add_string (builder, "vendor", record->vendor);
  add_string (builder, "vendor-name", record->vendor_name);
  add_string (builder, "decision", record->decision);
  add_string (builder, "rule", record->rule);
  add_strv (builder, "allowed", record->allowed);
  add_strv (builder, "denied", record->denied);
  json_builder_set_member_name (builder, "enforced");
  json_builder_add_boolean_value (builder, record->enforced);
  json_builder_set_member_name (builder, "pending");
  json_builder_add_int_value (builder, record->pending);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
cli_device_record_describe (const CgDbusRecord *record)
{
  GString *line = g_string_new (record->id);

  g_string_append_printf (line, "  \"%s\"", record->name);
  if (record->usb_id[0] != '\0')
    g_string_append_printf (line, "  %s", record->usb_id);
  if (record->vendor_name[0] != '\0')
    g_string_append_printf (line, "  vendor=%s", record->vendor_name);
  g_string_append_printf (line, "  %s", record->decision);
  if (record->pending != 0)
    g_string_append_printf (line,
                            " (waiting for a person, question %s" CG_DBUS_QUESTION_SEPARATOR "%u)",
                            record->id, record->pending);
  g_string_append_printf (line, "  rule=%s", record->rule);
  return g_string_free (line, FALSE);
}
