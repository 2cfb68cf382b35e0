/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmd-policy.h"

#include <stdio.h>

#include "cg-hwdb.h"
#include "cg-policy.h"
#include "cg-sanitize.h"
#include "cli-output.h"

static const CliCommand policy_commands[] = {
  { "check", cmd_policy_check, "Check the policy, or files about to be installed" },
  { "list", cmd_policy_list, "List the vendors and what they are granted" },
  { "show", cmd_policy_show, "Show one vendor: file, grant, match keys, devices" },
  { "add", cmd_policy_add, "Add a vendor" },
  { "set", cmd_policy_set, "Set keys of a vendor" },
  { "unset", cmd_policy_unset, "Remove keys of a vendor" },
  { "remove", cmd_policy_remove, "Remove (or mask) a vendor" },
  { "import", cmd_policy_import, "Fill a vendor's identifiers from the hwdb or a file" },
  { "default", cmd_policy_default, "Edit the defaults in carguard.conf" },
  { "explain", cmd_policy_explain, "Explain what a device would get, and why" },
  { "report", cmd_policy_report, "Audit who may get each profile and USB data" },
  { "diff", cmd_policy_diff, "Show what a policy tree or file would change, as a diff" },
  { NULL },
};

static const char check_description[]
    = "With --strict, the traps of a valid policy are warned about: a '#' inside a value\n"
      "(comments start a line: the words after it are list items), a vendor that matches\n"
      "nothing, a vendor matched only by names its devices choose, and Organization=\n"
      "rules where the machine has no hwdb to look organisations up in.";

static const char policy_description[]
    = "The policy is read from /usr/lib/carguard (shipped), /etc/carguard (the admin's)\n"
      "and /run/carguard, carguard.conf and vendors.d/*.conf in each; a file in a later\n"
      "directory replaces the one of the same name in an earlier one. Edits are written\n"
      "to /etc/carguard. Run 'carguard policy COMMAND --help' for a command's options.";

int
cmd_policy (CliGlobals *globals, int argc, char **argv)
{
  g_autofree char *commands = cli_commands_describe (policy_commands);
  g_autoptr (GOptionContext) context
      = cli_option_context_new (globals, "COMMAND [ARGS…]", commands, NULL);

  g_set_prgname ("carguard policy");
  g_option_context_set_description (context, policy_description);
  g_option_context_set_strict_posix (context, TRUE);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  return cli_commands_dispatch (policy_commands, "carguard policy", globals, argc - 1, argv + 1);
}

CgPolicy *
cmd_policy_load (const CliGlobals *globals, const char *const *extra_files)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  CgPolicy *policy = cg_policy_load (globals->root, extra_files, diagnostics, &error);

  /* Warnings are `policy check`'s to print; other commands speak of errors only. */
  if (policy == NULL)
    cli_print_problems (diagnostics, error);
  return policy;
}

/* What the pre-deploy gate loads with: no files at all is a mistyped root, and a rule
 * that needs the hwdb is a trap where there is none. */
static CgPolicyLoadFlags
check_flags (const CliGlobals *globals, gboolean strict)
{
  g_autofree char *hwdb = cg_hwdb_find_database (globals->root);
  CgPolicyLoadFlags flags = CG_POLICY_LOAD_REQUIRE_FILES;

  if (strict)
    flags |= CG_POLICY_LOAD_STRICT;
  if (hwdb == NULL)
    flags |= CG_POLICY_LOAD_NO_HWDB;
  return flags;
}

int
cmd_policy_check (CliGlobals *globals, int argc, char **argv)
{
  gboolean strict = FALSE;
  const GOptionEntry entries[] = {
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      "Files the loader ignores are errors; warn about the traps of a valid policy", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "[FILE…]",
      "Check the policy. Each FILE is checked as if it were installed in /etc/carguard\n"
      "(carguard.conf as the main file, any other name as a vendor file), together with\n"
      "the rest of the policy. Every problem is printed as FILE:LINE:COL: error: MESSAGE;\n"
      "files the loader would not read are warnings (errors with --strict). The exit\n"
      "status is 0 if the policy is valid, 1 if not, or if there is no policy at all.",
      entries);
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  CgPolicyLoadOptions options = { 0 };

  g_option_context_set_description (context, check_description);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  options.root = globals->root;
  options.extra_files = argc > 1 ? (const char *const *)argv + 1 : NULL;
  options.flags = check_flags (globals, strict);
  policy = cg_policy_load_with (&options, diagnostics, &error);
  cli_print_problems (diagnostics, policy == NULL ? error : NULL);
  return policy != NULL ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
}

static void
add_vendor_members (JsonBuilder *builder, const CgVendor *vendor)
{
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, cg_vendor_get_id (vendor));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, cg_vendor_get_name (vendor));
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, cg_vendor_get_file (vendor));
  json_builder_set_member_name (builder, "grant");
  json_builder_add_value (builder, cli_grant_to_json (cg_vendor_get_grant (vendor)));
}

static void
print_vendor_list_json (const CgPolicy *policy)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < cg_policy_get_n_vendors (policy); i++) {
    json_builder_begin_object (builder);
    add_vendor_members (builder, cg_policy_get_vendor (policy, i));
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  cli_print_json (root);
}

static void
print_vendor_list_text (const CgPolicy *policy)
{
  for (guint i = 0; i < cg_policy_get_n_vendors (policy); i++) {
    const CgVendor *vendor = cg_policy_get_vendor (policy, i);
    g_autofree char *grant = cli_grant_describe (cg_vendor_get_grant (vendor));
    g_autofree char *name = cg_sanitize_string (cg_vendor_get_name (vendor), 256);

    printf ("%-16s %-24s %s\n  %s\n", cg_vendor_get_id (vendor), name, grant,
            cg_vendor_get_file (vendor));
  }
}

int
cmd_policy_list (CliGlobals *globals, int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print a JSON array", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "", "List the vendors, sorted by id, with their file and what they are granted.",
      entries);
  g_autoptr (CgPolicy) policy = NULL;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 1)
    return cli_usage_error (g_get_prgname (), "unexpected argument '%s'", argv[1]);
  policy = cmd_policy_load (globals, NULL);
  if (policy == NULL)
    return CLI_EXIT_REFUSED;
  if (json)
    print_vendor_list_json (policy);
  else
    print_vendor_list_text (policy);
  return CLI_EXIT_OK;
}
