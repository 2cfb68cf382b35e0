/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cli.h"

#include "cg-policy-edit.h"
#include "cg-policy.h"

G_BEGIN_DECLS

/* Loads the installed policy (plus extra_files, as cg_policy_load); prints the
 * problems and returns NULL if it is invalid. */
CgPolicy *cmd_policy_load (const CliGlobals *globals, const char *const *extra_files);

/* The end of every edit: a failure printed (diagnostics, else the error) with the exit
 * code it calls for; or the whole policy checked with the edit in place, then written,
 * or with dry_run printed as a diff. */
int cmd_policy_edit_failed (GPtrArray *diagnostics, const GError *error);
int cmd_policy_edit_finish (CgPolicyEdit *edit, gboolean dry_run, GPtrArray *diagnostics);

int cmd_policy_check (CliGlobals *globals, int argc, char **argv);
int cmd_policy_list (CliGlobals *globals, int argc, char **argv);
int cmd_policy_show (CliGlobals *globals, int argc, char **argv);
int cmd_policy_add (CliGlobals *globals, int argc, char **argv);
int cmd_policy_set (CliGlobals *globals, int argc, char **argv);
int cmd_policy_unset (CliGlobals *globals, int argc, char **argv);
int cmd_policy_remove (CliGlobals *globals, int argc, char **argv);
int cmd_policy_default (CliGlobals *globals, int argc, char **argv);
int cmd_policy_explain (CliGlobals *globals, int argc, char **argv);
int cmd_policy_import (CliGlobals *globals, int argc, char **argv);
int cmd_policy_diff (CliGlobals *globals, int argc, char **argv);
int cmd_policy_report (CliGlobals *globals, int argc, char **argv);

G_END_DECLS
