/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "vp-fault-vfs.h"
#include "vp-keyslots.h"
#include "vp-outbox.h"
#include "vp-consent.h"
#include "vp-referral.h"
#include "vp-retention.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

/* What the store does when the clock, the disk, the locks or the memory let
 * it down (issue #13): each test here failed before the store handled it. */

#define DAY (24 * 3600)
#define YEAR (365 * DAY)

/* ------------------------------------------------------------------ */
/* Freed heap, searched: free() and realloc() of this program are      */
/* wrapped, so every block that glibc takes back, from any library,    */
/* can be searched for a secret before it goes.                        */
/* ------------------------------------------------------------------ */

extern void  __libc_free    (void *ptr);
extern void *__libc_realloc (void *ptr, size_t size);

static __thread gboolean scanning;
static const char *scan_needle;
static guint scan_hits;
/* Small blocks freed while scanning, kept for a search once the secret is
 * known (a recovery key is made inside the function under test). */
static char freed_log[256 * 1024];
static gsize freed_log_len;

static void
scan_block (const void *ptr)
{
  size_t size;

  if (!scanning || ptr == NULL)
    return;
  size = malloc_usable_size ((void *) ptr);
  if (scan_needle != NULL && memmem (ptr, size, scan_needle, strlen (scan_needle)) != NULL)
    scan_hits++;
  if (size <= 256 && freed_log_len + size + 1 <= sizeof freed_log)
    {
      memcpy (freed_log + freed_log_len, ptr, size);
      freed_log_len += size;
      freed_log[freed_log_len++] = '\0';
    }
}

void
free (void *ptr)
{
  scan_block (ptr);
  __libc_free (ptr);
}

void *
realloc (void   *ptr,
         size_t  size)
{
  /* A block that moves leaves its old bytes behind, unwiped. */
  scan_block (ptr);
  return __libc_realloc (ptr, size);
}

static void
scan_start (const char *needle)
{
  scan_needle = needle;
  scan_hits = 0;
  freed_log_len = 0;
  scanning = TRUE;
}

static guint
scan_stop (void)
{
  scanning = FALSE;
  return scan_hits;
}

static gboolean
freed_log_contains (const char *needle)
{
  return memmem (freed_log, freed_log_len, needle, strlen (needle)) != NULL;
}

/* ------------------------------------------------------------------ */
/* A lock that another program holds: a VFS over the default one whose */
/* file and shared-memory locks answer SQLITE_BUSY from the nth request */
/* on. Sleeping is skipped while armed, so SQLite's busy waits (five    */
/* seconds in the store) end at once.                                   */
/* ------------------------------------------------------------------ */

static sqlite3_vfs busy_vfs;
static sqlite3_vfs *busy_base;
static sqlite3_io_methods busy_methods;
static const sqlite3_io_methods *busy_base_methods;
static gboolean busy_armed;
static guint busy_countdown;

static gboolean
busy_now (void)
{
  if (!busy_armed)
    return FALSE;
  if (busy_countdown > 1)
    {
      busy_countdown--;
      return FALSE;
    }
  return TRUE;
}

static int
busy_lock (sqlite3_file *file,
           int           level)
{
  if (busy_now ())
    return SQLITE_BUSY;
  return busy_base_methods->xLock (file, level);
}

static int
busy_shm_lock (sqlite3_file *file,
               int           offset,
               int           n,
               int           flags)
{
  if ((flags & SQLITE_SHM_LOCK) && busy_now ())
    return SQLITE_BUSY;
  return busy_base_methods->xShmLock (file, offset, n, flags);
}

static int
busy_open (sqlite3_vfs  *vfs,
           const char   *name,
           sqlite3_file *file,
           int           flags,
           int          *out_flags)
{
  int rc = busy_base->xOpen (busy_base, name, file, flags, out_flags);

  if (rc != SQLITE_OK || file->pMethods == NULL)
    return rc;
  if (busy_base_methods == NULL)
    {
      busy_base_methods = file->pMethods;
      busy_methods = *file->pMethods;
      busy_methods.xLock = busy_lock;
      busy_methods.xShmLock = busy_shm_lock;
    }
  g_assert_true (file->pMethods == busy_base_methods);
  file->pMethods = &busy_methods;
  return rc;
}

