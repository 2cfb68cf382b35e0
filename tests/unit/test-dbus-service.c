/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* carguardd's D-Bus API on a private bus: what a client sees, what AllowOnce, Block
 * and Reload change, what `carguard monitor` prints of the signals, and what the
 * bouncer lets through with and without polkit, and from which logind sessions
 * (polkit and logind are python3-dbusmock's polkitd and logind templates: fakes, since
 * the test cannot run the real polkitd and systemd-logind on a private bus; the
 * installed-system lab's laptop runs the real ones). */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cg-ask.h"
#include "cg-bouncer.h"
#include "cg-dbus-generated.h"
#include "cg-dbus-record.h"
#include "cg-dbus.h"
#include "cg-hwdb.h"
#include "cg-test-tree.h"

#define CAR_ADDRESS "00:1E:DE:12:34:56"

typedef struct {
  char *root;
  GTestDBus *test_bus;
  GDBusConnection *service_bus;
  GDBusConnection *client_bus;
  CgPolicyKeeper *keeper;
  CgDeviceRegistry *registry;
  CgPending *pending;
  CgApprovals *approvals;
  CgHwdb *hwdb; /* the system's, as carguardd and the CLI open it */
  CgDbusService *service;
  GSubprocess *polkit;
  GCancellable *polkit_wait;
  GSubprocess *logind;
  GCancellable *logind_wait;
  GMainLoop *loop;
} ServiceFixture;

static ServiceFixture fixture;

static void
write_file (const char *relative, const char *text)
{
  cg_test_tree_write (fixture.root, relative, text);
}

static GDBusConnection *
connect_to_test_bus (void)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus = g_dbus_connection_new_for_address_sync (
      g_test_dbus_get_bus_address (fixture.test_bus),
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);

  ck_assert_msg (bus != NULL, "%s", error ? error->message : "");
  return bus;
}

static void
service_setup (void)
{
  g_autoptr (GError) error = NULL;

  fixture.root = g_dir_make_tmp ("cg-dbus-XXXXXX", NULL);
  write_file ("etc/carguard/carguard.conf", "[Default]\nPreset=charge-only\n"
                                            "[CarDefault]\nPreset=audio-only\n");
  write_file ("etc/carguard/vendors.d/byd.conf", "[Vendor]\nName=BYD\n"
                                                 "[Match]\nBluetoothOUI=00:1E:DE\n"
                                                 "[Policy]\nPreset=audio-only\nPairing=ask\n");
  fixture.test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture.test_bus);
  fixture.service_bus = connect_to_test_bus ();
  fixture.client_bus = connect_to_test_bus ();
  fixture.keeper = cg_policy_keeper_new (fixture.root);
  ck_assert (cg_policy_keeper_reload (fixture.keeper, NULL));
  fixture.pending = cg_pending_new (0);
  fixture.registry = cg_device_registry_new (fixture.pending);
  fixture.approvals = cg_approvals_new (NULL);
  fixture.hwdb = cg_hwdb_new (NULL);
  fixture.service = cg_dbus_service_new (fixture.service_bus, fixture.keeper, fixture.registry,
                                         fixture.pending, fixture.hwdb, fixture.approvals, &error);
  ck_assert_msg (fixture.service != NULL, "%s", error ? error->message : "");
  ck_assert (cg_dbus_service_own_name (fixture.service, NULL));
  fixture.loop = g_main_loop_new (NULL, FALSE);
}

static void
stop_fake (GSubprocess **process, GCancellable **wait)
{
  if (*process == NULL)
    return;
  g_cancellable_cancel (*wait);
  g_clear_object (wait);
  g_subprocess_force_exit (*process);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

static void
service_teardown (void)
{
  stop_fake (&fixture.polkit, &fixture.polkit_wait);
  stop_fake (&fixture.logind, &fixture.logind_wait);
  g_clear_object (&fixture.service);
  g_clear_pointer (&fixture.hwdb, cg_hwdb_free);
  g_clear_object (&fixture.approvals);
  g_clear_object (&fixture.pending);
  g_clear_object (&fixture.registry);
  g_clear_object (&fixture.keeper);
  g_dbus_connection_close_sync (fixture.client_bus, NULL, NULL);
  g_dbus_connection_close_sync (fixture.service_bus, NULL, NULL);
  g_clear_object (&fixture.client_bus);
  g_clear_object (&fixture.service_bus);
  g_test_dbus_down (fixture.test_bus);
  g_clear_object (&fixture.test_bus);
  g_clear_pointer (&fixture.loop, g_main_loop_unref);
  cg_test_tree_remove (fixture.root);
  g_clear_pointer (&fixture.root, g_free);
}

typedef struct {
  GVariant *reply;
  GError *error;
} CallResult;

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallResult *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &call->error);
  g_main_loop_quit (fixture.loop);
}

/* The service answers on this thread's main loop, so the client call runs it too. */
static GVariant *
call_method (const char *method, GVariant *parameters, GError **error)
{
  CallResult call = { NULL, NULL };

  g_dbus_connection_call (fixture.client_bus, CG_DBUS_NAME, CG_DBUS_PATH, CG_DBUS_INTERFACE, method,
                          parameters, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_call_done, &call);
  g_main_loop_run (fixture.loop);
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.reply;
}

static void
publish_car (const char *decision)
{
  const char *const allowed[] = { "a2dp", "avrcp", NULL };
  const char *const denied[] = { "pbap", "map", NULL };
  CgDeviceReport report = {
    .transport = "bluetooth",
    .device = CAR_ADDRESS,
    .name = "BYD DiLink",
    .vendor = "byd",
    .decision = decision,
    .rule = "/etc/carguard/vendors.d/byd.conf:5",
    .allowed = allowed,
    .denied = denied,
    .enforced = TRUE,
  };

  cg_device_registry_publish (fixture.registry, &report);
}

static gboolean
caller_is_root (void)
{
  return geteuid () == 0;
}

START_TEST (test_list_devices)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) devices = NULL;
  g_autoptr (GVariant) car = NULL;
  const char *value = NULL;

  if (!caller_is_root ())
    return; /* without polkit only root may read; covered by test_polkit_decides */
  publish_car ("deny");
  reply = call_method ("ListDevices", NULL, &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  devices = g_variant_get_child_value (reply, 0);
  ck_assert_uint_eq (g_variant_n_children (devices), 1);
  car = g_variant_get_child_value (devices, 0);
  ck_assert (g_variant_lookup (car, CG_DBUS_RECORD_ID, "&s", &value));
  ck_assert_str_eq (value, "bluetooth/" CAR_ADDRESS);
  ck_assert (g_variant_lookup (car, CG_DBUS_RECORD_DECISION, "&s", &value));
  ck_assert_str_eq (value, "deny");
  ck_assert (g_variant_lookup (car, CG_DBUS_RECORD_RULE, "&s", &value));
  ck_assert_str_eq (value, "/etc/carguard/vendors.d/byd.conf:5");
  ck_assert (g_variant_lookup (car, CG_DBUS_RECORD_VENDOR_NAME, "&s", &value));
  ck_assert_str_eq (value, "BYD");
}
END_TEST

