/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-agent-role.h"
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
  CgSessionLock *lock;         /* NULL: never locked */
  CgBluetoothSession *session; /* borrowed */
  CgBluetoothBonds *bonds;     /* borrowed */
  CgHwdb *hwdb;                /* borrowed */
  CgBluetoothAgentRole *role;  /* NULL: the bus does not let carguardd watch other agents */
  guint registration_id;
  guint watch_id;
  char *bluez_owner; /* unique name of org.bluez's owner; NULL while it is gone */
  gboolean registered;
  GHashTable *asks; /* AgentAsk, owned: the calls waiting for a person or the unlock */
};

/* One question waiting for a person, or for the session to be unlocked. invocation is
 * NULL for the void Display* calls, which BlueZ does not wait for (a deny then cancels
 * the pairing), and for a bond that exists (a deny then has the watcher remove it). */
typedef struct {
  CgBluetoothAgent *agent;
  GDBusMethodInvocation *invocation;
  char *method; /* the Agent1 method, or NULL for a bond that exists */
  CgBluezDevice *device;
  CgBtOutcome outcome; /* the `ask` (or the allow the lock holds), until the answer */
  CgAsk ask;
  gboolean ask_person; /* FALSE: the policy allows; only the lock holds it back */
  gboolean has_passkey;
  guint32 passkey;
  char *warning;
  guint hold_id; /* while locked: the deadline of the wait for the unlock */
} AgentAsk;

G_DEFINE_FINAL_TYPE (CgBluetoothAgent, cg_bluetooth_agent, G_TYPE_OBJECT)

