/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Team sync end to end (#16): real stores, the real endpoint hosting the
 * relay over TLS on loopback, and the orchestration of sync/team/ on top:
 * enrolment, rounds, what the relay holds, tampering, removal, a laptop
 * killed mid-apply, and laptops that sync in random orders. Most tests
 * drive the blocking steps directly, so that the order of events is the
 * test's; one drives VpTeamSync, VpTeamInvite and VpTeamJoin through a
 * main loop, as the window will. */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-client.h"
#include "vp-consent.h"
#include "vp-referral.h"
#include "vp-relay-client.h"
#include "vp-store-private.h"
#include "vp-team-error.h"
#include "vp-team-enrol.h"
#include "vp-team-envelope.h"
#include "vp-team-invite.h"
#include "vp-team-join.h"
#include "vp-team-round.h"
#include "vp-team-sync.h"
#include "vp-test-process.h"
#include "vp-test-relay.h"
#include "vp-test-util.h"

#define COACH_PASSPHRASE "another correct horse battery"

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

static void
configure (Fixture *f,
           VpStore *store)
{
  g_assert_true (vp_store_set_setting (store, "endpoint_url", f->relay.url, NULL));
  g_assert_true (vp_store_set_setting (store, "endpoint_token", f->relay.token, NULL));
  g_assert_true (vp_store_set_setting (store, "endpoint_ca_file", f->relay.cert, NULL));
}

/* A laptop of team-noord: the team leader's account, or a coach's. */
static VpStore *
new_laptop (Fixture  *f,
            gboolean  coach,
            char    **dir_out)
{
  g_autofree char *dir = g_strdup_printf ("%s/laptop-%u", f->relay.dir, f->n_laptops++);
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;

  configure (f, store);
  if (coach)
    {
      g_assert_cmpint (vp_store_add_account (store, "Coach Sanne", "coach", COACH_PASSPHRASE, &error), >, 0);
      g_assert_no_error (error);
      vp_store_close (store);
      g_clear_object (&store);
      store = vp_store_open_account (dir, "Coach Sanne", COACH_PASSPHRASE, &error);
      g_assert_no_error (error);
    }
  if (dir_out != NULL)
    *dir_out = g_strdup (dir);
  return g_steal_pointer (&store);
}

static void
round_ok (VpStore          *store,
          VpTeamRoundStats *stats)
{
  g_autoptr(GError) error = NULL;

  gboolean ok = _vp_team_round (store, NULL, stats, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static VpStore *
new_team (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  VpStore *leader = new_laptop (f, FALSE, NULL);

  g_assert_true (_vp_team_create (leader, "Laptop Leider", &error));
  g_assert_no_error (error);
  round_ok (leader, NULL);
  return leader;
}

/* The whole enrolment, step by step as the two screens go; returns the
 * safety number both showed. */
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
  g_assert_no_error (error);
  g_assert_true (_vp_invite_poll (leader, &invite, &error));
  g_assert_false (invite.joined);

  g_assert_true (_vp_join_open (joiner, &join, invite.code, name, &error));
  g_assert_no_error (error);
  g_assert_true (_vp_join_poll_reveal (joiner, &join, &error));
  g_assert_false (join.revealed);  /* the leader has not revealed yet */

  g_assert_true (_vp_invite_poll (leader, &invite, &error));
  g_assert_true (invite.joined);
  g_assert_true (_vp_join_poll_reveal (joiner, &join, &error));
  g_assert_no_error (error);
  g_assert_true (join.revealed);
  g_assert_cmpstr (invite.safety_number, ==, join.safety_number);
  g_assert_cmpuint (strlen (join.safety_number), ==, VP_SAFETY_NUMBER_LEN);

  /* No key before the leader confirms. */
  g_assert_true (_vp_join_poll_key (joiner, &join, &done, &error));
  g_assert_false (done);
  g_assert_false (vp_store_team_is_enabled (joiner));

  g_assert_true (_vp_invite_confirm (leader, &invite, &error));
  g_assert_no_error (error);
  g_assert_true (_vp_join_poll_key (joiner, &join, &done, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  g_assert_true (vp_store_team_is_enabled (joiner));
  _vp_join_steps_clear (&join);
}

static guint
count_audit (VpStore    *store,
             const char *action)
{
  g_autoptr(GPtrArray) entries = vp_audit_list (store, action, 0, 10000, NULL);

  g_assert_nonnull (entries);
  return entries != NULL ? entries->len : 0;
}

static char *
dump (VpStore *store)
{
  g_autoptr(GError) error = NULL;
  char *text = vp_store_team_dump (store, &error);

  g_assert_no_error (error);
  return text;
}

static gint64
client_with_referral (VpStore    *store,
                      const char *label,
                      const char *organisation)
{
  g_autoptr(GError) error = NULL;
  gint64 client = vp_test_register (store, label, 1980, "school", "first", "limited", NULL);
  VpReferralInput input = { .client_id = client, .category = "debt", .organisation = organisation };

  g_assert_cmpint (client, >, 0);
  g_assert_true (vp_store_give_consent (store, client, "referral", "verbal", "nld", "2026-1", &error));
  g_assert_no_error (error);
  g_assert_cmpint (vp_store_add_referral (store, &input, &error), >, 0);
  g_assert_no_error (error);
  return client;
}

static gboolean
has_referral_to (VpStore    *store,
                 const char *organisation)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDate) today = g_date_new_dmy ((GDateDay) g_date_time_get_day_of_month (now),
                                           (GDateMonth) g_date_time_get_month (now),
                                           (GDateYear) g_date_time_get_year (now));
  g_autoptr(GPtrArray) list = vp_store_list_referrals (store, NULL, today, NULL);

  g_assert_nonnull (list);
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (((VpReferral *) g_ptr_array_index (list, i))->organisation, organisation) == 0)
      return TRUE;
  return FALSE;
}

/* ---- The relay's own file ------------------------------------------------ */

static sqlite3 *
open_relay (Fixture *f)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->relay.relay_db, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static GPtrArray *
relay_blobs (Fixture *f)
{
  GPtrArray *blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  sqlite3 *db = open_relay (f);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT data FROM relay_blobs ORDER BY cursor", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (blobs, g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return blobs;
}

static void
relay_exec (Fixture    *f,
            const char *sql)
{
  sqlite3 *db = open_relay (f);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* ---- The envelope, without a relay -------------------------------------- */

static GPtrArray *
some_changes (void)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
  VpChangeInput in = { 0 };
  g_autoptr(GError) error = NULL;

  in.record.kind = VP_RECORD_CLIENT;
  g_assert_true (vp_uid_generate (&in.record.uid, NULL));
  in.record.client = in.record.uid;
  in.op = VP_CHANGE_SET;
  in.field = "label";
  in.value = "Tamar \"T\"\n";
  in.hlc.ms = 1000;
  g_assert_true (vp_uid_generate (&in.hlc.device, NULL));
  in.role = VP_TEAM_ROLE_COACH;
  g_ptr_array_add (changes, vp_change_new (&in, &error));
  g_assert_no_error (error);
  return changes;
}

static void
test_envelope (void)
{
  g_autoptr(GPtrArray) changes = some_changes ();
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_team_account_free);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_envelope_device_free);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) roster = NULL;
  g_autoptr(VpTeamEnvelope) e = NULL;
  g_autoptr(GError) error = NULL;
  VpTeamAccount *account = g_new0 (VpTeamAccount, 1);
  guint8 key[VP_X25519_KEY_LEN];
  const char *text;
  gsize len;
  VpUid device;

  g_assert_true (vp_uid_generate (&account->uid, NULL));
  account->name = g_strdup ("Coach \"Ü\"");
  account->role = VP_TEAM_ROLE_COACH;
  g_ptr_array_add (accounts, account);
  bytes = vp_team_envelope_changes ((VpChange * const *) changes->pdata, changes->len, accounts, &error);
  g_assert_no_error (error);
  text = g_bytes_get_data (bytes, &len);
  e = vp_team_envelope_parse ((const guint8 *) text, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->kind, ==, VP_ENVELOPE_CHANGES);
  g_assert_cmpuint (e->changes->len, ==, 1);
  g_assert_cmpstr (((VpChange *) g_ptr_array_index (e->changes, 0))->value, ==, "Tamar \"T\"\n");
  g_assert_cmpstr (((VpTeamAccount *) g_ptr_array_index (e->accounts, 0))->name, ==, "Coach \"Ü\"");
  g_clear_pointer (&e, vp_team_envelope_free);

  /* One spelling only: a space, another escape, a key out of order. */
  {
    g_autofree char *spaced = g_strdup_printf ("{ %s", text + 1);
    g_autofree char *escaped = NULL;
    g_autofree char *reordered = NULL;
    g_auto(GStrv) parts = g_strsplit (text, "\\\"", 2);

    escaped = g_strjoinv ("\\u0022", parts);
    reordered = g_strdup (text);
    {
      char *f = strstr (reordered, ",\"format\":");

      g_assert_nonnull (f);
      strcpy (f, ",\"kind\":\"changes\",\"format\":\"" VP_TEAM_ENVELOPE_FORMAT "\"}");
    }
    g_assert_null (vp_team_envelope_parse ((const guint8 *) spaced, strlen (spaced), &error));
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpstr (escaped, !=, text);
    g_assert_null (vp_team_envelope_parse ((const guint8 *) escaped, strlen (escaped), &error));
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_null (vp_team_envelope_parse ((const guint8 *) reordered, strlen (reordered), &error));
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
    g_clear_error (&error);
  }

  memset (key, 0xab, sizeof key);
  g_assert_true (vp_uid_generate (&device, NULL));
  g_ptr_array_add (devices, vp_envelope_device_new (&device, VP_TEAM_ROLE_TEAM_LEADER, "Laptop \"Leider\"",
                                                    "2026-01-01T00:00:00Z", NULL, key));
  roster = vp_team_envelope_roster (3, devices, &error);
  g_assert_no_error (error);
  text = g_bytes_get_data (roster, &len);
  e = vp_team_envelope_parse ((const guint8 *) text, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->kind, ==, VP_ENVELOPE_ROSTER);
  g_assert_cmpuint (e->epoch, ==, 3);
  g_assert_cmpuint (e->devices->len, ==, 1);
  g_assert_true (((VpEnvelopeDevice *) g_ptr_array_index (e->devices, 0))->has_public_key);
  g_assert_cmpmem (((VpEnvelopeDevice *) g_ptr_array_index (e->devices, 0))->public_key, VP_X25519_KEY_LEN,
                   key, sizeof key);
  g_clear_pointer (&e, vp_team_envelope_free);
  {
    g_autofree char *upper = g_strdup (text);
    char *hex = strstr (upper, "abab");

    g_assert_nonnull (hex);
    hex[0] = 'A';
    g_assert_null (vp_team_envelope_parse ((const guint8 *) upper, strlen (upper), NULL));
  }
  g_assert_null (vp_team_envelope_parse ((const guint8 *) "{}", 2, NULL));
  g_assert_null (vp_team_envelope_parse ((const guint8 *) "[1]", 3, NULL));

  /* A million open brackets (anyone with the team key could seal them)
   * are refused before the JSON parser, which recurses, sees them. */
  {
    gsize deep = 1000 * 1000;
    g_autofree guint8 *brackets = g_malloc (deep);
    g_autoptr(GError) deep_error = NULL;

    memset (brackets, '[', deep);
    g_assert_null (vp_team_envelope_parse (brackets, deep, &deep_error));
    g_assert_error (deep_error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
  }
}

