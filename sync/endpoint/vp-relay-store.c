/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-relay"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <string.h>

#include "vp-relay-store.h"

/* The relay's storage, in a file of its own beside the endpoint's
 * database: that one is append-only and holds published figures, this one
 * deletes (compaction) and must overwrite what it deletes, which
 * secure_delete does for the whole file. SQLite in WAL mode with
 * synchronous = FULL: an answer is sent only after its transaction is on
 * disk, so a killed relay loses nothing it acknowledged.
 *
 * What it holds, per team: its uid, the report team that created it, the
 * next cursor, the newest key epoch, the bytes stored and the last
 * compacted snapshot. Per device: its uid, state, whether it is the admin,
 * the SHA-256 of its token (never the token), its last sequence, the
 * cursor it acknowledged and when it was last seen. Per invitation (for
 * 15 minutes and an hour of grace): the code, the commitment and the two
 * enrolment shares (public keys and nonces). Per blob: the cursor, device,
 * sequence, epoch, snapshot number, arrival time, size and the sealed
 * bytes. Nothing else: no names, no addresses. */

#define SCHEMA_VERSION 1
#define EXPIRED_GRACE (60 * 60)

struct _VpRelayStore
{
  GObject        parent_instance;

  sqlite3       *db;
  VpRelayLimits  limits;
};

G_DEFINE_FINAL_TYPE (VpRelayStore, vp_relay_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (vp-relay-store-error-quark, vp_relay_store_error)

static const char schema_sql[] =
  "CREATE TABLE relay_teams ("
  "  uid TEXT PRIMARY KEY,"
  "  report_team TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  next_cursor INTEGER NOT NULL DEFAULT 1,"
  "  epoch INTEGER NOT NULL DEFAULT 0,"
  "  bytes INTEGER NOT NULL DEFAULT 0,"
  "  snapshot INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE relay_devices ("
  "  team TEXT NOT NULL REFERENCES relay_teams (uid),"
  "  uid TEXT NOT NULL,"
  "  token_sha256 BLOB NOT NULL UNIQUE,"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'removed')),"
  "  admin INTEGER NOT NULL DEFAULT 0,"
  "  last_sequence INTEGER NOT NULL DEFAULT 0,"
  "  acked INTEGER NOT NULL DEFAULT 0,"
  "  last_seen INTEGER NOT NULL DEFAULT 0,"
  "  invite TEXT,"
  "  PRIMARY KEY (team, uid));"
  "CREATE TABLE relay_invites ("
  "  code TEXT PRIMARY KEY,"
  "  team TEXT NOT NULL REFERENCES relay_teams (uid),"
  "  commitment BLOB NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  joiner TEXT,"
  "  joiner_share BLOB,"
  "  inviter_share BLOB);"
  "CREATE TABLE relay_keys ("
  "  team TEXT NOT NULL,"
  "  device TEXT NOT NULL,"
  "  epoch INTEGER NOT NULL,"
  "  wrapped BLOB NOT NULL,"
  "  PRIMARY KEY (team, device, epoch));"
  "CREATE TABLE relay_blobs ("
  "  team TEXT NOT NULL,"
  "  cursor INTEGER NOT NULL,"
  "  device TEXT NOT NULL,"
  "  sequence INTEGER NOT NULL,"
  "  epoch INTEGER NOT NULL,"
  "  snapshot INTEGER NOT NULL,"
  "  arrived_at INTEGER NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  data BLOB NOT NULL,"
  "  PRIMARY KEY (team, cursor),"
  "  UNIQUE (team, device, sequence));";

static void
vp_relay_store_finalize (GObject *object)
{
  VpRelayStore *self = VP_RELAY_STORE (object);

  g_clear_pointer (&self->db, sqlite3_close_v2);

  G_OBJECT_CLASS (vp_relay_store_parent_class)->finalize (object);
}

static void
vp_relay_store_class_init (VpRelayStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_relay_store_finalize;
}

static void
vp_relay_store_init (VpRelayStore *self)
{
}