enum { SIGNAL_ANSWERED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
agent_ask_free (gpointer data)
{
  AgentAsk *ask = data;

  cg_ask_withdraw (&ask->ask);
  g_clear_handle_id (&ask->hold_id, g_source_remove);
  /* Never leave BlueZ waiting: an ask dropped unanswered is a deny. */
  if (ask->invocation != NULL)
    g_dbus_method_invocation_return_dbus_error (ask->invocation, BLUEZ_ERROR_CANCELED,
                                                "carguard stopped asking");
  g_free (ask->method);
  g_free (ask->warning);
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

  g_clear_pointer (&self->role, cg_bluetooth_agent_role_free);
  if (self->lock != NULL)
    g_signal_handlers_disconnect_by_data (self->lock, self);
  if (self->asks != NULL)
    agent_cancel_asks (self);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->registration_id != 0) {
    g_dbus_connection_unregister_object (self->bus, self->registration_id);
    self->registration_id = 0;
  }
  g_clear_object (&self->lock);
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
  signals[SIGNAL_ANSWERED] = g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
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

/* Answers one pairing call once its verdict is final (allow or deny). */
static void
agent_answer_pairing (CgBluetoothAgent *self, GDBusMethodInvocation *invocation, const char *method,
                      const CgBluezDevice *device, gboolean allow)
{
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

/* The one way a question ends: BlueZ gets the answer, the session remembers it, then
 * the journal and the registry say what was enforced. decision: the word for the log
 * and the record, or NULL for the verdict's own. */
static void
agent_ask_finish (AgentAsk *ask, gboolean allow, CgAnswer answer, const char *decision)
{
  CgBluetoothAgent *self = ask->agent;
  const char *path = ask->device->object_path;
  g_autofree char *answered_path = ask->method == NULL ? g_strdup (path) : NULL;

  ask->outcome.verdict = allow ? CG_BT_VERDICT_ALLOW : CG_BT_VERDICT_DENY;
  if (allow)
    cg_bluetooth_session_set_pairing (self->session, path, CG_BT_PAIRING_APPROVED,
                                      ask->ask_person ? CG_APPROVAL_BY_PERSON
                                                      : CG_APPROVAL_BY_POLICY);
  else
    cg_bluetooth_session_set_pairing (self->session, path, CG_BT_PAIRING_REFUSED,
                                      CG_APPROVAL_BY_PERSON);
  if (ask->invocation == NULL) {
    if (!allow && ask->method != NULL)
      agent_cancel_pairing (self, path);
  } else if (answer == CG_ANSWER_DENY_WITHDRAWN) {
    g_dbus_method_invocation_return_dbus_error (g_steal_pointer (&ask->invocation),
                                                BLUEZ_ERROR_CANCELED, "Pairing was cancelled");
  } else {
    agent_answer_pairing (self, g_steal_pointer (&ask->invocation), ask->method, ask->device,
                          allow);
  }
  cg_bluetooth_report_pairing (self->registry, ask->device, &ask->outcome, decision,
                               cg_ask_get_answered_uid (&ask->ask));
  g_hash_table_remove (self->asks, ask);
  if (answered_path != NULL)
    g_signal_emit (self, signals[SIGNAL_ANSWERED], 0, answered_path);
}

static void
agent_ask_end (AgentAsk *ask, CgAnswer answer)
{
  agent_ask_finish (ask, cg_answer_allows (answer), answer, cg_answer_to_string (answer));
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
                                 .grants = grants_text,
                                 .kind = cg_bluez_device_kind (ask->device),
                                 .has_passkey = ask->has_passkey,
                                 .passkey = ask->passkey,
                                 .warning = ask->warning };

  if (!cg_ask_raise (&ask->ask, self->pending, &question, agent_on_ask_answered, ask)) {
    agent_ask_end (ask, CG_ANSWER_DENY_NOBODY);
    return;
  }
  /* Published with its question, so AllowOnce finds it and the listing names the rule. */
  cg_bluetooth_publish (self->registry, ask->device, &ask->outcome, NULL, TRUE);
}

/* The lock is gone, or was never there: ask, or let the policy's allow through. */
static void
agent_release (CgBluetoothAgent *self, AgentAsk *ask)
{
  g_clear_handle_id (&ask->hold_id, g_source_remove);
  if (ask->ask_person)
    agent_raise (self, ask);
  else
    agent_ask_finish (ask, TRUE, CG_ANSWER_ALLOW_ONCE, NULL);
}

static gboolean
agent_on_hold_expired (gpointer user_data)
{
  AgentAsk *ask = user_data;

  ask->hold_id = 0;
  agent_ask_end (ask, CG_ANSWER_DENY_TIMEOUT);
  return G_SOURCE_REMOVE;
}

static gboolean
agent_is_locked (CgBluetoothAgent *self)
{
  return self->lock != NULL && cg_session_lock_is_locked (self->lock);
}

/* No new pairing while the session is locked: the question waits for the unlock, and
 * is denied at the deadline if none comes. */
static void
agent_begin (CgBluetoothAgent *self, AgentAsk *ask)
{
  g_hash_table_add (self->asks, ask);
  if (!agent_is_locked (self)) {
    agent_release (self, ask);
    return;
  }
  ask->hold_id = g_timeout_add (CG_PENDING_DEFAULT_TIMEOUT_MS, agent_on_hold_expired, ask);
  cg_log_event (G_LOG_LEVEL_INFO, NULL,
                "Bluetooth pairing held: the session is locked; it waits for the unlock",
                "CARGUARD_TRANSPORT", "bluetooth", "CARGUARD_DEVICE", ask->device->address, NULL);
  cg_bluetooth_publish (self->registry, ask->device, &ask->outcome, NULL, TRUE);
}

static void
agent_on_lock_changed (CgSessionLock *lock, guint state, gpointer user_data)
{
  CgBluetoothAgent *self = user_data;
  g_autoptr (GList) asks = NULL;

  if (agent_is_locked (self))
    return;
  asks = g_hash_table_get_keys (self->asks);
  for (GList *l = asks; l != NULL; l = l->next)
    if (((AgentAsk *)l->data)->hold_id != 0)
      agent_release (self, l->data);
}

/* Takes device and outcome. */
static AgentAsk *
agent_ask_new (CgBluetoothAgent *self, const char *method, CgBluezDevice *device,
               CgBtOutcome *outcome, const char *warning)
{
  AgentAsk *ask = g_new0 (AgentAsk, 1);

  ask->agent = self;
  ask->method = g_strdup (method);
  ask->device = device;
  ask->outcome = *outcome;
  *outcome = (CgBtOutcome){ 0 };
  ask->ask_person = ask->outcome.verdict == CG_BT_VERDICT_ASK;
  ask->warning = g_strdup (warning);
  return ask;
}

/* A pairing call that may wait: for a person, or for the unlock. */
static void
agent_hold_call (CgBluetoothAgent *self, GDBusMethodInvocation *invocation, AgentAsk *ask)
{
  if (method_is_display (ask->method)) {
    g_dbus_method_invocation_return_value (invocation, NULL);
    /* BlueZ repeats DisplayPasskey as keys are typed: one question per pairing. */
    if (agent_has_ask_for (self, ask->device->object_path)) {
      agent_ask_free (ask);
      return;
    }
  } else {
    ask->invocation = invocation;
  }
  agent_begin (self, ask);
}

void
cg_bluetooth_agent_ask_bond (CgBluetoothAgent *agent, const CgBluezDevice *device,
                             const CgBtOutcome *outcome, const char *warning)
{
  CgBtOutcome copy;

  g_return_if_fail (CG_IS_BLUETOOTH_AGENT (agent));
  if (device->address == NULL || agent_has_ask_for (agent, device->object_path))
    return;
  cg_bt_outcome_copy (&copy, outcome);
  copy.verdict = CG_BT_VERDICT_ASK;
  cg_bluetooth_session_set_pairing (agent->session, device->object_path, CG_BT_PAIRING_ASKING,
                                    CG_APPROVAL_BY_PERSON);
  agent_begin (agent, agent_ask_new (agent, NULL, cg_bluez_device_copy (device), &copy, warning));
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

/* What the pure decisions need to know of the device beyond its facts. */
static void
agent_device_state (CgBluetoothAgent *self, const CgBluezDevice *device, CgBtDeviceState *state)
{
  g_auto (CgBtApprovalCheck) check = { 0 };

  cg_bluetooth_bonds_check (self->bonds, device, &check);
  *state = (CgBtDeviceState){
    .has_bond = device->paired || device->bonded,
    .trusted = device->trusted,
    .connected = device->connected,
    .approval = check.match,
    .approved_by = check.by,
    .approval_learned = check.learned,
  };
  state->pairing
      = cg_bluetooth_session_get_pairing (self->session, device->object_path, &state->pairing_by);
}

static void
agent_decide_service (CgBluetoothAgent *self, GDBusMethodInvocation *invocation,
                      const CgBluezDevice *device, const char *uuid)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  CgBtRequest request = { .kind = CG_BT_REQUEST_SERVICE, .uuid = uuid };
  g_auto (CgBtOutcome) outcome = { 0 };
  CgBtDeviceState state;
  CgDecisionLogSubject subject;
  CgFacts facts;

  cg_bluez_device_get_facts (device, &facts);
  cg_bluetooth_decide (policy, &facts, &request, &outcome);
  agent_device_state (self, device, &state);
  /* No service without a pairing approved for what the device is now. */
  outcome.verdict = cg_bt_service_verdict (&outcome, &state, uuid);
  /* BlueZ (and the car) wait for the answer; the log entry does not. */
  if (outcome.verdict == CG_BT_VERDICT_ALLOW) {
    cg_bluetooth_session_add_service (self->session, device->object_path, uuid);
    g_dbus_method_invocation_return_value (invocation, NULL);
  } else {
    reply_rejected (invocation, "Refused by the carguard policy");
  }
  /* Services are listed by the device's record; one Decision per pairing is enough. */
  subject = cg_bluetooth_log_subject (device, &outcome, "service", uuid);
  cg_decision_log_decided (&subject, cg_bt_verdict_to_string (outcome.verdict));
}

/* "00:AA:… is already paired as 'Pool car'": the warning a re-pairing carries. */
static char *
agent_pinned_warning (const CgBluezDevice *device, const CgBtApprovalCheck *check)
{
  const char *name = check->name != NULL ? check->name : device->name_display;

  if (name == NULL || name[0] == '\0')
    return g_strdup_printf ("%s is already paired; pairing again replaces that bond",
                            device->address);
  return g_strdup_printf ("%s is already paired as '%s'; pairing again replaces that bond",
                          device->address, name);
}

static void
agent_decide_pairing (CgBluetoothAgent *self, GDBusMethodInvocation *invocation, const char *method,
                      CgBluezDevice *device, gboolean has_passkey, guint32 passkey)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  CgBtRequest request = { .kind = CG_BT_REQUEST_PAIRING };
  g_auto (CgBtOutcome) outcome = { 0 };
  g_auto (CgBtApprovalCheck) check = { 0 };
  g_autofree char *warning = NULL;
  AgentAsk *ask;
  CgFacts facts;

