/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib-unix.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "vp-endpoint-db.h"
#include "vp-endpoint-server.h"
#include "vp-endpoint-text.h"
#include "vp-i18n.h"
#include "vp-relay-store.h"
#include "vp-report-validate.h"

/* vindplaats-endpoint: the reference municipal endpoint (DESIGN §7).
 *
 *   vindplaats-endpoint issue-token --db FILE --team TEAM
 *                       [--name NAME --municipality GMxxxx [--group GROUP]]
 *   vindplaats-endpoint issue-token --db FILE --read --municipality GMxxxx
 *   vindplaats-endpoint map-certificate --db FILE --subject DN --team TEAM
 *   vindplaats-endpoint serve --db FILE --cert CERT --key KEY [--address IP] --port N
 *                       [--client-ca CA --client-auth token|cert|both] [limits]
 *                       [--relay-db FILE [relay limits]]
 *
 * With --relay-db it also hosts the team-sync relay (#16), whose blobs live
 * in a database file of their own (vp-relay-store.c says why).
 */

#define EXIT_USAGE 2
#define DEFAULT_MAX_BODY (1024 * 1024)
#define LIMIT_MAX_BODY (64 * 1024 * 1024)
#define DEFAULT_RELAY_QUOTA_MIB 1024
#define DEFAULT_RELAY_MAX_DEVICES 64
#define DEFAULT_RELAY_INVITE_RATE 20
#define RELAY_INVITE_LIFETIME (15 * 60)
#define RELAY_PULL_LIMIT (8 * 1024 * 1024)

static int
fail (const GError *error)
{
  g_printerr ("vindplaats-endpoint: %s\n", error->message);
  return EXIT_FAILURE;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("vindplaats-endpoint: %s\n\n%s", message, help);
  return EXIT_USAGE;
}

/* Parses a subcommand's options; argv[0] is the subcommand's name. */
static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               int             *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (context, error->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”"), (*argv)[1]);
      *status = usage_error (context, message);
      return FALSE;
    }
  return TRUE;
}

/* A team with a name is registered (or renamed) before its token is made. */
static gboolean
register_team (VpEndpointDb  *db,
               const char    *team,
               const char    *name,
               const char    *municipality,
               const char    *group,
               GError       **error)
{
  if (name == NULL)
    return TRUE;
  return vp_endpoint_db_set_team (db, team, name, municipality, group, error);
}

