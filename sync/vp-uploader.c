/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <openssl/x509_vfy.h>
#include <string.h>

#include "vp-https.h"
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

/* What an answer means (DESIGN §7). A gateway's 502 or 504 comes after
 * the whole request was handed on: the endpoint behind it may have
 * stored the report, so the outcome is not known. */
static VpUploadOutcome
classify (long status)
{
  if (status == 200 || status == 201)
    return VP_UPLOAD_DELIVERED;
  if (status == 502 || status == 504)
    return VP_UPLOAD_UNCONFIRMED;
  if (status == 408 || status == 429 || status >= 500)
    return VP_UPLOAD_RETRY;
  return VP_UPLOAD_NEEDS_ATTENTION;
}

/* The wait a 429 or 503 asked for, in seconds (libcurl reads both forms
 * of Retry-After, seconds and an HTTP date); 0 for none. */
static gint64
retry_after (CURL *curl,
             long  status)
{
  curl_off_t seconds = 0;

  if (status != 429 && status != 503)
    return 0;
  if (curl_easy_getinfo (curl, CURLINFO_RETRY_AFTER, &seconds) != CURLE_OK || seconds < 0)
    return 0;
  return (gint64) seconds;
}

/* Failures that say the endpoint is not the one it should be: only these
 * stop for the team leader. A connection reset, dropped or timed out
 * during the handshake says nothing about identity, and is retried. */
static gboolean
is_identity_failure (CURLcode code)
{
  return code == CURLE_PEER_FAILED_VERIFICATION ||
         code == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
         code == CURLE_SSL_ISSUER_ERROR;
}

/* CURLINFO_SSL_VERIFYRESULT holds OpenSSL's X509_V_ERR_* codes only when
 * libcurl uses OpenSSL (or one of its forks); other backends keep codes
 * of their own there. */
static gboolean
backend_is_openssl (void)
{
  const curl_version_info_data *info = curl_version_info (CURLVERSION_NOW);
  const char *ssl = info->ssl_version != NULL ? info->ssl_version : "";

  return g_str_has_prefix (ssl, "OpenSSL") || g_str_has_prefix (ssl, "LibreSSL") ||
         g_str_has_prefix (ssl, "BoringSSL") || g_str_has_prefix (ssl, "quictls");
}

static char *
endpoint_host (const VpUploadConfig *config)
{
  g_autoptr(GUri) uri = g_uri_parse (config->endpoint, G_URI_FLAGS_NONE, NULL);

  return g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : config->endpoint);
}

static char *
wrong_name_reason (const VpUploadConfig *config)
{
  g_autofree char *host = endpoint_host (config);

  return g_strdup_printf (_("The endpoint’s certificate is not made out to %s. Check the endpoint address in the settings; if it is right, ask the municipality’s IT department to correct the certificate"),
                          host);
}

/* Which identity check failed, in words a team leader can act on (#13):
 * libcurl's own text is the same for every certificate failure. */
