/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Compaction of the team-sync relay (#16), end to end: real stores, the
 * real endpoint hosting the relay over TLS on loopback. After a client is
 * erased and every laptop has synced, the team leader's laptop writes a
 * snapshot and the relay drops what it covers: no byte of the erased
 * client's blobs is left in the relay's files, and no blob left opens to
 * anything of the client, even with the team key. A laptop that joins
 * afterwards converges from the snapshot. The leader waits while a laptop
 * is behind, and a leader stopped between sending the snapshot and
 * compacting finishes in its next round. */
#define _GNU_SOURCE /* memmem() */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "vp-accounts.h"
#include "vp-client.h"
#include "vp-consent.h"
#include "vp-referral.h"
#include "vp-relay-client.h"
#include "vp-store-private.h"
#include "vp-team-enrol.h"
#include "vp-team-envelope.h"
#include "vp-team-invite.h"
#include "vp-team-join.h"
#include "vp-team-round.h"
#include "vp-test-process.h"
#include "vp-test-relay.h"
#include "vp-test-util.h"

#define PASSPHRASE "another correct horse battery"
/* What the erased client is called, and where it was referred to. */
#define ERASED "Zwaluwstaart"
#define ERASED_ORG "Leeuwerikhulp"

typedef struct {
  VpTestRelay relay;
  guint       n_laptops;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  vp_test_relay_init (&f->relay);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  vp_test_relay_clear (&f->relay);
}

/* ---- Laptops -------------------------------------------------------------- */

/* A laptop of team-noord, opened by the team leader's account, or by a
 * coach's account of the given name. */
static VpStore *
new_laptop (Fixture    *f,
            const char *coach)
{
  g_autofree char *dir = g_strdup_printf ("%s/laptop-%u", f->relay.dir, f->n_laptops++);
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_store_set_setting (store, "endpoint_url", f->relay.url, NULL));
  g_assert_true (vp_store_set_setting (store, "endpoint_token", f->relay.token, NULL));
  g_assert_true (vp_store_set_setting (store, "endpoint_ca_file", f->relay.cert, NULL));
  if (coach != NULL)
    {
      g_assert_cmpint (vp_store_add_account (store, coach, "coach", PASSPHRASE, &error), >, 0);
      g_assert_no_error (error);
      vp_store_close (store);
      g_clear_object (&store);
      store = vp_store_open_account (dir, coach, PASSPHRASE, &error);
      g_assert_no_error (error);
    }
  return g_steal_pointer (&store);
}

