/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-explain.h"
#include "cg-sanitize.h"

#include "cg-policy-private.h"

#define FACT_TEXT_MAX 256

static const CgRule *
deciding_rule (const CgDecision *decision)
{
  return decision->rules->len > 0 ? g_ptr_array_index (decision->rules, 0) : NULL;
}

/* JSON strings must be UTF-8; device strings are made so, never otherwise changed
 * beyond a length cap: JSON escaping deals with the rest. */
static void
add_device_string (JsonBuilder *b, const char *member, const char *s)
{
  g_autofree char *valid = NULL;

  if (s == NULL)
    return;
  valid = g_utf8_make_valid (s, (gssize)strnlen (s, CG_MATCH_TEXT_MAX));
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, valid);
}

static void
add_hex (JsonBuilder *b, const char *member, guint digits, guint value)
{
  g_autofree char *text = g_strdup_printf ("%s%0*x", digits == 6 ? "0x" : "", (int)digits, value);
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, text);
}

static char *
device_id_string (const CgDeviceId *id)
{
  return g_strdup_printf ("%s:v%04Xp%04Xd%04X",
                          id->source == CG_DEVICE_ID_SOURCE_USB ? "usb" : "bluetooth", id->vendor,
                          id->product, id->version);
}

static void
add_bluetooth_facts (JsonBuilder *b, const CgFacts *facts)
{
  json_builder_set_member_name (b, "bluetooth");
  json_builder_begin_object (b);
  add_device_string (b, "address", facts->bt_address);
  if (facts->bt_address != NULL) {
    json_builder_set_member_name (b, "address-type");
    json_builder_add_string_value (b, cg_bt_address_type_to_string (facts->bt_address_type));
  }
  if (facts->has_bt_class) {
    const char *name = cg_bt_class_describe (facts->bt_class);
    add_hex (b, "class", 6, facts->bt_class);
    if (name != NULL) {
      json_builder_set_member_name (b, "class-name");
      json_builder_add_string_value (b, name);
    }
  }
  add_device_string (b, "name", facts->bt_name);
  if (facts->bt_device_id.source != CG_DEVICE_ID_SOURCE_NONE) {
    g_autofree char *id = device_id_string (&facts->bt_device_id);
    json_builder_set_member_name (b, "device-id");
    json_builder_add_string_value (b, id);
  }
  add_device_string (b, "organization", facts->bt_organization);
  json_builder_end_object (b);
}

static void
add_usb_facts (JsonBuilder *b, const CgFacts *facts)
{
  json_builder_set_member_name (b, "usb");
  json_builder_begin_object (b);
  if (facts->has_usb_id) {
    add_hex (b, "vid", 4, facts->usb_vid);
    add_hex (b, "pid", 4, facts->usb_pid);
  }
  add_device_string (b, "manufacturer", facts->usb_manufacturer);
  add_device_string (b, "product", facts->usb_product);
  add_device_string (b, "serial", facts->usb_serial);
  if (facts->usb_interface_classes != NULL && facts->n_usb_interface_classes > 0) {
    json_builder_set_member_name (b, "interface-classes");
    json_builder_begin_array (b);
    for (gsize i = 0; i < facts->n_usb_interface_classes; i++) {
      g_autofree char *hex = g_strdup_printf ("%02x", facts->usb_interface_classes[i]);
      json_builder_add_string_value (b, hex);
    }
    json_builder_end_array (b);
  }
  if (facts->has_typec_partner_vid)
    add_hex (b, "typec-partner-vid", 4, facts->typec_partner_vid);
  add_device_string (b, "organization", facts->usb_organization);
  json_builder_end_object (b);
}

static void
add_rules (JsonBuilder *b, const CgDecision *decision)
{
  g_autofree char *location = cg_rule_format_location (deciding_rule (decision));

  json_builder_set_member_name (b, "level");
  json_builder_add_string_value (b, cg_level_to_string (decision->level));
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, location);
  json_builder_set_member_name (b, "rules");
  json_builder_begin_array (b);
  for (guint i = 0; i < decision->rules->len; i++) {
    const CgRule *r = g_ptr_array_index (decision->rules, i);
    g_autofree char *where = cg_rule_format_location (r);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "rule");
    json_builder_add_string_value (b, where);
    json_builder_set_member_name (b, "key");
    json_builder_add_string_value (b, r->key);
    if (r->value != NULL) {
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, r->value);
    }
    if (r->vendor != NULL) {
      json_builder_set_member_name (b, "vendor");
      json_builder_add_string_value (b, cg_vendor_get_id (r->vendor));
      json_builder_set_member_name (b, "vendor-name");
      json_builder_add_string_value (b, cg_vendor_get_name (r->vendor));
    }
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

