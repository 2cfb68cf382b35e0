/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cg-sysfs.h"
#include "cg-usb-config.h"
#include "cg-usb-descriptor.h"
#include "cg-usb-host-guard.h"
#include "cg-usb-peer.h"

/* The longest `descriptors` read: a device's configurations are at most 64 KiB each,
 * and anything past the first config's worth of interfaces does not change a verdict. */
#define HOST_DESCRIPTORS_MAX 65536
#define HOST_PRESENT_RULE "[USBHost] PresentDevices=authorize (hardwired port)"
#define HOST_PRESENT_ALL_RULE "[USBHost] PresentDevices=authorize-all"

/* One device from its arrival to its removal. */
typedef struct {
  CgUsbHostGuard *guard; /* not a reference: devices never outlive their guard */
  char *name;            /* sysfs name, "1-1" */
  guint64 devnum;
  CgUsbPeer peer;
  gboolean kept_at_start; /* left authorized at start: hardwired, or PresentDevices=authorize-all */
  char *product;          /* hostile; sanitised by the log and the registry */
  char *serial;           /* raw: what the policy matches and Block writes */
  guint16 vid;
  guint16 pid;
} HostDevice;

struct _CgUsbHostGuard {
  GObject parent_instance;
  CgUsbGuardCore core;
  CgHwdb *hwdb;
  CgSysfs *sysfs;
  GHashTable *devices; /* name -> HostDevice */
  gboolean enabled;    /* [USBHost] Guard=, read at start */
  gboolean locked;     /* every session is locked: a new device waits for the unlock */
};

G_DEFINE_FINAL_TYPE (CgUsbHostGuard, cg_usb_host_guard, G_TYPE_OBJECT)

/* What sysfs tells of an unauthorized device. */
typedef struct {
  guint64 devnum;
  gboolean authorized;
  gboolean has_id;
  guint16 vid;
  guint16 pid;
  char *manufacturer;
  char *product;
  char *serial;
  char *connect_type;
  gboolean has_descriptors;
  CgUsbDescriptors descriptors;
} HostDeviceFacts;

