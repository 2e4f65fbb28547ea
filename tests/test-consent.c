/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "vp-audit.h"
#include "vp-consent.h"
#include "vp-export.h"
#include "vp-languages.h"
#include "vp-report.h"
#include "vp-report-build.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

static gint64
column_total (VpReport   *report,
              const char *table_name,
              const char *column)
{
  VpReportTable *table = vp_report_find_table (report, table_name);

  for (guint c = 0; c < table->columns->len; c++)
    if (g_str_equal (g_ptr_array_index (table->columns, c), column))
      return table->value[vp_report_table_column_total (table, c)];
  g_assert_not_reached ();
}

static void
test_withdraw_stops_counting (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) october = g_date_time_new_local (2026, 10, 5, 10, 0, 0);
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 10, 0, 0);
  g_autoptr(VpReport) before = NULL;
  g_autoptr(VpReport) after = NULL;
  g_autoptr(GPtrArray) consents = NULL;
  g_autoptr(GError) error = NULL;
  gint64 client;

  for (int i = 0; i < 6; i++)
    {
      g_autofree char *label = g_strdup_printf ("C%d", i);
      vp_test_register (store, label, 1980, "school", "first", "limited", october);
    }
  client = vp_test_count (store, "SELECT max (id) FROM client");
  before = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_cmpint (column_total (before, "first_contacts_by_age_language", "limited"), ==, 6);

  g_assert_true (vp_store_has_consent (store, client, "language"));
  g_assert_true (vp_store_withdraw_consent (store, client, "language", &error));
  g_assert_no_error (error);
  g_assert_false (vp_store_has_consent (store, client, "language"));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need"), ==, 5);
  /* The value recorded with the contact goes too. */
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE dutch_proficiency IS NOT NULL"), ==, 5);

  /* A report not yet sent no longer counts the withdrawn value. */
  after = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_cmpint (column_total (after, "first_contacts_by_age_language", "limited"), ==, 5);
  g_assert_cmpint (column_total (after, "first_contacts_by_age_language", "not_recorded"), ==, 1);

  /* The history of consent stays; giving it again is a new consent. */
  consents = vp_store_list_consents (store, client, &error);
  g_assert_cmpuint (consents->len, ==, 1);
  g_assert_nonnull (((VpConsent *) g_ptr_array_index (consents, 0))->withdrawn_at);
  g_assert_true (vp_store_give_consent (store, client, "language", "written", "ara", "2026-1", &error));
  g_assert_true (vp_store_has_consent (store, client, "language"));

  vp_test_remove_dir (dir);
}

/* Without consent, the store itself refuses consent-bound values. */
static void
test_store_refuses_without_consent (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = vp_store_get_db (store);
  gint64 client;

  vp_test_register (store, "Nobody", 1990, "library", "first", NULL, NULL);
  client = vp_test_count (store, "SELECT max (id) FROM client");

  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO language_need (client_id, dutch_proficiency)"
                                 " SELECT max (id), 'limited' FROM client", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contact (client_id, account_id, location_type, occurred_at,"
                                 " kind, initiated_by, interpreter) SELECT max (id), 1, 'library',"
                                 " '2026-11-01T10:00:00', 'follow_up', 'walk_in', 'informal_child' FROM client",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);

  /* With interpreter consent it is allowed, and withdrawing clears it. */
  g_assert_true (vp_store_give_consent (store, client, "interpreter", "verbal", "tir", "2026-1", &error));
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contact (client_id, account_id, location_type, occurred_at,"
                                 " kind, initiated_by, interpreter) SELECT max (id), 1, 'library',"
                                 " '2026-11-01T10:00:00', 'follow_up', 'walk_in', 'informal_child' FROM client",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (vp_store_withdraw_consent (store, client, "interpreter", &error));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE interpreter IS NOT NULL"), ==, 0);

  g_assert_false (vp_store_give_consent (store, client, "ethnicity", "verbal", "nld", "1", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);

  vp_test_remove_dir (dir);
}

static void
test_erase_client (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  gint64 client;

  vp_test_register (store, "Erase-Me", 1990, "library", "first", "sufficient", NULL);
  vp_test_register (store, "Erase-Me", 1990, "library", "follow_up", NULL, NULL);
  vp_test_register (store, "Stays", 1991, "library", "first", NULL, NULL);
  client = vp_test_count (store, "SELECT id FROM client WHERE label = 'Erase-Me'");

  /* The right of access first: everything, readable and as JSON. */
  {
    g_autofree char *text = NULL;
    g_autofree char *json = NULL;

    g_assert_true (vp_store_export_client (store, client, &text, &json, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "Erase-Me"));
    g_assert_nonnull (strstr (text, "1990"));
    g_assert_nonnull (strstr (json, "\"label\" : \"Erase-Me\""));
    g_assert_nonnull (strstr (json, "\"dutch_proficiency\" : \"sufficient\""));
    g_assert_nonnull (strstr (json, "follow_up"));
    /* The values kept with each contact are the client's data too. */
    g_assert_nonnull (strstr (json, "\"entered_at\" : \""));
    g_assert_nonnull (strstr (json, "\"language\" : "));
    g_assert_null (strstr (json, "Stays"));
    entries = vp_audit_list (store, "export", 0, 0, NULL);
    g_assert_cmpuint (entries->len, ==, 1);
    g_clear_pointer (&entries, g_ptr_array_unref);
  }

  g_assert_true (vp_store_erase_client (store, client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM consent"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client_fts WHERE client_fts MATCH 'Erase'"), ==, 0);
  entries = vp_audit_list (store, "delete", 0, 0, NULL);
  g_assert_cmpuint (entries->len, ==, 1);

  g_assert_false (vp_store_erase_client (store, client, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND);

  vp_test_remove_dir (dir);
}

static void
test_language_needs (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) codes = NULL;
  const char *preferred[] = { "tir", "ara", NULL };
  const char *bogus[] = { "xx1", NULL };
  gint64 client;

  vp_test_register (store, "Languages", 1990, "library", "first", NULL, NULL);
  client = vp_test_count (store, "SELECT max (id) FROM client");

  /* Without consent: refused by the store, with a clear message. */
  g_assert_false (vp_store_set_language_needs (store, client, "limited", preferred, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);

  g_assert_true (vp_store_give_consent (store, client, "language", "verbal", "tir", "2026-1", &error));
  g_assert_false (vp_store_set_language_needs (store, client, "limited", bogus, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (vp_store_set_language_needs (store, client, "little_or_none", preferred, &error));
  g_assert_no_error (error);
  codes = vp_store_get_preferred_languages (store, client);
  g_assert_cmpuint (g_strv_length (codes), ==, 2);
  g_assert_cmpstr (codes[0], ==, "tir");
  g_assert_cmpstr (vp_language_name ("tir"), ==, "Tigrinya");

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/consent/withdraw-stops-counting", test_withdraw_stops_counting);
  g_test_add_func ("/consent/store-refuses-without-consent", test_store_refuses_without_consent);
  g_test_add_func ("/consent/erase-client", test_erase_client);
  g_test_add_func ("/consent/language-needs", test_language_needs);

  return g_test_run ();
}
