/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <curl/curl.h>
#include <glib.h>

G_BEGIN_DECLS

/* How this laptop trusts the municipality's endpoint, for every request
 * to it: report uploads (sync/vp-uploader.c) and the team-sync relay
 * (vp-relay-client.c). */
typedef struct {
  const char *ca_file;     /* optional extra trust anchor */
  const char *pinned_key;  /* optional, as CURLOPT_PINNEDPUBLICKEY takes it */
  const char *client_cert; /* optional client certificate and chain, PEM */
  const char *client_key;  /* its private key, PEM; with client_cert only */
  guint       timeout;     /* seconds for the whole exchange; 0: 60 (20 to connect) */
} VpHttpsTrust;

/* HTTPS only, TLS 1.2 or newer, the peer's certificate and name verified;
 * a CA file or a pinned key can only narrow trust. The client certificate
 * and key go to libcurl from memory, never through a file: cert and key
 * must outlive the handle, and so must the strings in trust. */
void vp_https_setup (CURL               *curl,
                     const VpHttpsTrust *trust,
                     struct curl_blob   *cert,
                     struct curl_blob   *key);

G_END_DECLS
