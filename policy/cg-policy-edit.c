/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-policy-edit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cg-policy.h"
#include "cg-root.h"
#include "cg-schema-private.h"

void
cg_policy_edit_clear (CgPolicyEdit *edit)
{
  g_clear_pointer (&edit->store, cg_store_free);
  g_clear_pointer (&edit->root, g_free);
  g_clear_pointer (&edit->name, g_free);
  g_clear_pointer (&edit->admin_path, g_free);
  g_clear_pointer (&edit->shipped_path, g_free);
  g_clear_pointer (&edit->display_path, g_free);
  g_clear_pointer (&edit->doc, cg_document_free);
  g_clear_pointer (&edit->original, g_free);
  g_clear_pointer (&edit->original_path, g_free);
}

static char *
policy_path (const char *dir, const char *vendor_id)
{
  g_autofree char *file = NULL;

  if (vendor_id == NULL)
    return g_build_filename (dir, CG_POLICY_MAIN_FILE, NULL);
  file = g_strconcat (vendor_id, ".conf", NULL);
  return g_build_filename (dir, CG_POLICY_VENDORS_DIR, file, NULL);
}

/* A mask is a symlink to /dev/null or an empty file. */
static gboolean
is_mask (const char *host_path)
{
  g_autofree char *target = g_file_read_link (host_path, NULL);
  GStatBuf st;

  if (target != NULL)
    return g_str_equal (target, "/dev/null");
  return g_stat (host_path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0;
}

static gboolean
exists_without_following (const char *host_path)
{
  GStatBuf st;

  return g_lstat (host_path, &st) == 0;
}

static gboolean
read_document (CgPolicyEdit *edit, const char *path, GPtrArray *diagnostics, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  /* A symlink in an image is followed as the image sees it, never out of the root. */
  if (!cg_root_read_file (edit->root, path, CG_POLICY_FILE_MAX_SIZE, &text, &len, error))
    return FALSE;
  edit->doc = cg_document_parse (path, text, len, diagnostics);
  edit->original = g_strndup (text, len);
  edit->original_path = g_strdup (path);
  if (edit->doc == NULL) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "%s has errors", path);
    return FALSE;
  }
  return TRUE;
}

static void
warn_if_runtime_override (CgPolicyEdit *edit, const char *vendor_id)
{
  g_autofree char *runtime_path = policy_path (CG_POLICY_DIR_RUNTIME, vendor_id);
  g_autofree char *host_path = cg_store_resolve (edit->store, runtime_path);

  if (exists_without_following (host_path))
    fprintf (stderr, "carguard: warning: %s overrides %s until the next boot\n", runtime_path,
             edit->admin_path);
}

gboolean
cg_policy_edit_begin (CgPolicyEdit *edit, const char *root, const char *vendor_id,
                      GPtrArray *diagnostics, GError **error)
{
  g_autofree char *admin_host = NULL;
  g_autofree char *shipped_host = NULL;

  edit->root = g_strdup (root);
  edit->store = cg_store_new (root);
  edit->name
      = vendor_id != NULL ? g_strconcat (vendor_id, ".conf", NULL) : g_strdup (CG_POLICY_MAIN_FILE);
  edit->admin_path = policy_path (CG_POLICY_DIR_ADMIN, vendor_id);
  edit->shipped_path = policy_path (CG_POLICY_DIR_SHIPPED, vendor_id);
  /* Named as the loader names files in its diagnostics: relative to the root. */
  edit->display_path = g_strdup (edit->admin_path);
  if (!cg_store_lock (edit->store, error))
    return FALSE;
  warn_if_runtime_override (edit, vendor_id);

  admin_host = cg_store_resolve (edit->store, edit->admin_path);
  shipped_host = cg_store_resolve (edit->store, edit->shipped_path);
  if (exists_without_following (admin_host)) {
    if (is_mask (admin_host)) {
      edit->state = CG_POLICY_FILE_MASKED;
      return TRUE;
    }
    edit->state = CG_POLICY_FILE_ADMIN;
    return read_document (edit, edit->admin_path, diagnostics, error);
  }
  if (exists_without_following (shipped_host) && !is_mask (shipped_host)) {
    edit->state = CG_POLICY_FILE_SHIPPED;
    return read_document (edit, edit->shipped_path, diagnostics, error);
  }
  edit->state = CG_POLICY_FILE_ABSENT;
  return TRUE;
}

void
cg_policy_edit_start_empty (CgPolicyEdit *edit)
{
  g_clear_pointer (&edit->doc, cg_document_free);
  edit->doc = cg_document_new_empty (edit->display_path);
}

