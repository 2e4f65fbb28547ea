/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-store-private.h"
#include "vp-team-store-private.h"

G_BEGIN_DECLS

/* The store object's own files only: vp-store.c (the object, errors,
 * transactions, locking), vp-store-open.c (connections, keying, the checks
 * on open, unlocking, clones), vp-store-create.c and vp-store-settings.c.
 * Everything else goes through vp-store.h or vp-store-private.h. */

#define VP_STORE_DB_NAME "store.db"

/* A data key in OpenSSL's secure heap, wiped when freed. */
typedef guint8 VpSecureKey;

struct _VpStore
{
  GObject  parent_instance;

  char    *dir;
  sqlite3 *db;
  gint64   account_id;
  char    *account_role;
  char    *team_code;
  char    *municipality_code;
  char    *installation_id;

  /* The data key, in OpenSSL's secure heap while unlocked: new key slots
   * (accounts, passphrase changes) wrap it. Wiped on lock. */
  VpSecureKey *key;
  gboolean recovered;

  /* Set while the laptop is in a team (vp-team-store.c). */
  VpTeamState *team;
};

/* vp-store.c */
VpSecureKey *_vp_secure_key_new             (GError       **error);
VpSecureKey *_vp_secure_key_dup             (const guint8  *key,
                                             GError       **error);
void         _vp_secure_key_free            (VpSecureKey   *key);
void         _vp_set_no_secure_memory_error (GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpSecureKey, _vp_secure_key_free)

/* vp-store-open.c */
sqlite3     *_vp_store_open_keyed           (const char    *dir,
                                             const guint8  *key,
                                             gboolean       create,
                                             GError       **error);
gboolean     _vp_store_load_identity        (VpStore       *self,
                                             GError       **error);

G_END_DECLS
