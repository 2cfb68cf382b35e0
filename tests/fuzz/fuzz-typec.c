/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the Type-C class as the phone-role guard reads it, from a fake sysfs
 * tree (the lab has no Type-C port). The input is up to three NUL-separated texts, the
 * identity/id_header of partners port0-partner..port2-partner; the partner's USB PD
 * identity is what the host chose. The reader must agree with the texts: a VID only when
 * every partner that has one has the same, never zero. */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cg-typec.h"
#include "fuzz-support.h"

#define FUZZ_TYPEC_PARTNERS 3

static char *fuzz_root;

static void
remove_tree (void)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fuzz_root);

  if (system (command) != 0)
    g_warning ("could not remove %s", fuzz_root);
}

static char *
partner_dir (guint port)
{
  g_autofree char *name = g_strdup_printf ("port%u-partner", port);

  return g_build_filename (fuzz_root, CG_TYPEC_CLASS_DIR, name, "identity", NULL);
}

/* The tree with port0..port2 and an empty identity directory for each partner. */
static void
make_tree (void)
{
  g_autoptr (GError) error = NULL;

  /* tmpfs when there is one: a disk's journal makes each write ten times slower. */
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    fuzz_root = g_mkdtemp (g_strdup ("/dev/shm/cg-fuzz-typec-XXXXXX"));
  if (fuzz_root == NULL)
    fuzz_root = g_dir_make_tmp ("cg-fuzz-typec-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert (fuzz_root != NULL);
  for (guint port = 0; port < FUZZ_TYPEC_PARTNERS; port++) {
    g_autofree char *name = g_strdup_printf ("port%u", port);
    g_autofree char *dir = g_build_filename (fuzz_root, CG_TYPEC_CLASS_DIR, name, NULL);
    g_autofree char *identity = partner_dir (port);
    g_assert (g_mkdir_with_parents (dir, 0755) == 0);
    g_assert (g_mkdir_with_parents (identity, 0755) == 0);
  }
  atexit (remove_tree);
}

/* Writes text as port's id_header, or removes it (NULL): a partner without PD. Plain
 * syscalls: no fsync for millions of writes, and the file is truncated (GLib's
 * G_FILE_SET_CONTENTS_NONE writes in place without truncating in 2.74). */
static void
write_id_header (guint port, const char *text, gsize len)
{
  g_autofree char *dir = partner_dir (port);
  g_autofree char *path = g_build_filename (dir, "id_header", NULL);
  gssize written;
  int fd;

  if (text == NULL) {
    (void)g_unlink (path);
    return;
  }
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert (fd >= 0);
  written = write (fd, text, len);
  close (fd);
  g_assert (written == (gssize)len);
}

/* What the reader itself reads of the attribute: the first 64 bytes, one trailing newline
 * dropped, blanks stripped, an optional 0x, then hex up to 32 bits. */
static gboolean
expected_vid (const char *text, gsize len, guint16 *vid)
{
  g_autofree char *head = g_strndup (text, MIN (len, 64));
  const char *digits;
  guint64 value;

  g_strstrip (head);
  digits = g_str_has_prefix (head, "0x") || g_str_has_prefix (head, "0X") ? head + 2 : head;
  if (!g_ascii_string_to_unsigned (digits, 16, 0, G_MAXUINT32, &value, NULL))
    return FALSE;
  *vid = (guint16)(value & 0xffff);
  return *vid != 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (CgSysfs) sysfs = NULL;
  const char *text = (const char *)data;
  gsize left = size;
  gboolean any_vid = FALSE, conflict = FALSE;
  guint16 vid = 0;
  CgTypecState state;

  if (fuzz_root == NULL)
    make_tree ();
  sysfs = cg_sysfs_new (fuzz_root);
  for (guint port = 0; port < FUZZ_TYPEC_PARTNERS; port++) {
    const char *nul = text != NULL ? memchr (text, '\0', left) : NULL;
    gsize len = nul != NULL ? (gsize)(nul - text) : left;
    guint16 one;

    write_id_header (port, text, len);
    if (text != NULL && expected_vid (text, len, &one)) {
      conflict = conflict || (any_vid && one != vid);
      any_vid = TRUE;
      vid = one;
    }
    text = nul != NULL ? nul + 1 : NULL;
    left = nul != NULL ? left - len - 1 : 0;
  }
  cg_typec_read_state (sysfs, &state);
  g_assert (state.has_port && state.has_partner);
  g_assert (state.has_vid == (any_vid && !conflict));
  g_assert (!state.has_vid || (state.vid == vid && state.vid != 0));
  return 0;
}
