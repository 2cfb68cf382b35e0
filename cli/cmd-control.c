/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cli-client.h"
#include "cli-output.h"
#include "cmd-live.h"

/* One method of carguardd; device is NULL for a method that takes none. */
typedef gboolean (*ControlMethod) (CgGenDaemon1 *daemon, const char *device, GError **error);

static gboolean
call_allow_once (CgGenDaemon1 *daemon, const char *device, GError **error)
{
  return cg_gen_daemon1_call_allow_once_sync (daemon, device, CLI_CALL_FLAGS, CLI_CALL_TIMEOUT_MS,
                                              NULL, error);
}

static gboolean
call_block (CgGenDaemon1 *daemon, const char *device, GError **error)
{
  return cg_gen_daemon1_call_block_sync (daemon, device, CLI_CALL_FLAGS, CLI_CALL_TIMEOUT_MS, NULL,
                                         error);
}

static gboolean
call_reload (CgGenDaemon1 *daemon, const char *device, GError **error)
{
  return cg_gen_daemon1_call_reload_sync (daemon, CLI_CALL_FLAGS, CLI_CALL_TIMEOUT_MS, NULL, error);
}

/* Runs one method of carguardd that takes either a device or nothing. */
static int
control_call (CliGlobals *globals, int argc, char **argv, ControlMethod method,
              const char *parameter_string, const char *summary, const char *done)
{
  g_autoptr (GOptionContext) context
      = cli_live_option_context_new (parameter_string, summary, NULL);
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GError) error = NULL;
  gboolean takes_device = parameter_string != NULL;
  int n_args = takes_device ? 2 : 1;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (cli_refuse_root (globals) != CLI_EXIT_OK)
    return CLI_EXIT_USAGE;
  if (argc < n_args)
    return cli_usage_error (g_get_prgname (), "a DEVICE is missing");
  if (argc > n_args)
    return cli_usage_error (g_get_prgname (), "unexpected argument '%s'", argv[n_args]);
  daemon = cli_client_connect (G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error);
  if (daemon == NULL || !method (daemon, takes_device ? argv[1] : NULL, &error)) {
    cli_client_explain_error (&error);
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  if (takes_device)
    printf ("%s %s\n", done, argv[1]);
  else
    printf ("%s\n", done);
  return CLI_EXIT_OK;
}

int
cmd_allow_once (CliGlobals *globals, int argc, char **argv)
{
  return control_call (globals, argc, argv, call_allow_once, "DEVICE",
                       "Answers carguardd's pending question about DEVICE with allow, this "
                       "once. Only where the policy says ask.",
                       "Allowed this once:");
}

int
cmd_block (CliGlobals *globals, int argc, char **argv)
{
  return control_call (globals, argc, argv, call_block, "DEVICE",
                       "Blocks DEVICE (an id from 'carguard devices', or a Bluetooth address) "
                       "in /etc/carguard/vendors.d/local-blocked.conf and reloads the policy.",
                       "Blocked:");
}

int
cmd_reload (CliGlobals *globals, int argc, char **argv)
{
  return control_call (globals, argc, argv, call_reload, NULL,
                       "Makes carguardd read the policy again; a broken policy is refused and "
                       "the last good one stays.",
                       "Policy reloaded.");
}
