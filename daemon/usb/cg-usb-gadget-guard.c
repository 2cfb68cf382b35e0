/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <unistd.h>

#include "cg-sysfs.h"
#include "cg-usb-cable.h"
#include "cg-usb-config.h"
#include "cg-usb-gadget-guard.h"
#include "cg-usb-peer.h"

#define GADGET_NO_CABLE_SIGNAL                                                                     \
  "no cable signal (no Type-C port, USB power supply or extcon USB cable): a yes could not end "   \
  "when the cable goes"

/* poll(POLLPRI|POLLERR) on one UDC's state attribute. */
typedef struct {
  CgUsbGadgetGuard *guard; /* not a reference: watches never outlive their guard */
  char *udc;
  int fd;
  guint source_id;
} UdcWatch;

struct _CgUsbGadgetGuard {
  GObject parent_instance;
  CgUsbGuardCore core;
  CgSysfs *sysfs;
  gboolean locked; /* every session is locked: a new host waits for the unlock */

  /* The connection: from the host appearing to it going. */
  gboolean present;
  guint cable_signals; /* CgUsbCableSignal: what told of the cable when the host came */
  gboolean has_host_vid;
  guint16 host_vid;
  CgUsbPeer host;
  gboolean decision_unlogged; /* judged or answered; logged once enforced */
  char *bound_udc;            /* what carguard bound the guarded gadget to, if anything */
  gboolean udc_saw_host;      /* since that bind, the UDC's state left "not attached" */
  char *device;               /* "gadget g1 on dummy_udc.0", for the log */
  char *published;            /* the UDC name the host is published under in the registry */

  char *announced;         /* what the journal was last told the guard does */
  GHashTable *udc_watches; /* UDC name -> UdcWatch */
};

G_DEFINE_FINAL_TYPE (CgUsbGadgetGuard, cg_usb_gadget_guard, G_TYPE_OBJECT)

/* What started an evaluation, beyond reading sysfs again. */
typedef enum {
  GADGET_EVENT_SYSFS,  /* a uevent, a UDC state change, a test */
  GADGET_EVENT_POLICY, /* a reload: the present host is judged again */
  GADGET_EVENT_UNLOCK, /* a held host is judged now */
} GadgetEvent;

/* What one evaluation found: the gadgets and UDCs there are, the pair carguard guards. */
typedef struct {
  GPtrArray *gadgets; /* every gadget under configfs */
  GPtrArray *udcs;    /* every UDC */
  char *gadget;       /* the guarded gadget, or NULL: none can be told apart */
  char *udc;          /* the guarded UDC, or NULL */
  CgUsbConfig config;
  CgUsbCable cable;
} GadgetScene;

static void
gadget_scene_clear (GadgetScene *scene)
{
  g_clear_pointer (&scene->gadgets, g_ptr_array_unref);
  g_clear_pointer (&scene->udcs, g_ptr_array_unref);
  g_clear_pointer (&scene->gadget, g_free);
  g_clear_pointer (&scene->udc, g_free);
  cg_usb_config_clear (&scene->config);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GadgetScene, gadget_scene_clear)

static void gadget_guard_evaluate (CgUsbGadgetGuard *self, GadgetEvent event);

/* ---------------------------------------------------------------- UDC state watches */

static void
udc_watch_free (UdcWatch *watch)
{
  g_clear_handle_id (&watch->source_id, g_source_remove);
  if (watch->fd >= 0)
    close (watch->fd);
  g_free (watch->udc);
  g_free (watch);
}

static gboolean
gadget_guard_on_state (int fd, GIOCondition condition, gpointer user_data)
{
  UdcWatch *watch = user_data;
  CgUsbGadgetGuard *self = watch->guard;
  char state[64];
  gssize n;

  /* Reading from offset 0 re-arms the notification. */
  n = pread (fd, state, sizeof state - 1, 0);
  if (n < 0 && errno != EINTR) {
    watch->source_id = 0;
    g_hash_table_remove (self->udc_watches, watch->udc);
    gadget_guard_evaluate (self, GADGET_EVENT_SYSFS);
    return G_SOURCE_REMOVE;
  }
  gadget_guard_evaluate (self, GADGET_EVENT_SYSFS);
  return G_SOURCE_CONTINUE;
}