static gboolean
db_error (VpRelayStore  *self,
          GError       **error)
{
  g_set_error (error, VP_RELAY_STORE_ERROR, VP_RELAY_STORE_ERROR_FAILED,
               _("Relay database error: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (VpRelayStore  *self,
      const char    *sql,
      GError       **error)
{
  return sqlite3_exec (self->db, sql, NULL, NULL, NULL) == SQLITE_OK || db_error (self, error);
}

/* A prepared statement with its parameters bound from a format: 't' text,
 * 'i' 64-bit integer, 'b' blob (pointer, then length), 'u' a VpUid as hex. */
static sqlite3_stmt *
statement (VpRelayStore  *self,
           GError       **error,
           const char    *sql,
           const char    *types,
           ...)
{
  sqlite3_stmt *stmt = NULL;
  va_list args;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  va_start (args, types);
  for (int i = 0; types[i] != '\0'; i++)
    {
      switch (types[i])
        {
        case 't':
          sqlite3_bind_text (stmt, i + 1, va_arg (args, const char *), -1, SQLITE_TRANSIENT);
          break;
        case 'i':
          sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
          break;
        case 'b':
          {
            const void *data = va_arg (args, const void *);
            gsize len = va_arg (args, gsize);

            sqlite3_bind_blob64 (stmt, i + 1, data, len, SQLITE_TRANSIENT);
          }
          break;
        case 'u':
          {
            char hex[VP_UID_STRING_LEN + 1];

            vp_uid_to_string (va_arg (args, const VpUid *), hex);
            sqlite3_bind_text (stmt, i + 1, hex, -1, SQLITE_TRANSIENT);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  va_end (args);
  return stmt;
}

/* Steps a statement that returns no row, and finalizes it. */
static gboolean
run (VpRelayStore  *self,
     sqlite3_stmt  *stmt,
     GError       **error)
{
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || db_error (self, error);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static gboolean
begin (VpRelayStore  *self,
       GError       **error)
{
  return exec (self, "BEGIN IMMEDIATE", error);
}

/* Commits when ok, else rolls back; returns ok. */
static gboolean
finish (VpRelayStore  *self,
        gboolean       ok,
        GError       **error)
{
  if (ok && exec (self, "COMMIT", error))
    return TRUE;
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
fail (GError           **error,
      VpRelayStoreError  code,
      const char        *message)
{
  g_set_error_literal (error, VP_RELAY_STORE_ERROR, code, message);
  return FALSE;
}

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
column_uid (sqlite3_stmt *stmt,
            int           column,
            VpUid        *uid)
{
  if (!vp_uid_parse ((const char *) sqlite3_column_text (stmt, column), uid, NULL))
    memset (uid, 0, sizeof *uid);
}

static gboolean
create_private (const char  *path,
                GError     **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  return g_close (fd, error);
}

static gboolean
migrate (VpRelayStore  *self,
         GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error, "PRAGMA user_version", "");
  int version;

  if (stmt == NULL)
    return FALSE;
  version = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : 0;
  if (version > SCHEMA_VERSION)
    return fail (error, VP_RELAY_STORE_ERROR_FAILED,
                 _("The relay database was made by a newer version of this program"));
  if (version == SCHEMA_VERSION)
    return TRUE;
  if (!begin (self, error))
    return FALSE;
  return finish (self, exec (self, schema_sql, error) && exec (self, "PRAGMA user_version = 1", error), error);
}

/**
 * vp_relay_store_open:
 * @path: the relay's database file, created (mode 0600) when missing
 * @limits: the quota, device limit and invitation lifetime
 * @error: return location for an error
 *
 * Returns: (transfer full): the store, or %NULL
 */
VpRelayStore *
vp_relay_store_open (const char           *path,
                     const VpRelayLimits  *limits,
                     GError              **error)
{
  g_autoptr(VpRelayStore) self = NULL;

  g_return_val_if_fail (path != NULL && limits != NULL, NULL);

  if (!create_private (path, error))
    return NULL;
  self = g_object_new (VP_TYPE_RELAY_STORE, NULL);
  self->limits = *limits;
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);
  /* secure_delete: deleted blobs are overwritten with zeros in the file,
   * not only unlinked from the tree (compaction must not leave them). */
  if (!exec (self, "PRAGMA secure_delete = ON", error) ||
      !exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* A token: 32 random bytes as base64url without padding (43 characters);
 * hash gets its SHA-256, which is all that is kept. */
static char *
new_token (guint8    hash[32],
           GError  **error)
{
  guint8 bytes[VP_RELAY_TOKEN_BYTES];
  g_autofree char *text = NULL;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    {
      fail (error, VP_RELAY_STORE_ERROR_FAILED, _("No secure random numbers are available"));
      return NULL;
    }
  text = g_base64_encode (bytes, sizeof bytes);
  OPENSSL_cleanse (bytes, sizeof bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  *strchr (text, '=') = '\0';
  EVP_Digest (text, strlen (text), hash, NULL, EVP_sha256 (), NULL);
  return g_steal_pointer (&text);
}

static gboolean
insert_device (VpRelayStore  *self,
               const VpUid   *team,
               const VpUid   *device,
               gboolean       admin,
               const char    *invite,
               char         **token,
               GError       **error)
{
  guint8 hash[32];
  g_autofree char *text = new_token (hash, error);

  if (text == NULL ||
      !run (self, statement (self, error,
                             "INSERT INTO relay_devices (team, uid, token_sha256, state, admin, invite)"
                             " VALUES (?, ?, ?, ?, ?, ?)", "uubtit",
                             team, device, hash, sizeof hash, admin ? "active" : "pending",
                             (gint64) admin, invite), error))
    {
      if (text != NULL)
        OPENSSL_cleanse (text, strlen (text));
      return FALSE;
    }
  *token = g_steal_pointer (&text);
  return TRUE;
}

static gboolean
exists (VpRelayStore  *self,
        sqlite3_stmt  *stmt,
        gboolean      *found,
        GError       **error)
{
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  *found = rc == SQLITE_ROW;
  return rc == SQLITE_ROW || rc == SQLITE_DONE || db_error (self, error);
}

/**
 * vp_relay_store_create_team:
 * @token: (out) (transfer full): the admin device's token, shown once
 *
 * Registers a team and its admin device (the team leader's laptop), which
 * is active from the start.
 */
gboolean
vp_relay_store_create_team (VpRelayStore  *self,
                            const VpUid   *team,
                            const char    *report_team,
                            const VpUid   *device,
                            char         **token,
                            GError       **error)
{
  gboolean found = FALSE;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!begin (self, error))
    return FALSE;
  ok = exists (self, statement (self, error, "SELECT 1 FROM relay_teams WHERE uid = ?", "u", team), &found, error);
  if (ok && found)
    ok = fail (error, VP_RELAY_STORE_ERROR_CONFLICT, _("A team with this id exists on the relay already"));
  ok = ok && run (self, statement (self, error, "INSERT INTO relay_teams (uid, report_team, created_at)"
                                   " VALUES (?, ?, ?)", "uti", team, report_team, now ()), error);
  ok = ok && insert_device (self, team, device, TRUE, NULL, token, error);
  return finish (self, ok, error);
}

static VpRelayDeviceState
state_from_text (const char *text)
{
  if (g_strcmp0 (text, "active") == 0)
    return VP_RELAY_DEVICE_ACTIVE;
  if (g_strcmp0 (text, "pending") == 0)
    return VP_RELAY_DEVICE_PENDING;
  return VP_RELAY_DEVICE_REMOVED;
}

/**
 * vp_relay_store_authenticate:
 * @token: (nullable): the bearer token presented
 * @found: (out): whether it belongs to a device (removed ones included)
 *
 * Returns: %FALSE only when the database failed
 */
gboolean
vp_relay_store_authenticate (VpRelayStore   *self,
                             const char     *token,
                             VpRelayCaller  *caller,
                             gboolean       *found,
                             GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint8 hash[32];
  int rc;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  *found = FALSE;
  if (token == NULL || strlen (token) > 256)
    return TRUE;
  EVP_Digest (token, strlen (token), hash, NULL, EVP_sha256 (), NULL);
  stmt = statement (self, error, "SELECT team, uid, state, admin FROM relay_devices WHERE token_sha256 = ?",
                    "b", hash, sizeof hash);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      column_uid (stmt, 0, &caller->team);
      column_uid (stmt, 1, &caller->device);
      caller->state = state_from_text ((const char *) sqlite3_column_text (stmt, 2));
      caller->admin = sqlite3_column_int (stmt, 3) != 0;
      *found = TRUE;
      return TRUE;
    }
  return rc == SQLITE_DONE || db_error (self, error);
}

static gboolean
check_admin (const VpRelayCaller  *caller,
             GError              **error)
{
  if (caller->state != VP_RELAY_DEVICE_ACTIVE || !caller->admin)
    return fail (error, VP_RELAY_STORE_ERROR_FORBIDDEN, _("Only the team leader’s laptop may do this"));
  return TRUE;
}

static gboolean
check_active (const VpRelayCaller  *caller,
              GError              **error)
{
  if (caller->state == VP_RELAY_DEVICE_PENDING)
    return fail (error, VP_RELAY_STORE_ERROR_PENDING,
                 _("This laptop is not admitted to the team yet; the team leader must confirm it first"));
  if (caller->state != VP_RELAY_DEVICE_ACTIVE)
    return fail (error, VP_RELAY_STORE_ERROR_FORBIDDEN, _("This laptop was removed from the team"));
  return TRUE;
}

/* An invitation of the team, by code: expires_at, joiner, and whether it
 * has a joiner share and an inviter share. */
typedef struct {
  gint64  expires_at;
  VpUid   team;
  VpUid   joiner;
  gboolean has_joiner;
  gboolean revealed;
  guint8  commitment[VP_ENROL_COMMITMENT_LEN];
  guint8  joiner_share[VP_RELAY_SHARE_LEN];
  guint8  inviter_share[VP_RELAY_SHARE_LEN];
} Invite;

static void
copy_blob (sqlite3_stmt *stmt,
           int           column,
           guint8       *out,
           gsize         len)
{
  if ((gsize) sqlite3_column_bytes (stmt, column) == len)
    memcpy (out, sqlite3_column_blob (stmt, column), len);
}

/* Looks an invitation up; NOT_FOUND when there is none (or it belongs to
 * another team than team, when team is given), EXPIRED when its time is
 * up. */
static gboolean
find_invite (VpRelayStore  *self,
             const char    *code,
             const VpUid   *team,
             Invite        *invite,
             GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error,
                                            "SELECT team, expires_at, commitment, joiner, joiner_share,"
                                            " inviter_share FROM relay_invites WHERE code = ?", "t", code);
  int rc;

  if (stmt == NULL)
    return FALSE;
  memset (invite, 0, sizeof *invite);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_error (self, error);
  if (rc == SQLITE_ROW)
    column_uid (stmt, 0, &invite->team);
  if (rc == SQLITE_DONE || (team != NULL && !vp_uid_equal (team, &invite->team)))
    return fail (error, VP_RELAY_STORE_ERROR_NOT_FOUND,
                 _("There is no invitation with this code; check the code on the team leader’s screen"));
  invite->expires_at = sqlite3_column_int64 (stmt, 1);
  if (invite->expires_at <= now ())
    return fail (error, VP_RELAY_STORE_ERROR_EXPIRED,
                 _("The invitation has expired; the team leader must invite this laptop again"));
  copy_blob (stmt, 2, invite->commitment, sizeof invite->commitment);
  invite->has_joiner = sqlite3_column_type (stmt, 3) != SQLITE_NULL;
  if (invite->has_joiner)
    column_uid (stmt, 3, &invite->joiner);
  copy_blob (stmt, 4, invite->joiner_share, sizeof invite->joiner_share);
  invite->revealed = sqlite3_column_type (stmt, 5) != SQLITE_NULL;
  copy_blob (stmt, 5, invite->inviter_share, sizeof invite->inviter_share);
  return TRUE;
}

/**
 * vp_relay_store_put_invite:
 *
 * One open invitation per code, relay-wide: the joiner finds it by code
 * alone. An expired one under the same code is replaced.
 */
gboolean
vp_relay_store_put_invite (VpRelayStore         *self,
                           const VpRelayCaller  *caller,
                           const char           *code,
                           const guint8         *commitment,
                           GError              **error)
{
  g_autoptr(GError) local = NULL;
  Invite invite;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!check_admin (caller, error) || !begin (self, error))
    return FALSE;
  ok = !find_invite (self, code, NULL, &invite, &local);
  if (!ok)
    fail (error, VP_RELAY_STORE_ERROR_CONFLICT,
          _("Another invitation uses this code; make a new invitation"));
  else if (local->code == VP_RELAY_STORE_ERROR_FAILED)
    ok = (g_propagate_error (error, g_steal_pointer (&local)), FALSE);
  ok = ok && run (self, statement (self, error, "DELETE FROM relay_invites WHERE code = ?", "t", code), error);
  ok = ok && run (self, statement (self, error, "INSERT INTO relay_invites (code, team, commitment, expires_at)"
                                   " VALUES (?, ?, ?, ?)", "tubi", code, &caller->team,
                                   commitment, (gsize) VP_ENROL_COMMITMENT_LEN,
                                   now () + self->limits.invite_lifetime), error);
  return finish (self, ok, error);
}

gboolean
vp_relay_store_get_invite (VpRelayStore  *self,
                           const char    *code,
                           VpUid         *team,
                           guint8        *commitment,
                           GError       **error)
{
  Invite invite;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!find_invite (self, code, NULL, &invite, error))
    return FALSE;
  *team = invite.team;
  memcpy (commitment, invite.commitment, VP_ENROL_COMMITMENT_LEN);
  return TRUE;
}

static gboolean
count_devices (VpRelayStore  *self,
               const VpUid   *team,
               gint64        *count,
               GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error, "SELECT count(*) FROM relay_devices"
                                            " WHERE team = ? AND state != 'removed'", "u", team);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return db_error (self, error);
  *count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
join_checks (VpRelayStore  *self,
             const Invite  *invite,
             const VpUid   *device,
             GError       **error)
{
  gboolean found = FALSE;
  gint64 count = 0;

  if (invite->has_joiner)
    return fail (error, VP_RELAY_STORE_ERROR_CONFLICT,
                 _("A laptop has already joined with this invitation; the team leader must make a new one"));
  if (!exists (self, statement (self, error, "SELECT 1 FROM relay_devices WHERE team = ? AND uid = ?", "uu",
                                &invite->team, device), &found, error) ||
      !count_devices (self, &invite->team, &count, error))
    return FALSE;
  if (found)
    return fail (error, VP_RELAY_STORE_ERROR_CONFLICT, _("A laptop with this id is in the team already"));
  if (count >= self->limits.max_devices)
    return fail (error, VP_RELAY_STORE_ERROR_QUOTA, _("The team has as many laptops as the relay allows"));
  return TRUE;
}

/**
 * vp_relay_store_join:
 * @token: (out) (transfer full): the new device's token, shown once
 *
 * The joiner's share, accepted once per invitation; the device is pending
 * until the team leader's laptop wraps the team key to it.
 */
gboolean
vp_relay_store_join (VpRelayStore  *self,
                     const char    *code,
                     const VpUid   *device,
                     const guint8  *share,
                     char         **token,
                     GError       **error)
{
  Invite invite;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!begin (self, error))
    return FALSE;
  ok = find_invite (self, code, NULL, &invite, error) && join_checks (self, &invite, device, error);
  ok = ok && run (self, statement (self, error, "UPDATE relay_invites SET joiner = ?, joiner_share = ?"
                                   " WHERE code = ?", "ubt", device, share, (gsize) VP_RELAY_SHARE_LEN, code),
                  error);
  ok = ok && insert_device (self, &invite.team, device, FALSE, code, token, error);
  return finish (self, ok, error);
}

gboolean
vp_relay_store_get_joiner (VpRelayStore         *self,
                           const VpRelayCaller  *caller,
                           const char           *code,
                           gboolean             *present,
                           VpUid                *device,
                           guint8               *share,
                           GError              **error)
{
  Invite invite;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!check_admin (caller, error) || !find_invite (self, code, &caller->team, &invite, error))
    return FALSE;
  *present = invite.has_joiner;
  if (invite.has_joiner)
    {
      *device = invite.joiner;
      memcpy (share, invite.joiner_share, VP_RELAY_SHARE_LEN);
    }
  return TRUE;
}

/* The inviter's share: only after a joiner's, and only once. */
gboolean
vp_relay_store_reveal (VpRelayStore         *self,
                       const VpRelayCaller  *caller,
                       const char           *code,
                       const guint8         *share,
                       GError              **error)
{
  Invite invite;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!check_admin (caller, error) || !begin (self, error))
    return FALSE;
  ok = find_invite (self, code, &caller->team, &invite, error);
  if (ok && !invite.has_joiner)
    ok = fail (error, VP_RELAY_STORE_ERROR_CONFLICT, _("No laptop has joined with this invitation yet"));
  if (ok && invite.revealed)
    ok = fail (error, VP_RELAY_STORE_ERROR_CONFLICT,
               _("The team leader’s share of this invitation was revealed already"));
  ok = ok && run (self, statement (self, error, "UPDATE relay_invites SET inviter_share = ? WHERE code = ?",
                                   "bt", share, (gsize) VP_RELAY_SHARE_LEN, code), error);
  return finish (self, ok, error);
}

