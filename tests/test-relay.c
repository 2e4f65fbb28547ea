/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The team-sync relay (#16) through its client library, against the real
 * vindplaats-endpoint over TLS on loopback: creating a team only with the
 * report team's credential, the enrolment with its once-only steps and
 * expiry, pending devices, blobs with cursors, sequences and the byte
 * limit of a pull, removal and key rotation, compaction and a later
 * joiner, a restart and a kill -9 in the middle of pushing, and what the
 * operator of the relay can see in its storage. */
#define _GNU_SOURCE /* memmem() */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/rand.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "vp-relay-client.h"
#include "vp-team-crypto.h"
#include "vp-team-error.h"
#include "vp-test-process.h"

#define REPORT_TEAM "noord"
#define MARKER "VINDPLAATS-MARKER-Jansen-0612345678"

typedef struct {
  char        *dir;
  char        *cert;
  char        *key;
  char        *db;
  char        *relay_db;
  char        *url;
  char        *report_token;
  char        *other_token;
  GSubprocess *server;
} Fixture;

/* A team as its leader's laptop holds it, and one laptop of it. */
typedef struct {
  VpUid        id;
  char        *token;
  VpDeviceKey *key;
  guint64      sequence;
} Device;

typedef struct {
  VpUid      id;
  VpTeamKey *key;
  Device     admin;
} Team;

static const char *
program (const char *variable)
{
  const char *path = g_getenv (variable);

  g_assert_nonnull (path);
  return path;
}

static void
start_server (Fixture *f)
{
  const char *argv[] = { program ("VP_ENDPOINT"), "serve", "--db", f->db, "--cert", f->cert, "--key", f->key,
                         "--address", "127.0.0.1", "--port", "0", "--relay-db", f->relay_db, NULL };

  g_clear_pointer (&f->url, g_free);
  f->server = vp_test_spawn_listening (argv, &f->url);
}

static void
stop_server (Fixture *f,
             int      signal_number)
{
  g_subprocess_send_signal (f->server, signal_number);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vp-relay-XXXXXX", &error);
  g_assert_no_error (error);
  f->cert = g_build_filename (f->dir, "cert.pem", NULL);
  f->key = g_build_filename (f->dir, "key.pem", NULL);
  f->db = g_build_filename (f->dir, "endpoint.db", NULL);
  f->relay_db = g_build_filename (f->dir, "relay.db", NULL);
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", f->key, "-out", f->cert, NULL
    };
    g_free (vp_test_run_capture (argv));
  }
  {
    const char *argv[] = { program ("VP_ENDPOINT"), "issue-token", "--db", f->db, "--team", REPORT_TEAM,
                           "--name", "Wijkteam Noord", "--municipality", "GM0363", NULL };
    f->report_token = vp_test_run_capture (argv);
  }
  {
    const char *argv[] = { program ("VP_ENDPOINT"), "issue-token", "--db", f->db, "--team", "zuid",
                           "--name", "Wijkteam Zuid", "--municipality", "GM0363", NULL };
    f->other_token = vp_test_run_capture (argv);
  }
  start_server (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (f->server != NULL)
    stop_server (f, SIGTERM);
  d = g_dir_open (f->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->cert);
  g_free (f->key);
  g_free (f->db);
  g_free (f->relay_db);
  g_free (f->url);
  g_free (f->report_token);
  g_free (f->other_token);
}

static VpRelayConfig
config_for (Fixture    *f,
            const char *token)
{
  VpRelayConfig config = { 0 };

  config.endpoint = f->url;
  config.ca_file = f->cert;
  config.device_token = token;
  config.timeout = 30;
  return config;
}

static void
device_init (Device *device)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_uid_generate (&device->id, &error));
  device->key = vp_device_key_generate (&error);
  g_assert_no_error (error);
  device->sequence = 0;
  device->token = NULL;
}

static void
device_clear (Device *device)
{
  g_clear_pointer (&device->token, g_free);
  g_clear_pointer (&device->key, vp_device_key_free);
}

static void
team_clear (Team *team)
{
  g_clear_pointer (&team->key, vp_team_key_free);
  device_clear (&team->admin);
}

static void
put_key (Fixture      *f,
         Team         *team,
         const Device *device)
{
  VpRelayConfig config = config_for (f, team->admin.token);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) wrapped = vp_team_key_wrap (team->key, team->admin.key, &team->admin.id,
                                                vp_device_key_get_public (device->key), &error);

  g_assert_no_error (error);
  g_assert_true (vp_relay_put_key (&config, &team->id, &device->id, vp_team_key_get_epoch (team->key), wrapped,
                                   &error));
  g_assert_no_error (error);
}

