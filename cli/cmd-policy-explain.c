/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cg-dbus-names.h"
#include "cg-explain.h"
#include "cg-hwdb.h"
#include "cli-client.h"
#include "cli-output.h"
#include "cmd-live.h"
#include "cmd-policy.h"

/* The facts as typed; parsed into a CgFacts that borrows from here. */
typedef struct {
  char *bt_address;
  char *bt_class;
  char *bt_address_type;
  char *bt_name;
  char *bt_modalias;
  char *usb_id;
  char *usb_manufacturer;
  char *usb_product;
  char *usb_serial;
  char *usb_interfaces;
  char *typec_partner_vid;
  GByteArray *interface_classes;
} ExplainArgs;

static void
explain_args_clear (ExplainArgs *args)
{
  g_clear_pointer (&args->bt_address, g_free);
  g_clear_pointer (&args->bt_class, g_free);
  g_clear_pointer (&args->bt_address_type, g_free);
  g_clear_pointer (&args->bt_name, g_free);
  g_clear_pointer (&args->bt_modalias, g_free);
  g_clear_pointer (&args->usb_id, g_free);
  g_clear_pointer (&args->usb_manufacturer, g_free);
  g_clear_pointer (&args->usb_product, g_free);
  g_clear_pointer (&args->usb_serial, g_free);
  g_clear_pointer (&args->usb_interfaces, g_free);
  g_clear_pointer (&args->typec_partner_vid, g_free);
  g_clear_pointer (&args->interface_classes, g_byte_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExplainArgs, explain_args_clear)

static gboolean
parse_number (const char *text, guint base, guint64 max, guint64 *out, const char *what,
              GError **error)
{
  if (g_ascii_string_to_unsigned (text, base, 0, max, out, NULL))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: '%s' is not valid", what,
               text);
  return FALSE;
}

/* Hex with or without 0x, or decimal, as `hciconfig` and BlueZ print it. */
static gboolean
parse_bt_class (const char *text, guint32 *out, GError **error)
{
  guint64 value = 0;
  gboolean hex = g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X");

  if (!parse_number (hex ? text + 2 : text, hex ? 16 : 10, 0xffffff, &value, "--bt-class", error))
    return FALSE;
  *out = (guint32)value;
  return TRUE;
}

static gboolean
parse_hex16 (const char *text, guint16 *out, const char *what, GError **error)
{
  guint64 value = 0;

  if (!parse_number (text, 16, 0xffff, &value, what, error))
    return FALSE;
  *out = (guint16)value;
  return TRUE;
}

static gboolean
parse_usb_id (const char *text, CgFacts *facts, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ":", -1);

  if (g_strv_length (parts) != 2) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--usb-id: '%s' is not VID:PID",
                 text);
    return FALSE;
  }
  facts->has_usb_id = parse_hex16 (parts[0], &facts->usb_vid, "--usb-id", error)
                      && parse_hex16 (parts[1], &facts->usb_pid, "--usb-id", error);
  return facts->has_usb_id;
}

static gboolean
parse_interfaces (ExplainArgs *args, CgFacts *facts, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (args->usb_interfaces, ",", -1);

  args->interface_classes = g_byte_array_new ();
  for (guint i = 0; parts[i] != NULL; i++) {
    guint64 value = 0;
    guint8 iface_class;

    if (!parse_number (g_strstrip (parts[i]), 16, 0xff, &value, "--usb-interfaces", error))
      return FALSE;
    iface_class = (guint8)value;
    g_byte_array_append (args->interface_classes, &iface_class, 1);
  }
  facts->usb_interface_classes = args->interface_classes->data;
  facts->n_usb_interface_classes = args->interface_classes->len;
  return TRUE;
}

/* "random" is what BlueZ says; the address's top bits tell which kind. */
static gboolean
parse_bt_address_type (const char *text, const char *address, CgFacts *facts, GError **error)
{
  guint8 bytes[6];

  if (address == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--bt-address-type needs --bt-address");
    return FALSE;
  }
  if (g_str_equal (text, "random") && cg_bt_address_parse (address, bytes)) {
    facts->bt_address_type = cg_bt_address_type_from_bluez ("random", bytes);
    return TRUE;
  }
  if (cg_bt_address_type_from_string (text, &facts->bt_address_type))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--bt-address-type: '%s' is not public, random, static, resolvable or "
               "non-resolvable",
               text);
  return FALSE;
}

