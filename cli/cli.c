/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <stdio.h>

void
cli_globals_clear (CliGlobals *globals)
{
  g_clear_pointer (&globals->root, g_free);
}

GOptionContext *
cli_option_context_new (CliGlobals *globals, const char *parameter_string, const char *summary,
                        const GOptionEntry *entries)
{
  const GOptionEntry global_entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &globals->root,
      "Read and write the policy below DIR instead of /", "DIR" },
    { NULL },
  };
  GOptionContext *context = g_option_context_new (parameter_string);

  g_option_context_add_main_entries (context, global_entries, NULL);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, summary);
  return context;
}

GOptionContext *
cli_live_option_context_new (const char *parameter_string, const char *summary,
                             const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter_string);

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, summary);
  return context;
}

gboolean
cli_option_context_parse (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  cli_usage_error (g_get_prgname (), "%s", error->message);
  return FALSE;
}

int
cli_usage_error (const char *command, const char *fmt, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  fprintf (stderr, "%s: %s\nTry '%s --help' for more information.\n", command, message, command);
  return CLI_EXIT_USAGE;
}

int
cli_refuse_root (const CliGlobals *globals)
{
  if (globals->root == NULL)
    return CLI_EXIT_OK;
  return cli_usage_error (g_get_prgname (),
                          "--root is for the policy files; this command asks the running "
                          "carguardd, which reads its own");
}

gboolean
cli_live_parse_no_args (const CliGlobals *globals, GOptionContext *context, int *argc, char ***argv)
{
  if (!cli_option_context_parse (context, argc, argv))
    return FALSE;
  if (cli_refuse_root (globals) != CLI_EXIT_OK)
    return FALSE;
  if (*argc > 1) {
    cli_usage_error (g_get_prgname (), "unexpected argument '%s'", (*argv)[1]);
    return FALSE;
  }
  return TRUE;
}

char *
cli_commands_describe (const CliCommand *commands)
{
  GString *text = g_string_new ("Commands:");

  for (const CliCommand *c = commands; c->name != NULL; c++)
    g_string_append_printf (text, "\n  %-11s %s", c->name, c->summary);
  return g_string_free (text, FALSE);
}

int
cli_commands_dispatch (const CliCommand *commands, const char *family, CliGlobals *globals,
                       int argc, char **argv)
{
  g_autofree char *prgname = NULL;

  if (argc < 1)
    return cli_usage_error (family, "a command is missing");
  for (const CliCommand *c = commands; c->name != NULL; c++) {
    if (!g_str_equal (c->name, argv[0]))
      continue;
    /* GOptionContext names the program in --help and errors: "carguard policy add". */
    prgname = g_strdup_printf ("%s %s", family, c->name);
    g_set_prgname (prgname);
    return c->run (globals, argc, argv);
  }
  return cli_usage_error (family, "unknown command '%s'", argv[0]);
}
