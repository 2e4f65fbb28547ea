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
  guint       timeout;     /* seconds for the whole exchange; 0: 60 (20 to connect) */
} VpUploadConfig;

typedef enum {
  VP_UPLOAD_DELIVERED,
  VP_UPLOAD_RETRY,           /* it did not arrive: try again later */
  VP_UPLOAD_NEEDS_ATTENTION, /* refused, or the endpoint's identity failed */
  VP_UPLOAD_UNCONFIRMED,     /* the whole request left and no answer came:
                              * it may have been stored; try again later */
} VpUploadOutcome;

typedef struct {
  VpUploadOutcome outcome;
  long            http_status;  /* 0 when no answer came */
  char           *reason;       /* translated; NULL when delivered */
  gint64          retry_after;  /* seconds a 429 or 503 asked to wait; 0: none */
} VpUploadResult;

void            vp_upload_result_clear (VpUploadResult       *result);

VpUploadOutcome vp_upload_report       (const VpUploadConfig *config,
                                        const char           *team,
                                        const char           *installation,
                                        const char           *period,
                                        const char           *body,
                                        VpUploadResult       *result);

G_END_DECLS
