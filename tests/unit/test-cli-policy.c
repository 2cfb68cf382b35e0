/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs the real `carguard` binary (path in $CARGUARD) against a private --root. */
#include <check.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "cg-test-tree.h"

#define N_CONCURRENT 50

typedef struct {
  int exit_code;
  char *out;
  char *err;
} CliRun;

static void
cli_run_clear (CliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

static const char *
carguard_path (void)
{
  const char *path = g_getenv ("CARGUARD");

  ck_assert_msg (path != NULL, "CARGUARD must name the carguard binary");
  return path;
}

static GPtrArray *
make_argv (const char *root, va_list args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;

  g_ptr_array_add (argv, g_strdup (carguard_path ()));
  if (root != NULL) {
    g_ptr_array_add (argv, g_strdup ("--root"));
    g_ptr_array_add (argv, g_strdup (root));
  }
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* carguard [--root ROOT] ARGS... NULL; waits for it. */
static void
run_carguard (CliRun *run, const char *root, ...)
{
  g_autoptr (GPtrArray) argv = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;
  va_list args;

  va_start (args, root);
  argv = make_argv (root, args);
  va_end (args);
  ck_assert_msg (g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &status, &error),
                 "%s", error ? error->message : "");
  ck_assert_msg (WIFEXITED (status), "carguard died: %s", run->err);
  run->exit_code = WEXITSTATUS (status);
}

static GPid
spawn_carguard_argv (char **argv)
{
  g_autoptr (GError) error = NULL;
  GPid pid = 0;

  ck_assert_msg (g_spawn_async (NULL, argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                &pid, &error),
                 "%s", error ? error->message : "");
  return pid;
}

static int
wait_exit_code (GPid pid)
{
  int status = 0;

  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
copy_tree (const char *from, const char *to)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  ck_assert_int_eq (g_mkdir_with_parents (to, 0755), 0);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *src = g_build_filename (from, name, NULL);
    g_autofree char *dst = g_build_filename (to, name, NULL);
    g_autofree char *text = NULL;
    gsize len = 0;

    if (g_file_test (src, G_FILE_TEST_IS_DIR)) {
      copy_tree (src, dst);
      continue;
    }
    ck_assert (g_file_get_contents (src, &text, &len, NULL));
    ck_assert (g_file_set_contents (dst, text, (gssize)len, NULL));
  }
}

/* A root holding only the shipped policy of the source tree. */
static char *
make_root (void)
{
  g_autoptr (GError) error = NULL;
  char *root = g_dir_make_tmp ("carguard-cli-XXXXXX", &error);
  const char *shipped = g_getenv ("CG_SHIPPED_POLICY");
  g_autofree char *shipped_dir = NULL;

  ck_assert_msg (root != NULL, "%s", error ? error->message : "");
  ck_assert_msg (shipped != NULL, "CG_SHIPPED_POLICY must name policy/shipped");
  shipped_dir = g_build_filename (root, "usr/lib/carguard", NULL);
  copy_tree (shipped, shipped_dir);
  return root;
}

static char *
root_path (const char *root, const char *path)
{
  return g_build_filename (root, path, NULL);
}

static void
write_root_file (const char *root, const char *path, const char *text)
{
  g_autofree char *full = root_path (root, path);
  g_autofree char *dir = g_path_get_dirname (full);

  ck_assert_int_eq (g_mkdir_with_parents (dir, 0755), 0);
  ck_assert (g_file_set_contents (full, text, -1, NULL));
}

static char *
read_root_file (const char *root, const char *path)
{
  g_autofree char *full = root_path (root, path);
  char *text = NULL;

  ck_assert_msg (g_file_get_contents (full, &text, NULL, NULL), "cannot read %s", full);
  return text;
}

static gboolean
matches (const char *pattern, const char *text)
{
  return g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, text, -1, &error), "%s: %s",
                 error ? error->message : "", text);
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
json_array_has_string (JsonArray *array, const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static guint
count_lines_starting (const char *text, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;
  return n;
}

#define BYD_PATH "etc/carguard/vendors.d/byd.conf"
#define BYD_TEXT                                                                                   \
  "# BYD head units: audio only.\n"                                                                \
  "[Vendor]\n"                                                                                     \
  "Name = BYD\n"                                                                                   \
  "\n"                                                                                             \
  "; how we know them\n"                                                                           \
  "[Match]\n"                                                                                      \
  "BluetoothOUI=00:1E:DE   18:3B:D2\n"                                                             \
  "\n"                                                                                             \
  "[Policy]\n"                                                                                     \
  "   Preset  =  audio-only\n"                                                                     \
  "Pairing=ask\n"                                                                                  \
  "# trailing remark\n"

START_TEST (test_cli_help)
{
  const char *commands[][3] = { { "--help", NULL, NULL },
                                { "policy", "--help", NULL },
                                { "policy", "add", "--help" },
                                { "policy", "explain", "--help" },
                                { "policy", "default", "--help" } };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_auto (CliRun) run = { 0 };

    run_carguard (&run, NULL, commands[i][0], commands[i][1], commands[i][2], NULL);
    ck_assert_int_eq (run.exit_code, 0);
    ck_assert_msg (strstr (run.out, "Usage:") != NULL, "%s", run.out);
  }
}
END_TEST

/* The commands that ask the running daemon refuse --root, before or after the command:
 * carguardd reads its own policy, and an option it would ignore must not look obeyed. */