/* Loads the whole policy with text standing in for the admin file, as `policy check
 * FILE` does; every diagnostic names the file as the edit will write it. */
static gboolean
validate (CgPolicyEdit *edit, const char *text, gsize len, GPtrArray *diagnostics, GError **error)
{
  const CgPolicySource candidate = { edit->display_path, text, len };
  const CgPolicyLoadOptions options
      = { .root = edit->root, .extra_sources = &candidate, .n_extra_sources = 1 };
  g_autoptr (CgPolicy) policy = cg_policy_load_with (&options, diagnostics, error);

  return policy != NULL;
}

gboolean
cg_policy_edit_commit (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error)
{
  gsize len = 0;
  g_autofree char *text = cg_document_to_data (edit->doc, &len);

  if (!validate (edit, text, len, diagnostics, error))
    return FALSE;
  return cg_store_write (edit->store, edit->admin_path, text, len, error);
}

gboolean
cg_policy_edit_check (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error)
{
  gsize len = 0;
  g_autofree char *text = cg_document_to_data (edit->doc, &len);

  return validate (edit, text, len, diagnostics, error);
}

gboolean
cg_policy_edit_check_removal (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error)
{
  return validate (edit, "", 0, diagnostics, error);
}

gboolean
cg_policy_edit_removal_masks (const CgPolicyEdit *edit)
{
  g_autofree char *shipped_host = cg_store_resolve (edit->store, edit->shipped_path);

  return exists_without_following (shipped_host);
}

gboolean
cg_policy_edit_commit_removal (CgPolicyEdit *edit, GPtrArray *diagnostics, GError **error)
{
  if (!validate (edit, "", 0, diagnostics, error))
    return FALSE;
  if (cg_policy_edit_removal_masks (edit))
    return cg_store_mask (edit->store, edit->admin_path, error);
  return cg_store_remove (edit->store, edit->admin_path, error);
}

/* ---------------------------------------------------------------- devices */

/* Where each kind of device key is written. */
static const struct {
  const char *section;
  const char *key;
} device_key_places[] = {
  [CG_DEVICE_KEY_BT_ADDRESS] = { "Device", "BluetoothAddress" },
  [CG_DEVICE_KEY_USB_SERIAL] = { "Device", "USBSerial" },
  [CG_DEVICE_KEY_USB_PRODUCT] = { "Match", "USB" },
};

/* A device key as the loader reads it: its place, the list item written for it and
 * that item parsed. */
typedef struct {
  const char *section;
  const char *key;
  CgMatchKind match;
  char *text;
  CgMatchItem item;
} DeviceEntry;

static void
device_entry_clear (DeviceEntry *entry)
{
  g_clear_pointer (&entry->text, g_free);
  cg_match_item_clear (&entry->item);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeviceEntry, device_entry_clear)

static char *
device_key_text (const CgDeviceKey *key)
{
  if (key->kind == CG_DEVICE_KEY_USB_PRODUCT)
    return g_strdup_printf ("%04x:%04x", key->usb_vid, key->usb_pid);
  if (key->text == NULL)
    return NULL;
  /* Addresses are written as the daemon and BlueZ print them. */
  return key->kind == CG_DEVICE_KEY_BT_ADDRESS ? g_ascii_strup (key->text, -1)
                                               : g_strdup (key->text);
}

