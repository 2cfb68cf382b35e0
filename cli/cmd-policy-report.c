/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cg-report.h"
#include "cg-sanitize.h"
#include "cli-client.h"
#include "cli-output.h"
#include "cmd-live.h"
#include "cmd-policy.h"

/* What each profile carries, for the admin who asks "who may get the contacts?". */
static const struct {
  const char *profile;
  const char *carries;
} profile_words[] = {
  { "a2dp", "music" },
  { "avrcp", "media controls" },
  { "hfp", "calls" },
  { "hsp", "headset calls" },
  { "pbap", "contacts and call history" },
  { "map", "messages" },
  { "opp", "files pushed" },
  { "ftp", "files" },
  { "pan", "a network link" },
  { "dun", "a dial-up network link" },
  { "spp", "a serial link" },
  { "hid", "keyboard and mouse input" },
  { "sap", "the SIM" },
  { "sync", "contacts and calendar sync" },
  { "bip", "images" },
  { "pnp", "the Device ID record, no user data" },
  { "gatt", "LE attributes, no user data" },
};

static const char *
profile_carries (const char *profile)
{
  for (gsize i = 0; i < G_N_ELEMENTS (profile_words); i++)
    if (g_str_equal (profile_words[i].profile, profile))
      return profile_words[i].carries;
  return NULL;
}

static const char *
member_string (JsonObject *object, const char *name)
{
  return json_object_get_string_member_with_default (object, name, NULL);
}

/* "vendor byd (BYD)", "device 00:1E:DE:12:34:56 of byd", "[Default]". */
static char *
holder_name (JsonObject *holder)
{
  const char *kind = member_string (holder, "kind");
  g_autofree char *vendor = cg_sanitize_string (member_string (holder, "vendor") ?: "", 128);
  g_autofree char *name = cg_sanitize_string (member_string (holder, "vendor-name") ?: "", 128);
  g_autofree char *device = cg_sanitize_string (member_string (holder, "device") ?: "", 256);

  if (g_strcmp0 (kind, "default") == 0)
    return g_strdup ("[Default]");
  if (g_strcmp0 (kind, "car-default") == 0)
    return g_strdup ("[CarDefault] (car-class devices)");
  if (g_strcmp0 (kind, "device") == 0)
    return g_strdup_printf ("device %s of %s", device, vendor);
  if (g_str_equal (vendor, name))
    return g_strdup_printf ("vendor %s", vendor);
  return g_strdup_printf ("vendor %s (\"%s\")", vendor, name);
}

