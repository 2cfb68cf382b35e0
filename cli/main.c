/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "cli.h"
#include "cmd-live.h"

static const CliCommand families[] = {
  { "policy", cmd_policy, "Check, show, edit and explain the device policy" },
  { "status", cmd_status, "Say what carguardd enforces now and how its guards are doing" },
  { "devices", cmd_devices, "List the devices carguardd sees now and their decisions" },
  { "monitor", cmd_monitor, "Print carguardd's decisions, and devices that go, as they happen" },
  { "allow-once", cmd_allow_once, "Allow a device the policy asks about, this once" },
  { "revoke", cmd_revoke, "Withdraw a device's approval and remove its bond" },
  { "block", cmd_block, "Block a device from now on (administrators)" },
  { "reload", cmd_reload, "Make carguardd read the policy again (administrators)" },
  { NULL },
};

static const char description[]
    = "carguard keeps car head units away from a phone's or laptop's data: carguardd\n"
      "enforces one policy on Bluetooth pairing and services and on USB data paths,\n"
      "and this tool checks, edits and explains that policy.\n"
      "\n"
      "Exit status: 0 on success, 1 if the policy is invalid or an edit was refused,\n"
      "2 on a usage error.\n"
      "\n"
      "See carguard.conf(5) and carguard-vendors(5) for the policy language.";

int
main (int argc, char **argv)
{
  g_auto (CliGlobals) globals = { NULL };
  gboolean show_version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &show_version, "Print the version and exit", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char *commands = cli_commands_describe (families);

  setlocale (LC_ALL, "");
  g_set_prgname ("carguard");
  context = cli_option_context_new (&globals, "COMMAND [ARGS…]", commands, entries);
  g_option_context_set_description (context, description);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (show_version) {
    printf ("carguard %s\n", PACKAGE_VERSION);
    return CLI_EXIT_OK;
  }
  return cli_commands_dispatch (families, "carguard", &globals, argc - 1, argv + 1);
}
