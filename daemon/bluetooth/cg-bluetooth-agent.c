/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-agent.h"
#include "cg-bluetooth-decide.h"
#include "cg-bluetooth-publish.h"
#include "cg-bluez-device.h"
#include "cg-log.h"

#define BLUEZ_ROOT_PATH "/org/bluez"
#define BLUEZ_AGENT_MANAGER_INTERFACE "org.bluez.AgentManager1"
#define BLUEZ_ERROR_REJECTED "org.bluez.Error.Rejected"
#define BLUEZ_ERROR_CANCELED "org.bluez.Error.Canceled"

static const char agent_introspection[] = "<node>"
                                          "  <interface name='org.bluez.Agent1'>"
                                          "    <method name='Release'/>"
                                          "    <method name='RequestPinCode'>"
                                          "      <arg direction='in' type='o' name='device'/>"
                                          "      <arg direction='out' type='s' name='pincode'/>"
                                          "    </method>"
                                          "    <method name='DisplayPinCode'>"
                                          "      <arg direction='in' type='o' name='device'/>"
                                          "      <arg direction='in' type='s' name='pincode'/>"
                                          "    </method>"
                                          "    <method name='RequestPasskey'>"
                                          "      <arg direction='in' type='o' name='device'/>"
                                          "      <arg direction='out' type='u' name='passkey'/>"
                                          "    </method>"
                                          "    <method name='DisplayPasskey'>"
                                          "      <arg direction='in' type='o' name='device'/>"
                                          "      <arg direction='in' type='u' name='passkey'/>"
                                          "      <arg direction='in' type='q' name='entered'/>"
                                          "    </method>"
                                          "    <method name='RequestConfirmation'>"
                                          "      <arg direction='in' type='o' name='device'/>"
                                          "      <arg direction='in' type='u' name='passkey'/>"
                                          "    </method>"
                                          "    <method name='RequestAuthorization'>"
                                          "      <arg direction='in' type='o' name='device'/>"
                                          "    </method>"
                                          "    <method name='AuthorizeService'>"
                                          "      <arg direction='in' type='o' name='device'/>"
                                          "      <arg direction='in' type='s' name='uuid'/>"
                                          "    </method>"
                                          "    <method name='Cancel'/>"
                                          "  </interface>"
                                          "</node>";

struct _CgBluetoothAgent {
  GObject parent_instance;
  GDBusConnection *bus;
  GDBusObjectManager *devices;
  CgPolicyKeeper *keeper;
  CgPending *pending;
  CgDeviceRegistry *registry;  /* NULL: decisions are only logged */
  CgBluetoothSession *session; /* borrowed */
  CgHwdb *hwdb;                /* borrowed */
  guint registration_id;
  guint watch_id;
  char *bluez_owner; /* unique name of org.bluez's owner; NULL while it is gone */
  gboolean registered;
  GHashTable *asks; /* AgentAsk, owned: the calls waiting for a person */
};

/* One agent call waiting for a person. invocation is NULL for the void Display* calls,
 * which BlueZ does not wait for: a deny then cancels the pairing instead. */
typedef struct {
  CgBluetoothAgent *agent;
  GDBusMethodInvocation *invocation;
  char *method;
  CgBluezDevice *device;
  CgBtOutcome outcome; /* the `ask`, until the answer makes it allow or deny */
  CgAsk ask;
} AgentAsk;

G_DEFINE_FINAL_TYPE (CgBluetoothAgent, cg_bluetooth_agent, G_TYPE_OBJECT)

static void
agent_ask_free (gpointer data)
{
  AgentAsk *ask = data;

  cg_ask_withdraw (&ask->ask);
  /* Never leave BlueZ waiting: an ask dropped unanswered is a deny. */
  if (ask->invocation != NULL)
    g_dbus_method_invocation_return_dbus_error (ask->invocation, BLUEZ_ERROR_CANCELED,
                                                "carguard stopped asking");
  g_free (ask->method);
  cg_bluez_device_free (ask->device);
  cg_bt_outcome_clear (&ask->outcome);
  g_free (ask);
}

static void agent_ask_withdraw (AgentAsk *ask);

