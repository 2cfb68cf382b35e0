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

/* "BYD head unit", else the device's own name, else its address; escaped for markup. */
static char *
device_label (const CgDbusRecord *record)
{
  g_autofree char *clean = NULL;

  if (record->vendor_name[0] != '\0')
    clean = g_strdup_printf ("%s head unit", record->vendor_name);
  else
    clean = g_strdup (record->name[0] != '\0' ? record->name : record->device);
  g_autofree char *bounded = cg_sanitize_string (clean, CG_NOTICE_NAME_MAX);
  return g_markup_escape_text (bounded, -1);
}

static gboolean
notice_for_block (const CgDbusRecord *record, CgNotice *out)
{
  g_autofree char *label = device_label (record);
  g_autofree char *blocked_text = describe_categories (record->denied);
  g_autofree char *allowed_text = describe_categories (record->allowed);
  GString *body = g_string_new (label);

  if (blocked_text[0] != '\0')
    g_string_append_printf (body, ": %s blocked", blocked_text);
  else if (g_str_equal (record->transport, "usb"))
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
notice_for_ask (const CgDbusRecord *record, CgNotice *out)
{
  g_autofree char *label = device_label (record);

  out->ask = TRUE;
  out->pending_id = record->pending;
  out->summary = g_strdup ("A car asks for access");
  out->body = g_strdup_printf ("%s wants to connect over %s. Allow it this once?", label,
                               g_str_equal (record->transport, "usb") ? "USB" : "Bluetooth");
  return TRUE;
}

/* The policy's refusals, and a person's or a timeout's ("deny (timeout)"). */
static gboolean
decision_refuses (const char *decision)
{
  return g_str_equal (decision, "deny") || g_str_has_prefix (decision, "deny (")
         || g_str_equal (decision, "block") || g_str_equal (decision, "charge-only");
}

gboolean
cg_notice_from_record (const CgDbusRecord *record, CgNotice *out)
{
  const char *decision = record->decision;

  memset (out, 0, sizeof *out);
  if (g_str_equal (decision, "ask"))
    return record->pending != 0 && notice_for_ask (record, out);
  /* A device that was allowed in but refused something (audio yes, contacts no) too. */
  if (decision_refuses (decision) || record->denied[0] != NULL)
    return notice_for_block (record, out);
  return FALSE;
}
