/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cg-approvals.h"
#include "cg-policy.h"
#include "cg-sanitize.h"
#include "cg-store.h"

#define APPROVAL_NAME_MAX 248
#define APPROVAL_VALUE_MAX 128

/* The file, one group per device:
 *   [bluetooth 00:AA:01:01:00:01]
 *   By=person
 *   Name=Lab car
 *   Approved=1733100000
 *   address=00:AA:01:01:00:01
 *   class=0x200420
 *   ...
 * Keys that start with an upper-case letter are the approval's own; lower-case ones
 * are its binding. */
#define KEY_BY "By"
#define KEY_NAME "Name"
#define KEY_APPROVED "Approved"

struct _CgApprovals {
  GObject parent_instance;
  char *path;           /* NULL: memory only */
  GHashTable *approval; /* "transport device" (device upper case) -> CgApproval * */
};

G_DEFINE_FINAL_TYPE (CgApprovals, cg_approvals, G_TYPE_OBJECT)

enum { SIGNAL_FORGOTTEN, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- one approval ---- */

CgApproval *
cg_approval_copy (const CgApproval *approval)
{
  CgApproval *copy = g_new0 (CgApproval, 1);

  copy->transport = g_strdup (approval->transport);
  copy->device = g_strdup (approval->device);
  copy->by = approval->by;
  copy->name = g_strdup (approval->name);
  copy->approved = approval->approved;
  copy->binding = g_strdupv (approval->binding);
  return copy;
}

void
cg_approval_free (CgApproval *approval)
{
  if (approval == NULL)
    return;
  g_free (approval->transport);
  g_free (approval->device);
  g_free (approval->name);
  g_strfreev (approval->binding);
  g_free (approval);
}

const char *
cg_approval_by_to_string (CgApprovalBy by)
{
  return by == CG_APPROVAL_BY_PERSON ? "person" : "policy";
}

static gboolean
approval_by_from_string (const char *s, CgApprovalBy *out)
{
  if (g_strcmp0 (s, "person") == 0)
    *out = CG_APPROVAL_BY_PERSON;
  else if (g_strcmp0 (s, "policy") == 0)
    *out = CG_APPROVAL_BY_POLICY;
  else
    return FALSE;
  return TRUE;
}

static const char *
binding_lookup (const char *const *binding, const char *key)
{
  gsize key_len = strlen (key);

  for (gsize i = 0; binding != NULL && binding[i] != NULL; i++)
    if (strncmp (binding[i], key, key_len) == 0 && binding[i][key_len] == '=')
      return binding[i] + key_len + 1;
  return NULL;
}

const char *
cg_approval_get (const CgApproval *approval, const char *key)
{
  return binding_lookup ((const char *const *)approval->binding, key);
}

static const char *
binding_first_missing (const char *const *from, const char *const *in)
{
  for (gsize i = 0; from != NULL && from[i] != NULL; i++)
    if (!g_strv_contains (in, from[i]))
      return from[i];
  return NULL;
}

char *
cg_approval_first_difference (const CgApproval *approval, const char *const *binding)
{
  static const char *const none[] = { NULL };
  const char *const *ours = approval->binding ? (const char *const *)approval->binding : none;
  const char *const *theirs = binding ? binding : none;
  const char *differs = binding_first_missing (ours, theirs);

  if (differs == NULL)
    differs = binding_first_missing (theirs, ours);
  if (differs == NULL)
    return NULL;
  /* The key only: a value may be what the device chose. */
  return g_strndup (differs, strcspn (differs, "="));
}

static gboolean
binding_key_is_valid (const char *key, gsize len)
{
  if (len == 0 || len > 32)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (key[i]) && !g_ascii_isdigit (key[i]) && key[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
binding_value_is_valid (const char *value)
{
  gsize len = strnlen (value, APPROVAL_VALUE_MAX + 1);

  if (len > APPROVAL_VALUE_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isgraph (value[i]))
      return FALSE;
  return TRUE;
}

static gboolean
binding_pair_is_valid (const char *pair)
{
  const char *eq = strchr (pair, '=');

  return eq != NULL && binding_key_is_valid (pair, eq - pair) && binding_value_is_valid (eq + 1);
}

static gboolean
approval_is_valid (const CgApproval *approval, GError **error)
{
  guint8 address[6];

  if (g_strcmp0 (approval->transport, "bluetooth") != 0 || approval->device == NULL
      || !cg_bt_address_parse (approval->device, address)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a Bluetooth device: %s %s",
                 approval->transport ? approval->transport : "(none)",
                 approval->device ? approval->device : "(none)");
    return FALSE;
  }
  if (approval->binding == NULL || g_strv_length (approval->binding) == 0
      || g_strv_length (approval->binding) > CG_APPROVALS_MAX_BINDING) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "approval of %s: a binding of 1 to %u facts is needed", approval->device,
                 CG_APPROVALS_MAX_BINDING);
    return FALSE;
  }
  for (guint i = 0; approval->binding[i] != NULL; i++)
    if (!binding_pair_is_valid (approval->binding[i])) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "approval of %s: malformed fact %u",
                   approval->device, i);
      return FALSE;
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static void
binding_sort (GStrv binding)
{
  if (binding != NULL)
    qsort (binding, g_strv_length (binding), sizeof (char *), compare_strings);
}

