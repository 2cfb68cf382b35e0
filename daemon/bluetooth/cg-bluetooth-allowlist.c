/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "cg-bluetooth-allowlist.h"
#include "cg-bluez-device.h"
#include "cg-log.h"

#define ADMIN_POLICY_SET_INTERFACE "org.bluez.AdminPolicySet1"
/* BlueZ reads an empty allowlist as "allow all". When no grant allows anything, the list
 * holds this one UUID, which names no service, so that it allows nothing. */
#define ALLOWLIST_NOTHING "63617267-7561-7264-2d6e-6f7468696e67"

struct _CgBluetoothAllowlist {
  GObject parent_instance;
  GDBusConnection *bus;
  GDBusObjectManager *objects;
  CgPolicyKeeper *keeper;
  GHashTable *told; /* adapter paths whose missing admin plugin was logged */
};

G_DEFINE_FINAL_TYPE (CgBluetoothAllowlist, cg_bluetooth_allowlist, G_TYPE_OBJECT)

/* ---- what the policy grants -------------------------------------------------------- */

static void
allowlist_add_grant (GHashTable *uuids, const CgGrant *grant, gboolean *unrestricted)
{
  g_autoptr (GPtrArray) named = g_ptr_array_new_with_free_func (g_free);

  if (grant->block || grant->pairing == CG_PAIRING_DENY)
    return;
  if (grant->all_uuids)
    *unrestricted = TRUE;
  for (int p = 0; p < CG_PROFILE_N; p++)
    if ((grant->profiles & (1u << p)) != 0)
      cg_profile_add_uuids ((CgProfile)p, named);
  for (guint i = 0; i < named->len; i++)
    g_hash_table_add (uuids, g_strdup (g_ptr_array_index (named, i)));
  for (gsize i = 0; grant->extra_uuids != NULL && grant->extra_uuids[i] != NULL; i++)
    g_hash_table_add (uuids, g_strdup (grant->extra_uuids[i]));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

GStrv
cg_bt_allowlist_compute (const CgPolicy *policy, gboolean *unrestricted)
{
  g_autoptr (GHashTable) uuids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree const char **keys = NULL;
  guint n = 0;

  *unrestricted = FALSE;
  allowlist_add_grant (uuids, cg_policy_get_default (policy, FALSE), unrestricted);
  allowlist_add_grant (uuids, cg_policy_get_default (policy, TRUE), unrestricted);
  for (guint v = 0; v < cg_policy_get_n_vendors (policy); v++) {
    const CgVendor *vendor = cg_policy_get_vendor (policy, v);
    allowlist_add_grant (uuids, cg_vendor_get_grant (vendor), unrestricted);
    for (guint d = 0; d < cg_vendor_get_n_device_grants (vendor); d++)
      allowlist_add_grant (uuids, cg_vendor_get_device_grant (vendor, d), unrestricted);
  }
  if (*unrestricted)
    return NULL;
  if (g_hash_table_size (uuids) == 0)
    g_hash_table_add (uuids, g_strdup (ALLOWLIST_NOTHING));
  keys = (const char **)g_hash_table_get_keys_as_array (uuids, &n);
  qsort (keys, n, sizeof (char *), compare_strings);
  return g_strdupv ((char **)keys);
}

/* ---- setting it ---------------------------------------------------------------------- */

typedef struct {
  char *adapter;
  guint n;
  gboolean unrestricted;
} AllowlistCall;

static void
allowlist_on_set (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AllowlistCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autofree char *message = NULL;

  if (reply == NULL)
    message = g_strdup_printf ("BlueZ refused the service allowlist of %s: %s", call->adapter,
                               error->message);
  else if (call->unrestricted)
    message = g_strdup_printf ("Service allowlist of %s: every service (a rule grants all)",
                               call->adapter);
  else
    message = g_strdup_printf ("Service allowlist of %s set: %u service UUIDs some rule grants",
                               call->adapter, call->n);
  cg_log_event (reply == NULL ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_INFO, NULL, message,
                "CARGUARD_TRANSPORT", "bluetooth", NULL);
  g_free (call->adapter);
  g_free (call);
}

static void
allowlist_set (CgBluetoothAllowlist *self, const char *adapter)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  AllowlistCall *call = g_new0 (AllowlistCall, 1);
  g_auto (GStrv) uuids = cg_bt_allowlist_compute (policy, &call->unrestricted);
  static const char *const all[] = { NULL };

  call->adapter = g_strdup (adapter);
  call->n = uuids != NULL ? g_strv_length (uuids) : 0;
  g_dbus_connection_call (self->bus, CG_BLUEZ_SERVICE, adapter, ADMIN_POLICY_SET_INTERFACE,
                          "SetServiceAllowList",
                          g_variant_new ("(^as)", uuids != NULL ? uuids : (char **)all), NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, allowlist_on_set, call);
}

