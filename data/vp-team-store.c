/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-store-impl.h"
#include "vp-team-store.h"
#include "vp-team-store-private.h"

/* Team sync in the store (#16). How a write becomes changes:
 *
 * While the laptop is in a team, temporary triggers (this connection only,
 * so a single laptop pays nothing) note every client whose records a
 * statement touched. vp_store_commit() then compares, for each of them, the
 * rows as they are with the merge of the client's changes so far, and
 * appends the changes that make the merge equal the rows, stamped with this
 * laptop's clock, before the COMMIT: the write and its changes are one
 * transaction. Consent comes first (gives and withdrawals), so that a value
 * set with consent is stamped after it and a value that a withdrawal
 * removed needs no change of its own.
 *
 * Received changes go the other way: vp_store_team_apply() adds them to
 * the set and rewrites the touched clients' rows from the merge of each
 * client's changes. Comparing rows with the merge keeps the two directions
 * symmetric: after an apply, the comparison finds nothing to send. */

struct _VpTeamState
{
  VpUid       team;
  VpUid       device;
  VpTeamRole  role;
  VpHlcClock  clock;
  gboolean    applying;
  GHashTable *stmts;     /* SQL text -> sqlite3_stmt *, see prepare() */
};

/* One record as the rows hold it: the same shape as VpMergedRecord. */
typedef struct {
  VpRecordRef  ref;
  GHashTable  *fields;   /* char * -> char * or NULL */
} Row;

static void
row_free (Row *row)
{
  g_hash_table_unref (row->fields);
  g_free (row);
}

static Row *
row_new (VpRecordKind kind,
         const VpUid *uid,
         const VpUid *client)
{
  Row *row = g_new0 (Row, 1);

  row->ref.kind = kind;
  row->ref.uid = *uid;
  row->ref.client = *client;
  row->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return row;
}

/* ---- Small helpers ------------------------------------------------------ */

static int step_done (sqlite3_stmt *stmt);

static gboolean
sql_error (VpStore  *store,
           int       rc,
           GError  **error)
{
  return vp_store_set_sqlite_error (store, rc, error);
}

/* Statements by their text, prepared once while the laptop is in a team:
 * turning on team sync and a first sync run the same few dozen statements
 * millions of times, and preparing one against this schema (its triggers
 * included) cost more than running it. release() resets a statement and
 * clears its bindings, so that no record's value stays bound between
 * uses; the same text is never in use twice at once here. Outside a team
 * (vp_store_team_dump() of a store that left) they are prepared and
 * finalized as usual. */
static int
prepare (VpStore       *store,
         const char    *sql,
         sqlite3_stmt **out)
{
  sqlite3_stmt *stmt;
  int rc;

  *out = NULL;
  if (store->team == NULL)
    return sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, out, NULL);
  stmt = g_hash_table_lookup (store->team->stmts, sql);
  if (stmt == NULL)
    {
      rc = sqlite3_prepare_v3 (vp_store_get_db (store), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
      if (rc != SQLITE_OK)
        {
          sqlite3_finalize (stmt);
          return rc;
        }
      g_hash_table_insert (store->team->stmts, g_strdup (sql), stmt);
    }
  *out = stmt;
  return SQLITE_OK;
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
release (VpStore      *store,
         sqlite3_stmt *stmt)
{
  if (stmt == NULL)
    return;
  if (store->team == NULL || g_hash_table_lookup (store->team->stmts, sqlite3_sql (stmt)) != stmt)
    {
      sqlite3_finalize (stmt);
      return;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static gboolean
uid_from_column (sqlite3_stmt *stmt,
                 int           col,
                 VpUid        *uid)
{
  if (sqlite3_column_type (stmt, col) != SQLITE_BLOB || sqlite3_column_bytes (stmt, col) != VP_UID_LEN)
    return FALSE;
  memcpy (uid->bytes, sqlite3_column_blob (stmt, col), VP_UID_LEN);
  return TRUE;
}

static char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static void
bind_uid (sqlite3_stmt *stmt,
          int           col,
          const VpUid  *uid)
{
  sqlite3_bind_blob (stmt, col, uid->bytes, VP_UID_LEN, SQLITE_TRANSIENT);
}

/* The local id of a row named by uid; 0 when there is none. */
static gint64
id_of_uid (VpStore     *store,
           const char  *table,
           const VpUid *uid)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s WHERE uid = ?", table);
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;

  if (prepare (store, sql, &stmt) == SQLITE_OK)
    {
      bind_uid (stmt, 1, uid);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
    }
  release (store, stmt);
  return id;
}

static gint64
id_of_uid_text (VpStore    *store,
                const char *table,
                const char *text)
{
  VpUid uid;

  if (text == NULL || !vp_uid_parse (text, &uid, NULL))
    return 0;
  return id_of_uid (store, table, &uid);
}

static const char *
role_code (VpTeamRole role)
{
  return vp_team_role_to_string (role);
}

static VpTeamRole
role_from_code (const char *code)
{
  return g_strcmp0 (code, "team_leader") == 0 ? VP_TEAM_ROLE_TEAM_LEADER : VP_TEAM_ROLE_COACH;
}

/* A feedback is named by its referral: there is one per referral, so two
 * laptops that record it while apart edit one record. */
void
_vp_team_feedback_uid (const VpUid *referral,
                       VpUid       *out)
{
  guint8 digest[32];
  unsigned int len = sizeof digest;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();

  EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL);
  EVP_DigestUpdate (ctx, "vindplaats feedback v1", 22);
  EVP_DigestUpdate (ctx, referral->bytes, VP_UID_LEN);
  EVP_DigestFinal_ex (ctx, digest, &len);
  EVP_MD_CTX_free (ctx);
  memcpy (out->bytes, digest, VP_UID_LEN);
}

static char *
now_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* ---- Attaching: the dirty-client triggers ------------------------------- */

/* No OR IGNORE in the trigger bodies: an outer statement's conflict clause
 * (an upsert's) overrides theirs. */
#define NOTE(id) \
  " INSERT INTO team_dirty (client_id) SELECT " id \
  "  WHERE NOT EXISTS (SELECT 1 FROM team_dirty WHERE client_id = " id ");"
static const char attach_sql[] =
  "CREATE TEMP TABLE IF NOT EXISTS team_dirty ("
  "  client_id INTEGER PRIMARY KEY,"
  "  uid BLOB"
  ");"
  "CREATE TEMP TRIGGER IF NOT EXISTS team_dirty_client_i AFTER INSERT ON main.client"
  " BEGIN" NOTE ("NEW.id") " END;"
  "CREATE TEMP TRIGGER IF NOT EXISTS team_dirty_client_u AFTER UPDATE ON main.client"
  " BEGIN" NOTE ("NEW.id") " END;"
  "CREATE TEMP TRIGGER IF NOT EXISTS team_dirty_client_d AFTER DELETE ON main.client"
  " BEGIN" NOTE ("OLD.id")
  "  UPDATE team_dirty SET uid = OLD.uid WHERE client_id = OLD.id; END;"
#define DIRTY_CHILD(table, col) \
  "CREATE TEMP TRIGGER IF NOT EXISTS team_dirty_" table "_i AFTER INSERT ON main." table \
  " BEGIN" NOTE ("NEW." col) " END;" \
  "CREATE TEMP TRIGGER IF NOT EXISTS team_dirty_" table "_u AFTER UPDATE ON main." table \
  " BEGIN" NOTE ("NEW." col) NOTE ("OLD." col) " END;" \
  "CREATE TEMP TRIGGER IF NOT EXISTS team_dirty_" table "_d AFTER DELETE ON main." table \
  " BEGIN" NOTE ("OLD." col) " END;"
  DIRTY_CHILD ("contact", "client_id")
  DIRTY_CHILD ("consent", "client_id")
  DIRTY_CHILD ("language_need", "client_id")
  DIRTY_CHILD ("referral", "client_id")
#undef DIRTY_CHILD
#undef NOTE
  ;

static const char detach_sql[] =
  "DROP TRIGGER IF EXISTS temp.team_dirty_client_i;"
  "DROP TRIGGER IF EXISTS temp.team_dirty_client_u;"
  "DROP TRIGGER IF EXISTS temp.team_dirty_client_d;"
#define DROP_CHILD(table) \
  "DROP TRIGGER IF EXISTS temp.team_dirty_" table "_i;" \
  "DROP TRIGGER IF EXISTS temp.team_dirty_" table "_u;" \
  "DROP TRIGGER IF EXISTS temp.team_dirty_" table "_d;"
  DROP_CHILD ("contact") DROP_CHILD ("consent") DROP_CHILD ("language_need") DROP_CHILD ("referral")
#undef DROP_CHILD
  "DROP TABLE IF EXISTS temp.team_dirty;";

void
_vp_team_state_free (VpTeamState *state)
{
  if (state == NULL)
    return;
  g_clear_pointer (&state->stmts, g_hash_table_unref);
  g_free (state);
}

/* Called when the store opens: a laptop in a team starts noting writes. */
gboolean
_vp_team_attach (VpStore  *store,
                 GError  **error)
{
  sqlite3 *db = vp_store_get_db (store);
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt = NULL;
  VpTeamState *state;
  int rc;

  g_clear_pointer (&store->team, _vp_team_state_free);
  rc = sqlite3_prepare_v2 (db, "SELECT team_uid, device_uid, role, hlc FROM team WHERE id = 1",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      sqlite3_finalize (stmt);
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return sql_error (store, rc, error);
    }

  state = g_new0 (VpTeamState, 1);
  state->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
  uid_from_column (stmt, 0, &state->team);
  uid_from_column (stmt, 1, &state->device);
  state->role = role_from_code ((const char *) sqlite3_column_text (stmt, 2));
  vp_hlc_clock_init (&state->clock, &state->device);
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    {
      VpHlc last;

      if (vp_hlc_parse ((const char *) sqlite3_column_text (stmt, 3), &last, &local_error))
        vp_hlc_clock_restore (&state->clock, &state->device, &last);
      else
        g_warning ("Team sync: the stored clock cannot be read; it starts from the wall clock");
    }
  sqlite3_finalize (stmt);
  store->team = state;

  return vp_store_exec (store, attach_sql, error);
}

gboolean
vp_store_team_is_enabled (VpStore *store)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  return store->team != NULL;
}

