/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <systemd/sd-daemon.h>

#include "cg-service.h"

static void
service_notify (const char *state)
{
  int r = sd_notify (0, state);

  if (r < 0)
    g_debug ("sd_notify(%s) failed: %s", state, g_strerror (-r));
}

void
cg_service_notify_ready (const char *status)
{
  g_autofree char *state = g_strdup_printf ("READY=1\nSTATUS=%s", status);
  service_notify (state);
}

void
cg_service_notify_reloading (void)
{
  service_notify ("RELOADING=1\nSTATUS=Reloading policy");
}

void
cg_service_notify_status (const char *status)
{
  g_autofree char *state = g_strdup_printf ("STATUS=%s", status);
  service_notify (state);
}

void
cg_service_notify_stopping (void)
{
  service_notify ("STOPPING=1");
}

static gboolean
service_watchdog_ping (gpointer user_data)
{
  service_notify ("WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

guint
cg_service_start_watchdog (void)
{
  uint64_t usec = 0;

  if (sd_watchdog_enabled (0, &usec) <= 0 || usec == 0)
    return 0;
  /* Whole seconds let GLib wake this and other processes' second timers together (a
   * phone's battery); the ping may come up to a second late, far inside the interval. */
  if (usec >= 4 * G_USEC_PER_SEC)
    return g_timeout_add_seconds ((guint)(usec / 2 / G_USEC_PER_SEC) - 1, service_watchdog_ping,
                                  NULL);
  return g_timeout_add ((guint)(usec / 2000), service_watchdog_ping, NULL);
}