/* For the joiner only (its token, pending or active). */
gboolean
vp_relay_store_get_reveal (VpRelayStore         *self,
                           const VpRelayCaller  *caller,
                           const char           *code,
                           gboolean             *present,
                           guint8               *share,
                           GError              **error)
{
  Invite invite;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (caller->state == VP_RELAY_DEVICE_REMOVED)
    return fail (error, VP_RELAY_STORE_ERROR_FORBIDDEN, _("This laptop was removed from the team"));
  if (!find_invite (self, code, &caller->team, &invite, error))
    return FALSE;
  if (!invite.has_joiner || !vp_uid_equal (&invite.joiner, &caller->device))
    return fail (error, VP_RELAY_STORE_ERROR_FORBIDDEN, _("This invitation was answered by another laptop"));
  *present = invite.revealed;
  if (invite.revealed)
    memcpy (share, invite.inviter_share, VP_RELAY_SHARE_LEN);
  return TRUE;
}

static gboolean
device_state (VpRelayStore        *self,
              const VpUid         *team,
              const VpUid         *device,
              VpRelayDeviceState  *state,
              GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error, "SELECT state FROM relay_devices"
                                            " WHERE team = ? AND uid = ?", "uu", team, device);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return fail (error, VP_RELAY_STORE_ERROR_NOT_FOUND, _("There is no such laptop in the team"));
  if (rc != SQLITE_ROW)
    return db_error (self, error);
  *state = state_from_text ((const char *) sqlite3_column_text (stmt, 0));
  return TRUE;
}

