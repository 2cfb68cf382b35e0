/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "cg-device-registry.h"
#include "cg-sanitize.h"

/* Bounds for device-supplied strings: enough for any real name, too little to flood
 * a log line, a D-Bus reply or a notification. */
#define CG_DEVICE_NAME_MAX 248
#define CG_DEVICE_FIELD_MAX 128

struct _CgDeviceRegistry {
  GObject parent_instance;
  GHashTable *records; /* id → CgDeviceRecord */
  CgPending *pending;
  GHashTable *unpublished; /* pending ids waiting for the idle check, id → source id */
  GHashTable *guards;      /* name → CgGuardState */
};

enum { SIGNAL_DECISION, SIGNAL_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CgDeviceRegistry, cg_device_registry, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (CgDeviceRecord, cg_device_record, cg_device_record_copy, cg_device_record_free)

CgDeviceRecord *
cg_device_record_copy (const CgDeviceRecord *record)
{
  CgDeviceRecord *copy = g_new0 (CgDeviceRecord, 1);

  *copy = *record;
  copy->id = g_strdup (record->id);
  copy->transport = g_strdup (record->transport);
  copy->device = g_strdup (record->device);
  copy->name = g_strdup (record->name);
  copy->usb_serial = g_strdup (record->usb_serial);
  copy->vendor = g_strdup (record->vendor);
  copy->decision = g_strdup (record->decision);
  copy->rule = g_strdup (record->rule);
  copy->allowed = g_strdupv (record->allowed);
  copy->denied = g_strdupv (record->denied);
  return copy;
}

void
cg_device_record_free (CgDeviceRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->transport);
  g_free (record->device);
  g_free (record->name);
  g_free (record->usb_serial);
  g_free (record->vendor);
  g_free (record->decision);
  g_free (record->rule);
  g_strfreev (record->allowed);
  g_strfreev (record->denied);
  g_free (record);
}

static void
guard_state_free (CgGuardState *state)
{
  g_free (state->name);
  g_free (state->what);
  g_free (state);
}

static void
cg_device_registry_finalize (GObject *object)
{
  CgDeviceRegistry *self = CG_DEVICE_REGISTRY (object);

  if (self->pending != NULL)
    g_signal_handlers_disconnect_by_data (self->pending, self);
  g_clear_object (&self->pending);
  g_hash_table_unref (self->unpublished);
  g_hash_table_unref (self->records);
  g_hash_table_unref (self->guards);
  G_OBJECT_CLASS (cg_device_registry_parent_class)->finalize (object);
}

static void
cg_device_registry_class_init (CgDeviceRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cg_device_registry_finalize;
  signals[SIGNAL_DECISION]
      = g_signal_new ("decision", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 1, cg_device_record_get_type ());
  signals[SIGNAL_REMOVED] = g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
source_remove (gpointer source_id)
{
  g_source_remove (GPOINTER_TO_UINT (source_id));
}

static void
cg_device_registry_init (CgDeviceRegistry *self)
{
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify)cg_device_record_free);
  self->unpublished = g_hash_table_new_full (NULL, NULL, NULL, source_remove);
  self->guards
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)guard_state_free);
}

static char *
sanitize_or_null (const char *s, gsize max_bytes)
{
  return s != NULL ? cg_sanitize_string (s, max_bytes) : NULL;
}

static GStrv
sanitize_list (const char *const *list)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; list != NULL && list[i] != NULL; i++) {
    g_autofree char *clean = cg_sanitize_string (list[i], CG_DEVICE_FIELD_MAX);
    g_strv_builder_add (builder, clean);
  }
  return g_strv_builder_end (builder);
}

/* Bluetooth addresses are compared and shown in upper case, as BlueZ writes them. */
static char *
normalize_device (const char *transport, const char *device)
{
  g_autofree char *clean = cg_sanitize_string (device, CG_DEVICE_FIELD_MAX);

  if (g_str_equal (transport, "bluetooth"))
    return g_ascii_strup (clean, -1);
  return g_steal_pointer (&clean);
}

static CgDeviceRecord *
record_from_report (const CgDeviceReport *report)
{
  CgDeviceRecord *record = g_new0 (CgDeviceRecord, 1);

  record->transport = cg_sanitize_string (report->transport, CG_DEVICE_FIELD_MAX);
  record->device = normalize_device (record->transport, report->device);
  record->id = g_strconcat (record->transport, "/", record->device, NULL);
  record->name = cg_sanitize_string (report->name != NULL ? report->name : "", CG_DEVICE_NAME_MAX);
  record->has_usb_id = report->has_usb_id;
  record->usb_vid = report->usb_vid;
  record->usb_pid = report->usb_pid;
  /* Raw: Block writes the serial the policy matches on, not a sanitised look-alike. */
  record->usb_serial = g_strdup (report->usb_serial);
  record->vendor = sanitize_or_null (report->vendor, CG_DEVICE_FIELD_MAX);
  record->decision = cg_sanitize_string (report->decision, CG_DEVICE_FIELD_MAX);
  record->rule = cg_sanitize_string (report->rule != NULL ? report->rule : "default", PATH_MAX);
  record->allowed = sanitize_list (report->allowed);
  record->denied = sanitize_list (report->denied);
  record->enforced = report->enforced;
  return record;
}

static CgDeviceRecord *
registry_refresh_pending (CgDeviceRegistry *self, CgDeviceRecord *record)
{
  if (record != NULL)
    record->pending_id = self->pending != NULL
                             ? cg_pending_find (self->pending, record->transport, record->device)
                             : 0;
  return record;
}

