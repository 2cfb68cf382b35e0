/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-log.h"
#include "cg-session-lock.h"

#define LOGIN1_NAME "org.freedesktop.login1"
#define LOGIN1_PATH "/org/freedesktop/login1"
#define LOGIN1_MANAGER "org.freedesktop.login1.Manager"
#define LOGIN1_SESSION "org.freedesktop.login1.Session"
#define LOGIN1_SEAT "org.freedesktop.login1.Seat"

struct _CgSessionLock {
  GObject parent_instance;
  GDBusConnection *bus;
  GCancellable *cancellable;
  guint watch_id;
  guint manager_signal_id;
  gboolean logind_present;
  guint loading;        /* list calls and proxies under way: the state waits for all of them */
  GHashTable *seats;    /* object path → GDBusProxy (Seat) */
  GHashTable *sessions; /* object path → GDBusProxy (Session) */
  CgLockState state;
};

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CgSessionLock, cg_session_lock, G_TYPE_OBJECT)

const char *
cg_lock_state_to_string (CgLockState state)
{
  switch (state) {
    case CG_LOCK_STATE_HEADLESS:
      return "headless";
    case CG_LOCK_STATE_LOCKED:
      return "locked";
    case CG_LOCK_STATE_UNLOCKED:
      return "unlocked";
    case CG_LOCK_STATE_UNKNOWN:
    default:
      return "unknown";
  }
}

static gboolean
seat_can_graphical (const CgLoginSeat *seats, guint n_seats, const char *seat)
{
  for (guint i = 0; i < n_seats; i++)
    if (g_strcmp0 (seats[i].id, seat) == 0)
      return seats[i].can_graphical;
  return FALSE;
}

static gboolean
session_unlocks (const CgLoginSession *session, const CgLoginSeat *seats, guint n_seats)
{
  gboolean graphical = g_strcmp0 (session->type, "x11") == 0
                       || g_strcmp0 (session->type, "wayland") == 0
                       || g_strcmp0 (session->type, "mir") == 0;

  return graphical && !session->remote && session->active && !session->locked_hint
         && g_strcmp0 (session->session_class, "user") == 0
         && g_strcmp0 (session->state, "closing") != 0
         && seat_can_graphical (seats, n_seats, session->seat);
}

CgLockState
cg_lock_state_compute (gboolean logind_present, const CgLoginSeat *seats, guint n_seats,
                       const CgLoginSession *sessions, guint n_sessions)
{
  gboolean any_graphical_seat = FALSE;

  if (!logind_present)
    return CG_LOCK_STATE_UNKNOWN;
  for (guint i = 0; i < n_sessions; i++)
    if (session_unlocks (&sessions[i], seats, n_seats))
      return CG_LOCK_STATE_UNLOCKED;
  for (guint i = 0; i < n_seats; i++)
    any_graphical_seat |= seats[i].can_graphical;
  return any_graphical_seat ? CG_LOCK_STATE_LOCKED : CG_LOCK_STATE_HEADLESS;
}

/* ---- following logind --------------------------------------------------------------- */

static gboolean
proxy_get_boolean (GDBusProxy *proxy, const char *property)
{
  g_autoptr (GVariant) value = g_dbus_proxy_get_cached_property (proxy, property);

  return value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN)
         && g_variant_get_boolean (value);
}

/* The string, or the first member of a (so) pair such as Session.Seat; NULL otherwise. */
static char *
proxy_get_string (GDBusProxy *proxy, const char *property)
{
  g_autoptr (GVariant) value = g_dbus_proxy_get_cached_property (proxy, property);
  const char *s = NULL;

  if (value == NULL)
    return NULL;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    s = g_variant_get_string (value, NULL);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(so)")))
    g_variant_get (value, "(&s&o)", &s, NULL);
  return g_strdup (s);
}

typedef struct {
  GPtrArray *strings; /* owns what the views borrow */
  GArray *seats;      /* CgLoginSeat */
  GArray *sessions;   /* CgLoginSession */
} LoginView;

static const char *
view_keep (LoginView *view, char *s)
{
  g_ptr_array_add (view->strings, s);
  return s;
}

static void
view_add_session (LoginView *view, GDBusProxy *proxy)
{
  CgLoginSession session = {
    .seat = view_keep (view, proxy_get_string (proxy, "Seat")),
    .session_class = view_keep (view, proxy_get_string (proxy, "Class")),
    .type = view_keep (view, proxy_get_string (proxy, "Type")),
    .state = view_keep (view, proxy_get_string (proxy, "State")),
    .remote = proxy_get_boolean (proxy, "Remote"),
    .active = proxy_get_boolean (proxy, "Active"),
    .locked_hint = proxy_get_boolean (proxy, "LockedHint"),
  };

  g_array_append_val (view->sessions, session);
}

