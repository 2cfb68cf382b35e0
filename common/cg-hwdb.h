/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "cg-facts.h"

G_BEGIN_DECLS

/* Organisation names from the system hwdb, the database udev uses. A missing or
 * unreadable hwdb is not an error: every look-up then returns NULL. */
typedef struct _CgHwdb CgHwdb;

/* path: a hwdb.bin to read, or NULL for the system's. */
CgHwdb *cg_hwdb_new (const char *path);
void cg_hwdb_free (CgHwdb *hwdb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgHwdb, cg_hwdb_free)

/* Whether a database was read: without one every look-up is NULL and Organization=
 * rules match nothing. */
gboolean cg_hwdb_is_loaded (const CgHwdb *hwdb);
/* Where below root ("/" or NULL for the real one) the compiled database the daemon
 * would read is (sd-hwdb's search path), or NULL if there is none. */
char *cg_hwdb_find_database (const char *root);

/* The organisation that registered the IEEE block (MA-L, MA-M or MA-S; the most
 * specific) holding a Bluetooth address ("AA:BB:CC:..."). */
char *cg_hwdb_lookup_oui (CgHwdb *hwdb, const char *bt_address);
/* The company behind a Bluetooth SIG company identifier (Device ID source 1). */
char *cg_hwdb_lookup_bluetooth_company (CgHwdb *hwdb, guint16 company_id);
/* The vendor behind a USB-IF vendor id. */
char *cg_hwdb_lookup_usb_vendor (CgHwdb *hwdb, guint16 vid);

/* The hwdb's text sources (systemd's hwdb(7) format), for what the compiled database
 * cannot answer: which entries name an organisation. Every *.hwdb of dir, or if dir is
 * NULL of /etc/udev/hwdb.d and /usr/lib/udev/hwdb.d below root (a name in /etc replacing
 * the same name in /usr/lib, as systemd-hwdb does), in name order. func gets each
 * property of each match: ("OUI:78D4F14*", "ID_OUI_FROM_DATABASE", "BYD Auto ..."). FALSE
 * with error when there is no source at all. */
typedef void (*CgHwdbEntryFunc) (const char *match, const char *key, const char *value,
                                 gpointer user_data);
gboolean cg_hwdb_foreach_source_entry (const char *root, const char *dir, CgHwdbEntryFunc func,
                                       gpointer user_data, GError **error);

/* Owns the strings that cg_hwdb_fill_organizations puts into a CgFacts, which only
 * borrows; keep it alive as long as the facts are used. */
typedef struct {
  char *bt_organization;
  char *usb_organization;
} CgOrganizations;

void cg_organizations_clear (CgOrganizations *organizations);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgOrganizations, cg_organizations_clear)

/* Sets facts->bt_organization (the OUI's organisation, else the Device ID vendor's
 * name) and facts->usb_organization (the USB VID's vendor, else the Type-C partner
 * VID's) from the other facts; leaves a field NULL when nothing is known. */
void cg_hwdb_fill_organizations (CgHwdb *hwdb, CgFacts *facts, CgOrganizations *storage);

G_END_DECLS
