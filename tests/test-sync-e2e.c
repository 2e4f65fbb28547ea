/* SPDX-License-Identifier: GPL-3.0-or-later */
/* End to end over real TLS on loopback: the reference endpoint runs as a
 * child process with a certificate made for this run, and the app's own
 * outbox and libcurl uploader send to it. */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <libintl.h>
#include <locale.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-client-cert.h"
#include "vp-endpoint-pin.h"
#include "vp-fault-vfs.h"
#include "vp-i18n.h"
#include "vp-outbox.h"
#include "vp-sync.h"
#include "vp-test-certs.h"
#include "vp-test-process.h"
#include "vp-test-util.h"
#include "vp-uploader.h"

typedef struct {
  char        *dir;
  char        *cert;
  char        *key;
  char        *endpoint_db;
  char        *url;
  char        *token;
  char        *certs;     /* client certificate material, mTLS fixture only */
  GSubprocess *server;
  GPtrArray   *peers;     /* GSubprocess: faulty peers (#13) */
  VpStore     *store;
} Fixture;

static const char *
endpoint_program (void)
{
  const char *path = g_getenv ("VP_ENDPOINT");
  g_assert_nonnull (path);
  return path;
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
  g_free (vp_test_run_capture (argv));
}

/* The endpoint with @cert and @key (NULL: the fixture's own). @client_ca
 * and @client_auth: NULL, or what the endpoint demands of a client
 * certificate (--client-ca, --client-auth). */
static void
start_server_with (Fixture    *f,
                   const char *cert,
                   const char *key,
                   const char *client_ca,
                   const char *client_auth)
{
  const char *argv[] = {
    endpoint_program (), "serve", "--db", f->endpoint_db,
    "--cert", cert != NULL ? cert : f->cert, "--key", key != NULL ? key : f->key,
    "--address", "127.0.0.1", "--port", "0",
    client_ca != NULL ? "--client-ca" : NULL, client_ca, "--client-auth", client_auth, NULL
  };

  f->server = vp_test_spawn_listening (argv, &f->url);
}

