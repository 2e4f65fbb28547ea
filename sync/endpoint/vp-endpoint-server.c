/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "vp-endpoint-server.h"
#include "vp-endpoint-text.h"
#include "vp-reach-export.h"
#include "vp-reach-page.h"
#include "vp-report-schema.h"
#include "vp-report-validate.h"

/* The reference endpoint's HTTP side (DESIGN §7), HTTPS only:
 *
 *   PUT  /v1/reports/{team}/{installation}/{YYYY-MM}  with the team's token
 *   GET  /v1/reach[?format=json|csv]  with a read token or a session
 *   GET  /sign-in, POST /sign-in      a read token for a session cookie
 *   POST /sign-out
 *   GET  /[?view=&period=&scope=&lang=]  the overview, with a session
 *
 * Every answer to a report carries a reason in JSON, so the sending device
 * can show what went wrong. The work is done in the handler itself: one
 * SQLite transaction per report is quick. A read token or session sees one
 * municipality. Tokens never travel in addresses. */

#define MAX_LOGGED_PATH 200
#define MAX_FORM_BODY 4096
#define MAX_LABEL_CHARS 64
#define SESSION_COOKIE "vp_session"
#define SESSION_LIFETIME (8 * 60 * 60)

struct _VpEndpointServer
{
  GObject       parent_instance;

  SoupServer   *soup;
  VpEndpointDb *db;
  gsize         max_body;
  GHashTable   *reach;  /* municipality -> VpReach, whose ranges are kept */
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
is_method (SoupServerMessage *msg,
           const char        *method)
{
  return g_strcmp0 (soup_server_message_get_method (msg), method) == 0;
}

static void
set_header (SoupServerMessage *msg,
            const char        *name,
            const char        *value)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), name, value);
}

static void
respond_node (SoupServerMessage *msg,
              guint              status,
              JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *data;

  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, len);
}

/* Answers {"<key>": "<text>"}: "status" for success, "error" otherwise. */
static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *key,
              const char        *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  respond_node (msg, status, root);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *reason)
{
  respond_text (msg, status, "error", reason);
}

static void
respond_internal_error (SoupServerMessage *msg,
                        const GError      *error)
{
  g_warning ("%s", error->message);
  respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                 _("The endpoint could not handle the request; please try again later"));
}

static void
respond_not_allowed (SoupServerMessage *msg,
                     const char        *allowed)
{
  g_autofree char *reason = g_strdup_printf (_("Only %s is allowed here"), allowed);

  set_header (msg, "Allow", allowed);
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, reason);
}

/* A refused body is not kept in memory, and the connection is not reused. */
static void
discard_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  set_header (msg, "Connection", "close");
}

static void
respond_too_large (SoupServerMessage *msg,
                   gsize              limit)
{
  g_autofree char *reason = NULL;

  reason = g_strdup_printf (_("The body is larger than the limit of %lu bytes"),
                            (unsigned long) limit);
  discard_body (msg);
  respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, reason);
}

static char *
bearer_token (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");

  if (value != NULL && g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    return g_strstrip (g_strdup (value + 7));
  return NULL;
}

static void
respond_unauthorised (SoupServerMessage *msg,
                      gboolean           presented)
{
  set_header (msg, "WWW-Authenticate", "Bearer");
  respond_error (msg, SOUP_STATUS_UNAUTHORIZED,
                 presented ? _("The token is unknown or not valid for this request")
                           : _("A bearer token is required"));
}

/* Answers 401 itself and returns FALSE unless the token may send reports
 * for the team. */
static gboolean
authorise (VpEndpointServer  *self,
           SoupServerMessage *msg,
           const char        *team)
{
  g_autofree char *token = bearer_token (msg);
  g_autoptr(GError) error = NULL;
  gboolean allowed = FALSE;

  if (!vp_endpoint_db_check_token (self->db, token, team, &allowed, &error))
    {
      respond_internal_error (msg, error);
      return FALSE;
    }
  if (!allowed)
    respond_unauthorised (msg, token != NULL);
  return allowed;
}

/* The value of one cookie, or NULL. */
static char *
request_cookie (SoupServerMessage *msg,
                const char        *name)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header = soup_message_headers_get_list (headers, "Cookie");
  g_auto(GStrv) pairs = NULL;
  gsize name_len = strlen (name);

  if (header == NULL)
    return NULL;
  pairs = g_strsplit_set (header, ";,", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *pair = g_strstrip (pairs[i]);

      if (strncmp (pair, name, name_len) == 0 && pair[name_len] == '=')
        return g_strdup (pair + name_len + 1);
    }
  return NULL;
}