static void
round_ok (VpStore          *store,
          VpTeamRoundStats *stats)
{
  g_autoptr(GError) error = NULL;
  VpTeamRoundStats ignored = { 0 };
  gboolean ok = _vp_team_round (store, NULL, stats != NULL ? stats : &ignored, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* One round of the leader's laptop; the snapshot it compacted to, if any. */
static guint
leader_round (VpStore *leader)
{
  VpTeamRoundStats stats = { 0 };

  round_ok (leader, &stats);
  return stats.compacted;
}

static VpStore *
new_team (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  VpStore *leader = new_laptop (f, NULL);

  g_assert_true (_vp_team_create (leader, "Laptop Leider", &error));
  g_assert_no_error (error);
  round_ok (leader, NULL);
  return leader;
}

static void
enrol (VpStore    *leader,
       VpStore    *joiner,
       const char *name)
{
  g_autoptr(GError) error = NULL;
  VpInviteSteps invite;
  VpJoinSteps join;
  gboolean done = FALSE;

  g_assert_true (_vp_invite_open (leader, &invite, &error));
  g_assert_true (_vp_join_open (joiner, &join, invite.code, name, &error));
  g_assert_true (_vp_invite_poll (leader, &invite, &error));
  g_assert_true (invite.joined);
  g_assert_true (_vp_join_poll_reveal (joiner, &join, &error));
  g_assert_true (join.revealed);
  g_assert_cmpstr (invite.safety_number, ==, join.safety_number);
  g_assert_true (_vp_invite_confirm (leader, &invite, &error));
  g_assert_true (_vp_join_poll_key (joiner, &join, &done, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  _vp_join_steps_clear (&join);
}

static char *
dump (VpStore *store)
{
  g_autoptr(GError) error = NULL;
  char *text = vp_store_team_dump (store, &error);

  g_assert_no_error (error);
  return text;
}

static void
assert_same_dump (VpStore *a,
                  VpStore *b)
{
  g_autofree char *da = dump (a);
  g_autofree char *db = dump (b);

  g_assert_cmpstr (da, ==, db);
}

static gint64
find_client (VpStore    *store,
             const char *label)
{
  g_autoptr(GArray) found = vp_store_search_clients (store, label, NULL);

  g_assert_nonnull (found);
  g_assert_cmpuint (found->len, ==, 1);
  return g_array_index (found, gint64, 0);
}

static void
refer (VpStore    *store,
       gint64      client,
       const char *organisation)
{
  g_autoptr(GError) error = NULL;
  VpReferralInput input = { .client_id = client, .category = "debt", .organisation = organisation };

  g_assert_true (vp_store_give_consent (store, client, "referral", "verbal", "nld", "2026-1", &error));
  g_assert_no_error (error);
  g_assert_cmpint (vp_store_add_referral (store, &input, &error), >, 0);
  g_assert_no_error (error);
}

/* The leader reviews the referral to organisation: a field only a team
 * leader's laptop may set, which a later laptop shows only if it knows
 * the leader's laptop from the snapshot's roster. */
static void
review (VpStore    *leader,
        const char *organisation)
{
  g_autoptr(GDate) today = g_date_new_dmy (1, 1, 2100);
  g_autoptr(GPtrArray) list = vp_store_list_referrals (leader, NULL, today, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (list);
  for (guint i = 0; i < list->len; i++)
    {
      const VpReferral *r = g_ptr_array_index (list, i);

      if (g_strcmp0 (r->organisation, organisation) == 0)
        {
          g_assert_true (vp_store_review_referral (leader, r->id, "Goed opgepakt", &error));
          g_assert_no_error (error);
          return;
        }
    }
  g_assert_not_reached ();
}

static gint64
count_rows (VpStore    *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* ---- The relay's own file ------------------------------------------------ */

typedef struct {
  guint64  cursor;
  guint32  snapshot;
  GBytes  *data;
} RelayBlob;

static void
relay_blob_free (RelayBlob *b)
{
  g_bytes_unref (b->data);
  g_free (b);
}

static GPtrArray *
relay_blobs (Fixture *f)
{
  GPtrArray *blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_blob_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->relay.relay_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT cursor, snapshot, data FROM relay_blobs ORDER BY cursor",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      RelayBlob *b = g_new0 (RelayBlob, 1);

      b->cursor = (guint64) sqlite3_column_int64 (stmt, 0);
      b->snapshot = (guint32) sqlite3_column_int64 (stmt, 1);
      b->data = g_bytes_new (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));
      g_ptr_array_add (blobs, b);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return blobs;
}

/* A blob opened with the team's key of its epoch, as the store holds it. */
static GBytes *
open_with_team_key (VpStore *keys,
                    GBytes  *blob)
{
  g_autoptr(VpTeamKey) key = NULL;
  g_autoptr(GError) error = NULL;
  VpBlobHeader header;
  GBytes *plaintext;

  g_assert_true (vp_team_blob_read_header (blob, &header, NULL));
  key = _vp_team_load_key (keys, &header.team, header.epoch, &error);
  g_assert_no_error (error);
  plaintext = vp_team_open (key, blob, &header, &error);
  g_assert_no_error (error);
  return plaintext;
}

static gboolean
bytes_contain (GBytes     *haystack,
               const void *needle,
               gsize       len)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (haystack, &size);

  return size >= len && memmem (data, size, needle, len) != NULL;
}

/* The blobs on the relay that carry the erased client, opened with the
 * team key. */
static GPtrArray *
blobs_with (Fixture    *f,
            VpStore    *keys,
            const char *marker)
{
  g_autoptr(GPtrArray) all = relay_blobs (f);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < all->len; i++)
    {
      RelayBlob *b = g_ptr_array_index (all, i);
      g_autoptr(GBytes) plaintext = open_with_team_key (keys, b->data);

      if (bytes_contain (plaintext, marker, strlen (marker)))
        g_ptr_array_add (found, g_bytes_ref (b->data));
    }
  return found;
}

static guint
count_snapshot_blobs (Fixture *f,
                      guint32  snapshot)
{
  g_autoptr(GPtrArray) all = relay_blobs (f);
  guint n = 0;

  for (guint i = 0; i < all->len; i++)
    if (((RelayBlob *) g_ptr_array_index (all, i))->snapshot == snapshot)
      n++;
  return n;
}

/* Every byte of the relay's files: its database and its write-ahead log. */
static GBytes *
relay_files (Fixture *f)
{
  const char *suffixes[] = { "", "-wal", "-journal" };
  GByteArray *all = g_byte_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (f->relay.relay_db, suffixes[i], NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &contents, &len, NULL))
        g_byte_array_append (all, (const guint8 *) contents, (guint) len);
    }
  return g_byte_array_free_to_bytes (all);
}

/* Not one of the blobs' sealed bytes is left anywhere in the relay's
 * files: a 48-byte window of each blob's ciphertext, right after its
 * clear header, is random enough to turn up only if that blob is still
 * there. */
static void
assert_gone (Fixture   *f,
             GPtrArray *blobs)
{
  g_autoptr(GBytes) files = relay_files (f);

  g_assert_cmpuint (blobs->len, >, 0);
  for (guint i = 0; i < blobs->len; i++)
    {
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (blobs, i), &size);

      g_assert_cmpuint (size, >, 200);
      g_assert_false (bytes_contain (files, data + 100, 48));
      g_assert_false (bytes_contain (files, data + size - 64, 48));
    }
  g_assert_false (bytes_contain (files, ERASED, strlen (ERASED)));
}

