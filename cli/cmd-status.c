/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cg-dbus-names.h"
#include "cg-policy.h"
#include "cg-sanitize.h"
#include "cli-client.h"
#include "cli-output.h"
#include "cmd-live.h"

void
cli_live_status_clear (CliLiveStatus *status)
{
  g_clear_pointer (&status->status, g_variant_unref);
  g_clear_pointer (&status->disk_hash, g_free);
  g_clear_pointer (&status->disk_problems, g_ptr_array_unref);
}

static const char *
status_string (GVariant *status, const char *key)
{
  const char *value = NULL;

  return g_variant_lookup (status, key, "&s", &value) ? value : "";
}

static gboolean
status_boolean (GVariant *status, const char *key)
{
  gboolean value = FALSE;

  return g_variant_lookup (status, key, "b", &value) && value;
}

/* The files on disk, loaded as the daemon loads them (below its root): the same hash
 * means it enforces what is there. */
static void
load_disk (CliLiveStatus *live)
{
  const char *root = status_string (live->status, CG_DBUS_STATUS_ROOT);
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = NULL;

  live->disk_problems = cg_diagnostics_new ();
  policy = cg_policy_load (*root != '\0' ? root : "/", NULL, live->disk_problems, &error);
  if (policy != NULL) {
    live->disk_hash = g_strdup (cg_policy_get_hash (policy));
    live->disk_state
        = g_str_equal (live->disk_hash, status_string (live->status, CG_DBUS_STATUS_POLICY_HASH))
              ? CLI_DISK_ENFORCED
              : CLI_DISK_DIFFERS;
    return;
  }
  live->disk_state = CLI_DISK_BROKEN;
  if (cg_diagnostics_count_errors (live->disk_problems) == 0 && error != NULL)
    g_ptr_array_add (live->disk_problems, cg_diagnostic_new (root, 1, 1, "%s", error->message));
}

gboolean
cli_live_status_get (CgGenDaemon1 *daemon, CliLiveStatus *live, GError **error)
{
  if (!cg_gen_daemon1_call_status_sync (daemon, CLI_CALL_FLAGS, CLI_CALL_TIMEOUT_MS, &live->status,
                                        NULL, error))
    return FALSE;
  load_disk (live);
  return TRUE;
}

static char *
short_hash (const char *hash)
{
  return g_strndup (hash, 12);
}

void
cli_live_policy_note (const CliLiveStatus *live, FILE *out)
{
  g_autofree char *hash = short_hash (status_string (live->status, CG_DBUS_STATUS_POLICY_HASH));

  if (status_boolean (live->status, CG_DBUS_STATUS_POLICY_FALLBACK))
    fprintf (out, "carguardd enforces its fail-closed policy: no policy ever loaded.\n");
  else
    fprintf (out, "carguardd's policy in force (sha256 %s…).\n", hash);
  switch (live->disk_state) {
    case CLI_DISK_BROKEN:
      fprintf (out, "The files on disk are broken (carguard policy check); carguardd keeps "
                    "enforcing the policy above.\n");
      break;
    case CLI_DISK_DIFFERS:
      fprintf (out, "The files on disk differ from it: carguardd has not read them yet "
                    "(carguard reload).\n");
      break;
    case CLI_DISK_ENFORCED:
    default:
      break;
  }
}