/* A compressed envelope as another writer would make it: GLib's deflate,
 * not the envelope's own, under a length that the test chooses. */
static GBytes *
pack (const void *json,
      gsize       len,
      guint32     declared)
{
  g_autoptr(GZlibCompressor) zlib = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, 9);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 head[] = { 0x89, 'V', 'Z', '1', declared >> 24, declared >> 16, declared >> 8, declared };
  GConverterResult result;

  g_byte_array_append (out, head, sizeof head);
  do
    {
      guint8 buffer[64 * 1024];
      gsize read = 0, written = 0;
      g_autoptr(GError) error = NULL;

      result = g_converter_convert (G_CONVERTER (zlib), json, len, buffer, sizeof buffer,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, &error);
      g_assert_no_error (error);
      json = (const guint8 *) json + read;
      len -= read;
      g_byte_array_append (out, buffer, written);
    }
  while (result != G_CONVERTER_FINISHED);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
parses (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpTeamEnvelope) e = vp_team_envelope_parse (g_bytes_get_data (bytes, NULL),
                                                        g_bytes_get_size (bytes), &error);

  if (e == NULL)
    g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID);
  return e != NULL;
}

/* A large envelope travels deflated and reads back as the same changes;
 * what inflates to more than it says, or to more than the bound, or to
 * JSON of another spelling, is refused. */
