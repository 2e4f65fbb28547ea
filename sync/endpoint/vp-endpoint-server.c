/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "vp-endpoint-server.h"
#include "vp-endpoint-text.h"
#include "vp-reach-export.h"
#include "vp-reach-page.h"
#include "vp-relay-routes.h"
#include "vp-report-schema.h"
#include "vp-report-validate.h"

/* The reference endpoint's routes (DESIGN §7), HTTPS only:
 *
 *   PUT  /v1/reports/{team}/{installation}/{YYYY-MM}  with the team's token
 *        or client certificate (see VpClientAuth)
 *   GET  /v1/reach[?format=json|csv]  with a read token or a session
 *   GET  /sign-in, POST /sign-in      a read token for a session cookie
 *   POST /sign-out
 *   GET  /[?view=&period=&scope=&lang=]  the overview, with a session
 *   /v1/relay/...                     the team-sync relay, when enabled
 *                                     (vp-relay-routes.c, docs/team-relay.md)
 *
 * Every answer to a report carries a reason in JSON, so the sending device
 * can show what went wrong. A report without a valid credential, or whose
 * declared length is over the limit, is answered before its body is read.
 * A read token or session sees one municipality. Tokens never travel in
 * addresses. All of it runs in the HTTP layer's one thread. */

#define MAX_FORM_BODY 4096
#define MAX_LABEL_CHARS 64
#define SESSION_COOKIE "vp_session"
#define SESSION_LIFETIME (8 * 60 * 60)

struct _VpEndpointServer
{
  GObject       parent_instance;

  VpHttpServer *http;
  VpEndpointDb *db;
  gsize         max_body;
  VpClientAuth  auth;
  char         *address;
  GHashTable   *reach;  /* municipality -> VpReach, whose ranges are kept */
  VpRelayRoutes *relay; /* NULL: no relay */
};

G_DEFINE_FINAL_TYPE (VpEndpointServer, vp_endpoint_server, G_TYPE_OBJECT)

typedef enum {
  ROUTE_NOT_FOUND,
  ROUTE_REPORT,
  ROUTE_REACH,
  ROUTE_OVERVIEW,
  ROUTE_SIGN_IN,
  ROUTE_SIGN_OUT,
} Route;

/* The route of a path; for reports, parts gets team, installation, period. */
static Route
route_parse (const char   *path,
             char       ***parts)
{
  const char *prefix = "/v1/reports/";

  if (g_str_equal (path, "/"))
    return ROUTE_OVERVIEW;
  if (g_str_equal (path, "/v1/reach"))
    return ROUTE_REACH;
  if (g_str_equal (path, "/sign-in"))
    return ROUTE_SIGN_IN;
  if (g_str_equal (path, "/sign-out"))
    return ROUTE_SIGN_OUT;
  if (g_str_has_prefix (path, prefix))
    {
      g_auto(GStrv) split = g_strsplit (path + strlen (prefix), "/", -1);

      if (g_strv_length (split) == 3 && *split[0] && *split[1] && *split[2])
        {
          *parts = g_steal_pointer (&split);
          return ROUTE_REPORT;
        }
    }
  return ROUTE_NOT_FOUND;
}

static gboolean
is_relay (VpEndpointServer *self,
          VpHttpRequest    *request)
{
  return self->relay != NULL && g_str_has_prefix (vp_http_request_path (request), VP_RELAY_PATH_PREFIX);
}

static gboolean
is_method (VpHttpRequest *request,
           const char    *method)
{
  return g_strcmp0 (vp_http_request_method (request), method) == 0;
}

static gboolean
is_reading (VpHttpRequest *request)
{
  return is_method (request, "GET") || is_method (request, "HEAD");
}

/* Every answer: never cached, never sniffed. */
static VpHttpResponse *
response_new (guint       status,
              const char *content_type,
              char       *body,
              gsize       length)
{
  VpHttpResponse *response = vp_http_response_new (status, content_type, body, length);

  vp_http_response_add_header (response, "Cache-Control", "no-store");
  vp_http_response_add_header (response, "X-Content-Type-Options", "nosniff");
  return response;
}

static VpHttpResponse *
respond_node (guint     status,
              JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *data;

  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &len);
  return response_new (status, "application/json", data, len);
}

