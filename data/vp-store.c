/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vp-keyslots.h"
#include "vp-store-impl.h"

/* The store object: its errors, transactions, locking and accessors.
 * Opening and unlocking are in vp-store-open.c, creation in
 * vp-store-create.c, settings in vp-store-settings.c. */

G_DEFINE_FINAL_TYPE (VpStore, vp_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (vp-store-error-quark, vp_store_error)

void
_vp_secure_key_free (VpSecureKey *key)
{
  if (key != NULL)
    OPENSSL_secure_clear_free (key, VP_DATA_KEY_LEN);
}

void
_vp_set_no_secure_memory_error (GError **error)
{
  g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                       _("There is no protected memory left for the key; close other windows of Vindplaats and try again"));
}

/* The secure heap (set up by vp_data_init()) is small and can run out:
 * OPENSSL_secure_malloc() then returns NULL. */
VpSecureKey *
_vp_secure_key_new (GError **error)
{
  VpSecureKey *key = OPENSSL_secure_zalloc (VP_DATA_KEY_LEN);

  if (key == NULL)
    _vp_set_no_secure_memory_error (error);
  return key;
}

VpSecureKey *
_vp_secure_key_dup (const guint8  *key,
                    GError       **error)
{
  VpSecureKey *copy = _vp_secure_key_new (error);

  if (copy != NULL)
    memcpy (copy, key, VP_DATA_KEY_LEN);
  return copy;
}

static void
vp_store_finalize (GObject *object)
{
  VpStore *self = VP_STORE (object);

  vp_store_close (self);
  g_free (self->dir);
  g_free (self->account_role);
  g_free (self->team_code);
  g_free (self->municipality_code);
  g_free (self->installation_id);

  G_OBJECT_CLASS (vp_store_parent_class)->finalize (object);
}

enum {
  TEAM_CHANGES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
vp_store_class_init (VpStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_store_finalize;

  /**
   * VpStore::team-changes:
   *
   * A write on this connection committed changes for the team (#16): team
   * sync sends them soon. Emitted after the COMMIT, on the thread that
   * wrote.
   */
  signals[TEAM_CHANGES] =
    g_signal_new ("team-changes", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vp_store_init (VpStore *self)
{
}

char *
vp_store_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "vindplaats", NULL);
}

gboolean
vp_store_exists (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, VP_STORE_DB_NAME, NULL);
  return g_file_test (db, G_FILE_TEST_EXISTS);
}

/* SQLite's message for the error: the connection's, when it is about rc. */
static const char *
sqlite_detail (sqlite3 *db,
               int      rc)
{
  if (db != NULL && (sqlite3_extended_errcode (db) & 0xff) == (rc & 0xff))
    return sqlite3_errmsg (db);
  return sqlite3_errstr (rc);
}

/* Another program (or connection) holds the store: nothing is wrong with
 * it, and trying again later will do. */
gboolean
_vp_sqlite_is_busy (int rc)
{
  return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED || (rc & 0xff) == SQLITE_PROTOCOL;
}

gboolean
_vp_sqlite_set_error (sqlite3  *db,
                      int       rc,
                      GError  **error)
{
  const char *detail = sqlite_detail (db, rc);

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_BUSY,
                   _("The store is in use by another program; try again in a moment (%s)"), detail);
      break;
    case SQLITE_CONSTRAINT:
      /* SQLite's message names the failing constraint, never a value. */
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                   _("The store refused the change: %s"), detail);
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED,
                   _("The store file is damaged: %s"), detail);
      break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The change could not be written to disk and was not saved: %s"), detail);
      break;
    default:
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The store could not complete the change: %s"), detail);
    }
  return FALSE;
}

gboolean
vp_store_set_sqlite_error (VpStore  *self,
                           int       rc,
                           GError  **error)
{
  return _vp_sqlite_set_error (self->db, rc, error);
}

gboolean
vp_store_exec (VpStore     *self,
               const char  *sql,
               GError     **error)
{
  int rc;

  g_return_val_if_fail (VP_IS_STORE (self), FALSE);

  if (self->db == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED,
                           _("The store is locked"));
      return FALSE;
    }
  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return vp_store_set_sqlite_error (self, rc, error);
  return TRUE;
}

