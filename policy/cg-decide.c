/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-policy-private.h"

#include <string.h>

static gint64
pack (CgMatchKind kind, guint64 value)
{
  return (gint64)(((guint64)kind << 56) | value);
}

/* The candidates found at one level; the first level with any wins. */
typedef struct {
  CgRuleRef found[16];
  guint n;
  GArray *extra; /* CgRuleRef, when more than 16 rules match one device */
} Matches;

static void
add_found (Matches *m, const CgRuleRef *rule)
{
  if (m->n < G_N_ELEMENTS (m->found)) {
    m->found[m->n++] = *rule;
    return;
  }
  if (m->extra == NULL)
    m->extra = g_array_new (FALSE, FALSE, sizeof (CgRuleRef));
  g_array_append_val (m->extra, *rule);
}

static void
add_found_entry (Matches *m, const CgRuleEntry *entry)
{
  CgRuleRef rule;

  cg_rule_entry_ref (entry, &rule);
  add_found (m, &rule);
}

static gboolean
add_found_exact (const CgPolicy *policy, Matches *m, guint64 key)
{
  const CgExactRule *exact = cg_policy_exact_lookup (policy, key);
  CgRuleRef rule;

  if (exact == NULL)
    return FALSE;
  cg_policy_exact_rule (policy, exact, &rule);
  add_found (m, &rule);
  return TRUE;
}

static void
lookup (const CgPolicy *policy, Matches *m, CgMatchKind kind, guint64 value)
{
  add_found_exact (policy, m, (guint64)pack (kind, value));
}

/* The most specific IEEE block holding the address: an MA-S inside an MA-L belongs to
 * whoever the IEEE gave the MA-S, not to the holder of the MA-L around it. */
static void
lookup_oui (const CgPolicy *policy, Matches *m, guint64 address)
{
  static const guint sizes[] = { 36, 28, 24 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    gint64 key = pack (CG_MATCH_BT_OUI, cg_oui_pack (sizes[i], address >> (48 - sizes[i])));

    if (add_found_exact (policy, m, (guint64)key))
      return;
  }
}

static void
add_found_glob (gpointer entry, gpointer user_data)
{
  add_found_entry (user_data, entry);
}

static void
match_globs (const CgPolicy *policy, Matches *m, CgMatchKind kind, const char *fact)
{
  if (fact == NULL)
    return;
  cg_glob_index_match (policy->globs[cg_glob_kind_slot (kind)], fact,
                       strnlen (fact, CG_MATCH_TEXT_MAX), add_found_glob, m);
}

static const CgRuleRef *
matches_get (const Matches *m, guint i)
{
  return i < m->n ? &m->found[i] : &g_array_index (m->extra, CgRuleRef, i - m->n);
}

static guint
matches_len (const Matches *m)
{
  return m->n + (m->extra != NULL ? m->extra->len : 0);
}

static void
matches_clear (Matches *m)
{
  g_clear_pointer (&m->extra, g_array_unref);
  m->n = 0;
}

static void
finish (const CgPolicy *policy, Matches *m, CgLevel level, CgDecision *out)
{
  out->level = level;
  out->rules = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < matches_len (m); i++) {
    const CgRuleRef *found = matches_get (m, i);
    if (i == 0)
      cg_grant_copy (&out->grant, found->grant);
    else
      cg_grant_restrict (&out->grant, found->grant);
    g_ptr_array_add (out->rules, g_memdup2 (&found->rule, sizeof (found->rule)));
  }
}

/* Every level's matches are in; by_level[CG_LEVEL_DEFAULT] is unused. A rule that says
 * block wins over everything, however specific the allow beside it: identity is the
 * car's own choice, so it may tighten a decision but never lift a block. Otherwise the
 * most specific level that matched decides; with none, the default. */
