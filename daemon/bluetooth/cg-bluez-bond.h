/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* BlueZ keeps each bond's keys in STORAGE/ADAPTER/DEVICE/info (addresses upper case).
 * carguard reads them, read-only, to tell one bond from another under the same address:
 * a digest of the key material, never the keys themselves, and nothing of them is
 * logged. A device that copies a vetted car's address and pairs again has a new key,
 * hence another digest. */
#define CG_BLUEZ_STORAGE_DIR "/var/lib/bluetooth"
/* bluetoothd's info files are a few hundred bytes; anything far larger is not one. */
#define CG_BLUEZ_INFO_MAX_BYTES (64 * 1024)

/* What the digest says when no key is stored (a pairing that made no bond). */
#define CG_BLUEZ_BOND_NONE "none"

/* "sha256:HEX" over the adapter and device addresses and every key BlueZ stored for the
 * pair (BR/EDR link key, LE long-term keys) and how each was made (authenticated or
 * not), or CG_BLUEZ_BOND_NONE when there is no
 * info file or it holds no key. NULL with error when the file cannot be read or is not
 * one. */
char *cg_bluez_bond_digest (const char *storage_dir, const char *adapter_address,
                            const char *device_address, GError **error);

G_END_DECLS
