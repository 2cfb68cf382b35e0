/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-policy-private.h"

#include <string.h>

const char *
cg_level_to_string (CgLevel level)
{
  switch (level) {
    case CG_LEVEL_DEVICE:
      return "device";
    case CG_LEVEL_PRODUCT:
      return "product";
    case CG_LEVEL_VENDOR:
      return "vendor";
    case CG_LEVEL_CLASS:
      return "class";
    case CG_LEVEL_DEFAULT:
    default:
      return "default";
  }
}

void
cg_decision_clear (CgDecision *decision)
{
  cg_grant_clear (&decision->grant);
  g_clear_pointer (&decision->rules, g_ptr_array_unref);
}

char *
cg_rule_format_location (const CgRule *rule)
{
  if (rule == NULL || rule->file == NULL)
    return g_strdup ("default");
  return g_strdup_printf ("%s:%u", rule->file, rule->line);
}

char *
cg_decision_format_rules (const CgDecision *decision)
{
  g_autoptr (GString) rules = g_string_new (NULL);

  for (guint i = 0; decision->rules != NULL && i < decision->rules->len; i++) {
    g_autofree char *location = cg_rule_format_location (g_ptr_array_index (decision->rules, i));
    if (rules->len > 0)
      g_string_append (rules, ", ");
    g_string_append (rules, location);
  }
  return rules->len > 0 ? g_string_free (g_steal_pointer (&rules), FALSE) : g_strdup ("default");
}

char *
cg_decision_format_vendors (const CgDecision *decision)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();

  /* Several keys of one vendor file may match at one level: the vendor is named once. */
  for (guint i = 0; decision->rules != NULL && i < decision->rules->len; i++) {
    const CgRule *rule = g_ptr_array_index (decision->rules, i);
    const char *id = rule->vendor != NULL ? cg_vendor_get_id (rule->vendor) : NULL;
    if (id != NULL && !g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
      g_ptr_array_add (ids, (gpointer)id);
  }
  if (ids->len == 0)
    return NULL;
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (", ", (char **)ids->pdata);
}

static void
vendor_free (CgVendor *vendor)
{
  g_free (vendor->id);
  g_free (vendor->name);
  g_free (vendor->file);
  cg_grant_clear (&vendor->grant);
  g_ptr_array_unref (vendor->device_grants);
  g_free (vendor);
}

static void
device_grant_free (CgGrant *grant)
{
  cg_grant_clear (grant);
  g_free (grant);
}

static void
rule_entry_clear (CgRuleEntry *entry)
{
  cg_match_item_clear (&entry->item);
}

static CgPolicy *
policy_new (void)
{
  CgPolicy *policy = g_new0 (CgPolicy, 1);

  policy->ref_count = 1;
  policy->vendors = g_ptr_array_new_with_free_func ((GDestroyNotify)vendor_free);
  policy->vendor_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  policy->files = g_ptr_array_new_with_free_func (g_free);
  policy->vendors_loaded = g_ptr_array_new ();
  policy->serials = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < CG_GLOB_KINDS; i++)
    policy->globs[i] = cg_glob_index_new ();
  policy->classes = g_ptr_array_new ();
  policy->values = g_string_chunk_new (64 * 1024);
  return policy;
}

CgPolicy *
cg_policy_ref (CgPolicy *policy)
{
  g_atomic_int_inc (&policy->ref_count);
  return policy;
}

void
cg_policy_unref (CgPolicy *policy)
{
  if (policy == NULL || !g_atomic_int_dec_and_test (&policy->ref_count))
    return;
  g_free (policy->exact);
  g_free (policy->exact_values);
  g_ptr_array_unref (policy->vendors_loaded);
  g_hash_table_unref (policy->serials);
  for (guint i = 0; i < CG_GLOB_KINDS; i++)
    cg_glob_index_free (policy->globs[i]);
  g_ptr_array_unref (policy->classes);
  for (guint i = 0; i < policy->n_entries; i++)
    rule_entry_clear (&policy->entries[i]);
  g_free (policy->entries);
  g_string_chunk_free (policy->values);
  g_hash_table_unref (policy->vendor_by_id);
  g_ptr_array_unref (policy->vendors);
  g_ptr_array_unref (policy->files);
  g_free (policy->hash);
  g_clear_pointer (&policy->settings, g_hash_table_unref);
  cg_grant_clear (&policy->default_grant);
  cg_grant_clear (&policy->car_grant);
  cg_grant_clear (&policy->vendor_grant);
  g_free (policy);
}

