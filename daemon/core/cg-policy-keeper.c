/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <malloc.h>

#include "cg-log.h"
#include "cg-policy-keeper.h"

/* Coalesces the burst of events one atomic write causes (create temp, write, rename). */
#define CG_POLICY_KEEPER_SETTLE_MS 200

/* What the guards enforce when no policy has ever loaded: nothing new opens. */
static const char fallback_policy_text[] = "[Default]\n"
                                           "Preset=charge-only\n"
                                           "[CarDefault]\n"
                                           "Preset=charge-only\n";

struct _CgPolicyKeeper {
  GObject parent_instance;
  char *root;
  CgPolicy *policy;
  gboolean fallback;
  GHashTable *monitors; /* watched path → GFileMonitor */
  guint settle_id;
  CgPolicyKeeperStatus status;
};

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CgPolicyKeeper, cg_policy_keeper, G_TYPE_OBJECT)

static void
cg_policy_keeper_finalize (GObject *object)
{
  CgPolicyKeeper *self = CG_POLICY_KEEPER (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->policy, cg_policy_unref);
  g_strfreev (self->status.problems);
  g_free (self->root);
  G_OBJECT_CLASS (cg_policy_keeper_parent_class)->finalize (object);
}

static void
cg_policy_keeper_class_init (CgPolicyKeeperClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cg_policy_keeper_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cg_policy_keeper_init (CgPolicyKeeper *self)
{
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->status.problems = g_new0 (char *, 1);
}

static CgPolicy *
policy_keeper_load_fallback (void)
{
  const char *names[] = { CG_POLICY_MAIN_FILE };
  const char *texts[] = { fallback_policy_text };
  g_autoptr (GError) error = NULL;
  CgPolicy *policy = cg_policy_load_from_data (names, texts, 1, NULL, &error);

  /* The text is ours and fixed; failing to parse it is a bug, not a runtime condition. */
  if (policy == NULL)
    g_error ("built-in fail-closed policy does not parse: %s", error->message);
  return policy;
}

CgPolicyKeeper *
cg_policy_keeper_new (const char *root)
{
  CgPolicyKeeper *self = g_object_new (CG_TYPE_POLICY_KEEPER, NULL);

  self->root = g_strdup (root != NULL ? root : "/");
  self->policy = policy_keeper_load_fallback ();
  self->fallback = TRUE;
  return self;
}

static void
policy_keeper_log_rejected (CgPolicyKeeper *self, GPtrArray *diagnostics)
{
  for (guint i = 0; i < diagnostics->len; i++) {
    g_autofree char *text = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, i));
    cg_log_event (G_LOG_LEVEL_WARNING, CG_MESSAGE_ID_POLICY_REJECTED, text, NULL);
  }
  cg_log_event (G_LOG_LEVEL_WARNING, CG_MESSAGE_ID_POLICY_REJECTED,
                self->fallback ? "policy rejected; enforcing the built-in fail-closed policy"
                               : "policy rejected; keeping the last good policy",
                "CARGUARD_ROOT", self->root, NULL);
}

static void
policy_keeper_log_loaded (CgPolicyKeeper *self)
{
  const char *const *files = cg_policy_get_files (self->policy);
  g_autofree char *n_vendors = g_strdup_printf ("%u", cg_policy_get_n_vendors (self->policy));
  g_autofree char *message = g_strdup_printf ("policy loaded: %s vendors from %u files", n_vendors,
                                              g_strv_length ((GStrv)files));

  for (guint i = 0; files[i] != NULL; i++)
    g_debug ("policy file %s", files[i]);
  cg_log_event (G_LOG_LEVEL_INFO, CG_MESSAGE_ID_POLICY_LOADED, message, "CARGUARD_ROOT", self->root,
                "CARGUARD_VENDORS", n_vendors, NULL);
}

static void
policy_keeper_note_reload (CgPolicyKeeper *self, GPtrArray *diagnostics, const GError *error,
                           gboolean ok)
{
  g_autoptr (GStrvBuilder) problems = g_strv_builder_new ();

  for (guint i = 0; i < diagnostics->len; i++) {
    g_autofree char *text = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, i));
    g_strv_builder_add (problems, text);
  }
  /* A failure without diagnostics (the root cannot be read) is its error. */
  if (!ok && cg_diagnostics_count_errors (diagnostics) == 0 && error != NULL)
    g_strv_builder_add (problems, error->message);
  g_strfreev (self->status.problems);
  self->status.problems = g_strv_builder_end (problems);
  self->status.reloaded_at = g_get_real_time ();
  self->status.reload_ok = ok;
  if (ok)
    self->status.loaded_at = self->status.reloaded_at;
}

