/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A store made at every earlier schema version, by the old migration steps,
 * upgrades to the current one with its data intact. */
#include "config.h"

#include "vp-audit.h"
#include "vp-schema.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

/* Rows written with plain SQL, as the app of that version could have. */
static void
fill_version_1 (VpStore *store)
{
  g_assert_true (vp_store_exec (store,
    "INSERT INTO client (id, label, birth_year, created_at) VALUES (1, 'Old-Label', 1970, '2025-01-05T10:00:00');"
    "INSERT INTO consent (client_id, category, given_at, method, explanation_language, text_version)"
    "  VALUES (1, 'language', '2025-01-05T10:00:00', 'verbal', 'nld', '2026-1');"
    "INSERT INTO language_need (client_id, dutch_proficiency) VALUES (1, 'limited');"
    "INSERT INTO contact (client_id, account_id, location_type, occurred_at, kind, initiated_by)"
    "  VALUES (1, 1, 'school', '2025-01-05T10:00:00', 'first', 'school');"
    "INSERT INTO outbox (period, revision, body, published_sha256, created_at)"
    "  VALUES ('2024-12', 1, '{}', 'x', '2025-01-08T10:00:00');", NULL));
}

static void
test_upgrade_from (gconstpointer data)
{
  guint version = GPOINTER_TO_UINT (data);
  g_autofree char *dir = vp_test_make_dir ();
  VpStoreSetup setup = { "team-noord", "GM0344", "Test Leader", VP_TEST_PASSPHRASE };
  g_autoptr(VpStore) old = NULL;
  g_autoptr(VpStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 bad = 0;

  old = _vp_store_create_at_version (dir, &setup, version, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (old, "PRAGMA user_version"), ==, (int) version);
  fill_version_1 (old);
  vp_store_close (old);

  store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (store, "PRAGMA user_version"), ==, (int) vp_schema_current_version ());
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client WHERE label = 'Old-Label' AND birth_year = 1970"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need WHERE dutch_proficiency = 'limited'"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM outbox"), ==, 1);
  g_assert_cmpstr (vp_store_get_team_code (store), ==, "team-noord");
  g_assert_cmpint (vp_test_count (store, "PRAGMA foreign_key_check"), ==, -1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), ==, 1);
  g_assert_true (vp_audit_verify (store, &bad, &error));

  /* The upgraded store works as a new one does. */
  vp_test_register (store, "New", 1999, "library", "first", "sufficient", NULL);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 2);

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint v = 1; v < vp_schema_current_version (); v++)
    {
      g_autofree char *path = g_strdup_printf ("/migrations/from-version-%u", v);
      g_test_add_data_func (path, GUINT_TO_POINTER (v), test_upgrade_from);
    }

  return g_test_run ();
}
