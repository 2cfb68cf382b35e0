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

/* --json: one object per line, its "event" saying what it is: "decision" (a device
 * record), "removed" (the "id" of a device that is gone), "running" (carguardd owns its
 * name, "owner") or "stopped" (it does not; its records are gone with it). */
static void
monitor_print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  printf ("%s\n", text);
  fflush (stdout);
}

static JsonNode *
event_new (const char *event, const char *member, const char *value)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  if (member != NULL) {
    json_builder_set_member_name (builder, member);
    json_builder_add_string_value (builder, value);
  }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
monitor_print_line (const char *text)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");

  printf ("%s %s\n", time, text);
  fflush (stdout);
}

static void
monitor_on_decision (CgGenDaemon1 *daemon, GVariant *device, gpointer user_data)
{
  Monitor *monitor = user_data;
  g_auto (CgDbusRecord) record = { NULL };

  cg_dbus_record_from_variant (device, &record);
  if (monitor->json) {
    g_autoptr (JsonNode) node = cli_device_record_to_json (&record);
    json_object_set_string_member (json_node_get_object (node), "event", "decision");
    monitor_print_json (node);
  } else {
    g_autofree char *line = cli_device_record_describe (&record);
    monitor_print_line (line);
  }
}

static void
monitor_on_device_removed (CgGenDaemon1 *daemon, const char *id, gpointer user_data)
{
  Monitor *monitor = user_data;

  if (monitor->json) {
    g_autoptr (JsonNode) node = event_new ("removed", "id", id);
    monitor_print_json (node);
  } else {
    g_autofree char *line = g_strdup_printf ("%s  removed", id);
    monitor_print_line (line);
  }
}

static void
monitor_on_daemon_appeared (GDBusConnection *bus, const char *name, const char *owner,
                            gpointer user_data)
{
  Monitor *monitor = user_data;

  if (monitor->json) {
    g_autoptr (JsonNode) node = event_new ("running", "owner", owner);
    monitor_print_json (node);
    return;
  }
  printf ("carguardd is running (%s).\n", owner);
  fflush (stdout);
}

static void
monitor_on_daemon_vanished (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Monitor *monitor = user_data;

  if (monitor->json) {
    g_autoptr (JsonNode) node = event_new ("stopped", NULL, NULL);
    monitor_print_json (node);
    return;
  }
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
    { "json", 0, 0, G_OPTION_ARG_NONE, &monitor.json, "Print one JSON object per event", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_live_option_context_new (
      NULL,
      "Prints carguardd's decisions, and the devices that go, as they happen, until "
      "interrupted.",
      entries);
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  guint watch, sigint, sigterm;

  if (!cli_live_parse_no_args (globals, context, &argc, &argv))
    return CLI_EXIT_USAGE;
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
  g_signal_connect (daemon, "device-removed", G_CALLBACK (monitor_on_device_removed), &monitor);
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