static void
agent_cancel_asks (CgBluetoothAgent *self)
{
  g_autoptr (GList) asks = g_hash_table_get_keys (self->asks);

  for (GList *l = asks; l != NULL; l = l->next)
    agent_ask_withdraw (l->data);
}

static void
cg_bluetooth_agent_dispose (GObject *object)
{
  CgBluetoothAgent *self = CG_BLUETOOTH_AGENT (object);

  if (self->asks != NULL)
    agent_cancel_asks (self);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->registration_id != 0) {
    g_dbus_connection_unregister_object (self->bus, self->registration_id);
    self->registration_id = 0;
  }
  g_clear_object (&self->pending);
  g_clear_object (&self->registry);
  g_clear_object (&self->keeper);
  g_clear_object (&self->devices);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (cg_bluetooth_agent_parent_class)->dispose (object);
}

static void
cg_bluetooth_agent_finalize (GObject *object)
{
  CgBluetoothAgent *self = CG_BLUETOOTH_AGENT (object);

  g_clear_pointer (&self->asks, g_hash_table_unref);
  g_free (self->bluez_owner);
  G_OBJECT_CLASS (cg_bluetooth_agent_parent_class)->finalize (object);
}

static void
cg_bluetooth_agent_class_init (CgBluetoothAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cg_bluetooth_agent_dispose;
  G_OBJECT_CLASS (klass)->finalize = cg_bluetooth_agent_finalize;
}

static void
cg_bluetooth_agent_init (CgBluetoothAgent *self)
{
  self->asks = g_hash_table_new_full (g_direct_hash, g_direct_equal, agent_ask_free, NULL);
}

/* ---- answering ---------------------------------------------------------------------- */

static void
reply_rejected (GDBusMethodInvocation *invocation, const char *why)
{
  g_dbus_method_invocation_return_dbus_error (invocation, BLUEZ_ERROR_REJECTED, why);
}

static void
agent_cancel_pairing (CgBluetoothAgent *self, const char *device_path)
{
  /* Fire and forget: if the pairing already failed there is nothing to cancel, and a
   * bond that completes anyway is removed by the watcher. */
  g_dbus_connection_call (self->bus, CG_BLUEZ_SERVICE, device_path, CG_BLUEZ_DEVICE_INTERFACE,
                          "CancelPairing", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL,
                          NULL);
}

static gboolean
method_is_display (const char *method)
{
  return g_str_equal (method, "DisplayPasskey") || g_str_equal (method, "DisplayPinCode");
}

/* Answers one call once its verdict is final (allow or deny). */
static void
agent_answer (CgBluetoothAgent *self, GDBusMethodInvocation *invocation, const char *method,
              const CgBluezDevice *device, gboolean allow, const char *uuid)
{
  if (allow && uuid != NULL)
    cg_bluetooth_session_add_service (self->session, device->object_path, uuid);
  else if (allow)
    cg_bluetooth_session_approve_pairing (self->session, device->object_path);

  if (g_str_equal (method, "DisplayPasskey")) {
    g_dbus_method_invocation_return_value (invocation, NULL);
    if (!allow)
      agent_cancel_pairing (self, device->object_path);
  } else if (!allow) {
    reply_rejected (invocation, "Refused by the carguard policy");
  } else if (g_str_equal (method, "RequestPinCode") || g_str_equal (method, "RequestPasskey")) {
    /* Typing the code the car shows needs a person at a keyboard; carguard's notifier
     * only says yes or no, so legacy PIN and passkey entry cannot succeed here. */
    reply_rejected (invocation, "carguard cannot enter a PIN or passkey");
  } else {
    g_dbus_method_invocation_return_value (invocation, NULL);
  }
}

/* The one way an ask ends: BlueZ gets the answer, then the journal and the registry. */
static void
agent_ask_end (AgentAsk *ask, CgAnswer answer)
{
  CgBluetoothAgent *self = ask->agent;
  gboolean allow = cg_answer_allows (answer);

  cg_bt_outcome_take_answer (&ask->outcome, answer);
  if (ask->invocation == NULL) {
    if (allow)
      cg_bluetooth_session_approve_pairing (self->session, ask->device->object_path);
    else
      agent_cancel_pairing (self, ask->device->object_path);
  } else if (answer == CG_ANSWER_DENY_WITHDRAWN) {
    g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&ask->invocation),
                                                BLUEZ_ERROR_CANCELED, "Pairing was cancelled");
  } else {
    agent_answer (self, g_steal_pointer (&ask->invocation), ask->method, ask->device, allow, NULL);
  }
  cg_bluetooth_report_pairing (self->registry, ask->device, &ask->outcome,
                               cg_answer_to_string (answer), cg_ask_get_answered_uid (&ask->ask));
  g_hash_table_remove (self->asks, ask);
}