const CgPolicyKeeperStatus *
cg_policy_keeper_get_status (CgPolicyKeeper *self)
{
  return &self->status;
}

/* A load reads and compiles every file on several threads, and what it frees stays in
 * their malloc arenas: with 100,000 rules, 30 MiB of a daemon's RSS that nothing uses. */
static void
policy_keeper_return_memory (void)
{
  malloc_trim (0);
}

gboolean
cg_policy_keeper_reload (CgPolicyKeeper *self, GError **error)
{
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) local_error = NULL;
  CgPolicy *policy = cg_policy_load (self->root, NULL, diagnostics, &local_error);

  policy_keeper_note_reload (self, diagnostics, local_error, policy != NULL);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  if (policy == NULL) {
    policy_keeper_log_rejected (self, diagnostics);
    policy_keeper_return_memory ();
    return FALSE;
  }
  g_clear_pointer (&self->policy, cg_policy_unref);
  self->policy = policy;
  self->fallback = FALSE;
  policy_keeper_return_memory ();
  policy_keeper_log_loaded (self);
  /* What the load ignored (a vendors.d/x.conf.bak) the admin must hear of too. */
  for (guint i = 0; self->status.problems[i] != NULL; i++)
    cg_log_event (G_LOG_LEVEL_WARNING, CG_MESSAGE_ID_POLICY_LOADED, self->status.problems[i],
                  "CARGUARD_ROOT", self->root, NULL);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

static gboolean
policy_keeper_settled (gpointer user_data)
{
  CgPolicyKeeper *self = user_data;
  g_autoptr (GError) error = NULL;

  self->settle_id = 0;
  /* vendors.d may have just been created; watch it from now on. */
  cg_policy_keeper_watch (self);
  if (!cg_policy_keeper_reload (self, &error))
    g_debug ("reload after a file change failed: %s", error->message);
  return G_SOURCE_REMOVE;
}

static void
policy_keeper_on_file_changed (GFileMonitor *monitor, GFile *file, GFile *other,
                               GFileMonitorEvent event, gpointer user_data)
{
  CgPolicyKeeper *self = user_data;
  /* An atomic write is a rename of ".NAME.XXXXXX" onto NAME: the name that counts is
   * the one the file has after the event. */
  GFile *changed = event == G_FILE_MONITOR_EVENT_RENAMED && other != NULL ? other : file;
  g_autofree char *name = g_file_get_basename (changed);

  /* Our own temp files and the lock change on every edit; alone they change nothing. */
  if (name == NULL || name[0] == '.')
    return;
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (CG_POLICY_KEEPER_SETTLE_MS, policy_keeper_settled, self);
}

static void
policy_keeper_watch_dir (CgPolicyKeeper *self, const char *dir)
{
  g_autofree char *path = g_build_filename (self->root, dir, NULL);
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileMonitor) monitor = NULL;

  if (g_hash_table_contains (self->monitors, path) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    return;
  file = g_file_new_for_path (path);
  monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL) {
    g_debug ("not watching %s: %s", path, error->message);
    return;
  }
  g_signal_connect (monitor, "changed", G_CALLBACK (policy_keeper_on_file_changed), self);
  g_hash_table_insert (self->monitors, g_steal_pointer (&path), g_steal_pointer (&monitor));
}

void
cg_policy_keeper_watch (CgPolicyKeeper *self)
{
  const char *const dirs[] = { CG_POLICY_DIR_SHIPPED, CG_POLICY_DIR_ADMIN, CG_POLICY_DIR_RUNTIME };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++) {
    g_autofree char *vendors = g_build_filename (dirs[i], CG_POLICY_VENDORS_DIR, NULL);
    policy_keeper_watch_dir (self, dirs[i]);
    policy_keeper_watch_dir (self, vendors);
  }
}

CgPolicy *
cg_policy_keeper_get_policy (CgPolicyKeeper *self)
{
  return cg_policy_ref (self->policy);
}

gboolean
cg_policy_keeper_is_fallback (CgPolicyKeeper *self)
{
  return self->fallback;
}

const char *
cg_policy_keeper_get_root (CgPolicyKeeper *self)
{
  return self->root;
}
