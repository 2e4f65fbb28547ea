/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Importing a client certificate from a PKCS#12 file (#12): what is kept,
 * where (only inside the encrypted store), what is refused and why. The
 * files are made at test time with the openssl command. */
#include "config.h"

#include <string.h>

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-client-cert.h"
#include "vp-test-certs.h"
#include "vp-test-util.h"

#define PASSWORD "Geheim wachtwoord 7!"
#define SUBJECT "/O=Wijkteam Noord/CN=laptop-1"
#define SUBJECT_RFC4514 "CN=laptop-1,O=Wijkteam Noord"

typedef struct {
  char    *dir;
  char    *certs;
  char    *store_dir;
  VpStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = vp_test_make_dir ();
  f->certs = g_build_filename (f->dir, "certs", NULL);
  f->store_dir = g_build_filename (f->dir, "store", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->certs, 0700), ==, 0);
  vp_test_cert_make_ca (f->certs, "municipality");
  f->store = vp_test_create_store (f->store_dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  vp_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->certs);
  g_free (f->store_dir);
}

static GDateTime *
now (void)
{
  return g_date_time_new_now_utc ();
}

static gboolean
import_file (VpStore     *store,
             const char  *path,
             const char  *password,
             GError     **error)
{
  g_autoptr(GBytes) bytes = vp_test_read_bytes (path);
  g_autoptr(GDateTime) moment = now ();

  return vp_client_cert_import (store, bytes, password, moment, error);
}

static int
audit_count (VpStore    *store,
             const char *action)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count(*) FROM audit_log WHERE record_type = 'client_certificate' AND action = '%s'",
                     action);
  return vp_test_count (store, sql);
}

static void
assert_nothing_kept (VpStore *store)
{
  g_autoptr(VpClientCertInfo) info = vp_client_cert_get_info (store);
  g_autoptr(VpClientCredential) credential = vp_client_cert_load (store);

  g_assert_null (info);
  g_assert_null (credential);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM meta WHERE key LIKE 'client_%'"), ==, 0);
}

/* The subject as `openssl x509 -nameopt RFC2253` prints it, which is
 * what GnuTLS gives the endpoint. */
static char *
openssl_subject (const char *cert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "openssl", "x509", "-in", cert,
                           "-noout", "-subject", "-nameopt", "RFC2253", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (out);
  g_assert_true (g_str_has_prefix (out, "subject="));
  return g_strdup (out + strlen ("subject="));
}

