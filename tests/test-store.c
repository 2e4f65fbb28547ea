/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>

#include "vp-contact.h"
#include "vp-location.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

static void
test_create_lock_reopen (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "nested", "store", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (store_dir, "store.db", NULL);
  g_autofree char *installation = g_strdup (vp_store_get_installation_id (store));
  GStatBuf st;

  g_assert_cmpstr (vp_store_get_team_code (store), ==, "team-noord");
  g_assert_cmpstr (vp_store_get_municipality_code (store), ==, "GM0344");
  g_assert_cmpstr (vp_store_get_account_role (store), ==, "team_leader");
  g_assert_cmpuint (strlen (installation), ==, 32);

  /* Folder 0700, files 0600. */
  g_assert_cmpint (g_stat (store_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (db, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  vp_store_close (store);
  g_assert_false (vp_store_is_open (store));

  again = vp_store_open (store_dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vp_store_get_installation_id (again), ==, installation);
  g_assert_cmpstr (vp_store_get_team_code (again), ==, "team-noord");

  vp_test_remove_dir (dir);
}

static void
test_wrong_passphrase (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GError) error = NULL;

  vp_store_close (store);
  again = vp_store_open (dir, "not the passphrase", &error);
  g_assert_null (again);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
  g_assert_nonnull (strstr (error->message, "passphrase"));

  vp_test_remove_dir (dir);
}

static void
test_damaged_and_missing_keys (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (dir, "store.db", NULL);
  g_autofree char *keys = g_build_filename (dir, "store.keys", NULL);
  g_autofree char *contents = NULL;
  gsize len;

  vp_test_register (store, "Amira", 1980, "school", "first", NULL, NULL);
  g_assert_true (vp_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", NULL));
  vp_store_close (store);

  /* Flip bytes in the first page: the key is right, the file is not. */
  g_assert_true (g_file_get_contents (db, &contents, &len, NULL));
  for (gsize i = 100; i < 400; i++)
    contents[i] ^= 0x5a;
  g_assert_true (g_file_set_contents (db, contents, (gssize) len, NULL));
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_null (again);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (keys), ==, 0);
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_null (again);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_KEYS_MISSING);

  vp_test_remove_dir (dir);
}

static void
test_no_plaintext_on_disk (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GListModel) today = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDate) date = g_date_new ();
  const char *marker = "Zqx-Marker-7781";

  for (int i = 0; i < 50; i++)
    vp_test_register (store, marker, 1975, "religious", "first", "limited", NULL);

  /* Check while the WAL and shared memory files still hold the pages. */
  g_assert_false (vp_test_store_files_contain (dir, marker));
  g_assert_false (vp_test_store_files_contain (dir, "Test Leader")); /* not even in store.keys */
  g_assert_false (vp_test_store_files_contain (dir, "team-noord"));
  g_assert_false (vp_test_store_files_contain (dir, "SQLite format 3"));
  vp_store_close (store);
  g_assert_false (vp_test_store_files_contain (dir, marker));

  /* And the data is really there. */
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_date_set_time_t (date, time (NULL));
  today = vp_store_list_contacts_on (again, date, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (today), ==, 50);

  vp_test_remove_dir (dir);
}