static void
host_device_facts_clear (HostDeviceFacts *facts)
{
  g_clear_pointer (&facts->manufacturer, g_free);
  g_clear_pointer (&facts->product, g_free);
  g_clear_pointer (&facts->serial, g_free);
  g_clear_pointer (&facts->connect_type, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HostDeviceFacts, host_device_facts_clear)

static void
host_device_free (HostDevice *device)
{
  cg_usb_peer_clear (&device->peer);
  g_free (device->name);
  g_free (device->product);
  g_free (device->serial);
  g_free (device);
}

/* What is done before a device is judged (its descriptors, a root hub) names no rule. */
static void
host_log_unjudged (const char *name, const char *action, const GError *failed)
{
  CgDecisionLogSubject subject = { .transport = "usb", .device = name };

  cg_decision_log_enforced (&subject, action, failed);
}

/* ---------------------------------------------------------------- sysfs */

static char *
host_attr_path (const char *name, const char *attr)
{
  return g_build_filename (CG_USB_DEVICES_DIR, name, attr, NULL);
}

static char *
host_read_attr (CgUsbHostGuard *self, const char *name, const char *attr)
{
  g_autofree char *path = host_attr_path (name, attr);

  return cg_sysfs_read_text (self->sysfs, path, CG_SYSFS_ATTR_MAX, NULL);
}

static gboolean
host_read_hex (CgUsbHostGuard *self, const char *name, const char *attr, guint64 max, guint64 *out)
{
  g_autofree char *path = host_attr_path (name, attr);

  return cg_sysfs_read_hex (self->sysfs, path, max, out, NULL);
}

static gboolean
host_write_attr (CgUsbHostGuard *self, const char *name, const char *attr, const char *value,
                 GError **error)
{
  g_autofree char *path = host_attr_path (name, attr);

  return cg_sysfs_write_text (self->sysfs, path, value, error);
}

/* devnum and authorized are decimal; a missing one reads as 0. */
static guint64
host_read_decimal (CgUsbHostGuard *self, const char *name, const char *attr)
{
  g_autofree char *text = host_read_attr (self, name, attr);

  return text != NULL ? g_ascii_strtoull (text, NULL, 10) : 0;
}

static void
host_read_descriptors (CgUsbHostGuard *self, const char *name, HostDeviceFacts *facts)
{
  g_autofree char *path = host_attr_path (name, "descriptors");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = cg_sysfs_read_bytes (self->sysfs, path, HOST_DESCRIPTORS_MAX, &error);
  gsize len = 0;
  const guint8 *data;

  if (bytes == NULL) {
    g_debug ("USB %s: no descriptors: %s", name, error->message);
    return;
  }
  data = g_bytes_get_data (bytes, &len);
  /* A malformed tail still leaves the interfaces before it: judged on those. */
  if (!cg_usb_descriptors_parse (data, len, &facts->descriptors, &error))
    host_log_unjudged (name, "malformed descriptors", error);
  facts->has_descriptors = facts->descriptors.vid != 0 || facts->descriptors.n_interfaces > 0;
}

/* Every read is a few syscalls on the way to the device's `authorized`: the VID:PID come
 * from the device descriptor when there is one (idVendor and idProduct are its fields),
 * and the port's connect_type only matters to a device present at start. */
static void
host_read_facts (CgUsbHostGuard *self, const char *name, gboolean at_start, HostDeviceFacts *facts)
{
  guint64 vid = 0, pid = 0;
  g_autofree char *port = g_build_filename (name, "port", NULL);

  *facts = (HostDeviceFacts){ 0 };
  facts->devnum = host_read_decimal (self, name, "devnum");
  facts->authorized = host_read_decimal (self, name, "authorized") != 0;
  host_read_descriptors (self, name, facts);
  if (facts->descriptors.has_device) {
    facts->has_id = TRUE;
    vid = facts->descriptors.vid;
    pid = facts->descriptors.pid;
  } else {
    facts->has_id = host_read_hex (self, name, "idVendor", G_MAXUINT16, &vid)
                    && host_read_hex (self, name, "idProduct", G_MAXUINT16, &pid);
  }
  facts->vid = vid;
  facts->pid = pid;
  facts->manufacturer = host_read_attr (self, name, "manufacturer");
  facts->product = host_read_attr (self, name, "product");
  facts->serial = host_read_attr (self, name, "serial");
  if (at_start)
    facts->connect_type = host_read_attr (self, port, "connect_type");
}

/* "1-1.2" -> "usb1": the root hub whose interface policy covers the device. */
static char *
host_root_hub_of (const char *name)
{
  const char *dash = strchr (name, '-');

  if (dash == NULL || dash == name)
    return NULL;
  return g_strdup_printf ("usb%.*s", (int)(dash - name), name);
}

static gboolean
host_name_is_device (const char *name)
{
  return name != NULL && g_ascii_isdigit (name[0]) && strchr (name, '-') != NULL
         && strchr (name, ':') == NULL && strchr (name, '/') == NULL;
}

static gboolean
host_name_is_root_hub (const char *name)
{
  return name != NULL && g_str_has_prefix (name, "usb") && name[3] != '\0'
         && strspn (name + 3, "0123456789") == strlen (name + 3);
}

/* ---------------------------------------------------------------- registry */

static void
host_publish (CgUsbHostGuard *self, HostDevice *device, gboolean enforced)
{
  CgDeviceReport report
      = cg_usb_peer_report (&device->peer, device->name, device->product, enforced);

  report.has_usb_id = TRUE;
  report.usb_vid = device->vid;
  report.usb_pid = device->pid;
  report.usb_serial = device->serial;
  cg_usb_guard_core_publish (&self->core, &report);
}

/* ---------------------------------------------------------------- enforcement */

static void
host_log_enforced (HostDevice *device, const char *action, const GError *failed)
{
  cg_usb_peer_log_enforced (&device->peer, device->name, device->product, action, failed);
}

static gboolean
host_grant_has_allowlist (const CgGrant *grant)
{
  for (guint i = 0; i < G_N_ELEMENTS (grant->usb_interfaces); i++)
    if (grant->usb_interfaces[i] != 0)
      return TRUE;
  return FALSE;
}

/* One interface ("1-1:1.0") of an authorized device: authorized when its class is
 * allowed, kept unauthorized (no driver) if not. Returns whether it is allowed. */
static gboolean
host_enforce_interface (CgUsbHostGuard *self, HostDevice *device, const char *iface)
{
  guint64 iface_class = 0;
  gboolean allowed, authorized;
  g_autoptr (GError) error = NULL;
  g_autofree char *action = NULL;

  if (!host_read_hex (self, iface, "bInterfaceClass", G_MAXUINT8, &iface_class))
    return FALSE;
  allowed = cg_grant_allows_usb_interface (&device->peer.verdict.grant, (guint8)iface_class);
  authorized = host_read_decimal (self, iface, "authorized") != 0;
  if (allowed != authorized
      && !host_write_attr (self, iface, "authorized", allowed ? "1" : "0", &error)) {
    host_log_enforced (device, "interface authorization", error);
    return FALSE;
  }
  action = g_strdup_printf ("interface %s (class %02x) %s", iface, (guint)iface_class,
                            allowed ? "authorized" : "kept unauthorized");
  host_log_enforced (device, action, NULL);
  return allowed;
}

/* Authorizing an interface attaches no driver: drivers_probe does, once every allowed
 * interface is authorized (a CDC driver claims its data interface from the control
 * interface's probe, which fails while the data interface is still unauthorized). */
static void
host_probe_interface (CgUsbHostGuard *self, HostDevice *device, const char *iface)
{
  g_autofree char *driver = g_build_filename (CG_USB_DEVICES_DIR, iface, "driver", NULL);
  g_autoptr (GError) error = NULL;

  if (!cg_sysfs_exists (self->sysfs, driver)
      && !cg_sysfs_write_text (self->sysfs, CG_USB_DRIVERS_PROBE, iface, &error))
    g_debug ("USB %s: probing %s: %s", device->name, iface, error->message);
}

static void
host_enforce_interfaces (CgUsbHostGuard *self, HostDevice *device)
{
  g_autoptr (GPtrArray) names = cg_sysfs_list (self->sysfs, CG_USB_DEVICES_DIR);
  g_autoptr (GPtrArray) allowed = g_ptr_array_new ();
  g_autofree char *prefix = g_strconcat (device->name, ":", NULL);

  for (guint i = 0; i < names->len; i++)
    if (g_str_has_prefix (names->pdata[i], prefix)
        && host_enforce_interface (self, device, names->pdata[i]))
      g_ptr_array_add (allowed, names->pdata[i]);
  for (guint i = 0; i < allowed->len; i++)
    host_probe_interface (self, device, allowed->pdata[i]);
}

/* authorized: what sysfs said a moment ago, or -1 to read it now (an answer or a reload
 * comes long after the device's facts were read). */
static gboolean
host_is_authorized (CgUsbHostGuard *self, HostDevice *device, int authorized)
{
  return authorized >= 0 ? authorized != 0
                         : host_read_decimal (self, device->name, "authorized") != 0;
}

static void
host_authorize (CgUsbHostGuard *self, HostDevice *device, int authorized)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hub = host_root_hub_of (device->name);
  gboolean allowlist = host_grant_has_allowlist (&device->peer.verdict.grant);

  /* With an allowlist no interface may get a driver before it is judged: the bus's
   * interface default goes to 0 before the device is configured. */
  if (allowlist && hub != NULL
      && !host_write_attr (self, hub, "interface_authorized_default", "0", &error)) {
    host_log_enforced (device, "interface lock", error);
    return;
  }
  if (!host_is_authorized (self, device, authorized)) {
    gboolean written = host_write_attr (self, device->name, "authorized", "1", &error);

    host_log_enforced (device, written ? "authorized: data" : "authorization", error);
    if (!written)
      return;
  }
  /* Without an allowlist this only matters when an earlier allowlist locked the bus. */
  host_enforce_interfaces (self, device);
}

