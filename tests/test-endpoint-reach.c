/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The municipality's side of the reference endpoint, over real TLS on
 * loopback: sign-in with a read token for a session cookie, access scoped
 * to one municipality, tokens never taken from addresses, the overview's
 * views in Dutch and English, the CSV and JSON exports, laptops' labels
 * and teams bound to their municipality. The database is filled by
 * vp-demo-municipality, as in the demo. */
#include "config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "vp-report-json.h"
#include "vp-sim.h"
#include "vp-test-process.h"

#define INSTALLATION "00112233445566778899aabbccddeeff"

typedef struct {
  char        *dir;
  char        *cert;
  char        *key;
  char        *db;
  char        *url;
  char        *read_token;
  char        *other_token;
  char        *team_token;
  GSubprocess *server;
} Fixture;

typedef struct {
  long     status;
  GString *headers;
  GString *body;
} Response;

static void
response_clear (Response *r)
{
  g_string_free (r->headers, TRUE);
  g_string_free (r->body, TRUE);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

static const char *
program (const char *variable)
{
  const char *path = g_getenv (variable);

  g_assert_nonnull (path);
  return path;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("vp-endpoint-XXXXXX", &error);
  g_assert_no_error (error);
  f->cert = g_build_filename (f->dir, "cert.pem", NULL);
  f->key = g_build_filename (f->dir, "key.pem", NULL);
  f->db = g_build_filename (f->dir, "endpoint.db", NULL);
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", f->key, "-out", f->cert, NULL
    };
    g_free (vp_test_run_capture (argv));
  }
  {
    const char *argv[] = { program ("VP_DEMO_MUNICIPALITY"), "--db", f->db, "--months", "6",
                           "--last", "2026-10", NULL };
    f->read_token = vp_test_run_capture (argv);
  }
  {
    const char *argv[] = { program ("VP_ENDPOINT"), "issue-token", "--db", f->db, "--read",
                           "--municipality", "GM0599", NULL };
    f->other_token = vp_test_run_capture (argv);
  }
  {
    const char *argv[] = { program ("VP_ENDPOINT"), "issue-token", "--db", f->db, "--team", "noord",
                           "--name", "Wijkteam Noord", "--municipality", "GM0363", "--group", "Noord", NULL };
    f->team_token = vp_test_run_capture (argv);
  }
  {
    const char *argv[] = { program ("VP_ENDPOINT"), "serve", "--db", f->db, "--cert", f->cert,
                           "--key", f->key, "--address", "127.0.0.1", "--port", "0", NULL };

    f->server = vp_test_spawn_listening (argv, &f->url);
  }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_subprocess_send_signal (f->server, SIGTERM);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server);
  {
    g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (f->dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->cert);
  g_free (f->key);
  g_free (f->db);
  g_free (f->url);
  g_free (f->read_token);
  g_free (f->other_token);
  g_free (f->team_token);
}

static size_t
collect (char   *data,
         size_t  size,
         size_t  n,
         void   *user_data)
{
  g_string_append_len (user_data, data, (gssize) (size * n));
  return size * n;
}

/* One request; headers are "Name: value" strings. */
static Response
request (Fixture            *f,
         const char         *method,
         const char         *path,
         const char * const *headers,
         const char         *body)
{
  Response r = { 0, g_string_new (NULL), g_string_new (NULL) };
  g_autofree char *url = g_strconcat (f->url, path, NULL);
  struct curl_slist *list = NULL;
  CURL *curl = curl_easy_init ();

  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    list = curl_slist_append (list, headers[i]);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_CAINFO, f->cert);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, r.headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, r.body);
  if (body != NULL)
    curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
  g_assert_cmpint (curl_easy_perform (curl), ==, CURLE_OK);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all (list);
  curl_easy_cleanup (curl);
  return r;
}

static char *
header_value (const Response *r,
              const char     *name)
{
  g_auto(GStrv) lines = g_strsplit (r->headers->str, "\r\n", -1);
  gsize len = strlen (name);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
      return g_strstrip (g_strdup (lines[i] + len + 1));
  return NULL;
}

/* Signs in and returns the "Cookie: ..." header of the session. */
static char *
sign_in (Fixture    *f,
         const char *token)
{
  g_autofree char *form = g_strdup_printf ("token=%s&lang=nl", token);
  g_auto(Response) r = request (f, "POST", "/sign-in", NULL, form);
  g_autofree char *cookie = header_value (&r, "Set-Cookie");
  char *end;

  g_assert_cmpint (r.status, ==, 303);
  g_assert_nonnull (cookie);
  end = strchr (cookie, ';');
  g_assert_nonnull (end);
  *end = '\0';
  return g_strconcat ("Cookie: ", cookie, NULL);
}