/* Another connection of the store (a clone in a worker thread) may have
 * moved the clock: inside a write transaction, the stored one is current. */
static gboolean
load_clock (VpStore  *store,
            GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = prepare (store, "SELECT hlc FROM team WHERE id = 1", &stmt);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      VpHlc stored;

      if (vp_hlc_parse ((const char *) sqlite3_column_text (stmt, 0), &stored, NULL) &&
          vp_hlc_compare (&stored, &store->team->clock.last) > 0)
        vp_hlc_clock_restore (&store->team->clock, &store->team->device, &stored);
    }
  release (store, stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || sql_error (store, rc, error);
}

gboolean
vp_store_team_is_coach_laptop (VpStore *store)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  return store->team != NULL && store->team->role != VP_TEAM_ROLE_TEAM_LEADER;
}

static gboolean
save_clock (VpStore  *store,
            GError  **error)
{
  char text[VP_HLC_STRING_LEN + 1];
  sqlite3_stmt *stmt = NULL;
  int rc;

  vp_hlc_to_string (&store->team->clock.last, text);
  rc = prepare (store, "UPDATE team SET hlc = ? WHERE id = 1", &stmt);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  release (store, stmt);
  return rc == SQLITE_DONE || sql_error (store, rc, error);
}

/* ---- Reading a client's rows as records --------------------------------- */

static void
row_set (Row        *row,
         const char *field,
         char       *value)
{
  g_hash_table_replace (row->fields, g_strdup (field), value);
}

static void
row_set_columns (Row                *row,
                 sqlite3_stmt       *stmt,
                 const char * const *fields,
                 int                 first)
{
  for (guint i = 0; fields[i] != NULL; i++)
    if (fields[i][0] != '\0')
      row_set (row, fields[i], column_text (stmt, first + (int) i));
}

static int
read_client_row (VpStore     *store,
                 gint64       client_id,
                 GPtrArray   *rows,
                 VpUid       *client_uid)
{
  static const char * const fields[] = { "label", "birth_year", "neighbourhood", "phone", "created_at", NULL };
  sqlite3_stmt *stmt = NULL;
  int rc;

  prepare (store, "SELECT uid, label, birth_year, neighbourhood, phone, created_at"
                          " FROM client WHERE id = ?", &stmt);
  sqlite3_bind_int64 (stmt, 1, client_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && uid_from_column (stmt, 0, client_uid))
    {
      Row *row = row_new (VP_RECORD_CLIENT, client_uid, client_uid);

      row_set_columns (row, stmt, fields, 1);
      g_ptr_array_add (rows, row);
      rc = SQLITE_DONE;
    }
  else if (rc == SQLITE_ROW)
    rc = SQLITE_CORRUPT;  /* a client without a uid: migration 8 gives every one */
  release (store, stmt);
  return rc;
}

static int
read_rows (VpStore      *store,
           const char   *sql,
           gint64        client_id,
           const VpUid  *client_uid,
           VpRecordKind  kind,
           const char * const *fields,
           GPtrArray    *rows)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = prepare (store, sql, &stmt);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, client_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VpUid uid;
      Row *row;

      if (!uid_from_column (stmt, 0, &uid))
        continue;
      row = row_new (kind, &uid, client_uid);
      row_set_columns (row, stmt, fields, 1);
      g_ptr_array_add (rows, row);

      /* A referral's feedback is a record of its own. */
      if (kind == VP_RECORD_REFERRAL)
        {
          static const char * const feedback_fields[] = { "note", "outcome", "received_on", NULL };
          int first = 1 + (int) g_strv_length ((char **) fields);
          Row *feedback;
          VpUid fuid;
          gboolean any = FALSE;

          for (int i = 0; i < 3; i++)
            any = any || sqlite3_column_type (stmt, first + i) != SQLITE_NULL;
          if (!any)
            continue;
          _vp_team_feedback_uid (&uid, &fuid);
          feedback = row_new (VP_RECORD_FEEDBACK, &fuid, client_uid);
          feedback->ref.parent = uid;
          row_set_columns (feedback, stmt, feedback_fields, first);
          g_ptr_array_add (rows, feedback);
        }
    }
  release (store, stmt);
  return rc;
}

/* The synced records of one client as the store holds them; *exists is
 * FALSE when the client has no row (erased). */
static gboolean
read_client (VpStore    *store,
             gint64      client_id,
             VpUid      *client_uid,
             GPtrArray **out,
             GError    **error)
{
  static const char * const consent_fields[] = {
    "category", "given_at", "withdrawn_at", "method", "explanation_language", "text_version", NULL };
  static const char * const need_fields[] = { "dutch_proficiency", "preferred_languages", NULL };
  static const char * const contact_fields[] = {
    "account", "dutch_proficiency", "entered_at", "initiated_by", "interpreter", "kind",
    "language", "location", "location_type", "notes", "occurred_at", "stage", NULL };
  static const char * const referral_fields[] = {
    "account", "category", "contact", "entered_at", "feedback_expected_by", "leader_note",
    "organisation", "referred_on", "reviewed_at", "reviewed_by", "warm_handover", NULL };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = read_client_row (store, client_id, rows, client_uid);
  if (rc != SQLITE_DONE)
    return sql_error (store, rc, error);
  if (rows->len == 0)
    {
      *out = g_steal_pointer (&rows);
      return TRUE;
    }

  rc = read_rows (store, "SELECT uid, category, given_at, withdrawn_at, method, explanation_language,"
                      " text_version FROM consent WHERE client_id = ?",
                  client_id, client_uid, VP_RECORD_CONSENT, consent_fields, rows);
  if (rc == SQLITE_DONE)
    rc = read_rows (store, "SELECT c.uid, nullif (lower (hex (a.uid)), ''), c.dutch_proficiency, c.entered_at, c.initiated_by,"
                        " c.interpreter, c.kind, c.language, l.name, c.location_type, c.notes,"
                        " c.occurred_at, c.stage FROM contact c"
                        " LEFT JOIN account a ON a.id = c.account_id"
                        " LEFT JOIN location l ON l.id = c.location_id WHERE c.client_id = ?",
                    client_id, client_uid, VP_RECORD_CONTACT, contact_fields, rows);
  if (rc == SQLITE_DONE)
    rc = read_rows (store, "SELECT r.uid, nullif (lower (hex (a.uid)), ''), r.category,"
                        " nullif (lower (hex (c.uid)), ''), r.entered_at, r.feedback_expected_by,"
                        " r.leader_note, r.organisation, r.referred_on, r.reviewed_at,"
                        " nullif (lower (hex (v.uid)), ''),"
                        " r.warm_handover, r.feedback_note, r.outcome, r.feedback_received_on"
                        " FROM referral r LEFT JOIN account a ON a.id = r.account_id"
                        " LEFT JOIN contact c ON c.id = r.contact_id"
                        " LEFT JOIN account v ON v.id = r.reviewed_by WHERE r.client_id = ?",
                    client_id, client_uid, VP_RECORD_REFERRAL, referral_fields, rows);
  if (rc != SQLITE_DONE)
    return sql_error (store, rc, error);

  /* A language need is named by its client. */
  rc = prepare (store, "SELECT dutch_proficiency, preferred_languages FROM language_need"
                               " WHERE client_id = ?", &stmt);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          Row *row = row_new (VP_RECORD_LANGUAGE_NEED, client_uid, client_uid);

          row_set_columns (row, stmt, need_fields, 0);
          g_ptr_array_add (rows, row);
          rc = SQLITE_DONE;
        }
    }
  release (store, stmt);
  if (rc != SQLITE_DONE)
    return sql_error (store, rc, error);

  *out = g_steal_pointer (&rows);
  return TRUE;
}

/* ---- A client's changes and their merge --------------------------------- */