/* ---- A team with an erased client ---------------------------------------- */

typedef struct {
  VpStore *leader;
  VpStore *b;
  VpStore *c;
} Team;

static void
team_clear (Team *t)
{
  g_clear_object (&t->leader);
  g_clear_object (&t->b);
  g_clear_object (&t->c);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Team, team_clear)

/* Three laptops; B registers two clients and refers both, the leader
 * reviews one, and everybody syncs; then B erases the other. Returns
 * after B's round that sent the erasure, with nothing compacted yet. */
static void
team_with_erasure (Fixture *f,
                   Team    *t)
{
  g_autoptr(GError) error = NULL;

  t->leader = new_team (f);
  t->b = new_laptop (f, "Coach Sanne");
  t->c = new_laptop (f, "Coach Ayoub");
  enrol (t->leader, t->b, "Laptop Sanne");
  enrol (t->leader, t->c, "Laptop Ayoub");

  vp_test_register (t->b, "Blijft", 1980, "school", "first", "limited", NULL);
  refer (t->b, find_client (t->b, "Blijft"), "Schuldhulp Noord");
  vp_test_register (t->b, ERASED, 1975, "street", "first", "limited", NULL);
  refer (t->b, find_client (t->b, ERASED), ERASED_ORG);
  round_ok (t->b, NULL);
  round_ok (t->c, NULL);
  g_assert_cmpuint (leader_round (t->leader), ==, 0);
  review (t->leader, "Schuldhulp Noord");
  g_assert_cmpuint (leader_round (t->leader), ==, 0);
  round_ok (t->b, NULL);
  round_ok (t->c, NULL);
  g_assert_cmpuint (leader_round (t->leader), ==, 0);
  /* Nothing was erased and little has passed: no snapshot yet. */
  g_assert_cmpuint (count_snapshot_blobs (f, 1), ==, 0);

  g_assert_true (vp_store_erase_client (t->b, find_client (t->b, ERASED), &error));
  g_assert_no_error (error);
  round_ok (t->b, NULL);
}

/* ---- Tests ------------------------------------------------------------------ */

