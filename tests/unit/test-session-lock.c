/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lock monitor: the state as a pure function of what logind reports, then the live
 * monitor following a fake logind (python3-dbusmock's logind template on a private bus:
 * a fake, since a unit test cannot run systemd-logind) through login, lock, unlock and
 * logind going away. The installed-system lab runs it against the real logind. */
#include "config.h"

#include <check.h>

#include "cg-session-lock.h"

#define LOGIN1 "org.freedesktop.login1"
#define MOCK "org.freedesktop.DBus.Mock"
#define SESSION_PATH "/org/freedesktop/login1/session/c1"
#define SEAT_PATH "/org/freedesktop/login1/seat/seat0"

static const CgLoginSeat graphical_seat = { .id = "seat0", .can_graphical = TRUE };
static const CgLoginSeat text_seat = { .id = "seat0", .can_graphical = FALSE };

static CgLoginSession
desktop_session (void)
{
  return (CgLoginSession){
    .seat = "seat0", .session_class = "user", .type = "wayland", .state = "active", .active = TRUE
  };
}

START_TEST (test_compute)
{
  CgLoginSession session = desktop_session ();

  ck_assert_int_eq (cg_lock_state_compute (FALSE, NULL, 0, NULL, 0), CG_LOCK_STATE_UNKNOWN);
  ck_assert_int_eq (cg_lock_state_compute (TRUE, &text_seat, 1, NULL, 0), CG_LOCK_STATE_HEADLESS);
  /* A graphical seat nobody has logged in to yet: booting, before the first unlock. */
  ck_assert_int_eq (cg_lock_state_compute (TRUE, &graphical_seat, 1, NULL, 0),
                    CG_LOCK_STATE_LOCKED);
  ck_assert_int_eq (cg_lock_state_compute (TRUE, &graphical_seat, 1, &session, 1),
                    CG_LOCK_STATE_UNLOCKED);
  session.locked_hint = TRUE;
  ck_assert_int_eq (cg_lock_state_compute (TRUE, &graphical_seat, 1, &session, 1),
                    CG_LOCK_STATE_LOCKED);
}
END_TEST

/* Sessions that never unlock the machine, whatever their LockedHint says. */
START_TEST (test_compute_sessions_that_do_not_unlock)
{
  CgLoginSession sessions[6];

  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    sessions[i] = desktop_session ();
  sessions[0].remote = TRUE;             /* over the network */
  sessions[1].type = "tty";              /* a text console, or ssh */
  sessions[2].session_class = "greeter"; /* the login screen */
  sessions[3].active = FALSE;            /* switched away from */
  sessions[4].state = "closing";         /* logging out */
  sessions[5].seat = "seat1";            /* a seat logind does not list */
  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    ck_assert_msg (cg_lock_state_compute (TRUE, &graphical_seat, 1, &sessions[i], 1)
                       == CG_LOCK_STATE_LOCKED,
                   "session %u unlocked the machine", i);
  /* A desktop session on a seat without graphics is not a screen someone unlocked. */
  sessions[0] = desktop_session ();
  ck_assert_int_eq (cg_lock_state_compute (TRUE, &text_seat, 1, &sessions[0], 1),
                    CG_LOCK_STATE_HEADLESS);
}
END_TEST

/* ---- the live monitor against the fake logind -------------------------------------- */

typedef struct {
  GTestDBus *test_bus;
  GDBusConnection *bus;
  GSubprocess *logind;
  GCancellable *logind_wait;
  gboolean logind_exited;
  CgSessionLock *lock;
  GMainLoop *loop;
} LiveFixture;

static LiveFixture fixture;

static void
live_setup (void)
{
  g_autoptr (GError) error = NULL;

  fixture.test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture.test_bus);
  fixture.bus = g_dbus_connection_new_for_address_sync (
      g_test_dbus_get_bus_address (fixture.test_bus),
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);
  ck_assert_msg (fixture.bus != NULL, "%s", error ? error->message : "");
  fixture.loop = g_main_loop_new (NULL, FALSE);
}

static void
live_teardown (void)
{
  g_clear_object (&fixture.lock);
  if (fixture.logind != NULL) {
    g_cancellable_cancel (fixture.logind_wait);
    g_clear_object (&fixture.logind_wait);
    g_subprocess_force_exit (fixture.logind);
    g_subprocess_wait (fixture.logind, NULL, NULL);
    g_clear_object (&fixture.logind);
  }
  g_dbus_connection_close_sync (fixture.bus, NULL, NULL);
  g_clear_object (&fixture.bus);
  g_test_dbus_down (fixture.test_bus);
  g_clear_object (&fixture.test_bus);
  g_clear_pointer (&fixture.loop, g_main_loop_unref);
}

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  g_main_loop_quit (fixture.loop);
  return G_SOURCE_REMOVE;
}

static void
on_changed (CgSessionLock *lock, int state, gpointer user_data)
{
  g_main_loop_quit (fixture.loop);
}

/* Runs the loop until the monitor reads want; fails after 10 s. */
static void
wait_for_state (CgLockState want)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add_seconds (10, on_deadline, &expired);
  gulong handler = g_signal_connect (fixture.lock, "changed", G_CALLBACK (on_changed), NULL);

  while (cg_session_lock_get_state (fixture.lock) != want && !expired)
    g_main_loop_run (fixture.loop);
  g_signal_handler_disconnect (fixture.lock, handler);
  if (!expired)
    g_source_remove (deadline);
  ck_assert_msg (!expired, "state %s, waited for %s",
                 cg_lock_state_to_string (cg_session_lock_get_state (fixture.lock)),
                 cg_lock_state_to_string (want));
}

