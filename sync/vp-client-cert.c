/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

/* Client certificates (mTLS, DESIGN §7, issue #12).
 *
 * Some municipal endpoints want each laptop to sign in with a certificate
 * from their CA. The team leader gets it as a PKCS#12 file (.p12 or .pfx)
 * with a password and imports it once; from then on every upload presents
 * it.
 *
 * Where it is kept: the certificate (with any chain that came with it) and
 * the private key are turned into PEM and kept as two settings inside the
 * encrypted store, beside the team token (client_cert_pem, client_key_pem).
 * The PKCS#12 file and its password are not kept: the password would be a
 * second secret to guard for nothing, since the key is already inside the
 * store's own encryption. Nothing is written to disk in plaintext: OpenSSL
 * writes the PEM into a BIO in its secure heap, the copies this file makes
 * are wiped before they are freed, and the uploader gives them to libcurl
 * from memory (CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB, without a copy).
 * While the store is unlocked SQLite's page cache holds the settings as it
 * holds the token; that is the limit of this scheme.
 *
 * What is refused at import, each with its own message: a file that is not
 * PKCS#12, a wrong password, encryption that OpenSSL 3 no longer offers by
 * default (RC2 and friends from old exports: we do not load the "legacy"
 * provider into the app for one import; the file can be exported again), a
 * file without a private key or without a certificate, a key that is not
 * the certificate's, a certificate not meant for TLS clients, and one that
 * has expired (it could only ever be refused by the endpoint). A
 * certificate that is not valid yet is accepted: a CA may issue ahead of a
 * change-over, and the report page shows from when it holds.
 *
 * Import and removal are for team leaders and are audited (record type
 * client_certificate, no subject: a certificate may carry a person's name). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-client-cert.h"
#include "vp-store-private.h"

#define CERT_KEY "client_cert_pem"
#define KEY_KEY  "client_key_pem"

/* A certificate file is a few kilobytes; anything far larger is not one. */
#define MAX_PKCS12_BYTES (1024 * 1024)

G_DEFINE_QUARK (vp-client-cert-error-quark, vp_client_cert_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PKCS12, PKCS12_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

static void
wipe_string (char *text)
{
  if (text != NULL)
    OPENSSL_cleanse (text, strlen (text));
}

static void
free_x509_stack (STACK_OF (X509) *stack)
{
  sk_X509_pop_free (stack, X509_free);
}

void
vp_client_cert_info_free (VpClientCertInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->subject);
  g_free (info->issuer);
  g_free (info);
}

void
vp_client_credential_free (VpClientCredential *credential)
{
  if (credential == NULL)
    return;
  wipe_string (credential->cert_pem);
  wipe_string (credential->key_pem);
  g_free (credential->cert_pem);
  g_free (credential->key_pem);
  g_free (credential);
}

/* The date a certificate starts or ends, as the report page and the
 * messages show it (local calendar day, unambiguous in any language). */
char *
vp_client_cert_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%Y-%m-%d") : g_strdup ("?");
}

/* A name in RFC 4514 order and escaping, as GnuTLS gives it to the
 * endpoint, so that what the page shows is what the municipality maps;
 * UTF-8 is kept as it is rather than escaped byte by byte. */
static char *
name_to_string (const X509_NAME *name)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long length;

  if (bio == NULL ||
      X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    return g_strdup ("");
  length = BIO_get_mem_data (bio, &data);
  return g_utf8_make_valid (data, length);
}

static gint64
asn1_time_to_unix (const ASN1_TIME *time)
{
  struct tm tm = { 0 };
  g_autoptr(GDateTime) when = NULL;

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return 0;
  when = g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
  return when != NULL ? g_date_time_to_unix (when) : 0;
}