/* Stores one wrapped key and makes a pending device active. The same
 * bytes again are fine (a retry); other bytes for a stored epoch are not. */
static gboolean
store_key (VpRelayStore  *self,
           const VpUid   *team,
           const VpUid   *device,
           guint32        epoch,
           const guint8  *wrapped,
           gsize          len,
           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error, "SELECT wrapped FROM relay_keys"
                                            " WHERE team = ? AND device = ? AND epoch = ?", "uui",
                                            team, device, (gint64) epoch);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if ((gsize) sqlite3_column_bytes (stmt, 0) == len && memcmp (sqlite3_column_blob (stmt, 0), wrapped, len) == 0)
        return TRUE;
      return fail (error, VP_RELAY_STORE_ERROR_CONFLICT,
                   _("A different key of this epoch was given to this laptop already"));
    }
  if (rc != SQLITE_DONE)
    return db_error (self, error);
  return run (self, statement (self, error, "INSERT INTO relay_keys (team, device, epoch, wrapped)"
                               " VALUES (?, ?, ?, ?)", "uuib", team, device, (gint64) epoch, wrapped, len),
              error) &&
         run (self, statement (self, error, "UPDATE relay_devices SET state = 'active', invite = NULL"
                               " WHERE team = ? AND uid = ? AND state = 'pending'", "uu", team, device), error) &&
         run (self, statement (self, error, "UPDATE relay_teams SET epoch = max (epoch, ?) WHERE uid = ?",
                               "iu", (gint64) epoch, team), error);
}