static void
on_decision_signal (GDBusConnection *bus, const char *sender, const char *path,
                    const char *interface, const char *signal, GVariant *parameters,
                    gpointer user_data)
{
  GVariant **received = user_data;

  *received = g_variant_get_child_value (parameters, 0);
  g_main_loop_quit (fixture.loop);
}

START_TEST (test_decision_signal)
{
  g_autoptr (GVariant) received = NULL;
  g_autoptr (GVariant) bus_id = NULL;
  g_autofree const char **denied = NULL;
  const char *name = NULL;
  guint32 pending = 0;
  guint id;
  guint subscription = g_dbus_connection_signal_subscribe (
      fixture.client_bus, CG_DBUS_NAME, CG_DBUS_INTERFACE, "Decision", CG_DBUS_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_decision_signal, &received, NULL);

  /* The match rule reaches the bus before the signal does: a round trip first. */
  bus_id = g_dbus_connection_call_sync (fixture.client_bus, "org.freedesktop.DBus",
                                        "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                                        NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  /* The car's record carries the id of the question asked about it. */
  id = cg_pending_add (fixture.pending,
                       &(CgPendingQuestion){ "bluetooth", CAR_ADDRESS, "BYD DiLink", "pair" }, NULL,
                       NULL, NULL);
  publish_car ("ask");
  g_main_loop_run (fixture.loop);
  g_dbus_connection_signal_unsubscribe (fixture.client_bus, subscription);

  ck_assert_ptr_nonnull (received);
  ck_assert (g_variant_lookup (received, CG_DBUS_RECORD_NAME, "&s", &name));
  ck_assert_str_eq (name, "BYD DiLink");
  ck_assert (g_variant_lookup (received, CG_DBUS_RECORD_PENDING, "u", &pending));
  ck_assert_uint_eq (pending, id);
  ck_assert (g_variant_lookup (received, CG_DBUS_RECORD_DENIED, "^a&s", &denied));
  ck_assert_str_eq (denied[0], "pbap");
}
END_TEST

static void
on_device_removed (CgGenDaemon1 *daemon, const char *id, gpointer user_data)
{
  char **received = user_data;

  *received = g_strdup (id);
  g_main_loop_quit (fixture.loop);
}

/* A client's view through the generated proxy, as the CLI and the notifier make it. */
static CgGenDaemon1 *
client_proxy_new (void)
{
  g_autoptr (GError) error = NULL;
  CgGenDaemon1 *daemon = cg_gen_daemon1_proxy_new_sync (
      fixture.client_bus,
      G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START | G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
      CG_DBUS_NAME, CG_DBUS_PATH, NULL, &error);

  ck_assert_msg (daemon != NULL, "%s", error ? error->message : "");
  return daemon;
}

START_TEST (test_device_removed_signal)
{
  g_autoptr (CgGenDaemon1) daemon = client_proxy_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) devices = NULL;
  g_autofree char *received = NULL;

  g_signal_connect (daemon, "device-removed", G_CALLBACK (on_device_removed), &received);
  publish_car ("deny");
  /* Forgetting a device the registry never held says nothing: the car's removal, sent
   * after it, is the first signal to arrive. */
  cg_device_registry_remove (fixture.registry, "usb", "9-9");
  cg_device_registry_remove (fixture.registry, "bluetooth", "00:1e:de:12:34:56");
  g_main_loop_run (fixture.loop);
  ck_assert_str_eq (received, "bluetooth/" CAR_ADDRESS);

  if (!caller_is_root ())
    return;
  g_signal_handlers_disconnect_by_data (daemon, &received);
  reply = call_method ("ListDevices", NULL, &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  devices = g_variant_get_child_value (reply, 0);
  ck_assert_uint_eq (g_variant_n_children (devices), 0);
}
END_TEST

/* The built `carguard monitor` on the test bus, and the lines it prints. */
typedef struct {
  GSubprocess *process;
  GDataInputStream *out;
  char *line;
} MonitorProcess;

static void
monitor_start (MonitorProcess *monitor, const char *option)
{
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  const char *carguard = g_getenv ("CARGUARD");
  g_autoptr (GError) error = NULL;

  ck_assert_msg (carguard != NULL, "CARGUARD names the built carguard");
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS",
                                g_test_dbus_get_bus_address (fixture.test_bus), TRUE);
  monitor->process
      = g_subprocess_launcher_spawn (launcher, &error, carguard, "monitor", option, NULL);
  ck_assert_msg (monitor->process != NULL, "%s", error ? error->message : "");
  monitor->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (monitor->process));
}

static void
on_monitor_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MonitorProcess *monitor = user_data;

  monitor->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                             NULL, NULL);
  g_main_loop_quit (fixture.loop);
}

/* The next line holding needle; earlier lines are skipped. Fails if the monitor ends. */
static char *
monitor_wait_for (MonitorProcess *monitor, const char *needle)
{
  for (;;) {
    g_autofree char *line = NULL;

    g_data_input_stream_read_line_async (monitor->out, G_PRIORITY_DEFAULT, NULL, on_monitor_line,
                                         monitor);
    g_main_loop_run (fixture.loop);
    line = g_steal_pointer (&monitor->line);
    ck_assert_msg (line != NULL, "carguard monitor ended before printing %s", needle);
    if (strstr (line, needle) != NULL)
      return g_steal_pointer (&line);
  }
}

static void
monitor_stop (MonitorProcess *monitor)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (monitor->process, SIGTERM);
  ck_assert (g_subprocess_wait (monitor->process, NULL, &error));
  ck_assert_int_eq (g_subprocess_get_exit_status (monitor->process), 0);
  g_clear_object (&monitor->out);
  g_clear_object (&monitor->process);
}

START_TEST (test_monitor_shows_removals)
{
  MonitorProcess monitor = { NULL };
  g_autofree char *running = NULL;
  g_autofree char *decision = NULL;
  g_autofree char *removed = NULL;

  monitor_start (&monitor, NULL);
  /* Printed once its subscriptions are in place: nothing published after it is missed. */
  running = monitor_wait_for (&monitor, "carguardd is running");
  publish_car ("deny");
  cg_device_registry_remove (fixture.registry, "bluetooth", CAR_ADDRESS);
  decision = monitor_wait_for (&monitor, "bluetooth/" CAR_ADDRESS);
  ck_assert_ptr_nonnull (strstr (decision, "\"BYD DiLink\""));
  ck_assert_ptr_nonnull (strstr (decision, "  deny  rule=/etc/carguard/vendors.d/byd.conf:5"));
  removed = monitor_wait_for (&monitor, "bluetooth/" CAR_ADDRESS);
  ck_assert_msg (g_str_has_suffix (removed, " bluetooth/" CAR_ADDRESS "  removed"), "%s", removed);
  monitor_stop (&monitor);
}
END_TEST