static void
test_setup_validation (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(GError) error = NULL;
  VpStoreSetup bad_municipality = { "team", "0344", "Leader", VP_TEST_PASSPHRASE };
  VpStoreSetup short_pass = { "team", "GM0344", "Leader", "short" };
  VpStoreSetup bad_team = { "team noord!", "GM0344", "Leader", VP_TEST_PASSPHRASE };

  g_assert_null (vp_store_create (dir, &bad_municipality, NULL, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (vp_store_create (dir, &short_pass, NULL, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (vp_store_create (dir, &bad_team, NULL, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_assert_false (vp_store_exists (dir));

  vp_test_remove_dir (dir);
}

static void
test_registration_rules (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  gint64 follow_up = 0;
  VpRegistration reg = {
    .client_label = "Jan",
    .birth_year = 1850,
    .location_type = "school",
    .kind = "first",
    .initiated_by = "school",
  };
  sqlite3 *db = vp_store_get_db (store);

  /* Bad input is refused with a message naming the field, and nothing is saved. */
  g_assert_false (vp_store_save_registration (store, &reg, NULL, &error));
  g_assert_error (error, VP_REGISTRATION_ERROR, VP_REGISTRATION_ERROR_BIRTH_YEAR);
  g_clear_error (&error);

  reg.birth_year = 1990;
  reg.dutch_proficiency = "limited"; /* no consent */
  g_assert_false (vp_store_save_registration (store, &reg, NULL, &error));
  g_assert_error (error, VP_REGISTRATION_ERROR, VP_REGISTRATION_ERROR_PROFICIENCY);
  g_clear_error (&error);

  reg.dutch_proficiency = NULL;
  reg.kind = "follow_up";
  g_assert_false (vp_store_save_registration (store, &reg, NULL, &error));
  g_assert_error (error, VP_REGISTRATION_ERROR, VP_REGISTRATION_ERROR_CLIENT);
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_exec (db, "SELECT 1 FROM client", NULL, NULL, NULL), ==, SQLITE_OK);

  /* The store itself refuses consent-bound values without consent. */
  reg.kind = "first";
  vp_store_save_registration (store, &reg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO language_need (client_id, dutch_proficiency)"
                                 " SELECT id, 'limited' FROM client", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT);

  /* A follow-up finds the client by label and birth year: its contact is
   * the first client's, and no second client is made. */
  reg.kind = "follow_up";
  reg.client_label = "jan";
  g_assert_true (vp_store_save_registration (store, &reg, &follow_up, &error));
  g_assert_no_error (error);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contact c JOIN client k ON k.id = c.client_id"
                                            " WHERE c.id = %" G_GINT64_FORMAT " AND k.label = 'Jan'"
                                            " AND k.birth_year = 1990", follow_up);

    g_assert_cmpint (vp_test_count (store, sql), ==, 1);
  }
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 1);

  vp_test_remove_dir (dir);
}

/* Every contact field of DESIGN §4, at a named location. */
static void
test_locations_and_full_registration (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;
  gint64 mosque, contact = 0;
  VpRegistration reg = {
    .client_label = "Mariam",
    .birth_year = 1983,
    .kind = "first",
    .initiated_by = "key_figure",
    .stage = "early",
    .language_consent = TRUE,
    .dutch_proficiency = "little_or_none",
    .interpreter_consent = TRUE,
    .interpreter = "informal_adult",
    .notes = "Wants help with a letter",
  };

  mosque = vp_store_add_location (store, "Moskee De Vrede", "religious", &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_store_add_location (store, "  ", "religious", &error), ==, 0);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (vp_store_add_location (store, "Bieb", "not-a-type", &error), ==, 0);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  reg.location_id = mosque;
  g_assert_true (vp_store_save_registration (store, &reg, &contact, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE location_type = 'religious'"
                                         " AND stage = 'early' AND interpreter = 'informal_adult'"
                                         " AND notes IS NOT NULL AND location_id IS NOT NULL"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM consent WHERE category IN ('language', 'interpreter')"), ==, 2);

  /* Interpreter use without consent is refused before it reaches the store. */
  reg.interpreter_consent = FALSE;
  reg.client_label = "Other";
  g_assert_false (vp_store_save_registration (store, &reg, NULL, &error));
  g_assert_error (error, VP_REGISTRATION_ERROR, VP_REGISTRATION_ERROR_INTERPRETER);
  g_clear_error (&error);

  /* An inactive location is kept for history but no longer offered. */
  g_assert_true (vp_store_update_location (store, mosque, "Moskee De Vrede", "religious", FALSE, &error));
  active = vp_store_list_locations (store, TRUE, &error);
  g_assert_cmpuint (active->len, ==, 0);

  vp_test_remove_dir (dir);
}

/* A clone has a connection of its own for a worker thread; in a snapshot
 * it keeps seeing one moment while the window's connection writes. */
static void
test_clone_snapshot (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) clone = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_local (2026, 10, 5, 10, 0, 0);
  g_autoptr(GError) error = NULL;

  vp_test_register (store, "A.", 1980, "school", "first", NULL, when);
  clone = vp_store_open_clone (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vp_store_get_team_code (clone), ==, vp_store_get_team_code (store));
  g_assert_cmpstr (vp_store_get_account_role (clone), ==, vp_store_get_account_role (store));

  g_assert_true (vp_store_begin_snapshot (clone, &error));
  g_assert_cmpint (vp_test_count (clone, "SELECT count (*) FROM contact"), ==, 1);
  vp_test_register (store, "B.", 1981, "school", "first", NULL, when);
  g_assert_cmpint (vp_test_count (clone, "SELECT count (*) FROM contact"), ==, 1);
  vp_store_end_snapshot (clone);
  g_assert_cmpint (vp_test_count (clone, "SELECT count (*) FROM contact"), ==, 2);

  /* Locking the window's store does not reach into the clone's key. */
  vp_store_close (store);
  g_assert_cmpint (vp_test_count (clone, "SELECT count (*) FROM contact"), ==, 2);
  g_assert_null (vp_store_open_clone (store, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED);
  vp_test_remove_dir (dir);
}

/* Freed memory is wiped by vp_data_init()'s allocator, not by SQLCipher's
 * cipher_memory_security, which costs an mlock() and munlock() per
 * allocation. The pragma can only be switched on, for the whole process,
 * so no connection may ask for it. */
static void
test_memory_security_pragma_off (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) clone = NULL;

  g_assert_cmpint (vp_test_count (store, "PRAGMA cipher_memory_security"), ==, 0);
  clone = vp_store_open_clone (store, NULL);
  g_assert_nonnull (clone);
  g_assert_cmpint (vp_test_count (clone, "PRAGMA cipher_memory_security"), ==, 0);
  vp_test_remove_dir (dir);
}

/* The protection is checked at every open, not only at start-up: a
 * process made dumpable again (setuid() does that) opens nothing. */
static void
test_open_checks_protection (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (prctl (PR_SET_DUMPABLE, 1, 0, 0, 0), ==, 0);
  g_assert_null (vp_store_open_clone (store, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED);
  g_clear_error (&error);
  vp_store_close (store);
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_cmpint (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0), ==, 0);
  g_assert_null (again);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED);
  g_assert_nonnull (strstr (error->message, "core dumps"));
  g_clear_error (&error);

  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/create-lock-reopen", test_create_lock_reopen);
  g_test_add_func ("/store/wrong-passphrase", test_wrong_passphrase);
  g_test_add_func ("/store/damaged-and-missing-keys", test_damaged_and_missing_keys);
  g_test_add_func ("/store/no-plaintext-on-disk", test_no_plaintext_on_disk);
  g_test_add_func ("/store/setup-validation", test_setup_validation);
  g_test_add_func ("/store/registration-rules", test_registration_rules);
  g_test_add_func ("/store/locations-and-full-registration", test_locations_and_full_registration);
  g_test_add_func ("/store/clone-snapshot", test_clone_snapshot);
  g_test_add_func ("/store/memory-security-pragma-off", test_memory_security_pragma_off);
  g_test_add_func ("/store/open-checks-protection", test_open_checks_protection);

  return g_test_run ();
}