START_TEST (test_cli_live_commands_refuse_root)
{
  const char *commands[][3] = {
    { "devices", NULL, NULL },        { "monitor", NULL, NULL }, { "allow-once", "AA", NULL },
    { "block", "AA", NULL },          { "reload", NULL, NULL },  { "status", NULL, NULL },
    { "policy", "report", "--live" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    g_auto (CliRun) before = { 0 };
    g_auto (CliRun) after = { 0 };

    run_carguard (&before, "/", commands[i][0], commands[i][1], commands[i][2], NULL);
    ck_assert_msg (before.exit_code == 2, "%s: %s", commands[i][0], before.err);
    ck_assert_msg (strstr (before.err, "--root") != NULL, "%s", before.err);
    if (g_str_equal (commands[i][0], "policy"))
      continue;
    run_carguard (&after, NULL, commands[i][0], "--root", "/", commands[i][1], NULL);
    ck_assert_msg (after.exit_code == 2, "%s: %s", commands[i][0], after.err);
  }
}
END_TEST

START_TEST (test_cli_usage_errors)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) unknown = { 0 };
  g_auto (CliRun) no_equals = { 0 };
  g_auto (CliRun) bad_id = { 0 };

  run_carguard (&unknown, root, "policy", "frobnicate", NULL);
  ck_assert_int_eq (unknown.exit_code, 2);
  run_carguard (&no_equals, root, "policy", "add", "acme", "BluetoothOUI", NULL);
  ck_assert_int_eq (no_equals.exit_code, 2);
  run_carguard (&bad_id, root, "policy", "add", "../evil", NULL);
  ck_assert_int_eq (bad_id.exit_code, 2);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_check_broken_file)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) installed = { 0 };
  g_auto (CliRun) extra = { 0 };
  g_autofree char *candidate = root_path (root, "bad.conf");
  g_autofree char *installed_bad = root_path (root, "etc/carguard/vendors.d/bad.conf");

  write_root_file (root, "etc/carguard/vendors.d/bad.conf",
                   "[Vendor]\nName=Bad\n\n[Policy]\nPreset=bogus\n");
  run_carguard (&installed, root, "policy", "check", NULL);
  ck_assert_int_eq (installed.exit_code, 1);
  ck_assert_msg (matches ("bad\\.conf:5:[0-9]+: error: ", installed.err), "%s", installed.err);

  ck_assert_int_eq (g_unlink (installed_bad), 0);
  ck_assert (g_file_set_contents (candidate, "[Vendor]\nName=Bad\n[Match]\nUSB=zz\n", -1, NULL));
  run_carguard (&extra, root, "policy", "check", candidate, NULL);
  ck_assert_int_eq (extra.exit_code, 1);
  ck_assert_msg (matches ("bad\\.conf:4:[0-9]+: error: ", extra.err), "%s", extra.err);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_check_valid)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) run = { 0 };

  write_root_file (root, BYD_PATH, BYD_TEXT);
  run_carguard (&run, root, "policy", "check", NULL);
  ck_assert_msg (run.exit_code == 0, "%s", run.err);
  cg_test_tree_remove (root);
}
END_TEST

/* The gate cannot be fooled by a mistyped root, an empty one, or a file it would skip. */
START_TEST (test_cli_check_gate)
{
  g_autofree char *root = make_root ();
  g_autofree char *missing = g_build_filename (root, "does-not-exist", NULL);
  g_autofree char *empty = g_dir_make_tmp ("carguard-cli-empty-XXXXXX", NULL);
  g_autofree char *candidate = root_path (root, "notconf.txt");
  g_auto (CliRun) no_root = { 0 };
  g_auto (CliRun) empty_root = { 0 };
  g_auto (CliRun) ignored = { 0 };
  g_auto (CliRun) strict = { 0 };

  run_carguard (&no_root, missing, "policy", "check", NULL);
  ck_assert_int_eq (no_root.exit_code, 1);
  ck_assert_msg (strstr (no_root.err, "does-not-exist") != NULL, "%s", no_root.err);
  run_carguard (&empty_root, empty, "policy", "check", NULL);
  ck_assert_int_eq (empty_root.exit_code, 1);
  ck_assert_msg (strstr (empty_root.err, "no policy below") != NULL, "%s", empty_root.err);

  write_root_file (root, "notconf.txt", "[Vendor]\n");
  write_root_file (root, "etc/carguard/vendors.d/xpeng.conf.bak", "[Vendor]\n");
  run_carguard (&ignored, root, "policy", "check", candidate, NULL);
  ck_assert_msg (ignored.exit_code == 0, "%s", ignored.err);
  ck_assert_msg (matches ("notconf\\.txt:1:1: warning: ignored", ignored.err), "%s", ignored.err);
  ck_assert_msg (
      matches ("^/etc/carguard/vendors\\.d/xpeng\\.conf\\.bak:1:1: warning: ignored", ignored.err),
      "%s", ignored.err);
  run_carguard (&strict, root, "policy", "check", "--strict", candidate, NULL);
  ck_assert_int_eq (strict.exit_code, 1);
  ck_assert_msg (matches ("notconf\\.txt:1:1: error: ignored", strict.err), "%s", strict.err);
  cg_test_tree_remove (empty);
  cg_test_tree_remove (root);
}
END_TEST

/* A conflict found while checking an edit names the file the edit writes, never a
 * temporary copy of it. */
START_TEST (test_cli_conflict_names_the_edited_file)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) run = { 0 };

  write_root_file (root, BYD_PATH, BYD_TEXT);
  write_root_file (root, "etc/carguard/vendors.d/geely.conf",
                   "[Vendor]\n[Match]\nBluetoothOUI=00:AA:BB\n");
  run_carguard (&run, root, "policy", "set", "byd", "BluetoothOUI=00:AA:BB", NULL);
  ck_assert_int_eq (run.exit_code, 1);
  ck_assert_msg (strstr (run.err, "/etc/carguard/vendors.d/byd.conf:7") != NULL, "%s", run.err);
  ck_assert_msg (strstr (run.err, "/etc/carguard/vendors.d/geely.conf:3") != NULL, "%s", run.err);
  ck_assert_msg (strstr (run.err, "tmp") == NULL && strstr (run.err, "carguard-edit") == NULL, "%s",
                 run.err);
  cg_test_tree_remove (root);
}
END_TEST