static void
host_deauthorize (CgUsbHostGuard *self, HostDevice *device, int authorized)
{
  g_autoptr (GError) error = NULL;

  if (!host_is_authorized (self, device, authorized)) {
    host_log_enforced (device, "unauthorized: charge-only", NULL);
    return;
  }
  if (!host_write_attr (self, device->name, "authorized", "0", &error)) {
    host_log_enforced (device, "deauthorization", error);
    return;
  }
  host_log_enforced (device, "deauthorized: charge-only", NULL);
}

/* The kernel gets the verdict first; the log (a file or the journal), the slowest step,
 * then says what was enforced, and the registry lists it. */
static void
host_enforce (CgUsbHostGuard *self, HostDevice *device, int authorized)
{
  if (device->kept_at_start)
    return;
  if (device->peer.access == CG_USB_ACCESS_DATA)
    host_authorize (self, device, authorized);
  else
    host_deauthorize (self, device, authorized);
  cg_usb_peer_log_decided (&device->peer, device->name, device->product);
  host_publish (self, device, TRUE);
}

/* ---------------------------------------------------------------- judging */

static void
host_on_answer (CgAnswer answer, gpointer user_data)
{
  HostDevice *device = user_data;

  cg_usb_peer_take_answer (&device->peer, answer);
  host_enforce (device->guard, device, -1);
}

