/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The exit codes every carguard command keeps. */
typedef enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_REFUSED = 1, /* invalid policy, refused edit, failed operation */
  CLI_EXIT_USAGE = 2,
} CliExit;

/* Options that every command accepts, wherever they are written on the command line. */
typedef struct {
  char *root;
} CliGlobals;

void cli_globals_clear (CliGlobals *globals);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliGlobals, cli_globals_clear)

/* argv[0] is the command's own name ("add"), as for main(). */
typedef int (*CliCommandFunc) (CliGlobals *globals, int argc, char **argv);

typedef struct {
  const char *name;
  CliCommandFunc run;
  const char *summary;
} CliCommand;

/* A context with --root, named "carguard[ PREFIX] NAME"; entries may be NULL. */
GOptionContext *cli_option_context_new (CliGlobals *globals, const char *parameter_string,
                                        const char *summary, const GOptionEntry *entries);
/* The same without --root, for the commands that ask the running carguardd: it reads
 * its own policy, and an option it would ignore is better refused. */
GOptionContext *cli_live_option_context_new (const char *parameter_string, const char *summary,
                                             const GOptionEntry *entries);
/* Parses; on a usage error prints it with a hint and returns FALSE. */
gboolean cli_option_context_parse (GOptionContext *context, int *argc, char ***argv);
/* Commands that talk to the running carguardd act on the policy it reads (its own
 * root, normally /): --root would be silently ignored, so it is refused. Returns
 * CLI_EXIT_OK, or prints the usage error and returns CLI_EXIT_USAGE. */
int cli_refuse_root (const CliGlobals *globals);
/* A live command that takes no argument: parses, refuses --root and any argument. FALSE
 * after printing the usage error. */
gboolean cli_live_parse_no_args (const CliGlobals *globals, GOptionContext *context, int *argc,
                                 char ***argv);
/* Prints a usage error for the command at argv[0] and returns CLI_EXIT_USAGE. */
int cli_usage_error (const char *command, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* "Commands:\n  name   summary\n..." for a --help summary. */
char *cli_commands_describe (const CliCommand *commands);
/* Runs the command named argv[0] of commands; usage error if there is none. */
int cli_commands_dispatch (const CliCommand *commands, const char *family, CliGlobals *globals,
                           int argc, char **argv);

/* Command families. */
int cmd_policy (CliGlobals *globals, int argc, char **argv);

G_END_DECLS
