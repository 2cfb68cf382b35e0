/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A copy of a device-supplied string fit for logs, D-Bus and notifications:
 * valid UTF-8, control characters replaced, at most max_bytes bytes. Never NULL. */
char *cg_sanitize_string (const char *s, gsize max_bytes);

G_END_DECLS