static void
gadget_guard_watch_udc (CgUsbGadgetGuard *self, const char *udc)
{
  g_autofree char *path = g_build_filename (CG_USB_UDC_CLASS_DIR, udc, "state", NULL);
  g_autofree char *full = cg_sysfs_resolve (self->sysfs, path);
  UdcWatch *watch;
  char state[64];
  int fd;

  if (g_hash_table_contains (self->udc_watches, udc))
    return;
  fd = open (full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return;
  (void)!pread (fd, state, sizeof state, 0);
  watch = g_new0 (UdcWatch, 1);
  watch->guard = self;
  watch->udc = g_strdup (udc);
  watch->fd = fd;
  watch->source_id = g_unix_fd_add (fd, G_IO_PRI | G_IO_ERR, gadget_guard_on_state, watch);
  g_hash_table_insert (self->udc_watches, watch->udc, watch);
}

/* Every UDC is watched: a bind by another owner to any of them is seen when a host
 * enumerates there. */
static void
gadget_guard_watch_udcs (CgUsbGadgetGuard *self, GPtrArray *udcs)
{
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, self->udc_watches);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_ptr_array_find_with_equal_func (udcs, name, g_str_equal, NULL))
      g_hash_table_iter_remove (&iter);
  for (guint i = 0; i < udcs->len; i++)
    gadget_guard_watch_udc (self, udcs->pdata[i]);
}

/* ---------------------------------------------------------------- the scene */

/* The configured name if it is there, else the only entry; NULL when missing or ambiguous. */
static char *
gadget_guard_pick (GPtrArray *names, const char *configured)
{
  if (configured != NULL)
    return g_ptr_array_find_with_equal_func (names, configured, g_str_equal, NULL)
               ? g_strdup (configured)
               : NULL;
  if (names->len != 1)
    return NULL;
  return g_strdup (names->pdata[0]);
}

/* Entries whose names stay inside their directory ("..", "/" never come from the kernel). */
static GPtrArray *
gadget_guard_list (CgUsbGadgetGuard *self, const char *dir)
{
  g_autoptr (GPtrArray) names = cg_sysfs_list (self->sysfs, dir);
  GPtrArray *safe = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < names->len; i++)
    if (cg_usb_config_name_is_safe (names->pdata[i]))
      g_ptr_array_add (safe, g_strdup (names->pdata[i]));
  return safe;
}

static void
gadget_guard_read_scene (CgUsbGadgetGuard *self, GadgetScene *scene)
{
  g_autoptr (CgPolicy) policy = cg_policy_keeper_get_policy (self->core.keeper);

  cg_usb_config_load (policy, &scene->config);
  scene->gadgets = gadget_guard_list (self, CG_USB_GADGET_CONFIGFS_DIR);
  scene->udcs = gadget_guard_list (self, CG_USB_UDC_CLASS_DIR);
  scene->gadget = gadget_guard_pick (scene->gadgets, scene->config.gadget);
  scene->udc = gadget_guard_pick (scene->udcs, scene->config.udc);
  cg_usb_cable_read (self->sysfs, &scene->cable);
}

/* Why no gadget (or UDC) of names is guarded. */
static char *
gadget_guard_why_unguarded (GPtrArray *names, const char *configured, const char *what,
                            const char *key)
{
  g_autoptr (GString) list = g_string_new (NULL);

  if (configured != NULL)
    return g_strdup_printf ("[USBGadget] %s=%s is not there", key, configured);
  if (names->len == 0)
    return g_strdup_printf ("no %s", what);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (list, "%s%s", i > 0 ? " " : "", (const char *)names->pdata[i]);
  return g_strdup_printf ("several %ss (%s) and no [USBGadget] %s=", what, list->str, key);
}

/* What an `ask` is when no person should be asked: a yes that could not end when the
 * cable goes, or that would bind nothing. */
