/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "cg-diagnostic.h"
#include "cg-facts.h"
#include "cg-grant.h"

G_BEGIN_DECLS

/* The directories searched, in order; a file of the same name later replaces an
 * earlier one (systemd drop-in convention). A vendor file that is a symlink to
 * /dev/null, or empty, masks the vendor of that name. */
#define CG_POLICY_DIR_SHIPPED "/usr/lib/carguard"
#define CG_POLICY_DIR_ADMIN "/etc/carguard"
#define CG_POLICY_DIR_RUNTIME "/run/carguard"
#define CG_POLICY_MAIN_FILE "carguard.conf"
#define CG_POLICY_VENDORS_DIR "vendors.d"
/* A policy file is small text; anything bigger is a mistake or an attack. */
#define CG_POLICY_FILE_MAX_SIZE (4 * 1024 * 1024)

/* Precedence, lowest first. Documented in carguard-vendors(5). */
typedef enum {
  CG_LEVEL_DEFAULT,
  CG_LEVEL_CLASS,   /* Class=, USBInterfaceClass= (and the [CarDefault] section) */
  CG_LEVEL_VENDOR,  /* BluetoothOUI=, DeviceID= vendor only, USB= VID only,
                     * TypeCPartnerVID=, Organization=, Name=, USBManufacturer=, USBProduct= */
  CG_LEVEL_PRODUCT, /* DeviceID= vendor+product, USB= VID:PID */
  CG_LEVEL_DEVICE,  /* [Device] BluetoothAddress=, USBSerial= */
} CgLevel;

const char *cg_level_to_string (CgLevel level);

typedef enum {
  CG_TRANSPORT_BLUETOOTH,
  CG_TRANSPORT_USB,
} CgTransport;

typedef struct _CgPolicy CgPolicy;
typedef struct _CgVendor CgVendor;

/* A rule: the place in a file that made a decision. Owned by the CgPolicy. */
typedef struct {
  const CgVendor *vendor; /* NULL for the defaults */
  const char *file; /* path as loaded, relative to the root ("/etc/carguard/vendors.d/byd.conf") */
  guint line;       /* line of the matching key, or of the section for defaults */
  CgLevel level;
  const char *key;   /* "BluetoothOUI", "DeviceID", ..., or "Default", "CarDefault" */
  const char *value; /* the matching value as written ("00:1E:DE") */
} CgRule;

/* One transport's decision. rules[] holds every rule that matched at the winning level
 * (more than one only when different vendors' keys matched the same device at one
 * level; the grant is then the most restrictive of theirs). */
typedef struct {
  CgTransport transport;
  CgGrant grant;
  CgLevel level;
  GPtrArray *rules; /* const CgRule *, not owned */
} CgDecision;

void cg_decision_clear (CgDecision *decision);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgDecision, cg_decision_clear)

/* The one spelling of where a rule is written, for logs, device records and explanations:
 * "FILE:LINE", or "default" for a built-in default no file sets (and for NULL). */
char *cg_rule_format_location (const CgRule *rule);
/* Every rule of the decision, "FILE:LINE, FILE:LINE" in match order, so a log entry names
 * each file a person might have to edit; "default" when there is none. */
char *cg_decision_format_rules (const CgDecision *decision);
/* The vendor ids of the decision's rules, each once, in match order ("byd, geely"); NULL
 * when no rule belongs to a vendor. */
char *cg_decision_format_vendors (const CgDecision *decision);

/* Loads carguard.conf and vendors.d/ from the search path under root ("/" or NULL for
 * the real system; a directory for tests and --root). extra_files, if not NULL, are
 * checked as if they were installed in /etc/carguard (by basename: "carguard.conf"
 * is the main file, anything else a vendor file); used by `policy check FILE…`.
 * On any problem returns NULL, sets CG_POLICY_ERROR_INVALID and, if diagnostics is
 * not NULL, appends every CgDiagnostic of the run to it. Never returns a partial policy. */
CgPolicy *cg_policy_load (const char *root, const char *const *extra_files, GPtrArray *diagnostics,
                          GError **error);

typedef enum {
  /* Files the loader ignores (names not ending in .conf) are errors, not warnings, and
   * the traps of a valid policy are warned about: a "#" inside a value, a vendor that
   * matches nothing, a vendor matched only by names its devices choose. */
  CG_POLICY_LOAD_STRICT = 1 << 0,
  /* The machine has no hwdb: with STRICT, Organization= rules are warned about, for
   * they match nothing. */
  CG_POLICY_LOAD_NO_HWDB = 1 << 1,
  /* No policy file at all (an empty or mistyped root) is an error. */
  CG_POLICY_LOAD_REQUIRE_FILES = 1 << 2,
} CgPolicyLoadFlags;

/* A policy file given as text, standing in for the installed file of its basename as
 * extra_files do; path is what diagnostics and rules name it. */
typedef struct {
  const char *path;
  const char *text;
  gsize len;
} CgPolicySource;