/* What a rule's key identifies by, when that is only the device's own word: a device
 * chooses its VID:PID, strings, serial, class and name itself, and can copy another's. */
static const char *
rule_self_claim (const CgRule *rule)
{
  static const struct {
    const char *key;
    const char *what;
  } claims[] = {
    { "USBSerial", "a serial" },
    { "USB", "a USB id" },
    { "USBManufacturer", "a name" },
    { "USBProduct", "a name" },
    { "Name", "a name" },
    { "DeviceID", "a Device ID" },
    { "TypeCPartnerVID", "a Type-C vendor id" },
    { "USBInterfaceClass", "interface classes" },
    { "Class", "a class of device" },
  };

  for (guint i = 0; rule->key != NULL && i < G_N_ELEMENTS (claims); i++)
    if (g_str_equal (rule->key, claims[i].key))
      return claims[i].what;
  return NULL;
}

/* Whether the decision opens something (USB data, a Bluetooth pairing) on a match. */
static gboolean
decision_trusts (const CgDecision *d)
{
  if (d->level == CG_LEVEL_DEFAULT)
    return FALSE;
  return d->transport == CG_TRANSPORT_USB ? d->grant.usb_mode == CG_USB_MODE_DATA
                                          : d->grant.pairing == CG_PAIRING_ALLOW;
}

/* One warning when what the decision opens rests only on what the device says of itself:
 * "USB data rests on a serial (USBSerial=HU-1 at FILE:LINE) ...". NULL when it does not. */
static char *
trust_warning (const CgDecision *d)
{
  g_autoptr (GString) claims = g_string_new (NULL);

  if (!decision_trusts (d))
    return NULL;
  for (guint i = 0; i < d->rules->len; i++) {
    const CgRule *r = g_ptr_array_index (d->rules, i);
    const char *what = rule_self_claim (r);
    g_autofree char *where = cg_rule_format_location (r);

    if (what == NULL)
      return NULL; /* an address or OUI: a Bluetooth bond stands behind it */
    g_string_append_printf (claims, "%s%s (%s=%s at %s)", claims->len > 0 ? " and " : "", what,
                            r->key, r->value != NULL ? r->value : "", where);
  }
  if (claims->len == 0)
    return NULL;
  return g_strdup_printf ("%s rests on %s alone: the device says that of itself, and any "
                          "device can say the same",
                          d->transport == CG_TRANSPORT_USB ? "USB data" : "Bluetooth pairing",
                          claims->str);
}

static void
add_warnings (JsonBuilder *b, const CgDecision *d)
{
  g_autofree char *warning = trust_warning (d);
  g_autofree char *valid = warning != NULL ? g_utf8_make_valid (warning, -1) : NULL;

  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  if (valid != NULL)
    json_builder_add_string_value (b, valid);
  json_builder_end_array (b);
}

static void
add_profiles (JsonBuilder *b, const CgGrant *grant, gboolean allowed)
{
  json_builder_set_member_name (b, allowed ? "allowed" : "denied");
  json_builder_begin_array (b);
  for (int p = 0; p < CG_PROFILE_N; p++)
    if (((grant->profiles & (1u << p)) != 0) == allowed)
      json_builder_add_string_value (b, cg_profile_to_name ((CgProfile)p));
  json_builder_end_array (b);
}

static void
add_bluetooth_decision (JsonBuilder *b, const CgDecision *d)
{
  json_builder_set_member_name (b, "bluetooth");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pairing");
  json_builder_add_string_value (b, cg_pairing_to_string (d->grant.pairing));
  json_builder_set_member_name (b, "profiles");
  json_builder_begin_object (b);
  add_profiles (b, &d->grant, TRUE);
  add_profiles (b, &d->grant, FALSE);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "all-uuids");
  json_builder_add_boolean_value (b, d->grant.all_uuids);
  json_builder_set_member_name (b, "uuids");
  json_builder_begin_array (b);
  for (guint i = 0; d->grant.extra_uuids != NULL && d->grant.extra_uuids[i] != NULL; i++)
    json_builder_add_string_value (b, d->grant.extra_uuids[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "block");
  json_builder_add_boolean_value (b, d->grant.block);
  add_rules (b, d);
  add_warnings (b, d);
  json_builder_end_object (b);
}