static JsonObject *
json_line_object (JsonParser *parser, const char *line)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, line, -1, &error), "%s: %s", line,
                 error ? error->message : "");
  return json_node_get_object (json_parser_get_root (parser));
}

START_TEST (test_monitor_json_shows_removals)
{
  MonitorProcess monitor = { NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *line = NULL;
  JsonObject *event;
  guint id;

  monitor_start (&monitor, "--json");
  line = monitor_wait_for (&monitor, "\"event\":\"running\"");
  id = cg_pending_add (fixture.pending,
                       &(CgPendingQuestion){ "bluetooth", CAR_ADDRESS, "BYD DiLink", "pair" }, NULL,
                       NULL, NULL);
  publish_car ("ask");
  cg_device_registry_remove (fixture.registry, "bluetooth", CAR_ADDRESS);

  g_free (line);
  line = monitor_wait_for (&monitor, "\"event\":\"decision\"");
  event = json_line_object (parser, line);
  ck_assert_str_eq (json_object_get_string_member (event, "id"), "bluetooth/" CAR_ADDRESS);
  ck_assert_str_eq (json_object_get_string_member (event, "decision"), "ask");
  ck_assert_str_eq (json_object_get_string_member (event, "vendor-name"), "BYD");
  ck_assert_int_eq (json_object_get_int_member (event, "pending"), id);
  ck_assert_str_eq (
      json_array_get_string_element (json_object_get_array_member (event, "denied"), 1), "map");
  ck_assert_str_eq (json_object_get_string_member (event, "usb-id"), "");

  g_free (line);
  line = monitor_wait_for (&monitor, "\"event\":\"removed\"");
  event = json_line_object (parser, line);
  ck_assert_str_eq (json_object_get_string_member (event, "id"), "bluetooth/" CAR_ADDRESS);
  monitor_stop (&monitor);
}
END_TEST

START_TEST (test_record_codec)
{
  const char *const allowed[] = { "audio", NULL };
  const CgDbusRecord sent = {
    .id = "usb/1-1.2",
    .transport = "usb",
    .device = "1-1.2",
    .name = "Head unit",
    .usb_id = "1d6b:0104",
    .vendor = "",
    .vendor_name = "",
    .decision = "data",
    .rule = "default",
    .allowed = allowed,
    .enforced = TRUE,
    .pending = 3,
    .question = { .id = 3,
                  .asks = "data",
                  .kind = "usb-device",
                  .grants = "data",
                  .has_passkey = TRUE,
                  .passkey = 123456,
                  .seconds_left = 29 },
  };
  g_auto (CgDbusRecord) received = { NULL };
  g_auto (CgDbusRecord) empty = { NULL };
  g_autoptr (GVariant) wrong = NULL;
  GVariantDict dict;

  cg_dbus_record_from_variant (cg_dbus_record_to_variant (&sent), &received);
  ck_assert_str_eq (received.id, "usb/1-1.2");
  ck_assert_str_eq (received.usb_id, "1d6b:0104");
  ck_assert_str_eq (received.decision, "data");
  ck_assert_str_eq (received.allowed[0], "audio");
  ck_assert_ptr_null (received.allowed[1]);
  ck_assert_ptr_null (received.denied[0]);
  ck_assert (received.enforced);
  ck_assert_uint_eq (received.pending, 3);
  ck_assert_uint_eq (received.question.id, 3);
  ck_assert_str_eq (received.question.kind, "usb-device");
  ck_assert_str_eq (received.question.warning, "");
  ck_assert (received.question.has_passkey);
  ck_assert_uint_eq (received.question.passkey, 123456);
  ck_assert_uint_eq (received.question.seconds_left, 29);

  /* What a record lacks, or carries with another type, reads as nothing. */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, CG_DBUS_RECORD_PENDING, "s", "3");
  g_variant_dict_insert (&dict, CG_DBUS_RECORD_DECISION, "u", 1);
  wrong = g_variant_ref_sink (g_variant_dict_end (&dict));
  cg_dbus_record_from_variant (wrong, &empty);
  ck_assert_str_eq (empty.id, "");
  ck_assert_str_eq (empty.decision, "");
  ck_assert_str_eq (empty.usb_id, "");
  ck_assert_ptr_null (empty.allowed[0]);
  ck_assert (!empty.enforced);
  ck_assert_uint_eq (empty.pending, 0);
  ck_assert_uint_eq (empty.question.id, 0);
  ck_assert_str_eq (empty.question.grants, "");
  ck_assert (!empty.question.has_passkey);
}
END_TEST

/* While a question is open, the record says what a person is asked; once it is
 * answered the record carries no question. */
START_TEST (test_list_devices_shows_the_open_question)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) car = NULL;
  g_autoptr (GVariant) first = NULL;
  g_auto (CgDbusRecord) record = { NULL };
  const CgPendingQuestion question = { .transport = "bluetooth",
                                       .device = CAR_ADDRESS,
                                       .device_name = "BYD DiLink",
                                       .question = "pair",
                                       .grants = "calls and music",
                                       .kind = "car",
                                       .has_passkey = TRUE,
                                       .passkey = 4242,
                                       .warning = "already paired" };
  guint id;

  if (!caller_is_root ())
    return;
  id = cg_pending_add (fixture.pending, &question, NULL, NULL, NULL);
  publish_car ("ask");
  reply = call_method ("ListDevices", NULL, &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  g_variant_get_child (reply, 0, "@aa{sv}", &car);
  first = g_variant_get_child_value (car, 0);
  cg_dbus_record_from_variant (first, &record);
  ck_assert_uint_eq (record.question.id, id);
  ck_assert_str_eq (record.question.asks, "pair");
  ck_assert_str_eq (record.question.kind, "car");
  ck_assert_str_eq (record.question.grants, "calls and music");
  ck_assert_str_eq (record.question.warning, "already paired");
  ck_assert (record.question.has_passkey);
  ck_assert_uint_eq (record.question.passkey, 4242);
  ck_assert_uint_le (record.question.seconds_left, CG_PENDING_DEFAULT_TIMEOUT_MS / 1000);
  cg_dbus_record_clear (&record);

  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_DENY, NULL));
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&car, g_variant_unref);
  g_clear_pointer (&first, g_variant_unref);
  reply = call_method ("ListDevices", NULL, &error);
  g_variant_get_child (reply, 0, "@aa{sv}", &car);
  first = g_variant_get_child_value (car, 0);
  cg_dbus_record_from_variant (first, &record);
  ck_assert_uint_eq (record.question.id, 0);
}
END_TEST