static VpClientCertInfo *
info_from_x509 (X509 *cert)
{
  VpClientCertInfo *info = g_new0 (VpClientCertInfo, 1);

  info->subject = name_to_string (X509_get_subject_name (cert));
  info->issuer = name_to_string (X509_get_issuer_name (cert));
  info->not_before = asn1_time_to_unix (X509_get0_notBefore (cert));
  info->not_after = asn1_time_to_unix (X509_get0_notAfter (cert));
  return info;
}

/* The first certificate of @cert_pem (the client's own; a chain follows). */
VpClientCertInfo *
vp_client_cert_info_from_pem (const char  *cert_pem,
                              GError     **error)
{
  g_autoptr(BIO) bio = NULL;
  g_autoptr(X509) cert = NULL;

  g_return_val_if_fail (cert_pem != NULL, NULL);

  bio = BIO_new_mem_buf (cert_pem, -1);
  if (bio != NULL)
    cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  ERR_clear_error ();
  if (cert == NULL)
    {
      g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_NO_CERTIFICATE,
                           _("The stored client certificate cannot be read"));
      return NULL;
    }
  return info_from_x509 (cert);
}

/* Whether the errors OpenSSL queued say that an algorithm is not
 * available (in OpenSSL 3: only in the legacy provider), rather than that
 * the password or the data are wrong. Empties the queue. */
static gboolean
errors_say_unsupported (void)
{
  gboolean unsupported = FALSE;
  unsigned long code;

  while ((code = ERR_get_error ()) != 0)
    {
      int reason = ERR_GET_REASON (code);

      if (reason == ERR_R_UNSUPPORTED ||
          (ERR_GET_LIB (code) == ERR_LIB_EVP &&
           (reason == EVP_R_UNSUPPORTED_ALGORITHM || reason == EVP_R_UNSUPPORTED_CIPHER ||
            reason == EVP_R_UNSUPPORTED_KEYLENGTH || reason == EVP_R_UNSUPPORTED_PRF ||
            reason == EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION)))
        unsupported = TRUE;
    }
  return unsupported;
}

static void
set_unsupported (GError **error)
{
  g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_UNSUPPORTED,
                       _("The file is protected with an old method that is no longer supported; ask for it to be exported again with AES encryption"));
}

static void
set_wrong_password (GError **error)
{
  g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_WRONG_PASSWORD,
                       _("The password of the certificate file is not correct"));
}

/* Checks the password against the file's MAC, so that a wrong password is
 * told apart from a damaged or unsupported file. An empty password may
 * have been applied as "no password" by the program that made the file,
 * as the openssl command also allows for. *pass is what PKCS12_parse()
 * must be given. */
static gboolean
check_password (PKCS12      *p12,
                const char  *password,
                const char **pass,
                GError     **error)
{
  *pass = password;
  if (!PKCS12_mac_present (p12))
    return TRUE;
  if (PKCS12_verify_mac (p12, password, -1) == 1)
    return TRUE;
  if (*password == '\0' && PKCS12_verify_mac (p12, NULL, 0) == 1)
    {
      ERR_clear_error ();
      *pass = NULL;
      return TRUE;
    }
  if (errors_say_unsupported ())
    set_unsupported (error);
  else
    set_wrong_password (error);
  return FALSE;
}

/* PKCS12_parse() pairs key and certificate by their local key id; a file
 * made without one leaves every certificate in the chain. */
static X509 *
take_matching_certificate (STACK_OF (X509) *chain,
                           EVP_PKEY        *key)
{
  for (int i = 0; chain != NULL && i < sk_X509_num (chain); i++)
    {
      X509 *candidate = sk_X509_value (chain, i);

      if (X509_check_private_key (candidate, key) == 1)
        return sk_X509_delete (chain, i);
    }
  ERR_clear_error ();
  return NULL;
}

/* The checks that the certificate and key can sign in to an endpoint at
 * all; the dates are the importer's to judge. */