static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *cookie_header = NULL;
  g_autofree char *with_token = g_strdup_printf ("/?token=%s", f->read_token);
  g_autofree char *bearer = g_strdup_printf ("Authorization: Bearer %s", f->read_token);

  {
    g_auto(Response) r = request (f, "GET", "/", NULL, NULL);
    g_autofree char *location = header_value (&r, "Location");

    g_assert_cmpint (r.status, ==, 303);
    g_assert_cmpstr (location, ==, "/sign-in?lang=nl");
  }
  {
    /* A token in the address is no way in. */
    g_auto(Response) r = request (f, "GET", with_token, NULL, NULL);

    g_assert_cmpint (r.status, ==, 303);
  }
  {
    g_auto(Response) r = request (f, "GET", "/sign-in?lang=en", NULL, NULL);

    g_assert_cmpint (r.status, ==, 200);
    g_assert_nonnull (strstr (r.body->str, "<html lang=\"en\">"));
    g_assert_nonnull (strstr (r.body->str, "id=\"sign-in\""));
  }
  {
    g_auto(Response) r = request (f, "POST", "/sign-in", NULL, "token=not-a-token&lang=en");

    g_assert_cmpint (r.status, ==, 401);
    g_assert_nonnull (strstr (r.body->str, "id=\"sign-in-error\""));
    g_assert_null (strstr (r.headers->str, "Set-Cookie"));
  }
  {
    g_autofree char *form = g_strdup_printf ("token=%s&lang=nl", f->read_token);
    g_auto(Response) r = request (f, "POST", "/sign-in", NULL, form);
    g_autofree char *cookie = header_value (&r, "Set-Cookie");

    g_assert_cmpint (r.status, ==, 303);
    g_assert_nonnull (strstr (cookie, "; Secure"));
    g_assert_nonnull (strstr (cookie, "; HttpOnly"));
    g_assert_nonnull (strstr (cookie, "; SameSite=Strict"));
    g_assert_nonnull (strstr (cookie, "; Max-Age=28800"));
    /* The session id is not the token. */
    g_assert_null (strstr (cookie, f->read_token));
  }

  cookie_header = sign_in (f, f->read_token);
  {
    const char *headers[] = { cookie_header, NULL };
    g_auto(Response) r = request (f, "GET", "/", headers, NULL);
    g_autofree char *csp = header_value (&r, "Content-Security-Policy");

    g_assert_cmpint (r.status, ==, 200);
    g_assert_nonnull (strstr (r.body->str, "<html lang=\"nl\">"));
    g_assert_nonnull (strstr (r.body->str, "Wijkteam Noord-West"));
    g_assert_nonnull (strstr (csp, "default-src 'none'"));
    /* Laptops have names; their ids never show. */
    g_assert_nonnull (strstr (r.body->str, "Wijkteam Zuid 1"));
    g_assert_null (strstr (r.body->str, INSTALLATION));
  }
  {
    const char *headers[] = { cookie_header, NULL };
    g_auto(Response) r = request (f, "POST", "/sign-out", headers, "lang=nl");

    g_assert_cmpint (r.status, ==, 303);
  }
  {
    const char *headers[] = { cookie_header, NULL };
    g_auto(Response) r = request (f, "GET", "/", headers, NULL);

    g_assert_cmpint (r.status, ==, 303);
  }
  {
    /* Programs read with the token in a header. */
    const char *headers[] = { bearer, NULL };
    g_auto(Response) r = request (f, "GET", "/v1/reach?period=2026-10", headers, NULL);

    g_assert_cmpint (r.status, ==, 200);
  }
  {
    g_autofree char *path = g_strdup_printf ("/v1/reach?token=%s", f->read_token);
    g_auto(Response) r = request (f, "GET", path, NULL, NULL);

    g_assert_cmpint (r.status, ==, 401);
  }
}

static JsonObject *
parse_object (const Response *r,
              JsonNode      **root)
{
  g_autoptr(GError) error = NULL;

  *root = json_from_string (r->body->str, &error);
  g_assert_no_error (error);
  return json_node_get_object (*root);
}

