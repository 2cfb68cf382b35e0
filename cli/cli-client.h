/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Talking to a running carguardd (org.carguard.Daemon1 on the system bus; the bus
 * address follows DBUS_SYSTEM_BUS_ADDRESS like every D-Bus client). */
#define CLI_DBUS_NAME "org.carguard.Daemon1"
#define CLI_DBUS_PATH "/org/carguard/Daemon1"
#define CLI_DBUS_INTERFACE "org.carguard.Daemon1"

GDBusConnection *cli_client_connect (GError **error);

/* Calls METHOD with parameters (floating, consumed); the reply has reply_type. Lets
 * polkit ask the user for a password when the action needs it. Remote errors come
 * back with their D-Bus name stripped from the message. */
GVariant *cli_client_call (GDBusConnection *bus, const char *method, GVariant *parameters,
                           const GVariantType *reply_type, GError **error);

/* After a policy edit: asks a running carguardd to reload, for the case where its file
 * watch missed the change. Never fails: without a daemon (or without the right to
 * reload) there is nothing to do, the daemon reads the files when it starts or sees
 * them change. Returns whether a daemon reloaded. */
gboolean cli_client_reload_quietly (void);

G_END_DECLS
