/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device-role USB guard against a FAKE sysfs/configfs tree (a temporary root):
 * the lab kernel has no Type-C class device, no USB power supply and no extcon, so a
 * Type-C partner and its identity (port0-partner/identity/id_header), a power supply's
 * online/usb_type and an extcon's state can only be faked here. The fake gadgets' UDC
 * attributes are plain files: what the guard writes to them is what configfs would get.
 * The real binding is asserted in the lab (tests/lab/scenarios/usb-guard-*.py). */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>

#include "cg-pending.h"
#include "cg-policy-keeper.h"
#include "cg-usb-gadget-guard.h"
#include "cg-test-tree.h"

#define CAR_VID "1c98"     /* Alpine, a head-unit maker */
#define TRUSTED_VID "1d6b" /* the person's own dock, in the fixture's policy */

typedef struct {
  char *root;
  CgPolicyKeeper *keeper;
  CgPending *pending;
  CgDeviceRegistry *registry;
  CgUsbGadgetGuard *guard;
} GadgetFixture;

static GadgetFixture fixture;

static void
write_file (const char *relative, const char *text)
{
  cg_test_tree_write (fixture.root, relative, text);
}

static char *
read_file (const char *relative)
{
  g_autofree char *path = g_build_filename (fixture.root, relative, NULL);
  char *text = NULL;

  ck_assert (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The fake Type-C partner: the kernel creates port0-partner when a cable goes in. */
static void
fake_typec_partner_attach (const char *id_header)
{
  write_file ("sys/class/typec/port0-partner/identity/id_header", id_header);
}

static void
fake_typec_partner_detach (void)
{
  g_autofree char *path = g_build_filename (fixture.root, "sys/class/typec/port0-partner", NULL);

  cg_test_tree_remove (path);
}

static char *
gadget_binding (const char *gadget)
{
  g_autofree char *path = g_strdup_printf ("sys/kernel/config/usb_gadget/%s/UDC", gadget);
  g_autofree char *udc = read_file (path);

  return g_strdup (g_strstrip (udc));
}

static gboolean
gadget_is_bound (void)
{
  g_autofree char *udc = gadget_binding ("g1");

  return *udc != '\0';
}

static void
remove_path (const char *relative)
{
  g_autofree char *path = g_build_filename (fixture.root, relative, NULL);

  cg_test_tree_remove (path);
}

/* A FAKE USB power supply (a phone's charger chip): online, and what the charger
 * detection found (SDP: a host's data port; DCP: a wall charger). */
static void
fake_power_supply (const char *online, const char *usb_type)
{
  write_file ("sys/class/power_supply/usb/type", "USB\n");
  write_file ("sys/class/power_supply/usb/online", online);
  write_file ("sys/class/power_supply/usb/usb_type", usb_type);
}

/* A FAKE extcon (a micro-USB phone's PMIC): one line per cable. */
static void
fake_extcon (const char *state)
{
  write_file ("sys/class/extcon/extcon0/state", state);
}

static void
set_udc_state (const char *state)
{
  write_file ("sys/class/udc/dummy_udc.0/state", state);
}

static void
reload (void)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (cg_policy_keeper_reload (fixture.keeper, &error), "%s",
                 error ? error->message : "");
}

static const char *
host_decision (void)
{
  const CgDeviceRecord *record = cg_device_registry_lookup (fixture.registry, "usb/dummy_udc.0");

  ck_assert_ptr_nonnull (record);
  return record->decision;
}

static guint
allow_pending (void)
{
  guint id = cg_usb_gadget_guard_get_pending_id (fixture.guard);

  ck_assert_uint_ne (id, 0);
  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  return id;
}

static void
gadget_setup_with_policy (const char *default_mode, guint pending_timeout_ms)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *main_conf
      = g_strdup_printf ("[Default]\nPreset=charge-only\nUSBMode=%s\n", default_mode);

  fixture.root = g_dir_make_tmp ("cg-usb-gadget-XXXXXX", &error);
  ck_assert_ptr_nonnull (fixture.root);
  write_file ("etc/carguard/carguard.conf", main_conf);
  write_file ("etc/carguard/vendors.d/alpine.conf",
              "[Vendor]\nName=Alpine\n[Match]\nTypeCPartnerVID=" CAR_VID
              "\n[Policy]\nPreset=charge-only\n");
  write_file ("etc/carguard/vendors.d/dock.conf",
              "[Vendor]\nName=Dock\n[Match]\nTypeCPartnerVID=" TRUSTED_VID
              "\n[Policy]\nPreset=trusted\n");
  /* A phone with one Type-C port, one UDC and postmarketOS's gadget g1, unbound. */
  write_file ("sys/class/typec/port0/data_role", "[device] host\n");
  write_file ("sys/class/udc/dummy_udc.0/state", "not attached\n");
  write_file ("sys/kernel/config/usb_gadget/g1/UDC", "\n");

  fixture.keeper = cg_policy_keeper_new (fixture.root);
  ck_assert_msg (cg_policy_keeper_reload (fixture.keeper, &error), "%s",
                 error ? error->message : "");
  ck_assert (!cg_policy_keeper_is_fallback (fixture.keeper));
  fixture.pending = cg_pending_new (pending_timeout_ms);
  fixture.registry = cg_device_registry_new (fixture.pending);
  fixture.guard
      = cg_usb_gadget_guard_new (fixture.keeper, fixture.pending, fixture.registry, fixture.root);
}

