/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Speed of the encrypted store against plain SQLite, measured in the same
 * run on the same machine, and printed as ratios. Run on demand:
 *   meson compile -C _build bench-store && _build/tests/bench/bench-store
 * Timings never decide a test: machines here are noisy. */
#include "config.h"

#include <stdio.h>

#include "vp-client.h"
#include "vp-registration.h"
#include "bench-util.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

#define CLIENTS 100000
#define SEARCHES 200
#define SAVES 300

static const char *fill_sql =
  "BEGIN;"
  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
  "  INSERT INTO client (label, birth_year, phone, created_at)"
  "  SELECT 'Gen' || i || ' ' || char (65 + i % 26) || '.', 1930 + i % 80,"
  "         CASE WHEN i % 3 = 0 THEN '06' || (10000000 + i) END, '2026-01-01T00:00:00' FROM n;"
  "COMMIT;";

/* The same searches the client page makes, as you type "Gen12", "Gen123"... */
static double
time_searches (sqlite3 *db)
{
  double start = bench_now ();

  for (int i = 0; i < SEARCHES; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT rowid FROM client_fts WHERE client_fts MATCH '\"Gen%d\"*'"
                                              " ORDER BY rowid DESC", 10 + i);
      sqlite3_stmt *stmt = NULL;

      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        ;
      sqlite3_finalize (stmt);
    }
  return bench_now () - start;
}

static double
time_saves (sqlite3 *db)
{
  double start = bench_now ();

  for (int i = 0; i < SAVES; i++)
    {
      g_autofree char *sql = g_strdup_printf ("BEGIN IMMEDIATE;"
                                              "INSERT INTO client (label, created_at) VALUES ('Bench %d', '2026-11-29T10:00:00');"
                                              "INSERT INTO contact (client_id, account_id, location_type, occurred_at, kind, initiated_by)"
                                              " VALUES (last_insert_rowid (), 1, 'school', '2026-11-29T10:00:00', 'first', 'outreach');"
                                              "COMMIT;", i);
      sqlite3_exec (db, sql, NULL, NULL, NULL);
    }
  return bench_now () - start;
}

static double
time_fill (sqlite3 *db)
{
  double start = bench_now ();
  sqlite3_exec (db, fill_sql, NULL, NULL, NULL);
  return bench_now () - start;
}

int
main (void)
{
  vp_test_init_data ();
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (store_dir);
  sqlite3 *plain = bench_open_plain (dir);
  sqlite3 *enc = vp_store_get_db (store);
  double fill_plain = time_fill (plain);
  double fill_enc = time_fill (enc);
  double search_plain = time_searches (plain);
  double search_enc = time_searches (enc);
  double save_plain = time_saves (plain);
  double save_enc = time_saves (enc);

  printf ("%-36s %10s %10s %8s\n", "operation", "plain s", "store s", "ratio");
  printf ("%-36s %10.3f %10.3f %8.2f\n", "insert 100,000 clients (one tx)", fill_plain, fill_enc, fill_enc / fill_plain);
  printf ("%-36s %10.3f %10.3f %8.2f\n", "200 prefix searches (FTS5)", search_plain, search_enc, search_enc / search_plain);
  printf ("%-36s %10.3f %10.3f %8.2f\n", "300 registrations (fsync each)", save_plain, save_enc, save_enc / save_plain);

  sqlite3_close (plain);
  vp_test_remove_dir (dir);
  return 0;
}
