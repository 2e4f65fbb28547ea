/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "vp-consent.h"
#include "vp-languages.h"
#include "vp-outbox.h"
#include "vp-registration.h"
#include "vp-referral.h"
#include "vp-report.h"
#include "vp-report-build.h"
#include "vp-report-json.h"
#include "vp-store-private.h"
#include "vp-sync.h"
#include "vp-test-util.h"

static GDateTime *
october (int day)
{
  return g_date_time_new_local (2026, 10, day, 10, 30, 0);
}

static GDateTime *
report_time (void)
{
  return g_date_time_new_local (2026, 11, 29, 9, 0, 0);
}

static JsonObject *
parse_table (JsonParser *parser,
             const char *json,
             const char *table)
{
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  return json_object_get_object_member (json_object_get_object_member (root, "tables"), table);
}

static int
index_of (JsonArray  *codes,
          const char *code)
{
  for (guint i = 0; i < json_array_get_length (codes); i++)
    if (g_str_equal (json_array_get_string_element (codes, i), code))
      return (int) i;
  g_assert_not_reached ();
}

static JsonNode *
cell (JsonObject *table,
      const char *row,
      const char *column)
{
  int r = index_of (json_object_get_array_member (table, "rows"), row);
  int c = index_of (json_object_get_array_member (table, "columns"), column);
  JsonArray *cells = json_object_get_array_member (table, "cells");

  return json_array_get_element (json_array_get_array_element (cells, (guint) r), (guint) c);
}

static JsonNode *
total (JsonObject *table,
       const char *which,
       const char *dimension,
       const char *code)
{
  JsonArray *codes = json_object_get_array_member (table, dimension);
  return json_array_get_element (json_object_get_array_member (table, which),
                                 (guint) index_of (codes, code));
}

/* 7 distinct clients at schools, 2 at a GP practice: the 7 is published, the
 * 2 is not, nor any total from which the 2 could be worked out. */
static void
test_threshold_and_totals (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(VpReport) report = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonObject *contacts;

  for (int i = 0; i < 7; i++)
    {
      g_autofree char *label = g_strdup_printf ("School client %d", i);
      g_autoptr(GDateTime) when = october (1 + i);
      vp_test_register (store, label, 1985, "school", "first", NULL, when);
    }
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *label = g_strdup_printf ("GP client %d", i);
      g_autoptr(GDateTime) when = october (10 + i);
      vp_test_register (store, label, 1985, "gp_health", "first", NULL, when);
    }
  /* A contact in another month does not count. */
  {
    g_autoptr(GDateTime) november = g_date_time_new_local (2026, 11, 2, 9, 0, 0);
    vp_test_register (store, "Later", 1985, "gp_health", "first", NULL, november);
  }

  report = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_no_error (error);
  json = vp_report_to_json (report);
  contacts = parse_table (parser, json, "contacts");

  g_assert_true (JSON_NODE_HOLDS_NULL (cell (contacts, "gp_health", "first")));
  g_assert_true (JSON_NODE_HOLDS_NULL (total (contacts, "row_totals", "rows", "gp_health")));
  /* 9 first contacts minus a published 7 would give the 2 away. The
   * cheapest way to prevent that hides the 7 as well (two cells and a row
   * total) rather than the totals shared by five tables: the 2 can now be
   * anything from 0 to 9. */
  g_assert_true (JSON_NODE_HOLDS_NULL (cell (contacts, "school", "first")));
  g_assert_true (JSON_NODE_HOLDS_NULL (total (contacts, "row_totals", "rows", "school")));
  g_assert_cmpint (json_node_get_int (total (contacts, "column_totals", "columns", "first")), ==, 9);
  /* The GP row has 2 clients behind it: it is null whole, its zero too,
   * so that where the two were seen says nothing; keeping that zero
   * uncertain costs the follow-up and all-contacts totals. */
  g_assert_true (JSON_NODE_HOLDS_NULL (cell (contacts, "gp_health", "follow_up")));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (contacts, "total")));
  /* Zero cells of larger groups carry no person and stay published. */
  g_assert_cmpint (json_node_get_int (cell (contacts, "library", "first")), ==, 0);
  /* The linked route table hides the same rows: its row totals are these
   * cells. */
  {
    JsonObject *route = json_object_get_object_member (
      json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "tables"),
      "first_contacts_by_route");
    g_assert_true (JSON_NODE_HOLDS_NULL (total (route, "row_totals", "rows", "gp_health")));
    g_assert_true (JSON_NODE_HOLDS_NULL (total (route, "row_totals", "rows", "school")));
    g_assert_true (JSON_NODE_HOLDS_NULL (cell (route, "gp_health", "outreach")));
  }

  vp_test_remove_dir (dir);
}