  cg_bluez_device_get_facts (device, &facts);
  cg_bluetooth_decide (policy, &facts, &request, &outcome);
  if (outcome.verdict == CG_BT_VERDICT_DENY) {
    cg_bluetooth_session_set_pairing (self->session, device->object_path, CG_BT_PAIRING_REFUSED,
                                      CG_APPROVAL_BY_POLICY);
    agent_answer_pairing (self, invocation, method, device, FALSE);
    cg_bluetooth_report_pairing (self->registry, device, &outcome, NULL, CG_PENDING_NO_UID);
    cg_bluez_device_free (device);
    return;
  }
  /* Pinned: an address with a bond or an approval is never paired again silently, even
   * a trusted one; a device that copied it has no key and asks to pair anew. */
  cg_bluetooth_bonds_check (self->bonds, device, &check);
  if (device->paired || device->bonded || check.match != CG_BT_APPROVAL_NONE) {
    warning = agent_pinned_warning (device, &check);
    outcome.verdict = CG_BT_VERDICT_ASK;
  }
  ask = agent_ask_new (self, method, device, &outcome, warning);
  ask->has_passkey = has_passkey;
  ask->passkey = passkey;
  agent_hold_call (self, invocation, ask);
}

static void
agent_decide_call (CgBluetoothAgent *self, GDBusMethodInvocation *invocation, const char *method,
                   const char *device_path, const char *uuid, gboolean has_passkey, guint32 passkey)
{
  g_autoptr (CgBluezDevice) device = agent_lookup_device (self, device_path);

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
  if (uuid != NULL)
    agent_decide_service (self, invocation, device, uuid);
  else
    agent_decide_pairing (self, invocation, method, g_steal_pointer (&device), has_passkey,
                          passkey);
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
  guint32 passkey = 0;
  guint16 entered = 0;

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
    agent_decide_call (self, invocation, method_name, device_path, uuid, FALSE, 0);
  } else if (g_str_equal (method_name, "RequestConfirmation")) {
    /* Numeric comparison: the person must see the number the car shows. */
    g_variant_get (parameters, "(&ou)", &device_path, &passkey);
    agent_decide_call (self, invocation, method_name, device_path, NULL, TRUE, passkey);
  } else if (g_str_equal (method_name, "DisplayPasskey")) {
    g_variant_get (parameters, "(&ouq)", &device_path, &passkey, &entered);
    agent_decide_call (self, invocation, method_name, device_path, NULL, TRUE, passkey);
  } else {
    /* Every other method is a pairing question whose first argument is the device. */
    g_variant_get_child (parameters, 0, "&o", &device_path);
    agent_decide_call (self, invocation, method_name, device_path, NULL, FALSE, 0);
  }
}

