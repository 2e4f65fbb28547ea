/* SPDX-License-Identifier: GPL-3.0-or-later */
/* End to end over real TLS on loopback: the reference endpoint runs as a
 * child process with a certificate made for this run, and the app's own
 * outbox and libcurl uploader send to it. */
#include "config.h"

#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "vp-client-cert.h"
#include "vp-outbox.h"
#include "vp-sync.h"
#include "vp-test-certs.h"
#include "vp-test-util.h"

typedef struct {
  char        *dir;
  char        *cert;
  char        *key;
  char        *endpoint_db;
  char        *url;
  char        *token;
  char        *certs;     /* client certificate material, mTLS fixture only */
  GSubprocess *server;
  VpStore     *store;
} Fixture;

static const char *
endpoint_program (void)
{
  const char *path = g_getenv ("VP_ENDPOINT");
  g_assert_nonnull (path);
  return path;
}

static char *
run_capture (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
  return g_strstrip (g_steal_pointer (&out));
}

static void
make_certificate (Fixture *f)
{
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", f->key, "-out", f->cert, NULL
  };
  g_free (run_capture (argv));
}

/* A failed assertion aborts before the teardown: the server must not
 * outlive the test, or the harness waits for it until it times out. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

/* @client_ca and @client_auth: NULL, or what the endpoint demands of a
 * client certificate (--client-ca, --client-auth). */
static void
start_server (Fixture    *f,
              const char *client_ca,
              const char *client_auth)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = {
    endpoint_program (), "serve", "--db", f->endpoint_db, "--cert", f->cert, "--key", f->key,
    "--address", "127.0.0.1", "--port", "0",
    client_ca != NULL ? "--client-ca" : NULL, client_ca, "--client-auth", client_auth, NULL
  };

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on https://127.0.0.1:"));
  f->url = g_strdup (line + strlen ("listening on "));
}

/* The endpoint's certificate and database with a token for team-noord. */
static void
prepare_endpoint (Fixture *f)
{
  const char *issue[] = { endpoint_program (), "issue-token", "--db", NULL, "--team", "team-noord", NULL };

  f->dir = vp_test_make_dir ();
  f->cert = g_build_filename (f->dir, "cert.pem", NULL);
  f->key = g_build_filename (f->dir, "key.pem", NULL);
  f->endpoint_db = g_build_filename (f->dir, "endpoint.db", NULL);
  make_certificate (f);
  issue[3] = f->endpoint_db;
  f->token = run_capture (issue);
  g_assert_cmpuint (strlen (f->token), >=, 32);
}

/* The laptop's store, set up for the endpoint; the token only if given. */
static void
prepare_store (Fixture    *f,
               const char *token)
{
  g_autofree char *store_dir = g_build_filename (f->dir, "store", NULL);

  f->store = vp_test_create_store (store_dir);
  g_assert_true (vp_store_set_setting (f->store, "endpoint_url", f->url, NULL));
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", token, NULL));
  g_assert_true (vp_store_set_setting (f->store, "endpoint_ca_file", f->cert, NULL));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  prepare_endpoint (f);
  start_server (f, NULL, NULL);
  prepare_store (f, f->token);
}

/* An endpoint that demands client certificates from the municipality's
 * CA (#12): @data is "cert" (a mapped certificate suffices, so the store
 * gets no token) or "both" (token and certificate). A second CA, "other",
 * signs what the endpoint must refuse. */
static void
mtls_fixture_setup (Fixture       *f,
                    gconstpointer  data)
{
  const char *client_auth = data;
  g_autofree char *client_ca = NULL;

  prepare_endpoint (f);
  f->certs = g_build_filename (f->dir, "certs", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->certs, 0700), ==, 0);
  vp_test_cert_make_ca (f->certs, "municipality");
  vp_test_cert_make_ca (f->certs, "other");
  client_ca = g_build_filename (f->certs, "municipality-ca.pem", NULL);
  start_server (f, client_ca, client_auth);
  prepare_store (f, g_str_equal (client_auth, "both") ? f->token : NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_subprocess_send_signal (f->server, SIGTERM);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server);
  g_clear_object (&f->store);
  vp_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->cert);
  g_free (f->key);
  g_free (f->endpoint_db);
  g_free (f->url);
  g_free (f->token);
  g_free (f->certs);
}