static void
start_server (Fixture    *f,
              const char *client_ca,
              const char *client_auth)
{
  start_server_with (f, NULL, NULL, client_ca, client_auth);
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
  f->token = vp_test_run_capture (issue);
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
stop_process (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  stop_process (f->server);
  g_clear_object (&f->server);
  if (f->peers != NULL)
    for (guint i = 0; i < f->peers->len; i++)
      stop_process (g_ptr_array_index (f->peers, i));
  g_clear_pointer (&f->peers, g_ptr_array_unref);
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
  /* The audit log says which month was sent (#15). */
  {
    g_autoptr(GPtrArray) sent = vp_audit_list (f->store, "report_sent", 0, 0, NULL);

    g_assert_cmpuint (sent->len, ==, 1);
    g_assert_cmpstr (((VpAuditEntry *) g_ptr_array_index (sent, 0))->detail, ==, "2026-10");
  }

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
  g_free (vp_test_run_capture (argv));
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

/* @msgid as the endpoint says it: in Dutch. */
static const char *
in_dutch (const char *msgid)
{
  g_autofree char *saved = g_strdup (g_getenv ("LANGUAGE"));
  const char *dutch;

  g_setenv ("LANGUAGE", "nl", TRUE);
  setlocale (LC_ALL, "");
  /* libc's, not GLib's: g_dgettext() decides once per process whether to
   * translate at all, and in the C locale it decides not to. */
  dutch = dgettext (GETTEXT_PACKAGE, msgid);
  if (saved != NULL)
    g_setenv ("LANGUAGE", saved, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  return dutch;
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
  /* The laptop's own words are English here (C locale); the endpoint
   * speaks Dutch, from the build's catalogue, whatever the caller's. */
  g_assert_true (strstr (item->last_error, reason_part) != NULL ||
                 strstr (item->last_error, in_dutch (reason_part)) != NULL);
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

  g_subprocess_launcher_set_child_setup (launcher, vp_test_die_with_parent, NULL, NULL);
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

/* ---- The sending path under faults (#13) ----
 *
 * Each test below that takes a path runs twice: through vp_sync_send_due(),
 * which the admin command uses, and through vp_sync_send_due_async(), the
 * app's own path (send_next and upload_done on the main loop, the upload
 * in a worker thread). The faults come from tests/vp-fault-peer.py, a
 * peer that resets, drops, hangs, loses the real endpoint's answer or
 * answers what it is told. */

#define ASYNC "async"

static gboolean
is_async (gconstpointer path)
{
  return path != NULL && g_str_equal (path, ASYNC);
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  guint     delivered;
  GError   *error;
} AsyncSend;

static void
async_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncSend *send = user_data;

  send->ok = vp_sync_send_due_finish (VP_STORE (source), result, &send->delivered, &send->error);
  send->done = TRUE;
}

static void
wait_async (AsyncSend *send)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (!send->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Sends what is due now through @path; the number delivered. */
static guint
send_via (Fixture       *f,
          gconstpointer  path)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (is_async (path))
    {
      AsyncSend send = { 0 };

      vp_sync_send_due_async (f->store, NULL, async_sent, &send);
      wait_async (&send);
      g_assert_no_error (send.error);
      g_assert_true (send.ok);
      return send.delivered;
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      g_assert_true (vp_sync_send_due (f->store, now, &n, &error));
      g_assert_no_error (error);
      return n;
    }
}

static const char *
fault_peer_program (void)
{
  const char *path = g_getenv ("VP_FAULT_PEER");
  g_assert_nonnull (path);
  return path;
}

/* Starts tests/vp-fault-peer.py in @mode with the endpoint's certificate
 * and @options (NULL-terminated); its URL. It dies with the test. */
static char *
start_peer (Fixture    *f,
            const char *mode,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  char *url = NULL;
  GSubprocess *peer;
  const char *option;
  va_list args;

  g_ptr_array_add (argv, (char *) "python3");
  g_ptr_array_add (argv, (char *) fault_peer_program ());
  g_ptr_array_add (argv, (char *) mode);
  g_ptr_array_add (argv, (char *) "--cert");
  g_ptr_array_add (argv, f->cert);
  g_ptr_array_add (argv, (char *) "--key");
  g_ptr_array_add (argv, f->key);
  va_start (args, mode);
  while ((option = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) option);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  peer = vp_test_spawn_listening ((const char * const *) argv->pdata, &url);
  if (f->peers == NULL)
    f->peers = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (f->peers, peer);
  return url;
}

static void
use_endpoint (Fixture    *f,
              const char *url)
{
  g_assert_true (vp_store_set_setting (f->store, "endpoint_url", url, NULL));
}

static VpOutboxItem *
make_due (Fixture      *f,
          VpOutboxItem *item)
{
  gint64 id = item->id;

  vp_outbox_item_free (item);
  g_assert_true (vp_outbox_make_due (f->store, id, NULL));
  return only_item (f->store, 1);
}

static VpOutboxItem *
queue_month (Fixture    *f,
             const char *prefix)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  register_month (f->store, prefix, 10);
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  return only_item (f->store, 1);
}

static void
show_item (const VpOutboxItem *item)
{
  g_test_message ("state %s, attempts %u, status %d, reason: %s", item->state, item->attempts,
                  item->last_status, item->last_error != NULL ? item->last_error : "(none)");
}

/* The next try is @low to @high seconds after a send that ran from
 * @before to @after (Unix time). */
static void
assert_next_attempt (const VpOutboxItem *item,
                     gint64              before,
                     gint64              after,
                     gint64              low,
                     gint64              high)
{
  g_test_message ("next attempt %" G_GINT64_FORMAT " s after the send", item->next_attempt_at - before);
  g_assert_cmpint (item->next_attempt_at, >=, before + low);
  g_assert_cmpint (item->next_attempt_at, <=, after + high);
}

static gint64
unix_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static int
audit_count (Fixture *f)
{
  return vp_test_count (f->store, "SELECT count(*) FROM audit_log WHERE action = 'report_sent'");
}

/* A connection reset or dropped in the TLS handshake is a network fault,
 * not a failure of the endpoint's identity: nothing can have arrived, so
 * the revision waits with the usual backoff and goes out once the
 * network is back. */
static void
check_handshake_fault (Fixture       *f,
                       gconstpointer  path,
                       const char    *mode)
{
  g_autofree char *url = start_peer (f, mode, NULL);
  VpOutboxItem *item;
  gint64 before, after;

  use_endpoint (f, url);
  item = queue_month (f, "Handshake");
  before = unix_now ();
  g_assert_cmpuint (send_via (f, path), ==, 0);
  after = unix_now ();
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  show_item (item);
  g_assert_cmpstr (item->state, ==, "retry");
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_nonnull (strstr (item->last_error, "The endpoint could not be reached"));
  g_assert_null (strstr (item->last_error, "identity"));
  assert_next_attempt (item, before, after, 15, 30);
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);

  use_endpoint (f, f->url);
  item = make_due (f, item);
  g_assert_cmpuint (send_via (f, path), ==, 1);
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  g_assert_cmpstr (item->state, ==, "delivered");
  g_assert_cmpint (item->last_status, ==, 201);
  vp_outbox_item_free (item);
}

static void
test_handshake_reset (Fixture       *f,
                      gconstpointer  path)
{
  check_handshake_fault (f, path, "reset-handshake");
}

static void
test_handshake_drop (Fixture       *f,
                     gconstpointer  path)
{
  check_handshake_fault (f, path, "drop-handshake");
}

/* The endpoint stored the revision and its answer was lost: the outbox
 * says it may have arrived, nothing ever calls it superseded or not
 * sent, a later try that surely did not arrive leaves that as it is, and
 * the idempotent resend settles it ("already stored", 200). */
static void
test_lost_answer (Fixture       *f,
                  gconstpointer  path)
{
  g_autofree char *lost = start_peer (f, "lost-answer", "--upstream", f->url, "--ca", f->cert, NULL);
  g_autofree char *reset = start_peer (f, "reset-handshake", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_local (2026, 11, 29, 9, 0, 0);
  g_autoptr(GPtrArray) items = NULL;
  VpOutboxItem *item;
  gint64 before, after;
  guint n = 0;

  use_endpoint (f, lost);
  item = queue_month (f, "Lost");
  before = unix_now ();
  g_assert_cmpuint (send_via (f, path), ==, 0);
  after = unix_now ();
  g_assert_cmpint (endpoint_count (f, "period = '2026-10'"), ==, 1);
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  show_item (item);
  g_assert_cmpstr (item->state, ==, "sending");
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_nonnull (strstr (item->last_error, "The report was sent, but no answer came back"));
  assert_next_attempt (item, before, after, 15, 30);
  g_assert_cmpint (audit_count (f), ==, 0);

  /* Later entries make no new revision, and nothing supersedes this one. */
  register_month (f->store, "Lost-late", 10);
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, NULL));
  g_assert_cmpuint (n, ==, 0);
  items = vp_outbox_list (f->store, NULL, NULL);
  g_assert_cmpuint (items->len, ==, 1);

  /* A try cut off in the handshake says nothing about the first one. */
  use_endpoint (f, reset);
  item = make_due (f, item);
  g_assert_cmpuint (send_via (f, path), ==, 0);
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  show_item (item);
  g_assert_cmpstr (item->state, ==, "sending");
  g_assert_cmpuint (item->attempts, ==, 2);
  g_assert_nonnull (strstr (item->last_error, "The endpoint could not be reached"));

  /* A refusal needs attention, and says that the first may have arrived. */
  use_endpoint (f, f->url);
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", "not-the-token", NULL));
  item = make_due (f, item);
  g_assert_cmpuint (send_via (f, path), ==, 0);
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  show_item (item);
  g_assert_cmpstr (item->state, ==, "needs_attention");
  g_assert_nonnull (strstr (item->last_error, "An earlier attempt may have arrived"));

  /* The resend settles it, and the endpoint still holds one report. */
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", f->token, NULL));
  item = make_due (f, item);
  g_assert_cmpuint (send_via (f, path), ==, 1);
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  show_item (item);
  g_assert_cmpstr (item->state, ==, "delivered");
  g_assert_cmpint (item->last_status, ==, 200);
  g_assert_cmpint (endpoint_count (f, "1"), ==, 1);
  g_assert_cmpint (audit_count (f), ==, 1);
  vp_outbox_item_free (item);
}

