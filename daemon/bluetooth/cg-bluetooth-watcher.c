/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-decide.h"
#include "cg-bluetooth-publish.h"
#include "cg-bluetooth-watcher.h"
#include "cg-bluez-device.h"
#include "cg-log.h"

struct _CgBluetoothWatcher {
  GObject parent_instance;
  GDBusConnection *bus;
  GDBusObjectManager *devices;
  CgPolicyKeeper *keeper;
  CgDeviceRegistry *registry;  /* NULL: nothing is published */
  CgBluetoothSession *session; /* borrowed */
  CgBluetoothBonds *bonds;     /* borrowed */
  CgHwdb *hwdb;                /* borrowed */
  GHashTable *removing;        /* object paths whose bond removal is under way */
};

/* One BlueZ call made to enforce, with what its log entry needs. */
typedef struct {
  CgBluetoothWatcher *watcher; /* a reference */
  CgBluezDevice *device;
  char *rule;
  char *vendor;
  char *action;
  char *uuid;
} WatcherCall;

G_DEFINE_FINAL_TYPE (CgBluetoothWatcher, cg_bluetooth_watcher, G_TYPE_OBJECT)

enum { SIGNAL_ASK_BOND, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Device1 properties whose change can change what the policy says or what it requires. */
static const char *const watched_properties[] = {
  "Paired",           "Bonded", "Trusted", "Blocked",  "Connected",   "UUIDs",
  "ServicesResolved", "Name",   "Class",   "Modalias", "AddressType", NULL,
};

/* Changes after which BlueZ's stored key must be read again. */
static const char *const bond_properties[] = { "Paired", "Bonded", "Connected", NULL };

static void
cg_bluetooth_watcher_dispose (GObject *object)
{
  CgBluetoothWatcher *self = CG_BLUETOOTH_WATCHER (object);

  if (self->devices != NULL)
    g_signal_handlers_disconnect_by_data (self->devices, self);
  if (self->keeper != NULL)
    g_signal_handlers_disconnect_by_data (self->keeper, self);
  g_clear_object (&self->devices);
  g_clear_object (&self->keeper);
  g_clear_object (&self->registry);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (cg_bluetooth_watcher_parent_class)->dispose (object);
}

static void
cg_bluetooth_watcher_finalize (GObject *object)
{
  CgBluetoothWatcher *self = CG_BLUETOOTH_WATCHER (object);

  g_hash_table_unref (self->removing);
  G_OBJECT_CLASS (cg_bluetooth_watcher_parent_class)->finalize (object);
}

static void
cg_bluetooth_watcher_class_init (CgBluetoothWatcherClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cg_bluetooth_watcher_dispose;
  G_OBJECT_CLASS (klass)->finalize = cg_bluetooth_watcher_finalize;
  signals[SIGNAL_ASK_BOND]
      = g_signal_new ("ask-bond", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 3, G_TYPE_POINTER, G_TYPE_POINTER, G_TYPE_STRING);
}

static void
cg_bluetooth_watcher_init (CgBluetoothWatcher *self)
{
  self->removing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* ---- BlueZ calls -------------------------------------------------------------------- */

static WatcherCall *
watcher_call_new (CgBluetoothWatcher *self, const CgBluezDevice *device, const CgBtOutcome *outcome,
                  const char *action, const char *uuid)
{
  WatcherCall *call = g_new0 (WatcherCall, 1);

  call->watcher = g_object_ref (self);
  /* The log entry needs the facts as they were when the decision was made. */
  call->device = cg_bluez_device_copy (device);
  call->rule = g_strdup (outcome->rule);
  call->vendor = g_strdup (outcome->vendor);
  call->action = g_strdup (action);
  call->uuid = g_strdup (uuid);
  return call;
}

static void
watcher_call_free (WatcherCall *call)
{
  g_object_unref (call->watcher);
  cg_bluez_device_free (call->device);
  g_free (call->rule);
  g_free (call->vendor);
  g_free (call->action);
  g_free (call->uuid);
  g_free (call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WatcherCall, watcher_call_free)

static void
watcher_call_log (const WatcherCall *call, const GError *error)
{
  CgBtOutcome outcome = { .rule = call->rule, .vendor = call->vendor };
  CgDecisionLogSubject subject
      = cg_bluetooth_log_subject (call->device, &outcome, NULL, call->uuid);

  cg_decision_log_enforced (&subject, call->action, error);
}

static void
watcher_dbus_call (CgBluetoothWatcher *self, const char *path, const char *interface,
                   const char *method, GVariant *parameters, GAsyncReadyCallback callback,
                   WatcherCall *call)
{
  g_dbus_connection_call (self->bus, CG_BLUEZ_SERVICE, path, interface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, callback, call);
}

/* BlueZ's replies to these calls carry nothing; only whether they failed matters. */
static void
watcher_call_finish (GObject *source, GAsyncResult *result, GError **error)
{
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, error);

  g_clear_pointer (&reply, g_variant_unref);
}

static void
watcher_on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WatcherCall) call = user_data;
  g_autoptr (GError) error = NULL;

