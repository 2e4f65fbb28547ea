/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The part of VpStore that the data layer's modules call, over a plain
 * SQLite file: no keys, no slots, no cipher. bench-plain links it with
 * those modules compiled against Debian's libsqlite3, so that the plain
 * side runs the app's own code and SQL. The connection gets the store's
 * settings (data/vp-store-open.c, configure()) minus the cipher ones; the
 * benchmark driver checks that both sides report the same. */
#include "config.h"

#include "bench-plain-store.h"
#include "vp-store-private.h"
#include "vp-team-store.h"
#include "vp-sync.h"

struct _VpStore
{
  GObject  parent_instance;

  sqlite3 *db;
  gint64   account_id;
  char    *role;
  char    *team_code;
  char    *municipality_code;
  char    *installation_id;
};

G_DEFINE_FINAL_TYPE (VpStore, vp_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (vp-store-error-quark, vp_store_error)

static void
vp_store_finalize (GObject *object)
{
  VpStore *self = VP_STORE (object);

  sqlite3_close (self->db);
  g_free (self->role);
  g_free (self->team_code);
  g_free (self->municipality_code);
  g_free (self->installation_id);
  G_OBJECT_CLASS (vp_store_parent_class)->finalize (object);
}

static void
vp_store_class_init (VpStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_store_finalize;
}

static void
vp_store_init (VpStore *self)
{
}

sqlite3 *
vp_store_get_db (VpStore *self)
{
  return self->db;
}

gboolean
vp_store_is_open (VpStore *self)
{
  return self->db != NULL;
}

gboolean
vp_store_set_sqlite_error (VpStore  *self,
                           int       rc,
                           GError  **error)
{
  g_set_error (error, VP_STORE_ERROR, (rc & 0xff) == SQLITE_BUSY ? VP_STORE_ERROR_BUSY : VP_STORE_ERROR_FAILED,
               "%s (%s)", sqlite3_errmsg (self->db), sqlite3_errstr (rc));
  return FALSE;
}

gboolean
vp_store_exec (VpStore     *self,
               const char  *sql,
               GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  return rc == SQLITE_OK || vp_store_set_sqlite_error (self, rc, error);
}

/* A single laptop: not in a team. */
gboolean
vp_store_team_is_coach_laptop (VpStore *self)
{
  return FALSE;
}

/* A single laptop: no team changes to append. */
gboolean
vp_store_commit (VpStore  *self,
                 GError  **error)
{
  return vp_store_exec (self, "COMMIT", error);
}

gint64
vp_store_get_account_id (VpStore *self)
{
  return self->account_id;
}

const char *
vp_store_get_account_role (VpStore *self)
{
  return self->role;
}

const char *
vp_store_get_team_code (VpStore *self)
{
  return self->team_code;
}

const char *
vp_store_get_municipality_code (VpStore *self)
{
  return self->municipality_code;
}

const char *
vp_store_get_installation_id (VpStore *self)
{
  return self->installation_id;
}

gboolean
_vp_is_blank (const char *s)
{
  for (; s != NULL && *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

gboolean
vp_store_read_setting (VpStore     *self,
                       const char  *key,
                       char       **value,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL);

  *value = NULL;
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

char *
vp_store_get_setting (VpStore    *self,
                      const char *key)
{
  char *value = NULL;

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
  int rc = sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                               -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || vp_store_set_sqlite_error (self, rc, error);
}

/* As sync/vp-sync.c reads it. */
guint
vp_sync_get_grace_days (VpStore *store)
{
  g_autofree char *text = vp_store_get_setting (store, "report_grace_days");
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, 365, &value, NULL))
    return 7;
  return (guint) value;
}

VpStore *
bench_plain_store_open (const char  *path,
                        GError     **error)
{
  /* configure() in data/vp-store-open.c, without the cipher's settings. */
  static const char *pragmas =
    "PRAGMA temp_store = MEMORY;"
    "PRAGMA secure_delete = ON;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;";
  g_autoptr(VpStore) self = g_object_new (VP_TYPE_STORE, NULL);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (self->db, 5000);
      rc = sqlite3_exec (self->db, pragmas, NULL, NULL, NULL);
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (self->db, "SELECT id, role FROM account WHERE active = 1 ORDER BY id LIMIT 1",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    {
      self->account_id = sqlite3_column_int64 (stmt, 0);
      self->role = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK || self->role == NULL)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED, "%s is not a plain copy of a store: %s",
                   path, sqlite3_errmsg (self->db));
      return NULL;
    }
  self->team_code = vp_store_get_setting (self, "team_code");
  self->municipality_code = vp_store_get_setting (self, "municipality_code");
  self->installation_id = vp_store_get_setting (self, "installation_id");
  return g_steal_pointer (&self);
}