/* Everything a build needs besides the policy itself. */
typedef struct {
  CgPolicy *policy;
  GPtrArray *diagnostics;
  GHashTable *text_claims;  /* "kind\x1ftext" -> CgRuleEntry * */
  GHashTable *class_claims; /* guint64 * (entries' item.id) -> CgRuleEntry * */
  GArray *exact;            /* CgExactRule, in load order until sorted */
  GString *exact_values;
} Builder;

static const char *
keep_file (CgPolicy *policy, const char *path)
{
  char *copy = g_strdup (path);
  g_ptr_array_add (policy->files, copy);
  return copy;
}

static void
build_defaults (Builder *b, const CgPolicyFile *main)
{
  CgPolicy *policy = b->policy;
  CgGrant fail_closed;
  const char *file = main != NULL ? keep_file (policy, main->path) : NULL;

  cg_grant_init_preset (&fail_closed, CG_PRESET_CHARGE_ONLY);
  if (main != NULL && main->default_line != 0)
    cg_grant_spec_resolve (&main->default_spec, &fail_closed, &policy->default_grant);
  else
    cg_grant_copy (&policy->default_grant, &fail_closed);
  if (main != NULL && main->car_line != 0)
    cg_grant_spec_resolve (&main->car_spec, &policy->default_grant, &policy->car_grant);
  else
    cg_grant_copy (&policy->car_grant, &policy->default_grant);
  if (main != NULL && main->vendor_line != 0)
    cg_grant_spec_resolve (&main->vendor_spec, &policy->default_grant, &policy->vendor_grant);
  else
    cg_grant_copy (&policy->vendor_grant, &policy->default_grant);

  policy->default_rule.rule = (CgRule){ NULL,
                                        main != NULL && main->default_line ? file : NULL,
                                        main != NULL ? main->default_line : 0,
                                        CG_LEVEL_DEFAULT,
                                        "Default",
                                        NULL };
  policy->default_rule.grant = &policy->default_grant;
  policy->car_rule.rule = (CgRule){ NULL,
                                    main != NULL && main->car_line ? file : NULL,
                                    main != NULL ? main->car_line : 0,
                                    CG_LEVEL_CLASS,
                                    "CarDefault",
                                    NULL };
  policy->car_rule.grant = &policy->car_grant;
}

static void
take_settings (CgPolicy *policy, const CgPolicyFile *main)
{
  policy->settings = main != NULL ? g_hash_table_ref (main->settings)
                                  : g_hash_table_new (g_str_hash, g_str_equal);
}

const char *
cg_policy_get_setting (const CgPolicy *policy, const char *section, const char *key)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", section, key);

  return g_hash_table_lookup (policy->settings, name);
}

static void
report_conflict (Builder *b, const CgRuleRef *rule, const CgRuleRef *earlier)
{
  g_ptr_array_add (b->diagnostics,
                   cg_diagnostic_new (rule->rule.file, rule->rule.line, rule->col,
                                      "%s %s is already claimed at the same level by %s:%u",
                                      rule->rule.key, rule->rule.value, earlier->rule.file,
                                      earlier->rule.line));
}

static void
report_entry_conflict (Builder *b, const CgRuleEntry *entry, const CgRuleEntry *earlier)
{
  CgRuleRef rule, earlier_rule;

  cg_rule_entry_ref (entry, &rule);
  cg_rule_entry_ref (earlier, &earlier_rule);
  report_conflict (b, &rule, &earlier_rule);
}

/* Indexes one text or class rule; a second claim on the same text or class at the same
 * level is an error. */
static void
index_entry (Builder *b, CgRuleEntry *entry)
{
  CgPolicy *policy = b->policy;
  CgRuleEntry *earlier = NULL;
  CgMatchKind kind = entry->item.kind;

  if (kind == CG_MATCH_USB_SERIAL) {
    earlier = g_hash_table_lookup (policy->serials, entry->item.text);
    if (earlier == NULL)
      g_hash_table_insert (policy->serials, entry->item.text, entry);
  } else if (cg_match_kind_is_glob (kind)) {
    g_autofree char *claim = g_strdup_printf ("%d\x1f%s", kind, entry->item.text);
    earlier = g_hash_table_lookup (b->text_claims, claim);
    if (earlier == NULL) {
      g_hash_table_insert (b->text_claims, g_steal_pointer (&claim), entry);
      cg_glob_index_add (policy->globs[cg_glob_kind_slot (kind)], entry->item.text, entry);
    }
  } else {
    earlier = g_hash_table_lookup (b->class_claims, &entry->item.id);
    if (earlier == NULL) {
      g_hash_table_insert (b->class_claims, &entry->item.id, entry);
      g_ptr_array_add (policy->classes, entry);
    }
  }
  if (earlier != NULL)
    report_entry_conflict (b, entry, earlier);
}