static char *
http_date (int seconds_ahead)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, seconds_ahead);

  return g_date_time_format (then, "%a, %d %b %Y %H:%M:%S GMT");
}

/* 429 and 503 with Retry-After, in seconds or as an HTTP date: the next
 * try comes no sooner than asked, with jitter after it, within the
 * backoff's bounds (a shorter wait than the backoff's, or a longer one
 * than 6 h, gives way to them). */
static void
test_retry_after (Fixture       *f,
                  gconstpointer  path)
{
  g_autofree char *date = http_date (7200);
  g_autofree char *date_header = g_strconcat ("Retry-After: ", date, NULL);
  struct {
    const char *status;
    const char *header;
    gint64      low, high;
  } cases[] = {
    { "429", "Retry-After: 5", 15, 30 },  /* first try: the backoff's 15 to 30 s */
    { "429", "Retry-After: 3600", 3600, 3960 },
    { "503", date_header, 7200 - 2, 7920 + 2 },
    { "503", "Retry-After: 86400", VP_OUTBOX_MAX_DELAY, VP_OUTBOX_MAX_DELAY },
  };
  VpOutboxItem *item = queue_month (f, "Busy");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = start_peer (f, "answer", "--status", cases[i].status,
                                         "--header", cases[i].header, NULL);
      gint64 before, after;

      g_test_message ("%s with %s", cases[i].status, cases[i].header);
      use_endpoint (f, url);
      item = make_due (f, item);
      before = unix_now ();
      g_assert_cmpuint (send_via (f, path), ==, 0);
      after = unix_now ();
      vp_outbox_item_free (item);
      item = only_item (f->store, 1);
      show_item (item);
      g_assert_cmpstr (item->state, ==, "retry");
      g_assert_cmpint (item->last_status, ==, atoi (cases[i].status));
      assert_next_attempt (item, before, after, cases[i].low, cases[i].high);
    }
  vp_outbox_item_free (item);
}

