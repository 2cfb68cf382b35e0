/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "cg-bouncer.h"
#include "cg-dbus-block.h"
#include "cg-dbus-facts.h"
#include "cg-dbus-generated.h"
#include "cg-dbus-record.h"
#include "cg-dbus.h"
#include "cg-explain.h"
#include "cg-report.h"
#include "cg-sanitize.h"

#define DBUS_NAME_FLAG_DO_NOT_QUEUE 4u
#define DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER 1u

struct _CgDbusService {
  GObject parent_instance;
  GDBusConnection *bus;
  CgGenDaemon1 *skeleton;
  CgBouncer *bouncer;
  CgPolicyKeeper *keeper;
  CgDeviceRegistry *registry;
  CgPending *pending;
  CgHwdb *hwdb;
  CgApprovals *approvals; /* may be NULL */
};

G_DEFINE_FINAL_TYPE (CgDbusService, cg_dbus_service, G_TYPE_OBJECT)

static const GDBusErrorEntry dbus_error_entries[] = {
  { CG_DBUS_ERROR_UNKNOWN_DEVICE, CG_DBUS_ERROR_NAME_UNKNOWN_DEVICE },
  { CG_DBUS_ERROR_NOT_ASKED, CG_DBUS_ERROR_NAME_NOT_ASKED },
  { CG_DBUS_ERROR_POLICY_INVALID, CG_DBUS_ERROR_NAME_POLICY_INVALID },
  { CG_DBUS_ERROR_FAILED, CG_DBUS_ERROR_NAME_FAILED },
  { CG_DBUS_ERROR_NOT_APPROVED, CG_DBUS_ERROR_NAME_NOT_APPROVED },
};

GQuark
cg_dbus_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("cg-dbus-error-quark", &quark, dbus_error_entries,
                                      G_N_ELEMENTS (dbus_error_entries));
  return (GQuark)quark;
}

static void
cg_dbus_service_dispose (GObject *object)
{
  CgDbusService *self = CG_DBUS_SERVICE (object);

  if (self->registry != NULL)
    g_signal_handlers_disconnect_by_data (self->registry, self);
  if (self->keeper != NULL)
    g_signal_handlers_disconnect_by_data (self->keeper, self);
  if (self->skeleton != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_clear_object (&self->skeleton);
  g_clear_object (&self->bouncer);
  g_clear_object (&self->bus);
  self->registry = NULL;
  self->keeper = NULL;
  self->pending = NULL;
  G_OBJECT_CLASS (cg_dbus_service_parent_class)->dispose (object);
}

static void
cg_dbus_service_class_init (CgDbusServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cg_dbus_service_dispose;
}

static void
cg_dbus_service_init (CgDbusService *self)
{
}

/* ---- device records on the bus ---- */

static const char *
vendor_display_name (CgPolicy *policy, const char *vendor_id)
{
  const CgVendor *vendor = vendor_id != NULL ? cg_policy_lookup_vendor (policy, vendor_id) : NULL;

  return vendor != NULL ? cg_vendor_get_name (vendor) : "";
}

/* What a person is asked about the device, while the question is open. */
static CgDbusQuestion
record_question (CgDbusService *self, guint pending_id)
{
  const CgPendingDecision *asked
      = pending_id != 0 ? cg_pending_lookup (self->pending, pending_id) : NULL;
  gint64 left;

  if (asked == NULL)
    return (CgDbusQuestion){ 0 };
  left = (asked->deadline - g_get_monotonic_time ()) / G_USEC_PER_SEC;
  return (CgDbusQuestion){
    .id = asked->id,
    .asks = asked->question,
    .kind = asked->kind,
    .grants = asked->grants,
    .warning = asked->warning,
    .has_passkey = asked->has_passkey,
    .passkey = asked->passkey,
    .seconds_left = (guint32)CLAMP (left, 0, G_MAXUINT32),
  };
}

static GVariant *
record_to_variant (CgDbusService *self, const CgDeviceRecord *record)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  g_autofree char *vendor_name
      = cg_sanitize_string (vendor_display_name (policy, record->vendor), 256);
  g_autofree char *usb_id
      = record->has_usb_id ? g_strdup_printf ("%04x:%04x", record->usb_vid, record->usb_pid) : NULL;
  const CgDbusRecord wire = {
    .id = record->id,
    .transport = record->transport,
    .device = record->device,
    .name = record->name,
    .usb_id = usb_id,
    .vendor = record->vendor != NULL ? record->vendor : "",
    .vendor_name = vendor_name,
    .decision = record->decision,
    .rule = record->rule,
    .allowed = (const char *const *)record->allowed,
    .denied = (const char *const *)record->denied,
    .enforced = record->enforced,
    .pending = record->pending_id,
    .question = record_question (self, record->pending_id),
  };

  return cg_dbus_record_to_variant (&wire);
}