static const char *
gadget_guard_cannot_ask (const GadgetScene *scene)
{
  if (scene->gadget == NULL)
    return "charge-only (no gadget to bind)";
  if (scene->config.cable == CG_USB_CABLE_AUTO && scene->cable.signals == 0)
    return "charge-only (no cable signal)";
  return NULL;
}

static char *
gadget_guard_describe_cable (const GadgetScene *scene)
{
  g_autofree char *signals = NULL;

  if (scene->config.cable == CG_USB_CABLE_UDC)
    return g_strdup ("the cable is the UDC's presence ([USBGadget] Cable=udc)");
  if (scene->cable.signals == 0)
    return g_strdup_printf ("%s, so `ask` is charge-only", GADGET_NO_CABLE_SIGNAL);
  signals = cg_usb_cable_describe (scene->cable.signals);
  return g_strdup_printf ("the cable is seen by: %s, and the UDC's state while bound", signals);
}

/* The guarded UDC as the journal names it. With Cable=udc the UDC comes and goes with
 * every cable: that is no change of what is guarded. */
static const char *
gadget_guard_udc_label (const GadgetScene *scene)
{
  if (scene->config.cable == CG_USB_CABLE_UDC && scene->udcs->len <= 1)
    return scene->config.udc != NULL ? scene->config.udc : "the one UDC the cable brings";
  return scene->udc;
}

/* Says in the journal, at start and whenever it changes, what the guard binds, what it
 * keeps unbound and what it cannot tell. */
static void
gadget_guard_announce (CgUsbGadgetGuard *self, const GadgetScene *scene)
{
  const char *udc = gadget_guard_udc_label (scene);
  g_autofree char *why_gadget
      = scene->gadget == NULL
            ? gadget_guard_why_unguarded (scene->gadgets, scene->config.gadget, "gadget", "Gadget")
            : NULL;
  g_autofree char *why_udc
      = udc == NULL ? gadget_guard_why_unguarded (scene->udcs, scene->config.udc, "UDC", "UDC")
                    : NULL;
  g_autofree char *cable = gadget_guard_describe_cable (scene);
  g_autofree char *text = NULL;
  gboolean guarding = why_gadget == NULL && why_udc == NULL;
  gboolean ambiguous = (scene->gadget == NULL && scene->gadgets->len > 1)
                       || (udc == NULL && scene->udcs->len > 1)
                       || (scene->gadget == NULL && scene->config.gadget != NULL);

  if (guarding)
    text = g_strdup_printf ("USB gadget guard: binds gadget %s to %s only for data or a "
                            "person's allow once; every other gadget is kept unbound from "
                            "every UDC; %s",
                            scene->gadget, udc, cable);
  else
    text = g_strdup_printf ("USB gadget guard: binds nothing (%s%s%s); every gadget is kept "
                            "unbound from every UDC",
                            why_gadget != NULL ? why_gadget : "",
                            why_gadget != NULL && why_udc != NULL ? "; " : "",
                            why_udc != NULL ? why_udc : "");
  if (g_strcmp0 (text, self->announced) == 0)
    return;
  if (ambiguous)
    g_warning ("%s", text);
  else
    g_message ("%s", text);
  g_free (self->announced);
  self->announced = g_steal_pointer (&text);
}

/* ---------------------------------------------------------------- the connection */

static char *
gadget_guard_describe (const char *gadget, const char *udc)
{
  return g_strdup_printf ("gadget %s on %s", gadget != NULL ? gadget : "none",
                          udc != NULL ? udc : "no UDC");
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
  gadget_guard_evaluate (self, GADGET_EVENT_SYSFS);
}

/* Judges the host from what is known of it; a person's answer for this connection stands
 * but for a block. The question names the host by its UDC, as the registry lists it. */