  watcher_call_finish (source, result, &error);
  watcher_call_log (call, error);
}

static void
watcher_set_device_flag (CgBluetoothWatcher *self, const CgBluezDevice *device,
                         const CgBtOutcome *outcome, const char *property, gboolean value,
                         const char *action)
{
  WatcherCall *call = watcher_call_new (self, device, outcome, action, NULL);

  watcher_dbus_call (
      self, device->object_path, "org.freedesktop.DBus.Properties", "Set",
      g_variant_new ("(ssv)", CG_BLUEZ_DEVICE_INTERFACE, property, g_variant_new_boolean (value)),
      watcher_on_call_done, call);
}

static void
watcher_on_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WatcherCall) call = user_data;
  g_autoptr (GError) error = NULL;

  watcher_call_finish (source, result, &error);
  watcher_call_log (call, error);
  /* On success the device object goes and object-removed clears this; on failure the
   * next change of the device tries again. */
  if (error != NULL)
    g_hash_table_remove (call->watcher->removing, call->device->object_path);
}

static void
watcher_on_disconnected_for_removal (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WatcherCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *adapter = call->device->adapter_path
                                 ? g_strdup (call->device->adapter_path)
                                 : g_path_get_dirname (call->device->object_path);

  watcher_call_finish (source, result, &error);
  /* NotConnected is the usual answer and no reason to keep the bond. */
  if (error != NULL)
    g_debug ("Disconnect before removal of %s: %s", call->device->object_path, error->message);
  watcher_dbus_call (call->watcher, adapter, CG_BLUEZ_ADAPTER_INTERFACE, "RemoveDevice",
                     g_variant_new ("(o)", call->device->object_path), watcher_on_removed, call);
}

static void
watcher_remove_bond (CgBluetoothWatcher *self, const CgBluezDevice *device,
                     const CgBtOutcome *outcome, const char *reason)
{
  WatcherCall *call;

  if (!g_hash_table_add (self->removing, g_strdup (device->object_path)))
    return;
  call = watcher_call_new (self, device, outcome, reason, NULL);
  watcher_dbus_call (self, device->object_path, CG_BLUEZ_DEVICE_INTERFACE, "Disconnect", NULL,
                     watcher_on_disconnected_for_removal, call);
}

static void
watcher_on_profile_disconnected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WatcherCall) call = user_data;
  WatcherCall *whole;
  g_autoptr (GError) error = NULL;

  watcher_call_finish (source, result, &error);
  if (error == NULL) {
    watcher_call_log (call, NULL);
    return;
  }
  /* BlueZ only disconnects profiles it has a service object for; a car using one of our
   * servers (PBAP, MAP) has none, so the whole connection has to go. */
  g_debug ("DisconnectProfile %s on %s: %s", call->uuid, call->device->object_path, error->message);
  g_free (call->action);
  call->action = g_strdup ("disconnected (profile now forbidden)");
  /* Handed on before its fields are read: C leaves the order of arguments unspecified. */
  whole = g_steal_pointer (&call);
  watcher_dbus_call (whole->watcher, whole->device->object_path, CG_BLUEZ_DEVICE_INTERFACE,
                     "Disconnect", NULL, watcher_on_call_done, whole);
}

static void
watcher_disconnect_profile (CgBluetoothWatcher *self, const CgBluezDevice *device,
                            const CgBtOutcome *outcome, const char *uuid)
{
  WatcherCall *call = watcher_call_new (self, device, outcome, "profile disconnected", uuid);

  cg_bluetooth_session_remove_service (self->session, device->object_path, uuid);
  watcher_dbus_call (self, device->object_path, CG_BLUEZ_DEVICE_INTERFACE, "DisconnectProfile",
                     g_variant_new ("(s)", uuid), watcher_on_profile_disconnected, call);
}

