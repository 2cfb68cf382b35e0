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

/* Device1 properties whose change can change what the policy says or what it requires. */
static const char *const watched_properties[] = {
  "Paired",           "Bonded", "Trusted", "Blocked",  "Connected", "UUIDs",
  "ServicesResolved", "Name",   "Class",   "Modalias", NULL,
};

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
  call->device = g_new0 (CgBluezDevice, 1);
  call->device->object_path = g_strdup (device->object_path);
  call->device->adapter_path = g_strdup (device->adapter_path);
  call->device->address = g_strdup (device->address);
  call->device->name_display = g_strdup (device->name_display);
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
                     const CgBtOutcome *outcome)
{
  WatcherCall *call;

  if (!g_hash_table_add (self->removing, g_strdup (device->object_path)))
    return;
  call = watcher_call_new (self, device, outcome,
                           outcome->grant.block ? "bond removed (block)" : "bond removed", NULL);
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
watcher_carry_out (CgBluetoothWatcher *self, const CgBluezDevice *device, const CgBtPlan *plan)
{
  const CgBtOutcome *outcome = &plan->outcome;

  watcher_log_decided (device, plan);
  if (plan->remove_bond) {
    watcher_remove_bond (self, device, outcome);
    return;
  }
  if (plan->set_blocked)
    watcher_set_device_flag (self, device, outcome, "Blocked", TRUE, "blocked");
  if (plan->set_untrusted)
    watcher_set_device_flag (self, device, outcome, "Trusted", FALSE, "untrusted");
  for (guint i = 0; plan->disconnect_uuids != NULL && i < plan->disconnect_uuids->len; i++)
    watcher_disconnect_profile (self, device, outcome,
                                g_ptr_array_index (plan->disconnect_uuids, i));
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
  g_auto (CgBtPlan) plan = { 0 };
  CgBtDeviceState state;
  CgFacts facts;

  if (g_hash_table_contains (self->removing, device->object_path))
    return;
  services = cg_bluetooth_session_get_services (self->session, device->object_path);
  state = (CgBtDeviceState){
    .has_bond = device->paired || device->bonded,
    .trusted = device->trusted,
    .blocked = device->blocked,
    .connected = device->connected,
    .pairing_approved = cg_bluetooth_session_pairing_approved (self->session, device->object_path),
    .authorized_uuids = services,
  };
  cg_bluez_device_get_facts (device, &facts);
  cg_bluetooth_plan (policy, &facts, &state, &plan);
  if (cg_bt_plan_is_empty (&plan) && !publish)
    return;
  watcher_carry_out (self, device, &plan);
  cg_bluetooth_publish (self->registry, device, &plan.outcome, NULL, TRUE);
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
  g_autoptr (GDBusProxy) proxy = object_get_device (object);

  if (proxy != NULL)
    watcher_enforce_device (user_data, proxy, TRUE);
}

static void
watcher_on_interface_added (GDBusObjectManager *manager, GDBusObject *object,
                            GDBusInterface *interface, gpointer user_data)
{
  watcher_on_object_added (manager, object, user_data);
}

static void
watcher_on_object_removed (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  CgBluetoothWatcher *self = user_data;
  const char *path = g_dbus_object_get_object_path (object);

  g_hash_table_remove (self->removing, path);
  cg_bluetooth_session_forget_device (self->session, path);
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
                          CgDeviceRegistry *registry, CgBluetoothSession *session, CgHwdb *hwdb)
{
  CgBluetoothWatcher *self = g_object_new (CG_TYPE_BLUETOOTH_WATCHER, NULL);

  self->bus = g_object_ref (bus);
  self->devices = g_object_ref (devices);
  self->keeper = g_object_ref (keeper);
  self->registry = registry != NULL ? g_object_ref (registry) : NULL;
  self->session = session;
  self->hwdb = hwdb;
  g_signal_connect (devices, "object-added", G_CALLBACK (watcher_on_object_added), self);
  g_signal_connect (devices, "interface-added", G_CALLBACK (watcher_on_interface_added), self);
  g_signal_connect (devices, "object-removed", G_CALLBACK (watcher_on_object_removed), self);
  g_signal_connect (devices, "interface-proxy-properties-changed",
                    G_CALLBACK (watcher_on_properties_changed), self);
  g_signal_connect (keeper, "changed", G_CALLBACK (watcher_on_policy_changed), self);
  cg_bluetooth_watcher_enforce_all (self);
  return self;
}