static gboolean
check_pair (X509      *cert,
            EVP_PKEY  *key,
            GError   **error)
{
  if (key == NULL)
    {
      g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_NO_KEY,
                           _("The file holds no private key; ask for a file with both the certificate and its key"));
      return FALSE;
    }
  if (cert == NULL)
    {
      g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_NO_CERTIFICATE,
                           _("The file holds no certificate for its private key"));
      return FALSE;
    }
  if (X509_check_private_key (cert, key) != 1)
    {
      ERR_clear_error ();
      g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_KEY_MISMATCH,
                           _("The private key in the file does not belong to its certificate"));
      return FALSE;
    }
  /* Key usage, extended key usage and the old Netscape type, as the
   * endpoint checks them (it asks for the TLS client purpose). */
  if (X509_check_purpose (cert, X509_PURPOSE_SSL_CLIENT, 0) != 1)
    {
      ERR_clear_error ();
      g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_NOT_FOR_CLIENTS,
                           _("This certificate is not meant for signing in as a client (TLS client authentication is not among its uses)"));
      return FALSE;
    }
  return TRUE;
}

/* The contents of a secure-heap BIO as a string, wiped before the BIO
 * frees its buffer; NULL when it could not be written. */
static char *
take_bio_text (BIO *bio)
{
  char *data = NULL;
  long length = BIO_get_mem_data (bio, &data);

  if (length <= 0)
    return NULL;
  return g_strndup (data, (gsize) length);
}

static char *
certificates_to_pem (X509            *cert,
                     STACK_OF (X509) *chain)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_secmem ());

  if (bio == NULL || PEM_write_bio_X509 (bio, cert) != 1)
    return NULL;
  for (int i = 0; chain != NULL && i < sk_X509_num (chain); i++)
    if (X509_cmp (sk_X509_value (chain, i), cert) != 0 &&
        PEM_write_bio_X509 (bio, sk_X509_value (chain, i)) != 1)
      return NULL;
  return take_bio_text (bio);
}

/* PKCS#8, unencrypted: the store's encryption is what protects it. */
static char *
key_to_pem (EVP_PKEY *key)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_secmem ());

  if (bio == NULL || PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) != 1)
    return NULL;
  return take_bio_text (bio);
}

static PKCS12 *
read_pkcs12 (const guint8  *data,
             gsize          length,
             GError       **error)
{
  const unsigned char *p = data;
  PKCS12 *p12 = NULL;

  if (length > 0 && length <= MAX_PKCS12_BYTES)
    p12 = d2i_PKCS12 (NULL, &p, (long) length);
  ERR_clear_error ();
  if (p12 == NULL)
    g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_NOT_PKCS12,
                         _("This is not a certificate file in PKCS#12 format (.p12 or .pfx)"));
  return p12;
}

/**
 * vp_client_credential_from_pkcs12:
 * @data: the contents of a PKCS#12 file
 * @length: its length
 * @password: its password, UTF-8 ("" for none)
 * @error: a #VP_CLIENT_CERT_ERROR that says what is wrong with the file
 *
 * Reads the client certificate, any chain and the private key out of a
 * PKCS#12 file. Touches neither the store nor the disk, so it can run in a
 * worker thread. Does not judge the dates.
 *
 * Returns: (transfer full): the credential as PEM, or %NULL
 */