/* Answers {"<key>": "<text>"}: "status" for success, "error" otherwise. */
static VpHttpResponse *
respond_text (guint       status,
              const char *key,
              const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return respond_node (status, root);
}

static VpHttpResponse *
respond_error (guint       status,
               const char *reason)
{
  return respond_text (status, "error", reason);
}

static VpHttpResponse *
respond_internal_error (const GError *error)
{
  g_warning ("%s", error->message);
  return respond_error (500, _("The endpoint could not handle the request; please try again later"));
}

static VpHttpResponse *
respond_not_allowed (const char *allowed)
{
  g_autofree char *reason = g_strdup_printf (_("Only %s is allowed here"), allowed);
  VpHttpResponse *response = respond_error (405, reason);

  vp_http_response_add_header (response, "Allow", allowed);
  return response;
}

static VpHttpResponse *
respond_too_large (gsize limit)
{
  g_autofree char *reason = g_strdup_printf (_("The body is larger than the limit of %lu bytes"),
                                             (unsigned long) limit);
  VpHttpResponse *response = respond_error (413, reason);

  vp_http_response_add_header (response, "Connection", "close");
  return response;
}

static VpHttpResponse *
respond_unauthorised (gboolean presented)
{
  VpHttpResponse *response = respond_error (401, presented
                                                   ? _("The token is unknown or not valid for this request")
                                                   : _("A bearer token is required"));

  vp_http_response_add_header (response, "WWW-Authenticate", "Bearer");
  return response;
}

