/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Team sync in real stores (#16): the changes each write appends, and
 * received changes applied back. Laptops here are real SQLCipher stores
 * written through the data layer's own functions (registration, consent,
 * language needs, referrals, feedback, review, corrections, erasure);
 * they exchange their changes through a simulated relay that delivers
 * batches late, twice and out of order. The relay and its sealing are
 * tests/test-team-sync's; the merge's own 1,000 runs are test-team-merge's.
 *
 *   VP_TEAM_STORE_RUNS=n   how many seeded runs (default 200)
 *   VP_TEAM_STORE_SEED=n   repeat one run */
#include "config.h"

#include <string.h>

#include "vp-client.h"
#include "vp-consent.h"
#include "vp-contact-edit.h"
#include "vp-languages.h"
#include "vp-referral.h"
#include "vp-registration.h"
#include "vp-store-private.h"
#include "vp-sync.h"
#include "vp-team-store.h"
#include "vp-test-util.h"

#define MARKER "Zwxqkalabel"

typedef struct {
  char    *dir;
  VpStore *store;
  guint64  next_sequence;
  guint    cursor;       /* how many relay batches it has seen */
} Laptop;

typedef struct {
  Laptop    *laptops;
  guint      n;
  GPtrArray *relay;      /* GPtrArray of VpChange *, one per pushed batch */
  GRand     *rand;
} Team;

/* Making a store derives keys from a passphrase (scrypt), which takes
 * longer than a run: the runs share five stores, emptied in between. */
#define POOL_SIZE 5
static VpStore *pool[POOL_SIZE];
static char *pool_dirs[POOL_SIZE];

static VpStore *
pool_store (guint i)
{
  if (pool[i] == NULL)
    {
      pool_dirs[i] = vp_test_make_dir ();
      pool[i] = vp_test_create_store (pool_dirs[i]);
    }
  return pool[i];
}

static void
pool_reset (VpStore *store)
{
  g_autoptr(GError) error = NULL;

  vp_store_team_disable (store, &error);
  g_assert_no_error (error);
  vp_store_exec (store, "DELETE FROM client; DELETE FROM location WHERE active = 0;"
                        " DELETE FROM account WHERE team_device IS NOT NULL", &error);
  g_assert_no_error (error);
}

static void
pool_free (void)
{
  for (guint i = 0; i < POOL_SIZE; i++)
    if (pool[i] != NULL)
      {
        g_clear_object (&pool[i]);
        vp_test_remove_dir (pool_dirs[i]);
        g_free (pool_dirs[i]);
      }
}

static GBytes *
dummy_key (void)
{
  static const guint8 zeros[32] = { 0 };
  return g_bytes_new_static (zeros, sizeof zeros);
}

static void
team_init (Team  *team,
           guint  n,
           guint32 seed)
{
  VpUid team_uid;
  g_autofree VpUid *devices = g_new0 (VpUid, n);

  memset (team, 0, sizeof *team);
  team->n = n;
  team->laptops = g_new0 (Laptop, n);
  team->relay = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  team->rand = g_rand_new_with_seed (seed);
  g_assert_true (vp_uid_generate (&team_uid, NULL));
  for (guint i = 0; i < n; i++)
    g_assert_true (vp_uid_generate (&devices[i], NULL));

  for (guint i = 0; i < n; i++)
    {
      Laptop *l = &team->laptops[i];
      g_autofree char *name = g_strdup_printf ("Laptop %u", i);
      VpTeamIdentity id = { team_uid, devices[i], i == 0 ? VP_TEAM_ROLE_TEAM_LEADER : VP_TEAM_ROLE_COACH,
                            (char *) "https://127.0.0.1:1", name, 1, 0, 1, FALSE, FALSE };
      g_autoptr(GBytes) key = dummy_key ();
      g_autoptr(GError) error = NULL;

      l->dir = NULL;
      l->store = pool_store (i);
      l->next_sequence = 1;
      vp_store_team_enable (l->store, &id, key, key, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < n; j++)
        {
          g_autofree char *other = g_strdup_printf ("Laptop %u", j);
          VpTeamDevice d = { devices[j], j == 0 ? VP_TEAM_ROLE_TEAM_LEADER : VP_TEAM_ROLE_COACH,
                             other, NULL, NULL, NULL };

          vp_store_team_set_device (l->store, &d, &error);
          g_assert_no_error (error);
        }
    }
}

