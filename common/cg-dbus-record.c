/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-dbus-record.h"

#include <string.h>

/* The string members in the order of the record's keys. */
static const struct {
  const char *key;
  gsize offset;
} string_keys[] = {
  { CG_DBUS_RECORD_ID, G_STRUCT_OFFSET (CgDbusRecord, id) },
  { CG_DBUS_RECORD_TRANSPORT, G_STRUCT_OFFSET (CgDbusRecord, transport) },
  { CG_DBUS_RECORD_DEVICE, G_STRUCT_OFFSET (CgDbusRecord, device) },
  { CG_DBUS_RECORD_NAME, G_STRUCT_OFFSET (CgDbusRecord, name) },
  { CG_DBUS_RECORD_USB_ID, G_STRUCT_OFFSET (CgDbusRecord, usb_id) },
  { CG_DBUS_RECORD_VENDOR, G_STRUCT_OFFSET (CgDbusRecord, vendor) },
  { CG_DBUS_RECORD_VENDOR_NAME, G_STRUCT_OFFSET (CgDbusRecord, vendor_name) },
  { CG_DBUS_RECORD_DECISION, G_STRUCT_OFFSET (CgDbusRecord, decision) },
  { CG_DBUS_RECORD_RULE, G_STRUCT_OFFSET (CgDbusRecord, rule) },
};

/* The question's string members, likewise. */
static const struct {
  const char *key;
  gsize offset;
} question_string_keys[] = {
  { CG_DBUS_QUESTION_ASKS, G_STRUCT_OFFSET (CgDbusQuestion, asks) },
  { CG_DBUS_QUESTION_KIND, G_STRUCT_OFFSET (CgDbusQuestion, kind) },
  { CG_DBUS_QUESTION_GRANTS, G_STRUCT_OFFSET (CgDbusQuestion, grants) },
  { CG_DBUS_QUESTION_WARNING, G_STRUCT_OFFSET (CgDbusQuestion, warning) },
};

static GVariant *
question_to_variant (const CgDbusQuestion *question)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, CG_DBUS_QUESTION_ID, "u", question->id);
  for (gsize i = 0; i < G_N_ELEMENTS (question_string_keys); i++) {
    const char *value = G_STRUCT_MEMBER (const char *, question, question_string_keys[i].offset);
    g_variant_dict_insert (&dict, question_string_keys[i].key, "s", value != NULL ? value : "");
  }
  if (question->has_passkey)
    g_variant_dict_insert (&dict, CG_DBUS_QUESTION_PASSKEY, "u", question->passkey);
  g_variant_dict_insert (&dict, CG_DBUS_QUESTION_SECONDS_LEFT, "u", question->seconds_left);
  return g_variant_dict_end (&dict);
}

static void
question_from_variant (GVariant *variant, CgDbusQuestion *question)
{
  g_autoptr (GVariant) dict
      = g_variant_lookup_value (variant, CG_DBUS_RECORD_QUESTION, G_VARIANT_TYPE_VARDICT);

  for (gsize i = 0; i < G_N_ELEMENTS (question_string_keys); i++)
    G_STRUCT_MEMBER (const char *, question, question_string_keys[i].offset) = "";
  /* The strings borrow from the record's own reference to the variant, which holds dict. */
  if (dict == NULL || !g_variant_lookup (dict, CG_DBUS_QUESTION_ID, "u", &question->id))
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (question_string_keys); i++)
    (void)g_variant_lookup (dict, question_string_keys[i].key, "&s",
                            G_STRUCT_MEMBER_P (question, question_string_keys[i].offset));
  question->has_passkey
      = g_variant_lookup (dict, CG_DBUS_QUESTION_PASSKEY, "u", &question->passkey);
  (void)g_variant_lookup (dict, CG_DBUS_QUESTION_SECONDS_LEFT, "u", &question->seconds_left);
}

static const char *const *
strv_or_empty (const char *const *strv)
{
  static const char *const empty[] = { NULL };

  return strv != NULL ? strv : empty;
}

GVariant *
cg_dbus_record_to_variant (const CgDbusRecord *record)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (string_keys); i++) {
    const char *value = G_STRUCT_MEMBER (const char *, record, string_keys[i].offset);
    if (value != NULL)
      g_variant_dict_insert (&dict, string_keys[i].key, "s", value);
  }
  g_variant_dict_insert_value (&dict, CG_DBUS_RECORD_ALLOWED,
                               g_variant_new_strv (strv_or_empty (record->allowed), -1));
  g_variant_dict_insert_value (&dict, CG_DBUS_RECORD_DENIED,
                               g_variant_new_strv (strv_or_empty (record->denied), -1));
  g_variant_dict_insert (&dict, CG_DBUS_RECORD_ENFORCED, "b", record->enforced);
  g_variant_dict_insert (&dict, CG_DBUS_RECORD_PENDING, "u", record->pending);
  if (record->question.id != 0)
    g_variant_dict_insert_value (&dict, CG_DBUS_RECORD_QUESTION,
                                 question_to_variant (&record->question));
  return g_variant_dict_end (&dict);
}

static const char *const *
lookup_strv (GVariant *variant, const char *key)
{
  const char **strv = NULL;

  if (!g_variant_lookup (variant, key, "^a&s", &strv))
    strv = g_new0 (const char *, 1);
  return strv;
}

void
cg_dbus_record_from_variant (GVariant *variant, CgDbusRecord *record)
{
  memset (record, 0, sizeof *record);
  record->source = g_variant_ref_sink (variant);
  for (gsize i = 0; i < G_N_ELEMENTS (string_keys); i++) {
    const char **member = G_STRUCT_MEMBER_P (record, string_keys[i].offset);
    if (!g_variant_lookup (variant, string_keys[i].key, "&s", member))
      *member = "";
  }
  record->allowed = lookup_strv (variant, CG_DBUS_RECORD_ALLOWED);
  record->denied = lookup_strv (variant, CG_DBUS_RECORD_DENIED);
  if (!g_variant_lookup (variant, CG_DBUS_RECORD_ENFORCED, "b", &record->enforced))
    record->enforced = FALSE;
  if (!g_variant_lookup (variant, CG_DBUS_RECORD_PENDING, "u", &record->pending))
    record->pending = 0;
  question_from_variant (variant, &record->question);
}

void
cg_dbus_record_clear (CgDbusRecord *record)
{
  /* Only a decoded record owns anything: its lists and its reference to the variant. */
  if (record->source != NULL) {
    g_free ((gpointer)record->allowed);
    g_free ((gpointer)record->denied);
    g_variant_unref (record->source);
  }
  memset (record, 0, sizeof *record);
}

char *
cg_dbus_question_ref_format (const char *device, guint32 question)
{
  return g_strdup_printf ("%s" CG_DBUS_QUESTION_SEPARATOR "%u", device, question);
}

gboolean
cg_dbus_question_ref_parse (const char *ref, char **device, guint32 *question)
{
  const char *separator = strrchr (ref, CG_DBUS_QUESTION_SEPARATOR[0]);
  guint64 id = 0;

  if (separator == NULL || separator == ref
      || !g_ascii_string_to_unsigned (separator + 1, 10, 1, G_MAXUINT32, &id, NULL))
    return FALSE;
  *device = g_strndup (ref, (gsize)(separator - ref));
  *question = (guint32)id;
  return TRUE;
}