static char *
bearer_token (VpHttpRequest *request)
{
  const char *value = vp_http_request_header (request, "Authorization");

  if (value != NULL && g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    return g_strstrip (g_strdup (value + 7));
  return NULL;
}

/* Why a certificate did not let a report in, for the team leader. */
static const char *
client_cert_reason (VpHttpClientCert state)
{
  switch (state)
    {
    case VP_HTTP_CLIENT_CERT_VALID:
      return _("The client certificate is not registered for this team");
    case VP_HTTP_CLIENT_CERT_UNTRUSTED:
      return _("The client certificate was not issued by the municipality’s CA");
    case VP_HTTP_CLIENT_CERT_EXPIRED:
      return _("The client certificate has expired");
    case VP_HTTP_CLIENT_CERT_NOT_YET_VALID:
      return _("The client certificate is not valid yet");
    case VP_HTTP_CLIENT_CERT_NOT_FOR_CLIENTS:
      return _("The certificate is not meant for TLS clients");
    case VP_HTTP_CLIENT_CERT_INVALID:
      return _("The client certificate is not valid");
    case VP_HTTP_CLIENT_CERT_NONE:
    default:
      return _("A client certificate from the municipality’s CA is required");
    }
}

/* Whether the request may send reports for the team: with its token, its
 * client certificate, or both, as the server was started. NULL when it
 * may; else the answer (401 or 403, or 500 when the database failed). */
static VpHttpResponse *
authorise (VpEndpointServer *self,
           VpHttpRequest    *request,
           const char       *team)
{
  g_autofree char *token = bearer_token (request);
  g_autofree char *certificate_team = NULL;
  VpHttpClientCert state = VP_HTTP_CLIENT_CERT_NONE;
  const char *subject = vp_http_request_client_subject (request, &state);
  g_autoptr(GError) error = NULL;
  gboolean token_ok = FALSE, certificate_ok = FALSE;

  if (self->auth != VP_CLIENT_AUTH_CERT &&
      !vp_endpoint_db_check_token (self->db, token, team, &token_ok, &error))
    return respond_internal_error (error);
  if (self->auth != VP_CLIENT_AUTH_TOKEN && subject != NULL)
    {
      if (!vp_endpoint_db_certificate_team (self->db, subject, &certificate_team, &error))
        return respond_internal_error (error);
      certificate_ok = g_strcmp0 (certificate_team, team) == 0;
    }
  switch (self->auth)
    {
    case VP_CLIENT_AUTH_TOKEN:
      return token_ok ? NULL : respond_unauthorised (token != NULL);
    case VP_CLIENT_AUTH_CERT:
      if (certificate_ok)
        return NULL;
      break;
    case VP_CLIENT_AUTH_BOTH:
    default:
      if (!token_ok)
        return respond_unauthorised (token != NULL);
      if (certificate_ok)
        return NULL;
      break;
    }
  return respond_error (403, client_cert_reason (state));
}

/* The municipality the request may read, from its session cookie or, for
 * programs, a read token in the Authorization header; NULL when neither is
 * valid. *response is set when the database failed. */
static char *
read_scope (VpEndpointServer  *self,
            VpHttpRequest     *request,
            VpHttpResponse   **response)
{
  const char *session = vp_http_request_cookie (request, SESSION_COOKIE);
  g_autofree char *token = bearer_token (request);
  g_autoptr(GError) error = NULL;
  char *municipality = NULL;

  *response = NULL;
  if ((session != NULL && !vp_endpoint_db_session_scope (self->db, session, &municipality, &error)) ||
      (municipality == NULL && token != NULL &&
       !vp_endpoint_db_read_scope (self->db, token, &municipality, &error)))
    *response = respond_internal_error (error);
  return municipality;
}

/* Called once the headers are in: a report without a valid credential and
 * any declared body over its limit are answered before the body is read. */
static VpHttpResponse *
on_early (VpHttpRequest *request,
          gsize         *body_limit,
          gpointer       user_data)
{
  VpEndpointServer *self = user_data;
  g_auto(GStrv) parts = NULL;
  Route route = route_parse (vp_http_request_path (request), &parts);
  const char *length = vp_http_request_header (request, "Content-Length");
  guint64 declared = 0;

  *body_limit = 0;
  if (is_relay (self, request))
    return vp_relay_routes_early (self->relay, request, body_limit);
  if (route == ROUTE_NOT_FOUND)
    return respond_error (404, _("There is nothing at this address"));
  if (route == ROUTE_REPORT && !is_method (request, "PUT"))
    return respond_not_allowed ("PUT");
  if (route == ROUTE_REPORT)
    {
      VpHttpResponse *refused = authorise (self, request, parts[0]);

      if (refused != NULL)
        return refused;
      *body_limit = self->max_body;
    }
  else if (is_method (request, "POST") && (route == ROUTE_SIGN_IN || route == ROUTE_SIGN_OUT))
    *body_limit = MAX_FORM_BODY;
  if (length != NULL && (!g_ascii_string_to_unsigned (length, 10, 0, G_MAXUINT64, &declared, NULL) ||
                         declared > *body_limit))
    return respond_too_large (*body_limit);
  return NULL;
}

static VpHttpResponse *
check_address (char **parts)
{
  if (!vp_report_is_team_code (parts[0]))
    return respond_error (400, _("The address does not name a valid team code"));
  if (!vp_report_is_installation_id (parts[1]))
    return respond_error (400, _("The address does not name a valid installation id"));
  if (!vp_report_is_period (parts[2]))
    return respond_error (400, _("The address does not name a valid month (YYYY-MM)"));
  return NULL;
}

/* Checks, parses and validates the body: a report for this address, in
 * canonical form. NULL with *response set when it is not. */
static JsonNode *
read_report (char             **parts,
             const char        *data,
             gsize              len,
             VpHttpResponse   **response)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!vp_report_check_text (data, len, &error))
    {
      *response = respond_error (400, error->message);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
    {
      g_autofree char *reason = g_strdup_printf (_("The body is not valid JSON: %s"), error->message);

      *response = respond_error (400, reason);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (!vp_report_validate (root, parts[0], parts[1], parts[2], &error) ||
      !vp_report_check_canonical (root, data, len, &error))
    {
      *response = respond_error (400, error->message);
      return NULL;
    }
  return json_node_ref (root);
}

static VpHttpResponse *
respond_outcome (VpStoreOutcome outcome,
                 gint64         revision,
                 gint64         stored_revision)
{
  g_autofree char *reason = NULL;

  switch (outcome)
    {
    case VP_STORE_STORED:
      return respond_text (201, "status", "stored");
    case VP_STORE_ALREADY_STORED:
      return respond_text (200, "status", "already stored");
    case VP_STORE_DIFFERENT_BODY:
      reason = g_strdup_printf (_("Revision %d of this report is already stored with different contents"),
                                (int) revision);
      return respond_error (409, reason);
    case VP_STORE_OLDER_REVISION:
    default:
      reason = g_strdup_printf (_("Revision %d is older than the stored revision %d"),
                                (int) revision, (int) stored_revision);
      return respond_error (409, reason);
    }
}

/* The installation label a device sends, percent-encoded UTF-8; NULL when
 * it sends none or one that is not a short line of printable text (the
 * report is stored all the same). */
static char *
installation_label (VpHttpRequest *request)
{
  const char *value = vp_http_request_header (request, "Vindplaats-Installation-Label");
  g_autofree char *label = NULL;

  if (value == NULL || strlen (value) > MAX_LABEL_CHARS * 12)
    return NULL;
  label = g_uri_unescape_string (value, NULL);
  if (label == NULL || !g_utf8_validate (label, -1, NULL))
    return NULL;
  g_strstrip (label);
  if (*label == '\0' || g_utf8_strlen (label, -1) > MAX_LABEL_CHARS)
    return NULL;
  /* Nor may it turn the text around it (bidirectional overrides). */
  for (const char *p = label; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isprint (c) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
        return NULL;
    }
  return g_steal_pointer (&label);
}

/* A team registered for one municipality cannot report for another. */
static VpHttpResponse *
check_municipality (VpEndpointServer *self,
                    const char       *team,
                    const char       *municipality)
{
  g_autofree char *registered = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;

  if (!vp_endpoint_db_team_municipality (self->db, team, &registered, &error))
    return respond_internal_error (error);
  if (registered == NULL || g_strcmp0 (registered, municipality) == 0)
    return NULL;
  reason = g_strdup_printf (_("This team reports to municipality %s, not %s"), registered, municipality);
  return respond_error (403, reason);
}

static VpHttpResponse *
handle_put_report (VpEndpointServer *self,
                   VpHttpRequest    *request,
                   char            **parts)
{
  g_autofree char *label = installation_label (request);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  VpHttpResponse *response = NULL;
  const char *municipality;
  JsonObject *report;
  VpStoreOutcome outcome;
  gint64 revision;
  gint64 stored_revision = 0;
  gsize len = 0;
  const char *data = vp_http_request_body (request, &len);

  if ((response = check_address (parts)) != NULL ||
      (root = read_report (parts, data, len, &response)) == NULL)
    return response;

  report = json_node_get_object (root);
  revision = json_object_get_int_member (report, "revision");
  municipality = json_object_get_string_member (report, "municipality");
  if ((response = check_municipality (self, parts[0], municipality)) != NULL)
    return response;
  if (!vp_endpoint_db_store_report (self->db, parts[0], parts[1], parts[2], revision, municipality,
                                    data, len, &outcome, &stored_revision, &error))
    return respond_internal_error (error);
  if ((outcome == VP_STORE_STORED || outcome == VP_STORE_ALREADY_STORED) &&
      !vp_endpoint_db_note_installation (self->db, parts[0], parts[1], label, &error))
    g_warning ("%s", error->message);
  return respond_outcome (outcome, revision, stored_revision);
}

static VpReach *
reach_for (VpEndpointServer  *self,
           const char        *municipality,
           GError           **error)
{
  g_autoptr(GPtrArray) stored = vp_endpoint_db_latest_reports (self->db, municipality, error);
  VpReach *reach;

  if (stored == NULL)
    return NULL;
  reach = g_hash_table_lookup (self->reach, municipality);
  if (reach == NULL)
    {
      reach = vp_reach_new ();
      g_hash_table_insert (self->reach, g_strdup (municipality), reach);
    }
  vp_reach_load (reach, stored);
  return reach;
}

static VpHttpResponse *
respond_html (guint  status,
              char  *html)
{
  VpHttpResponse *response = response_new (status, "text/html; charset=utf-8", html, strlen (html));

  vp_http_response_add_header (response, "Content-Security-Policy",
                               "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'");
  vp_http_response_add_header (response, "X-Frame-Options", "DENY");
  vp_http_response_add_header (response, "Referrer-Policy", "no-referrer");
  return response;
}

static VpHttpResponse *
redirect (const char *location)
{
  VpHttpResponse *response = response_new (303, NULL, NULL, 0);

  vp_http_response_add_header (response, "Location", location);
  return response;
}

static VpLang
request_lang (VpHttpRequest *request)
{
  return vp_lang_from_code (vp_http_request_query (request, "lang"));
}

/* The reports, the municipality's teams and the selection a reading
 * request asks for; NULL with *response set when it cannot be had. */
static VpReachSelection *
select_for (VpEndpointServer  *self,
            VpHttpRequest     *request,
            const char        *municipality,
            gboolean           html,
            VpReach          **reach,
            VpHttpResponse   **response)
{
  VpLang lang = request_lang (request);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) teams = NULL;
  g_autofree char *scope = NULL;
  const char *team;
  VpReachSelection *selection;

  *reach = reach_for (self, municipality, &error);
  if (*reach == NULL || (teams = vp_endpoint_db_teams (self->db, municipality, &error)) == NULL)
    {
      *response = respond_internal_error (error);
      return NULL;
    }
  /* ?team=CODE is short for ?scope=team:CODE. */
  team = vp_http_request_query (request, "team");
  if (vp_http_request_query (request, "scope") == NULL && team != NULL)
    scope = g_strconcat ("team:", team, NULL);
  else
    scope = g_strdup (vp_http_request_query (request, "scope"));
  selection = vp_reach_select (*reach, teams, lang, vp_http_request_query (request, "period"), scope, &error);
  if (selection != NULL)
    return selection;
  if (html)
    *response = respond_html (400, vp_reach_message_html (lang, vp_text (lang, N_("This choice cannot be shown")),
                                                          error->message));
  else
    *response = respond_error (400, error->message);
  return NULL;
}

