/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The endpoint's schema check of incoming reports (DESIGN §5, §7): it takes
 * what a device sends and refuses anything unknown, misshapen, below k or
 * inconsistent, naming the field. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <string.h>

#include "vp-report.h"
#include "vp-report-build.h"
#include "vp-report-json.h"
#include "vp-report-validate.h"
#include "vp-test-util.h"

#define TEAM "team-noord"
#define INSTALLATION "0123456789abcdef0123456789abcdef"
#define PERIOD "2026-10"

/* A small valid report: one two-dimensional and one one-dimensional table,
 * with suppressed cells and totals. */
static const char good_report[] =
  "{\"generated_at\":\"2026-11-29T10:00:00Z\","
  "\"installation\":\"" INSTALLATION "\","
  "\"k\":5,\"municipality\":\"GM0344\",\"period\":\"" PERIOD "\",\"revision\":1,"
  "\"schema\":\"vindplaats.reach/1\","
  "\"tables\":{"
  "\"contacts\":{\"cells\":[[7,0],[null,0],[null,5]],\"column_totals\":[null,5],"
  "\"columns\":[\"first\",\"follow_up\"],\"dimensions\":[\"location_type\",\"contact_kind\"],"
  "\"row_totals\":[7,null,null],\"rows\":[\"school\",\"library\",\"street\"],\"total\":null},"
  "\"first_contacts_by_language\":{\"cells\":[6,null,8],\"dimensions\":[\"language\"],"
  "\"rows\":[\"ara\",\"tir\",\"not_recorded\"],\"total\":12}},"
  "\"team\":\"" TEAM "\"}";

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
report_of (JsonNode *root)
{
  return json_node_get_object (root);
}

static JsonObject *
table_of (JsonNode   *root,
          const char *name)
{
  JsonObject *tables = json_object_get_object_member (report_of (root), "tables");
  return json_object_get_object_member (tables, name);
}

/* The good report with each `from` replaced by `to` (pairs, NULL-ended);
 * every `from` must occur exactly once. Editing the text rather than the
 * parsed tree keeps the changes plain to read. */
static JsonNode *
parse_variant (const char *from,
               ...)
{
  g_autoptr(GString) json = g_string_new (good_report);
  va_list args;

  va_start (args, from);
  for (const char *f = from; f != NULL; f = va_arg (args, const char *))
    {
      const char *to = va_arg (args, const char *);
      g_assert_cmpuint (g_string_replace (json, f, to, 0), ==, 1);
    }
  va_end (args);
  return parse (json->str);
}

/* Checks the report is refused with a message that starts with the path of
 * the offending field. */
static void
assert_invalid (JsonNode   *root,
                const char *team,
                const char *period,
                const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (vp_report_validate (root, team, INSTALLATION, period, &error));
  g_assert_error (error, VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID);
  g_test_message ("%s", error->message);
  if (!g_str_has_prefix (error->message, path))
    g_error ("Expected an error about %s, got: %s", path, error->message);
}