static int
count_occurrences (const char *text,
                   const char *needle)
{
  int n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The right password: certificate, chain and key are kept as PEM in the
 * store, the page can show subject and dates, and the store's files hold
 * none of it in plaintext. */
static void
test_import (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, PASSWORD);
  g_autofree char *cert = g_build_filename (f->certs, "laptop-1.pem", NULL);
  g_autofree char *expected_subject = openssl_subject (cert);
  g_autoptr(VpClientCertInfo) info = NULL;
  g_autoptr(VpClientCredential) credential = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) moment = now ();
  gint64 days_left;

  g_assert_true (import_file (f->store, p12, PASSWORD, &error));
  g_assert_no_error (error);

  info = vp_client_cert_get_info (f->store);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->subject, ==, SUBJECT_RFC4514);
  g_assert_cmpstr (info->subject, ==, expected_subject);
  g_assert_cmpstr (info->issuer, ==, "CN=Test CA municipality,O=Test");
  days_left = (info->not_after - g_date_time_to_unix (moment)) / (24 * 3600);
  g_assert_cmpint (days_left, >=, 29);
  g_assert_cmpint (days_left, <=, 30);
  g_assert_cmpint (info->not_before, <, g_date_time_to_unix (moment));

  credential = vp_client_cert_load (f->store);
  g_assert_nonnull (credential);
  g_assert_true (g_str_has_prefix (credential->cert_pem, "-----BEGIN CERTIFICATE-----"));
  g_assert_cmpint (count_occurrences (credential->cert_pem, "BEGIN CERTIFICATE"), ==, 2);  /* with the CA */
  g_assert_true (g_str_has_prefix (credential->key_pem, "-----BEGIN PRIVATE KEY-----"));

  g_assert_cmpint (audit_count (f->store, "create"), ==, 1);

  /* Encrypted: no PEM armour, no key, no subject in any of the store's
   * files, open or closed. */
  g_assert_false (vp_test_store_files_contain (f->store_dir, "-----BEGIN"));
  g_assert_false (vp_test_store_files_contain (f->store_dir, "PRIVATE KEY"));
  g_assert_false (vp_test_store_files_contain (f->store_dir, "Wijkteam Noord"));
  vp_store_close (f->store);
  g_assert_false (vp_test_store_files_contain (f->store_dir, "-----BEGIN"));
  g_assert_false (vp_test_store_files_contain (f->store_dir, "PRIVATE KEY"));
  g_assert_false (vp_test_store_files_contain (f->store_dir, "Wijkteam Noord"));
  g_clear_object (&f->store);

  /* Kept across a lock; a second import replaces it, audited as a change. */
  f->store = vp_store_open (f->store_dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&info, vp_client_cert_info_free);
  info = vp_client_cert_get_info (f->store);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->subject, ==, SUBJECT_RFC4514);
  {
    g_autofree char *other = vp_test_cert_make_client (f->certs, "municipality", "laptop-2",
                                                       "/O=Wijkteam Noord/CN=laptop-2", -1, 60, PASSWORD);
    g_autoptr(VpClientCertInfo) replaced = NULL;

    g_assert_true (import_file (f->store, other, PASSWORD, &error));
    g_assert_no_error (error);
    replaced = vp_client_cert_get_info (f->store);
    g_assert_cmpstr (replaced->subject, ==, "CN=laptop-2,O=Wijkteam Noord");
    g_assert_cmpint (audit_count (f->store, "change"), ==, 1);
  }
}

/* A wrong password is said to be one, and nothing is kept; a certificate
 * kept before stays. */
static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, PASSWORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpClientCertInfo) info = NULL;

  g_assert_false (import_file (f->store, p12, "geheim", &error));
  g_assert_error (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_WRONG_PASSWORD);
  g_assert_cmpstr (error->message, ==, "The password of the certificate file is not correct");
  g_clear_error (&error);
  g_assert_false (import_file (f->store, p12, "", &error));
  g_assert_error (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  assert_nothing_kept (f->store);
  g_assert_cmpint (audit_count (f->store, "create"), ==, 0);

  g_assert_true (import_file (f->store, p12, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_false (import_file (f->store, p12, PASSWORD "x", &error));
  g_assert_error (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_WRONG_PASSWORD);
  info = vp_client_cert_get_info (f->store);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->subject, ==, SUBJECT_RFC4514);
}

/* A file made with an empty password opens with an empty one. */
static void
test_empty_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(VpClientCertInfo) info = NULL;

  g_assert_false (import_file (f->store, p12, "something", &error));
  g_assert_error (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  g_assert_true (import_file (f->store, p12, "", &error));
  g_assert_no_error (error);
  info = vp_client_cert_get_info (f->store);
  g_assert_nonnull (info);
}

static void
assert_refused (Fixture    *f,
                GBytes     *bytes,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) moment = now ();

  g_assert_false (vp_client_cert_import (f->store, bytes, PASSWORD, moment, &error));
  g_assert_error (error, VP_CLIENT_CERT_ERROR, code);
  g_test_message ("refused: %s", error->message);
  assert_nothing_kept (f->store);
}

/* A PEM certificate, random bytes, an empty file and a truncated
 * PKCS#12 file are not certificate files. */