static VpHttpResponse *
handle_reach (VpEndpointServer *self,
              VpHttpRequest    *request,
              const char       *municipality)
{
  const char *format = vp_http_request_query (request, "format");
  const char *table = vp_http_request_query (request, "table");
  g_autoptr(VpReachSelection) selection = NULL;
  VpHttpResponse *response = NULL;
  VpReach *reach = NULL;

  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "csv"))
    return respond_error (400, _("The format must be json or csv"));
  if (table != NULL && vp_report_table_def_lookup (table) == NULL)
    return respond_error (400, _("There is no such table in the reach report"));
  selection = select_for (self, request, municipality, FALSE, &reach, &response);
  if (selection == NULL)
    return response;
  if (format != NULL && g_str_equal (format, "csv"))
    {
      g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"vindplaats-%s-%s.csv\"",
                                                      municipality, selection->period);
      gsize len = 0;
      char *csv = vp_reach_export_csv (reach, selection, table, &len);

      response = response_new (200, "text/csv; charset=utf-8", csv, len);
      vp_http_response_add_header (response, "Content-Disposition", disposition);
      return response;
    }
  {
    g_autoptr(JsonNode) root = vp_reach_export_json (reach, selection, municipality, table);

    return respond_node (200, root);
  }
}

static VpHttpResponse *
handle_overview (VpEndpointServer *self,
                 VpHttpRequest    *request,
                 const char       *municipality)
{
  VpLang lang = request_lang (request);
  const char *view = vp_http_request_query (request, "view");
  g_autoptr(VpReachSelection) selection = NULL;
  g_autoptr(GPtrArray) installations = NULL;
  g_autoptr(GError) error = NULL;
  VpHttpResponse *response = NULL;
  VpReach *reach = NULL;

  if (view != NULL && !vp_reach_page_is_view (view))
    return respond_html (404, vp_reach_message_html (lang, vp_text (lang, N_("This choice cannot be shown")),
                                                     vp_text (lang, N_("There is no such view"))));
  selection = select_for (self, request, municipality, TRUE, &reach, &response);
  if (selection == NULL)
    return response;
  installations = vp_endpoint_db_installations (self->db, &error);
  if (installations == NULL)
    return respond_internal_error (error);
  return respond_html (200, vp_reach_page_html (reach, selection, municipality,
                                                view != NULL ? view : "reach", installations));
}

