/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The first sync of a new laptop in a big team (#16):
 *
 *   bench-team-sync --store DIR --endpoint PROGRAM --work DIR [--quick] < passphrase
 *
 * Copies the store (a synthetic one, `vindplaats-admin demo-store`) into
 * WORK, starts the real endpoint with a relay over TLS on 127.0.0.1, and
 * turns the copy into the team leader's laptop: that turns every record
 * into changes (enable_s). Its first round pushes them all (push_s, blobs,
 * relay_mb). Then a new, empty laptop enrols and runs its first round, the
 * figure the issue asks for: first_sync_s from the start of that round to
 * the last change applied, and first_sync_mb, the sealed bytes it pulled.
 * Last, the new laptop must hold the very records of the leader's: every
 * synced column of every client, consent, language need, contact and
 * referral is hashed in uid order on both sides and compared (a
 * difference fails the run). Figures are `figure NAME VALUE` lines, as
 * bench-store prints them; tests/bench/bench.py runs it and prints the
 * table. Timings never decide a test. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "bench-ops.h"
#include "vp-data-init.h"
#include "vp-store-private.h"
#include "vp-team-enrol.h"
#include "vp-team-round.h"

static char *opt_store;
static char *opt_endpoint;
static char *opt_work;
static gboolean opt_quick;

static const GOptionEntry entries[] = {
  { "store", 0, 0, G_OPTION_ARG_FILENAME, &opt_store, "Store folder to copy (left as it is)", "DIR" },
  { "endpoint", 0, 0, G_OPTION_ARG_FILENAME, &opt_endpoint, "The vindplaats-endpoint program", "PROGRAM" },
  { "work", 0, 0, G_OPTION_ARG_FILENAME, &opt_work, "An empty folder for the copies and the relay", "DIR" },
  { "quick", 0, 0, G_OPTION_ARG_NONE, &opt_quick, "The smoke test (no difference but the label)", NULL },
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

static void
check (gboolean     ok,
       GError      *error,
       const char  *what)
{
  if (!ok)
    g_error ("%s: %s", what, error != NULL ? error->message : "failed");
}

/* ---- Files ---------------------------------------------------------------- */

static void
copy_dir (const char *from,
          const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (from, 0, &error);
  const char *name;

  check (dir != NULL, error, "The store cannot be read");
  if (g_mkdir_with_parents (to, 0700) != 0)
    g_error ("%s cannot be made", to);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      g_autoptr(GFile) a = g_file_new_for_path (src);
      g_autoptr(GFile) b = g_file_new_for_path (dst);

      check (g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error), error,
             "The store cannot be copied");
    }
}

/* A store's size on disk: its database with the write-ahead log. */
static double
store_mb (const char *dir)
{
  static const char * const names[] = { "store.db", "store.db-wal", NULL };
  double mb = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        mb += st.st_size / 1e6;
    }
  return mb;
}

/* ---- The endpoint with its relay ----------------------------------------- */

static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static char *
run_capture (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autofree char *out = NULL;

  check (proc != NULL, error, argv[0]);
  check (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error), error, argv[0]);
  if (!g_subprocess_get_successful (proc))
    g_error ("%s %s failed", argv[0], argv[1]);
  return g_strstrip (g_steal_pointer (&out));
}

typedef struct {
  char        *cert;
  char        *relay_db;
  char        *url;
  char        *token;
  GSubprocess *server;
} Relay;

/* The endpoint as a team's would run it, with a quota that the whole
 * caseload fits in: the bench measures the first sync, not the quota. */