VpClientCredential *
vp_client_credential_from_pkcs12 (const guint8  *data,
                                  gsize          length,
                                  const char    *password,
                                  GError       **error)
{
  g_autoptr(PKCS12) p12 = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  g_autoptr(X509) cert = NULL;
  STACK_OF (X509) *chain = NULL;
  g_autoptr(VpClientCredential) credential = NULL;
  const char *pass = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  p12 = read_pkcs12 (data, length, error);
  if (p12 == NULL || !check_password (p12, password, &pass, error))
    return NULL;
  if (PKCS12_parse (p12, pass, &key, &cert, &chain) != 1)
    {
      /* The password passed the MAC; what fails now is decryption. */
      if (errors_say_unsupported ())
        set_unsupported (error);
      else if (!PKCS12_mac_present (p12))
        set_wrong_password (error);
      else
        g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_NOT_PKCS12,
                             _("The certificate file is damaged and cannot be read"));
      return NULL;
    }
  ERR_clear_error ();
  if (cert == NULL && key != NULL)
    cert = take_matching_certificate (chain, key);

  if (!check_pair (cert, key, error))
    {
      free_x509_stack (chain);
      return NULL;
    }
  credential = g_new0 (VpClientCredential, 1);
  credential->cert_pem = certificates_to_pem (cert, chain);
  credential->key_pem = key_to_pem (key);
  free_x509_stack (chain);
  ERR_clear_error ();
  if (credential->cert_pem == NULL || credential->key_pem == NULL)
    {
      g_set_error_literal (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_UNSUPPORTED,
                           _("The certificate or its key is of a kind that cannot be used"));
      return NULL;
    }
  return g_steal_pointer (&credential);
}

static gboolean
has_certificate (VpStore *store)
{
  g_autofree char *stored = vp_store_get_setting (store, CERT_KEY);
  return stored != NULL;
}

static gboolean
commit_or_roll_back (VpStore   *store,
                     gboolean   ok,
                     GError   **error)
{
  if (ok && vp_store_exec (store, "COMMIT", error))
    return TRUE;
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}

/* The one refusal of this file; the checks are vp_store_require_team_leader(). */
static gboolean
require_team_leader (VpStore  *store,
                     GError  **error)
{
  return vp_store_require_team_leader (store, _("Only a team leader can change the client certificate"), error);
}

/**
 * vp_client_cert_save:
 * @store: an open store, unlocked by a team leader
 * @credential: what vp_client_credential_from_pkcs12() read
 * @now: the moment to judge the certificate's dates by
 * @error: %VP_CLIENT_CERT_ERROR_EXPIRED, or a store error
 *
 * Keeps the certificate and key in the store in place of any before, in
 * one transaction with its audit entry. An expired certificate is refused
 * and the one kept before stays.
 */
gboolean
vp_client_cert_save (VpStore                  *store,
                     const VpClientCredential *credential,
                     GDateTime                *now,
                     GError                  **error)
{
  g_autoptr(VpClientCertInfo) info = NULL;
  gboolean replacing;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (credential != NULL && now != NULL, FALSE);

  if (!require_team_leader (store, error))
    return FALSE;
  info = vp_client_cert_info_from_pem (credential->cert_pem, error);
  if (info == NULL)
    return FALSE;
  if (info->not_after <= g_date_time_to_unix (now))
    {
      g_autofree char *date = vp_client_cert_format_date (info->not_after);

      g_set_error (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_EXPIRED,
                   _("This certificate expired on %s; ask the issuer for a new one"), date);
      return FALSE;
    }

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  replacing = has_certificate (store);
  return commit_or_roll_back (store,
                              vp_store_set_setting (store, CERT_KEY, credential->cert_pem, error) &&
                              vp_store_set_setting (store, KEY_KEY, credential->key_pem, error) &&
                              vp_audit_append (store, replacing ? "change" : "create",
                                               "client_certificate", 0, "ok", error),
                              error);
}

/**
 * vp_client_cert_import:
 * @store: an open store, unlocked by a team leader
 * @pkcs12: the contents of a .p12 or .pfx file
 * @password: its password
 * @now: the moment to judge the certificate's dates by
 * @error: a #VP_CLIENT_CERT_ERROR or a store error
 *
 * Reads and keeps a client certificate in one call, in the calling thread
 * (the command line and the tests). Nothing is kept when anything fails.
 */
