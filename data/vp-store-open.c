/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <string.h>
#include <unistd.h>

#include "vp-audit.h"
#include "vp-keyslots.h"
#include "vp-schema.h"
#include "vp-store-impl.h"

/* Opening the store: connections (cipher set-up, keying, the checks on
 * open, closing for real), unlocking with a secret, and clones. */

/* The first column of the first row; NULL in *out when there is no row or
 * the value is NULL, FALSE only when the query failed. */
static gboolean
query_text (sqlite3     *db,
            const char  *sql,
            gint64       param,
            char       **out,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *out = NULL;
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (sqlite3_bind_parameter_count (stmt) > 0)
        sqlite3_bind_int64 (stmt, 1, param);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        *out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    _vp_sqlite_set_error (db, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* SQLCipher 4 defaults are what DESIGN §3 asks for; refuse to run on a build
 * or a file set up with anything weaker. What the process must have in
 * place (the wiping allocator, no core dumps) is checked before the file
 * is opened at all, by _vp_data_check_protected(). */
static gboolean
check_cipher (sqlite3  *db,
              GError  **error)
{
  static const struct { const char *pragma; const char *want; } checks[] = {
    { "PRAGMA cipher_provider", "openssl" },
    { "PRAGMA cipher_hmac_algorithm", "HMAC_SHA512" },
    { "PRAGMA cipher_kdf_algorithm", "PBKDF2_HMAC_SHA512" },
    { "PRAGMA cipher_use_hmac", "1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autofree char *got = NULL;

      if (!query_text (db, checks[i].pragma, 0, &got, error))
        return FALSE;
      if (got == NULL || g_ascii_strcasecmp (got, checks[i].want) != 0)
        {
          g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WEAK_CIPHER,
                       _("The encryption settings are weaker than required (%s is %s)"),
                       checks[i].pragma + strlen ("PRAGMA "), got != NULL ? got : "?");
          return FALSE;
        }
    }
  return TRUE;
}

/* SQLCipher takes a raw key as the text x'<64 hex digits>'. */
#define RAW_KEY_TEXT_LEN (2 + 2 * VP_DATA_KEY_LEN + 1)

/* Keyed through sqlite3_key_v2(), not SQL: the text of a PRAGMA key is
 * copied by the parser, kept with the statement and freed unwiped, and it
 * passes every trace and authorizer callback. The hex is built in the
 * secure heap, digit by digit (no printf and its buffers). */
static gboolean
apply_key (sqlite3      *db,
           const guint8 *key,
           GError      **error)
{
  static const char digits[] = "0123456789abcdef";
  char *text = OPENSSL_secure_malloc (RAW_KEY_TEXT_LEN);
  int rc;

  if (text == NULL)
    {
      _vp_set_no_secure_memory_error (error);
      return FALSE;
    }
  text[0] = 'x';
  text[1] = '\'';
  for (guint i = 0; i < VP_DATA_KEY_LEN; i++)
    {
      text[2 + 2 * i] = digits[key[i] >> 4];
      text[3 + 2 * i] = digits[key[i] & 0xf];
    }
  text[RAW_KEY_TEXT_LEN - 1] = '\'';

  rc = sqlite3_key_v2 (db, "main", text, RAW_KEY_TEXT_LEN);
  OPENSSL_secure_clear_free (text, RAW_KEY_TEXT_LEN);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The store could not be keyed: %s"), sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

/* The key came out of an authenticated slot, so a file that still will not
 * open is damaged, not locked with another key. */
static void
set_damaged_error (sqlite3  *db,
                   GError  **error)
{
  g_autofree char *detail = NULL;

  /* Only a detail: the error stands without it. */
  query_text (db, "PRAGMA cipher_integrity_check", 0, &detail, NULL);

  g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED,
               _("The store file is damaged and cannot be read%s%s"),
               detail != NULL ? ": " : "", detail != NULL ? detail : "");
}

static gboolean
configure (sqlite3  *db,
           GError  **error)
{
  static const char *pragmas =
    /* Off, and said so: it would mlock() and munlock() every allocation
     * of the library. vp_data_init() wipes freed memory instead. */
    "PRAGMA cipher_memory_security = OFF;"
    "PRAGMA temp_store = MEMORY;"
    "PRAGMA secure_delete = ON;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;";
  int rc;

  rc = sqlite3_exec (db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
    {
      set_damaged_error (db, error);
      return FALSE;
    }
  if (_vp_sqlite_is_busy (rc))
    return _vp_sqlite_set_error (db, rc, error);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The store could not be opened: %s"), sqlite3_errstr (rc));
      return FALSE;
    }
  if (!check_cipher (db, error))
    return FALSE;

  rc = sqlite3_exec (db, pragmas, NULL, NULL, NULL);
  if (_vp_sqlite_is_busy (rc))
    return _vp_sqlite_set_error (db, rc, error);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The store could not be configured: %s"), sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

static void
restrict_files (const char *dir)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };

  g_chmod (dir, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (dir, "/" VP_STORE_DB_NAME, suffixes[i], NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_chmod (path, 0600);
    }
}

/* Closes a connection for real. sqlite3_close_v2() would keep one with a
 * statement still open alive as a "zombie", and SQLCipher's copy of the
 * key with it, until someone finalizes the statement (perhaps never). A
 * statement left open is a bug: it is ended here and reported. Only an
 * unfinished online backup can keep the connection; it then goes (and the
 * key with it) when that backup is finished. */
gboolean
_vp_sqlite_close (sqlite3  *db,
                  GError  **error)
{
  sqlite3_stmt *stmt;
  guint open_statements = 0;
  int rc;

  rc = sqlite3_close (db);
  if (rc != SQLITE_BUSY)
    return rc == SQLITE_OK ? TRUE : _vp_sqlite_set_error (NULL, rc, error);

  while ((stmt = sqlite3_next_stmt (db, NULL)) != NULL)
    {
      sqlite3_finalize (stmt);
      open_statements++;
    }
  rc = sqlite3_close (db);
  if (rc != SQLITE_OK)
    {
      sqlite3_close_v2 (db);
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                           _("The store's connection is still in use by a backup; it closes when the backup ends"));
      return FALSE;
    }
  g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
               "%u statement(s) were still open when the store's connection closed; they were ended",
               open_statements);
  return FALSE;
}

