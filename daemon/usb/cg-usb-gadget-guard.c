/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <unistd.h>

#include "cg-sysfs.h"
#include "cg-typec.h"
#include "cg-usb-config.h"
#include "cg-usb-gadget-guard.h"
#include "cg-usb-peer.h"

struct _CgUsbGadgetGuard {
  GObject parent_instance;
  CgUsbGuardCore core;
  CgSysfs *sysfs;

  /* The connection: from the host appearing to it going. */
  gboolean present;
  gboolean has_host_vid;
  guint16 host_vid;
  CgUsbPeer host;
  gboolean decision_unlogged; /* judged or answered; logged once enforced */
  char *bound_udc;            /* what carguard bound the gadget to, if anything */
  char *device;               /* "gadget g1 on dummy_udc.0", for the log */
  char *published;            /* the UDC name the host is published under in the registry */

  /* poll(POLLPRI|POLLERR) on the UDC's state attribute. */
  char *watched_udc;
  int state_fd;
  guint state_source_id;
};

G_DEFINE_FINAL_TYPE (CgUsbGadgetGuard, cg_usb_gadget_guard, G_TYPE_OBJECT)

static void gadget_guard_evaluate (CgUsbGadgetGuard *self, gboolean rejudge);

static void
gadget_guard_unwatch_udc (CgUsbGadgetGuard *self)
{
  g_clear_handle_id (&self->state_source_id, g_source_remove);
  if (self->state_fd >= 0)
    close (self->state_fd);
  self->state_fd = -1;
  g_clear_pointer (&self->watched_udc, g_free);
}

static void
cg_usb_gadget_guard_dispose (GObject *object)
{
  CgUsbGadgetGuard *self = CG_USB_GADGET_GUARD (object);

  cg_ask_withdraw (&self->host.ask);
  gadget_guard_unwatch_udc (self);
  cg_usb_guard_core_clear (&self->core);
  G_OBJECT_CLASS (cg_usb_gadget_guard_parent_class)->dispose (object);
}

static void
cg_usb_gadget_guard_finalize (GObject *object)
{
  CgUsbGadgetGuard *self = CG_USB_GADGET_GUARD (object);

  cg_usb_peer_clear (&self->host);
  g_free (self->bound_udc);
  g_free (self->device);
  g_free (self->published);
  cg_sysfs_free (self->sysfs);
  G_OBJECT_CLASS (cg_usb_gadget_guard_parent_class)->finalize (object);
}

static void
cg_usb_gadget_guard_class_init (CgUsbGadgetGuardClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cg_usb_gadget_guard_dispose;
  G_OBJECT_CLASS (klass)->finalize = cg_usb_gadget_guard_finalize;
}

static void
cg_usb_gadget_guard_init (CgUsbGadgetGuard *self)
{
  self->state_fd = -1;
}

/* The configured name, else the only entry of dir; NULL when it is missing or ambiguous. */
static char *
gadget_guard_pick (CgUsbGadgetGuard *self, const char *dir, const char *configured)
{
  g_autoptr (GPtrArray) names = NULL;
  g_autofree char *path = NULL;

  if (configured != NULL) {
    path = g_build_filename (dir, configured, NULL);
    return cg_sysfs_exists (self->sysfs, path) ? g_strdup (configured) : NULL;
  }
  names = cg_sysfs_list (self->sysfs, dir);
  if (names->len != 1 || !cg_usb_config_name_is_safe (names->pdata[0]))
    return NULL;
  return g_strdup (names->pdata[0]);
}

static char *
gadget_guard_describe (const char *gadget, const char *udc)
{
  return g_strdup_printf ("gadget %s on %s", gadget, udc != NULL ? udc : "no UDC");
}

static char *
gadget_guard_host_name (CgUsbGadgetGuard *self)
{
  if (self->has_host_vid)
    return g_strdup_printf ("host with Type-C partner VID %04x", self->host_vid);
  return g_strdup ("unknown host");
}