static void
test_erasure_leaves_relay (Fixture       *f,
                           gconstpointer  data)
{
  g_auto(Team) t = { 0 };
  g_autoptr(GPtrArray) old_blobs = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(VpStore) d = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autofree char *dump_d = NULL;
  guint compacted = 0;

  team_with_erasure (f, &t);
  /* Before: the erased client is on the relay, sealed, in B's blobs. */
  old_blobs = blobs_with (f, t.leader, ERASED);
  g_assert_cmpuint (old_blobs->len, >, 0);

  /* The leader learns of the erasure; C has not acknowledged it yet. */
  g_assert_cmpuint (leader_round (t.leader), ==, 0);
  round_ok (t.c, NULL);
  round_ok (t.b, NULL);
  compacted = leader_round (t.leader);
  g_assert_cmpuint (compacted, ==, 1);
  g_assert_cmpuint (count_snapshot_blobs (f, 1), >=, 2);  /* the roster and the changes */

  /* Not a byte of the erased client's blobs is left in the relay's files,
   * and nothing left on the relay opens to the client, key or no key. */
  assert_gone (f, old_blobs);
  left = blobs_with (f, t.leader, ERASED);
  g_assert_cmpuint (left->len, ==, 0);

  /* The others take the snapshot (what they hold already) and stay equal. */
  round_ok (t.b, NULL);
  round_ok (t.c, NULL);
  g_assert_cmpuint (leader_round (t.leader), ==, 0);
  assert_same_dump (t.leader, t.b);
  assert_same_dump (t.leader, t.c);

  /* A laptop that joins now gets the snapshot and what came after. */
  d = new_laptop (f, "Coach Femke");
  enrol (t.leader, d, "Laptop Femke");
  round_ok (d, NULL);
  g_assert_cmpuint (leader_round (t.leader), ==, 0);
  round_ok (d, NULL);
  assert_same_dump (t.leader, d);
  dump_d = dump (d);
  g_assert_nonnull (strstr (dump_d, "Blijft"));
  g_assert_nonnull (strstr (dump_d, "Goed opgepakt"));  /* the leader's review counts on D */
  g_assert_null (strstr (dump_d, ERASED));
  /* No trace of the erased client on D but its tombstone. */
  g_assert_cmpint (count_rows (d, "SELECT count(*) FROM team_change WHERE body LIKE '%" ERASED "%'"
                                  " OR body LIKE '%" ERASED_ORG "%'"), ==, 0);
  g_assert_cmpint (count_rows (d, "SELECT count(*) FROM team_change WHERE body LIKE '%erase_client%'"), ==, 1);
  /* Names and roles came with it: B's coach and B's laptop. */
  g_assert_cmpint (count_rows (d, "SELECT count(*) FROM account WHERE name = 'Coach Sanne'"
                                  " AND team_device IS NOT NULL"), ==, 1);
  devices = vp_store_team_list_devices (d, NULL);
  g_assert_nonnull (devices);
  {
    gboolean named = FALSE;

    for (guint i = 0; i < devices->len; i++)
      named |= g_strcmp0 (((VpTeamDevice *) g_ptr_array_index (devices, i))->name, "Laptop Sanne") == 0;
    g_assert_true (named);
  }
}

/* While a laptop has not acknowledged what the leader has applied, there
 * is no snapshot and the erased client's blobs stay; when the relay
 * refuses a compaction (a laptop joined in between), the snapshot waits
 * and is compacted, under the same number, once that laptop has synced. */