/* "delivered" and its report_sent audit entry are one transaction: a
 * write or sync that fails anywhere in recording a delivery leaves both
 * or neither (a kill between two commits left deliveries unaudited). */
static void
test_outcome_atomic (Fixture       *f,
                     gconstpointer  path)
{
  const VpFaultKind kinds[] = { VP_FAULT_WRITE, VP_FAULT_SYNC };
  VpOutboxItem *item = queue_month (f, "Atomic");
  guint torn = 0;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint nth = 1;; nth++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GDateTime) now = g_date_time_new_now_local ();
        int audits = audit_count (f);
        gboolean ok, delivered;
        guint n = 0;

        g_assert_true (vp_outbox_mark (f->store, item->id, "queued", 0, NULL, 0, NULL));
        vp_fault_vfs_arm (kinds[k], nth);
        if (is_async (path))
          {
            AsyncSend send = { 0 };

            vp_sync_send_due_async (f->store, NULL, async_sent, &send);
            wait_async (&send);
            ok = send.ok;
            error = send.error;
          }
        else
          ok = vp_sync_send_due (f->store, now, &n, &error);
        vp_fault_vfs_disarm ();

        vp_outbox_item_free (item);
        item = only_item (f->store, 1);
        delivered = g_str_equal (item->state, "delivered");
        if (delivered && audit_count (f) != audits + 1)
          {
            g_test_message ("%s fault %u: delivered without its audit entry",
                            kinds[k] == VP_FAULT_WRITE ? "write" : "sync", nth);
            torn++;
          }
        if (!delivered)
          g_assert_cmpint (audit_count (f), ==, audits);
        if (vp_fault_vfs_hits () == 0)
          {
            /* The send needed fewer than nth; every earlier one was tried. */
            g_assert_true (ok);
            g_assert_true (delivered);
            g_assert_cmpuint (nth, >, 2);
            g_test_message ("%s faults tried at 1..%u", kinds[k] == VP_FAULT_WRITE ? "write" : "sync", nth - 1);
            break;
          }
        g_assert_false (ok);
        g_assert_nonnull (error);
      }
  g_assert_cmpuint (torn, ==, 0);
  vp_outbox_item_free (item);
}

