/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reference for bench/bt-agent-latency.py: a BlueZ agent that accepts everything
 * without looking at anything, on the same GDBus stack as carguardd, so the difference
 * in reply time is what carguardd's decision costs. Prints its unique bus name, then
 * serves until killed. Never install this: it is the unguarded phone. */
#include <gio/gio.h>
#include <stdio.h>

#define ACCEPT_AGENT_PATH "/org/carguard/bench/accept_agent"

static const char accept_agent_xml[] = "<node><interface name='org.bluez.Agent1'>"
                                       "<method name='RequestAuthorization'>"
                                       "<arg direction='in' type='o'/></method>"
                                       "<method name='AuthorizeService'>"
                                       "<arg direction='in' type='o'/>"
                                       "<arg direction='in' type='s'/></method>"
                                       "<method name='Cancel'/><method name='Release'/>"
                                       "</interface></node>";

static void
accept_agent_method_call (GDBusConnection *connection, const char *sender, const char *path,
                          const char *interface, const char *method, GVariant *parameters,
                          GDBusMethodInvocation *invocation, gpointer user_data)
{
  g_dbus_method_invocation_return_value (invocation, NULL);
}

int
main (void)
{
  static const GDBusInterfaceVTable vtable = { .method_call = accept_agent_method_call };
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_autoptr (GDBusNodeInfo) node = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  if (bus == NULL) {
    g_printerr ("bt-accept-agent: %s\n", error->message);
    return 1;
  }
  node = g_dbus_node_info_new_for_xml (accept_agent_xml, &error);
  if (node == NULL
      || g_dbus_connection_register_object (bus, ACCEPT_AGENT_PATH, node->interfaces[0], &vtable,
                                            NULL, NULL, &error)
             == 0) {
    g_printerr ("bt-accept-agent: %s\n", error->message);
    return 1;
  }
  printf ("%s %s\n", g_dbus_connection_get_unique_name (bus), ACCEPT_AGENT_PATH);
  fflush (stdout);
  g_main_loop_run (loop);
  return 0;
}
