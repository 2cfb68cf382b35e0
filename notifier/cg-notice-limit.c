/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-notice-limit.h"

/* Devices remembered beyond this many are forgotten once nothing of theirs is recent. */
#define PRUNE_ABOVE 64

typedef struct {
  char *body;         /* the last text shown */
  gint64 shown_at;    /* 0: never */
  gint64 question_at; /* the last question shown; 0: never */
  gboolean allowed;   /* the person allowed its last question */
  gint64 quiet_until; /* "Keep blocked": nothing until then */
  gint64 held_at;     /* counted as held back; 0: not */
} DeviceMemory;

struct _CgNoticeLimit {
  gint64 interval_us;
  guint burst;
  GHashTable *devices; /* device id → DeviceMemory */
  GArray *new_bubbles; /* gint64 times of new bubbles within the last interval, oldest first */
  guint held;          /* devices held back since the last flood notice */
  gint64 flood_at;     /* the last flood notice; 0: never */
};

static void
device_memory_free (DeviceMemory *memory)
{
  g_free (memory->body);
  g_free (memory);
}

CgNoticeLimit *
cg_notice_limit_new (gint64 interval_us, guint burst)
{
  CgNoticeLimit *limit = g_new0 (CgNoticeLimit, 1);

  limit->interval_us = interval_us;
  limit->burst = MAX (burst, 1);
  limit->devices
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)device_memory_free);
  limit->new_bubbles = g_array_new (FALSE, FALSE, sizeof (gint64));
  return limit;
}

void
cg_notice_limit_free (CgNoticeLimit *limit)
{
  if (limit == NULL)
    return;
  g_hash_table_unref (limit->devices);
  g_array_unref (limit->new_bubbles);
  g_free (limit);
}

static gboolean
recent (const CgNoticeLimit *limit, gint64 then, gint64 now)
{
  return then != 0 && now - then < limit->interval_us;
}

typedef struct {
  const CgNoticeLimit *limit;
  gint64 now;
} PruneContext;

static gboolean
device_memory_is_stale (gpointer key, gpointer value, gpointer user_data)
{
  const DeviceMemory *memory = value;
  const PruneContext *context = user_data;
  gint64 last = MAX (MAX (memory->shown_at, memory->held_at), memory->question_at);

  return context->now >= memory->quiet_until && !recent (context->limit, last, context->now);
}

static void
forget_stale (CgNoticeLimit *limit, gint64 now)
{
  PruneContext context = { limit, now };
  guint old = 0;

  while (old < limit->new_bubbles->len
         && !recent (limit, g_array_index (limit->new_bubbles, gint64, old), now))
    old++;
  g_array_remove_range (limit->new_bubbles, 0, old);
  if (g_hash_table_size (limit->devices) > PRUNE_ABOVE)
    g_hash_table_foreach_remove (limit->devices, device_memory_is_stale, &context);
}

static DeviceMemory *
device_memory (CgNoticeLimit *limit, const char *device)
{
  DeviceMemory *memory = g_hash_table_lookup (limit->devices, device);

  if (memory == NULL) {
    memory = g_new0 (DeviceMemory, 1);
    g_hash_table_insert (limit->devices, g_strdup (device), memory);
  }
  return memory;
}

/* The device's own allowance: REPEAT, HOLD, or SHOW when it may have a bubble. */
static CgNoticeLimitVerdict
admit_for_device (const CgNoticeLimit *limit, const DeviceMemory *memory, const CgNotice *notice,
                  gboolean question_open, gint64 now)
{
  if (now < memory->quiet_until)
    return CG_NOTICE_LIMIT_HOLD;
  if (recent (limit, memory->shown_at, now) && g_strcmp0 (memory->body, notice->body) == 0)
    return CG_NOTICE_LIMIT_REPEAT;
  if (notice->ask && !question_open && !memory->allowed && recent (limit, memory->question_at, now))
    return CG_NOTICE_LIMIT_HOLD;
  return CG_NOTICE_LIMIT_SHOW;
}

static void
count_held (CgNoticeLimit *limit, DeviceMemory *memory, gint64 now)
{
  if (recent (limit, memory->held_at, now))
    return;
  memory->held_at = now;
  limit->held++;
}

CgNoticeLimitVerdict
cg_notice_limit_admit (CgNoticeLimit *limit, const char *device, const CgNotice *notice,
                       gboolean question_open, gint64 now)
{
  DeviceMemory *memory;
  CgNoticeLimitVerdict verdict;
  gboolean new_bubble;

  forget_stale (limit, now);
  memory = device_memory (limit, device);
  verdict = admit_for_device (limit, memory, notice, question_open, now);
  if (verdict != CG_NOTICE_LIMIT_SHOW)
    return verdict;
  /* A device already on screen this interval changes its own bubble; only devices new to
   * the person count against everyone's allowance. */
  new_bubble = !question_open && !recent (limit, memory->shown_at, now);
  if (new_bubble && limit->new_bubbles->len >= limit->burst) {
    count_held (limit, memory, now);
    return CG_NOTICE_LIMIT_HOLD;
  }
  if (new_bubble)
    g_array_append_val (limit->new_bubbles, now);
  g_free (memory->body);
  memory->body = g_strdup (notice->body);
  memory->shown_at = now;
  if (notice->ask) {
    memory->question_at = now;
    memory->allowed = FALSE;
  }
  return CG_NOTICE_LIMIT_SHOW;
}

void
cg_notice_limit_answered (CgNoticeLimit *limit, const char *device, gboolean allowed, gint64 now)
{
  DeviceMemory *memory = device_memory (limit, device);

  memory->allowed = allowed;
  memory->quiet_until = allowed ? 0 : now + limit->interval_us;
}

gboolean
cg_notice_limit_flood_due (CgNoticeLimit *limit, gint64 now, guint *held, gint64 *wait_us)
{
  *wait_us = -1;
  if (limit->held == 0)
    return FALSE;
  if (recent (limit, limit->flood_at, now)) {
    *wait_us = limit->flood_at + limit->interval_us - now;
    return FALSE;
  }
  *held = limit->held;
  limit->held = 0;
  limit->flood_at = now;
  return TRUE;
}