static void
add_exact (Builder *b, const CgVendor *vendor, CgPolicyMatch *match)
{
  CgExactRule exact = { match->item.id,
                        b->policy->vendors_loaded->len - 1,
                        match->line,
                        match->col,
                        (guint32)b->exact_values->len,
                        match->device >= 0 ? (guint32)match->device + 1 : 0 };

  /* Values are found by a 32-bit offset: 4 GiB of them (a thousand files at the size
   * limit) fail the load rather than wrap. */
  if (b->exact_values->len + strlen (match->value) + 1 > G_MAXUINT32) {
    g_ptr_array_add (b->diagnostics, cg_diagnostic_new (vendor->file, match->line, match->col,
                                                        "the policy holds more than 4 GiB "
                                                        "of identifiers"));
    return;
  }
  g_string_append_len (b->exact_values, match->value, strlen (match->value) + 1);
  g_array_append_val (b->exact, exact);
}

static void
add_match (Builder *b, CgVendor *vendor, CgPolicyMatch *match)
{
  CgRuleEntry *entry;

  if (cg_match_kind_is_exact (match->item.kind)) {
    add_exact (b, vendor, match);
    return;
  }
  entry = &b->policy->entries[b->policy->n_entries++];
  /* Copied, not taken: the files were compiled on other threads, and what outlives the
   * load must not pin the pages of their malloc arenas that the rest of each file freed. */
  entry->item = match->item;
  entry->item.text = g_strdup (match->item.text);
  entry->col = match->col;
  entry->grant = match->device >= 0 ? g_ptr_array_index (vendor->device_grants, match->device)
                                    : &vendor->grant;
  entry->rule = (CgRule){ vendor,      vendor->file,
                          match->line, cg_match_kind_level (entry->item.kind),
                          match->key,  g_string_chunk_insert (b->policy->values, match->value) };
  index_entry (b, entry);
}

static void
build_vendor (Builder *b, CgPolicyFile *file)
{
  CgPolicy *policy = b->policy;
  CgVendor *vendor = g_new0 (CgVendor, 1);

  vendor->id = g_strdup (file->vendor_id);
  vendor->name = g_strdup (file->name != NULL ? file->name : file->vendor_id);
  vendor->file = g_strdup (file->path);
  vendor->policy_line = file->policy_line;
  vendor->device_grants = g_ptr_array_new_with_free_func ((GDestroyNotify)device_grant_free);
  if (file->policy_line != 0)
    cg_grant_spec_resolve (&file->policy_spec, &policy->vendor_grant, &vendor->grant);
  else
    cg_grant_copy (&vendor->grant, &policy->vendor_grant);
  for (guint d = 0; d < file->devices->len; d++) {
    CgGrant *grant = g_new0 (CgGrant, 1);
    cg_grant_spec_resolve (&g_array_index (file->devices, CgPolicyDevice, d).spec, &vendor->grant,
                           grant);
    g_ptr_array_add (vendor->device_grants, grant);
  }
  if (g_hash_table_contains (policy->vendor_by_id, vendor->id)) {
    const CgVendor *earlier = g_hash_table_lookup (policy->vendor_by_id, vendor->id);
    g_ptr_array_add (b->diagnostics,
                     cg_diagnostic_new (file->path, 1, 1, "vendor '%s' is also defined by %s",
                                        vendor->id, earlier->file));
  } else {
    g_hash_table_insert (policy->vendor_by_id, vendor->id, vendor);
  }
  g_ptr_array_add (policy->vendors, vendor);
  g_ptr_array_add (policy->vendors_loaded, vendor);
  for (guint i = 0; i < file->matches->len; i++)
    add_match (b, vendor, &g_array_index (file->matches, CgPolicyMatch, i));
}

static int
compare_vendors (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(const CgVendor *const *)a)->id, (*(const CgVendor *const *)b)->id);
}

static const CgPolicyFile *
find_main_file (GPtrArray *files)
{
  const CgPolicyFile *main = NULL;

  for (guint i = 0; i < files->len; i++) {
    const CgPolicyFile *file = g_ptr_array_index (files, i);
    if (file->main_file && !file->masked)
      main = file;
  }
  return main;
}

static void
policy_hash_add (GChecksum *checksum, const char *path, const char *digest)
{
  g_checksum_update (checksum, (const guchar *)path, -1);
  g_checksum_update (checksum, (const guchar *)"\n", 1);
  g_checksum_update (checksum, (const guchar *)digest, -1);
  g_checksum_update (checksum, (const guchar *)"\n", 1);
}

