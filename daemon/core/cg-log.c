/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cg-log.h"

#define CG_LOG_MAX_FIELDS 24

static const char *
log_level_to_priority (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "3";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "2";
  if (level & G_LOG_LEVEL_WARNING)
    return "4";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "5";
  if (level & G_LOG_LEVEL_INFO)
    return "6";
  return "7";
}

static const char *
log_field_string (const GLogField *field)
{
  return field->length < 0 ? field->value : NULL;
}

/* "carguardd: MESSAGE [KEY=VALUE ...]" — the journal gets the fields natively, but a
 * --foreground run on a terminal must not lose the device, rule and decision. */
static void
log_write_stderr (GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
  g_autoptr (GString) line = g_string_new ("carguardd");
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = log_field_string (&fields[i]);
  g_string_append_printf (line, "[%d]: <%s> %s", (int)getpid (), log_level_to_priority (level),
                          message ? message : "");
  for (gsize i = 0; i < n_fields; i++) {
    const char *value = log_field_string (&fields[i]);
    if (value == NULL || !g_str_has_prefix (fields[i].key, "CARGUARD_"))
      continue;
    g_string_append_printf (line, " %s=%s", fields[i].key + strlen ("CARGUARD_"), value);
  }
  g_string_append_c (line, '\n');
  fputs (line->str, stderr);
  fflush (stderr);
}

static const char *
log_fields_domain (const GLogField *fields, gsize n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      return log_field_string (&fields[i]);
  return NULL;
}

/* Only debug messages are filtered: info entries (the decisions) always pass, which
 * GLib's own filter would drop without G_MESSAGES_DEBUG. */
static gboolean
log_writer_drops (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gboolean debug)
{
  if (!(level & G_LOG_LEVEL_DEBUG) || debug)
    return FALSE;
  return g_log_writer_default_would_drop (level, log_fields_domain (fields, n_fields));
}

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (log_writer_drops (level, fields, n_fields, GPOINTER_TO_INT (user_data)))
    return G_LOG_WRITER_HANDLED;
  if (g_log_writer_is_journald (fileno (stderr))
      && g_log_writer_journald (level, fields, n_fields, NULL) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  log_write_stderr (level, fields, n_fields);
  return G_LOG_WRITER_HANDLED;
}

void
cg_log_setup (gboolean debug)
{
  g_log_set_writer_func (log_writer, GINT_TO_POINTER (debug), NULL);
}

void
cg_log_event_in_domain (const char *domain, GLogLevelFlags level, const char *message_id,
                        const char *message, ...)
{
  GLogField fields[CG_LOG_MAX_FIELDS];
  gsize n = 0;
  va_list ap;

  fields[n++] = (GLogField){ "MESSAGE", message, -1 };
  fields[n++] = (GLogField){ "PRIORITY", log_level_to_priority (level), -1 };
  if (domain != NULL)
    fields[n++] = (GLogField){ "GLIB_DOMAIN", domain, -1 };
  if (message_id != NULL)
    fields[n++] = (GLogField){ "MESSAGE_ID", message_id, -1 };

  va_start (ap, message);
  for (const char *key = va_arg (ap, const char *); key != NULL; key = va_arg (ap, const char *)) {
    const char *value = va_arg (ap, const char *);
    if (n < CG_LOG_MAX_FIELDS && value != NULL)
      fields[n++] = (GLogField){ key, value, -1 };
  }
  va_end (ap);

  g_log_structured_array (level, fields, n);
}

void
cg_log_memory_statistics (void)
{
  struct mallinfo2 info = mallinfo2 ();
  g_autofree char *in_use = g_strdup_printf ("%zu", info.uordblks + info.hblkhd);
  g_autofree char *held = g_strdup_printf ("%zu", info.arena + info.hblkhd);
  g_autofree char *free_bytes = g_strdup_printf ("%zu", info.fordblks);
  g_autofree char *free_chunks = g_strdup_printf ("%zu", info.ordblks);
  g_autofree char *mmapped = g_strdup_printf ("%zu", info.hblkhd);
  g_autofree char *message
      = g_strdup_printf ("malloc: %s bytes in use, %s held (%s mmapped), %s free in %s chunks",
                         in_use, held, mmapped, free_bytes, free_chunks);

  cg_log_event (G_LOG_LEVEL_INFO, NULL, message, "CARGUARD_MALLOC_IN_USE", in_use,
                "CARGUARD_MALLOC_HELD", held, "CARGUARD_MALLOC_FREE", free_bytes,
                "CARGUARD_MALLOC_FREE_CHUNKS", free_chunks, "CARGUARD_MALLOC_MMAPPED", mmapped,
                NULL);
}