static JsonNode *
explain_car (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  GVariantDict facts;
  const char *json = NULL;

  g_variant_dict_init (&facts, NULL);
  g_variant_dict_insert (&facts, CG_DBUS_FACT_BLUETOOTH_ADDRESS, "s", CAR_ADDRESS);
  g_variant_dict_insert (&facts, CG_DBUS_FACT_BLUETOOTH_CLASS, "u", 0x200420);
  reply = call_method ("Explain", g_variant_new ("(@a{sv})", g_variant_dict_end (&facts)), &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  g_variant_get (reply, "(&s)", &json);
  return json_from_string (json, NULL);
}

START_TEST (test_explain)
{
  g_autoptr (JsonNode) explanation = NULL;
  JsonObject *bluetooth;

  if (!caller_is_root ())
    return;
  explanation = explain_car ();
  bluetooth = json_object_get_object_member (json_node_get_object (explanation), "bluetooth");
  ck_assert_str_eq (json_object_get_string_member (bluetooth, "pairing"), "ask");
}
END_TEST

START_TEST (test_explain_rejects_unknown_fact)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  GVariantDict facts;

  if (!caller_is_root ())
    return;
  g_variant_dict_init (&facts, NULL);
  g_variant_dict_insert (&facts, "BluetoothAdress", "s", CAR_ADDRESS);
  reply = call_method ("Explain", g_variant_new ("(@a{sv})", g_variant_dict_end (&facts)), &error);
  ck_assert_ptr_null (reply);
  ck_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS));
}
END_TEST

static gint64 answered_by = CG_PENDING_NO_UID;

static void
record_answer (guint id, CgPendingAnswer answer, CgPendingReason reason, gint64 answered_uid,
               gpointer user_data)
{
  int *answered = user_data;

  *answered = answer == CG_PENDING_ANSWER_ALLOW && reason == CG_PENDING_BY_PERSON ? 1 : -1;
  answered_by = answered_uid;
}

/* AllowOnce's call: the error's D-Bus name, or NULL when it succeeded. */
static char *
allow_once_error (const char *question)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = call_method ("AllowOnce", g_variant_new ("(s)", question), &error);

  return reply != NULL ? NULL : g_dbus_error_get_remote_error (error);
}

START_TEST (test_allow_once_answers_the_question)
{
  g_autofree char *refused = NULL;
  g_autofree char *again = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *lower = NULL;
  int answered = 0;
  guint id;

  if (!caller_is_root ())
    return;
  id = cg_pending_add (fixture.pending,
                       &(CgPendingQuestion){ "bluetooth", CAR_ADDRESS, "BYD DiLink", "pair" },
                       record_answer, &answered, NULL);
  publish_car ("ask");
  /* Without the question the person saw nothing is answered. */
  refused = allow_once_error (CAR_ADDRESS);
  ck_assert_str_eq (refused, CG_DBUS_ERROR_NAME_NOT_ASKED);
  ck_assert_int_eq (answered, 0);

  lower = g_strdup_printf ("00:1e:de:12:34:56#%u", id);
  ck_assert_ptr_null (allow_once_error (lower));
  ck_assert_int_eq (answered, 1);
  /* The journal names who answered: the caller of AllowOnce. */
  ck_assert_int_eq (answered_by, (gint64)getuid ());
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, id));

  /* Answered: a second AllowOnce has nothing to answer. */
  ref = g_strdup_printf ("bluetooth/" CAR_ADDRESS "#%u", id);
  again = allow_once_error (ref);
  ck_assert_str_eq (again, CG_DBUS_ERROR_NAME_NOT_ASKED);
}
END_TEST

/* The car plugged in again (or the question withdrawn and asked anew): the yes to the
 * old question reaches nothing, not the new question. */
START_TEST (test_allow_once_to_a_stale_question_changes_nothing)
{
  g_autofree char *stale = NULL;
  g_autofree char *old_ref = NULL;
  g_autofree char *new_ref = NULL;
  int first = 0, second = 0;
  guint old_id, new_id;

  if (!caller_is_root ())
    return;
  old_id = cg_pending_add (fixture.pending,
                           &(CgPendingQuestion){ "bluetooth", CAR_ADDRESS, "BYD DiLink", "pair" },
                           record_answer, &first, NULL);
  publish_car ("ask");
  ck_assert (cg_pending_cancel (fixture.pending, old_id));
  new_id = cg_pending_add (fixture.pending,
                           &(CgPendingQuestion){ "bluetooth", CAR_ADDRESS, "BYD DiLink", "pair" },
                           record_answer, &second, NULL);
  publish_car ("ask");
  old_ref = g_strdup_printf ("bluetooth/" CAR_ADDRESS "#%u", old_id);
  stale = allow_once_error (old_ref);
  ck_assert_str_eq (stale, CG_DBUS_ERROR_NAME_NOT_ASKED);
  ck_assert_int_eq (second, 0);
  ck_assert_ptr_nonnull (cg_pending_lookup (fixture.pending, new_id));
  new_ref = g_strdup_printf ("bluetooth/" CAR_ADDRESS "#%u", new_id);
  ck_assert_ptr_null (allow_once_error (new_ref));
  ck_assert_int_eq (second, 1);
}
END_TEST

START_TEST (test_allow_once_refused_where_policy_does_not_ask)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *remote = NULL;

  if (!caller_is_root ())
    return;
  publish_car ("deny");
  reply = call_method ("AllowOnce", g_variant_new ("(s)", CAR_ADDRESS), &error);
  ck_assert_ptr_null (reply);
  remote = g_dbus_error_get_remote_error (error);
  ck_assert_str_eq (remote, CG_DBUS_ERROR_NAME_NOT_ASKED);

  g_clear_error (&error);
  reply = call_method ("AllowOnce", g_variant_new ("(s)", "00:00:00:00:00:01"), &error);
  ck_assert_ptr_null (reply);
  g_free (remote);
  remote = g_dbus_error_get_remote_error (error);
  ck_assert_str_eq (remote, CG_DBUS_ERROR_NAME_UNKNOWN_DEVICE);
}
END_TEST

static void
record_ask_answer (CgAnswer answer, gpointer user_data)
{
  const char **answered = user_data;

  *answered = cg_answer_to_string (answer);
}

