/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The memory protection of vp_data_init(): no core dumps, no plaintext
 * left in freed memory once the store is locked, and no store without it.
 *
 * The marker of the plaintext test never exists whole in this program's
 * own memory: it is kept XOR-masked, decoded only into a buffer that is
 * wiped as soon as SQLite has its copy, checked in SQLite's results by
 * comparing in place, and searched for by comparing on the fly. Whatever
 * is found was left behind by the store. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vp-data-init.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

#define MARKER_LEN 24
#define LABEL_LEN (MARKER_LEN + 8)
#define CLIENTS 300
#define SCAN_CHUNK (1024 * 1024)

typedef struct {
  guint8 masked[MARKER_LEN];
  guint8 mask[MARKER_LEN];
} Marker;

/* Lower-case letters, so that the full-text index holds the marker as a
 * token too. A mask byte has its high bit set: masked, no byte is text. */
static void
marker_init (Marker *m)
{
  for (guint i = 0; i < MARKER_LEN; i++)
    {
      m->mask[i] = 0x80 | g_random_int_range (0, 0x80);
      m->masked[i] = ('a' + g_random_int_range (0, 26)) ^ m->mask[i];
    }
}

static void
marker_decode (const Marker *m,
               char         *out)
{
  for (guint i = 0; i < MARKER_LEN; i++)
    out[i] = m->masked[i] ^ m->mask[i];
}

static gboolean
marker_at (const Marker *m,
           const guint8 *p)
{
  for (guint i = 0; i < MARKER_LEN; i++)
    if ((p[i] ^ m->mask[i]) != m->masked[i])
      return FALSE;
  return TRUE;
}

static guint
count_in_buffer (const Marker *m,
                 const guint8 *buf,
                 gsize         len)
{
  guint8 first = m->masked[0] ^ m->mask[0];
  const guint8 *p = buf;
  const guint8 *end = buf + len;
  guint found = 0;

  while (end - p >= MARKER_LEN && (p = memchr (p, first, end - p - MARKER_LEN + 1)) != NULL)
    {
      found += marker_at (m, p);
      p++;
    }
  return found;
}

/* Through process_vm_readv(), not /proc/self/mem: a process that is not
 * dumpable (vp_data_init() makes it so) cannot open its own mem file
 * unless it runs as root, and a region unmapped meanwhile is an error
 * here, not a crash. */
static guint
count_in_region (const Marker *m,
                 guint8       *chunk,
                 guintptr      start,
                 guintptr      end)
{
  guint found = 0;

  for (guintptr at = start; at < end; at += SCAN_CHUNK - (MARKER_LEN - 1))
    {
      struct iovec local = { chunk, MIN (SCAN_CHUNK, end - at) };
      struct iovec remote = { (void *) at, local.iov_len };
      ssize_t n = process_vm_readv (getpid (), &local, 1, &remote, 1, 0);

      if (n < 0)
        break;
      found += count_in_buffer (m, chunk, n);
      if ((gsize) n < local.iov_len || end - at <= SCAN_CHUNK)
        break;
    }
  return found;
}

/* Every private writable mapping: the heap, anonymous memory (other
 * arenas, OpenSSL's secure heap, thread stacks), the stack, and the data
 * of the program and its libraries. */
static guint
count_in_memory (const Marker *m)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  guint8 *chunk;
  guint found = 0;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  chunk = mmap (NULL, SCAN_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (chunk != MAP_FAILED);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long start, end;
      char perms[5];
      int path_at = 0;

      if (sscanf (lines[i], "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3)
        continue;
      if (perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p' ||
          g_str_has_prefix (lines[i] + path_at, "[v"))
        continue;
      /* The scanner's own buffer holds copies of what it scanned. */
      if (start == (guintptr) chunk)
        continue;
      found += count_in_region (m, chunk, start, end);
    }
  munmap (chunk, SCAN_CHUNK);
  return found;
}

/* Clients labelled "<marker> <n>", written with the store's own SQL. */
static void
write_clients (VpStore      *store,
               const Marker *marker)
{
  sqlite3 *db = vp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  char label[LABEL_LEN];

  g_assert_true (vp_store_exec (store, "BEGIN IMMEDIATE", NULL));
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO client (label, birth_year, created_at)"
                                           " VALUES (?, 1980, '2026-01-01T00:00:00')", -1, &stmt, NULL), ==, SQLITE_OK);
  for (int i = 0; i < CLIENTS; i++)
    {
      int len;

      marker_decode (marker, label);
      len = MARKER_LEN + g_snprintf (label + MARKER_LEN, LABEL_LEN - MARKER_LEN, " %d", i);
      sqlite3_bind_text (stmt, 1, label, len, SQLITE_TRANSIENT);
      explicit_bzero (label, sizeof label);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  /* Rows changed and deleted, not only added. */
  g_assert_true (vp_store_exec (store, "UPDATE client SET birth_year = 1981 WHERE id % 3 = 0;"
                                       "DELETE FROM client WHERE id % 5 = 0;"
                                       "COMMIT", NULL));
}

