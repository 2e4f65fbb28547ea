/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The real endpoint (VP_ENDPOINT) hosting the team-sync relay over TLS on
 * 127.0.0.1, with a certificate made for the occasion and a report token
 * for team-noord: what the team-sync tests and benchmarks talk to. */
typedef struct {
  char        *dir;          /* holds the relay's files; laptops may go here too */
  char        *cert;
  char        *key;
  char        *endpoint_db;
  char        *relay_db;
  char        *url;
  char        *token;        /* team-noord's report token */
  GSubprocess *server;
} VpTestRelay;

void vp_test_relay_init  (VpTestRelay *relay);
/* Starts the server (again, after vp_test_relay_stop()); url may change. */
void vp_test_relay_serve (VpTestRelay *relay);
void vp_test_relay_stop  (VpTestRelay *relay);
/* Stops it, removes its folder, frees the fields. */
void vp_test_relay_clear (VpTestRelay *relay);

G_END_DECLS
