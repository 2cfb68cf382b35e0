/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cg-glob-index.h"
#include "cg-policy.h"
#include "cg-schema-private.h"

G_BEGIN_DECLS

/* One identifier of a [Match] or [Device] section as written. */
typedef struct {
  CgMatchItem item;
  const char *key; /* schema key name, static */
  char *value;     /* the item as written */
  guint line;
  guint col;
  gint device; /* index into CgPolicyFile.devices, or -1 for [Match] */
} CgPolicyMatch;

typedef struct {
  CgGrantSpec spec;
  guint line;
} CgPolicyDevice;

/* One policy file, checked and compiled on its own (so files can be compiled in
 * parallel); merged into a CgPolicy in load order afterwards. */
typedef struct {
  char *path;
  char *digest; /* SHA-256 of the text, hex */
  CgPolicyLoadFlags flags;
  gboolean main_file;
  gboolean masked; /* empty: masks the vendor */
  char *vendor_id;
  GPtrArray *diagnostics;
  /* carguard.conf */
  CgGrantSpec default_spec, car_spec, vendor_spec;
  guint default_line, car_line, vendor_line; /* 0 = section absent */
  GHashTable *settings;                      /* "Section.Key" -> value of the daemon's sections */
  GHashTable *setting_sections;              /* the daemon's sections seen, to refuse repeats */
  /* vendor files */
  char *name;
  CgGrantSpec policy_spec;
  guint policy_line;
  GArray *matches; /* CgPolicyMatch */
  GArray *devices; /* CgPolicyDevice */
} CgPolicyFile;

/* Checks and compiles one file's text. role_name decides main/vendor as for
 * cg_policy_load's extra_files; path is what diagnostics and rules show. flags: the
 * load's (STRICT adds the warnings about traps). */
CgPolicyFile *cg_policy_file_compile (const char *path, const char *role_name, const char *text,
                                      gsize len, CgPolicyLoadFlags flags);
void cg_policy_file_free (CgPolicyFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgPolicyFile, cg_policy_file_free)

/* "foo.conf" -> "foo"; NULL if the name is not a valid vendor id. */
char *cg_policy_vendor_id_from_name (const char *basename);

/* Builds the policy from compiled files in load order (main file first); NULL with
 * every diagnostic appended on any error. found: what the load itself noticed (files
 * ignored), or NULL. Takes ownership of files and found. */
CgPolicy *cg_policy_build (GPtrArray *files, GPtrArray *found, GPtrArray *diagnostics,
                           GError **error);

/* A rule on text or a class (globs, serials, Class, USBInterfaceClass): few in any
 * policy, so each keeps its parsed item. */
typedef struct {
  CgRule rule;
  const CgGrant *grant;
  CgMatchItem item;
  guint col;
} CgRuleEntry;

/* A rule on one exact identifier (an address, OUI, Device ID, USB or Type-C id): nearly
 * every rule of a fleet's policy. 32 bytes each, kept sorted by id, which is the index
 * itself; cg_policy_exact_rule() gives the CgRule it stands for. */
typedef struct {
  guint64 id;     /* packed identifier; kind in the top byte */
  guint32 vendor; /* position in CgPolicy.vendors_loaded */
  guint32 line;
  guint32 col;
  guint32 value;  /* offset of the value as written in CgPolicy.exact_values */
  guint32 device; /* 0: the vendor's grant; d + 1: the grant of its [Device] d */
} CgExactRule;

/* A rule that matched, as a decision takes it. */
typedef struct {
  CgRule rule;
  const CgGrant *grant;
  guint col;
} CgRuleRef;

struct _CgVendor {
  char *id;
  char *name;
  char *file;
  guint policy_line; /* of [Policy], 0 without one: the vendor has [Default]'s grant */
  CgGrant grant;
  GPtrArray *device_grants; /* CgGrant *, owned */
};

/* The text kinds matched by glob: Name, USBManufacturer, USBProduct, Organization. */
#define CG_GLOB_KINDS 4
G_STATIC_ASSERT (CG_MATCH_ORGANIZATION - CG_MATCH_BT_NAME + 1 == CG_GLOB_KINDS);

static inline gboolean
cg_match_kind_is_glob (CgMatchKind kind)
{
  return kind >= CG_MATCH_BT_NAME && kind <= CG_MATCH_ORGANIZATION;
}

static inline guint
cg_glob_kind_slot (CgMatchKind kind)
{
  return (guint)(kind - CG_MATCH_BT_NAME);
}

struct _CgPolicy {
  gint ref_count;
  GPtrArray *vendors; /* CgVendor *, sorted by id */
  GHashTable *vendor_by_id;
  GHashTable *settings; /* from the main file: "Section.Key" -> value */
  GPtrArray *files;     /* char *, NULL-terminated */
  char *hash;
  CgGrant default_grant;
  CgGrant car_grant;
  CgGrant vendor_grant; /* what a vendor's [Policy] starts from: [VendorDefault] */
  CgRuleEntry default_rule;
  CgRuleEntry car_rule;
  GPtrArray *vendors_loaded; /* CgVendor *, not owned, in load order */
  CgExactRule *exact;        /* sorted by id, one per id */
  guint n_exact;
  char *exact_values;                /* the exact rules' values as written, NUL-separated */
  GHashTable *serials;               /* USB serial -> CgRuleEntry * */
  CgGlobIndex *globs[CG_GLOB_KINDS]; /* CgRuleEntry *, one index per cg_glob_kind_slot() */
  GPtrArray *classes;                /* CgRuleEntry *: Class, USBInterfaceClass */
  CgRuleEntry *entries;              /* the text and class rules, in load order, in one block */
  guint n_entries;
  GStringChunk *values; /* the text and class rules' values as written */
};

/* The exact rule on the packed identifier key, or NULL. */
const CgExactRule *cg_policy_exact_lookup (const CgPolicy *policy, guint64 key);
/* The rule an exact rule stands for, and what it grants. */
void cg_policy_exact_rule (const CgPolicy *policy, const CgExactRule *exact, CgRuleRef *out);
void cg_rule_entry_ref (const CgRuleEntry *entry, CgRuleRef *out);

/* Kinds kept as CgExactRule: every one matched by its packed identifier alone. */
static inline gboolean
cg_match_kind_is_exact (CgMatchKind kind)
{
  return kind != CG_MATCH_USB_SERIAL && !cg_match_kind_is_glob (kind) && kind != CG_MATCH_BT_CLASS
         && kind != CG_MATCH_USB_INTERFACE;
}

G_END_DECLS