/* What started a judgement of a device already known. */
typedef enum {
  HOST_JUDGE_NEW,    /* it arrived (or carguardd started) */
  HOST_JUDGE_POLICY, /* a reload: answers and questions stand unless blocked */
  HOST_JUDGE_UNLOCK, /* held while locked: judged now */
} HostJudgeEvent;

/* What the policy decides on; organizations holds the hwdb names facts borrow. */
static CgFacts
host_facts (CgUsbHostGuard *self, const HostDeviceFacts *seen, CgOrganizations *organizations)
{
  CgFacts facts = { .has_usb_id = seen->has_id,
                    .usb_vid = seen->vid,
                    .usb_pid = seen->pid,
                    .usb_manufacturer = seen->manufacturer,
                    .usb_product = seen->product,
                    .usb_serial = seen->serial,
                    .usb_interface_classes = seen->descriptors.classes,
                    .n_usb_interface_classes = seen->descriptors.n_classes };

  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->core.keeper);

  /* A hwdb look-up costs more than the rest of the judgement; only Organization= uses it. */
  if (self->hwdb != NULL && cg_policy_matches_organizations (policy))
    cg_hwdb_fill_organizations (self->hwdb, &facts, organizations);
  return facts;
}

/* Returns whether what the device may do was judged (anew). */
static gboolean
host_judge (CgUsbHostGuard *self, HostDevice *device, const HostDeviceFacts *seen,
            HostJudgeEvent event)
{
  g_auto (CgOrganizations) organizations = { 0 };
  CgFacts facts = host_facts (self, seen, &organizations);
  const CgUsbJudgement judgement = { .facts = &facts,
                                     .device = device->name,
                                     .name = device->product,
                                     .kind = "usb-device",
                                     .locked = self->locked,
                                     .on_answer = host_on_answer,
                                     .user_data = device };

  if (event == HOST_JUDGE_POLICY)
    return cg_usb_peer_rejudge (&device->peer, &self->core, &judgement);
  if (event == HOST_JUDGE_UNLOCK)
    return cg_usb_peer_unlock (&device->peer, &self->core, &judgement);
  cg_usb_peer_judge (&device->peer, &self->core, &judgement);
  return TRUE;
}

static HostDevice *
host_device_new (CgUsbHostGuard *self, const char *name, const HostDeviceFacts *seen)
{
  HostDevice *device = g_new0 (HostDevice, 1);

  device->guard = self;
  device->name = g_strdup (name);
  device->devnum = seen->devnum;
  device->product = g_strdup (seen->product);
  device->serial = g_strdup (seen->serial);
  device->vid = seen->vid;
  device->pid = seen->pid;
  return device;
}