gboolean
vp_store_commit (VpStore  *self,
                 GError  **error)
{
  guint captured = 0;

  g_return_val_if_fail (VP_IS_STORE (self), FALSE);

  if (!_vp_team_capture (self, &captured, error) || !vp_store_exec (self, "COMMIT", error))
    return FALSE;
  if (captured > 0)
    g_signal_emit (self, signals[TEAM_CHANGES], 0);
  return TRUE;
}

/* A read snapshot: every query until vp_store_end_snapshot() sees the
 * store as it was at the first one, whatever other connections write. */
gboolean
vp_store_begin_snapshot (VpStore  *self,
                         GError  **error)
{
  return vp_store_exec (self, "BEGIN DEFERRED", error);
}

/* Ends a snapshot. The reads were one view of the store only if the
 * transaction lasted until here: an error inside it (I/O, a full disk, a
 * lock) may have rolled it back early, and then this COMMIT fails. */
gboolean
vp_store_finish_snapshot (VpStore  *self,
                          GError  **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (VP_IS_STORE (self), FALSE);

  if (vp_store_exec (self, "COMMIT", &local_error))
    return TRUE;
  /* A COMMIT that failed to write may leave the transaction open. */
  if (self->db != NULL && !sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_set_error (error, local_error->domain,
               local_error->code == VP_STORE_ERROR_BUSY ? VP_STORE_ERROR_BUSY : VP_STORE_ERROR_FAILED,
               _("The store could not be read as one whole: %s"), local_error->message);
  return FALSE;
}

/* Use vp_store_finish_snapshot(): this one can only log a failure. */
void
vp_store_end_snapshot (VpStore *self)
{
  g_autoptr(GError) error = NULL;

  if (!vp_store_finish_snapshot (self, &error))
    g_warning ("%s", error->message);
}

gboolean
vp_store_needs_new_passphrase (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), FALSE);
  return self->recovered;
}

void
_vp_store_set_recovered (VpStore  *self,
                         gboolean  recovered)
{
  g_return_if_fail (VP_IS_STORE (self));
  self->recovered = recovered;
}

const guint8 *
_vp_store_get_key (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return self->key;
}

char *
_vp_store_keys_path (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return g_build_filename (self->dir, VP_STORE_KEYS_NAME, NULL);
}

/* Locking: closing the connection makes SQLCipher wipe its copy of the
 * key. Locking cannot be refused, so a connection that does not close at
 * once (see _vp_sqlite_close()) is reported in the log. */
void
vp_store_close (VpStore *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (VP_IS_STORE (self));

  g_clear_pointer (&self->key, _vp_secure_key_free);
  g_clear_pointer (&self->team, _vp_team_state_free);
  if (self->db == NULL)
    return;
  if (!_vp_sqlite_close (g_steal_pointer (&self->db), &error))
    g_warning ("%s", error->message);
}

gboolean
vp_store_is_open (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), FALSE);
  return self->db != NULL;
}

sqlite3 *
vp_store_get_db (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return self->db;
}

const char *
vp_store_get_dir (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return self->dir;
}

const char *
vp_store_get_team_code (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return self->team_code;
}

const char *
vp_store_get_municipality_code (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return self->municipality_code;
}

const char *
vp_store_get_installation_id (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return self->installation_id;
}

gint64
vp_store_get_account_id (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), 0);
  return self->account_id;
}

const char *
vp_store_get_account_role (VpStore *self)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  return self->account_role;
}

/**
 * vp_store_require_team_leader:
 * @self: a #VpStore
 * @refusal: what a coach is told, such as "Only a team leader can manage
 *   accounts"
 * @error: return location for an error
 *
 * Returns: %TRUE when the store is open for a team leader; otherwise
 *   %FALSE with VP_STORE_ERROR_LOCKED or VP_STORE_ERROR_NOT_ALLOWED
 */
gboolean
vp_store_require_team_leader (VpStore     *self,
                              const char  *refusal,
                              GError     **error)
{
  g_return_val_if_fail (VP_IS_STORE (self), FALSE);

  if (!vp_store_is_open (self))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  if (g_strcmp0 (self->account_role, "team_leader") != 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED, refusal);
      return FALSE;
    }
  return TRUE;
}