static CgLockState
lock_compute (CgSessionLock *self)
{
  LoginView view = {
    .strings = g_ptr_array_new_with_free_func (g_free),
    .seats = g_array_new (FALSE, FALSE, sizeof (CgLoginSeat)),
    .sessions = g_array_new (FALSE, FALSE, sizeof (CgLoginSession)),
  };
  GHashTableIter iter;
  GDBusProxy *proxy;
  CgLockState state;

  g_hash_table_iter_init (&iter, self->seats);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&proxy)) {
    CgLoginSeat seat = { .id = view_keep (&view, proxy_get_string (proxy, "Id")),
                         .can_graphical = proxy_get_boolean (proxy, "CanGraphical") };
    g_array_append_val (view.seats, seat);
  }
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&proxy))
    view_add_session (&view, proxy);
  state = cg_lock_state_compute (self->logind_present, (CgLoginSeat *)(void *)view.seats->data,
                                 view.seats->len, (CgLoginSession *)(void *)view.sessions->data,
                                 view.sessions->len);
  g_array_unref (view.sessions);
  g_array_unref (view.seats);
  g_ptr_array_unref (view.strings);
  return state;
}

static void
lock_set_state (CgSessionLock *self, CgLockState state)
{
  g_autofree char *message = NULL;

  if (state == self->state)
    return;
  self->state = state;
  message = g_strdup_printf ("Lock state: %s", cg_lock_state_to_string (state));
  cg_log_event (G_LOG_LEVEL_INFO, NULL, message, "CARGUARD_LOCK_STATE",
                cg_lock_state_to_string (state), NULL);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, state);
}

/* Half a picture (seats listed, sessions not yet) could read as unlocked or headless: the
 * state moves only once every answer is in. */
static void
lock_update (CgSessionLock *self)
{
  if (self->loading == 0)
    lock_set_state (self, lock_compute (self));
}

static void
lock_loaded_one (CgSessionLock *self)
{
  if (self->loading > 0)
    self->loading--;
  lock_update (self);
}

static void
lock_on_properties_changed (GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
                            gpointer user_data)
{
  lock_update (user_data);
}

typedef struct {
  CgSessionLock *self; /* a reference */
  GHashTable *table;   /* self->seats or self->sessions */
  char *path;
} ProxyRequest;

static void
proxy_request_free (ProxyRequest *request)
{
  g_object_unref (request->self);
  g_free (request->path);
  g_free (request);
}

static void
lock_on_proxy_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ProxyRequest *request = user_data;
  g_autoptr (GError) error = NULL;
  GDBusProxy *proxy = g_dbus_proxy_new_finish (result, &error);

  /* A session that closed before its proxy was made is simply gone. */
  if (proxy == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      proxy_request_free (request);
      return;
    }
    g_debug ("logind object %s: %s", request->path, error->message);
  } else {
    g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (lock_on_properties_changed),
                      request->self);
    g_hash_table_replace (request->table, g_strdup (request->path), proxy);
  }
  lock_loaded_one (request->self);
  proxy_request_free (request);
}

static void
lock_add_object (CgSessionLock *self, GHashTable *table, const char *interface, const char *path)
{
  ProxyRequest *request = g_new0 (ProxyRequest, 1);

  request->self = g_object_ref (self);
  request->table = table;
  request->path = g_strdup (path);
  self->loading++;
  g_dbus_proxy_new (self->bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL, LOGIN1_NAME, path,
                    interface, self->cancellable, lock_on_proxy_ready, request);
}

static void
proxy_disconnect_and_unref (gpointer data)
{
  g_signal_handlers_disconnect_matched (data, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        lock_on_properties_changed, NULL);
  g_object_unref (data);
}

static void
lock_on_manager_signal (GDBusConnection *connection, const char *sender, const char *object_path,
                        const char *interface_name, const char *signal_name, GVariant *parameters,
                        gpointer user_data)
{
  CgSessionLock *self = user_data;
  const char *path = NULL;
  gboolean is_session = g_str_has_prefix (signal_name, "Session");
  GHashTable *table = is_session ? self->sessions : self->seats;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(so)")))
    return;
  g_variant_get (parameters, "(&s&o)", NULL, &path);
  if (g_str_has_suffix (signal_name, "New"))
    lock_add_object (self, table, is_session ? LOGIN1_SESSION : LOGIN1_SEAT, path);
  else if (g_str_has_suffix (signal_name, "Removed") && g_hash_table_remove (table, path))
    lock_update (self);
}