static void
decide_levels (const CgPolicy *policy, Matches *by_level, CgDecision *out)
{
  Matches blockers = { .n = 0 };
  CgLevel decided = CG_LEVEL_DEFAULT;

  for (int level = CG_LEVEL_DEVICE; level > CG_LEVEL_DEFAULT; level--)
    for (guint i = 0; i < matches_len (&by_level[level]); i++) {
      const CgRuleRef *found = matches_get (&by_level[level], i);
      if (!found->grant->block)
        continue;
      if (blockers.n == 0)
        decided = (CgLevel)level;
      add_found (&blockers, found);
    }
  if (blockers.n > 0) {
    finish (policy, &blockers, decided, out);
  } else {
    for (int level = CG_LEVEL_DEVICE; level > CG_LEVEL_DEFAULT && decided == CG_LEVEL_DEFAULT;
         level--)
      if (by_level[level].n > 0)
        decided = (CgLevel)level;
    if (decided != CG_LEVEL_DEFAULT)
      finish (policy, &by_level[decided], decided, out);
    else {
      add_found_entry (&blockers, &policy->default_rule);
      finish (policy, &blockers, CG_LEVEL_DEFAULT, out);
    }
  }
  matches_clear (&blockers);
  for (int level = CG_LEVEL_DEFAULT; level <= CG_LEVEL_DEVICE; level++)
    matches_clear (&by_level[level]);
}

static guint64
address_value (const char *address, gboolean *ok)
{
  guint8 bytes[6];
  guint64 value = 0;

  *ok = cg_bt_address_parse (address, bytes);
  for (int i = 0; *ok && i < 6; i++)
    value = (value << 8) | bytes[i];
  return value;
}

static void
decide_bluetooth (const CgPolicy *policy, const CgFacts *facts, CgDecision *out)
{
  Matches m[CG_LEVEL_DEVICE + 1] = { { .n = 0 } };
  const CgDeviceId *id = &facts->bt_device_id;
  gboolean have_address;
  guint64 address = address_value (facts->bt_address, &have_address);

  /* A private LE address is new at every rotation: it names nobody, and its top bytes
   * are random, not an OUI. A static one is stable, but random too. */
  if (have_address && cg_bt_address_type_is_identity (facts->bt_address_type))
    lookup (policy, &m[CG_LEVEL_DEVICE], CG_MATCH_BT_ADDRESS, address);
  if (id->source != CG_DEVICE_ID_SOURCE_NONE)
    lookup (policy, &m[CG_LEVEL_PRODUCT], CG_MATCH_DEVICE_ID_PRODUCT,
            ((guint64)id->source << 32) | ((guint64)id->vendor << 16) | id->product);
  if (have_address && facts->bt_address_type == CG_BT_ADDRESS_PUBLIC)
    lookup_oui (policy, &m[CG_LEVEL_VENDOR], address);
  if (id->source != CG_DEVICE_ID_SOURCE_NONE)
    lookup (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_DEVICE_ID_VENDOR,
            ((guint64)id->source << 16) | id->vendor);
  match_globs (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_BT_NAME, facts->bt_name);
  match_globs (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_ORGANIZATION, facts->bt_organization);
  for (guint i = 0; facts->has_bt_class && i < policy->classes->len; i++) {
    const CgRuleEntry *entry = g_ptr_array_index (policy->classes, i);
    if (entry->item.kind == CG_MATCH_BT_CLASS && entry->item.bt_class == (facts->bt_class & 0x1ffc))
      add_found_entry (&m[CG_LEVEL_CLASS], entry);
  }
  /* [CarDefault] is for the car-class devices nothing else names. */
  if (m[CG_LEVEL_DEVICE].n + m[CG_LEVEL_PRODUCT].n + m[CG_LEVEL_VENDOR].n + m[CG_LEVEL_CLASS].n == 0
      && facts->has_bt_class && cg_bt_class_is_car (facts->bt_class))
    add_found_entry (&m[CG_LEVEL_CLASS], &policy->car_rule);
  decide_levels (policy, m, out);
}