static GHashTable *
read_form (VpHttpRequest *request)
{
  gsize len = 0;
  const char *body = vp_http_request_body (request, &len);
  GHashTable *form = g_uri_parse_params (body, (gssize) len, "&", G_URI_PARAMS_WWW_FORM, NULL);

  return form != NULL ? form : g_hash_table_new (g_str_hash, g_str_equal);
}

static VpHttpResponse *
with_session_cookie (VpHttpResponse *response,
                     const char     *value,
                     gint64          max_age)
{
  g_autofree char *cookie = g_strdup_printf (SESSION_COOKIE "=%s; Path=/; Max-Age=%" G_GINT64_FORMAT
                                             "; Secure; HttpOnly; SameSite=Strict", value, max_age);

  vp_http_response_add_header (response, "Set-Cookie", cookie);
  return response;
}

static VpHttpResponse *
handle_sign_in (VpEndpointServer *self,
                VpHttpRequest    *request)
{
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *municipality = NULL;
  g_autofree char *session = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;
  VpLang lang;

  if (is_reading (request))
    return respond_html (200, vp_reach_sign_in_html (request_lang (request), NULL));
  form = read_form (request);
  lang = vp_lang_from_code (g_hash_table_lookup (form, "lang"));
  if (!vp_endpoint_db_read_scope (self->db, g_hash_table_lookup (form, "token"), &municipality, &error))
    return respond_internal_error (error);
  if (municipality == NULL)
    return respond_html (401, vp_reach_sign_in_html (lang, vp_text (lang, N_("This read token is not known. "
                                                                             "Check it and try again."))));
  session = vp_endpoint_db_new_session (self->db, municipality, SESSION_LIFETIME, &error);
  if (session == NULL)
    return respond_internal_error (error);
  location = g_strdup_printf ("/?lang=%s", vp_lang_code (lang));
  return with_session_cookie (redirect (location), session, SESSION_LIFETIME);
}

