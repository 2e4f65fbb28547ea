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

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-keyslots.h"
#include "vp-schema.h"
#include "vp-store-private.h"

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
};

G_DEFINE_FINAL_TYPE (VpStore, vp_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (vp-store-error-quark, vp_store_error)

#define DB_NAME "store.db"
#define KEYS_NAME VP_STORE_KEYS_NAME

static void
secure_key_free (VpSecureKey *key)
{
  if (key != NULL)
    OPENSSL_secure_clear_free (key, VP_DATA_KEY_LEN);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpSecureKey, secure_key_free)

static void
set_no_secure_memory_error (GError **error)
{
  g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                       _("There is no protected memory left for the key; close other windows of Vindplaats and try again"));
}

/* The secure heap is small and can run out: OPENSSL_secure_malloc() then
 * returns NULL. */
static VpSecureKey *
secure_key_new (GError **error)
{
  VpSecureKey *key = OPENSSL_secure_zalloc (VP_DATA_KEY_LEN);

  if (key == NULL)
    set_no_secure_memory_error (error);
  return key;
}

static VpSecureKey *
secure_key_dup (const guint8  *key,
                GError       **error)
{
  VpSecureKey *copy = secure_key_new (error);

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

static void
vp_store_class_init (VpStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_store_finalize;

  /* A small locked heap that is never swapped out; without it (mlock
   * limits) OpenSSL falls back to ordinary memory, still wiped on free. */
  if (!CRYPTO_secure_malloc_initialized ())
    CRYPTO_secure_malloc_init (16 * 1024, 32);
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
  g_autofree char *db = g_build_filename (dir, DB_NAME, NULL);
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
 * or a file set up with anything weaker. */
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
      set_no_secure_memory_error (error);
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
    "PRAGMA cipher_memory_security = ON;"
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
      g_autofree char *path = g_strconcat (dir, "/" DB_NAME, suffixes[i], NULL);
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

static sqlite3 *
open_keyed (const char   *dir,
            const guint8 *key,
            gboolean      create,
            GError      **error)
{
  g_autofree char *path = g_build_filename (dir, DB_NAME, NULL);
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
  int rc;

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

/* A setting: TRUE with NULL in *value when it is not set, FALSE when it
 * could not be read (the store busy, an I/O error), which is not the same. */
gboolean
vp_store_read_setting (VpStore     *self,
                       const char  *key,
                       char       **value,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *value = NULL;
  if (self->db == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  rc = sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    vp_store_set_sqlite_error (self, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* For values with a default: NULL both when not set and when unreadable.
 * Where the difference matters, use vp_store_read_setting(). */
char *
vp_store_get_setting (VpStore    *self,
                      const char *key)
{
  char *value = NULL;

  g_return_val_if_fail (VP_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  vp_store_read_setting (self, key, &value, NULL);
  return value;
}

gboolean
vp_store_set_setting (VpStore     *self,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (self->db == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  if (value == NULL)
    rc = sqlite3_prepare_v2 (self->db, "DELETE FROM meta WHERE key = ?1", -1, &stmt, NULL);
  else
    rc = sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      if (value != NULL)
        sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (self, rc, error);
  return TRUE;
}

/* A setting that cannot be read (the store busy) is not a missing one:
 * only a missing one means damage. */
static gboolean
load_identity (VpStore  *self,
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

/* Empty or white space only. */
gboolean
_vp_is_blank (const char *s)
{
  for (; s != NULL && *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static gboolean
validate_code (const char  *value,
               const char  *what,
               GError     **error)
{
  if (_vp_is_blank (value))
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("%s is required"), what);
      return FALSE;
    }
  return TRUE;
}

gboolean
vp_store_validate_setup (const VpStoreSetup  *setup,
                         GError             **error)
{
  const char *m = setup->municipality_code;

  if (!validate_code (setup->team_code, _("A team code"), error) ||
      !validate_code (setup->account_name, _("Your name"), error))
    return FALSE;

  for (const char *p = setup->team_code; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      {
        g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                             _("The team code may hold only letters, digits, “-” and “_”"));
        return FALSE;
      }
  if (strlen (setup->team_code) > 32)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("The team code may be at most 32 characters long"));
      return FALSE;
    }

  if (m == NULL || strlen (m) != 6 || m[0] != 'G' || m[1] != 'M' ||
      !g_ascii_isdigit (m[2]) || !g_ascii_isdigit (m[3]) ||
      !g_ascii_isdigit (m[4]) || !g_ascii_isdigit (m[5]))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("The municipality code is GM followed by four digits, for example GM0344"));
      return FALSE;
    }

  return vp_store_check_passphrase (setup->passphrase, error);
}

static gboolean
write_initial_rows (VpStore            *self,
                    const VpStoreSetup *setup,
                    GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *created = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  guint8 id_bytes[16];
  g_autofree char *installation = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!vp_random_bytes (id_bytes, sizeof id_bytes, error))
    return FALSE;
  installation = g_compute_checksum_for_data (G_CHECKSUM_MD5, id_bytes, sizeof id_bytes);

  if (!vp_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (self->db,
                           "INSERT INTO account (name, role, created_at) VALUES (?, 'team_leader', ?)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, setup->account_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, created, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  self->account_id = sqlite3_last_insert_rowid (self->db);

  if (rc != SQLITE_DONE ||
      !vp_store_set_setting (self, "team_code", setup->team_code, error) ||
      !vp_store_set_setting (self, "municipality_code", setup->municipality_code, error) ||
      !vp_store_set_setting (self, "installation_id", installation, error) ||
      !vp_store_set_setting (self, "created_at", created, error))
    {
      if (rc != SQLITE_DONE)
        vp_store_set_sqlite_error (self, rc, error);
      vp_store_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return vp_store_exec (self, "COMMIT", error);
}

static void
remove_store_files (const char *dir)
{
  static const char *names[] = { DB_NAME, DB_NAME "-wal", DB_NAME "-shm", KEYS_NAME };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
}

static gboolean
save_new_slots (const char    *dir,
                const guint8  *key,
                const char    *name,
                gint64         account_id,
                const char    *passphrase,
                const char    *recovery_key,
                GError       **error)
{
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_key_slot_free);
  g_autofree char *keys_path = g_build_filename (dir, KEYS_NAME, NULL);
  VpKeySlot *slot;

  slot = vp_key_slot_new_wrapped (key, NULL, "passphrase", account_id, passphrase,
                                  VP_SCRYPT_DEFAULT_N_LOG2, error);
  if (slot == NULL)
    return FALSE;
  vp_key_slot_set_name (slot, name);
  g_ptr_array_add (slots, slot);
  slot = vp_key_slot_new_wrapped (key, NULL, "recovery", account_id, recovery_key,
                                  VP_SCRYPT_DEFAULT_N_LOG2, error);
  if (slot == NULL)
    return FALSE;
  g_ptr_array_add (slots, slot);
  return vp_key_slots_save (keys_path, slots, error);
}

/* Creates the team's store with its first account, a team leader. The
 * recovery key is returned once, for the team leader to print or save: it
 * is stored nowhere but in its own key slot. */
VpStore *
vp_store_create (const char          *dir,
                 const VpStoreSetup  *setup,
                 char               **recovery_key,
                 GError             **error)
{
  return _vp_store_create_at_version (dir, setup, vp_schema_current_version (), recovery_key, error);
}

VpStore *
_vp_store_create_at_version (const char          *dir,
                             const VpStoreSetup  *setup,
                             guint                version,
                             char               **recovery_key,
                             GError             **error)
{
  g_autoptr(VpStore) self = NULL;
  g_autofree char *recovery = NULL;
  g_autoptr(VpSecureKey) key = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (setup != NULL, NULL);
  g_return_val_if_fail (version >= 1, NULL);

  if (!vp_store_validate_setup (setup, error))
    return NULL;
  if (vp_store_exists (dir))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_EXISTS,
                           _("A store already exists in this folder"));
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The folder for the store could not be created: %s"), g_strerror (saved_errno));
      return NULL;
    }

  key = secure_key_new (error);
  if (key == NULL)
    return NULL;
  recovery = vp_recovery_key_generate (error);
  if (recovery == NULL || !vp_random_bytes (key, VP_DATA_KEY_LEN, error))
    goto fail;

  self = g_object_new (VP_TYPE_STORE, NULL);
  self->dir = g_strdup (dir);
  self->db = open_keyed (dir, key, TRUE, error);
  if (self->db == NULL ||
      !vp_schema_migrate (self->db, version, error) ||
      !write_initial_rows (self, setup, error) ||
      !save_new_slots (dir, key, setup->account_name, self->account_id, setup->passphrase, recovery, error) ||
      !load_identity (self, error))
    goto fail;

  self->key = g_steal_pointer (&key);
  if (recovery_key != NULL)
    *recovery_key = g_steal_pointer (&recovery);
  else
    vp_wipe (recovery, strlen (recovery));
  return g_steal_pointer (&self);

fail:
  if (recovery != NULL)
    vp_wipe (recovery, strlen (recovery));
  if (self != NULL && self->db != NULL)
    vp_store_close (self);
  remove_store_files (dir);
  return NULL;
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

  if (!vp_store_exists (dir))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND,
                           _("There is no store in this folder"));
      return NULL;
    }
  /* The key is unwrapped straight into the secure heap. */
  key = secure_key_new (error);
  if (key == NULL ||
      !_vp_store_unlock_key (dir, kind, name, secret, key, &account_id, error))
    return NULL;

  self = g_object_new (VP_TYPE_STORE, NULL);
  self->dir = g_strdup (dir);
  self->account_id = account_id;
  self->recovered = recovered;
  self->db = open_keyed (dir, key, FALSE, error);
  if (self->db != NULL)
    self->key = g_steal_pointer (&key);

  if (self->db == NULL ||
      !vp_schema_migrate (self->db, vp_schema_current_version (), error) ||
      !load_identity (self, error) ||
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
  clone->key = secure_key_dup (self->key, error);
  if (clone->key == NULL)
    return NULL;
  clone->db = open_keyed (self->dir, self->key, FALSE, error);
  if (clone->db == NULL || !load_identity (clone, error))
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
  return open_keyed (self->dir, self->key, FALSE, error);
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
  return g_build_filename (self->dir, KEYS_NAME, NULL);
}

/* Locking: closing the connection makes SQLCipher wipe its copy of the
 * key. Locking cannot be refused, so a connection that does not close at
 * once (see _vp_sqlite_close()) is reported in the log. */
void
vp_store_close (VpStore *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (VP_IS_STORE (self));

  g_clear_pointer (&self->key, secure_key_free);
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