/* The municipality the request may read, from its session cookie or, for
 * programs, a read token in the Authorization header; NULL when neither
 * is valid. *failed tells a database failure, answered already. */
static char *
read_scope (VpEndpointServer  *self,
            SoupServerMessage *msg,
            gboolean          *failed)
{
  g_autofree char *session = request_cookie (msg, SESSION_COOKIE);
  g_autofree char *token = bearer_token (msg);
  g_autoptr(GError) error = NULL;
  char *municipality = NULL;

  *failed = FALSE;
  if ((session != NULL && !vp_endpoint_db_session_scope (self->db, session, &municipality, &error)) ||
      (municipality == NULL && token != NULL &&
       !vp_endpoint_db_read_scope (self->db, token, &municipality, &error)))
    {
      respond_internal_error (msg, error);
      *failed = TRUE;
      return NULL;
    }
  return municipality;
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  VpEndpointServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  GUri *uri = soup_server_message_get_uri (msg);
  g_auto(GStrv) parts = NULL;
  gsize limit = uri != NULL && route_parse (g_uri_get_path (uri), &parts) == ROUTE_REPORT
                ? self->max_body : MAX_FORM_BODY;

  /* Already answered: the body is being read only to be thrown away. */
  if (soup_server_message_get_status (msg) != 0)
    return;
  if (body->length > 0 && (guint64) body->length > limit)
    respond_too_large (msg, limit);
}

/* Runs once the headers are in, before the body: a report without a valid
 * token or with a declared length over the limit is answered at once, and
 * any body is cut off at the limit while it arrives. */
static void
on_early_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  VpEndpointServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_auto(GStrv) parts = NULL;

  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (on_got_chunk), self, 0);

  Route route = route_parse (path, &parts);
  gsize limit = route == ROUTE_REPORT ? self->max_body : MAX_FORM_BODY;

  if (route == ROUTE_REPORT && is_method (msg, SOUP_METHOD_PUT) && !authorise (self, msg, parts[0]))
    {
      discard_body (msg);
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) > limit)
    respond_too_large (msg, limit);
}

static gboolean
check_address (SoupServerMessage  *msg,
               char              **parts)
{
  g_autofree char *reason = NULL;

  if (!vp_report_is_team_code (parts[0]))
    reason = g_strdup (_("The address does not name a valid team code"));
  else if (!vp_report_is_installation_id (parts[1]))
    reason = g_strdup (_("The address does not name a valid installation id"));
  else if (!vp_report_is_period (parts[2]))
    reason = g_strdup (_("The address does not name a valid month (YYYY-MM)"));
  else
    return TRUE;
  respond_error (msg, SOUP_STATUS_BAD_REQUEST, reason);
  return FALSE;
}

/* Checks, parses and validates the body; answers 400 itself when it is not
 * a valid report for this address, in canonical form. */