static void
gadget_guard_judge (CgUsbGadgetGuard *self, const GadgetScene *scene, GadgetEvent event)
{
  g_autofree char *host = gadget_guard_host_name (self);
  CgFacts facts
      = { .has_typec_partner_vid = self->has_host_vid, .typec_partner_vid = self->host_vid };
  const CgUsbJudgement judgement = {
    .facts = &facts,
    .device = scene->udc != NULL ? scene->udc : self->device,
    .name = host,
    .kind = "usb-host",
    .locked = self->locked,
    .cannot_ask = gadget_guard_cannot_ask (scene),
    .on_answer = gadget_guard_on_answer,
    .user_data = self,
  };
  gboolean judged = TRUE;

  if (event == GADGET_EVENT_POLICY)
    judged = cg_usb_peer_rejudge (&self->host, &self->core, &judgement);
  else if (event == GADGET_EVENT_UNLOCK)
    judged = cg_usb_peer_unlock (&self->host, &self->core, &judgement);
  else
    cg_usb_peer_judge (&self->host, &self->core, &judgement);
  self->decision_unlogged |= judged;
}

static void
gadget_guard_begin_connection (CgUsbGadgetGuard *self, const GadgetScene *scene)
{
  self->present = TRUE;
  self->cable_signals = scene->cable.signals;
  self->has_host_vid = scene->cable.typec.has_vid;
  self->host_vid = scene->cable.typec.vid;
  cg_usb_peer_reset (&self->host);
  gadget_guard_judge (self, scene, GADGET_EVENT_SYSFS);
}

static void
gadget_guard_end_connection (CgUsbGadgetGuard *self, const char *why)
{
  g_autofree char *action = g_strdup_printf ("host detached (%s): charge-only", why);

  cg_usb_peer_reset (&self->host);
  self->present = FALSE;
  self->has_host_vid = FALSE;
  self->decision_unlogged = FALSE;
  gadget_guard_log_enforced (self, self->device, action, NULL);
}

static char *
gadget_guard_read_udc_state (CgUsbGadgetGuard *self, const char *udc)
{
  g_autofree char *path = g_build_filename (CG_USB_UDC_CLASS_DIR, udc, "state", NULL);
  g_autofree char *state = cg_sysfs_read_text (self->sysfs, path, 64, NULL);

  return state != NULL ? g_strdup (g_strstrip (state)) : NULL;
}

/* While carguard has the gadget bound the UDC sees the host; once it saw one, "not
 * attached" is the cable going, the one signal a phone without any other has. Unbound,
 * the state means nothing (it has been seen to keep "configured"). */
static gboolean
gadget_guard_udc_lost_host (CgUsbGadgetGuard *self, const char *udc)
{
  g_autofree char *state = NULL;

  if (self->bound_udc == NULL || g_strcmp0 (self->bound_udc, udc) != 0)
    return FALSE;
  state = gadget_guard_read_udc_state (self, udc);
  if (state == NULL || g_str_equal (state, "not attached"))
    return self->udc_saw_host;
  self->udc_saw_host = TRUE;
  return FALSE;
}

/* NULL while a host is attached, else why it is not. */
static const char *
gadget_guard_why_detached (CgUsbGadgetGuard *self, const GadgetScene *scene)
{
  if (scene->udc == NULL)
    return "no UDC";
  if (gadget_guard_udc_lost_host (self, scene->udc))
    return "the UDC lost the host";
  if (scene->config.cable == CG_USB_CABLE_UDC || scene->cable.signals == 0)
    return NULL;
  return cg_usb_cable_host_attached (&scene->cable) ? NULL : "the cable went";
}

