/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bluetooth-agent-role.h"

#define AGENT_MANAGER_INTERFACE "org.bluez.AgentManager1"
#define AGENT_INTERFACE "org.bluez.Agent1"

static const char *const monitor_rules[] = {
  "type='method_call',interface='" AGENT_MANAGER_INTERFACE "',member='RequestDefaultAgent'",
  "type='method_call',interface='" AGENT_INTERFACE "'",
  NULL,
};

static const char *const pairing_methods[] = {
  "RequestPinCode",
  "DisplayPinCode",
  "RequestPasskey",
  "DisplayPasskey",
  "RequestConfirmation",
  "RequestAuthorization",
  NULL,
};

/* What the filter (GDBus's worker thread) shares with the main loop. alive is read and
 * written only in the main loop. */
typedef struct {
  gatomicrefcount ref;
  gboolean alive;
  GMainContext *context;
  char *ours; /* carguard's unique name on the bus */
  CgAgentRoleFunc func;
  gpointer user_data;
} RoleShared;

struct _CgBluetoothAgentRole {
  GDBusConnection *monitor;
  guint filter_id;
  RoleShared *shared;
};

/* One call seen, on its way to the main loop. */
typedef struct {
  RoleShared *shared;
  CgAgentRoleEvent event;
  char *sender;
  char *device;
  char *uuid;
} RoleSeen;

static RoleShared *
role_shared_ref (RoleShared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

static void
role_shared_unref (RoleShared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref))
    return;
  g_main_context_unref (shared->context);
  g_free (shared->ours);
  g_free (shared);
}

static void
role_seen_free (gpointer data)
{
  RoleSeen *seen = data;

  role_shared_unref (seen->shared);
  g_free (seen->sender);
  g_free (seen->device);
  g_free (seen->uuid);
  g_free (seen);
}

static gboolean
role_report (gpointer data)
{
  RoleSeen *seen = data;

  if (seen->shared->alive)
    seen->shared->func (seen->event, seen->sender, seen->device, seen->uuid,
                        seen->shared->user_data);
  return G_SOURCE_REMOVE;
}

/* The first argument of an Agent1 call is the device (Release and Cancel have none). */
static char *
agent_call_device (GDBusMessage *message)
{
  GVariant *body = g_dbus_message_get_body (message);
  g_autoptr (GVariant) first = NULL;

  if (body == NULL || g_variant_n_children (body) == 0)
    return NULL;
  first = g_variant_get_child_value (body, 0);
  return g_variant_is_of_type (first, G_VARIANT_TYPE_OBJECT_PATH)
             ? g_variant_dup_string (first, NULL)
             : NULL;
}

static char *
agent_call_uuid (GDBusMessage *message)
{
  GVariant *body = g_dbus_message_get_body (message);
  g_autoptr (GVariant) second = NULL;

  if (body == NULL || g_variant_n_children (body) < 2)
    return NULL;
  second = g_variant_get_child_value (body, 1);
  return g_variant_is_of_type (second, G_VARIANT_TYPE_STRING) ? g_variant_dup_string (second, NULL)
                                                              : NULL;
}

/* Which event a message is, if any; FALSE for our own calls and for the rest. */
static gboolean
role_classify (const RoleShared *shared, GDBusMessage *message, CgAgentRoleEvent *event)
{
  const char *interface = g_dbus_message_get_interface (message);
  const char *member = g_dbus_message_get_member (message);

  if (g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL
      || interface == NULL || member == NULL)
    return FALSE;
  if (g_str_equal (interface, AGENT_MANAGER_INTERFACE)) {
    *event = CG_AGENT_ROLE_DEFAULT_REQUESTED;
    return g_strcmp0 (g_dbus_message_get_sender (message), shared->ours) != 0;
  }
  if (!g_str_equal (interface, AGENT_INTERFACE)
      || g_strcmp0 (g_dbus_message_get_destination (message), shared->ours) == 0)
    return FALSE;
  if (g_str_equal (member, "AuthorizeService"))
    *event = CG_AGENT_ROLE_FOREIGN_SERVICE;
  else if (g_strv_contains (pairing_methods, member))
    *event = CG_AGENT_ROLE_FOREIGN_PAIRING;
  else
    return FALSE;
  return TRUE;
}

static GDBusMessage *
role_filter (GDBusConnection *connection, GDBusMessage *message, gboolean incoming,
             gpointer user_data)
{
  RoleShared *shared = user_data;
  CgAgentRoleEvent event;
  RoleSeen *seen;

  /* Replies to the monitor's own calls (BecomeMonitor) go on as usual. */
  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;
  if (role_classify (shared, message, &event)) {
    seen = g_new0 (RoleSeen, 1);
    seen->shared = role_shared_ref (shared);
    seen->event = event;
    seen->sender = g_strdup (g_dbus_message_get_sender (message));
    if (event != CG_AGENT_ROLE_DEFAULT_REQUESTED)
      seen->device = agent_call_device (message);
    if (event == CG_AGENT_ROLE_FOREIGN_SERVICE)
      seen->uuid = agent_call_uuid (message);
    g_main_context_invoke_full (shared->context, G_PRIORITY_HIGH, role_report, seen,
                                role_seen_free);
  }
  /* A monitor must not answer what it sees: the bus would disconnect it. */
  g_object_unref (message);
  return NULL;
}

static GDBusConnection *
role_connect_monitor (GError **error)
{
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SYSTEM, NULL, error);

  if (address == NULL)
    return NULL;
  return g_dbus_connection_new_for_address_sync (
      address,
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, error);
}

CgBluetoothAgentRole *
cg_bluetooth_agent_role_new (GDBusConnection *ours, CgAgentRoleFunc func, gpointer user_data,
                             GError **error)
{
  g_autoptr (CgBluetoothAgentRole) role = g_new0 (CgBluetoothAgentRole, 1);
  g_autoptr (GVariant) reply = NULL;
  RoleShared *shared = g_new0 (RoleShared, 1);

  g_atomic_ref_count_init (&shared->ref);
  shared->alive = TRUE;
  shared->context = g_main_context_ref_thread_default ();
  shared->ours = g_strdup (g_dbus_connection_get_unique_name (ours));
  shared->func = func;
  shared->user_data = user_data;
  role->shared = shared;
  role->monitor = role_connect_monitor (error);
  if (role->monitor == NULL)
    return NULL;
  g_dbus_connection_set_exit_on_close (role->monitor, FALSE);
  role->filter_id = g_dbus_connection_add_filter (
      role->monitor, role_filter, role_shared_ref (shared), (GDestroyNotify)role_shared_unref);
  reply
      = g_dbus_connection_call_sync (role->monitor, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                     g_variant_new ("(^asu)", (char **)monitor_rules, 0u), NULL,
                                     G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return NULL;
  return g_steal_pointer (&role);
}

void
cg_bluetooth_agent_role_free (CgBluetoothAgentRole *role)
{
  if (role == NULL)
    return;
  role->shared->alive = FALSE;
  if (role->monitor != NULL) {
    if (role->filter_id != 0)
      g_dbus_connection_remove_filter (role->monitor, role->filter_id);
    g_dbus_connection_close_sync (role->monitor, NULL, NULL);
    g_object_unref (role->monitor);
  }
  role_shared_unref (role->shared);
  g_free (role);
}
