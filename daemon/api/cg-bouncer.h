/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-dbus-names.h"
#include "cg-session-lock.h"

G_BEGIN_DECLS

/* The one gate every D-Bus method call passes: it maps the method to a polkit action
 * and asks polkit (org.freedesktop.PolicyKit1.Authority.CheckAuthorization, subject
 * = the caller's bus name, interaction allowed) whether the caller may.
 *
 * When polkit is not on the bus at all (a minimal system, the lab, CI), only callers
 * with uid 0 pass: they can rewrite /etc/carguard anyway. Every other failure to get
 * an answer from polkit denies.
 *
 * AllowOnce is for the person at the machine: once polkit allowed it, the caller's own
 * session (its process's, or its user's display session for a process in none, as
 * polkit picks it) must also be, as logind reports it, active, local and on a seat.
 * polkit alone lets any user with some active session through, an SSH login included. */
#define CG_TYPE_BOUNCER (cg_bouncer_get_type ())
G_DECLARE_FINAL_TYPE (CgBouncer, cg_bouncer, CG, BOUNCER, GObject)

/* bus: the connection the calls arrive on (polkit is asked on the same bus). */
CgBouncer *cg_bouncer_new (GDBusConnection *bus);

/* The polkit action for a method of org.carguard.Daemon1, or NULL: an unknown method
 * is never allowed. */
const char *cg_bouncer_action_for_method (const char *method_name);

/* Whether SESSION is one a person sits at: on a seat, local, active, a user's. */
gboolean cg_bouncer_session_is_at_seat (const CgLoginSession *session, GError **error);

/* Decides the invocation's method for its sender. Fails with G_DBUS_ERROR_ACCESS_DENIED.
 * *caller_uid (may be NULL) is the sender's uid, as the bus daemon knows it. */
void cg_bouncer_check_async (CgBouncer *bouncer, GDBusMethodInvocation *invocation,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean cg_bouncer_check_finish (CgBouncer *bouncer, GAsyncResult *result, guint32 *caller_uid,
                                  GError **error);

G_END_DECLS