/* One person with six contacts is still one person. */
static void
test_one_client_many_contacts (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(VpReport) report = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonObject *contacts;
  g_autoptr(GDateTime) first = october (1);

  vp_test_register (store, "Lonely", 1960, "library", "first", "little_or_none", first);
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(GDateTime) when = october (2 + i);
      vp_test_register (store, "Lonely", 1960, "library", "follow_up", NULL, when);
    }

  report = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_no_error (error);
  json = vp_report_to_json (report);
  contacts = parse_table (parser, json, "contacts");

  g_assert_true (JSON_NODE_HOLDS_NULL (cell (contacts, "library", "follow_up")));
  g_assert_true (JSON_NODE_HOLDS_NULL (cell (contacts, "library", "first")));
  g_assert_true (JSON_NODE_HOLDS_NULL (total (contacts, "row_totals", "rows", "library")));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (contacts, "total")));
  g_assert_true (JSON_NODE_HOLDS_NULL (total (contacts, "column_totals", "columns", "follow_up")));

  vp_test_remove_dir (dir);
}

/* A realistic month: published numbers, and nothing personal in the JSON. */
static void
test_no_personal_data (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(VpReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *by_age;
  static const char *levels[] = { "sufficient", "limited", "little_or_none", NULL };
  sqlite3_stmt *stmt = NULL;

  g_assert_true (vp_store_exec (store, "INSERT INTO location (name, type) VALUES ('Moskee Marker-Loc-0042', 'religious')", NULL));
  for (int i = 0; i < 30; i++)
    {
      g_autofree char *label = g_strdup_printf ("Marker-Label-%04d", i);
      g_autoptr(GDateTime) when = october (1 + i % 28);
      vp_test_register (store, label, 1931 + i, i % 2 ? "religious" : "school", "first",
                        levels[i % 4], when);
    }
  sqlite3_prepare_v2 (vp_store_get_db (store), "UPDATE contact SET notes = 'Marker-Note-xyz', location_id = 1", -1, &stmt, NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  report = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_no_error (error);
  json = vp_report_to_json (report);
  /* The random installation id could hold four digits by chance. */
  {
    g_autoptr(GString) scrubbed = g_string_new (json);
    g_string_replace (scrubbed, report->installation, "installation", 0);
    for (int year = 1931; year < 1961; year++)
      {
        g_autofree char *y = g_strdup_printf ("%d", year);
        g_assert_null (strstr (scrubbed->str, y));
      }
  }
  g_assert_null (strstr (json, "Marker"));
  g_assert_null (strstr (json, "Test Leader"));
  g_assert_null (strstr (json, "2026-10-")); /* nothing finer than the month */

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "schema"), ==, "vindplaats.reach/1");
  g_assert_cmpstr (json_object_get_string_member (root, "team"), ==, "team-noord");
  g_assert_cmpstr (json_object_get_string_member (root, "municipality"), ==, "GM0344");
  g_assert_cmpstr (json_object_get_string_member (root, "period"), ==, "2026-10");
  g_assert_cmpint (json_object_get_int_member (root, "k"), ==, 5);
  g_assert_true (json_object_has_member (root, "installation"));
  g_assert_true (json_object_has_member (root, "revision"));
  g_assert_true (json_object_has_member (root, "generated_at"));

  /* 30 first contacts: the grand total is there, and the no-consent quarter
   * is counted as not recorded rather than guessed. */
  by_age = json_object_get_object_member (json_object_get_object_member (root, "tables"),
                                          "first_contacts_by_age_language");
  g_assert_cmpint (json_object_get_int_member (by_age, "total"), ==, 30);
  g_assert_cmpint (json_node_get_int (total (by_age, "column_totals", "columns", "not_recorded")), ==, 7);

  vp_test_remove_dir (dir);
}

/* A month full of unique marker strings in every free-text field, every
 * birth year and every day: none of them may reach the JSON. */