static void
agent_on_ask_answered (CgAnswer answer, gpointer user_data)
{
  agent_ask_end (user_data, answer);
}

/* BlueZ gave up, left, or the agent goes. */
static void
agent_ask_withdraw (AgentAsk *ask)
{
  cg_ask_withdraw (&ask->ask);
  agent_ask_end (ask, CG_ANSWER_DENY_WITHDRAWN);
}

static gboolean
agent_has_ask_for (CgBluetoothAgent *self, const char *device_path)
{
  GHashTableIter iter;
  AgentAsk *ask;

  g_hash_table_iter_init (&iter, self->asks);
  while (g_hash_table_iter_next (&iter, (gpointer *)&ask, NULL))
    if (g_str_equal (ask->device->object_path, device_path))
      return TRUE;
  return FALSE;
}

/* Asks whether the device may pair; a yes grants what the outcome allows. */
static void
agent_raise (CgBluetoothAgent *self, AgentAsk *ask)
{
  g_autoptr (GPtrArray) grants = cg_bt_outcome_allowed_profiles (&ask->outcome);
  g_autofree char *grants_text = g_strjoinv (" ", (char **)grants->pdata);
  CgPendingQuestion question = { .transport = "bluetooth",
                                 .device = ask->device->address,
                                 .device_name = ask->device->name_display,
                                 .question = "pair",
                                 .grants = grants_text };

  g_hash_table_add (self->asks, ask);
  if (!cg_ask_raise (&ask->ask, self->pending, &question, agent_on_ask_answered, ask)) {
    agent_ask_end (ask, CG_ANSWER_DENY_NOBODY);
    return;
  }
  /* Published with its question, so AllowOnce finds it and the listing names the rule. */
  cg_bluetooth_publish (self->registry, ask->device, &ask->outcome, NULL, TRUE);
}

/* Hands the question to a person; takes device and outcome. */
static void
agent_ask_person (CgBluetoothAgent *self, GDBusMethodInvocation *invocation, const char *method,
                  CgBluezDevice *device, CgBtOutcome *outcome)
{
  AgentAsk *ask = g_new0 (AgentAsk, 1);

  ask->agent = self;
  ask->method = g_strdup (method);
  ask->device = device;
  ask->outcome = *outcome;
  *outcome = (CgBtOutcome){ 0 };
  if (method_is_display (method)) {
    g_dbus_method_invocation_return_value (invocation, NULL);
    /* BlueZ repeats DisplayPasskey as keys are typed: one question per pairing. */
    if (agent_has_ask_for (self, device->object_path)) {
      agent_ask_free (ask);
      return;
    }
  } else {
    ask->invocation = invocation;
  }
  agent_raise (self, ask);
}

/* ---- deciding ----------------------------------------------------------------------- */

static CgBluezDevice *
agent_lookup_device (CgBluetoothAgent *self, const char *device_path)
{
  g_autoptr (GDBusInterface) proxy
      = g_dbus_object_manager_get_interface (self->devices, device_path, CG_BLUEZ_DEVICE_INTERFACE);

  if (proxy == NULL)
    return NULL;
  return cg_bluez_device_new_from_proxy (G_DBUS_PROXY (proxy), self->hwdb);
}