static int
busy_sleep (sqlite3_vfs *vfs,
            int          microseconds)
{
  if (busy_armed)
    return microseconds;
  return busy_base->xSleep (busy_base, microseconds);
}

static void
busy_vfs_install (void)
{
  busy_base = sqlite3_vfs_find (NULL);
  busy_vfs = *busy_base;
  busy_vfs.zName = "vp-busy";
  busy_vfs.pNext = NULL;
  busy_vfs.xOpen = busy_open;
  busy_vfs.xSleep = busy_sleep;
  sqlite3_vfs_register (&busy_vfs, 1);
}

static void
busy_arm (guint nth)
{
  busy_countdown = nth;
  busy_armed = TRUE;
}

static void
busy_disarm (void)
{
  busy_armed = FALSE;
}

/* ------------------------------------------------------------------ */

static char *
keys_path (const char *dir)
{
  return g_build_filename (dir, "store.keys", NULL);
}

/* Sets the counter of every passphrase slot, as a run of wrong attempts
 * at that time would have left it. */
static void
set_failures (const char *dir,
              guint       failures,
              gint64      last_failure)
{
  g_autofree char *keys = keys_path (dir);
  g_autoptr(GPtrArray) slots = vp_key_slots_load (keys, NULL);

  for (guint i = 0; i < slots->len; i++)
    {
      VpKeySlot *slot = g_ptr_array_index (slots, i);

      if (g_str_equal (slot->kind, "passphrase"))
        {
          slot->failures = failures;
          slot->last_failure = last_failure;
        }
    }
  g_assert_true (vp_key_slots_save (keys, slots, NULL));
}

static guint
passphrase_failures (const char *dir)
{
  g_autofree char *keys = keys_path (dir);
  g_autoptr(GPtrArray) slots = vp_key_slots_load (keys, NULL);

  for (guint i = 0; i < slots->len; i++)
    {
      VpKeySlot *slot = g_ptr_array_index (slots, i);

      if (g_str_equal (slot->kind, "passphrase"))
        return slot->failures;
    }
  g_assert_not_reached ();
}

static void
open_wrong (const char *dir,
            GQuark      domain,
            int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = vp_store_open (dir, "not the passphrase", &error);

  g_assert_null (store);
  g_assert_error (error, domain, code);
}

static void
assert_wait (const char *dir,
             const char *says)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);

  g_assert_null (store);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_TOO_MANY_ATTEMPTS);
  if (strstr (error->message, says) == NULL)
    g_error ("“%s” does not say “%s”", error->message, says);
}

static void
assert_opens (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
}

static const gint64 clock_offsets[] = { DAY, YEAR };

/* One wrong passphrase typed while the clock was ahead used to lock the
 * right one out until the clock caught up (1,440 minutes for a day). The
 * first three attempts are free whatever the clock says: after one or two
 * wrong ones, the right one opens at once. */
