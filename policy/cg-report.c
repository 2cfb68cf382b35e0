/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-report.h"

#include "cg-policy-private.h"

typedef enum {
  HOLDER_DEFAULT,
  HOLDER_CAR_DEFAULT,
  HOLDER_VENDOR,
  HOLDER_DEVICE,
} HolderKind;

static const char *const holder_kinds[] = { "default", "car-default", "vendor", "device" };

/* One grant and the place that gives it. */
typedef struct {
  HolderKind kind;
  const CgGrant *grant;
  char *rule;
  const CgVendor *vendor;
  const char *device;     /* the address or serial of a [Device] */
  JsonObject *match_keys; /* vendors: key -> count */
  gboolean inherits;      /* a vendor without [Policy]: [Default]'s grant */
} Holder;

static void
holder_free (Holder *holder)
{
  g_free (holder->rule);
  g_clear_pointer (&holder->match_keys, json_object_unref);
  g_free (holder);
}

static Holder *
holder_new (HolderKind kind, const CgGrant *grant, char *rule)
{
  Holder *holder = g_new0 (Holder, 1);

  holder->kind = kind;
  holder->grant = grant;
  holder->rule = rule;
  return holder;
}

static void
count_key (JsonObject *keys, const char *key)
{
  json_object_set_int_member (keys, key,
                              json_object_get_int_member_with_default (keys, key, 0) + 1);
}

static void
collect_vendor_rule (const CgRuleRef *ref, GHashTable *match_keys, GHashTable *devices)
{
  const CgVendor *vendor = ref->rule.vendor;
  GArray *list;
  JsonObject *keys;

  if (ref->rule.level == CG_LEVEL_DEVICE) {
    list = g_hash_table_lookup (devices, vendor);
    if (list == NULL)
      g_hash_table_insert (devices, (gpointer)vendor,
                           list = g_array_new (FALSE, FALSE, sizeof (CgRuleRef)));
    g_array_append_val (list, *ref);
    return;
  }
  keys = g_hash_table_lookup (match_keys, vendor);
  if (keys == NULL)
    g_hash_table_insert (match_keys, (gpointer)vendor, keys = json_object_new ());
  count_key (keys, ref->rule.key);
}

/* Within one vendor's file. */
static int
compare_rules_by_place (gconstpointer a, gconstpointer b)
{
  const CgRuleRef *x = a, *y = b;

  if (x->rule.line != y->rule.line)
    return x->rule.line < y->rule.line ? -1 : 1;
  return x->col < y->col ? -1 : x->col > y->col;
}

/* Every vendor's [Match] keys counted, and its devices in the order they are written,
 * in one walk over the rules. */
static void
collect_vendor_rules (const CgPolicy *policy, GHashTable *match_keys, GHashTable *devices)
{
  GHashTableIter iter;
  gpointer list;
  CgRuleRef ref;

  for (guint i = 0; i < policy->n_entries; i++) {
    cg_rule_entry_ref (&policy->entries[i], &ref);
    collect_vendor_rule (&ref, match_keys, devices);
  }
  for (guint i = 0; i < policy->n_exact; i++) {
    cg_policy_exact_rule (policy, &policy->exact[i], &ref);
    collect_vendor_rule (&ref, match_keys, devices);
  }
  g_hash_table_iter_init (&iter, devices);
  while (g_hash_table_iter_next (&iter, NULL, &list))
    g_array_sort (list, compare_rules_by_place);
}

static GPtrArray *
collect_holders (const CgPolicy *policy)
{
  GPtrArray *holders = g_ptr_array_new_with_free_func ((GDestroyNotify)holder_free);
  g_autoptr (GHashTable) match_keys
      = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)json_object_unref);
  g_autoptr (GHashTable) devices
      = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_array_unref);
  g_autofree char *default_rule = cg_rule_format_location (&policy->default_rule.rule);

  g_ptr_array_add (holders,
                   holder_new (HOLDER_DEFAULT, &policy->default_grant, g_strdup (default_rule)));
  g_ptr_array_add (holders, holder_new (HOLDER_CAR_DEFAULT, &policy->car_grant,
                                        cg_rule_format_location (&policy->car_rule.rule)));
  collect_vendor_rules (policy, match_keys, devices);
  for (guint v = 0; v < policy->vendors->len; v++) {
    const CgVendor *vendor = g_ptr_array_index (policy->vendors, v);
    GArray *own = g_hash_table_lookup (devices, vendor);
    Holder *holder = holder_new (HOLDER_VENDOR, &vendor->grant,
                                 vendor->policy_line != 0
                                     ? g_strdup_printf ("%s:%u", vendor->file, vendor->policy_line)
                                     : g_strdup (default_rule));

    holder->vendor = vendor;
    holder->inherits = vendor->policy_line == 0;
    holder->match_keys = g_hash_table_lookup (match_keys, vendor);
    if (holder->match_keys != NULL)
      json_object_ref (holder->match_keys);
    g_ptr_array_add (holders, holder);
    for (guint d = 0; own != NULL && d < own->len; d++) {
      const CgRuleRef *ref = &g_array_index (own, CgRuleRef, d);
      Holder *device = holder_new (HOLDER_DEVICE, ref->grant, cg_rule_format_location (&ref->rule));
      device->vendor = vendor;
      device->device = ref->rule.value;
      g_ptr_array_add (holders, device);
    }
  }
  return holders;
}