static void
test_waits_for_acks (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(Team) t = { 0 };
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(VpStore) e = NULL;
  g_autoptr(GPtrArray) old_blobs = NULL;
  g_autoptr(GError) error = NULL;
  guint32 number = 0;

  team_with_erasure (f, &t);
  old_blobs = blobs_with (f, t.leader, ERASED);
  /* C stays offline. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (leader_round (t.leader), ==, 0);
      round_ok (t.b, NULL);
    }
  g_assert_cmpuint (count_snapshot_blobs (f, 1), ==, 0);
  {
    g_autoptr(GPtrArray) still = blobs_with (f, t.leader, ERASED);

    g_assert_cmpuint (still->len, ==, old_blobs->len);
  }

  /* C syncs; the leader's laptop sends its snapshot, and before it asks
   * for the compaction a new laptop is admitted, which has acknowledged
   * nothing. */
  round_ok (t.c, NULL);
  relay = _vp_team_connect (t.leader, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (_vp_team_snapshot (t.leader, relay, NULL, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (number, ==, 1);
  e = new_laptop (f, "Coach Femke");
  enrol (t.leader, e, "Laptop Femke");
  g_assert_cmpuint (leader_round (t.leader), ==, 0);  /* refused by the relay: no error */
  g_assert_cmpuint (count_snapshot_blobs (f, 1), >=, 2);
  {
    g_autoptr(GPtrArray) still = blobs_with (f, t.leader, ERASED);

    g_assert_cmpuint (still->len, ==, old_blobs->len);
  }

  round_ok (e, NULL);
  round_ok (t.b, NULL);
  round_ok (t.c, NULL);
  g_assert_cmpuint (leader_round (t.leader), ==, 1);
  assert_gone (f, old_blobs);
  round_ok (e, NULL);
  assert_same_dump (t.leader, e);
}

/* The leader's laptop sent every part of its snapshot and was stopped
 * before it asked for the compaction (the store closed and opened again,
 * as after a kill): its next round compacts to that snapshot, without
 * writing another. */
static void
test_stopped_before_compact (Fixture       *f,
                             gconstpointer  data)
{
  g_auto(Team) t = { 0 };
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GPtrArray) old_blobs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  guint32 number = 0;
  guint parts;

  team_with_erasure (f, &t);
  old_blobs = blobs_with (f, t.leader, ERASED);
  g_assert_cmpuint (leader_round (t.leader), ==, 0);
  round_ok (t.b, NULL);
  round_ok (t.c, NULL);

  relay = _vp_team_connect (t.leader, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (_vp_team_snapshot (t.leader, relay, NULL, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (number, ==, 1);
  parts = count_snapshot_blobs (f, 1);
  g_assert_cmpuint (parts, >=, 2);
  /* Sent, not compacted: the old blobs are still there. */
  {
    g_autoptr(GPtrArray) still = blobs_with (f, t.leader, ERASED);

    g_assert_cmpuint (still->len, ==, old_blobs->len);
  }

  dir = g_strdup (vp_store_get_dir (t.leader));
  vp_store_close (t.leader);
  g_clear_object (&t.leader);
  t.leader = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (leader_round (t.leader), ==, 1);
  assert_gone (f, old_blobs);
  /* The same parts, and no second snapshot. */
  g_assert_cmpuint (count_snapshot_blobs (f, 1), ==, parts);
  g_assert_cmpuint (count_snapshot_blobs (f, 2), ==, 0);
  g_assert_cmpuint (leader_round (t.leader), ==, 0);
  round_ok (t.b, NULL);
  assert_same_dump (t.leader, t.b);
}

/* A coach's laptop cannot pass other laptops' changes off in a snapshot
 * of its own: only the team leader's laptop's snapshot may carry them. */
static void
test_snapshot_only_from_leader (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, "Coach Sanne");
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) forged = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(VpTeamKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  g_auto(VpTeamIdentity) leader_identity = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  VpTeamRoundStats stats = { 0 };
  gint64 last = 0;
  guint64 cursor = 0;

  enrol (leader, b, "Laptop Sanne");
  round_ok (b, NULL);
  round_ok (leader, NULL);
  before = dump (leader);

  /* B's changes, stamped as the leader's laptop's, in a snapshot envelope. */
  vp_test_register (b, "Vervalst", 1975, "school", "first", "limited", NULL);
  changes = vp_store_team_unsent_changes (b, 100, &last, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, >, 0);
  g_assert_true (vp_store_team_get_identity (b, &identity, NULL));
  g_assert_true (vp_store_team_get_identity (leader, &leader_identity, NULL));
  for (guint i = 0; i < changes->len; i++)
    {
      const VpChange *c = g_ptr_array_index (changes, i);
      VpChangeInput in = { c->record, c->op, c->field, c->value, c->hlc, c->role };

      in.hlc.device = leader_identity.device;
      g_ptr_array_add (forged, vp_change_new (&in, &error));
      g_assert_no_error (error);
    }
  plaintext = vp_team_envelope_snapshot ((VpChange * const *) forged->pdata, forged->len, NULL, &error);
  g_assert_no_error (error);
  key = _vp_team_load_key (b, &identity.team, identity.epoch, &error);
  blob = vp_team_seal (key, &identity.device, identity.next_sequence,
                       g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext), &error);
  g_assert_no_error (error);
  relay = _vp_team_connect (b, TRUE, &error);
  g_assert_true (vp_relay_push (&relay->config, &identity.team, blob, 0, &cursor, &error));
  g_assert_no_error (error);

  round_ok (leader, &stats);
  g_assert_cmpuint (stats.n_rejected, ==, 1);
  after = dump (leader);
  g_assert_cmpstr (before, ==, after);
  g_assert_null (strstr (after, "Vervalst"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  vp_test_init_data ();

  g_test_add ("/team-compact/erasure-leaves-relay", Fixture, NULL, fixture_setup, test_erasure_leaves_relay,
              fixture_teardown);
  g_test_add ("/team-compact/waits-for-acks", Fixture, NULL, fixture_setup, test_waits_for_acks,
              fixture_teardown);
  g_test_add ("/team-compact/stopped-before-compact", Fixture, NULL, fixture_setup,
              test_stopped_before_compact, fixture_teardown);
  g_test_add ("/team-compact/snapshot-only-from-leader", Fixture, NULL, fixture_setup,
              test_snapshot_only_from_leader, fixture_teardown);
  return g_test_run ();
}