static void
fill_marker_month (VpStore *store)
{
  static const char *stages[] = { "prevention", "early", "escalated", "crisis" };
  static const char *modes[] = { "none", "professional_phone", "informal_child" };
  static const char *levels[] = { "sufficient", "limited", "little_or_none" };
  static const char *languages[] = { "ara", "tir", "pol" };
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_store_exec (store,
    "INSERT INTO location (name, type) VALUES ('Marker-Location-Moskee', 'religious');"
    "UPDATE account SET name = 'Marker-Account-' || id;", NULL));
  for (int i = 0; i < 40; i++)
    {
      g_autoptr(GDateTime) when = october (1 + i % 28);
      g_autoptr(GDate) day = g_date_new_dmy ((GDateDay) (1 + i % 28), G_DATE_OCTOBER, 2026);
      g_autofree char *label = g_strdup_printf ("Marker-Label-%02d", i);
      g_autofree char *phone = g_strdup_printf ("06-9%07d", 4711 * (i + 1));
      const char *codes[] = { languages[i % 3], NULL };
      VpRegistration reg = {
        .client_label = label, .birth_year = 1930 + i, .phone = phone,
        .location_id = i % 2 ? 1 : 0, .location_type = "school",
        .kind = "first", .initiated_by = i % 3 ? "outreach" : "key_figure",
        .stage = stages[i % 4], .interpreter_consent = TRUE, .interpreter = modes[i % 3],
        .notes = "Marker-Note", .occurred_at = when, .entered_at = when,
      };
      VpReferralInput input = { .category = i % 2 ? "debt" : "housing",
                                .organisation = "Marker-Organisation", .referred_on = day,
                                .entered_at = when };
      gint64 client = 0;

      g_assert_true (vp_store_save_registration (store, &reg, &client, NULL));
      client = vp_test_count (store, "SELECT max (id) FROM client");
      g_assert_true (vp_store_give_consent (store, client, "language", "verbal", "nld", "1", NULL));
      g_assert_true (vp_store_set_language_needs (store, client, levels[i % 3], codes, NULL));
      g_assert_true (vp_store_give_consent (store, client, "referral", "verbal", "nld", "1", NULL));
      input.client_id = client;
      g_assert_cmpint (vp_store_add_referral (store, &input, NULL), >, 0);
      reg.client_id = client;
      reg.kind = "follow_up";
      reg.stage = NULL;
      vp_store_save_registration (store, &reg, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_true (vp_store_exec (store,
    "UPDATE client SET label = 'Marker-Label-' || id, neighbourhood = 'Marker-Nbh-' || id;"
    "UPDATE contact SET notes = 'Marker-Note-' || id;"
    "UPDATE referral SET organisation = 'Marker-Org-' || id, feedback_received_on = referred_on,"
    "  outcome = 'started', feedback_note = 'Marker-Feedback-' || id, leader_note = 'Marker-Leader-' || id"
    "  WHERE id % 2 = 0;", NULL));
}

static void
test_no_marker_leaks (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(VpReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = NULL;
  g_autofree char *bytes = NULL;
  sqlite3_stmt *stmt = NULL;
  guint checked = 0;

  fill_marker_month (store);
  report = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_no_error (error);
  bytes = vp_report_to_json (report);
  json = g_string_new (bytes);
  /* The random installation id could hold a year's digits by chance. */
  g_string_replace (json, report->installation, "installation", 0);

  g_assert_cmpint (sqlite3_prepare_v2 (vp_store_get_db (store),
    "SELECT name FROM account UNION SELECT name FROM location"
    " UNION SELECT label FROM client UNION SELECT neighbourhood FROM client"
    " UNION SELECT phone FROM client UNION SELECT CAST (birth_year AS TEXT) FROM client"
    " UNION SELECT notes FROM contact UNION SELECT substr (occurred_at, 1, 10) FROM contact"
    " UNION SELECT organisation FROM referral UNION SELECT feedback_note FROM referral"
    " UNION SELECT leader_note FROM referral UNION SELECT referred_on FROM referral"
    " UNION SELECT feedback_expected_by FROM referral UNION SELECT feedback_received_on FROM referral",
    -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *marker = (const char *) sqlite3_column_text (stmt, 0);

      if (marker == NULL)
        continue;
      if (strstr (json->str, marker) != NULL)
        g_error ("The report holds “%s”", marker);
      checked++;
    }
  sqlite3_finalize (stmt);
  /* Labels, neighbourhoods, phones, years, notes, days, organisations... */
  g_assert_cmpuint (checked, >, 40 * 6);
  g_assert_null (strstr (json->str, "Marker"));
  g_assert_null (strstr (json->str, "2026-10-"));
  g_assert_null (strstr (json->str, "2026-11-0"));
  vp_test_remove_dir (dir);
}

static gint64
value_of (VpReport   *report,
          const char *table_name,
          guint       var)
{
  VpReportTable *table = vp_report_find_table (report, table_name);
  return table->suppressed[var] ? -1 : table->value[var];
}

static guint
release (VpStore    *store,
         GDateTime  *now)
{
  g_autoptr(GError) error = NULL;
  guint queued = 0;

  g_assert_true (vp_sync_queue_due_reports (store, now, &queued, &error));
  g_assert_no_error (error);
  return queued;
}

/* A month is released once (shared case a1-monotone: a late follow-up made
 * a second revision that pinned a hidden value; a4-referral-feedback: late
 * feedback did the same). Late entries, late feedback and withdrawn consent
 * never make a new release; a late contact counts in the month it was
 * entered instead. */
static void
test_released_once (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) nov29 = report_time ();
  g_autoptr(GDateTime) dec15 = g_date_time_new_local (2026, 12, 15, 9, 0, 0);
  g_autoptr(GDate) oct2 = g_date_new_dmy (2, G_DATE_OCTOBER, 2026);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gint64 client = 0;

  for (int i = 0; i < 15; i++)
    {
      g_autofree char *label = g_strdup_printf ("C%d", i);
      g_autoptr(GDateTime) when = october (1 + i);
      VpReferralInput input = { .category = "debt", .organisation = "Org", .referred_on = oct2,
                                .entered_at = when };

      vp_test_register (store, label, 1960 + i, i % 2 ? "school" : "religious", "first", "limited", when);
      input.client_id = client = vp_test_count (store, "SELECT max (id) FROM client");
      g_assert_true (vp_store_give_consent (store, client, "referral", "verbal", "nld", "1", NULL));
      g_assert_cmpint (vp_store_add_referral (store, &input, NULL), >, 0);
    }
  g_assert_cmpuint (release (store, nov29), ==, 1);
  g_assert_cmpuint (release (store, nov29), ==, 0);
  items = vp_outbox_list (store, "2026-10", &error);
  g_assert_cmpuint (items->len, ==, 1);
  body = g_strdup (((VpOutboxItem *) g_ptr_array_index (items, 0))->body);
  g_assert_cmpuint (((VpOutboxItem *) g_ptr_array_index (items, 0))->revision, ==, 1);

  /* A follow-up of 20 October, entered on 1 December; feedback on a
   * referral; one client withdraws language consent; another is erased. */
  {
    g_autoptr(GDateTime) oct20 = october (20);
    g_autoptr(GDateTime) dec1 = g_date_time_new_local (2026, 12, 1, 9, 0, 0);
    VpRegistration late = {
      .client_id = client, .location_type = "street", .kind = "follow_up",
      .initiated_by = "outreach", .occurred_at = oct20, .entered_at = dec1,
    };
    g_autoptr(GDate) nov30 = g_date_new_dmy (30, G_DATE_NOVEMBER, 2026);

    g_assert_true (vp_store_save_registration (store, &late, NULL, &error));
    g_assert_true (vp_store_record_feedback (store, vp_test_count (store, "SELECT min (id) FROM referral"),
                                             nov30, "started", NULL, &error));
    g_assert_no_error (error);
    g_assert_true (vp_store_withdraw_consent (store, client, "language", &error));
  }
  g_assert_cmpuint (release (store, dec15), ==, 1); /* November, never October again */
  g_clear_pointer (&items, g_ptr_array_unref);
  items = vp_outbox_list (store, "2026-10", &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((VpOutboxItem *) g_ptr_array_index (items, 0))->body, ==, body);

  /* The late follow-up counts in December, the month it was entered. */
  {
    g_autoptr(VpReport) october_again = vp_report_build (store, "2026-10", 5, dec15, &error);
    g_autoptr(VpReport) december = vp_report_build (store, "2026-12", 5, dec15, &error);
    VpReportTable *contacts = vp_report_find_table (december, "contacts");
    VpReportTable *before = vp_report_find_table (october_again, "contacts");

    g_assert_no_error (error);
    g_assert_cmpint (contacts->value[vp_report_table_grand_total (contacts)], ==, 1);
    g_assert_cmpint (before->value[vp_report_table_grand_total (before)], ==, 15);
    /* One client behind the whole month: nothing is published. */
    g_assert_true (contacts->suppressed[vp_report_table_grand_total (contacts)]);
    g_assert_cmpint (value_of (december, "contacts", 0), ==, -1);
  }
  vp_test_remove_dir (dir);
}

/* A back-dated entry made late counts in the month it was entered, so it
 * opens no empty older months to release. */
static void
test_due_periods_start (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) nov29 = report_time ();
  g_autoptr(GDateTime) long_ago = g_date_time_new_local (2025, 1, 10, 10, 0, 0);
  g_autoptr(GDateTime) october5 = october (5);
  g_autoptr(GPtrArray) periods = NULL;
  VpRegistration late = {
    .client_label = "Back-dated", .location_type = "street", .kind = "first",
    .initiated_by = "outreach", .occurred_at = long_ago, .entered_at = october5,
  };

  g_assert_true (vp_store_save_registration (store, &late, NULL, NULL));
  periods = vp_sync_due_periods (store, nov29, NULL);
  g_assert_nonnull (periods);
  g_assert_cmpuint (periods->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (periods, 0), ==, "2026-10");
  vp_test_remove_dir (dir);
}

/* Building and queueing is one transaction: a clone that built the month
 * cannot queue it after another connection did. */
static void
test_release_is_atomic (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) clone = NULL;
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(GDateTime) early = october (30);
  g_autoptr(VpReport) preview = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = NULL;
  gboolean released = TRUE;

  for (int i = 0; i < 12; i++)
    {
      g_autofree char *label = g_strdup_printf ("C%d", i);
      g_autoptr(GDateTime) when = october (1 + i);
      vp_test_register (store, label, 1990, "library", "first", NULL, when);
    }
  /* Not due on 30 October. */
  g_assert_false (vp_sync_release_period (store, "2026-10", early, NULL, &released, &error));
  g_assert_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_NOT_DUE);
  g_clear_error (&error);

  /* A report shown, then the figures change: it is not released. */
  preview = vp_report_build (store, "2026-10", 5, now, &error);
  sha = vp_outbox_published_sha256 (preview);
  {
    g_autoptr(GDateTime) when = october (13);
    vp_test_register (store, "Extra", 1991, "library", "first", NULL, when);
  }
  g_assert_false (vp_sync_release_period (store, "2026-10", now, sha, &released, &error));
  g_assert_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_CHANGED);
  g_clear_error (&error);
  g_assert_cmpint (vp_test_count (store, "SELECT count (*) FROM outbox"), ==, 0);

  clone = vp_store_open_clone (store, &error);
  g_assert_no_error (error);
  g_assert_true (vp_sync_release_period (clone, "2026-10", now, NULL, &released, &error));
  g_assert_true (released);
  g_assert_true (vp_sync_release_period (store, "2026-10", now, NULL, &released, &error));
  g_assert_false (released);
  g_assert_cmpint (vp_test_count (store, "SELECT count (*) FROM outbox"), ==, 1);
  vp_test_remove_dir (dir);
}