static char *
format_time (guint64 usec)
{
  g_autoptr (GDateTime) when = NULL;

  if (usec == 0)
    return g_strdup ("never");
  when = g_date_time_new_from_unix_local ((gint64)(usec / G_USEC_PER_SEC));
  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static void
print_policy (const CliLiveStatus *live)
{
  GVariant *status = live->status;
  g_autofree const char **files = NULL;
  guint32 vendors = 0;
  guint64 loaded = 0;
  g_autofree char *when = NULL;
  g_autofree char *root = cg_sanitize_string (status_string (status, CG_DBUS_STATUS_ROOT), 256);

  g_variant_lookup (status, CG_DBUS_STATUS_POLICY_FILES, "^a&s", &files);
  g_variant_lookup (status, CG_DBUS_STATUS_POLICY_VENDORS, "u", &vendors);
  g_variant_lookup (status, CG_DBUS_STATUS_POLICY_LOADED, "t", &loaded);
  when = format_time (loaded);
  printf ("carguardd %s, policy below %s\n", status_string (status, CG_DBUS_STATUS_VERSION), root);
  if (status_boolean (status, CG_DBUS_STATUS_POLICY_FALLBACK))
    printf ("Policy: the fail-closed policy (no policy ever loaded): nothing pairs, no "
            "profile, no USB data\n");
  else
    printf ("Policy: %u files, %u vendors, loaded %s\n  sha256 %s\n",
            files != NULL ? g_strv_length ((char **)files) : 0, vendors, when,
            status_string (status, CG_DBUS_STATUS_POLICY_HASH));
  switch (live->disk_state) {
    case CLI_DISK_ENFORCED:
      printf ("  the files on disk are the policy in force\n");
      break;
    case CLI_DISK_DIFFERS:
      printf ("  the files on disk differ (sha256 %s): not read yet; carguard reload\n",
              live->disk_hash);
      break;
    case CLI_DISK_BROKEN:
    default:
      printf ("  the files on disk are broken; the policy in force stays:\n");
      for (guint i = 0; i < live->disk_problems->len; i++) {
        g_autofree char *line
            = cg_diagnostic_to_string (g_ptr_array_index (live->disk_problems, i));
        printf ("    %s\n", line);
      }
      break;
  }
}

static void
print_reload (GVariant *status)
{
  g_autofree const char **problems = NULL;
  guint64 reloaded = 0;
  g_autofree char *when = NULL;

  g_variant_lookup (status, CG_DBUS_STATUS_LAST_RELOAD, "t", &reloaded);
  g_variant_lookup (status, CG_DBUS_STATUS_LAST_RELOAD_PROBLEMS, "^a&s", &problems);
  when = format_time (reloaded);
  printf ("Last reload: %s%s\n", when,
          reloaded == 0 ? ""
          : status_boolean (status, CG_DBUS_STATUS_LAST_RELOAD_OK)
              ? ", loaded"
              : ", refused: the policy in force is older");
  for (guint i = 0; problems != NULL && problems[i] != NULL; i++) {
    g_autofree char *safe = cg_sanitize_string (problems[i], 1024);
    printf ("  %s\n", safe);
  }
}

static void
print_guards (GVariant *status)
{
  g_autoptr (GVariant) guards
      = g_variant_lookup_value (status, CG_DBUS_STATUS_GUARDS, G_VARIANT_TYPE ("aa{sv}"));

  printf ("hwdb: %s\n", status_boolean (status, CG_DBUS_STATUS_HWDB)
                            ? "read (organisation names known)"
                            : "missing: Organization= rules match nothing");
  printf ("Guards:\n");
  for (gsize i = 0; guards != NULL && i < g_variant_n_children (guards); i++) {
    g_autoptr (GVariant) guard = g_variant_get_child_value (guards, i);
    g_autofree char *name = cg_sanitize_string (status_string (guard, CG_DBUS_GUARD_NAME), 32);
    g_autofree char *what = cg_sanitize_string (status_string (guard, CG_DBUS_GUARD_WHAT), 512);

    printf ("  %-11s %-8s %s\n", name,
            status_boolean (guard, CG_DBUS_GUARD_RUNNING) ? "running" : "idle", what);
  }
  if (guards == NULL || g_variant_n_children (guards) == 0)
    printf ("  none reported\n");
}

static const char *const disk_states[] = {
  [CLI_DISK_ENFORCED] = "enforced",
  [CLI_DISK_DIFFERS] = "differs",
  [CLI_DISK_BROKEN] = "broken",
};

static void
print_json (const CliLiveStatus *live)
{
  g_autoptr (JsonNode) node = json_gvariant_serialize (live->status);
  JsonObject *object = json_node_get_object (node);
  JsonObject *disk = json_object_new ();
  JsonArray *problems = json_array_new ();

  for (guint i = 0; i < live->disk_problems->len; i++) {
    g_autofree char *line = cg_diagnostic_to_string (g_ptr_array_index (live->disk_problems, i));
    json_array_add_string_element (problems, line);
  }
  json_object_set_string_member (disk, "state", disk_states[live->disk_state]);
  if (live->disk_hash != NULL)
    json_object_set_string_member (disk, "hash", live->disk_hash);
  json_object_set_array_member (disk, "problems", problems);
  json_object_set_object_member (object, "Disk", disk);
  cli_print_json (node);
}

int
cmd_status (CliGlobals *globals, int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_live_option_context_new (
      NULL,
      "Says what carguardd enforces now: the policy in force and its hash, whether the\n"
      "files on disk are that policy, the last reload and its errors, whether the hwdb is\n"
      "read, and which guards run and on what.",
      entries);
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (CliLiveStatus) live = { NULL };

  if (!cli_live_parse_no_args (globals, context, &argc, &argv))
    return CLI_EXIT_USAGE;
  daemon = cli_client_connect (G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error);
  if (daemon == NULL || !cli_live_status_get (daemon, &live, &error)) {
    cli_client_explain_error (&error);
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  if (json) {
    print_json (&live);
    return CLI_EXIT_OK;
  }
  print_policy (&live);
  print_reload (live.status);
  print_guards (live.status);
  return CLI_EXIT_OK;
}
