/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The synthetic history that the benchmarks and the big demo store are
 * made of (data/vp-synthetic.c): the sizes asked for, rows the app itself
 * could have written, the expired clients retention must find, and the
 * same rows from the same seed. */
#include "config.h"

#include "vp-audit.h"
#include "vp-retention.h"
#include "vp-store-private.h"
#include "vp-synthetic.h"
#include "vp-test-util.h"

#define CLIENTS 300
#define CONTACTS 3000
#define EXPIRED 40

typedef struct {
  char      *dir;
  VpStore   *store;
  GDateTime *until;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = vp_test_make_dir ();
  f->store = vp_test_create_store (f->dir);
  f->until = g_date_time_new_local (2026, 11, 15, 12, 0, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_date_time_unref (f->until);
  vp_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gboolean
fill (Fixture            *f,
      guint32             seed,
      VpSyntheticCounts  *counts,
      GError            **error)
{
  VpSyntheticParams params = { CLIENTS, CONTACTS, 36, EXPIRED, seed, f->until };

  return vp_synthetic_fill (f->store, &params, counts, error);
}

static int
count (Fixture    *f,
       const char *sql)
{
  return vp_test_count (f->store, sql);
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) later = g_date_time_add_days (f->until, 13);
  VpSyntheticCounts counts = { 0 };
  gint64 bad = 0;
  guint erased = 0;
  int cache;

  g_assert_true (fill (f, 7, &counts, &error));
  g_assert_no_error (error);

  /* The sizes asked for, and what was said to be made. */
  g_assert_cmpuint (counts.clients, ==, CLIENTS);
  g_assert_cmpuint (counts.contacts, ==, CONTACTS);
  g_assert_cmpint (count (f, "SELECT count(*) FROM client"), ==, CLIENTS);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact"), ==, CONTACTS);
  g_assert_cmpint (count (f, "SELECT count(*) FROM consent"), ==, (int) counts.consents);
  g_assert_cmpint (count (f, "SELECT count(*) FROM consent WHERE withdrawn_at IS NOT NULL"), ==,
                   (int) counts.withdrawn);
  g_assert_cmpint (count (f, "SELECT count(*) FROM referral"), ==, (int) counts.referrals);
  g_assert_cmpuint (counts.withdrawn, >, 0);
  g_assert_cmpuint (counts.referrals, >, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM language_need"), >, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact WHERE interpreter IS NOT NULL"), >, 0);

  /* Clearly fake, and findable like any client. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM client WHERE label NOT LIKE 'Demo %'"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM referral WHERE organisation NOT LIKE 'Demo %'"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM client_fts WHERE client_fts MATCH 'demo'"), ==, CLIENTS);
  g_assert_cmpint (count (f, "SELECT count(*) FROM client WHERE phone IS NOT NULL"), ==,
                   count (f, "SELECT count(*) FROM client_fts WHERE client_fts MATCH 'phone : 06* OR phone : 316*'"));

  /* One first contact per client, its earliest; follow-ups after it. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM client cl WHERE (SELECT count(*) FROM contact"
                             " WHERE client_id = cl.id AND kind = 'first') <> 1"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact f JOIN contact o ON o.client_id = f.client_id"
                             " WHERE f.kind = 'first' AND o.occurred_at < f.occurred_at"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact WHERE entered_at < occurred_at"
                             " OR stage IS NOT NULL AND kind <> 'first'"), ==, 0);
  /* Entered in order, as a team would have: a month's rows lie together. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact a JOIN contact b ON b.id = a.id + 1"
                             " WHERE b.entered_at < a.entered_at"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact WHERE occurred_at < '2023-11-15'"
                             " OR entered_at > '2026-11-15T12:00:00'"), ==, 0);

  /* What needs consent has it (the triggers would have refused the rest). */
  g_assert_cmpint (count (f, "SELECT count(*) FROM contact c WHERE (c.dutch_proficiency IS NOT NULL"
                             " OR c.language IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM consent"
                             " WHERE client_id = c.client_id AND category = 'language' AND withdrawn_at IS NULL)"),
                   ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM referral r WHERE NOT EXISTS (SELECT 1 FROM consent"
                             " WHERE client_id = r.client_id AND category = 'referral' AND withdrawn_at IS NULL)"),
                   ==, 0);
  /* Feedback in time, late and missing. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM referral WHERE feedback_received_on <= feedback_expected_by"), >, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM referral WHERE feedback_received_on > feedback_expected_by"), >, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM referral WHERE feedback_received_on IS NULL"
                             " AND feedback_expected_by < '2026-11-15'"), >, 0);

  /* The audit log holds every creation, and its chain holds. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM audit_log WHERE action = 'create'"), ==,
                   (int) counts.audit_entries);
  g_assert_cmpuint (counts.audit_entries, ==, CLIENTS + CONTACTS + counts.referrals);
  g_assert_true (vp_audit_verify (f->store, &bad, &error));
  g_assert_no_error (error);

  /* Exactly the expired clients go, also some days after the history ends;
   * the larger page cache of the erasure is given back. */
  cache = count (f, "PRAGMA cache_size");
  g_assert_true (vp_store_apply_retention (f->store, later, &erased, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (erased, ==, EXPIRED);
  g_assert_cmpint (count (f, "PRAGMA cache_size"), ==, cache);
  g_assert_true (vp_audit_verify (f->store, &bad, &error));
}

/* Every row of the history, in order, as one hash; uids (#16) are random
 * by design and left out. */
static char *
digest (Fixture *f)
{
  static const char * const tables[] = {
    "SELECT id, label, birth_year, phone, created_at FROM client ORDER BY id",
    "SELECT * FROM contact ORDER BY id",
    "SELECT * FROM consent ORDER BY id",
    "SELECT * FROM language_need ORDER BY client_id",
    "SELECT * FROM referral ORDER BY id",
  };
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3 *db = vp_store_get_db (f->store);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, tables[t], -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const unsigned char *text = sqlite3_column_text (stmt, c);

            if (g_str_equal (sqlite3_column_name (stmt, c), "uid"))
              continue;
            g_checksum_update (checksum, text != NULL ? text : (const guchar *) "\\N", -1);
            g_checksum_update (checksum, (const guchar *) "\t", 1);
          }
      sqlite3_finalize (stmt);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static void
test_reproducible (Fixture       *f,
                   gconstpointer  data)
{
  Fixture other = { 0 }, third = { 0 };
  g_autofree char *first = NULL;
  g_autofree char *same = NULL;
  g_autofree char *different = NULL;

  fixture_set_up (&other, NULL);
  fixture_set_up (&third, NULL);
  g_assert_true (fill (f, 42, NULL, NULL));
  g_assert_true (fill (&other, 42, NULL, NULL));
  g_assert_true (fill (&third, 43, NULL, NULL));
  first = digest (f);
  same = digest (&other);
  different = digest (&third);
  g_assert_cmpstr (first, ==, same);
  g_assert_cmpstr (first, !=, different);
  fixture_tear_down (&other, NULL);
  fixture_tear_down (&third, NULL);
}

/* Impossible sizes are refused, and nothing is written. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  VpSyntheticParams short_history = { CLIENTS, CONTACTS, 12, EXPIRED, 1, f->until };
  VpSyntheticParams too_few = { CLIENTS, CLIENTS - 1, 36, 0, 1, f->until };
  VpSyntheticParams too_many = { CLIENTS, CONTACTS, 36, CLIENTS + 1, 1, f->until };
  const VpSyntheticParams *cases[] = { &short_history, &too_few, &too_many };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (vp_synthetic_fill (f->store, cases[i], NULL, &error));
      g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
    }
  g_assert_cmpint (count (f, "SELECT count(*) FROM client"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/synthetic/history", Fixture, NULL, fixture_set_up, test_history, fixture_tear_down);
  g_test_add ("/synthetic/reproducible", Fixture, NULL, fixture_set_up, test_reproducible, fixture_tear_down);
  g_test_add ("/synthetic/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  return g_test_run ();
}