static int
endpoint_count (Fixture    *f,
                const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM reports WHERE %s", where);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n = -1;

  g_assert_cmpint (sqlite3_open_v2 (f->endpoint_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static char *
endpoint_body (Fixture *f)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *body = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->endpoint_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT body FROM reports ORDER BY revision DESC LIMIT 1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    body = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return body;
}

/* The name the endpoint keeps for an installation, decoded back to UTF-8;
 * NULL when it has none. */
static char *
endpoint_label (Fixture    *f,
                const char *team,
                const char *installation)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *label = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (f->endpoint_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  rc = sqlite3_prepare_v2 (db, "SELECT label FROM installations WHERE team = ?1 AND installation = ?2",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_test_message ("the endpoint keeps no installation labels: %s", sqlite3_errmsg (db));
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, team, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, installation, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    label = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return label;
}

static void
register_month (VpStore    *store,
                const char *prefix,
                int         n)
{
  for (int i = 0; i < n; i++)
    {
      g_autofree char *label = g_strdup_printf ("%s-%d", prefix, i);
      g_autoptr(GDateTime) when = g_date_time_new_local (2026, 10, 1 + i % 28, 11, 0, 0);
      vp_test_register (store, label, 1970 + i, i % 3 ? "school" : "migrant_org", "first",
                        i % 2 ? "limited" : NULL, when);
    }
}

static VpOutboxItem *
only_item (VpStore *store,
           guint    revision)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (store, "2026-10", NULL);

  g_assert_nonnull (items);
  for (guint i = 0; i < items->len; i++)
    {
      VpOutboxItem *item = g_ptr_array_index (items, i);
      if (item->revision == revision)
        return g_ptr_array_steal_index (items, i);
    }
  g_assert_not_reached ();
}

static void
test_deliver_and_replay (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpOutboxItem) item = NULL;
  g_autofree char *stored = NULL;
  guint n = 0;

  register_month (f->store, "E2E-Label", 20);

  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  item = only_item (f->store, 1);
  g_assert_cmpstr (item->state, ==, "delivered");
  g_assert_cmpint (item->last_status, ==, 201);
  stored = endpoint_body (f);
  g_assert_cmpstr (stored, ==, item->body);
  g_assert_null (strstr (stored, "E2E-Label"));
  g_assert_cmpint (endpoint_count (f, "period = '2026-10' AND team = 'team-noord'"), ==, 1);

  /* Nothing changed: no new revision. */
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_cmpuint (n, ==, 0);

  /* The answer was lost and the laptop sends again: stored once. */
  g_assert_true (vp_outbox_mark (f->store, item->id, "queued", 0, NULL, 0, NULL));
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_clear_pointer (&item, vp_outbox_item_free);
  item = only_item (f->store, 1);
  g_assert_cmpint (item->last_status, ==, 200);
  g_assert_cmpint (endpoint_count (f, "1"), ==, 1);
}

static void
test_wrong_token (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpOutboxItem) item = NULL;
  guint n = 0;

  register_month (f->store, "Token", 12);
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", "not-the-token", NULL));

  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);

  item = only_item (f->store, 1);
  g_assert_cmpstr (item->state, ==, "needs_attention");
  g_assert_cmpint (item->last_status, ==, 401);
  g_assert_nonnull (item->last_error);
  g_assert_nonnull (strstr (item->last_error, "401"));
  g_assert_nonnull (item->body);
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);

  /* With the right token the same revision goes out (on demand). */
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", f->token, NULL));
  g_assert_true (vp_outbox_mark (f->store, item->id, "queued", 0, NULL, 0, NULL));
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (endpoint_count (f, "revision = 1"), ==, 1);
}