/* "matched by BluetoothOUI 3, Name 1", or that it matches nothing. */
static char *
holder_matched (JsonObject *holder)
{
  JsonObject *keys = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GList) names = NULL;

  if (g_strcmp0 (member_string (holder, "kind"), "vendor") != 0)
    return g_strdup ("");
  if (json_object_has_member (holder, "matched-by"))
    keys = json_object_get_object_member (holder, "matched-by");
  names = keys != NULL ? json_object_get_members (keys) : NULL;
  for (GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (text, "%s%s %" G_GINT64_FORMAT, text->len > 0 ? ", " : "",
                            (const char *)l->data, json_object_get_int_member (keys, l->data));
  if (text->len == 0)
    return g_strdup ("  (matches nothing of its own)");
  g_string_prepend (text, "  matched by ");
  if (json_object_get_boolean_member_with_default (holder, "inherits-default", FALSE))
    g_string_append (text, "; no [Policy]: the [Default] grant");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_holders (JsonArray *holders, const char *how_member)
{
  if (holders == NULL || json_array_get_length (holders) == 0) {
    printf ("    nobody\n");
    return;
  }
  for (guint i = 0; i < json_array_get_length (holders); i++) {
    JsonObject *holder = json_array_get_object_element (holders, i);
    g_autofree char *name = holder_name (holder);
    g_autofree char *matched = holder_matched (holder);
    g_autofree char *rule = cg_sanitize_string (member_string (holder, "rule") ?: "", 1024);
    g_autofree char *how = NULL;

    if (g_str_equal (how_member, "pairing")) {
      const char *pairing = member_string (holder, "pairing");
      how = g_strdup (g_strcmp0 (pairing, "ask") == 0 ? "if a person allows" : "");
    } else {
      JsonArray *interfaces = json_object_has_member (holder, "interfaces")
                                  ? json_object_get_array_member (holder, "interfaces")
                                  : NULL;
      GString *list = g_string_new ("interfaces");
      for (guint c = 0; interfaces != NULL && c < json_array_get_length (interfaces); c++) {
        g_autofree char *safe
            = cg_sanitize_string (json_array_get_string_element (interfaces, c), 32);
        g_string_append_printf (list, " %s", safe);
      }
      how = g_string_free (list, FALSE);
    }
    printf ("    %s  %s%s%s%s\n", name, rule, *how != '\0' ? "  " : "", how, matched);
  }
}

static void
print_report_text (JsonNode *report)
{
  JsonObject *root = json_node_get_object (report);
  JsonObject *profiles = json_object_get_object_member (root, "profiles");
  JsonObject *usb = json_object_get_object_member (root, "usb");
  g_autoptr (GList) names = profiles != NULL ? json_object_get_members (profiles) : NULL;

  printf ("Bluetooth: who may get each profile (a device that pairs: not blocked, pairing "
          "allowed or asked)\n");
  for (GList *l = names; l != NULL; l = l->next) {
    const char *carries = profile_carries (l->data);
    g_autofree char *safe = cg_sanitize_string (l->data, 32);

    printf ("  %s%s%s%s\n", safe, carries != NULL ? " (" : "", carries != NULL ? carries : "",
            carries != NULL ? ")" : "");
    print_holders (json_object_get_array_member (profiles, l->data), "pairing");
  }
  printf ("  any other service UUID\n");
  print_holders (json_object_get_array_member (root, "other-services"), "pairing");
  printf ("USB: who may get data\n");
  print_holders (usb != NULL ? json_object_get_array_member (usb, "data") : NULL, "interfaces");
  printf ("USB: who gets data if a person allows (ask)\n");
  print_holders (usb != NULL ? json_object_get_array_member (usb, "ask") : NULL, "interfaces");
}

/* The report of the policy carguardd enforces, whatever the files on disk say. */
static JsonNode *
report_live (gboolean json)
{
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_auto (CliLiveStatus) live = { NULL };
  JsonNode *report;

  daemon = cli_client_connect (G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error);
  if (daemon == NULL || !cli_live_status_get (daemon, &live, &error)
      || !cg_gen_daemon1_call_report_sync (daemon, CLI_CALL_FLAGS, CLI_CALL_TIMEOUT_MS, &answer,
                                           NULL, &error)) {
    cli_client_explain_error (&error);
    cli_print_error (error);
    return NULL;
  }
  report = json_from_string (answer, &error);
  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report)) {
    g_clear_pointer (&report, json_node_unref);
    fprintf (stderr, "carguard: error: carguardd sent no report\n");
    return NULL;
  }
  cli_live_policy_note (&live, json ? stderr : stdout);
  return report;
}

int
cmd_policy_report (CliGlobals *globals, int argc, char **argv)
{
  gboolean json = FALSE;
  gboolean live = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live, "Report the policy the running carguardd enforces",
      NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, NULL,
      "Audit the policy: for every Bluetooth profile (pbap: contacts, map: messages, pan:\n"
      "a network link, ...) and for USB data, which defaults, vendors and devices may get\n"
      "it, each with the FILE:LINE that grants it and how a vendor is recognised.",
      entries);
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (CgPolicy) policy = NULL;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc > 1)
    return cli_usage_error (g_get_prgname (), "unexpected argument '%s'", argv[1]);
  if (live && cli_refuse_root (globals) != CLI_EXIT_OK)
    return CLI_EXIT_USAGE;
  if (live) {
    report = report_live (json);
  } else if ((policy = cmd_policy_load (globals, NULL)) != NULL) {
    report = cg_report_to_json (policy);
  }
  if (report == NULL)
    return CLI_EXIT_REFUSED;
  if (json)
    cli_print_json (report);
  else
    print_report_text (report);
  return CLI_EXIT_OK;
}
