/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "cg-facts.h"

G_BEGIN_DECLS

/* The facts of an Explain call (a{sv}), in a CgFacts that borrows from storage. Keys
 * and types are those of org.carguard.Daemon1.xml; an unknown key or a wrong type is an
 * error (G_DBUS_ERROR_INVALID_ARGS), so a caller's typo does not explain another device. */
typedef struct {
  CgFacts facts;
  GVariant *source; /* the strings of facts point into it */
  GBytes *interface_classes;
} CgDbusFacts;

void cg_dbus_facts_clear (CgDbusFacts *facts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgDbusFacts, cg_dbus_facts_clear)

gboolean cg_dbus_facts_parse (GVariant *vardict, CgDbusFacts *out, GError **error);

G_END_DECLS
