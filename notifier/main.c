/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* carguard-notifier: the person's side of carguardd. Runs in each graphical session,
 * shows carguardd's Decision signals as desktop notifications (cg-notice: the words;
 * cg-notice-limit: how many), answers `ask` questions with AllowOnce when the person
 * clicks "Allow once" and with Deny on "Keep blocked", and withdraws a question when it
 * is answered elsewhere or its device is gone (DeviceRemoved). The system bus and the
 * session bus follow DBUS_SYSTEM_BUS_ADDRESS and DBUS_SESSION_BUS_ADDRESS. */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <libnotify/notify.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>

#include "cg-dbus-generated.h"
#include "cg-dbus-names.h"
#include "cg-notice-limit.h"
#include "cg-notice.h"

/* One notice per device per interval, so a car that retries forever is one bubble, and
 * at most BURST devices new to the person per interval, so a device cycling through
 * random addresses is a few bubbles and one that says the rest were held back. */
#define DEFAULT_INTERVAL_S 60
#define BURST 3
#define FLOOD_DELAY_MS 2000
#define NOTIFIER_NAME "org.carguard.Notifier"

typedef struct {
  CgGenDaemon1 *daemon;
  GMainLoop *loop;
  CgNoticeLimit *limit;
  GHashTable *shown;         /* device id → DeviceNotice */
  NotifyNotification *flood; /* "more devices were held back", or NULL */
  guint flood_timer;
} Notifier;

typedef struct {
  Notifier *notifier;
  char *device_id;
  NotifyNotification *notification;
  gboolean asking;   /* the bubble last shown is a question */
  guint question_id; /* the question it asks */
} DeviceNotice;

static void
device_notice_free (DeviceNotice *notice)
{
  if (notice->notification != NULL)
    g_signal_handlers_disconnect_by_data (notice->notification, notice);
  g_clear_object (&notice->notification);
  g_free (notice->device_id);
  g_free (notice);
}

static void
on_allow_once_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *question = user_data;
  g_autoptr (GError) error = NULL;

  if (!cg_gen_daemon1_call_allow_once_finish (CG_GEN_DAEMON1 (source), result, &error))
    g_warning ("carguardd did not allow %s: %s", question, error->message);
}

static void
on_allow_once (NotifyNotification *notification, char *action, gpointer user_data)
{
  DeviceNotice *notice = user_data;
  char *question = cg_dbus_question_ref_format (notice->device_id, notice->question_id);

  notice->asking = FALSE;
  cg_notice_limit_answered (notice->notifier->limit, notice->device_id, TRUE,
                            g_get_monotonic_time ());
  cg_gen_daemon1_call_allow_once (notice->notifier->daemon, question,
                                  G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, -1, NULL,
                                  on_allow_once_reply, question);
}

static void
on_deny_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *device_id = user_data;
  g_autoptr (GError) error = NULL;

  /* NotAsked: the question timed out or was answered first; denied either way. */
  if (!cg_gen_daemon1_call_deny_finish (CG_GEN_DAEMON1 (source), result, &error))
    g_debug ("carguardd did not take the refusal of %s: %s", device_id, error->message);
}

/* Refused at once, as the person's answer, instead of waiting out the question; the
 * device then stays quiet for an interval. */
static void
on_keep_blocked (NotifyNotification *notification, char *action, gpointer user_data)
{
  DeviceNotice *notice = user_data;

  notice->asking = FALSE;
  cg_notice_limit_answered (notice->notifier->limit, notice->device_id, FALSE,
                            g_get_monotonic_time ());
  cg_gen_daemon1_call_deny (notice->notifier->daemon, notice->question_id,
                            G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, -1, NULL,
                            on_deny_reply, g_strdup (notice->device_id));
}

static DeviceNotice *
notifier_notice_for (Notifier *notifier, const char *device_id)
{
  DeviceNotice *notice = g_hash_table_lookup (notifier->shown, device_id);

  if (notice != NULL)
    return notice;
  notice = g_new0 (DeviceNotice, 1);
  notice->notifier = notifier;
  notice->device_id = g_strdup (device_id);
  notice->notification = notify_notification_new ("", NULL, "security-high");
  g_hash_table_insert (notifier->shown, notice->device_id, notice);
  return notice;
}