static gboolean
starts_with_any (const char *line, const char *const *prefixes)
{
  while (g_ascii_isspace (*line))
    line++;
  for (guint i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix (line, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* Every non-blank line of before, except those of the changed keys, appears in after
 * in the same order, byte for byte. */
static void
assert_untouched_lines_kept (const char *before, const char *after, const char *const *changed)
{
  g_auto (GStrv) old_lines = g_strsplit (before, "\n", -1);
  const char *cursor = after;

  for (guint i = 0; old_lines[i] != NULL; i++) {
    g_autofree char *line = g_strconcat (old_lines[i], "\n", NULL);
    const char *found;

    if (old_lines[i][0] == '\0' || starts_with_any (old_lines[i], changed))
      continue;
    found = strstr (cursor, line);
    ck_assert_msg (found != NULL, "line '%s' lost or moved in:\n%s", old_lines[i], after);
    cursor = found + strlen (line);
  }
}

START_TEST (test_cli_set_unset_keep_layout)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) set = { 0 };
  g_auto (CliRun) unset = { 0 };
  g_autofree char *after_set = NULL;
  g_autofree char *after_unset = NULL;
  const char *changed_preset[] = { "Preset", NULL };
  const char *changed_pairing[] = { "Pairing", NULL };

  write_root_file (root, BYD_PATH, BYD_TEXT);
  run_carguard (&set, root, "policy", "set", "byd", "Preset=charge-only", NULL);
  ck_assert_msg (set.exit_code == 0, "%s", set.err);
  after_set = read_root_file (root, BYD_PATH);
  assert_untouched_lines_kept (BYD_TEXT, after_set, changed_preset);
  ck_assert_msg (strstr (after_set, "   Preset  =  charge-only\n") != NULL, "%s", after_set);

  run_carguard (&unset, root, "policy", "unset", "byd", "Policy.Pairing", NULL);
  ck_assert_msg (unset.exit_code == 0, "%s", unset.err);
  after_unset = read_root_file (root, BYD_PATH);
  assert_untouched_lines_kept (after_set, after_unset, changed_pairing);
  ck_assert (strstr (after_unset, "Pairing") == NULL);
  cg_test_tree_remove (root);
}
END_TEST

/* += and -= change the list and nothing else: every other line stays byte for byte. */
START_TEST (test_cli_list_add_remove_keep_layout)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) add = { 0 };
  g_auto (CliRun) again = { 0 };
  g_auto (CliRun) remove = { 0 };
  g_auto (CliRun) missing = { 0 };
  g_auto (CliRun) grant = { 0 };
  g_autofree char *after_add = NULL;
  g_autofree char *after_again = NULL;
  g_autofree char *after_remove = NULL;
  const char *nothing[] = { NULL };
  const char *ouis[] = { "BluetoothOUI", NULL };

  write_root_file (root, BYD_PATH, BYD_TEXT);
  run_carguard (&add, root, "policy", "set", "byd", "BluetoothOUI+=78:D4:F1:4 00:1e:de", NULL);
  ck_assert_msg (add.exit_code == 0, "%s", add.err);
  after_add = read_root_file (root, BYD_PATH);
  assert_untouched_lines_kept (BYD_TEXT, after_add, nothing);
  ck_assert_msg (
      matches ("^BluetoothOUI=00:1E:DE   18:3B:D2\nBluetoothOUI=78:D4:F1:4\n", after_add), "%s",
      after_add);

  /* What the list holds already is not added twice. */
  run_carguard (&again, root, "policy", "set", "byd", "BluetoothOUI+=78:d4:f1:4", NULL);
  ck_assert_msg (again.exit_code == 0, "%s", again.err);
  after_again = read_root_file (root, BYD_PATH);
  ck_assert_str_eq (after_again, after_add);

  run_carguard (&remove, root, "policy", "set", "byd", "BluetoothOUI-=18:3b:d2 78:D4:F1:4", NULL);
  ck_assert_msg (remove.exit_code == 0, "%s", remove.err);
  after_remove = read_root_file (root, BYD_PATH);
  assert_untouched_lines_kept (after_add, after_remove, ouis);
  ck_assert_msg (matches ("^\\[Match\\]\nBluetoothOUI=00:1E:DE\n\n\\[Policy\\]", after_remove),
                 "%s", after_remove);

  run_carguard (&missing, root, "policy", "set", "byd", "BluetoothOUI-=02:00:00", NULL);
  ck_assert_int_eq (missing.exit_code, 1);
  ck_assert_msg (strstr (missing.err, "does not list 02:00:00") != NULL, "%s", missing.err);
  run_carguard (&grant, root, "policy", "set", "byd", "Profiles+=pbap", NULL);
  ck_assert_int_eq (grant.exit_code, 2);
  cg_test_tree_remove (root);
}
END_TEST

/* A vendor of 2,000 OUIs checks clean, and one more or one less leaves the rest. */
START_TEST (test_cli_two_thousand_ouis)
{
  g_autofree char *root = make_root ();
  g_autoptr (GString) text = g_string_new ("[Vendor]\nName=Huawei\n\n[Match]\n");
  g_auto (CliRun) check = { 0 };
  g_auto (CliRun) add = { 0 };
  g_auto (CliRun) remove = { 0 };
  g_autofree char *after = NULL;

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (text, "%sBluetoothOUI=02:%02X:%02X\n",
                            i % 100 == 0 ? "# a block of a hundred\n" : "", i >> 8, i & 0xff);
  g_string_append (text, "\n[Policy]\nPreset=block\n");
  write_root_file (root, "etc/carguard/vendors.d/huawei.conf", text->str);
  run_carguard (&check, root, "policy", "check", NULL);
  ck_assert_msg (check.exit_code == 0, "%s", check.err);
  run_carguard (&add, root, "policy", "set", "huawei", "BluetoothOUI+=70:B3:D5:12:3", NULL);
  ck_assert_msg (add.exit_code == 0, "%s", add.err);
  run_carguard (&remove, root, "policy", "set", "huawei", "BluetoothOUI-=02:00:07", NULL);
  ck_assert_msg (remove.exit_code == 0, "%s", remove.err);
  after = read_root_file (root, "etc/carguard/vendors.d/huawei.conf");
  ck_assert (strstr (after, "BluetoothOUI=02:00:07\n") == NULL);
  ck_assert (strstr (after, "BluetoothOUI=02:07:CF\nBluetoothOUI=70:B3:D5:12:3\n\n[Policy]")
             != NULL);
  {
    g_autoptr (GString) expected = g_string_new (text->str);
    g_string_replace (expected, "BluetoothOUI=02:00:07\n", "", 1);
    g_string_replace (expected, "BluetoothOUI=02:07:CF\n",
                      "BluetoothOUI=02:07:CF\nBluetoothOUI=70:B3:D5:12:3\n", 1);
    ck_assert_str_eq (after, expected->str);
  }
  cg_test_tree_remove (root);
}
END_TEST

