/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The service manager's side of the daemon (sd_notify). All are no-ops when not run by
 * systemd ($NOTIFY_SOCKET unset). */
void cg_service_notify_ready (const char *status);
void cg_service_notify_reloading (void);
void cg_service_notify_status (const char *status);
void cg_service_notify_stopping (void);

/* Pings the watchdog at half of WatchdogSec= when the unit sets one; returns the GSource
 * id, or 0 when no watchdog is asked for (then the daemon has no timers at all). */
guint cg_service_start_watchdog (void);

G_END_DECLS