/* ---- registration and the default role ---------------------------------------------- */

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
  if (!self->registered)
    cg_log_event (G_LOG_LEVEL_INFO, NULL, "Bluetooth agent registered as BlueZ's default agent",
                  "CARGUARD_TRANSPORT", "bluetooth", NULL);
  self->registered = TRUE;
  {
    g_autofree char *what = g_strdup_printf (
        "BlueZ's default agent (bluetoothd %s): every pairing and service; the watcher follows "
        "every bond",
        self->bluez_owner != NULL ? self->bluez_owner : "");
    agent_report_guard (self, TRUE, what);
  }
}

static void
agent_request_default (CgBluetoothAgent *self)
{
  g_dbus_connection_call (
      self->bus, CG_BLUEZ_SERVICE, BLUEZ_ROOT_PATH, BLUEZ_AGENT_MANAGER_INTERFACE,
      "RequestDefaultAgent", g_variant_new ("(o)", CG_BLUETOOTH_AGENT_PATH), NULL,
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, agent_on_default_requested, g_object_ref (self));
}

void
cg_bluetooth_agent_reclaim (CgBluetoothAgent *agent, const char *why)
{
  g_return_if_fail (CG_IS_BLUETOOTH_AGENT (agent));
  if (agent->bluez_owner == NULL)
    return;
  cg_log_event (G_LOG_LEVEL_WARNING, NULL, why, "CARGUARD_TRANSPORT", "bluetooth", NULL);
  agent_request_default (agent);
}

