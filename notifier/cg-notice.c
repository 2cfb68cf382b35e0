/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-notice.h"

#include <string.h>

#include "cg-sanitize.h"

#define CG_NOTICE_NAME_MAX 64
#define CG_NOTICE_TEXT_MAX 256

void
cg_notice_clear (CgNotice *notice)
{
  g_clear_pointer (&notice->summary, g_free);
  g_clear_pointer (&notice->body, g_free);
}

/* What a person calls what a profile or USB function carries, in the order a sentence
 * names them. */
typedef enum {
  TOPIC_CALLS,
  TOPIC_MUSIC,
  TOPIC_TYPING,
  TOPIC_CONTACTS,
  TOPIC_MESSAGES,
  TOPIC_FILES,
  TOPIC_PICTURES,
  TOPIC_CALENDAR,
  TOPIC_NETWORK,
  TOPIC_SERIAL,
  TOPIC_SIM,
  TOPIC_VIDEO,
  TOPIC_DATA,
  TOPIC_OTHER,
  TOPIC_N
} Topic;

static const char *const topic_words[TOPIC_N] = {
  [TOPIC_CALLS] = "calls",        [TOPIC_MUSIC] = "music",          [TOPIC_TYPING] = "typing",
  [TOPIC_CONTACTS] = "contacts",  [TOPIC_MESSAGES] = "messages",    [TOPIC_FILES] = "files",
  [TOPIC_PICTURES] = "pictures",  [TOPIC_CALENDAR] = "calendar",    [TOPIC_NETWORK] = "network",
  [TOPIC_SERIAL] = "serial data", [TOPIC_SIM] = "SIM card",         [TOPIC_VIDEO] = "video",
  [TOPIC_DATA] = "data",          [TOPIC_OTHER] = "other services",
};

/* What a thief is after in a car: said once, not per profile. */
#define TOPICS_PRIVATE ((1u << TOPIC_CONTACTS) | (1u << TOPIC_MESSAGES))
#define TOPIC_NONE (-1)
#define TOPIC_UNKNOWN (-2)

/* The topic of a profile or interface name; TOPIC_NONE for what carries no user data
 * (the Device ID record, generic attributes), TOPIC_UNKNOWN for anything else. */
