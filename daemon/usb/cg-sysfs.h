/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The kernel's sysfs and configfs under a root prefix: "/" on a real system, a
 * directory holding a fake tree in unit tests (for what the lab cannot host, such as
 * Type-C partner identities). Every read is bounded: attribute contents can come from
 * a device (USB strings, descriptors) and are hostile. */
typedef struct _CgSysfs CgSysfs;

/* The largest text attribute read; a USB string descriptor holds at most 126 characters. */
#define CG_SYSFS_ATTR_MAX 4096

CgSysfs *cg_sysfs_new (const char *root);
void cg_sysfs_free (CgSysfs *sysfs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgSysfs, cg_sysfs_free)

const char *cg_sysfs_get_root (const CgSysfs *sysfs);
/* path is absolute on the real system ("/sys/class/udc"); returns it under the root. */
char *cg_sysfs_resolve (const CgSysfs *sysfs, const char *path);

/* At most max_bytes of the attribute, with one trailing newline removed. The text is
 * NUL-free (cut at the first NUL) but otherwise as the kernel or the device wrote it. */
char *cg_sysfs_read_text (const CgSysfs *sysfs, const char *path, gsize max_bytes, GError **error);
/* At most max_bytes of a binary attribute (USB `descriptors`). */
GBytes *cg_sysfs_read_bytes (const CgSysfs *sysfs, const char *path, gsize max_bytes,
                             GError **error);
/* One write(2) of value plus a newline, as `echo value > path` does (O_TRUNC too, so
 * a fake tree in a test reads back what was written). */
gboolean cg_sysfs_write_text (const CgSysfs *sysfs, const char *path, const char *value,
                              GError **error);
/* Parses "1d6b", "0x1d6b" or "0x00001d6b\n"-style hexadecimal attributes. */
gboolean cg_sysfs_read_hex (const CgSysfs *sysfs, const char *path, guint64 max_value, guint64 *out,
                            GError **error);

gboolean cg_sysfs_exists (const CgSysfs *sysfs, const char *path);
/* Names in a directory, sorted, without "." entries; an empty array if it is missing. */
GPtrArray *cg_sysfs_list (const CgSysfs *sysfs, const char *path);

G_END_DECLS
