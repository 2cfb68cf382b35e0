/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy engine benchmark: generates a policy of N rules into a temporary root, then
 * measures its load (median of runs), its reload (a load while the old policy is still
 * held, as carguardd does), decision latency (median and p99 over random facts, hits and
 * misses) and memory. Prints one table.
 *
 *     bench-policy [--shape files|lists] [N...]      (default: both shapes, 1k to 1M)
 *     bench-policy [--shape files|lists] --write-root N
 *                                  writes a policy of N rules (lists by default), prints
 *                                  its root and keeps it (bench/explain-latency.py)
 *
 * A rule is one vendor's worth of identifiers: a Bluetooth OUI, a Device ID and a USB
 * VID:PID (every 100th a name glob, every 10th a [Device]). Two shapes of the same rules:
 * "files", one vendor file per rule (1M of them only when asked: 1M files are a
 * file system's problem before they are the loader's), and "lists", vendors of 1,000
 * rules each in one file, the identifiers as repeated list keys. Each size runs in a
 * process of its own, so its RSS is its own: "RSS" is after the load, "peak" the most
 * during the reload, "B/rule" what the loaded policy adds per rule. Beside each wall time
 * the CPU time of all the loader's threads: on a busy machine the wall time is what the
 * other processes leave. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <malloc.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cg-policy.h"

#define LOAD_RUNS 5
#define DECISIONS 200000
#define RULES_PER_LIST_VENDOR 1000

typedef enum { SHAPE_FILES, SHAPE_LISTS } Shape;

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    g_error ("%s", error->message);
}

/* Rule i: an OUI, a Device ID, a USB VID:PID; every 100th a name glob. Identifiers are
 * unique per rule so the policy loads. */
static void
append_rule_match (GString *s, guint i)
{
  g_string_append_printf (s, "BluetoothOUI=%02X:%02X:%02X\n", (i >> 16) & 0xff, (i >> 8) & 0xff,
                          i & 0xff);
  g_string_append_printf (s, "DeviceID=bluetooth:v%04Xp%04X\n", i & 0xffff, (i >> 16) + 1);
  g_string_append_printf (s, "USB=%04x:%04x\n", (i & 0xffff), (i >> 16) + 1);
  if (i % 100 == 0)
    g_string_append_printf (s, "Name=\"Head Unit %u*\"\n", i);
}

/* Every 10th rule has a vetted device. */
static void
append_rule_devices (GString *s, guint i)
{
  if (i % 10 == 0)
    g_string_append_printf (
        s, "\n[Device]\nBluetoothAddress=%02X:%02X:%02X:00:00:01\nPreset=trusted\n",
        (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
}

/* A vendor of the rules first .. first + n - 1. */
static char *
vendor_text (guint first, guint n)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "[Vendor]\nName=Vendor %u\n\n[Match]\n", first);
  for (guint i = first; i < first + n; i++)
    append_rule_match (s, i);
  g_string_append (s, "\n[Policy]\nPreset=audio-only\n");
  for (guint i = first; i < first + n; i++)
    append_rule_devices (s, i);
  return g_string_free (s, FALSE);
}