static void
agent_decide_call (CgBluetoothAgent *self, GDBusMethodInvocation *invocation, const char *method,
                   const char *device_path, const char *uuid)
{
  g_autoptr (CgBluezDevice) device = agent_lookup_device (self, device_path);
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  CgBtRequest request
      = { .kind = uuid ? CG_BT_REQUEST_SERVICE : CG_BT_REQUEST_PAIRING, .uuid = uuid };
  g_auto (CgBtOutcome) outcome = { 0 };
  CgFacts facts;

  if (device == NULL) {
    /* Fail closed: a device BlueZ has not told us about gets nothing. */
    g_debug ("agent: %s for unknown device %s refused", method, device_path);
    if (g_str_equal (method, "DisplayPasskey")) {
      g_dbus_method_invocation_return_value (invocation, NULL);
      agent_cancel_pairing (self, device_path);
    } else {
      reply_rejected (invocation, "Unknown device");
    }
    return;
  }
  cg_bluez_device_get_facts (device, &facts);
  cg_bluetooth_decide (policy, &facts, &request, &outcome);

  if (outcome.verdict == CG_BT_VERDICT_ASK) {
    agent_ask_person (self, invocation, method, g_steal_pointer (&device), &outcome);
    return;
  }
  /* BlueZ (and the car) wait for the answer; the log entry and the listing do not. */
  agent_answer (self, invocation, method, device, outcome.verdict == CG_BT_VERDICT_ALLOW, uuid);
  /* Services are listed by the device's record; one Decision per pairing is enough. */
  if (uuid != NULL) {
    CgDecisionLogSubject subject = cg_bluetooth_log_subject (device, &outcome, "service", uuid);
    cg_decision_log_decided (&subject, cg_bt_verdict_to_string (outcome.verdict));
  } else {
    cg_bluetooth_report_pairing (self->registry, device, &outcome, NULL, CG_PENDING_NO_UID);
  }
}

static void
agent_on_cancel (CgBluetoothAgent *self, GDBusMethodInvocation *invocation)
{
  g_autoptr (GList) asks = g_hash_table_get_keys (self->asks);

  /* BlueZ gave up on its request: withdraw every question that still holds a call. */
  for (GList *l = asks; l != NULL; l = l->next)
    if (((AgentAsk *)l->data)->invocation != NULL)
      agent_ask_withdraw (l->data);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
agent_method_call (GDBusConnection *connection, const char *sender, const char *object_path,
                   const char *interface_name, const char *method_name, GVariant *parameters,
                   GDBusMethodInvocation *invocation, gpointer user_data)
{
  CgBluetoothAgent *self = user_data;
  const char *device_path = NULL;
  const char *uuid = NULL;

  /* Only bluetoothd may ask: anyone else on the bus could probe the policy or cancel. */
  if (self->bluez_owner == NULL || g_strcmp0 (sender, self->bluez_owner) != 0) {
    g_dbus_method_invocation_return_dbus_error (invocation, BLUEZ_ERROR_REJECTED,
                                                "Only org.bluez may call this agent");
    return;
  }
  if (g_str_equal (method_name, "Release")) {
    self->registered = FALSE;
    g_dbus_method_invocation_return_value (invocation, NULL);
  } else if (g_str_equal (method_name, "Cancel")) {
    agent_on_cancel (self, invocation);
  } else if (g_str_equal (method_name, "AuthorizeService")) {
    g_variant_get (parameters, "(&o&s)", &device_path, &uuid);
    agent_decide_call (self, invocation, method_name, device_path, uuid);
  } else {
    /* Every other method is a pairing question whose first argument is the device. */
    g_variant_get_child (parameters, 0, "&o", &device_path);
    agent_decide_call (self, invocation, method_name, device_path, NULL);
  }
}

/* ---- registration ------------------------------------------------------------------- */

/* What `carguard status` says of the Bluetooth guard. */
static void
agent_report_guard (CgBluetoothAgent *self, gboolean running, const char *what)
{
  if (self->registry != NULL)
    cg_device_registry_report_guard (self->registry, "bluetooth", running, what);
}

static void
agent_on_default_requested (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CgBluetoothAgent) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL) {
    g_autofree char *what
        = g_strdup_printf ("BlueZ refused it as the default agent: %s", error->message);
    g_warning ("BlueZ refused carguard as the default agent: %s", error->message);
    agent_report_guard (self, FALSE, what);
    return;
  }
  self->registered = TRUE;
  {
    g_autofree char *what = g_strdup_printf (
        "BlueZ's default agent (bluetoothd %s): every pairing and service; the watcher follows "
        "every bond",
        self->bluez_owner != NULL ? self->bluez_owner : "");
    agent_report_guard (self, TRUE, what);
  }
  cg_log_event (G_LOG_LEVEL_INFO, NULL, "Bluetooth agent registered as BlueZ's default agent",
                "CARGUARD_TRANSPORT", "bluetooth", NULL);
}

