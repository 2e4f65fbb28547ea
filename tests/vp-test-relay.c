/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>

#include "vp-test-process.h"
#include "vp-test-relay.h"
#include "vp-test-util.h"

static const char *
endpoint_program (void)
{
  const char *path = g_getenv ("VP_ENDPOINT");

  g_assert_nonnull (path);
  return path;
}

void
vp_test_relay_serve (VpTestRelay *relay)
{
  const char *argv[] = {
    endpoint_program (), "serve", "--db", relay->endpoint_db, "--relay-db", relay->relay_db,
    "--cert", relay->cert, "--key", relay->key, "--address", "127.0.0.1", "--port", "0", NULL
  };

  g_clear_pointer (&relay->url, g_free);
  relay->server = vp_test_spawn_listening (argv, &relay->url);
}

void
vp_test_relay_stop (VpTestRelay *relay)
{
  if (relay->server == NULL)
    return;
  g_subprocess_send_signal (relay->server, SIGTERM);
  g_subprocess_wait (relay->server, NULL, NULL);
  g_clear_object (&relay->server);
}

void
vp_test_relay_init (VpTestRelay *relay)
{
  const char *cert_argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", NULL, "-out", NULL, NULL
  };
  const char *issue[] = { endpoint_program (), "issue-token", "--db", NULL, "--team", "team-noord", NULL };

  relay->dir = vp_test_make_dir ();
  relay->cert = g_build_filename (relay->dir, "cert.pem", NULL);
  relay->key = g_build_filename (relay->dir, "key.pem", NULL);
  relay->endpoint_db = g_build_filename (relay->dir, "endpoint.db", NULL);
  relay->relay_db = g_build_filename (relay->dir, "relay.db", NULL);
  cert_argv[15] = relay->key;
  cert_argv[17] = relay->cert;
  g_free (vp_test_run_capture (cert_argv));
  issue[3] = relay->endpoint_db;
  relay->token = g_strstrip (vp_test_run_capture (issue));
  vp_test_relay_serve (relay);
}

void
vp_test_relay_clear (VpTestRelay *relay)
{
  vp_test_relay_stop (relay);
  vp_test_remove_dir (relay->dir);
  g_free (relay->dir);
  g_free (relay->cert);
  g_free (relay->key);
  g_free (relay->endpoint_db);
  g_free (relay->relay_db);
  g_free (relay->url);
  g_free (relay->token);
  *relay = (VpTestRelay) { 0 };
}