/* Disclosure control fails closed: a report whose linked tables disagree
 * is refused with an error, not queued with a warning. */
static void
test_fails_closed (void)
{
  g_autoptr(VpReport) report = vp_report_new ("2026-10", 5);
  g_autoptr(GError) error = NULL;
  VpReportTable *route;

  for (int i = 0; i < 20; i++)
    {
      VpReportContact c = { .client_id = i, .location_type = "school", .kind = "first",
                            .initiated_by = "outreach" };
      vp_report_add_contact (report, &c);
    }
  route = vp_report_find_table (report, "first_contacts_by_route");
  route->value[vp_report_table_grand_total (route)] = 19;
  g_assert_false (vp_report_finish (report, &error));
  g_assert_error (error, VP_REPORT_ERROR, VP_REPORT_ERROR_UNPROTECTED);
}

static void
queue_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  gint *queued = user_data;
  guint n = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_sync_queue_due_reports_finish (VP_STORE (object), result, &n, &error));
  g_assert_no_error (error);
  *queued = (gint) n;
}

/* Built on a clone of the store (as worker threads do), the report is the
 * same; due months queue from a worker thread; a locked store cannot be
 * cloned. */
static void
test_build_async (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(VpReport) here = NULL;
  g_autoptr(GError) error = NULL;

  fill_marker_month (store);
  here = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_no_error (error);
  {
    g_autoptr(VpStore) clone = vp_store_open_clone (store, &error);
    g_autoptr(VpReport) there = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    g_assert_no_error (error);
    there = vp_report_build (clone, "2026-10", 5, now, &error);
    g_assert_no_error (error);
    a = vp_report_to_json (here);
    b = vp_report_to_json (there);
    g_assert_cmpstr (a, ==, b);
  }

  /* Queueing the due months runs in a worker thread too. */
  {
    gint queued = -1;

    vp_sync_queue_due_reports_async (store, now, NULL, queue_done, &queued);
    while (queued < 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (queued, >=, 1);
    g_assert_cmpint (vp_test_count (store, "SELECT count (*) FROM outbox WHERE period = '2026-10'"), ==, 1);
  }

  vp_store_close (store);
  g_assert_null (vp_store_open_clone (store, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED);
  vp_test_remove_dir (dir);
}

/* The same input always gives the same bytes, apart from the stamp. */
static void
test_canonical (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(VpReport) a = NULL;
  g_autoptr(VpReport) b = NULL;
  g_autofree char *ja = NULL;
  g_autofree char *jb = NULL;

  for (int i = 0; i < 12; i++)
    {
      g_autofree char *label = g_strdup_printf ("C%d", i);
      g_autoptr(GDateTime) when = october (1 + i);
      vp_test_register (store, label, 1990, "community_centre", "first", "sufficient", when);
    }
  a = vp_report_build (store, "2026-10", 5, now, NULL);
  b = vp_report_build (store, "2026-10", 5, now, NULL);
  ja = vp_report_to_json (a);
  jb = vp_report_to_json (b);
  g_assert_cmpstr (ja, ==, jb);
  g_assert_true (g_str_has_prefix (ja, "{\"generated_at\":\"2026-11-29T"));
  g_assert_null (strchr (ja, ' '));
  g_assert_null (strchr (ja, '\n'));

  vp_test_remove_dir (dir);
}

/* The referrals table: category by feedback status on the report's day,
 * under the same threshold. */
static void
test_referrals_table (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = report_time ();
  g_autoptr(VpReport) report = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GDate) oct5 = g_date_new_dmy (5, G_DATE_OCTOBER, 2026);
  JsonObject *referrals;

  for (int i = 0; i < 8; i++)
    {
      g_autofree char *label = g_strdup_printf ("R%d", i);
      g_autoptr(GDateTime) when = october (5);
      VpReferralInput input = { .category = i < 6 ? "debt" : "housing", .organisation = "Org-Marker",
                                .referred_on = oct5, .entered_at = when };

      vp_test_register (store, label, 1980, "school", "first", NULL, when);
      input.client_id = vp_test_count (store, "SELECT max (id) FROM client");
      g_assert_true (vp_store_give_consent (store, input.client_id, "referral", "verbal", "nld", "1", NULL));
      g_assert_cmpint (vp_store_add_referral (store, &input, &error), >, 0);
    }

  report = vp_report_build (store, "2026-10", 5, now, &error);
  g_assert_no_error (error);
  json = vp_report_to_json (report);
  g_assert_null (strstr (json, "Org-Marker"));
  referrals = parse_table (parser, json, "referrals");
  /* Expected by 2 November, no feedback by 29 November: overdue. */
  g_assert_true (JSON_NODE_HOLDS_NULL (cell (referrals, "housing", "overdue")));
  /* The housing row has 2 clients behind it: null whole, zeros included,
   * so the nulls do not say in which column the two are. */
  g_assert_true (JSON_NODE_HOLDS_NULL (cell (referrals, "housing", "in_time")));
  g_assert_true (JSON_NODE_HOLDS_NULL (total (referrals, "row_totals", "rows", "housing")));
  /* Rows without referrals stay published as zeros. */
  g_assert_cmpint (json_node_get_int (total (referrals, "row_totals", "rows", "income")), ==, 0);

  vp_test_remove_dir (dir);
}

/* Statuses are taken on the day the month fell due, so the published
 * month stays the same later on: no new revision for the passing of time. */
static void
test_referral_status_as_of_due (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) nov29 = report_time ();
  g_autoptr(GDateTime) dec15 = g_date_time_new_local (2026, 12, 15, 9, 0, 0);
  g_autoptr(GDate) oct25 = g_date_new_dmy (25, G_DATE_OCTOBER, 2026);
  g_autoptr(VpReport) first = NULL;
  g_autoptr(VpReport) later = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *label = g_strdup_printf ("Late-%d", i);
      g_autoptr(GDateTime) when = october (25);
      VpReferralInput input = { .category = "income", .organisation = "UWV", .referred_on = oct25,
                                .entered_at = when };

      vp_test_register (store, label, 1980, "school", "first", NULL, when);
      input.client_id = vp_test_count (store, "SELECT max (id) FROM client");
      g_assert_true (vp_store_give_consent (store, input.client_id, "referral", "verbal", "nld", "1", NULL));
      g_assert_cmpint (vp_store_add_referral (store, &input, NULL), >, 0);
    }

  /* Expected by 22 November; the month fell due on 8 November: awaiting. */
  first = vp_report_build (store, "2026-10", 5, nov29, NULL);
  later = vp_report_build (store, "2026-10", 5, dec15, NULL);
  json = vp_report_to_json (first);
  g_assert_cmpint (json_node_get_int (cell (parse_table (parser, json, "referrals"), "income", "awaiting")), ==, 5);
  a = vp_report_published_json (first);
  b = vp_report_published_json (later);
  g_assert_cmpstr (a, ==, b);

  vp_test_remove_dir (dir);
}