static JsonNode *
read_report (SoupServerMessage  *msg,
             char              **parts,
             const char         *data,
             gsize               len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!vp_report_check_text (data, len, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
    {
      g_autofree char *reason = g_strdup_printf (_("The body is not valid JSON: %s"), error->message);

      respond_error (msg, SOUP_STATUS_BAD_REQUEST, reason);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (!vp_report_validate (root, parts[0], parts[1], parts[2], &error) ||
      !vp_report_check_canonical (root, data, len, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return NULL;
    }
  return json_node_ref (root);
}

static void
respond_outcome (SoupServerMessage *msg,
                 VpStoreOutcome     outcome,
                 gint64             revision,
                 gint64             stored_revision)
{
  g_autofree char *reason = NULL;

  switch (outcome)
    {
    case VP_STORE_STORED:
      respond_text (msg, SOUP_STATUS_CREATED, "status", "stored");
      break;
    case VP_STORE_ALREADY_STORED:
      respond_text (msg, SOUP_STATUS_OK, "status", "already stored");
      break;
    case VP_STORE_DIFFERENT_BODY:
      reason = g_strdup_printf (_("Revision %d of this report is already stored with different contents"),
                                (int) revision);
      respond_error (msg, SOUP_STATUS_CONFLICT, reason);
      break;
    case VP_STORE_OLDER_REVISION:
      reason = g_strdup_printf (_("Revision %d is older than the stored revision %d"),
                                (int) revision, (int) stored_revision);
      respond_error (msg, SOUP_STATUS_CONFLICT, reason);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The installation label a device sends, percent-encoded UTF-8; NULL when
 * it sends none or one that is not a short line of printable text (the
 * report is stored all the same). */
static char *
installation_label (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Vindplaats-Installation-Label");
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
static gboolean
check_municipality (VpEndpointServer  *self,
                    SoupServerMessage *msg,
                    const char        *team,
                    const char        *municipality)
{
  g_autofree char *registered = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;

  if (!vp_endpoint_db_team_municipality (self->db, team, &registered, &error))
    {
      respond_internal_error (msg, error);
      return FALSE;
    }
  if (registered == NULL || g_strcmp0 (registered, municipality) == 0)
    return TRUE;
  reason = g_strdup_printf (_("This team reports to municipality %s, not %s"), registered, municipality);
  respond_error (msg, SOUP_STATUS_FORBIDDEN, reason);
  return FALSE;
}

static void
handle_put_report (VpEndpointServer  *self,
                   SoupServerMessage *msg,
                   char             **parts)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = installation_label (msg);
  const char *municipality;
  JsonObject *report;
  VpStoreOutcome outcome;
  gint64 revision;
  gint64 stored_revision = 0;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len > self->max_body)
    {
      respond_too_large (msg, self->max_body);
      return;
    }
  if (!check_address (msg, parts) || (root = read_report (msg, parts, data, len)) == NULL)
    return;

  report = json_node_get_object (root);
  revision = json_object_get_int_member (report, "revision");
  municipality = json_object_get_string_member (report, "municipality");
  if (!check_municipality (self, msg, parts[0], municipality))
    return;
  if (!vp_endpoint_db_store_report (self->db, parts[0], parts[1], parts[2], revision, municipality,
                                    data, len, &outcome, &stored_revision, &error))
    {
      respond_internal_error (msg, error);
      return;
    }
  if ((outcome == VP_STORE_STORED || outcome == VP_STORE_ALREADY_STORED) &&
      !vp_endpoint_db_note_installation (self->db, parts[0], parts[1], label, &error))
    g_warning ("%s", error->message);
  respond_outcome (msg, outcome, revision, stored_revision);
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

static const char *
query_get (GHashTable *query,
           const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

/* The reports, the municipality's teams and the selection a reading
 * request asks for; answers the request itself when it cannot. */
static VpReachSelection *
select_for (VpEndpointServer   *self,
            SoupServerMessage  *msg,
            GHashTable         *query,
            const char         *municipality,
            VpLang              lang,
            gboolean            html,
            VpReach           **reach)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) teams = NULL;
  VpReachSelection *selection;

  *reach = reach_for (self, municipality, &error);
  if (*reach == NULL || (teams = vp_endpoint_db_teams (self->db, municipality, &error)) == NULL)
    {
      respond_internal_error (msg, error);
      return NULL;
    }
  selection = vp_reach_select (*reach, teams, lang, query_get (query, "period"), query_get (query, "scope"), &error);
  if (selection != NULL)
    return selection;
  if (html)
    {
      g_autofree char *page = vp_reach_message_html (lang, vp_text (lang, N_("This choice cannot be shown")),
                                                     error->message);

      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, page, strlen (page));
    }
  else
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
  return NULL;
}

static void
handle_reach (VpEndpointServer  *self,
              SoupServerMessage *msg,
              GHashTable        *query,
              const char        *municipality)
{
  const char *format = query_get (query, "format");
  const char *table = query_get (query, "table");
  VpLang lang = vp_lang_from_code (query_get (query, "lang"));
  g_autoptr(VpReachSelection) selection = NULL;
  VpReach *reach = NULL;

  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "csv"))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, _("The format must be json or csv"));
      return;
    }
  if (table != NULL && vp_report_table_def_lookup (table) == NULL)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, _("There is no such table in the reach report"));
      return;
    }
  selection = select_for (self, msg, query, municipality, lang, FALSE, &reach);
  if (selection == NULL)
    return;
  if (format != NULL && g_str_equal (format, "csv"))
    {
      g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"vindplaats-%s-%s.csv\"",
                                                      municipality, selection->period);
      gsize len = 0;
      char *csv = vp_reach_export_csv (reach, selection, table, &len);

      set_header (msg, "Content-Disposition", disposition);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE, csv, len);
    }
  else
    {
      g_autoptr(JsonNode) root = vp_reach_export_json (reach, selection, municipality, table);

      respond_node (msg, SOUP_STATUS_OK, root);
    }
}