gboolean
vp_client_cert_import (VpStore     *store,
                       GBytes      *pkcs12,
                       const char  *password,
                       GDateTime   *now,
                       GError     **error)
{
  g_autoptr(VpClientCredential) credential = NULL;
  gsize length = 0;
  const guint8 *data;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (pkcs12 != NULL && password != NULL && now != NULL, FALSE);

  /* Checked first, so that a coach is not asked about a file at all. */
  if (!require_team_leader (store, error))
    return FALSE;
  data = g_bytes_get_data (pkcs12, &length);
  credential = vp_client_credential_from_pkcs12 (data, length, password, error);
  return credential != NULL && vp_client_cert_save (store, credential, now, error);
}

/* The async import reads the file in a worker thread (its key derivation
 * can take a moment) and keeps the result on the calling thread, which is
 * the only one to use the store. */
typedef struct {
  GBytes *pkcs12;
  char   *password;
} ImportData;

static void
import_data_free (ImportData *data)
{
  g_bytes_unref (data->pkcs12);
  wipe_string (data->password);
  g_free (data->password);
  g_free (data);
}

static void
parse_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ImportData *data = task_data;
  GError *error = NULL;
  gsize length = 0;
  const guint8 *bytes = g_bytes_get_data (data->pkcs12, &length);
  VpClientCredential *credential = vp_client_credential_from_pkcs12 (bytes, length, data->password, &error);

  if (credential == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, credential, (GDestroyNotify) vp_client_credential_free);
}

static void
parse_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(VpClientCredential) credential = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  VpStore *store = g_task_get_source_object (task);
  GError *error = NULL;

  credential = g_task_propagate_pointer (G_TASK (result), &error);
  if (credential == NULL || !vp_client_cert_save (store, credential, now, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
vp_client_cert_import_async (VpStore             *store,
                             GBytes              *pkcs12,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) parse = NULL;
  GError *error = NULL;
  ImportData *data;

  g_return_if_fail (VP_IS_STORE (store));
  g_return_if_fail (pkcs12 != NULL && password != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, vp_client_cert_import_async);
  if (!require_team_leader (store, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (ImportData, 1);
  data->pkcs12 = g_bytes_ref (pkcs12);
  data->password = g_strdup (password);
  parse = g_task_new (NULL, cancellable, parse_done, g_steal_pointer (&task));
  g_task_set_task_data (parse, data, (GDestroyNotify) import_data_free);
  g_task_run_in_thread (parse, parse_thread);
}

gboolean
vp_client_cert_import_finish (VpStore       *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Forgets the certificate and key; reports then go out without one. */
gboolean
vp_client_cert_remove (VpStore  *store,
                       GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!require_team_leader (store, error))
    return FALSE;
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!has_certificate (store))
    return commit_or_roll_back (store, TRUE, error);
  return commit_or_roll_back (store,
                              vp_store_set_setting (store, CERT_KEY, NULL, error) &&
                              vp_store_set_setting (store, KEY_KEY, NULL, error) &&
                              vp_audit_append (store, "delete", "client_certificate", 0, "ok", error),
                              error);
}

/* What the report page shows; NULL when none is kept (or it cannot be
 * read, which the uploader then finds out as well). */
VpClientCertInfo *
vp_client_cert_get_info (VpStore *store)
{
  g_autofree char *cert_pem = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  cert_pem = vp_store_get_setting (store, CERT_KEY);
  return cert_pem != NULL ? vp_client_cert_info_from_pem (cert_pem, NULL) : NULL;
}

/* The certificate and key for an upload, or NULL when none is kept. Free
 * it with vp_client_credential_free(), which wipes it. */
VpClientCredential *
vp_client_cert_load (VpStore *store)
{
  g_autoptr(VpClientCredential) credential = g_new0 (VpClientCredential, 1);

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  credential->cert_pem = vp_store_get_setting (store, CERT_KEY);
  credential->key_pem = vp_store_get_setting (store, KEY_KEY);
  if (credential->cert_pem == NULL || credential->key_pem == NULL)
    return NULL;
  return g_steal_pointer (&credential);
}
