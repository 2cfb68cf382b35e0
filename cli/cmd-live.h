/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cli.h"

G_BEGIN_DECLS

/* Commands that talk to a running carguardd. */
int cmd_devices (CliGlobals *globals, int argc, char **argv);
int cmd_monitor (CliGlobals *globals, int argc, char **argv);
int cmd_allow_once (CliGlobals *globals, int argc, char **argv);
int cmd_revoke (CliGlobals *globals, int argc, char **argv);
int cmd_block (CliGlobals *globals, int argc, char **argv);
int cmd_reload (CliGlobals *globals, int argc, char **argv);

G_END_DECLS
