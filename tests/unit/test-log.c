/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log: an entry carries the log domain of the part that wrote it, and debug messages
 * reach the output only for the domains G_MESSAGES_DEBUG names, or for all with --debug. */
#include "config.h"

/* This test is a part of its own, so an entry it writes is told from core's. */
#define G_LOG_DOMAIN "carguard-test"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cg-decision-log.h"
#include "cg-log.h"
#include "cg-policy-keeper.h"
#include "cg-test-tree.h"

/* The GLIB_DOMAIN of the last entry with message_id. */
typedef struct {
  const char *message_id;
  char *domain;
} CapturedEntry;

static GLogWriterOutput
capture_entry (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  CapturedEntry *captured = user_data;
  gboolean wanted = FALSE;
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++) {
    if (g_str_equal (fields[i].key, "MESSAGE_ID"))
      wanted = g_str_equal (fields[i].value, captured->message_id);
    else if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  }
  if (wanted) {
    g_free (captured->domain);
    captured->domain = g_strdup (domain != NULL ? domain : "(none)");
  }
  return G_LOG_WRITER_HANDLED;
}

START_TEST (test_event_carries_callers_domain)
{
  CapturedEntry captured = { .message_id = CG_MESSAGE_ID_DECISION };

  g_log_set_writer_func (capture_entry, &captured, NULL);
  cg_log_event (G_LOG_LEVEL_INFO, CG_MESSAGE_ID_DECISION, "decided", "CARGUARD_DEVICE", "1-1",
                NULL);
  ck_assert_str_eq (captured.domain, "carguard-test");
  g_free (captured.domain);
}
END_TEST

/* core's own entries are in core's domain, set by its meson.build. */
START_TEST (test_core_entry_in_core_domain)
{
  g_autofree char *root = g_dir_make_tmp ("cg-log-XXXXXX", NULL);
  g_autoptr (CgPolicyKeeper) keeper = NULL;
  g_autoptr (GError) error = NULL;
  CapturedEntry captured = { .message_id = CG_MESSAGE_ID_POLICY_LOADED };

  g_log_set_writer_func (capture_entry, &captured, NULL);
  cg_test_tree_write (root, "etc/carguard/carguard.conf", "[Default]\nPreset=charge-only\n");
  keeper = cg_policy_keeper_new (root);
  ck_assert (cg_policy_keeper_reload (keeper, &error));
  ck_assert_str_eq (captured.domain, "carguard-core");
  g_free (captured.domain);
  cg_test_tree_remove (root);
}
END_TEST

/* Every field of the last decision entry. */
static GLogWriterOutput
capture_fields (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  GHashTable *captured = user_data;
  gboolean decision = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE_ID"))
      decision = g_str_equal (fields[i].value, CG_MESSAGE_ID_DECISION);
  if (!decision)
    return G_LOG_WRITER_HANDLED;
  g_hash_table_remove_all (captured);
  for (gsize i = 0; i < n_fields; i++)
    g_hash_table_insert (captured, g_strdup (fields[i].key), g_strdup (fields[i].value));
  return G_LOG_WRITER_HANDLED;
}