/* A bare Name= is the display name and a [Match] glob both: it is refused, not guessed. */
START_TEST (test_cli_bare_name_refused)
{
  g_autofree char *root = make_root ();
  g_autofree char *path = root_path (root, "etc/carguard/vendors.d/acme.conf");
  g_auto (CliRun) bare = { 0 };
  g_auto (CliRun) match = { 0 };
  g_autofree char *text = NULL;

  run_carguard (&bare, root, "policy", "add", "acme", "Name=Acme*", NULL);
  ck_assert_int_eq (bare.exit_code, 2);
  ck_assert_msg (strstr (bare.err, "Match.Name=") != NULL, "%s", bare.err);
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS));
  run_carguard (&match, root, "policy", "add", "acme", "Match.Name=\"Acme*\"",
                "Vendor.Name=Acme Cars", "Preset=block", NULL);
  ck_assert_msg (match.exit_code == 0, "%s", match.err);
  text = read_root_file (root, "etc/carguard/vendors.d/acme.conf");
  ck_assert_msg (matches ("^\\[Vendor\\]\nName=Acme Cars\n", text), "%s", text);
  ck_assert_msg (matches ("^\\[Match\\]\nName=\"Acme\\*\"\n", text), "%s", text);
  cg_test_tree_remove (root);
}
END_TEST

/* --dry-run prints the edit as a unified diff and writes nothing, also when refused. */
START_TEST (test_cli_dry_run)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) set = { 0 };
  g_auto (CliRun) refused = { 0 };
  g_auto (CliRun) removal = { 0 };
  g_auto (CliRun) defaults = { 0 };
  g_autofree char *after = NULL;
  g_autofree char *main_path = root_path (root, "etc/carguard/carguard.conf");
  g_autofree char *byd_path = root_path (root, BYD_PATH);

  write_root_file (root, BYD_PATH, BYD_TEXT);
  run_carguard (&set, root, "policy", "set", "--dry-run", "byd", "BluetoothOUI+=84:F7:58", NULL);
  ck_assert_msg (set.exit_code == 0, "%s", set.err);
  ck_assert_msg (matches ("^--- /etc/carguard/vendors\\.d/byd\\.conf$", set.out), "%s", set.out);
  ck_assert_msg (matches ("^\\+\\+\\+ /etc/carguard/vendors\\.d/byd\\.conf$", set.out), "%s",
                 set.out);
  ck_assert_msg (matches ("^\\+BluetoothOUI=84:F7:58$", set.out), "%s", set.out);
  after = read_root_file (root, BYD_PATH);
  ck_assert_str_eq (after, BYD_TEXT);

  run_carguard (&refused, root, "policy", "set", "--dry-run", "byd", "Pairing=often", NULL);
  ck_assert_int_eq (refused.exit_code, 1);
  ck_assert_str_eq (refused.out, "");

  run_carguard (&removal, root, "policy", "remove", "--dry-run", "byd", NULL);
  ck_assert_msg (removal.exit_code == 0, "%s", removal.err);
  /* The package ships byd.conf too: removing the admin's copy masks the vendor. */
  ck_assert_msg (
      matches ("^\\+\\+\\+ /etc/carguard/vendors\\.d/byd\\.conf \\(a mask: -> /dev/null\\)$",
               removal.out),
      "%s", removal.out);
  ck_assert (g_file_test (byd_path, G_FILE_TEST_EXISTS));

  run_carguard (&defaults, root, "policy", "default", "--dry-run", "Pairing=deny", NULL);
  ck_assert_msg (defaults.exit_code == 0, "%s", defaults.err);
  ck_assert_msg (matches ("^--- /usr/lib/carguard/carguard\\.conf$", defaults.out), "%s",
                 defaults.out);
  ck_assert_msg (matches ("^\\+Pairing=deny$", defaults.out), "%s", defaults.out);
  ck_assert (!g_file_test (main_path, G_FILE_TEST_EXISTS));
  cg_test_tree_remove (root);
}
END_TEST

#define TEST_HWDB_OUI                                                                              \
  "# test data in systemd's format\n"                                                              \
  "OUI:001EDE*\n ID_OUI_FROM_DATABASE=BYD COMPANY LIMITED\n\n"                                     \
  "OUI:78D4F14*\n ID_OUI_FROM_DATABASE=BYD Auto lndustry Co.,Ltd\n\n"                              \
  "OUI:70B3D5123*\n ID_OUI_FROM_DATABASE=BYD Auto lndustry Co.,Ltd\n\n"                            \
  "OUI:8489EC7*\n ID_OUI_FROM_DATABASE=BYDA Co. Ltd.,\n\n"                                         \
  "OUI:00604A*\n ID_OUI_FROM_DATABASE=SAIC IDEAS GROUP\n\n"
#define TEST_HWDB_OTHER                                                                            \
  "usb:v19D1*\n ID_VENDOR_FROM_DATABASE=BYD COMPANY LIMITED\n\n"                                   \
  "usb:v19D1p0001*\n ID_MODEL_FROM_DATABASE=BYD COMPANY LIMITED\n\n"                               \
  "bluetooth:v0C34*\n ID_VENDOR_FROM_DATABASE=BYD Auto lndustry Co.,Ltd\n"

