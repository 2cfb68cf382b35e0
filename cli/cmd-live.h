/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "cli-client.h"
#include "cli.h"

G_BEGIN_DECLS

/* Commands that talk to a running carguardd. */
int cmd_devices (CliGlobals *globals, int argc, char **argv);
int cmd_monitor (CliGlobals *globals, int argc, char **argv);
int cmd_allow_once (CliGlobals *globals, int argc, char **argv);
int cmd_revoke (CliGlobals *globals, int argc, char **argv);
int cmd_block (CliGlobals *globals, int argc, char **argv);
int cmd_reload (CliGlobals *globals, int argc, char **argv);
int cmd_status (CliGlobals *globals, int argc, char **argv);

/* Whether the files on disk are what carguardd enforces. */
typedef enum {
  CLI_DISK_ENFORCED, /* the same hash */
  CLI_DISK_DIFFERS,  /* they load, but are not what the daemon read */
  CLI_DISK_BROKEN,   /* they do not load: the daemon keeps its policy */
} CliDiskState;

/* carguardd's Status, and the files on disk below its root beside it. */
typedef struct {
  GVariant *status; /* a{sv}, the keys CG_DBUS_STATUS_* */
  CliDiskState disk_state;
  char *disk_hash;          /* NULL when broken */
  GPtrArray *disk_problems; /* CgDiagnostic: what loading the files said */
} CliLiveStatus;

void cli_live_status_clear (CliLiveStatus *status);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliLiveStatus, cli_live_status_clear)

gboolean cli_live_status_get (CgGenDaemon1 *daemon, CliLiveStatus *live, GError **error);
/* Says which policy a live answer comes from, and what of the files on disk: an
 * explanation from the daemon stands even when they are broken. */
void cli_live_policy_note (const CliLiveStatus *live, FILE *out);

G_END_DECLS
