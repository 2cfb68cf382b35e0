/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <libusb.h>
#include <poll.h>

#include "cg-usb-hotplug.h"

/* Room for the longest port path: USB 3.0 allows a depth of 7. */
#define HOTPLUG_MAX_DEPTH 8

struct _CgUsbHotplug {
  GObject parent_instance;
  libusb_context *usb;
  libusb_hotplug_callback_handle callback;
  gboolean has_callback;
  GHashTable *sources; /* fd -> GSource id */
};

enum { SIGNAL_DEVICE_ADDED, SIGNAL_DEVICE_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CgUsbHotplug, cg_usb_hotplug, G_TYPE_OBJECT)

char *
cg_usb_hotplug_sysfs_name (guint8 bus, const guint8 *ports, gsize n_ports)
{
  GString *name;

  if (n_ports == 0)
    return g_strdup_printf ("usb%u", bus);
  name = g_string_new (NULL);
  g_string_append_printf (name, "%u-%u", bus, ports[0]);
  for (gsize i = 1; i < n_ports; i++)
    g_string_append_printf (name, ".%u", ports[i]);
  return g_string_free (name, FALSE);
}

static int LIBUSB_CALL
hotplug_on_event (libusb_context *ctx, libusb_device *dev, libusb_hotplug_event event,
                  void *user_data)
{
  CgUsbHotplug *self = user_data;
  guint8 ports[HOTPLUG_MAX_DEPTH];
  int n = libusb_get_port_numbers (dev, ports, sizeof ports);
  g_autofree char *name = NULL;

  if (n < 0)
    return 0;
  name = cg_usb_hotplug_sysfs_name (libusb_get_bus_number (dev), ports, (gsize)n);
  g_debug ("USB %s: libusb hotplug: %s", name,
           event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? "arrived" : "left");
  if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
    g_signal_emit (self, signals[SIGNAL_DEVICE_ADDED], 0, name);
  else if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT)
    g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, name);
  return 0; /* stay registered */
}

static gboolean
hotplug_on_fd (int fd, GIOCondition condition, gpointer user_data)
{
  CgUsbHotplug *self = user_data;
  struct timeval zero = { 0, 0 };

  libusb_handle_events_timeout_completed (self->usb, &zero, NULL);
  return G_SOURCE_CONTINUE;
}

static void LIBUSB_CALL
hotplug_on_pollfd_added (int fd, short events, void *user_data)
{
  CgUsbHotplug *self = user_data;
  GIOCondition condition = G_IO_ERR | G_IO_HUP;
  guint id;

  if (events & POLLIN)
    condition |= G_IO_IN;
  if (events & POLLOUT)
    condition |= G_IO_OUT;
  id = g_unix_fd_add (fd, condition, hotplug_on_fd, self);
  g_hash_table_replace (self->sources, GINT_TO_POINTER (fd), GUINT_TO_POINTER (id));
}

static void LIBUSB_CALL
hotplug_on_pollfd_removed (int fd, void *user_data)
{
  CgUsbHotplug *self = user_data;
  gpointer id;

  if (g_hash_table_lookup_extended (self->sources, GINT_TO_POINTER (fd), NULL, &id)) {
    g_source_remove (GPOINTER_TO_UINT (id));
    g_hash_table_remove (self->sources, GINT_TO_POINTER (fd));
  }
}

static void
hotplug_stop (CgUsbHotplug *self)
{
  GHashTableIter iter;
  gpointer id;

  if (self->usb == NULL)
    return;
  if (self->has_callback)
    libusb_hotplug_deregister_callback (self->usb, self->callback);
  self->has_callback = FALSE;
  libusb_set_pollfd_notifiers (self->usb, NULL, NULL, NULL);
  g_hash_table_iter_init (&iter, self->sources);
  while (g_hash_table_iter_next (&iter, NULL, &id))
    g_source_remove (GPOINTER_TO_UINT (id));
  g_hash_table_remove_all (self->sources);
  libusb_exit (self->usb);
  self->usb = NULL;
}

static void
cg_usb_hotplug_finalize (GObject *object)
{
  CgUsbHotplug *self = CG_USB_HOTPLUG (object);

  hotplug_stop (self);
  g_hash_table_unref (self->sources);
  G_OBJECT_CLASS (cg_usb_hotplug_parent_class)->finalize (object);
}

static void
cg_usb_hotplug_class_init (CgUsbHotplugClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cg_usb_hotplug_finalize;
  signals[SIGNAL_DEVICE_ADDED]
      = g_signal_new ("device-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_DEVICE_REMOVED]
      = g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cg_usb_hotplug_init (CgUsbHotplug *self)
{
  self->sources = g_hash_table_new (g_direct_hash, g_direct_equal);
}

/* libusb's fds, now and as they come and go, in the main context. */
static void
hotplug_watch_fds (CgUsbHotplug *self)
{
  const struct libusb_pollfd **fds;

  libusb_set_pollfd_notifiers (self->usb, hotplug_on_pollfd_added, hotplug_on_pollfd_removed, self);
  fds = libusb_get_pollfds (self->usb);
  for (guint i = 0; fds != NULL && fds[i] != NULL; i++)
    hotplug_on_pollfd_added (fds[i]->fd, fds[i]->events, self);
  libusb_free_pollfds (fds);
}

CgUsbHotplug *
cg_usb_hotplug_new (GError **error)
{
  g_autoptr (CgUsbHotplug) self = g_object_new (CG_TYPE_USB_HOTPLUG, NULL);
  int rc = libusb_init (&self->usb);

  if (rc != 0) {
    self->usb = NULL;
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libusb: %s", libusb_strerror (rc));
    return NULL;
  }
  if (!libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "libusb has no hotplug");
    return NULL;
  }
  hotplug_watch_fds (self);
  rc = libusb_hotplug_register_callback (
      self->usb, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
      LIBUSB_HOTPLUG_NO_FLAGS, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
      LIBUSB_HOTPLUG_MATCH_ANY, hotplug_on_event, self, &self->callback);
  if (rc != LIBUSB_SUCCESS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libusb hotplug: %s", libusb_strerror (rc));
    return NULL;
  }
  self->has_callback = TRUE;
  return g_steal_pointer (&self);
}