/* A read token sees its own municipality only. */
static void
test_scope (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *mine = g_strdup_printf ("Authorization: Bearer %s", f->read_token);
  g_autofree char *other = g_strdup_printf ("Authorization: Bearer %s", f->other_token);
  g_autofree char *other_cookie = sign_in (f, f->other_token);

  {
    const char *headers[] = { mine, NULL };
    g_auto(Response) r = request (f, "GET", "/v1/reach?period=2026-Q3&scope=group:Zuid&table=referrals", headers, NULL);
    g_autoptr(JsonNode) root = NULL;
    JsonObject *object;
    JsonArray *figures;
    JsonObject *first;

    g_assert_cmpint (r.status, ==, 200);
    object = parse_object (&r, &root);
    g_assert_cmpstr (json_object_get_string_member (object, "municipality"), ==, "GM0363");
    g_assert_cmpstr (json_object_get_string_member (object, "from"), ==, "2026-07");
    figures = json_object_get_array_member (object, "figures");
    /* 2 teams x 3 months x 14 x 5 values. */
    g_assert_cmpuint (json_array_get_length (figures), ==, 2 * 3 * 14 * 5);
    first = json_array_get_object_element (figures, 0);
    g_assert_cmpstr (json_object_get_string_member (first, "table"), ==, "referrals");
    g_assert_cmpstr (json_object_get_string_member (first, "team_group"), ==, "Zuid");
    g_assert_true (json_object_has_member (json_object_get_object_member (
                     json_object_get_object_member (first, "labels"), "nl"), "row"));
    g_assert_cmpint (json_object_get_int_member (first, "lo"), <=, json_object_get_int_member (first, "value"));
  }
  {
    const char *headers[] = { other, NULL };
    g_auto(Response) r = request (f, "GET", "/v1/reach", headers, NULL);
    g_autoptr(JsonNode) root = NULL;
    JsonObject *object;

    g_assert_cmpint (r.status, ==, 200);
    object = parse_object (&r, &root);
    g_assert_cmpstr (json_object_get_string_member (object, "municipality"), ==, "GM0599");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "figures")), ==, 0);
  }
  {
    const char *headers[] = { other_cookie, NULL };
    g_auto(Response) r = request (f, "GET", "/?lang=en", headers, NULL);

    g_assert_cmpint (r.status, ==, 200);
    g_assert_null (strstr (r.body->str, "Wijkteam"));
    g_assert_nonnull (strstr (r.body->str, "No reports have been received yet."));
  }
}

static void
test_views (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *cookie = sign_in (f, f->read_token);
  const char *headers[] = { cookie, NULL };
  const char *views[] = { "reach", "early", "language", "interpreter", "referrals", "trends" };

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    for (guint l = 0; l < 2; l++)
      {
        g_autofree char *path = g_strdup_printf ("/?view=%s&period=2026&scope=team:zuid&lang=%s", views[i],
                                                 l == 0 ? "nl" : "en");
        g_auto(Response) r = request (f, "GET", path, headers, NULL);
        g_autofree char *lang = g_strdup_printf ("<html lang=\"%s\">", l == 0 ? "nl" : "en");

        g_assert_cmpint (r.status, ==, 200);
        g_assert_nonnull (strstr (r.body->str, lang));
        g_assert_nonnull (strstr (r.body->str, "aria-current=\"page\""));
        g_assert_nonnull (strstr (r.body->str, "<option value=\"team:zuid\" selected>"));
      }
  {
    g_auto(Response) r = request (f, "GET", "/?view=referrals&lang=nl", headers, NULL);

    /* Dutch by default, from the catalogue. */
    g_assert_nonnull (strstr (r.body->str, "Doorverwijzingen"));
  }
  {
    g_auto(Response) r = request (f, "GET", "/?period=2026-13", headers, NULL);

    g_assert_cmpint (r.status, ==, 400);
  }
  {
    g_auto(Response) r = request (f, "GET", "/?view=secret", headers, NULL);

    g_assert_cmpint (r.status, ==, 404);
  }
  {
    g_auto(Response) r = request (f, "GET", "/?scope=team:%3Cscript%3E", headers, NULL);

    g_assert_cmpint (r.status, ==, 400);
    g_assert_null (strstr (r.body->str, "<script>"));
  }
}

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *cookie = sign_in (f, f->read_token);
  const char *headers[] = { cookie, NULL };

  {
    g_auto(Response) r = request (f, "GET", "/v1/reach?format=csv&period=2026-10&lang=nl", headers, NULL);
    g_autofree char *type = header_value (&r, "Content-Type");
    g_autofree char *disposition = header_value (&r, "Content-Disposition");

    g_assert_cmpint (r.status, ==, 200);
    g_assert_cmpstr (type, ==, "text/csv; charset=utf-8");
    g_assert_nonnull (strstr (disposition, "attachment"));
    g_assert_true (g_str_has_prefix (r.body->str, "\xEF\xBB\xBF" "Maand;Team;"));
    g_assert_nonnull (strstr (r.body->str, "\r\n2026-10;Wijkteam Centrum;Centrum;"));
  }
  {
    g_auto(Response) r = request (f, "GET", "/v1/reach?format=csv&period=2026-10&lang=en", headers, NULL);

    g_assert_true (g_str_has_prefix (r.body->str, "\xEF\xBB\xBF" "Month,Team,"));
  }
  {
    g_auto(Response) r = request (f, "GET", "/v1/reach?format=csv&period=2026-10&team=zuid&table=referrals&lang=en",
                                  headers, NULL);

    g_assert_cmpint (r.status, ==, 200);
    g_assert_null (strstr (r.body->str, "Wijkteam Centrum"));
    g_assert_nonnull (strstr (r.body->str, "\r\n2026-10,Wijkteam Zuid,Zuid,Referrals by category and feedback,"));
  }
  {
    g_auto(Response) r = request (f, "GET", "/v1/reach?format=xml", headers, NULL);

    g_assert_cmpint (r.status, ==, 400);
  }
}