/* What is authorized at start and on an internal port (the keyboard that typed the
 * disk password) stays, as it was, until a block. */
static void
host_keep_present (CgUsbHostGuard *self, HostDevice *device, const char *rule)
{
  device->kept_at_start = TRUE;
  device->peer.access = CG_USB_ACCESS_DATA;
  device->peer.why = "data (present at start)";
  device->peer.verdict.mode = CG_USB_MODE_DATA;
  device->peer.verdict.rule = g_strdup (rule);
  cg_usb_peer_log_decided (&device->peer, device->name, device->product);
  host_publish (self, device, TRUE);
}

/* A device found authorized at start that keeps its authorization, and the rule that
 * says so; NULL when it is judged like a new one. The kernel's own
 * usbcore.authorized_default=2 draws the same line: a port the firmware describes as
 * hardwired is internal, anything else (hotplug, unknown, no ACPI at all) is a port a
 * car's cable can reach. */
static const char *
host_present_keep_rule (const HostDeviceFacts *seen, CgUsbPresentDevices present)
{
  if (!seen->authorized)
    return NULL;
  if (present == CG_USB_PRESENT_AUTHORIZE_ALL)
    return HOST_PRESENT_ALL_RULE;
  if (present == CG_USB_PRESENT_AUTHORIZE && g_strcmp0 (seen->connect_type, "hardwired") == 0)
    return HOST_PRESENT_RULE;
  return NULL;
}

static void
host_device_arrived (CgUsbHostGuard *self, const char *name, gboolean at_start,
                     CgUsbPresentDevices present)
{
  g_auto (HostDeviceFacts) seen = { 0 };
  HostDevice *known = g_hash_table_lookup (self->devices, name);
  HostDevice *device;
  const char *keep_rule;

  if (!self->enabled || !host_name_is_device (name))
    return;
  host_read_facts (self, name, at_start, &seen);
  if (seen.devnum == 0)
    return; /* gone already */
  if (known != NULL && known->devnum == seen.devnum)
    return; /* the other wake-up judged it */
  if (known != NULL)
    cg_usb_host_guard_device_removed (self, name);
  device = host_device_new (self, name, &seen);
  g_hash_table_replace (self->devices, device->name, device);
  keep_rule = at_start ? host_present_keep_rule (&seen, present) : NULL;
  if (keep_rule != NULL) {
    host_keep_present (self, device, keep_rule);
    return;
  }
  host_judge (self, device, &seen, HOST_JUDGE_NEW);
  host_enforce (self, device, seen.authorized);
}

/* Devices on this bus are enumerated unauthorized from now on; TRUE if they are. */
static gboolean
host_lock_root_hub (CgUsbHostGuard *self, const char *hub)
{
  g_autoptr (GError) error = NULL;

  if (!self->enabled || !host_name_is_root_hub (hub))
    return FALSE;
  if (!host_write_attr (self, hub, "authorized_default", "0", &error)) {
    host_log_unjudged (hub, "authorized_default=0", error);
    return FALSE;
  }
  g_debug ("USB %s: new devices start unauthorized", hub);
  return TRUE;
}

/* What `carguard status` says: which root hubs hold new devices unauthorized. */
static void
host_report_guard (CgUsbHostGuard *self, GPtrArray *locked)
{
  g_autofree char *hubs = NULL;
  g_autofree char *what = NULL;

  if (!self->enabled) {
    cg_usb_guard_core_report_guard (&self->core, "usb-host", FALSE, "off: [USBHost] Guard=no");
    return;
  }
  g_ptr_array_add (locked, NULL);
  hubs = g_strjoinv (" ", (char **)locked->pdata);
  what = locked->len > 1 ? g_strdup_printf ("root hubs %s: a device plugged in gets no driver "
                                            "until the policy or a person lets it",
                                            hubs)
                         : g_strdup ("no root hub locked (none found, or none writable)");
  cg_usb_guard_core_report_guard (&self->core, "usb-host", locked->len > 1, what);
}

