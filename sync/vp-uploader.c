/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vp-uploader.h"

typedef struct {
  const char *data;
  size_t      len;
  size_t      pos;
} Upload;

static size_t
read_body (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *user_data)
{
  Upload *up = user_data;
  size_t n = MIN (size * nitems, up->len - up->pos);

  memcpy (buffer, up->data + up->pos, n);
  up->pos += n;
  return n;
}

static size_t
write_response (char   *ptr,
                size_t  size,
                size_t  nmemb,
                void   *user_data)
{
  GString *response = user_data;

  /* The endpoint answers with short JSON; anything large is not worth keeping. */
  if (response->len < 16384)
    g_string_append_len (response, ptr, (gssize) (size * nmemb));
  return size * nmemb;
}

static char *
reason_from_response (const GString *response,
                      long           status)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (json_parser_load_from_data (parser, response->str, (gssize) response->len, NULL) &&
      (root = json_parser_get_root (parser)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (root) &&
      json_object_has_member (json_node_get_object (root), "error"))
    return g_strdup_printf (_("The endpoint answered %ld: %s"), status,
                            json_object_get_string_member (json_node_get_object (root), "error"));
  return g_strdup_printf (_("The endpoint answered %ld"), status);
}

static VpUploadOutcome
classify (long status)
{
  if (status == 200 || status == 201)
    return VP_UPLOAD_DELIVERED;
  if (status == 408 || status == 429 || status >= 500)
    return VP_UPLOAD_RETRY;
  return VP_UPLOAD_NEEDS_ATTENTION;
}

static gboolean
is_tls_failure (CURLcode code)
{
  return code == CURLE_PEER_FAILED_VERIFICATION ||
         code == CURLE_SSL_CONNECT_ERROR ||
         code == CURLE_SSL_CIPHER ||
         code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
         code == CURLE_SSL_ISSUER_ERROR;
}

/* The alert a TLS server sent when it refused a client certificate, or
 * asked for one that was not sent; NULL for any other failure. Servers
 * that check certificates in the handshake (unlike the reference endpoint,
 * which answers 403) send it, and with TLS 1.3 it only arrives when the
 * answer is read, which libcurl reports as a receive error: without this
 * it would be retried for ever as a network fault. */
static char *
certificate_alert (CURLcode    code,
                   const char *detail)
{
  const char *alert;
  const char *end;

  if (code != CURLE_RECV_ERROR && code != CURLE_SEND_ERROR && code != CURLE_SSL_CONNECT_ERROR)
    return NULL;
  alert = strstr (detail, "alert ");
  if (alert == NULL ||
      (strstr (alert, "certificate") == NULL && strstr (alert, "unknown ca") == NULL &&
       strstr (alert, "access denied") == NULL))
    return NULL;
  /* OpenSSL's text: "...:SSL routines::tlsv13 alert certificate required,
   * errno 0", of which "alert certificate required" is kept. */
  end = strchr (alert, ',');
  return g_strndup (alert, end != NULL ? (gsize) (end - alert) : strlen (alert));
}

/* The client certificate and key go to libcurl from memory, never through
 * a file (#12). CURL_BLOB_NOCOPY: libcurl reads our copies, which the
 * caller wipes, instead of making copies of its own that it would free
 * without wiping. They must outlive the handle. */
static void
set_client_certificate (CURL                 *curl,
                        const VpUploadConfig *config,
                        struct curl_blob     *cert,
                        struct curl_blob     *key)
{
  if (config->client_cert == NULL || config->client_key == NULL)
    return;
  *cert = (struct curl_blob) { (void *) config->client_cert, strlen (config->client_cert), CURL_BLOB_NOCOPY };
  *key = (struct curl_blob) { (void *) config->client_key, strlen (config->client_key), CURL_BLOB_NOCOPY };
  curl_easy_setopt (curl, CURLOPT_SSLCERT_BLOB, cert);
  curl_easy_setopt (curl, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt (curl, CURLOPT_SSLKEY_BLOB, key);
  curl_easy_setopt (curl, CURLOPT_SSLKEYTYPE, "PEM");
}

static void
wipe_header (char *header)
{
  if (header != NULL)
    OPENSSL_cleanse (header, strlen (header));
}

/* Sends one report revision with PUT (DESIGN §7). Certificate and host name
 * verification stay on; a CA file or a pinned key can only narrow trust. */
VpUploadOutcome
vp_upload_report (const VpUploadConfig  *config,
                  const char            *team,
                  const char            *installation,
                  const char            *period,
                  const char            *body,
                  long                  *http_status,
                  char                 **reason)
{
  g_autofree char *base = g_strdup (config->endpoint);
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GString) response = g_string_new (NULL);
  struct curl_slist *headers = NULL;
  struct curl_blob cert_blob, key_blob;
  char detail[CURL_ERROR_SIZE] = "";
  g_autofree char *alert = NULL;
  Upload up = { body, strlen (body), 0 };
  CURL *curl;
  CURLcode code;
  long status = 0;
  VpUploadOutcome outcome;

