/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VP_DATA_KEY_LEN 32

/* A key slot holds the store's data key wrapped with AES-256-GCM under a key
 * derived from one passphrase with scrypt. The KDF parameters and salt live in
 * the slot so they can be raised later without touching the database. */
typedef struct {
  char   *id;
  char   *kind;        /* "passphrase" or "recovery" */
  gint64  account_id;  /* 0 for the recovery slot */
  guint   n_log2;
  guint   r;
  guint   p;
  guint8  salt[16];
  guint8  nonce[12];
  guint8  wrapped[VP_DATA_KEY_LEN];
  guint8  tag[16];

  /* Not secret and not authenticated: a salted hash of the account name
   * (names themselves are kept only in the encrypted store), and the
   * failed-attempt counter that slows down guessing through the app. */
  char   *name_hash;
  guint   failures;
  gint64  last_failure; /* unix time */
} VpKeySlot;

#define VP_SCRYPT_DEFAULT_N_LOG2 17
#define VP_SCRYPT_DEFAULT_R 8
#define VP_SCRYPT_DEFAULT_P 1

void       vp_key_slot_free        (VpKeySlot    *slot);
VpKeySlot *vp_key_slot_new_wrapped (const guint8 *data_key,
                                    const char   *id,
                                    const char   *kind,
                                    gint64        account_id,
                                    const char   *passphrase,
                                    guint         n_log2,
                                    GError      **error);
gboolean   vp_key_slot_unwrap      (const VpKeySlot *slot,
                                    const char      *passphrase,
                                    guint8          *data_key_out,
                                    GError         **error);

GPtrArray *vp_key_slots_load       (const char  *path,
                                    GError     **error);
gboolean   vp_key_slots_save       (const char  *path,
                                    GPtrArray   *slots,
                                    GError     **error);

void       vp_key_slot_set_name    (VpKeySlot       *slot,
                                    const char      *name);
gboolean   vp_key_slot_has_name    (const VpKeySlot *slot,
                                    const char      *name);

char      *vp_recovery_key_generate (GError     **error);
char      *vp_recovery_key_normalize (const char *text);

gboolean   vp_random_bytes         (guint8      *buf,
                                    gsize        len,
                                    GError     **error);
void       vp_wipe                 (gpointer     buf,
                                    gsize        len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpKeySlot, vp_key_slot_free)

G_END_DECLS