static void
team_clear (Team *team)
{
  for (guint i = 0; i < team->n; i++)
    pool_reset (team->laptops[i].store);
  g_free (team->laptops);
  g_ptr_array_unref (team->relay);
  g_rand_free (team->rand);
}

/* What a sync round sends: every unsent change, through the queue. */
static void
push (Team   *team,
      Laptop *l)
{
  g_autoptr(GError) error = NULL;
  gint64 last = 0;
  GPtrArray *batch = vp_store_team_unsent_changes (l->store, 100000, &last, &error);
  g_autoptr(GBytes) sealed = g_bytes_new_static ("sealed", 6);

  g_assert_no_error (error);
  if (batch->len == 0)
    {
      g_ptr_array_unref (batch);
      return;
    }
  vp_store_team_queue_blob (l->store, l->next_sequence, sealed, last, &error);
  g_assert_no_error (error);
  vp_store_team_blob_sent (l->store, l->next_sequence, &error);
  g_assert_no_error (error);
  l->next_sequence++;
  g_ptr_array_add (team->relay, batch);
}

static guint
count_unsent (Laptop *l)
{
  g_autoptr(GError) error = NULL;
  gint64 last = 0;
  g_autoptr(GPtrArray) batch = vp_store_team_unsent_changes (l->store, 100000, &last, &error);

  g_assert_no_error (error);
  return batch->len;
}

static void
apply_batch (Laptop    *l,
             GPtrArray *batch)
{
  g_autoptr(GError) error = NULL;
  guint before = count_unsent (l);

  vp_store_team_apply (l->store, (VpChange * const *) batch->pdata, batch->len, 0, NULL, &error);
  g_assert_no_error (error);
  /* Applying makes no changes of its own: the rows equal the merge. */
  g_assert_cmpuint (count_unsent (l), ==, before);
}

/* Pulls what arrived since the laptop's cursor, out of order, some twice. */
static void
pull (Team   *team,
      Laptop *l,
      gboolean everything)
{
  guint end = team->relay->len;
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!everything && end > l->cursor)
    end = l->cursor + (guint) g_rand_int_range (team->rand, 0, (gint32) (end - l->cursor) + 1);
  for (guint i = l->cursor; i < end; i++)
    g_array_append_val (order, i);
  for (guint i = order->len; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (team->rand, 0, (gint32) i);
      guint t = g_array_index (order, guint, i - 1);

      g_array_index (order, guint, i - 1) = g_array_index (order, guint, j);
      g_array_index (order, guint, j) = t;
    }
  for (guint i = 0; i < order->len; i++)
    {
      apply_batch (l, g_ptr_array_index (team->relay, g_array_index (order, guint, i)));
      if (g_rand_int_range (team->rand, 0, 5) == 0)  /* delivered again */
        apply_batch (l, g_ptr_array_index (team->relay, g_array_index (order, guint, i)));
    }
  l->cursor = end;
}