  *http_status = 0;
  *reason = NULL;

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      *reason = g_strdup (_("The network library could not start"));
      return VP_UPLOAD_RETRY;
    }

  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  url = g_strdup_printf ("%s/v1/reports/%s/%s/%s", base, team, installation, period);
  /* With a client certificate a token may be left out (--client-auth
   * cert on the reference endpoint). */
  if (config->token != NULL && *config->token != '\0')
    {
      auth = g_strdup_printf ("Authorization: Bearer %s", config->token);
      headers = curl_slist_append (headers, auth);
    }
  headers = curl_slist_append (headers, "Content-Type: application/json");
  headers = curl_slist_append (headers, "Expect:");
  if (config->label != NULL && *config->label != '\0')
    {
      /* Percent-encoded UTF-8: header values are ASCII, and no character of
       * the label can end the header or start another. */
      g_autofree char *escaped = g_uri_escape_string (config->label, NULL, FALSE);
      label = g_strdup_printf ("Vindplaats-Installation-Label: %s", escaped);
      headers = curl_slist_append (headers, label);
    }

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt (curl, CURLOPT_READDATA, &up);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) up.len);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_response);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, response);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (curl, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, detail);
  if (config->ca_file != NULL && *config->ca_file != '\0')
    curl_easy_setopt (curl, CURLOPT_CAINFO, config->ca_file);
  if (config->pinned_key != NULL && *config->pinned_key != '\0')
    curl_easy_setopt (curl, CURLOPT_PINNEDPUBLICKEY, config->pinned_key);
  set_client_certificate (curl, config, &cert_blob, &key_blob);

  code = curl_easy_perform (curl);
  if (code == CURLE_OK)
    {
      curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
      *http_status = status;
      outcome = classify (status);
      if (outcome != VP_UPLOAD_DELIVERED)
        *reason = reason_from_response (response, status);
    }
  else if ((alert = certificate_alert (code, detail)) != NULL)
    {
      outcome = VP_UPLOAD_NEEDS_ATTENTION;
      if (config->client_cert != NULL)
        *reason = g_strdup_printf (_("The endpoint refused this laptop’s client certificate (%s)"), alert);
      else
        *reason = g_strdup_printf (_("The endpoint asks for a client certificate, and none has been imported (%s)"),
                                   alert);
    }
  else if (code == CURLE_SSL_CERTPROBLEM)
    {
      outcome = VP_UPLOAD_NEEDS_ATTENTION;
      *reason = g_strdup_printf (_("This laptop’s client certificate could not be used: %s"),
                                 curl_easy_strerror (code));
    }
  else if (is_tls_failure (code))
    {
      outcome = VP_UPLOAD_NEEDS_ATTENTION;
      *reason = g_strdup_printf (_("The endpoint’s identity could not be verified: %s"),
                                 curl_easy_strerror (code));
    }
  else
    {
      outcome = VP_UPLOAD_RETRY;
      *reason = g_strdup_printf (_("The endpoint could not be reached: %s"),
                                 curl_easy_strerror (code));
    }

  /* libcurl copied the header lines; these copies hold the token. */
  for (struct curl_slist *h = headers; h != NULL; h = h->next)
    if (g_str_has_prefix (h->data, "Authorization:"))
      wipe_header (h->data);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  wipe_header (auth);
  return outcome;
}
