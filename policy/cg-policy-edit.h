/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-document.h"
#include "cg-store.h"

G_BEGIN_DECLS

/* Where the file being edited lives now. */
typedef enum {
  CG_POLICY_FILE_ABSENT,  /* in no directory */
  CG_POLICY_FILE_MASKED,  /* /etc holds a mask (symlink to /dev/null or empty file) */
  CG_POLICY_FILE_ADMIN,   /* /etc holds it */
  CG_POLICY_FILE_SHIPPED, /* only /usr/lib holds it; the edit becomes an override in /etc */
} CgPolicyFileState;

/* One edit of one policy file, from the lock to the write: the lock is taken before
 * the file is read, so concurrent edits of the same file are applied one after the
 * other and none is lost. */
typedef struct {
  CgStore *store;
  char *root;
  char *name;         /* "byd.conf" or "carguard.conf" */
  char *admin_path;   /* root-relative: "/etc/carguard/vendors.d/byd.conf" */
  char *shipped_path; /* root-relative: "/usr/lib/carguard/vendors.d/byd.conf" */
  char *display_path; /* the admin file as diagnostics name it */
  CgPolicyFileState state;
  CgDocument *doc;     /* the text to edit; NULL when absent or masked */
  char *original;      /* the text read (the admin's file or the shipped one), or NULL */
  char *original_path; /* where it was read from, root-relative */
} CgPolicyEdit;

void cg_policy_edit_clear (CgPolicyEdit *edit);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgPolicyEdit, cg_policy_edit_clear)

/* vendor_id NULL = carguard.conf. Locks, then reads the current text (the admin's
 * file, else a copy of the shipped one, comments included). Syntax errors of that
 * text go to diagnostics. */
gboolean cg_policy_edit_begin (CgPolicyEdit *edit, const char *root, const char *vendor_id,
                               GPtrArray *diagnostics, GError **error);
/* Starts from an empty document (a new vendor, or a main file that does not exist). */
void cg_policy_edit_start_empty (CgPolicyEdit *edit);
/* Checks the whole policy with edit->doc in place of the file; writes only if valid. */
gboolean cg_policy_edit_commit (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error);
/* The same check, writing nothing (--dry-run). */
gboolean cg_policy_edit_check (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error);
/* The same for the removal cg_policy_edit_commit_removal would make. */
gboolean cg_policy_edit_check_removal (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error);
/* Whether removing the vendor masks it (/usr/lib ships it) rather than deleting the
 * admin's file. */
gboolean cg_policy_edit_removal_masks (const CgPolicyEdit *edit);
/* Removes the vendor: deletes the admin file, or masks a shipped vendor. */
gboolean cg_policy_edit_commit_removal (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error);

/* What names one device in a vendor file (policy/FORMAT.md). An address or a serial
 * has a [Device] section of its own; a USB product is an item of the vendor's
 * [Match] USB= list, and the vendor's [Policy] is its grant. */
typedef enum {
  CG_DEVICE_KEY_BT_ADDRESS,  /* [Device] BluetoothAddress= */
  CG_DEVICE_KEY_USB_SERIAL,  /* [Device] USBSerial= */
  CG_DEVICE_KEY_USB_PRODUCT, /* [Match] USB=VID:PID */
} CgDeviceKeyKind;

typedef struct {
  CgDeviceKeyKind kind;
  const char *text; /* the address or the serial */
  guint16 usb_vid;  /* the product */
  guint16 usb_pid;
} CgDeviceKey;

/* The edits below change edit->doc; cg_policy_edit_commit checks and writes it.
 * Entries are compared as the loader reads them: an address in any case, a serial
 * byte for byte once its quotes are read, a VID:PID as a number. */

/* Whether the document names the device; *index (may be NULL) is then the
 * section_index of its [Device], or of the [Match] that lists the product. */
gboolean cg_policy_edit_find_device (const CgPolicyEdit *edit, const CgDeviceKey *key,
                                     guint *index);

/* Names the device unless the document does already (a new [Device] at the end, or
 * the VID:PID at the end of [Match] USB=), then sets grant, pairs of grant key and
 * value ({ "Preset", "block", NULL }), over what the entry had for those keys. A
 * product's grant keys go to the vendor's [Policy], which all its matches share.
 * *index (may be NULL) as for cg_policy_edit_find_device. An address or serial the
 * loader would refuse is refused here, before anything changes. */
gboolean cg_policy_edit_put_device (CgPolicyEdit *edit, const CgDeviceKey *key,
                                    const char *const *grant, guint *index, GError **error);

/* Removes the device's [Device] section, or its VID:PID from [Match] USB= (the key
 * goes with its last item). CG_POLICY_ERROR_NOT_FOUND if the document does not name it. */
gboolean cg_policy_edit_remove_device (CgPolicyEdit *edit, const CgDeviceKey *key, GError **error);

/* ---- lists: the [Match] keys of a vendor file, which may repeat (policy/FORMAT.md) ----
 * value is a list as written after KEY= (items separated by whitespace, quoted where
 * they hold spaces). Items are compared as the loader reads them (an OUI in any case is
 * one OUI). CG_POLICY_ERROR_INVALID when key is no [Match] key or an item is invalid. */

/* New lines of a list stay this short, however many items an import adds. */
#define CG_POLICY_EDIT_LIST_WIDTH 80

/* How many items the list holds now (what the lines after its last reset list). */
guint cg_policy_edit_list_count (const CgPolicyEdit *edit, const char *key);
/* Adds the items the list does not hold yet, on new lines after the key's last line: the
 * lines there are stay byte for byte. *n_added (may be NULL) says how many were new. */
gboolean cg_policy_edit_list_add (CgPolicyEdit *edit, const char *key, const char *value,
                                  guint *n_added, GError **error);
/* Removes every item of value from every line of the key; a line left with no item goes
 * (an empty one would reset the list), the others are untouched.
 * CG_POLICY_ERROR_NOT_FOUND, changing nothing, if the list lacks one of them. */
gboolean cg_policy_edit_list_remove (CgPolicyEdit *edit, const char *key, const char *value,
                                     GError **error);

G_END_DECLS
