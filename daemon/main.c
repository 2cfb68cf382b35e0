/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cg-approvals.h"
#include "cg-bluetooth-guard.h"
#include "cg-bluez-bond.h"
#include "cg-dbus.h"
#include "cg-device-registry.h"
#include "cg-hwdb.h"
#include "cg-log.h"
#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-service.h"
#include "cg-session-lock.h"
#include "cg-usb-gadget-guard.h"
#include "cg-usb-host-guard.h"
#include "cg-usb-hotplug.h"
#include "cg-usb-uevent.h"

typedef struct {
  GMainLoop *loop;
  CgPolicyKeeper *keeper;
  CgUsbHostGuard *usb_host_guard;
  CgUsbGadgetGuard *usb_gadget_guard;
} CgDaemon;

/* The USB guards hold back new data paths while every session is locked. */
static void
daemon_on_lock_changed (CgSessionLock *lock, int state, gpointer user_data)
{
  CgDaemon *daemon = user_data;
  gboolean locked = cg_session_lock_is_locked (lock);

  /* cg-session-lock says "Lock state: ..." in the journal itself. */
  cg_usb_host_guard_set_locked (daemon->usb_host_guard, locked);
  cg_usb_gadget_guard_set_locked (daemon->usb_gadget_guard, locked);
}

static gboolean
daemon_on_sighup (gpointer user_data)
{
  CgDaemon *daemon = user_data;
  g_autoptr (GError) error = NULL;

  cg_service_notify_reloading ();
  if (!cg_policy_keeper_reload (daemon->keeper, &error))
    g_debug ("SIGHUP reload failed: %s", error->message);
  cg_service_notify_ready (cg_policy_keeper_is_fallback (daemon->keeper)
                               ? "Enforcing the fail-closed policy: the policy is broken"
                               : "Enforcing policy");
  return G_SOURCE_CONTINUE;
}