static void
gadget_guard_log_enforced (CgUsbGadgetGuard *self, const char *device, const char *action,
                           const GError *failed)
{
  g_autofree char *host = gadget_guard_host_name (self);

  cg_usb_peer_log_enforced (&self->host, device, host, action, failed);
}

static void
gadget_guard_on_answer (CgAnswer answer, gpointer user_data)
{
  CgUsbGadgetGuard *self = user_data;

  cg_usb_peer_take_answer (&self->host, answer);
  self->decision_unlogged = TRUE;
  gadget_guard_evaluate (self, FALSE);
}

/* Judges the host from what is known of it; a person's answer for this connection stands.
 * The question names the host by its UDC, as the registry lists it. */
static void
gadget_guard_judge (CgUsbGadgetGuard *self, const char *udc, const char *device)
{
  g_autofree char *host = gadget_guard_host_name (self);
  CgFacts facts
      = { .has_typec_partner_vid = self->has_host_vid, .typec_partner_vid = self->host_vid };

  if (cg_usb_peer_is_settled (&self->host))
    return;
  cg_usb_peer_judge (&self->host, &self->core, &facts, udc != NULL ? udc : device, host,
                     gadget_guard_on_answer, self);
  self->decision_unlogged = TRUE;
}

static void
gadget_guard_begin_connection (CgUsbGadgetGuard *self, const CgTypecState *typec)
{
  self->present = TRUE;
  self->has_host_vid = typec->has_vid;
  self->host_vid = typec->vid;
  cg_usb_peer_reset (&self->host);
}

static void
gadget_guard_end_connection (CgUsbGadgetGuard *self, const char *device)
{
  cg_usb_peer_reset (&self->host);
  self->present = FALSE;
  self->has_host_vid = FALSE;
  self->decision_unlogged = FALSE;
  gadget_guard_log_enforced (self, device, "host detached: charge-only", NULL);
}

static void
gadget_guard_log_decided (CgUsbGadgetGuard *self, const char *device)
{
  g_autofree char *host = NULL;

  if (!self->decision_unlogged)
    return;
  self->decision_unlogged = FALSE;
  host = gadget_guard_host_name (self);
  cg_usb_peer_log_decided (&self->host, device, host);
}

/* What the D-Bus API lists and AllowOnce answers: the host on this UDC, or nothing. */
static void
gadget_guard_publish (CgUsbGadgetGuard *self, const char *udc, gboolean enforced)
{
  g_autofree char *host = NULL;
  CgDeviceReport report;

  if (self->published != NULL && (!self->present || g_strcmp0 (self->published, udc) != 0)) {
    cg_usb_guard_core_remove (&self->core, self->published);
    g_clear_pointer (&self->published, g_free);
  }
  if (!self->present || udc == NULL)
    return;
  host = gadget_guard_host_name (self);
  report = cg_usb_peer_report (&self->host, udc, host, enforced);
  cg_usb_guard_core_publish (&self->core, &report);
  g_free (self->published);
  self->published = g_strdup (udc);
}

static gboolean
gadget_guard_host_attached (CgUsbGadgetGuard *self, const char *udc, CgTypecState *typec)
{
  cg_typec_read_state (self->sysfs, typec);
  if (typec->has_port)
    return typec->has_partner;
  return udc != NULL;
}

static char *
gadget_guard_read_binding (CgUsbGadgetGuard *self, const char *gadget_udc_path)
{
  g_autofree char *current = cg_sysfs_read_text (self->sysfs, gadget_udc_path, 256, NULL);

  if (current == NULL || *g_strstrip (current) == '\0')
    return NULL;
  return g_steal_pointer (&current);
}

