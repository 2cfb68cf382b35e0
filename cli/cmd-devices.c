/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cli-client.h"
#include "cli-device-record.h"
#include "cli-output.h"
#include "cmd-live.h"

static void
print_devices_json (GVariant *devices)
{
  g_autoptr (JsonArray) array = json_array_new ();
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);

  for (gsize i = 0; i < g_variant_n_children (devices); i++) {
    g_autoptr (GVariant) device = g_variant_get_child_value (devices, i);
    g_auto (CgDbusRecord) record = { NULL };
    cg_dbus_record_from_variant (device, &record);
    json_array_add_element (array, cli_device_record_to_json (&record));
  }
  json_node_set_array (root, array);
  cli_print_json (root);
}

static void
print_devices_text (GVariant *devices)
{
  if (g_variant_n_children (devices) == 0) {
    printf ("No devices seen.\n");
    return;
  }
  for (gsize i = 0; i < g_variant_n_children (devices); i++) {
    g_autoptr (GVariant) device = g_variant_get_child_value (devices, i);
    g_auto (CgDbusRecord) record = { NULL };
    g_autofree char *line = NULL;
    cg_dbus_record_from_variant (device, &record);
    line = cli_device_record_describe (&record);
    printf ("%s\n", line);
  }
}

int
cmd_devices (CliGlobals *globals, int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_live_option_context_new (
      NULL, "Lists the devices carguardd sees now, with each one's decision and rule.", entries);
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GVariant) devices = NULL;
  g_autoptr (GError) error = NULL;

  if (!cli_live_parse_no_args (globals, context, &argc, &argv))
    return CLI_EXIT_USAGE;
  daemon = cli_client_connect (G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error);
  if (daemon == NULL
      || !cg_gen_daemon1_call_list_devices_sync (daemon, CLI_CALL_FLAGS, CLI_CALL_TIMEOUT_MS,
                                                 &devices, NULL, &error)) {
    cli_client_explain_error (&error);
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  if (json)
    print_devices_json (devices);
  else
    print_devices_text (devices);
  return CLI_EXIT_OK;
}