void
cg_device_registry_publish (CgDeviceRegistry *registry, const CgDeviceReport *report)
{
  CgDeviceRecord *record;

  g_return_if_fail (CG_IS_DEVICE_REGISTRY (registry));
  g_return_if_fail (report->transport != NULL && report->device != NULL);
  g_return_if_fail (report->decision != NULL);

  record = registry_refresh_pending (registry, record_from_report (report));
  g_hash_table_replace (registry->records, record->id, record);
  g_signal_emit (registry, signals[SIGNAL_DECISION], 0, record);
}

void
cg_device_registry_remove (CgDeviceRegistry *registry, const char *transport, const char *device)
{
  g_autofree char *normalized = normalize_device (transport, device);
  g_autofree char *id = g_strconcat (transport, "/", normalized, NULL);

  if (g_hash_table_remove (registry->records, id))
    g_signal_emit (registry, signals[SIGNAL_REMOVED], 0, id);
}

static CgDeviceRecord *
registry_find (CgDeviceRegistry *registry, const char *device)
{
  GHashTableIter iter;
  CgDeviceRecord *record;

  record = g_hash_table_lookup (registry->records, device);
  if (record != NULL)
    return record;
  g_hash_table_iter_init (&iter, registry->records);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&record)) {
    if (g_ascii_strcasecmp (record->device, device) == 0
        || g_ascii_strcasecmp (record->id, device) == 0)
      return record;
  }
  return NULL;
}

const CgDeviceRecord *
cg_device_registry_lookup (CgDeviceRegistry *registry, const char *device)
{
  return registry_refresh_pending (registry, registry_find (registry, device));
}

static gint
record_compare_by_id (gconstpointer a, gconstpointer b)
{
  const CgDeviceRecord *ra = *(const CgDeviceRecord *const *)a;
  const CgDeviceRecord *rb = *(const CgDeviceRecord *const *)b;

  return g_strcmp0 (ra->id, rb->id);
}

GPtrArray *
cg_device_registry_list (CgDeviceRegistry *registry)
{
  GPtrArray *records = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer record;

  g_hash_table_iter_init (&iter, registry->records);
  while (g_hash_table_iter_next (&iter, NULL, &record))
    g_ptr_array_add (records, registry_refresh_pending (registry, record));
  g_ptr_array_sort (records, record_compare_by_id);
  return records;
}

typedef struct {
  CgDeviceRegistry *registry;
  guint pending_id;
} PendingCheck;

/* Runs after the guard that asked had its chance to publish the question itself: an
 * `ask` record of the device means it did. */
static gboolean
registry_publish_unpublished (gpointer user_data)
{
  PendingCheck *check = user_data;
  CgDeviceRegistry *self = check->registry;
  const CgPendingDecision *decision = cg_pending_lookup (self->pending, check->pending_id);
  CgDeviceReport report = { 0 };
  g_autofree char *id = NULL;
  const CgDeviceRecord *record;

  g_hash_table_steal (self->unpublished, GUINT_TO_POINTER (check->pending_id));
  if (decision == NULL)
    return G_SOURCE_REMOVE;
  id = g_strconcat (decision->transport, "/", decision->device, NULL);
  record = cg_device_registry_lookup (self, id);
  if (record != NULL && g_str_equal (record->decision, "ask"))
    return G_SOURCE_REMOVE;
  report.transport = decision->transport;
  report.device = decision->device;
  report.name = decision->device_name;
  report.decision = "ask";
  report.rule = "default";
  cg_device_registry_publish (self, &report);
  return G_SOURCE_REMOVE;
}

static void
registry_on_pending_added (CgPending *pending, guint id, gpointer user_data)
{
  CgDeviceRegistry *self = user_data;
  PendingCheck *check = g_new0 (PendingCheck, 1);
  guint source_id;

  check->registry = self;
  check->pending_id = id;
  source_id = g_idle_add_full (G_PRIORITY_DEFAULT, registry_publish_unpublished, check, g_free);
  g_hash_table_insert (self->unpublished, GUINT_TO_POINTER (id), GUINT_TO_POINTER (source_id));
}

static void
registry_on_pending_resolved (CgPending *pending, guint id, int answer, int reason,
                              gpointer user_data)
{
  CgDeviceRegistry *self = user_data;

  g_hash_table_remove (self->unpublished, GUINT_TO_POINTER (id));
}

CgDeviceRegistry *
cg_device_registry_new (CgPending *pending)
{
  CgDeviceRegistry *self = g_object_new (CG_TYPE_DEVICE_REGISTRY, NULL);

  if (pending == NULL)
    return self;
  self->pending = g_object_ref (pending);
  g_signal_connect (pending, "added", G_CALLBACK (registry_on_pending_added), self);
  g_signal_connect (pending, "resolved", G_CALLBACK (registry_on_pending_resolved), self);
  return self;
}

void
cg_device_registry_report_guard (CgDeviceRegistry *registry, const char *name, gboolean running,
                                 const char *what)
{
  CgGuardState *state = g_new0 (CgGuardState, 1);

  g_return_if_fail (CG_IS_DEVICE_REGISTRY (registry));
  state->name = g_strdup (name);
  state->running = running;
  /* What a guard says may quote a device's or a file's name. */
  state->what = cg_sanitize_string (what != NULL ? what : "", 512);
  g_hash_table_replace (registry->guards, state->name, state);
}

static int
guard_compare_by_name (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(const CgGuardState *const *)a)->name, (*(const CgGuardState *const *)b)->name);
}

GPtrArray *
cg_device_registry_list_guards (CgDeviceRegistry *registry)
{
  GPtrArray *guards = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer state;

  g_hash_table_iter_init (&iter, registry->guards);
  while (g_hash_table_iter_next (&iter, NULL, &state))
    g_ptr_array_add (guards, state);
  g_ptr_array_sort (guards, guard_compare_by_name);
  return guards;
}
