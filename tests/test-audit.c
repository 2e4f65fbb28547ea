/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "vp-audit.h"
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
                                        e->record_type ? e->record_type : "", e->outcome, NULL);
      g_assert_null (strstr (all, "Audit-Marker"));
      g_assert_null (strstr (all, "Test Leader"));
      g_assert_null (strstr (all, "1990"));
    }

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/audit/chain-and-tamper", test_chain_and_tamper);
  g_test_add_func ("/audit/removed-entry", test_removed_entry);
  g_test_add_func ("/audit/no-personal-data", test_no_personal_data);

  return g_test_run ();
}