static gboolean
all_suppressed (VpReport *report)
{
  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, t);

      for (guint v = 0; v < table->n_vars; v++)
        if (!table->suppressed[v])
          return FALSE;
    }
  return TRUE;
}

/* A month behind 1..k-1 clients publishes nothing, zeros included: the
 * nulls of three first contacts with the same profile would otherwise
 * spell it out. With a fourth client elsewhere still nothing; with five,
 * the first-contact tables stay null as a whole. */
static void
test_small_month (void)
{
  g_autoptr(VpReport) three = vp_report_new ("2026-10", 5);
  g_autoptr(VpReport) five = vp_report_new ("2026-10", 5);
  g_autoptr(GError) error = NULL;
  VpReportTable *language;

  for (int i = 0; i < 3; i++)
    {
      VpReportContact c = { .client_id = i, .location_type = "religious", .kind = "first",
                            .initiated_by = "key_figure", .age_band = "65+",
                            .dutch_proficiency = "little_or_none", .stage = "crisis",
                            .interpreter_mode = "informal_child", .language = "tir" };
      vp_report_add_contact (three, &c);
      vp_report_add_contact (five, &c);
    }
  for (int i = 3; i < 5; i++)
    {
      VpReportContact c = { .client_id = 3, .location_type = "school", .kind = "follow_up",
                            .initiated_by = "school" };
      VpReportContact d = { .client_id = i + 10, .location_type = "school", .kind = "follow_up",
                            .initiated_by = "school" };
      vp_report_add_contact (five, i == 3 ? &c : &d);
    }
  g_assert_true (vp_report_finish (three, &error));
  g_assert_true (all_suppressed (three));
  g_assert_true (vp_report_finish (five, &error));
  g_assert_false (all_suppressed (five));
  language = vp_report_find_table (five, "first_contacts_by_language");
  for (guint v = 0; v < language->n_vars; v++)
    g_assert_true (language->suppressed[v]);
}

