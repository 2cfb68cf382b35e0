/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "cg-diagnostic.h"
#include "cli-diff.h"
#include "cli-output.h"
#include "cg-policy-edit.h"
#include "cli.h"
#include "cmd-policy.h"

/* What an assignment does: KEY=VALUE sets, KEY+=VALUE adds to a [Match] list,
 * KEY-=VALUE takes from it. */
typedef enum {
  CLI_OP_SET,
  CLI_OP_ADD,
  CLI_OP_REMOVE,
} CliOp;

/* One KEY=VALUE (or KEY, to unset) of the command line: "Key", "Section.Key" or
 * "Section.N.Key" with N counting that section's occurrences from 1. */
typedef struct {
  char *section; /* NULL: the schema decides */
  guint section_index;
  char *key;
  char *value; /* NULL when unsetting */
  CliOp op;
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
  gboolean dry_run; /* print the diff instead of writing */
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
  if (with_value && (g_str_has_suffix (lhs, "+") || g_str_has_suffix (lhs, "-"))) {
    out->op = g_str_has_suffix (lhs, "+") ? CLI_OP_ADD : CLI_OP_REMOVE;
    lhs[strlen (lhs) - 1] = '\0';
  }
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
  /* Name= is a key of [Vendor] (what people read) and of [Match] (a glob on the name a
   * device gives): guessing one would either match nothing or block by name alone. */
  if (!target->main_file && g_str_equal (a->key, "Name")) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "Name= is ambiguous: write Match.Name=GLOB to match devices by the Bluetooth "
                 "name they give, or Vendor.Name=TEXT for the name shown to people");
    return FALSE;
  }
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

/* `set KEY=VALUE` on a list replaces every line of it: said aloud, for a list of many
 * identifiers is easily lost to what was meant as one more. */
static void
note_list_replaced (const CgPolicyEdit *edit, const CliAssignment *a)
{
  guint held;

  if (!g_str_equal (a->section, "Match") || edit->doc == NULL)
    return;
  held = cg_policy_edit_list_count (edit, a->key);
  if (held > 1)
    fprintf (stderr,
             "carguard: note: %s= listed %u items; KEY=VALUE replaces them all (%s+=VALUE adds "
             "to the list)\n",
             a->key, held, a->key);
}

static gboolean
apply_assignment (CgPolicyEdit *edit, const CliAssignment *a, GError **error)
{
  if (a->op != CLI_OP_SET && !g_str_equal (a->section, "Match")) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "%s%s= works on the lists of [Match] only; write %s=VALUE in full", a->key,
                 a->op == CLI_OP_ADD ? "+" : "-", a->key);
    return FALSE;
  }
  switch (a->op) {
    case CLI_OP_ADD:
      return cg_policy_edit_list_add (edit, a->key, a->value, NULL, error);
    case CLI_OP_REMOVE:
      return cg_policy_edit_list_remove (edit, a->key, a->value, error);
    case CLI_OP_SET:
    default:
      note_list_replaced (edit, a);
      return cg_document_set (edit->doc, a->section, a->section_index, a->key, a->value, error);
  }
}

static gboolean
apply_arguments (CgPolicyEdit *edit, const CliTarget *target, char **args, gboolean set,
                 GError **error)
{
  for (guint i = 0; args != NULL && args[i] != NULL; i++) {
    g_auto (CliAssignment) a = { NULL };

    if (!parse_assignment (args[i], set, &a, error) || !resolve_section (&a, target, error))
      return FALSE;
    if (set && !apply_assignment (edit, &a, error))
      return FALSE;
    if (!set && !cg_document_unset (edit->doc, a.section, a.section_index, a.key, error))
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
         && apply_arguments (edit, target, args, kind != EDIT_UNSET, error);
}

static int
exit_code_for (const GError *error)
{
  return g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE) ? CLI_EXIT_USAGE
                                                                           : CLI_EXIT_REFUSED;
}

/* Reports a failed edit: diagnostics if there are any, else the error. */
int
cmd_policy_edit_failed (GPtrArray *diagnostics, const GError *error)
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