static void
test_envelope_compressed (void)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(VpTeamEnvelope) e = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *batch = NULL, *again = NULL;
  g_autoptr(GString) plain = g_string_new ("{\"accounts\":[],\"batch\":");
  gsize batch_len, again_len;
  const guint8 *data;
  gsize len;
  VpChangeInput in = { 0 };

  in.record.kind = VP_RECORD_CONTACT;
  in.op = VP_CHANGE_SET;
  in.role = VP_TEAM_ROLE_COACH;
  g_assert_true (vp_uid_generate (&in.record.client, NULL));
  g_assert_true (vp_uid_generate (&in.hlc.device, NULL));
  for (guint i = 0; i < 3000; i++)
    {
      g_autofree char *value = g_strdup_printf ("Gesprek %u op school, \"Ü\"", i * 7919 % 3001);

      if (i % 12 == 0)
        g_assert_true (vp_uid_generate (&in.record.uid, NULL));
      in.field = i % 2 == 0 ? "notes" : "kind";
      in.value = value;
      in.hlc.ms = 1000 + i;
      g_ptr_array_add (changes, vp_change_new (&in, &error));
      g_assert_no_error (error);
    }
  batch = vp_change_batch_to_json ((VpChange * const *) changes->pdata, changes->len, &batch_len);
  g_string_append_len (plain, batch, (gssize) batch_len);
  g_string_append (plain, ",\"format\":\"" VP_TEAM_ENVELOPE_FORMAT "\",\"kind\":\"changes\"}");

  bytes = vp_team_envelope_changes ((VpChange * const *) changes->pdata, changes->len, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpmem (data, 4, "\x89VZ1", 4);
  g_assert_cmpuint (len, <, plain->len / 4);
  e = vp_team_envelope_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->kind, ==, VP_ENVELOPE_CHANGES);
  again = vp_change_batch_to_json ((VpChange * const *) e->changes->pdata, e->changes->len, &again_len);
  g_assert_cmpmem (again, again_len, batch, batch_len);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* Another deflate of the same JSON reads the same; small ones stay plain. */
  bytes = pack (plain->str, plain->len, (guint32) plain->len);
  g_assert_true (parses (bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_cmpuint (VP_TEAM_ENVELOPE_COMPRESS_MIN, >, 1000);
  bytes = vp_team_envelope_changes ((VpChange * const *) changes->pdata, 1, NULL, &error);
  g_assert_cmpint (((const char *) g_bytes_get_data (bytes, NULL))[0], ==, '{');
  g_clear_pointer (&bytes, g_bytes_unref);

  /* Another length than the JSON's, either way, or a byte after the end. */
  bytes = pack (plain->str, plain->len, (guint32) plain->len + 1);
  g_assert_false (parses (bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = pack (plain->str, plain->len, (guint32) plain->len - 1);
  g_assert_false (parses (bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  {
    g_autoptr(GBytes) packed = pack (plain->str, plain->len, (guint32) plain->len);
    g_autoptr(GByteArray) longer = g_byte_array_new ();

    g_byte_array_append (longer, g_bytes_get_data (packed, NULL), (guint) g_bytes_get_size (packed));
    g_byte_array_append (longer, (const guint8 *) "\0", 1);
    bytes = g_byte_array_free_to_bytes (g_steal_pointer (&longer));
    g_assert_false (parses (bytes));
    g_clear_pointer (&bytes, g_bytes_unref);
  }

  /* A bomb: a valid envelope past the bound, in a few kilobytes, said to
   * be what it is; and 64 MiB of spaces said to be within the bound. The
   * writer sends the first one plain (and the sealed size shows it). */
  {
    g_autoptr(GPtrArray) big = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
    g_autofree char *value = g_malloc (60001);
    g_autoptr(GString) huge = g_string_new ("{\"accounts\":[],\"batch\":");
    g_autofree char *big_batch = NULL;
    gsize big_len, n = 64 * 1024 * 1024;
    g_autofree char *spaces = g_malloc (n);

    memset (value, 'x', 60000);
    value[60000] = '\0';
    in.field = "notes";
    in.value = value;
    for (guint i = 0; i < 300; i++)
      {
        in.hlc.ms = 5000 + i;
        g_ptr_array_add (big, vp_change_new (&in, &error));
        g_assert_no_error (error);
      }
    big_batch = vp_change_batch_to_json ((VpChange * const *) big->pdata, big->len, &big_len);
    g_string_append_len (huge, big_batch, (gssize) big_len);
    g_string_append (huge, ",\"format\":\"" VP_TEAM_ENVELOPE_FORMAT "\",\"kind\":\"changes\"}");
    g_assert_cmpuint (huge->len, >, VP_TEAM_ENVELOPE_MAX_INFLATED);
    bytes = pack (huge->str, huge->len, (guint32) huge->len);
    g_assert_cmpuint (g_bytes_get_size (bytes), <, 256 * 1024);
    g_assert_false (parses (bytes));
    g_clear_pointer (&bytes, g_bytes_unref);
    bytes = vp_team_envelope_changes ((VpChange * const *) big->pdata, big->len, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, huge->len);
    g_assert_true (parses (bytes));
    g_clear_pointer (&bytes, g_bytes_unref);

    memset (spaces, ' ', n);
    spaces[0] = '{';
    bytes = pack (spaces, n, VP_TEAM_ENVELOPE_MAX_INFLATED);
    g_assert_false (parses (bytes));
    g_clear_pointer (&bytes, g_bytes_unref);
  }

  /* Inside, the JSON is held to its one spelling; and compressed once. */
  {
    g_autofree char *spaced = g_strdup_printf ("{ %s", plain->str + 1);
    g_autoptr(GBytes) inner = NULL;

    bytes = pack (spaced, strlen (spaced), (guint32) strlen (spaced));
    g_assert_false (parses (bytes));
    g_clear_pointer (&bytes, g_bytes_unref);
    inner = pack (plain->str, plain->len, (guint32) plain->len);
    bytes = pack (g_bytes_get_data (inner, NULL), g_bytes_get_size (inner), (guint32) g_bytes_get_size (inner));
    g_assert_false (parses (bytes));
    g_clear_pointer (&bytes, g_bytes_unref);
  }
}

/* ---- Tests ------------------------------------------------------------------- */

static void
test_enrolment (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(VpStore) c = new_laptop (f, TRUE, NULL);
  g_autoptr(GPtrArray) devices = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(GError) error = NULL;

  enrol (leader, b, "Laptop Sanne");
  enrol (leader, c, "Laptop Ayoub");
  round_ok (b, NULL);
  round_ok (c, NULL);
  round_ok (leader, NULL);   /* takes in both laptops' names */
  round_ok (b, NULL);        /* and the roster that has them */

  g_assert_true (vp_store_team_get_identity (b, &identity, NULL));
  g_assert_cmpint (identity.role, ==, VP_TEAM_ROLE_COACH);
  devices = vp_store_team_list_devices (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 3);
  for (guint i = 0; i < devices->len; i++)
    {
      const VpTeamDevice *d = g_ptr_array_index (devices, i);

      g_assert_true (g_str_has_prefix (d->name, "Laptop "));
      g_assert_cmpint (d->role, ==, g_str_equal (d->name, "Laptop Leider")
                                    ? VP_TEAM_ROLE_TEAM_LEADER : VP_TEAM_ROLE_COACH);
    }
  g_assert_cmpuint (count_audit (leader, "device_enrolled"), ==, 2);
  g_assert_cmpuint (count_audit (leader, "team_created"), ==, 1);
  g_assert_cmpuint (count_audit (b, "team_joined"), ==, 1);
}

static void
test_enrolment_refusals (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(VpStore) c = new_laptop (f, TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  VpInviteSteps invite;
  VpJoinSteps join = { 0 }, second = { 0 };

  /* A code that no invitation has. */
  g_assert_false (_vp_join_open (b, &join, "ZZZZ-ZZZZ", "Laptop Sanne", &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  _vp_join_steps_clear (&join);
  /* Not a code at all. */
  g_assert_false (_vp_join_open (b, &join, "ABC", "Laptop Sanne", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  _vp_join_steps_clear (&join);

  /* One joiner per invitation. */
  g_assert_true (_vp_invite_open (leader, &invite, &error));
  g_assert_true (_vp_join_open (b, &join, invite.code, "Laptop Sanne", &error));
  g_assert_no_error (error);
  g_assert_false (_vp_join_open (c, &second, invite.code, "Laptop Ayoub", &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);
  _vp_join_steps_clear (&second);
  _vp_join_steps_clear (&join);

  /* An expired invitation. */
  g_assert_true (_vp_invite_open (leader, &invite, &error));
  sql = g_strdup_printf ("UPDATE relay_invites SET expires_at = 1 WHERE code = '%s'", invite.code);
  relay_exec (f, sql);
  g_assert_false (_vp_join_open (c, &join, invite.code, "Laptop Ayoub", &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_EXPIRED);
  _vp_join_steps_clear (&join);
  g_assert_false (vp_store_team_is_enabled (c));
}

static void
test_referral_reaches_leader (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(GArray) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  VpTeamRoundStats stats = { 0 };

  enrol (leader, b, "Laptop Sanne");
  client_with_referral (b, "Marijke", "Schuldhulp Zuidoost");
  g_assert_false (has_referral_to (leader, "Schuldhulp Zuidoost"));
  round_ok (b, &stats);
  g_assert_cmpuint (stats.n_sent, >=, 1);
  memset (&stats, 0, sizeof stats);
  round_ok (leader, &stats);
  g_assert_cmpuint (stats.n_applied, >, 0);
  g_assert_cmpuint (stats.n_rejected, ==, 0);

  g_assert_true (has_referral_to (leader, "Schuldhulp Zuidoost"));
  found = vp_store_search_clients (leader, "Marijke", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpuint (count_audit (leader, "sync_applied"), >=, 1);
  g_assert_cmpuint (count_audit (b, "sync_sent"), >=, 1);

  /* And back: the leader's client reaches the coach. */
  vp_test_register (leader, "Hendrik", 1970, "library", "first", "sufficient", NULL);
  round_ok (leader, NULL);
  round_ok (b, NULL);
  dump_a = dump (leader);
  dump_b = dump (b);
  g_assert_cmpstr (dump_a, ==, dump_b);
  g_assert_nonnull (strstr (dump_b, "Hendrik"));
}

/* Every byte the relay keeps (its database, log and journal) is free of
 * what the records hold, and no blob opens under another team's key. */
static void
test_relay_sees_nothing (Fixture       *f,
                         gconstpointer  data)
{
  const char *markers[] = { "Zwaluwstaart", "Kwikstaartje", "Leeuwerikhulp", "Laptop Sanne", "Coach Sanne" };
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(VpTeamKey) other = NULL;
  g_autoptr(GError) error = NULL;
  VpUid other_team;

  enrol (leader, b, "Laptop Sanne");
  client_with_referral (b, "Zwaluwstaart", "Leeuwerikhulp");
  vp_test_register (leader, "Kwikstaartje", 1990, "street", "first", "limited", NULL);
  round_ok (b, NULL);
  round_ok (leader, NULL);
  round_ok (b, NULL);
  g_assert_true (has_referral_to (leader, "Leeuwerikhulp"));

  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    {
      g_autofree char *wal = g_strconcat (f->relay.relay_db, "-wal", NULL);
      g_autofree char *journal = g_strconcat (f->relay.relay_db, "-journal", NULL);

      g_assert_false (vp_test_file_contains (f->relay.relay_db, markers[i]));
      g_assert_false (vp_test_file_contains (wal, markers[i]));
      g_assert_false (vp_test_file_contains (journal, markers[i]));
      g_assert_false (vp_test_file_contains (f->relay.endpoint_db, markers[i]));
    }

  blobs = relay_blobs (f);
  g_assert_cmpuint (blobs->len, >=, 4);
  g_assert_true (vp_uid_generate (&other_team, NULL));
  other = vp_team_key_generate (&other_team, 1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < blobs->len; i++)
    {
      GBytes *blob = g_ptr_array_index (blobs, i);
      g_autoptr(GBytes) opened = NULL;
      g_autoptr(VpTeamKey) same_team = NULL;
      VpBlobHeader header;

      g_assert_true (vp_blob_size_is_bucket (g_bytes_get_size (blob)));
      opened = vp_team_open (other, blob, &header, NULL);
      g_assert_null (opened);
      /* A key of the right team and epoch that is not the team key. */
      g_assert_true (vp_team_blob_read_header (blob, &header, NULL));
      same_team = vp_team_key_generate (&header.team, header.epoch, NULL);
      opened = vp_team_open (same_team, blob, &header, NULL);
      g_assert_null (opened);
    }
}

static void
test_tampered_blob (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  VpTeamRoundStats stats = { 0 };
  guint rejected;

  enrol (leader, b, "Laptop Sanne");
  round_ok (b, NULL);
  round_ok (leader, NULL);
  before = dump (leader);
  rejected = count_audit (leader, "sync_rejected");

  client_with_referral (b, "Geknoeid", "Knoeiers BV");
  round_ok (b, NULL);
  /* The relay (or someone at it) flips a byte in the sealed part of the
   * blob just sent. */
  relay_exec (f, "UPDATE relay_blobs SET data = substr (data, 1, 100) || x'ff' || substr (data, 102)"
                 " WHERE cursor = (SELECT max (cursor) FROM relay_blobs)");

  round_ok (leader, &stats);
  g_assert_cmpuint (stats.n_rejected, ==, 1);
  g_assert_cmpuint (count_audit (leader, "sync_rejected"), ==, rejected + 1);
  after = dump (leader);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (has_referral_to (leader, "Knoeiers BV"));
  {
    gint64 bad = -1;

    g_assert_true (vp_audit_verify (leader, &bad, NULL));
  }
  /* The round goes on after it: the next blob of B arrives. */
  vp_test_register (b, "Daarna", 1985, "school", "first", "limited", NULL);
  round_ok (b, NULL);
  round_ok (leader, NULL);
  after = (g_free (after), dump (leader));
  g_assert_nonnull (strstr (after, "Daarna"));
}

/* A blob that opens with the team key but whose changes name another
 * laptop than its header: refused, as a modified laptop could send it. */
static void
test_forged_device (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
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

  /* B's own changes, restamped as the leader's laptop's. */
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
  plaintext = vp_team_envelope_changes ((VpChange * const *) forged->pdata, forged->len, NULL, &error);
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

  /* A coach's laptop sends a roster that makes it a team leader's. */
  {
    g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_envelope_device_free);
    g_autoptr(GBytes) roster = NULL;
    g_autoptr(GBytes) sealed = NULL;
    g_autoptr(VpTeamRoster) known = NULL;
    VpTeamRole role = VP_TEAM_ROLE_TEAM_LEADER;

    g_ptr_array_add (devices, vp_envelope_device_new (&identity.device, VP_TEAM_ROLE_TEAM_LEADER,
                                                      "Laptop Sanne", "2026-01-01T00:00:00Z", NULL, NULL));
    roster = vp_team_envelope_roster (identity.epoch, devices, &error);
    g_assert_no_error (error);
    sealed = vp_team_seal (key, &identity.device, identity.next_sequence + 1,
                           g_bytes_get_data (roster, NULL), g_bytes_get_size (roster), &error);
    g_assert_no_error (error);
    g_assert_true (vp_relay_push (&relay->config, &identity.team, sealed, 0, &cursor, &error));
    g_assert_no_error (error);
    memset (&stats, 0, sizeof stats);
    round_ok (leader, &stats);
    g_assert_cmpuint (stats.n_rejected, ==, 1);
    known = vp_store_team_get_roster (leader, &error);
    g_assert_no_error (error);
    g_assert_true (vp_team_roster_lookup (known, &identity.device, &role));
    g_assert_cmpint (role, ==, VP_TEAM_ROLE_COACH);
  }
}

/* The relay stored a blob but its answer was lost: the next round sends
 * the very same bytes under the same sequence, and nothing is lost or
 * doubled. */
static void
test_lost_answer (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) queued = NULL;
  g_autoptr(VpTeamKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  VpTeamRoundStats stats = { 0 };
  guint64 cursor = 0, sequence = 0;
  gint64 last = 0;

  enrol (leader, b, "Laptop Sanne");
  round_ok (b, NULL);
  round_ok (leader, NULL);
  vp_test_register (b, "Verloren", 1988, "school", "first", "limited", NULL);

  /* What a round does up to the push, and the push, whose answer is lost. */
  g_assert_true (vp_store_team_get_identity (b, &identity, NULL));
  changes = vp_store_team_unsent_changes (b, 1000, &last, &error);
  accounts = vp_store_team_local_accounts (b, &error);
  plaintext = vp_team_envelope_changes ((VpChange * const *) changes->pdata, changes->len, accounts, &error);
  key = _vp_team_load_key (b, &identity.team, identity.epoch, &error);
  blob = vp_team_seal (key, &identity.device, identity.next_sequence,
                       g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext), &error);
  g_assert_true (vp_store_team_queue_blob (b, identity.next_sequence, blob, last, &error));
  g_assert_no_error (error);
  relay = _vp_team_connect (b, TRUE, &error);
  g_assert_true (vp_relay_push (&relay->config, &identity.team, blob, 0, &cursor, &error));
  g_assert_no_error (error);

  queued = vp_store_team_queued_blob (b, &sequence, &error);
  g_assert_nonnull (queued);
  g_assert_cmpuint (sequence, ==, identity.next_sequence);
  round_ok (b, &stats);
  g_assert_cmpuint (stats.n_sent, ==, 1);
  g_clear_pointer (&queued, g_bytes_unref);
  queued = vp_store_team_queued_blob (b, &sequence, &error);
  g_assert_no_error (error);
  g_assert_null (queued);

  round_ok (leader, NULL);
  dump_a = dump (leader);
  dump_b = dump (b);
  g_assert_cmpstr (dump_a, ==, dump_b);
  g_assert_nonnull (strstr (dump_a, "Verloren"));
}

static void
test_removed_device (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(VpStore) c = new_laptop (f, TRUE, NULL);
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(VpTeamIdentity) ci = { 0 };
  g_auto(VpTeamIdentity) bi = { 0 };
  g_autofree char *dump_b = NULL;
  g_autofree char *dump_c = NULL;
  guint new_blobs = 0;

  enrol (leader, b, "Laptop Sanne");
  enrol (leader, c, "Laptop Ayoub");
  round_ok (b, NULL);
  round_ok (c, NULL);
  round_ok (leader, NULL);
  g_assert_true (vp_store_team_get_identity (c, &ci, NULL));

  g_assert_true (_vp_team_remove_device (leader, &ci.device, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_audit (leader, "device_removed"), ==, 1);
  g_assert_cmpuint (count_audit (leader, "key_rotated"), ==, 1);
  round_ok (leader, NULL);

  /* B learns of the new key and seals with it; what it writes now, C
   * cannot open. */
  client_with_referral (b, "NaVerwijdering", "Nieuwe Hulp");
  round_ok (b, NULL);
  g_assert_true (vp_store_team_get_identity (b, &bi, NULL));
  g_assert_cmpuint (bi.epoch, ==, 2);
  round_ok (leader, NULL);
  g_assert_true (has_referral_to (leader, "Nieuwe Hulp"));

  g_assert_false (_vp_team_round (c, NULL, NULL, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REMOVED);
  g_clear_error (&error);
  g_clear_pointer (&ci.relay_url, g_free);
  g_clear_pointer (&ci.device_name, g_free);
  g_assert_true (vp_store_team_get_identity (c, &ci, NULL));
  g_assert_true (ci.removed);
  g_assert_false (has_referral_to (c, "Nieuwe Hulp"));

  blobs = relay_blobs (f);
  for (guint i = 0; i < blobs->len; i++)
    {
      GBytes *blob = g_ptr_array_index (blobs, i);
      g_autoptr(VpTeamKey) old = NULL;
      g_autoptr(GBytes) opened = NULL;
      VpBlobHeader header;

      g_assert_true (vp_team_blob_read_header (blob, &header, NULL));
      if (header.epoch < 2)
        continue;
      new_blobs++;
      /* C holds only the key of epoch 1. */
      g_assert_null (vp_store_team_get_key (c, header.epoch, NULL));
      old = _vp_team_load_key (c, &header.team, 1, &error);
      g_assert_no_error (error);
      opened = vp_team_open (old, blob, &header, NULL);
      g_assert_null (opened);
      /* Nor with its old secret under the new epoch's number: the new
       * key is new. */
      {
        g_autoptr(GBytes) secret = vp_store_team_get_key (c, 1, NULL);
        g_autoptr(VpTeamKey) renamed = vp_team_key_new (&header.team, header.epoch,
                                                        g_bytes_get_data (secret, NULL), NULL);

        opened = vp_team_open (renamed, blob, &header, NULL);
        g_assert_null (opened);
      }
    }
  g_assert_cmpuint (new_blobs, >, 0);
  dump_b = dump (b);
  dump_c = dump (c);
  g_assert_nonnull (strstr (dump_b, "NaVerwijdering"));
  g_assert_null (strstr (dump_c, "NaVerwijdering"));
}

/* The laptop is killed (SIGKILL, no clean-up) while it applies a large
 * batch; after a restart it converges. */
static void
test_killed_mid_apply (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autofree char *b_dir = NULL;
  g_autoptr(VpStore) b = new_laptop (f, TRUE, &b_dir);
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  pid_t pid;

  enrol (leader, b, "Laptop Sanne");
  round_ok (b, NULL);
  for (int i = 0; i < 300; i++)
    {
      g_autofree char *label = g_strdup_printf ("Massa%03d", i);

      vp_test_register (leader, label, 1950 + i % 60, "school", "first", "limited", NULL);
    }
  round_ok (leader, NULL);
  vp_store_close (b);
  g_clear_object (&b);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(VpStore) child = vp_store_open_account (b_dir, "Coach Sanne", COACH_PASSPHRASE, NULL);

      if (child == NULL)
        _exit (3);
      _vp_team_round (child, NULL, NULL, NULL);
      _exit (0);
    }
  /* Long enough to be inside the pull, short of its end. */
  g_usleep (G_USEC_PER_SEC / 4);
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  /* Killed, not finished: the round was under way. */
  g_assert_true (WIFSIGNALED (status));

  b = vp_store_open_account (b_dir, "Coach Sanne", COACH_PASSPHRASE, &error);
  g_assert_no_error (error);
  {
    g_auto(VpTeamIdentity) identity = { 0 };

    g_assert_true (vp_store_team_get_identity (b, &identity, NULL));
    g_test_message ("killed with the cursor at %" G_GUINT64_FORMAT, identity.cursor);
  }
  round_ok (b, NULL);
  dump_a = dump (leader);
  dump_b = dump (b);
  g_assert_cmpstr (dump_a, ==, dump_b);
  g_assert_nonnull (strstr (dump_b, "Massa299"));
}

/* ---- Random operations, random orders ----------------------------------- */

static void
random_operation (VpStore *store,
                  GRand   *rand,
                  guint    laptop,
                  guint    n)
{
  g_autoptr(GArray) clients = vp_store_search_clients (store, "", NULL);
  g_autofree char *label = g_strdup_printf ("L%uC%u", laptop, n);
  gint64 client = 0;

  if (clients != NULL && clients->len > 0)
    client = g_array_index (clients, gint64, g_rand_int_range (rand, 0, (gint32) clients->len));
  switch (client == 0 ? 0 : g_rand_int_range (rand, 0, 6))
    {
    case 0:
    case 1:
      vp_test_register (store, label, 1940 + g_rand_int_range (rand, 0, 80), "school", "first",
                        g_rand_boolean (rand) ? "limited" : "sufficient", NULL);
      break;
    case 2:
      vp_store_give_consent (store, client, "referral", "verbal", "nld", "2026-1", NULL);
      break;
    case 3:
      {
        VpReferralInput input = { .client_id = client, .category = "housing", .organisation = label };

        vp_store_add_referral (store, &input, NULL);  /* refused without consent: fine */
      }
      break;
    case 4:
      vp_store_withdraw_consent (store, client, "referral", NULL);
      break;
    case 5:
      if (g_rand_int_range (rand, 0, 3) == 0)
        vp_store_erase_client (store, client, NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
test_random_orders (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(VpStore) c = new_laptop (f, TRUE, NULL);
  VpStore *laptops[3];

  enrol (leader, b, "Laptop Sanne");
  enrol (leader, c, "Laptop Ayoub");
  laptops[0] = leader;
  laptops[1] = b;
  laptops[2] = c;
  for (guint32 seed = 1; seed <= 3; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autofree char *first = NULL;

      for (guint step = 0; step < 40; step++)
        {
          guint who = (guint) g_rand_int_range (rand, 0, 3);

          if (g_rand_int_range (rand, 0, 4) == 0)
            round_ok (laptops[who], NULL);
          else
            random_operation (laptops[who], rand, who, seed * 100 + step);
        }
      /* Two passes in a random order bring everyone everything. */
      for (guint pass = 0; pass < 2; pass++)
        {
          guint order[3] = { 0, 1, 2 };

          for (guint i = 2; i > 0; i--)
            {
              guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1), t = order[i];

              order[i] = order[j];
              order[j] = t;
            }
          for (guint i = 0; i < 3; i++)
            round_ok (laptops[order[i]], NULL);
        }
      first = dump (leader);
      for (guint i = 1; i < 3; i++)
        {
          g_autofree char *other = dump (laptops[i]);

          g_assert_cmpstr (first, ==, other);
        }
    }
}

/* ---- The objects, through a main loop -------------------------------------- */

static gboolean
wait_until (gboolean (*done) (gpointer),
            gpointer   data)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return done (data);
}

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static gboolean
invite_waiting (gpointer data)
{
  VpTeamInviteState s = vp_team_invite_get_state (data);

  return s != VP_TEAM_INVITE_STARTING;
}

static gboolean
invite_compare (gpointer data)
{
  VpTeamInviteState s = vp_team_invite_get_state (data);

  return s == VP_TEAM_INVITE_COMPARE || s == VP_TEAM_INVITE_FAILED;
}

static gboolean
join_compare (gpointer data)
{
  VpTeamJoinState s = vp_team_join_get_state (data);

  return s == VP_TEAM_JOIN_COMPARE || s == VP_TEAM_JOIN_FAILED;
}

static gboolean
join_done (gpointer data)
{
  VpTeamJoinState s = vp_team_join_get_state (data);

  return s == VP_TEAM_JOIN_DONE || s == VP_TEAM_JOIN_FAILED;
}

static gboolean
sync_settled (gpointer data)
{
  VpTeamSync *sync = data;

  return !vp_team_sync_get_busy (sync) && vp_team_sync_get_state (sync) != VP_TEAM_SYNC_SYNCING;
}

static void
test_objects (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(VpStore) a = new_laptop (f, FALSE, NULL);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(VpTeamSync) sync_a = vp_team_sync_new (a);
  g_autoptr(VpTeamSync) sync_b = vp_team_sync_new (b);
  g_autoptr(VpTeamInvite) invite = NULL;
  g_autoptr(VpTeamJoin) join = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;
  gboolean online = FALSE;

  g_assert_false (vp_team_sync_get_enabled (sync_a));
  g_assert_cmpint (vp_team_sync_get_state (sync_a), ==, VP_TEAM_SYNC_OFF);

  /* A coach's account cannot make a team. */
  vp_team_sync_turn_on_async (sync_b, "Laptop Sanne", NULL, got_result, &result);
  g_assert_true (wait_until (result_arrived, &result));
  g_assert_false (vp_team_sync_turn_on_finish (sync_b, result, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_clear_object (&result);

  vp_team_sync_turn_on_async (sync_a, "Laptop Leider", NULL, got_result, &result);
  g_assert_true (wait_until (result_arrived, &result));
  g_assert_true (vp_team_sync_turn_on_finish (sync_a, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (vp_team_sync_get_enabled (sync_a));
  g_assert_true (wait_until (sync_settled, sync_a));
  g_assert_cmpint (vp_team_sync_get_state (sync_a), ==, VP_TEAM_SYNC_IDLE);
  g_assert_nonnull (vp_team_sync_get_last_sync (sync_a));

  /* A write on the window's own connection is captured once the team is on. */
  vp_test_register (a, "Venster", 1960, "library", "first", "sufficient", NULL);

  invite = vp_team_invite_new (sync_a);
  g_assert_true (wait_until (invite_waiting, invite));
  g_assert_cmpint (vp_team_invite_get_state (invite), ==, VP_TEAM_INVITE_WAITING);
  g_assert_cmpuint (strlen (vp_team_invite_get_code (invite)), ==, 9);
  join = vp_team_join_new (sync_b, vp_team_invite_get_code (invite), "Laptop Sanne");
  g_assert_true (wait_until (invite_compare, invite));
  g_assert_true (wait_until (join_compare, join));
  g_assert_cmpint (vp_team_invite_get_state (invite), ==, VP_TEAM_INVITE_COMPARE);
  g_assert_cmpint (vp_team_join_get_state (join), ==, VP_TEAM_JOIN_COMPARE);
  g_assert_cmpstr (vp_team_invite_get_safety_number (invite), ==, vp_team_join_get_safety_number (join));
  vp_team_invite_confirm (invite);
  g_assert_true (wait_until (join_done, join));
  g_assert_cmpint (vp_team_join_get_state (join), ==, VP_TEAM_JOIN_DONE);
  g_assert_true (vp_team_sync_get_enabled (sync_b));
  g_assert_true (wait_until (sync_settled, sync_b));
  g_assert_cmpint (vp_team_sync_get_state (sync_b), ==, VP_TEAM_SYNC_IDLE);
  {
    g_autofree char *text = dump (b);

    g_assert_nonnull (strstr (text, "Venster"));
  }

  vp_team_sync_list_devices_async (sync_a, NULL, got_result, &result);
  g_assert_true (wait_until (result_arrived, &result));
  members = vp_team_sync_list_devices_finish (sync_a, result, &online, &error);
  g_assert_no_error (error);
  g_assert_true (online);
  g_assert_cmpuint (members->len, ==, 2);
  for (guint i = 0; i < members->len; i++)
    {
      const VpTeamMember *m = g_ptr_array_index (members, i);

      g_assert_cmpint (m->is_self, ==, m->role == VP_TEAM_ROLE_TEAM_LEADER);
      g_assert_false (m->removed);
      g_assert_nonnull (m->last_synced);
    }

  /* The relay goes away: offline, and back. */
  vp_test_relay_stop (&f->relay);
  vp_team_sync_sync_now (sync_b);
  g_assert_true (wait_until (sync_settled, sync_b));
  g_assert_cmpint (vp_team_sync_get_state (sync_b), ==, VP_TEAM_SYNC_OFFLINE);
  g_assert_nonnull (vp_team_sync_get_status_text (sync_b));
}

/* A hostile relay knows a laptop's public key (its join carried it), the
 * team and the leader's device id, and puts a team key of its own,
 * wrapped to that laptop, as a newer epoch. The laptop refuses it (it does
 * not open with the team leader's key) and never seals with it. */
static void
test_planted_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  g_auto(VpTeamIdentity) leader_identity = { 0 };
  g_autoptr(VpDeviceKey) b_key = NULL, relay_key = NULL;
  g_autoptr(VpTeamKey) planted = NULL;
  g_autoptr(GBytes) wrapped = NULL;
  g_autoptr(GPtrArray) blobs = NULL;
  char team_hex[VP_UID_STRING_LEN + 1], device_hex[VP_UID_STRING_LEN + 1];
  guint8 secret[VP_TEAM_KEY_LEN];

  enrol (leader, b, "Laptop Sanne");
  round_ok (b, NULL);
  g_assert_true (vp_store_team_get_identity (b, &identity, NULL));
  g_assert_true (vp_store_team_get_identity (leader, &leader_identity, NULL));
  b_key = _vp_team_load_device_key (b, &error);
  relay_key = vp_device_key_generate (&error);
  g_assert_no_error (error);
  memset (secret, 0x42, sizeof secret);
  planted = vp_team_key_new (&identity.team, identity.epoch + 1, secret, &error);
  wrapped = vp_team_key_wrap (planted, relay_key, &leader_identity.device, vp_device_key_get_public (b_key), &error);
  g_assert_no_error (error);
  vp_uid_to_string (&identity.team, team_hex);
  vp_uid_to_string (&identity.device, device_hex);
  {
    sqlite3 *db = open_relay (f);
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO relay_keys (team, device, epoch, wrapped)"
                                             " VALUES (?, ?, ?, ?)", -1, &stmt, NULL), ==, SQLITE_OK);
    sqlite3_bind_text (stmt, 1, team_hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 2, device_hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 3, identity.epoch + 1);
    sqlite3_bind_blob (stmt, 4, g_bytes_get_data (wrapped, NULL), (int) g_bytes_get_size (wrapped),
                       SQLITE_TRANSIENT);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE relay_teams SET epoch = epoch + 1", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }

  vp_test_register (b, "Geheimenaam", 1975, "school", "first", "limited", NULL);
  g_assert_false (_vp_team_round (b, NULL, NULL, NULL));
  g_assert_null (vp_store_team_get_key (b, identity.epoch + 1, NULL));
  g_assert_cmpuint (count_audit (b, "sync_rejected"), >=, 1);
  blobs = relay_blobs (f);
  for (guint i = 0; i < blobs->len; i++)
    {
      VpBlobHeader header;
      g_autoptr(GBytes) plain = vp_team_open (planted, g_ptr_array_index (blobs, i), &header, NULL);

      g_assert_null (plain);
    }
}

/* A coach's laptop, running modified software, seals a roster that makes
 * itself the team leader's (with the leader's public key, which every
 * laptop knows): the other laptops take rosters only from the device the
 * leader's wraps named, and keep it a coach's. */
static void
test_roster_escalation (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(VpStore) leader = new_team (f);
  g_autoptr(VpStore) b = new_laptop (f, TRUE, NULL);
  g_autoptr(VpStore) c = new_laptop (f, TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(VpTeamKey) key = NULL;
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_envelope_device_free);
  g_autoptr(GBytes) roster = NULL, sealed = NULL;
  g_autoptr(VpTeamRoster) known = NULL;
  g_autofree char *inviter_hex = NULL;
  guint8 inviter[VP_X25519_KEY_LEN];
  VpTeamRole role = VP_TEAM_ROLE_TEAM_LEADER;
  guint64 cursor = 0;

  enrol (leader, b, "Laptop Sanne");
  enrol (leader, c, "Laptop Cor");
  round_ok (b, NULL);
  round_ok (c, NULL);
  round_ok (leader, NULL);
  round_ok (b, NULL);
  round_ok (c, NULL);
  g_assert_true (vp_store_team_get_identity (b, &identity, NULL));
  inviter_hex = vp_store_get_setting (b, "team_inviter_key");
  g_assert_true (_vp_team_parse_public_key (inviter_hex, inviter));
  g_ptr_array_add (devices, vp_envelope_device_new (&identity.device, VP_TEAM_ROLE_TEAM_LEADER,
                                                    "Laptop Sanne", "2026-01-01T00:00:00Z", NULL, inviter));
  roster = vp_team_envelope_roster (identity.epoch, devices, &error);
  g_assert_no_error (error);
  key = _vp_team_load_key (b, &identity.team, identity.epoch, &error);
  sealed = vp_team_seal (key, &identity.device, identity.next_sequence,
                         g_bytes_get_data (roster, NULL), g_bytes_get_size (roster), &error);
  g_assert_no_error (error);
  relay = _vp_team_connect (b, TRUE, &error);
  g_assert_true (vp_relay_push (&relay->config, &identity.team, sealed, 0, &cursor, &error));
  g_assert_no_error (error);
  round_ok (c, NULL);
  round_ok (leader, NULL);

  known = vp_store_team_get_roster (c, &error);
  g_assert_true (vp_team_roster_lookup (known, &identity.device, &role));
  g_assert_cmpint (role, ==, VP_TEAM_ROLE_COACH);
  g_clear_pointer (&known, vp_team_roster_free);
  known = vp_store_team_get_roster (leader, &error);
  g_assert_true (vp_team_roster_lookup (known, &identity.device, &role));
  g_assert_cmpint (role, ==, VP_TEAM_ROLE_COACH);
  g_assert_cmpuint (count_audit (c, "sync_rejected"), >=, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  vp_test_init_data ();

  g_test_add_func ("/team-sync/envelope", test_envelope);
  g_test_add_func ("/team-sync/envelope-compressed", test_envelope_compressed);
  g_test_add ("/team-sync/planted-key", Fixture, NULL, fixture_setup, test_planted_key, fixture_teardown);
  g_test_add ("/team-sync/roster-escalation", Fixture, NULL, fixture_setup, test_roster_escalation,
              fixture_teardown);
  g_test_add ("/team-sync/enrolment", Fixture, NULL, fixture_setup, test_enrolment, fixture_teardown);
  g_test_add ("/team-sync/enrolment-refusals", Fixture, NULL, fixture_setup, test_enrolment_refusals,
              fixture_teardown);
  g_test_add ("/team-sync/referral-reaches-leader", Fixture, NULL, fixture_setup,
              test_referral_reaches_leader, fixture_teardown);
  g_test_add ("/team-sync/relay-sees-nothing", Fixture, NULL, fixture_setup, test_relay_sees_nothing,
              fixture_teardown);
  g_test_add ("/team-sync/tampered-blob", Fixture, NULL, fixture_setup, test_tampered_blob, fixture_teardown);
  g_test_add ("/team-sync/forged-device", Fixture, NULL, fixture_setup, test_forged_device, fixture_teardown);
  g_test_add ("/team-sync/lost-answer", Fixture, NULL, fixture_setup, test_lost_answer, fixture_teardown);
  g_test_add ("/team-sync/removed-device", Fixture, NULL, fixture_setup, test_removed_device,
              fixture_teardown);
  g_test_add ("/team-sync/killed-mid-apply", Fixture, NULL, fixture_setup, test_killed_mid_apply,
              fixture_teardown);
  g_test_add ("/team-sync/random-orders", Fixture, NULL, fixture_setup, test_random_orders, fixture_teardown);
  g_test_add ("/team-sync/objects", Fixture, NULL, fixture_setup, test_objects, fixture_teardown);
  return g_test_run ();
}