/* Finds them again through the full-text index and checks each label in
 * SQLite's own buffer. */
static void
read_clients (VpStore      *store,
              const Marker *marker)
{
  sqlite3 *db = vp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  char query[MARKER_LEN];
  guint rows = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT label FROM client WHERE id IN"
                                           " (SELECT rowid FROM client_fts WHERE client_fts MATCH ?)"
                                           " ORDER BY label", -1, &stmt, NULL), ==, SQLITE_OK);
  marker_decode (marker, query);
  sqlite3_bind_text (stmt, 1, query, MARKER_LEN, SQLITE_TRANSIENT);
  explicit_bzero (query, sizeof query);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_assert_true (marker_at (marker, sqlite3_column_text (stmt, 0)));
      rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (rows, ==, CLIENTS - CLIENTS / 5);
}

static void
test_core_dumps_off (void)
{
  struct rlimit core;

  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &core), ==, 0);
  g_assert_cmpuint (core.rlim_cur, ==, 0);
  g_assert_cmpuint (core.rlim_max, ==, 0);
  /* Calling it again changes nothing and does not fail. */
  g_assert_true (vp_data_init (NULL));
}

static void
test_no_plaintext_after_lock (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  Marker marker, control;
  char *freed;
  char *fence;

  marker_init (&marker);
  write_clients (store, &marker);
  read_clients (store, &marker);
  g_assert_true (vp_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", NULL));
  vp_store_close (store);
  g_clear_object (&store);

  g_assert_cmpuint (count_in_memory (&marker), ==, 0);

  /* The search finds what an allocator that does not wipe leaves: a block
   * too big for glibc's per-thread cache (MALLOC_PERTURB_ would fill it),
   * kept off the top of the heap by a fence. */
  marker_init (&control);
  freed = g_malloc (4096);
  fence = g_malloc (64);
  marker_decode (&control, freed + 1024);
  g_free (freed);
  g_assert_cmpuint (count_in_memory (&control), >=, 1);
  g_free (fence);

  vp_test_remove_dir (dir);
}

static void
assert_unprotected (GError *error)
{
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED);
  g_assert_nonnull (strstr (error->message, "memory"));
}

/* In a child that never called vp_data_init(): nothing opens, and nothing
 * has touched SQLite, so a late vp_data_init() still works. */
static void
test_open_without_init (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(VpStore) store = NULL;

  if (g_test_subprocess ())
    {
      const char *store_dir = g_getenv ("VP_TEST_STORE_DIR");
      g_autofree char *new_dir = g_build_filename (store_dir, "new", NULL);
      VpStoreSetup setup = { "team-noord", "GM0344", "Anna", VP_TEST_PASSPHRASE };
      g_autoptr(GError) error = NULL;

      store = vp_store_open (store_dir, VP_TEST_PASSPHRASE, &error);
      g_assert_null (store);
      assert_unprotected (error);
      g_clear_error (&error);

      store = vp_store_create (new_dir, &setup, NULL, &error);
      g_assert_null (store);
      assert_unprotected (error);
      g_clear_error (&error);
      g_assert_false (vp_store_exists (new_dir));

      g_assert_true (vp_data_init (&error));
      g_assert_no_error (error);
      store = vp_store_open (store_dir, VP_TEST_PASSPHRASE, &error);
      g_assert_no_error (error);
      g_assert_nonnull (store);
      return;
    }

  dir = vp_test_make_dir ();
  store = vp_test_create_store (dir);
  vp_store_close (store);
  g_setenv ("VP_TEST_STORE_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  vp_test_remove_dir (dir);
}

/* SQLite already running when vp_data_init() comes: it cannot put its
 * allocator in any more, fails, and every open tells why. */
static void
test_init_too_late (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(VpStore) store = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (sqlite3_initialize (), ==, SQLITE_OK);
      g_assert_false (vp_data_init (&error));
      assert_unprotected (error);
      g_clear_error (&error);

      store = vp_store_open (g_getenv ("VP_TEST_STORE_DIR"), VP_TEST_PASSPHRASE, &error);
      g_assert_null (store);
      assert_unprotected (error);
      g_assert_nonnull (strstr (error->message, "SQLite was already in use"));
      return;
    }

  dir = vp_test_make_dir ();
  store = vp_test_create_store (dir);
  vp_store_close (store);
  g_setenv ("VP_TEST_STORE_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The children of the last two tests run without it. */
  if (!g_test_subprocess ())
    vp_test_init_data ();

  g_test_add_func ("/memory/core-dumps-off", test_core_dumps_off);
  g_test_add_func ("/memory/no-plaintext-after-lock", test_no_plaintext_after_lock);
  g_test_add_func ("/memory/open-without-init", test_open_without_init);
  g_test_add_func ("/memory/init-too-late", test_init_too_late);

  return g_test_run ();
}