/* "Keep blocked": Deny(question id) answers at once, as the person's refusal. */
START_TEST (test_deny_answers_the_question_as_the_person)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *remote = NULL;
  const char *answered = NULL;
  CgAsk ask = { 0 };
  const CgPendingQuestion question = { "bluetooth", CAR_ADDRESS, "BYD DiLink", "pair" };
  guint older, id;

  if (!caller_is_root ())
    return;
  /* The question the person was shown, and a newer one of the same device. */
  older = cg_pending_add (fixture.pending, &question, NULL, NULL, NULL);
  ck_assert (cg_ask_raise (&ask, fixture.pending, &question, record_ask_answer, &answered));
  id = cg_ask_get_id (&ask);
  publish_car ("ask");
  reply = call_method ("Deny", g_variant_new ("(u)", id), &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  while (answered == NULL)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_str_eq (answered, "deny (person)");
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, id));
  ck_assert_ptr_nonnull (cg_pending_lookup (fixture.pending, older));

  /* Answered: nothing left to deny; an id never asked is refused the same way. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_method ("Deny", g_variant_new ("(u)", id), &error);
  ck_assert_ptr_null (reply);
  remote = g_dbus_error_get_remote_error (error);
  ck_assert_str_eq (remote, CG_DBUS_ERROR_NAME_NOT_ASKED);
  g_clear_error (&error);
  g_clear_pointer (&remote, g_free);
  reply = call_method ("Deny", g_variant_new ("(u)", 0u), &error);
  ck_assert_ptr_null (reply);
  remote = g_dbus_error_get_remote_error (error);
  ck_assert_str_eq (remote, CG_DBUS_ERROR_NAME_NOT_ASKED);
  cg_ask_withdraw (&ask);
}
END_TEST

START_TEST (test_block_persists_and_enforces)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (JsonNode) explanation = NULL;
  g_autofree char *path
      = g_build_filename (fixture.root, "etc/carguard/vendors.d/local-blocked.conf", NULL);
  g_autofree char *text = NULL;
  JsonObject *bluetooth;

  if (!caller_is_root ())
    return;
  publish_car ("ask");
  reply = call_method ("Block", g_variant_new ("(s)", "bluetooth/" CAR_ADDRESS), &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  ck_assert (g_file_get_contents (path, &text, NULL, NULL));
  ck_assert_ptr_nonnull (strstr (text, CAR_ADDRESS));

  /* The policy in force now blocks the car, by the new rule. */
  explanation = explain_car ();
  bluetooth = json_object_get_object_member (json_node_get_object (explanation), "bluetooth");
  ck_assert_str_eq (json_object_get_string_member (bluetooth, "pairing"), "deny");
  ck_assert (json_object_get_boolean_member (bluetooth, "block"));
  ck_assert_ptr_nonnull (
      strstr (json_object_get_string_member (bluetooth, "rule"), "local-blocked.conf"));

  /* Blocking again changes nothing and still succeeds. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_method ("Block", g_variant_new ("(s)", CAR_ADDRESS), &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
}
END_TEST

START_TEST (test_reload_reports_broken_policy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (JsonNode) explanation = NULL;
  JsonObject *bluetooth;

  if (!caller_is_root ())
    return;
  write_file ("etc/carguard/vendors.d/byd.conf", "[Vendor]\nName=BYD\nBogus=1\n");
  reply = call_method ("Reload", NULL, &error);
  ck_assert_ptr_null (reply);
  ck_assert_ptr_nonnull (strstr (error->message, "byd.conf:3"));

  /* The last good policy stays: the car is still asked about. */
  explanation = explain_car ();
  bluetooth = json_object_get_object_member (json_node_get_object (explanation), "bluetooth");
  ck_assert_str_eq (json_object_get_string_member (bluetooth, "pairing"), "ask");
}
END_TEST

static void
on_fake_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
  g_main_loop_quit (fixture.loop);
}

static void
on_fake_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  if (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL))
    g_main_loop_quit (fixture.loop);
}

/* python3-dbusmock's TEMPLATE on the test bus, once it owns NAME. */
static void
start_fake (const char *template, const char *name, GSubprocess **process, GCancellable **wait)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  const char *python = g_getenv ("CG_PYTHON") ? g_getenv ("CG_PYTHON") : "python3";
  const char *address = g_test_dbus_get_bus_address (fixture.test_bus);
  g_autoptr (GError) error = NULL;
  guint watch;

  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  *process = g_subprocess_launcher_spawn (launcher, &error, python, "-m", "dbusmock", "--template",
                                          template, NULL);
  ck_assert_msg (*process != NULL, "%s", error ? error->message : "");
  watch = g_bus_watch_name_on_connection (fixture.client_bus, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_fake_appeared, NULL, NULL, NULL);
  /* A fake that dies (python3-dbusmock missing) ends the wait too, and fails the test. */
  *wait = g_cancellable_new ();
  g_subprocess_wait_async (*process, *wait, on_fake_exited, NULL);
  g_main_loop_run (fixture.loop);
  g_bus_unwatch_name (watch);
  ck_assert_msg (g_subprocess_get_identifier (*process) != NULL,
                 "the fake %s (%s -m dbusmock) exited; is python3-dbusmock installed?", template,
                 python);
}

/* polkitd denies every action until SetAllowed lists it. */
static void
start_fake_polkit (void)
{
  start_fake ("polkitd", "org.freedesktop.PolicyKit1", &fixture.polkit, &fixture.polkit_wait);
}

static void
fake_polkit_allow (const char *action)
{
  const char *actions[] = { action, NULL };
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
      fixture.client_bus, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
      "org.freedesktop.DBus.Mock", "SetAllowed", g_variant_new ("(^as)", actions), NULL,
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);

  ck_assert_ptr_nonnull (reply);
}

START_TEST (test_polkit_decides)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *path
      = g_build_filename (fixture.root, "etc/carguard/vendors.d/local-blocked.conf", NULL);

  start_fake_polkit ();
  publish_car ("deny");

  /* polkit says no: root or not, the call is refused and nothing is written. */
  reply = call_method ("Block", g_variant_new ("(s)", CAR_ADDRESS), &error);
  ck_assert_ptr_null (reply);
  ck_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED));
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  reply = call_method ("ListDevices", NULL, &error);
  ck_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED));
  g_clear_error (&error);

  /* Reading is one action, blocking another. */
  fake_polkit_allow (CG_ACTION_READ);
  reply = call_method ("ListDevices", NULL, &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_method ("Block", g_variant_new ("(s)", CAR_ADDRESS), &error);
  ck_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED));
  g_clear_error (&error);

  fake_polkit_allow (CG_ACTION_BLOCK);
  reply = call_method ("Block", g_variant_new ("(s)", CAR_ADDRESS), &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  ck_assert (g_file_test (path, G_FILE_TEST_EXISTS));
}
END_TEST

#define LOGIND_PATH "/org/freedesktop/login1"
#define LOGIND_SESSION_PATH LOGIND_PATH "/session/"

static void
fake_logind_call (const char *path, const char *interface, const char *method, GVariant *parameters)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
      fixture.client_bus, "org.freedesktop.login1", path, interface, method, parameters, NULL,
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

  ck_assert_msg (reply != NULL, "%s.%s: %s", interface, method, error ? error->message : "");
}

static void
fake_logind_set (const char *path, const char *interface, const char *property, GVariant *value)
{
  fake_logind_call (path, "org.freedesktop.DBus.Properties", "Set",
                    g_variant_new ("(ssv)", interface, property, value));
}

/* A session of the test's own user; the user's State is that of its first session. */
static char *
fake_logind_add_session (const char *id, const char *seat, gboolean active, gboolean remote)
{
  char *path = g_strconcat (LOGIND_SESSION_PATH, id, NULL);

  fake_logind_call (LOGIND_PATH, "org.freedesktop.DBus.Mock", "AddSession",
                    g_variant_new ("(ssusb)", id, "seat0", (guint32)getuid (), "bob", active));
  if (seat == NULL)
    fake_logind_set (path, "org.freedesktop.login1.Session", "Seat",
                     g_variant_new ("(so)", "", "/"));
  fake_logind_set (path, "org.freedesktop.login1.Session", "Remote",
                   g_variant_new_boolean (remote));
  return path;
}

