/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The endpoint's pinned key: besides the CA, the laptop can insist on the
 * endpoint's own public key, so that a CA that signs for the wrong party
 * is not enough. It is kept as libcurl compares it: "sha256//" and the
 * base64 SHA-256 of the key's SubjectPublicKeyInfo, several joined by ';'
 * (the current key and the next one, while the municipality changes
 * keys). A team leader may also give a PEM or DER public key or
 * certificate, from which the hash is taken, so that no file has to stay
 * where it was. */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "vp-endpoint-pin.h"
#include "vp-sync.h"

#define PIN_KEY    "endpoint_pinned_key"
#define PIN_PREFIX "sha256//"

static gboolean
check_hash_list (const char  *text,
                 GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ";", 0);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *b64 = parts[i] + strlen (PIN_PREFIX);
      guchar digest[64];
      int n;

      /* EVP_DecodeBlock keeps the padding's zero bytes, so 44 characters
       * with one '=' are exactly 32 bytes of SHA-256. */
      if (!g_str_has_prefix (parts[i], PIN_PREFIX) || strlen (b64) != 44 ||
          b64[43] != '=' || b64[42] == '=' ||
          (n = EVP_DecodeBlock (digest, (const guchar *) b64, 44)) != 33)
        {
          g_set_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_PIN,
                       _("“%s” is not a key pin: give sha256// and the base64 SHA-256 of the endpoint’s public key, or a file with the key or the certificate"),
                       parts[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static EVP_PKEY *
read_public_key (const char *contents,
                 gsize       length)
{
  const guchar *der = (const guchar *) contents;
  BIO *bio = BIO_new_mem_buf (contents, (int) length);
  EVP_PKEY *key = PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
  X509 *cert = NULL;

  BIO_free (bio);
  if (key == NULL)
    {
      bio = BIO_new_mem_buf (contents, (int) length);
      cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
      BIO_free (bio);
    }
  if (key == NULL && cert == NULL)
    key = d2i_PUBKEY (NULL, &der, (long) length);
  if (key == NULL && cert == NULL)
    {
      der = (const guchar *) contents;
      cert = d2i_X509 (NULL, &der, (long) length);
    }
  if (cert != NULL)
    {
      key = X509_get_pubkey (cert);
      X509_free (cert);
    }
  return key;
}

static char *
pin_from_file (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  EVP_PKEY *key;
  guchar *spki = NULL;
  guchar digest[32];
  char b64[45];
  int spki_len;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  key = length <= G_MAXINT ? read_public_key (contents, length) : NULL;
  if (key == NULL)
    {
      g_autofree char *name = g_filename_display_basename (path);

      g_set_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_PIN,
                   _("“%s” holds no public key or certificate (PEM or DER)"), name);
      return NULL;
    }
  spki_len = i2d_PUBKEY (key, &spki);
  EVP_PKEY_free (key);
  if (spki_len <= 0 || EVP_Digest (spki, (size_t) spki_len, digest, NULL, EVP_sha256 (), NULL) != 1)
    {
      OPENSSL_free (spki);
      g_set_error_literal (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_PIN,
                           _("The key’s hash could not be computed"));
      return NULL;
    }
  OPENSSL_free (spki);
  EVP_EncodeBlock ((guchar *) b64, digest, sizeof digest);
  return g_strconcat (PIN_PREFIX, b64, NULL);
}

/* The pin to keep for @text (hashes, or a file with a key or certificate),
 * "" for none, or NULL with @error set. */
char *
vp_endpoint_pin_from_text (const char  *text,
                           GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (*stripped == '\0')
    return g_strdup ("");
  if (g_str_has_prefix (stripped, PIN_PREFIX))
    return check_hash_list (stripped, error) ? g_steal_pointer (&stripped) : NULL;
  return pin_from_file (stripped, error);
}

/* Keeps the pin for @text, or removes it when @text is empty or NULL; a
 * refused pin leaves the old one. */
gboolean
vp_endpoint_pin_set (VpStore     *store,
                     const char  *text,
                     GError     **error)
{
  g_autofree char *pin = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  pin = vp_endpoint_pin_from_text (text, error);
  if (pin == NULL)
    return FALSE;
  return vp_store_set_setting (store, PIN_KEY, *pin != '\0' ? pin : NULL, error);
}