static void
test_clock_ahead_first_attempts_free (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  gint64 t0 = g_get_real_time () / G_USEC_PER_SEC;

  vp_store_close (store);
  for (guint i = 0; i < G_N_ELEMENTS (clock_offsets); i++)
    for (guint wrong = 1; wrong < 3; wrong++)
      {
        _vp_store_set_now (t0 + clock_offsets[i]);
        for (guint n = 0; n < wrong; n++)
          open_wrong (dir, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
        _vp_store_set_now (t0);
        assert_opens (dir);
      }
  _vp_store_set_now (0);
  vp_test_remove_dir (dir);
}

/* Past the free attempts, a failure time in the future waits one step of
 * the schedule, never until the clock reaches it. */
static void
test_clock_ahead_one_step (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  gint64 t0 = g_get_real_time () / G_USEC_PER_SEC;

  vp_store_close (store);
  for (guint i = 0; i < G_N_ELEMENTS (clock_offsets); i++)
    {
      gint64 ahead = t0 + clock_offsets[i];

      _vp_store_set_now (ahead);
      for (guint n = 0; n < 3; n++)
        open_wrong (dir, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
      assert_wait (dir, "5 seconds");
      _vp_store_set_now (ahead + 5);
      open_wrong (dir, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);

      /* The clock is right again: ten seconds, the step after four. */
      _vp_store_set_now (t0);
      assert_wait (dir, "10 seconds");
      _vp_store_set_now (t0 + 9);
      assert_wait (dir, "1 second");
      _vp_store_set_now (t0 + 10);
      assert_opens (dir);
      g_assert_cmpuint (passphrase_failures (dir), ==, 0);
    }

  /* The longest step is fifteen minutes, however far ahead the failures
   * were recorded. */
  set_failures (dir, 40, t0 + 10 * YEAR);
  _vp_store_set_now (t0);
  assert_wait (dir, "15 minutes");
  _vp_store_set_now (t0 + 15 * 60);
  assert_opens (dir);

  _vp_store_set_now (0);
  vp_test_remove_dir (dir);
}

/* Makes every write to a file bigger than a few bytes fail (EFBIG), as a
 * full disk would, even for root. */
static struct rlimit saved_limit;

static void
limit_file_size (void)
{
  struct rlimit small;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  small = saved_limit;
  small.rlim_cur = 64;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
}

static void
unlimit_file_size (void)
{
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
}

/* An attempt whose count cannot be written to the key file is not made:
 * otherwise a full disk (or a key file made read-only) would give unlimited
 * guesses without delay. */
static void
test_attempt_not_recorded (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_real_time () / G_USEC_PER_SEC;

  vp_store_close (store);
  limit_file_size ();
  for (guint n = 0; n < 5; n++)
    open_wrong (dir, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  unlimit_file_size ();
  g_assert_null (store);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "recorded"));
  g_clear_error (&error);
  g_assert_cmpuint (passphrase_failures (dir), ==, 0);

  /* The same when a failure time in the future has to be moved to now. */
  set_failures (dir, 5, t0 + DAY);
  _vp_store_set_now (t0);
  limit_file_size ();
  store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  unlimit_file_size ();
  g_assert_null (store);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  g_clear_error (&error);
  assert_wait (dir, "20 seconds");
  _vp_store_set_now (t0 + 20);
  assert_opens (dir);

  _vp_store_set_now (0);
  vp_test_remove_dir (dir);
}

/* OPENSSL_secure_malloc() returns NULL when its heap is used up; the store
 * says so instead of writing the key through a NULL pointer. */
static void
test_secure_heap_exhausted (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(VpStore) store = NULL;
  g_autoptr(VpStore) clone = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  g_autoptr(GError) error = NULL;
  void *block;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  dir = vp_test_make_dir ();
  store = vp_test_create_store (dir);
  if (!CRYPTO_secure_malloc_initialized ())
    {
      g_test_skip ("OpenSSL has no secure heap here");
      vp_test_remove_dir (dir);
      return;
    }
  blocks = g_ptr_array_new ();
  while ((block = OPENSSL_secure_malloc (16)) != NULL)
    g_ptr_array_add (blocks, block);

  clone = vp_store_open_clone (store, &error);
  g_assert_null (clone);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  g_clear_error (&error);
  vp_store_close (store);
  g_clear_object (&store);
  store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_null (store);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  g_clear_error (&error);

  for (guint i = 0; i < blocks->len; i++)
    OPENSSL_secure_free (g_ptr_array_index (blocks, i));
  store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  clone = vp_store_open_clone (store, &error);
  g_assert_no_error (error);
  g_clear_object (&clone);
  g_clear_object (&store);
  vp_test_remove_dir (dir);
}

/* A statement left open used to keep the connection alive after locking
 * (sqlite3_close_v2() makes it a zombie), and SQLCipher's key with it. The
 * store ends it, closes for real (SQLite removes the WAL file when the last
 * connection goes), and says that something was left open. */
static void
test_lingering_statement (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *wal = g_build_filename (dir, "store.db-wal", NULL);
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (vp_store_get_db (store), "SELECT key FROM meta", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  g_test_expect_message ("vp-data", G_LOG_LEVEL_WARNING, "*still open*");
  vp_store_close (store);
  g_test_assert_expected_messages ();
  g_assert_false (vp_store_is_open (store));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  vp_test_remove_dir (dir);
}

static char *
key_hex (const guint8 *key,
         gsize         len)
{
  GString *hex = g_string_sized_new (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", key[i]);
  return g_string_free (hex, FALSE);
}

/* The database used to be keyed through SQL text (PRAGMA key = "x'…'"),
 * whose copies SQLite frees without wiping. No freed block may hold the
 * key's hex, from opening a connection to closing it. */
static void
test_key_not_in_freed_heap (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) clone = NULL;
  g_autoptr(GError) error = NULL;
  /* Half the key: a partial copy counts too. */
  g_autofree char *needle = key_hex (_vp_store_get_key (store), VP_DATA_KEY_LEN / 2);

  scan_start (needle);
  clone = vp_store_open_clone (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (clone, "SELECT count (*) FROM meta"), >, 0);
  g_clear_object (&clone);
  g_assert_cmpuint (scan_stop (), ==, 0);

  vp_test_remove_dir (dir);
}

/* The recovery key used to grow in a GString: every realloc left a partial
 * copy behind, and a key typed wrongly was freed without a wipe. */
static void
test_recovery_key_not_in_freed_heap (void)
{
  static const struct { const char *typed; gboolean valid; } cases[] = {
    { "abcd efgh jkmn pqrs tvwx yz01 2345 6789", TRUE },
    { "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-678U", FALSE }, /* U is not in the alphabet */
    { "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789-0000", FALSE }, /* too long */
    { "ABCD-EFGH-JKMN-PQRS", FALSE }, /* too short */
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;
  char *key;

  scan_start (NULL);
  key = vp_recovery_key_generate (&error);
  scan_stop ();
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (key), ==, 39);
  start = g_strndup (key, 9);
  g_assert_false (freed_log_contains (start));
  vp_wipe (key, strlen (key));
  g_free (key);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      scan_start ("ABCD-EFGH");
      key = vp_recovery_key_normalize (cases[i].typed);
      g_assert_true ((key != NULL) == cases[i].valid);
      if (key != NULL)
        {
          g_assert_cmpstr (key, ==, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789");
          vp_wipe (key, strlen (key));
          g_free (key);
        }
      if (scan_stop () != 0)
        g_error ("“%s” left a copy in freed memory", cases[i].typed);
    }
}

/* A snapshot's reads are one view of the store only if the COMMIT that
 * ends it succeeds, and a transaction that ended early (an error rolls it
 * back) was no snapshot at all. */
static void
test_snapshot_commit (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_store_begin_snapshot (store, &error));
  g_assert_true (vp_store_exec (store, "COMMIT", &error));
  g_assert_false (vp_store_finish_snapshot (store, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  g_clear_error (&error);

  /* A COMMIT that cannot write. */
  g_assert_true (vp_store_begin_snapshot (store, &error));
  g_assert_true (vp_store_set_setting (store, "snapshot_test", "1", &error));
  vp_fault_vfs_arm (VP_FAULT_WRITE, 1);
  g_assert_false (vp_store_finish_snapshot (store, &error));
  vp_fault_vfs_disarm ();
  g_assert_cmpuint (vp_fault_vfs_hits (), ==, 1);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  g_clear_error (&error);

  /* Nothing is left open: the next snapshot begins. */
  g_assert_true (vp_store_begin_snapshot (store, &error));
  g_assert_true (vp_store_finish_snapshot (store, &error));
  g_assert_no_error (error);
  vp_test_remove_dir (dir);
}

/* A setting that cannot be read because another program holds the store
 * is not "no value": the store used to call itself damaged ("lacks its team
 * settings"), or weakly encrypted, or the account disabled. Every place in
 * opening the store where a lock can be refused is tried in turn. */
static void
test_busy_is_not_damage (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  guint nth;

  for (nth = 1; nth < 1000; nth++)
    {
      g_autoptr(VpStore) clone = NULL;

      busy_arm (nth);
      clone = vp_store_open_clone (store, &error);
      busy_disarm ();
      if (clone != NULL)
        break;
      if (!g_error_matches (error, VP_STORE_ERROR, VP_STORE_ERROR_BUSY))
        g_error ("Lock %u refused: %s", nth, error->message);
      g_clear_error (&error);
    }
  g_test_message ("opening a clone takes %u locks", nth - 1);
  g_assert_cmpuint (nth, >, 1);
  g_assert_cmpuint (nth, <, 1000);

  /* And reading a setting on an open store. */
  g_assert_true (vp_store_read_setting (store, "team_code", &value, &error));
  g_assert_cmpstr (value, ==, "team-noord");
  g_clear_pointer (&value, g_free);
  g_assert_true (vp_store_read_setting (store, "no_such_setting", &value, &error));
  g_assert_null (value);
  busy_arm (1);
  g_assert_false (vp_store_read_setting (store, "team_code", &value, &error));
  busy_disarm ();
  g_assert_null (value);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_BUSY);
  g_clear_error (&error);

  /* The whole unlock. */
  vp_store_close (store);
  for (nth = 1; nth < 1000; nth++)
    {
      busy_arm (nth);
      again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
      busy_disarm ();
      if (again != NULL)
        break;
      if (!g_error_matches (error, VP_STORE_ERROR, VP_STORE_ERROR_BUSY))
        g_error ("Lock %u refused: %s", nth, error->message);
      g_clear_error (&error);
    }
  g_test_message ("unlocking takes %u locks", nth - 1);
  g_assert_nonnull (again);
  vp_test_remove_dir (dir);
}

static int
deny_meta (void       *user_data,
           int         action,
           const char *a,
           const char *b,
           const char *db,
           const char *trigger)
{
  return action == SQLITE_READ && g_strcmp0 (a, "meta") == 0 ? SQLITE_DENY : SQLITE_OK;
}

/* Retention must not fall back to its default period when the team's own
 * cannot be read: with 36 months set, a client last seen 30 months ago
 * stays. */
static void
test_retention_setting_unreadable (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_months (now, -30);
  g_autoptr(GError) error = NULL;
  guint erased = 0;

  g_assert_true (vp_store_set_setting (store, "retention_months", "36", &error));
  vp_test_register (store, "Old friend", 1960, "school", "first", NULL, then);

  sqlite3_set_authorizer (vp_store_get_db (store), deny_meta, NULL);
  g_assert_false (vp_store_apply_retention (store, now, &erased, &error));
  sqlite3_set_authorizer (vp_store_get_db (store), NULL, NULL);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (vp_test_count (store, "SELECT count (*) FROM client"), ==, 1);

  g_assert_true (vp_store_apply_retention (store, now, &erased, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (erased, ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count (*) FROM client"), ==, 1);
  vp_test_remove_dir (dir);
}

/* Nor may a referral's deadline come from the default period when the
 * category's own cannot be read: it would be stored. */
static void
test_referral_setting_unreadable (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  VpReferralInput input = { .category = "debt", .organisation = "Schuldhulp Noord" };

  g_assert_true (vp_store_set_feedback_days (store, "debt", 14, &error));
  vp_test_register (store, "Amina", 1980, "school", "first", NULL, NULL);
  input.client_id = vp_test_count (store, "SELECT max (id) FROM client");
  g_assert_true (vp_store_give_consent (store, input.client_id, "referral", "verbal", "nld", "2026-1", NULL));

  sqlite3_set_authorizer (vp_store_get_db (store), deny_meta, NULL);
  g_assert_cmpint (vp_store_add_referral (store, &input, &error), ==, 0);
  sqlite3_set_authorizer (vp_store_get_db (store), NULL, NULL);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (vp_test_count (store, "SELECT count (*) FROM referral"), ==, 0);

  g_assert_cmpint (vp_store_add_referral (store, &input, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (store, "SELECT count (*) FROM referral"
                                         " WHERE julianday (feedback_expected_by) - julianday (referred_on) = 14"),
                   ==, 1);
  vp_test_remove_dir (dir);
}

static gint64
insert_outbox_entry (VpStore *store)
{
  g_autoptr(GError) error = NULL;

  vp_store_exec (store,
                 "INSERT INTO outbox (period, revision, body, published_sha256, created_at)"
                 " VALUES ('2026-01', 1, '{}', 'sha', '2026-02-10T09:00:00')", &error);
  g_assert_no_error (error);
  return sqlite3_last_insert_rowid (vp_store_get_db (store));
}

static char *
outbox_state (VpStore *store,
              gint64   id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT state FROM outbox WHERE id = %" G_GINT64_FORMAT, id);
  sqlite3_stmt *stmt = NULL;
  char *state = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    state = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return state;
}

/* Marking an entry "sending" is a write like any other: when it fails the
 * caller hears of it. A delivered entry is never marked "sending" again (a
 * second sender that read the outbox before the first one finished), and
 * an entry that is not there is not marked silently. */
static void
test_outbox_sending_mark (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  gint64 id = insert_outbox_entry (store);

  vp_fault_vfs_arm (VP_FAULT_WRITE, 1);
  g_assert_false (vp_outbox_mark (store, id, "sending", 0, NULL, 0, &error));
  vp_fault_vfs_disarm ();
  g_assert_cmpuint (vp_fault_vfs_hits (), ==, 1);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
  g_clear_error (&error);
  state = outbox_state (store, id);
  g_assert_cmpstr (state, ==, "queued");
  g_clear_pointer (&state, g_free);

  g_assert_true (vp_outbox_mark (store, id, "sending", 0, NULL, 0, &error));
  g_assert_true (vp_outbox_mark (store, id, "delivered", 201, NULL, 0, &error));
  g_assert_no_error (error);

  g_assert_false (vp_outbox_mark (store, id, "sending", 0, NULL, 0, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  state = outbox_state (store, id);
  g_assert_cmpstr (state, ==, "delivered");

  g_assert_false (vp_outbox_mark (store, id + 100, "sending", 0, NULL, 0, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vp_fault_vfs_install ();
  busy_vfs_install ();

  g_test_add_func ("/store-faults/clock/ahead-first-attempts-free", test_clock_ahead_first_attempts_free);
  g_test_add_func ("/store-faults/clock/ahead-one-step", test_clock_ahead_one_step);
  g_test_add_func ("/store-faults/attempt-not-recorded", test_attempt_not_recorded);
  g_test_add_func ("/store-faults/secure-heap-exhausted", test_secure_heap_exhausted);
  g_test_add_func ("/store-faults/lingering-statement", test_lingering_statement);
  g_test_add_func ("/store-faults/key-not-in-freed-heap", test_key_not_in_freed_heap);
  g_test_add_func ("/store-faults/recovery-key-not-in-freed-heap", test_recovery_key_not_in_freed_heap);
  g_test_add_func ("/store-faults/snapshot-commit", test_snapshot_commit);
  g_test_add_func ("/store-faults/busy-is-not-damage", test_busy_is_not_damage);
  g_test_add_func ("/store-faults/retention-setting-unreadable", test_retention_setting_unreadable);
  g_test_add_func ("/store-faults/referral-setting-unreadable", test_referral_setting_unreadable);
  g_test_add_func ("/store-faults/outbox-sending-mark", test_outbox_sending_mark);

  return g_test_run ();
}
