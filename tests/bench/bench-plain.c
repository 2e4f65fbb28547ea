/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One benchmark run on plain SQLite, the baseline:
 *   bench-plain OP --db FILE [--out DIR] [--quick] [--seed S]
 * Linked against Debian's libsqlite3 and never against SQLCipher: the
 * data layer's modules are compiled a second time for it (see meson.build)
 * over bench-plain-store.c. FILE is bench-store's export of the same store.
 * OP is one of bench-ops.c's, or backup (and restore) with SQLite's own
 * backup API. */
#include "config.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "bench-ops.h"
#include "bench-plain-store.h"
#include "vp-store-private.h"

static char *opt_db;
static char *opt_out;
static gboolean opt_quick;
static gint64 opt_seed = 20261129;
static int opt_cache_kib;

static const GOptionEntry entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db, "Plain copy of the store", "FILE" },
  { "out", 0, 0, G_OPTION_ARG_FILENAME, &opt_out, "Where backup writes", "DIR" },
  { "quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick, "A few iterations only (the smoke test)", NULL },
  { "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, "Seed of the operations' inputs", "S" },
  { "cache-kib", 0, 0, G_OPTION_ARG_INT, &opt_cache_kib, "SQLite's page cache (PRAGMA cache_size) instead of the store's", "KIB" },
  { NULL }
};

/* Both libraries export the same symbols: a SQLCipher that came in through
 * some dependency would silently be what runs here. */
static void
check_plain (void)
{
  if (dlsym (RTLD_DEFAULT, "sqlite3_key") != NULL || dlsym (RTLD_DEFAULT, "sqlcipher_export") != NULL)
    g_error ("bench-plain runs on SQLCipher, not plain SQLite");
}

static double
file_mb (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    g_error ("%s is missing", path);
  return st.st_size / 1e6;
}

static void
copy_database (sqlite3    *from,
               const char *path)
{
  sqlite3 *to = NULL;
  sqlite3_backup *backup;
  int rc;

  if (sqlite3_open (path, &to) != SQLITE_OK)
    g_error ("%s could not be made", path);
  backup = sqlite3_backup_init (to, "main", from, "main");
  if (backup == NULL)
    g_error ("%s", sqlite3_errmsg (to));
  while ((rc = sqlite3_backup_step (backup, 1024)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    ;
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    g_error ("The copy failed: %s", sqlite3_errstr (rc));
  sqlite3_close (to);
}

/* What a plain SQLite app does for a backup and a restore: SQLite's online
 * backup into a new file (the commit fsyncs it), and back. */
static void
op_backup (VpStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (opt_out, "backup.db", NULL);
  g_autofree char *restored = g_build_filename (opt_out, "restored.db", NULL);
  g_autoptr(VpStore) copy = NULL;
  double mb = file_mb (opt_db), start = bench_now (), t;
  sqlite3 *from = NULL;

  copy_database (vp_store_get_db (store), file);
  t = bench_now () - start;
  bench_figure ("backup_s", t);
  bench_figure ("backup_mb_per_s", mb / t);
  bench_figure ("store_mb", mb);

  start = bench_now ();
  if (sqlite3_open_v2 (file, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("%s could not be read", file);
  copy_database (from, restored);
  sqlite3_close (from);
  copy = bench_plain_store_open (restored, &error);
  if (copy == NULL)
    g_error ("%s", error->message);
  t = bench_now () - start;
  bench_figure ("restore_s", t);
  bench_figure ("restore_mb_per_s", mb / t);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("OP — the plain SQLite side of the benchmarks");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = NULL;
  const char *op;
  BenchOps ops;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || opt_db == NULL)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "Usage: bench-plain OP --db FILE");
      return 2;
    }
  op = argv[1];
  check_plain ();
  store = bench_plain_store_open (opt_db, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  bench_set_cache (vp_store_get_db (store), opt_cache_kib);
  bench_settings (vp_store_get_db (store));
  ops = (BenchOps) { store, opt_quick, (guint32) opt_seed };
  if (g_str_equal (op, "backup"))
    {
      if (opt_out == NULL)
        g_error ("backup needs --out");
      op_backup (store);
    }
  else if (!bench_run_op (&ops, op))
    g_error ("No operation %s", op);
  return 0;
}
