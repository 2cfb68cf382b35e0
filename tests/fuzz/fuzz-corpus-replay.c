/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs every file of the given corpus directories through the fuzz target once, so
 * ordinary builds keep the seeds (and every crash once found) as regression tests. */
#include <glib.h>
#include <stdio.h>

#include "fuzz-support.h"

static int
replay_dir (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  const char *name;
  int n = 0;

  if (dir == NULL) {
    g_printerr ("%s\n", error->message);
    return -1;
  }
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *file = g_build_filename (path, name, NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;

    if (!g_file_get_contents (file, &contents, &len, &error)) {
      g_printerr ("%s\n", error->message);
      return -1;
    }
    LLVMFuzzerTestOneInput ((const guint8 *)contents, len);
    n++;
  }
  return n;
}

int
main (int argc, char **argv)
{
  int total = 0;

  for (int i = 1; i < argc; i++) {
    int n = replay_dir (argv[i]);
    if (n < 0)
      return 1;
    total += n;
  }
  printf ("replayed %d inputs\n", total);
  return total > 0 ? 0 : 1;
}
