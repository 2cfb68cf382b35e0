/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-facts.h"
#include "cg-hwdb.h"
#include "cg-policy.h"

G_BEGIN_DECLS

/* Every target defines this; libFuzzer calls it, fuzz-corpus-replay.c too. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A policy with a rule of every kind (OUI, Device ID, USB id, Type-C VID, name globs,
 * interface classes, serials, addresses), loaded once: what the targets decide with. */
const CgPolicy *fuzz_policy (void);

/* The system's hwdb (or none), opened once: organisation names for the facts. */
CgHwdb *fuzz_hwdb (void);

/* Decides both transports for facts built from hostile input; asserts that the rules
 * named are valid UTF-8. */
void fuzz_decide_facts (const CgPolicy *policy, const CgFacts *facts);
/* The same, then explains them (text and JSON), as `carguard policy explain` and the
 * daemon's Explain do; asserts that the explanations are valid UTF-8. */
void fuzz_explain_facts (const CgPolicy *policy, const CgFacts *facts);

/* The input as a serialised GVariant of type type, as GDBus hands a method or a signal
 * its arguments: untrusted, so GLib checks it as it is read. */
GVariant *fuzz_variant_new (const guint8 *data, size_t size, const GVariantType *type);

G_END_DECLS
