/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "vp-audit.h"
#include "vp-consent.h"
#include "vp-keyslots.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

/* Opens the store file directly with the raw key, as someone holding the
 * key but not using the app would. */
static sqlite3 *
open_raw (const char   *dir,
          const guint8 *key)
{
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  GString *pragma = g_string_new ("PRAGMA key = \"x'");
  sqlite3 *db = NULL;

  for (guint i = 0; i < VP_DATA_KEY_LEN; i++)
    g_string_append_printf (pragma, "%02x", key[i]);
  g_string_append (pragma, "'\"");
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, pragma->str, NULL, NULL, NULL), ==, SQLITE_OK);
  g_string_free (pragma, TRUE);
  return db;
}

static void
test_chain_and_tamper (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[VP_DATA_KEY_LEN];
  sqlite3 *db = vp_store_get_db (store);
  sqlite3 *raw;
  gint64 bad = -1;

  for (int i = 0; i < 4; i++)
    vp_test_register (store, "Audit-Marker-Label", 1990, "school", "first", "limited", NULL);

  /* Two entries per first contact (client and contact), in order. */
  entries = vp_audit_list (store, "create", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 8);
  for (guint i = 0; i < entries->len; i++)
    {
      VpAuditEntry *e = g_ptr_array_index (entries, i);
      g_assert_cmpint (e->account_id, ==, vp_store_get_account_id (store));
      g_assert_cmpstr (e->role, ==, "team_leader");
      g_assert_true (g_str_equal (e->record_type, "contact") || g_str_equal (e->record_type, "client"));
      g_assert_true (g_str_has_suffix (e->at, "Z"));
    }
  g_assert_true (vp_audit_verify (store, &bad, &error));
  g_assert_no_error (error);

  /* Entries cannot be changed or removed through SQL. */
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit_log SET outcome = 'failed' WHERE id = 2", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM audit_log WHERE id = 2", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT);

  /* Someone with the key drops the trigger and alters entry 3. */
  memcpy (key, _vp_store_get_key (store), sizeof key);
  vp_store_close (store);
  raw = open_raw (dir, key);
  g_assert_cmpint (sqlite3_exec (raw, "DROP TRIGGER audit_log_no_update;"
                                 "UPDATE audit_log SET record_id = 999 WHERE id = 3;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);
  vp_wipe (key, sizeof key);

  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_false (vp_audit_verify (again, &bad, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED);
  g_assert_cmpint (bad, ==, 3);
  g_assert_nonnull (strstr (error->message, "3"));

  vp_test_remove_dir (dir);
}

/* An entry removed from the middle breaks the link of the next one. */
static void
test_removed_entry (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GError) error = NULL;
  guint8 key[VP_DATA_KEY_LEN];
  sqlite3 *raw;
  gint64 bad = -1;

  for (int i = 0; i < 3; i++)
    vp_test_register (store, "X", 1990, "school", "first", NULL, NULL);
  memcpy (key, _vp_store_get_key (store), sizeof key);
  vp_store_close (store);
  raw = open_raw (dir, key);
  g_assert_cmpint (sqlite3_exec (raw, "DROP TRIGGER audit_log_no_delete;"
                                 "DELETE FROM audit_log WHERE id = 4;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);
  vp_wipe (key, sizeof key);

  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_false (vp_audit_verify (again, &bad, &error));
  g_assert_cmpint (bad, ==, 5);

  vp_test_remove_dir (dir);
}

/* The log holds ids and codes, never the personal values themselves. */
static void
test_no_personal_data (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GPtrArray) entries = NULL;

  vp_test_register (store, "Audit-Marker-Label", 1990, "school", "first", "limited", NULL);
  entries = vp_audit_list (store, NULL, 0, 0, NULL);
  g_assert_cmpuint (entries->len, ==, 2);
  for (guint i = 0; i < entries->len; i++)
    {
      VpAuditEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *all = g_strjoin ("|", e->at, e->role ? e->role : "", e->action,
                                        e->record_type ? e->record_type : "", e->outcome,
                                        e->detail ? e->detail : "", NULL);
      g_assert_null (strstr (all, "Audit-Marker"));
      g_assert_null (strstr (all, "Test Leader"));
      g_assert_null (strstr (all, "1990"));
    }

  vp_test_remove_dir (dir);
}

/* An entry as the app wrote it before entries had a detail (schema 5 and
 * older): the first form of the hash, computed here on its own. */
static void
insert_old_entry (VpStore    *store,
                  gint64      id,
                  const char *prev_hash,
                  char      **hash)
{
  g_autofree char *text =
    g_strdup_printf ("vindplaats-audit/1\n%s\n%" G_GINT64_FORMAT "\n2025-01-05T10:00:00Z\n1\nteam_leader"
                     "\nchange\nconsent\n%" G_GINT64_FORMAT "\nok", prev_hash, id, id + 30);
  g_autofree char *sql = NULL;

  *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
  sql = g_strdup_printf ("INSERT INTO audit_log (id, at, account_id, role, action, record_type, record_id,"
                         " outcome, prev_hash, hash) VALUES (%" G_GINT64_FORMAT ", '2025-01-05T10:00:00Z', 1,"
                         " 'team_leader', 'change', 'consent', %" G_GINT64_FORMAT ", 'ok', '%s', '%s')",
                         id, id + 30, prev_hash, *hash);
  g_assert_true (vp_store_exec (store, sql, NULL));
}

static VpAuditEntry *
newest_entry (VpStore    *store,
              const char *action)
{
  g_autoptr(GPtrArray) entries = vp_audit_list (store, action, 0, 1, NULL);

  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, 1);
  return g_steal_pointer (&g_ptr_array_index (entries, 0));
}

/* What happened, in codes (#15): consent given or withdrawn and its
 * category. Entries from before the detail existed still verify beside
 * new ones; a detail is covered by its entry's hash; and only codes fit
 * in one, through the API or through SQL. */
static void
test_detail (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  VpStoreSetup setup = { "team-noord", "GM0344", "Test Leader", VP_TEST_PASSPHRASE };
  g_autoptr(VpStore) old = NULL;
  g_autoptr(VpStore) store = NULL;
  g_autoptr(VpStore) again = NULL;
  g_autoptr(VpAuditEntry) given = NULL;
  g_autoptr(VpAuditEntry) withdrawn = NULL;
  g_autoptr(VpAuditEntry) unlock = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_hash = NULL;
  g_autofree char *second_hash = NULL;
  guint8 key[VP_DATA_KEY_LEN];
  gint64 client, bad = -1;
  sqlite3 *raw;

  /* Two entries written by a store of schema 5, which is then upgraded. */
  old = _vp_store_create_at_version (dir, &setup, 5, NULL, &error);
  g_assert_no_error (error);
  insert_old_entry (old, 1, "0000000000000000000000000000000000000000000000000000000000000000", &first_hash);
  insert_old_entry (old, 2, first_hash, &second_hash);
  vp_store_close (old);
  store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);

  /* An entry without a detail keeps the first form of the hash. */
  unlock = newest_entry (store, "unlock");
  g_assert_null (unlock->detail);
  {
    g_autofree char *text =
      g_strdup_printf ("vindplaats-audit/1\n%s\n%" G_GINT64_FORMAT "\n%s\n%" G_GINT64_FORMAT "\n%s\nunlock\n\n0\nok",
                       second_hash, unlock->id, unlock->at, unlock->account_id, unlock->role);
    g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
    g_assert_cmpstr (unlock->hash, ==, expected);
  }

  vp_test_register (store, "Audit-Marker-Label", 1990, "school", "first", NULL, NULL);
  client = vp_test_count (store, "SELECT max (id) FROM client");
  g_assert_true (vp_store_give_consent (store, client, "language", "verbal", "nld", "2026-1", &error));
  given = newest_entry (store, "change");
  g_assert_true (vp_store_withdraw_consent (store, client, "language", &error));
  g_assert_no_error (error);
  withdrawn = newest_entry (store, "change");
  g_assert_cmpstr (given->record_type, ==, "consent");
  g_assert_cmpstr (given->detail, ==, "given:language");
  g_assert_cmpstr (withdrawn->detail, ==, "withdrawn:language");
  g_assert_cmpint (withdrawn->record_id, ==, given->record_id);
  g_assert_true (vp_audit_verify (store, &bad, &error));
  g_assert_no_error (error);

  /* Nothing but codes: a label or a phone number is refused, and nothing
   * is written. */
  g_assert_false (vp_audit_append_detail (store, "search", "client", 0, "Audit-Marker-Label", "ok", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (vp_audit_append_detail (store, "search", "client", 0, "06 1234 5678", "ok", NULL));
  g_assert_false (vp_audit_append_detail (store, "search", "client", 0, "", "ok", NULL));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'search'"), ==, 0);
  g_assert_cmpint (sqlite3_exec (vp_store_get_db (store),
                                 "INSERT INTO audit_log (at, action, outcome, prev_hash, hash, detail)"
                                 " VALUES ('x', 'search', 'ok', 'x', 'unique-x', 'Zeynep')", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT);

  /* Someone with the key changes the category of the withdrawal. */
  memcpy (key, _vp_store_get_key (store), sizeof key);
  vp_store_close (store);
  raw = open_raw (dir, key);
  {
    g_autofree char *sql = g_strdup_printf ("DROP TRIGGER audit_log_no_update;"
                                            "UPDATE audit_log SET detail = 'withdrawn:referral' WHERE id = %" G_GINT64_FORMAT,
                                            withdrawn->id);
    g_assert_cmpint (sqlite3_exec (raw, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  sqlite3_close (raw);
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_false (vp_audit_verify (again, &bad, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED);
  g_assert_cmpint (bad, ==, withdrawn->id);
  g_clear_error (&error);
  vp_store_close (again);
  g_clear_object (&again);

  /* Or removes it, or gives an old entry one: each breaks its hash. */
  raw = open_raw (dir, key);
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE audit_log SET detail = 'withdrawn:language' WHERE id = %" G_GINT64_FORMAT ";"
                                            "UPDATE audit_log SET detail = NULL WHERE id = %" G_GINT64_FORMAT,
                                            withdrawn->id, given->id);
    g_assert_cmpint (sqlite3_exec (raw, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  sqlite3_close (raw);
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_false (vp_audit_verify (again, &bad, &error));
  g_assert_cmpint (bad, ==, given->id);
  g_clear_error (&error);
  vp_store_close (again);
  g_clear_object (&again);

  raw = open_raw (dir, key);
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE audit_log SET detail = 'given:language' WHERE id = %" G_GINT64_FORMAT ";"
                                            "UPDATE audit_log SET detail = 'given:language' WHERE id = 2",
                                            given->id);
    g_assert_cmpint (sqlite3_exec (raw, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  sqlite3_close (raw);
  vp_wipe (key, sizeof key);
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_false (vp_audit_verify (again, &bad, &error));
  g_assert_cmpint (bad, ==, 2);

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/audit/chain-and-tamper", test_chain_and_tamper);
  g_test_add_func ("/audit/removed-entry", test_removed_entry);
  g_test_add_func ("/audit/no-personal-data", test_no_personal_data);
  g_test_add_func ("/audit/detail", test_detail);

  return g_test_run ();
}
