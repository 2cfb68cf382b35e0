/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cg-diagnostic.h"
#include "cli-output.h"
#include "cg-policy-edit.h"
#include "cli.h"
#include "cmd-policy.h"

/* One KEY=VALUE (or KEY, to unset) of the command line: "Key", "Section.Key" or
 * "Section.N.Key" with N counting that section's occurrences from 1. */
typedef struct {
  char *section; /* NULL: the schema decides */
  guint section_index;
  char *key;
  char *value; /* NULL when unsetting */
} CliAssignment;

static void
cli_assignment_clear (CliAssignment *a)
{
  g_clear_pointer (&a->section, g_free);
  g_clear_pointer (&a->key, g_free);
  g_clear_pointer (&a->value, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliAssignment, cli_assignment_clear)

/* Where bare keys go beyond what the schema says. */
typedef struct {
  gboolean main_file;
  gboolean car;       /* carguard.conf: grant keys go to [CarDefault] */
  const char *device; /* vendor file: grant keys go to this [Device] */
  guint device_index;
} CliTarget;

static gboolean
parse_assignment (const char *arg, gboolean with_value, CliAssignment *out, GError **error)
{
  const char *equals = strchr (arg, '=');
  g_autofree char *lhs = NULL;
  g_auto (GStrv) parts = NULL;
  guint n;
  guint64 number = 0;

  if (with_value != (equals != NULL)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 with_value ? "'%s' is not KEY=VALUE" : "'%s' is not a KEY", arg);
    return FALSE;
  }
  lhs = with_value ? g_strndup (arg, equals - arg) : g_strdup (arg);
  parts = g_strsplit (lhs, ".", 3);
  n = g_strv_length (parts);
  if (n == 3 && (!g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT, &number, NULL))) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "'%s': the section number must count from 1", lhs);
    return FALSE;
  }
  out->key = g_strdup (parts[n - 1]);
  out->section = n > 1 ? g_strdup (parts[0]) : NULL;
  out->section_index = n == 3 ? (guint)number - 1 : 0;
  out->value = with_value ? g_strdup (equals + 1) : NULL;
  if (*out->key == '\0' || (out->section != NULL && *out->section == '\0')) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "'%s' names no key", arg);
    return FALSE;
  }
  return TRUE;
}

/* Fills in the section of a bare key, steering grant keys to --car or --device. */
static gboolean
resolve_section (CliAssignment *a, const CliTarget *target, GError **error)
{
  const char *section;

  if (a->section != NULL)
    return TRUE;
  section = cg_schema_section_for_key (target->main_file, a->key);
  if (section == NULL) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID, "unknown key '%s'%s", a->key,
                 target->main_file ? " in " CG_POLICY_MAIN_FILE : " in a vendor file");
    return FALSE;
  }
  if (target->car && g_str_equal (section, "Default"))
    section = "CarDefault";
  if (target->device != NULL
      && (g_str_equal (section, "Policy") || g_str_equal (section, "Device"))) {
    section = "Device";
    a->section_index = target->device_index;
  }
  a->section = g_strdup (section);
  return TRUE;
}

/* --device names a Bluetooth address, or else a USB serial. */
static CgDeviceKey
device_key_for (const char *device)
{
  guint8 address[6];

  return (CgDeviceKey){ .kind = cg_bt_address_parse (device, address) ? CG_DEVICE_KEY_BT_ADDRESS
                                                                      : CG_DEVICE_KEY_USB_SERIAL,
                        .text = device };
}

static gboolean
select_device (CgPolicyEdit *edit, CliTarget *target, gboolean create, GError **error)
{
  CgDeviceKey key;

  if (target->device == NULL)
    return TRUE;
  key = device_key_for (target->device);
  if (create)
    return cg_policy_edit_put_device (edit, &key, NULL, &target->device_index, error);
  if (cg_policy_edit_find_device (edit, &key, &target->device_index))
    return TRUE;
  g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "no [Device] for %s in %s",
               target->device, cg_document_get_file (edit->doc));
  return FALSE;
}

static gboolean
apply_arguments (CgDocument *doc, const CliTarget *target, char **args, gboolean set,
                 GError **error)
{
  for (guint i = 0; args != NULL && args[i] != NULL; i++) {
    g_auto (CliAssignment) a = { NULL };

    if (!parse_assignment (args[i], set, &a, error) || !resolve_section (&a, target, error))
      return FALSE;
    if (set && !cg_document_set (doc, a.section, a.section_index, a.key, a.value, error))
      return FALSE;
    if (!set && !cg_document_unset (doc, a.section, a.section_index, a.key, error))
      return FALSE;
  }
  return TRUE;
}

