/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "vp-test-certs.h"

/* One `openssl ca` set-up per CA: its own database, so that each test
 * folder is independent. "client" certificates are for TLS clients, as
 * an endpoint that demands them checks; "server" ones are not. */
static const char config_template[] =
  "[ ca ]\n"
  "default_ca = test_ca\n"
  "[ test_ca ]\n"
  "dir = %s\n"
  "certificate = $dir/%s-ca.pem\n"
  "private_key = $dir/%s-ca.key\n"
  "database = $dir/%s-index.txt\n"
  "serial = $dir/%s-serial\n"
  "new_certs_dir = $dir/%s-issued\n"
  "default_md = sha256\n"
  "policy = policy_any\n"
  "preserve = yes\n"
  "unique_subject = no\n"
  "email_in_dn = no\n"
  "[ policy_any ]\n"
  "organizationName = optional\n"
  "commonName = supplied\n"
  "[ client ]\n"
  "basicConstraints = critical, CA:FALSE\n"
  "keyUsage = critical, digitalSignature\n"
  "extendedKeyUsage = clientAuth\n"
  "[ server ]\n"
  "basicConstraints = critical, CA:FALSE\n"
  "keyUsage = critical, digitalSignature\n"
  "extendedKeyUsage = serverAuth\n"
  "[ req ]\n"
  "distinguished_name = req_dn\n"
  "[ req_dn ]\n"
  "[ ca_ext ]\n"
  "basicConstraints = critical, CA:TRUE\n"
  "keyUsage = critical, keyCertSign, cRLSign\n"
  "subjectKeyIdentifier = hash\n";

static void
openssl (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("openssl %s failed: %s", argv[1], err);
}

static char *
path_in (const char *dir,
         const char *name,
         const char *suffix)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);
  return g_build_filename (dir, file, NULL);
}

/* A self-signed CA valid for ten years from now: @dir/@ca-ca.pem. */
void
vp_test_cert_make_ca (const char *dir,
                      const char *ca)
{
  g_autofree char *config = path_in (dir, ca, ".cnf");
  g_autofree char *text = g_strdup_printf (config_template, dir, ca, ca, ca, ca, ca);
  g_autofree char *index = path_in (dir, ca, "-index.txt");
  g_autofree char *serial = path_in (dir, ca, "-serial");
  g_autofree char *issued = path_in (dir, ca, "-issued");
  g_autofree char *key = path_in (dir, ca, "-ca.key");
  g_autofree char *cert = path_in (dir, ca, "-ca.pem");
  g_autofree char *subject = g_strdup_printf ("/O=Test/CN=Test CA %s", ca);
  const char *argv[] = {
    "openssl", "req", "-config", config, "-x509", "-extensions", "ca_ext",
    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-days", "3650", "-subj", subject, "-keyout", key, "-out", cert, NULL
  };

  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  g_assert_true (g_file_set_contents (index, "", 0, NULL));
  g_assert_true (g_file_set_contents (serial, "1000\n", -1, NULL));
  g_assert_cmpint (g_mkdir_with_parents (issued, 0700), ==, 0);
  openssl (argv);
}

static char *
openssl_date (GDateTime *when)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (when);
  return g_date_time_format (utc, "%Y%m%d%H%M%SZ");
}

/* A certificate for @subject (openssl's /O=.../CN=... form) signed by
 * @ca, for "client" or "server" use, valid between the two moments;
 * @dir/@name.pem with its key in @dir/@name.key. Returns the .pem path. */
char *
vp_test_cert_make_leaf (const char *dir,
                        const char *ca,
                        const char *name,
                        const char *subject,
                        const char *usage,
                        GDateTime  *not_before,
                        GDateTime  *not_after)
{
  g_autofree char *config = path_in (dir, ca, ".cnf");
  g_autofree char *key = path_in (dir, name, ".key");
  g_autofree char *request = path_in (dir, name, ".csr");
  g_autofree char *cert = path_in (dir, name, ".pem");
  g_autofree char *start = openssl_date (not_before);
  g_autofree char *end = openssl_date (not_after);
  const char *req[] = {
    "openssl", "req", "-config", config, "-new", "-newkey", "ec",
    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject,
    "-keyout", key, "-out", request, NULL
  };
  const char *sign[] = {
    "openssl", "ca", "-batch", "-config", config, "-extensions", usage, "-notext",
    "-startdate", start, "-enddate", end, "-in", request, "-out", cert, NULL
  };

  openssl (req);
  openssl (sign);
  return g_steal_pointer (&cert);
}

