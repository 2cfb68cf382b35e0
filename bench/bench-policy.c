/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy engine benchmark: generates 1k, 10k and 100k vendor files into a temporary
 * root, then measures load time (median of runs), decision latency (median and p99
 * over random facts, hits and misses) and peak RSS. Prints one table. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cg-policy.h"

#define LOAD_RUNS 5
#define DECISIONS 200000

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    g_error ("%s", error->message);
}

/* Vendor i: an OUI, a Device ID, a USB VID:PID; every 100th a name glob, every 10th a
 * device. Identifiers are unique per vendor so the policy loads. */
static char *
vendor_text (guint i)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "[Vendor]\nName=Vendor %u\n\n[Match]\n", i);
  g_string_append_printf (s, "BluetoothOUI=%02X:%02X:%02X\n", (i >> 16) & 0xff, (i >> 8) & 0xff,
                          i & 0xff);
  g_string_append_printf (s, "DeviceID=bluetooth:v%04Xp%04X\n", i & 0xffff, (i >> 16) + 1);
  g_string_append_printf (s, "USB=%04x:%04x\n", (i & 0xffff), (i >> 16) + 1);
  if (i % 100 == 0)
    g_string_append_printf (s, "Name=\"Head Unit %u*\"\n", i);
  g_string_append (s, "\n[Policy]\nPreset=audio-only\n");
  if (i % 10 == 0)
    g_string_append_printf (
        s, "\n[Device]\nBluetoothAddress=%02X:%02X:%02X:00:00:01\nPreset=trusted\n",
        (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
  return g_string_free (s, FALSE);
}

static char *
generate_root (guint n_vendors)
{
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
  for (guint i = 0; i < n_vendors; i++) {
    g_autofree char *name = g_strdup_printf ("vendor-%06u.conf", i);
    g_autofree char *text = vendor_text (i);
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
measure_load (const char *root, CgPolicy **policy)
{
  double times[LOAD_RUNS];

  for (int r = 0; r < LOAD_RUNS; r++) {
    g_autoptr (GError) error = NULL;
    gint64 start = g_get_monotonic_time ();
    CgPolicy *loaded = cg_policy_load (root, NULL, NULL, &error);
    times[r] = (double)(g_get_monotonic_time () - start) / 1000.0;
    if (loaded == NULL)
      g_error ("load failed: %s", error->message);
    if (r + 1 < LOAD_RUNS)
      cg_policy_unref (loaded);
    else
      *policy = loaded;
  }
  qsort (times, LOAD_RUNS, sizeof (double), compare_doubles);
  return times[LOAD_RUNS / 2];
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

int
main (int argc, char **argv)
{
  const guint sizes[] = { 1000, 10000, 100000 };

  printf ("%-9s %12s %14s %14s %14s\n", "vendors", "load (ms)", "decide p50 (us)",
          "decide p99 (us)", "peak RSS (MiB)");
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++) {
    g_autofree char *root = generate_root (sizes[s]);
    CgPolicy *policy = NULL;
    double load_ms = measure_load (root, &policy);
    double median, p99;
    struct rusage usage;

    measure_decisions (policy, sizes[s], &median, &p99);
    getrusage (RUSAGE_SELF, &usage);
    printf ("%-9u %12.1f %14.2f %14.2f %14.1f\n", sizes[s], load_ms, median, p99,
            (double)usage.ru_maxrss / 1024.0);
    fflush (stdout);
    cg_policy_unref (policy);
    remove_root (root);
  }
  return 0;
}
