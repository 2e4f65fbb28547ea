/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "vp-audit.h"
#include "vp-retention.h"
#include "vp-test-util.h"

static void
test_erase_inactive_clients (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 10, 0, 0);
  g_autoptr(GDateTime) old = g_date_time_add_months (now, -25);
  g_autoptr(GDateTime) recent = g_date_time_add_months (now, -23);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  gint64 gone, kept_contact;
  guint erased = 0;
  gint64 bad = 0;

  vp_test_register (store, "Gone", 1970, "school", "first", "limited", old);
  gone = vp_test_count (store, "SELECT max (id) FROM client");
  vp_test_register (store, "Kept", 1971, "school", "first", NULL, recent);
  /* An old first contact with a recent follow-up keeps the client. */
  vp_test_register (store, "Returning", 1972, "library", "first", NULL, old);
  kept_contact = vp_test_register (store, "Returning", 1972, "library", "follow_up", NULL, yesterday);
  g_assert_cmpint (kept_contact, >, 0);

  g_assert_cmpuint (vp_store_get_retention_months (store), ==, 24);
  g_assert_true (vp_store_apply_retention (store, now, &erased, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (erased, ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client WHERE label = 'Gone'"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 2);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 3);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM consent"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need"), ==, 0);

  /* Audited as the app's own action, by id only. */
  entries = vp_audit_list (store, "retention_erasure", 0, 0, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpint (((VpAuditEntry *) g_ptr_array_index (entries, 0))->record_id, ==, gone);
  g_assert_cmpint (((VpAuditEntry *) g_ptr_array_index (entries, 0))->account_id, ==, 0);
  g_assert_true (vp_audit_verify (store, &bad, &error));

  /* A shorter period set by the team erases more; running again is a no-op. */
  g_assert_true (vp_store_set_setting (store, "retention_months", "12", NULL));
  g_assert_true (vp_store_apply_retention (store, now, &erased, &error));
  g_assert_cmpuint (erased, ==, 1);
  g_assert_true (vp_store_apply_retention (store, now, &erased, &error));
  g_assert_cmpuint (erased, ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 1);

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/retention/erase-inactive-clients", test_erase_inactive_clients);

  return g_test_run ();
}
