/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli-diff.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

static char *
write_side (const char *dir, const char *name, const CliDiffSide *side, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (!g_file_set_contents (path, side->text != NULL ? side->text : "",
                            side->text != NULL ? (gssize)side->len : 0, error))
    return NULL;
  return g_steal_pointer (&path);
}

gboolean
cli_diff_print (const CliDiffSide *from, const CliDiffSide *to, gboolean *differ, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *from_path = NULL;
  g_autofree char *to_path = NULL;
  int status = 0;
  gboolean ok = FALSE;

  *differ
      = from->len != to->len || (from->len > 0 && memcmp (from->text, to->text, from->len) != 0);
  if (!*differ)
    return TRUE;
  dir = g_dir_make_tmp ("carguard-diff-XXXXXX", error);
  if (dir == NULL)
    return FALSE;
  from_path = write_side (dir, "from", from, error);
  to_path = from_path != NULL ? write_side (dir, "to", to, error) : NULL;
  if (to_path != NULL) {
    const char *argv[]
        = { "diff", "-u", "--label", from->label, "--label", to->label, from_path, to_path, NULL };
    fflush (stdout);
    ok = g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                       &status, error);
    /* diff exits 1 when the files differ, which is what was asked. */
    if (ok && !(WIFEXITED (status) && WEXITSTATUS (status) <= 1)) {
      g_set_error (error, G_SPAWN_EXIT_ERROR, status, "diff failed");
      ok = FALSE;
    }
  }
  if (from_path != NULL)
    g_unlink (from_path);
  if (to_path != NULL)
    g_unlink (to_path);
  g_rmdir (dir);
  return ok;
}