static void
relay_start (Relay      *relay,
             const char *team_code)
{
  g_autofree char *key = g_build_filename (opt_work, "key.pem", NULL);
  g_autofree char *log = g_build_filename (opt_work, "endpoint.log", NULL);
  g_autofree char *db = g_build_filename (opt_work, "endpoint.db", NULL);
  const char *cert_argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", key, "-out", NULL, NULL
  };
  const char *issue[] = { opt_endpoint, "issue-token", "--db", db, "--team", team_code, NULL };
  const char *serve[] = {
    opt_endpoint, "serve", "--db", db, "--relay-db", NULL, "--relay-quota", "1048576",
    "--cert", NULL, "--key", key, "--address", "127.0.0.1", "--port", "0", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  relay->cert = g_build_filename (opt_work, "cert.pem", NULL);
  relay->relay_db = g_build_filename (opt_work, "relay.db", NULL);
  cert_argv[17] = relay->cert;
  g_free (run_capture (cert_argv));
  relay->token = run_capture (issue);
  serve[5] = relay->relay_db;
  serve[9] = relay->cert;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* A line per request: kept beside the relay, out of the figures. */
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  relay->server = g_subprocess_launcher_spawnv (launcher, serve, &error);
  check (relay->server != NULL, error, "The endpoint did not start");
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (relay->server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on https://127.0.0.1:"))
    g_error ("The endpoint did not start listening");
  relay->url = g_strdup (line + strlen ("listening on "));
}

static void
relay_stop (Relay *relay)
{
  if (relay->server != NULL)
    {
      g_subprocess_send_signal (relay->server, SIGTERM);
      g_subprocess_wait (relay->server, NULL, NULL);
      g_clear_object (&relay->server);
    }
  g_clear_pointer (&relay->cert, g_free);
  g_clear_pointer (&relay->relay_db, g_free);
  g_clear_pointer (&relay->url, g_free);
  g_clear_pointer (&relay->token, g_free);
}

/* What the relay holds, from its own file: the blobs up to a cursor (0:
 * all) and their sizes, which is what a laptop that pulls them from the
 * start downloads (the frames add 12 bytes each). */
static void
relay_blobs (Relay   *relay,
             guint64  up_to,
             guint   *n_blobs,
             double  *mb)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_open_v2 (relay->relay_db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("The relay's file cannot be read");
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_prepare_v2 (db, "SELECT count (*), coalesce (sum (size), 0) FROM relay_blobs"
                              " WHERE ?1 = 0 OR cursor <= ?1", -1, &stmt, NULL) != SQLITE_OK)
    g_error ("The relay's file cannot be read: %s", sqlite3_errmsg (db));
  sqlite3_bind_int64 (stmt, 1, (gint64) up_to);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("The relay's file cannot be read: %s", sqlite3_errmsg (db));
  *n_blobs = (guint) sqlite3_column_int64 (stmt, 0);
  *mb = sqlite3_column_int64 (stmt, 1) / 1e6;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* ---- Laptops -------------------------------------------------------------- */

static void
configure (VpStore *store,
           Relay   *relay)
{
  g_autoptr(GError) error = NULL;

  check (vp_store_set_setting (store, "endpoint_url", relay->url, &error) &&
         vp_store_set_setting (store, "endpoint_token", relay->token, &error) &&
         vp_store_set_setting (store, "endpoint_ca_file", relay->cert, &error),
         error, "The endpoint's settings cannot be saved");
}

static void
round_or_die (VpStore          *store,
              VpTeamRoundStats *stats)
{
  g_autoptr(GError) error = NULL;

  check (_vp_team_round (store, NULL, stats, &error), error, "A round of team sync failed");
}

/* The enrolment as the two screens go through it (tests/test-team-sync.c
 * checks each step; here they only have to succeed). */
static void
enrol (VpStore *leader,
       VpStore *joiner)
{
  g_autoptr(GError) error = NULL;
  VpInviteSteps invite;
  VpJoinSteps join = { 0 };
  gboolean done = FALSE;

  check (_vp_invite_open (leader, &invite, &error), error, "The invitation failed");
  check (_vp_join_open (joiner, &join, invite.code, "Laptop Nieuw", &error), error, "Joining failed");
  check (_vp_invite_poll (leader, &invite, &error) && invite.joined, error, "The joiner did not arrive");
  check (_vp_join_poll_reveal (joiner, &join, &error) && join.revealed, error, "The reveal failed");
  if (strcmp (invite.safety_number, join.safety_number) != 0)
    g_error ("The safety numbers differ");
  check (_vp_invite_confirm (leader, &invite, &error), error, "The confirmation failed");
  check (_vp_join_poll_key (joiner, &join, &done, &error) && done, error, "The team key did not arrive");
  _vp_join_steps_clear (&join);
}

static gint64
count_rows (VpStore    *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (n < 0)
    g_error ("%s: %s", sql, sqlite3_errmsg (vp_store_get_db (store)));
  return n;
}

/* ---- The same records on both laptops ------------------------------------- */

/* Every synced column, local ids replaced by what they name (a uid, a
 * location's name), in uid order: the two laptops' local ids differ. */
static const struct {
  const char *table;
  const char *sql;
} record_queries[] = {
  { "client", "SELECT uid, label, birth_year, neighbourhood, phone, created_at FROM client ORDER BY uid" },
  { "consent", "SELECT co.uid, c.uid, co.category, co.given_at, co.withdrawn_at, co.method,"
               " co.explanation_language, co.text_version"
               " FROM consent co JOIN client c ON c.id = co.client_id ORDER BY co.uid" },
  { "language_need", "SELECT c.uid, n.dutch_proficiency, n.preferred_languages"
                     " FROM language_need n JOIN client c ON c.id = n.client_id ORDER BY c.uid" },
  { "contact", "SELECT ct.uid, c.uid, a.uid, l.name, ct.location_type, ct.occurred_at, ct.kind,"
               " ct.initiated_by, ct.stage, ct.interpreter, ct.notes, ct.entered_at,"
               " ct.dutch_proficiency, ct.language"
               " FROM contact ct JOIN client c ON c.id = ct.client_id"
               " LEFT JOIN account a ON a.id = ct.account_id"
               " LEFT JOIN location l ON l.id = ct.location_id ORDER BY ct.uid" },
  { "referral", "SELECT r.uid, c.uid, a.uid, x.uid, r.category, r.organisation, r.referred_on,"
                " r.warm_handover, r.feedback_expected_by, r.feedback_received_on, r.outcome,"
                " r.feedback_note, r.leader_note, v.uid, r.reviewed_at, r.entered_at"
                " FROM referral r JOIN client c ON c.id = r.client_id"
                " LEFT JOIN account a ON a.id = r.account_id"
                " LEFT JOIN contact x ON x.id = r.contact_id"
                " LEFT JOIN account v ON v.id = r.reviewed_by ORDER BY r.uid" },
};

/* SHA-256 over the rows, each value with its type and length, so that
 * NULL, '' and a shifted boundary all hash differently. */
static char *
hash_rows (VpStore    *store,
           const char *sql,
           gint64     *n_rows)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3_stmt *stmt = NULL;
  int rc;

  *n_rows = 0;
  if (sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (vp_store_get_db (store)));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          int type = sqlite3_column_type (stmt, i);
          const guchar *data = type == SQLITE_BLOB ? sqlite3_column_blob (stmt, i)
                                                   : sqlite3_column_text (stmt, i);
          guint32 head[2] = { (guint32) type, (guint32) sqlite3_column_bytes (stmt, i) };

          g_checksum_update (sum, (const guchar *) head, sizeof head);
          if (data != NULL)
            g_checksum_update (sum, data, head[1]);
        }
      (*n_rows)++;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (vp_store_get_db (store)));
  return g_strdup (g_checksum_get_string (sum));
}

