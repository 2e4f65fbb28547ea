/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <string.h>

#include "vp-endpoint-db.h"

/* The reference endpoint's storage: plain SQLite (the SQLCipher library used
 * without a key; the reports hold only published aggregates). Reports are
 * append-only: every revision is kept, and triggers refuse UPDATE and DELETE.
 * Tokens and session ids are kept only as SHA-256 hashes of the text handed
 * out. Teams have a display name, a group (a district's teams) and belong to
 * one municipality; a read token and its sessions see one municipality. */

#define SCHEMA_VERSION 3
#define TOKEN_BYTES 32
#define MAX_TOKEN_LENGTH 256

struct _VpEndpointDb
{
  GObject  parent_instance;

  sqlite3 *db;
};

G_DEFINE_FINAL_TYPE (VpEndpointDb, vp_endpoint_db, G_TYPE_OBJECT)

G_DEFINE_QUARK (vp-endpoint-db-error-quark, vp_endpoint_db_error)

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS tokens ("
  "  team TEXT NOT NULL,"
  "  token_sha256 TEXT NOT NULL UNIQUE,"
  "  kind TEXT NOT NULL CHECK (kind IN ('write', 'read')),"
  "  created_at TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS reports ("
  "  team TEXT NOT NULL,"
  "  installation TEXT NOT NULL,"
  "  period TEXT NOT NULL,"
  "  revision INTEGER NOT NULL CHECK (revision >= 1),"
  "  municipality TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  body_sha256 TEXT NOT NULL,"
  "  received_at TEXT NOT NULL,"
  "  PRIMARY KEY (team, installation, period, revision));"
  "CREATE TRIGGER IF NOT EXISTS reports_no_update BEFORE UPDATE ON reports"
  "  BEGIN SELECT RAISE (ABORT, 'reports are append-only'); END;"
  "CREATE TRIGGER IF NOT EXISTS reports_no_delete BEFORE DELETE ON reports"
  "  BEGIN SELECT RAISE (ABORT, 'reports are append-only'); END;"
  /* INSERT OR REPLACE would delete the old row without a DELETE trigger. */
  "CREATE TRIGGER IF NOT EXISTS reports_no_replace BEFORE INSERT ON reports"
  "  WHEN EXISTS (SELECT 1 FROM reports WHERE team = NEW.team AND installation = NEW.installation"
  "               AND period = NEW.period AND revision = NEW.revision)"
  "  BEGIN SELECT RAISE (ABORT, 'reports are append-only'); END;";

/* Version 2: teams, laptops' labels, read scopes and sign-in sessions. A
 * read token's municipality lives in its own column; read tokens of
 * version 1 (team "*", no municipality) see nothing and must be issued
 * again. */
static const char schema_v2_sql[] =
  "CREATE TABLE teams ("
  "  code TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  municipality TEXT NOT NULL,"
  "  team_group TEXT NOT NULL DEFAULT '');"
  "CREATE TABLE installations ("
  "  team TEXT NOT NULL,"
  "  installation TEXT NOT NULL,"
  "  label TEXT,"
  "  first_seen TEXT NOT NULL,"
  "  PRIMARY KEY (team, installation));"
  "CREATE TABLE sessions ("
  "  id_sha256 TEXT PRIMARY KEY,"
  "  municipality TEXT NOT NULL,"
  "  expires_at INTEGER NOT NULL);"
  "ALTER TABLE tokens ADD COLUMN municipality TEXT;"
  "CREATE INDEX reports_by_municipality ON reports (municipality, period);";

/* Version 3: client certificates (by their subject, RFC 4514) and the team
 * each may send for. */
static const char schema_v3_sql[] =
  "CREATE TABLE client_certificates ("
  "  subject TEXT PRIMARY KEY,"
  "  team TEXT NOT NULL);";

void
vp_stored_report_free (VpStoredReport *report)
{
  if (report == NULL)
    return;
  g_free (report->team);
  g_free (report->installation);
  g_free (report->period);
  g_free (report->municipality);
  g_free (report->body);
  g_free (report->received_at);
  g_free (report);
}

static void
vp_endpoint_db_finalize (GObject *object)
{
  VpEndpointDb *self = VP_ENDPOINT_DB (object);

  g_clear_pointer (&self->db, sqlite3_close_v2);

  G_OBJECT_CLASS (vp_endpoint_db_parent_class)->finalize (object);
}

static void
vp_endpoint_db_class_init (VpEndpointDbClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_endpoint_db_finalize;
}

static void
vp_endpoint_db_init (VpEndpointDb *self)
{
}

static gboolean
sqlite_error (VpEndpointDb  *self,
              int            rc,
              GError       **error)
{
  g_set_error (error, VP_ENDPOINT_DB_ERROR, VP_ENDPOINT_DB_ERROR_FAILED,
               _("Database error: %s"),
               self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec (VpEndpointDb  *self,
      const char    *sql,
      GError       **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  return rc == SQLITE_OK || sqlite_error (self, rc, error);
}

static gboolean
prepare (VpEndpointDb   *self,
         const char     *sql,
         sqlite3_stmt  **stmt,
         GError        **error)
{
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL);

  return rc == SQLITE_OK || sqlite_error (self, rc, error);
}

static char *
now_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* The file is made readable by its owner only before SQLite opens it; the
 * WAL and shared-memory files take their mode from it. */
static gboolean
create_private (const char  *path,
                GError     **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int saved_errno = errno;

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  return g_close (fd, error);
}

static gboolean
migrate (VpEndpointDb  *self,
         GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int version = 0;
  g_autofree char *set_version = NULL;

  if (!prepare (self, "PRAGMA user_version", &stmt, error))
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, VP_ENDPOINT_DB_ERROR, VP_ENDPOINT_DB_ERROR_FAILED,
                   _("The database was made by a newer version of this program"));
      return FALSE;
    }
  if (version == SCHEMA_VERSION)
    return TRUE;

  set_version = g_strdup_printf ("PRAGMA user_version = %d", SCHEMA_VERSION);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  if ((version < 1 && !exec (self, schema_sql, error)) ||
      (version < 2 && !exec (self, schema_v2_sql, error)) ||
      (version < 3 && !exec (self, schema_v3_sql, error)) ||
      !exec (self, set_version, error) ||
      !exec (self, "COMMIT", error))
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

/**
 * vp_endpoint_db_open:
 * @path: the database file, created when missing
 * @error: return location for an error
 *
 * Returns: (transfer full): the opened database, or %NULL
 */
VpEndpointDb *
vp_endpoint_db_open (const char  *path,
                     GError     **error)
{
  g_autoptr(VpEndpointDb) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!create_private (path, error))
    return NULL;

  self = g_object_new (VP_TYPE_ENDPOINT_DB, NULL);
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite_error (self, rc, error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !migrate (self, error))
    {
      if (error != NULL && *error != NULL)
        g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

static char *
random_token (GError **error)
{
  static const char hex[] = "0123456789abcdef";
  guchar bytes[TOKEN_BYTES];
  char *token;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    {
      g_set_error (error, VP_ENDPOINT_DB_ERROR, VP_ENDPOINT_DB_ERROR_FAILED,
                   _("No secure random numbers are available"));
      return NULL;
    }
  token = g_malloc (TOKEN_BYTES * 2 + 1);
  for (guint i = 0; i < TOKEN_BYTES; i++)
    {
      token[2 * i] = hex[bytes[i] >> 4];
      token[2 * i + 1] = hex[bytes[i] & 0xf];
    }
  token[TOKEN_BYTES * 2] = '\0';
  OPENSSL_cleanse (bytes, sizeof bytes);
  return token;
}

static const char *
kind_text (VpTokenKind kind)
{
  return kind == VP_TOKEN_READ ? "read" : "write";
}

/**
 * vp_endpoint_db_issue_token:
 * @self: a #VpEndpointDb
 * @kind: what the token may do
 * @scope: the team a write token sends for, or the municipality (GMxxxx)
 *   whose figures a read token shows
 * @error: return location for an error
 *
 * Makes a new random token (64 hexadecimal digits) and stores its hash.
 *
 * Returns: (transfer full): the token, to be handed over once, or %NULL
 */
char *
vp_endpoint_db_issue_token (VpEndpointDb  *self,
                            VpTokenKind    kind,
                            const char    *scope,
                            GError       **error)
{
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *created = now_text ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), NULL);
  g_return_val_if_fail (scope != NULL, NULL);

  token = random_token (error);
  if (token == NULL)
    return NULL;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  if (!prepare (self,
                "INSERT INTO tokens (team, token_sha256, kind, created_at, municipality)"
                " VALUES (?1, ?2, ?3, ?4, ?5)",
                &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, kind == VP_TOKEN_READ ? "*" : scope, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, kind_text (kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, created, -1, SQLITE_STATIC);
  if (kind == VP_TOKEN_READ)
    sqlite3_bind_text (stmt, 5, scope, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&token);
}

/* The scope a token grants: its team for a write token, its municipality
 * for a read token; NULL when the token is not valid for @kind. Looking the
 * hash up, not the token, keeps the comparison from leaking the token
 * through its timing. */
static gboolean
token_scope (VpEndpointDb  *self,
             const char    *token,
             VpTokenKind    kind,
             char         **scope,
             GError       **error)
{
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  gsize len = token != NULL ? strlen (token) : 0;
  int rc;

  *scope = NULL;
  if (len == 0 || len > MAX_TOKEN_LENGTH)
    return TRUE;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, (gssize) len);
  if (!prepare (self,
                "SELECT CASE kind WHEN 'read' THEN municipality ELSE team END"
                " FROM tokens WHERE token_sha256 = ?1 AND kind = ?2",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind_text (kind), -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *scope = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

/**
 * vp_endpoint_db_check_token:
 * @self: a #VpEndpointDb
 * @token: (nullable): the token presented
 * @team: the team in the request's address
 * @allowed: (out): whether the token may send reports for @team
 * @error: return location for an error
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
vp_endpoint_db_check_token (VpEndpointDb  *self,
                            const char    *token,
                            const char    *team,
                            gboolean      *allowed,
                            GError       **error)
{
  g_autofree char *scope = NULL;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);
  g_return_val_if_fail (allowed != NULL, FALSE);

  *allowed = FALSE;
  if (!token_scope (self, token, VP_TOKEN_WRITE, &scope, error))
    return FALSE;
  *allowed = scope != NULL && g_strcmp0 (scope, team) == 0;
  return TRUE;
}

/**
 * vp_endpoint_db_read_scope:
 * @self: a #VpEndpointDb
 * @token: (nullable): the read token presented
 * @municipality: (out) (transfer full) (nullable): the municipality whose
 *   figures the token shows, or %NULL when it is not a valid read token
 * @error: return location for an error
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
vp_endpoint_db_read_scope (VpEndpointDb  *self,
                           const char    *token,
                           char         **municipality,
                           GError       **error)
{
  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);
  g_return_val_if_fail (municipality != NULL, FALSE);

  return token_scope (self, token, VP_TOKEN_READ, municipality, error);
}

/* Looks for the very revision offered. Returns FALSE on a database error;
 * *found tells whether it is stored, *same whether with these bytes. */
static gboolean
find_revision (VpEndpointDb  *self,
               const char    *team,
               const char    *installation,
               const char    *period,
               gint64         revision,
               const char    *body,
               gsize          body_len,
               gboolean      *found,
               gboolean      *same,
               GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!prepare (self,
                "SELECT body FROM reports"
                " WHERE team = ?1 AND installation = ?2 AND period = ?3 AND revision = ?4",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, team, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, installation, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, period, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, revision);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  if (*found)
    {
      const void *stored = sqlite3_column_blob (stmt, 0);
      gsize stored_len = (gsize) sqlite3_column_bytes (stmt, 0);

      *same = stored_len == body_len && (body_len == 0 || memcmp (stored, body, body_len) == 0);
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

static gboolean
latest_revision (VpEndpointDb  *self,
                 const char    *team,
                 const char    *installation,
                 const char    *period,
                 gint64        *latest,
                 GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!prepare (self,
                "SELECT coalesce (max (revision), 0) FROM reports"
                " WHERE team = ?1 AND installation = ?2 AND period = ?3",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, team, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, installation, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, period, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *latest = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || sqlite_error (self, rc, error);
}

static gboolean
insert_report (VpEndpointDb  *self,
               const char    *team,
               const char    *installation,
               const char    *period,
               gint64         revision,
               const char    *municipality,
               const char    *body,
               gsize          body_len,
               GError       **error)
{
  g_autofree char *hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) body, body_len);
  g_autofree char *received = now_text ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!prepare (self,
                "INSERT INTO reports (team, installation, period, revision, municipality,"
                "                     body, body_sha256, received_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, team, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, installation, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, period, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, revision);
  sqlite3_bind_text (stmt, 5, municipality, -1, SQLITE_STATIC);
  sqlite3_bind_text64 (stmt, 6, body, body_len, SQLITE_STATIC, SQLITE_UTF8);
  sqlite3_bind_text (stmt, 7, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, received, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

static gboolean
store_in_transaction (VpEndpointDb    *self,
                      const char      *team,
                      const char      *installation,
                      const char      *period,
                      gint64           revision,
                      const char      *municipality,
                      const char      *body,
                      gsize            body_len,
                      VpStoreOutcome  *outcome,
                      gint64          *stored_revision,
                      GError         **error)
{
  gboolean found = FALSE;
  gboolean same = FALSE;
  gint64 latest = 0;

  if (!find_revision (self, team, installation, period, revision, body, body_len,
                      &found, &same, error))
    return FALSE;
  if (found)
    {
      *outcome = same ? VP_STORE_ALREADY_STORED : VP_STORE_DIFFERENT_BODY;
      *stored_revision = revision;
      return TRUE;
    }

  if (!latest_revision (self, team, installation, period, &latest, error))
    return FALSE;
  if (latest > revision)
    {
      *outcome = VP_STORE_OLDER_REVISION;
      *stored_revision = latest;
      return TRUE;
    }

  if (!insert_report (self, team, installation, period, revision, municipality,
                      body, body_len, error))
    return FALSE;
  *outcome = VP_STORE_STORED;
  *stored_revision = revision;
  return TRUE;
}

/**
 * vp_endpoint_db_store_report:
 * @self: a #VpEndpointDb
 * @team: the team code
 * @installation: the installation id
 * @period: the month, YYYY-MM
 * @revision: the report's revision
 * @municipality: the municipality code
 * @body: the report's bytes, stored as they came
 * @body_len: the length of @body
 * @outcome: (out): what became of the report
 * @stored_revision: (out) (optional): the revision stored, or the newer one
 *   that made this one too old
 * @error: return location for an error
 *
 * Stores a validated report unless this revision or a newer one is stored
 * already; in one transaction, so two senders cannot both win.
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
vp_endpoint_db_store_report (VpEndpointDb    *self,
                             const char      *team,
                             const char      *installation,
                             const char      *period,
                             gint64           revision,
                             const char      *municipality,
                             const char      *body,
                             gsize            body_len,
                             VpStoreOutcome  *outcome,
                             gint64          *stored_revision,
                             GError         **error)
{
  gint64 unused = 0;
  gboolean ok;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (outcome != NULL, FALSE);

  if (stored_revision == NULL)
    stored_revision = &unused;
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  ok = store_in_transaction (self, team, installation, period, revision, municipality,
                             body, body_len, outcome, stored_revision, error) &&
       exec (self, "COMMIT", error);
  if (!ok)
    exec (self, "ROLLBACK", NULL);
  return ok;
}

/**
 * vp_endpoint_db_latest_reports:
 * @self: a #VpEndpointDb
 * @municipality: (nullable): only this municipality's reports
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type VpStoredReport): the latest revision
 *   of every report, by period, team and installation; %NULL on error
 */
GPtrArray *
vp_endpoint_db_latest_reports (VpEndpointDb  *self,
                               const char    *municipality,
                               GError       **error)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_stored_report_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), NULL);

  if (!prepare (self,
                "SELECT r.team, r.installation, r.period, r.revision, r.municipality,"
                "       r.body, r.received_at"
                " FROM reports r"
                " WHERE r.revision = (SELECT max (m.revision) FROM reports m"
                "                     WHERE m.team = r.team AND m.installation = r.installation"
                "                       AND m.period = r.period)"
                "   AND (?1 IS NULL OR r.municipality = ?1)"
                " ORDER BY r.period, r.team, r.installation",
                &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, municipality, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VpStoredReport *report = g_new0 (VpStoredReport, 1);

      report->team = column_dup (stmt, 0);
      report->installation = column_dup (stmt, 1);
      report->period = column_dup (stmt, 2);
      report->revision = sqlite3_column_int64 (stmt, 3);
      report->municipality = column_dup (stmt, 4);
      report->body = column_dup (stmt, 5);
      report->received_at = column_dup (stmt, 6);
      g_ptr_array_add (reports, report);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&reports);
}

/**
 * vp_endpoint_db_set_team:
 * @self: a #VpEndpointDb
 * @code: the team code, as in report addresses
 * @name: the name the overview shows
 * @municipality: the municipality (GMxxxx) the team works for
 * @group: (nullable): the group of teams it belongs to, such as a district
 * @error: return location for an error
 *
 * Adds the team, or renames and regroups it.
 *
 * Returns: %TRUE on success
 */
gboolean
vp_endpoint_db_set_team (VpEndpointDb  *self,
                         const char    *code,
                         const char    *name,
                         const char    *municipality,
                         const char    *group,
                         GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);
  g_return_val_if_fail (code != NULL && name != NULL && municipality != NULL, FALSE);

  if (!prepare (self,
                "INSERT INTO teams (code, name, municipality, team_group) VALUES (?1, ?2, ?3, ?4)"
                " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
                "   municipality = excluded.municipality, team_group = excluded.team_group",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, municipality, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, group != NULL ? group : "", -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

/**
 * vp_endpoint_db_team_municipality:
 * @self: a #VpEndpointDb
 * @team: a team code
 * @municipality: (out) (transfer full) (nullable): the team's municipality,
 *   or %NULL for a team that was never registered with one
 * @error: return location for an error
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
vp_endpoint_db_team_municipality (VpEndpointDb  *self,
                                  const char    *team,
                                  char         **municipality,
                                  GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);

  *municipality = NULL;
  if (!prepare (self, "SELECT municipality FROM teams WHERE code = ?1", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, team, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *municipality = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

void
vp_endpoint_team_free (VpEndpointTeam *team)
{
  if (team == NULL)
    return;
  g_free (team->code);
  g_free (team->name);
  g_free (team->group);
  g_free (team);
}

/**
 * vp_endpoint_db_teams:
 * @self: a #VpEndpointDb
 * @municipality: the municipality
 * @error: return location for an error
 *
 * The municipality's registered teams, and the teams that sent it reports
 * without being registered (named by their code), by group and name.
 *
 * Returns: (transfer full) (element-type VpEndpointTeam): the teams, or
 *   %NULL on error
 */
GPtrArray *
vp_endpoint_db_teams (VpEndpointDb  *self,
                      const char    *municipality,
                      GError       **error)
{
  g_autoptr(GPtrArray) teams = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_endpoint_team_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), NULL);

  if (!prepare (self,
                "SELECT code, name, team_group FROM teams WHERE municipality = ?1"
                " UNION"
                " SELECT DISTINCT team, team, '' FROM reports"
                "  WHERE municipality = ?1 AND team NOT IN (SELECT code FROM teams)"
                " ORDER BY 3, 2, 1",
                &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, municipality, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VpEndpointTeam *team = g_new0 (VpEndpointTeam, 1);

      team->code = column_dup (stmt, 0);
      team->name = column_dup (stmt, 1);
      team->group = column_dup (stmt, 2);
      g_ptr_array_add (teams, team);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&teams);
}

/**
 * vp_endpoint_db_note_installation:
 * @self: a #VpEndpointDb
 * @team: the team code
 * @installation: the installation id
 * @label: (nullable): the name the laptop goes by, as its team leader chose
 *   it; %NULL keeps the one known
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
vp_endpoint_db_note_installation (VpEndpointDb  *self,
                                  const char    *team,
                                  const char    *installation,
                                  const char    *label,
                                  GError       **error)
{
  g_autofree char *now = now_text ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);

  if (!prepare (self,
                "INSERT INTO installations (team, installation, label, first_seen)"
                " VALUES (?1, ?2, ?3, ?4)"
                " ON CONFLICT (team, installation) DO UPDATE"
                "   SET label = coalesce (excluded.label, label)",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, team, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, installation, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, label, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

void
vp_endpoint_installation_free (VpEndpointInstallation *installation)
{
  if (installation == NULL)
    return;
  g_free (installation->team);
  g_free (installation->id);
  g_free (installation->label);
  g_free (installation);
}

/**
 * vp_endpoint_db_installations:
 * @self: a #VpEndpointDb
 * @error: return location for an error
 *
 * Every laptop seen, with its label and its number within its team in the
 * order first seen, so that a laptop without a label can be shown as
 * "Laptop N" and ids never show.
 *
 * Returns: (transfer full) (element-type VpEndpointInstallation): the
 *   laptops, or %NULL on error
 */
GPtrArray *
vp_endpoint_db_installations (VpEndpointDb  *self,
                              GError       **error)
{
  g_autoptr(GPtrArray) installations = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_endpoint_installation_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), NULL);

  if (!prepare (self,
                "SELECT team, installation, nullif (label, ''),"
                "       row_number () OVER (PARTITION BY team ORDER BY first_seen, installation)"
                " FROM installations ORDER BY team, 4",
                &stmt, error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VpEndpointInstallation *installation = g_new0 (VpEndpointInstallation, 1);

      installation->team = column_dup (stmt, 0);
      installation->id = column_dup (stmt, 1);
      installation->label = column_dup (stmt, 2);
      installation->number = sqlite3_column_int (stmt, 3);
      g_ptr_array_add (installations, installation);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&installations);
}

/**
 * vp_endpoint_db_new_session:
 * @self: a #VpEndpointDb
 * @municipality: what the session may read
 * @lifetime: seconds until it expires
 * @error: return location for an error
 *
 * Returns: (transfer full): the session id for the cookie, or %NULL
 */
char *
vp_endpoint_db_new_session (VpEndpointDb  *self,
                            const char    *municipality,
                            gint64         lifetime,
                            GError       **error)
{
  g_autofree char *id = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), NULL);

  id = random_token (error);
  if (id == NULL)
    return NULL;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);
  /* Expired sessions go as new ones come, so the table stays small. */
  if (!prepare (self, "DELETE FROM sessions WHERE expires_at <= ?1", &stmt, error))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, rc, error);
      return NULL;
    }
  if (!prepare (self, "INSERT INTO sessions (id_sha256, municipality, expires_at) VALUES (?1, ?2, ?3)",
                &stmt, error))
    return NULL;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, municipality, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now + lifetime);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&id);
}