static void
notice_show (DeviceNotice *notice, const CgNotice *text)
{
  g_autoptr (GError) error = NULL;

  notify_notification_update (notice->notification, text->summary, text->body, "security-high");
  notify_notification_clear_actions (notice->notification);
  if (text->ask) {
    notify_notification_add_action (notice->notification, "allow-once", "Allow once", on_allow_once,
                                    notice, NULL);
    notify_notification_add_action (notice->notification, "keep-blocked", "Keep blocked",
                                    on_keep_blocked, notice, NULL);
    notify_notification_set_urgency (notice->notification, NOTIFY_URGENCY_CRITICAL);
  } else {
    notify_notification_set_urgency (notice->notification, NOTIFY_URGENCY_NORMAL);
  }
  if (!notify_notification_show (notice->notification, &error))
    g_warning ("cannot show a notification: %s", error->message);
  notice->asking = text->ask;
  notice->question_id = text->question_id;
}

/* A question that can no longer be answered (answered elsewhere, timed out, its device
 * gone) leaves the screen. Other notices stay: they tell what was refused. */
static void
notice_withdraw_question (DeviceNotice *notice)
{
  g_autoptr (GError) error = NULL;

  if (!notice->asking)
    return;
  notice->asking = FALSE;
  if (!notify_notification_close (notice->notification, &error))
    g_debug ("cannot withdraw a notification: %s", error->message);
}

static void notifier_arm_flood (Notifier *notifier, gint64 wait_us);

/* One bubble for every device held back since the last one, at most once per interval. */
static gboolean
on_flood_due (gpointer user_data)
{
  Notifier *notifier = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  guint held = 0;
  gint64 wait_us = -1;

  notifier->flood_timer = 0;
  if (!cg_notice_limit_flood_due (notifier->limit, g_get_monotonic_time (), &held, &wait_us)) {
    notifier_arm_flood (notifier, wait_us);
    return G_SOURCE_REMOVE;
  }
  body = g_strdup_printf ("%u more %s not shown. A question among them is refused when it "
                          "times out.",
                          held, held == 1 ? "device was" : "devices were");
  if (notifier->flood == NULL)
    notifier->flood = notify_notification_new ("", NULL, "security-high");
  notify_notification_update (notifier->flood, "Many devices are asking to connect", body,
                              "security-high");
  if (!notify_notification_show (notifier->flood, &error))
    g_warning ("cannot show a notification: %s", error->message);
  return G_SOURCE_REMOVE;
}

/* Once the burst has passed, so the bubble counts it whole. */
static void
notifier_arm_flood (Notifier *notifier, gint64 wait_us)
{
  if (notifier->flood_timer != 0 || wait_us < 0)
    return;
  notifier->flood_timer = g_timeout_add (
      (guint)MIN (MAX (wait_us / 1000, FLOOD_DELAY_MS), G_MAXUINT), on_flood_due, notifier);
}

static void
notifier_handle_record (Notifier *notifier, const CgDbusRecord *record)
{
  g_auto (CgNotice) text = { NULL };
  DeviceNotice *notice;
  gboolean question_open;

  if (record->id[0] == '\0')
    return;
  notice = g_hash_table_lookup (notifier->shown, record->id);
  question_open = notice != NULL && notice->asking;
  /* Answered, withdrawn or let in: a question still on screen can no longer be answered. */
  if (!cg_notice_from_record (record, &text)) {
    if (question_open)
      notice_withdraw_question (notice);
    return;
  }
  switch (cg_notice_limit_admit (notifier->limit, record->id, &text, question_open,
                                 g_get_monotonic_time ())) {
    case CG_NOTICE_LIMIT_SHOW:
      /* A new question replaces the device's bubble instead of stacking another. */
      notice_show (notifier_notice_for (notifier, record->id), &text);
      break;
    case CG_NOTICE_LIMIT_HOLD:
      if (question_open && !text.ask)
        notice_withdraw_question (notice);
      notifier_arm_flood (notifier, 0);
      break;
    case CG_NOTICE_LIMIT_REPEAT:
    default:
      break;
  }
}

static void
on_decision (CgGenDaemon1 *daemon, GVariant *device, gpointer user_data)
{
  g_auto (CgDbusRecord) record = { NULL };

  cg_dbus_record_from_variant (device, &record);
  notifier_handle_record (user_data, &record);
}

static void
on_device_removed (CgGenDaemon1 *daemon, const char *id, gpointer user_data)
{
  Notifier *notifier = user_data;
  DeviceNotice *notice = g_hash_table_lookup (notifier->shown, id);

  /* What the limiter remembers still holds a device that comes back. */
  if (notice == NULL)
    return;
  notice_withdraw_question (notice);
  g_hash_table_remove (notifier->shown, id);
}