gboolean
vp_relay_store_put_key (VpRelayStore         *self,
                        const VpRelayCaller  *caller,
                        const VpUid          *device,
                        guint32               epoch,
                        const guint8         *wrapped,
                        gsize                 len,
                        GError              **error)
{
  VpRelayDeviceState state = VP_RELAY_DEVICE_REMOVED;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!check_admin (caller, error) || !begin (self, error))
    return FALSE;
  ok = device_state (self, &caller->team, device, &state, error);
  if (ok && state == VP_RELAY_DEVICE_REMOVED)
    ok = fail (error, VP_RELAY_STORE_ERROR_CONFLICT, _("This laptop was removed from the team"));
  ok = ok && store_key (self, &caller->team, device, epoch, wrapped, len, error);
  return finish (self, ok, error);
}

/* Every key wrapped to the caller, by epoch, one after another. */
GBytes *
vp_relay_store_get_keys (VpRelayStore         *self,
                         const VpRelayCaller  *caller,
                         GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  int rc;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), NULL);

  if (caller->state == VP_RELAY_DEVICE_REMOVED)
    {
      fail (error, VP_RELAY_STORE_ERROR_FORBIDDEN, _("This laptop was removed from the team"));
      return NULL;
    }
  stmt = statement (self, error, "SELECT wrapped FROM relay_keys WHERE team = ? AND device = ? ORDER BY epoch",
                    "uu", &caller->team, &caller->device);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_byte_array_append (out, sqlite3_column_blob (stmt, 0), (guint) sqlite3_column_bytes (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      db_error (self, error);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Its token stops working at once; its row stays, so that it is told it
 * was removed instead of that its token is unknown. The team leader's own
 * laptop cannot be removed: the team would have no admin. */
gboolean
vp_relay_store_remove_device (VpRelayStore         *self,
                              const VpRelayCaller  *caller,
                              const VpUid          *device,
                              GError              **error)
{
  VpRelayDeviceState state = VP_RELAY_DEVICE_REMOVED;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!check_admin (caller, error))
    return FALSE;
  if (vp_uid_equal (device, &caller->device))
    return fail (error, VP_RELAY_STORE_ERROR_CONFLICT, _("The team leader’s own laptop cannot be removed"));
  if (!begin (self, error))
    return FALSE;
  ok = device_state (self, &caller->team, device, &state, error);
  ok = ok && run (self, statement (self, error, "UPDATE relay_devices SET state = 'removed', invite = NULL"
                                   " WHERE team = ? AND uid = ?", "uu", &caller->team, device), error);
  return finish (self, ok, error);
}

typedef struct {
  guint64 next_cursor;
  guint32 epoch;
  guint64 bytes;
  guint32 snapshot;
} TeamRow;

static gboolean
read_team (VpRelayStore  *self,
           const VpUid   *team,
           TeamRow       *row,
           GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error, "SELECT next_cursor, epoch, bytes, snapshot"
                                            " FROM relay_teams WHERE uid = ?", "u", team);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return db_error (self, error);
  row->next_cursor = (guint64) sqlite3_column_int64 (stmt, 0);
  row->epoch = (guint32) sqlite3_column_int64 (stmt, 1);
  row->bytes = (guint64) sqlite3_column_int64 (stmt, 2);
  row->snapshot = (guint32) sqlite3_column_int64 (stmt, 3);
  return TRUE;
}

