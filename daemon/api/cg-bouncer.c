/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bouncer.h"
#include "cg-log.h"
#include "cg-session-lock.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_CHECK_ALLOW_USER_INTERACTION 1u
/* Interaction may mean a person typing a password into an authentication agent. */
#define POLKIT_TIMEOUT_MS (5 * 60 * 1000)
#define LOGIN1_NAME "org.freedesktop.login1"
#define LOGIN1_PATH "/org/freedesktop/login1"
#define LOGIN1_MANAGER "org.freedesktop.login1.Manager"
#define LOGIN1_USER "org.freedesktop.login1.User"
#define LOGIN1_SESSION "org.freedesktop.login1.Session"
#define LOGIN1_NO_SESSION_FOR_PID "org.freedesktop.login1.NoSessionForPID"
#define LOGIN1_TIMEOUT_MS (10 * 1000)

struct _CgBouncer {
  GObject parent_instance;
  GDBusConnection *bus;
};

G_DEFINE_FINAL_TYPE (CgBouncer, cg_bouncer, G_TYPE_OBJECT)

/* at_seat: the action is for the person at the machine (polkit's allow_active), and the
 * caller's own session must be active and local on a seat (bouncer_check_at_seat). */
static const struct {
  const char *method;
  const char *action;
  gboolean at_seat;
} method_actions[] = {
  { "ListDevices", CG_ACTION_READ, FALSE },    { "Explain", CG_ACTION_READ, FALSE },
  { "Status", CG_ACTION_READ, FALSE },         { "Report", CG_ACTION_READ, FALSE },
  { "AllowOnce", CG_ACTION_ALLOW_ONCE, TRUE }, { "Deny", CG_ACTION_ALLOW_ONCE, TRUE },
  { "Revoke", CG_ACTION_REVOKE, TRUE },        { "Block", CG_ACTION_BLOCK, FALSE },
  { "Reload", CG_ACTION_RELOAD, FALSE },
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

static gboolean
action_needs_seat (const char *action)
{
  for (gsize i = 0; i < G_N_ELEMENTS (method_actions); i++) {
    if (g_strcmp0 (method_actions[i].action, action) == 0)
      return method_actions[i].at_seat;
  }
  return TRUE;
}

gboolean
cg_bouncer_session_is_at_seat (const CgLoginSession *session, GError **error)
{
  const char *why = NULL;

  if (session->seat == NULL || session->seat[0] == '\0')
    why = "is on no seat";
  else if (session->remote)
    why = "is remote";
  else if (!session->active || g_strcmp0 (session->state, "closing") == 0)
    why = "is not the active session of its seat";
  else if (g_strcmp0 (session->session_class, "user") != 0)
    why = "is not a user's session";
  if (why == NULL)
    return TRUE;
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, "the caller's session %s", why);
  return FALSE;
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

/* ---- the caller's own session, for the actions that are for the person at the seat ---- */

static GVariant *
login1_call (GDBusConnection *bus, const char *path, const char *interface, const char *method,
             GVariant *parameters, const char *reply_type, GCancellable *cancellable,
             GError **error)
{
  return g_dbus_connection_call_sync (bus, LOGIN1_NAME, path, interface, method, parameters,
                                      G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE,
                                      LOGIN1_TIMEOUT_MS, cancellable, error);
}

static gboolean
caller_credentials (GDBusConnection *bus, const char *sender, guint32 *pid, guint32 *uid,
                    GCancellable *cancellable, GError **error)
{
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "GetConnectionCredentials", g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(a{sv})"),
      G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  g_autoptr (GVariant) credentials = NULL;

  if (reply == NULL)
    return FALSE;
  credentials = g_variant_get_child_value (reply, 0);
  if (!g_variant_lookup (credentials, "ProcessID", "u", pid)
      || !g_variant_lookup (credentials, "UnixUserID", "u", uid)) {
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                 "the bus does not say which process %s is", sender);
    return FALSE;
  }
  return TRUE;
}

/* The session polkit judges the caller by: its process's own, or for a process in no
 * session (a user service such as carguard-notifier) its user's display session. */