static char *
generate_root (Shape shape, guint n_rules)
{
  guint per_file = shape == SHAPE_LISTS ? RULES_PER_LIST_VENDOR : 1;
  g_autoptr (GError) error = NULL;
  char *root = g_dir_make_tmp ("cg-bench-XXXXXX", &error);
  g_autofree char *etc = NULL;
  g_autofree char *vendors = NULL;

  g_assert_no_error (error);
  etc = g_build_filename (root, "usr/lib/carguard", NULL);
  vendors = g_build_filename (etc, "vendors.d", NULL);
  g_mkdir_with_parents (vendors, 0755);
  write_file (etc, "carguard.conf",
              "[Default]\nPairing=ask\nProfiles=a2dp avrcp hfp hsp hid pnp gatt\n"
              "USBMode=charge-only\n\n[CarDefault]\nPreset=audio-only\n");
  for (guint i = 0; i < n_rules; i += per_file) {
    g_autofree char *name = g_strdup_printf ("vendor-%07u.conf", i);
    g_autofree char *text = vendor_text (i, MIN (per_file, n_rules - i));
    write_file (vendors, name, text);
  }
  return root;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double
cpu_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The median wall time of runs loads, and in *cpu the median CPU time of all threads. A
 * load is timed as carguardd pays it: with the malloc_trim after it. */
static double
measure_load (const char *root, int runs, CgPolicy **policy, double *cpu)
{
  double times[LOAD_RUNS], cpus[LOAD_RUNS];

  for (int r = 0; r < runs; r++) {
    g_autoptr (GError) error = NULL;
    gint64 start = g_get_monotonic_time ();
    double cpu_start = cpu_ms ();
    CgPolicy *loaded = cg_policy_load (root, NULL, NULL, &error);
    /* carguardd's policy keeper returns what the load's threads freed. */
    malloc_trim (0);
    times[r] = (double)(g_get_monotonic_time () - start) / 1000.0;
    cpus[r] = cpu_ms () - cpu_start;
    if (loaded == NULL)
      g_error ("load failed: %s", error->message);
    if (r + 1 < runs)
      cg_policy_unref (loaded);
    else
      *policy = loaded;
  }
  qsort (times, (gsize)runs, sizeof (double), compare_doubles);
  qsort (cpus, (gsize)runs, sizeof (double), compare_doubles);
  *cpu = cpus[runs / 2];
  return times[runs / 2];
}

/* A field of /proc/self/status in KiB ("VmRSS:", "VmHWM:"). */
static double
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (at = strstr (status, field)) == NULL)
    return 0;
  return g_ascii_strtod (at + strlen (field), NULL);
}

/* Random facts: half name existing vendors (hits), half unknown devices (misses). */
static void
random_facts (GRand *rand, guint n_vendors, CgFacts *facts, char address[18], char name[64])
{
  guint i = (guint)g_rand_int_range (rand, 0, (gint32)n_vendors);
  gboolean hit = g_rand_boolean (rand);
  guint oui = hit ? i : 0xF00000 | i;

  memset (facts, 0, sizeof (*facts));
  g_snprintf (address, 18, "%02X:%02X:%02X:%02X:%02X:%02X", (oui >> 16) & 0xff, (oui >> 8) & 0xff,
              oui & 0xff, g_rand_int_range (rand, 0, 256), 0, 1);
  g_snprintf (name, 64, "Head Unit %u", g_rand_int (rand));
  facts->bt_address = address;
  facts->bt_name = name;
  facts->has_bt_class = TRUE;
  facts->bt_class = 0x200420;
  facts->bt_device_id = (CgDeviceId){ CG_DEVICE_ID_SOURCE_BLUETOOTH, hit ? i & 0xffff : 0xffff,
                                      g_rand_int_range (rand, 0, 4), 0 };
  facts->has_usb_id = TRUE;
  facts->usb_vid = hit ? i & 0xffff : 0xfffe;
  facts->usb_pid = (guint16)((i >> 16) + 1);
}

static void
measure_decisions (const CgPolicy *policy, guint n_vendors, double *median, double *p99)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  double *times = g_new (double, DECISIONS);

  for (guint d = 0; d < DECISIONS; d++) {
    CgFacts facts;
    char address[18], name[64];
    g_auto (CgDecision) decision = { 0 };
    struct timespec a, b;

    random_facts (rand, n_vendors, &facts, address, name);
    clock_gettime (CLOCK_MONOTONIC, &a);
    cg_policy_decide (policy, &facts, d % 2 ? CG_TRANSPORT_USB : CG_TRANSPORT_BLUETOOTH, &decision);
    clock_gettime (CLOCK_MONOTONIC, &b);
    times[d] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
  }
  qsort (times, DECISIONS, sizeof (double), compare_doubles);
  *median = times[DECISIONS / 2];
  *p99 = times[DECISIONS * 99 / 100];
  g_free (times);
}

static void
remove_root (const char *root)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", root);
  if (system (command) != 0)
    g_warning ("could not remove %s", root);
}