START_TEST (test_cli_import)
{
  g_autofree char *root = make_root ();
  g_autofree char *hwdb = root_path (root, "usr/lib/udev/hwdb.d");
  g_autofree char *list = root_path (root, "ids.txt");
  g_auto (CliRun) run = { 0 };
  g_auto (CliRun) again = { 0 };
  g_auto (CliRun) from = { 0 };
  g_auto (CliRun) bad = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *again_text = NULL;

  write_root_file (root, "usr/lib/udev/hwdb.d/20-OUI.hwdb", TEST_HWDB_OUI);
  write_root_file (root, "usr/lib/udev/hwdb.d/20-other.hwdb", TEST_HWDB_OTHER);
  /* A shipped byd.conf that lists one block of the test hwdb, so the import must skip it. */
  write_root_file (root, "usr/lib/carguard/vendors.d/byd.conf",
                   "[Vendor]\nName=BYD\n\n[Match]\nBluetoothOUI=00:1E:DE\n"
                   "Organization=\"BYD COMPANY LIMITED\"\n\n[Policy]\nPreset=audio-only\n");
  run_carguard (&run, root, "policy", "import", "byd", "--organization", "BYD COMPANY LIMITED",
                "--organization", "BYD Auto*", NULL);
  ck_assert_msg (run.exit_code == 0, "%s", run.err);
  ck_assert_msg (strstr (run.err, "\"BYD Auto lndustry Co.,Ltd\": 3 identifiers") != NULL, "%s",
                 run.err);
  ck_assert (strstr (run.err, "BYDA") == NULL && strstr (run.err, "SAIC") == NULL);
  text = read_root_file (root, "etc/carguard/vendors.d/byd.conf");
  /* The shipped byd.conf lists 00:1E:DE already; the override gets the rest. */
  ck_assert_msg (matches ("^BluetoothOUI=00:1E:DE\nBluetoothOUI=78:D4:F1:4 70:B3:D5:12:3$", text),
                 "%s", text);
  ck_assert_msg (matches ("^USB=19d1$", text), "%s", text);
  ck_assert_msg (matches ("^DeviceID=bluetooth:v0C34$", text), "%s", text);

  /* Again: nothing new, nothing written twice. */
  run_carguard (&again, root, "policy", "import", "byd", "--organization", "BYD*", "--hwdb-dir",
                hwdb, NULL);
  ck_assert_msg (again.exit_code == 0, "%s", again.err);
  ck_assert_msg (strstr (again.err, "\"BYDA Co. Ltd.,\": 1 identifier") != NULL, "%s", again.err);
  again_text = read_root_file (root, "etc/carguard/vendors.d/byd.conf");
  ck_assert_msg (matches ("^BluetoothOUI=84:89:EC:7$", again_text), "%s", again_text);

  write_root_file (root, "ids.txt",
                   "# from the supplier\n00:1E:DE 18:3B:D2\nusb:v1D6B 1d6b:0104\n"
                   "Name=\"DiLink*\"\n");
  run_carguard (&from, root, "policy", "import", "--dry-run", "byd", "--from", list, NULL);
  ck_assert_msg (from.exit_code == 0, "%s", from.err);
  ck_assert_msg (matches ("^\\+BluetoothOUI=18:3B:D2$", from.out), "%s", from.out);
  ck_assert_msg (matches ("^\\+DeviceID=usb:v1D6B$", from.out), "%s", from.out);
  ck_assert_msg (matches ("^\\+USB=1d6b:0104$", from.out), "%s", from.out);
  ck_assert_msg (matches ("^\\+Name=\"DiLink\\*\"$", from.out), "%s", from.out);

  write_root_file (root, "ids.txt", "00:1E:DE\n  18:3B xx\n");
  run_carguard (&bad, root, "policy", "import", "byd", "--from", list, NULL);
  ck_assert_int_eq (bad.exit_code, 1);
  ck_assert_msg (matches ("ids\\.txt:2:3: error: '18:3B' is no identifier", bad.err), "%s",
                 bad.err);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_diff)
{
  g_autofree char *root = make_root ();
  g_autofree char *staging = make_root ();
  g_autofree char *candidate = root_path (root, "acme.conf");
  g_auto (CliRun) same = { 0 };
  g_auto (CliRun) trees = { 0 };
  g_auto (CliRun) file = { 0 };

  run_carguard (&same, root, "policy", "diff", staging, NULL);
  ck_assert_int_eq (same.exit_code, 0);
  ck_assert_str_eq (same.out, "");
  write_root_file (staging, BYD_PATH, BYD_TEXT);
  run_carguard (&trees, root, "policy", "diff", staging, NULL);
  ck_assert_int_eq (trees.exit_code, 1);
  ck_assert_msg (matches ("^--- [^ ]*/usr/lib/carguard/vendors\\.d/byd\\.conf$", trees.out), "%s",
                 trees.out);
  ck_assert_msg (strstr (trees.out, "/etc/carguard/vendors.d/byd.conf\n") != NULL, "%s", trees.out);
  ck_assert_msg (matches ("^\\+Pairing=ask$", trees.out), "%s", trees.out);

  write_root_file (root, "acme.conf", "[Vendor]\nName=Acme\n");
  run_carguard (&file, root, "policy", "diff", candidate, NULL);
  ck_assert_int_eq (file.exit_code, 1);
  ck_assert_msg (matches ("^--- /dev/null$", file.out) && matches ("^\\+Name=Acme$", file.out),
                 "%s", file.out);
  cg_test_tree_remove (staging);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_refused_edit_changes_nothing)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) run = { 0 };
  g_autofree char *after = NULL;

  write_root_file (root, BYD_PATH, BYD_TEXT);
  run_carguard (&run, root, "policy", "set", "byd", "Pairing=sometimes", NULL);
  ck_assert_int_eq (run.exit_code, 1);
  ck_assert_msg (matches ("^/etc/carguard/vendors\\.d/byd\\.conf:11:[0-9]+: error: ", run.err),
                 "%s", run.err);
  after = read_root_file (root, BYD_PATH);
  ck_assert_str_eq (after, BYD_TEXT);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_shipped_file_gets_override)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) run = { 0 };
  g_autofree char *shipped = NULL;
  g_autofree char *override = NULL;
  const char *changed[] = { "Preset", NULL };

  write_root_file (root, "usr/lib/carguard/vendors.d/byd.conf", BYD_TEXT);
  run_carguard (&run, root, "policy", "set", "byd", "Preset=trusted", NULL);
  ck_assert_msg (run.exit_code == 0, "%s", run.err);
  shipped = read_root_file (root, "usr/lib/carguard/vendors.d/byd.conf");
  ck_assert_str_eq (shipped, BYD_TEXT);
  override = read_root_file (root, BYD_PATH);
  assert_untouched_lines_kept (BYD_TEXT, override, changed);
  ck_assert (strstr (override, "Preset  =  trusted") != NULL);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_remove_masks_shipped)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) removal = { 0 };
  g_auto (CliRun) list = { 0 };
  g_auto (CliRun) again = { 0 };
  g_autofree char *mask = root_path (root, BYD_PATH);
  g_autofree char *target = NULL;
  g_autofree char *shipped = NULL;

  write_root_file (root, "usr/lib/carguard/vendors.d/byd.conf", BYD_TEXT);
  run_carguard (&removal, root, "policy", "remove", "byd", NULL);
  ck_assert_msg (removal.exit_code == 0, "%s", removal.err);
  target = g_file_read_link (mask, NULL);
  ck_assert_str_eq (target, "/dev/null");
  shipped = read_root_file (root, "usr/lib/carguard/vendors.d/byd.conf");
  ck_assert_str_eq (shipped, BYD_TEXT);

  run_carguard (&list, root, "policy", "list", NULL);
  ck_assert_int_eq (list.exit_code, 0);
  ck_assert (strstr (list.out, "byd") == NULL);
  run_carguard (&again, root, "policy", "remove", "byd", NULL);
  ck_assert_int_eq (again.exit_code, 1);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_add_and_remove_admin_vendor)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) add = { 0 };
  g_auto (CliRun) add_again = { 0 };
  g_auto (CliRun) show = { 0 };
  g_auto (CliRun) removal = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *path = root_path (root, "etc/carguard/vendors.d/acme.conf");
  g_autoptr (JsonNode) shown = NULL;
  JsonObject *object;

  run_carguard (&add, root, "policy", "add", "acme", "BluetoothOUI=02:00:01", "Preset=audio-only",
                NULL);
  ck_assert_msg (add.exit_code == 0, "%s", add.err);
  text = read_root_file (root, "etc/carguard/vendors.d/acme.conf");
  ck_assert (matches ("^\\[Vendor\\]$", text) && matches ("^Name=acme$", text));
  ck_assert (matches ("^\\[Match\\]\nBluetoothOUI=02:00:01$", text));
  ck_assert (matches ("^\\[Policy\\]\nPreset=audio-only$", text));

  run_carguard (&add_again, root, "policy", "add", "acme", NULL);
  ck_assert_int_eq (add_again.exit_code, 1);

  run_carguard (&show, root, "policy", "show", "--json", "acme", NULL);
  ck_assert_msg (show.exit_code == 0, "%s", show.err);
  shown = parse_json (show.out);
  object = json_node_get_object (shown);
  ck_assert_str_eq (json_object_get_string_member (object, "id"), "acme");
  ck_assert_str_eq (
      json_object_get_string_member (json_object_get_object_member (object, "grant"), "pairing"),
      "allow");

  run_carguard (&removal, root, "policy", "remove", "acme", NULL);
  ck_assert_msg (removal.exit_code == 0, "%s", removal.err);
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK));
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_device_sections)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) by_serial = { 0 };
  g_auto (CliRun) by_number = { 0 };
  g_auto (CliRun) unset = { 0 };
  g_auto (CliRun) missing = { 0 };
  g_auto (CliRun) zero = { 0 };
  g_autofree char *text = NULL;

  write_root_file (root, BYD_PATH, BYD_TEXT);
  run_carguard (&by_serial, root, "policy", "set", "byd", "--device", "HU \"0001\"",
                "Preset=trusted", NULL);
  ck_assert_msg (by_serial.exit_code == 0, "%s", by_serial.err);
  run_carguard (&by_number, root, "policy", "set", "byd", "Device.1.Pairing=deny", NULL);
  ck_assert_msg (by_number.exit_code == 0, "%s", by_number.err);
  text = read_root_file (root, BYD_PATH);
  ck_assert_msg (
      matches ("^\\[Device\\]\nUSBSerial=\"HU \\\\\"0001\\\\\"\"\nPreset=trusted\nPairing=deny$",
               text),
      "%s", text);

  run_carguard (&unset, root, "--root", root, "policy", "unset", "byd", "--device", "HU \"0001\"",
                "Pairing", NULL);
  ck_assert_msg (unset.exit_code == 0, "%s", unset.err);
  g_free (text);
  text = read_root_file (root, BYD_PATH);
  ck_assert (strstr (text, "Pairing=deny") == NULL);

  run_carguard (&missing, root, "policy", "set", "byd", "Device.3.Preset=block", NULL);
  ck_assert_int_eq (missing.exit_code, 1);
  run_carguard (&zero, root, "policy", "set", "byd", "Device.0.Preset=block", NULL);
  ck_assert_int_eq (zero.exit_code, 2);
  cg_test_tree_remove (root);
}
END_TEST