/* Questions asked before this session started are still open: show them too. */
static void
on_devices_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Notifier *notifier = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) devices = NULL;

  if (!cg_gen_daemon1_call_list_devices_finish (CG_GEN_DAEMON1 (source), &devices, result,
                                                &error)) {
    g_debug ("no device list from carguardd: %s", error->message);
    return;
  }
  for (gsize i = 0; i < g_variant_n_children (devices); i++) {
    g_autoptr (GVariant) device = g_variant_get_child_value (devices, i);
    g_auto (CgDbusRecord) record = { NULL };
    cg_dbus_record_from_variant (device, &record);
    if (g_str_equal (record.decision, "ask"))
      notifier_handle_record (notifier, &record);
  }
}

static gboolean
on_terminate (gpointer user_data)
{
  Notifier *notifier = user_data;

  g_main_loop_quit (notifier->loop);
  return G_SOURCE_CONTINUE;
}

/* The systemd user unit and XDG autostart may both start us; the second one leaves. */
static gboolean
claim_session_name (GError **error)
{
  g_autoptr (GDBusConnection) session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  g_autoptr (GVariant) reply = NULL;
  guint32 result = 0;

  if (session == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (
      session, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "RequestName", g_variant_new ("(su)", NOTIFIER_NAME, 4u), G_VARIANT_TYPE ("(u)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(u)", &result);
  return result == 1;
}

/* CARGUARD_NOTIFIER_INTERVAL: seconds (tests use a long one, so nothing expires mid-test). */
static gint64
interval_from_environment (void)
{
  const char *value = g_getenv ("CARGUARD_NOTIFIER_INTERVAL");
  guint64 seconds = DEFAULT_INTERVAL_S;

  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 0, 86400, &seconds, NULL))
    seconds = DEFAULT_INTERVAL_S;
  return (gint64)seconds * G_USEC_PER_SEC;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GHashTable) shown = NULL;
  g_autoptr (CgNoticeLimit) limit = NULL;
  Notifier notifier;

  setlocale (LC_ALL, "");
  if (argc > 1 && g_str_equal (argv[1], "--version")) {
    g_print ("carguard-notifier %s\n", PACKAGE_VERSION);
    return EXIT_SUCCESS;
  }
  if (!claim_session_name (&error)) {
    if (error != NULL)
      g_printerr ("carguard-notifier: %s\n", error->message);
    return error != NULL ? EXIT_FAILURE : EXIT_SUCCESS;
  }
  if (!notify_init ("carguard")) {
    g_printerr ("carguard-notifier: cannot reach the notification server\n");
    return EXIT_FAILURE;
  }
  loop = g_main_loop_new (NULL, FALSE);
  shown = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)device_notice_free);
  limit = cg_notice_limit_new (interval_from_environment (), BURST);
  notifier = (Notifier){ .loop = loop, .limit = limit, .shown = shown };
  /* The session must not start carguardd; the proxy follows whoever owns its name. */
  notifier.daemon = cg_gen_daemon1_proxy_new_for_bus_sync (
      G_BUS_TYPE_SYSTEM,
      G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START | G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
      CG_DBUS_NAME, CG_DBUS_PATH, NULL, &error);
  if (notifier.daemon == NULL) {
    g_printerr ("carguard-notifier: cannot reach the system bus: %s\n", error->message);
    return EXIT_FAILURE;
  }
  /* Subscribed when the proxy was made: the list below misses no decision. */
  g_signal_connect (notifier.daemon, "decision", G_CALLBACK (on_decision), &notifier);
  g_signal_connect (notifier.daemon, "device-removed", G_CALLBACK (on_device_removed), &notifier);
  cg_gen_daemon1_call_list_devices (notifier.daemon, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL,
                                    on_devices_listed, &notifier);
  g_unix_signal_add (SIGTERM, on_terminate, &notifier);
  g_unix_signal_add (SIGINT, on_terminate, &notifier);
  g_main_loop_run (loop);

  g_signal_handlers_disconnect_by_data (notifier.daemon, &notifier);
  g_hash_table_remove_all (shown);
  g_clear_handle_id (&notifier.flood_timer, g_source_remove);
  g_clear_object (&notifier.flood);
  g_clear_object (&notifier.daemon);
  notify_uninit ();
  return EXIT_SUCCESS;
}
