/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_STORE_KEYS_NAME "store.keys"

/* For the other files of the data layer and for tests, never for the UI. */
gboolean      _vp_is_blank                (const char         *s);
const guint8 *_vp_store_get_key           (VpStore            *self);
sqlite3      *_vp_store_open_connection   (VpStore            *self,
                                           GError            **error);
char         *_vp_store_keys_path         (VpStore            *self);
void          _vp_store_set_recovered     (VpStore            *self,
                                           gboolean            recovered);
VpStore      *_vp_store_create_at_version (const char         *dir,
                                           const VpStoreSetup *setup,
                                           guint               version,
                                           char              **recovery_key,
                                           GError            **error);

/* Connections of the data layer: keyed with the store's data key without
 * SQL text, closed for real (a connection kept alive by a statement keeps
 * SQLCipher's copy of the key), errors told apart (busy is not damage). */
gboolean      _vp_store_apply_key         (VpStore            *self,
                                           sqlite3            *db,
                                           GError            **error);
gboolean      _vp_sqlite_close            (sqlite3            *db,
                                           GError            **error);
gboolean      _vp_sqlite_set_error        (sqlite3            *db,
                                           int                 rc,
                                           GError            **error);
gboolean      _vp_sqlite_is_busy          (int                 rc);

/* vp-unlock.c */
gboolean      _vp_store_unlock_key        (const char         *dir,
                                           const char         *kind,
                                           const char         *name,
                                           const char         *secret,
                                           guint8             *key,
                                           gint64             *account_id,
                                           GError            **error);
void          _vp_store_set_now           (gint64              unix_time);

G_END_DECLS
