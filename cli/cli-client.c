/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-client.h"

GDBusConnection *
cli_client_connect (GError **error)
{
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);

  if (bus == NULL)
    g_prefix_error (error, "cannot reach the system bus: ");
  return bus;
}

GVariant *
cli_client_call (GDBusConnection *bus, const char *method, GVariant *parameters,
                 const GVariantType *reply_type, GError **error)
{
  /* An administrator may take a while to type a password into the polkit agent. */
  GVariant *reply = g_dbus_connection_call_sync (
      bus, CLI_DBUS_NAME, CLI_DBUS_PATH, CLI_DBUS_INTERFACE, method, parameters, reply_type,
      G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT, NULL, error);

  if (reply == NULL && error != NULL && *error != NULL) {
    if (g_error_matches (*error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
        || g_error_matches (*error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)) {
      g_clear_error (error);
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN, "carguardd is not running");
      return NULL;
    }
    g_dbus_error_strip_remote_error (*error);
  }
  return reply;
}

gboolean
cli_client_reload_quietly (void)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, NULL);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;

  if (bus == NULL)
    return FALSE;
  /* No auto-start: editing the policy must not start the daemon. */
  reply = g_dbus_connection_call_sync (bus, CLI_DBUS_NAME, CLI_DBUS_PATH, CLI_DBUS_INTERFACE,
                                       "Reload", NULL, G_VARIANT_TYPE_UNIT,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, &error);
  if (reply == NULL)
    g_debug ("no reload by carguardd: %s", error->message);
  return reply != NULL;
}