/* --device finds the entry whatever case the address is typed in; unset without keys
 * removes the entry and gives back the file as it was before it was added. */
START_TEST (test_cli_device_entry_removed)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) add = { 0 };
  g_auto (CliRun) again = { 0 };
  g_auto (CliRun) removal = { 0 };
  g_auto (CliRun) gone = { 0 };
  g_autofree char *text = NULL;

  write_root_file (root, BYD_PATH, BYD_TEXT);
  run_carguard (&add, root, "policy", "set", "byd", "--device", "02:00:00:00:00:AB",
                "Preset=trusted", NULL);
  ck_assert_msg (add.exit_code == 0, "%s", add.err);
  run_carguard (&again, root, "policy", "set", "byd", "--device", "02:00:00:00:00:ab",
                "Pairing=deny", NULL);
  ck_assert_msg (again.exit_code == 0, "%s", again.err);
  text = read_root_file (root, BYD_PATH);
  ck_assert_uint_eq (count_lines_starting (text, "[Device]"), 1);
  ck_assert_msg (
      matches ("^BluetoothAddress=02:00:00:00:00:AB\nPreset=trusted\nPairing=deny$", text), "%s",
      text);

  run_carguard (&removal, root, "policy", "unset", "byd", "--device", "02:00:00:00:00:ab", NULL);
  ck_assert_msg (removal.exit_code == 0, "%s", removal.err);
  g_free (text);
  text = read_root_file (root, BYD_PATH);
  ck_assert_str_eq (text, BYD_TEXT);
  run_carguard (&gone, root, "policy", "unset", "byd", "--device", "02:00:00:00:00:ab", NULL);
  ck_assert_int_eq (gone.exit_code, 1);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_default_edits_main_file)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) edit = { 0 };
  g_auto (CliRun) refused = { 0 };
  g_autofree char *text = NULL;

  run_carguard (&edit, root, "policy", "default", "--car", "Preset=charge-only", NULL);
  ck_assert_msg (edit.exit_code == 0, "%s", edit.err);
  text = read_root_file (root, "etc/carguard/carguard.conf");
  ck_assert_msg (matches ("^\\[CarDefault\\]$", text), "%s", text);
  ck_assert_msg (matches ("^Preset *= *charge-only$", text), "%s", text);

  run_carguard (&refused, root, "policy", "default", "USBMode=sometimes", NULL);
  ck_assert_int_eq (refused.exit_code, 1);
  ck_assert_msg (matches ("carguard\\.conf:[0-9]+:[0-9]+: error: ", refused.err), "%s",
                 refused.err);
  cg_test_tree_remove (root);
}
END_TEST

static void
wait_all_succeed (GPid *pids, guint n)
{
  guint failed = 0;

  for (guint i = 0; i < n; i++)
    failed += wait_exit_code (pids[i]) != 0;
  ck_assert_uint_eq (failed, 0);
}