static void
test_not_pkcs12 (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, PASSWORD);
  g_autofree char *pem = g_build_filename (f->certs, "laptop-1.pem", NULL);
  g_autoptr(GBytes) pem_bytes = vp_test_read_bytes (pem);
  g_autoptr(GBytes) whole = vp_test_read_bytes (p12);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (whole, 0, g_bytes_get_size (whole) / 2);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  guint8 noise[2048];
  g_autoptr(GBytes) random = NULL;

  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_test_rand_int_range (0, 256);
  random = g_bytes_new (noise, sizeof noise);

  assert_refused (f, pem_bytes, VP_CLIENT_CERT_ERROR_NOT_PKCS12);
  assert_refused (f, random, VP_CLIENT_CERT_ERROR_NOT_PKCS12);
  assert_refused (f, empty, VP_CLIENT_CERT_ERROR_NOT_PKCS12);
  assert_refused (f, truncated, VP_CLIENT_CERT_ERROR_NOT_PKCS12);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GDateTime) moment = now ();

    g_assert_false (vp_client_cert_import (f->store, pem_bytes, PASSWORD, moment, &error));
    g_assert_cmpstr (error->message, ==, "This is not a certificate file in PKCS#12 format (.p12 or .pfx)");
  }
}

/* A file with the certificate alone cannot sign in. */
static void
test_no_key (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GDateTime) from = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) to = g_date_time_add_days (from, 30);
  g_autofree char *cert = vp_test_cert_make_leaf (f->certs, "municipality", "laptop-1", SUBJECT, "client", from, to);
  g_autofree char *p12 = vp_test_cert_make_pkcs12 (f->certs, "municipality", "laptop-1", PASSWORD, "-nokeys");
  g_autoptr(GBytes) bytes = vp_test_read_bytes (p12);

  assert_refused (f, bytes, VP_CLIENT_CERT_ERROR_NO_KEY);
}

/* Decision: an expired certificate is refused at import (the endpoint
 * would refuse every upload with it); one that is not valid yet is kept,
 * as a CA may issue ahead of a change-over. */
static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *old = vp_test_cert_make_client (f->certs, "municipality", "old", SUBJECT, -60, -1, PASSWORD);
  g_autofree char *future = vp_test_cert_make_client (f->certs, "municipality", "future", SUBJECT, 2, 30, PASSWORD);
  g_autoptr(GBytes) bytes = vp_test_read_bytes (old);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) moment = now ();
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (moment, -1);
  g_autofree char *date = vp_client_cert_format_date (g_date_time_to_unix (yesterday));
  g_autoptr(VpClientCertInfo) info = NULL;

  g_assert_false (vp_client_cert_import (f->store, bytes, PASSWORD, moment, &error));
  g_assert_error (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "expired on"));
  g_assert_nonnull (strstr (error->message, date));
  g_test_message ("refused: %s", error->message);
  assert_nothing_kept (f->store);
  g_clear_error (&error);

  /* Judged by the moment given: the day before it ended, it was fine. */
  {
    g_autoptr(GDateTime) before = g_date_time_add_days (moment, -2);
    g_assert_true (vp_client_cert_import (f->store, bytes, PASSWORD, before, &error));
    g_assert_no_error (error);
    g_assert_true (vp_client_cert_remove (f->store, &error));
  }

  g_assert_true (import_file (f->store, future, PASSWORD, &error));
  g_assert_no_error (error);
  info = vp_client_cert_get_info (f->store);
  g_assert_cmpint (info->not_before, >, g_date_time_to_unix (moment));
}

/* A server certificate, or any without the TLS client purpose, is not
 * one the endpoint accepts. */
static void
test_not_for_clients (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GDateTime) from = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) to = g_date_time_add_days (from, 30);
  g_autofree char *cert = vp_test_cert_make_leaf (f->certs, "municipality", "server", "/CN=endpoint.example",
                                                  "server", from, to);
  g_autofree char *p12 = vp_test_cert_make_pkcs12 (f->certs, "municipality", "server", PASSWORD, NULL);
  g_autoptr(GBytes) bytes = vp_test_read_bytes (p12);

  assert_refused (f, bytes, VP_CLIENT_CERT_ERROR_NOT_FOR_CLIENTS);
}