static gboolean
parse_bluetooth_facts (ExplainArgs *args, CgFacts *facts, GError **error)
{
  guint8 address[6];

  if (args->bt_address != NULL && !cg_bt_address_parse (args->bt_address, address)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--bt-address: '%s' is not AA:BB:CC:DD:EE:FF", args->bt_address);
    return FALSE;
  }
  facts->bt_address = args->bt_address;
  if (args->bt_address_type != NULL
      && !parse_bt_address_type (args->bt_address_type, args->bt_address, facts, error))
    return FALSE;
  facts->bt_name = args->bt_name;
  if (args->bt_class != NULL) {
    if (!parse_bt_class (args->bt_class, &facts->bt_class, error))
      return FALSE;
    facts->has_bt_class = TRUE;
  }
  if (args->bt_modalias != NULL
      && !cg_device_id_parse_modalias (args->bt_modalias, &facts->bt_device_id)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--bt-modalias: '%s' is not bluetooth:vXXXXpXXXXdXXXX or usb:v…",
                 args->bt_modalias);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_usb_facts (ExplainArgs *args, CgFacts *facts, GError **error)
{
  facts->usb_manufacturer = args->usb_manufacturer;
  facts->usb_product = args->usb_product;
  facts->usb_serial = args->usb_serial;
  if (args->usb_id != NULL && !parse_usb_id (args->usb_id, facts, error))
    return FALSE;
  if (args->usb_interfaces != NULL && !parse_interfaces (args, facts, error))
    return FALSE;
  if (args->typec_partner_vid != NULL) {
    if (!parse_hex16 (args->typec_partner_vid, &facts->typec_partner_vid, "--typec-partner-vid",
                      error))
      return FALSE;
    facts->has_typec_partner_vid = TRUE;
  }
  return TRUE;
}

static void
print_json_explanation (JsonNode *explanation, gboolean json)
{
  if (json) {
    cli_print_json (explanation);
  } else {
    g_autofree char *text = cg_explain_json_to_text (explanation);
    fputs (text, stdout);
  }
}

static void
print_explanation (const CgPolicy *policy, const CgFacts *facts, gboolean json)
{
  g_autoptr (JsonNode) explanation = cg_explain_to_json (policy, facts);

  print_json_explanation (explanation, json);
}

/* The facts as carguardd's Explain takes them (common/org.carguard.Daemon1.xml). */
static GVariant *
facts_to_variant (const CgFacts *facts, const ExplainArgs *args)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (facts->bt_address != NULL)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_BLUETOOTH_ADDRESS, "s", facts->bt_address);
  if (facts->has_bt_class)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_BLUETOOTH_CLASS, "u", facts->bt_class);
  if (facts->bt_name != NULL)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_BLUETOOTH_NAME, "s", facts->bt_name);
  if (args->bt_modalias != NULL)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_MODALIAS, "s", args->bt_modalias);
  if (facts->has_usb_id) {
    g_variant_dict_insert (&dict, CG_DBUS_FACT_USB_VENDOR, "q", facts->usb_vid);
    g_variant_dict_insert (&dict, CG_DBUS_FACT_USB_PRODUCT, "q", facts->usb_pid);
  }
  if (facts->usb_manufacturer != NULL)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_USB_MANUFACTURER, "s", facts->usb_manufacturer);
  if (facts->usb_product != NULL)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_USB_PRODUCT_NAME, "s", facts->usb_product);
  if (facts->usb_serial != NULL)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_USB_SERIAL, "s", facts->usb_serial);
  if (facts->usb_interface_classes != NULL)
    g_variant_dict_insert_value (&dict, CG_DBUS_FACT_USB_INTERFACE_CLASSES,
                                 g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                            facts->usb_interface_classes,
                                                            facts->n_usb_interface_classes, 1));
  if (facts->has_typec_partner_vid)
    g_variant_dict_insert (&dict, CG_DBUS_FACT_TYPEC_PARTNER_VID, "q", facts->typec_partner_vid);
  return g_variant_dict_end (&dict);
}