static VpHttpResponse *
handle_sign_out (VpEndpointServer *self,
                 VpHttpRequest    *request)
{
  g_autoptr(GHashTable) form = read_form (request);
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;

  if (!vp_endpoint_db_end_session (self->db, vp_http_request_cookie (request, SESSION_COOKIE), &error))
    return respond_internal_error (error);
  location = g_strdup_printf ("/sign-in?lang=%s",
                              vp_lang_code (vp_lang_from_code (g_hash_table_lookup (form, "lang"))));
  return with_session_cookie (redirect (location), "", 0);
}

/* Reading needs a session (or, for GET /v1/reach, a read token). The
 * overview sends a reader without one to the sign-in form. */
static VpHttpResponse *
handle_read (VpEndpointServer *self,
             VpHttpRequest    *request,
             Route             route)
{
  VpHttpResponse *response = NULL;
  g_autofree char *municipality = read_scope (self, request, &response);

  if (response != NULL)
    return response;
  if (municipality == NULL && route == ROUTE_OVERVIEW)
    {
      g_autofree char *location = g_strdup_printf ("/sign-in?lang=%s", vp_lang_code (request_lang (request)));

      return redirect (location);
    }
  if (municipality == NULL)
    {
      g_autofree char *token = bearer_token (request);

      return respond_unauthorised (token != NULL);
    }
  if (route == ROUTE_OVERVIEW)
    return handle_overview (self, request, municipality);
  return handle_reach (self, request, municipality);
}

static VpHttpResponse *
on_request (VpHttpRequest *request,
            gpointer       user_data)
{
  VpEndpointServer *self = user_data;
  g_auto(GStrv) parts = NULL;
  VpHttpResponse *refused;

  if (is_relay (self, request))
    return vp_relay_routes_handle (self->relay, request);
  switch (route_parse (vp_http_request_path (request), &parts))
    {
    case ROUTE_REPORT:
      if (!is_method (request, "PUT"))
        return respond_not_allowed ("PUT");
      /* Checked before the body came too; once more keeps this path safe
       * on its own. */
      if ((refused = authorise (self, request, parts[0])) != NULL)
        return refused;
      return handle_put_report (self, request, parts);
    case ROUTE_REACH:
      if (!is_reading (request))
        return respond_not_allowed ("GET");
      return handle_read (self, request, ROUTE_REACH);
    case ROUTE_OVERVIEW:
      if (!is_reading (request))
        return respond_not_allowed ("GET");
      return handle_read (self, request, ROUTE_OVERVIEW);
    case ROUTE_SIGN_IN:
      if (!is_reading (request) && !is_method (request, "POST"))
        return respond_not_allowed ("GET, POST");
      return handle_sign_in (self, request);
    case ROUTE_SIGN_OUT:
      if (!is_method (request, "POST"))
        return respond_not_allowed ("POST");
      return handle_sign_out (self, request);
    case ROUTE_NOT_FOUND:
    default:
      return respond_error (404, _("There is nothing at this address"));
    }
}