static void
service_on_decision (CgDeviceRegistry *registry, const CgDeviceRecord *record, gpointer user_data)
{
  CgDbusService *self = user_data;

  cg_gen_daemon1_emit_decision (self->skeleton, record_to_variant (self, record));
}

static void
service_on_removed (CgDeviceRegistry *registry, const char *id, gpointer user_data)
{
  CgDbusService *self = user_data;

  cg_gen_daemon1_emit_device_removed (self->skeleton, id);
}

static void
service_on_policy_changed (CgPolicyKeeper *keeper, gpointer user_data)
{
  CgDbusService *self = user_data;

  cg_gen_daemon1_set_policy_fallback (self->skeleton, cg_policy_keeper_is_fallback (keeper));
}

/* ---- method calls: the bouncer first, then the work ---- */

/* caller_uid: whom the bouncer let through, for what is logged of a person's answer. */
typedef void (*ServiceMethodFunc) (CgDbusService *self, GDBusMethodInvocation *invocation,
                                   guint32 caller_uid);

typedef struct {
  CgDbusService *service;
  GDBusMethodInvocation *invocation;
  ServiceMethodFunc run;
} AuthorizedCall;

static void
service_on_bounced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AuthorizedCall *call = user_data;
  g_autoptr (GError) error = NULL;
  guint32 caller_uid = G_MAXUINT32;

  if (cg_bouncer_check_finish (CG_BOUNCER (source), result, &caller_uid, &error))
    call->run (call->service, call->invocation, caller_uid);
  else
    g_dbus_method_invocation_return_gerror (call->invocation, error);
  g_object_unref (call->service);
  g_free (call);
}