static void
respond_html (SoupServerMessage *msg,
              guint              status,
              char              *html)
{
  set_header (msg, "Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'");
  set_header (msg, "X-Frame-Options", "DENY");
  set_header (msg, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE, html, strlen (html));
}

static void
redirect (SoupServerMessage *msg,
          const char        *location)
{
  set_header (msg, "Location", location);
  soup_server_message_set_status (msg, SOUP_STATUS_SEE_OTHER, NULL);
}

static void
handle_overview (VpEndpointServer  *self,
                 SoupServerMessage *msg,
                 GHashTable        *query,
                 const char        *municipality)
{
  VpLang lang = vp_lang_from_code (query_get (query, "lang"));
  const char *view = query_get (query, "view");
  g_autoptr(VpReachSelection) selection = NULL;
  g_autoptr(GPtrArray) installations = NULL;
  g_autoptr(GError) error = NULL;
  VpReach *reach = NULL;

  if (view != NULL && !vp_reach_page_is_view (view))
    {
      respond_html (msg, SOUP_STATUS_NOT_FOUND,
                    vp_reach_message_html (lang, vp_text (lang, N_("This choice cannot be shown")),
                                           vp_text (lang, N_("There is no such view"))));
      return;
    }
  selection = select_for (self, msg, query, municipality, lang, TRUE, &reach);
  if (selection == NULL)
    return;
  installations = vp_endpoint_db_installations (self->db, &error);
  if (installations == NULL)
    {
      respond_internal_error (msg, error);
      return;
    }
  respond_html (msg, SOUP_STATUS_OK,
                vp_reach_page_html (reach, selection, municipality, view != NULL ? view : "reach", installations));
}

static GHashTable *
read_form (SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return soup_form_decode (text);
}

static void
set_session_cookie (SoupServerMessage *msg,
                    const char        *value,
                    gint64             max_age)
{
  g_autofree char *cookie = g_strdup_printf (SESSION_COOKIE "=%s; Path=/; Max-Age=%" G_GINT64_FORMAT
                                             "; Secure; HttpOnly; SameSite=Strict", value, max_age);

  set_header (msg, "Set-Cookie", cookie);
}