static void
gadget_setup (void)
{
  gadget_setup_with_policy ("charge-only", 0);
}

static void
gadget_setup_ask (void)
{
  gadget_setup_with_policy ("ask", 0);
}

static void
gadget_setup_ask_short_timeout (void)
{
  gadget_setup_with_policy ("ask", 50);
}

static void
gadget_teardown (void)
{
  g_clear_object (&fixture.guard);
  g_clear_object (&fixture.pending);
  g_clear_object (&fixture.registry);
  g_clear_object (&fixture.keeper);
  cg_test_tree_remove (fixture.root);
  g_clear_pointer (&fixture.root, g_free);
}

START_TEST (test_no_host_stays_unbound)
{
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert (!gadget_is_bound ());
}
END_TEST

START_TEST (test_bound_at_boot_without_host_is_unbound)
{
  /* The initramfs (postmarketOS) bound g1 before carguardd started. */
  write_file ("sys/kernel/config/usb_gadget/g1/UDC", "dummy_udc.0\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
}
END_TEST

START_TEST (test_car_vendor_stays_unbound)
{
  fake_typec_partner_attach ("0x6c001c98\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert (!gadget_is_bound ());
  ck_assert_uint_eq (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
}
END_TEST

START_TEST (test_unknown_host_gets_default)
{
  /* No USB PD: the identity stays all zero, so the host is unknown. */
  fake_typec_partner_attach ("0x00000000\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert (!gadget_is_bound ());
}
END_TEST

START_TEST (test_trusted_host_binds_and_detach_unbinds)
{
  g_autofree char *udc = NULL;

  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  udc = read_file ("sys/kernel/config/usb_gadget/g1/UDC");
  ck_assert_str_eq (udc, "dummy_udc.0\n");
  {
    g_autoptr (GPtrArray) guards = cg_device_registry_list_guards (fixture.registry);
    const CgGuardState *state = g_ptr_array_index (guards, 0);

    /* What `carguard status` says of it. */
    ck_assert_uint_eq (guards->len, 1);
    ck_assert_str_eq (state->name, "usb-gadget");
    ck_assert (state->running);
    ck_assert_str_eq (state->what, "gadget g1 on dummy_udc.0: bound (data)");
  }

  fake_typec_partner_detach ();
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert (!gadget_is_bound ());
}
END_TEST

START_TEST (test_bind_by_another_owner_is_undone)
{
  fake_typec_partner_attach ("0x6c00" CAR_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());

  /* NetworkManager's dispatcher rewrites UDC; the UDC state changes and the guard looks. */
  write_file ("sys/kernel/config/usb_gadget/g1/UDC", "dummy_udc.0\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
}
END_TEST

START_TEST (test_policy_change_cuts_data)
{
  g_autoptr (GError) error = NULL;

  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (gadget_is_bound ());

  write_file ("etc/carguard/vendors.d/dock.conf",
              "[Vendor]\nName=Dock\n[Match]\nTypeCPartnerVID=" TRUSTED_VID
              "\n[Policy]\nPreset=charge-only\n");
  ck_assert_msg (cg_policy_keeper_reload (fixture.keeper, &error), "%s",
                 error ? error->message : "");
  ck_assert (!gadget_is_bound ());
}
END_TEST

START_TEST (test_ask_allow_once_binds_this_connection_only)
{
  const CgDeviceRecord *record;
  guint id;

  fake_typec_partner_attach ("0x00000000\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  id = cg_usb_gadget_guard_get_pending_id (fixture.guard);
  ck_assert_uint_ne (id, 0);
  ck_assert_ptr_nonnull (cg_pending_lookup (fixture.pending, id));
  ck_assert (!gadget_is_bound ());
  /* The D-Bus API's AllowOnce("usb/dummy_udc.0") finds the question through the registry. */
  record = cg_device_registry_lookup (fixture.registry, "usb/dummy_udc.0");
  ck_assert_ptr_nonnull (record);
  ck_assert_str_eq (record->decision, "ask");
  ck_assert_uint_eq (record->pending_id, id);

  ck_assert (cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert (gadget_is_bound ());

  fake_typec_partner_detach ();
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
  ck_assert_ptr_null (cg_device_registry_lookup (fixture.registry, "usb/dummy_udc.0"));

  /* The next car starts at charge-only and is asked about again. */
  fake_typec_partner_attach ("0x00000000\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
  ck_assert_uint_ne (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  ck_assert_uint_ne (cg_usb_gadget_guard_get_pending_id (fixture.guard), id);
}
END_TEST

START_TEST (test_ask_withdrawn_on_detach)
{
  guint id;

  fake_typec_partner_attach ("0x00000000\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  id = cg_usb_gadget_guard_get_pending_id (fixture.guard);
  fake_typec_partner_detach ();
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert_ptr_null (cg_pending_lookup (fixture.pending, id));
  /* A late "allow" for the car that left opens nothing. */
  ck_assert (!cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert (!gadget_is_bound ());
}
END_TEST

/* Allow once ends when the cable goes, by the power supply: a real phone's UDC stays. */
START_TEST (test_allow_once_ends_when_the_power_supply_goes)
{
  guint first;

  remove_path ("sys/class/typec");
  fake_power_supply ("1\n", "[SDP] CDP DCP\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  first = allow_pending ();
  ck_assert (gadget_is_bound ());

  fake_power_supply ("0\n", "[SDP] CDP DCP\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
  fake_power_supply ("1\n", "[SDP] CDP DCP\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
  ck_assert_uint_ne (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  ck_assert_uint_ne (cg_usb_gadget_guard_get_pending_id (fixture.guard), first);
}
END_TEST

/* ... and by the UDC's own state while bound: once it saw the host, "not attached" is
 * the cable going (what is left on a phone whose other signal lags or lies). */
START_TEST (test_allow_once_ends_when_the_udc_loses_the_host)
{
  remove_path ("sys/class/typec");
  fake_power_supply ("1\n", "[SDP] CDP DCP\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  allow_pending ();
  ck_assert (gadget_is_bound ());
  /* Just bound, the host not there yet: no end. */
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (gadget_is_bound ());
  set_udc_state ("configured\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (gadget_is_bound ());
  set_udc_state ("not attached\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
}
END_TEST

/* No cable signal at all: a yes could not end with the connection, so there is no
 * question: charge-only, and the record says why. */
START_TEST (test_no_cable_signal_ask_is_charge_only)
{
  remove_path ("sys/class/typec");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert_uint_eq (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  ck_assert (!gadget_is_bound ());
  ck_assert_str_eq (host_decision (), "charge-only (no cable signal)");
}
END_TEST

/* A host taken as attached while nothing told of the cable, then a power supply that
 * sees a host: a new connection, and the person is asked about it. */
START_TEST (test_cable_signal_appearing_is_a_new_connection)
{
  remove_path ("sys/class/typec");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert_str_eq (host_decision (), "charge-only (no cable signal)");

  fake_power_supply ("1\n", "Unknown [SDP] CDP DCP\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert_uint_ne (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  ck_assert (!gadget_is_bound ());
}
END_TEST

/* Two gadgets and no Gadget=: a yes would bind nothing, so nobody is asked. */
START_TEST (test_nothing_to_bind_asks_nobody)
{
  write_file ("sys/kernel/config/usb_gadget/g2/UDC", "\n");
  fake_typec_partner_attach ("0x00000000\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert_uint_eq (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  ck_assert_str_eq (host_decision (), "charge-only (no gadget to bind)");
}
END_TEST

/* Cable=udc (dummy_hcd): the UDC's presence is the cable, so `ask` asks. */
START_TEST (test_cable_udc_setting_asks)
{
  remove_path ("sys/class/typec");
  write_file ("etc/carguard/carguard.conf",
              "[Default]\nPreset=charge-only\nUSBMode=ask\n[USBGadget]\nCable=udc\n");
  reload ();
  cg_usb_gadget_guard_recheck (fixture.guard);
  allow_pending ();
  ck_assert (gadget_is_bound ());
  remove_path ("sys/class/udc/dummy_udc.0");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
}
END_TEST

/* Block reaches a question still open and a yes already given; the question the person
 * saw can no longer be answered. */
START_TEST (test_block_withdraws_the_question_and_the_yes)
{
  guint id;

  fake_typec_partner_attach ("0x6c00abcd\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  id = cg_usb_gadget_guard_get_pending_id (fixture.guard);
  ck_assert_uint_ne (id, 0);
  /* A reload that changes nothing for this host keeps its question. */
  reload ();
  ck_assert_uint_eq (cg_usb_gadget_guard_get_pending_id (fixture.guard), id);
  write_file ("etc/carguard/vendors.d/local-blocked.conf",
              "[Vendor]\n[Match]\nTypeCPartnerVID=abcd\n[Policy]\nPreset=block\n");
  reload ();
  ck_assert_uint_eq (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  ck_assert (!cg_pending_resolve (fixture.pending, id, CG_PENDING_ANSWER_ALLOW, NULL));
  ck_assert (!gadget_is_bound ());
  ck_assert_str_eq (host_decision (), "block");

  /* A yes given before the block is taken back too. */
  remove_path ("etc/carguard/vendors.d/local-blocked.conf");
  fake_typec_partner_detach ();
  cg_usb_gadget_guard_recheck (fixture.guard);
  reload ();
  fake_typec_partner_attach ("0x6c00abcd\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  allow_pending ();
  ck_assert (gadget_is_bound ());
  write_file ("etc/carguard/vendors.d/local-blocked.conf",
              "[Vendor]\n[Match]\nTypeCPartnerVID=abcd\n[Policy]\nPreset=block\n");
  reload ();
  ck_assert (!gadget_is_bound ());
}
END_TEST

/* The question a person sees says what kind of device asks and what a yes grants. */
START_TEST (test_question_says_kind_and_grants)
{
  const CgPendingDecision *asked;

  fake_typec_partner_attach ("0x00000000\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  asked = cg_pending_lookup (fixture.pending, cg_usb_gadget_guard_get_pending_id (fixture.guard));
  ck_assert_ptr_nonnull (asked);
  ck_assert_str_eq (asked->device, "dummy_udc.0");
  ck_assert_str_eq (asked->device_name, "unknown host");
  ck_assert_str_eq (asked->kind, "usb-host");
  ck_assert_str_eq (asked->grants, "data");
}
END_TEST

static void
on_resolved (CgPending *pending, guint id, int answer, int reason, gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
}

START_TEST (test_ask_timeout_stays_unbound)
{
  gboolean resolved = FALSE;

  g_signal_connect (fixture.pending, "resolved", G_CALLBACK (on_resolved), &resolved);
  fake_typec_partner_attach ("0x00000000\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert_uint_ne (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  while (!resolved)
    g_main_context_iteration (NULL, TRUE);
  ck_assert_uint_eq (cg_usb_gadget_guard_get_pending_id (fixture.guard), 0);
  ck_assert (!gadget_is_bound ());
}
END_TEST

START_TEST (test_without_typec_the_udc_is_the_cable)
{
  /* No cable signal at all: the UDC is all there is, so a host counts as attached while
   * it exists (dummy_hcd's module unload takes it away). */
  remove_path ("sys/class/typec");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert (!gadget_is_bound ());
  remove_path ("sys/class/udc/dummy_udc.0");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));
}
END_TEST

/* Every gadget, every UDC: with g1 guarded, a second gadget bound by another owner is
 * undone wherever it was bound, and g1 bound to a UDC other than the guarded one too. */
START_TEST (test_other_gadgets_are_undone_on_every_udc)
{
  g_autofree char *g2 = NULL;
  g_autofree char *g3 = NULL;

  write_file ("etc/carguard/carguard.conf",
              "[Default]\nPreset=charge-only\n[USBGadget]\nGadget=g1\nUDC=dummy_udc.0\n");
  reload ();
  write_file ("sys/class/udc/dummy_udc.1/state", "not attached\n");
  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  write_file ("sys/kernel/config/usb_gadget/g2/UDC", "dummy_udc.0\n");
  write_file ("sys/kernel/config/usb_gadget/g3/UDC", "dummy_udc.1\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  g2 = gadget_binding ("g2");
  g3 = gadget_binding ("g3");
  ck_assert_str_eq (g2, "");
  ck_assert_str_eq (g3, "");
  ck_assert (gadget_is_bound ());

  /* The trusted host's gadget, rebound by someone to the other UDC, comes back. */
  write_file ("sys/kernel/config/usb_gadget/g1/UDC", "dummy_udc.1\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  g_free (g2);
  g2 = gadget_binding ("g1");
  ck_assert_str_eq (g2, "dummy_udc.0");
}
END_TEST

/* [USBGadget] Guard=no (a laptop whose own kernel hosts the lab's devices): no binding
 * is read or written, nothing is published. */
START_TEST (test_guard_off_leaves_bindings_alone)
{
  g_autofree char *g2 = NULL;

  write_file ("etc/carguard/carguard.conf",
              "[Default]\nPreset=charge-only\n[USBGadget]\nGuard=no\n");
  reload ();
  write_file ("sys/kernel/config/usb_gadget/g2/UDC", "dummy_udc.0\n");
  fake_typec_partner_attach ("0x6c00" CAR_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  g2 = gadget_binding ("g2");
  ck_assert_str_eq (g2, "dummy_udc.0");
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert_ptr_null (cg_device_registry_lookup (fixture.registry, "usb/dummy_udc.0"));
}
END_TEST

/* Two gadgets and no Gadget=: nothing can be told apart, so nothing is bound, and what
 * others bound is undone. */
START_TEST (test_several_gadgets_without_setting_are_all_unbound)
{
  g_autofree char *g1 = NULL;
  g_autofree char *g2 = NULL;

  write_file ("sys/kernel/config/usb_gadget/g1/UDC", "dummy_udc.0\n");
  write_file ("sys/kernel/config/usb_gadget/g2/UDC", "dummy_udc.0\n");
  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  g1 = gadget_binding ("g1");
  g2 = gadget_binding ("g2");
  ck_assert_str_eq (g1, "");
  ck_assert_str_eq (g2, "");
}
END_TEST

/* Several UDCs and no UDC=: nothing is bound either. */
START_TEST (test_several_udcs_without_setting_bind_nothing)
{
  write_file ("sys/class/udc/dummy_udc.1/state", "not attached\n");
  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());
}
END_TEST

/* A trusted host arriving while locked gets charge-only until the unlock, then data; a
 * host connected before the lock keeps its data path. */
START_TEST (test_locked_phone_holds_a_trusted_host)
{
  cg_usb_gadget_guard_set_locked (fixture.guard, TRUE);
  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));
  ck_assert (!gadget_is_bound ());
  ck_assert_str_eq (host_decision (), "charge-only (locked)");

  cg_usb_gadget_guard_set_locked (fixture.guard, FALSE);
  ck_assert (gadget_is_bound ());
  ck_assert_str_eq (host_decision (), "data");

  cg_usb_gadget_guard_set_locked (fixture.guard, TRUE);
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (gadget_is_bound ());
  reload ();
  ck_assert (gadget_is_bound ());
}
END_TEST

/* USBWhileLocked=data: the host gets its grant at once. */
START_TEST (test_while_locked_data_binds_at_once)
{
  write_file ("etc/carguard/vendors.d/dock.conf",
              "[Vendor]\nName=Dock\n[Match]\nTypeCPartnerVID=" TRUSTED_VID
              "\n[Policy]\nPreset=trusted\nUSBWhileLocked=data\n");
  reload ();
  cg_usb_gadget_guard_set_locked (fixture.guard, TRUE);
  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (gadget_is_bound ());
}
END_TEST

/* A phone with a USB power supply and no Type-C: online with a data port is a host,
 * going offline is the cable pull, a wall charger (DCP) is no host at all. */
START_TEST (test_power_supply_is_the_cable)
{
  remove_path ("sys/class/typec");
  fake_power_supply ("0\n", "Unknown SDP CDP [DCP]\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));

  fake_power_supply ("1\n", "Unknown SDP CDP [DCP]\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));

  fake_power_supply ("1\n", "Unknown [SDP] CDP DCP\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));

  fake_power_supply ("0\n", "Unknown [SDP] CDP DCP\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));
}
END_TEST

START_TEST (test_extcon_is_the_cable)
{
  remove_path ("sys/class/typec");
  fake_extcon ("USB=0\nUSB-HOST=0\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));
  /* The phone is the host (an OTG adapter): no host for the gadget. */
  fake_extcon ("USB=0\nUSB-HOST=1\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!cg_usb_gadget_guard_host_present (fixture.guard));
  fake_extcon ("USB=1\nUSB-HOST=0\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (cg_usb_gadget_guard_host_present (fixture.guard));
}
END_TEST

START_TEST (test_configured_gadget_among_several)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *g1 = NULL;

  /* A second gadget (usb-moded's) makes auto-detection ambiguous: nothing is bound. */
  write_file ("sys/kernel/config/usb_gadget/g2/UDC", "\n");
  fake_typec_partner_attach ("0x6c00" TRUSTED_VID "\n");
  cg_usb_gadget_guard_recheck (fixture.guard);
  ck_assert (!gadget_is_bound ());

  write_file ("etc/carguard/carguard.conf",
              "[Default]\nPreset=charge-only\n[USBGadget]\nGadget=g1\nUDC=dummy_udc.0\n");
  ck_assert_msg (cg_policy_keeper_reload (fixture.keeper, &error), "%s",
                 error ? error->message : "");
  g1 = read_file ("sys/kernel/config/usb_gadget/g1/UDC");
  ck_assert_str_eq (g1, "dummy_udc.0\n");
}
END_TEST

static Suite *
usb_gadget_guard_suite (void)
{
  Suite *s = suite_create ("usb-gadget-guard");
  TCase *tc = tcase_create ("charge-only");
  TCase *ask = tcase_create ("ask");
  TCase *timeout = tcase_create ("ask-timeout");

  tcase_add_checked_fixture (tc, gadget_setup, gadget_teardown);
  tcase_add_test (tc, test_no_host_stays_unbound);
  tcase_add_test (tc, test_bound_at_boot_without_host_is_unbound);
  tcase_add_test (tc, test_car_vendor_stays_unbound);
  tcase_add_test (tc, test_unknown_host_gets_default);
  tcase_add_test (tc, test_trusted_host_binds_and_detach_unbinds);
  tcase_add_test (tc, test_bind_by_another_owner_is_undone);
  tcase_add_test (tc, test_policy_change_cuts_data);
  tcase_add_test (tc, test_without_typec_the_udc_is_the_cable);
  tcase_add_test (tc, test_configured_gadget_among_several);
  tcase_add_test (tc, test_other_gadgets_are_undone_on_every_udc);
  tcase_add_test (tc, test_several_gadgets_without_setting_are_all_unbound);
  tcase_add_test (tc, test_guard_off_leaves_bindings_alone);
  tcase_add_test (tc, test_several_udcs_without_setting_bind_nothing);
  tcase_add_test (tc, test_locked_phone_holds_a_trusted_host);
  tcase_add_test (tc, test_while_locked_data_binds_at_once);
  tcase_add_test (tc, test_power_supply_is_the_cable);
  tcase_add_test (tc, test_extcon_is_the_cable);
  suite_add_tcase (s, tc);

  tcase_add_checked_fixture (ask, gadget_setup_ask, gadget_teardown);
  tcase_add_test (ask, test_ask_allow_once_binds_this_connection_only);
  tcase_add_test (ask, test_ask_withdrawn_on_detach);
  tcase_add_test (ask, test_allow_once_ends_when_the_power_supply_goes);
  tcase_add_test (ask, test_allow_once_ends_when_the_udc_loses_the_host);
  tcase_add_test (ask, test_no_cable_signal_ask_is_charge_only);
  tcase_add_test (ask, test_cable_signal_appearing_is_a_new_connection);
  tcase_add_test (ask, test_cable_udc_setting_asks);
  tcase_add_test (ask, test_nothing_to_bind_asks_nobody);
  tcase_add_test (ask, test_block_withdraws_the_question_and_the_yes);
  tcase_add_test (ask, test_question_says_kind_and_grants);
  suite_add_tcase (s, ask);

  tcase_add_checked_fixture (timeout, gadget_setup_ask_short_timeout, gadget_teardown);
  tcase_add_test (timeout, test_ask_timeout_stays_unbound);
  suite_add_tcase (s, timeout);
  return s;
}

int
main (void)
{
  SRunner *runner = srunner_create (usb_gadget_guard_suite ());
  int failed;

  srunner_run_all (runner, CK_NORMAL);
  failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? 0 : 1;
}
