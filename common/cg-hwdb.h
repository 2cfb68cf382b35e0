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

/* The organisation that registered the IEEE block (MA-L, MA-M or MA-S; the most
 * specific) holding a Bluetooth address ("AA:BB:CC:..."). */
char *cg_hwdb_lookup_oui (CgHwdb *hwdb, const char *bt_address);
/* The company behind a Bluetooth SIG company identifier (Device ID source 1). */
char *cg_hwdb_lookup_bluetooth_company (CgHwdb *hwdb, guint16 company_id);
/* The vendor behind a USB-IF vendor id. */
char *cg_hwdb_lookup_usb_vendor (CgHwdb *hwdb, guint16 vid);

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