static const char batch_head[] = "{\"changes\":[";
static const char batch_tail[] = "],\"format\":\"" VP_CHANGE_BATCH_FORMAT "\"}";

static GPtrArray *
parse_bodies (GString  *bodies,
              GError  **error)
{
  g_string_append (bodies, batch_tail);
  return vp_change_batch_from_json (bodies->str, bodies->len, error);
}

/* Every change of one client, in the order they were added. */
static GPtrArray *
load_changes (VpStore     *store,
              const VpUid *client,
              GError     **error)
{
  g_autoptr(GString) bodies = g_string_new (batch_head);
  sqlite3_stmt *stmt = NULL;
  gboolean first = TRUE;
  int rc;

  rc = prepare (store,
                           "SELECT body FROM team_change WHERE client_uid = ? ORDER BY id", &stmt);
  if (rc == SQLITE_OK)
    {
      bind_uid (stmt, 1, client);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (!first)
            g_string_append_c (bodies, ',');
          g_string_append_len (bodies, (const char *) sqlite3_column_text (stmt, 0),
                               sqlite3_column_bytes (stmt, 0));
          first = FALSE;
        }
    }
  release (store, stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return NULL;
    }
  return parse_bodies (bodies, error);
}

VpTeamRoster *
vp_store_team_get_roster (VpStore  *store,
                          GError  **error)
{
  g_autoptr(VpTeamRoster) roster = vp_team_roster_new ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = prepare (store, "SELECT device_uid, role FROM team_device", &stmt);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        VpUid device;

        if (uid_from_column (stmt, 0, &device))
          vp_team_roster_set (roster, &device, role_from_code ((const char *) sqlite3_column_text (stmt, 1)));
      }
  release (store, stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&roster);
}

static VpMergeView *
merge_client (GPtrArray          *changes,
              const VpTeamRoster *roster)
{
  return vp_merge_changes ((VpChange * const *) changes->pdata, changes->len, roster);
}

VpMergeView *
vp_store_team_client_view (VpStore      *store,
                           const VpUid  *client,
                           GError      **error)
{
  g_autoptr(VpTeamRoster) roster = NULL;
  g_autoptr(GPtrArray) changes = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  roster = vp_store_team_get_roster (store, error);
  if (roster == NULL)
    return NULL;
  changes = load_changes (store, client, error);
  if (changes == NULL)
    return NULL;
  return merge_client (changes, roster);
}

/* ---- Capture: the changes that make the merge equal the rows ------------ */

/* Whether the merge has every field a row of the record needs. A record
 * that lacks one has its other changes on the way (a large write may span
 * blobs): it is not written, and its absence from the rows is no deletion. */
gboolean
_vp_team_record_complete (const VpMergedRecord *record)
{
  static const char * const client[] = { "label", "created_at", NULL };
  static const char * const consent[] = { "category", "given_at", "method", "explanation_language",
                                          "text_version", NULL };
  static const char * const contact[] = { "account", "location_type", "occurred_at", "kind",
                                          "initiated_by", NULL };
  static const char * const referral[] = { "account", "category", "organisation", "referred_on",
                                           "feedback_expected_by", NULL };
  const char * const *needed = NULL;

  if (record == NULL)
    return FALSE;
  switch (record->ref.kind)
    {
    case VP_RECORD_CLIENT: needed = client; break;
    case VP_RECORD_CONSENT: needed = consent; break;
    case VP_RECORD_CONTACT: needed = contact; break;
    case VP_RECORD_REFERRAL: needed = referral; break;
    case VP_RECORD_LANGUAGE_NEED:
    case VP_RECORD_FEEDBACK:
    case VP_N_RECORD_KINDS:
    default:
      return TRUE;
    }
  for (guint i = 0; needed[i] != NULL; i++)
    if (g_hash_table_lookup (record->fields, needed[i]) == NULL)
      return FALSE;
  return TRUE;
}

typedef struct {
  VpStore    *store;
  VpTeamRole  role;
  GPtrArray  *out;    /* VpChange *, in stamp order */
  GError    **error;
  gboolean    failed;
} Emitter;

static void
emit (Emitter           *e,
      const VpRecordRef *ref,
      VpChangeOp         op,
      const char        *field,
      const char        *value)
{
  VpChangeInput input = { *ref, op, field, value, { 0 }, e->role };
  VpChange *change;

  if (e->failed)
    return;
  vp_hlc_clock_now (&e->store->team->clock, vp_hlc_wall_ms (), &input.hlc);
  change = vp_change_new (&input, e->error);
  if (change == NULL)
    {
      e->failed = TRUE;
      return;
    }
  g_ptr_array_add (e->out, change);
}

static const char *
view_value (const VpMergedRecord *record,
            const char           *field)
{
  return record != NULL ? g_hash_table_lookup (record->fields, field) : NULL;
}

/* Sets for every field whose row value differs from the merge's. */
static void
emit_fields (Emitter              *e,
             const Row            *row,
             const VpMergedRecord *record)
{
  const char * const *fields = vp_record_fields (row->ref.kind);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *have = g_hash_table_lookup (row->fields, fields[i]);
      const char *merged = view_value (record, fields[i]);

      if (g_strcmp0 (have, merged) == 0)
        continue;
      /* A referral's contact that this laptop has not (yet) written: the
       * row cannot name it, which is no change. */
      if (have == NULL && row->ref.kind == VP_RECORD_REFERRAL && g_str_equal (fields[i], "contact") &&
          id_of_uid_text (e->store, "contact", merged) == 0)
        continue;
      emit (e, &row->ref, VP_CHANGE_SET, fields[i], have);
    }
}

/* A language need and a feedback are named by their owner: when the row
 * goes, their fields are emptied, never tombstoned, so they can come back. */
static void
emit_cleared (Emitter              *e,
              const VpMergedRecord *record)
{
  const char * const *fields = vp_record_fields (record->ref.kind);

  for (guint i = 0; fields[i] != NULL; i++)
    if (view_value (record, fields[i]) != NULL)
      emit (e, &record->ref, VP_CHANGE_SET, fields[i], NULL);
}

static const Row *
find_row (GPtrArray         *rows,
          const VpRecordRef *ref)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);

      if (row->ref.kind == ref->kind && vp_uid_equal (&row->ref.uid, &ref->uid))
        return row;
    }
  return NULL;
}

static void
emit_consents (Emitter     *e,
               GPtrArray   *rows,
               VpMergeView *view)
{
  g_autoptr(GPtrArray) withdrawals = g_ptr_array_new ();

  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);
      const VpMergedRecord *record;
      const char *category, *withdrawn;

      if (row->ref.kind != VP_RECORD_CONSENT)
        continue;
      record = vp_merge_view_lookup (view, &row->ref);
      category = g_hash_table_lookup (row->fields, "category");
      if (view_value (record, "given_at") == NULL)
        emit (e, &row->ref, VP_CHANGE_CONSENT_GIVEN, category,
              g_hash_table_lookup (row->fields, "given_at"));
      emit_fields (e, row, record);
      withdrawn = g_hash_table_lookup (row->fields, "withdrawn_at");
      if (withdrawn != NULL && view_value (record, "withdrawn_at") == NULL)
        g_ptr_array_add (withdrawals, (gpointer) row);
    }
  /* After every give: a withdrawal stamped before a give of the same
   * transaction would be undone by it. */
  for (guint i = 0; i < withdrawals->len; i++)
    {
      const Row *row = g_ptr_array_index (withdrawals, i);

      emit (e, &row->ref, VP_CHANGE_CONSENT_WITHDRAWN,
            g_hash_table_lookup (row->fields, "category"),
            g_hash_table_lookup (row->fields, "withdrawn_at"));
    }
}

static void
emit_records (Emitter     *e,
              GPtrArray   *rows,
              VpMergeView *view)
{
  g_autoptr(GPtrArray) records = vp_merge_view_list_records (view);
  static const VpRecordKind order[] = {
    VP_RECORD_CLIENT, VP_RECORD_LANGUAGE_NEED, VP_RECORD_CONTACT, VP_RECORD_REFERRAL, VP_RECORD_FEEDBACK,
  };

  /* New and changed records, parents before children. */
  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    for (guint i = 0; i < rows->len; i++)
      {
        const Row *row = g_ptr_array_index (rows, i);

        if (row->ref.kind == order[k])
          emit_fields (e, row, vp_merge_view_lookup (view, &row->ref));
      }

  /* Records the rows no longer hold. */
  for (guint i = 0; i < records->len; i++)
    {
      const VpMergedRecord *record = g_ptr_array_index (records, i);

      if (find_row (rows, &record->ref) != NULL || !_vp_team_record_complete (record))
        continue;
      switch (record->ref.kind)
        {
        case VP_RECORD_FEEDBACK:
          {
            VpRecordRef parent = { VP_RECORD_REFERRAL, record->ref.parent, record->ref.client, { { 0 } } };

            /* Feedback goes with its referral, which says so itself. */
            if (find_row (rows, &parent) != NULL)
              emit_cleared (e, record);
          }
          break;
        case VP_RECORD_LANGUAGE_NEED:
          emit_cleared (e, record);
          break;
        case VP_RECORD_CONTACT:
        case VP_RECORD_REFERRAL:
          emit (e, &record->ref, VP_CHANGE_DELETE_RECORD, NULL, NULL);
          break;
        case VP_RECORD_CLIENT:
        case VP_RECORD_CONSENT:
        case VP_N_RECORD_KINDS:
        default:
          break;  /* they go only with the client */
        }
    }
}