/* The team leader's laptop creates the team, with the team key of epoch 1
 * wrapped to itself. */
static void
create_team (Fixture *f,
             Team    *team)
{
  VpRelayConfig config = config_for (f, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_uid_generate (&team->id, &error));
  device_init (&team->admin);
  team->key = vp_team_key_generate (&team->id, 1, &error);
  g_assert_no_error (error);
  config.report_token = f->report_token;
  g_assert_true (vp_relay_create_team (&config, REPORT_TEAM, &team->id, &team->admin.id, &team->admin.token,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (team->admin.token), ==, 43);
  put_key (f, team, &team->admin);
}

/* A new laptop joins, as docs/team-sync.md describes, up to the point
 * where the team leader compares the safety numbers; it is then pending. */
static char *
enrol_until_confirmation (Fixture *f,
                          Team    *team,
                          Device  *joiner)
{
  VpRelayConfig admin = config_for (f, team->admin.token);
  VpRelayConfig stranger = config_for (f, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = vp_invite_code_generate (&error);
  VpEnrolShare inviter, seen_joiner, revealed;
  guint8 commitment[VP_ENROL_COMMITMENT_LEN], fetched[VP_ENROL_COMMITMENT_LEN];
  char leader_number[VP_SAFETY_NUMBER_LEN + 1], joiner_number[VP_SAFETY_NUMBER_LEN + 1];
  VpEnrolShare share;
  VpUid fetched_team, joined;
  gboolean present = TRUE;

  g_assert_true (vp_enrol_share_init (&inviter, vp_device_key_get_public (team->admin.key), &error));
  vp_enrol_commitment (&team->id, &inviter, commitment);
  g_assert_true (vp_relay_put_invite (&admin, &team->id, code, commitment, &error));
  g_assert_no_error (error);

  /* The new laptop, typed with a dash and in lower case. */
  {
    g_autofree char *shown = vp_invite_code_format (code);
    g_autofree char *typed = g_ascii_strdown (shown, -1);

    g_assert_true (vp_relay_get_invite (&stranger, typed, &fetched_team, fetched, &error));
  }
  g_assert_no_error (error);
  g_assert_true (vp_uid_equal (&fetched_team, &team->id));
  g_assert_cmpmem (fetched, sizeof fetched, commitment, sizeof commitment);
  /* Before anyone joined, there is nothing to reveal to. */
  g_assert_true (vp_relay_get_joiner (&admin, &team->id, code, &present, &joined, &seen_joiner, &error));
  g_assert_false (present);
  g_assert_false (vp_relay_reveal (&admin, &team->id, code, &inviter, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);

  device_init (joiner);
  g_assert_true (vp_enrol_share_init (&share, vp_device_key_get_public (joiner->key), &error));
  g_assert_true (vp_relay_join (&stranger, code, &joiner->id, &share, &joiner->token, &error));
  g_assert_no_error (error);

  g_assert_true (vp_relay_get_joiner (&admin, &team->id, code, &present, &joined, &seen_joiner, &error));
  g_assert_true (present);
  g_assert_true (vp_uid_equal (&joined, &joiner->id));
  g_assert_cmpmem (&seen_joiner, sizeof seen_joiner, &share, sizeof share);
  {
    VpRelayConfig mine = config_for (f, joiner->token);

    g_assert_true (vp_relay_get_reveal (&mine, code, &present, &revealed, &error));
    g_assert_no_error (error);
    g_assert_false (present);
  }
  g_assert_true (vp_relay_reveal (&admin, &team->id, code, &inviter, &error));
  g_assert_no_error (error);
  {
    VpRelayConfig mine = config_for (f, joiner->token);

    g_assert_true (vp_relay_get_reveal (&mine, code, &present, &revealed, &error));
    g_assert_no_error (error);
    g_assert_true (present);
  }
  g_assert_true (vp_enrol_check_commitment (&fetched_team, &revealed, fetched, &error));
  vp_safety_number (&team->id, &inviter, &seen_joiner, leader_number);
  vp_safety_number (&fetched_team, &revealed, &share, joiner_number);
  g_assert_cmpstr (leader_number, ==, joiner_number);
  return g_steal_pointer (&code);
}

/* The whole enrolment; the joiner then holds the team key. */
static void
enrol (Fixture *f,
       Team    *team,
       Device  *joiner)
{
  g_autofree char *code = enrol_until_confirmation (f, team, joiner);
  VpRelayConfig mine = config_for (f, joiner->token);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(VpTeamKey) unwrapped = NULL;

  put_key (f, team, joiner);
  keys = vp_relay_get_keys (&mine, &team->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, >=, 1);
  unwrapped = vp_team_key_unwrap (joiner->key, vp_device_key_get_public (team->admin.key),
                                  g_ptr_array_index (keys, keys->len - 1), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vp_team_key_get_epoch (unwrapped), ==, vp_team_key_get_epoch (team->key));
}

static GBytes *
seal_text (const VpTeamKey *key,
           Device          *device,
           const char      *text,
           gsize            pad)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = g_strdup_printf ("%s %" G_GUINT64_FORMAT " %*s", text, device->sequence + 1,
                                            (int) pad, "");
  GBytes *blob = vp_team_seal (key, &device->id, ++device->sequence, (const guint8 *) plain, strlen (plain),
                               &error);

  g_assert_no_error (error);
  return blob;
}

static guint64
push (Fixture         *f,
      const VpUid     *team,
      const Device    *device,
      GBytes          *blob,
      guint32          snapshot)
{
  VpRelayConfig config = config_for (f, device->token);
  g_autoptr(GError) error = NULL;
  guint64 cursor = 0;

  g_assert_true (vp_relay_push (&config, team, blob, snapshot, &cursor, &error));
  g_assert_no_error (error);
  return cursor;
}

static void
assert_push_fails (Fixture      *f,
                   const VpUid  *team,
                   const Device *device,
                   GBytes       *blob,
                   gint          code)
{
  VpRelayConfig config = config_for (f, device->token);
  g_autoptr(GError) error = NULL;
  guint64 cursor = 0;

  g_assert_false (vp_relay_push (&config, team, blob, 0, &cursor, &error));
  g_assert_error (error, VP_RELAY_ERROR, code);
  g_assert_null (strstr (error->message, device->token));
}

/* Every blob after a cursor, pull after pull; *pulls counts the answers. */
static GPtrArray *
pull_all (Fixture      *f,
          const VpUid  *team,
          const Device *device,
          guint64       after,
          guint        *pulls)
{
  VpRelayConfig config = config_for (f, device->token);
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_relay_blob_free);
  gboolean more = TRUE;

  *pulls = 0;
  while (more)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) some = vp_relay_pull (&config, team, after, &after, &more, &error);

      g_assert_no_error (error);
      (*pulls)++;
      for (guint i = 0; i < some->len; i++)
        g_ptr_array_add (all, g_steal_pointer (&some->pdata[i]));
      g_ptr_array_set_free_func (some, NULL);
    }
  return all;
}