static void
on_logind_appeared (GDBusConnection *connection, const char *name, const char *owner,
                    gpointer user_data)
{
  g_main_loop_quit (fixture.loop);
}

static void
on_logind_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  if (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL)) {
    fixture.logind_exited = TRUE;
    g_main_loop_quit (fixture.loop);
  }
}

static void
start_fake_logind (void)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  const char *python = g_getenv ("CG_PYTHON") ? g_getenv ("CG_PYTHON") : "python3";
  const char *address = g_test_dbus_get_bus_address (fixture.test_bus);
  g_autoptr (GError) error = NULL;
  guint watch;

  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  fixture.logind = g_subprocess_launcher_spawn (launcher, &error, python, "-m", "dbusmock",
                                                "--system", "--template", "logind", NULL);
  ck_assert_msg (fixture.logind != NULL, "%s", error ? error->message : "");
  watch = g_bus_watch_name_on_connection (fixture.bus, LOGIN1, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_logind_appeared, NULL, NULL, NULL);
  /* A fake that dies (python3-dbusmock missing) ends the wait too, and fails the test. */
  fixture.logind_wait = g_cancellable_new ();
  g_subprocess_wait_async (fixture.logind, fixture.logind_wait, on_logind_exited, NULL);
  g_main_loop_run (fixture.loop);
  g_bus_unwatch_name (watch);
  ck_assert_msg (!fixture.logind_exited,
                 "the fake logind (%s -m dbusmock) exited; is python3-dbusmock installed?", python);
}

static void
mock_call (const char *path, const char *method, GVariant *parameters)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply
      = g_dbus_connection_call_sync (fixture.bus, LOGIN1, path, MOCK, method, parameters, NULL,
                                     G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

  ck_assert_msg (reply != NULL, "%s: %s", method, error ? error->message : "");
}

static void
mock_set (const char *path, const char *interface, const char *property, GVariant *value)
{
  GVariantBuilder changed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&changed, "{sv}", property, value);
  mock_call (path, "UpdateProperties", g_variant_new ("(sa{sv})", interface, &changed));
}

static void
mock_emit_new (const char *signal, const char *id, const char *path)
{
  mock_call ("/org/freedesktop/login1", "EmitSignal",
             g_variant_new ("(sss@av)", "org.freedesktop.login1.Manager", signal, "so",
                            g_variant_new_parsed ("[<%s>, <%o>]", id, path)));
}

/* logind announces new seats and sessions (SeatNew, SessionNew); the template's AddSeat
 * and AddSession do not, so the test does. */
static void
fake_logind_add_graphical_seat (void)
{
  mock_call ("/org/freedesktop/login1", "AddSeat", g_variant_new ("(s)", "seat0"));
  mock_set (SEAT_PATH, "org.freedesktop.login1.Seat", "CanGraphical", g_variant_new_boolean (TRUE));
  mock_emit_new ("SeatNew", "seat0", SEAT_PATH);
}

static void
fake_logind_log_in (void)
{
  mock_call ("/org/freedesktop/login1", "AddSession",
             g_variant_new ("(ssusb)", "c1", "seat0", 1000, "staff", TRUE));
  mock_set (SESSION_PATH, "org.freedesktop.login1.Session", "Type",
            g_variant_new_string ("wayland"));
  mock_emit_new ("SessionNew", "c1", SESSION_PATH);
}

START_TEST (test_live_follows_logind)
{
  /* Before logind answers, nothing counts as unlocked. */
  fixture.lock = cg_session_lock_new (fixture.bus);
  ck_assert (cg_session_lock_is_locked (fixture.lock));
  wait_for_state (CG_LOCK_STATE_UNKNOWN);
  ck_assert (!cg_session_lock_is_locked (fixture.lock));

  start_fake_logind ();
  /* The template starts with no seat: a machine without graphics. */
  wait_for_state (CG_LOCK_STATE_HEADLESS);
  /* A screen nobody has logged in to yet: booting, before the first unlock. */
  fake_logind_add_graphical_seat ();
  wait_for_state (CG_LOCK_STATE_LOCKED);
  fake_logind_log_in ();
  wait_for_state (CG_LOCK_STATE_UNLOCKED);

  mock_set (SESSION_PATH, "org.freedesktop.login1.Session", "LockedHint",
            g_variant_new_boolean (TRUE));
  wait_for_state (CG_LOCK_STATE_LOCKED);
  ck_assert (cg_session_lock_is_locked (fixture.lock));
  mock_set (SESSION_PATH, "org.freedesktop.login1.Session", "LockedHint",
            g_variant_new_boolean (FALSE));
  wait_for_state (CG_LOCK_STATE_UNLOCKED);

  /* logind going away is no unlock. */
  g_subprocess_force_exit (fixture.logind);
  wait_for_state (CG_LOCK_STATE_LOCKED);
}
END_TEST

static Suite *
session_lock_suite (void)
{
  Suite *suite = suite_create ("session-lock");
  TCase *pure = tcase_create ("compute");
  TCase *live = tcase_create ("live");

  tcase_add_test (pure, test_compute);
  tcase_add_test (pure, test_compute_sessions_that_do_not_unlock);
  suite_add_tcase (suite, pure);
  tcase_add_checked_fixture (live, live_setup, live_teardown);
  tcase_add_test (live, test_live_follows_logind);
  suite_add_tcase (suite, live);
  return suite;
}

int
main (void)
{
  SRunner *runner = srunner_create (session_lock_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