static gboolean
device_entry_init (DeviceEntry *entry, const CgDeviceKey *key, GError **error)
{
  g_autofree char *message = NULL;

  g_return_val_if_fail (key->kind < G_N_ELEMENTS (device_key_places), FALSE);
  entry->section = device_key_places[key->kind].section;
  entry->key = device_key_places[key->kind].key;
  entry->match = cg_schema_lookup (FALSE, entry->section, entry->key)->match;
  entry->text = device_key_text (key);
  message = entry->text != NULL ? cg_match_item_parse (entry->match, entry->text, &entry->item)
                                : g_strdup_printf ("no %s given", entry->key);
  if (message != NULL) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "%s", message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
device_entry_names (const DeviceEntry *entry, const char *item)
{
  g_auto (CgMatchItem) parsed = { 0 };
  g_autofree char *message = cg_match_item_parse (entry->match, item, &parsed);

  return message == NULL && parsed.kind == entry->item.kind && parsed.id == entry->item.id
         && g_strcmp0 (parsed.text, entry->item.text) == 0;
}

/* The items of a list value; an unreadable one reads as empty (the loader refuses it). */
static GArray *
split_value (const char *value)
{
  const CgValueSite quiet = { "", 0, 0, NULL };
  GArray *items = value != NULL ? cg_schema_split_list (value, &quiet) : NULL;

  return items != NULL ? items : g_array_new (FALSE, TRUE, sizeof (CgListItem));
}

static gboolean
device_value_names (const DeviceEntry *entry, const char *value)
{
  g_autoptr (GArray) items = split_value (value);

  for (guint i = 0; i < items->len; i++)
    if (device_entry_names (entry, g_array_index (items, CgListItem, i).text))
      return TRUE;
  return FALSE;
}

/* One walk over the document, so a file of many blocked devices stays quick to edit. */
static gboolean
device_entry_find (const CgDocument *doc, const DeviceEntry *entry, guint *index)
{
  CgDocumentIter iter;
  const char *section, *key, *value;
  guint seen = 0;

  cg_document_iter_init (&iter, doc);
  while (cg_document_iter_next (&iter, &section, &key, &value)) {
    if (g_strcmp0 (section, entry->section) != 0)
      continue;
    if (key == NULL)
      seen++;
    else if (g_str_equal (key, entry->key) && device_value_names (entry, value)) {
      if (index != NULL)
        *index = seen - 1;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
cg_policy_edit_find_device (const CgPolicyEdit *edit, const CgDeviceKey *key, guint *index)
{
  g_auto (DeviceEntry) entry = { NULL };

  return edit->doc != NULL && device_entry_init (&entry, key, NULL)
         && device_entry_find (edit->doc, &entry, index);
}

/* A product joins the vendor's USB= list; an address or serial gets a [Device]. A
 * serial is the device's own text, so it is always quoted. */
static gboolean
device_entry_add (CgDocument *doc, const DeviceEntry *entry, guint *index, GError **error)
{
  const char *current;
  g_autofree char *value = NULL;

  if (entry->match == CG_MATCH_USB_ID) {
    current = cg_document_get (doc, entry->section, 0, entry->key);
    value = current != NULL && *current != '\0' ? g_strconcat (current, " ", entry->text, NULL)
                                                : g_strdup (entry->text);
    *index = 0;
  } else {
    value = entry->match == CG_MATCH_USB_SERIAL ? cg_schema_quote_item (entry->text)
                                                : g_strdup (entry->text);
    *index = cg_document_add_section (doc, entry->section);
  }
  return cg_document_set (doc, entry->section, *index, entry->key, value, error);
}

gboolean
cg_policy_edit_put_device (CgPolicyEdit *edit, const CgDeviceKey *key, const char *const *grant,
                           guint *index, GError **error)
{
  g_auto (DeviceEntry) entry = { NULL };
  gboolean product = key->kind == CG_DEVICE_KEY_USB_PRODUCT;
  guint at = 0;

  g_return_val_if_fail (edit->doc != NULL, FALSE);
  if (!device_entry_init (&entry, key, error))
    return FALSE;
  if (!device_entry_find (edit->doc, &entry, &at)
      && !device_entry_add (edit->doc, &entry, &at, error))
    return FALSE;
  for (guint i = 0; grant != NULL && grant[i] != NULL && grant[i + 1] != NULL; i += 2)
    if (!cg_document_set (edit->doc, product ? "Policy" : entry.section, product ? 0 : at, grant[i],
                          grant[i + 1], error))
      return FALSE;
  if (index != NULL)
    *index = at;
  return TRUE;
}

/* The list without the product's items; NULL when none is left. */
static char *
device_value_without (const DeviceEntry *entry, const char *value)
{
  g_autoptr (GArray) items = split_value (value);
  g_autoptr (GString) rest = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++) {
    const char *item = g_array_index (items, CgListItem, i).text;

    if (device_entry_names (entry, item))
      continue;
    if (rest->len > 0)
      g_string_append_c (rest, ' ');
    g_string_append (rest, item); /* VID or VID:PID: nothing to quote */
  }
  return rest->len > 0 ? g_string_free (g_steal_pointer (&rest), FALSE) : NULL;
}

gboolean
cg_policy_edit_remove_device (CgPolicyEdit *edit, const CgDeviceKey *key, GError **error)
{
  g_auto (DeviceEntry) entry = { NULL };
  g_autofree char *rest = NULL;
  guint at;

  g_return_val_if_fail (edit->doc != NULL, FALSE);
  if (!device_entry_init (&entry, key, error))
    return FALSE;
  if (!device_entry_find (edit->doc, &entry, &at)) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "%s names no %s=%s",
                 cg_document_get_file (edit->doc), entry.key, entry.text);
    return FALSE;
  }
  if (entry.match != CG_MATCH_USB_ID)
    return cg_document_remove_section (edit->doc, entry.section, at, error);
  rest = device_value_without (&entry, cg_document_get (edit->doc, entry.section, at, entry.key));
  if (rest == NULL)
    return cg_document_unset (edit->doc, entry.section, at, entry.key, error);
  return cg_document_set (edit->doc, entry.section, at, entry.key, rest, error);
}

/* ---------------------------------------------------------------- lists */

/* One list item as the loader reads it, and as it is to be written. */
typedef struct {
  CgMatchItem item;
  char *written;
} ListItem;

static void
list_item_clear (ListItem *item)
{
  cg_match_item_clear (&item->item);
  g_clear_pointer (&item->written, g_free);
}

static gboolean
list_items_equal (const CgMatchItem *a, const CgMatchItem *b)
{
  return a->kind == b->kind && a->id == b->id && g_strcmp0 (a->text, b->text) == 0;
}

static const CgSchemaKey *
list_key (const char *key, GError **error)
{
  const CgSchemaKey *entry = cg_schema_lookup (FALSE, "Match", key);

  if (entry == NULL || entry->type != CG_VALUE_MATCH_LIST) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID,
                 "%s is not a list: += and -= work on the [Match] keys", key);
    return NULL;
  }
  return entry;
}