/* ---- the set ---- */

static char *
approval_key (const char *transport, const char *device)
{
  g_autofree char *upper = g_ascii_strup (device, -1);

  return g_strconcat (transport, " ", upper, NULL);
}

static void
cg_approvals_finalize (GObject *object)
{
  CgApprovals *self = CG_APPROVALS (object);

  g_hash_table_unref (self->approval);
  g_free (self->path);
  G_OBJECT_CLASS (cg_approvals_parent_class)->finalize (object);
}

static void
cg_approvals_class_init (CgApprovalsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cg_approvals_finalize;
  signals[SIGNAL_FORGOTTEN]
      = g_signal_new ("forgotten", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT);
}

static void
cg_approvals_init (CgApprovals *self)
{
  self->approval
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)cg_approval_free);
}

CgApprovals *
cg_approvals_new (const char *path)
{
  CgApprovals *self = g_object_new (CG_TYPE_APPROVALS, NULL);

  self->path = g_strdup (path);
  return self;
}

static void
approvals_insert (GHashTable *table, CgApproval *approval)
{
  g_hash_table_replace (table, approval_key (approval->transport, approval->device), approval);
}

/* ---- reading ---- */

static CgApproval *
approval_from_group (GKeyFile *file, const char *group, GError **error)
{
  g_autoptr (CgApproval) approval = g_new0 (CgApproval, 1);
  g_auto (GStrv) keys = g_key_file_get_keys (file, group, NULL, error);
  g_autoptr (GStrvBuilder) binding = g_strv_builder_new ();
  g_auto (GStrv) parts = g_strsplit (group, " ", 3);
  g_autofree char *by = NULL;
  g_autofree char *approved = NULL;

  if (keys == NULL)
    return NULL;
  if (g_strv_length (parts) == 2) {
    approval->transport = g_strdup (parts[0]);
    approval->device = g_ascii_strup (parts[1], -1);
  }
  by = g_key_file_get_value (file, group, KEY_BY, NULL);
  approved = g_key_file_get_value (file, group, KEY_APPROVED, NULL);
  approval->name = g_key_file_get_string (file, group, KEY_NAME, NULL);
  if (!approval_by_from_string (by, &approval->by) || approved == NULL
      || !g_ascii_string_to_signed (approved, 10, 0, G_MAXINT64, &approval->approved, NULL)
      || (approval->name != NULL && !g_utf8_validate (approval->name, -1, NULL))) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "[%s]: By= or Approved= is missing or malformed", group);
    return NULL;
  }
  for (guint i = 0; keys[i] != NULL; i++) {
    g_autofree char *value = NULL;
    g_autofree char *pair = NULL;
    if (g_ascii_isupper (keys[i][0]))
      continue;
    value = g_key_file_get_value (file, group, keys[i], NULL);
    pair = g_strconcat (keys[i], "=", value ? value : "", NULL);
    g_strv_builder_add (binding, pair);
  }
  approval->binding = g_strv_builder_end (binding);
  binding_sort (approval->binding);
  if (!approval_is_valid (approval, error))
    return NULL;
  return g_steal_pointer (&approval);
}

static gboolean
approvals_parse (const char *path, const char *data, gsize len, GHashTable *into, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_auto (GStrv) groups = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!g_utf8_validate (data, len, NULL)
      || !g_key_file_load_from_data (file, data, len, G_KEY_FILE_NONE, &local_error)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path,
                 local_error ? local_error->message : "not UTF-8");
    return FALSE;
  }
  groups = g_key_file_get_groups (file, NULL);
  if (g_strv_length (groups) > CG_APPROVALS_MAX_ENTRIES) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: more than %u approvals", path,
                 CG_APPROVALS_MAX_ENTRIES);
    return FALSE;
  }
  for (guint i = 0; groups[i] != NULL; i++) {
    CgApproval *approval = approval_from_group (file, groups[i], &local_error);
    if (approval == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }
    approvals_insert (into, approval);
  }
  return TRUE;
}

