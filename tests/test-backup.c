/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-backup.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

typedef struct {
  guint  calls;
  double last;
  gboolean monotonic;
} Progress;

static void
on_progress (double   fraction,
             gpointer user_data)
{
  Progress *p = user_data;

  p->calls++;
  if (fraction + 1e-9 < p->last)
    p->monotonic = FALSE;
  p->last = fraction;
}

static void
test_backup_and_restore (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autofree char *restored_dir = g_build_filename (dir, "restored", NULL);
  g_autofree char *recovered_dir = g_build_filename (dir, "recovered", NULL);
  g_autofree char *failed_dir = g_build_filename (dir, "failed", NULL);
  g_autofree char *not_backup = g_build_filename (dir, "notes.txt", NULL);
  VpStoreSetup setup = { "team-noord", "GM0344", "Test Leader", VP_TEST_PASSPHRASE };
  g_autofree char *recovery = NULL;
  g_autoptr(VpStore) store = NULL;
  g_autoptr(VpStore) restored = NULL;
  g_autoptr(VpStore) recovered = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  Progress progress = { 0, 0.0, TRUE };

  store = vp_store_create (store_dir, &setup, &recovery, &error);
  g_assert_no_error (error);
  vp_test_register (store, "Backup-Marker-Label", 1977, "school", "first", "limited", NULL);
  /* A store large enough for progress to move in steps. */
  g_assert_true (vp_store_exec (store,
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
    " INSERT INTO client (label, created_at) SELECT 'Bulk-Marker-' || i, '2026-01-01T00:00:00' FROM n", NULL));

  g_assert_true (vp_store_backup (store, backup, on_progress, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (progress.calls, >, 3);
  g_assert_true (progress.monotonic);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  g_assert_false (vp_test_file_contains (backup, "Marker"));
  g_assert_false (vp_test_file_contains (backup, "Test Leader"));
  entries = vp_audit_list (store, "backup", 0, 0, NULL);
  g_assert_cmpuint (entries->len, ==, 1);

  /* With the passphrase, into a new folder: everything is there. */
  restored = vp_store_restore (backup, restored_dir, VP_TEST_PASSPHRASE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (restored, "SELECT count(*) FROM client"), ==, 20001);
  g_assert_cmpint (vp_test_count (restored, "SELECT count(*) FROM language_need"), ==, 1);
  g_assert_cmpstr (vp_store_get_installation_id (restored), ==, vp_store_get_installation_id (store));
  g_assert_cmpint (vp_test_count (restored, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), ==, 1);

  /* With the recovery key: a new passphrase is then required. */
  recovered = vp_store_restore (backup, recovered_dir, recovery, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (vp_store_needs_new_passphrase (recovered));

  /* A wrong passphrase restores nothing; an existing store is not overwritten. */
  g_assert_null (vp_store_restore (backup, failed_dir, "not the passphrase", FALSE, NULL, NULL, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
  g_assert_false (vp_store_exists (failed_dir));
  g_clear_error (&error);
  g_assert_null (vp_store_restore (backup, store_dir, VP_TEST_PASSPHRASE, FALSE, NULL, NULL, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (not_backup, "hello", -1, NULL));
  g_assert_null (vp_store_restore (not_backup, failed_dir, VP_TEST_PASSPHRASE, FALSE, NULL, NULL, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);

  vp_test_remove_dir (dir);
}

/* Every statement that any connection to a backup's temporary copy runs,
 * seen through an auto-extension that SQLite calls for each new connection:
 * the key must reach SQLCipher through sqlite3_key_v2, never as SQL text,
 * which SQLite copies into memory it frees without wiping. */
static GPtrArray *copy_statements;
static guint copy_connections;

static int
on_statement (unsigned  type,
              void     *context,
              void     *statement,
              void     *text)
{
  g_ptr_array_add (copy_statements, g_strdup (text != NULL ? text : ""));
  return 0;
}

static int
trace_copy_connections (sqlite3                     *db,
                        char                       **error_message,
                        const sqlite3_api_routines  *api)
{
  const char *file = sqlite3_db_filename (db, "main");

  if (file != NULL && g_str_has_suffix (file, ".db-part"))
    {
      copy_connections++;
      sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, on_statement, NULL);
    }
  return SQLITE_OK;
}

static void
test_key_not_in_sql (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autofree char *restored_dir = g_build_filename (dir, "restored", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  g_autoptr(VpStore) restored = NULL;
  g_autoptr(GError) error = NULL;

  vp_test_register (store, "Key-Test", 1980, "school", "first", NULL, NULL);
  copy_statements = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpint (sqlite3_auto_extension ((void (*) (void)) trace_copy_connections), ==, SQLITE_OK);
  g_assert_true (vp_store_backup (store, backup, NULL, NULL, &error));
  g_assert_no_error (error);
  sqlite3_cancel_auto_extension ((void (*) (void)) trace_copy_connections);
  g_assert_cmpuint (copy_connections, >, 0);

  for (guint i = 0; i < copy_statements->len; i++)
    {
      const char *sql = g_ptr_array_index (copy_statements, i);
      g_assert_null (strstr (sql, "x'"));
      g_assert_null (g_strstr_len (sql, -1, "key"));
    }
  g_clear_pointer (&copy_statements, g_ptr_array_unref);

  /* Keyed that way, the copy still opens with the store's key. */
  restored = vp_store_restore (backup, restored_dir, VP_TEST_PASSPHRASE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (restored, "SELECT count(*) FROM client WHERE label = 'Key-Test'"), ==, 1);
  vp_test_remove_dir (dir);
}

/* A backup that the audit log cannot record is not left behind. */
static void
test_unrecorded_backup_removed (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autofree char *part = g_strconcat (backup, ".part", NULL);
  g_autofree char *db_part = g_strconcat (backup, ".db-part", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_store_exec (store,
    "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log"
    " BEGIN SELECT RAISE (ABORT, 'audit refused by the test'); END", NULL));

  g_assert_false (vp_store_backup (store, backup, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "audit"));
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (db_part, G_FILE_TEST_EXISTS));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'backup'"), ==, 0);
  vp_test_remove_dir (dir);
}

/* A restore that the audit log refuses to record is undone: nothing is
 * left in the folder, and the reason says why. */
static void
test_unrecorded_restore_undone (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *restored_dir = g_build_filename (dir, "restored", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  g_autoptr(VpStore) restored = NULL;
  g_autoptr(GError) error = NULL;

  /* Backups are audited, restores are not allowed to be. */
  g_assert_true (vp_store_exec (store,
    "CREATE TRIGGER test_refuse_restore BEFORE INSERT ON audit_log WHEN NEW.action = 'restore'"
    " BEGIN SELECT RAISE (ABORT, 'audit refused by the test'); END", NULL));
  g_assert_true (vp_store_backup (store, backup, NULL, NULL, &error));
  g_assert_no_error (error);

  restored = vp_store_restore (backup, restored_dir, VP_TEST_PASSPHRASE, FALSE, NULL, NULL, &error);
  g_assert_null (restored);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "audit"));
  g_assert_false (vp_store_exists (restored_dir));
  vp_test_remove_dir (dir);
}

/* The worker blocks in its first progress call until the main thread has
 * locked the store, so that the lock falls in the middle of the copy. */
typedef struct {
  GMutex    mutex;
  GCond     cond;
  gboolean  copying;
  gboolean  locked;
  gboolean  done;
  gboolean  ok;
  GError   *error;
} LockRace;

static void
hold_until_locked (double   fraction,
                   gpointer user_data)
{
  LockRace *race = user_data;

  g_mutex_lock (&race->mutex);
  race->copying = TRUE;
  g_cond_broadcast (&race->cond);
  while (!race->locked)
    g_cond_wait (&race->cond, &race->mutex);
  g_mutex_unlock (&race->mutex);
}

static void
race_backup_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LockRace *race = user_data;

  race->ok = vp_store_backup_finish (VP_STORE (object), result, &race->error);
  race->done = TRUE;
}

static void
test_lock_during_backup (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autofree char *restored_dir = g_build_filename (dir, "restored", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  g_autoptr(VpStore) reopened = NULL;
  g_autoptr(VpStore) restored = NULL;
  g_autoptr(GError) error = NULL;
  LockRace race = { 0 };

  g_assert_true (vp_store_exec (store,
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
    " INSERT INTO client (label, created_at) SELECT 'Bulk-' || i, '2026-01-01T00:00:00' FROM n", NULL));

  g_mutex_init (&race.mutex);
  g_cond_init (&race.cond);
  vp_store_backup_async (store, backup, hold_until_locked, &race, NULL, race_backup_done, &race);

  g_mutex_lock (&race.mutex);
  while (!race.copying)
    g_cond_wait (&race.cond, &race.mutex);
  /* What Ctrl+L and the idle timeout do: the store's key is freed. */
  vp_store_close (store);
  race.locked = TRUE;
  g_cond_broadcast (&race.cond);
  g_mutex_unlock (&race.mutex);

  while (!race.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (race.error);
  g_assert_true (race.ok);
  g_mutex_clear (&race.mutex);
  g_cond_clear (&race.cond);

  /* Recorded, though the store was locked by the time it was done. */
  reopened = vp_store_open (store_dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (reopened, "SELECT count(*) FROM audit_log WHERE action = 'backup'"), ==, 1);
  restored = vp_store_restore (backup, restored_dir, VP_TEST_PASSPHRASE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (restored, "SELECT count(*) FROM client"), ==, 20000);
  vp_test_remove_dir (dir);
}

/* A locked store makes no backup at all. */
static void
test_backup_of_locked_store (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  LockRace race = { 0 };

  vp_store_close (store);
  vp_store_backup_async (store, backup, NULL, NULL, NULL, race_backup_done, &race);
  while (!race.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (race.ok);
  g_assert_error (race.error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED);
  g_clear_error (&race.error);
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
  vp_test_remove_dir (dir);
}

/* The async path checks its audit entry too. */
static void
test_unrecorded_async_backup_removed (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  LockRace race = { 0 };

  g_assert_true (vp_store_exec (store,
    "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log"
    " BEGIN SELECT RAISE (ABORT, 'audit refused by the test'); END", NULL));
  vp_store_backup_async (store, backup, NULL, NULL, NULL, race_backup_done, &race);
  while (!race.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (race.ok);
  g_assert_nonnull (race.error);
  g_assert_nonnull (strstr (race.error->message, "audit"));
  g_clear_error (&race.error);
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/backup/backup-and-restore", test_backup_and_restore);
  g_test_add_func ("/backup/key-not-in-sql", test_key_not_in_sql);
  g_test_add_func ("/backup/unrecorded-backup-removed", test_unrecorded_backup_removed);
  g_test_add_func ("/backup/unrecorded-restore-undone", test_unrecorded_restore_undone);
  g_test_add_func ("/backup/lock-during-backup", test_lock_during_backup);
  g_test_add_func ("/backup/backup-of-locked-store", test_backup_of_locked_store);
  g_test_add_func ("/backup/unrecorded-async-backup-removed", test_unrecorded_async_backup_removed);

  return g_test_run ();
}