/* "All 7 first contacts aged 65+ had limited Dutch" must not be readable:
 * the cell and the row's other recorded cells are hidden, and each hidden
 * zero could be k, so no report forces "all in one cell". */
static void
test_group_attribute (void)
{
  g_autoptr(VpReport) report = vp_report_new ("2026-10", 5);
  g_autoptr(GError) error = NULL;
  VpReportTable *age;

  for (int i = 0; i < 30; i++)
    {
      static const char *bands[] = { "0-17", "18-24", "25-64" };
      static const char *levels[] = { "sufficient", "limited", "little_or_none" };
      VpReportContact c = { .client_id = i, .location_type = "school", .kind = "first",
                            .initiated_by = "outreach",
                            .age_band = i < 7 ? "65+" : bands[i % 3],
                            .dutch_proficiency = i < 7 ? "limited" : levels[(i / 3) % 3] };
      vp_report_add_contact (report, &c);
    }
  g_assert_true (vp_report_finish (report, &error));
  age = vp_report_find_table (report, "first_contacts_by_age_language");
  for (guint c = 0; c < 3; c++)
    g_assert_true (age->suppressed[vp_report_table_cell (age, 3, c)]);
}

/* Shared case a4-referral-feedback: feedback that came in after the month
 * fell due does not count in it, whenever the month is built. */