static void
allowlist_check_object (CgBluetoothAllowlist *self, GDBusObject *object)
{
  const char *path = g_dbus_object_get_object_path (object);
  g_autoptr (GDBusInterface) adapter
      = g_dbus_object_get_interface (object, CG_BLUEZ_ADAPTER_INTERFACE);
  g_autoptr (GDBusInterface) admin
      = g_dbus_object_get_interface (object, ADMIN_POLICY_SET_INTERFACE);
  g_autofree char *message = NULL;

  if (admin != NULL) {
    allowlist_set (self, path);
    return;
  }
  if (adapter == NULL || !g_hash_table_add (self->told, g_strdup (path)))
    return;
  message = g_strdup_printf ("bluetoothd offers no AdminPolicySet1 on %s (built without the "
                             "admin plugin): services no rule grants are refused by "
                             "carguard's agent and watcher only",
                             path);
  cg_log_event (G_LOG_LEVEL_MESSAGE, NULL, message, "CARGUARD_TRANSPORT", "bluetooth", NULL);
}

static void
allowlist_check_all (CgBluetoothAllowlist *self)
{
  GList *objects = g_dbus_object_manager_get_objects (self->objects);

  for (GList *l = objects; l != NULL; l = l->next)
    allowlist_check_object (self, l->data);
  g_list_free_full (objects, g_object_unref);
}

static void
allowlist_on_object_added (GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  allowlist_check_object (user_data, object);
}

static void
allowlist_on_interface_added (GDBusObjectManager *manager, GDBusObject *object,
                              GDBusInterface *interface, gpointer user_data)
{
  allowlist_check_object (user_data, object);
}

static void
allowlist_on_policy_changed (CgPolicyKeeper *keeper, gpointer user_data)
{
  allowlist_check_all (user_data);
}

static void
cg_bluetooth_allowlist_dispose (GObject *object)
{
  CgBluetoothAllowlist *self = CG_BLUETOOTH_ALLOWLIST (object);

  if (self->objects != NULL)
    g_signal_handlers_disconnect_by_data (self->objects, self);
  if (self->keeper != NULL)
    g_signal_handlers_disconnect_by_data (self->keeper, self);
  g_clear_object (&self->objects);
  g_clear_object (&self->keeper);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (cg_bluetooth_allowlist_parent_class)->dispose (object);
}

static void
cg_bluetooth_allowlist_finalize (GObject *object)
{
  g_hash_table_unref (CG_BLUETOOTH_ALLOWLIST (object)->told);
  G_OBJECT_CLASS (cg_bluetooth_allowlist_parent_class)->finalize (object);
}

static void
cg_bluetooth_allowlist_class_init (CgBluetoothAllowlistClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cg_bluetooth_allowlist_dispose;
  G_OBJECT_CLASS (klass)->finalize = cg_bluetooth_allowlist_finalize;
}

static void
cg_bluetooth_allowlist_init (CgBluetoothAllowlist *self)
{
  self->told = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

CgBluetoothAllowlist *
cg_bluetooth_allowlist_new (GDBusConnection *bus, GDBusObjectManager *objects,
                            CgPolicyKeeper *keeper)
{
  CgBluetoothAllowlist *self = g_object_new (CG_TYPE_BLUETOOTH_ALLOWLIST, NULL);

  self->bus = g_object_ref (bus);
  self->objects = g_object_ref (objects);
  self->keeper = g_object_ref (keeper);
  g_signal_connect (objects, "object-added", G_CALLBACK (allowlist_on_object_added), self);
  g_signal_connect (objects, "interface-added", G_CALLBACK (allowlist_on_interface_added), self);
  g_signal_connect (keeper, "changed", G_CALLBACK (allowlist_on_policy_changed), self);
  allowlist_check_all (self);
  return self;
}