static gint64
random_id (Team       *team,
           Laptop     *l,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_cmpint (sqlite3_prepare_v2 (vp_store_get_db (l->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  if (ids->len == 0)
    return 0;
  return g_array_index (ids, gint64, g_rand_int_range (team->rand, 0, (gint32) ids->len));
}

static const char * const categories[] = { "language", "interpreter", "referral" };

/* One random thing a coach does; refusals (no consent, say) are fine. */
static void
random_operation (Team   *team,
                  Laptop *l,
                  guint   n_op)
{
  g_autoptr(GError) error = NULL;
  gint64 client = random_id (team, l, "SELECT id FROM client");
  int what = g_rand_int_range (team->rand, 0, client == 0 ? 1 : 11);
  const char *category = categories[g_rand_int_range (team->rand, 0, 3)];

  switch (what)
    {
    case 0:
    case 1:
      {
        g_autofree char *label = g_strdup_printf (MARKER "%u", n_op);
        VpRegistration reg = {
          .client_id = what == 1 ? client : 0,
          .client_label = label,
          .birth_year = 1950 + g_rand_int_range (team->rand, 0, 60),
          .phone = g_rand_boolean (team->rand) ? "06 1234 5678" : NULL,
          .location_type = "school",
          .kind = what == 1 ? "follow_up" : "first",
          .initiated_by = "outreach",
          .language_consent = g_rand_boolean (team->rand),
          .dutch_proficiency = "limited",
          .preferred_language = "tir",
          .interpreter_consent = g_rand_boolean (team->rand),
          .interpreter = "professional",
        };
        gint64 contact = 0;

        if (!reg.language_consent)
          reg.dutch_proficiency = reg.preferred_language = NULL;
        if (!reg.interpreter_consent)
          reg.interpreter = NULL;
        vp_store_save_registration (l->store, &reg, &contact, &error);
      }
      break;
    case 2:
      vp_store_give_consent (l->store, client, category, "verbal", "nld", "2026-2", &error);
      break;
    case 3:
      vp_store_withdraw_consent (l->store, client, category, &error);
      break;
    case 4:
      {
        const char * const langs[] = { g_rand_boolean (team->rand) ? "ara" : "pol", "eng", NULL };

        vp_store_set_language_needs (l->store, client, "little_or_none", langs, &error);
      }
      break;
    case 5:
      {
        VpReferralInput in = { client, 0, "debt", "Schuldhulp Noord", NULL, NULL,
                               g_rand_boolean (team->rand), NULL };

        vp_store_add_referral (l->store, &in, &error);
      }
      break;
    case 6:
      {
        gint64 referral = random_id (team, l, "SELECT id FROM referral");
        g_autoptr(GDate) today = g_date_new_dmy (1, 12, 2026);

        if (referral != 0)
          vp_store_record_feedback (l->store, referral, today, "started", "ok", &error);
      }
      break;
    case 7:
      {
        gint64 referral = random_id (team, l, "SELECT id FROM referral");

        if (referral != 0)
          vp_store_review_referral (l->store, referral, "gezien", &error);
      }
      break;
    case 8:
      {
        gint64 contact = random_id (team, l, "SELECT id FROM contact");

        if (contact != 0 && g_rand_int_range (team->rand, 0, 3) == 0)
          vp_store_delete_contact (l->store, contact, &error);
      }
      break;
    case 9:
      {
        gint64 referral = random_id (team, l, "SELECT id FROM referral");

        if (referral != 0 && g_rand_int_range (team->rand, 0, 3) == 0)
          vp_store_delete_referral (l->store, referral, &error);
      }
      break;
    case 10:
      if (g_rand_int_range (team->rand, 0, 4) == 0)
        vp_store_erase_client (l->store, client, &error);
      break;
    default:
      g_assert_not_reached ();
    }
}

static char *
dump (Laptop *l)
{
  g_autoptr(GError) error = NULL;
  char *text = vp_store_team_dump (l->store, &error);

  g_assert_no_error (error);
  return text;
}

/* Every row of every laptop compared once more with the merge: a full
 * capture finds nothing to send. */
static void
assert_rows_equal_merge (Laptop *l)
{
  g_autoptr(GError) error = NULL;
  guint before = count_unsent (l);

  vp_store_exec (l->store, "BEGIN IMMEDIATE; INSERT OR IGNORE INTO temp.team_dirty (client_id)"
                           " SELECT id FROM client", &error);
  g_assert_no_error (error);
  vp_store_commit (l->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_unsent (l), ==, before);
}

static void
run_once (guint32 seed)
{
  Team team;
  guint n = 3 + seed % 3;
  guint n_ops;
  g_autofree char *first = NULL;

  team_init (&team, n, seed);
  n_ops = 20 + (guint) g_rand_int_range (team.rand, 0, 30);
  for (guint op = 0; op < n_ops; op++)
    {
      Laptop *l = &team.laptops[g_rand_int_range (team.rand, 0, (gint32) n)];

      random_operation (&team, l, op);
      /* Now and then a laptop gets a network for a moment. */
      if (g_rand_int_range (team.rand, 0, 4) == 0)
        {
          push (&team, l);
          pull (&team, l, FALSE);
        }
    }

  /* Everyone online at last: twice round, since what one laptop receives
   * it does not send again. */
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < n; i++)
      push (&team, &team.laptops[i]);
  for (guint i = 0; i < n; i++)
    pull (&team, &team.laptops[i], TRUE);

  first = dump (&team.laptops[0]);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *other = dump (&team.laptops[i]);

      if (g_strcmp0 (first, other) != 0)
        g_error ("seed %u: laptop %u differs from laptop 0:\n--- 0\n%s\n--- %u\n%s", seed, i, first, i, other);
      g_assert_cmpuint (count_unsent (&team.laptops[i]), ==, 0);
      assert_rows_equal_merge (&team.laptops[i]);
    }
  team_clear (&team);
}

static void
test_convergence (void)
{
  const char *one = g_getenv ("VP_TEAM_STORE_SEED");
  guint runs = g_getenv ("VP_TEAM_STORE_RUNS") ? (guint) g_ascii_strtoull (g_getenv ("VP_TEAM_STORE_RUNS"), NULL, 10) : 200;

  if (one != NULL)
    {
      run_once ((guint32) g_ascii_strtoull (one, NULL, 10));
      return;
    }
  for (guint32 seed = 1; seed <= runs; seed++)
    run_once (seed);
}

static void
count_signal (guint *count)
{
  (*count)++;
}

/* A coach's referral reaches the team leader's laptop, names its author,
 * and can be found there. */
static void
test_referral_reaches_leader (void)
{
  Team team;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) referrals = NULL;
  g_autoptr(GArray) found = NULL;
  VpReferralFilter filter = { 0 };
  g_autoptr(GDate) today = g_date_new_dmy (30, 11, 2026);
  guint signalled = 0;
  gint64 client;

  team_init (&team, 2, 7);
  g_signal_connect_swapped (team.laptops[1].store, "team-changes", G_CALLBACK (count_signal), &signalled);
  client = vp_test_register (team.laptops[1].store, "Amal", 1980, "school", "first", NULL, NULL);
  /* The write tells team sync that there is something to send. */
  g_assert_cmpuint (signalled, ==, 1);
  vp_store_give_consent (team.laptops[1].store, client, "referral", "verbal", "nld", "2026-2", &error);
  g_assert_no_error (error);
  {
    VpReferralInput in = { client, 0, "housing", "Woonstichting", NULL, NULL, TRUE, NULL };
    g_assert_cmpint (vp_store_add_referral (team.laptops[1].store, &in, &error), >, 0);
    g_assert_no_error (error);
  }
  push (&team, &team.laptops[1]);
  pull (&team, &team.laptops[0], TRUE);
  g_signal_handlers_disconnect_by_data (team.laptops[1].store, &signalled);

  referrals = vp_store_list_referrals (team.laptops[0].store, &filter, today, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (referrals->len, ==, 1);
  g_assert_cmpstr (((VpReferral *) g_ptr_array_index (referrals, 0))->organisation, ==, "Woonstichting");
  g_assert_cmpstr (((VpReferral *) g_ptr_array_index (referrals, 0))->client_label, ==, "Amal");

  found = vp_store_search_clients (team.laptops[0].store, "Amal", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);

  /* The leader reviews it; the coach's laptop shows the review. */
  vp_store_review_referral (team.laptops[0].store, ((VpReferral *) g_ptr_array_index (referrals, 0))->id,
                            "Goed opgepakt", &error);
  g_assert_no_error (error);
  push (&team, &team.laptops[0]);
  pull (&team, &team.laptops[1], TRUE);
  g_assert_cmpint (vp_test_count (team.laptops[1].store,
                                  "SELECT count(*) FROM referral WHERE leader_note = 'Goed opgepakt'"), ==, 1);

  /* Erasure on one laptop reaches the other. */
  vp_store_erase_client (team.laptops[1].store, client, &error);
  g_assert_no_error (error);
  push (&team, &team.laptops[1]);
  pull (&team, &team.laptops[0], TRUE);
  g_assert_cmpint (vp_test_count (team.laptops[0].store, "SELECT count(*) FROM client"), ==, 0);
  g_assert_cmpint (vp_test_count (team.laptops[0].store, "SELECT count(*) FROM referral"), ==, 0);
  /* Of the client, every laptop keeps the erasure alone: no label, no
   * organisation, not even in the set of changes; and a late copy of its
   * first changes is not taken in again. */
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (vp_test_count (team.laptops[i].store, "SELECT count(*) FROM team_change"), ==, 1);
      g_assert_cmpint (vp_test_count (team.laptops[i].store,
                                      "SELECT count(*) FROM team_change WHERE body LIKE '%Amal%'"
                                      " OR body LIKE '%Woonstichting%'"), ==, 0);
    }
  apply_batch (&team.laptops[0], g_ptr_array_index (team.relay, 0));
  g_assert_cmpint (vp_test_count (team.laptops[0].store, "SELECT count(*) FROM team_change"), ==, 1);
  g_assert_cmpint (vp_test_count (team.laptops[0].store, "SELECT count(*) FROM client"), ==, 0);
  team_clear (&team);
}