typedef enum {
  EDIT_ADD,
  EDIT_SET,
  EDIT_UNSET,
} EditKind;

/* `unset --device ADDR` without keys removes that device's entry. */
static gboolean
apply_edit (CgPolicyEdit *edit, EditKind kind, CliTarget *target, char **args, GError **error)
{
  CgDeviceKey key;

  if (kind == EDIT_UNSET && target->device != NULL && args[0] == NULL) {
    key = device_key_for (target->device);
    return cg_policy_edit_remove_device (edit, &key, error);
  }
  return select_device (edit, target, kind != EDIT_UNSET, error)
         && apply_arguments (edit->doc, target, args, kind != EDIT_UNSET, error);
}

static int
exit_code_for (const GError *error)
{
  return g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE) ? CLI_EXIT_USAGE
                                                                           : CLI_EXIT_REFUSED;
}

/* Reports a failed edit: diagnostics if there are any, else the error. */
static int
report_failure (GPtrArray *diagnostics, const GError *error)
{
  if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
    return cli_usage_error (g_get_prgname (), "%s", error->message);
  cli_print_problems (diagnostics, error);
  return exit_code_for (error);
}

static gboolean
check_existence (const CgPolicyEdit *edit, const char *vendor_id, EditKind kind, GError **error)
{
  gboolean exists = edit->state == CG_POLICY_FILE_ADMIN || edit->state == CG_POLICY_FILE_SHIPPED;

  if (kind == EDIT_ADD && exists) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_INVALID,
                 "vendor '%s' exists already; change it with 'carguard policy set'", vendor_id);
    return FALSE;
  }
  if (kind != EDIT_ADD && !exists) {
    g_set_error (error, CG_POLICY_ERROR, CG_POLICY_ERROR_NOT_FOUND, "no vendor '%s'", vendor_id);
    return FALSE;
  }
  return TRUE;
}

static int
edit_vendor (CliGlobals *globals, const char *vendor_id, EditKind kind, CliTarget *target,
             char **args)
{
  g_auto (CgPolicyEdit) edit = { NULL };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;

  if (!cg_vendor_id_is_valid (vendor_id))
    return cli_usage_error (g_get_prgname (),
                            "'%s' is not a vendor id ([A-Za-z0-9][A-Za-z0-9_.-]*)", vendor_id);
  if (!cg_policy_edit_begin (&edit, globals->root, vendor_id, diagnostics, &error)
      || !check_existence (&edit, vendor_id, kind, &error))
    return report_failure (diagnostics, error);
  if (kind == EDIT_ADD) {
    cg_policy_edit_start_empty (&edit);
    if (!cg_document_set (edit.doc, "Vendor", 0, "Name", vendor_id, &error))
      return report_failure (diagnostics, error);
  }
  if (!apply_edit (&edit, kind, target, args, &error)
      || !cg_policy_edit_commit (&edit, diagnostics, &error))
    return report_failure (diagnostics, error);
  return CLI_EXIT_OK;
}

static const char assignment_help[]
    = "KEY=VALUE puts a key where the policy language has it ([Match] for BluetoothOUI=,\n"
      "[Policy] for Preset=, ...). SECTION.KEY=VALUE names the section, and\n"
      "Device.N.KEY=VALUE the N-th [Device] section, counting from 1. With --device ADDR,\n"
      "grant keys go to the [Device] section of that Bluetooth address or USB serial.\n"
      "\n"
      "The whole policy is checked with the change in place before anything is written;\n"
      "a change that makes it invalid is refused, its problems printed as\n"
      "FILE:LINE:COL: error: MESSAGE, and nothing changes. Files are replaced atomically,\n"
      "comments and untouched lines are kept, and shipped files under /usr/lib are never\n"
      "changed: the edited copy goes to /etc/carguard.";