/**
 * vp_endpoint_db_session_scope:
 * @self: a #VpEndpointDb
 * @id: (nullable): the session id from the cookie
 * @municipality: (out) (transfer full) (nullable): what the session may
 *   read, or %NULL when it is unknown or expired
 * @error: return location for an error
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
vp_endpoint_db_session_scope (VpEndpointDb  *self,
                              const char    *id,
                              char         **municipality,
                              GError       **error)
{
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  gsize len = id != NULL ? strlen (id) : 0;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);

  *municipality = NULL;
  if (len == 0 || len > MAX_TOKEN_LENGTH)
    return TRUE;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, (gssize) len);
  if (!prepare (self, "SELECT municipality FROM sessions WHERE id_sha256 = ?1 AND expires_at > ?2",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *municipality = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

/**
 * vp_endpoint_db_end_session:
 * @self: a #VpEndpointDb
 * @id: (nullable): the session id from the cookie
 * @error: return location for an error
 *
 * Returns: %TRUE on success, also when there was no such session
 */
gboolean
vp_endpoint_db_end_session (VpEndpointDb  *self,
                            const char    *id,
                            GError       **error)
{
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);

  if (id == NULL || *id == '\0')
    return TRUE;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);
  if (!prepare (self, "DELETE FROM sessions WHERE id_sha256 = ?1", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

/**
 * vp_endpoint_db_map_certificate:
 * @self: a #VpEndpointDb
 * @subject: a client certificate's subject (RFC 4514, as GnuTLS writes it)
 * @team: the team it may send reports for
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
vp_endpoint_db_map_certificate (VpEndpointDb  *self,
                                const char    *subject,
                                const char    *team,
                                GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);

  if (!prepare (self,
                "INSERT INTO client_certificates (subject, team) VALUES (?1, ?2)"
                " ON CONFLICT (subject) DO UPDATE SET team = excluded.team",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, team, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || sqlite_error (self, rc, error);
}

/**
 * vp_endpoint_db_certificate_team:
 * @self: a #VpEndpointDb
 * @subject: a verified client certificate's subject
 * @team: (out) (transfer full) (nullable): its team, or %NULL
 * @error: return location for an error
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
vp_endpoint_db_certificate_team (VpEndpointDb  *self,
                                 const char    *subject,
                                 char         **team,
                                 GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (self), FALSE);

  *team = NULL;
  if (!prepare (self, "SELECT team FROM client_certificates WHERE subject = ?1", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, subject, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *team = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || sqlite_error (self, rc, error);
}
