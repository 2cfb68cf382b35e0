/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* journald MESSAGE_IDs (128-bit, generated once with `systemd-id128 new`); the catalog
 * and journalctl -o verbose key on them. */
#define CG_MESSAGE_ID_POLICY_LOADED "4b3e0d6f2a8c4f0e9c1d5a7b3f2e8d10"
#define CG_MESSAGE_ID_POLICY_REJECTED "9a6c2e4b1d0f4a83b5e7c9d1f3a5b720"
#define CG_MESSAGE_ID_DECISION "e2c8a4f6b0d24e19a7c3f5b9d1e7a430"
#define CG_MESSAGE_ID_ENFORCED "71d5b9e3c7a14f2d8b6e0a4c2f8d6e51"

/* Installs the log writer: journald's native protocol when stderr is connected to the
 * journal, else one line per entry on stderr with the structured fields appended so a
 * --foreground run shows the same facts. debug enables G_LOG_LEVEL_DEBUG for every log
 * domain; without it G_MESSAGES_DEBUG names the domains that log debug messages
 * ("carguard-usb", "all"), as for any GLib program. */
void cg_log_setup (gboolean debug);

/* One structured entry in the caller's log domain (its GLIB_DOMAIN is the G_LOG_DOMAIN
 * of the part that calls). Field values must already be sanitised (cg_sanitize_string);
 * fields is a NULL-terminated list of KEY, VALUE pairs, e.g.
 *   cg_log_event (G_LOG_LEVEL_INFO, CG_MESSAGE_ID_DECISION, "device=…", "CARGUARD_DEVICE", addr,
 * NULL) */
#define cg_log_event(level, message_id, ...)                                                       \
  cg_log_event_in_domain (G_LOG_DOMAIN, level, message_id, __VA_ARGS__)
void cg_log_event_in_domain (const char *domain, GLogLevelFlags level, const char *message_id,
                             const char *message, ...) G_GNUC_NULL_TERMINATED;

/* One entry with the process's malloc statistics (mallinfo2: bytes in use, held from the
 * system, free and in how many chunks, mmapped) as CARGUARD_MALLOC_* fields: carguardd
 * logs it on SIGUSR1, so a long run can tell a leak (in use grows) from fragmentation
 * (held grows, in use does not) without a debugger. */
void cg_log_memory_statistics (void);

G_END_DECLS