/* Takes over the invocation: it is answered by run, or by the bouncer's refusal. */
static gboolean
service_call_if_allowed (CgDbusService *self, GDBusMethodInvocation *invocation,
                         ServiceMethodFunc run)
{
  AuthorizedCall *call = g_new0 (AuthorizedCall, 1);

  call->service = g_object_ref (self);
  call->invocation = invocation;
  call->run = run;
  cg_bouncer_check_async (self->bouncer, invocation, NULL, service_on_bounced, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GVariant *
method_parameter (GDBusMethodInvocation *invocation, guint index)
{
  return g_variant_get_child_value (g_dbus_method_invocation_get_parameters (invocation), index);
}

static void
run_list_devices (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (GPtrArray) records = cg_device_registry_list (self->registry);
  GVariantBuilder devices;

  g_variant_builder_init (&devices, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < records->len; i++)
    g_variant_builder_add_value (&devices,
                                 record_to_variant (self, g_ptr_array_index (records, i)));
  cg_gen_daemon1_complete_list_devices (self->skeleton, invocation,
                                        g_variant_builder_end (&devices));
}

static void
run_explain (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_auto (CgDbusFacts) facts = { 0 };
  g_auto (CgOrganizations) organizations = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (CgPolicy) policy = NULL;
  g_autoptr (JsonNode) explanation = NULL;
  g_autofree char *json = NULL;
  g_autoptr (GVariant) facts_parameter = method_parameter (invocation, 0);

  if (!cg_dbus_facts_parse (facts_parameter, &facts, &error)) {
    g_dbus_method_invocation_return_gerror (invocation, error);
    return;
  }
  if (self->hwdb != NULL)
    cg_hwdb_fill_organizations (self->hwdb, &facts.facts, &organizations);
  policy = cg_policy_keeper_get_policy (self->keeper);
  explanation = cg_explain_to_json (policy, &facts.facts);
  json = json_to_string (explanation, FALSE);
  cg_gen_daemon1_complete_explain (self->skeleton, invocation, json);
}

static GVariant *
guards_to_variant (CgDbusService *self)
{
  g_autoptr (GPtrArray) guards = cg_device_registry_list_guards (self->registry);
  GVariantBuilder list;

  g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < guards->len; i++) {
    const CgGuardState *guard = g_ptr_array_index (guards, i);
    GVariantDict dict;

    g_variant_dict_init (&dict, NULL);
    g_variant_dict_insert (&dict, CG_DBUS_GUARD_NAME, "s", guard->name);
    g_variant_dict_insert (&dict, CG_DBUS_GUARD_RUNNING, "b", guard->running);
    g_variant_dict_insert (&dict, CG_DBUS_GUARD_WHAT, "s", guard->what);
    g_variant_builder_add_value (&list, g_variant_dict_end (&dict));
  }
  return g_variant_builder_end (&list);
}

static void
run_status (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  const CgPolicyKeeperStatus *status = cg_policy_keeper_get_status (self->keeper);
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_VERSION, "s", PACKAGE_VERSION);
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_ROOT, "s", cg_policy_keeper_get_root (self->keeper));
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_POLICY_HASH, "s", cg_policy_get_hash (policy));
  g_variant_dict_insert_value (&dict, CG_DBUS_STATUS_POLICY_FILES,
                               g_variant_new_strv (cg_policy_get_files (policy), -1));
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_POLICY_VENDORS, "u",
                         cg_policy_get_n_vendors (policy));
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_POLICY_FALLBACK, "b",
                         cg_policy_keeper_is_fallback (self->keeper));
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_POLICY_LOADED, "t", (guint64)status->loaded_at);
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_LAST_RELOAD, "t", (guint64)status->reloaded_at);
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_LAST_RELOAD_OK, "b", status->reload_ok);
  g_variant_dict_insert_value (&dict, CG_DBUS_STATUS_LAST_RELOAD_PROBLEMS,
                               g_variant_new_strv ((const char *const *)status->problems, -1));
  g_variant_dict_insert (&dict, CG_DBUS_STATUS_HWDB, "b", cg_hwdb_is_loaded (self->hwdb));
  g_variant_dict_insert_value (&dict, CG_DBUS_STATUS_GUARDS, guards_to_variant (self));
  cg_gen_daemon1_complete_status (self->skeleton, invocation, g_variant_dict_end (&dict));
}

static void
run_report (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->keeper);
  g_autoptr (JsonNode) report = cg_report_to_json (policy);
  g_autofree char *json = json_to_string (report, FALSE);

  cg_gen_daemon1_complete_report (self->skeleton, invocation, json);
}

static const CgDeviceRecord *
lookup_or_return_error (CgDbusService *self, GDBusMethodInvocation *invocation, const char *device)
{
  const CgDeviceRecord *record = cg_device_registry_lookup (self->registry, device);

  if (record == NULL)
    g_dbus_method_invocation_return_error (invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_UNKNOWN_DEVICE,
                                           "No device %s is known now", device);
  return record;
}

/* The device named, and the question the person saw; an argument without a question id
 * is refused: it would answer whatever question is open when the call runs, a newer one
 * than the person saw if the car was plugged in again. */