/* The app's path when the store is locked while a report is on its way:
 * the row says "sending" from before the request left, the outcome cannot
 * be recorded in a locked store, so after the next unlock the row still
 * says it may have arrived, and the resend settles it. */
static void
test_async_locked_while_sending (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *hang = start_peer (f, "hang-after-body", "--upstream", f->url, "--ca", f->cert, NULL);
  g_autofree char *store_dir = g_build_filename (f->dir, "store", NULL);
  g_autoptr(GError) error = NULL;
  AsyncSend send = { 0 };
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  VpOutboxItem *item;

  use_endpoint (f, hang);
  item = queue_month (f, "Locked");
  vp_sync_send_due_async (f->store, NULL, async_sent, &send);

  /* The endpoint has it; the peer holds its answer back. */
  while (endpoint_count (f, "1") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  g_assert_cmpstr (item->state, ==, "sending");
  g_assert_false (send.done);

  vp_store_close (f->store);
  stop_process (g_ptr_array_index (f->peers, 0));
  wait_async (&send);
  g_assert_false (send.ok);
  g_assert_error (send.error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED);
  g_clear_error (&send.error);

  g_clear_object (&f->store);
  f->store = vp_store_open (store_dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  g_assert_cmpstr (item->state, ==, "sending");

  use_endpoint (f, f->url);
  g_assert_cmpuint (send_via (f, ASYNC), ==, 1);
  vp_outbox_item_free (item);
  item = only_item (f->store, 1);
  g_assert_cmpstr (item->state, ==, "delivered");
  g_assert_cmpint (item->last_status, ==, 200);
  g_assert_cmpint (endpoint_count (f, "1"), ==, 1);
  vp_outbox_item_free (item);
}

/* The uploader itself, with a short timeout: a handshake that never ends
 * is retried (nothing left), a request whose answer never comes may have
 * arrived (it had: the peer handed it to the endpoint), and so may one a
 * gateway answered 504. */
static void
test_upload_timeouts (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *silent = start_peer (f, "hang-handshake", NULL);
  g_autofree char *hang = start_peer (f, "hang-after-body", "--upstream", f->url, "--ca", f->cert, NULL);
  g_autofree char *gateway = start_peer (f, "answer", "--status", "504", NULL);
  g_autoptr(VpOutboxItem) item = queue_month (f, "Timeout");
  VpUploadConfig config = { .token = f->token, .ca_file = f->cert, .timeout = 2 };
  VpUploadResult result = { 0 };
  const char *team = vp_store_get_team_code (f->store);
  const char *installation = vp_store_get_installation_id (f->store);

  config.endpoint = silent;
  g_assert_cmpint (vp_upload_report (&config, team, installation, item->period, item->body, &result),
                   ==, VP_UPLOAD_RETRY);
  g_test_message ("%s", result.reason);
  g_assert_cmpint (result.http_status, ==, 0);
  g_assert_nonnull (strstr (result.reason, "could not be reached"));
  vp_upload_result_clear (&result);
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);

  config.endpoint = hang;
  g_assert_cmpint (vp_upload_report (&config, team, installation, item->period, item->body, &result),
                   ==, VP_UPLOAD_UNCONFIRMED);
  g_test_message ("%s", result.reason);
  g_assert_nonnull (strstr (result.reason, "no answer came back"));
  vp_upload_result_clear (&result);
  g_assert_cmpint (endpoint_count (f, "1"), ==, 1);

  /* A gateway's 504 came after the whole request: the same. */
  config.endpoint = gateway;
  g_assert_cmpint (vp_upload_report (&config, team, installation, item->period, item->body, &result),
                   ==, VP_UPLOAD_UNCONFIRMED);
  g_assert_cmpint (result.http_status, ==, 504);
  vp_upload_result_clear (&result);
}

/* The endpoint's certificate fails in one way per case, and the reason
 * says which, in the app's words with what to do; "valid" is the control
 * that the same set-up delivers. */
static void
cert_fixture_setup (Fixture       *f,
                    gconstpointer  data)
{
  const char *name = data;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) year_ago = g_date_time_add_days (now, -400);
  g_autoptr(GDateTime) month_ago = g_date_time_add_days (now, -35);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) next_month = g_date_time_add_days (now, 30);
  g_autoptr(GDateTime) next_year = g_date_time_add_days (now, 400);
  g_autofree char *ca = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  const char *issuer = "municipality";
  const char *san = "IP:127.0.0.1";
  GDateTime *from = yesterday, *to = next_month;

  prepare_endpoint (f);
  f->certs = g_build_filename (f->dir, "certs", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->certs, 0700), ==, 0);
  vp_test_cert_make_ca (f->certs, "municipality");
  vp_test_cert_make_ca (f->certs, "other");
  ca = g_build_filename (f->certs, "municipality-ca.pem", NULL);

  if (g_str_equal (name, "unknown-issuer"))
    issuer = "other";
  else if (g_str_equal (name, "wrong-name"))
    san = "DNS:elsewhere.example";
  else if (g_str_equal (name, "expired"))
    from = year_ago, to = month_ago;
  else if (g_str_equal (name, "not-yet-valid"))
    from = next_month, to = next_year;

  if (g_str_equal (name, "self-signed"))
    start_server (f, NULL, NULL);  /* the fixture's own, self-signed */
  else
    {
      cert = vp_test_cert_make_server (f->certs, issuer, "endpoint", san, from, to);
      key = g_build_filename (f->certs, "endpoint.key", NULL);
      start_server_with (f, cert, key, NULL, NULL);
    }
  prepare_store (f, f->token);
  g_assert_true (vp_store_set_setting (f->store, "endpoint_ca_file", ca, NULL));

  if (g_str_equal (name, "pin-mismatch"))
    {
      /* Pinned: the key of another certificate than the endpoint's. */
      g_autofree char *pin = g_build_filename (f->certs, "other-key.pub", NULL);
      const char *argv[] = { "openssl", "pkey", "-in", f->key, "-pubout", "-out", pin, NULL };

      g_free (vp_test_run_capture (argv));
      g_assert_true (vp_endpoint_pin_set (f->store, pin, NULL));
    }
  if (g_str_equal (name, "pinned"))
    {
      /* Pinned from the endpoint's certificate file: the setting keeps the
       * hash, and gibberish given afterwards is refused and changes nothing. */
      g_autoptr(GError) error = NULL;
      g_autofree char *pin = NULL;

      g_assert_true (vp_endpoint_pin_set (f->store, cert, NULL));
      pin = vp_store_get_setting (f->store, "endpoint_pinned_key");
      g_assert_true (g_str_has_prefix (pin, "sha256//"));
      g_assert_false (vp_endpoint_pin_set (f->store, "sha256//not-a-hash", &error));
      g_assert_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_PIN);
      g_clear_error (&error);
      /* The same hash as text, with a second (next) key after it. */
      g_assert_true (vp_endpoint_pin_set (f->store, pin, NULL));
      {
        g_autofree char *two = g_strconcat ("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;", pin, NULL);
        g_autofree char *kept = NULL;

        g_assert_true (vp_endpoint_pin_set (f->store, two, NULL));
        kept = vp_store_get_setting (f->store, "endpoint_pinned_key");
        g_assert_cmpstr (kept, ==, two);
      }
    }
}