/* A delivered month is never sent again: a later change to it makes no
 * new revision (the municipality could difference the two). */
static void
test_released_once (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  register_month (f->store, "Rev", 10);
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_cmpuint (n, ==, 1);

  register_month (f->store, "Rev-late", 10);
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (endpoint_count (f, "period = '2026-10'"), ==, 1);
  g_assert_cmpint (endpoint_count (f, "revision = 2"), ==, 0);
}

/* The team leader's name for the laptop travels with its report (#11),
 * percent-encoded in a header, and the endpoint keeps it as typed. */
static void
test_installation_label (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  guint n = 0;

  g_assert_true (vp_sync_set_installation_label (f->store, "Laptop Zuid – 2", &error));
  g_assert_no_error (error);
  register_month (f->store, "Named", 10);
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);

  label = endpoint_label (f, vp_store_get_team_code (f->store), vp_store_get_installation_id (f->store));
  g_assert_cmpstr (label, ==, "Laptop Zuid – 2");
}

/* Verification is never off: without our CA the upload stops for attention. */
static void
test_untrusted_certificate (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpOutboxItem) item = NULL;
  guint n = 0;

  register_month (f->store, "Tls", 6);
  g_assert_true (vp_store_set_setting (f->store, "endpoint_ca_file", NULL, NULL));
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  item = only_item (f->store, 1);
  g_assert_cmpstr (item->state, ==, "needs_attention");
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);
}

#define CLIENT_SUBJECT "/O=Wijkteam Noord/CN=laptop-1"

/* Imports a PKCS#12 file as the team leader would, judged at @at (NULL:
 * now); returns the subject as the report page shows it. */
static char *
import_client_certificate (Fixture    *f,
                           const char *p12,
                           GDateTime  *at)
{
  g_autoptr(GBytes) bytes = vp_test_read_bytes (p12);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VpClientCertInfo) info = NULL;

  g_assert_true (vp_client_cert_import (f->store, bytes, "p12 wachtwoord", at != NULL ? at : now, &error));
  g_assert_no_error (error);
  info = vp_client_cert_get_info (f->store);
  g_assert_nonnull (info);
  return g_strdup (info->subject);
}

/* What the municipality does with the subject the team leader gives it. */
static void
map_certificate (Fixture    *f,
                 const char *subject)
{
  const char *argv[] = {
    endpoint_program (), "map-certificate", "--db", f->endpoint_db, "--subject", subject,
    "--team", "team-noord", NULL
  };
  g_free (run_capture (argv));
}

/* Queues a month and tries to send it; the outbox entry it left. */
static VpOutboxItem *
send_month (Fixture    *f,
            const char *prefix,
            guint       expect_delivered)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  register_month (f->store, prefix, 10);
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, expect_delivered);
  return only_item (f->store, 1);
}

static void
assert_refused (VpOutboxItem *item,
                int           status,
                const char   *reason_part)
{
  g_test_message ("state %s, status %d, reason: %s", item->state, item->last_status,
                  item->last_error != NULL ? item->last_error : "(none)");
  g_assert_cmpstr (item->state, ==, "needs_attention");
  g_assert_cmpint (item->last_status, ==, status);
  g_assert_nonnull (item->last_error);
  g_assert_nonnull (strstr (item->last_error, reason_part));
}

/* Sends again what was refused, on demand (as Send Now does). */
static VpOutboxItem *
send_again (Fixture      *f,
            VpOutboxItem *item,
            guint         expect_delivered)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (vp_outbox_mark (f->store, item->id, "queued", 0, NULL, 0, NULL));
  vp_outbox_item_free (item);
  g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, expect_delivered);
  return only_item (f->store, 1);
}

