/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "vp-https.h"

void
vp_https_setup (CURL               *curl,
                const VpHttpsTrust *trust,
                struct curl_blob   *cert,
                struct curl_blob   *key)
{
  long timeout = trust->timeout > 0 ? (long) trust->timeout : 60;

  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (curl, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, MIN (20L, timeout));
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, timeout);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  if (trust->ca_file != NULL && *trust->ca_file != '\0')
    curl_easy_setopt (curl, CURLOPT_CAINFO, trust->ca_file);
  if (trust->pinned_key != NULL && *trust->pinned_key != '\0')
    curl_easy_setopt (curl, CURLOPT_PINNEDPUBLICKEY, trust->pinned_key);
  if (trust->client_cert == NULL || trust->client_key == NULL)
    return;
  /* CURL_BLOB_NOCOPY: libcurl reads the caller's copies, which the caller
   * wipes, instead of making copies that it would free without wiping. */
  *cert = (struct curl_blob) { (void *) trust->client_cert, strlen (trust->client_cert), CURL_BLOB_NOCOPY };
  *key = (struct curl_blob) { (void *) trust->client_key, strlen (trust->client_key), CURL_BLOB_NOCOPY };
  curl_easy_setopt (curl, CURLOPT_SSLCERT_BLOB, cert);
  curl_easy_setopt (curl, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt (curl, CURLOPT_SSLKEY_BLOB, key);
  curl_easy_setopt (curl, CURLOPT_SSLKEYTYPE, "PEM");
}
