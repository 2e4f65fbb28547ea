/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One benchmark run on a real SQLCipher store, through the app's own API:
 *   bench-store OP --store DIR [--out PATH] [--quick] [--seed S] < passphrase
 * OP is one of bench-ops.c's, or unlock, backup (and restore) or export (a
 * plain copy for bench-plain, made with sqlcipher_export()). Each run is a
 * process of its own; tests/bench/bench.py runs them, alternating with
 * bench-plain, and prints the table. Timings never decide a test. */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "bench-ops.h"
#include "vp-backup.h"
#include "vp-data-init.h"
#include "vp-keyslots.h"
#include "vp-store-private.h"

static char *opt_store;
static char *opt_out;
static gboolean opt_quick;
static gint64 opt_seed = 20261129;
static int opt_cache_kib;

static const GOptionEntry entries[] = {
  { "store", 0, 0, G_OPTION_ARG_FILENAME, &opt_store, "Store folder", "DIR" },
  { "out", 0, 0, G_OPTION_ARG_FILENAME, &opt_out, "Where export and backup write", "PATH" },
  { "quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick, "A few iterations only (the smoke test)", NULL },
  { "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, "Seed of the operations' inputs", "S" },
  { "cache-kib", 0, 0, G_OPTION_ARG_INT, &opt_cache_kib, "SQLite's page cache (PRAGMA cache_size) instead of the store's", "KIB" },
  { NULL }
};

static char *
read_passphrase (void)
{
  char buffer[256];

  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    g_error ("Give the store's passphrase on standard input");
  buffer[strcspn (buffer, "\r\n")] = '\0';
  return g_strdup (buffer);
}

static VpStore *
open_store (const char *passphrase)
{
  g_autoptr(GError) error = NULL;
  VpStore *store = vp_store_open (opt_store, passphrase, &error);

  if (store == NULL)
    g_error ("The store could not be opened: %s", error->message);
  return store;
}

/* Unlocking as the unlock page does it: scrypt on the key slot, opening
 * and keying the database, the cipher and schema checks, the audit entry.
 * scrypt alone, with the same parameters, says how much of it that is. */
static void
op_unlock (const char *passphrase)
{
  static const char salt[16] = "bench salt 16 b";
  guint8 key[32];
  double start = bench_now ();
  g_autoptr(VpStore) store = open_store (passphrase);

  bench_figure ("unlock_s", bench_now () - start);
  start = bench_now ();
  if (EVP_PBE_scrypt (passphrase, strlen (passphrase), (const guint8 *) salt, sizeof salt,
                      (guint64) 1 << VP_SCRYPT_DEFAULT_N_LOG2, VP_SCRYPT_DEFAULT_R, VP_SCRYPT_DEFAULT_P,
                      (guint64) 2 * 128 * VP_SCRYPT_DEFAULT_R << VP_SCRYPT_DEFAULT_N_LOG2,
                      key, sizeof key) != 1)
    g_error ("scrypt failed");
  bench_figure ("scrypt_s", bench_now () - start);
  bench_settings (vp_store_get_db (store));
}

static double
file_mb (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    g_error ("%s is missing", path);
  return st.st_size / 1e6;
}

/* A backup of the whole store (data/vp-backup.c: an online page copy, the
 * key slots, fsync), then its restore into a new folder (which opens the
 * store: scrypt included). Throughput counts the database's size. */
static void
op_backup (VpStore    *store,
           const char *passphrase)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (opt_store, "store.db", NULL);
  g_autofree char *file = g_build_filename (opt_out, "backup.vpb", NULL);
  g_autofree char *restored = g_build_filename (opt_out, "restored", NULL);
  g_autoptr(VpStore) copy = NULL;
  double mb = file_mb (db), start = bench_now (), t;

  if (!vp_store_backup (store, file, NULL, NULL, &error))
    g_error ("The backup failed: %s", error->message);
  t = bench_now () - start;
  bench_figure ("backup_s", t);
  bench_figure ("backup_mb_per_s", mb / t);
  bench_figure ("store_mb", mb);

  start = bench_now ();
  copy = vp_store_restore (file, restored, passphrase, FALSE, NULL, NULL, &error);
  if (copy == NULL)
    g_error ("The restore failed: %s", error->message);
  t = bench_now () - start;
  bench_figure ("restore_s", t);
  bench_figure ("restore_mb_per_s", mb / t);
}

static int
schema_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA main.user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (version < 1)
    g_error ("The store's schema version cannot be read");
  return version;
}

/* The same database without encryption, for bench-plain: schema, triggers,
 * full-text index, rows and user_version, copied by SQLCipher itself. */
static void
op_export (VpStore *store)
{
  sqlite3 *db = vp_store_get_db (store);
  char *sql = sqlite3_mprintf ("ATTACH DATABASE %Q AS plaintext KEY ''", opt_out);
  char *message = NULL;
  int rc;

  /* The store's connection may not create files: an empty one is an empty
   * database. */
  if (!g_file_set_contents (opt_out, "", 0, NULL))
    g_error ("%s could not be made", opt_out);
  rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  sqlite3_free (sql);
  if (rc != SQLITE_OK ||
      sqlite3_exec (db, "SELECT sqlcipher_export ('plaintext')", NULL, NULL, &message) != SQLITE_OK)
    g_error ("The plain copy could not be made: %s", message);
  /* sqlcipher_export() leaves the schema version behind. */
  sql = sqlite3_mprintf ("PRAGMA plaintext.user_version = %d; DETACH DATABASE plaintext", schema_version (db));
  rc = sqlite3_exec (db, sql, NULL, NULL, &message);
  sqlite3_free (sql);
  if (rc != SQLITE_OK)
    g_error ("The plain copy could not be made: %s", message);
}

/* Which SQLCipher runs, for the table's header. */
static void
print_cipher (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA cipher_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    printf ("library sqlcipher %s\n", (const char *) sqlite3_column_text (stmt, 0));
  else
    g_error ("This is not SQLCipher");
  sqlite3_finalize (stmt);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("OP — the store side of the benchmarks");
  g_autoptr(GError) error = NULL;
  g_autofree char *passphrase = NULL;
  g_autoptr(VpStore) store = NULL;
  const char *op;
  BenchOps ops = { 0 };

  /* The store's memory protection, as the app sets it up. */
  if (!vp_data_init (&error))
    g_error ("vp_data_init: %s", error->message);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || opt_store == NULL)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "Usage: bench-store OP --store DIR < passphrase");
      return 2;
    }
  op = argv[1];
  passphrase = read_passphrase ();
  if (g_str_equal (op, "unlock"))
    {
      op_unlock (passphrase);
      return 0;
    }

  store = open_store (passphrase);
  bench_set_cache (vp_store_get_db (store), opt_cache_kib);
  bench_settings (vp_store_get_db (store));
  print_cipher (vp_store_get_db (store));
  if ((g_str_equal (op, "backup") || g_str_equal (op, "export")) && opt_out == NULL)
    g_error ("%s needs --out", op);
  ops = (BenchOps) { store, opt_quick, (guint32) opt_seed };
  if (g_str_equal (op, "backup"))
    op_backup (store, passphrase);
  else if (g_str_equal (op, "export"))
    op_export (store);
  else if (!bench_run_op (&ops, op))
    g_error ("No operation %s", op);
  return 0;
}