static void
gadget_guard_log_decided (CgUsbGadgetGuard *self)
{
  g_autofree char *host = NULL;

  if (!self->decision_unlogged)
    return;
  self->decision_unlogged = FALSE;
  host = gadget_guard_host_name (self);
  cg_usb_peer_log_decided (&self->host, self->device, host);
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

/* ---------------------------------------------------------------- binding */

static char *
gadget_guard_read_binding (CgUsbGadgetGuard *self, const char *gadget_udc_path)
{
  g_autofree char *current = cg_sysfs_read_text (self->sysfs, gadget_udc_path, 256, NULL);

  if (current == NULL || *g_strstrip (current) == '\0')
    return NULL;
  return g_steal_pointer (&current);
}

static void
gadget_guard_unbind (CgUsbGadgetGuard *self, const char *gadget, const char *path,
                     const char *current, gboolean ours)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *action = NULL;
  g_autofree char *device = gadget_guard_describe (gadget, current);

  /* Someone else's bind (a NetworkManager dispatcher, usb-moded, the initramfs) loses:
   * say whose. */
  action = ours ? g_strdup ("unbound: charge-only")
                : g_strdup_printf ("undid a bind to %s by another owner: charge-only", current);
  if (!cg_sysfs_write_text (self->sysfs, path, "", &error)) {
    gadget_guard_log_enforced (self, device, action, error);
    return;
  }
  if (ours) {
    g_clear_pointer (&self->bound_udc, g_free);
    self->udc_saw_host = FALSE;
  }
  gadget_guard_log_enforced (self, device, action, NULL);
}

static void
gadget_guard_bind (CgUsbGadgetGuard *self, const char *path, const char *udc)
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
    gadget_guard_log_enforced (self, self->device, "bind", error);
    return;
  }
  g_free (self->bound_udc);
  self->bound_udc = g_strdup (udc);
  self->udc_saw_host = FALSE;
  gadget_guard_log_enforced (self, self->device, "bound: data", NULL);
}

/* One gadget's binding made what the decision says: the guarded gadget bound to the
 * guarded UDC while its host has data, every gadget unbound otherwise. */
static void
gadget_guard_enforce_one (CgUsbGadgetGuard *self, const GadgetScene *scene, const char *gadget)
{
  g_autofree char *path = g_build_filename (CG_USB_GADGET_CONFIGFS_DIR, gadget, "UDC", NULL);
  g_autofree char *current = gadget_guard_read_binding (self, path);
  gboolean guarded = g_strcmp0 (gadget, scene->gadget) == 0;
  const char *wanted
      = guarded && self->present && self->host.access == CG_USB_ACCESS_DATA ? scene->udc : NULL;

  if (current != NULL && g_strcmp0 (current, wanted) != 0) {
    gadget_guard_unbind (self, gadget, path, current,
                         guarded && g_strcmp0 (self->bound_udc, current) == 0);
    g_clear_pointer (&current, g_free);
  }
  if (wanted != NULL && current == NULL)
    gadget_guard_bind (self, path, wanted);
}

static void
gadget_guard_enforce (CgUsbGadgetGuard *self, const GadgetScene *scene)
{
  for (guint i = 0; i < scene->gadgets->len; i++)
    gadget_guard_enforce_one (self, scene, scene->gadgets->pdata[i]);
  /* The guarded gadget went (a composer removed it): nothing of ours is bound. */
  if (scene->gadget == NULL)
    g_clear_pointer (&self->bound_udc, g_free);
}

/* ---------------------------------------------------------------- evaluation */

/* Reads what is attached, judges a new host (or, on a reload or unlock, the present one
 * again), enforces on every gadget, then logs and publishes what was enforced. */
/* What `carguard status` says: which gadget on which UDC, bound or held unbound. */
static void
gadget_guard_report (CgUsbGadgetGuard *self, const GadgetScene *scene)
{
  g_autofree char *what = NULL;

  if (scene->gadget == NULL)
    what = g_strdup_printf ("%s: binds nothing, keeps every gadget unbound", self->device);
  else
    what = g_strdup_printf ("%s: %s", self->device,
                            self->bound_udc != NULL ? "bound (data)" : "unbound (charge-only)");
  cg_usb_guard_core_report_guard (&self->core, "usb-gadget", TRUE, what);
}

/* [USBGadget] Guard=no: no binding is read or written, as while carguardd is down. */
static void
gadget_guard_stand_down (CgUsbGadgetGuard *self)
{
  static const char off[] = "USB gadget guard off: [USBGadget] Guard=no; gadgets are left "
                            "as their owners bind them";

  if (self->present)
    gadget_guard_end_connection (self, "the guard is off");
  gadget_guard_publish (self, NULL, FALSE);
  g_clear_pointer (&self->bound_udc, g_free);
  g_hash_table_remove_all (self->udc_watches);
  cg_usb_guard_core_report_guard (&self->core, "usb-gadget", FALSE, "off: [USBGadget] Guard=no");
  if (g_strcmp0 (self->announced, off) == 0)
    return;
  g_message ("%s", off);
  g_free (self->announced);
  self->announced = g_strdup (off);
}