static char *
identity_reason (CURL                 *curl,
                 CURLcode              code,
                 const char           *detail,
                 const VpUploadConfig *config)
{
  long result = X509_V_OK;

  if (code == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
    return g_strdup (_("The endpoint’s key is not the one pinned for it. If the municipality gave its endpoint a new key, the team leader pins the new key (vindplaats-admin configure --pin); if it did not, this may not be the municipality’s endpoint, so ask its IT department before sending again"));
  if (code != CURLE_PEER_FAILED_VERIFICATION || !backend_is_openssl () ||
      curl_easy_getinfo (curl, CURLINFO_SSL_VERIFYRESULT, &result) != CURLE_OK)
    return g_strdup_printf (_("The endpoint’s identity could not be verified (%s). Ask the municipality’s IT department to check its certificate"),
                            curl_easy_strerror (code));

  switch (result)
    {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return g_strdup (_("The endpoint’s certificate is self-signed, and this laptop does not trust it. If the municipality gave you the certificate of its CA, set it as the endpoint’s CA file (vindplaats-admin configure --ca); if not, ask its IT department for one"));
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return g_strdup (_("The endpoint’s certificate was issued by an authority that this laptop does not trust. Ask the municipality’s IT department for the certificate of the CA that signs it, and set that as the endpoint’s CA file (vindplaats-admin configure --ca)"));
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return g_strdup (_("The endpoint’s certificate has expired. Ask the municipality’s IT department to renew it; if they say it is valid, check this laptop’s date and time"));
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return g_strdup (_("The endpoint’s certificate is not valid yet. Check this laptop’s date and time; if they are right, tell the municipality’s IT department"));
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return wrong_name_reason (config);
    default:
      /* The chain held and libcurl checked the name itself, leaving
       * no OpenSSL code of its own (X509_V_OK, or the "unspecified"
       * it starts from); its text names the host name. */
      if ((result == X509_V_OK || result == X509_V_ERR_UNSPECIFIED) && strstr (detail, "host name") != NULL)
        return wrong_name_reason (config);
      return g_strdup_printf (_("The endpoint’s certificate could not be verified (%s). Ask the municipality’s IT department to check it"),
                              X509_verify_cert_error_string (result));
    }
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

static void
wipe_header (char *header)
{
  if (header != NULL)
    OPENSSL_cleanse (header, strlen (header));
}

void
vp_upload_result_clear (VpUploadResult *result)
{
  g_clear_pointer (&result->reason, g_free);
  *result = (VpUploadResult) { 0 };
}

/* The endpoint answered: what it said, and how long it asked to wait. */
static void
judge_answer (CURL           *curl,
              const GString  *response,
              VpUploadResult *result)
{
  long status = 0;

  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  result->http_status = status;
  result->outcome = classify (status);
  if (result->outcome != VP_UPLOAD_DELIVERED)
    result->reason = reason_from_response (response, status);
  if (result->outcome == VP_UPLOAD_RETRY)
    result->retry_after = retry_after (curl, status);
}

/* No answer came. In order: refusals of the client certificate, failures
 * of the endpoint's identity and settings that cannot work, all of which
 * need the team leader; then faults of the network, which are retried. Of
 * those, one that came after the whole request had left may have come
 * after the endpoint stored the report (the answer was lost): that is
 * not known, and must never be shown as "not sent". */
static void
judge_failure (CURL                 *curl,
               CURLcode              code,
               const char           *detail,
               gboolean              body_sent,
               const VpUploadConfig *config,
               VpUploadResult       *result)
{
  g_autofree char *alert = certificate_alert (code, detail);

  result->outcome = VP_UPLOAD_NEEDS_ATTENTION;
  if (alert != NULL && config->client_cert != NULL)
    result->reason = g_strdup_printf (_("The endpoint refused this laptop’s client certificate (%s)"), alert);
  else if (alert != NULL)
    result->reason = g_strdup_printf (_("The endpoint asks for a client certificate, and none has been imported (%s)"),
                                      alert);
  else if (code == CURLE_SSL_CERTPROBLEM)
    result->reason = g_strdup_printf (_("This laptop’s client certificate could not be used: %s"),
                                      curl_easy_strerror (code));
  else if (is_identity_failure (code))
    result->reason = identity_reason (curl, code, detail, config);
  else if (code == CURLE_SSL_CACERT_BADFILE)
    result->reason = g_strdup_printf (_("The endpoint’s CA file (%s) could not be read. Set it again with vindplaats-admin configure --ca"),
                                      config->ca_file != NULL ? config->ca_file : "");
  else if (body_sent)
    {
      result->outcome = VP_UPLOAD_UNCONFIRMED;
      result->reason = g_strdup_printf (_("The report was sent, but no answer came back (%s)"),
                                        curl_easy_strerror (code));
    }
  else
    {
      result->outcome = VP_UPLOAD_RETRY;
      result->reason = g_strdup_printf (_("The endpoint could not be reached: %s"),
                                        curl_easy_strerror (code));
    }
}

/* Sends one report revision with PUT (DESIGN §7). Certificate and host name
 * verification stay on; a CA file or a pinned key can only narrow trust.
 * @result is filled in, and cleared with vp_upload_result_clear(). */
VpUploadOutcome
vp_upload_report (const VpUploadConfig  *config,
                  const char            *team,
                  const char            *installation,
                  const char            *period,
                  const char            *body,
                  VpUploadResult        *result)
{
  g_autofree char *base = g_strdup (config->endpoint);
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GString) response = g_string_new (NULL);
  struct curl_slist *headers = NULL;
  struct curl_blob cert_blob, key_blob;
  char detail[CURL_ERROR_SIZE] = "";
  Upload up = { body, strlen (body), 0 };
  CURL *curl;
  CURLcode code;

  *result = (VpUploadResult) { 0 };

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      result->outcome = VP_UPLOAD_RETRY;
      result->reason = g_strdup (_("The network library could not start"));
      return result->outcome;
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
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt (curl, CURLOPT_READDATA, &up);
  curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) up.len);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_response);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, response);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, detail);
  {
    const VpHttpsTrust trust = { config->ca_file, config->pinned_key, config->client_cert, config->client_key,
                                 config->timeout };

    vp_https_setup (curl, &trust, &cert_blob, &key_blob);
  }

  code = curl_easy_perform (curl);
  if (code == CURLE_OK)
    judge_answer (curl, response, result);
  else
    /* libcurl has taken the whole body only once the request is on its
     * way: before that (in the handshake, say) nothing can have arrived. */
    judge_failure (curl, code, detail, up.len > 0 && up.pos == up.len, config, result);

  /* libcurl copied the header lines; these copies hold the token. */
  for (struct curl_slist *h = headers; h != NULL; h = h->next)
    if (g_str_has_prefix (h->data, "Authorization:"))
      wipe_header (h->data);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  wipe_header (auth);
  return result->outcome;
}
