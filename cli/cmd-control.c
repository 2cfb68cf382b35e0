/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cg-dbus-record.h"
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
call_revoke (CgGenDaemon1 *daemon, const char *device, GError **error)
{
  return cg_gen_daemon1_call_revoke_sync (daemon, device, CLI_CALL_FLAGS, CLI_CALL_TIMEOUT_MS, NULL,
                                          error);
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

/* One command: the method, its argument (a DEVICE or none), its words. */
typedef struct {
  ControlMethod method;
  const char *parameter_string; /* NULL: the method takes no argument */
  const char *summary;
  const char *done;
} ControlCommand;

/* Runs one method of carguardd; question (may be NULL) is --question, which joins the
 * DEVICE into the question reference AllowOnce takes. */
static int
control_call (CliGlobals *globals, int argc, char **argv, const ControlCommand *command,
              const GOptionEntry *entries, const gint *question)
{
  g_autoptr (GOptionContext) context
      = cli_live_option_context_new (command->parameter_string, command->summary, entries);
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *argument = NULL;
  gboolean takes_device = command->parameter_string != NULL;
  int n_args = takes_device ? 2 : 1;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (cli_refuse_root (globals) != CLI_EXIT_OK)
    return CLI_EXIT_USAGE;
  if (argc < n_args)
    return cli_usage_error (g_get_prgname (), "a DEVICE is missing");
  if (argc > n_args)
    return cli_usage_error (g_get_prgname (), "unexpected argument '%s'", argv[n_args]);
  if (question != NULL && *question < 0)
    return cli_usage_error (g_get_prgname (), "--question takes a question's id");
  if (takes_device)
    argument = question != NULL && *question > 0
                   ? cg_dbus_question_ref_format (argv[1], (guint32)*question)
                   : g_strdup (argv[1]);
  daemon = cli_client_connect (G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error);
  if (daemon == NULL || !command->method (daemon, argument, &error)) {
    cli_client_explain_error (&error);
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  if (takes_device)
    printf ("%s %s\n", command->done, argument);
  else
    printf ("%s\n", command->done);
  return CLI_EXIT_OK;
}

int
cmd_allow_once (CliGlobals *globals, int argc, char **argv)
{
  static const ControlCommand command = {
    call_allow_once,
    "DEVICE[#QUESTION]",
    "Answers carguardd's question QUESTION about DEVICE with allow, this once: the "
    "question a person saw, as 'carguard devices' lists it (usb/1-1#7). Only where the "
    "policy says ask; a question that is no longer open (the device was plugged in "
    "again, blocked, or is gone) is not answered.",
    "Allowed this once:",
  };
  gint question = 0;
  const GOptionEntry entries[] = {
    { "question", 'q', 0, G_OPTION_ARG_INT, &question,
      "The question's id, instead of writing DEVICE#QUESTION", "ID" },
    { NULL },
  };

  return control_call (globals, argc, argv, &command, entries, &question);
}

int
cmd_revoke (CliGlobals *globals, int argc, char **argv)
{
  static const ControlCommand command = {
    call_revoke,
    "DEVICE",
    "Withdraws what was approved for DEVICE (an id from 'carguard devices', or a "
    "Bluetooth address): carguardd forgets the approval and removes the bond, so the "
    "device is asked about again when it next pairs.",
    "Revoked:",
  };

  return control_call (globals, argc, argv, &command, NULL, NULL);
}

int
cmd_block (CliGlobals *globals, int argc, char **argv)
{
  static const ControlCommand command = {
    call_block,
    "DEVICE",
    "Blocks DEVICE (an id from 'carguard devices', or a Bluetooth address) in "
    "/etc/carguard/vendors.d/local-blocked.conf and reloads the policy.",
    "Blocked:",
  };

  return control_call (globals, argc, argv, &command, NULL, NULL);
}

int
cmd_reload (CliGlobals *globals, int argc, char **argv)
{
  static const ControlCommand command = {
    call_reload,
    NULL,
    "Makes carguardd read the policy again; a broken policy is refused and the last good "
    "one stays.",
    "Policy reloaded.",
  };

  return control_call (globals, argc, argv, &command, NULL, NULL);
}
