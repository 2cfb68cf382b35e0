/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "cg-dbus-names.h"

G_BEGIN_DECLS

/* A device record of org.carguard.Daemon1 (ListDevices, the Decision signal) as a struct:
 * the daemon encodes it, the CLI and the notifier decode it. The strings are borrowed:
 * from the daemon's registry when it encodes (a record filled by hand needs no clear),
 * from the variant when decoded (the record keeps a reference to it until cleared).
 * Encoding leaves a NULL string out (USBID of a device without one); decoding reads a
 * missing key as "". */
/* The question a person is asked about a device while an `ask` is open. */
typedef struct {
  guint32 id; /* 0: no question is open (the record carries none) */
  const char *asks;
  const char *kind;
  const char *grants;
  const char *warning;
  gboolean has_passkey;
  guint32 passkey;
  guint32 seconds_left;
} CgDbusQuestion;

typedef struct {
  const char *id;             /* "TRANSPORT/DEVICE" */
  const char *transport;      /* "bluetooth" or "usb" */
  const char *device;         /* the Bluetooth address or the USB sysfs name */
  const char *name;           /* as the device gave it, sanitised */
  const char *usb_id;         /* "1d6b:0104", or NULL/"" when unknown */
  const char *vendor;         /* id of the vendor file whose rule decided, or "" */
  const char *vendor_name;    /* that vendor's Name=, or "" */
  const char *decision;       /* "allow" "deny" "ask" "block" "data" "charge-only" */
  const char *rule;           /* "FILE:LINE" or "default" */
  const char *const *allowed; /* NULL-terminated; NULL encodes as empty */
  const char *const *denied;
  gboolean enforced;
  guint32 pending; /* non-zero: an `ask` awaiting a person, the id AllowOnce resolves */
  CgDbusQuestion question;
  /*< private >*/
  GVariant *source;
} CgDbusRecord;

/* A floating a{sv}. */
GVariant *cg_dbus_record_to_variant (const CgDbusRecord *record);

/* variant: an a{sv}; the record takes a reference of its own (sinks a floating one). A key that is
 * missing or of another type reads as "", an empty list, FALSE or 0, so a client keeps working with
 * an older or newer daemon. */
void cg_dbus_record_from_variant (GVariant *variant, CgDbusRecord *record);

void cg_dbus_record_clear (CgDbusRecord *record);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgDbusRecord, cg_dbus_record_clear)

/* What AllowOnce takes: "DEVICE#QUESTION", DEVICE an Id ("usb/1-1") or a bare device,
 * QUESTION the record's Pending id the person saw. */
char *cg_dbus_question_ref_format (const char *device, guint32 question);
/* Splits one; FALSE (and nothing set) unless it holds a device, the separator and a
 * decimal id other than 0. */
gboolean cg_dbus_question_ref_parse (const char *ref, char **device, guint32 *question);

G_END_DECLS