/* The digest of the files in load order, each named: what was read decides the hash,
 * whatever the order of directories it was found in. */
static char *
policy_hash (GPtrArray *files)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < files->len; i++) {
    const CgPolicyFile *file = g_ptr_array_index (files, i);
    policy_hash_add (checksum, file->path, file->digest);
  }
  return g_strdup (g_checksum_get_string (checksum));
}

char *
cg_policy_hash_texts (GPtrArray *texts)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < texts->len; i++) {
    const CgPolicyFileText *text = g_ptr_array_index (texts, i);
    g_autofree char *digest
        = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)text->text, text->len);
    policy_hash_add (checksum, text->path, digest);
  }
  return g_strdup (g_checksum_get_string (checksum));
}

#define RADIX_BITS 16
#define RADIX_BUCKETS (1u << RADIX_BITS)
#define RADIX_PASSES (64 / RADIX_BITS)

/* Sorts rules by id, keeping load order among equal ids (an LSD radix sort: a comparison
 * sort took most of a 100,000-vendor load). A digit that every rule shares is skipped. */
static void
sort_exact (CgExactRule *rules, guint n)
{
  g_autofree guint32 *counts = g_new0 (guint32, RADIX_PASSES * RADIX_BUCKETS);
  g_autofree CgExactRule *scratch = g_new (CgExactRule, MAX (n, 1));
  CgExactRule *from = rules, *to = scratch;

  for (guint i = 0; i < n; i++)
    for (guint p = 0; p < RADIX_PASSES; p++)
      counts[p * RADIX_BUCKETS + ((rules[i].id >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
  for (guint p = 0; p < RADIX_PASSES; p++) {
    guint32 *count = counts + p * RADIX_BUCKETS;
    guint32 offset = 0;
    CgExactRule *sorted = to;

    if (n == 0 || count[(from[0].id >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1)] == n)
      continue;
    for (guint d = 0; d < RADIX_BUCKETS; d++) {
      guint32 c = count[d];
      count[d] = offset;
      offset += c;
    }
    for (guint i = 0; i < n; i++)
      sorted[count[(from[i].id >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1)]++] = from[i];
    to = from;
    from = sorted;
  }
  if (from != rules)
    memcpy (rules, from, n * sizeof (*rules));
}

/* Sorts the exact rules into the index; a second claim on one identifier at the same
 * level is an error against the first in load order. */
static void
index_exact (Builder *b)
{
  CgPolicy *policy = b->policy;
  CgExactRule *rules = (CgExactRule *)(void *)b->exact->data;
  guint n = 0;
  gsize values_size = b->exact_values->len + 1;

  sort_exact (rules, b->exact->len);
  policy->exact_values
      = g_realloc (g_string_free (g_steal_pointer (&b->exact_values), FALSE), values_size);
  for (guint i = 0; i < b->exact->len; i++) {
    if (n > 0 && rules[i].id == rules[n - 1].id) {
      CgRuleRef rule, earlier;
      cg_policy_exact_rule (policy, &rules[i], &rule);
      cg_policy_exact_rule (policy, &rules[n - 1], &earlier);
      report_conflict (b, &rule, &earlier);
      continue;
    }
    rules[n++] = rules[i];
  }
  policy->n_exact = n;
  policy->exact = (CgExactRule *)(void *)g_array_free (g_steal_pointer (&b->exact), FALSE);
  policy->exact = g_renew (CgExactRule, policy->exact, MAX (n, 1));
}

CgPolicy *
cg_policy_build (GPtrArray *files, GPtrArray *load_found, GPtrArray *diagnostics, GError **error)
{
  g_autoptr (GPtrArray) owned_files = files;
  g_autoptr (CgPolicy) policy = policy_new ();
  g_autoptr (GPtrArray) found = load_found != NULL ? load_found : cg_diagnostics_new ();
  g_autoptr (GHashTable) text_claims
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) class_claims = g_hash_table_new (g_int64_hash, g_int64_equal);
  Builder b = { policy, found, text_claims, class_claims, NULL, NULL };
  gsize n_matches = 0, n_text = 0;

  g_assert (owned_files != NULL);

  for (guint i = 0; i < files->len; i++) {
    CgPolicyFile *file = g_ptr_array_index (files, i);
    g_ptr_array_extend_and_steal (found, g_steal_pointer (&file->diagnostics));
    file->diagnostics = cg_diagnostics_new ();
    n_matches += file->matches->len;
    for (guint m = 0; m < file->matches->len; m++)
      n_text += !cg_match_kind_is_exact (g_array_index (file->matches, CgPolicyMatch, m).item.kind);
  }
  /* One block for the text and class rules: their indexes point into it. */
  policy->entries = g_new0 (CgRuleEntry, MAX (n_text, 1));
  b.exact = g_array_sized_new (FALSE, FALSE, sizeof (CgExactRule), n_matches - n_text);
  b.exact_values = g_string_sized_new ((n_matches - n_text) * 16);
  build_defaults (&b, find_main_file (files));
  take_settings (b.policy, find_main_file (files));
  for (guint i = 0; i < files->len; i++) {
    CgPolicyFile *file = g_ptr_array_index (files, i);
    if (file->main_file || file->masked || file->vendor_id == NULL)
      continue;
    keep_file (policy, file->path);
    build_vendor (&b, file);
  }
  index_exact (&b);
  g_ptr_array_sort (policy->vendors, compare_vendors);
  g_ptr_array_add (policy->files, NULL);
  policy->hash = policy_hash (files);
  cg_diagnostics_sort (found);
  if (cg_diagnostics_count_errors (found) > 0) {
    cg_diagnostics_to_error (found, error);
    g_clear_pointer (&policy, cg_policy_unref);
  }
  /* Warnings go to the caller whether or not the policy loads. */
  if (diagnostics != NULL)
    g_ptr_array_extend_and_steal (diagnostics, g_steal_pointer (&found));
  return g_steal_pointer (&policy);
}

gboolean
cg_policy_matches_organizations (const CgPolicy *policy)
{
  return !cg_glob_index_is_empty (policy->globs[cg_glob_kind_slot (CG_MATCH_ORGANIZATION)]);
}

guint
cg_policy_get_n_vendors (const CgPolicy *policy)
{
  return policy->vendors->len;
}

const CgVendor *
cg_policy_get_vendor (const CgPolicy *policy, guint index)
{
  g_return_val_if_fail (index < policy->vendors->len, NULL);
  return g_ptr_array_index (policy->vendors, index);
}

const CgVendor *
cg_policy_lookup_vendor (const CgPolicy *policy, const char *id)
{
  return id != NULL ? g_hash_table_lookup (policy->vendor_by_id, id) : NULL;
}

const char *const *
cg_policy_get_files (const CgPolicy *policy)
{
  return (const char *const *)policy->files->pdata;
}

const char *
cg_policy_get_hash (const CgPolicy *policy)
{
  return policy->hash;
}

const CgGrant *
cg_policy_get_default (const CgPolicy *policy, gboolean car_class)
{
  return car_class ? &policy->car_grant : &policy->default_grant;
}

const char *
cg_vendor_get_id (const CgVendor *vendor)
{
  return vendor->id;
}

const char *
cg_vendor_get_name (const CgVendor *vendor)
{
  return vendor->name;
}

const char *
cg_vendor_get_file (const CgVendor *vendor)
{
  return vendor->file;
}

const CgGrant *
cg_vendor_get_grant (const CgVendor *vendor)
{
  return &vendor->grant;
}

guint
cg_vendor_get_n_device_grants (const CgVendor *vendor)
{
  return vendor->device_grants->len;
}

const CgGrant *
cg_vendor_get_device_grant (const CgVendor *vendor, guint index)
{
  g_return_val_if_fail (index < vendor->device_grants->len, NULL);
  return g_ptr_array_index (vendor->device_grants, index);
}

const CgExactRule *
cg_policy_exact_lookup (const CgPolicy *policy, guint64 key)
{
  guint lo = 0, hi = policy->n_exact;

  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (policy->exact[mid].id < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < policy->n_exact && policy->exact[lo].id == key ? &policy->exact[lo] : NULL;
}

void
cg_policy_exact_rule (const CgPolicy *policy, const CgExactRule *exact, CgRuleRef *out)
{
  const CgVendor *vendor = g_ptr_array_index (policy->vendors_loaded, exact->vendor);
  CgMatchKind kind = (CgMatchKind)(exact->id >> 56);

  out->rule = (CgRule){ vendor,
                        vendor->file,
                        exact->line,
                        cg_match_kind_level (kind),
                        cg_match_kind_key (kind),
                        policy->exact_values + exact->value };
  out->grant = exact->device == 0 ? &vendor->grant
                                  : g_ptr_array_index (vendor->device_grants, exact->device - 1);
  out->col = exact->col;
}

void
cg_rule_entry_ref (const CgRuleEntry *entry, CgRuleRef *out)
{
  out->rule = entry->rule;
  out->grant = entry->grant;
  out->col = entry->col;
}