/* The items of value; NULL with error if one is invalid. Texts (globs) are written
 * quoted, identifiers as given. */
static GArray *
list_items_parse (const CgSchemaKey *key, const char *value, GError **error)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  const CgValueSite site = { "<command line>", 1, 1, diagnostics };
  g_autoptr (GArray) written = cg_schema_split_list (value, &site);
  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (ListItem));

  g_array_set_clear_func (items, (GDestroyNotify)list_item_clear);
  for (guint i = 0; written != NULL && i < written->len; i++) {
    const char *text = g_array_index (written, CgListItem, i).text;
    ListItem item = { 0 };
    g_autofree char *message = cg_match_item_parse (key->match, text, &item.item);

    if (message != NULL) {
      cg_match_item_clear (&item.item);
      g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "%s: %s", key->key, message);
      return NULL;
    }
    item.written = item.item.text != NULL ? cg_schema_quote_item (text) : g_strdup (text);
    g_array_append_val (items, item);
  }
  if (written == NULL) {
    cg_diagnostics_to_error (diagnostics, error);
    return NULL;
  }
  return g_steal_pointer (&items);
}

/* The values of the key's lines in the first [Match], in file order: one walk over the
 * document, so a list of thousands of lines stays quick to edit. */
static GPtrArray *
list_lines (const CgPolicyEdit *edit, const CgSchemaKey *key)
{
  GPtrArray *values = g_ptr_array_new ();
  CgDocumentIter iter;
  const char *section, *name, *value;
  guint seen = 0;

  cg_document_iter_init (&iter, edit->doc);
  while (cg_document_iter_next (&iter, &section, &name, &value)) {
    if (g_strcmp0 (section, "Match") != 0)
      continue;
    if (name == NULL)
      seen++;
    else if (seen == 1 && g_str_equal (name, key->key))
      g_ptr_array_add (values, (gpointer)value);
  }
  return values;
}

/* What the list holds now: the items of its lines after the last empty one. */
static GArray *
list_items_held (const CgPolicyEdit *edit, const CgSchemaKey *key)
{
  g_autoptr (GPtrArray) lines = list_lines (edit, key);
  GArray *held = g_array_new (FALSE, TRUE, sizeof (ListItem));

  g_array_set_clear_func (held, (GDestroyNotify)list_item_clear);
  for (guint i = 0; i < lines->len; i++) {
    const char *value = g_ptr_array_index (lines, i);
    g_autoptr (GArray) items = *value == '\0' ? NULL : list_items_parse (key, value, NULL);

    if (*value == '\0')
      g_array_set_size (held, 0);
    for (guint j = 0; items != NULL && j < items->len; j++) {
      ListItem *item = &g_array_index (items, ListItem, j);
      g_array_append_val (held, *item);
      memset (item, 0, sizeof *item);
    }
  }
  return held;
}

static gboolean
list_holds (GArray *items, const CgMatchItem *wanted)
{
  for (guint i = 0; i < items->len; i++)
    if (list_items_equal (&g_array_index (items, ListItem, i).item, wanted))
      return TRUE;
  return FALSE;
}