static const CgDeviceRecord *
allow_once_target (CgDbusService *self, GDBusMethodInvocation *invocation, const char *argument,
                   guint32 *question)
{
  g_autofree char *device = NULL;
  const CgDeviceRecord *record;

  if (!cg_dbus_question_ref_parse (argument, &device, question)) {
    record = cg_device_registry_lookup (self->registry, argument);
    if (record != NULL && record->pending_id != 0) {
      g_autofree char *ref = cg_dbus_question_ref_format (record->id, record->pending_id);
      g_dbus_method_invocation_return_error (
          invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_NOT_ASKED,
          "Name the question the person saw: %s (the one open now); nothing was allowed", ref);
      return NULL;
    }
    device = g_strdup (argument);
    *question = 0;
  }
  return lookup_or_return_error (self, invocation, device);
}

static void
run_allow_once (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (GVariant) device = method_parameter (invocation, 0);
  const CgDeviceRecord *record = NULL;
  g_autoptr (GError) error = NULL;
  guint32 question = 0;

  record = allow_once_target (self, invocation, g_variant_get_string (device, NULL), &question);
  if (record == NULL)
    return;
  /* Only a question the policy left to a person can be answered by one. */
  if (!g_str_equal (record->decision, "ask") || record->pending_id == 0) {
    g_dbus_method_invocation_return_error (
        invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_NOT_ASKED,
        "The policy does not leave %s to a person "
        "(decision: %s, rule: %s)%s",
        record->id, record->decision, record->rule,
        g_str_equal (record->decision, "ask") ? "; no question is pending" : "");
    return;
  }
  if (record->pending_id != question) {
    g_dbus_method_invocation_return_error (
        invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_NOT_ASKED,
        "Question %u about %s is no longer open (the device was asked again: question %u); "
        "nothing was allowed",
        question, record->id, record->pending_id);
    return;
  }
  if (!cg_pending_resolve_as (self->pending, record->pending_id, CG_PENDING_ANSWER_ALLOW,
                              caller_uid, &error)) {
    g_dbus_method_invocation_return_error (invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_NOT_ASKED,
                                           "No question about %s is pending: %s", record->id,
                                           error->message);
    return;
  }
  cg_gen_daemon1_complete_allow_once (self->skeleton, invocation);
}

/* "Keep blocked": the person's refusal of the question they were shown. */
static void
run_deny (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (GVariant) question = method_parameter (invocation, 0);
  guint32 id = g_variant_get_uint32 (question);
  g_autoptr (GError) error = NULL;

  if (id == 0
      || !cg_pending_resolve_as (self->pending, id, CG_PENDING_ANSWER_DENY, caller_uid, &error)) {
    g_dbus_method_invocation_return_error (invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_NOT_ASKED,
                                           "No question %u is open: it was answered, timed out "
                                           "or withdrawn",
                                           id);
    return;
  }
  cg_gen_daemon1_complete_deny (self->skeleton, invocation);
}

/* A device not seen now can still be revoked by its Bluetooth address. */
static void
run_revoke (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (GVariant) parameter = method_parameter (invocation, 0);
  const char *device = g_variant_get_string (parameter, NULL);
  const CgDeviceRecord *record = cg_device_registry_lookup (self->registry, device);
  const char *address = record != NULL ? record->device : device;
  g_autoptr (GError) error = NULL;

  if (record != NULL && !g_str_equal (record->transport, "bluetooth")) {
    g_dbus_method_invocation_return_error (invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_NOT_APPROVED,
                                           "%s has no approval that lasts", record->id);
    return;
  }
  if (self->approvals == NULL
      || !cg_approvals_forget (self->approvals, "bluetooth", address, CG_APPROVAL_REVOKED,
                               &error)) {
    if (error != NULL)
      g_dbus_method_invocation_return_error (invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_FAILED,
                                             "The approval of %s is withdrawn but not written: %s",
                                             address, error->message);
    else
      g_dbus_method_invocation_return_error (invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_NOT_APPROVED,
                                             "No approval of %s is on record", device);
    return;
  }
  cg_gen_daemon1_complete_revoke (self->skeleton, invocation);
}

