/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-client.h"

CgGenDaemon1 *
cli_client_connect (GDBusProxyFlags flags, GError **error)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);

  if (bus == NULL) {
    g_prefix_error (error, "cannot reach the system bus: ");
    return NULL;
  }
  /* Without DO_NOT_AUTO_START this activates carguardd, as the first call would. */
  return cg_gen_daemon1_proxy_new_sync (bus, flags | G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                        CG_DBUS_NAME, CG_DBUS_PATH, NULL, error);
}

void
cli_client_explain_error (GError **error)
{
  if (g_error_matches (*error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (*error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)) {
    g_clear_error (error);
    g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN,
                         "carguardd is not running");
    return;
  }
  g_dbus_error_strip_remote_error (*error);
}

gboolean
cli_client_reload_quietly (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CgGenDaemon1) daemon = NULL;

  /* No auto-start: editing the policy must not start the daemon. */
  daemon = cli_client_connect (
      G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error);
  if (daemon == NULL
      || !cg_gen_daemon1_call_reload_sync (daemon, G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL,
                                           &error)) {
    g_debug ("no reload by carguardd: %s", error->message);
    return FALSE;
  }
  return TRUE;
}