static const char *
shape_name (Shape shape)
{
  return shape == SHAPE_LISTS ? "lists" : "files";
}

static void
measure_size (Shape shape, guint n_rules)
{
  g_autofree char *root = generate_root (shape, n_rules);
  int runs = n_rules >= 1000000 ? 3 : LOAD_RUNS;
  double before_kib = status_kib ("VmRSS:");
  CgPolicy *policy = NULL;
  CgPolicy *reloaded = NULL;
  double load_ms, load_cpu_ms, reload_ms, reload_cpu_ms, rss_kib, median, p99;

  load_ms = measure_load (root, runs, &policy, &load_cpu_ms);
  rss_kib = status_kib ("VmRSS:");
  /* The reload builds the new policy beside the old one, as the policy keeper does. */
  reload_ms = measure_load (root, runs, &reloaded, &reload_cpu_ms);
  cg_policy_unref (reloaded);
  measure_decisions (policy, n_rules, &median, &p99);
  printf ("%-6s %8u %7u %8.1f %8.1f %8.1f %8.1f %7.2f %7.2f %8.1f %8.1f %7.0f\n",
          shape_name (shape), n_rules, cg_policy_get_n_vendors (policy), load_ms, load_cpu_ms,
          reload_ms, reload_cpu_ms, median, p99, rss_kib / 1024.0, status_kib ("VmHWM:") / 1024.0,
          (rss_kib - before_kib) * 1024.0 / n_rules);
  fflush (stdout);
  cg_policy_unref (policy);
  remove_root (root);
}

/* In a child, so the RSS figures are this size's alone. */
static void
measure_size_apart (Shape shape, guint n_rules)
{
  int status = 0;
  pid_t pid;

  fflush (stdout);
  pid = fork ();

  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0) {
    measure_size (shape, n_rules);
    _exit (0);
  }
  if (waitpid (pid, &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s %u failed", shape_name (shape), n_rules);
}

int
main (int argc, char **argv)
{
  const guint default_sizes[] = { 1000, 10000, 100000, 1000000 };
  gboolean shapes[2] = { TRUE, TRUE };
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean sizes_given;
  guint write_root = 0;

  /* As carguardd runs. */
  mallopt (M_TRIM_THRESHOLD, CG_POLICY_TRIM_THRESHOLD);
  for (int i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--write-root") == 0 && i + 1 < argc) {
      write_root = (guint)g_ascii_strtoull (argv[++i], NULL, 10);
    } else if (strcmp (argv[i], "--shape") == 0 && i + 1 < argc) {
      i++;
      shapes[SHAPE_FILES] = strcmp (argv[i], "files") == 0;
      shapes[SHAPE_LISTS] = strcmp (argv[i], "lists") == 0;
    } else {
      guint n = (guint)g_ascii_strtoull (argv[i], NULL, 10);
      if (n == 0)
        g_error ("usage: bench-policy [--shape files|lists] [N...] | [--shape S] --write-root N");
      g_array_append_val (sizes, n);
    }
  }
  if (write_root > 0) {
    g_autofree char *root
        = generate_root (shapes[SHAPE_LISTS] ? SHAPE_LISTS : SHAPE_FILES, write_root);
    printf ("%s\n", root);
    return 0;
  }
  sizes_given = sizes->len > 0;
  if (!sizes_given)
    g_array_append_vals (sizes, default_sizes, G_N_ELEMENTS (default_sizes));

  printf ("%-6s %8s %7s %8s %8s %8s %8s %7s %7s %8s %8s %7s\n", "shape", "rules", "vendors",
          "load ms", "cpu ms", "reload", "cpu ms", "p50 us", "p99 us", "RSS MiB", "peak MiB",
          "B/rule");
  for (Shape shape = SHAPE_FILES; shape <= SHAPE_LISTS; shape++) {
    if (!shapes[shape])
      continue;
    for (guint s = 0; s < sizes->len; s++) {
      guint n = g_array_index (sizes, guint, s);
      if (shape == SHAPE_FILES && n >= 1000000 && !sizes_given)
        continue;
      measure_size_apart (shape, n);
    }
  }
  return 0;
}