/* A certificate from the municipality's CA, for TLS clients, and mapped
 * to the team by the subject the app shows: delivered without any token.
 * Before it is mapped the endpoint says it is not registered. */
static void
test_client_cert_delivered (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", CLIENT_SUBJECT,
                                                   -1, 30, "p12 wachtwoord");
  g_autofree char *subject = import_client_certificate (f, p12, NULL);
  g_autofree char *token = vp_store_get_setting (f->store, "endpoint_token");
  VpOutboxItem *item;

  g_assert_null (token);
  g_assert_cmpstr (subject, ==, "CN=laptop-1,O=Wijkteam Noord");

  item = send_month (f, "Mtls", 0);
  assert_refused (item, 403, "The client certificate is not registered for this team");
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);

  map_certificate (f, subject);
  item = send_again (f, item, 1);
  g_assert_cmpstr (item->state, ==, "delivered");
  g_assert_cmpint (item->last_status, ==, 201);
  g_assert_cmpint (endpoint_count (f, "period = '2026-10' AND team = 'team-noord'"), ==, 1);
  vp_outbox_item_free (item);
}

/* The same subject from another CA is not the municipality's certificate. */
static void
test_client_cert_other_ca (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "other", "laptop-1", CLIENT_SUBJECT,
                                                   -1, 30, "p12 wachtwoord");
  g_autofree char *subject = import_client_certificate (f, p12, NULL);
  g_autoptr(VpOutboxItem) item = NULL;

  map_certificate (f, subject);
  item = send_month (f, "Other", 0);
  assert_refused (item, 403, "The client certificate was not issued by the municipality’s CA");
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);
}

/* A mapped certificate that expired after it was imported is refused by
 * the endpoint, and the reason says that it expired. */
static void
test_client_cert_expired (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_days (now, -400);
  g_autoptr(GDateTime) end = g_date_time_add_days (now, -35);
  g_autoptr(GDateTime) imported = g_date_time_add_days (now, -300);
  g_autofree char *cert = vp_test_cert_make_leaf (f->certs, "municipality", "laptop-1", CLIENT_SUBJECT,
                                                  "client", start, end);
  g_autofree char *p12 = vp_test_cert_make_pkcs12 (f->certs, "municipality", "laptop-1", "p12 wachtwoord", NULL);
  g_autofree char *subject = import_client_certificate (f, p12, imported);
  g_autofree char *date = vp_client_cert_format_date (g_date_time_to_unix (end));
  g_autoptr(VpOutboxItem) item = NULL;

  map_certificate (f, subject);
  item = send_month (f, "Expired", 0);
  assert_refused (item, 403, "The client certificate has expired");
  g_assert_nonnull (strstr (item->last_error, "expired on"));
  g_assert_nonnull (strstr (item->last_error, date));
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);
}

/* A laptop with a token but no certificate, where one is required. */
static void
test_client_cert_missing (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(VpOutboxItem) item = NULL;

  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", f->token, NULL));
  item = send_month (f, "Missing", 0);
  assert_refused (item, 403, "A client certificate from the municipality’s CA is required");
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);
}

/* --client-auth both: the token alone is refused, token and certificate
 * pass, and the certificate without the right token does not. */
static void
test_client_cert_and_token (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", CLIENT_SUBJECT,
                                                   -1, 30, "p12 wachtwoord");
  g_autofree char *subject = NULL;
  VpOutboxItem *item;

  item = send_month (f, "Both", 0);
  assert_refused (item, 403, "A client certificate from the municipality’s CA is required");

  subject = import_client_certificate (f, p12, NULL);
  map_certificate (f, subject);
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", "not-the-token", NULL));
  item = send_again (f, item, 0);
  assert_refused (item, 401, "401");

  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", f->token, NULL));
  item = send_again (f, item, 1);
  g_assert_cmpstr (item->state, ==, "delivered");
  g_assert_cmpint (endpoint_count (f, "1"), ==, 1);
  vp_outbox_item_free (item);
}