static void
add_usb_decision (JsonBuilder *b, const CgDecision *d)
{
  g_autoptr (GPtrArray) names = cg_grant_usb_interface_names (&d->grant);

  json_builder_set_member_name (b, "usb");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, cg_usb_mode_to_string (d->grant.usb_mode));
  json_builder_set_member_name (b, "while-locked");
  json_builder_add_string_value (b, cg_usb_while_locked_to_string (d->grant.usb_while_locked));
  json_builder_set_member_name (b, "interfaces");
  json_builder_begin_array (b);
  for (guint i = 0; d->grant.usb_mode == CG_USB_MODE_DATA && i < names->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (names, i));
  json_builder_end_array (b);
  add_rules (b, d);
  add_warnings (b, d);
  json_builder_end_object (b);
}

JsonNode *
cg_explain_to_json (const CgPolicy *policy, const CgFacts *facts)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_auto (CgDecision) bt = { 0 };
  g_auto (CgDecision) usb = { 0 };
  const CgDecision *main_decision;
  g_autofree char *location = NULL;

  cg_policy_decide (policy, facts, CG_TRANSPORT_BLUETOOTH, &bt);
  cg_policy_decide (policy, facts, CG_TRANSPORT_USB, &usb);
  main_decision = cg_facts_has_bluetooth (facts) || !cg_facts_has_usb (facts) ? &bt : &usb;
  location = cg_rule_format_location (deciding_rule (main_decision));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "facts");
  json_builder_begin_object (b);
  add_bluetooth_facts (b, facts);
  add_usb_facts (b, facts);
  json_builder_end_object (b);
  add_bluetooth_decision (b, &bt);
  add_usb_decision (b, &usb);
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, location);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- text, from the JSON: one renderer for an explanation made here and one a daemon
 * sent over D-Bus ---- */

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static JsonObject *
member_object (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
member_boolean (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_boolean (node);
}

static void
append_words (GString *out, JsonArray *words)
{
  for (guint i = 0; words != NULL && i < json_array_get_length (words); i++) {
    g_autofree char *safe = cg_sanitize_string (json_array_get_string_element (words, i), 64);
    g_string_append_printf (out, " %s", safe);
  }
}

static void
append_fact (GString *out, const char *label, const char *value)
{
  g_autofree char *safe = NULL;

  if (value == NULL)
    return;
  safe = cg_sanitize_string (value, FACT_TEXT_MAX);
  g_string_append_printf (out, "  %s: \"%s\"\n", label, safe);
}

/* What an address type means for the rules (the text of the JSON's "address-type"). */
static const char *
address_type_note (const char *type)
{
  if (type == NULL || g_str_equal (type, "public"))
    return "";
  if (g_str_equal (type, "static"))
    return " (random: no OUI rule applies)";
  return " (private: names nobody, no address or OUI rule applies)";
}

/* Values the explanation computed itself (ids, hex): printed as they are, sanitised only
 * because a daemon's answer is read here too. */
static void
append_plain (GString *out, const char *label, const char *value)
{
  g_autofree char *safe = NULL;

  if (value == NULL)
    return;
  safe = cg_sanitize_string (value, FACT_TEXT_MAX);
  g_string_append_printf (out, "  %s: %s\n", label, safe);
}

static void
append_bluetooth_facts (GString *out, JsonObject *bt)
{
  const char *class_hex = member_string (bt, "class");
  const char *class_name = member_string (bt, "class-name");

  const char *address_type = member_string (bt, "address-type");

  append_fact (out, "Bluetooth address", member_string (bt, "address"));
  if (address_type != NULL) {
    g_autofree char *safe = cg_sanitize_string (address_type, 32);
    g_string_append_printf (out, "  Bluetooth address type: %s%s\n", safe,
                            address_type_note (address_type));
  }
  if (class_hex != NULL) {
    g_autofree char *safe = cg_sanitize_string (class_hex, 16);
    g_autofree char *name = cg_sanitize_string (class_name != NULL ? class_name : "unknown", 64);
    g_string_append_printf (out, "  Bluetooth class: %s (%s)\n", safe, name);
  }
  append_fact (out, "Bluetooth name", member_string (bt, "name"));
  append_plain (out, "Bluetooth Device ID", member_string (bt, "device-id"));
  append_fact (out, "Bluetooth organization (hwdb)", member_string (bt, "organization"));
}

static void
append_usb_facts (GString *out, JsonObject *usb)
{
  JsonArray *classes = member_array (usb, "interface-classes");

  if (member_string (usb, "vid") != NULL && member_string (usb, "pid") != NULL) {
    g_autofree char *vid = cg_sanitize_string (member_string (usb, "vid"), 8);
    g_autofree char *pid = cg_sanitize_string (member_string (usb, "pid"), 8);
    g_string_append_printf (out, "  USB id: %s:%s\n", vid, pid);
  }
  append_fact (out, "USB manufacturer", member_string (usb, "manufacturer"));
  append_fact (out, "USB product", member_string (usb, "product"));
  append_fact (out, "USB serial", member_string (usb, "serial"));
  for (guint i = 0; classes != NULL && i < json_array_get_length (classes); i++)
    append_plain (out, "USB interface class", json_array_get_string_element (classes, i));
  append_plain (out, "Type-C partner VID", member_string (usb, "typec-partner-vid"));
  append_fact (out, "USB organization (hwdb)", member_string (usb, "organization"));
}

static void
append_rules (GString *out, JsonObject *decision)
{
  JsonArray *rules = member_array (decision, "rules");
  g_autofree char *level = cg_sanitize_string (member_string (decision, "level"), 32);

  g_string_append_printf (out, "  decided at level %s by:\n", level);
  for (guint i = 0; rules != NULL && i < json_array_get_length (rules); i++) {
    JsonObject *rule = json_array_get_object_element (rules, i);
    g_autofree char *where = cg_sanitize_string (member_string (rule, "rule"), 1024);
    g_autofree char *key = cg_sanitize_string (member_string (rule, "key"), 64);
    const char *vendor = member_string (rule, "vendor");

    if (vendor != NULL) {
      g_autofree char *value = cg_sanitize_string (member_string (rule, "value"), 1024);
      g_autofree char *id = cg_sanitize_string (vendor, 256);
      g_string_append_printf (out, "    %s %s=%s (vendor %s)\n", where, key, value, id);
    } else {
      g_string_append_printf (out, "    %s [%s]\n", where, key);
    }
  }
}

static void
append_warnings (GString *out, JsonObject *decision)
{
  JsonArray *warnings = member_array (decision, "warnings");

  for (guint i = 0; warnings != NULL && i < json_array_get_length (warnings); i++) {
    g_autofree char *safe = cg_sanitize_string (json_array_get_string_element (warnings, i), 2048);
    g_string_append_printf (out, "  warning: %s\n", safe);
  }
}

static void
append_bluetooth (GString *out, JsonObject *bt)
{
  JsonObject *profiles = member_object (bt, "profiles");
  g_autofree char *pairing = cg_sanitize_string (member_string (bt, "pairing"), 16);

  g_string_append_printf (out, "Bluetooth: pairing %s%s\n", pairing,
                          member_boolean (bt, "block") ? ", blocked" : "");
  g_string_append (out, "  profiles allowed:");
  append_words (out, member_array (profiles, "allowed"));
  g_string_append (out, "\n  profiles denied:");
  append_words (out, member_array (profiles, "denied"));
  g_string_append_c (out, '\n');
  if (member_boolean (bt, "all-uuids"))
    g_string_append (out, "  any other service UUID allowed\n");
  append_rules (out, bt);
  append_warnings (out, bt);
}

static void
append_usb (GString *out, JsonObject *usb)
{
  g_autofree char *mode = cg_sanitize_string (member_string (usb, "mode"), 16);
  g_autofree char *locked = cg_sanitize_string (member_string (usb, "while-locked"), 16);

  g_string_append_printf (out, "USB: mode %s, while locked %s\n", mode, locked);
  if (g_strcmp0 (mode, "data") == 0) {
    g_string_append (out, "  interfaces:");
    append_words (out, member_array (usb, "interfaces"));
    g_string_append_c (out, '\n');
  }
  append_rules (out, usb);
  append_warnings (out, usb);
}

char *
cg_explain_json_to_text (JsonNode *explanation)
{
  GString *out = g_string_new (NULL);
  JsonObject *root
      = JSON_NODE_HOLDS_OBJECT (explanation) ? json_node_get_object (explanation) : NULL;
  JsonObject *facts = member_object (root, "facts");

  append_bluetooth (out, member_object (root, "bluetooth"));
  append_usb (out, member_object (root, "usb"));
  g_string_append (out, "Facts:\n");
  append_bluetooth_facts (out, member_object (facts, "bluetooth"));
  append_usb_facts (out, member_object (facts, "usb"));
  return g_string_free (out, FALSE);
}

char *
cg_explain_to_text (const CgPolicy *policy, const CgFacts *facts)
{
  g_autoptr (JsonNode) explanation = cg_explain_to_json (policy, facts);

  return cg_explain_json_to_text (explanation);
}