static int
run_vendor_edit (CliGlobals *globals, int argc, char **argv, EditKind kind, const char *parameters,
                 const char *summary)
{
  g_autofree char *device = NULL;
  const GOptionEntry entries[] = {
    { "device", 0, 0, G_OPTION_ARG_STRING, &device,
      "Edit the [Device] of this Bluetooth address or USB serial", "ADDR" },
    { NULL },
  };
  g_autoptr (GOptionContext) context
      = cli_option_context_new (globals, parameters, summary, entries);
  CliTarget target = { FALSE, FALSE, NULL, 0 };

  g_option_context_set_description (context, assignment_help);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc < 2)
    return cli_usage_error (g_get_prgname (), "a VENDOR is missing");
  if (kind != EDIT_ADD && argc < 3 && !(kind == EDIT_UNSET && device != NULL))
    return cli_usage_error (g_get_prgname (), "nothing to change");
  target.device = device;
  return edit_vendor (globals, argv[1], kind, &target, argv + 2);
}

int
cmd_policy_add (CliGlobals *globals, int argc, char **argv)
{
  return run_vendor_edit (globals, argc, argv, EDIT_ADD, "VENDOR [KEY=VALUE…]",
                          "Add a vendor file /etc/carguard/vendors.d/VENDOR.conf with\n"
                          "[Vendor] Name=VENDOR and the given keys.");
}

int
cmd_policy_set (CliGlobals *globals, int argc, char **argv)
{
  return run_vendor_edit (globals, argc, argv, EDIT_SET, "VENDOR KEY=VALUE…",
                          "Set keys of a vendor's policy file.");
}

int
cmd_policy_unset (CliGlobals *globals, int argc, char **argv)
{
  return run_vendor_edit (globals, argc, argv, EDIT_UNSET, "VENDOR [KEY…]",
                          "Remove keys from a vendor's policy file. With --device and no\n"
                          "KEY, remove that device's [Device] section.");
}

int
cmd_policy_remove (CliGlobals *globals, int argc, char **argv)
{
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "VENDOR",
      "Remove a vendor. A vendor shipped in /usr/lib is masked instead: a symlink to\n"
      "/dev/null in /etc/carguard/vendors.d hides it.",
      NULL);
  g_auto (CgPolicyEdit) edit = { NULL };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;

  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc != 2)
    return cli_usage_error (g_get_prgname (), "expected one VENDOR");
  if (!cg_vendor_id_is_valid (argv[1]))
    return cli_usage_error (g_get_prgname (), "'%s' is not a vendor id", argv[1]);
  if (!cg_policy_edit_begin (&edit, globals->root, argv[1], diagnostics, &error)
      || !check_existence (&edit, argv[1], EDIT_SET, &error)
      || !cg_policy_edit_commit_removal (&edit, diagnostics, &error))
    return report_failure (diagnostics, error);
  return CLI_EXIT_OK;
}

static int
edit_defaults (CliGlobals *globals, CliTarget *target, char **set_args, char **unset_args)
{
  g_auto (CgPolicyEdit) edit = { NULL };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;

  if (!cg_policy_edit_begin (&edit, globals->root, NULL, diagnostics, &error))
    return report_failure (diagnostics, error);
  if (edit.doc == NULL)
    cg_policy_edit_start_empty (&edit);
  if (!apply_arguments (edit.doc, target, unset_args, FALSE, &error)
      || !apply_arguments (edit.doc, target, set_args, TRUE, &error)
      || !cg_policy_edit_commit (&edit, diagnostics, &error))
    return report_failure (diagnostics, error);
  return CLI_EXIT_OK;
}

int
cmd_policy_default (CliGlobals *globals, int argc, char **argv)
{
  gboolean car = FALSE;
  g_auto (GStrv) unset = NULL;
  const GOptionEntry entries[] = {
    { "car", 0, 0, G_OPTION_ARG_NONE, &car,
      "Edit [CarDefault], the grant of car-class Bluetooth devices nothing else matches", NULL },
    { "unset", 0, 0, G_OPTION_ARG_STRING_ARRAY, &unset, "Remove KEY (may repeat)", "KEY" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "[KEY=VALUE…]",
      "Edit the defaults in /etc/carguard/carguard.conf: [Default], the grant of any\n"
      "device nothing else matches, or with --car [CarDefault].",
      entries);
  CliTarget target = { TRUE, FALSE, NULL, 0 };

  g_option_context_set_description (context, assignment_help);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc < 2 && unset == NULL)
    return cli_usage_error (g_get_prgname (), "nothing to change");
  target.car = car;
  return edit_defaults (globals, &target, argv + 1, unset);
}