/* A TLS server certificate from @ca for @san (subjectAltName, such as
 * "IP:127.0.0.1" or "DNS:elsewhere.example"), valid between the two
 * moments: @dir/@name.pem with its key in @dir/@name.key, for an endpoint
 * whose identity a test wants to fail in one chosen way (#13). */
char *
vp_test_cert_make_server (const char *dir,
                          const char *ca,
                          const char *name,
                          const char *san,
                          GDateTime  *not_before,
                          GDateTime  *not_after)
{
  g_autofree char *config = path_in (dir, ca, ".cnf");
  g_autofree char *extensions = path_in (dir, name, ".ext");
  g_autofree char *key = path_in (dir, name, ".key");
  g_autofree char *request = path_in (dir, name, ".csr");
  g_autofree char *cert = path_in (dir, name, ".pem");
  g_autofree char *start = openssl_date (not_before);
  g_autofree char *end = openssl_date (not_after);
  g_autofree char *text = g_strdup_printf ("[ server_san ]\n"
                                           "basicConstraints = critical, CA:FALSE\n"
                                           "keyUsage = critical, digitalSignature\n"
                                           "extendedKeyUsage = serverAuth\n"
                                           "subjectAltName = %s\n", san);
  const char *req[] = {
    "openssl", "req", "-config", config, "-new", "-newkey", "ec",
    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/O=Test/CN=endpoint",
    "-keyout", key, "-out", request, NULL
  };
  const char *sign[] = {
    "openssl", "ca", "-batch", "-config", config, "-extfile", extensions, "-extensions", "server_san",
    "-notext", "-startdate", start, "-enddate", end, "-in", request, "-out", cert, NULL
  };

  g_assert_true (g_file_set_contents (extensions, text, -1, NULL));
  openssl (req);
  openssl (sign);
  return g_steal_pointer (&cert);
}

/* @name's certificate, its key and @ca's certificate as a chain, in a
 * PKCS#12 file under @password, as openssl 3 makes it (AES-256, PBKDF2);
 * @option adds one flag, such as "-legacy" (RC2, as old exports) or
 * "-nokeys". Returns the path, @dir/@name@option.p12. */
char *
vp_test_cert_make_pkcs12 (const char *dir,
                          const char *ca,
                          const char *name,
                          const char *password,
                          const char *option)
{
  g_autofree char *key = path_in (dir, name, ".key");
  g_autofree char *cert = path_in (dir, name, ".pem");
  g_autofree char *chain = path_in (dir, ca, "-ca.pem");
  g_autofree char *suffix = g_strconcat (option != NULL ? option : "", ".p12", NULL);
  g_autofree char *p12 = path_in (dir, name, suffix);
  g_autofree char *pass = g_strconcat ("pass:", password, NULL);
  const char *argv[] = {
    "openssl", "pkcs12", "-export", "-in", cert, "-inkey", key, "-certfile", chain,
    "-name", name, "-passout", pass, "-out", p12, option, NULL
  };

  openssl (argv);
  return g_steal_pointer (&p12);
}

/* The usual case in one call: a client certificate from @ca, valid from
 * @from_days to @to_days around now, in a PKCS#12 file under @password. */
char *
vp_test_cert_make_client (const char *dir,
                          const char *ca,
                          const char *name,
                          const char *subject,
                          int         from_days,
                          int         to_days,
                          const char *password)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) from = g_date_time_add_days (now, from_days);
  g_autoptr(GDateTime) to = g_date_time_add_days (now, to_days);

  g_free (vp_test_cert_make_leaf (dir, ca, name, subject, "client", from, to));
  return vp_test_cert_make_pkcs12 (dir, ca, name, password, NULL);
}

GBytes *
vp_test_read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}