static void
vp_endpoint_server_dispose (GObject *object)
{
  VpEndpointServer *self = VP_ENDPOINT_SERVER (object);

  g_clear_pointer (&self->http, vp_http_server_stop);
  g_clear_object (&self->relay);
  g_clear_object (&self->db);
  g_clear_pointer (&self->reach, g_hash_table_unref);
  g_clear_pointer (&self->address, g_free);

  G_OBJECT_CLASS (vp_endpoint_server_parent_class)->dispose (object);
}

static void
vp_endpoint_server_class_init (VpEndpointServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vp_endpoint_server_dispose;
}

static void
vp_endpoint_server_init (VpEndpointServer *self)
{
  self->reach = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) vp_reach_free);
}

/**
 * vp_endpoint_server_new:
 * @db: the endpoint's database
 * @max_body: the largest report accepted, in bytes
 * @auth: what a device must show to send a report
 *
 * Returns: (transfer full): a server that is not listening yet
 */
VpEndpointServer *
vp_endpoint_server_new (VpEndpointDb *db,
                        gsize         max_body,
                        VpClientAuth  auth)
{
  VpEndpointServer *self;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (db), NULL);
  g_return_val_if_fail (max_body > 0, NULL);

  self = g_object_new (VP_TYPE_ENDPOINT_SERVER, NULL);
  self->db = g_object_ref (db);
  self->max_body = max_body;
  self->auth = auth;
  return self;
}

/* A relay team is created by the team leader's laptop with the credential
 * its team sends reports with, so that strangers cannot create teams on
 * the municipality's relay. */
static VpHttpResponse *
authorise_relay_team (VpHttpRequest *request,
                      const char    *report_team,
                      gpointer       user_data)
{
  if (!vp_report_is_team_code (report_team))
    return respond_error (400, _("report_team is not a valid team code"));
  return authorise (user_data, request, report_team);
}

/**
 * vp_endpoint_server_enable_relay:
 * @self: a #VpEndpointServer that is not listening yet
 * @store: the relay's storage
 * @limits: the relay's limits
 *
 * Serves the team-sync relay (#16) under /v1/relay/ as well.
 */
void
vp_endpoint_server_enable_relay (VpEndpointServer         *self,
                                 VpRelayStore             *store,
                                 const VpRelayRouteLimits *limits)
{
  g_return_if_fail (VP_IS_ENDPOINT_SERVER (self));
  g_return_if_fail (self->http == NULL && self->relay == NULL);

  self->relay = vp_relay_routes_new (store, limits, authorise_relay_team, self);
}

/**
 * vp_endpoint_server_start:
 * @self: a #VpEndpointServer
 * @config: where to listen, the TLS material and the limits
 * @error: return location for an error
 *
 * Starts serving HTTPS (only), in a thread of its own; the database must
 * not be used elsewhere from then on.
 *
 * Returns: %TRUE when listening
 */
gboolean
vp_endpoint_server_start (VpEndpointServer    *self,
                          const VpHttpConfig  *config,
                          GError             **error)
{
  g_return_val_if_fail (VP_IS_ENDPOINT_SERVER (self), FALSE);
  g_return_val_if_fail (self->http == NULL, FALSE);

  self->http = vp_http_server_start (config, on_early, on_request, self, error);
  if (self->http == NULL)
    return FALSE;
  self->address = g_strdup (config->address);
  return TRUE;
}

/**
 * vp_endpoint_server_get_url:
 * @self: a #VpEndpointServer
 *
 * Returns: (transfer full) (nullable): the base address, such as
 *   https://127.0.0.1:8443, without a trailing slash
 */
char *
vp_endpoint_server_get_url (VpEndpointServer *self)
{
  g_return_val_if_fail (VP_IS_ENDPOINT_SERVER (self), NULL);

  if (self->http == NULL)
    return NULL;
  if (strchr (self->address, ':') != NULL)
    return g_strdup_printf ("https://[%s]:%u", self->address, vp_http_server_get_port (self->http));
  return g_strdup_printf ("https://%s:%u", self->address, vp_http_server_get_port (self->http));
}