/* A blob stored at the caller's sequence already: the same bytes are a
 * retry after a lost answer (its cursor), others a conflict. */
static gboolean
find_resent (VpRelayStore         *self,
             const VpRelayCaller  *caller,
             const VpBlobHeader   *header,
             GBytes               *blob,
             guint64              *cursor,
             GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error, "SELECT cursor, data FROM relay_blobs"
                                            " WHERE team = ? AND device = ? AND sequence = ?", "uui",
                                            &caller->team, &caller->device, (gint64) header->sequence);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (blob, &len);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW && (gsize) sqlite3_column_bytes (stmt, 1) == len &&
      memcmp (sqlite3_column_blob (stmt, 1), data, len) == 0)
    {
      *cursor = (guint64) sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  return fail (error, VP_RELAY_STORE_ERROR_CONFLICT,
               _("This laptop already sent a different blob with this sequence number"));
}

static gboolean
check_blob (VpRelayStore         *self,
            const VpRelayCaller  *caller,
            const VpBlobHeader   *header,
            const TeamRow        *team,
            guint32               snapshot,
            gsize                 len,
            GError              **error)
{
  if (!vp_uid_equal (&header->team, &caller->team) || !vp_uid_equal (&header->device, &caller->device))
    return fail (error, VP_RELAY_STORE_ERROR_INVALID,
                 _("The blob’s header names another team or laptop than the token"));
  if (header->epoch < team->epoch)
    return fail (error, VP_RELAY_STORE_ERROR_OLD_EPOCH,
                 _("The blob is sealed under a team key that has been replaced; seal it again with the new key"));
  if (snapshot != 0 && !caller->admin)
    return fail (error, VP_RELAY_STORE_ERROR_FORBIDDEN, _("Only the team leader’s laptop may send snapshots"));
  if (snapshot != 0 && snapshot <= team->snapshot)
    return fail (error, VP_RELAY_STORE_ERROR_CONFLICT, _("A newer snapshot has been compacted already"));
  if (team->bytes + len > self->limits.quota)
    return fail (error, VP_RELAY_STORE_ERROR_QUOTA, _("The team’s storage on the relay is full"));
  return TRUE;
}