static void
agent_on_registered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CgBluetoothAgent) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* AlreadyExists means this bluetoothd still knows us: becoming default is what matters. */
  if (reply == NULL) {
    g_autofree char *remote = g_dbus_error_get_remote_error (error);
    if (g_strcmp0 (remote, "org.bluez.Error.AlreadyExists") != 0) {
      g_autofree char *what = g_strdup_printf ("BlueZ refused the agent: %s", error->message);
      g_warning ("BlueZ refused the carguard agent: %s", error->message);
      agent_report_guard (self, FALSE, what);
      return;
    }
  }
  g_dbus_connection_call (
      self->bus, CG_BLUEZ_SERVICE, BLUEZ_ROOT_PATH, BLUEZ_AGENT_MANAGER_INTERFACE,
      "RequestDefaultAgent", g_variant_new ("(o)", CG_BLUETOOTH_AGENT_PATH), NULL,
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, agent_on_default_requested, g_object_ref (self));
}

static void
agent_on_bluez_appeared (GDBusConnection *connection, const char *name, const char *owner,
                         gpointer user_data)
{
  CgBluetoothAgent *self = user_data;

  g_free (self->bluez_owner);
  self->bluez_owner = g_strdup (owner);
  self->registered = FALSE;
  g_dbus_connection_call (
      self->bus, CG_BLUEZ_SERVICE, BLUEZ_ROOT_PATH, BLUEZ_AGENT_MANAGER_INTERFACE, "RegisterAgent",
      g_variant_new ("(os)", CG_BLUETOOTH_AGENT_PATH, CG_BLUETOOTH_AGENT_CAPABILITY), NULL,
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, agent_on_registered, g_object_ref (self));
}

static void
agent_on_bluez_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  CgBluetoothAgent *self = user_data;

  if (self->bluez_owner != NULL)
    cg_log_event (G_LOG_LEVEL_WARNING, NULL,
                  "bluetoothd left the bus: the agent registers again when it returns",
                  "CARGUARD_TRANSPORT", "bluetooth", NULL);
  g_clear_pointer (&self->bluez_owner, g_free);
  self->registered = FALSE;
  agent_report_guard (self, FALSE, "bluetoothd is not on the bus: nothing pairs until it returns");
  agent_cancel_asks (self);
}

CgBluetoothAgent *
cg_bluetooth_agent_new (GDBusConnection *bus, GDBusObjectManager *devices, CgPolicyKeeper *keeper,
                        CgPending *pending, CgDeviceRegistry *registry, CgBluetoothSession *session,
                        CgHwdb *hwdb, GError **error)
{
  static const GDBusInterfaceVTable vtable = { .method_call = agent_method_call };
  g_autoptr (CgBluetoothAgent) self = g_object_new (CG_TYPE_BLUETOOTH_AGENT, NULL);
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (agent_introspection, error);

  if (node == NULL)
    return NULL;
  self->bus = g_object_ref (bus);
  self->devices = g_object_ref (devices);
  self->keeper = g_object_ref (keeper);
  self->pending = g_object_ref (pending);
  self->registry = registry != NULL ? g_object_ref (registry) : NULL;
  self->session = session;
  self->hwdb = hwdb;
  self->registration_id = g_dbus_connection_register_object (
      bus, CG_BLUETOOTH_AGENT_PATH, node->interfaces[0], &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return NULL;
  agent_report_guard (self, FALSE, "waiting for bluetoothd");
  self->watch_id = g_bus_watch_name_on_connection (
      bus, CG_BLUEZ_SERVICE, G_BUS_NAME_WATCHER_FLAGS_NONE, agent_on_bluez_appeared,
      agent_on_bluez_vanished, self, NULL);
  return g_steal_pointer (&self);
}

gboolean
cg_bluetooth_agent_is_registered (CgBluetoothAgent *agent)
{
  g_return_val_if_fail (CG_IS_BLUETOOTH_AGENT (agent), FALSE);
  return agent->registered;
}
