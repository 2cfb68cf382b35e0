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
monitor_on_decision (CgGenDaemon1 *daemon, GVariant *device, gpointer user_data)
{
  Monitor *monitor = user_data;
  g_auto (CgDbusRecord) record = { NULL };

  cg_dbus_record_from_variant (device, &record);
  if (monitor->json) {
    g_autoptr (JsonNode) node = cli_device_record_to_json (&record);
    g_autofree char *text = json_to_string (node, FALSE);
    printf ("%s\n", text);
  } else {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
    g_autofree char *line = cli_device_record_describe (&record);
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
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  guint watch, sigint, sigterm;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc > 1)
    return cli_usage_error (g_get_prgname (), "unexpected argument '%s'", argv[1]);
  /* Watching must not start the daemon; the proxy follows whoever owns the name. */
  daemon = cli_client_connect (G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, &error);
  if (daemon == NULL) {
    cli_client_explain_error (&error);
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  loop = g_main_loop_new (NULL, FALSE);
  monitor.loop = loop;
  g_signal_connect (daemon, "decision", G_CALLBACK (monitor_on_decision), &monitor);
  /* Watched after the proxy subscribed: once "running" is printed, no signal is missed. */
  watch = g_bus_watch_name_on_connection (g_dbus_proxy_get_connection (G_DBUS_PROXY (daemon)),
                                          CG_DBUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          monitor_on_daemon_appeared, monitor_on_daemon_vanished,
                                          &monitor, NULL);
  sigint = g_unix_signal_add (SIGINT, monitor_on_interrupt, &monitor);
  sigterm = g_unix_signal_add (SIGTERM, monitor_on_interrupt, &monitor);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_bus_unwatch_name (watch);
  g_signal_handlers_disconnect_by_data (daemon, &monitor);
  return CLI_EXIT_OK;
}