static void
watcher_disconnect (CgBluetoothWatcher *self, const CgBluezDevice *device,
                    const CgBtOutcome *outcome, const char *action)
{
  WatcherCall *call = watcher_call_new (self, device, outcome, action, NULL);

  cg_bluetooth_session_forget_services (self->session, device->object_path);
  watcher_dbus_call (self, device->object_path, CG_BLUEZ_DEVICE_INTERFACE, "Disconnect", NULL,
                     watcher_on_call_done, call);
}

/* A profile BlueZ may have connected by itself (HID, HOGP, PAN...): dropped if it is up;
 * NotConnected is the usual answer and no news. */
static void
watcher_on_profile_dropped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WatcherCall) call = user_data;
  g_autoptr (GError) error = NULL;

  watcher_call_finish (source, result, &error);
  /* Dropped once per connection; until then, every change of the device tries again. */
  if (error == NULL) {
    cg_bluetooth_session_mark_dropped (call->watcher->session, call->device->object_path,
                                       call->uuid);
    watcher_call_log (call, NULL);
  } else {
    g_debug ("DisconnectProfile %s on %s: %s", call->uuid, call->device->object_path,
             error->message);
  }
}

static void
watcher_drop_profile (CgBluetoothWatcher *self, const CgBluezDevice *device,
                      const CgBtOutcome *outcome, const char *uuid)
{
  WatcherCall *call;

  if (cg_bluetooth_session_was_dropped (self->session, device->object_path, uuid))
    return;
  call = watcher_call_new (self, device, outcome, "profile disconnected (not granted)", uuid);
  watcher_dbus_call (self, device->object_path, CG_BLUEZ_DEVICE_INTERFACE, "DisconnectProfile",
                     g_variant_new ("(s)", uuid), watcher_on_profile_dropped, call);
}

/* ---- approvals ---------------------------------------------------------------------- */

static void
watcher_log_action (const CgBluezDevice *device, const CgBtOutcome *outcome, const char *action,
                    const GError *error)
{
  CgDecisionLogSubject subject = cg_bluetooth_log_subject (device, outcome, NULL, NULL);

  cg_decision_log_enforced (&subject, action, error);
}

static void
watcher_record_approval (CgBluetoothWatcher *self, const CgBluezDevice *device,
                         const CgBtPlan *plan)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *action
      = g_strdup_printf ("approval recorded (%s)", cg_approval_by_to_string (plan->record_by));

  cg_bluetooth_bonds_record (self->bonds, device, plan->record_by, &error);
  watcher_log_action (device, &plan->outcome, action, error);
}

static void
watcher_forget_approval (CgBluetoothWatcher *self, const CgBluezDevice *device,
                         const CgBtPlan *plan, const CgBtApprovalCheck *check)
{
  g_autofree char *action = g_strdup_printf (
      "approval withdrawn (%s)", check->difference != NULL ? check->difference : "not granted");

  if (cg_bluetooth_bonds_forget (self->bonds, device->address, CG_APPROVAL_SUPERSEDED))
    watcher_log_action (device, &plan->outcome, action, NULL);
}

/* What a person is told about a bond carguard did not make. */
static char *
watcher_question_warning (const CgBluezDevice *device, const CgBtPlan *plan,
                          const CgBtApprovalCheck *check)
{
  if (plan->ask == CG_BT_BOND_QUESTION_CHANGED)
    return g_strdup_printf ("%s was approved as another device: its %s changed", device->address,
                            check->difference != NULL ? check->difference : "identity");
  return g_strdup_printf ("%s was paired without carguard being asked", device->address);
}

/* ---- deciding ----------------------------------------------------------------------- */

/* What the watcher refuses is a decision of its own, found behind carguard's back (a
 * bond, trust, a service): the journal says so as for every decision, with
 * CARGUARD_REASON=watcher, so one filter (CARGUARD_VERDICT=deny) finds every refusal. */