static gboolean
last_sequence (VpRelayStore         *self,
               const VpRelayCaller  *caller,
               guint64              *last,
               GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = statement (self, error, "SELECT last_sequence FROM relay_devices"
                                            " WHERE team = ? AND uid = ?", "uu", &caller->team, &caller->device);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return db_error (self, error);
  *last = (guint64) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
insert_blob (VpRelayStore         *self,
             const VpRelayCaller  *caller,
             const VpBlobHeader   *header,
             const TeamRow        *team,
             guint32               snapshot,
             GBytes               *blob,
             GError              **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (blob, &len);
  gint64 t = now ();

  return run (self, statement (self, error, "INSERT INTO relay_blobs (team, cursor, device, sequence, epoch,"
                               " snapshot, arrived_at, size, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "uiuiiiiib",
                               &caller->team, (gint64) team->next_cursor, &caller->device,
                               (gint64) header->sequence, (gint64) header->epoch, (gint64) snapshot, t,
                               (gint64) len, data, len), error) &&
         run (self, statement (self, error, "UPDATE relay_teams SET next_cursor = next_cursor + 1,"
                               " bytes = bytes + ? WHERE uid = ?", "iu", (gint64) len, &caller->team), error) &&
         run (self, statement (self, error, "UPDATE relay_devices SET last_sequence = ?, last_seen = ?"
                               " WHERE team = ? AND uid = ?", "iiuu", (gint64) header->sequence, t,
                               &caller->team, &caller->device), error);
}

/**
 * vp_relay_store_push:
 * @blob: a sealed blob of a bucket's size
 * @snapshot: the snapshot it belongs to (team leader only); 0: none
 * @cursor: (out): where it is in the team's order
 * @already: (out): whether it was stored before (a retry)
 *
 * A device's blobs come in sequence: 1 first, then each one more than the
 * last. Sending the stored bytes again answers with their cursor.
 */
gboolean
vp_relay_store_push (VpRelayStore         *self,
                     const VpRelayCaller  *caller,
                     GBytes               *blob,
                     guint32               snapshot,
                     guint64              *cursor,
                     gboolean             *already,
                     GError              **error)
{
  VpBlobHeader header;
  TeamRow team;
  guint64 last = 0;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  *already = FALSE;
  if (!check_active (caller, error))
    return FALSE;
  if (!vp_team_blob_read_header (blob, &header, NULL))
    return fail (error, VP_RELAY_STORE_ERROR_INVALID,
                 _("This is not a sealed blob: its size is not a bucket’s, or its format is unknown"));
  if (!begin (self, error))
    return FALSE;
  ok = read_team (self, &caller->team, &team, error) && last_sequence (self, caller, &last, error);
  if (ok && header.sequence <= last && header.sequence > 0)
    {
      ok = find_resent (self, caller, &header, blob, cursor, error);
      *already = ok;
      return finish (self, ok, error);
    }
  ok = ok && check_blob (self, caller, &header, &team, snapshot, g_bytes_get_size (blob), error);
  if (ok && header.sequence != last + 1)
    ok = fail (error, VP_RELAY_STORE_ERROR_CONFLICT,
               _("The blob’s sequence number does not follow this laptop’s last one"));
  ok = ok && insert_blob (self, caller, &header, &team, snapshot, blob, error);
  if (ok)
    *cursor = team.next_cursor;
  return finish (self, ok, error);
}

static gboolean
touch (VpRelayStore         *self,
       const VpRelayCaller  *caller,
       GError              **error)
{
  return run (self, statement (self, error, "UPDATE relay_devices SET last_seen = ? WHERE team = ? AND uid = ?",
                               "iuu", now (), &caller->team, &caller->device), error);
}

static void
put_be (guint8  *p,
        guint64  value,
        guint    bytes)
{
  for (guint i = 0; i < bytes; i++)
    p[i] = (guint8) (value >> (8 * (bytes - 1 - i)));
}

/**
 * vp_relay_store_pull:
 * @after: the cursor the device has
 * @limit: the most bytes of frames to return; at least one blob is
 *   returned when there is one, whatever its size
 * @next: (out): the cursor of the last blob returned (@after when none)
 * @more: (out): whether blobs remain after it
 *
 * Returns: (transfer full): frames of VP_RELAY_FRAME_HEADER_LEN bytes
 *   (cursor, length) and the blob, in cursor order
 */
GBytes *
vp_relay_store_pull (VpRelayStore         *self,
                     const VpRelayCaller  *caller,
                     guint64               after,
                     gsize                 limit,
                     guint64              *next,
                     gboolean             *more,
                     GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  int rc;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), NULL);

  *next = after;
  *more = FALSE;
  if (!check_active (caller, error) || !touch (self, caller, error))
    return NULL;
  stmt = statement (self, error, "SELECT cursor, data FROM relay_blobs WHERE team = ? AND cursor > ?"
                    " ORDER BY cursor", "ui", &caller->team, (gint64) MIN (after, (guint64) G_MAXINT64));
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gsize len = (gsize) sqlite3_column_bytes (stmt, 1);
      guint8 frame[VP_RELAY_FRAME_HEADER_LEN];

      if (out->len > 0 && out->len + sizeof frame + len > limit)
        {
          *more = TRUE;
          break;
        }
      *next = (guint64) sqlite3_column_int64 (stmt, 0);
      put_be (frame, *next, 8);
      put_be (frame + 8, len, 4);
      g_byte_array_append (out, frame, sizeof frame);
      g_byte_array_append (out, sqlite3_column_blob (stmt, 1), (guint) len);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      db_error (self, error);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Acknowledgements only go forward, and never past the last cursor. */
gboolean
vp_relay_store_ack (VpRelayStore         *self,
                    const VpRelayCaller  *caller,
                    guint64               cursor,
                    GError              **error)
{
  TeamRow team;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!check_active (caller, error) || !begin (self, error))
    return FALSE;
  ok = read_team (self, &caller->team, &team, error);
  if (ok && cursor >= team.next_cursor)
    ok = fail (error, VP_RELAY_STORE_ERROR_INVALID, _("The cursor is past the team’s last blob"));
  ok = ok && run (self, statement (self, error, "UPDATE relay_devices SET acked = max (acked, ?), last_seen = ?"
                                   " WHERE team = ? AND uid = ?", "iiuu", (gint64) cursor, now (),
                                   &caller->team, &caller->device), error);
  return finish (self, ok, error);
}

/**
 * vp_relay_store_devices:
 * @epoch: (out): the team's newest key epoch
 * @cursor: (out): the team's last cursor (0: none yet)
 *
 * Returns: (transfer full) (element-type VpRelayDeviceInfo): the team's
 *   devices, removed ones included
 */