/* An erasure keeps only itself: every other change of the client, which
 * holds what it erased, goes from the set on every laptop (the relay's
 * copies go at its next compaction). */
static gboolean
purge_erased (VpStore     *store,
              const VpUid *client,
              GError     **error)
{
  sqlite3 *db = vp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "INSERT OR IGNORE INTO team_erased (client_uid) VALUES (?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_uid (stmt, 1, client);
      rc = step_done (stmt);
    }
  else
    sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    {
      rc = sqlite3_prepare_v2 (db, "DELETE FROM team_change WHERE client_uid = ?"
                                   " AND body NOT LIKE '%\"op\":\"erase_client\"%'", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          bind_uid (stmt, 1, client);
          rc = step_done (stmt);
        }
      else
        sqlite3_finalize (stmt);
    }
  return rc == SQLITE_DONE || sql_error (store, rc, error);
}

static gboolean
store_change (VpStore  *store,
              VpChange *change,
              gboolean  local,
              gboolean *added,
              GError  **error)
{
  g_autofree char *body = vp_change_to_json (change);
  sqlite3_stmt *stmt = NULL;
  gboolean is_new = FALSE;
  int rc;

  /* A late change of an erased client is not kept: it cannot be shown. */
  rc = prepare (store,
                "INSERT OR IGNORE INTO team_change (change_id, client_uid, body, origin)"
                " SELECT ?1, ?2, ?3, ?4 WHERE ?5 OR NOT EXISTS"
                "  (SELECT 1 FROM team_erased WHERE client_uid = ?2)", &stmt);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_blob (stmt, 1, change->id, VP_CHANGE_ID_LEN, SQLITE_TRANSIENT);
      bind_uid (stmt, 2, &change->record.client);
      sqlite3_bind_text (stmt, 3, body, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 4, local ? 1 : 0);
      sqlite3_bind_int (stmt, 5, change->op == VP_CHANGE_ERASE_CLIENT);
      rc = sqlite3_step (stmt);
    }
  is_new = rc == SQLITE_DONE && sqlite3_changes (vp_store_get_db (store)) > 0;
  release (store, stmt);
  /* The body holds personal data: wipe it, as SQLite's allocator does. */
  OPENSSL_cleanse (body, strlen (body));
  if (rc != SQLITE_DONE)
    return sql_error (store, rc, error);
  if (added != NULL)
    *added = is_new;
  return change->op != VP_CHANGE_ERASE_CLIENT || !is_new || purge_erased (store, &change->record.client, error);
}

static gboolean
capture_client (VpStore            *store,
                gint64              client_id,
                const VpUid        *deleted_uid,
                const VpTeamRoster *roster,
                guint              *n_captured,
                GError            **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
  g_autoptr(VpMergeView) view = NULL;
  Emitter e = { store, role_from_code (vp_store_get_account_role (store)), out, error, FALSE };
  VpUid client = { { 0 } };

  if (!read_client (store, client_id, &client, &rows, error))
    return FALSE;
  if (rows->len == 0)
    {
      VpRecordRef ref = { VP_RECORD_CLIENT, { { 0 } }, { { 0 } }, { { 0 } } };

      /* Erased: a tombstone, if the team ever knew the client. */
      if (deleted_uid == NULL)
        return TRUE;
      changes = load_changes (store, deleted_uid, error);
      if (changes == NULL)
        return FALSE;
      view = merge_client (changes, roster);
      if (changes->len == 0 || vp_merge_view_is_erased (view, deleted_uid, NULL))
        return TRUE;
      ref.uid = ref.client = *deleted_uid;
      emit (&e, &ref, VP_CHANGE_ERASE_CLIENT, NULL, NULL);
    }
  else
    {
      changes = load_changes (store, &client, error);
      if (changes == NULL)
        return FALSE;
      view = merge_client (changes, roster);
      if (vp_merge_view_is_erased (view, &client, NULL))
        return TRUE;  /* rows of an erased client: the next apply removes them */

      emit_consents (&e, rows, view);
      if (out->len > 0)
        {
          /* The rest is compared with the merge after the consent changes. */
          for (guint i = 0; i < out->len; i++)
            g_ptr_array_add (changes, vp_change_ref (g_ptr_array_index (out, i)));
          g_clear_pointer (&view, vp_merge_view_free);
          view = merge_client (changes, roster);
        }
      emit_records (&e, rows, view);
    }
  if (e.failed)
    return FALSE;

  for (guint i = 0; i < out->len; i++)
    if (!store_change (store, g_ptr_array_index (out, i), TRUE, NULL, error))
      return FALSE;
  *n_captured += out->len;
  return TRUE;
}

/* The changes of every client that this transaction wrote, before COMMIT. */
gboolean
_vp_team_capture (VpStore  *store,
                  guint    *n_captured,
                  GError  **error)
{
  guint captured = 0;

  g_autoptr(VpTeamRoster) roster = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (store->team == NULL || store->team->applying)
    return TRUE;

  rc = prepare (store, "SELECT client_id, uid FROM temp.team_dirty", &stmt);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        VpUid uid;

        g_array_append_val (ids, id);
        g_ptr_array_add (uids, uid_from_column (stmt, 1, &uid) ? vp_uid_dup (&uid) : NULL);
      }
  release (store, stmt);
  if (rc != SQLITE_DONE)
    return sql_error (store, rc, error);
  if (ids->len == 0)
    return TRUE;

  roster = vp_store_team_get_roster (store, error);
  if (roster == NULL || !load_clock (store, error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!capture_client (store, g_array_index (ids, gint64, i), g_ptr_array_index (uids, i),
                         roster, &captured, error))
      return FALSE;
  if (n_captured != NULL)
    *n_captured = captured;
  return save_clock (store, error) &&
         vp_store_exec (store, "DELETE FROM temp.team_dirty", error);
}

/* ---- Apply: the rows of a client from the merge of its changes ---------- */

static const char *
field (const VpMergedRecord *record,
       const char           *name)
{
  return view_value (record, name);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           col,
                   const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, col, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  return rc;
}

static int
step_release (VpStore      *store,
              sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  release (store, stmt);
  return rc;
}

/* An account of another laptop: kept by uid, without a key slot, so it can
 * never unlock this store; its name comes with the changes that name it. */
static gint64
account_id_for (VpStore     *store,
                const char  *text)
{
  static const VpUid unknown_laptop = { { 0 } };
  gint64 id = id_of_uid_text (store, "account", text);
  sqlite3_stmt *stmt = NULL;
  VpUid uid;

  if (id != 0 || text == NULL || !vp_uid_parse (text, &uid, NULL))
    return id;
  prepare (store, "INSERT INTO account (name, role, active, created_at, uid, team_device)"
                          " VALUES ('…', 'coach', 0, strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?)", &stmt);
  bind_uid (stmt, 1, &uid);
  bind_uid (stmt, 2, &unknown_laptop);
  if (step_release (store, stmt) != SQLITE_DONE)
    return 0;
  return sqlite3_last_insert_rowid (vp_store_get_db (store));
}

/* Locations are the team's list of places, by name. */
static gint64
location_id_for (VpStore    *store,
                 const char *name,
                 const char *type)
{
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;

  if (name == NULL)
    return 0;
  prepare (store, "SELECT id FROM location WHERE name = ? ORDER BY active DESC, id LIMIT 1", &stmt);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  release (store, stmt);
  if (id != 0 || type == NULL)
    return id;
  prepare (store, "INSERT INTO location (name, type, active) VALUES (?, ?, 0)", &stmt);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, type, -1, SQLITE_TRANSIENT);
  if (step_release (store, stmt) != SQLITE_DONE)
    return 0;
  return sqlite3_last_insert_rowid (vp_store_get_db (store));
}

/* UPDATE by uid, or INSERT when no row has it. sets: "a = ?1, b = ?2 ...";
 * the uid is the last parameter. */