static void
handle_sign_in (VpEndpointServer  *self,
                SoupServerMessage *msg,
                GHashTable        *query)
{
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *municipality = NULL;
  g_autofree char *session = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;
  VpLang lang;

  if (is_method (msg, SOUP_METHOD_GET) || is_method (msg, SOUP_METHOD_HEAD))
    {
      respond_html (msg, SOUP_STATUS_OK, vp_reach_sign_in_html (vp_lang_from_code (query_get (query, "lang")), NULL));
      return;
    }
  form = read_form (msg);
  lang = vp_lang_from_code (g_hash_table_lookup (form, "lang"));
  if (!vp_endpoint_db_read_scope (self->db, g_hash_table_lookup (form, "token"), &municipality, &error))
    {
      respond_internal_error (msg, error);
      return;
    }
  if (municipality == NULL)
    {
      respond_html (msg, SOUP_STATUS_UNAUTHORIZED,
                    vp_reach_sign_in_html (lang, vp_text (lang, N_("This read token is not known. Check it and try again."))));
      return;
    }
  session = vp_endpoint_db_new_session (self->db, municipality, SESSION_LIFETIME, &error);
  if (session == NULL)
    {
      respond_internal_error (msg, error);
      return;
    }
  set_session_cookie (msg, session, SESSION_LIFETIME);
  location = g_strdup_printf ("/?lang=%s", vp_lang_code (lang));
  redirect (msg, location);
}

static void
handle_sign_out (VpEndpointServer  *self,
                 SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = read_form (msg);
  g_autofree char *session = request_cookie (msg, SESSION_COOKIE);
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;

  if (!vp_endpoint_db_end_session (self->db, session, &error))
    {
      respond_internal_error (msg, error);
      return;
    }
  set_session_cookie (msg, "", 0);
  location = g_strdup_printf ("/sign-in?lang=%s",
                              vp_lang_code (vp_lang_from_code (g_hash_table_lookup (form, "lang"))));
  redirect (msg, location);
}

/* Reading needs a session (or, for GET /v1/reach, a read token). The
 * overview sends a reader without one to the sign-in form. */
static void
handle_read (VpEndpointServer  *self,
             SoupServerMessage *msg,
             GHashTable        *query,
             Route              route)
{
  gboolean failed = FALSE;
  g_autofree char *municipality = read_scope (self, msg, &failed);

  if (failed)
    return;
  if (municipality == NULL && route == ROUTE_OVERVIEW)
    {
      g_autofree char *location = g_strdup_printf ("/sign-in?lang=%s",
                                                   vp_lang_code (vp_lang_from_code (query_get (query, "lang"))));
      redirect (msg, location);
    }
  else if (municipality == NULL)
    respond_unauthorised (msg, bearer_token (msg) != NULL);
  else if (route == ROUTE_OVERVIEW)
    handle_overview (self, msg, query, municipality);
  else
    handle_reach (self, msg, query, municipality);
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  VpEndpointServer *self = user_data;
  gboolean reading = is_method (msg, SOUP_METHOD_GET) || is_method (msg, SOUP_METHOD_HEAD);
  g_auto(GStrv) parts = NULL;
  Route route = route_parse (path, &parts);

  set_header (msg, "Cache-Control", "no-store");
  set_header (msg, "X-Content-Type-Options", "nosniff");

  switch (route)
    {
    case ROUTE_REPORT:
      /* The early handler checked the token already; checking again costs
       * one indexed look-up and keeps this path safe on its own. */
      if (!is_method (msg, SOUP_METHOD_PUT))
        respond_not_allowed (msg, "PUT");
      else if (authorise (self, msg, parts[0]))
        handle_put_report (self, msg, parts);
      break;
    case ROUTE_REACH:
    case ROUTE_OVERVIEW:
      if (!reading)
        respond_not_allowed (msg, "GET");
      else
        handle_read (self, msg, query, route);
      break;
    case ROUTE_SIGN_IN:
      if (!reading && !is_method (msg, SOUP_METHOD_POST))
        respond_not_allowed (msg, "GET, POST");
      else
        handle_sign_in (self, msg, query);
      break;
    case ROUTE_SIGN_OUT:
      if (!is_method (msg, SOUP_METHOD_POST))
        respond_not_allowed (msg, "POST");
      else
        handle_sign_out (self, msg);
      break;
    case ROUTE_NOT_FOUND:
    default:
      respond_error (msg, SOUP_STATUS_NOT_FOUND, _("There is nothing at this address"));
      break;
    }
}

