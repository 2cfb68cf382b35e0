/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bouncer.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_CHECK_ALLOW_USER_INTERACTION 1u
/* Interaction may mean a person typing a password into an authentication agent. */
#define POLKIT_TIMEOUT_MS (5 * 60 * 1000)

struct _CgBouncer {
  GObject parent_instance;
  GDBusConnection *bus;
};

G_DEFINE_FINAL_TYPE (CgBouncer, cg_bouncer, G_TYPE_OBJECT)

static const struct {
  const char *method;
  const char *action;
} method_actions[] = {
  { "ListDevices", CG_ACTION_READ },     { "Explain", CG_ACTION_READ },
  { "Status", CG_ACTION_READ },          { "Report", CG_ACTION_READ },
  { "AllowOnce", CG_ACTION_ALLOW_ONCE }, { "Deny", CG_ACTION_ALLOW_ONCE },
  { "Revoke", CG_ACTION_REVOKE },        { "Block", CG_ACTION_BLOCK },
  { "Reload", CG_ACTION_RELOAD },
};

static void
cg_bouncer_finalize (GObject *object)
{
  CgBouncer *self = CG_BOUNCER (object);

  g_clear_object (&self->bus);
  G_OBJECT_CLASS (cg_bouncer_parent_class)->finalize (object);
}

static void
cg_bouncer_class_init (CgBouncerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cg_bouncer_finalize;
}

static void
cg_bouncer_init (CgBouncer *self)
{
}

CgBouncer *
cg_bouncer_new (GDBusConnection *bus)
{
  CgBouncer *self = g_object_new (CG_TYPE_BOUNCER, NULL);

  self->bus = g_object_ref (bus);
  return self;
}

const char *
cg_bouncer_action_for_method (const char *method_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (method_actions); i++) {
    if (g_strcmp0 (method_actions[i].method, method_name) == 0)
      return method_actions[i].action;
  }
  return NULL;
}

typedef struct {
  char *sender;
  char *action;
  guint32 polkit_flags;
  guint32 uid; /* the caller's, once the bus said it */
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->sender);
  g_free (data->action);
  g_free (data);
}

static void
task_return_denied (GTask *task, const char *action)
{
  g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, "Not authorized for %s",
                           action);
}

static gboolean
error_means_polkit_absent (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED)
         || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED);
}

static void
bouncer_on_polkit_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  gboolean authorized = FALSE;
  gboolean challenge = FALSE;

  /* polkit is absent: root passes, everyone else is refused. */
  if (reply == NULL && error_means_polkit_absent (error)) {
    if (data->uid != 0) {
      task_return_denied (task, data->action);
      return;
    }
    g_debug ("polkit is not running: allowing %s to root caller %s", data->action, data->sender);
    g_task_return_boolean (task, TRUE);
    return;
  }
  if (reply == NULL) {
    g_warning ("polkit did not answer for %s: %s", data->action, error->message);
    task_return_denied (task, data->action);
    return;
  }
  g_variant_get (reply, "((bba{ss}))", &authorized, &challenge, NULL);
  if (!authorized) {
    task_return_denied (task, data->action);
    return;
  }
  g_task_return_boolean (task, TRUE);
}

/* A password prompt only for callers that said they can wait for one (the D-Bus
 * ALLOW_INTERACTIVE_AUTHORIZATION flag, which `carguard` sets). */
static guint32
polkit_check_flags (GDBusMethodInvocation *invocation)
{
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);

  return (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
             ? POLKIT_CHECK_ALLOW_USER_INTERACTION
             : 0;
}

static GVariant *
polkit_check_parameters (const char *sender, const char *action, guint32 flags)
{
  GVariantBuilder subject_details;

  g_variant_builder_init (&subject_details, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&subject_details, "{sv}", "name", g_variant_new_string (sender));
  return g_variant_new ("((sa{sv})sa{ss}us)", "system-bus-name", &subject_details, action, NULL,
                        flags, "");
}

/* Who the caller is comes first: the answer names them (the journal's
 * CARGUARD_ANSWERED_UID), and without polkit it is all that decides. */
static void
bouncer_on_caller (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  CgBouncer *self = g_task_get_source_object (task);
  CheckData *data = g_task_get_task_data (task);
  GCancellable *cancellable;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL) {
    g_debug ("no uid for %s: %s", data->sender, error->message);
    task_return_denied (task, data->action);
    return;
  }
  g_variant_get (reply, "(u)", &data->uid);
  /* Read before the task is handed on: arguments are evaluated in no set order. */
  cancellable = g_task_get_cancellable (task);
  g_dbus_connection_call (self->bus, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                          "CheckAuthorization",
                          polkit_check_parameters (data->sender, data->action, data->polkit_flags),
                          G_VARIANT_TYPE ("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE, POLKIT_TIMEOUT_MS,
                          cancellable, bouncer_on_polkit_reply, g_steal_pointer (&task));
}

void
cg_bouncer_check_async (CgBouncer *bouncer, GDBusMethodInvocation *invocation,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (bouncer, cancellable, callback, user_data);
  const char *method = g_dbus_method_invocation_get_method_name (invocation);
  const char *action = cg_bouncer_action_for_method (method);
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  CheckData *data;

  g_task_set_source_tag (task, cg_bouncer_check_async);
  if (action == NULL || sender == NULL) {
    g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                             "No polkit action guards %s", method);
    return;
  }
  data = g_new0 (CheckData, 1);
  data->sender = g_strdup (sender);
  data->action = g_strdup (action);
  data->polkit_flags = polkit_check_flags (invocation);
  g_task_set_task_data (task, data, (GDestroyNotify)check_data_free);
  g_dbus_connection_call (
      bouncer->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "GetConnectionUnixUser", g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(u)"),
      G_DBUS_CALL_FLAGS_NONE, -1, cancellable, bouncer_on_caller, g_steal_pointer (&task));
}

gboolean
cg_bouncer_check_finish (CgBouncer *bouncer, GAsyncResult *result, guint32 *caller_uid,
                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, bouncer), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (caller_uid != NULL)
    *caller_uid = ((CheckData *)g_task_get_task_data (G_TASK (result)))->uid;
  return TRUE;
}
