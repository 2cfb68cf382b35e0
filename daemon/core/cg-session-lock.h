/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether a person has this machine unlocked, as logind (or elogind) tells it: the guards
 * give no new data path to a car while the phone or laptop is locked, as GrapheneOS and
 * iOS do for USB. Follows logind's seats and sessions on the system bus; a change of
 * state is signalled as "changed" (CgLockState). */
#define CG_TYPE_SESSION_LOCK (cg_session_lock_get_type ())
G_DECLARE_FINAL_TYPE (CgSessionLock, cg_session_lock, CG, SESSION_LOCK, GObject)

typedef enum {
  /* logind is not on the bus: there is no lock screen carguard can see. */
  CG_LOCK_STATE_UNKNOWN,
  /* No seat can show graphics (a server, a headless board): nobody unlocks anything. */
  CG_LOCK_STATE_HEADLESS,
  /* A seat can show graphics and no local graphical session on it is active and
   * unlocked: locked, logged out, or still booting (before the first unlock). */
  CG_LOCK_STATE_LOCKED,
  CG_LOCK_STATE_UNLOCKED,
} CgLockState;

const char *cg_lock_state_to_string (CgLockState state);

/* What logind reports of one seat and one session; the strings are borrowed. */
typedef struct {
  const char *id;
  gboolean can_graphical;
} CgLoginSeat;

typedef struct {
  const char *seat;          /* seat id, "" when the session has none (ssh) */
  const char *session_class; /* "user", "greeter", "lock-screen", "background" */
  const char *type;          /* "x11", "wayland", "mir", "tty", ... */
  const char *state;         /* "online", "active", "closing" */
  gboolean remote;
  gboolean active;
  gboolean locked_hint;
} CgLoginSession;

/* A pure function of what logind reports. A remote or tty session never unlocks: a car
 * cannot be let in by someone logged in over SSH. */
CgLockState cg_lock_state_compute (gboolean logind_present, const CgLoginSeat *seats, guint n_seats,
                                   const CgLoginSession *sessions, guint n_sessions);

/* Starts following logind on bus. Until logind has answered, or is known to be absent,
 * the state is LOCKED: nothing counts as unlocked before anyone said so. */
CgSessionLock *cg_session_lock_new (GDBusConnection *bus);

CgLockState cg_session_lock_get_state (CgSessionLock *self);

/* TRUE when the state forbids new data paths: LOCKED. UNKNOWN (no logind at start) and
 * HEADLESS are not locked: no person unlocks such a machine, and carguardd says so in the
 * journal once. */
gboolean cg_session_lock_is_locked (CgSessionLock *self);

G_END_DECLS