static int
upsert (VpStore             *store,
        const char          *table,
        const char          *columns,   /* "a, b, c" */
        guint                n_columns,
        const VpUid         *uid,
        void               (*bind) (sqlite3_stmt *, gconstpointer),
        gconstpointer        data)
{
  g_auto(GStrv) names = g_strsplit (columns, ", ", -1);
  g_autoptr(GString) sets = g_string_new (NULL);
  g_autoptr(GString) marks = g_string_new (NULL);
  g_autofree char *update = NULL, *insert = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  for (guint i = 0; i < n_columns; i++)
    {
      g_string_append_printf (sets, "%s%s = ?%u", i > 0 ? ", " : "", names[i], i + 1);
      g_string_append_printf (marks, "%s?%u", i > 0 ? ", " : "", i + 1);
    }
  update = g_strdup_printf ("UPDATE %s SET %s WHERE uid = ?%u", table, sets->str, n_columns + 1);
  insert = g_strdup_printf ("INSERT INTO %s (%s, uid) VALUES (%s, ?%u)", table, columns, marks->str,
                            n_columns + 1);

  rc = prepare (store, update, &stmt);
  if (rc != SQLITE_OK)
    return rc;
  bind (stmt, data);
  bind_uid (stmt, (int) n_columns + 1, uid);
  rc = step_release (store, stmt);
  if (rc != SQLITE_DONE || sqlite3_changes (vp_store_get_db (store)) > 0)
    return rc;

  rc = prepare (store, insert, &stmt);
  if (rc != SQLITE_OK)
    return rc;
  bind (stmt, data);
  bind_uid (stmt, (int) n_columns + 1, uid);
  return step_release (store, stmt);
}

typedef struct {
  const VpMergedRecord *record;
  gint64                client_id;
  gint64                a, b, c;   /* local ids the record names */
} Binding;

static void
bind_client (sqlite3_stmt  *stmt,
             gconstpointer  data)
{
  const Binding *b = data;

  bind_text_or_null (stmt, 1, field (b->record, "label"));
  bind_text_or_null (stmt, 2, field (b->record, "birth_year"));
  bind_text_or_null (stmt, 3, field (b->record, "neighbourhood"));
  bind_text_or_null (stmt, 4, field (b->record, "phone"));
  bind_text_or_null (stmt, 5, field (b->record, "created_at"));
}

static void
bind_consent (sqlite3_stmt  *stmt,
              gconstpointer  data)
{
  const Binding *b = data;

  sqlite3_bind_int64 (stmt, 1, b->client_id);
  bind_text_or_null (stmt, 2, field (b->record, "category"));
  bind_text_or_null (stmt, 3, field (b->record, "given_at"));
  bind_text_or_null (stmt, 4, field (b->record, "method"));
  bind_text_or_null (stmt, 5, field (b->record, "explanation_language"));
  bind_text_or_null (stmt, 6, field (b->record, "text_version"));
  bind_text_or_null (stmt, 7, field (b->record, "withdrawn_at"));
}

static void
bind_contact (sqlite3_stmt  *stmt,
              gconstpointer  data)
{
  const Binding *b = data;

  sqlite3_bind_int64 (stmt, 1, b->client_id);
  if (b->a != 0)
    sqlite3_bind_int64 (stmt, 2, b->a);
  if (b->b != 0)
    sqlite3_bind_int64 (stmt, 3, b->b);
  bind_text_or_null (stmt, 4, field (b->record, "location_type"));
  bind_text_or_null (stmt, 5, field (b->record, "occurred_at"));
  bind_text_or_null (stmt, 6, field (b->record, "kind"));
  bind_text_or_null (stmt, 7, field (b->record, "initiated_by"));
  bind_text_or_null (stmt, 8, field (b->record, "stage"));
  bind_text_or_null (stmt, 9, field (b->record, "interpreter"));
  bind_text_or_null (stmt, 10, field (b->record, "notes"));
  bind_text_or_null (stmt, 11, field (b->record, "entered_at"));
  bind_text_or_null (stmt, 12, field (b->record, "dutch_proficiency"));
  bind_text_or_null (stmt, 13, field (b->record, "language"));
}

typedef struct {
  Binding               base;
  const VpMergedRecord *feedback;
} ReferralBinding;

static void
bind_referral (sqlite3_stmt  *stmt,
               gconstpointer  data)
{
  const ReferralBinding *rb = data;
  const Binding *b = &rb->base;
  const char *received = field (rb->feedback, "received_on");
  const char *outcome = field (rb->feedback, "outcome");

  /* Received and outcome come as a pair: a half of one is not feedback. */
  if (received == NULL || outcome == NULL)
    received = outcome = NULL;
  sqlite3_bind_int64 (stmt, 1, b->client_id);
  if (b->c != 0)
    sqlite3_bind_int64 (stmt, 2, b->c);
  if (b->a != 0)
    sqlite3_bind_int64 (stmt, 3, b->a);
  bind_text_or_null (stmt, 4, field (b->record, "category"));
  bind_text_or_null (stmt, 5, field (b->record, "organisation"));
  bind_text_or_null (stmt, 6, field (b->record, "referred_on"));
  bind_text_or_null (stmt, 7, field (b->record, "warm_handover") != NULL ? field (b->record, "warm_handover") : "0");
  bind_text_or_null (stmt, 8, field (b->record, "feedback_expected_by"));
  bind_text_or_null (stmt, 9, received);
  bind_text_or_null (stmt, 10, outcome);
  bind_text_or_null (stmt, 11, field (rb->feedback, "note"));
  bind_text_or_null (stmt, 12, field (b->record, "leader_note"));
  if (b->b != 0)
    sqlite3_bind_int64 (stmt, 13, b->b);
  bind_text_or_null (stmt, 14, field (b->record, "reviewed_at"));
  bind_text_or_null (stmt, 15, field (b->record, "entered_at"));
}

/* Deletes the client's rows of table whose uid the merge does not list. */
static int
delete_others (VpStore     *store,
               const char  *table,
               gint64       client_id,
               GHashTable  *keep)
{
  g_autofree char *select = g_strdup_printf ("SELECT id, uid FROM %s WHERE client_id = ?", table);
  g_autofree char *delete = g_strdup_printf ("DELETE FROM %s WHERE id = ?", table);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = prepare (store, select, &stmt);
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, client_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      VpUid uid;

      if (!uid_from_column (stmt, 1, &uid) || !g_hash_table_contains (keep, &uid))
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (gone, id);
        }
    }
  release (store, stmt);
  if (rc != SQLITE_DONE)
    return rc;
  for (guint i = 0; i < gone->len && rc == SQLITE_DONE; i++)
    {
      prepare (store, delete, &stmt);
      sqlite3_bind_int64 (stmt, 1, g_array_index (gone, gint64, i));
      rc = step_release (store, stmt);
    }
  return rc;
}

static const VpMergedRecord *
feedback_of (VpMergeView *view,
             const VpMergedRecord *referral)
{
  VpRecordRef ref = { VP_RECORD_FEEDBACK, { { 0 } }, referral->ref.client, referral->ref.uid };

  _vp_team_feedback_uid (&referral->ref.uid, &ref.uid);
  return vp_merge_view_lookup (view, &ref);
}