/* Old exports (RC2-40 and 3DES, as `openssl pkcs12 -legacy` writes)
 * need OpenSSL's legacy provider, which the app does not load: a clear
 * message, not "wrong password". */
static void
test_legacy_encryption (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *p12 = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_free (vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, PASSWORD));
  p12 = vp_test_cert_make_pkcs12 (f->certs, "municipality", "laptop-1", PASSWORD, "-legacy");
  bytes = vp_test_read_bytes (p12);
  assert_refused (f, bytes, VP_CLIENT_CERT_ERROR_UNSUPPORTED);
}

/* Removal forgets certificate and key, once, audited. */
static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, PASSWORD);
  g_autoptr(GError) error = NULL;
  gint64 bad = -1;

  g_assert_true (import_file (f->store, p12, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (vp_client_cert_remove (f->store, &error));
  g_assert_no_error (error);
  assert_nothing_kept (f->store);
  g_assert_cmpint (audit_count (f->store, "delete"), ==, 1);

  /* Nothing to remove: no error, no entry. */
  g_assert_true (vp_client_cert_remove (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (audit_count (f->store, "delete"), ==, 1);
  g_assert_true (vp_audit_verify (f->store, &bad, &error));
  g_assert_no_error (error);
}

/* Only a team leader may import or remove. */
static void
test_coach (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, PASSWORD);
  g_autoptr(VpStore) coach = NULL;
  g_autoptr(VpClientCertInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (import_file (f->store, p12, PASSWORD, &error));
  g_assert_cmpint (vp_store_add_account (f->store, "Coach Dewi", "coach", "coach dewi passphrase", &error), >, 0);
  g_assert_no_error (error);
  vp_store_close (f->store);
  coach = vp_store_open_account (f->store_dir, "Coach Dewi", "coach dewi passphrase", &error);
  g_assert_no_error (error);

  g_assert_false (import_file (coach, p12, PASSWORD, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_false (vp_client_cert_remove (coach, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  info = vp_client_cert_get_info (coach);  /* the team leader's stays */
  g_assert_nonnull (info);
}

static void
import_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error = user_data;

  vp_client_cert_import_finish (VP_STORE (object), result, error);
  if (*error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* The window's way: read in a worker, kept on the calling thread. */
static void
test_import_async (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *p12 = vp_test_cert_make_client (f->certs, "municipality", "laptop-1", SUBJECT, -1, 30, PASSWORD);
  g_autoptr(GBytes) bytes = vp_test_read_bytes (p12);
  g_autoptr(VpClientCertInfo) info = NULL;
  GError *error = NULL;

  vp_client_cert_import_async (f->store, bytes, "wrong", NULL, import_done, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  assert_nothing_kept (f->store);

  vp_client_cert_import_async (f->store, bytes, PASSWORD, NULL, import_done, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);  /* succeeded */
  g_clear_error (&error);
  info = vp_client_cert_get_info (f->store);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->subject, ==, SUBJECT_RFC4514);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");

  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The test material is made with the openssl command; a build sandbox
   * without it reports the tests skipped. */
  if (openssl == NULL)
    {
      g_print ("1..0 # SKIP no openssl command\n");
      return 0;
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/client-cert/import", test_import);
  ADD ("/client-cert/wrong-password", test_wrong_password);
  ADD ("/client-cert/empty-password", test_empty_password);
  ADD ("/client-cert/not-pkcs12", test_not_pkcs12);
  ADD ("/client-cert/no-key", test_no_key);
  ADD ("/client-cert/expired", test_expired);
  ADD ("/client-cert/not-for-clients", test_not_for_clients);
  ADD ("/client-cert/legacy-encryption", test_legacy_encryption);
  ADD ("/client-cert/remove", test_remove);
  ADD ("/client-cert/coach", test_coach);
  ADD ("/client-cert/import-async", test_import_async);
#undef ADD

  return g_test_run ();
}