static void
match_interfaces (const CgPolicy *policy, const CgFacts *facts, Matches *m)
{
  for (guint i = 0; i < policy->classes->len; i++) {
    const CgRuleEntry *entry = g_ptr_array_index (policy->classes, i);
    /* The facts carry only the class byte: a rule naming a subclass cannot be
     * confirmed, so it does not match. */
    if (entry->item.kind != CG_MATCH_USB_INTERFACE || entry->item.n_iface_parts != 1)
      continue;
    for (gsize c = 0; facts->usb_interface_classes != NULL && c < facts->n_usb_interface_classes;
         c++) {
      if (facts->usb_interface_classes[c] == entry->item.iface[0]) {
        add_found_entry (m, entry);
        break;
      }
    }
  }
}

static const CgVendor *
exact_vendor (const CgPolicy *policy, const CgExactRule *exact)
{
  return g_ptr_array_index (policy->vendors_loaded, exact->vendor);
}

/* A serial is the device's own claim: it decides at the device level only for a device
 * that also carries its vendor's USB= VID or VID:PID. */
static gboolean
usb_serial_in_scope (const CgPolicy *policy, const CgRuleEntry *serial, const CgFacts *facts)
{
  const CgExactRule *product, *vendor;

  if (!facts->has_usb_id)
    return FALSE;
  product = cg_policy_exact_lookup (
      policy,
      (guint64)pack (CG_MATCH_USB_PRODUCT, ((guint64)facts->usb_vid << 16) | facts->usb_pid));
  vendor = cg_policy_exact_lookup (policy, (guint64)pack (CG_MATCH_USB_VENDOR, facts->usb_vid));
  return (product != NULL && exact_vendor (policy, product) == serial->rule.vendor)
         || (vendor != NULL && exact_vendor (policy, vendor) == serial->rule.vendor);
}

static void
decide_usb (const CgPolicy *policy, const CgFacts *facts, CgDecision *out)
{
  Matches m[CG_LEVEL_DEVICE + 1] = { { .n = 0 } };
  const CgRuleEntry *serial
      = facts->usb_serial != NULL ? g_hash_table_lookup (policy->serials, facts->usb_serial) : NULL;
  gboolean serial_in_scope = serial != NULL && usb_serial_in_scope (policy, serial, facts);

  if (serial_in_scope)
    add_found_entry (&m[CG_LEVEL_DEVICE], serial);
  if (facts->has_usb_id) {
    lookup (policy, &m[CG_LEVEL_PRODUCT], CG_MATCH_USB_PRODUCT,
            ((guint64)facts->usb_vid << 16) | facts->usb_pid);
    lookup (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_USB_VENDOR, facts->usb_vid);
  }
  if (facts->has_typec_partner_vid)
    lookup (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_TYPEC_VENDOR, facts->typec_partner_vid);
  match_globs (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_USB_MANUFACTURER, facts->usb_manufacturer);
  match_globs (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_USB_PRODUCT_NAME, facts->usb_product);
  match_globs (policy, &m[CG_LEVEL_VENDOR], CG_MATCH_ORGANIZATION, facts->usb_organization);
  match_interfaces (policy, facts, &m[CG_LEVEL_CLASS]);
  decide_levels (policy, m, out);
  /* Out of its vendor's scope a serial can only take away (a block by serial). */
  if (serial != NULL && !serial_in_scope) {
    cg_grant_restrict (&out->grant, serial->grant);
    g_ptr_array_add (out->rules, g_memdup2 (&serial->rule, sizeof (serial->rule)));
  }
}

void
cg_policy_decide (const CgPolicy *policy, const CgFacts *facts, CgTransport transport,
                  CgDecision *out)
{
  memset (out, 0, sizeof (*out));
  out->transport = transport;
  if (transport == CG_TRANSPORT_BLUETOOTH)
    decide_bluetooth (policy, facts, out);
  else
    decide_usb (policy, facts, out);
}