static void
watcher_log_decided (const CgBluezDevice *device, const CgBtPlan *plan)
{
  CgDecisionLogSubject subject = cg_bluetooth_log_subject (device, &plan->outcome, "pair", NULL);

  subject.reason = "watcher";
  if (plan->remove_bond || plan->set_blocked || plan->set_untrusted)
    cg_decision_log_decided (&subject, plan->outcome.grant.block ? "block" : "deny");
  for (guint i = 0; plan->disconnect_uuids != NULL && i < plan->disconnect_uuids->len; i++) {
    subject.request = "service";
    subject.service = g_ptr_array_index (plan->disconnect_uuids, i);
    cg_decision_log_decided (&subject, "deny");
  }
}

static void
watcher_carry_out (CgBluetoothWatcher *self, const CgBluezDevice *device, const CgBtPlan *plan,
                   const CgBtApprovalCheck *check)
{
  const CgBtOutcome *outcome = &plan->outcome;

  watcher_log_decided (device, plan);
  if (plan->forget_approval)
    watcher_forget_approval (self, device, plan, check);
  if (plan->remove_bond) {
    watcher_remove_bond (self, device, outcome, plan->removal_reason);
    return;
  }
  if (plan->record_approval)
    watcher_record_approval (self, device, plan);
  if (plan->ask != CG_BT_BOND_QUESTION_NONE) {
    g_autofree char *warning = watcher_question_warning (device, plan, check);
    g_signal_emit (self, signals[SIGNAL_ASK_BOND], 0, device, plan, warning);
  }
  if (plan->set_blocked) {
    cg_bluetooth_session_set_blocked (self->session, device->object_path, TRUE);
    watcher_set_device_flag (self, device, outcome, "Blocked", TRUE, "blocked");
  }
  if (plan->set_unblocked) {
    cg_bluetooth_session_set_blocked (self->session, device->object_path, FALSE);
    watcher_set_device_flag (self, device, outcome, "Blocked", FALSE,
                             "unblocked (the policy no longer blocks it)");
  }
  if (plan->set_untrusted)
    watcher_set_device_flag (self, device, outcome, "Trusted", FALSE, "untrusted");
  if (plan->disconnect) {
    watcher_disconnect (self, device, outcome, "disconnected (services let in behind carguard)");
    return;
  }
  for (guint i = 0; plan->disconnect_uuids != NULL && i < plan->disconnect_uuids->len; i++)
    watcher_disconnect_profile (self, device, outcome,
                                g_ptr_array_index (plan->disconnect_uuids, i));
  for (guint i = 0; plan->drop_uuids != NULL && i < plan->drop_uuids->len; i++)
    watcher_drop_profile (self, device, outcome, g_ptr_array_index (plan->drop_uuids, i));
}

/* Facts, one decision (the plan), enforcement, then the record of what was enforced.
 * publish: the device is new to the watcher or the policy changed, so its record must
 * be (re)published even when nothing is to be done; otherwise only an action is news. */
static void
watcher_enforce_device (CgBluetoothWatcher *self, GDBusProxy *proxy, gboolean publish)
{
  g_autoptr (CgBluezDevice) device = cg_bluez_device_new_from_proxy (proxy, self->hwdb);
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  g_autofree const char **services = NULL;
  g_autofree const char **foreign = NULL;
  g_auto (CgBtPlan) plan = { 0 };
  g_auto (CgBtApprovalCheck) check = { 0 };
  CgBtDeviceState state;
  CgFacts facts;

  if (g_hash_table_contains (self->removing, device->object_path))
    return;
  services = cg_bluetooth_session_get_services (self->session, device->object_path);
  foreign = cg_bluetooth_session_get_foreign_services (self->session, device->object_path);
  cg_bluetooth_bonds_check (self->bonds, device, &check);
  state = (CgBtDeviceState){
    .has_bond = device->paired || device->bonded,
    .trusted = device->trusted,
    .blocked = device->blocked,
    .blocked_by_carguard = cg_bluetooth_session_get_blocked (self->session, device->object_path),
    .connected = device->connected,
    .approval = check.match,
    .approved_by = check.by,
    .approval_learned = check.learned,
    .authorized_uuids = services,
    .device_uuids = (const char *const *)device->uuids,
    .foreign_uuids = foreign,
  };
  state.pairing
      = cg_bluetooth_session_get_pairing (self->session, device->object_path, &state.pairing_by);
  cg_bluez_device_get_facts (device, &facts);
  cg_bluetooth_plan (policy, &facts, &state, &plan);
  if (cg_bt_plan_is_empty (&plan) && !publish)
    return;
  watcher_carry_out (self, device, &plan, &check);
  cg_bluetooth_publish (self->registry, device, &plan.outcome, plan.decision, TRUE);
}