static void
test_late_feedback (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) nov29 = report_time ();
  g_autoptr(GDate) oct2 = g_date_new_dmy (2, G_DATE_OCTOBER, 2026);
  g_autoptr(GDate) oct30 = g_date_new_dmy (30, G_DATE_OCTOBER, 2026);
  g_autoptr(GDate) nov20 = g_date_new_dmy (20, G_DATE_NOVEMBER, 2026);
  g_autoptr(VpReport) before = NULL;
  g_autoptr(VpReport) after = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  gint64 first = 0;

  for (int i = 0; i < 8; i++)
    {
      g_autofree char *label = g_strdup_printf ("F%d", i);
      g_autoptr(GDateTime) when = october (2);
      VpReferralInput input = { .category = "debt", .organisation = "Org", .referred_on = oct2,
                                .expected_by = oct30, .entered_at = when };
      gint64 id;

      vp_test_register (store, label, 1980, "school", "first", NULL, when);
      input.client_id = vp_test_count (store, "SELECT max (id) FROM client");
      g_assert_true (vp_store_give_consent (store, input.client_id, "referral", "verbal", "nld", "1", NULL));
      id = vp_store_add_referral (store, &input, NULL);
      g_assert_cmpint (id, >, 0);
      first = first == 0 ? id : first;
    }
  before = vp_report_build (store, "2026-10", 5, nov29, NULL);
  g_assert_true (vp_store_record_feedback (store, first, nov20, "started", NULL, NULL));
  after = vp_report_build (store, "2026-10", 5, nov29, NULL);
  a = vp_report_published_json (before);
  b = vp_report_published_json (after);
  g_assert_cmpstr (a, ==, b);
  vp_test_remove_dir (dir);
}

