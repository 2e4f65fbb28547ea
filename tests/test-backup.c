/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "vp-audit.h"
#include "vp-backup.h"
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backup/backup-and-restore", test_backup_and_restore);

  return g_test_run ();
}