/* ---- Creating a team --------------------------------------------------- */

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  VpRelayConfig config = config_for (f, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  VpUid team, device;
  Team made = { 0 };

  g_assert_true (vp_uid_generate (&team, &error) && vp_uid_generate (&device, &error));
  /* No credential, and another team's report token: refused. */
  g_assert_false (vp_relay_create_team (&config, REPORT_TEAM, &team, &device, &token, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REFUSED);
  g_clear_error (&error);
  config.report_token = f->other_token;
  g_assert_false (vp_relay_create_team (&config, REPORT_TEAM, &team, &device, &token, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REFUSED);
  g_assert_null (strstr (error->message, f->other_token));
  g_clear_error (&error);
  g_assert_null (token);

  create_team (f, &made);
  /* The same team id again. */
  config.report_token = f->report_token;
  g_assert_false (vp_relay_create_team (&config, REPORT_TEAM, &made.id, &device, &token, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);
  /* A relay token is not a report token. */
  config.report_token = made.admin.token;
  g_assert_false (vp_relay_create_team (&config, REPORT_TEAM, &team, &device, &token, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REFUSED);
  g_clear_error (&error);
  team_clear (&made);
}

/* ---- Enrolment ------------------------------------------------------------ */

static void
set_invites_expired (Fixture *f)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->relay_db, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE relay_invites SET expires_at = expires_at - 901", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_enrol (Fixture       *f,
            gconstpointer  data)
{
  Team team = { 0 };
  Device joiner = { 0 }, late = { 0 }, second = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *token = NULL;
  VpRelayConfig admin, mine, stranger = config_for (f, NULL);
  VpEnrolShare share;
  guint64 cursor = 0, next = 0;
  gboolean more = FALSE, present = FALSE;
  guint8 commitment[VP_ENROL_COMMITMENT_LEN] = { 0 };
  VpUid some_team;

  create_team (f, &team);
  admin = config_for (f, team.admin.token);
  code = enrol_until_confirmation (f, &team, &joiner);
  mine = config_for (f, joiner.token);

  /* One join per invitation, and the team leader reveals once. */
  device_init (&second);
  g_assert_true (vp_enrol_share_init (&share, vp_device_key_get_public (second.key), &error));
  g_assert_false (vp_relay_join (&stranger, code, &second.id, &share, &token, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vp_relay_reveal (&admin, &team.id, code, &share, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);
  /* One open invitation per code. */
  g_assert_false (vp_relay_put_invite (&admin, &team.id, code, commitment, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);
  /* Only the team leader's laptop sees the joiner. */
  g_assert_false (vp_relay_get_joiner (&mine, &team.id, code, &present, &some_team, &share, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_PENDING);
  g_clear_error (&error);

  /* Pending: no push, pull, list or ack; its keys are none yet. */
  {
    g_autoptr(GBytes) blob = seal_text (team.key, &joiner, "too early", 0);
    g_autoptr(GPtrArray) keys = vp_relay_get_keys (&mine, &team.id, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (keys->len, ==, 0);
    assert_push_fails (f, &team.id, &joiner, blob, VP_RELAY_ERROR_PENDING);
    g_assert_null (vp_relay_pull (&mine, &team.id, 0, &next, &more, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_PENDING);
    g_clear_error (&error);
    g_assert_null (vp_relay_list_devices (&mine, &team.id, NULL, NULL, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_PENDING);
    g_clear_error (&error);
    g_assert_false (vp_relay_ack (&mine, &team.id, 0, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_PENDING);
    g_clear_error (&error);
    joiner.sequence = 0;
  }

  /* Confirmed: the key admits it. */
  put_key (f, &team, &joiner);
  {
    g_autoptr(GBytes) blob = seal_text (team.key, &joiner, "now", 0);
    g_autoptr(GPtrArray) devices = NULL;
    guint32 epoch = 0;

    cursor = push (f, &team.id, &joiner, blob, 0);
    g_assert_cmpuint (cursor, ==, 1);
    devices = vp_relay_list_devices (&admin, &team.id, &epoch, &next, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (devices->len, ==, 2);
    g_assert_cmpuint (epoch, ==, 1);
    g_assert_cmpuint (next, ==, 1);
    for (guint i = 0; i < devices->len; i++)
      {
        VpRelayDevice *d = g_ptr_array_index (devices, i);

        g_assert_cmpint (d->state, ==, VP_RELAY_MEMBER_ACTIVE);
        g_assert_true (d->admin == vp_uid_equal (&d->device, &team.admin.id));
        if (!d->admin)
          g_assert_cmpint (d->last_seen, >, 0);
      }
  }

  /* An invitation expires after 15 minutes. */
  {
    g_autofree char *late_code = vp_invite_code_generate (&error);

    g_assert_true (vp_relay_put_invite (&admin, &team.id, late_code, commitment, &error));
    set_invites_expired (f);
    g_assert_false (vp_relay_get_invite (&stranger, late_code, &some_team, commitment, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_EXPIRED);
    g_clear_error (&error);
    device_init (&late);
    g_assert_true (vp_enrol_share_init (&share, vp_device_key_get_public (late.key), &error));
    g_assert_false (vp_relay_join (&stranger, late_code, &late.id, &share, &token, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_EXPIRED);
    g_clear_error (&error);
    /* A code nobody made. */
    g_assert_false (vp_relay_get_invite (&stranger, "ZZZZZZZZ", &some_team, commitment, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  device_clear (&joiner);
  device_clear (&late);
  device_clear (&second);
  team_clear (&team);
}

/* ---- Blobs -------------------------------------------------------------------- */

static void
test_blobs (Fixture       *f,
            gconstpointer  data)
{
  Team team = { 0 }, other = { 0 };
  Device coach = { 0 };
  VpRelayConfig config;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GPtrArray) all = NULL;
  guint64 cursor, previous = 0;
  guint pulls = 0;

  create_team (f, &team);
  create_team (f, &other);
  enrol (f, &team, &coach);
  config = config_for (f, coach.token);

  first = seal_text (team.key, &coach, "first", 0);
  g_assert_cmpuint (push (f, &team.id, &coach, first, 0), ==, 1);
  /* A retry of the same bytes answers with the same cursor; other bytes
   * with the same sequence are refused, and so is a gap. */
  g_assert_cmpuint (push (f, &team.id, &coach, first, 0), ==, 1);
  coach.sequence = 0;
  {
    g_autoptr(GBytes) different = seal_text (team.key, &coach, "different", 0);

    assert_push_fails (f, &team.id, &coach, different, VP_RELAY_ERROR_CONFLICT);
    coach.sequence = 2;
  }
  {
    g_autoptr(GBytes) gap = seal_text (team.key, &coach, "gap", 0);

    assert_push_fails (f, &team.id, &coach, gap, VP_RELAY_ERROR_CONFLICT);
    coach.sequence = 1;
  }
  /* A header naming another team or another laptop than the token. */
  {
    g_autoptr(GBytes) elsewhere = seal_text (other.key, &coach, "other team", 0);
    Device impostor = coach;
    g_autoptr(GBytes) borrowed = NULL;

    assert_push_fails (f, &team.id, &coach, elsewhere, VP_RELAY_ERROR_INVALID);
    coach.sequence = 1;
    impostor.id = team.admin.id;
    borrowed = seal_text (team.key, &impostor, "as the leader", 0);
    assert_push_fails (f, &team.id, &coach, borrowed, VP_RELAY_ERROR_INVALID);
  }
  /* A size that is no bucket's. */
  {
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data (first, &len);
    g_autoptr(GBytes) cut = g_bytes_new (bytes, len - 1);

    assert_push_fails (f, &team.id, &coach, cut, VP_RELAY_ERROR_INVALID);
  }
  /* Another team's token for this team. */
  {
    VpRelayConfig foreign = config_for (f, other.admin.token);
    gboolean more = FALSE;

    g_assert_null (vp_relay_pull (&foreign, &team.id, 0, &cursor, &more, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REFUSED);
    g_clear_error (&error);
  }

  /* 40 blobs of 256 KiB: more than one pull of 8 MiB takes. */
  for (guint i = 0; i < 40; i++)
    {
      Device *sender = i % 2 == 0 ? &coach : &team.admin;
      g_autoptr(GBytes) blob = seal_text (team.key, sender, "bulk", 200 * 1024);

      g_assert_cmpuint (g_bytes_get_size (blob), ==, 256 * 1024);
      cursor = push (f, &team.id, sender, blob, 0);
      g_assert_cmpuint (cursor, ==, i + 2);
    }
  all = pull_all (f, &team.id, &coach, 0, &pulls);
  g_assert_cmpuint (all->len, ==, 41);
  g_assert_cmpuint (pulls, ==, 2);
  for (guint i = 0; i < all->len; i++)
    {
      VpRelayBlob *blob = g_ptr_array_index (all, i);
      g_autoptr(GBytes) plain = NULL;
      VpBlobHeader header;

      g_assert_cmpuint (blob->cursor, >, previous);
      previous = blob->cursor;
      plain = vp_team_open (team.key, blob->blob, &header, &error);
      g_assert_no_error (error);
    }
  {
    g_autoptr(GPtrArray) after = pull_all (f, &team.id, &coach, 39, &pulls);

    g_assert_cmpuint (after->len, ==, 2);
    g_assert_cmpuint (((VpRelayBlob *) after->pdata[0])->cursor, ==, 40);
  }

  /* Acknowledgements: not past the last cursor; they show in the list. */
  g_assert_false (vp_relay_ack (&config, &team.id, 42, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (vp_relay_ack (&config, &team.id, 41, &error));
  g_assert_true (vp_relay_ack (&config, &team.id, 3, &error));
  {
    g_autoptr(GPtrArray) devices = vp_relay_list_devices (&config, &team.id, NULL, NULL, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < devices->len; i++)
      {
        VpRelayDevice *d = g_ptr_array_index (devices, i);

        g_assert_cmpuint (d->acked, ==, vp_uid_equal (&d->device, &coach.id) ? 41 : 0);
      }
  }
  device_clear (&coach);
  team_clear (&team);
  team_clear (&other);
}

/* ---- Removal and rotation -------------------------------------------------- */

static void
assert_removed (GError **error)
{
  g_assert_error (*error, VP_RELAY_ERROR, VP_RELAY_ERROR_REMOVED);
  g_clear_error (error);
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  Team team = { 0 };
  Device gone = { 0 }, stays = { 0 };
  VpRelayConfig admin, removed, remaining;
  g_autoptr(GError) error = NULL;
  guint64 next = 0;
  gboolean more = FALSE;

  create_team (f, &team);
  enrol (f, &team, &gone);
  enrol (f, &team, &stays);
  admin = config_for (f, team.admin.token);
  removed = config_for (f, gone.token);
  remaining = config_for (f, stays.token);

  /* Only the team leader removes, and not itself. */
  g_assert_false (vp_relay_remove_device (&remaining, &team.id, &gone.id, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_false (vp_relay_remove_device (&admin, &team.id, &team.admin.id, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (vp_relay_remove_device (&admin, &team.id, &gone.id, &error));
  g_assert_no_error (error);

  /* Its token answers "removed" everywhere. */
  {
    g_autoptr(GBytes) blob = seal_text (team.key, &gone, "after removal", 0);
    guint64 cursor = 0;

    g_assert_false (vp_relay_push (&removed, &team.id, blob, 0, &cursor, &error));
    assert_removed (&error);
  }
  g_assert_null (vp_relay_pull (&removed, &team.id, 0, &next, &more, &error));
  assert_removed (&error);
  g_assert_null (vp_relay_get_keys (&removed, &team.id, &error));
  assert_removed (&error);
  g_assert_null (vp_relay_list_devices (&removed, &team.id, NULL, NULL, &error));
  assert_removed (&error);
  g_assert_false (vp_relay_ack (&removed, &team.id, 0, &error));
  assert_removed (&error);

  /* The team leader rotates the key to epoch 2 for those who remain; the
   * relay then refuses blobs of epoch 1 from everyone. */
  {
    g_autoptr(GBytes) old = NULL;
    g_autoptr(GBytes) fresh = NULL;
    g_autoptr(GPtrArray) keys = NULL;
    g_autoptr(GPtrArray) devices = NULL;
    guint32 epoch = 0;

    g_clear_pointer (&team.key, vp_team_key_free);
    team.key = vp_team_key_generate (&team.id, 2, &error);
    put_key (f, &team, &team.admin);
    put_key (f, &team, &stays);
    {
      g_autoptr(VpTeamKey) epoch1 = vp_team_key_generate (&team.id, 1, &error);

      old = seal_text (epoch1, &stays, "old key", 0);
    }
    assert_push_fails (f, &team.id, &stays, old, VP_RELAY_ERROR_OLD_EPOCH);
    stays.sequence--;
    fresh = seal_text (team.key, &stays, "new key", 0);
    push (f, &team.id, &stays, fresh, 0);
    keys = vp_relay_get_keys (&remaining, &team.id, &error);
    g_assert_cmpuint (keys->len, ==, 2);
    devices = vp_relay_list_devices (&remaining, &team.id, &epoch, NULL, &error);
    g_assert_cmpuint (epoch, ==, 2);
    for (guint i = 0; i < devices->len; i++)
      {
        VpRelayDevice *d = g_ptr_array_index (devices, i);

        g_assert_cmpint (d->state, ==, vp_uid_equal (&d->device, &gone.id) ? VP_RELAY_MEMBER_REMOVED
                                                                             : VP_RELAY_MEMBER_ACTIVE);
      }
    /* No key for a removed laptop. */
    {
      g_autoptr(GBytes) wrapped = vp_team_key_wrap (team.key, team.admin.key, &team.admin.id,
                                                    vp_device_key_get_public (gone.key), &error);

      g_assert_false (vp_relay_put_key (&admin, &team.id, &gone.id, 2, wrapped, &error));
      g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
      g_clear_error (&error);
    }
  }
  device_clear (&gone);
  device_clear (&stays);
  team_clear (&team);
}

/* ---- Compaction ------------------------------------------------------------ */

/* Whether any of the relay's files (the database and its log) holds the
 * bytes. */
static gboolean
relay_files_hold (Fixture      *f,
                  const guint8 *needle,
                  gsize         len)
{
  const char *suffixes[] = { "", "-wal", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (f->relay_db, suffixes[i], NULL);
      g_autofree char *contents = NULL;
      gsize size = 0;

      if (!g_file_get_contents (path, &contents, &size, NULL))
        continue;
      if (size >= len && memmem (contents, size, needle, len) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_compact (Fixture       *f,
              gconstpointer  data)
{
  Team team = { 0 };
  Device coach = { 0 }, late = { 0 };
  VpRelayConfig admin, config;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) covered = NULL;
  g_autoptr(GBytes) old_snapshot = NULL;
  g_autoptr(GPtrArray) all = NULL;
  guint64 covers, snapshot_cursor, after_cursor;
  guint pulls = 0;
  guint8 sample[64];

  create_team (f, &team);
  enrol (f, &team, &coach);
  admin = config_for (f, team.admin.token);
  config = config_for (f, coach.token);

  covered = seal_text (team.key, &coach, "covered", 3000);
  push (f, &team.id, &coach, covered, 0);
  old_snapshot = seal_text (team.key, &team.admin, "snapshot 1", 0);
  push (f, &team.id, &team.admin, old_snapshot, 1);
  {
    g_autoptr(GBytes) more = seal_text (team.key, &coach, "also covered", 0);

    covers = push (f, &team.id, &coach, more, 0);
  }
  /* A coach cannot send a snapshot. */
  {
    g_autoptr(GBytes) fake = seal_text (team.key, &coach, "fake snapshot", 0);
    guint64 cursor = 0;

    g_assert_false (vp_relay_push (&config, &team.id, fake, 2, &cursor, &error));
    g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REFUSED);
    g_clear_error (&error);
    coach.sequence--;
  }
  {
    g_autoptr(GBytes) snap = seal_text (team.key, &team.admin, "snapshot 2", 0);

    snapshot_cursor = push (f, &team.id, &team.admin, snap, 2);
  }
  {
    g_autoptr(GBytes) later = seal_text (team.key, &coach, "after the snapshot", 0);

    after_cursor = push (f, &team.id, &coach, later, 0);
  }

  /* Not before every active laptop has acknowledged what it covers. */
  g_assert_true (vp_relay_ack (&admin, &team.id, after_cursor, &error));
  g_assert_false (vp_relay_compact (&admin, &team.id, 2, covers, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (vp_relay_ack (&config, &team.id, covers, &error));
  /* Only the team leader compacts, and only a snapshot that exists. */
  g_assert_false (vp_relay_compact (&config, &team.id, 2, covers, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_false (vp_relay_compact (&admin, &team.id, 3, covers, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  memcpy (sample, (const guint8 *) g_bytes_get_data (covered, NULL) + 2000, sizeof sample);
  g_assert_true (relay_files_hold (f, sample, sizeof sample));
  g_assert_true (vp_relay_compact (&admin, &team.id, 2, covers, &error));
  g_assert_no_error (error);
  /* The covered ciphertext is gone from the files, not only from the tree. */
  g_assert_false (relay_files_hold (f, sample, sizeof sample));
  memcpy (sample, (const guint8 *) g_bytes_get_data (old_snapshot, NULL) + 500, sizeof sample);
  g_assert_false (relay_files_hold (f, sample, sizeof sample));
  g_assert_false (vp_relay_compact (&admin, &team.id, 2, covers, &error));
  g_assert_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT);
  g_clear_error (&error);

  /* A laptop that joins later gets the snapshot and what came after. */
  enrol (f, &team, &late);
  all = pull_all (f, &team.id, &late, 0, &pulls);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpuint (((VpRelayBlob *) all->pdata[0])->cursor, ==, snapshot_cursor);
  g_assert_cmpuint (((VpRelayBlob *) all->pdata[1])->cursor, ==, after_cursor);
  {
    g_autoptr(GBytes) plain = vp_team_open (team.key, ((VpRelayBlob *) all->pdata[0])->blob, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (g_bytes_get_data (plain, NULL), "snapshot 2"));
  }
  device_clear (&coach);
  device_clear (&late);
  team_clear (&team);
}

/* ---- Restarts ------------------------------------------------------------------ */

typedef struct {
  Fixture    *f;
  Team       *team;
  Device     *device;
  GPtrArray  *acknowledged;   /* GBytes, in the order pushed */
  GBytes     *unanswered;     /* the push that got no answer */
} Pusher;

static gpointer
push_until_failure (gpointer data)
{
  Pusher *p = data;
  g_autofree char *url = g_strdup (p->f->url);
  VpRelayConfig config = config_for (p->f, p->device->token);

  config.endpoint = url;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) blob = seal_text (p->team->key, p->device, "pushed", 20 * 1024);
      guint64 cursor = 0;

      if (!vp_relay_push (&config, &p->team->id, blob, 0, &cursor, &error))
        {
          g_assert_true (error->code == VP_RELAY_ERROR_NETWORK || error->code == VP_RELAY_ERROR_UNCONFIRMED);
          p->unanswered = g_steal_pointer (&blob);
          return NULL;
        }
      g_ptr_array_add (p->acknowledged, g_steal_pointer (&blob));
    }
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  Team team = { 0 };
  Device coach = { 0 };
  g_autoptr(GPtrArray) acknowledged = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GThread) thread = NULL;
  Pusher pusher = { f, &team, &coach, acknowledged, NULL };
  guint pulls = 0;

  create_team (f, &team);
  enrol (f, &team, &coach);

  /* A clean restart keeps the team, its tokens and blobs. */
  {
    g_autoptr(GBytes) blob = seal_text (team.key, &coach, "before restart", 0);

    g_ptr_array_add (acknowledged, g_bytes_ref (blob));
    push (f, &team.id, &coach, blob, 0);
  }
  stop_server (f, SIGTERM);
  start_server (f);

  /* kill -9 while blobs are being sent. */
  thread = g_thread_new ("pusher", push_until_failure, &pusher);
  while (acknowledged->len < 20)
    g_usleep (10 * 1000);
  stop_server (f, SIGKILL);
  g_thread_join (g_steal_pointer (&thread));
  g_assert_nonnull (pusher.unanswered);
  start_server (f);

  /* Everything acknowledged is there, in order, byte for byte; the
   * unanswered one may be there too, and sending it again is safe. */
  {
    guint64 cursor = push (f, &team.id, &coach, pusher.unanswered, 0);

    g_assert_cmpuint (cursor, ==, acknowledged->len + 1);
  }
  all = pull_all (f, &team.id, &coach, 0, &pulls);
  g_assert_cmpuint (all->len, ==, acknowledged->len + 1);
  for (guint i = 0; i < acknowledged->len; i++)
    g_assert_true (g_bytes_equal (((VpRelayBlob *) all->pdata[i])->blob, acknowledged->pdata[i]));
  g_bytes_unref (pusher.unanswered);
  device_clear (&coach);
  team_clear (&team);
}

/* ---- What the relay's operator sees ----------------------------------------- */

static void
test_operator (Fixture       *f,
               gconstpointer  data)
{
  Team team = { 0 };
  Device coach = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(VpTeamKey) stranger = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *tables = NULL;
  guint blobs = 0, cells = 0;
  guint8 secret[VP_TEAM_KEY_LEN];

  create_team (f, &team);
  enrol (f, &team, &coach);
  for (guint i = 0; i < 6; i++)
    {
      Device *sender = i % 2 == 0 ? &coach : &team.admin;
      g_autoptr(GBytes) blob = seal_text (team.key, sender, MARKER, i * 1500);

      push (f, &team.id, sender, blob, 0);
    }
  g_assert_false (relay_files_hold (f, (const guint8 *) MARKER, strlen (MARKER)));

  /* Every cell of every table, as the operator can read them. */
  g_assert_cmpint (sqlite3_open_v2 (f->relay_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &tables, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", sqlite3_column_text (tables, 0));
      sqlite3_stmt *rows = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL), ==, SQLITE_OK);
      while (sqlite3_step (rows) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (rows); c++)
          {
            const void *cell = sqlite3_column_blob (rows, c);
            gsize len = (gsize) sqlite3_column_bytes (rows, c);

            cells++;
            g_assert_true (cell == NULL || memmem (cell, len, MARKER, strlen (MARKER)) == NULL);
            /* No token is kept either, only hashes. */
            g_assert_true (cell == NULL || memmem (cell, len, coach.token, strlen (coach.token)) == NULL);
          }
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  g_assert_cmpuint (cells, >, 50);

  /* Every stored blob opens with the team key, and with no other. */
  g_assert_cmpint (RAND_bytes (secret, sizeof secret), ==, 1);
  stranger = vp_team_key_new (&team.id, 1, secret, &error);
  g_assert_no_error (error);
  {
    sqlite3_stmt *rows = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT data FROM relay_blobs", -1, &rows, NULL), ==, SQLITE_OK);
    while (sqlite3_step (rows) == SQLITE_ROW)
      {
        g_autoptr(GBytes) blob = g_bytes_new (sqlite3_column_blob (rows, 0), (gsize) sqlite3_column_bytes (rows, 0));
        g_autoptr(GBytes) opened = vp_team_open (team.key, blob, NULL, &error);
        g_autoptr(GBytes) not_opened = NULL;

        g_assert_no_error (error);
        g_assert_nonnull (memmem (g_bytes_get_data (opened, NULL), g_bytes_get_size (opened), MARKER, strlen (MARKER)));
        not_opened = vp_team_open (stranger, blob, NULL, &error);
        g_assert_null (not_opened);
        g_assert_error (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED);
        g_clear_error (&error);
        blobs++;
      }
    sqlite3_finalize (rows);
  }
  sqlite3_close (db);
  g_assert_cmpuint (blobs, ==, 6);
  device_clear (&coach);
  team_clear (&team);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/relay/create", Fixture, NULL, fixture_setup, test_create, fixture_teardown);
  g_test_add ("/relay/enrol", Fixture, NULL, fixture_setup, test_enrol, fixture_teardown);
  g_test_add ("/relay/blobs", Fixture, NULL, fixture_setup, test_blobs, fixture_teardown);
  g_test_add ("/relay/remove", Fixture, NULL, fixture_setup, test_remove, fixture_teardown);
  g_test_add ("/relay/compact", Fixture, NULL, fixture_setup, test_compact, fixture_teardown);
  g_test_add ("/relay/restart", Fixture, NULL, fixture_setup, test_restart, fixture_teardown);
  g_test_add ("/relay/operator", Fixture, NULL, fixture_setup, test_operator, fixture_teardown);
  return g_test_run ();
}