static void
lock_on_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CgSessionLock) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr (GVariantIter) iter = NULL;
  gboolean sessions;
  const char *path;

  if (reply == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    g_warning ("logind did not list its seats and sessions: %s", error->message);
    lock_loaded_one (self);
    return;
  }
  sessions = g_variant_is_of_type (reply, G_VARIANT_TYPE ("(a(susso))"));
  g_variant_get (reply, sessions ? "(a(susso))" : "(a(so))", &iter);
  while (sessions ? g_variant_iter_next (iter, "(&su&s&s&o)", NULL, NULL, NULL, NULL, &path)
                  : g_variant_iter_next (iter, "(&s&o)", NULL, &path))
    lock_add_object (self, sessions ? self->sessions : self->seats,
                     sessions ? LOGIN1_SESSION : LOGIN1_SEAT, path);
  lock_loaded_one (self);
}

static void
lock_list (CgSessionLock *self, const char *method, const char *reply_type)
{
  self->loading++;
  g_dbus_connection_call (self->bus, LOGIN1_NAME, LOGIN1_PATH, LOGIN1_MANAGER, method, NULL,
                          G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->cancellable, lock_on_listed, g_object_ref (self));
}

static void
lock_on_logind_appeared (GDBusConnection *connection, const char *name, const char *owner,
                         gpointer user_data)
{
  CgSessionLock *self = user_data;

  self->logind_present = TRUE;
  lock_list (self, "ListSeats", "(a(so))");
  lock_list (self, "ListSessions", "(a(susso))");
}

static void
lock_on_logind_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  CgSessionLock *self = user_data;
  gboolean was_present = self->logind_present;

  g_hash_table_remove_all (self->sessions);
  g_hash_table_remove_all (self->seats);
  self->logind_present = FALSE;
  /* Answers still under way belong to the logind that left; they are cancelled. */
  g_cancellable_cancel (self->cancellable);
  g_object_unref (self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = 0;
  /* logind going away (a crash, a restart) is no unlock: stay locked until it says so. */
  if (was_present && self->state != CG_LOCK_STATE_HEADLESS) {
    lock_set_state (self, CG_LOCK_STATE_LOCKED);
    return;
  }
  if (!was_present)
    g_message ("logind is not on the system bus: carguard cannot see a lock screen, so "
               "nothing is held back while locked");
  lock_set_state (self, CG_LOCK_STATE_UNKNOWN);
}

static void
cg_session_lock_dispose (GObject *object)
{
  CgSessionLock *self = CG_SESSION_LOCK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->manager_signal_id != 0) {
    g_dbus_connection_signal_unsubscribe (self->bus, self->manager_signal_id);
    self->manager_signal_id = 0;
  }
  g_hash_table_remove_all (self->sessions);
  g_hash_table_remove_all (self->seats);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (cg_session_lock_parent_class)->dispose (object);
}

static void
cg_session_lock_finalize (GObject *object)
{
  CgSessionLock *self = CG_SESSION_LOCK (object);

  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->seats);
  G_OBJECT_CLASS (cg_session_lock_parent_class)->finalize (object);
}

static void
cg_session_lock_class_init (CgSessionLockClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cg_session_lock_dispose;
  G_OBJECT_CLASS (klass)->finalize = cg_session_lock_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
cg_session_lock_init (CgSessionLock *self)
{
  self->cancellable = g_cancellable_new ();
  self->seats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, proxy_disconnect_and_unref);
  self->sessions
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, proxy_disconnect_and_unref);
  /* Until logind has answered (or is known to be absent) nothing counts as unlocked. */
  self->state = CG_LOCK_STATE_LOCKED;
}

CgSessionLock *
cg_session_lock_new (GDBusConnection *bus)
{
  CgSessionLock *self = g_object_new (CG_TYPE_SESSION_LOCK, NULL);

  self->bus = g_object_ref (bus);
  self->manager_signal_id = g_dbus_connection_signal_subscribe (
      bus, LOGIN1_NAME, LOGIN1_MANAGER, NULL, LOGIN1_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
      lock_on_manager_signal, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (bus, LOGIN1_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   lock_on_logind_appeared, lock_on_logind_vanished,
                                                   self, NULL);
  return self;
}

CgLockState
cg_session_lock_get_state (CgSessionLock *self)
{
  g_return_val_if_fail (CG_IS_SESSION_LOCK (self), CG_LOCK_STATE_UNKNOWN);
  return self->state;
}

gboolean
cg_session_lock_is_locked (CgSessionLock *self)
{
  return cg_session_lock_get_state (self) == CG_LOCK_STATE_LOCKED;
}