typedef struct {
  const char *root; /* as for cg_policy_load */
  const char *const *extra_files;
  const CgPolicySource *extra_sources;
  guint n_extra_sources;
  CgPolicyLoadFlags flags;
} CgPolicyLoadOptions;

/* For a process that loads large policies: mallopt (M_TRIM_THRESHOLD, this). A load's
 * threads allocate in malloc arenas of their own, and glibc's dynamic trim threshold,
 * which each large free raises, then keeps the top of those heaps, which malloc_trim()
 * does not return: about 10 MB after a 100,000-vendor load. A fixed threshold keeps that
 * memory returnable (mallopt(3)). carguardd sets it. */
#define CG_POLICY_TRIM_THRESHOLD (128 * 1024)

/* cg_policy_load with every option. Warnings (files ignored, traps) are appended to
 * diagnostics whether or not the policy loads; only errors make it fail. A root that
 * cannot be opened fails with CG_POLICY_ERROR_IO and no diagnostic. */
CgPolicy *cg_policy_load_with (const CgPolicyLoadOptions *options, GPtrArray *diagnostics,
                               GError **error);

/* One file a load reads, as it is. */
typedef struct {
  char *name; /* what decides its role: "carguard.conf", "byd.conf" */
  char *path; /* as a load names it: "/etc/carguard/vendors.d/byd.conf" */
  char *text; /* "" for a mask */
  gsize len;
} CgPolicyFileText;

/* The files a load below root would read, after the overrides, in load order
 * (GPtrArray of CgPolicyFileText): what `policy diff` compares. NULL with error if the
 * root cannot be opened or a file cannot be read. */
GPtrArray *cg_policy_read_files (const char *root, GError **error);
/* The hash a load of these files (cg_policy_read_files) gives when it succeeds, without
 * parsing them: whether a running carguardd enforces exactly what is on disk. */
char *cg_policy_hash_texts (GPtrArray *texts);

/* Parses from memory only; for tests and the fuzzer. files are (name, text) pairs;
 * the name decides the role as for extra_files. */
CgPolicy *cg_policy_load_from_data (const char *const *names, const char *const *texts,
                                    guint n_files, GPtrArray *diagnostics, GError **error);

CgPolicy *cg_policy_ref (CgPolicy *policy);
void cg_policy_unref (CgPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgPolicy, cg_policy_unref)

/* Decides one transport from the facts of that transport. Never fails: an unknown
 * device gets the defaults. O(1) in the number of vendors except for glob keys. */
void cg_policy_decide (const CgPolicy *policy, const CgFacts *facts, CgTransport transport,
                       CgDecision *out);

/* Whether any rule matches on Organization= (a hwdb name). Without one the hwdb look-ups
 * cannot change a decision, and a guard may skip them. */
gboolean cg_policy_matches_organizations (const CgPolicy *policy);

/* Vendors, sorted by id. */
guint cg_policy_get_n_vendors (const CgPolicy *policy);
const CgVendor *cg_policy_get_vendor (const CgPolicy *policy, guint index);
const CgVendor *cg_policy_lookup_vendor (const CgPolicy *policy, const char *id);
/* Every file the policy was read from, in load order. */
const char *const *cg_policy_get_files (const CgPolicy *policy);
/* SHA-256 (hex) over every file read, masks included: path and content, in load order.
 * The same files give the same hash, so a client can tell whether the daemon enforces
 * what is on disk. */
const char *cg_policy_get_hash (const CgPolicy *policy);
const CgGrant *cg_policy_get_default (const CgPolicy *policy, gboolean car_class);
/* A setting of carguard.conf's daemon sections ([USBGadget], [USBHost]) as written in the
 * file this policy was loaded from, or NULL when unset. */
const char *cg_policy_get_setting (const CgPolicy *policy, const char *section, const char *key);

/* The glob of Name=, USBManufacturer=, USBProduct= and Organization=: case-sensitive and
 * byte-wise, '*' any run, '?' one byte, '\' quotes the next byte; bounded, O(len(pattern)
 * * len(text)). */
gboolean cg_glob_match (const char *pattern, const char *text, gsize text_len);

/* A directory entry's name that stays in its directory (no '/', no whitespace or control
 * character, not "." or "..", at most 255 bytes): what [USBGadget] Gadget= and UDC= take. */
gboolean cg_entry_name_is_safe (const char *name);

/* [A-Za-z0-9][A-Za-z0-9_.-]*: a vendor file's name without .conf. */
gboolean cg_vendor_id_is_valid (const char *id);

const char *cg_vendor_get_id (const CgVendor *vendor);   /* file stem: "byd" */
const char *cg_vendor_get_name (const CgVendor *vendor); /* Name= of [Vendor], or the id */
const char *cg_vendor_get_file (const CgVendor *vendor);
const CgGrant *cg_vendor_get_grant (const CgVendor *vendor);
/* The grants of the vendor's [Device] entries, in file order. */
guint cg_vendor_get_n_device_grants (const CgVendor *vendor);
const CgGrant *cg_vendor_get_device_grant (const CgVendor *vendor, guint index);

G_END_DECLS