/* Long enough for a daemon that is busy judging a device; a daemon that does not answer
 * in it leaves the explanation to a load of the files. */
#define DAEMON_EXPLAIN_TIMEOUT_MS 5000

/* The explanation of carguardd's policy in force, whatever the files on disk say. */
static int
explain_live (const CgFacts *facts, const ExplainArgs *args, gboolean json)
{
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *answer = NULL;
  g_autoptr (JsonNode) explanation = NULL;
  g_auto (CliLiveStatus) live = { NULL };

  daemon = cli_client_connect (G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error);
  if (daemon == NULL || !cli_live_status_get (daemon, &live, &error)
      || !cg_gen_daemon1_call_explain_sync (daemon, facts_to_variant (facts, args), CLI_CALL_FLAGS,
                                            CLI_CALL_TIMEOUT_MS, &answer, NULL, &error)) {
    cli_client_explain_error (&error);
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  explanation = json_from_string (answer, &error);
  if (explanation == NULL) {
    cli_print_error (error);
    return CLI_EXIT_REFUSED;
  }
  /* The JSON stays the daemon's; what it is the explanation of goes to stderr. */
  cli_live_policy_note (&live, json ? stderr : stdout);
  print_json_explanation (explanation, json);
  return CLI_EXIT_OK;
}

static const char *
root_or_slash (const char *root)
{
  return root != NULL && *root != '\0' ? root : "/";
}

/* Whether carguardd enforces exactly the files below root: the same root and the same
 * hash, read without parsing them. */
static gboolean
daemon_enforces_files (CgGenDaemon1 *daemon, const char *root)
{
  g_autoptr (GVariant) status = NULL;
  g_autoptr (GPtrArray) texts = NULL;
  g_autofree char *hash = NULL;
  const char *daemon_root = NULL, *daemon_hash = NULL;
  gboolean fallback = FALSE;

  if (!cg_gen_daemon1_call_status_sync (daemon, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                        DAEMON_EXPLAIN_TIMEOUT_MS, &status, NULL, NULL))
    return FALSE;
  g_variant_lookup (status, CG_DBUS_STATUS_ROOT, "&s", &daemon_root);
  g_variant_lookup (status, CG_DBUS_STATUS_POLICY_HASH, "&s", &daemon_hash);
  g_variant_lookup (status, CG_DBUS_STATUS_POLICY_FALLBACK, "b", &fallback);
  if (fallback || daemon_hash == NULL
      || !g_str_equal (root_or_slash (daemon_root), root_or_slash (root)))
    return FALSE;
  texts = cg_policy_read_files (root_or_slash (root), NULL);
  hash = texts != NULL ? cg_policy_hash_texts (texts) : NULL;
  return hash != NULL && g_str_equal (hash, daemon_hash);
}

/* The explanation of the files below root by a carguardd that enforces exactly them,
 * or NULL. Its answer is the one a load of the files would give, without the load: a
 * large policy takes a few hundred milliseconds to load, the running daemon has it. It
 * is not started for this, nor asked to authorise anyone. */
static JsonNode *
explain_by_enforcing_daemon (const CgFacts *facts, const ExplainArgs *args, const char *root)
{
  g_autoptr (CgGenDaemon1) daemon = NULL;
  g_autofree char *answer = NULL;

  daemon = cli_client_connect (
      G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, NULL);
  if (daemon == NULL || !daemon_enforces_files (daemon, root)
      || !cg_gen_daemon1_call_explain_sync (daemon, facts_to_variant (facts, args),
                                            G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                            DAEMON_EXPLAIN_TIMEOUT_MS, &answer, NULL, NULL))
    return NULL;
  return json_from_string (answer, NULL);
}

static const char explain_description[]
    = "Facts are what carguardd would learn from BlueZ, the USB descriptors or the Type-C\n"
      "port. Organisation names are looked up in the system hwdb (the database udev\n"
      "uses) from the Bluetooth address's OUI, the Device ID vendor or the USB vendor id.\n"
      "\n"
      "Without --live, a running carguardd that enforces exactly the files below the root\n"
      "(the same hash) answers for them, as a load of them would, without the load.\n"
      "\n"
      "With --live the running carguardd explains, from the policy it enforces now (which\n"
      "stays the last good one when the files on disk are broken: the output says which),\n"
      "and with its own hwdb.\n"
      "\n"
      "Example: carguard policy explain --bt-class 0x200420 --bt-name \"My Car\"";

int
cmd_policy_explain (CliGlobals *globals, int argc, char **argv)
{
  gboolean json = FALSE;
  gboolean live = FALSE;
  g_auto (ExplainArgs) args = { NULL };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live,
      "Ask the running carguardd, which explains from the policy it enforces", NULL },
    { "bt-address", 0, 0, G_OPTION_ARG_STRING, &args.bt_address, "Bluetooth address",
      "AA:BB:CC:DD:EE:FF" },
    { "bt-address-type", 0, 0, G_OPTION_ARG_STRING, &args.bt_address_type,
      "What kind of address: public (the default), random (as BlueZ says; the address "
      "tells which), static, resolvable or non-resolvable",
      "TYPE" },
    { "bt-class", 0, 0, G_OPTION_ARG_STRING, &args.bt_class,
      "Bluetooth class of device, hex (0x…) or decimal", "CLASS" },
    { "bt-name", 0, 0, G_OPTION_ARG_STRING, &args.bt_name, "Bluetooth name", "NAME" },
    { "bt-modalias", 0, 0, G_OPTION_ARG_STRING, &args.bt_modalias, "Device ID as BlueZ's Modalias",
      "bluetooth:vXXXXpXXXXdXXXX" },
    { "usb-id", 0, 0, G_OPTION_ARG_STRING, &args.usb_id, "USB vendor and product id, hex",
      "VID:PID" },
    { "usb-manufacturer", 0, 0, G_OPTION_ARG_STRING, &args.usb_manufacturer,
      "USB manufacturer string", "TEXT" },
    { "usb-product", 0, 0, G_OPTION_ARG_STRING, &args.usb_product, "USB product string", "TEXT" },
    { "usb-serial", 0, 0, G_OPTION_ARG_STRING, &args.usb_serial, "USB serial number", "TEXT" },
    { "usb-interfaces", 0, 0, G_OPTION_ARG_STRING, &args.usb_interfaces,
      "USB interface classes, hex, comma-separated", "CLASS,…" },
    { "typec-partner-vid", 0, 0, G_OPTION_ARG_STRING, &args.typec_partner_vid,
      "USB Type-C partner's vendor id, hex", "VID" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "FACTS…",
      "Explain what a device with these facts would get, and which rule decided.", entries);
  CgFacts facts = { NULL };
  g_auto (CgOrganizations) organizations = { NULL };
  g_autoptr (CgHwdb) hwdb = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (JsonNode) explanation = NULL;
  g_autoptr (GError) error = NULL;

  g_option_context_set_description (context, explain_description);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 1)
    return cli_usage_error (g_get_prgname (), "unexpected argument '%s'", argv[1]);
  if (!parse_bluetooth_facts (&args, &facts, &error) || !parse_usb_facts (&args, &facts, &error))
    return cli_usage_error (g_get_prgname (), "%s", error->message);
  if (!cg_facts_has_bluetooth (&facts) && !cg_facts_has_usb (&facts))
    return cli_usage_error (g_get_prgname (), "no facts given");
  if (live)
    return cli_refuse_root (globals) != CLI_EXIT_OK ? CLI_EXIT_USAGE
                                                    : explain_live (&facts, &args, json);
  explanation = explain_by_enforcing_daemon (&facts, &args, globals->root);
  if (explanation != NULL) {
    print_json_explanation (explanation, json);
    return CLI_EXIT_OK;
  }
  policy = cmd_policy_load (globals, NULL);
  if (policy == NULL)
    return CLI_EXIT_REFUSED;
  hwdb = cg_hwdb_new (NULL);
  cg_hwdb_fill_organizations (hwdb, &facts, &organizations);
  print_explanation (policy, &facts, json);
  return CLI_EXIT_OK;
}