gboolean
cg_approvals_load (CgApprovals *approvals, GError **error)
{
  g_autoptr (GHashTable) loaded
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)cg_approval_free);
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (CG_IS_APPROVALS (approvals), FALSE);
  g_hash_table_remove_all (approvals->approval);
  if (approvals->path == NULL)
    return TRUE;
  mapped = g_mapped_file_new (approvals->path, FALSE, &local_error);
  if (mapped == NULL) {
    if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  len = g_mapped_file_get_length (mapped);
  if (len > CG_APPROVALS_MAX_BYTES) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: larger than %u bytes",
                 approvals->path, CG_APPROVALS_MAX_BYTES);
    return FALSE;
  }
  if (len > 0
      && !approvals_parse (approvals->path, g_mapped_file_get_contents (mapped), len, loaded,
                           error))
    return FALSE;
  g_hash_table_unref (approvals->approval);
  approvals->approval = g_steal_pointer (&loaded);
  return TRUE;
}

const CgApproval *
cg_approvals_lookup (CgApprovals *approvals, const char *transport, const char *device)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CG_IS_APPROVALS (approvals), NULL);
  if (transport == NULL || device == NULL)
    return NULL;
  key = approval_key (transport, device);
  return g_hash_table_lookup (approvals->approval, key);
}

static int
compare_approvals (gconstpointer a, gconstpointer b)
{
  const CgApproval *x = *(const CgApproval *const *)a;
  const CgApproval *y = *(const CgApproval *const *)b;
  int by_transport = strcmp (x->transport, y->transport);

  return by_transport != 0 ? by_transport : strcmp (x->device, y->device);
}

GPtrArray *
cg_approvals_list (CgApprovals *approvals)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, approvals->approval);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_approvals);
  return list;
}

/* ---- writing ---- */

static char *
approvals_serialize (CgApprovals *approvals)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GPtrArray) list = cg_approvals_list (approvals);

  g_key_file_set_comment (file, NULL, NULL,
                          " What a person or the policy allowed, bound to each device and its bond."
                          "\n Written by carguardd; `carguard revoke DEVICE` withdraws one.",
                          NULL);
  for (guint i = 0; i < list->len; i++) {
    const CgApproval *approval = g_ptr_array_index (list, i);
    g_autofree char *group = g_strconcat (approval->transport, " ", approval->device, NULL);
    g_key_file_set_value (file, group, KEY_BY, cg_approval_by_to_string (approval->by));
    if (approval->name != NULL)
      g_key_file_set_string (file, group, KEY_NAME, approval->name);
    g_key_file_set_int64 (file, group, KEY_APPROVED, approval->approved);
    for (guint b = 0; approval->binding[b] != NULL; b++) {
      g_autofree char *key = g_strndup (approval->binding[b],
                                        strchr (approval->binding[b], '=') - approval->binding[b]);
      g_key_file_set_value (file, group, key, strchr (approval->binding[b], '=') + 1);
    }
  }
  return g_key_file_to_data (file, NULL, NULL);
}

static gboolean
approvals_save (CgApprovals *approvals, GError **error)
{
  g_autoptr (CgStore) store = NULL;
  g_autofree char *data = NULL;

  if (approvals->path == NULL)
    return TRUE;
  store = cg_store_new ("/");
  data = approvals_serialize (approvals);
  return cg_store_write (store, approvals->path, data, strlen (data), error);
}

gboolean
cg_approvals_record (CgApprovals *approvals, const CgApproval *approval, GError **error)
{
  g_autoptr (CgApproval) copy = NULL;

  g_return_val_if_fail (CG_IS_APPROVALS (approvals), FALSE);
  copy = cg_approval_copy (approval);
  g_free (copy->device);
  copy->device = g_ascii_strup (approval->device, -1);
  g_free (copy->name);
  copy->name = approval->name ? cg_sanitize_string (approval->name, APPROVAL_NAME_MAX) : NULL;
  binding_sort (copy->binding);
  if (!approval_is_valid (copy, error))
    return FALSE;
  approvals_insert (approvals->approval, g_steal_pointer (&copy));
  return approvals_save (approvals, error);
}

gboolean
cg_approvals_forget (CgApprovals *approvals, const char *transport, const char *device,
                     CgApprovalEnd end, GError **error)
{
  g_autofree char *key = NULL;
  gboolean saved;

  g_return_val_if_fail (CG_IS_APPROVALS (approvals), FALSE);
  key = approval_key (transport, device);
  if (!g_hash_table_remove (approvals->approval, key))
    return FALSE;
  saved = approvals_save (approvals, error);
  g_signal_emit (approvals, signals[SIGNAL_FORGOTTEN], 0, transport, device, (guint)end);
  return saved;
}