/* On a path that already failed: the first error is the one to tell. */
static void
close_quietly (sqlite3 *db)
{
  g_autoptr(GError) error = NULL;

  if (!_vp_sqlite_close (db, &error))
    g_warning ("%s", error->message);
}

/* A connection to the store's file, keyed, checked and configured. Before
 * SQLite opens anything: the process must be protected (an open without
 * vp_data_init() would start SQLite with an allocator that does not wipe,
 * for good). */
sqlite3 *
_vp_store_open_keyed (const char    *dir,
                      const guint8  *key,
                      gboolean       create,
                      GError       **error)
{
  g_autofree char *path = g_build_filename (dir, VP_STORE_DB_NAME, NULL);
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
  int rc;

  if (!_vp_data_check_protected (error))
    return NULL;
  if (create)
    {
      /* Create the file 0600 ourselves: SQLite gives -wal and -shm the mode of
       * the main file. */
      int fd = g_open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          int saved_errno = errno;
          g_set_error (error, VP_STORE_ERROR,
                       saved_errno == EEXIST ? VP_STORE_ERROR_EXISTS : VP_STORE_ERROR_FAILED,
                       _("The store file could not be created: %s"), g_strerror (saved_errno));
          return NULL;
        }
      close (fd);
    }

  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The store file could not be opened: %s"), sqlite3_errstr (rc));
      close_quietly (db);
      return NULL;
    }
  /* From the first read on: another program may hold the store a moment. */
  sqlite3_busy_timeout (db, 5000);
  if (!apply_key (db, key, error) || !configure (db, error))
    {
      close_quietly (db);
      return NULL;
    }
  restrict_files (dir);
  return db;
}

/* A setting that cannot be read (the store busy) is not a missing one:
 * only a missing one means damage. */
gboolean
_vp_store_load_identity (VpStore  *self,
                         GError  **error)
{
  if (!vp_store_read_setting (self, "team_code", &self->team_code, error) ||
      !vp_store_read_setting (self, "municipality_code", &self->municipality_code, error) ||
      !vp_store_read_setting (self, "installation_id", &self->installation_id, error))
    return FALSE;
  if (self->team_code == NULL || self->municipality_code == NULL || self->installation_id == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED,
                           _("The store lacks its team settings"));
      return FALSE;
    }

  if (!query_text (self->db, "SELECT role FROM account WHERE id = ? AND active = 1",
                   self->account_id, &self->account_role, error))
    return FALSE;
  if (self->account_role == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE,
                           _("This account has been disabled"));
      return FALSE;
    }
  return TRUE;
}

