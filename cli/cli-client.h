/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-dbus-generated.h"
#include "cg-dbus-names.h"

G_BEGIN_DECLS

/* Talking to a running carguardd: the generated proxy for org.carguard.Daemon1 on the
 * system bus (the bus address follows DBUS_SYSTEM_BUS_ADDRESS like every D-Bus client). */

/* How a command calls a method: polkit may ask the user for a password when the action
 * needs it, and an administrator may take a while to type it into the polkit agent. */
#define CLI_CALL_FLAGS G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
#define CLI_CALL_TIMEOUT_MS G_MAXINT

/* flags: G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START where the command must not start the
 * daemon; properties are never loaded. */
CgGenDaemon1 *cli_client_connect (GDBusProxyFlags flags, GError **error);

/* After a failed connect or call: "carguardd is not running" when nobody owns its name,
 * else the daemon's message without its D-Bus error name. */
void cli_client_explain_error (GError **error);

/* After a policy edit: asks a running carguardd to reload, for the case where its file
 * watch missed the change. Never fails: without a daemon (or without the right to
 * reload) there is nothing to do, the daemon reads the files when it starts or sees
 * them change. Returns whether a daemon reloaded. */
gboolean cli_client_reload_quietly (void);

G_END_DECLS