static int
write_client (VpStore     *store,
              const VpUid *client,
              VpMergeView *view)
{
  g_autoptr(GPtrArray) records = vp_merge_view_list_records (view);
  g_autoptr(GHashTable) keep = g_hash_table_new (vp_uid_hash, vp_uid_equal);
  VpRecordRef client_ref = { VP_RECORD_CLIENT, *client, *client, { { 0 } } };
  const VpMergedRecord *record = vp_merge_view_lookup (view, &client_ref);
  Binding b = { record, 0, 0, 0, 0 };
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (vp_merge_view_is_erased (view, client, NULL) || !_vp_team_record_complete (record))
    {
      /* Erased, or nothing to show yet (a contact arrived before its
       * client): no rows. */
      prepare (store, "DELETE FROM client WHERE uid = ?", &stmt);
      bind_uid (stmt, 1, client);
      return step_release (store, stmt);
    }

  rc = upsert (store, "client", "label, birth_year, neighbourhood, phone, created_at", 5, client,
               bind_client, &b);
  b.client_id = id_of_uid (store, "client", client);
  if (rc != SQLITE_DONE || b.client_id == 0)
    return rc != SQLITE_DONE ? rc : SQLITE_CONSTRAINT;

  /* Consents first: the triggers on the others check them. */
  for (guint i = 0; i < records->len && rc == SQLITE_DONE; i++)
    {
      const VpMergedRecord *r = g_ptr_array_index (records, i);

      if (r->ref.kind != VP_RECORD_CONSENT || !_vp_team_record_complete (r))
        continue;
      b.record = r;
      rc = upsert (store, "consent", "client_id, category, given_at, method, explanation_language,"
                   " text_version, withdrawn_at", 7, &r->ref.uid, bind_consent, &b);
      g_hash_table_add (keep, (gpointer) &r->ref.uid);
    }
  if (rc == SQLITE_DONE)
    rc = delete_others (store, "consent", b.client_id, keep);

  /* The language need, by its client. */
  if (rc == SQLITE_DONE)
    {
      VpRecordRef need_ref = { VP_RECORD_LANGUAGE_NEED, *client, *client, { { 0 } } };
      const VpMergedRecord *need = vp_merge_view_lookup (view, &need_ref);

      if (field (need, "dutch_proficiency") != NULL || field (need, "preferred_languages") != NULL)
        {
          prepare (store, "INSERT INTO language_need (client_id, dutch_proficiency, preferred_languages)"
                                  " VALUES (?1, ?2, ?3) ON CONFLICT (client_id) DO UPDATE SET"
                                  " dutch_proficiency = ?2, preferred_languages = ?3", &stmt);
          sqlite3_bind_int64 (stmt, 1, b.client_id);
          bind_text_or_null (stmt, 2, field (need, "dutch_proficiency"));
          bind_text_or_null (stmt, 3, field (need, "preferred_languages"));
        }
      else
        {
          prepare (store, "DELETE FROM language_need WHERE client_id = ?", &stmt);
          sqlite3_bind_int64 (stmt, 1, b.client_id);
        }
      rc = step_release (store, stmt);
    }

  /* Contacts; the language need's triggers may have touched today's, so
   * every column is written, those two included. */
  g_hash_table_remove_all (keep);
  for (guint i = 0; i < records->len && rc == SQLITE_DONE; i++)
    {
      const VpMergedRecord *r = g_ptr_array_index (records, i);

      if (r->ref.kind != VP_RECORD_CONTACT || !_vp_team_record_complete (r))
        continue;  /* incomplete yet: its other changes are on their way */
      b.record = r;
      b.a = account_id_for (store, field (r, "account"));
      b.b = location_id_for (store, field (r, "location"), field (r, "location_type"));
      if (b.a == 0)
        continue;
      rc = upsert (store, "contact", "client_id, account_id, location_id, location_type, occurred_at, kind,"
                   " initiated_by, stage, interpreter, notes, entered_at, dutch_proficiency, language",
                   13, &r->ref.uid, bind_contact, &b);
      if (rc == SQLITE_DONE)
        {
          prepare (store, "UPDATE contact SET dutch_proficiency = ?, language = ? WHERE uid = ?", &stmt);
          bind_text_or_null (stmt, 1, field (r, "dutch_proficiency"));
          bind_text_or_null (stmt, 2, field (r, "language"));
          bind_uid (stmt, 3, &r->ref.uid);
          rc = step_release (store, stmt);
        }
      g_hash_table_add (keep, (gpointer) &r->ref.uid);
    }
  if (rc == SQLITE_DONE)
    rc = delete_others (store, "contact", b.client_id, keep);

  g_hash_table_remove_all (keep);
  for (guint i = 0; i < records->len && rc == SQLITE_DONE; i++)
    {
      const VpMergedRecord *r = g_ptr_array_index (records, i);
      ReferralBinding rb = { { r, b.client_id, 0, 0, 0 }, NULL };

      if (r->ref.kind != VP_RECORD_REFERRAL || !_vp_team_record_complete (r))
        continue;
      rb.feedback = feedback_of (view, r);
      rb.base.a = account_id_for (store, field (r, "account"));
      rb.base.b = account_id_for (store, field (r, "reviewed_by"));
      rb.base.c = id_of_uid_text (store, "contact", field (r, "contact"));
      if (rb.base.a == 0)
        continue;
      rc = upsert (store, "referral", "client_id, contact_id, account_id, category, organisation, referred_on,"
                   " warm_handover, feedback_expected_by, feedback_received_on, outcome, feedback_note,"
                   " leader_note, reviewed_by, reviewed_at, entered_at",
                   15, &r->ref.uid, bind_referral, &rb);
      g_hash_table_add (keep, (gpointer) &r->ref.uid);
    }
  if (rc == SQLITE_DONE)
    rc = delete_others (store, "referral", b.client_id, keep);
  return rc;
}