/* The template has no GetSessionByPID: it answers with SESSION, or, for NULL, that the
 * caller's process is in no session. */
static void
fake_logind_session_by_pid (const char *session)
{
  g_autofree char *code = session != NULL
                              ? g_strdup_printf ("ret = '" LOGIND_SESSION_PATH "%s'", session)
                              : g_strdup ("raise dbus.exceptions.DBusException('no session', "
                                          "name='org.freedesktop.login1.NoSessionForPID')");

  fake_logind_call (LOGIND_PATH, "org.freedesktop.DBus.Mock", "AddMethod",
                    g_variant_new ("(sssss)", "org.freedesktop.login1.Manager", "GetSessionByPID",
                                   "u", "o", code));
}

/* The template's GetUser fails on its own uid argument, and it has no GetSessionByPID. */
static void
start_fake_logind (void)
{
  start_fake ("logind", "org.freedesktop.login1", &fixture.logind, &fixture.logind_wait);
  fake_logind_call (LOGIND_PATH, "org.freedesktop.DBus.Mock", "AddMethod",
                    g_variant_new ("(sssss)", "org.freedesktop.login1.Manager", "GetUser", "u", "o",
                                   "ret = '" LOGIND_PATH "/user/%u' % args[0]"));
}

/* Refused, for the reason WHY_TEXT (a piece of the error), and the question still open. */
static void
assert_allow_once_refused (guint id, const char *why, const char *why_text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *question = g_strdup_printf ("bluetooth/" CAR_ADDRESS "#%u", id);
  g_autoptr (GVariant) reply = call_method ("AllowOnce", g_variant_new ("(s)", question), &error);

  ck_assert_msg (reply == NULL, "AllowOnce passed %s", why);
  ck_assert_msg (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED), "%s: %s", why,
                 error->message);
  ck_assert_msg (strstr (error->message, why_text) != NULL, "%s: %s", why, error->message);
  ck_assert_msg (cg_pending_lookup (fixture.pending, id) != NULL, "%s: the question went", why);
}

/* polkit allows AllowOnce to any user with some active session; the bouncer also wants
 * the caller's own session active and local on a seat. */
START_TEST (test_allow_once_only_from_a_session_at_a_seat)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *user = g_strdup_printf (LOGIND_PATH "/user/%u", (guint32)getuid ());
  g_autofree char *ssh = NULL;
  g_autofree char *tty2 = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *tty1 = NULL;
  g_autofree char *question = NULL;
  int answered = 0;
  guint id;

  start_fake_polkit ();
  fake_polkit_allow (CG_ACTION_ALLOW_ONCE);
  id = cg_pending_add (fixture.pending,
                       &(CgPendingQuestion){ "bluetooth", CAR_ADDRESS, "BYD DiLink", "pair" },
                       record_answer, &answered, NULL);
  publish_car ("ask");
  assert_allow_once_refused (id, "with no logind to ask", "org.freedesktop.login1");

  start_fake_logind ();
  ssh = fake_logind_add_session ("ssh", NULL, TRUE, FALSE);
  tty2 = fake_logind_add_session ("tty2", "seat0", FALSE, FALSE);
  remote = fake_logind_add_session ("remote", "seat0", TRUE, TRUE);
  tty1 = fake_logind_add_session ("tty1", "seat0", TRUE, FALSE);
  fake_logind_session_by_pid ("ssh");
  assert_allow_once_refused (id, "from a seatless session (an SSH login)", "is on no seat");
  fake_logind_session_by_pid ("tty2");
  assert_allow_once_refused (id, "from an inactive seat session while the user has an active one",
                             "is not the active session");
  fake_logind_session_by_pid ("remote");
  assert_allow_once_refused (id, "from a remote session", "is remote");
  fake_logind_session_by_pid (NULL);
  assert_allow_once_refused (id, "from no session, the user having no display session",
                             "is in no session");
  fake_logind_set (user, "org.freedesktop.login1.User", "Display",
                   g_variant_new ("(so)", "tty2", tty2));
  assert_allow_once_refused (id, "from no session, the user's display session inactive",
                             "is not the active session");

  /* A user service (carguard-notifier) of the person at the seat: polkit and carguardd
   * judge it by its user's display session. */
  fake_logind_set (user, "org.freedesktop.login1.User", "Display",
                   g_variant_new ("(so)", "tty1", tty1));
  question = g_strdup_printf ("bluetooth/" CAR_ADDRESS "#%u", id);
  reply = call_method ("AllowOnce", g_variant_new ("(s)", question), &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (answered, 1);
}
END_TEST

START_TEST (test_bouncer_session_at_seat)
{
  CgLoginSession at_seat = {
    .seat = "seat0", .session_class = "user", .type = "wayland", .state = "active", .active = TRUE
  };
  CgLoginSession s;

  ck_assert (cg_bouncer_session_is_at_seat (&at_seat, NULL));
  s = at_seat, s.seat = "";
  ck_assert (!cg_bouncer_session_is_at_seat (&s, NULL));
  s = at_seat, s.seat = NULL;
  ck_assert (!cg_bouncer_session_is_at_seat (&s, NULL));
  s = at_seat, s.remote = TRUE;
  ck_assert (!cg_bouncer_session_is_at_seat (&s, NULL));
  s = at_seat, s.active = FALSE, s.state = "online";
  ck_assert (!cg_bouncer_session_is_at_seat (&s, NULL));
  s = at_seat, s.state = "closing";
  ck_assert (!cg_bouncer_session_is_at_seat (&s, NULL));
  s = at_seat, s.session_class = "greeter";
  ck_assert (!cg_bouncer_session_is_at_seat (&s, NULL));
  s = at_seat, s.type = "tty";
  ck_assert (cg_bouncer_session_is_at_seat (&s, NULL));
}
END_TEST

START_TEST (test_without_polkit_only_root_passes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = call_method ("Reload", NULL, &error);

  if (caller_is_root ())
    ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  else
    ck_assert (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED));
}
END_TEST

static void
record_forgotten (CgApprovals *approvals, const char *transport, const char *device, guint end,
                  gpointer user_data)
{
  guint *revoked = user_data;

  if (end == CG_APPROVAL_REVOKED)
    (*revoked)++;
}

/* Revoke withdraws a lasting approval (the guard then removes the bond, on "forgotten");
 * a device with none is told so. */