static char *
caller_session_path (GDBusConnection *bus, guint32 pid, guint32 uid, GCancellable *cancellable,
                     GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) display = NULL;
  g_autofree char *user_path = NULL;
  g_autofree char *remote_error = NULL;
  const char *path = NULL;

  reply = login1_call (bus, LOGIN1_PATH, LOGIN1_MANAGER, "GetSessionByPID",
                       g_variant_new ("(u)", pid), "(o)", cancellable, &local_error);
  if (reply != NULL) {
    g_variant_get (reply, "(&o)", &path);
    return g_strdup (path);
  }
  remote_error = g_dbus_error_get_remote_error (local_error);
  if (g_strcmp0 (remote_error, LOGIN1_NO_SESSION_FOR_PID) != 0) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  reply = login1_call (bus, LOGIN1_PATH, LOGIN1_MANAGER, "GetUser", g_variant_new ("(u)", uid),
                       "(o)", cancellable, error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(o)", &user_path);
  g_clear_pointer (&reply, g_variant_unref);
  reply = login1_call (bus, user_path, "org.freedesktop.DBus.Properties", "Get",
                       g_variant_new ("(ss)", LOGIN1_USER, "Display"), "(v)", cancellable, error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &display);
  if (g_variant_is_of_type (display, G_VARIANT_TYPE ("(so)")))
    g_variant_get (display, "(&s&o)", NULL, &path);
  if (path == NULL || g_str_equal (path, "/")) {
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, "the caller is in no session");
    return NULL;
  }
  return g_strdup (path);
}

static gboolean
caller_at_seat (GDBusConnection *bus, guint32 pid, guint32 uid, GCancellable *cancellable,
                GError **error)
{
  g_autofree char *path = caller_session_path (bus, pid, uid, cancellable, error);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) properties = NULL;
  CgLoginSession session = { 0 };

  if (path == NULL)
    return FALSE;
  reply = login1_call (bus, path, "org.freedesktop.DBus.Properties", "GetAll",
                       g_variant_new ("(s)", LOGIN1_SESSION), "(a{sv})", cancellable, error);
  if (reply == NULL)
    return FALSE;
  properties = g_variant_get_child_value (reply, 0);
  (void)g_variant_lookup (properties, "Seat", "(&so)", &session.seat, NULL);
  (void)g_variant_lookup (properties, "Class", "&s", &session.session_class);
  (void)g_variant_lookup (properties, "State", "&s", &session.state);
  (void)g_variant_lookup (properties, "Remote", "b", &session.remote);
  (void)g_variant_lookup (properties, "Active", "b", &session.active);
  return cg_bouncer_session_is_at_seat (&session, error);
}

static void
bouncer_check_at_seat_thread (GTask *task, gpointer source, gpointer task_data,
                              GCancellable *cancellable)
{
  GDBusConnection *bus = CG_BOUNCER (source)->bus;
  CheckData *data = task_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *pid_text = NULL;
  g_autofree char *uid_text = NULL;
  guint32 pid = 0;
  guint32 uid = G_MAXUINT32;

  if (caller_credentials (bus, data->sender, &pid, &uid, cancellable, &error)
      && caller_at_seat (bus, pid, uid, cancellable, &error)) {
    g_task_return_boolean (task, TRUE);
    return;
  }
  pid_text = g_strdup_printf ("%u", pid);
  uid_text = g_strdup_printf ("%u", uid);
  message = g_strdup_printf ("%s refused to %s (uid %s, pid %s), though polkit allowed it: %s",
                             data->action, data->sender, uid_text, pid_text, error->message);
  cg_log_event (G_LOG_LEVEL_MESSAGE, NULL, message, "CARGUARD_ACTION", data->action,
                "CARGUARD_CALLER_UID", uid_text, "CARGUARD_CALLER_PID", pid_text, NULL);
  g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                           "Not authorized for %s: %s", data->action, error->message);
}

/* polkit (122) takes a session for active when any session of its user is active, and
 * a seatless one (an SSH login, the PAM session of `systemd-run -M user@`) always is: a
 * second user logged in on an inactive seat session, or anyone with an SSH login, would
 * pass allow_active. logind is asked about the caller's own session (sd-login cannot see
 * other users' processes under ProtectProc=invisible). Blocking calls, in a thread. */
static void
bouncer_check_at_seat (GTask *task)
{
  g_task_run_in_thread (task, bouncer_check_at_seat_thread);
  g_object_unref (task);
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
  if (action_needs_seat (data->action)) {
    bouncer_check_at_seat (g_steal_pointer (&task));
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