/* ---------------------------------------------------------------- wake-ups */

/* A device kept at start stays, as the keyboard must, unless the policy now blocks it. */
static gboolean
host_rejudge_kept (CgUsbHostGuard *self, HostDevice *device, const HostDeviceFacts *seen)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->core.keeper);
  g_auto (CgUsbVerdict) verdict = { 0 };
  g_auto (CgOrganizations) organizations = { 0 };
  CgFacts facts = host_facts (self, seen, &organizations);

  cg_usb_decide (policy, &facts, &verdict);
  if (!verdict.grant.block)
    return FALSE;
  device->kept_at_start = FALSE;
  return host_judge (self, device, seen, HOST_JUDGE_NEW);
}

/* Every device again, under a new policy or at the unlock; what changed is enforced. */
static void
host_rejudge_all (CgUsbHostGuard *self, HostJudgeEvent event)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HostDevice *device = value;
    g_auto (HostDeviceFacts) seen = { 0 };
    gboolean judged;

    host_read_facts (self, device->name, FALSE, &seen);
    if (device->kept_at_start)
      judged = event == HOST_JUDGE_POLICY && host_rejudge_kept (self, device, &seen);
    else
      judged = host_judge (self, device, &seen, event);
    if (judged)
      host_enforce (self, device, seen.authorized);
  }
}

static void
host_on_policy_changed (CgPolicyKeeper *keeper, gpointer user_data)
{
  host_rejudge_all (user_data, HOST_JUDGE_POLICY);
}

/* Every wake-up, whichever source it came from: a root hub to lock, or a device that
 * came or went, by its sysfs name. */
static void
host_on_wakeup (CgUsbHostGuard *self, gboolean added, const char *name)
{
  if (added && host_name_is_root_hub (name))
    host_lock_root_hub (self, name);
  else if (added)
    cg_usb_host_guard_device_added (self, name);
  else
    cg_usb_host_guard_device_removed (self, name);
}

static void
host_on_uevent (CgUsbUeventMonitor *monitor, const char *action, const char *subsystem,
                const char *devpath, gpointer user_data)
{
  g_autofree char *name = NULL;

  if (g_strcmp0 (subsystem, "usb") != 0 || devpath == NULL)
    return;
  name = g_path_get_basename (devpath);
  if (g_strcmp0 (action, "add") == 0 || g_strcmp0 (action, "remove") == 0)
    host_on_wakeup (user_data, g_str_equal (action, "add"), name);
}

static void
host_on_overflow (CgUsbUeventMonitor *monitor, gpointer user_data)
{
  CgUsbHostGuard *self = user_data;
  g_autoptr (GPtrArray) names = cg_sysfs_list (self->sysfs, CG_USB_DEVICES_DIR);

  for (guint i = 0; i < names->len; i++)
    host_on_wakeup (self, TRUE, names->pdata[i]);
}

static void
host_on_hotplug_added (CgUsbHotplug *hotplug, const char *name, gpointer user_data)
{
  host_on_wakeup (user_data, TRUE, name);
}

static void
host_on_hotplug_removed (CgUsbHotplug *hotplug, const char *name, gpointer user_data)
{
  host_on_wakeup (user_data, FALSE, name);
}

/* ---------------------------------------------------------------- object */

static void
cg_usb_host_guard_dispose (GObject *object)
{
  CgUsbHostGuard *self = CG_USB_HOST_GUARD (object);

  /* Each device withdraws its question as it goes. */
  g_hash_table_remove_all (self->devices);
  cg_usb_guard_core_clear (&self->core);
  G_OBJECT_CLASS (cg_usb_host_guard_parent_class)->dispose (object);
}

static void
cg_usb_host_guard_finalize (GObject *object)
{
  CgUsbHostGuard *self = CG_USB_HOST_GUARD (object);

  g_hash_table_unref (self->devices);
  cg_sysfs_free (self->sysfs);
  G_OBJECT_CLASS (cg_usb_host_guard_parent_class)->finalize (object);
}