static void
test_endpoint_certificate (Fixture       *f,
                           gconstpointer  data)
{
  const char *name = data;
  struct {
    const char *name;
    const char *says;
  } reasons[] = {
    { "self-signed", "The endpoint’s certificate is self-signed, and this laptop does not trust it" },
    { "unknown-issuer", "The endpoint’s certificate was issued by an authority that this laptop does not trust" },
    { "wrong-name", "The endpoint’s certificate is not made out to 127.0.0.1" },
    { "expired", "The endpoint’s certificate has expired" },
    { "not-yet-valid", "The endpoint’s certificate is not valid yet" },
    { "pin-mismatch", "The endpoint’s key is not the one pinned for it" },
  };
  g_autoptr(VpOutboxItem) item = NULL;

  if (g_str_equal (name, "valid") || g_str_equal (name, "pinned"))
    {
      item = send_month (f, "Valid", 1);
      g_assert_cmpstr (item->state, ==, "delivered");
      return;
    }
  item = send_month (f, "Identity", 0);
  show_item (item);
  g_assert_cmpstr (item->state, ==, "needs_attention");
  g_assert_null (strstr (item->last_error, "SSL peer certificate"));
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (g_str_equal (reasons[i].name, name))
      g_assert_nonnull (strstr (item->last_error, reasons[i].says));
  g_assert_cmpint (endpoint_count (f, "1"), ==, 0);
}

