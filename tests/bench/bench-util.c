/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib.h>

#include "bench-util.h"
#include "vp-schema.h"

double
bench_now (void)
{
  return g_get_monotonic_time () / 1e6;
}

/* Plain SQLite: the same library, schema and pragmas, without a key. */
sqlite3 *
bench_open_plain (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "plain.db", NULL);
  sqlite3 *db = NULL;

  sqlite3_open (path, &db);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                    "PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON;", NULL, NULL, NULL);
  vp_schema_migrate (db, vp_schema_current_version (), NULL);
  sqlite3_exec (db, "INSERT INTO account (name, role, created_at) VALUES ('x', 'coach', 'now')", NULL, NULL, NULL);
  return db;
}
