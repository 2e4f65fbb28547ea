/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *endpoint;    /* https://host[:port] */
  const char *token;       /* the team's bearer token; NULL with a client certificate alone */
  const char *ca_file;     /* optional extra trust anchor */
  const char *pinned_key;  /* optional, as CURLOPT_PINNEDPUBLICKEY takes it */
  const char *label;       /* optional installation label, UTF-8 (#11) */
  const char *client_cert; /* optional client certificate and chain, PEM (#12) */
  const char *client_key;  /* its private key, PEM; with client_cert only */
} VpUploadConfig;

typedef enum {
  VP_UPLOAD_DELIVERED,
  VP_UPLOAD_RETRY,
  VP_UPLOAD_NEEDS_ATTENTION,
} VpUploadOutcome;

VpUploadOutcome vp_upload_report (const VpUploadConfig *config,
                                  const char           *team,
                                  const char           *installation,
                                  const char           *period,
                                  const char           *body,
                                  long                 *http_status,
                                  char                **reason);

G_END_DECLS