/* ---- vindplaats-admin send (#13) ---- */

static const char *
admin_program (void)
{
  const char *path = g_getenv ("VP_ADMIN");
  g_assert_nonnull (path);
  return path;
}

static GSubprocess *
spawn_admin (Fixture *f)
{
  g_autofree char *store_dir = g_build_filename (f->dir, "store", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_MERGE);
  const char *argv[] = { admin_program (), "--dir", store_dir, "send", NULL };
  GSubprocess *admin;

  g_subprocess_launcher_set_child_setup (launcher, vp_test_die_with_parent, NULL, NULL);
  admin = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return admin;
}

/* Runs `vindplaats-admin send` to its end; its exit status and output. */
static int
run_admin_send (Fixture  *f,
                char    **output)
{
  g_autoptr(GSubprocess) admin = spawn_admin (f);
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (admin, VP_TEST_PASSPHRASE "\n", NULL, output, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("vindplaats-admin send: exit %d\n%s", g_subprocess_get_exit_status (admin), *output);
  g_assert_true (g_subprocess_get_if_exited (admin));
  return g_subprocess_get_exit_status (admin);
}

/* Two closed months, by today's clock (the command sends as of now);
 * the month after them is released too, empty, once it is due. */
static void
register_recent_months (Fixture *f,
                        char    *periods[2])
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) this_month = g_date_time_new_local (g_date_time_get_year (now),
                                                           g_date_time_get_month (now), 2, 10, 0, 0);

  for (int m = 0; m < 2; m++)
    {
      g_autoptr(GDateTime) month = g_date_time_add_months (this_month, -2 - m);

      periods[m] = g_date_time_format (month, "%Y-%m");
      for (int i = 0; i < 10; i++)
        {
          g_autofree char *label = g_strdup_printf ("Admin-%d-%d", m, i);
          g_autoptr(GDateTime) when = g_date_time_add_days (month, i % 25);
          vp_test_register (f->store, label, 1970 + i, i % 3 ? "school" : "migrant_org", "first",
                            i % 2 ? "limited" : NULL, when);
        }
    }
}

static void
make_all_due (Fixture *f)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (f->store, NULL, NULL);

  for (guint i = 0; i < items->len; i++)
    g_assert_true (vp_outbox_make_due (f->store, ((VpOutboxItem *) g_ptr_array_index (items, i))->id, NULL));
}

static void
assert_line (const char *output,
             const char *period,
             const char *says)
{
  g_autofree char *start = g_strdup_printf ("%s: %s", period, says);
  g_assert_nonnull (strstr (output, start));
}

/* When sends fail the command says so: a non-zero exit, and each month
 * with its state and the reason. */
static void
test_admin_send_fails (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *reset = start_peer (f, "reset-handshake", NULL);
  g_autofree char *out = NULL;
  char *periods[2];

  register_recent_months (f, periods);
  use_endpoint (f, reset);
  g_assert_cmpint (run_admin_send (f, &out), ==, 1);
  g_assert_nonnull (strstr (out, " months released, 0 reports delivered"));
  for (int m = 0; m < 2; m++)
    assert_line (out, periods[m], "waiting, next attempt after ");
  g_assert_nonnull (strstr (out, "The endpoint could not be reached"));
  g_clear_pointer (&out, g_free);

  use_endpoint (f, f->url);
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", "not-the-token", NULL));
  make_all_due (f);
  g_assert_cmpint (run_admin_send (f, &out), ==, 1);
  for (int m = 0; m < 2; m++)
    assert_line (out, periods[m], "needs attention: The endpoint answered 401");
  g_clear_pointer (&out, g_free);

  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", f->token, NULL));
  make_all_due (f);
  g_assert_cmpint (run_admin_send (f, &out), ==, 0);
  for (int m = 0; m < 2; m++)
    assert_line (out, periods[m], "delivered (HTTP 201)");
  g_assert_nonnull (strstr (out, "0 months released, "));
  g_assert_null (strstr (out, " 0 reports delivered"));
  g_free (periods[0]);
  g_free (periods[1]);
}

