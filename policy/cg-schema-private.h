/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cg-document.h"
#include "cg-facts.h"
#include "cg-grant.h"
#include "cg-policy.h"

G_BEGIN_DECLS

/* Device strings and globs longer than this are cut before matching: no real
 * Bluetooth name (248 bytes) or USB string descriptor comes close. */
#define CG_MATCH_TEXT_MAX 1024

/* What a [Match] or [Device] identifier identifies; decides its index and level. */
typedef enum {
  CG_MATCH_BT_ADDRESS,
  CG_MATCH_USB_SERIAL,
  CG_MATCH_DEVICE_ID_PRODUCT,
  CG_MATCH_USB_PRODUCT,
  CG_MATCH_BT_OUI,
  CG_MATCH_DEVICE_ID_VENDOR,
  CG_MATCH_USB_VENDOR,
  CG_MATCH_TYPEC_VENDOR,
  CG_MATCH_BT_NAME,
  CG_MATCH_USB_MANUFACTURER,
  CG_MATCH_USB_PRODUCT_NAME,
  CG_MATCH_ORGANIZATION,
  CG_MATCH_BT_CLASS,
  CG_MATCH_USB_INTERFACE,
  CG_MATCH_DEVICE_ID, /* a key's kind before the value says vendor or product */
  CG_MATCH_USB_ID,
} CgMatchKind;

typedef enum {
  CG_VALUE_TEXT,
  CG_VALUE_CHOICE,     /* one word of CgSchemaKey.choices */
  CG_VALUE_ENTRY_NAME, /* a directory entry's name: cg_entry_name_is_safe */
  CG_VALUE_PRESET,
  CG_VALUE_PAIRING,
  CG_VALUE_PROFILES,
  CG_VALUE_USB_MODE,
  CG_VALUE_USB_INTERFACES,
  CG_VALUE_USB_WHILE_LOCKED,
  CG_VALUE_MATCH_LIST,
  CG_VALUE_MATCH_ONE,
} CgValueType;

typedef struct {
  const char *section;
  const char *key;
  CgValueType type;
  CgMatchKind match;
  const char *choices; /* CG_VALUE_CHOICE: the words, space-separated */
} CgSchemaKey;

/* The grant keys of a section as written; resolved against a base grant later,
 * because a section without Preset= starts from the grant it refines. */
typedef enum {
  CG_GRANT_SPEC_PRESET = 1 << 0,
  CG_GRANT_SPEC_PAIRING = 1 << 1,
  CG_GRANT_SPEC_PROFILES = 1 << 2,
  CG_GRANT_SPEC_USB_MODE = 1 << 3,
  CG_GRANT_SPEC_USB_INTERFACES = 1 << 4,
  CG_GRANT_SPEC_USB_WHILE_LOCKED = 1 << 5,
} CgGrantSpecField;

typedef struct {
  guint set;     /* CgGrantSpecField */
  guint line[6]; /* where each field was set, by bit index of CgGrantSpecField */
  CgPreset preset;
  CgPairing pairing;
  CgProfileSet profiles;
  gboolean all_uuids;
  GPtrArray *extra_uuids; /* char *, normalised */
  CgUsbMode usb_mode;
  guint32 usb_interfaces[8];
  CgUsbWhileLocked usb_while_locked;
} CgGrantSpec;

typedef struct {
  CgMatchKind kind;
  guint64 id; /* packed identifier for the hash index; kind in the top byte */
  char *text; /* globs and serials */
  guint32 bt_class;
  guint8 iface[3];
  guint8 n_iface_parts;
} CgMatchItem;

/* One item of a list value, unquoted, with its byte offset in the value. */
typedef struct {
  char *text;
  gsize offset;
} CgListItem;

/* Where a value was written, for diagnostics. */
typedef struct {
  const char *file;
  guint line;
  guint col; /* 1-based column of the value's first byte */
  GPtrArray *diagnostics;
} CgValueSite;

void cg_value_site_report (const CgValueSite *site, gsize offset, const char *fmt, ...)
    G_GNUC_PRINTF (3, 4);

gboolean cg_schema_section_known (gboolean main_file, const char *section);
/* The key's schema entry, or NULL if section has no such key. */
const CgSchemaKey *cg_schema_lookup (gboolean main_file, const char *section, const char *key);

/* Splits a list value; NULL (with a diagnostic) on an unterminated quote or bad escape.
 * The array clears its items. */
GArray *cg_schema_split_list (const char *value, const CgValueSite *site);
/* One list item written so that cg_schema_split_list reads it back byte for byte: in
 * double quotes, with a backslash before each " and backslash, and every byte that is
 * not printable UTF-8 (a control character, invalid UTF-8) as \xHH. */
char *cg_schema_quote_item (const char *text);
/* Whether text holds a byte cg_schema_quote_item writes as \xHH. */
gboolean cg_schema_item_needs_escape (const char *text);

/* Parses one list item for a match key of kind; returns an error message, or NULL and
 * fills out (whose kind may be refined: DeviceID -> vendor or product). */
char *cg_match_item_parse (CgMatchKind kind, const char *item, CgMatchItem *out);
void cg_match_item_clear (CgMatchItem *item);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgMatchItem, cg_match_item_clear)
CgLevel cg_match_kind_level (CgMatchKind kind);
/* The [Match] or [Device] key a kind is written with (the schema's own name). */
const char *cg_match_kind_key (CgMatchKind kind);
gboolean cg_match_kind_is_bluetooth (CgMatchKind kind);

void cg_grant_spec_init (CgGrantSpec *spec);
void cg_grant_spec_clear (CgGrantSpec *spec);
/* Parses one grant key into spec; FALSE with diagnostics on a bad value. */
gboolean cg_grant_spec_set (CgGrantSpec *spec, const CgSchemaKey *key, const char *value,
                            const CgValueSite *site);
void cg_grant_spec_resolve (const CgGrantSpec *spec, const CgGrant *base, CgGrant *out);
/* Reports (errors in file) the keys of one section that contradict each other: what
 * Preset=block forbids, USBInterfaces= where the section's USB mode is charge-only. */
void cg_grant_spec_check (const CgGrantSpec *spec, const char *file, GPtrArray *diagnostics);

/* One item of a match key's value, split and parsed. */
typedef struct {
  CgListItem list;
  CgMatchItem item;
} CgParsedMatch;

/* Splits and parses a match key's value once: CgParsedMatch items (the array clears
 * them), or NULL with a diagnostic for each item that is invalid. */
GArray *cg_schema_parse_matches (const CgSchemaKey *key, const char *value,
                                 const CgValueSite *site);

/* Validates a whole value for key (any type); FALSE with diagnostics. */
gboolean cg_schema_validate (const CgSchemaKey *key, const char *value, const CgValueSite *site);

G_END_DECLS

G_BEGIN_DECLS
/* USB interface class names of FORMAT.md ("audio" = 0x01, ...). */
gboolean cg_usb_class_from_name (const char *name, guint8 *out);
const char *cg_usb_class_to_name (guint8 usb_class);
/* An OUI prefix of bits (24, 28 or 36) bits as the policy index keys it: the size
 * beside the prefix, so the three sizes never collide. */
guint64 cg_oui_pack (guint bits, guint64 prefix);
/* Exactly n hex digits, then end of string or stop; FALSE otherwise. */
gboolean cg_parse_hex_exact (const char *s, gsize n, guint32 *out);
G_END_DECLS
