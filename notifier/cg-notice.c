/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-notice.h"

#include <string.h>

#include "cg-sanitize.h"

#define CG_NOTICE_NAME_MAX 64

void
cg_notice_clear (CgNotice *notice)
{
  g_clear_pointer (&notice->summary, g_free);
  g_clear_pointer (&notice->body, g_free);
}

/* What a person calls the data a profile or USB function carries. */
static const char *
category_for (const char *item)
{
  static const char *const categories[][2] = {
    { "a2dp", "audio" },      { "avrcp", "audio" },        { "hfp", "calls" },
    { "hsp", "calls" },       { "pbap", "contacts" },      { "map", "messages" },
    { "opp", "files" },       { "ftp", "files" },          { "bip", "pictures" },
    { "sync", "calendar" },   { "pan", "network" },        { "dun", "network" },
    { "spp", "serial data" }, { "hid", "input" },          { "sap", "SIM card" },
    { "audio", "audio" },     { "mass-storage", "files" }, { "image", "pictures" },
    { "cdc", "network" },     { "cdc-data", "network" },   { "video", "video" },
    { "data", "data" },       { "charge", "charging" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (categories); i++) {
    if (g_str_equal (categories[i][0], item))
      return categories[i][1];
  }
  return NULL;
}

/* "contacts and messages", each category once, in the order first seen. */
static char *
describe_categories (const char *const *items)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new ();
  GString *text = g_string_new (NULL);

  for (guint i = 0; items != NULL && items[i] != NULL; i++) {
    const char *category = category_for (items[i]);
    if (category != NULL && !g_ptr_array_find_with_equal_func (seen, category, g_str_equal, NULL))
      g_ptr_array_add (seen, (gpointer)category);
  }
  for (guint i = 0; i < seen->len; i++) {
    if (i > 0)
      g_string_append (text, i + 1 == seen->len ? " and " : ", ");
    g_string_append (text, g_ptr_array_index (seen, i));
  }
  return g_string_free (text, FALSE);
}

static const char *
lookup_string (GVariant *record, const char *key)
{
  const char *value = NULL;

  return g_variant_lookup (record, key, "&s", &value) ? value : "";
}

/* "BYD head unit", else the device's own name, else its address; escaped for markup. */
static char *
device_label (GVariant *record)
{
  const char *vendor = lookup_string (record, "VendorName");
  const char *name = lookup_string (record, "Name");
  g_autofree char *clean = NULL;

  if (vendor[0] != '\0')
    clean = g_strdup_printf ("%s head unit", vendor);
  else
    clean = g_strdup (name[0] != '\0' ? name : lookup_string (record, "Device"));
  g_autofree char *bounded = cg_sanitize_string (clean, CG_NOTICE_NAME_MAX);
  return g_markup_escape_text (bounded, -1);
}

static gboolean
notice_for_block (GVariant *record, CgNotice *out)
{
  g_autofree char *label = device_label (record);
  g_autofree const char **allowed = NULL;
  g_autofree const char **denied = NULL;
  g_autofree char *blocked_text = NULL;
  g_autofree char *allowed_text = NULL;
  GString *body = g_string_new (label);

  g_variant_lookup (record, "Allowed", "^a&s", &allowed);
  g_variant_lookup (record, "Denied", "^a&s", &denied);
  blocked_text = describe_categories (denied);
  allowed_text = describe_categories (allowed);
  if (blocked_text[0] != '\0')
    g_string_append_printf (body, ": %s blocked", blocked_text);
  else if (g_str_equal (lookup_string (record, "Transport"), "usb"))
    g_string_append (body, ": data blocked, charging allowed");
  else
    g_string_append (body, ": blocked");
  if (allowed_text[0] != '\0')
    g_string_append_printf (body, ", %s allowed", allowed_text);
  out->summary = g_strdup ("carguard protected your data");
  out->body = g_string_free (body, FALSE);
  return TRUE;
}

static gboolean
notice_for_ask (GVariant *record, guint32 pending_id, CgNotice *out)
{
  g_autofree char *label = device_label (record);
  const char *transport = lookup_string (record, "Transport");

  out->ask = TRUE;
  out->pending_id = pending_id;
  out->summary = g_strdup ("A car asks for access");
  out->body = g_strdup_printf ("%s wants to connect over %s. Allow it this once?", label,
                               g_str_equal (transport, "usb") ? "USB" : "Bluetooth");
  return TRUE;
}

/* A device that was allowed in but refused something (audio yes, contacts no). */
static gboolean
has_denied (GVariant *record)
{
  g_autofree const char **denied = NULL;

  return g_variant_lookup (record, "Denied", "^a&s", &denied) && denied[0] != NULL;
}

/* The policy's refusals, and a person's or a timeout's ("deny (timeout)"). */
static gboolean
decision_refuses (const char *decision)
{
  return g_str_equal (decision, "deny") || g_str_has_prefix (decision, "deny (")
         || g_str_equal (decision, "block") || g_str_equal (decision, "charge-only");
}

gboolean
cg_notice_from_record (GVariant *record, CgNotice *out)
{
  const char *decision = lookup_string (record, "Decision");
  guint32 pending_id = 0;

  memset (out, 0, sizeof *out);
  g_variant_lookup (record, "Pending", "u", &pending_id);
  if (g_str_equal (decision, "ask"))
    return pending_id != 0 && notice_for_ask (record, pending_id, out);
  if (decision_refuses (decision) || has_denied (record))
    return notice_for_block (record, out);
  return FALSE;
}