static gboolean
require_team (VpStore  *store,
              GError  **error)
{
  if (!vp_store_is_open (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  if (store->team == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                           _("This laptop is not in a team"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
rollback (VpStore *store)
{
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}

static gboolean
set_team_int (VpStore     *store,
              const char  *column,
              gint64       value,
              GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE team SET %s = ? WHERE id = 1", column);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = prepare (store, sql, &stmt);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, value);
      rc = step_release (store, stmt);
    }
  else
    release (store, stmt);
  return rc == SQLITE_DONE || sql_error (store, rc, error);
}

/* Rewrites one client from its changes, inside a savepoint: a merge the
 * schema refuses (a date before another, from two laptops' edits) leaves
 * that client's rows as they were instead of stopping the team's sync. */
static gboolean
rewrite_client (VpStore            *store,
                const VpUid        *client,
                const VpTeamRoster *roster,
                guint              *n_refused,
                GError            **error)
{
  sqlite3 *db = vp_store_get_db (store);
  g_autoptr(GPtrArray) changes = load_changes (store, client, error);
  g_autoptr(VpMergeView) view = NULL;
  int rc;

  if (changes == NULL || !vp_store_exec (store, "SAVEPOINT team_client", error))
    return FALSE;
  view = merge_client (changes, roster);
  rc = write_client (store, client, view);
  if (rc == SQLITE_DONE)
    return vp_store_exec (store, "RELEASE team_client", error);
  if (rc != SQLITE_CONSTRAINT && (rc & 0xff) != SQLITE_CONSTRAINT)
    {
      sql_error (store, rc, error);
      return FALSE;
    }
  (*n_refused)++;
  /* The constraint's name, never a value. */
  g_debug ("Team sync: a client's merge was refused: %s", sqlite3_errmsg (db));
  return vp_store_exec (store, "ROLLBACK TO team_client", error) &&
         vp_store_exec (store, "RELEASE team_client", error);
}

/* A blob of this many changes or more is bulk work (a first sync). */
#define BULK_CHANGES 256

static void bulk_cache (VpStore *store);

gboolean
vp_store_team_apply (VpStore          *store,
                     VpChange * const *changes,
                     guint             n_changes,
                     guint64           cursor,
                     guint            *n_new,
                     GError          **error)
{
  g_autoptr(GHashTable) touched = g_hash_table_new_full (vp_uid_hash, vp_uid_equal, g_free, NULL);
  g_autoptr(VpTeamRoster) roster = NULL;
  GHashTableIter iter;
  gpointer key;
  guint added = 0, refused = 0;
  gint64 wall = vp_hlc_wall_ms ();

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!require_team (store, error) || !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  store->team->applying = TRUE;
  if (n_changes >= BULK_CHANGES)
    bulk_cache (store);
  if (!load_clock (store, error))
    goto fail;

  for (guint i = 0; i < n_changes; i++)
    {
      gboolean is_new = FALSE;

      if (!store_change (store, changes[i], FALSE, &is_new, error))
        goto fail;
      if (!is_new)
        continue;
      added++;
      vp_hlc_clock_receive (&store->team->clock, &changes[i]->hlc, wall, NULL);
      if (!g_hash_table_contains (touched, &changes[i]->record.client))
        g_hash_table_add (touched, vp_uid_dup (&changes[i]->record.client));
    }

  roster = vp_store_team_get_roster (store, error);
  if (roster == NULL)
    goto fail;
  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!rewrite_client (store, key, roster, &refused, error))
      goto fail;
  if (refused > 0)
    g_warning ("Team sync: %u client(s) could not be written from their changes; they keep their rows",
               refused);

  if (!save_clock (store, error) ||
      !set_team_int (store, "cursor", (gint64) cursor, error) ||
      !vp_store_exec (store, "DELETE FROM temp.team_dirty", error) ||
      !vp_store_exec (store, "COMMIT", error))
    goto fail;
  store->team->applying = FALSE;
  if (n_new != NULL)
    *n_new = added;
  return TRUE;

fail:
  store->team->applying = FALSE;
  return rollback (store);
}

gboolean
vp_store_team_set_cursor (VpStore  *store,
                          guint64   cursor,
                          GError  **error)
{
  return require_team (store, error) && set_team_int (store, "cursor", (gint64) cursor, error);
}

gboolean
vp_store_team_set_removed (VpStore   *store,
                           gboolean   removed,
                           GError   **error)
{
  return require_team (store, error) && set_team_int (store, "removed", removed ? 1 : 0, error);
}

gboolean
vp_store_team_set_reporter (VpStore   *store,
                            gboolean   reporter,
                            GError   **error)
{
  return require_team (store, error) && set_team_int (store, "reporter", reporter ? 1 : 0, error);
}

/* ---- Identity, secrets, keys -------------------------------------------- */

void
vp_team_identity_clear (VpTeamIdentity *identity)
{
  g_clear_pointer (&identity->relay_url, g_free);
  g_clear_pointer (&identity->device_name, g_free);
}

static gboolean
put_blob (VpStore     *store,
          const char  *sql,
          gint64       key,
          const char  *name,
          GBytes      *value,
          GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (value, &len);
  int rc;

  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (name != NULL)
        sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      else
        sqlite3_bind_int64 (stmt, 1, key);
      sqlite3_bind_blob (stmt, 2, data, (int) len, SQLITE_TRANSIENT);
      rc = step_done (stmt);
    }
  else
    sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || sql_error (store, rc, error);
}

/* Bytes that are wiped when the last reference goes. */
static void
wipe_free (gpointer data)
{
  GBytes *bytes = data;
  gsize len = 0;
  gconstpointer p = g_bytes_get_data (bytes, &len);

  OPENSSL_cleanse ((gpointer) p, len);
  g_bytes_unref (bytes);
}

static GBytes *
wiped_bytes (const void *data,
             gsize       len)
{
  GBytes *inner = g_bytes_new (data, len);
  gsize n = 0;
  gconstpointer p = g_bytes_get_data (inner, &n);

  return g_bytes_new_with_free_func (p, n, wipe_free, inner);
}

static GBytes *
get_blob (VpStore     *store,
          const char  *sql,
          gint64       key,
          const char  *name,
          GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  GBytes *out = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (name != NULL)
        sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      else
        sqlite3_bind_int64 (stmt, 1, key);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        out = wiped_bytes (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_ROW)
    return out;
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND,
                         _("The team's key or credential is missing from this store"));
  else
    sql_error (store, rc, error);
  return NULL;
}

gboolean
vp_store_team_set_secret (VpStore     *store,
                          const char  *name,
                          GBytes      *value,
                          GError     **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  return require_team (store, error) &&
         put_blob (store, "INSERT OR REPLACE INTO team_secret (name, value) VALUES (?, ?)",
                   0, name, value, error);
}

GBytes *
vp_store_team_get_secret (VpStore     *store,
                          const char  *name,
                          GError     **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  if (!require_team (store, error))
    return NULL;
  return get_blob (store, "SELECT value FROM team_secret WHERE name = ?", 0, name, error);
}

gboolean
vp_store_team_add_key (VpStore  *store,
                       guint32   epoch,
                       GBytes   *secret,
                       GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  if (!require_team (store, error) ||
      !put_blob (store, "INSERT OR REPLACE INTO team_key (epoch, secret) VALUES (?, ?)",
                 epoch, NULL, secret, error))
    return FALSE;
  return vp_store_exec (store, "UPDATE team SET epoch = (SELECT max (epoch) FROM team_key) WHERE id = 1",
                        error);
}

GBytes *
vp_store_team_get_key (VpStore  *store,
                       guint32   epoch,
                       GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  if (!require_team (store, error))
    return NULL;
  return get_blob (store, "SELECT secret FROM team_key WHERE epoch = ?", epoch, NULL, error);
}

gboolean
vp_store_team_get_identity (VpStore         *store,
                            VpTeamIdentity  *identity,
                            GError         **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  if (!require_team (store, error))
    return FALSE;

  memset (identity, 0, sizeof *identity);
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT team_uid, device_uid, role, relay_url, device_name, epoch, cursor,"
                           " next_sequence, reporter, removed FROM team WHERE id = 1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      uid_from_column (stmt, 0, &identity->team);
      uid_from_column (stmt, 1, &identity->device);
      identity->role = role_from_code ((const char *) sqlite3_column_text (stmt, 2));
      identity->relay_url = column_text (stmt, 3);
      identity->device_name = column_text (stmt, 4);
      identity->epoch = (guint32) sqlite3_column_int64 (stmt, 5);
      identity->cursor = (guint64) sqlite3_column_int64 (stmt, 6);
      identity->next_sequence = (guint64) sqlite3_column_int64 (stmt, 7);
      identity->reporter = sqlite3_column_int (stmt, 8);
      identity->removed = sqlite3_column_int (stmt, 9);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  return sql_error (store, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, error);
}

/* A bigger page cache for bulk work: team_change's indexes are keyed by
 * content hashes and random uids, so each insert lands on another page,
 * and with SQLite's default of 2 MiB nearly every one reads and decrypts
 * a page again. The pages are SQLite's own memory (wiped when freed, as
 * all of it is). The connection keeps it: in the app, bulk work runs on a
 * clone of the store that closes when the operation ends. */
#define BULK_CACHE_KIB 65536

static void
bulk_cache (VpStore *store)
{
  sqlite3_stmt *stmt = NULL;
  gint64 pages = 0;

  if (sqlite3_prepare_v2 (vp_store_get_db (store), "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    pages = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  /* Negative: KiB; positive: pages (of 4 KiB here). */
  if (pages >= 0 ? pages * 4 >= BULK_CACHE_KIB : -pages >= BULK_CACHE_KIB)
    return;
  vp_store_exec (store, "PRAGMA cache_size = -" G_STRINGIFY (BULK_CACHE_KIB), NULL);
}

/* Every client as changes: what this laptop held before it joined. */
static gboolean
capture_all (VpStore  *store,
             GError  **error)
{
  bulk_cache (store);
  return vp_store_exec (store, "INSERT INTO temp.team_dirty (client_id) SELECT id FROM client"
                               " WHERE id NOT IN (SELECT client_id FROM temp.team_dirty)",
                        error) &&
         _vp_team_capture (store, NULL, error);
}

gboolean
vp_store_team_enable (VpStore              *store,
                      const VpTeamIdentity *identity,
                      GBytes               *device_private_key,
                      GBytes               *team_key,
                      GError              **error)
{
  g_autofree char *now = now_utc ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (identity->relay_url != NULL && identity->device_name != NULL, FALSE);

  if (!vp_store_is_open (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }
  if (store->team != NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                           _("This laptop is already in a team"));
      return FALSE;
    }
  if (identity->role == VP_TEAM_ROLE_TEAM_LEADER &&
      g_strcmp0 (vp_store_get_account_role (store), "team_leader") != 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("Only a team leader can start team sync"));
      return FALSE;
    }

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO team (id, team_uid, device_uid, role, relay_url, device_name,"
                           " epoch, reporter, enabled_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_uid (stmt, 1, &identity->team);
      bind_uid (stmt, 2, &identity->device);
      sqlite3_bind_text (stmt, 3, role_code (identity->role), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, identity->relay_url, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, identity->device_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 6, identity->epoch > 0 ? identity->epoch : 1);
      /* The team leader's laptop sends the team's report unless told otherwise. */
      sqlite3_bind_int (stmt, 7, identity->role == VP_TEAM_ROLE_TEAM_LEADER);
      sqlite3_bind_text (stmt, 8, now, -1, SQLITE_TRANSIENT);
      rc = step_done (stmt);
    }
  else
    sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return rollback (store);
    }
  if (!_vp_team_attach (store, error) ||
      !vp_store_team_set_secret (store, "device-key", device_private_key, error) ||
      !vp_store_team_add_key (store, identity->epoch > 0 ? identity->epoch : 1, team_key, error))
    goto fail;
  {
    VpTeamDevice self_device = { identity->device, identity->role, identity->device_name, now, NULL, NULL };

    if (!vp_store_team_set_device (store, &self_device, error) ||
        !capture_all (store, error) ||
        !vp_audit_append (store, identity->role == VP_TEAM_ROLE_TEAM_LEADER ? "team_created" : "team_joined",
                          "team", 0, "ok", error) ||
        !vp_store_exec (store, "COMMIT", error))
      goto fail;
  }
  return TRUE;

fail:
  rollback (store);
  g_clear_pointer (&store->team, _vp_team_state_free);
  vp_store_exec (store, detach_sql, NULL);
  return FALSE;
}

/* A connection that did not see the team being joined (the team was made
 * or joined on a worker's connection) attaches now, and compares every
 * client with its changes: a write it made in between is not lost. */
gboolean
vp_store_team_reload (VpStore  *store,
                      GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!vp_store_is_open (store) || store->team != NULL)
    return TRUE;
  if (!_vp_team_attach (store, error))
    return FALSE;
  if (store->team == NULL)
    return TRUE;
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!capture_all (store, error) || !vp_store_exec (store, "COMMIT", error))
    return rollback (store);
  return TRUE;
}

gboolean
vp_store_team_disable (VpStore  *store,
                       GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  if (!require_team (store, error) || !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!vp_store_exec (store, "DELETE FROM team_outbox; DELETE FROM team_change; DELETE FROM team_key;"
                             " DELETE FROM team_secret; DELETE FROM team_device; DELETE FROM team_erased; DELETE FROM team;",
                      error) ||
      !vp_audit_append (store, "team_left", "team", 0, "ok", error) ||
      !vp_store_exec (store, "COMMIT", error))
    return rollback (store);
  g_clear_pointer (&store->team, _vp_team_state_free);
  return vp_store_exec (store, detach_sql, error);
}

/* ---- The roster and the accounts of other laptops ----------------------- */

void
vp_team_device_free (VpTeamDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->enrolled_at);
  g_free (device->removed_at);
  g_free (device->last_synced_at);
  g_free (device);
}

gboolean
vp_store_team_set_device (VpStore            *store,
                          const VpTeamDevice *device,
                          GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  if (!require_team (store, error))
    return FALSE;
  /* A removal is for good; the time of the last sync only moves on. */
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO team_device (device_uid, role, name, enrolled_at, removed_at,"
                           " last_synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                           " ON CONFLICT (device_uid) DO UPDATE SET role = ?2, name = ?3,"
                           "  removed_at = coalesce (removed_at, ?5),"
                           "  last_synced_at = max (coalesce (last_synced_at, ''), coalesce (?6, ''))",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_uid (stmt, 1, &device->device);
      sqlite3_bind_text (stmt, 2, role_code (device->role), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, device->name != NULL ? device->name : "", -1, SQLITE_TRANSIENT);
      bind_text_or_null (stmt, 4, device->enrolled_at);
      bind_text_or_null (stmt, 5, device->removed_at);
      bind_text_or_null (stmt, 6, device->last_synced_at);
      if (device->enrolled_at == NULL)
        {
          g_autofree char *now = now_utc ();
          sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
        }
      rc = step_done (stmt);
    }
  else
    sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    vp_store_exec (store, "UPDATE team_device SET last_synced_at = NULL WHERE last_synced_at = ''", NULL);
  return rc == SQLITE_DONE || sql_error (store, rc, error);
}