static void
agent_on_role_event (CgAgentRoleEvent event, const char *sender, const char *device,
                     const char *uuid, gpointer user_data)
{
  CgBluetoothAgent *self = user_data;
  g_autofree char *why = NULL;

  switch (event) {
    case CG_AGENT_ROLE_DEFAULT_REQUESTED:
      why = g_strdup_printf ("%s asked to be BlueZ's default agent: carguard takes the role back",
                             sender);
      break;
    case CG_AGENT_ROLE_FOREIGN_PAIRING:
    case CG_AGENT_ROLE_FOREIGN_SERVICE:
      /* Only bluetoothd's calls count: anyone may call an agent. */
      if (g_strcmp0 (sender, self->bluez_owner) != 0 || device == NULL)
        return;
      why = g_strdup_printf ("bluetoothd asked another agent about %s: carguard takes the "
                             "default role back and judges the device",
                             device);
      if (event == CG_AGENT_ROLE_FOREIGN_SERVICE && uuid != NULL)
        cg_bluetooth_session_add_foreign_service (self->session, device, uuid);
      else if (event == CG_AGENT_ROLE_FOREIGN_PAIRING && !agent_has_ask_for (self, device))
        cg_bluetooth_session_set_pairing (self->session, device, CG_BT_PAIRING_FOREIGN,
                                          CG_APPROVAL_BY_PERSON);
      break;
    default:
      return;
  }
  cg_bluetooth_agent_reclaim (self, why);
  if (device != NULL)
    g_signal_emit (self, signals[SIGNAL_ANSWERED], 0, device);
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
  agent_request_default (self);
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

static void
agent_watch_role (CgBluetoothAgent *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  self->role = cg_bluetooth_agent_role_new (self->bus, agent_on_role_event, self, &error);
  if (self->role != NULL)
    return;
  message = g_strdup_printf ("carguardd cannot watch other Bluetooth agents (%s): it takes the "
                             "default role back only when a bond appears that it was not asked "
                             "about",
                             error->message);
  cg_log_event (G_LOG_LEVEL_WARNING, NULL, message, "CARGUARD_TRANSPORT", "bluetooth", NULL);
}

CgBluetoothAgent *
cg_bluetooth_agent_new (const CgBluetoothAgentContext *context, GError **error)
{
  static const GDBusInterfaceVTable vtable = { .method_call = agent_method_call };
  g_autoptr (CgBluetoothAgent) self = g_object_new (CG_TYPE_BLUETOOTH_AGENT, NULL);
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (agent_introspection, error);

  if (node == NULL)
    return NULL;
  self->bus = g_object_ref (context->bus);
  self->devices = g_object_ref (context->devices);
  self->keeper = g_object_ref (context->keeper);
  self->pending = g_object_ref (context->pending);
  self->registry = context->registry != NULL ? g_object_ref (context->registry) : NULL;
  self->lock = context->lock != NULL ? g_object_ref (context->lock) : NULL;
  self->session = context->session;
  self->bonds = context->bonds;
  self->hwdb = context->hwdb;
  if (self->lock != NULL)
    g_signal_connect (self->lock, "changed", G_CALLBACK (agent_on_lock_changed), self);
  self->registration_id = g_dbus_connection_register_object (
      self->bus, CG_BLUETOOTH_AGENT_PATH, node->interfaces[0], &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return NULL;
  agent_report_guard (self, FALSE, "waiting for bluetoothd");
  agent_watch_role (self);
  self->watch_id = g_bus_watch_name_on_connection (
      self->bus, CG_BLUEZ_SERVICE, G_BUS_NAME_WATCHER_FLAGS_NONE, agent_on_bluez_appeared,
      agent_on_bluez_vanished, self, NULL);
  return g_steal_pointer (&self);
}

gboolean
cg_bluetooth_agent_is_registered (CgBluetoothAgent *agent)
{
  g_return_val_if_fail (CG_IS_BLUETOOTH_AGENT (agent), FALSE);
  return agent->registered;
}