static VpStore *
open_with_secret (const char  *dir,
                  const char  *kind,
                  const char  *name,
                  const char  *secret,
                  GError     **error)
{
  g_autoptr(VpStore) self = NULL;
  g_autoptr(VpSecureKey) key = NULL;
  gint64 account_id = 0;
  gboolean recovered = g_str_equal (kind, "recovery");

  /* Before the key is unwrapped, and before an attempt is counted. */
  if (!_vp_data_check_protected (error))
    return NULL;
  if (!vp_store_exists (dir))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND,
                           _("There is no store in this folder"));
      return NULL;
    }
  /* The key is unwrapped straight into the secure heap. */
  key = _vp_secure_key_new (error);
  if (key == NULL ||
      !_vp_store_unlock_key (dir, kind, name, secret, key, &account_id, error))
    return NULL;

  self = g_object_new (VP_TYPE_STORE, NULL);
  self->dir = g_strdup (dir);
  self->account_id = account_id;
  self->recovered = recovered;
  self->db = _vp_store_open_keyed (dir, key, FALSE, error);
  if (self->db != NULL)
    self->key = g_steal_pointer (&key);

  if (self->db == NULL ||
      !vp_schema_migrate (self->db, vp_schema_current_version (), error) ||
      !_vp_store_load_identity (self, error) ||
      !_vp_team_attach (self, error) ||
      !vp_audit_append (self, recovered ? "recovery_key_used" : "unlock", NULL, 0, "ok", error))
    return NULL;

  return g_steal_pointer (&self);
}

VpStore *
vp_store_open (const char  *dir,
               const char  *passphrase,
               GError     **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  return open_with_secret (dir, "passphrase", NULL, passphrase, error);
}

/* Opens with the passphrase of one account: wrong attempts slow down that
 * account only. A NULL name tries every account. */
VpStore *
vp_store_open_account (const char  *dir,
                       const char  *name,
                       const char  *passphrase,
                       GError     **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  return open_with_secret (dir, "passphrase", name, passphrase, error);
}

/* Opens the store as the team leader who set it up. The caller must then
 * have a new passphrase set (vp_store_needs_new_passphrase()). */
VpStore *
vp_store_open_with_recovery_key (const char  *dir,
                                 const char  *recovery_key,
                                 GError     **error)
{
  g_autofree char *normalized = NULL;
  VpStore *store;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (recovery_key != NULL, NULL);

  normalized = vp_recovery_key_normalize (recovery_key);
  if (normalized == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE,
                           _("A recovery key has 32 letters and digits, in groups of four"));
      return NULL;
    }
  store = open_with_secret (dir, "recovery", NULL, normalized, error);
  vp_wipe (normalized, strlen (normalized));
  return store;
}

/* Another handle on the same unlocked store, as the same account, with a
 * connection of its own: for work in one worker thread (building a report)
 * while the main thread goes on with the original. Not a new unlock, so
 * nothing is audited. */
VpStore *
vp_store_open_clone (VpStore  *self,
                     GError  **error)
{
  g_autoptr(VpStore) clone = NULL;

  g_return_val_if_fail (VP_IS_STORE (self), NULL);

  if (self->key == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return NULL;
    }
  clone = g_object_new (VP_TYPE_STORE, NULL);
  clone->dir = g_strdup (self->dir);
  clone->account_id = self->account_id;
  clone->recovered = self->recovered;
  clone->key = _vp_secure_key_dup (self->key, error);
  if (clone->key == NULL)
    return NULL;
  clone->db = _vp_store_open_keyed (self->dir, self->key, FALSE, error);
  if (clone->db == NULL || !_vp_store_load_identity (clone, error) ||
      !_vp_team_attach (clone, error))
    return NULL;
  return g_steal_pointer (&clone);
}

/* A second connection to the same file, for work off the main thread
 * (backups) that must not share the app's transactions. */
sqlite3 *
_vp_store_open_connection (VpStore  *self,
                           GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (self), NULL);

  if (self->key == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return NULL;
    }
  return _vp_store_open_keyed (self->dir, self->key, FALSE, error);
}

/* Keys another connection with this store's data key (a backup's copy). */
gboolean
_vp_store_apply_key (VpStore  *self,
                     sqlite3  *db,
                     GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (self), FALSE);
  g_return_val_if_fail (db != NULL, FALSE);

  if (self->key == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  return apply_key (db, self->key, error);
}