START_TEST (test_revoke_withdraws_the_approval)
{
  const char *const binding[] = { "address=" CAR_ADDRESS, "class=0x000420", NULL };
  CgApproval approval = { .transport = "bluetooth",
                          .device = CAR_ADDRESS,
                          .by = CG_APPROVAL_BY_PERSON,
                          .approved = 1,
                          .binding = (GStrv)binding };
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *remote = NULL;
  guint revoked = 0;

  if (!caller_is_root ())
    return;
  ck_assert (cg_approvals_record (fixture.approvals, &approval, NULL));
  g_signal_connect (fixture.approvals, "forgotten", G_CALLBACK (record_forgotten), &revoked);
  publish_car ("allow once (person)");
  reply = call_method ("Revoke", g_variant_new ("(s)", "bluetooth/" CAR_ADDRESS), &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (revoked, 1);
  ck_assert_ptr_null (cg_approvals_lookup (fixture.approvals, "bluetooth", CAR_ADDRESS));
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_method ("Revoke", g_variant_new ("(s)", "00:00:00:00:00:01"), &error);
  ck_assert_ptr_null (reply);
  remote = g_dbus_error_get_remote_error (error);
  ck_assert_str_eq (remote, CG_DBUS_ERROR_NAME_NOT_APPROVED);
}
END_TEST

START_TEST (test_bouncer_maps_every_method)
{
  ck_assert_str_eq (cg_bouncer_action_for_method ("ListDevices"), CG_ACTION_READ);
  ck_assert_str_eq (cg_bouncer_action_for_method ("Explain"), CG_ACTION_READ);
  ck_assert_str_eq (cg_bouncer_action_for_method ("Status"), CG_ACTION_READ);
  ck_assert_str_eq (cg_bouncer_action_for_method ("Report"), CG_ACTION_READ);
  ck_assert_str_eq (cg_bouncer_action_for_method ("AllowOnce"), CG_ACTION_ALLOW_ONCE);
  ck_assert_str_eq (cg_bouncer_action_for_method ("Deny"), CG_ACTION_ALLOW_ONCE);
  ck_assert_str_eq (cg_bouncer_action_for_method ("Revoke"), CG_ACTION_REVOKE);
  ck_assert_str_eq (cg_bouncer_action_for_method ("Block"), CG_ACTION_BLOCK);
  ck_assert_str_eq (cg_bouncer_action_for_method ("Reload"), CG_ACTION_RELOAD);
  ck_assert_ptr_null (cg_bouncer_action_for_method ("Frobnicate"));
}
END_TEST

START_TEST (test_second_instance_cannot_own_the_name)
{
  g_autoptr (GDBusConnection) other_bus = connect_to_test_bus ();
  g_autoptr (CgDeviceRegistry) registry = cg_device_registry_new (NULL);
  g_autoptr (CgDbusService) other = NULL;
  g_autoptr (GError) error = NULL;

  other = cg_dbus_service_new (other_bus, fixture.keeper, registry, NULL, NULL, NULL, &error);
  ck_assert_ptr_nonnull (other);
  ck_assert (!cg_dbus_service_own_name (other, &error));
  ck_assert (g_error_matches (error, CG_DBUS_ERROR, CG_DBUS_ERROR_FAILED));
  g_clear_object (&other);
  g_dbus_connection_close_sync (other_bus, NULL, NULL);
}
END_TEST

/* The built `carguard` on the test bus, run to its end while this thread's main loop
 * serves its calls. */
typedef struct {
  char *out;
  char *err;
  int status;
} CliResult;

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static void
on_cli_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CliResult *cli = user_data;

  ck_assert (g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &cli->out,
                                                   &cli->err, NULL));
  g_main_loop_quit (fixture.loop);
}

static void
run_cli (CliResult *result, const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (argv, (gpointer)g_getenv ("CARGUARD"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS",
                                g_test_dbus_get_bus_address (fixture.test_bus), TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  ck_assert_msg (process != NULL, "%s", error ? error->message : "");
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_cli_done, result);
  g_main_loop_run (fixture.loop);
  ck_assert (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, text, -1, &error), "%s: %s",
                 error ? error->message : "", text);
  return json_node_get_object (json_parser_get_root (parser));
}

/* `carguard status` against the running service: the policy in force and its hash, the
 * files on disk beside it, the last reload, and what the guards say of themselves. */
START_TEST (test_status_command)
{
  const char *const json_args[] = { "status", "--json", NULL };
  const char *const text_args[] = { "status", NULL };
  const char *const rooted[] = { "--root", "/", "status", NULL };
  g_auto (CliResult) json = { 0 };
  g_auto (CliResult) text = { 0 };
  g_auto (CliResult) broken = { 0 };
  g_auto (CliResult) refused = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (fixture.keeper);
  JsonObject *status;
  JsonArray *guards;

  start_fake_polkit ();
  fake_polkit_allow (CG_ACTION_READ);
  cg_device_registry_report_guard (fixture.registry, "usb-host", TRUE,
                                   "root hubs usb1: a device plugged in gets no driver");
  cg_device_registry_report_guard (fixture.registry, "bluetooth", FALSE, "waiting for bluetoothd");
  run_cli (&json, json_args);
  ck_assert_msg (json.status == 0, "%s", json.err);
  status = parse_object (parser, json.out);
  ck_assert_str_eq (json_object_get_string_member (status, CG_DBUS_STATUS_POLICY_HASH),
                    cg_policy_get_hash (policy));
  ck_assert (!json_object_get_boolean_member (status, CG_DBUS_STATUS_POLICY_FALLBACK));
  ck_assert (json_object_get_boolean_member (status, CG_DBUS_STATUS_LAST_RELOAD_OK));
  ck_assert_str_eq (
      json_object_get_string_member (json_object_get_object_member (status, "Disk"), "state"),
      "enforced");
  guards = json_object_get_array_member (status, CG_DBUS_STATUS_GUARDS);
  ck_assert_uint_eq (json_array_get_length (guards), 2);
  ck_assert_str_eq (
      json_object_get_string_member (json_array_get_object_element (guards, 0), CG_DBUS_GUARD_NAME),
      "bluetooth");
  ck_assert (json_object_get_boolean_member (json_array_get_object_element (guards, 1),
                                             CG_DBUS_GUARD_RUNNING));

  run_cli (&text, text_args);
  ck_assert_msg (text.status == 0, "%s", text.err);
  ck_assert_msg (strstr (text.out, "the files on disk are the policy in force") != NULL, "%s",
                 text.out);
  ck_assert_msg (strstr (text.out, "usb-host    running  root hubs usb1") != NULL, "%s", text.out);

  /* Broken on disk, refused on reload: the daemon keeps its policy and says why. */
  write_file ("etc/carguard/vendors.d/byd.conf", "[Vendor]\nName=BYD\nBogus=1\n");
  ck_assert (!cg_policy_keeper_reload (fixture.keeper, NULL));
  run_cli (&broken, text_args);
  ck_assert_msg (broken.status == 0, "%s", broken.err);
  ck_assert_msg (strstr (broken.out, "the files on disk are broken") != NULL, "%s", broken.out);
  ck_assert_msg (strstr (broken.out, "refused: the policy in force is older") != NULL, "%s",
                 broken.out);
  ck_assert_msg (strstr (broken.out, "byd.conf:3:1: error: unknown key 'Bogus'") != NULL, "%s",
                 broken.out);

  run_cli (&refused, rooted);
  ck_assert_int_eq (refused.status, 2);
}
END_TEST

/* explain --live explains from what the daemon enforces, even while the files on disk
 * are broken, and says so; policy report --live audits the same policy. */