static int
issue_token (int    argc,
             char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *team = NULL;
  g_autofree char *name = NULL;
  g_autofree char *municipality = NULL;
  g_autofree char *group = NULL;
  gboolean read = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The endpoint’s database (created when missing)"), N_("FILE") },
    { "team", 0, 0, G_OPTION_ARG_STRING, &team, N_("The team whose reports the token may send"), N_("TEAM") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The team’s name, as the overview shows it"), N_("NAME") },
    { "group", 0, 0, G_OPTION_ARG_STRING, &group, N_("The group of teams the team belongs to, such as a district"), N_("GROUP") },
    { "municipality", 0, 0, G_OPTION_ARG_STRING, &municipality, N_("The municipality (GMxxxx) of the team, or whose figures a read token shows"), N_("CODE") },
    { "read", 0, 0, G_OPTION_ARG_NONE, &read, N_("Issue a read token for GET /v1/reach and the overview"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(VpEndpointDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  int status = EXIT_SUCCESS;

  g_option_context_set_summary (context, _("Prints a new token on standard output; only its hash is stored."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;

  if (db_path == NULL)
    return usage_error (context, _("--db is required"));
  if (read && (team != NULL || name != NULL || group != NULL))
    return usage_error (context, _("A read token covers a municipality; leave out --team, --name and --group"));
  if (read && !vp_report_is_municipality (municipality))
    return usage_error (context, _("A read token needs --municipality with a code such as GM0363"));
  if (!read && !vp_report_is_team_code (team))
    return usage_error (context, _("--team must be a team code: 1 to 32 letters, digits, “-” or “_”"));
  if (!read && (name != NULL) != (municipality != NULL))
    return usage_error (context, _("--name and --municipality go together"));
  if (!read && municipality != NULL && !vp_report_is_municipality (municipality))
    return usage_error (context, _("--municipality must be a code such as GM0363"));
  if (!read && name != NULL && (g_strstrip (name)[0] == '\0' || g_utf8_strlen (name, -1) > 80 ||
                                !g_utf8_validate (name, -1, NULL)))
    return usage_error (context, _("--name must be 1 to 80 characters"));

  db = vp_endpoint_db_open (db_path, &error);
  if (db == NULL)
    return fail (error);
  if (!read && !register_team (db, team, name, municipality, group, &error))
    return fail (error);
  token = vp_endpoint_db_issue_token (db, read ? VP_TOKEN_READ : VP_TOKEN_WRITE,
                                      read ? municipality : team, &error);
  if (token == NULL)
    return fail (error);

  g_print ("%s\n", token);
  return EXIT_SUCCESS;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* libmicrohttpd waits for connections still in a TLS handshake when it
 * stops; a client holding one must not hold up a stop for the length of
 * the timeout. Each report is stored in one transaction, so ending here
 * loses nothing. */
static gpointer
exit_soon (gpointer user_data)
{
  g_usleep (2 * G_USEC_PER_SEC);
  fflush (stderr);
  _exit (EXIT_SUCCESS);
  return NULL;
}

/* Every connection takes a file descriptor: the soft limit goes up to the
 * hard one, and the connection limit stays below it, so that a flood is
 * refused at the limit instead of failing accept(). Returns the most
 * connections that fit. */
static guint
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 200;
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      getrlimit (RLIMIT_NOFILE, &limit);
    }
  /* The database, the log, the listening socket, epoll and some to spare. */
  return limit.rlim_cur > 2064 ? 2000 : limit.rlim_cur > 96 ? (guint) limit.rlim_cur - 64 : 32;
}

typedef struct {
  const char   *db_path;
  const char   *cert_path;
  const char   *key_path;
  const char   *client_ca_path;
  const char   *address;
  int           port;
  gsize         max_body;
  VpClientAuth  auth;
  int           max_connections;
  int           max_per_address;
  int           timeout;
  const char   *relay_db_path;
  gint64        relay_quota_mib;
  int           relay_max_devices;
  int           relay_invite_rate;
  gint64        relay_max_blob;
} ServeOptions;

/* The relay, when asked for: its storage and limits. */
static gboolean
enable_relay (VpEndpointServer    *server,
              const ServeOptions  *options,
              GError             **error)
{
  VpRelayLimits limits = {
    .quota = (guint64) options->relay_quota_mib * 1024 * 1024,
    .max_devices = (guint) options->relay_max_devices,
    .invite_lifetime = RELAY_INVITE_LIFETIME,
  };
  VpRelayRouteLimits route_limits = {
    .max_blob = (gsize) options->relay_max_blob,
    .invite_rate = (guint) options->relay_invite_rate,
    .pull_limit = RELAY_PULL_LIMIT,
  };
  g_autoptr(VpRelayStore) store = NULL;

  if (options->relay_db_path == NULL)
    return TRUE;
  store = vp_relay_store_open (options->relay_db_path, &limits, error);
  if (store == NULL)
    return FALSE;
  vp_endpoint_server_enable_relay (server, store, &route_limits);
  return TRUE;
}

static int
run_server (const ServeOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpEndpointDb) db = NULL;
  g_autoptr(VpEndpointServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *client_ca = NULL;
  guint fitting = raise_file_limit ();
  VpHttpConfig config = { 0 };
  guint term_id, int_id;

  vp_text_init ();
  db = vp_endpoint_db_open (options->db_path, &error);
  if (db == NULL)
    return fail (error);
  if (!g_file_get_contents (options->cert_path, &cert, NULL, &error) ||
      !g_file_get_contents (options->key_path, &key, NULL, &error) ||
      (options->client_ca_path != NULL && !g_file_get_contents (options->client_ca_path, &client_ca, NULL, &error)))
    return fail (error);

  config.address = options->address;
  config.port = (guint16) options->port;
  config.cert_pem = cert;
  config.key_pem = key;
  config.client_ca_pem = client_ca;
  config.max_connections = options->max_connections > 0 ? MIN ((guint) options->max_connections, fitting) : fitting;
  config.max_per_address = options->max_per_address;
  config.timeout = (guint) options->timeout;
  config.memory_per_connection = 64 * 1024;
  server = vp_endpoint_server_new (db, options->max_body, options->auth);
  if (!enable_relay (server, options, &error) ||
      !vp_endpoint_server_start (server, &config, &error))
    return fail (error);
  /* The server's thread has the key now; the copies here go. */
  OPENSSL_cleanse (key, strlen (key));

  /* Tests and scripts read this line to learn the port; keep it exact. */
  url = vp_endpoint_server_get_url (server);
  printf ("listening on %s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  int_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);
  g_thread_unref (g_thread_new ("exit-soon", exit_soon, NULL));
  return EXIT_SUCCESS;
}

static gboolean
parse_auth (const char   *text,
            VpClientAuth *auth)
{
  if (text == NULL || g_str_equal (text, "token"))
    *auth = VP_CLIENT_AUTH_TOKEN;
  else if (g_str_equal (text, "cert"))
    *auth = VP_CLIENT_AUTH_CERT;
  else if (g_str_equal (text, "both"))
    *auth = VP_CLIENT_AUTH_BOTH;
  else
    return FALSE;
  return TRUE;
}

static int
serve (int    argc,
       char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *client_ca_path = NULL;
  g_autofree char *client_auth = NULL;
  g_autofree char *address = NULL;
  g_autofree char *relay_db_path = NULL;
  int port = -1;
  gint64 max_body = DEFAULT_MAX_BODY;
  ServeOptions options = { 0 };
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The endpoint’s database (created when missing)"), N_("FILE") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_path, N_("The server certificate (PEM)"), N_("CERT.pem") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_path, N_("The certificate’s private key (PEM)"), N_("KEY.pem") },
    { "client-ca", 0, 0, G_OPTION_ARG_FILENAME, &client_ca_path, N_("Ask devices for a client certificate from this CA (PEM)"), N_("CA.pem") },
    { "client-auth", 0, 0, G_OPTION_ARG_STRING, &client_auth, N_("What a device must show to send: token (default), cert or both"), N_("WHAT") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("The IP address to listen on (default 127.0.0.1)"), N_("IP") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The port to listen on; 0 picks a free one"), N_("N") },
    { "max-body", 0, 0, G_OPTION_ARG_INT64, &max_body, N_("The largest request body accepted (default 1 MiB)"), N_("BYTES") },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &options.max_connections, N_("Connections at once (default: what the file limit allows, at most 2000)"), N_("N") },
    { "max-per-address", 0, 0, G_OPTION_ARG_INT, &options.max_per_address, N_("Connections at once from one address (default 32)"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout, N_("Seconds an idle or slow connection is kept (default 15)"), N_("SECONDS") },
    { "relay-db", 0, 0, G_OPTION_ARG_FILENAME, &relay_db_path, N_("Also host the team-sync relay, with its blobs in this database (created when missing)"), N_("FILE") },
    { "relay-quota", 0, 0, G_OPTION_ARG_INT64, &options.relay_quota_mib, N_("Relay storage per team, in MiB (default 1024)"), N_("MIB") },
    { "relay-max-devices", 0, 0, G_OPTION_ARG_INT, &options.relay_max_devices, N_("Laptops per relay team (default 64)"), N_("N") },
    { "relay-invite-rate", 0, 0, G_OPTION_ARG_INT, &options.relay_invite_rate, N_("Invite code look-ups per minute from one address (default 20)"), N_("N") },
    { "relay-max-blob", 0, 0, G_OPTION_ARG_INT64, &options.relay_max_blob, N_("The largest blob the relay takes (default and most 64 MiB)"), N_("BYTES") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  int status = EXIT_SUCCESS;

  options.max_per_address = 32;
  options.timeout = 15;
  options.relay_quota_mib = DEFAULT_RELAY_QUOTA_MIB;
  options.relay_max_devices = DEFAULT_RELAY_MAX_DEVICES;
  options.relay_invite_rate = DEFAULT_RELAY_INVITE_RATE;
  options.relay_max_blob = VP_BLOB_MAX_SIZE;
  g_option_context_set_summary (context, _("Serves the reach report endpoint over HTTPS."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;

  if (db_path == NULL || cert_path == NULL || key_path == NULL)
    return usage_error (context, _("--db, --cert and --key are required"));
  if (port < 0 || port > 65535)
    return usage_error (context, _("--port must be between 0 and 65535"));
  if (max_body < 1 || max_body > LIMIT_MAX_BODY)
    return usage_error (context, _("--max-body must be between 1 byte and 64 MiB"));
  if (!parse_auth (client_auth, &options.auth))
    return usage_error (context, _("--client-auth must be token, cert or both"));
  if (options.auth != VP_CLIENT_AUTH_TOKEN && client_ca_path == NULL)
    return usage_error (context, _("--client-auth cert or both needs --client-ca"));
  if (options.max_connections < 0 || options.max_per_address < 1 || options.timeout < 1 || options.timeout > 3600)
    return usage_error (context, _("--max-connections, --max-per-address and --timeout must be positive"));
  if (options.relay_quota_mib < 1 || options.relay_quota_mib > G_MAXINT32 || options.relay_max_devices < 2 ||
      options.relay_max_devices > 10000 || options.relay_invite_rate < 1 || options.relay_invite_rate > 10000 ||
      options.relay_max_blob < 1024 || options.relay_max_blob > VP_BLOB_MAX_SIZE)
    return usage_error (context, _("The relay’s limits are out of range: --relay-quota from 1 MiB, --relay-max-devices from 2, "
                                   "--relay-invite-rate from 1, --relay-max-blob from 1024 bytes to 64 MiB"));

  options.db_path = db_path;
  options.cert_path = cert_path;
  options.key_path = key_path;
  options.client_ca_path = client_ca_path;
  options.address = address != NULL ? address : "127.0.0.1";
  options.port = port;
  options.max_body = (gsize) max_body;
  options.relay_db_path = relay_db_path;
  return run_server (&options);
}

static int
map_certificate (int    argc,
                 char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *team = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The endpoint’s database (created when missing)"), N_("FILE") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The client certificate’s subject, as in “openssl x509 -subject -nameopt RFC2253”"), N_("DN") },
    { "team", 0, 0, G_OPTION_ARG_STRING, &team, N_("The team whose reports the certificate may send"), N_("TEAM") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(VpEndpointDb) db = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_SUCCESS;

  g_option_context_set_summary (context, _("Lets a client certificate send the reports of a team."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &status))
    return status;
  if (db_path == NULL || subject == NULL || *subject == '\0')
    return usage_error (context, _("--db and --subject are required"));
  if (!vp_report_is_team_code (team))
    return usage_error (context, _("--team must be a team code: 1 to 32 letters, digits, “-” or “_”"));
  db = vp_endpoint_db_open (db_path, &error);
  if (db == NULL || !vp_endpoint_db_map_certificate (db, subject, team, &error))
    return fail (error);
  return EXIT_SUCCESS;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n  vindplaats-endpoint issue-token --db FILE (--team TEAM [--name NAME --municipality GMxxxx"
                " [--group GROUP]] | --read --municipality GMxxxx)\n"
                "  vindplaats-endpoint map-certificate --db FILE --subject DN --team TEAM\n"
                "  vindplaats-endpoint serve --db FILE --cert CERT.pem --key KEY.pem"
                " [--address IP] --port N [--max-body BYTES]\n"
                "      [--client-ca CA.pem --client-auth token|cert|both] [--max-connections N]"
                " [--max-per-address N] [--timeout SECONDS]\n"
                "      [--relay-db FILE [--relay-quota MIB] [--relay-max-devices N] [--relay-invite-rate N]"
                " [--relay-max-blob BYTES]]\n\n%s\n",
           _("Usage:"),
           _("Run “vindplaats-endpoint COMMAND --help” for the options of a command."));
}

int
main (int   argc,
      char *argv[])
{
  const char *command;

  setlocale (LC_ALL, "");
  /* From the build tree (tests, the demo) the build's own catalogue. */
  bindtextdomain (GETTEXT_PACKAGE, vp_i18n_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  command = argv[1];
  if (g_str_equal (command, "issue-token") || g_str_equal (command, "serve") ||
      g_str_equal (command, "map-certificate"))
    {
      /* So that --help reads "vindplaats-endpoint serve [OPTION…]". */
      g_autofree char *prgname = g_strconcat ("vindplaats-endpoint ", command, NULL);

      g_set_prgname (prgname);
      if (g_str_equal (command, "serve"))
        return serve (argc - 1, argv + 1);
      if (g_str_equal (command, "map-certificate"))
        return map_certificate (argc - 1, argv + 1);
      return issue_token (argc - 1, argv + 1);
    }
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") || g_str_equal (command, "help"))
    {
      print_usage (stdout);
      return EXIT_SUCCESS;
    }
  if (g_str_equal (command, "--version"))
    {
      printf ("vindplaats-endpoint %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  g_printerr ("vindplaats-endpoint: %s\n", _("Unknown command; use issue-token, map-certificate or serve"));
  print_usage (stderr);
  return EXIT_USAGE;
}