static void
gadget_guard_unbind (CgUsbGadgetGuard *self, const char *device, const char *path,
                     const char *current)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *action = NULL;
  gboolean ours = g_strcmp0 (self->bound_udc, current) == 0;

  /* Someone else's bind (a NetworkManager dispatcher, usb-moded) loses: say whose. */
  action = ours ? g_strdup ("unbound: charge-only")
                : g_strdup_printf ("undid a bind to %s by another owner: charge-only", current);
  if (!cg_sysfs_write_text (self->sysfs, path, "", &error)) {
    gadget_guard_log_enforced (self, device, action, error);
    return;
  }
  g_clear_pointer (&self->bound_udc, g_free);
  gadget_guard_log_enforced (self, device, action, NULL);
}

static void
gadget_guard_bind (CgUsbGadgetGuard *self, const char *device, const char *path, const char *udc)
{
  g_autoptr (GError) error = NULL;

  if (!cg_sysfs_write_text (self->sysfs, path, udc, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY)) {
    /* configfs keeps a gadget driver registered under the name of a UDC that went away
     * while it was bound (seen with dummy_hcd unloaded and loaded again); clearing UDC
     * unregisters it, then the bind can go through. */
    g_clear_error (&error);
    (void)cg_sysfs_write_text (self->sysfs, path, "", NULL);
    (void)cg_sysfs_write_text (self->sysfs, path, udc, &error);
  }
  if (error != NULL) {
    gadget_guard_log_enforced (self, device, "bind", error);
    return;
  }
  g_free (self->bound_udc);
  self->bound_udc = g_strdup (udc);
  gadget_guard_log_enforced (self, device, "bound: data", NULL);
}

static void
gadget_guard_enforce (CgUsbGadgetGuard *self, const char *gadget, const char *udc,
                      const char *device)
{
  g_autofree char *path = g_build_filename (CG_USB_GADGET_CONFIGFS_DIR, gadget, "UDC", NULL);
  g_autofree char *current = gadget_guard_read_binding (self, path);
  const char *wanted = self->present && self->host.access == CG_USB_ACCESS_DATA ? udc : NULL;

  if (current != NULL && g_strcmp0 (current, wanted) != 0) {
    gadget_guard_unbind (self, device, path, current);
    g_clear_pointer (&current, g_free);
  }
  if (wanted != NULL && current == NULL)
    gadget_guard_bind (self, device, path, wanted);
}