static void
cg_usb_host_guard_class_init (CgUsbHostGuardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cg_usb_host_guard_dispose;
  G_OBJECT_CLASS (klass)->finalize = cg_usb_host_guard_finalize;
}

static void
cg_usb_host_guard_init (CgUsbHostGuard *self)
{
  self->devices
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)host_device_free);
}

CgUsbHostGuard *
cg_usb_host_guard_new (CgPolicyKeeper *keeper, CgPending *pending, CgDeviceRegistry *registry,
                       CgHwdb *hwdb, const char *sysfs_root)
{
  CgUsbHostGuard *self = g_object_new (CG_TYPE_USB_HOST_GUARD, NULL);

  cg_usb_guard_core_init (&self->core, keeper, pending, registry,
                          G_CALLBACK (host_on_policy_changed), self);
  self->hwdb = hwdb;
  self->sysfs = cg_sysfs_new (sysfs_root);
  return self;
}

void
cg_usb_host_guard_listen (CgUsbHostGuard *guard, CgUsbUeventMonitor *monitor, CgUsbHotplug *hotplug)
{
  if (monitor != NULL) {
    g_signal_connect_object (monitor, "uevent", G_CALLBACK (host_on_uevent), guard, 0);
    g_signal_connect_object (monitor, "overflow", G_CALLBACK (host_on_overflow), guard, 0);
  }
  if (hotplug != NULL) {
    g_signal_connect_object (hotplug, "device-added", G_CALLBACK (host_on_hotplug_added), guard, 0);
    g_signal_connect_object (hotplug, "device-removed", G_CALLBACK (host_on_hotplug_removed), guard,
                             0);
  }
}

void
cg_usb_host_guard_start (CgUsbHostGuard *guard)
{
  g_autoptr (GPtrArray) names = cg_sysfs_list (guard->sysfs, CG_USB_DEVICES_DIR);
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (guard->core.keeper);
  g_auto (CgUsbConfig) config = { 0 };

  g_autoptr (GPtrArray) locked = g_ptr_array_new ();

  cg_usb_config_load (policy, &config);
  guard->enabled = config.host_guard;
  if (!guard->enabled) {
    g_message ("USB host guard off: [USBHost] Guard=no");
    host_report_guard (guard, locked);
    return;
  }
  /* Hubs first: whatever plugs in while the present devices are read starts locked. */
  for (guint i = 0; i < names->len; i++)
    if (host_lock_root_hub (guard, names->pdata[i]))
      g_ptr_array_add (locked, names->pdata[i]);
  host_report_guard (guard, locked);
  for (guint i = 0; i < names->len; i++)
    host_device_arrived (guard, names->pdata[i], TRUE, config.present_devices);
}

void
cg_usb_host_guard_device_added (CgUsbHostGuard *guard, const char *name)
{
  host_device_arrived (guard, name, FALSE, CG_USB_PRESENT_JUDGE);
}

void
cg_usb_host_guard_device_removed (CgUsbHostGuard *guard, const char *name)
{
  HostDevice *device = g_hash_table_lookup (guard->devices, name);

  if (device == NULL)
    return;
  host_log_enforced (device, "detached", NULL);
  cg_usb_guard_core_remove (&guard->core, name);
  g_hash_table_remove (guard->devices, name);
}

void
cg_usb_host_guard_set_locked (CgUsbHostGuard *guard, gboolean locked)
{
  gboolean unlocked = guard->locked && !locked;

  guard->locked = locked;
  if (unlocked)
    host_rejudge_all (guard, HOST_JUDGE_UNLOCK);
}

guint
cg_usb_host_guard_get_pending_id (CgUsbHostGuard *guard, const char *name)
{
  HostDevice *device = g_hash_table_lookup (guard->devices, name);

  return device != NULL ? cg_ask_get_id (&device->peer.ask) : 0;
}