static char *
report_body (const char *municipality)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GArray) clients = vp_sim_clients_new ();
  g_autoptr(VpReport) report = vp_report_new ("2026-10", 5);
  VpSimTeam team;

  vp_sim_team_init (&team, rand);
  vp_sim_month (&team, clients, rand, NULL, &report, 1);
  report->team = g_strdup ("noord");
  report->installation = g_strdup (INSTALLATION);
  report->municipality = g_strdup (municipality);
  report->generated_at = g_strdup ("2026-11-08T09:00:00Z");
  report->revision = 1;
  g_assert_true (vp_report_finish (report, NULL));
  return vp_report_to_json (report);
}

static char *
stored_label (Fixture *f)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *label = NULL;

  g_assert_cmpint (sqlite3_open_v2 (f->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT label FROM installations WHERE installation = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, INSTALLATION, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    label = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return label;
}

/* A team bound to a municipality cannot send another's figures; a laptop's
 * label travels percent-encoded and is kept as text, or dropped when it is
 * not printable. */
static void
test_put (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", f->team_token);
  const char *path = "/v1/reports/noord/" INSTALLATION "/2026-10";

  {
    g_autofree char *body = report_body ("GM0599");
    const char *headers[] = { auth, "Content-Type: application/json", NULL };
    g_auto(Response) r = request (f, "PUT", path, headers, body);

    g_assert_cmpint (r.status, ==, 403);
    g_assert_nonnull (strstr (r.body->str, "GM0363"));
  }
  {
    g_autofree char *body = report_body ("GM0363");
    const char *headers[] = { auth, "Content-Type: application/json",
                              "Vindplaats-Installation-Label: %1B%5B31mLaptop", NULL };
    g_auto(Response) r = request (f, "PUT", path, headers, body);
    g_autofree char *label = NULL;

    g_assert_cmpint (r.status, ==, 201);
    label = stored_label (f);
    g_assert_null (label);
  }
  {
    g_autofree char *body = report_body ("GM0363");
    g_autofree char *encoded = g_uri_escape_string ("Laptop Zuid – 2", NULL, FALSE);
    g_autofree char *label_header = g_strdup_printf ("Vindplaats-Installation-Label: %s", encoded);
    const char *headers[] = { auth, "Content-Type: application/json", label_header, NULL };
    g_auto(Response) r = request (f, "PUT", path, headers, body);
    g_autofree char *label = NULL;

    g_assert_cmpint (r.status, ==, 200);
    label = stored_label (f);
    g_assert_cmpstr (label, ==, "Laptop Zuid – 2");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

  g_test_add ("/endpoint-reach/sign-in", Fixture, NULL, fixture_setup, test_sign_in, fixture_teardown);
  g_test_add ("/endpoint-reach/scope", Fixture, NULL, fixture_setup, test_scope, fixture_teardown);
  g_test_add ("/endpoint-reach/views", Fixture, NULL, fixture_setup, test_views, fixture_teardown);
  g_test_add ("/endpoint-reach/csv", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
  g_test_add ("/endpoint-reach/put", Fixture, NULL, fixture_setup, test_put, fixture_teardown);

  return g_test_run ();
}