static gboolean
daemon_on_sigterm (gpointer user_data)
{
  CgDaemon *daemon = user_data;

  cg_service_notify_stopping ();
  g_main_loop_quit (daemon->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
daemon_on_sigusr1 (gpointer user_data)
{
  cg_log_memory_statistics ();
  return G_SOURCE_CONTINUE;
}

/* carguardd must be the only instance. */
static CgDbusService *
daemon_start_dbus (GDBusConnection *bus, CgPolicyKeeper *keeper, CgDeviceRegistry *registry,
                   CgPending *pending, CgHwdb *hwdb, CgApprovals *approvals, GError **error)
{
  g_autoptr (CgDbusService) service = NULL;

  service = cg_dbus_service_new (bus, keeper, registry, pending, hwdb, approvals, error);
  if (service == NULL || !cg_dbus_service_own_name (service, error))
    return NULL;
  return g_steal_pointer (&service);
}

/* Where approvals live: --state-directory, else systemd's StateDirectory= (the first of
 * $STATE_DIRECTORY), else ROOT/var/lib/carguard. */
static char *
daemon_state_file (const char *state_directory, const char *root)
{
  const char *from_systemd = g_getenv ("STATE_DIRECTORY");
  g_autofree char *dir = NULL;

  if (state_directory != NULL)
    dir = g_strdup (state_directory);
  else if (from_systemd != NULL && from_systemd[0] == '/')
    dir = g_strndup (from_systemd, strcspn (from_systemd, ":"));
  else
    dir = g_build_filename (root != NULL ? root : "/", "var", "lib", "carguard", NULL);
  return g_build_filename (dir, CG_APPROVALS_FILE, NULL);
}

/* What a person allowed, as it was written; a file that cannot be read gives nothing. */
static CgApprovals *
daemon_load_approvals (const char *path)
{
  g_autoptr (CgApprovals) approvals = cg_approvals_new (path);
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (!cg_approvals_load (approvals, &error)) {
    message
        = g_strdup_printf ("Approvals not read, every device is judged again: %s", error->message);
    cg_log_event (G_LOG_LEVEL_WARNING, NULL, message, NULL);
  }
  return g_steal_pointer (&approvals);
}

static gboolean
daemon_parse_args (int *argc, char ***argv, char **root, char **state_directory,
                   gboolean *foreground, gboolean *debug)
{
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, root,
      "Resolve every policy path under DIR, like systemctl --root", "DIR" },
    { "state-directory", 0, 0, G_OPTION_ARG_FILENAME, state_directory,
      "Keep approvals in DIR (default: $STATE_DIRECTORY, else ROOT/var/lib/carguard)", "DIR" },
    { "foreground", 'f', 0, G_OPTION_ARG_NONE, foreground,
      "Stay in the foreground and log to stderr when not under journald", NULL },
    { "debug", 'v', 0, G_OPTION_ARG_NONE, debug, "Log debug messages", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- carguard daemon");
  g_autoptr (GError) error = NULL;

  g_option_context_set_summary (context,
                                "Enforces the carguard policy on Bluetooth and USB, so that a car "
                                "head unit gets only what the vendor policy grants.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error)) {
    g_printerr ("carguardd: %s\n", error->message);
    return FALSE;
  }
  if (version) {
    g_print ("carguardd %s\n", PACKAGE_VERSION);
    exit (EXIT_SUCCESS);
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *state_directory = NULL;
  g_autofree char *state_file = NULL;
  g_autoptr (CgApprovals) approvals = NULL;
  gboolean foreground = FALSE;
  gboolean debug = FALSE;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (CgPolicyKeeper) keeper = NULL;
  g_autoptr (CgHwdb) hwdb = NULL;
  g_autoptr (CgDeviceRegistry) registry = NULL;
  g_autoptr (CgPending) pending = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GError) bus_error = NULL;
  g_autoptr (CgSessionLock) session_lock = NULL;
  g_autoptr (CgBluetoothGuard) bluetooth_guard = NULL;
  g_autoptr (CgUsbUeventMonitor) uevent_monitor = NULL;
  g_autoptr (CgUsbHotplug) usb_hotplug = NULL;
  g_autoptr (CgUsbGadgetGuard) usb_gadget_guard = NULL;
  g_autoptr (CgUsbHostGuard) usb_host_guard = NULL;
  g_autoptr (GError) hotplug_error = NULL;
  g_autoptr (GError) uevent_error = NULL;
  g_autoptr (GError) bluetooth_error = NULL;
  g_autoptr (CgDbusService) dbus_service = NULL;
  g_autoptr (GError) dbus_error = NULL;
  g_autoptr (GError) error = NULL;
  guint watchdog_id;
  CgDaemon daemon;

  setlocale (LC_ALL, "");
  mallopt (M_TRIM_THRESHOLD, CG_POLICY_TRIM_THRESHOLD);
  if (!daemon_parse_args (&argc, &argv, &root, &state_directory, &foreground, &debug))
    return EXIT_FAILURE;
  /* Without --foreground carguardd still does not fork: systemd runs it as Type=notify. */
  (void)foreground;
  cg_log_setup (debug);

  loop = g_main_loop_new (NULL, FALSE);
  keeper = cg_policy_keeper_new (root);
  if (!cg_policy_keeper_reload (keeper, &error))
    g_debug ("initial policy load failed: %s", error->message);
  cg_policy_keeper_watch (keeper);
  /* BlueZ, logind and carguardd's own API live on the system bus: without it there is
   * nothing to guard with (taking the name, carguardd's sign of life, comes later). */
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &bus_error);
  if (bus == NULL) {
    g_printerr ("carguardd: %s\n", bus_error->message);
    return EXIT_FAILURE;
  }
  session_lock = cg_session_lock_new (bus);
  state_file = daemon_state_file (state_directory, root);
  approvals = daemon_load_approvals (state_file);
  pending = cg_pending_new (0);
  hwdb = cg_hwdb_new (NULL);
  registry = cg_device_registry_new (pending);
  uevent_monitor = cg_usb_uevent_monitor_new (&uevent_error);
  if (uevent_monitor == NULL)
    g_warning ("USB guards get no uevents: %s", uevent_error->message);
  usb_hotplug = cg_usb_hotplug_new (&hotplug_error);
  if (usb_hotplug == NULL)
    g_warning ("USB host guard gets no libusb hotplug: %s", hotplug_error->message);
  /* The root hubs are locked before the bus name, carguardd's sign of life, is taken. */
  usb_host_guard = cg_usb_host_guard_new (keeper, pending, registry, hwdb, "/");
  cg_usb_host_guard_set_locked (usb_host_guard, cg_session_lock_is_locked (session_lock));
  cg_usb_host_guard_listen (usb_host_guard, uevent_monitor, usb_hotplug);
  cg_usb_host_guard_start (usb_host_guard);
  dbus_service = daemon_start_dbus (bus, keeper, registry, pending, hwdb, approvals, &dbus_error);
  if (dbus_service == NULL) {
    g_printerr ("carguardd: %s\n", dbus_error->message);
    return EXIT_FAILURE;
  }
  bluetooth_guard = cg_bluetooth_guard_new (keeper, pending, registry, session_lock, approvals,
                                            CG_BLUEZ_STORAGE_DIR, &bluetooth_error);
  if (bluetooth_guard == NULL) {
    g_autofree char *why = g_strdup_printf ("not started: %s", bluetooth_error->message);
    g_warning ("Bluetooth guard not started: %s", bluetooth_error->message);
    cg_device_registry_report_guard (registry, "bluetooth", FALSE, why);
  }
  usb_gadget_guard = cg_usb_gadget_guard_new (keeper, pending, registry, "/");
  cg_usb_gadget_guard_set_locked (usb_gadget_guard, cg_session_lock_is_locked (session_lock));
  if (uevent_monitor != NULL)
    cg_usb_gadget_guard_listen (usb_gadget_guard, uevent_monitor);
  cg_usb_gadget_guard_recheck (usb_gadget_guard);

  daemon = (CgDaemon){ .loop = loop,
                       .keeper = keeper,
                       .usb_host_guard = usb_host_guard,
                       .usb_gadget_guard = usb_gadget_guard };
  g_signal_connect (session_lock, "changed", G_CALLBACK (daemon_on_lock_changed), &daemon);
  g_unix_signal_add (SIGHUP, daemon_on_sighup, &daemon);
  g_unix_signal_add (SIGTERM, daemon_on_sigterm, &daemon);
  g_unix_signal_add (SIGINT, daemon_on_sigterm, &daemon);
  g_unix_signal_add (SIGUSR1, daemon_on_sigusr1, NULL);
  watchdog_id = cg_service_start_watchdog ();

  cg_service_notify_ready (cg_policy_keeper_is_fallback (keeper)
                               ? "Enforcing the fail-closed policy: the policy is broken"
                               : "Enforcing policy");
  g_main_loop_run (loop);

  g_clear_handle_id (&watchdog_id, g_source_remove);
  return EXIT_SUCCESS;
}
