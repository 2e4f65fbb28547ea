/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-schema.h"
#include "vp-store-private.h"

/* The first of a comma-separated list of language codes, or NULL. */
#define VP_FIRST_LANGUAGE_SQL(list) \
  "nullif (CASE WHEN instr (" list ", ',') > 0" \
  " THEN substr (" list ", 1, instr (" list ", ',') - 1) ELSE " list " END, '')"

/* Numbered migrations. Each step runs in its own transaction together with
 * the user_version bump, so a store is always at exactly one version. Never
 * edit a step that has shipped: add a new one. */
static const char * const migrations[] = {
  /* 1: the walking skeleton */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  value TEXT NOT NULL"
  ") WITHOUT ROWID;"

  "CREATE TABLE account ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL CHECK (length (trim (name)) > 0),"
  "  role TEXT NOT NULL CHECK (role IN ('coach', 'team_leader')),"
  "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
  "  created_at TEXT NOT NULL"
  ");"

  "CREATE TABLE location ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  type TEXT NOT NULL,"
  "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))"
  ");"

  "CREATE TABLE client ("
  "  id INTEGER PRIMARY KEY,"
  "  label TEXT NOT NULL CHECK (length (trim (label)) > 0),"
  "  birth_year INTEGER CHECK (birth_year BETWEEN 1900 AND 2100),"
  "  neighbourhood TEXT,"
  "  phone TEXT,"
  "  created_at TEXT NOT NULL"
  ");"

  "CREATE TABLE consent ("
  "  id INTEGER PRIMARY KEY,"
  "  client_id INTEGER NOT NULL REFERENCES client (id) ON DELETE CASCADE,"
  "  category TEXT NOT NULL CHECK (category IN ('language', 'interpreter', 'referral')),"
  "  given_at TEXT NOT NULL,"
  "  method TEXT NOT NULL CHECK (method IN ('verbal', 'written')),"
  "  explanation_language TEXT NOT NULL,"
  "  text_version TEXT NOT NULL,"
  "  withdrawn_at TEXT"
  ");"
  "CREATE INDEX consent_client ON consent (client_id, category);"

  "CREATE TABLE language_need ("
  "  client_id INTEGER PRIMARY KEY REFERENCES client (id) ON DELETE CASCADE,"
  "  dutch_proficiency TEXT CHECK (dutch_proficiency IN ('sufficient', 'limited', 'little_or_none')),"
  "  preferred_languages TEXT"
  ");"

  "CREATE TABLE contact ("
  "  id INTEGER PRIMARY KEY,"
  "  client_id INTEGER NOT NULL REFERENCES client (id) ON DELETE CASCADE,"
  "  account_id INTEGER NOT NULL REFERENCES account (id),"
  "  location_id INTEGER REFERENCES location (id),"
  "  location_type TEXT NOT NULL,"
  "  occurred_at TEXT NOT NULL," /* local time, YYYY-MM-DDTHH:MM:SS */
  "  kind TEXT NOT NULL CHECK (kind IN ('first', 'follow_up')),"
  "  initiated_by TEXT NOT NULL,"
  "  stage TEXT CHECK (stage IN ('prevention', 'early', 'escalated', 'crisis')),"
  "  interpreter TEXT,"
  "  notes TEXT"
  ");"
  "CREATE INDEX contact_period ON contact (occurred_at);"
  "CREATE INDEX contact_client ON contact (client_id);"

  /* Consent-bound values are refused without standing consent, and vanish
   * the moment consent is withdrawn: the rule lives in the store, not the UI. */
  "CREATE TRIGGER language_need_consent_insert BEFORE INSERT ON language_need"
  " WHEN NOT EXISTS (SELECT 1 FROM consent WHERE client_id = NEW.client_id"
  "                  AND category = 'language' AND withdrawn_at IS NULL)"
  " BEGIN SELECT RAISE (ABORT, 'consent required: language'); END;"
  "CREATE TRIGGER language_need_consent_update BEFORE UPDATE ON language_need"
  " WHEN NOT EXISTS (SELECT 1 FROM consent WHERE client_id = NEW.client_id"
  "                  AND category = 'language' AND withdrawn_at IS NULL)"
  " BEGIN SELECT RAISE (ABORT, 'consent required: language'); END;"
  "CREATE TRIGGER contact_interpreter_consent BEFORE INSERT ON contact"
  " WHEN NEW.interpreter IS NOT NULL AND NOT EXISTS (SELECT 1 FROM consent"
  "   WHERE client_id = NEW.client_id AND category = 'interpreter' AND withdrawn_at IS NULL)"
  " BEGIN SELECT RAISE (ABORT, 'consent required: interpreter'); END;"
  "CREATE TRIGGER consent_withdrawn AFTER UPDATE OF withdrawn_at ON consent"
  " WHEN NEW.withdrawn_at IS NOT NULL AND OLD.withdrawn_at IS NULL BEGIN"
  "   DELETE FROM language_need WHERE client_id = NEW.client_id AND NEW.category = 'language';"
  "   UPDATE contact SET interpreter = NULL"
  "     WHERE client_id = NEW.client_id AND NEW.category = 'interpreter';"
  " END;"

  /* Reports waiting to leave, and every revision that was queued. */
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  period TEXT NOT NULL,"
  "  revision INTEGER NOT NULL CHECK (revision >= 1),"
  "  body TEXT NOT NULL,"
  "  published_sha256 TEXT NOT NULL,"
  "  state TEXT NOT NULL DEFAULT 'queued'"
  "    CHECK (state IN ('queued', 'sending', 'retry', 'delivered', 'needs_attention', 'superseded')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_status INTEGER,"
  "  last_error TEXT,"
  "  created_at TEXT NOT NULL,"
  "  delivered_at TEXT,"
  "  UNIQUE (period, revision)"
  ");",

  /* 2: accounts that can be removed, and the audit log (after NEN 7513).
   * Entries hold ids, never personal data; each hashes the one before. */
  "ALTER TABLE account ADD COLUMN removed_at TEXT;"

  "CREATE TABLE audit_log ("
  "  id INTEGER PRIMARY KEY,"
  "  at TEXT NOT NULL," /* UTC, YYYY-MM-DDTHH:MM:SSZ */
  "  account_id INTEGER," /* NULL: the app itself, e.g. retention */
  "  role TEXT,"
  "  action TEXT NOT NULL CHECK (action IN ('unlock', 'create', 'read', 'change', 'delete',"
  "    'search', 'export', 'print', 'report_sent', 'recovery_key_used', 'retention_erasure',"
  "    'account_added', 'account_disabled', 'account_enabled', 'account_removed',"
  "    'passphrase_changed', 'passphrase_reset', 'backup', 'restore')),"
  "  record_type TEXT,"
  "  record_id INTEGER,"
  "  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),"
  "  prev_hash TEXT NOT NULL,"
  "  hash TEXT NOT NULL UNIQUE"
  ");"
  "CREATE INDEX audit_log_at ON audit_log (at);"
  "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
  " BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
  /* Entries are kept five years; only older ones may go. */
  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
  " WHEN OLD.at >= strftime ('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 years')"
  " BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;",

  /* 3: finding returning clients. The full-text index lives inside the
   * encrypted database like every other table; triggers keep it in step.
   * Phone numbers are indexed as digits only, however they were typed. */
  "CREATE VIRTUAL TABLE client_fts USING fts5 ("
  "  label, phone, content = 'client', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');"
  "INSERT INTO client_fts (rowid, label, phone) SELECT id, label, replace (replace (replace (replace (replace (replace (coalesce (phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '') FROM client;"
  "CREATE TRIGGER client_fts_insert AFTER INSERT ON client BEGIN"
  "  INSERT INTO client_fts (rowid, label, phone) VALUES (NEW.id, NEW.label, replace (replace (replace (replace (replace (replace (coalesce (NEW.phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', ''));"
  " END;"
  "CREATE TRIGGER client_fts_delete AFTER DELETE ON client BEGIN"
  "  INSERT INTO client_fts (client_fts, rowid, label, phone)"
  "    VALUES ('delete', OLD.id, OLD.label, replace (replace (replace (replace (replace (replace (coalesce (OLD.phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', ''));"
  " END;"
  "CREATE TRIGGER client_fts_update AFTER UPDATE OF label, phone ON client BEGIN"
  "  INSERT INTO client_fts (client_fts, rowid, label, phone)"
  "    VALUES ('delete', OLD.id, OLD.label, replace (replace (replace (replace (replace (replace (coalesce (OLD.phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', ''));"
  "  INSERT INTO client_fts (rowid, label, phone) VALUES (NEW.id, NEW.label, replace (replace (replace (replace (replace (replace (coalesce (NEW.phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', ''));"
  " END;"
  "CREATE INDEX client_birth_year ON client (birth_year);",

  /* 4: referrals and the feedback that should come back. Status is never
   * stored: it follows from the dates (vp_referral_status()). A referral is
   * consent-bound as a whole. */
  "CREATE TABLE referral ("
  "  id INTEGER PRIMARY KEY,"
  "  client_id INTEGER NOT NULL REFERENCES client (id) ON DELETE CASCADE,"
  "  contact_id INTEGER REFERENCES contact (id) ON DELETE SET NULL,"
  "  account_id INTEGER NOT NULL REFERENCES account (id),"
  "  category TEXT NOT NULL CHECK (category IN ('youth_care', 'mental_health', 'gp_health', 'debt',"
  "    'income', 'housing', 'wmo_support', 'social_work', 'language_education', 'work',"
  "    'migrant_org', 'refugee_support', 'other')),"
  "  organisation TEXT NOT NULL CHECK (length (trim (organisation)) > 0),"
  "  referred_on TEXT NOT NULL," /* local calendar date, YYYY-MM-DD */
  "  warm_handover INTEGER NOT NULL DEFAULT 0 CHECK (warm_handover IN (0, 1)),"
  "  feedback_expected_by TEXT NOT NULL CHECK (feedback_expected_by >= referred_on),"
  "  feedback_received_on TEXT CHECK (feedback_received_on IS NULL OR feedback_received_on >= referred_on),"
  "  outcome TEXT CHECK (outcome IN ('started', 'waiting_list', 'declined_by_org', 'client_declined',"
  "    'no_show', 'other')),"
  "  feedback_note TEXT,"
  "  leader_note TEXT,"
  "  reviewed_by INTEGER REFERENCES account (id),"
  "  reviewed_at TEXT,"
  "  CHECK ((feedback_received_on IS NULL) = (outcome IS NULL))"
  ");"
  "CREATE INDEX referral_expected ON referral (feedback_received_on, feedback_expected_by);"
  "CREATE INDEX referral_client ON referral (client_id);"
  "CREATE TRIGGER referral_consent BEFORE INSERT ON referral"
  " WHEN NOT EXISTS (SELECT 1 FROM consent WHERE client_id = NEW.client_id"
  "                  AND category = 'referral' AND withdrawn_at IS NULL)"
  " BEGIN SELECT RAISE (ABORT, 'consent required: referral'); END;"
  "CREATE TRIGGER consent_withdrawn_referral AFTER UPDATE OF withdrawn_at ON consent"
  " WHEN NEW.withdrawn_at IS NOT NULL AND OLD.withdrawn_at IS NULL AND NEW.category = 'referral'"
  " BEGIN DELETE FROM referral WHERE client_id = NEW.client_id; END;",

  /* 5: facts frozen as they were, so that a month is reported once (DESIGN
   * §5, issue on disclosure). A contact keeps the Dutch proficiency and
   * first preferred language recorded for its client at the time (still
   * consent-bound: withdrawing language consent clears them), and every
   * contact and referral records when it was entered, so that one entered
   * after its month was released counts in the month it was entered. */
  "ALTER TABLE contact ADD COLUMN entered_at TEXT;" /* local time, like occurred_at */
  "ALTER TABLE contact ADD COLUMN dutch_proficiency TEXT"
  "  CHECK (dutch_proficiency IN ('sufficient', 'limited', 'little_or_none'));"
  "ALTER TABLE contact ADD COLUMN language TEXT;"
  "ALTER TABLE referral ADD COLUMN entered_at TEXT;"
  "UPDATE contact SET entered_at = occurred_at;"
  "UPDATE referral SET entered_at = referred_on || 'T00:00:00';"
  "UPDATE contact SET"
  "  dutch_proficiency = (SELECT dutch_proficiency FROM language_need WHERE client_id = contact.client_id),"
  "  language = (SELECT " VP_FIRST_LANGUAGE_SQL ("preferred_languages")
  "              FROM language_need WHERE client_id = contact.client_id);"
  "CREATE INDEX contact_entered ON contact (entered_at);"
  "CREATE INDEX referral_period ON referral (referred_on);"
  "CREATE INDEX referral_entered ON referral (entered_at);"
  "CREATE TRIGGER contact_entered AFTER INSERT ON contact WHEN NEW.entered_at IS NULL"
  " BEGIN UPDATE contact SET entered_at = strftime ('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')"
  "       WHERE id = NEW.id; END;"
  "CREATE TRIGGER referral_entered AFTER INSERT ON referral WHEN NEW.entered_at IS NULL"
  " BEGIN UPDATE referral SET entered_at = strftime ('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')"
  "       WHERE id = NEW.id; END;"
  "CREATE TRIGGER contact_language_consent BEFORE INSERT ON contact"
  " WHEN (NEW.dutch_proficiency IS NOT NULL OR NEW.language IS NOT NULL) AND NOT EXISTS ("
  "   SELECT 1 FROM consent WHERE client_id = NEW.client_id AND category = 'language'"
  "   AND withdrawn_at IS NULL)"
  " BEGIN SELECT RAISE (ABORT, 'consent required: language'); END;"
  "CREATE TRIGGER contact_language_consent_update BEFORE UPDATE OF dutch_proficiency, language ON contact"
  " WHEN (NEW.dutch_proficiency IS NOT NULL OR NEW.language IS NOT NULL) AND NOT EXISTS ("
  "   SELECT 1 FROM consent WHERE client_id = NEW.client_id AND category = 'language'"
  "   AND withdrawn_at IS NULL)"
  " BEGIN SELECT RAISE (ABORT, 'consent required: language'); END;"
  /* What was recorded for the client when the contact was saved ... */
  "CREATE TRIGGER contact_language_snapshot AFTER INSERT ON contact"
  " WHEN NEW.dutch_proficiency IS NULL AND NEW.language IS NULL BEGIN"
  "   UPDATE contact SET"
  "     dutch_proficiency = (SELECT dutch_proficiency FROM language_need WHERE client_id = NEW.client_id),"
  "     language = (SELECT " VP_FIRST_LANGUAGE_SQL ("preferred_languages")
  "                 FROM language_need WHERE client_id = NEW.client_id)"
  "   WHERE id = NEW.id;"
  " END;"
  /* ... or on the day it happened or was entered, when the language needs
   * are asked after the contact was saved. Later changes leave past
   * contacts alone. */
  "CREATE TRIGGER language_need_snapshot_insert AFTER INSERT ON language_need BEGIN"
  "   UPDATE contact SET dutch_proficiency = NEW.dutch_proficiency,"
  "     language = " VP_FIRST_LANGUAGE_SQL ("NEW.preferred_languages")
  "   WHERE client_id = NEW.client_id AND (substr (occurred_at, 1, 10) = date ('now', 'localtime')"
  "     OR substr (entered_at, 1, 10) = date ('now', 'localtime'));"
  " END;"
  "CREATE TRIGGER language_need_snapshot_update AFTER UPDATE ON language_need BEGIN"
  "   UPDATE contact SET dutch_proficiency = NEW.dutch_proficiency,"
  "     language = " VP_FIRST_LANGUAGE_SQL ("NEW.preferred_languages")
  "   WHERE client_id = NEW.client_id AND (substr (occurred_at, 1, 10) = date ('now', 'localtime')"
  "     OR substr (entered_at, 1, 10) = date ('now', 'localtime'));"
  " END;"
  "CREATE TRIGGER consent_withdrawn_language_snapshot AFTER UPDATE OF withdrawn_at ON consent"
  " WHEN NEW.withdrawn_at IS NOT NULL AND OLD.withdrawn_at IS NULL AND NEW.category = 'language'"
  " BEGIN UPDATE contact SET dutch_proficiency = NULL, language = NULL"
  "       WHERE client_id = NEW.client_id; END;",

  /* 6: what an audit entry is about, in codes (#15): which consent
   * category was given or withdrawn, which month was sent, by what kind
   * of value clients were searched. Lower-case codes, digits and
   * ":.-_" only, so no name or label fits; the hash of an entry with a
   * detail covers it (vp-audit.c), and entries made before keep theirs. */
  "ALTER TABLE audit_log ADD COLUMN detail TEXT"
  "  CHECK (detail IS NULL OR (length (detail) BETWEEN 1 AND 64"
  "         AND detail NOT GLOB '*[^a-z0-9_:.-]*'));",

  /* 7: retention at a team's scale (#14, bench-store retention). Finding
   * the clients whose last contact is older than the period reads only the
   * index (client_id, occurred_at), not a row of every contact (it serves
   * whatever contact_client did, and a client's contacts come in order);
   * erasing a contact sets its referrals' contact_id to NULL (ON DELETE SET
   * NULL), which looked through every referral for each contact. */
  "CREATE INDEX referral_contact ON referral (contact_id);"
  "CREATE INDEX contact_client_time ON contact (client_id, occurred_at);"
  "DROP INDEX contact_client;",
  /* 8: team sync (#16, docs/team-sync.md). Every synced record gets a uid
   * (128 random bits; a language need is named by its client's, feedback
   * by its referral's); accounts too, so a contact names its author on
   * every laptop, and accounts of other laptops are kept (team_device set)
   * without a key slot. The change set, the team's keys and the relay's
   * token live here, inside the encryption, and nowhere else. The audit
   * log is rebuilt to allow the sync actions: the rows and their hashes
   * are copied unchanged. */
  "ALTER TABLE client ADD COLUMN uid BLOB;"
  "ALTER TABLE contact ADD COLUMN uid BLOB;"
  "ALTER TABLE consent ADD COLUMN uid BLOB;"
  "ALTER TABLE referral ADD COLUMN uid BLOB;"
  "ALTER TABLE account ADD COLUMN uid BLOB;"
  "ALTER TABLE account ADD COLUMN team_device BLOB;"
  "UPDATE client SET uid = randomblob (16);"
  "UPDATE contact SET uid = randomblob (16);"
  "UPDATE consent SET uid = randomblob (16);"
  "UPDATE referral SET uid = randomblob (16);"
  "UPDATE account SET uid = randomblob (16);"
  "CREATE UNIQUE INDEX client_uid ON client (uid);"
  "CREATE UNIQUE INDEX contact_uid ON contact (uid);"
  "CREATE UNIQUE INDEX consent_uid ON consent (uid);"
  "CREATE UNIQUE INDEX referral_uid ON referral (uid);"
  "CREATE UNIQUE INDEX account_uid ON account (uid);"
  "CREATE TRIGGER client_uid AFTER INSERT ON client WHEN NEW.uid IS NULL"
  " BEGIN UPDATE client SET uid = randomblob (16) WHERE id = NEW.id; END;"
  "CREATE TRIGGER contact_uid AFTER INSERT ON contact WHEN NEW.uid IS NULL"
  " BEGIN UPDATE contact SET uid = randomblob (16) WHERE id = NEW.id; END;"
  "CREATE TRIGGER consent_uid AFTER INSERT ON consent WHEN NEW.uid IS NULL"
  " BEGIN UPDATE consent SET uid = randomblob (16) WHERE id = NEW.id; END;"
  "CREATE TRIGGER referral_uid AFTER INSERT ON referral WHEN NEW.uid IS NULL"
  " BEGIN UPDATE referral SET uid = randomblob (16) WHERE id = NEW.id; END;"
  "CREATE TRIGGER account_uid AFTER INSERT ON account WHEN NEW.uid IS NULL"
  " BEGIN UPDATE account SET uid = randomblob (16) WHERE id = NEW.id; END;"

  "CREATE TABLE team ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  team_uid BLOB NOT NULL CHECK (length (team_uid) = 16),"
  "  device_uid BLOB NOT NULL CHECK (length (device_uid) = 16),"
  "  role TEXT NOT NULL CHECK (role IN ('coach', 'team_leader')),"
  "  relay_url TEXT NOT NULL,"
  "  device_name TEXT NOT NULL,"
  "  epoch INTEGER NOT NULL DEFAULT 1,"
  "  cursor INTEGER NOT NULL DEFAULT 0,"
  "  next_sequence INTEGER NOT NULL DEFAULT 1,"
  "  hlc TEXT,"
  "  reporter INTEGER NOT NULL DEFAULT 0 CHECK (reporter IN (0, 1)),"
  "  removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),"
  "  enabled_at TEXT NOT NULL"
  ");"
  "CREATE TABLE team_secret ("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  value BLOB NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE team_key ("
  "  epoch INTEGER PRIMARY KEY,"
  "  secret BLOB NOT NULL CHECK (length (secret) = 32)"
  ");"
  "CREATE TABLE team_device ("
  "  device_uid BLOB PRIMARY KEY NOT NULL,"
  "  role TEXT NOT NULL CHECK (role IN ('coach', 'team_leader')),"
  "  name TEXT NOT NULL,"
  "  enrolled_at TEXT NOT NULL,"
  "  removed_at TEXT,"
  "  last_synced_at TEXT"
  ") WITHOUT ROWID;"
  /* Every change seen, local (origin 1) or received: a client's records
   * are the merge of its changes. body is the change's canonical JSON. */
  "CREATE TABLE team_change ("
  "  id INTEGER PRIMARY KEY,"
  "  change_id BLOB NOT NULL UNIQUE,"
  "  client_uid BLOB NOT NULL,"
  "  body TEXT NOT NULL,"
  "  origin INTEGER NOT NULL CHECK (origin IN (0, 1)),"
  "  sent INTEGER NOT NULL DEFAULT 0 CHECK (sent IN (0, 1))"
  ");"
  "CREATE INDEX team_change_client ON team_change (client_uid);"
  "CREATE INDEX team_change_unsent ON team_change (id) WHERE origin = 1 AND sent = 0;"
  /* Erased clients: their changes are dropped, now and when they arrive
   * late; only the erasure itself is kept. */
  "CREATE TABLE team_erased ("
  "  client_uid BLOB PRIMARY KEY NOT NULL"
  ") WITHOUT ROWID;"
  /* Sealed blobs waiting for the relay: the same bytes on every retry. */
  "CREATE TABLE team_outbox ("
  "  sequence INTEGER PRIMARY KEY,"
  "  blob BLOB NOT NULL,"
  "  last_change INTEGER NOT NULL"
  ");"

  "CREATE TABLE audit_log_8 ("
  "  id INTEGER PRIMARY KEY,"
  "  at TEXT NOT NULL,"
  "  account_id INTEGER,"
  "  role TEXT,"
  "  action TEXT NOT NULL CHECK (action IN ('unlock', 'create', 'read', 'change', 'delete',"
  "    'search', 'export', 'print', 'report_sent', 'recovery_key_used', 'retention_erasure',"
  "    'account_added', 'account_disabled', 'account_enabled', 'account_removed',"
  "    'passphrase_changed', 'passphrase_reset', 'backup', 'restore',"
  "    'team_created', 'team_joined', 'team_left', 'sync_sent', 'sync_received', 'sync_applied',"
  "    'sync_rejected', 'device_enrolled', 'device_removed', 'key_rotated')),"
  "  record_type TEXT,"
  "  record_id INTEGER,"
  "  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),"
  "  prev_hash TEXT NOT NULL,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  detail TEXT CHECK (detail IS NULL OR (length (detail) BETWEEN 1 AND 64"
  "         AND detail NOT GLOB '*[^a-z0-9_:.-]*'))"
  ");"
  "INSERT INTO audit_log_8 (id, at, account_id, role, action, record_type, record_id, outcome,"
  "                         prev_hash, hash, detail)"
  "  SELECT id, at, account_id, role, action, record_type, record_id, outcome, prev_hash, hash,"
  "         detail FROM audit_log;"
  /* Dropping a table fires none of its triggers. */
  "DROP TABLE audit_log;"
  "ALTER TABLE audit_log_8 RENAME TO audit_log;"
  "CREATE INDEX audit_log_at ON audit_log (at);"
  "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
  " BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
  " WHEN OLD.at >= strftime ('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 years')"
  " BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;",
};

guint
vp_schema_current_version (void)
{
  return G_N_ELEMENTS (migrations);
}

/* -1 with an error when it cannot be read: busy is not damage. */
static int
user_version (sqlite3  *db,
              GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED,
                         _("The store's schema version cannot be read"));
  else
    _vp_sqlite_set_error (db, rc, error);
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
run_step (sqlite3  *db,
          guint     step,
          GError  **error)
{
  g_autofree char *sql = g_strdup_printf ("BEGIN IMMEDIATE; %s PRAGMA user_version = %u; COMMIT;",
                                          migrations[step], step + 1);
  char *msg = NULL;
  int rc;

  rc = sqlite3_exec (db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, VP_STORE_ERROR,
                   _vp_sqlite_is_busy (rc) ? VP_STORE_ERROR_BUSY : VP_STORE_ERROR_FAILED,
                   _("The store could not be upgraded to version %u: %s"),
                   step + 1, msg != NULL ? msg : "");
      sqlite3_free (msg);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
vp_schema_migrate (sqlite3  *db,
                   guint     target_version,
                   GError  **error)
{
  int version;

  g_return_val_if_fail (target_version <= G_N_ELEMENTS (migrations), FALSE);

  version = user_version (db, error);
  if (version < 0)
    return FALSE;
  if ((guint) version > G_N_ELEMENTS (migrations))
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("This store was made by a newer version of Vindplaats (schema %d)"),
                   version);
      return FALSE;
    }

  for (guint step = (guint) version; step < target_version; step++)
    if (!run_step (db, step, error))
      return FALSE;
  return TRUE;
}