/* Withdrawn consent takes the values it covered on every laptop, and a
 * value set concurrently on a laptop that had not heard of it goes too. */
static void
test_withdrawal_wins (void)
{
  Team team;
  g_autoptr(GError) error = NULL;
  const char * const langs[] = { "som", NULL };
  gint64 client_a, client_b;

  team_init (&team, 2, 11);
  client_a = vp_test_register (team.laptops[0].store, "Hodan", 1990, "school", "first", NULL, NULL);
  vp_store_give_consent (team.laptops[0].store, client_a, "language", "verbal", "nld", "2026-2", &error);
  g_assert_no_error (error);
  push (&team, &team.laptops[0]);
  pull (&team, &team.laptops[1], TRUE);
  client_b = vp_test_count (team.laptops[1].store, "SELECT id FROM client");

  /* Apart: one laptop withdraws, the other records language needs. */
  vp_store_withdraw_consent (team.laptops[0].store, client_a, "language", &error);
  g_assert_no_error (error);
  vp_store_set_language_needs (team.laptops[1].store, client_b, "limited", langs, &error);
  g_assert_no_error (error);
  push (&team, &team.laptops[1]);
  push (&team, &team.laptops[0]);
  pull (&team, &team.laptops[0], TRUE);
  pull (&team, &team.laptops[1], TRUE);

  /* The need was set after the give, but the withdrawal came after the
   * give too, and no give followed it: not shown. */
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (vp_test_count (team.laptops[i].store, "SELECT count(*) FROM language_need"), ==, 0);
  {
    g_autofree char *a = dump (&team.laptops[0]);
    g_autofree char *b = dump (&team.laptops[1]);
    g_assert_cmpstr (a, ==, b);
  }
  team_clear (&team);
}

