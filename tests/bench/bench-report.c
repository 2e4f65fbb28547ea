/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Speed of building a month's reach report from the encrypted store, against
 * the same aggregation query on plain SQLite, in the same run. Run on
 * demand:
 *   meson compile -C _build bench-report && _build/tests/bench/bench-report
 * Timings never decide a test: machines here are noisy. It ends with what
 * disclosure control costs a simulated municipality (reach-sim.c). */
#include "config.h"

#include <stdio.h>

#include "vp-report.h"
#include "vp-report-build.h"
#include "bench-util.h"
#include "reach-sim.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

#define RUNS 5

/* A large team's history: 20,000 clients, 100,000 contacts over two years,
 * 8,000 of them (and 2,000 referrals) in October 2026. */
static const char *fill_sql =
  "BEGIN;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
  "  INSERT INTO client (label, birth_year, created_at)"
  "  SELECT 'Gen' || i, 1930 + i % 90, '2025-01-01T00:00:00' FROM n;"
  "INSERT INTO consent (client_id, category, given_at, method, explanation_language, text_version)"
  "  SELECT id, c.category, '2025-01-01', 'verbal', 'nld', '1' FROM client,"
  "  (SELECT 'language' AS category UNION ALL SELECT 'interpreter' UNION ALL SELECT 'referral') c"
  "  WHERE id % 4 <> 0;"
  "INSERT INTO language_need (client_id, dutch_proficiency, preferred_languages)"
  "  SELECT id, CASE id % 3 WHEN 0 THEN 'sufficient' WHEN 1 THEN 'limited' ELSE 'little_or_none' END,"
  "         CASE id % 5 WHEN 0 THEN 'ara,nld' WHEN 1 THEN 'tur' WHEN 2 THEN 'tir' WHEN 3 THEN 'pol' ELSE NULL END"
  "  FROM client WHERE id % 4 <> 0;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
  "  INSERT INTO contact (client_id, account_id, location_type, occurred_at, kind, initiated_by, stage, interpreter,"
  "                       entered_at)"
  "  SELECT 1 + i % 20000, 1,"
  "         CASE i % 4 WHEN 0 THEN 'school' WHEN 1 THEN 'religious' WHEN 2 THEN 'gp_health' ELSE 'street' END,"
  "         CASE WHEN i <= 8000 THEN printf ('2026-10-%02dT10:00:00', 1 + i % 28)"
  "              ELSE printf ('%04d-%02d-%02dT10:00:00', 2025 + i % 2, 1 + i % 9, 1 + i % 28) END,"
  "         CASE WHEN i % 3 = 0 THEN 'first' ELSE 'follow_up' END,"
  "         CASE i % 3 WHEN 0 THEN 'outreach' WHEN 1 THEN 'school' ELSE 'key_figure' END,"
  "         CASE WHEN i % 3 = 0 THEN 'early' END,"
  "         CASE WHEN (1 + i % 20000) % 4 <> 0 AND i % 2 = 0 THEN 'professional_phone' END,"
  "         NULL"
  "  FROM n;"
  "UPDATE contact SET entered_at = occurred_at;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
  "  INSERT INTO referral (client_id, account_id, category, organisation, referred_on, feedback_expected_by,"
  "                        entered_at)"
  "  SELECT 1 + (i * 4 + 1) % 20000, 1, CASE i % 2 WHEN 0 THEN 'debt' ELSE 'housing' END, 'Org',"
  "         printf ('2026-10-%02d', 1 + i % 28), printf ('2026-11-%02d', 1 + i % 28),"
  "         printf ('2026-10-%02dT12:00:00', 1 + i % 28) FROM n;"
  "COMMIT;";

/* The aggregation's own query (see sync/vp-report.c), for the plain side. */
static const char *month_sql =
  "SELECT c.client_id, c.location_type, c.kind, c.initiated_by,"
  "       CAST (substr (c.occurred_at, 1, 4) AS INTEGER) - cl.birth_year,"
  "       c.dutch_proficiency, c.stage, c.interpreter, c.language"
  " FROM contact c JOIN client cl ON cl.id = c.client_id"
  " WHERE (c.occurred_at >= '2026-10-01' AND c.occurred_at < '2026-11-01' AND c.entered_at < '2026-11-08')"
  "    OR (c.entered_at >= '2026-10-01' AND c.entered_at < '2026-11-01'"
  "        AND c.entered_at >= date (substr (c.occurred_at, 1, 7) || '-01', '+1 month', '+7 days'))";

static double
time_query (sqlite3 *db)
{
  double start = bench_now ();

  for (int r = 0; r < RUNS; r++)
    {
      sqlite3_stmt *stmt = NULL;

      sqlite3_prepare_v2 (db, month_sql, -1, &stmt, NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        ;
      sqlite3_finalize (stmt);
    }
  return (bench_now () - start) / RUNS;
}

static double
time_build (VpStore *store)
{
  g_autoptr(GDateTime) when = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  double start = bench_now ();

  for (int r = 0; r < RUNS; r++)
    {
      g_autoptr(VpReport) report = vp_report_build (store, "2026-10", 5, when, NULL);
      g_assert_nonnull (report);
    }
  return (bench_now () - start) / RUNS;
}

int
main (void)
{
  vp_test_init_data ();
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  sqlite3 *plain = bench_open_plain (dir);
  double query_plain, query_enc, build;

  if (sqlite3_exec (plain, fill_sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec (vp_store_get_db (store), fill_sql, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("Could not fill the stores: %s", sqlite3_errmsg (plain));

  query_plain = time_query (plain);
  query_enc = time_query (vp_store_get_db (store));
  build = time_build (store);

  printf ("%-44s %10s %10s %8s\n", "operation (October: 8,000 contacts)", "plain s", "store s", "ratio");
  printf ("%-44s %10.4f %10.4f %8.2f\n", "the month's aggregation query", query_plain, query_enc, query_enc / query_plain);
  printf ("%-44s %10.4f %10.4f %8.2f\n", "whole report (query, tables, suppression)", query_plain, build, build / query_plain);

  sqlite3_close (plain);
  vp_test_remove_dir (dir);

  /* What disclosure control costs, as shares of a municipality's year. */
  reach_sim_print (20261129);
  return 0;
}