static int
topic_of (const char *item)
{
  static const struct {
    const char *item;
    int topic;
  } items[] = {
    { "hfp", TOPIC_CALLS },          { "hsp", TOPIC_CALLS },
    { "a2dp", TOPIC_MUSIC },         { "avrcp", TOPIC_MUSIC },
    { "audio", TOPIC_MUSIC },        { "hid", TOPIC_TYPING },
    { "pbap", TOPIC_CONTACTS },      { "map", TOPIC_MESSAGES },
    { "opp", TOPIC_FILES },          { "ftp", TOPIC_FILES },
    { "mass-storage", TOPIC_FILES }, { "bip", TOPIC_PICTURES },
    { "image", TOPIC_PICTURES },     { "sync", TOPIC_CALENDAR },
    { "pan", TOPIC_NETWORK },        { "dun", TOPIC_NETWORK },
    { "cdc", TOPIC_NETWORK },        { "cdc-data", TOPIC_NETWORK },
    { "spp", TOPIC_SERIAL },         { "sap", TOPIC_SIM },
    { "video", TOPIC_VIDEO },        { "data", TOPIC_DATA },
    { "pnp", TOPIC_NONE },           { "gatt", TOPIC_NONE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (items); i++)
    if (g_str_equal (items[i].item, item))
      return items[i].topic;
  return TOPIC_UNKNOWN;
}

static guint
topics_of_list (const char *const *items)
{
  guint topics = 0;

  for (guint i = 0; items != NULL && items[i] != NULL; i++) {
    int topic = topic_of (items[i]);
    if (topic != TOPIC_NONE)
      topics |= 1u << (topic == TOPIC_UNKNOWN ? TOPIC_OTHER : topic);
  }
  return topics;
}

/* A question's Grants: profile or function names ("a2dp avrcp hfp"). FALSE when it is
 * something else (words for people), which is then shown as it is. */
static gboolean
topics_of_grants (const char *grants, guint *topics)
{
  g_auto (GStrv) items = g_strsplit_set (grants, " \t", -1);

  *topics = 0;
  for (guint i = 0; items[i] != NULL; i++) {
    int topic = items[i][0] != '\0' ? topic_of (items[i]) : TOPIC_NONE;
    if (topic == TOPIC_UNKNOWN)
      return FALSE;
    if (topic != TOPIC_NONE)
      *topics |= 1u << topic;
  }
  return TRUE;
}

/* "contacts and messages", "calls, music and typing". */
static char *
describe_topics (guint topics)
{
  GString *text = g_string_new (NULL);
  guint left = 0;

  for (int t = 0; t < TOPIC_N; t++)
    left += (topics >> t) & 1u;
  for (int t = 0; t < TOPIC_N; t++) {
    if (!((topics >> t) & 1u))
      continue;
    if (text->len > 0)
      g_string_append (text, left == 1 ? " and " : ", ");
    g_string_append (text, topic_words[t]);
    left--;
  }
  return g_string_free (text, FALSE);
}

/* A device string as markup: sanitised, bounded, escaped. */
static char *
markup_text (const char *text, gsize max)
{
  g_autofree char *clean = cg_sanitize_string (text, max);

  return g_markup_escape_text (clean, -1);
}

/* ---- questions ------------------------------------------------------------------- */

/* The kind of device, from the daemon's fixed vocabulary; the device's own words never
 * reach the summary. */
static const char *
kind_noun (const char *kind, const char *transport)
{
  static const char *const nouns[][2] = {
    { "car", "car" },           { "keyboard", "keyboard" },     { "mouse", "mouse" },
    { "headset", "headset" },   { "headphones", "headphones" }, { "speaker", "speaker" },
    { "phone", "phone" },       { "computer", "computer" },     { "watch", "watch" },
    { "usb-host", "USB host" }, { "usb-device", "USB device" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (nouns); i++)
    if (g_strcmp0 (nouns[i][0], kind) == 0)
      return nouns[i][1];
  return g_str_equal (transport, "usb") ? "USB device" : "Bluetooth device";
}

static const char *
asks_phrase (const char *asks)
{
  if (g_strcmp0 (asks, "pair") == 0)
    return "asks to pair";
  if (g_strcmp0 (asks, "data") == 0)
    return "asks for a data connection";
  return "asks for access";
}

/* Who asks: the name it chose, said to be its own claim, and the vendor the policy
 * recognised (from what the device says, too). */
static void
append_who (GString *body, const CgDbusRecord *record)
{
  if (record->name[0] != '\0') {
    g_autofree char *name = markup_text (record->name, CG_NOTICE_NAME_MAX);
    g_string_append_printf (body, "It calls itself “%s”; any device can claim that name.", name);
  } else if (g_str_equal (record->transport, "bluetooth")) {
    g_autofree char *address = markup_text (record->device, CG_NOTICE_NAME_MAX);
    g_string_append_printf (body, "It gives no name; its address is %s.", address);
  } else {
    g_string_append (body, "It gives no name.");
  }
  if (record->vendor_name[0] != '\0') {
    g_autofree char *vendor = markup_text (record->vendor_name, CG_NOTICE_NAME_MAX);
    g_string_append_printf (body, " carguard’s policy counts it as %s.", vendor);
  }
}

/* What a yes grants, and what stays behind even then. */
static void
append_grants (GString *body, const char *grants)
{
  g_autofree char *granted = NULL;
  guint topics = 0;

  if (grants[0] == '\0')
    return;
  if (!topics_of_grants (grants, &topics)) {
    g_autofree char *text = markup_text (grants, CG_NOTICE_TEXT_MAX);
    g_string_append_printf (body, "\nAllowing it gives: %s.", text);
    return;
  }
  if (topics == (1u << TOPIC_DATA)) {
    g_string_append (
        body, "\nAllowing it opens a data connection (files, network) until it is unplugged.");
    return;
  }
  if (topics == 0) {
    g_string_append (body, "\nAllowing it lets it pair, with no service.");
    return;
  }
  granted = describe_topics (topics);
  g_string_append_printf (body, "\nAllowing it gives %s", granted);
  if ((TOPICS_PRIVATE & ~topics) != 0) {
    g_autofree char *kept = describe_topics (TOPICS_PRIVATE & ~topics);
    g_string_append_printf (body, "; %s stay on this device.", kept);
  } else {
    g_string_append_c (body, '.');
  }
}

static gboolean
notice_for_ask (const CgDbusRecord *record, CgNotice *out)
{
  const CgDbusQuestion *question = &record->question;
  GString *body = g_string_new (NULL);

  out->ask = TRUE;
  out->question_id = question->id != 0 ? question->id : record->pending;
  out->summary = g_strdup_printf ("A %s %s", kind_noun (question->kind, record->transport),
                                  asks_phrase (question->asks));
  append_who (body, record);
  append_grants (body, question->grants != NULL ? question->grants : "");
  if (question->has_passkey)
    g_string_append_printf (body, "\nPair only if it shows <b>%03u %03u</b>.",
                            question->passkey / 1000 % 1000, question->passkey % 1000);
  if (question->warning != NULL && question->warning[0] != '\0') {
    g_autofree char *warning = markup_text (question->warning, CG_NOTICE_TEXT_MAX);
    g_string_append_printf (body, "\n<b>Warning:</b> %s", warning);
  }
  g_string_append (body, "\nAllow it this once?");
  out->body = g_string_free (body, FALSE);
  return TRUE;
}

/* ---- what was refused ------------------------------------------------------------ */

/* “DiLink”, else "a BYD device", else the Bluetooth address or "a USB device". */
static char *
device_label (const CgDbusRecord *record)
{
  if (record->name[0] != '\0') {
    g_autofree char *name = markup_text (record->name, CG_NOTICE_NAME_MAX);
    return g_strdup_printf ("“%s”", name);
  }
  if (record->vendor_name[0] != '\0') {
    g_autofree char *vendor = markup_text (record->vendor_name, CG_NOTICE_NAME_MAX);
    return g_strdup_printf ("a %s device", vendor);
  }
  if (g_str_equal (record->transport, "bluetooth"))
    return markup_text (record->device, CG_NOTICE_NAME_MAX);
  return g_strdup ("a USB device");
}

/* label at the start of a sentence. */
static char *
sentence_start (const char *label)
{
  char *text = g_strdup (label);

  text[0] = g_ascii_toupper (text[0]);
  return text;
}

/* The sentence for a refusal, or NULL when there is nothing to tell: the person said no
 * themself, or the device gave up. */
static char *
refusal_sentence (const CgDbusRecord *record, const char *label)
{
  const char *decision = record->decision;
  gboolean usb = g_str_equal (record->transport, "usb");
  g_autofree char *subject = sentence_start (label);

  if (g_str_equal (decision, "deny (person)") || g_str_equal (decision, "deny (withdrawn)"))
    return NULL;
  if (g_str_equal (decision, "deny (timeout)"))
    return g_strdup_printf ("Nobody answered in time, so %s %s.", label,
                            usb ? "gets charging only" : "was kept out");
  if (g_str_has_prefix (decision, "deny ("))
    return g_strdup_printf ("Nobody could be asked, so %s %s.", label,
                            usb ? "gets charging only" : "was kept out");
  if (usb)
    return g_strdup_printf ("%s gets charging only, no data connection.", subject);
  if (g_str_equal (decision, "block"))
    return g_strdup_printf ("%s is blocked: it got nothing from this device.", subject);
  return g_strdup_printf ("%s may not pair: it got nothing from this device.", subject);
}

static gboolean
decision_refuses (const char *decision)
{
  return g_str_equal (decision, "deny") || g_str_has_prefix (decision, "deny (")
         || g_str_equal (decision, "block") || g_str_equal (decision, "charge-only");
}

static gboolean
notice_for_refusal (const CgDbusRecord *record, CgNotice *out)
{
  g_autofree char *label = device_label (record);
  char *sentence = refusal_sentence (record, label);

  if (sentence == NULL)
    return FALSE;
  out->summary = g_strdup ("carguard protected your data");
  out->body = sentence;
  return TRUE;
}

/* A device let in with less than everything: what it gets, and that contacts and messages
 * stayed behind, said once. Nothing to tell if they were not withheld. */
static gboolean
notice_for_partial (const CgDbusRecord *record, CgNotice *out)
{
  guint allowed = topics_of_list (record->allowed);
  guint kept = topics_of_list (record->denied) & TOPICS_PRIVATE & ~allowed;
  g_autofree char *label = device_label (record);
  g_autofree char *subject = sentence_start (label);
  g_autofree char *kept_text = NULL;
  g_autofree char *allowed_text = NULL;

  if (kept == 0)
    return FALSE;
  kept_text = describe_topics (kept);
  allowed_text = describe_topics (allowed);
  out->summary = g_strdup ("carguard protected your data");
  if (allowed != 0)
    out->body = g_strdup_printf ("%s gets %s; %s stayed on this device.", subject, allowed_text,
                                 kept_text);
  else
    out->body = g_strdup_printf ("%s: %s stayed on this device.", subject, kept_text);
  return TRUE;
}

gboolean
cg_notice_from_record (const CgDbusRecord *record, CgNotice *out)
{
  const char *decision = record->decision;

  memset (out, 0, sizeof *out);
  if (g_str_equal (decision, "ask"))
    return record->pending != 0 && notice_for_ask (record, out);
  if (decision_refuses (decision))
    return notice_for_refusal (record, out);
  return notice_for_partial (record, out);
}