guint
cg_policy_edit_list_count (const CgPolicyEdit *edit, const char *key)
{
  const CgSchemaKey *entry = list_key (key, NULL);
  g_autoptr (GArray) held = NULL;

  if (entry == NULL || edit->doc == NULL)
    return 0;
  held = list_items_held (edit, entry);
  return held->len;
}

static gboolean
append_lines (CgPolicyEdit *edit, const char *key, GPtrArray *written, GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  gsize prefix = strlen (key) + 1;

  for (guint i = 0; i < written->len; i++) {
    const char *item = g_ptr_array_index (written, i);

    if (line->len > 0 && prefix + line->len + 1 + strlen (item) > CG_POLICY_EDIT_LIST_WIDTH) {
      if (!cg_document_append (edit->doc, "Match", 0, key, line->str, error))
        return FALSE;
      g_string_truncate (line, 0);
    }
    if (line->len > 0)
      g_string_append_c (line, ' ');
    g_string_append (line, item);
  }
  return line->len == 0 || cg_document_append (edit->doc, "Match", 0, key, line->str, error);
}

gboolean
cg_policy_edit_list_add (CgPolicyEdit *edit, const char *key, const char *value, guint *n_added,
                         GError **error)
{
  const CgSchemaKey *entry = list_key (key, error);
  g_autoptr (GArray) items = NULL;
  g_autoptr (GArray) held = NULL;
  g_autoptr (GPtrArray) written = g_ptr_array_new ();

  g_return_val_if_fail (edit->doc != NULL, FALSE);
  if (entry == NULL || (items = list_items_parse (entry, value, error)) == NULL)
    return FALSE;
  held = list_items_held (edit, entry);
  for (guint i = 0; i < items->len; i++) {
    ListItem *item = &g_array_index (items, ListItem, i);

    if (list_holds (held, &item->item))
      continue;
    g_ptr_array_add (written, item->written);
    g_array_append_val (held, *item);
    memset (item, 0, sizeof *item);
  }
  if (n_added != NULL)
    *n_added = written->len;
  return append_lines (edit, entry->key, written, error);
}

/* The line without the items of removed; NULL when none is left. */
static char *
line_without (const CgSchemaKey *key, const char *value, GArray *removed, gboolean *changed)
{
  g_autoptr (GArray) items = list_items_parse (key, value, NULL);
  g_autoptr (GString) rest = g_string_new (NULL);

  *changed = FALSE;
  for (guint i = 0; items != NULL && i < items->len; i++) {
    const ListItem *item = &g_array_index (items, ListItem, i);

    if (list_holds (removed, &item->item)) {
      *changed = TRUE;
      continue;
    }
    if (rest->len > 0)
      g_string_append_c (rest, ' ');
    g_string_append (rest, item->written);
  }
  return rest->len > 0 ? g_string_free (g_steal_pointer (&rest), FALSE) : NULL;
}

static gboolean
check_all_held (const CgPolicyEdit *edit, const CgSchemaKey *key, GArray *items, GError **error)
{
  g_autoptr (GArray) held = list_items_held (edit, key);
  g_autoptr (GString) missing = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++) {
    const ListItem *item = &g_array_index (items, ListItem, i);
    if (!list_holds (held, &item->item))
      g_string_append_printf (missing, "%s%s", missing->len > 0 ? " " : "", item->written);
  }
  if (missing->len == 0)
    return TRUE;
  g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "%s: %s= does not list %s",
               cg_document_get_file (edit->doc), key->key, missing->str);
  return FALSE;
}

gboolean
cg_policy_edit_list_remove (CgPolicyEdit *edit, const char *key, const char *value, GError **error)
{
  const CgSchemaKey *entry = list_key (key, error);
  g_autoptr (GArray) items = NULL;
  g_autoptr (GPtrArray) lines = NULL;

  g_return_val_if_fail (edit->doc != NULL, FALSE);
  if (entry == NULL || (items = list_items_parse (entry, value, error)) == NULL
      || !check_all_held (edit, entry, items, error))
    return FALSE;
  lines = list_lines (edit, entry);
  /* From the last line back, so the line numbers ahead stay what they were. */
  for (guint i = lines->len; i-- > 0;) {
    const char *line = g_ptr_array_index (lines, i);
    gboolean changed = FALSE;
    g_autofree char *rest = *line != '\0' ? line_without (entry, line, items, &changed) : NULL;

    if (changed && !cg_document_replace_nth (edit->doc, "Match", 0, entry->key, i, rest, error))
      return FALSE;
  }
  return TRUE;
}
