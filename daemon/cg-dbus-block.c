/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "cg-dbus-block.h"
#include "cg-document-private.h"
#include "cg-policy-edit.h"

static void
block_file_start (CgPolicyEdit *edit)
{
  cg_policy_edit_start_empty (edit);
  cg_document_add_section (edit->doc, "Vendor");
  cg_document_set (edit->doc, "Vendor", 0, "Name", "Blocked on this machine", NULL);
  cg_document_set (edit->doc, "Vendor", 0, "Comment",
                   "Devices an administrator blocked with carguard block.", NULL);
  cg_document_add_section (edit->doc, "Policy");
  cg_document_set (edit->doc, "Policy", 0, "Preset", "block", NULL);
}

/* Whether some line of the file already says KEY=VALUE (values compared without case,
 * quotes ignored), so a second Block of the same device adds nothing. */
static gboolean
document_has_value (const CgDocument *doc, const char *key, const char *value)
{
  for (guint i = 0; i < cg_document_get_n_lines (doc); i++) {
    const CgDocLine *line = cg_document_get_line (doc, i);
    g_auto (GStrv) words = NULL;

    if (line->kind != CG_DOC_LINE_KEY || g_strcmp0 (line->name, key) != 0)
      continue;
    if (!g_shell_parse_argv (line->value, NULL, &words, NULL))
      continue;
    for (guint w = 0; words[w] != NULL; w++) {
      if (g_ascii_strcasecmp (words[w], value) == 0)
        return TRUE;
    }
  }
  return FALSE;
}

/* A list item in double quotes, as FORMAT.md allows: only \" and \\ are escapes. */
static char *
policy_quote (const char *value)
{
  GString *quoted = g_string_new ("\"");

  for (const char *p = value; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c (quoted, '\\');
    g_string_append_c (quoted, *p);
  }
  g_string_append_c (quoted, '"');
  return g_string_free (quoted, FALSE);
}

static gboolean
block_add_device (CgDocument *doc, const char *key, const char *value, GError **error)
{
  g_autofree char *quoted = policy_quote (value);
  guint index;

  if (document_has_value (doc, key, value))
    return TRUE;
  index = cg_document_add_section (doc, "Device");
  return cg_document_set (doc, "Device", index, key, quoted, error)
         && cg_document_set (doc, "Device", index, "Preset", "block", error);
}

static gboolean
block_add_product (CgDocument *doc, guint16 vid, guint16 pid, GError **error)
{
  g_autofree char *id = g_strdup_printf ("%04x:%04x", vid, pid);
  const char *current = cg_document_get (doc, "Match", 0, "USB");
  g_autofree char *value = NULL;

  if (document_has_value (doc, "USB", id))
    return TRUE;
  if (current == NULL)
    cg_document_add_section (doc, "Match");
  value = current != NULL ? g_strconcat (current, " ", id, NULL) : g_strdup (id);
  return cg_document_set (doc, "Match", 0, "USB", value, error);
}

static gboolean
block_add_target (CgDocument *doc, const CgBlockTarget *target, GError **error)
{
  if (target->bt_address != NULL)
    return block_add_device (doc, "BluetoothAddress", target->bt_address, error);
  if (target->usb_serial != NULL && target->usb_serial[0] != '\0')
    return block_add_device (doc, "USBSerial", target->usb_serial, error);
  if (target->has_usb_id)
    return block_add_product (doc, target->usb_vid, target->usb_pid, error);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "the device has no address, serial number or USB id to block it by");
  return FALSE;
}

gboolean
cg_dbus_block_persist (const char *root, const CgBlockTarget *target, GPtrArray *diagnostics,
                       GError **error)
{
  g_auto (CgPolicyEdit) edit = { NULL };

  if (!cg_policy_edit_begin (&edit, root, CG_BLOCK_VENDOR_ID, diagnostics, error))
    return FALSE;
  if (edit.state == CG_POLICY_FILE_MASKED) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s is masked; unmask it to block devices",
                 edit.display_path);
    return FALSE;
  }
  if (edit.doc == NULL)
    block_file_start (&edit);
  if (!block_add_target (edit.doc, target, error))
    return FALSE;
  return cg_policy_edit_commit (&edit, diagnostics, error);
}