/* One line per request: time, method, path (never the query, which may
 * hold a token), status. Bodies are never logged. */
static void
log_request (SoupServerMessage *msg,
             const char        *note)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  GUri *uri = soup_server_message_get_uri (msg);
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *path = g_strescape (uri != NULL ? g_uri_get_path (uri) : "-", NULL);

  if (strlen (path) > MAX_LOGGED_PATH)
    strcpy (path + MAX_LOGGED_PATH - 3, "...");
  g_printerr ("%s %s %s %u%s%s\n", when, method != NULL ? method : "-", path,
              soup_server_message_get_status (msg), note != NULL ? " " : "",
              note != NULL ? note : "");
}

static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  log_request (msg, NULL);
}

static void
on_request_aborted (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  log_request (msg, "(aborted)");
}

static void
vp_endpoint_server_dispose (GObject *object)
{
  VpEndpointServer *self = VP_ENDPOINT_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->db);
  g_clear_pointer (&self->reach, g_hash_table_unref);

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
 * @certificate: the server's certificate, with its private key
 * @max_body: the largest request body accepted, in bytes
 *
 * Returns: (transfer full): a server that is not listening yet
 */
VpEndpointServer *
vp_endpoint_server_new (VpEndpointDb    *db,
                        GTlsCertificate *certificate,
                        gsize            max_body)
{
  VpEndpointServer *self;

  g_return_val_if_fail (VP_IS_ENDPOINT_DB (db), NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (max_body > 0, NULL);

  self = g_object_new (VP_TYPE_ENDPOINT_SERVER, NULL);
  self->db = g_object_ref (db);
  self->max_body = max_body;
  self->soup = soup_server_new ("tls-certificate", certificate,
                                "server-header", "vindplaats-endpoint",
                                NULL);
  soup_server_add_early_handler (self->soup, NULL, on_early_request, self, NULL);
  soup_server_add_handler (self->soup, NULL, on_request, self, NULL);
  g_signal_connect_object (self->soup, "request-finished", G_CALLBACK (on_request_finished), self, 0);
  g_signal_connect_object (self->soup, "request-aborted", G_CALLBACK (on_request_aborted), self, 0);
  return self;
}

/**
 * vp_endpoint_server_listen:
 * @self: a #VpEndpointServer
 * @address: the address and port to listen on; port 0 picks a free one
 * @error: return location for an error
 *
 * Starts serving HTTPS (only) on @address.
 *
 * Returns: %TRUE when listening
 */
gboolean
vp_endpoint_server_listen (VpEndpointServer  *self,
                           GSocketAddress    *address,
                           GError           **error)
{
  g_return_val_if_fail (VP_IS_ENDPOINT_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);

  return soup_server_listen (self->soup, address, SOUP_SERVER_LISTEN_HTTPS, error);
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
  GSList *uris;
  GUri *uri;
  const char *host;
  char *url;

  g_return_val_if_fail (VP_IS_ENDPOINT_SERVER (self), NULL);

  uris = soup_server_get_uris (self->soup);
  if (uris == NULL)
    return NULL;
  uri = uris->data;
  host = g_uri_get_host (uri);
  if (strchr (host, ':') != NULL)
    url = g_strdup_printf ("https://[%s]:%d", host, g_uri_get_port (uri));
  else
    url = g_strdup_printf ("https://%s:%d", host, g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}
