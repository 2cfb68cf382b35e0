/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cg-usb-uevent.h"

/* The kernel's own uevents, not udevd's re-broadcast (group 2). */
#define CG_UEVENT_GROUP_KERNEL 1
#define CG_UEVENT_MAX 8192
#define CG_UEVENT_RCVBUF (1 << 20)

struct _CgUsbUeventMonitor {
  GObject parent_instance;
  int fd;
  guint source_id;
};

enum { SIGNAL_UEVENT, SIGNAL_OVERFLOW, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CgUsbUeventMonitor, cg_usb_uevent_monitor, G_TYPE_OBJECT)

static void
cg_usb_uevent_monitor_finalize (GObject *object)
{
  CgUsbUeventMonitor *self = CG_USB_UEVENT_MONITOR (object);

  g_clear_handle_id (&self->source_id, g_source_remove);
  if (self->fd >= 0)
    close (self->fd);
  G_OBJECT_CLASS (cg_usb_uevent_monitor_parent_class)->finalize (object);
}

static void
cg_usb_uevent_monitor_class_init (CgUsbUeventMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cg_usb_uevent_monitor_finalize;
  signals[SIGNAL_UEVENT]
      = g_signal_new ("uevent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_OVERFLOW] = g_signal_new ("overflow", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cg_usb_uevent_monitor_init (CgUsbUeventMonitor *self)
{
  self->fd = -1;
}

GHashTable *
cg_usb_uevent_parse (const char *data, gsize len)
{
  g_autoptr (GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gsize header_len = strnlen (data, len);

  if (header_len == len || memchr (data, '@', header_len) == NULL)
    return NULL; /* not "ACTION@DEVPATH\0": libudev's binary format or garbage */
  for (gsize pos = header_len + 1; pos < len;) {
    gsize field_len = strnlen (data + pos, len - pos);
    const char *eq = memchr (data + pos, '=', field_len);
    if (eq != NULL)
      g_hash_table_replace (fields, g_strndup (data + pos, (gsize)(eq - (data + pos))),
                            g_strndup (eq + 1, field_len - (gsize)(eq + 1 - (data + pos))));
    pos += field_len + 1;
  }
  if (!g_hash_table_contains (fields, "ACTION") || !g_hash_table_contains (fields, "DEVPATH"))
    return NULL;
  return g_steal_pointer (&fields);
}

static void
usb_uevent_monitor_dispatch (CgUsbUeventMonitor *self, const char *data, gsize len)
{
  g_autoptr (GHashTable) fields = cg_usb_uevent_parse (data, len);

  if (fields == NULL)
    return;
  g_signal_emit (self, signals[SIGNAL_UEVENT], 0, g_hash_table_lookup (fields, "ACTION"),
                 g_hash_table_lookup (fields, "SUBSYSTEM"),
                 g_hash_table_lookup (fields, "DEVPATH"));
}

static gboolean
usb_uevent_monitor_on_readable (int fd, GIOCondition condition, gpointer user_data)
{
  CgUsbUeventMonitor *self = user_data;
  g_autofree char *buffer = g_malloc (CG_UEVENT_MAX + 1);

  for (;;) {
    struct sockaddr_nl sender = { 0 };
    socklen_t sender_len = sizeof sender;
    gssize n = recvfrom (fd, buffer, CG_UEVENT_MAX, MSG_DONTWAIT, (struct sockaddr *)&sender,
                         &sender_len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == ENOBUFS) {
      g_signal_emit (self, signals[SIGNAL_OVERFLOW], 0);
      continue;
    }
    if (n < 0)
      break;
    if (sender.nl_pid != 0)
      continue; /* only the kernel speaks on this group; anything else is forged */
    buffer[n] = '\0';
    usb_uevent_monitor_dispatch (self, buffer, (gsize)n);
  }
  return G_SOURCE_CONTINUE;
}

CgUsbUeventMonitor *
cg_usb_uevent_monitor_new (GError **error)
{
  g_autoptr (CgUsbUeventMonitor) self = g_object_new (CG_TYPE_USB_UEVENT_MONITOR, NULL);
  struct sockaddr_nl address = { .nl_family = AF_NETLINK, .nl_groups = CG_UEVENT_GROUP_KERNEL };
  int rcvbuf = CG_UEVENT_RCVBUF;

  self->fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
  if (self->fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "Cannot open the kernel uevent socket: %s", g_strerror (errno));
    return NULL;
  }
  /* A burst (a hub with many ports) must not overflow; FORCE works as root. */
  if (setsockopt (self->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    (void)setsockopt (self->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (bind (self->fd, (struct sockaddr *)&address, sizeof address) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "Cannot listen to kernel uevents: %s", g_strerror (errno));
    return NULL;
  }
  self->source_id = g_unix_fd_add (self->fd, G_IO_IN, usb_uevent_monitor_on_readable, self);
  return g_steal_pointer (&self);
}