/* What --dry-run shows: the file as it is (the admin's, or the shipped one it would
 * override) against the file the edit would write, or against nothing for a removal. */
static gboolean
print_edit_diff (const CgPolicyEdit *edit, gboolean removal, GError **error)
{
  gsize len = 0;
  g_autofree char *text = removal ? NULL : cg_document_to_data (edit->doc, &len);
  g_autofree char *mask_label = g_strconcat (edit->admin_path, " (a mask: -> /dev/null)", NULL);
  const CliDiffSide from = { edit->original != NULL ? edit->original_path : "/dev/null",
                             edit->original, edit->original != NULL ? strlen (edit->original) : 0 };
  const CliDiffSide to
      = { removal ? (cg_policy_edit_removal_masks (edit) ? mask_label : "/dev/null")
                  : edit->admin_path,
          text, len };
  gboolean differ = FALSE;

  if (!cli_diff_print (&from, &to, &differ, error))
    return FALSE;
  if (!differ)
    fprintf (stderr, "carguard: %s would not change\n", edit->admin_path);
  return TRUE;
}

/* Checks the whole policy with the edit in place, then writes it, or with --dry-run
 * prints what it would write. */
int
cmd_policy_edit_finish (CgPolicyEdit *edit, gboolean dry_run, GPtrArray *diagnostics)
{
  g_autoptr (GError) error = NULL;

  if (!dry_run) {
    if (!cg_policy_edit_commit (edit, diagnostics, &error))
      return cmd_policy_edit_failed (diagnostics, error);
    return CLI_EXIT_OK;
  }
  if (!cg_policy_edit_check (edit, diagnostics, &error) || !print_edit_diff (edit, FALSE, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  return CLI_EXIT_OK;
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
    return cmd_policy_edit_failed (diagnostics, error);
  if (kind == EDIT_ADD) {
    cg_policy_edit_start_empty (&edit);
    if (!cg_document_set (edit.doc, "Vendor", 0, "Name", vendor_id, &error))
      return cmd_policy_edit_failed (diagnostics, error);
  }
  if (!apply_edit (&edit, kind, target, args, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  return cmd_policy_edit_finish (&edit, target->dry_run, diagnostics);
}

/* What is said of every edit, after what is said of the command's keys. */
#define EDIT_CHECKED_HELP                                                                          \
  "The whole policy is checked with the change in place before anything is written;\n"             \
  "a change that makes it invalid is refused, its problems printed as\n"                           \
  "FILE:LINE:COL: error: MESSAGE, and nothing changes. Files are replaced atomically,\n"           \
  "comments and untouched lines are kept, and shipped files under /usr/lib are never\n"            \
  "changed: the edited copy goes to /etc/carguard. --dry-run prints the change as a\n"             \
  "unified diff instead of making it."

static const char vendor_assignment_help[]
    = "KEY=VALUE puts a key where the policy language has it ([Match] for BluetoothOUI=,\n"
      "[Policy] for Preset=, ...). SECTION.KEY=VALUE names the section, and\n"
      "Device.N.KEY=VALUE the N-th [Device] section, counting from 1. With --device ADDR,\n"
      "grant keys go to the [Device] section of that Bluetooth address or USB serial.\n"
      "Name= is both the vendor's name and a [Match] glob: write Vendor.Name= or\n"
      "Match.Name=.\n"
      "\n"
      "The [Match] keys are lists. KEY=VALUE replaces the whole list; KEY+=VALUE adds the\n"
      "items it does not hold yet, on new lines after its last one, and KEY-=VALUE takes\n"
      "items out, leaving every other line as it was (carguard policy set byd\n"
      "BluetoothOUI+=78:D4:F1:4).\n"
      "\n" EDIT_CHECKED_HELP;

static const char default_assignment_help[]
    = "KEY=VALUE sets a grant key (Preset=, Pairing=, Profiles=, USBMode=,\n"
      "USBInterfaces=) of [Default], or of [CarDefault] with --car. SECTION.KEY=VALUE names\n"
      "any section of carguard.conf (USBHost.Guard=no).\n"
      "\n" EDIT_CHECKED_HELP;

static int
run_vendor_edit (CliGlobals *globals, int argc, char **argv, EditKind kind, const char *parameters,
                 const char *summary)
{
  g_autofree char *device = NULL;
  gboolean dry_run = FALSE;
  const GOptionEntry entries[] = {
    { "device", 0, 0, G_OPTION_ARG_STRING, &device,
      "Edit the [Device] of this Bluetooth address or USB serial", "ADDR" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the change as a diff; write nothing",
      NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context
      = cli_option_context_new (globals, parameters, summary, entries);
  CliTarget target = { FALSE, FALSE, NULL, 0, FALSE };

  g_option_context_set_description (context, vendor_assignment_help);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc < 2)
    return cli_usage_error (g_get_prgname (), "a VENDOR is missing");
  if (kind != EDIT_ADD && argc < 3 && !(kind == EDIT_UNSET && device != NULL))
    return cli_usage_error (g_get_prgname (), "nothing to change");
  target.device = device;
  target.dry_run = dry_run;
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
                          "Set keys of a vendor's policy file; KEY+=VALUE and KEY-=VALUE add\n"
                          "items to and take them from a [Match] list.");
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
  gboolean dry_run = FALSE;
  const GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the change as a diff; write nothing",
      NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "VENDOR",
      "Remove a vendor. A vendor shipped in /usr/lib is masked instead: a symlink to\n"
      "/dev/null in /etc/carguard/vendors.d hides it.",
      entries);
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
      || !check_existence (&edit, argv[1], EDIT_SET, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  if (dry_run) {
    if (!cg_policy_edit_check_removal (&edit, diagnostics, &error)
        || !print_edit_diff (&edit, TRUE, &error))
      return cmd_policy_edit_failed (diagnostics, error);
    return CLI_EXIT_OK;
  }
  if (!cg_policy_edit_commit_removal (&edit, diagnostics, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  return CLI_EXIT_OK;
}

static int
edit_defaults (CliGlobals *globals, CliTarget *target, char **set_args, char **unset_args)
{
  g_auto (CgPolicyEdit) edit = { NULL };
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;

  if (!cg_policy_edit_begin (&edit, globals->root, NULL, diagnostics, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  if (edit.doc == NULL)
    cg_policy_edit_start_empty (&edit);
  if (!apply_arguments (&edit, target, unset_args, FALSE, &error)
      || !apply_arguments (&edit, target, set_args, TRUE, &error))
    return cmd_policy_edit_failed (diagnostics, error);
  return cmd_policy_edit_finish (&edit, target->dry_run, diagnostics);
}

int
cmd_policy_default (CliGlobals *globals, int argc, char **argv)
{
  gboolean car = FALSE;
  gboolean dry_run = FALSE;
  g_auto (GStrv) unset = NULL;
  const GOptionEntry entries[] = {
    { "car", 0, 0, G_OPTION_ARG_NONE, &car,
      "Edit [CarDefault], the grant of car-class Bluetooth devices nothing else matches", NULL },
    { "unset", 0, 0, G_OPTION_ARG_STRING_ARRAY, &unset, "Remove KEY (may repeat)", "KEY" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Print the change as a diff; write nothing",
      NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = cli_option_context_new (
      globals, "[KEY=VALUE…]",
      "Edit the defaults in /etc/carguard/carguard.conf: [Default], the grant of any\n"
      "device nothing else matches, or with --car [CarDefault].",
      entries);
  CliTarget target = { TRUE, FALSE, NULL, 0, FALSE };

  g_option_context_set_description (context, default_assignment_help);
  if (!cli_option_context_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;
  if (argc < 2 && unset == NULL)
    return cli_usage_error (g_get_prgname (), "nothing to change");
  target.car = car;
  target.dry_run = dry_run;
  return edit_defaults (globals, &target, argv + 1, unset);
}