static GDBusProxy *
object_get_device (GDBusObject *object)
{
  return G_DBUS_PROXY (g_dbus_object_get_interface (object, CG_BLUEZ_DEVICE_INTERFACE));
}

guint
cg_bluetooth_watcher_enforce_all (CgBluetoothWatcher *watcher)
{
  GList *objects;
  guint n = 0;

  g_return_val_if_fail (CG_IS_BLUETOOTH_WATCHER (watcher), 0);
  objects = g_dbus_object_manager_get_objects (watcher->devices);
  for (GList *l = objects; l != NULL; l = l->next) {
    g_autoptr (GDBusProxy) proxy = object_get_device (l->data);
    if (proxy == NULL)
      continue;
    watcher_enforce_device (watcher, proxy, TRUE);
    n++;
  }
  g_list_free_full (objects, g_object_unref);
  return n;
}

/* ---- events ------------------------------------------------------------------------- */

static void
watcher_on_object_added (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  CgBluetoothWatcher *self = user_data;
  g_autoptr (GDBusProxy) proxy = object_get_device (object);

  if (proxy == NULL)
    return;
  cg_bluetooth_bonds_invalidate (self->bonds, g_dbus_object_get_object_path (object));
  watcher_enforce_device (self, proxy, TRUE);
}

static void
watcher_on_interface_added (GDBusObjectManager *manager, GDBusObject *object,
                            GDBusInterface *interface, gpointer user_data)
{
  watcher_on_object_added (manager, object, user_data);
}

/* The device object went. bluetoothd leaving takes every object with it and keeps the
 * bonds on disk; a bond removed (carguard's RemoveDevice, bluetoothctl remove) takes its
 * key with it, and then the approval of it goes too. */
static void
watcher_forget_removed_bond (CgBluetoothWatcher *self, GDBusObjectManager *manager,
                             GDBusObject *object)
{
  g_autoptr (GDBusProxy) proxy = object_get_device (object);
  g_autoptr (CgBluezDevice) device = NULL;
  g_autofree char *owner = NULL;

  if (proxy == NULL)
    return;
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager));
  device = cg_bluez_device_new_from_proxy (proxy, NULL);
  if (owner == NULL || cg_bluetooth_bonds_lookup (self->bonds, device->address) == NULL
      || !cg_bluetooth_bonds_key_is_gone (self->bonds, device))
    return;
  if (cg_bluetooth_bonds_forget (self->bonds, device->address, CG_APPROVAL_SUPERSEDED)) {
    CgBtOutcome none = { .verdict = CG_BT_VERDICT_DENY };
    watcher_log_action (device, &none, "approval withdrawn (the bond was removed)", NULL);
  }
}

static void
watcher_on_object_removed (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  CgBluetoothWatcher *self = user_data;
  const char *path = g_dbus_object_get_object_path (object);

  watcher_forget_removed_bond (self, manager, object);
  g_hash_table_remove (self->removing, path);
  cg_bluetooth_session_forget_device (self->session, path);
  cg_bluetooth_bonds_invalidate (self->bonds, path);
  cg_bluetooth_publish_removed (self->registry, path);
}

static gboolean
changes_watched_property (GVariant *changed, const char *const *invalidated)
{
  for (gsize i = 0; watched_properties[i] != NULL; i++) {
    g_autoptr (GVariant) value = g_variant_lookup_value (changed, watched_properties[i], NULL);
    if (value != NULL || g_strv_contains (invalidated, watched_properties[i]))
      return TRUE;
  }
  return FALSE;
}

static void
watcher_on_properties_changed (GDBusObjectManagerClient *manager, GDBusObjectProxy *object,
                               GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
                               gpointer user_data)
{
  CgBluetoothWatcher *self = user_data;
  gboolean connected = TRUE;

  if (g_strcmp0 (g_dbus_proxy_get_interface_name (proxy), CG_BLUEZ_DEVICE_INTERFACE) != 0
      || !changes_watched_property (changed, invalidated))
    return;
  /* Services are authorised per connection: after a disconnect BlueZ asks again. */
  if (g_variant_lookup (changed, "Connected", "b", &connected) && !connected)
    cg_bluetooth_session_forget_services (self->session, g_dbus_proxy_get_object_path (proxy));
  /* A new connection or bond may come with a new key: read it again, once. */
  for (gsize i = 0; bond_properties[i] != NULL; i++) {
    g_autoptr (GVariant) value = g_variant_lookup_value (changed, bond_properties[i], NULL);
    if (value != NULL) {
      cg_bluetooth_bonds_invalidate (self->bonds, g_dbus_proxy_get_object_path (proxy));
      break;
    }
  }
  watcher_enforce_device (self, proxy, FALSE);
}