static VpOutboxItem *
month_item (Fixture    *f,
            const char *period)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (f->store, period, NULL);

  g_assert_nonnull (items);
  g_assert_cmpuint (items->len, ==, 1);
  return g_ptr_array_steal_index (items, 0);
}

/* The admin path marks a revision "sending" before it leaves, as the
 * app's does: killed while it waits for the answer, the command leaves
 * the month as one that may have arrived, and the next run settles it. */
static void
test_admin_killed_while_sending (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *hang = start_peer (f, "hang-after-body", "--upstream", f->url, "--ca", f->cert, NULL);
  g_autoptr(GSubprocess) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  char *periods[2];
  VpOutboxItem *item;

  register_recent_months (f, periods);
  use_endpoint (f, hang);
  admin = spawn_admin (f);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (admin), VP_TEST_PASSPHRASE "\n",
                             strlen (VP_TEST_PASSPHRASE "\n"), NULL, NULL, &error);
  g_assert_no_error (error);

  /* The older month goes first; once the endpoint holds it, kill. */
  while (endpoint_count (f, "1") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
  g_subprocess_force_exit (admin);
  g_subprocess_wait (admin, NULL, NULL);

  item = month_item (f, periods[1]);
  show_item (item);
  g_assert_cmpstr (item->state, ==, "sending");
  vp_outbox_item_free (item);
  item = month_item (f, periods[0]);
  g_assert_cmpstr (item->state, ==, "queued");
  vp_outbox_item_free (item);

  use_endpoint (f, f->url);
  g_assert_cmpint (run_admin_send (f, &out), ==, 0);
  assert_line (out, periods[1], "delivered (HTTP 200)");
  assert_line (out, periods[0], "delivered (HTTP 201)");
  for (int m = 0; m < 2; m++)
    {
      g_autofree char *where = g_strdup_printf ("period = '%s'", periods[m]);
      g_assert_cmpint (endpoint_count (f, where), ==, 1);
    }
  g_free (periods[0]);
  g_free (periods[1]);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  setlocale (LC_ALL, "");
  vp_i18n_init ();
  /* Every store connection goes through the fault shim, which does
   * nothing until a test arms it. */
  vp_fault_vfs_install ();

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
  /* The sending path under faults (#13), through both paths. */
#define ADD_BOTH(name, func) \
  g_test_add ("/sync/" name, Fixture, NULL, fixture_setup, func, fixture_teardown); \
  g_test_add ("/sync/async/" name, Fixture, ASYNC, fixture_setup, func, fixture_teardown)
  ADD_BOTH ("handshake-reset", test_handshake_reset);
  ADD_BOTH ("handshake-drop", test_handshake_drop);
  ADD_BOTH ("lost-answer", test_lost_answer);
  ADD_BOTH ("retry-after", test_retry_after);
  ADD_BOTH ("outcome-atomic", test_outcome_atomic);
#undef ADD_BOTH
  g_test_add ("/sync/async/locked-while-sending", Fixture, NULL, fixture_setup,
              test_async_locked_while_sending, fixture_teardown);
  g_test_add ("/sync/upload/timeouts", Fixture, NULL, fixture_setup, test_upload_timeouts, fixture_teardown);
  g_test_add ("/sync/admin/send-fails", Fixture, NULL, fixture_setup, test_admin_send_fails, fixture_teardown);
  g_test_add ("/sync/admin/killed-while-sending", Fixture, NULL, fixture_setup,
              test_admin_killed_while_sending, fixture_teardown);
#define ADD_CERT(name) \
  g_test_add ("/sync/endpoint-certificate/" name, Fixture, name, cert_fixture_setup, \
              test_endpoint_certificate, fixture_teardown)
  ADD_CERT ("valid");
  ADD_CERT ("self-signed");
  ADD_CERT ("unknown-issuer");
  ADD_CERT ("wrong-name");
  ADD_CERT ("expired");
  ADD_CERT ("not-yet-valid");
  ADD_CERT ("pin-mismatch");
  ADD_CERT ("pinned");
#undef ADD_CERT

  return g_test_run ();
}