GPtrArray *
vp_store_team_list_devices (VpStore  *store,
                            GError  **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_team_device_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  if (!require_team (store, error))
    return NULL;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT device_uid, role, name, enrolled_at, removed_at, last_synced_at"
                           " FROM team_device ORDER BY removed_at IS NOT NULL, name COLLATE NOCASE",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        VpTeamDevice *d = g_new0 (VpTeamDevice, 1);

        uid_from_column (stmt, 0, &d->device);
        d->role = role_from_code ((const char *) sqlite3_column_text (stmt, 1));
        d->name = column_text (stmt, 2);
        d->enrolled_at = column_text (stmt, 3);
        d->removed_at = column_text (stmt, 4);
        d->last_synced_at = column_text (stmt, 5);
        g_ptr_array_add (devices, d);
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&devices);
}

void
vp_team_account_free (VpTeamAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->name);
  g_free (account);
}

gboolean
vp_store_team_set_account (VpStore      *store,
                           const VpUid  *account,
                           const VpUid  *device,
                           const char   *name,
                           VpTeamRole    role,
                           GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  if (!require_team (store, error))
    return FALSE;
  if (name == NULL || _vp_is_blank (name) || g_utf8_strlen (name, -1) > 200)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("A colleague's name from another laptop is empty or too long"));
      return FALSE;
    }
  /* Only accounts of other laptops (this laptop's own stay as they are),
   * and each only by its own laptop: a laptop cannot rename or promote a
   * colleague's account on the others. A placeholder (a change named the
   * account before its laptop did) goes to the first laptop that names it. */
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO account (name, role, active, created_at, uid, team_device)"
                           " VALUES (?1, ?2, 0, strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'), ?3, ?4)"
                           " ON CONFLICT (uid) DO UPDATE SET name = ?1, role = ?2, team_device = ?4"
                           "  WHERE team_device IS NOT NULL AND (team_device = ?4 OR team_device = zeroblob (16))",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, role_code (role), -1, SQLITE_STATIC);
      bind_uid (stmt, 3, account);
      bind_uid (stmt, 4, device);
      rc = step_done (stmt);
    }
  else
    sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || sql_error (store, rc, error);
}

static GPtrArray *
accounts_where (VpStore     *store,
                const char  *sql,
                GError     **error)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_team_account_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  if (!require_team (store, error))
    return NULL;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        VpTeamAccount *a = g_new0 (VpTeamAccount, 1);

        uid_from_column (stmt, 0, &a->uid);
        a->name = column_text (stmt, 1);
        a->role = role_from_code ((const char *) sqlite3_column_text (stmt, 2));
        g_ptr_array_add (accounts, a);
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

GPtrArray *
vp_store_team_local_accounts (VpStore  *store,
                              GError  **error)
{
  return accounts_where (store, "SELECT uid, name, role FROM account WHERE team_device IS NULL"
                                " AND uid IS NOT NULL ORDER BY id", error);
}

GPtrArray *
vp_store_team_known_accounts (VpStore  *store,
                              GError  **error)
{
  return accounts_where (store, "SELECT uid, name, role FROM account WHERE uid IS NOT NULL ORDER BY id",
                         error);
}

/* ---- Changes out -------------------------------------------------------- */

static GPtrArray *
changes_from_query (VpStore      *store,
                    sqlite3_stmt *stmt,
                    gint64       *last,
                    GError      **error)
{
  g_autoptr(GString) bodies = g_string_new (batch_head);
  gboolean first = TRUE;
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!first)
        g_string_append_c (bodies, ',');
      g_string_append_len (bodies, (const char *) sqlite3_column_text (stmt, 1),
                           sqlite3_column_bytes (stmt, 1));
      if (last != NULL)
        *last = sqlite3_column_int64 (stmt, 0);
      first = FALSE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return NULL;
    }
  return parse_bodies (bodies, error);
}

/* A page of changes: sql takes the bound numbers ?1 and ?2 and selects
 * id and body. */
static GPtrArray *
page_of_changes (VpStore     *store,
                 const char  *sql,
                 gint64       first,
                 guint        max,
                 gint64      *last,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      sql_error (store, rc, error);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, first);
  sqlite3_bind_int (stmt, 2, (int) MIN (max, G_MAXINT));
  return changes_from_query (store, stmt, last, error);
}

GPtrArray *
vp_store_team_unsent_changes (VpStore  *store,
                              guint     max,
                              gint64   *last,
                              GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  if (!require_team (store, error))
    return NULL;
  *last = 0;
  /* Changes already in a queued blob wait for that blob. */
  return page_of_changes (store,
                          "SELECT id, body FROM team_change WHERE origin = 1 AND sent = 0"
                          " AND id > max (?1, coalesce ((SELECT max (last_change) FROM team_outbox), 0))"
                          " ORDER BY id LIMIT ?2", 0, max, last, error);
}

gboolean
vp_store_team_queue_blob (VpStore  *store,
                          guint64   sequence,
                          GBytes   *blob,
                          gint64    last_change,
                          GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  gsize len = 0;
  const guint8 *data;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  if (!require_team (store, error) || !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  data = g_bytes_get_data (blob, &len);
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO team_outbox (sequence, blob, last_change) VALUES (?, ?, ?)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, (gint64) sequence);
      sqlite3_bind_blob (stmt, 2, data, (int) len, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, last_change);
      rc = step_done (stmt);
    }
  else
    sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return rollback (store);
    }
  if (!set_team_int (store, "next_sequence", (gint64) sequence + 1, error) ||
      !vp_store_exec (store, "COMMIT", error))
    return rollback (store);
  return TRUE;
}

GBytes *
vp_store_team_queued_blob (VpStore  *store,
                           guint64  *sequence,
                           GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  GBytes *blob = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  if (!require_team (store, error))
    return NULL;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT sequence, blob FROM team_outbox ORDER BY sequence LIMIT 1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *sequence = (guint64) sqlite3_column_int64 (stmt, 0);
      blob = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    sql_error (store, rc, error);
  return blob;
}

gboolean
vp_store_team_blob_sent (VpStore  *store,
                         guint64   sequence,
                         GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  if (!require_team (store, error) || !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "UPDATE team_change SET sent = 1 WHERE origin = 1 AND sent = 0 AND id <="
                           " (SELECT last_change FROM team_outbox WHERE sequence = ?1)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, (gint64) sequence);
      rc = step_done (stmt);
    }
  else
    sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    {
      rc = sqlite3_prepare_v2 (vp_store_get_db (store), "DELETE FROM team_outbox WHERE sequence = ?",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_int64 (stmt, 1, (gint64) sequence);
          rc = step_done (stmt);
        }
      else
        sqlite3_finalize (stmt);
    }
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return rollback (store);
    }
  return vp_store_exec (store, "COMMIT", error) || rollback (store);
}

/* Every change the store holds still counts: an erased client's other
 * changes left the set with its erasure (store_change()), and superseded
 * values stay, since the merge needs a record's first change to bind it
 * to consent. */
GPtrArray *
vp_store_team_snapshot_changes (VpStore  *store,
                                gint64   *after,
                                guint     max,
                                GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  if (!require_team (store, error))
    return NULL;
  return page_of_changes (store, "SELECT id, body FROM team_change WHERE id > ?1 ORDER BY id LIMIT ?2",
                          *after, max, after, error);
}

/* ---- For tests: every synced record as text ----------------------------- */

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const Row *ra = *(Row * const *) a, *rb = *(Row * const *) b;

  return vp_record_ref_compare (&ra->ref, &rb->ref);
}

char *
vp_store_team_dump (VpStore  *store,
                    GError  **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  rc = sqlite3_prepare_v2 (vp_store_get_db (store), "SELECT id FROM client", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (ids, id);
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sql_error (store, rc, error);
      return NULL;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GPtrArray) rows = NULL;
      VpUid uid;

      if (!read_client (store, g_array_index (ids, gint64, i), &uid, &rows, error))
        return NULL;
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&rows));
    }
  g_ptr_array_sort (all, compare_rows);
  for (guint i = 0; i < all->len; i++)
    {
      const Row *row = g_ptr_array_index (all, i);
      char uid[VP_UID_STRING_LEN + 1];
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (row->fields), (GCompareFunc) strcmp);

      vp_uid_to_string (&row->ref.uid, uid);
      g_string_append_printf (out, "%s %s", vp_record_kind_to_string (row->ref.kind), uid);
      for (GList *k = keys; k != NULL; k = k->next)
        {
          const char *v = g_hash_table_lookup (row->fields, k->data);

          if (v != NULL)
            g_string_append_printf (out, " %s=%s", (const char *) k->data, v);
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