/* One field to filter every refusal on, whoever decided it, and who answered an ask. */
START_TEST (test_decision_reason_and_verdict)
{
  g_autoptr (GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const struct {
    const char *decision;
    const char *reason; /* given by the guard, or NULL */
    const char *verdict;
    const char *logged_reason;
  } cases[] = {
    { "deny", NULL, "deny", "policy" },
    { "charge-only", NULL, "deny", "policy" },
    { "block", NULL, "deny", "policy" },
    { "data", NULL, "allow", "policy" },
    { "ask", NULL, "ask", "policy" },
    { "deny (timeout)", NULL, "deny", "timeout" },
    { "deny (person)", NULL, "deny", "person" },
    { "deny (withdrawn)", NULL, "deny", "withdrawn" },
    { "deny (nobody to ask)", NULL, "deny", "nobody" },
    { "allow once (person)", NULL, "allow", "person" },
    { "data (present at start)", NULL, "allow", "present" },
    { "charge-only (locked)", NULL, "deny", "locked" },
    { "charge-only (no cable signal)", NULL, "deny", "policy" },
    { "deny", "watcher", "deny", "watcher" },
  };

  g_log_set_writer_func (capture_fields, fields, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    CgDecisionLogSubject subject
        = { .transport = "usb", .device = "1-1", .reason = cases[i].reason };
    cg_decision_log_decided (&subject, cases[i].decision);
    ck_assert_str_eq (g_hash_table_lookup (fields, "CARGUARD_DECISION"), cases[i].decision);
    ck_assert_str_eq (g_hash_table_lookup (fields, "CARGUARD_VERDICT"), cases[i].verdict);
    ck_assert_str_eq (g_hash_table_lookup (fields, "CARGUARD_REASON"), cases[i].logged_reason);
    ck_assert_ptr_null (g_hash_table_lookup (fields, "CARGUARD_ANSWERED_UID"));
  }
  {
    CgDecisionLogSubject answered = { .transport = "bluetooth",
                                      .device = "00:1E:DE:00:00:01",
                                      .request = "pair",
                                      .answered_by_uid = TRUE,
                                      .answered_uid = 1000 };
    cg_decision_log_decided (&answered, "allow once (person)");
    ck_assert_str_eq (g_hash_table_lookup (fields, "CARGUARD_ANSWERED_UID"), "1000");
    ck_assert_ptr_nonnull (
        strstr (g_hash_table_lookup (fields, "MESSAGE"), "answered by uid 1000"));
  }
}
END_TEST

/* What the log writer puts on stderr while it is not the journal: a file here. */
static char *
log_to_stderr_file (gboolean debug, void (*write_entries) (void))
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  int saved = dup (STDERR_FILENO);
  int fd = g_file_open_tmp ("cg-log-stderr-XXXXXX", &path, &error);
  char *text = NULL;

  ck_assert_int_ge (fd, 0);
  ck_assert_int_ge (dup2 (fd, STDERR_FILENO), 0);
  close (fd);
  cg_log_setup (debug);
  write_entries ();
  ck_assert_int_ge (dup2 (saved, STDERR_FILENO), 0);
  close (saved);
  ck_assert (g_file_get_contents (path, &text, NULL, &error));
  g_unlink (path);
  return text;
}

/* Which debug messages a setting lets through; info entries always pass. */
static const struct {
  const char *messages_debug; /* G_MESSAGES_DEBUG, or NULL: unset */
  gboolean debug;             /* --debug */
  gboolean usb_debug_shown;
  gboolean bluetooth_debug_shown;
} debug_settings[] = {
  { "carguard-usb", FALSE, TRUE, FALSE },
  { NULL, TRUE, TRUE, TRUE },
  { NULL, FALSE, FALSE, FALSE },
};

static void
write_one_of_each (void)
{
  g_log_structured ("carguard-usb", G_LOG_LEVEL_DEBUG, "MESSAGE", "usb says debug");
  g_log_structured ("carguard-bluetooth", G_LOG_LEVEL_DEBUG, "MESSAGE", "bluetooth says debug");
  g_log_structured ("carguard-bluetooth", G_LOG_LEVEL_INFO, "MESSAGE", "bluetooth says info");
}

START_TEST (test_debug_messages_shown)
{
  g_autofree char *text = NULL;

  if (debug_settings[_i].messages_debug != NULL)
    g_setenv ("G_MESSAGES_DEBUG", debug_settings[_i].messages_debug, TRUE);
  else
    g_unsetenv ("G_MESSAGES_DEBUG");
  text = log_to_stderr_file (debug_settings[_i].debug, write_one_of_each);
  ck_assert_int_eq (strstr (text, "usb says debug") != NULL, debug_settings[_i].usb_debug_shown);
  ck_assert_int_eq (strstr (text, "bluetooth says debug") != NULL,
                    debug_settings[_i].bluetooth_debug_shown);
  ck_assert_ptr_nonnull (strstr (text, "bluetooth says info"));
}
END_TEST

static Suite *
log_suite (void)
{
  Suite *s = suite_create ("log");
  TCase *domains = tcase_create ("domains");
  TCase *debug = tcase_create ("debug");

  tcase_add_test (domains, test_event_carries_callers_domain);
  tcase_add_test (domains, test_core_entry_in_core_domain);
  tcase_add_test (domains, test_decision_reason_and_verdict);
  suite_add_tcase (s, domains);
  tcase_add_loop_test (debug, test_debug_messages_shown, 0, G_N_ELEMENTS (debug_settings));
  suite_add_tcase (s, debug);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (log_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