START_TEST (test_live_explain_and_report)
{
  const char *const explain_args[]
      = { "policy", "explain", "--live", "--bt-address", CAR_ADDRESS, NULL };
  const char *const explain_json[]
      = { "policy", "explain", "--live", "--json", "--bt-address", CAR_ADDRESS, NULL };
  const char *const report_args[] = { "policy", "report", "--live", "--json", NULL };
  g_auto (CliResult) explained = { 0 };
  g_auto (CliResult) json = { 0 };
  g_auto (CliResult) report = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *pbap;
  JsonArray *a2dp;

  start_fake_polkit ();
  fake_polkit_allow (CG_ACTION_READ);
  write_file ("etc/carguard/vendors.d/byd.conf", "[Vendor]\nName=BYD\nBogus=1\n");
  run_cli (&explained, explain_args);
  ck_assert_msg (explained.status == 0, "%s", explained.err);
  ck_assert_msg (strstr (explained.out, "The files on disk are broken") != NULL, "%s",
                 explained.out);
  ck_assert_msg (strstr (explained.out, "Bluetooth: pairing ask") != NULL, "%s", explained.out);
  ck_assert_msg (strstr (explained.out, "byd.conf:4 BluetoothOUI=00:1E:DE (vendor byd)") != NULL,
                 "%s", explained.out);

  run_cli (&json, explain_json);
  ck_assert_msg (json.status == 0, "%s", json.err);
  root = parse_object (parser, json.out);
  ck_assert_str_eq (
      json_object_get_string_member (json_object_get_object_member (root, "bluetooth"), "pairing"),
      "ask");

  run_cli (&report, report_args);
  ck_assert_msg (report.status == 0, "%s", report.err);
  root = parse_object (parser, report.out);
  pbap = json_object_get_array_member (json_object_get_object_member (root, "profiles"), "pbap");
  a2dp = json_object_get_array_member (json_object_get_object_member (root, "profiles"), "a2dp");
  ck_assert_uint_eq (json_array_get_length (pbap), 0);
  /* [CarDefault] and byd (audio-only, pairing ask) may get music. */
  ck_assert_uint_eq (json_array_get_length (a2dp), 2);
  ck_assert_str_eq (
      json_object_get_string_member (json_array_get_object_element (a2dp, 1), "vendor"), "byd");
  ck_assert_str_eq (
      json_object_get_string_member (json_array_get_object_element (a2dp, 1), "pairing"), "ask");
}
END_TEST

/* How many times polkit was asked: each call of the daemon's API asks it once. */
static guint
fake_polkit_checks (void)
{
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
      fixture.client_bus, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
      "org.freedesktop.DBus.Mock", "GetCalls", NULL, G_VARIANT_TYPE ("(a(tsav))"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_autoptr (GVariantIter) calls = NULL;
  const char *method;
  guint n = 0;

  ck_assert_ptr_nonnull (reply);
  g_variant_get (reply, "(a(tsav))", &calls);
  while (g_variant_iter_loop (calls, "(t&sav)", NULL, &method, NULL))
    n += g_str_equal (method, "CheckAuthorization");
  return n;
}

/* Without --live, explain asks a carguardd that enforces exactly the files below the
 * root (the same root and hash: the answer is the load's, without the load), and loads
 * them itself once they differ. */
START_TEST (test_explain_asks_the_daemon_that_enforces_the_files)
{
  const char *const args[]
      = { "--root", fixture.root, "policy", "explain", "--bt-address", CAR_ADDRESS, NULL };
  g_auto (CliResult) asked = { 0 };
  g_auto (CliResult) loaded = { 0 };
  g_auto (CliResult) changed = { 0 };
  guint before;

  start_fake_polkit ();
  fake_polkit_allow (CG_ACTION_READ);
  before = fake_polkit_checks ();
  run_cli (&asked, args);
  ck_assert_msg (asked.status == 0, "%s", asked.err);
  /* Status, then Explain. */
  ck_assert_uint_eq (fake_polkit_checks (), before + 2);
  ck_assert_msg (strstr (asked.out, "byd.conf:4 BluetoothOUI=00:1E:DE (vendor byd)") != NULL, "%s",
                 asked.out);
  ck_assert_msg (strstr (asked.out, "carguardd") == NULL, "%s", asked.out);

  /* The daemon gone quiet (polkit refuses it every call): the same text from a load. */
  fake_polkit_allow ("org.carguard.none");
  run_cli (&loaded, args);
  ck_assert_msg (loaded.status == 0, "%s", loaded.err);
  ck_assert_str_eq (loaded.out, asked.out);

  /* Files the daemon has not read: asked for its status only, then a load answers. */
  fake_polkit_allow (CG_ACTION_READ);
  write_file ("etc/carguard/vendors.d/byd.conf", "[Vendor]\nName=BYD\n"
                                                 "[Match]\nBluetoothOUI=00:1E:DE\n"
                                                 "[Policy]\nPreset=block\n");
  before = fake_polkit_checks ();
  run_cli (&changed, args);
  ck_assert_msg (changed.status == 0, "%s", changed.err);
  ck_assert_uint_eq (fake_polkit_checks (), before + 1);
  ck_assert_msg (strstr (changed.out, "block") != NULL, "%s", changed.out);
}
END_TEST

static Suite *
service_suite (void)
{
  Suite *s = suite_create ("dbus-service");
  TCase *tc = tcase_create ("service");

  tcase_add_checked_fixture (tc, service_setup, service_teardown);
  tcase_add_test (tc, test_list_devices);
  tcase_add_test (tc, test_decision_signal);
  tcase_add_test (tc, test_device_removed_signal);
  tcase_add_test (tc, test_monitor_shows_removals);
  tcase_add_test (tc, test_monitor_json_shows_removals);
  tcase_add_test (tc, test_record_codec);
  tcase_add_test (tc, test_list_devices_shows_the_open_question);
  tcase_add_test (tc, test_explain);
  tcase_add_test (tc, test_explain_rejects_unknown_fact);
  tcase_add_test (tc, test_explain_asks_the_daemon_that_enforces_the_files);
  tcase_add_test (tc, test_allow_once_answers_the_question);
  tcase_add_test (tc, test_allow_once_to_a_stale_question_changes_nothing);
  tcase_add_test (tc, test_allow_once_refused_where_policy_does_not_ask);
  tcase_add_test (tc, test_deny_answers_the_question_as_the_person);
  tcase_add_test (tc, test_block_persists_and_enforces);
  tcase_add_test (tc, test_reload_reports_broken_policy);
  tcase_add_test (tc, test_polkit_decides);
  tcase_add_test (tc, test_allow_once_only_from_a_session_at_a_seat);
  tcase_add_test (tc, test_bouncer_session_at_seat);
  tcase_add_test (tc, test_without_polkit_only_root_passes);
  tcase_add_test (tc, test_revoke_withdraws_the_approval);
  tcase_add_test (tc, test_bouncer_maps_every_method);
  tcase_add_test (tc, test_status_command);
  tcase_add_test (tc, test_live_explain_and_report);
  tcase_add_test (tc, test_second_instance_cannot_own_the_name);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (service_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