static void
assert_label_refused (const char *text,
                      const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = vp_sync_check_installation_label (text, &error);

  g_assert_null (label);
  g_assert_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_LABEL);
  g_assert_nonnull (strstr (error->message, reason));
}

static void
assert_label_kept_as (const char *text,
                      const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = vp_sync_check_installation_label (text, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (label, ==, expected);
}

/* The team leader's name for the laptop (#11): trimmed, 1 to 64 Unicode
 * characters, no control characters; empty means none. */
static void
test_installation_label (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GString) longest = g_string_new (NULL);
  g_autoptr(GString) decomposed = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  assert_label_kept_as ("  Laptop Zuid – 2 \n", "Laptop Zuid – 2");
  assert_label_kept_as ("\u00a0Café\u3000", "Café");  /* no-break and ideographic spaces */
  assert_label_kept_as ("e\u0301", "\u00e9");          /* NFC: the same name is the same bytes */
  assert_label_kept_as ("", "");
  assert_label_kept_as (" \t ", "");
  assert_label_kept_as (NULL, "");

  /* 64 characters, not bytes: 64 two-byte letters fit, a 65th does not;
   * a letter typed as two code points counts once. */
  for (int i = 0; i < VP_INSTALLATION_LABEL_MAX_CHARS; i++)
    {
      g_string_append (longest, "é");
      g_string_append (decomposed, "e\u0301");
    }
  assert_label_kept_as (longest->str, longest->str);
  assert_label_kept_as (decomposed->str, longest->str);
  g_string_append (longest, "x");
  assert_label_refused (longest->str, "at most 64 characters");

  assert_label_refused ("Laptop\tZuid", "control characters");
  assert_label_refused ("Laptop\nZuid", "control characters");
  assert_label_refused ("Laptop\rZuid", "control characters");
  assert_label_refused ("Laptop\x7fZuid", "control characters");
  assert_label_refused ("Laptop\xc2\x85Zuid", "control characters");   /* next line */
  assert_label_refused ("Laptop\u2028Zuid", "control characters");   /* line separator */
  assert_label_refused ("Laptop \u202e2 diuZ", "control characters"); /* right-to-left override */
  assert_label_refused ("Laptop \xff\xfe", "not valid text");

  /* In the store: kept trimmed, a refused one leaves the old one, and an
   * empty one removes it. */
  g_assert_null (vp_sync_get_installation_label (store));
  g_assert_true (vp_sync_set_installation_label (store, " Laptop Zuid – 2 ", &error));
  g_assert_no_error (error);
  label = vp_sync_get_installation_label (store);
  g_assert_cmpstr (label, ==, "Laptop Zuid – 2");
  g_clear_pointer (&label, g_free);

  g_assert_false (vp_sync_set_installation_label (store, "Laptop\nZuid", &error));
  g_assert_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_LABEL);
  g_clear_error (&error);
  label = vp_sync_get_installation_label (store);
  g_assert_cmpstr (label, ==, "Laptop Zuid – 2");
  g_clear_pointer (&label, g_free);

  g_assert_true (vp_sync_set_installation_label (store, "  ", &error));
  g_assert_no_error (error);
  g_assert_null (vp_sync_get_installation_label (store));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM meta WHERE key = 'installation_label'"), ==, 0);

  /* A value put in the store some other way is not sent if it would not
   * pass. */
  g_assert_true (vp_store_set_setting (store, "installation_label", "a\r\nX-Injected: 1", NULL));
  g_assert_null (vp_sync_get_installation_label (store));

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/report/threshold-and-totals", test_threshold_and_totals);
  g_test_add_func ("/report/one-client-many-contacts", test_one_client_many_contacts);
  g_test_add_func ("/report/no-personal-data", test_no_personal_data);
  g_test_add_func ("/report/no-marker-leaks", test_no_marker_leaks);
  g_test_add_func ("/report/released-once", test_released_once);
  g_test_add_func ("/report/release-is-atomic", test_release_is_atomic);
  g_test_add_func ("/report/due-periods-start", test_due_periods_start);
  g_test_add_func ("/report/fails-closed", test_fails_closed);
  g_test_add_func ("/report/late-feedback", test_late_feedback);
  g_test_add_func ("/report/small-month", test_small_month);
  g_test_add_func ("/report/group-attribute", test_group_attribute);
  g_test_add_func ("/report/build-async", test_build_async);
  g_test_add_func ("/report/canonical", test_canonical);
  g_test_add_func ("/report/referrals-table", test_referrals_table);
  g_test_add_func ("/report/referral-status-as-of-due", test_referral_status_as_of_due);
  g_test_add_func ("/report/installation-label", test_installation_label);

  return g_test_run ();
}