static void
watcher_on_policy_changed (CgPolicyKeeper *keeper, gpointer user_data)
{
  CgBluetoothWatcher *self = user_data;
  guint n = cg_bluetooth_watcher_enforce_all (self);
  g_autofree char *message
      = g_strdup_printf ("Policy reloaded: re-checked %u Bluetooth device(s)", n);

  cg_log_event (G_LOG_LEVEL_INFO, NULL, message, "CARGUARD_TRANSPORT", "bluetooth", NULL);
}

CgBluetoothWatcher *
cg_bluetooth_watcher_new (GDBusConnection *bus, GDBusObjectManager *devices, CgPolicyKeeper *keeper,
                          CgDeviceRegistry *registry, CgBluetoothSession *session,
                          CgBluetoothBonds *bonds, CgHwdb *hwdb)
{
  CgBluetoothWatcher *self = g_object_new (CG_TYPE_BLUETOOTH_WATCHER, NULL);

  self->bus = g_object_ref (bus);
  self->devices = g_object_ref (devices);
  self->keeper = g_object_ref (keeper);
  self->registry = registry != NULL ? g_object_ref (registry) : NULL;
  self->session = session;
  self->bonds = bonds;
  self->hwdb = hwdb;
  return self;
}

void
cg_bluetooth_watcher_start (CgBluetoothWatcher *self)
{
  g_return_if_fail (CG_IS_BLUETOOTH_WATCHER (self));
  g_signal_connect (self->devices, "object-added", G_CALLBACK (watcher_on_object_added), self);
  g_signal_connect (self->devices, "interface-added", G_CALLBACK (watcher_on_interface_added),
                    self);
  g_signal_connect (self->devices, "object-removed", G_CALLBACK (watcher_on_object_removed), self);
  g_signal_connect (self->devices, "interface-proxy-properties-changed",
                    G_CALLBACK (watcher_on_properties_changed), self);
  g_signal_connect (self->keeper, "changed", G_CALLBACK (watcher_on_policy_changed), self);
  cg_bluetooth_watcher_enforce_all (self);
}

void
cg_bluetooth_watcher_enforce_path (CgBluetoothWatcher *watcher, const char *object_path)
{
  g_autoptr (GDBusInterface) proxy = NULL;

  g_return_if_fail (CG_IS_BLUETOOTH_WATCHER (watcher));
  proxy = g_dbus_object_manager_get_interface (watcher->devices, object_path,
                                               CG_BLUEZ_DEVICE_INTERFACE);
  if (proxy != NULL)
    watcher_enforce_device (watcher, G_DBUS_PROXY (proxy), TRUE);
}

guint
cg_bluetooth_watcher_remove_address (CgBluetoothWatcher *watcher, const char *address,
                                     const char *reason)
{
  GList *objects;
  guint n = 0;

  g_return_val_if_fail (CG_IS_BLUETOOTH_WATCHER (watcher), 0);
  objects = g_dbus_object_manager_get_objects (watcher->devices);
  for (GList *l = objects; l != NULL; l = l->next) {
    g_autoptr (GDBusProxy) proxy = object_get_device (l->data);
    g_autoptr (CgBluezDevice) device = NULL;
    CgBtOutcome none = { .verdict = CG_BT_VERDICT_DENY };
    if (proxy == NULL)
      continue;
    device = cg_bluez_device_new_from_proxy (proxy, watcher->hwdb);
    if (device->address == NULL || g_ascii_strcasecmp (device->address, address) != 0)
      continue;
    cg_bluetooth_session_forget_device (watcher->session, device->object_path);
    if (device->paired || device->bonded)
      watcher_remove_bond (watcher, device, &none, reason);
    n++;
  }
  g_list_free_full (objects, g_object_unref);
  return n;
}