/* One laptop reports for the team: the others hold the same records and
 * would count them again. */
static void
test_one_reporter (void)
{
  Team team;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 12, 20, 12, 0, 0);
  gboolean released = TRUE;
  guint queued = 99;

  team_init (&team, 2, 13);
  g_assert_true (vp_sync_reports_here (team.laptops[0].store));
  g_assert_false (vp_sync_reports_here (team.laptops[1].store));
  g_assert_false (vp_sync_release_period (team.laptops[1].store, "2026-11", now, NULL, &released, &error));
  g_assert_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_NOT_REPORTER);
  g_assert_false (released);
  g_assert_true (vp_sync_queue_due_reports (team.laptops[1].store, now, &queued, NULL));
  g_assert_cmpuint (queued, ==, 0);
  g_assert_cmpint (vp_test_count (team.laptops[1].store, "SELECT count(*) FROM outbox"), ==, 0);
  team_clear (&team);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/team-store/referral-reaches-leader", test_referral_reaches_leader);
  g_test_add_func ("/team-store/withdrawal-wins", test_withdrawal_wins);
  g_test_add_func ("/team-store/one-reporter", test_one_reporter);
  g_test_add_func ("/team-store/convergence", test_convergence);
  ret = g_test_run ();
  pool_free ();
  return ret;
}