static char *
diagnostics_to_message (const char *summary, GPtrArray *diagnostics, const GError *error)
{
  GString *message = g_string_new (summary);

  for (guint i = 0; diagnostics != NULL && i < diagnostics->len; i++) {
    g_autofree char *text = cg_diagnostic_to_string (g_ptr_array_index (diagnostics, i));
    g_string_append_printf (message, "\n%s", text);
  }
  if ((diagnostics == NULL || diagnostics->len == 0) && error != NULL)
    g_string_append_printf (message, ": %s", error->message);
  return g_string_free (message, FALSE);
}

/* The keeper keeps the last good policy on failure; the caller gets every diagnostic. */
static gboolean
service_reload (CgDbusService *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GString) message = NULL;
  const CgPolicyKeeperStatus *status;

  if (cg_policy_keeper_reload (self->keeper, &local_error))
    return TRUE;
  status = cg_policy_keeper_get_status (self->keeper);
  message = g_string_new ("The policy is invalid; the last good policy stays");
  for (guint i = 0; status->problems[i] != NULL; i++)
    g_string_append_printf (message, "\n%s", status->problems[i]);
  g_set_error_literal (error, CG_DBUS_ERROR, CG_DBUS_ERROR_POLICY_INVALID, message->str);
  return FALSE;
}

static void
run_reload (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (GError) error = NULL;

  if (!service_reload (self, &error)) {
    g_dbus_method_invocation_return_gerror (invocation, error);
    return;
  }
  cg_gen_daemon1_complete_reload (self->skeleton, invocation);
}

/* A device not seen now can still be blocked by its Bluetooth address. */
static gboolean
block_target_for (CgDbusService *self, const char *device, CgBlockTarget *target, char **normalized,
                  GError **error)
{
  const CgDeviceRecord *record = cg_device_registry_lookup (self->registry, device);
  guint8 address[6];

  memset (target, 0, sizeof *target);
  if (record == NULL && cg_bt_address_parse (device, address)) {
    *normalized = g_ascii_strup (device, -1);
    target->bt_address = *normalized;
    return TRUE;
  }
  if (record == NULL) {
    g_set_error (error, CG_DBUS_ERROR, CG_DBUS_ERROR_UNKNOWN_DEVICE, "No device %s is known now",
                 device);
    return FALSE;
  }
  if (g_str_equal (record->transport, "bluetooth"))
    target->bt_address = record->device;
  target->usb_serial = record->usb_serial;
  target->has_usb_id = record->has_usb_id;
  target->usb_vid = record->usb_vid;
  target->usb_pid = record->usb_pid;
  return TRUE;
}

static void
run_block (CgDbusService *self, GDBusMethodInvocation *invocation, guint32 caller_uid)
{
  g_autoptr (GVariant) device = method_parameter (invocation, 0);
  g_autoptr (GPtrArray) diagnostics = cg_diagnostics_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *message = NULL;
  CgBlockTarget target;

  if (!block_target_for (self, g_variant_get_string (device, NULL), &target, &normalized, &error)) {
    g_dbus_method_invocation_return_gerror (invocation, error);
    return;
  }
  if (!cg_dbus_block_persist (cg_policy_keeper_get_root (self->keeper), &target, diagnostics,
                              &error)) {
    message = diagnostics_to_message ("Could not record the block", diagnostics, error);
    g_dbus_method_invocation_return_error_literal (invocation, CG_DBUS_ERROR, CG_DBUS_ERROR_FAILED,
                                                   message);
    return;
  }
  /* The guards enforce what the policy says; the reload makes it say so now. */
  g_clear_error (&error);
  if (!service_reload (self, &error)) {
    g_dbus_method_invocation_return_gerror (invocation, error);
    return;
  }
  cg_gen_daemon1_complete_block (self->skeleton, invocation);
}

static gboolean
handle_list_devices (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, gpointer self)
{
  return service_call_if_allowed (self, invocation, run_list_devices);
}

static gboolean
handle_explain (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, GVariant *facts,
                gpointer self)
{
  return service_call_if_allowed (self, invocation, run_explain);
}