static void
add_interfaces (JsonBuilder *b, const CgGrant *grant)
{
  gboolean any = FALSE;

  json_builder_set_member_name (b, "interfaces");
  json_builder_begin_array (b);
  for (guint c = 0; c < 256; c++) {
    const char *name;

    if ((grant->usb_interfaces[c / 32] & (1u << (c % 32))) == 0)
      continue;
    any = TRUE;
    name = cg_usb_class_to_name ((guint8)c);
    if (name != NULL) {
      json_builder_add_string_value (b, name);
    } else {
      g_autofree char *hex = g_strdup_printf ("%02x", c);
      json_builder_add_string_value (b, hex);
    }
  }
  if (!any)
    json_builder_add_string_value (b, "all");
  json_builder_end_array (b);
}

static void
add_holder (JsonBuilder *b, const Holder *holder, gboolean with_pairing, gboolean with_interfaces)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, holder_kinds[holder->kind]);
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, holder->rule);
  if (holder->vendor != NULL) {
    json_builder_set_member_name (b, "vendor");
    json_builder_add_string_value (b, cg_vendor_get_id (holder->vendor));
    json_builder_set_member_name (b, "vendor-name");
    json_builder_add_string_value (b, cg_vendor_get_name (holder->vendor));
  }
  if (holder->device != NULL) {
    json_builder_set_member_name (b, "device");
    json_builder_add_string_value (b, holder->device);
  }
  if (holder->kind == HOLDER_VENDOR) {
    JsonNode *keys = json_node_new (JSON_NODE_OBJECT);

    if (holder->match_keys != NULL)
      json_node_set_object (keys, holder->match_keys);
    else
      json_node_take_object (keys, json_object_new ());
    json_builder_set_member_name (b, "matched-by");
    json_builder_add_value (b, keys);
    json_builder_set_member_name (b, "inherits-default");
    json_builder_add_boolean_value (b, holder->inherits);
  }
  if (with_pairing) {
    json_builder_set_member_name (b, "pairing");
    json_builder_add_string_value (b, cg_pairing_to_string (holder->grant->pairing));
  }
  if (with_interfaces)
    add_interfaces (b, holder->grant);
  json_builder_end_object (b);
}

/* A profile needs a pairing that may happen and a grant that does not block. */
static gboolean
grant_may_pair (const CgGrant *grant)
{
  return !grant->block && grant->pairing != CG_PAIRING_DENY;
}

static gboolean
grant_gives_profile (const CgGrant *grant, CgProfile profile)
{
  return grant_may_pair (grant) && (grant->all_uuids || (grant->profiles & (1u << profile)) != 0);
}

static gboolean
grant_gives_other_services (const CgGrant *grant)
{
  return grant_may_pair (grant) && (grant->all_uuids || grant->extra_uuids != NULL);
}

static void
add_profiles (JsonBuilder *b, GPtrArray *holders)
{
  json_builder_set_member_name (b, "profiles");
  json_builder_begin_object (b);
  for (int p = 0; p < CG_PROFILE_N; p++) {
    json_builder_set_member_name (b, cg_profile_to_name ((CgProfile)p));
    json_builder_begin_array (b);
    for (guint i = 0; i < holders->len; i++) {
      const Holder *holder = g_ptr_array_index (holders, i);
      if (grant_gives_profile (holder->grant, (CgProfile)p))
        add_holder (b, holder, TRUE, FALSE);
    }
    json_builder_end_array (b);
  }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "other-services");
  json_builder_begin_array (b);
  for (guint i = 0; i < holders->len; i++) {
    const Holder *holder = g_ptr_array_index (holders, i);
    if (grant_gives_other_services (holder->grant))
      add_holder (b, holder, TRUE, FALSE);
  }
  json_builder_end_array (b);
}

static void
add_usb (JsonBuilder *b, GPtrArray *holders)
{
  const CgUsbMode modes[] = { CG_USB_MODE_DATA, CG_USB_MODE_ASK };

  json_builder_set_member_name (b, "usb");
  json_builder_begin_object (b);
  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++) {
    json_builder_set_member_name (b, cg_usb_mode_to_string (modes[m]));
    json_builder_begin_array (b);
    for (guint i = 0; i < holders->len; i++) {
      const Holder *holder = g_ptr_array_index (holders, i);
      if (!holder->grant->block && holder->grant->usb_mode == modes[m])
        add_holder (b, holder, FALSE, TRUE);
    }
    json_builder_end_array (b);
  }
  json_builder_end_object (b);
}

JsonNode *
cg_report_to_json (const CgPolicy *policy)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GPtrArray) holders = collect_holders (policy);

  json_builder_begin_object (b);
  add_profiles (b, holders);
  add_usb (b, holders);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
