/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "cg-pending.h"

G_BEGIN_DECLS

/* The one place that holds the devices seen now and the decision each got. Guards
 * publish into it; the D-Bus API reads it and relays every publication as a Decision
 * signal. Device-supplied strings are sanitised on the way in. Whether a device awaits
 * a person is not copied here: a record's pending_id is read from CgPending whenever the
 * record is published, looked up or listed. */
#define CG_TYPE_DEVICE_REGISTRY (cg_device_registry_get_type ())
G_DECLARE_FINAL_TYPE (CgDeviceRegistry, cg_device_registry, CG, DEVICE_REGISTRY, GObject)

/* What a guard reports about one device. Strings are borrowed for the call. */
typedef struct {
  const char *transport; /* "bluetooth" or "usb" */
  const char *device;    /* Bluetooth address, or USB sysfs name ("1-1.2") */
  const char *name;      /* as the device gave it (hostile), or NULL */
  gboolean has_usb_id;
  guint16 usb_vid;
  guint16 usb_pid;
  const char *usb_serial;     /* hostile, or NULL */
  const char *vendor;         /* vendor id of the deciding rule, or NULL */
  const char *decision;       /* "allow" "deny" "ask" "block" "data" "charge-only", or an answer
                               * (cg_answer_to_string) */
  const char *rule;           /* "FILE:LINE" or "default" */
  const char *const *allowed; /* profile/interface names granted, or NULL */
  const char *const *denied;  /* refused, or NULL */
  gboolean enforced;
} CgDeviceReport;

/* A device as the registry holds it: sanitised copies, but for the raw serial. */
typedef struct {
  char *id; /* "TRANSPORT/DEVICE" */
  char *transport;
  char *device;
  char *name;
  gboolean has_usb_id;
  guint16 usb_vid;
  guint16 usb_pid;
  char *usb_serial; /* raw, as the device sent it: hostile, for Block only, never shown */
  char *vendor;
  char *decision;
  char *rule;
  GStrv allowed;
  GStrv denied;
  gboolean enforced;
  guint pending_id; /* non-zero: the device's question awaiting a person (CgPending id) */
} CgDeviceRecord;

GType cg_device_record_get_type (void);
CgDeviceRecord *cg_device_record_copy (const CgDeviceRecord *record);
void cg_device_record_free (CgDeviceRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgDeviceRecord, cg_device_record_free)

/* pending (may be NULL) is the table of questions asked about devices. A question asked
 * without a publication of its own (a guard that only calls cg_pending_add) is listed
 * as an `ask` record so AllowOnce can answer it. */
CgDeviceRegistry *cg_device_registry_new (CgPending *pending);

/* Records (or replaces) the device's decision and emits "decision" (the record). */
void cg_device_registry_publish (CgDeviceRegistry *registry, const CgDeviceReport *report);
/* The device is gone. Emits "removed" (the id) if it was known. */
void cg_device_registry_remove (CgDeviceRegistry *registry, const char *transport,
                                const char *device);
/* By Id, or by the bare Device (Bluetooth addresses in any case). NULL if unknown. */
const CgDeviceRecord *cg_device_registry_lookup (CgDeviceRegistry *registry, const char *device);
/* Every record, sorted by Id (const CgDeviceRecord *, owned by the registry). */
GPtrArray *cg_device_registry_list (CgDeviceRegistry *registry);

/* What each guard guards now, as the guard says itself, beside the devices it decides
 * on: `carguard status` lists it. Names: "bluetooth", "usb-host", "usb-gadget". */
typedef struct {
  char *name;
  gboolean running; /* guarding now */
  char *what;       /* on what ("BlueZ's default agent"), or why not */
} CgGuardState;

/* Sets (or replaces) the guard's line. */
void cg_device_registry_report_guard (CgDeviceRegistry *registry, const char *name,
                                      gboolean running, const char *what);
/* Every guard that reported, sorted by name (const CgGuardState *, owned by the registry). */
GPtrArray *cg_device_registry_list_guards (CgDeviceRegistry *registry);

G_END_DECLS