GArray *
vp_relay_store_devices (VpRelayStore         *self,
                        const VpRelayCaller  *caller,
                        guint32              *epoch,
                        guint64              *cursor,
                        GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) devices = g_array_new (FALSE, TRUE, sizeof (VpRelayDeviceInfo));
  TeamRow team;
  int rc;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), NULL);

  if (!check_active (caller, error) || !read_team (self, &caller->team, &team, error))
    return NULL;
  *epoch = team.epoch;
  *cursor = team.next_cursor - 1;
  stmt = statement (self, error, "SELECT uid, state, admin, last_seen, acked FROM relay_devices"
                    " WHERE team = ? ORDER BY uid", "u", &caller->team);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VpRelayDeviceInfo info = { 0 };

      column_uid (stmt, 0, &info.device);
      info.state = state_from_text ((const char *) sqlite3_column_text (stmt, 1));
      info.admin = sqlite3_column_int (stmt, 2) != 0;
      info.last_seen = sqlite3_column_int64 (stmt, 3);
      info.acked = (guint64) sqlite3_column_int64 (stmt, 4);
      g_array_append_val (devices, info);
    }
  if (rc != SQLITE_DONE)
    {
      db_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&devices);
}

static gboolean
compact_checks (VpRelayStore         *self,
                const VpRelayCaller  *caller,
                guint32               snapshot,
                guint64               covers,
                GError              **error)
{
  TeamRow team;
  gboolean found = FALSE;

  if (!read_team (self, &caller->team, &team, error))
    return FALSE;
  if (snapshot <= team.snapshot)
    return fail (error, VP_RELAY_STORE_ERROR_CONFLICT, _("This snapshot, or a newer one, was compacted already"));
  if (covers >= team.next_cursor)
    return fail (error, VP_RELAY_STORE_ERROR_INVALID, _("The cursor is past the team’s last blob"));
  if (!exists (self, statement (self, error, "SELECT 1 FROM relay_blobs WHERE team = ? AND snapshot = ?", "ui",
                                &caller->team, (gint64) snapshot), &found, error))
    return FALSE;
  if (!found)
    return fail (error, VP_RELAY_STORE_ERROR_NOT_FOUND, _("No blob of this snapshot is on the relay"));
  if (!exists (self, statement (self, error, "SELECT 1 FROM relay_devices WHERE team = ? AND state = 'active'"
                                " AND acked < ?", "ui", &caller->team, (gint64) covers), &found, error))
    return FALSE;
  if (found)
    return fail (error, VP_RELAY_STORE_ERROR_CONFLICT,
                 _("Not every laptop of the team has received what the snapshot covers yet; try again after they have synchronised"));
  return TRUE;
}

/* What the covered blobs took, taken off the team's bytes. */
static gboolean
delete_covered (VpRelayStore         *self,
                const VpRelayCaller  *caller,
                guint32               snapshot,
                guint64               covers,
                GError              **error)
{
  const char *where = " WHERE team = ?1 AND ((snapshot = 0 AND cursor <= ?2) OR (snapshot > 0 AND snapshot < ?3))";
  g_autofree char *sum = g_strconcat ("UPDATE relay_teams SET snapshot = ?3, bytes = bytes -"
                                      " (SELECT coalesce (sum (size), 0) FROM relay_blobs", where, ") WHERE uid = ?1",
                                      NULL);
  g_autofree char *del = g_strconcat ("DELETE FROM relay_blobs", where, NULL);

  return run (self, statement (self, error, sum, "uii", &caller->team, (gint64) covers, (gint64) snapshot), error) &&
         run (self, statement (self, error, del, "uii", &caller->team, (gint64) covers, (gint64) snapshot), error);
}

/**
 * vp_relay_store_compact:
 * @snapshot: a snapshot the team leader's laptop has sent
 * @covers: the cursor up to which it holds everything
 *
 * Once every active device has acknowledged @covers: deletes every blob up
 * to @covers that is not a snapshot's, and every blob of older snapshots,
 * in one transaction; the pages they took are overwritten (secure_delete)
 * and the write-ahead log is emptied, so their ciphertext does not linger.
 */
gboolean
vp_relay_store_compact (VpRelayStore         *self,
                        const VpRelayCaller  *caller,
                        guint32               snapshot,
                        guint64               covers,
                        GError              **error)
{
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!check_admin (caller, error) || !begin (self, error))
    return FALSE;
  ok = compact_checks (self, caller, snapshot, covers, error) &&
       delete_covered (self, caller, snapshot, covers, error);
  if (!finish (self, ok, error))
    return FALSE;
  /* The log still holds the pages as they were before; truncated, they
   * are gone from the files SQLite keeps. */
  if (sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
    g_message ("The relay's write-ahead log could not be emptied now; it will be at a later checkpoint");
  return TRUE;
}

/**
 * vp_relay_store_purge:
 *
 * Deletes invitations an hour after they expired (until then their
 * parties are told they expired), with the devices that joined through
 * them and were never admitted.
 */
gboolean
vp_relay_store_purge (VpRelayStore  *self,
                      GError       **error)
{
  gint64 before = now () - EXPIRED_GRACE;
  gboolean ok;

  g_return_val_if_fail (VP_IS_RELAY_STORE (self), FALSE);

  if (!begin (self, error))
    return FALSE;
  ok = run (self, statement (self, error, "DELETE FROM relay_devices WHERE state = 'pending' AND invite IN"
                             " (SELECT code FROM relay_invites WHERE expires_at < ?)", "i", before), error) &&
       run (self, statement (self, error, "DELETE FROM relay_invites WHERE expires_at < ?", "i", before), error);
  return finish (self, ok, error);
}