static void
gadget_guard_evaluate (CgUsbGadgetGuard *self, GadgetEvent event)
{
  g_auto (GadgetScene) scene = { 0 };
  const char *why_detached;

  gadget_guard_read_scene (self, &scene);
  if (!scene.config.gadget_guard) {
    gadget_guard_stand_down (self);
    return;
  }
  gadget_guard_announce (self, &scene);
  g_free (self->device);
  self->device = gadget_guard_describe (scene.gadget, scene.udc);
  why_detached = gadget_guard_why_detached (self, &scene);
  /* A host taken as attached for want of a signal (or seen by other signals) may not be
   * the host a new signal sees: that one is a new connection, asked about anew. */
  if (self->present && why_detached == NULL && scene.cable.signals != self->cable_signals)
    gadget_guard_end_connection (self, "the signals that tell of the cable changed");
  if (self->present && why_detached != NULL)
    gadget_guard_end_connection (self, why_detached);
  else if (!self->present && why_detached == NULL)
    gadget_guard_begin_connection (self, &scene);
  else if (self->present && event != GADGET_EVENT_SYSFS)
    gadget_guard_judge (self, &scene, event);
  gadget_guard_enforce (self, &scene);
  gadget_guard_report (self, &scene);
  gadget_guard_log_decided (self);
  gadget_guard_publish (self, scene.udc, scene.gadget != NULL);
  gadget_guard_watch_udcs (self, scene.udcs);
}

static void
gadget_guard_on_policy_changed (CgPolicyKeeper *keeper, gpointer user_data)
{
  gadget_guard_evaluate (user_data, GADGET_EVENT_POLICY);
}

static void
gadget_guard_on_uevent (CgUsbUeventMonitor *monitor, const char *action, const char *subsystem,
                        const char *devpath, gpointer user_data)
{
  static const char *const watched[] = { "udc", "typec", "gadget", "power_supply", "extcon", NULL };

  if (subsystem != NULL && g_strv_contains (watched, subsystem))
    gadget_guard_evaluate (user_data, GADGET_EVENT_SYSFS);
}

static void
gadget_guard_on_overflow (CgUsbUeventMonitor *monitor, gpointer user_data)
{
  gadget_guard_evaluate (user_data, GADGET_EVENT_SYSFS);
}

/* ---------------------------------------------------------------- object */

static void
cg_usb_gadget_guard_dispose (GObject *object)
{
  CgUsbGadgetGuard *self = CG_USB_GADGET_GUARD (object);

  cg_ask_withdraw (&self->host.ask);
  g_hash_table_remove_all (self->udc_watches);
  cg_usb_guard_core_clear (&self->core);
  G_OBJECT_CLASS (cg_usb_gadget_guard_parent_class)->dispose (object);
}

static void
cg_usb_gadget_guard_finalize (GObject *object)
{
  CgUsbGadgetGuard *self = CG_USB_GADGET_GUARD (object);

  cg_usb_peer_clear (&self->host);
  g_hash_table_unref (self->udc_watches);
  g_free (self->bound_udc);
  g_free (self->device);
  g_free (self->published);
  g_free (self->announced);
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
  self->udc_watches
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)udc_watch_free);
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
cg_usb_gadget_guard_set_locked (CgUsbGadgetGuard *guard, gboolean locked)
{
  gboolean unlocked = guard->locked && !locked;

  guard->locked = locked;
  if (unlocked)
    gadget_guard_evaluate (guard, GADGET_EVENT_UNLOCK);
}

void
cg_usb_gadget_guard_recheck (CgUsbGadgetGuard *guard)
{
  gadget_guard_evaluate (guard, GADGET_EVENT_SYSFS);
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
