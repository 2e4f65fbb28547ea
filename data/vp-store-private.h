/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* The store's SQL, for the table modules of the same store only: the other
 * files of data/, sync/'s vp-outbox.c, vp-sync.c, vp-client-cert.c and
 * vp-report-build.c, and tests and benchmarks. Never for ui/ or app/: they
 * go through the functions of vp-store.h and the table modules, which
 * check roles and write the audit log. */

#define VP_STORE_KEYS_NAME "store.keys"

sqlite3      *vp_store_get_db             (VpStore            *self);
/* Arbitrary SQL, without parameters. */
gboolean      vp_store_exec               (VpStore            *self,
                                           const char         *sql,
                                           GError            **error);
/* Ends a write transaction: the team's changes of what it wrote are
 * appended first (vp-team-store.c), so both commit or neither. */
gboolean      vp_store_commit             (VpStore            *self,
                                           GError            **error);
gboolean      vp_store_set_sqlite_error   (VpStore            *self,
                                           int                 rc,
                                           GError            **error);

/* vp-data-init.c: vp_data_init() has run, and what it set up still holds.
 * Every connection of a store checks it before SQLite opens a file. */
gboolean      _vp_data_check_protected    (GError            **error);

/* For the other files of the data layer and for tests. */
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