static void
test_accepts_good (void)
{
  g_autoptr(JsonNode) root = parse (good_report);
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_report_validate (root, TEAM, INSTALLATION, PERIOD, &error));
  g_assert_no_error (error);

  /* Without an address to compare with, only the report itself counts. */
  g_assert_true (vp_report_validate (root, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_unknown_top_level_field (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  json_object_set_string_member (report_of (root), "notes", "met at the library");
  assert_invalid (root, TEAM, PERIOD, "notes: unknown field");
}

static void
test_missing_field (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  json_object_remove_member (report_of (root), "municipality");
  assert_invalid (root, TEAM, PERIOD, "municipality: missing field");
}

static void
test_unknown_table (void)
{
  g_autoptr(JsonNode) root = parse (good_report);
  JsonObject *tables = json_object_get_object_member (report_of (root), "tables");

  json_object_set_object_member (tables, "clients_by_nationality", json_object_new ());
  assert_invalid (root, TEAM, PERIOD, "tables.clients_by_nationality: unknown table");
}

static void
test_no_tables (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  json_object_set_object_member (report_of (root), "tables", json_object_new ());
  assert_invalid (root, TEAM, PERIOD, "tables:");
}

static void
test_unknown_field_in_table (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  json_object_set_string_member (table_of (root, "contacts"), "note", "x");
  assert_invalid (root, TEAM, PERIOD, "tables.contacts.note: unknown field");
}

static void
test_unknown_row_code (void)
{
  g_autoptr(JsonNode) root = parse_variant ("\"library\"", "\"castle\"", NULL);

  assert_invalid (root, TEAM, PERIOD, "tables.contacts.rows[1]:");
}

static void
test_unknown_language_code (void)
{
  g_autoptr(JsonNode) root = parse_variant ("\"ara\"", "\"Arabic\"", NULL);

  assert_invalid (root, TEAM, PERIOD, "tables.first_contacts_by_language.rows[0]:");
}

static void
test_duplicate_code (void)
{
  g_autoptr(JsonNode) root = parse_variant ("[\"first\",\"follow_up\"]", "[\"first\",\"first\"]", NULL);

  assert_invalid (root, TEAM, PERIOD, "tables.contacts.columns[1]:");
}

static void
test_wrong_dimensions (void)
{
  g_autoptr(JsonNode) root = parse_variant ("\"location_type\"", "\"nationality\"", NULL);

  assert_invalid (root, TEAM, PERIOD, "tables.contacts.dimensions[0]:");
}

static void
test_wrong_shape (void)
{
  g_autoptr(JsonNode) root = parse_variant ("[null,0],", "[null,0,0],", NULL);

  assert_invalid (root, TEAM, PERIOD, "tables.contacts.cells[1]:");
}

static void
test_published_below_k (void)
{
  g_autoptr(JsonNode) root = parse_variant ("[null,5]]", "[3,5]]", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (vp_report_validate (root, TEAM, INSTALLATION, PERIOD, &error));
  g_assert_error (error, VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "tables.contacts.cells[2][0]: published count 3 is below k = 5");
}

/* A larger k raises the bar for every published count. */
static void
test_below_larger_k (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  json_object_set_int_member (report_of (root), "k", 6);
  assert_invalid (root, TEAM, PERIOD, "tables.contacts.cells[2][1]: published count 5 is below k = 6");
}

static void
test_k_below_minimum (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  json_object_set_int_member (report_of (root), "k", 4);
  assert_invalid (root, TEAM, PERIOD, "k:");
}

static void
test_negative_and_fractional_counts (void)
{
  g_autoptr(JsonNode) negative = parse_variant ("[[7,0]", "[[7,-1]", NULL);
  g_autoptr(JsonNode) fraction = parse_variant ("[[7,0]", "[[7.5,0]", NULL);
  g_autoptr(JsonNode) text = parse_variant ("[[7,0]", "[[7,\"0\"]", NULL);
  g_autoptr(JsonNode) boolean = parse_variant ("[[7,0]", "[[true,0]", NULL);

  assert_invalid (negative, TEAM, PERIOD, "tables.contacts.cells[0][1]:");
  assert_invalid (fraction, TEAM, PERIOD, "tables.contacts.cells[0][0]:");
  assert_invalid (text, TEAM, PERIOD, "tables.contacts.cells[0][1]:");
  assert_invalid (boolean, TEAM, PERIOD, "tables.contacts.cells[0][0]:");
}

static void
test_mismatched_team (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  assert_invalid (root, "team-zuid", PERIOD, "team:");
}

static void
test_mismatched_installation (void)
{
  g_autoptr(JsonNode) root = parse (good_report);

  json_object_set_string_member (report_of (root), "installation", "fedcba9876543210fedcba9876543210");
  assert_invalid (root, TEAM, PERIOD, "installation:");
}

static void
test_bad_period (void)
{
  g_autoptr(JsonNode) root = parse (good_report);
  g_autoptr(JsonNode) other = parse (good_report);

  json_object_set_string_member (report_of (root), "period", "2026-13");
  assert_invalid (root, TEAM, "2026-13", "period:");
  assert_invalid (other, TEAM, "2026-11", "period:");
}

static void
test_bad_header_values (void)
{
  g_autoptr(JsonNode) schema = parse (good_report);
  g_autoptr(JsonNode) municipality = parse (good_report);
  g_autoptr(JsonNode) revision = parse (good_report);
  g_autoptr(JsonNode) generated = parse (good_report);

  json_object_set_string_member (report_of (schema), "schema", "vindplaats.reach/2");
  assert_invalid (schema, TEAM, PERIOD, "schema:");
  json_object_set_string_member (report_of (municipality), "municipality", "Amsterdam");
  assert_invalid (municipality, TEAM, PERIOD, "municipality:");
  json_object_set_int_member (report_of (revision), "revision", 0);
  assert_invalid (revision, TEAM, PERIOD, "revision:");
  json_object_set_string_member (report_of (generated), "generated_at", "yesterday");
  assert_invalid (generated, TEAM, PERIOD, "generated_at:");
}

static void
test_inconsistent_row_sum (void)
{
  g_autoptr(JsonNode) root = parse_variant ("\"row_totals\":[7,", "\"row_totals\":[8,", NULL);

  assert_invalid (root, TEAM, PERIOD, "tables.contacts.row_totals[0]: row total 8");
}

static void
test_inconsistent_column_sum (void)
{
  g_autoptr(JsonNode) root = parse_variant ("[null,5],", "[null,6],", NULL);

  assert_invalid (root, TEAM, PERIOD, "tables.contacts.column_totals[1]: column total 6");
}

/* With every row total published, they add up to the grand total. */
static void
test_inconsistent_grand_total (void)
{
  g_autoptr(JsonNode) wrong = parse_variant ("[null,0],[null,5]]", "[0,0],[null,5]]",
                                             "[7,null,null]", "[7,0,5]",
                                             "\"total\":null", "\"total\":13", NULL);
  g_autoptr(JsonNode) right = parse_variant ("[null,0],[null,5]]", "[0,0],[null,5]]",
                                             "[7,null,null]", "[7,0,5]",
                                             "\"total\":null", "\"total\":12", NULL);

  assert_invalid (wrong, TEAM, PERIOD, "tables.contacts.total: total 13");
  g_assert_true (vp_report_validate (right, TEAM, INSTALLATION, PERIOD, NULL));
}

/* A client may prefer several languages: the cells may add up to more than
 * the total, never to less. */
static void
test_language_total (void)
{
  g_autoptr(JsonNode) more = parse_variant ("[6,null,8]", "[6,0,8]", "\"total\":12", "\"total\":14", NULL);
  g_autoptr(JsonNode) less = parse_variant ("[6,null,8]", "[6,0,8]", "\"total\":12", "\"total\":15", NULL);

  g_assert_true (vp_report_validate (more, TEAM, INSTALLATION, PERIOD, NULL));
  assert_invalid (less, TEAM, PERIOD, "tables.first_contacts_by_language.total:");
}

static void
test_not_an_object (void)
{
  g_autoptr(JsonNode) root = parse ("[1,2,3]");

  assert_invalid (root, TEAM, PERIOD, "");
  g_assert_false (vp_report_validate (NULL, TEAM, INSTALLATION, PERIOD, NULL));
}

static void
assert_text_invalid (const char *text,
                     gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (vp_report_check_text (text, len, &error));
  g_assert_error (error, VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID);
  g_test_message ("%s", error->message);
}

/* The raw text is checked before the recursive parser sees it. */
static void
test_text (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_report_check_text (good_report, strlen (good_report), &error));
  g_assert_no_error (error);

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  assert_text_invalid (deep->str, deep->len);

  assert_text_invalid ("", 0);
  assert_text_invalid ("{\"k\":5}\0", 9);
  assert_text_invalid ("{\"k\":\"\xff\"}", 9);
  assert_text_invalid ("{} {}", 5);
  assert_text_invalid ("var report = {}", 15);
  assert_text_invalid ("/* \" */ [[[", 11);
  assert_text_invalid ("{'k':5}", 7);
  assert_text_invalid ("]", 1);

  /* Brackets and quotes inside strings are text, not structure. */
  {
    const char *text = "{\"a\\\"[[[[[[[[[[[[[[[[[[[[\":1}";
    g_assert_true (vp_report_check_text (text, strlen (text), NULL));
  }
}

static void
assert_not_canonical (const char *text)
{
  g_autoptr(JsonNode) root = parse (text);
  g_autoptr(GError) error = NULL;

  g_assert_false (vp_report_check_canonical (root, text, strlen (text), &error));
  g_assert_error (error, VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID);
}

/* Stored bodies say exactly what was validated, in the devices' form. */
static void
test_canonical (void)
{
  g_autoptr(JsonNode) root = parse (good_report);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonGenerator) pretty = json_generator_new ();
  g_autofree char *pretty_text = NULL;

  g_assert_true (vp_report_check_canonical (root, good_report, strlen (good_report), &error));
  g_assert_no_error (error);

  json_generator_set_pretty (pretty, TRUE);
  json_generator_set_root (pretty, root);
  pretty_text = json_generator_to_data (pretty, NULL);
  assert_not_canonical (pretty_text);
  assert_not_canonical ("{\"b\":1,\"a\":2}");
  assert_not_canonical ("{\"a\":1,\"a\":2}");
  assert_not_canonical ("{\"a\":[{\"d\":1,\"c\":2}]}");
}

/* What a device really sends passes. */
static void
test_accepts_built_report (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(VpReport) report = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *label = g_strdup_printf ("Client %d", i);
      g_autoptr(GDateTime) when = g_date_time_new_local (2026, 10, 1 + i, 11, 0, 0);

      vp_test_register (store, label, 1960 + i, i % 3 ? "school" : "migrant_org", "first",
                        i % 2 ? "limited" : NULL, when);
    }
  report = vp_report_build (store, PERIOD, 5, now, &error);
  g_assert_no_error (error);
  report->revision = 1;
  json = vp_report_to_json (report);
  root = parse (json);

  g_assert_true (vp_report_validate (root, vp_store_get_team_code (store),
                                     vp_store_get_installation_id (store), PERIOD, &error));
  g_assert_no_error (error);

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/report-validate/accepts-good", test_accepts_good);
  g_test_add_func ("/report-validate/accepts-built-report", test_accepts_built_report);
  g_test_add_func ("/report-validate/unknown-top-level-field", test_unknown_top_level_field);
  g_test_add_func ("/report-validate/missing-field", test_missing_field);
  g_test_add_func ("/report-validate/unknown-table", test_unknown_table);
  g_test_add_func ("/report-validate/no-tables", test_no_tables);
  g_test_add_func ("/report-validate/unknown-field-in-table", test_unknown_field_in_table);
  g_test_add_func ("/report-validate/unknown-row-code", test_unknown_row_code);
  g_test_add_func ("/report-validate/unknown-language-code", test_unknown_language_code);
  g_test_add_func ("/report-validate/duplicate-code", test_duplicate_code);
  g_test_add_func ("/report-validate/wrong-dimensions", test_wrong_dimensions);
  g_test_add_func ("/report-validate/wrong-shape", test_wrong_shape);
  g_test_add_func ("/report-validate/published-below-k", test_published_below_k);
  g_test_add_func ("/report-validate/below-larger-k", test_below_larger_k);
  g_test_add_func ("/report-validate/k-below-minimum", test_k_below_minimum);
  g_test_add_func ("/report-validate/negative-and-fractional-counts", test_negative_and_fractional_counts);
  g_test_add_func ("/report-validate/mismatched-team", test_mismatched_team);
  g_test_add_func ("/report-validate/mismatched-installation", test_mismatched_installation);
  g_test_add_func ("/report-validate/bad-period", test_bad_period);
  g_test_add_func ("/report-validate/bad-header-values", test_bad_header_values);
  g_test_add_func ("/report-validate/inconsistent-row-sum", test_inconsistent_row_sum);
  g_test_add_func ("/report-validate/inconsistent-column-sum", test_inconsistent_column_sum);
  g_test_add_func ("/report-validate/inconsistent-grand-total", test_inconsistent_grand_total);
  g_test_add_func ("/report-validate/language-total", test_language_total);
  g_test_add_func ("/report-validate/not-an-object", test_not_an_object);
  g_test_add_func ("/report-validate/text", test_text);
  g_test_add_func ("/report-validate/canonical", test_canonical);

  return g_test_run ();
}