static void
compare_records (VpStore *leader,
                 VpStore *joiner)
{
  for (guint i = 0; i < G_N_ELEMENTS (record_queries); i++)
    {
      gint64 n_leader, n_joiner;
      g_autofree char *a = hash_rows (leader, record_queries[i].sql, &n_leader);
      g_autofree char *b = hash_rows (joiner, record_queries[i].sql, &n_joiner);
      g_autofree char *figure = g_strdup_printf ("%ss", record_queries[i].table);

      if (n_leader != n_joiner || strcmp (a, b) != 0)
        g_error ("The new laptop's %s rows differ from the leader's (%" G_GINT64_FORMAT
                 " against %" G_GINT64_FORMAT ")", record_queries[i].table, n_joiner, n_leader);
      bench_figure (figure, (double) n_joiner);
    }
}

/* ---- The run ---------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— the first sync of a new laptop in a team");
  g_autoptr(GError) error = NULL;
  g_autofree char *passphrase = NULL;
  g_autofree char *leader_dir = NULL, *joiner_dir = NULL;
  g_autoptr(VpStore) leader = NULL;
  g_autoptr(VpStore) joiner = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  VpTeamRoundStats pushed = { 0 }, pulled = { 0 };
  Relay relay = { 0 };
  guint n_blobs = 0;
  double start, mb = 0;

  if (!vp_data_init (&error))
    g_error ("vp_data_init: %s", error->message);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 1 || opt_store == NULL ||
      opt_endpoint == NULL || opt_work == NULL)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                  : "Usage: bench-team-sync --store DIR --endpoint PROGRAM --work DIR < passphrase");
      return 2;
    }
  passphrase = read_passphrase ();
  leader_dir = g_build_filename (opt_work, "leader", NULL);
  joiner_dir = g_build_filename (opt_work, "joiner", NULL);

  copy_dir (opt_store, leader_dir);
  leader = vp_store_open (leader_dir, passphrase, &error);
  check (leader != NULL, error, "The store cannot be opened");
  bench_figure ("store_mb", store_mb (leader_dir));
  relay_start (&relay, vp_store_get_team_code (leader));
  configure (leader, &relay);

  /* The team leader turns team sync on: every record becomes changes. */
  start = bench_now ();
  check (_vp_team_create (leader, "Laptop Leider", &error), error, "Turning team sync on failed");
  bench_figure ("enable_s", bench_now () - start);
  bench_figure ("changes", (double) count_rows (leader, "SELECT count (*) FROM team_change"));
  bench_figure ("change_body_mb", count_rows (leader, "SELECT coalesce (sum (length (body)), 0)"
                                                      " FROM team_change") / 1e6);
  bench_figure ("leader_store_mb", store_mb (leader_dir));

  start = bench_now ();
  round_or_die (leader, &pushed);
  bench_figure ("push_s", bench_now () - start);
  relay_blobs (&relay, 0, &n_blobs, &mb);
  bench_figure ("blobs", n_blobs);
  bench_figure ("relay_mb", mb);

  /* A new laptop: an empty store, enrolled, then its first round. */
  {
    VpStoreSetup setup = { vp_store_get_team_code (leader), vp_store_get_municipality_code (leader),
                           "Nieuwe Coach", passphrase };

    joiner = vp_store_create (joiner_dir, &setup, NULL, &error);
    check (joiner != NULL, error, "The new laptop's store cannot be made");
  }
  configure (joiner, &relay);
  enrol (leader, joiner);

  start = bench_now ();
  round_or_die (joiner, &pulled);
  bench_figure ("first_sync_s", bench_now () - start);
  check (vp_store_team_get_identity (joiner, &identity, &error), error, "The new laptop has no team");
  relay_blobs (&relay, identity.cursor, &n_blobs, &mb);
  bench_figure ("first_sync_blobs", n_blobs);
  bench_figure ("first_sync_mb", mb);
  bench_figure ("first_sync_changes", pulled.n_applied);
  bench_figure ("joiner_store_mb", store_mb (joiner_dir));
  if (pulled.n_rejected > 0)
    g_error ("The new laptop refused %u blob(s)", pulled.n_rejected);

  compare_records (leader, joiner);
  relay_stop (&relay);
  return 0;
}