/* Vendors of `policy list --json` whose id is PREFIX followed by a number. */
static guint
count_vendors_named (JsonArray *vendors, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (vendors); i++) {
    JsonObject *vendor = json_array_get_object_element (vendors, i);
    const char *id = json_object_get_string_member (vendor, "id");

    if (g_str_has_prefix (id, prefix)
        && g_ascii_string_to_unsigned (id + strlen (prefix), 10, 0, N_CONCURRENT - 1, NULL, NULL))
      n++;
  }
  return n;
}

START_TEST (test_cli_concurrent_adds)
{
  g_autofree char *root = make_root ();
  GPid pids[N_CONCURRENT];
  g_auto (CliRun) list = { 0 };
  g_auto (CliRun) check = { 0 };
  g_autoptr (JsonNode) vendors = NULL;

  for (guint i = 0; i < N_CONCURRENT; i++) {
    g_autofree char *id = g_strdup_printf ("vendor%u", i);
    g_autofree char *oui = g_strdup_printf ("BluetoothOUI=02:00:%02X", i);
    char *argv[] = { (char *)carguard_path (), "--root", root, "policy", "add", id, oui, NULL };

    pids[i] = spawn_carguard_argv (argv);
  }
  wait_all_succeed (pids, N_CONCURRENT);

  run_carguard (&list, root, "policy", "list", "--json", NULL);
  ck_assert_msg (list.exit_code == 0, "%s", list.err);
  vendors = parse_json (list.out);
  ck_assert_uint_eq (count_vendors_named (json_node_get_array (vendors), "vendor"), N_CONCURRENT);
  run_carguard (&check, root, "policy", "check", NULL);
  ck_assert_msg (check.exit_code == 0, "%s", check.err);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_concurrent_edits_of_one_file)
{
  g_autofree char *root = make_root ();
  GPid pids[N_CONCURRENT];
  g_auto (CliRun) check = { 0 };
  g_autofree char *text = NULL;

  write_root_file (root, BYD_PATH, BYD_TEXT);
  for (guint i = 0; i < N_CONCURRENT; i++) {
    g_autofree char *address = g_strdup_printf ("02:00:00:00:00:%02X", i);
    char *argv[]
        = { (char *)carguard_path (), "--root", root, "policy", "set", "byd", "--device", address,
            "Preset=trusted",         NULL };

    pids[i] = spawn_carguard_argv (argv);
  }
  wait_all_succeed (pids, N_CONCURRENT);

  text = read_root_file (root, BYD_PATH);
  ck_assert_uint_eq (count_lines_starting (text, "BluetoothAddress=02:00:00:00:00:"), N_CONCURRENT);
  ck_assert_uint_eq (count_lines_starting (text, "[Device]"), N_CONCURRENT);
  for (guint i = 0; i < N_CONCURRENT; i++) {
    g_autofree char *line = g_strdup_printf ("BluetoothAddress=02:00:00:00:00:%02X\n", i);
    ck_assert_msg (strstr (text, line) != NULL, "lost %s", line);
  }
  run_carguard (&check, root, "policy", "check", NULL);
  ck_assert_msg (check.exit_code == 0, "%s", check.err);
  cg_test_tree_remove (root);
}
END_TEST

static JsonObject *
member_object (JsonObject *object, const char *name)
{
  ck_assert_msg (json_object_has_member (object, name), "no member %s", name);
  return json_object_get_object_member (object, name);
}

START_TEST (test_cli_explain_car_class)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) run = { 0 };
  g_auto (CliRun) text = { 0 };
  g_autoptr (JsonNode) node = NULL;
  JsonObject *bluetooth;
  JsonObject *profiles;

  run_carguard (&run, root, "policy", "explain", "--json", "--bt-class", "0x200420", NULL);
  ck_assert_msg (run.exit_code == 0, "%s", run.err);
  node = parse_json (run.out);
  ck_assert (json_object_has_member (json_node_get_object (node), "rule"));
  bluetooth = member_object (json_node_get_object (node), "bluetooth");
  ck_assert_str_eq (json_object_get_string_member (bluetooth, "pairing"), "ask");
  profiles = member_object (bluetooth, "profiles");
  ck_assert (json_array_has_string (json_object_get_array_member (profiles, "allowed"), "a2dp"));
  ck_assert (json_array_has_string (json_object_get_array_member (profiles, "allowed"), "hfp"));
  ck_assert (json_array_has_string (json_object_get_array_member (profiles, "denied"), "pbap"));
  ck_assert (json_array_has_string (json_object_get_array_member (profiles, "denied"), "map"));

  run_carguard (&text, root, "policy", "explain", "--bt-class", "2098208", NULL);
  ck_assert_msg (text.exit_code == 0, "%s", text.err);
  ck_assert (strlen (text.out) > 0);
  cg_test_tree_remove (root);
}
END_TEST

/* --bt-address-type random takes the kind from the address's top bits; a private
 * address shows as such and matches no OUI. */
START_TEST (test_cli_explain_address_type)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) run = { 0 };
  g_auto (CliRun) bad = { 0 };
  g_auto (CliRun) alone = { 0 };
  g_autoptr (JsonNode) node = NULL;
  JsonObject *facts;

  run_carguard (&run, root, "policy", "explain", "--json", "--bt-address", "4A:1E:DE:12:34:56",
                "--bt-address-type", "random", NULL);
  ck_assert_msg (run.exit_code == 0, "%s", run.err);
  node = parse_json (run.out);
  facts = member_object (member_object (json_node_get_object (node), "facts"), "bluetooth");
  ck_assert_str_eq (json_object_get_string_member (facts, "address-type"), "resolvable");
  ck_assert (!json_object_has_member (facts, "organization"));

  run_carguard (&bad, root, "policy", "explain", "--bt-address", "4A:1E:DE:12:34:56",
                "--bt-address-type", "rotating", NULL);
  ck_assert_int_eq (bad.exit_code, 2);
  run_carguard (&alone, root, "policy", "explain", "--bt-address-type", "public", NULL);
  ck_assert_int_eq (alone.exit_code, 2);
  cg_test_tree_remove (root);
}
END_TEST