/* `openssl s_server` as a server that checks client certificates in the
 * TLS handshake, as a web server with client verification on does (the
 * reference endpoint answers 403 instead); its URL. */
static GSubprocess *
start_handshake_checker (Fixture  *f,
                         char    **url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *client_ca = g_build_filename (f->certs, "municipality-ca.pem", NULL);
  GSubprocess *server;
  const char *argv[] = {
    "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", f->cert, "-key", f->key,
    "-Verify", "2", "-verify_return_error", "-CAfile", client_ca, "-www", NULL
  };

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "ACCEPT 127.0.0.1:"))
        {
          *url = g_strdup_printf ("https://%s", line + strlen ("ACCEPT "));
          return server;
        }
    }
}

/* A server that refuses in the handshake: each refusal stops for the
 * team leader's attention, with the alert it sent, instead of being
 * retried as a network fault. */
static void
test_client_cert_handshake (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) checker = start_handshake_checker (f, &url);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_days (now, -400);
  g_autoptr(GDateTime) end = g_date_time_add_days (now, -35);
  g_autoptr(GDateTime) imported = g_date_time_add_days (now, -300);
  g_autofree char *other = vp_test_cert_make_client (f->certs, "other", "other", CLIENT_SUBJECT,
                                                     -1, 30, "p12 wachtwoord");
  g_autofree char *expired = NULL;
  VpOutboxItem *item;

  g_assert_true (vp_store_set_setting (f->store, "endpoint_url", url, NULL));
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", f->token, NULL));

  item = send_month (f, "Handshake", 0);
  assert_refused (item, 0, "The endpoint asks for a client certificate, and none has been imported");
  g_assert_nonnull (strstr (item->last_error, "alert certificate required"));

  g_free (import_client_certificate (f, other, NULL));
  item = send_again (f, item, 0);
  assert_refused (item, 0, "The endpoint refused this laptop’s client certificate");
  g_assert_nonnull (strstr (item->last_error, "alert unknown ca"));

  g_free (vp_test_cert_make_leaf (f->certs, "municipality", "expired", CLIENT_SUBJECT, "client", start, end));
  expired = vp_test_cert_make_pkcs12 (f->certs, "municipality", "expired", "p12 wachtwoord", NULL);
  g_free (import_client_certificate (f, expired, imported));
  item = send_again (f, item, 0);
  assert_refused (item, 0, "The endpoint refused this laptop’s client certificate");
  g_assert_nonnull (strstr (item->last_error, "alert certificate expired"));
  g_assert_nonnull (strstr (item->last_error, "expired on"));
  vp_outbox_item_free (item);

  g_subprocess_send_signal (checker, SIGTERM);
  g_subprocess_wait (checker, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/deliver-and-replay", test_deliver_and_replay);
  ADD ("/sync/wrong-token", test_wrong_token);
  ADD ("/sync/released-once", test_released_once);
  ADD ("/sync/untrusted-certificate", test_untrusted_certificate);
  ADD ("/sync/installation-label", test_installation_label);
#undef ADD
#define ADD_MTLS(path, mode, func) \
  g_test_add (path, Fixture, mode, mtls_fixture_setup, func, fixture_teardown)
  ADD_MTLS ("/sync/client-cert/delivered", "cert", test_client_cert_delivered);
  ADD_MTLS ("/sync/client-cert/other-ca", "cert", test_client_cert_other_ca);
  ADD_MTLS ("/sync/client-cert/expired", "cert", test_client_cert_expired);
  ADD_MTLS ("/sync/client-cert/missing", "cert", test_client_cert_missing);
  ADD_MTLS ("/sync/client-cert/and-token", "both", test_client_cert_and_token);
  ADD_MTLS ("/sync/client-cert/handshake", "cert", test_client_cert_handshake);
#undef ADD_MTLS

  return g_test_run ();
}