static gboolean
handle_status (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, gpointer self)
{
  return service_call_if_allowed (self, invocation, run_status);
}

static gboolean
handle_report (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, gpointer self)
{
  return service_call_if_allowed (self, invocation, run_report);
}

static gboolean
handle_allow_once (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, const char *device,
                   gpointer self)
{
  return service_call_if_allowed (self, invocation, run_allow_once);
}

static gboolean
handle_deny (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, guint question,
             gpointer self)
{
  return service_call_if_allowed (self, invocation, run_deny);
}

static gboolean
handle_revoke (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, const char *device,
               gpointer self)
{
  return service_call_if_allowed (self, invocation, run_revoke);
}

static gboolean
handle_block (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, const char *device,
              gpointer self)
{
  return service_call_if_allowed (self, invocation, run_block);
}

static gboolean
handle_reload (CgGenDaemon1 *skeleton, GDBusMethodInvocation *invocation, gpointer self)
{
  return service_call_if_allowed (self, invocation, run_reload);
}

/* ---- setup ---- */

static void
service_connect_signals (CgDbusService *self)
{
  g_signal_connect (self->skeleton, "handle-list-devices", G_CALLBACK (handle_list_devices), self);
  g_signal_connect (self->skeleton, "handle-explain", G_CALLBACK (handle_explain), self);
  g_signal_connect (self->skeleton, "handle-status", G_CALLBACK (handle_status), self);
  g_signal_connect (self->skeleton, "handle-report", G_CALLBACK (handle_report), self);
  g_signal_connect (self->skeleton, "handle-allow-once", G_CALLBACK (handle_allow_once), self);
  g_signal_connect (self->skeleton, "handle-deny", G_CALLBACK (handle_deny), self);
  g_signal_connect (self->skeleton, "handle-block", G_CALLBACK (handle_block), self);
  g_signal_connect (self->skeleton, "handle-revoke", G_CALLBACK (handle_revoke), self);
  g_signal_connect (self->skeleton, "handle-reload", G_CALLBACK (handle_reload), self);
  g_signal_connect (self->registry, "decision", G_CALLBACK (service_on_decision), self);
  g_signal_connect (self->registry, "removed", G_CALLBACK (service_on_removed), self);
  g_signal_connect (self->keeper, "changed", G_CALLBACK (service_on_policy_changed), self);
}

CgDbusService *
cg_dbus_service_new (GDBusConnection *bus, CgPolicyKeeper *keeper, CgDeviceRegistry *registry,
                     CgPending *pending, CgHwdb *hwdb, CgApprovals *approvals, GError **error)
{
  g_autoptr (CgDbusService) self = g_object_new (CG_TYPE_DBUS_SERVICE, NULL);

  self->bus = g_object_ref (bus);
  self->keeper = keeper;
  self->registry = registry;
  self->pending = pending;
  self->hwdb = hwdb;
  self->approvals = approvals;
  self->bouncer = cg_bouncer_new (bus);
  self->skeleton = cg_gen_daemon1_skeleton_new ();
  cg_gen_daemon1_set_version (self->skeleton, PACKAGE_VERSION);
  cg_gen_daemon1_set_policy_fallback (self->skeleton, cg_policy_keeper_is_fallback (keeper));
  service_connect_signals (self);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), bus,
                                         CG_DBUS_PATH, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
cg_dbus_service_own_name (CgDbusService *service, GError **error)
{
  g_autoptr (GVariant) reply = NULL;
  guint32 result = 0;

  /* Synchronous on purpose: carguardd must not start enforcing as a second instance. */
  reply = g_dbus_connection_call_sync (
      service->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "RequestName", g_variant_new ("(su)", CG_DBUS_NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE),
      G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(u)", &result);
  if (result != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
    g_set_error (error, CG_DBUS_ERROR, CG_DBUS_ERROR_FAILED,
                 "%s is already owned on the system bus: is another carguardd running?",
                 CG_DBUS_NAME);
    return FALSE;
  }
  return TRUE;
}