START_TEST (test_cli_explain_unknown_usb)
{
  g_autofree char *root = make_root ();
  g_auto (CliRun) run = { 0 };
  g_auto (CliRun) bad = { 0 };
  g_autoptr (JsonNode) node = NULL;
  JsonObject *usb;

  run_carguard (&run, root, "policy", "explain", "--json", "--usb-id", "1234:5678", NULL);
  ck_assert_msg (run.exit_code == 0, "%s", run.err);
  node = parse_json (run.out);
  ck_assert (json_object_has_member (json_node_get_object (node), "rule"));
  usb = member_object (json_node_get_object (node), "usb");
  ck_assert_str_eq (json_object_get_string_member (usb, "mode"), "charge-only");

  run_carguard (&bad, root, "policy", "explain", "--usb-id", "12345678", NULL);
  ck_assert_int_eq (bad.exit_code, 2);
  cg_test_tree_remove (root);
}
END_TEST

/* A vendor with 2,000 OUIs beside the curated set: repeated list lines, checked clean. The
 * blocks are locally administered (02:...), so no registry block can collide with them. */
START_TEST (test_cli_two_thousand_ouis_check_clean)
{
  g_autofree char *root = make_root ();
  g_autoptr (GString) text = g_string_new ("[Vendor]\nName=Fleet list\n\n[Match]\n");
  g_auto (CliRun) check = { 0 };
  g_auto (CliRun) explain = { 0 };

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (text, "%s02:%02X:%02X%s", i % 10 == 0 ? "BluetoothOUI=" : " ", i >> 8,
                            i & 0xff, i % 10 == 9 ? "\n" : "");
  g_string_append (text, "\n[Policy]\nPreset=block\n");
  write_root_file (root, "etc/carguard/vendors.d/fleet-list.conf", text->str);
  run_carguard (&check, root, "policy", "check", NULL);
  ck_assert_msg (check.exit_code == 0, "%s", check.err);
  ck_assert_str_eq (check.err, "");
  run_carguard (&explain, root, "policy", "explain", "--bt-address", "02:07:CF:00:00:01", NULL);
  ck_assert_msg (explain.exit_code == 0, "%s", explain.err);
  ck_assert_msg (strstr (explain.out, "fleet-list.conf") != NULL, "%s", explain.out);
  ck_assert_msg (strstr (explain.out, "blocked") != NULL, "%s", explain.out);
  cg_test_tree_remove (root);
}
END_TEST

/* README.md's one setting: [VendorDefault] blocks the whole curated set, and the shipped
 * files stay as they are. */
START_TEST (test_cli_vendor_default_blocks_curated_set)
{
  g_autofree char *root = make_root ();
  g_autofree char *shipped_before = read_root_file (root, "usr/lib/carguard/carguard.conf");
  g_autofree char *shipped_after = NULL;
  g_auto (CliRun) before = { 0 };
  g_auto (CliRun) flip = { 0 };
  g_auto (CliRun) after = { 0 };
  g_auto (CliRun) own = { 0 };

  run_carguard (&before, root, "policy", "explain", "--bt-address", "00:1E:DE:00:00:01", NULL);
  ck_assert_msg (strstr (before.out, "Bluetooth: pairing ask\n") != NULL, "%s", before.out);
  run_carguard (&flip, root, "policy", "default", "VendorDefault.Preset=block", "--unset",
                "VendorDefault.Pairing", NULL);
  ck_assert_msg (flip.exit_code == 0, "%s", flip.err);
  run_carguard (&after, root, "policy", "explain", "--bt-address", "00:1E:DE:00:00:01", NULL);
  ck_assert_msg (strstr (after.out, "Bluetooth: pairing deny, blocked") != NULL, "%s", after.out);
  ck_assert_msg (strstr (after.out, "vendors.d/byd.conf") != NULL, "%s", after.out);
  shipped_after = read_root_file (root, "usr/lib/carguard/carguard.conf");
  ck_assert_str_eq (shipped_before, shipped_after);

  /* A vendor with a Preset= of its own keeps it. */
  write_root_file (root, "etc/carguard/vendors.d/pool-car.conf",
                   "[Vendor]\n[Match]\nBluetoothOUI=00:AA:01\n[Policy]\nPreset=audio-only\n");
  run_carguard (&own, root, "policy", "explain", "--bt-address", "00:AA:01:00:00:01", NULL);
  ck_assert_msg (strstr (own.out, "Bluetooth: pairing allow\n") != NULL, "%s", own.out);
  cg_test_tree_remove (root);
}
END_TEST

static Suite *
cli_policy_suite (void)
{
  Suite *s = suite_create ("cli-policy");
  TCase *tc = tcase_create ("cli-policy");

  tcase_add_test (tc, test_cli_help);
  tcase_add_test (tc, test_cli_usage_errors);
  tcase_add_test (tc, test_cli_live_commands_refuse_root);
  tcase_add_test (tc, test_cli_check_broken_file);
  tcase_add_test (tc, test_cli_check_valid);
  tcase_add_test (tc, test_cli_check_gate);
  tcase_add_test (tc, test_cli_conflict_names_the_edited_file);
  tcase_add_test (tc, test_cli_set_unset_keep_layout);
  tcase_add_test (tc, test_cli_refused_edit_changes_nothing);
  tcase_add_test (tc, test_cli_list_add_remove_keep_layout);
  tcase_add_test (tc, test_cli_two_thousand_ouis);
  tcase_add_test (tc, test_cli_bare_name_refused);
  tcase_add_test (tc, test_cli_dry_run);
  tcase_add_test (tc, test_cli_import);
  tcase_add_test (tc, test_cli_diff);
  tcase_add_test (tc, test_cli_shipped_file_gets_override);
  tcase_add_test (tc, test_cli_remove_masks_shipped);
  tcase_add_test (tc, test_cli_add_and_remove_admin_vendor);
  tcase_add_test (tc, test_cli_device_sections);
  tcase_add_test (tc, test_cli_device_entry_removed);
  tcase_add_test (tc, test_cli_default_edits_main_file);
  tcase_add_test (tc, test_cli_concurrent_adds);
  tcase_add_test (tc, test_cli_concurrent_edits_of_one_file);
  tcase_add_test (tc, test_cli_explain_car_class);
  tcase_add_test (tc, test_cli_explain_address_type);
  tcase_add_test (tc, test_cli_explain_unknown_usb);
  tcase_add_test (tc, test_cli_two_thousand_ouis_check_clean);
  tcase_add_test (tc, test_cli_vendor_default_blocks_curated_set);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (cli_policy_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