static gboolean
gadget_guard_on_state (int fd, GIOCondition condition, gpointer user_data)
{
  CgUsbGadgetGuard *self = user_data;
  char state[64];
  gssize n;

  /* Reading from offset 0 re-arms the notification. */
  n = pread (fd, state, sizeof state - 1, 0);
  if (n < 0 && errno != EINTR) {
    self->state_source_id = 0;
    gadget_guard_unwatch_udc (self);
    gadget_guard_evaluate (self, FALSE);
    return G_SOURCE_REMOVE;
  }
  gadget_guard_evaluate (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
gadget_guard_watch_udc (CgUsbGadgetGuard *self, const char *udc)
{
  g_autofree char *path = NULL;
  g_autofree char *full = NULL;
  char state[64];

  if (g_strcmp0 (self->watched_udc, udc) == 0)
    return;
  gadget_guard_unwatch_udc (self);
  if (udc == NULL)
    return;
  path = g_build_filename (CG_USB_UDC_CLASS_DIR, udc, "state", NULL);
  full = cg_sysfs_resolve (self->sysfs, path);
  self->state_fd = open (full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (self->state_fd < 0)
    return;
  (void)!pread (self->state_fd, state, sizeof state, 0);
  self->watched_udc = g_strdup (udc);
  self->state_source_id
      = g_unix_fd_add (self->state_fd, G_IO_PRI | G_IO_ERR, gadget_guard_on_state, self);
}

/* What `carguard status` says: which gadget on which UDC is held unbound, or why none. */
static void
gadget_guard_report (CgUsbGadgetGuard *self, const char *gadget, const char *udc,
                     const char *device)
{
  g_autofree char *what = NULL;

  if (gadget == NULL)
    what = g_strdup ("no gadget to guard: none in configfs, several and no [USBGadget] "
                     "Gadget=, or the one named is missing");
  else
    what = g_strdup_printf ("%s: %s", device,
                            self->bound_udc != NULL ? "bound (data)" : "unbound (charge-only)");
  cg_usb_guard_core_report_guard (&self->core, "usb-gadget", gadget != NULL, what);
}

/* Reads what is attached, judges a new host (or, rejudge, the present one again under a
 * new policy), enforces, then logs and publishes what was enforced. */
static void
gadget_guard_evaluate (CgUsbGadgetGuard *self, gboolean rejudge)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->core.keeper);
  g_auto (CgUsbConfig) config = { 0 };
  g_autofree char *gadget = NULL;
  g_autofree char *udc = NULL;
  g_autofree char *device = NULL;
  CgTypecState typec;
  gboolean attached;

  cg_usb_config_load (policy, &config);
  gadget = gadget_guard_pick (self, CG_USB_GADGET_CONFIGFS_DIR, config.gadget);
  udc = gadget_guard_pick (self, CG_USB_UDC_CLASS_DIR, config.udc);
  device = gadget_guard_describe (gadget != NULL ? gadget : "none", udc);
  g_free (self->device);
  self->device = g_strdup (device);
  attached = gadget_guard_host_attached (self, udc, &typec);
  if (self->present && !attached) {
    gadget_guard_end_connection (self, device);
  } else if (!self->present && attached) {
    gadget_guard_begin_connection (self, &typec);
    gadget_guard_judge (self, udc, device);
  } else if (self->present && rejudge) {
    gadget_guard_judge (self, udc, device);
  }
  if (gadget != NULL)
    gadget_guard_enforce (self, gadget, udc, device);
  gadget_guard_report (self, gadget, udc, device);
  gadget_guard_log_decided (self, device);
  gadget_guard_publish (self, udc, gadget != NULL);
  gadget_guard_watch_udc (self, udc);
}

static void
gadget_guard_on_policy_changed (CgPolicyKeeper *keeper, gpointer user_data)
{
  gadget_guard_evaluate (user_data, TRUE);
}

static void
gadget_guard_on_uevent (CgUsbUeventMonitor *monitor, const char *action, const char *subsystem,
                        const char *devpath, gpointer user_data)
{
  if (g_strcmp0 (subsystem, "udc") == 0 || g_strcmp0 (subsystem, "typec") == 0
      || g_strcmp0 (subsystem, "gadget") == 0)
    gadget_guard_evaluate (user_data, FALSE);
}

static void
gadget_guard_on_overflow (CgUsbUeventMonitor *monitor, gpointer user_data)
{
  gadget_guard_evaluate (user_data, FALSE);
}

CgUsbGadgetGuard *
cg_usb_gadget_guard_new (CgPolicyKeeper *keeper, CgPending *pending, CgDeviceRegistry *registry,
                         const char *sysfs_root)
{
  CgUsbGadgetGuard *self = g_object_new (CG_TYPE_USB_GADGET_GUARD, NULL);

  cg_usb_guard_core_init (&self->core, keeper, pending, registry,
                          G_CALLBACK (gadget_guard_on_policy_changed), self);
  self->sysfs = cg_sysfs_new (sysfs_root);
  return self;
}

void
cg_usb_gadget_guard_listen (CgUsbGadgetGuard *guard, CgUsbUeventMonitor *monitor)
{
  g_signal_connect_object (monitor, "uevent", G_CALLBACK (gadget_guard_on_uevent), guard, 0);
  g_signal_connect_object (monitor, "overflow", G_CALLBACK (gadget_guard_on_overflow), guard, 0);
}

void
cg_usb_gadget_guard_recheck (CgUsbGadgetGuard *guard)
{
  gadget_guard_evaluate (guard, FALSE);
}

gboolean
cg_usb_gadget_guard_host_present (CgUsbGadgetGuard *guard)
{
  return guard->present;
}

guint
cg_usb_gadget_guard_get_pending_id (CgUsbGadgetGuard *guard)
{
  return cg_ask_get_id (&guard->host.ask);
}
