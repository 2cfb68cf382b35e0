/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "cli-client.h"
#include "cli-device-record.h"
#include "cli-output.h"
#include "cmd-live.h"

typedef struct {
  GMainLoop *loop;
  gboolean json;
} Monitor;

static void
monitor_on_decision (GDBusConnection *bus, const char *sender, const char *path,
                     const char *interface, const char *signal, GVariant *parameters,
                     gpointer user_data)
{
  Monitor *monitor = user_data;
  g_autoptr (GVariant) record = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(a{sv})")))
    return;
  record = g_variant_get_child_value (parameters, 0);
  if (monitor->json) {
    g_autoptr (JsonNode) node = cli_device_record_to_json (record);
    g_autofree char *text = json_to_string (node, FALSE);
    printf ("%s\n", text);
  } else {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
    g_autofree char *line = cli_device_record_describe (record);
    printf ("%s %s\n", time, line);
  }
  fflush (stdout);
}

static void
monitor_on_daemon_appeared (GDBusConnection *bus, const char *name, const char *owner,
                            gpointer user_data)
{
  Monitor *monitor = user_data;

  if (!monitor->json)
    printf ("carguardd is running (%s).\n", owner);
  fflush (stdout);
}

static void
monitor_on_daemon_vanished (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Monitor *monitor = user_data;

  if (!monitor->json)
    printf ("carguardd is not running; waiting for it.\n");
  fflush (stdout);
}

static gboolean
monitor_on_interrupt (gpointer user_data)
{
  Monitor *monitor = user_data;

  g_main_loop_quit (monitor->loop);
  return G_SOURCE_CONTINUE;
}

int
cmd_monitor (CliGlobals *globals, int argc, char **argv)
{
  Monitor monitor = { NULL, FALSE };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &monitor.json, "Print one JSON object per decision", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, NULL, "Prints carguardd's decisions as they are made, until interrupted.", entries);
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  guint subscription, watch, sigint, sigterm;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc > 1)
    return cli_usage_error (g_get_prgname (), "unexpected argument '%s'", argv[1]);
  bus = cli_client_connect (&error);
  if (bus == NULL) {
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  loop = g_main_loop_new (NULL, FALSE);
  monitor.loop = loop;
  subscription = g_dbus_connection_signal_subscribe (
      bus, CLI_DBUS_NAME, CLI_DBUS_INTERFACE, "Decision", CLI_DBUS_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, monitor_on_decision, &monitor, NULL);
  watch = g_bus_watch_name_on_connection (bus, CLI_DBUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          monitor_on_daemon_appeared, monitor_on_daemon_vanished,
                                          &monitor, NULL);
  sigint = g_unix_signal_add (SIGINT, monitor_on_interrupt, &monitor);
  sigterm = g_unix_signal_add (SIGTERM, monitor_on_interrupt, &monitor);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_bus_unwatch_name (watch);
  g_dbus_connection_signal_unsubscribe (bus, subscription);
  return CLI_EXIT_OK;
}
