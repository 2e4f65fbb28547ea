/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "vp-endpoint-server.h"
#include "vp-report-schema.h"
#include "vp-report-validate.h"

/* The reference endpoint's HTTP side (DESIGN §7), HTTPS only:
 *
 *   PUT /v1/reports/{team}/{installation}/{YYYY-MM}  with the team's token
 *   GET /v1/reach[?format=csv]                       with a read token
 *   GET /                                            with a read token
 *
 * Every answer to a report carries a reason in JSON, so the sending device
 * can show what went wrong. The work is done in the handler itself: one
 * SQLite transaction per report is quick. */

#define MAX_LOGGED_PATH 200

struct _VpEndpointServer
{
  GObject       parent_instance;

  SoupServer   *soup;
  VpEndpointDb *db;
  gsize         max_body;
};

G_DEFINE_FINAL_TYPE (VpEndpointServer, vp_endpoint_server, G_TYPE_OBJECT)

typedef enum {
  ROUTE_NOT_FOUND,
  ROUTE_REPORT,
  ROUTE_REACH,
  ROUTE_OVERVIEW,
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
respond_too_large (VpEndpointServer  *self,
                   SoupServerMessage *msg)
{
  g_autofree char *reason = NULL;

  reason = g_strdup_printf (_("The body is larger than the limit of %lu bytes"),
                            (unsigned long) self->max_body);
  discard_body (msg);
  respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, reason);
}

static char *
bearer_token (SoupServerMessage *msg,
              GHashTable        *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  const char *from_query = query != NULL ? g_hash_table_lookup (query, "token") : NULL;

  if (value != NULL && g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    return g_strstrip (g_strdup (value + 7));
  if (from_query != NULL)
    return g_strdup (from_query);
  return NULL;
}

/* Answers 401 itself and returns FALSE unless the token grants the request.
 * Only reading takes the token from the query, for a browser's sake. */
static gboolean
authorise (VpEndpointServer  *self,
           SoupServerMessage *msg,
           GHashTable        *query,
           VpTokenKind        kind,
           const char        *team)
{
  g_autofree char *token = bearer_token (msg, kind == VP_TOKEN_READ ? query : NULL);
  g_autoptr(GError) error = NULL;
  gboolean allowed = FALSE;

  if (!vp_endpoint_db_check_token (self->db, token, kind, team, &allowed, &error))
    {
      respond_internal_error (msg, error);
      return FALSE;
    }
  if (allowed)
    return TRUE;

  set_header (msg, "WWW-Authenticate", "Bearer");
  respond_error (msg, SOUP_STATUS_UNAUTHORIZED,
                 token == NULL ? _("A bearer token is required")
                               : _("The token is unknown or not valid for this request"));
  return FALSE;
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  VpEndpointServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* Already answered: the body is being read only to be thrown away. */
  if (soup_server_message_get_status (msg) != 0)
    return;
  if (body->length > 0 && (guint64) body->length > self->max_body)
    respond_too_large (self, msg);
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

  if (route_parse (path, &parts) == ROUTE_REPORT && is_method (msg, SOUP_METHOD_PUT) &&
      !authorise (self, msg, NULL, VP_TOKEN_WRITE, parts[0]))
    {
      discard_body (msg);
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) > self->max_body)
    respond_too_large (self, msg);
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

static void
handle_put_report (VpEndpointServer  *self,
                   SoupServerMessage *msg,
                   char             **parts)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *report;
  VpStoreOutcome outcome;
  gint64 revision;
  gint64 stored_revision = 0;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len > self->max_body)
    {
      respond_too_large (self, msg);
      return;
    }
  if (!check_address (msg, parts) || (root = read_report (msg, parts, data, len)) == NULL)
    return;

  report = json_node_get_object (root);
  revision = json_object_get_int_member (report, "revision");
  if (!vp_endpoint_db_store_report (self->db, parts[0], parts[1], parts[2], revision,
                                    json_object_get_string_member (report, "municipality"),
                                    data, len, &outcome, &stored_revision, &error))
    {
      respond_internal_error (msg, error);
      return;
    }
  respond_outcome (msg, outcome, revision, stored_revision);
}

/* A stored body parsed again; it was validated on the way in, and is checked
 * once more so that the readers below can trust its shape. */
static JsonNode *
parse_stored (const VpStoredReport *stored)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = json_from_string (stored->body, &error);
  if (root == NULL || !vp_report_validate (root, stored->team, stored->installation,
                                           stored->period, &error))
    {
      g_warning ("Skipping a stored report of %s for %s: %s",
                 stored->team, stored->period, error != NULL ? error->message : "empty");
      return NULL;
    }
  return g_steal_pointer (&root);
}

static void
respond_reach_json (SoupServerMessage *msg,
                    GPtrArray         *reports)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < reports->len; i++)
    {
      const VpStoredReport *stored = g_ptr_array_index (reports, i);
      JsonNode *report = parse_stored (stored);

      if (report == NULL)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "installation");
      json_builder_add_string_value (builder, stored->installation);
      json_builder_set_member_name (builder, "municipality");
      json_builder_add_string_value (builder, stored->municipality);
      json_builder_set_member_name (builder, "period");
      json_builder_add_string_value (builder, stored->period);
      json_builder_set_member_name (builder, "received_at");
      json_builder_add_string_value (builder, stored->received_at);
      json_builder_set_member_name (builder, "report");
      json_builder_add_value (builder, report);
      json_builder_set_member_name (builder, "revision");
      json_builder_add_int_value (builder, stored->revision);
      json_builder_set_member_name (builder, "team");
      json_builder_add_string_value (builder, stored->team);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  respond_node (msg, SOUP_STATUS_OK, root);
}

/* Codes are checked on the way in and never hold a comma or a quote; the
 * quoting is there all the same. */
static void
csv_field (GString    *out,
           const char *text,
           gboolean    last)
{
  if (strpbrk (text, ",\"\r\n") != NULL)
    {
      g_autofree char *doubled = NULL;
      g_auto(GStrv) pieces = g_strsplit (text, "\"", -1);

      doubled = g_strjoinv ("\"\"", pieces);
      g_string_append_printf (out, "\"%s\"", doubled);
    }
  else
    g_string_append (out, text);
  g_string_append_c (out, last ? '\n' : ',');
}

static void
csv_row (GString              *out,
         const VpStoredReport *stored,
         const char           *table,
         const char           *row,
         const char           *column,
         JsonNode             *value)
{
  g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, stored->revision);
  g_autofree char *number = NULL;

  if (!JSON_NODE_HOLDS_NULL (value))
    number = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
  csv_field (out, stored->team, FALSE);
  csv_field (out, stored->installation, FALSE);
  csv_field (out, stored->period, FALSE);
  csv_field (out, revision, FALSE);
  csv_field (out, table, FALSE);
  csv_field (out, row, FALSE);
  csv_field (out, column, FALSE);
  csv_field (out, number != NULL ? number : "", TRUE);
}

/* One line per cell; totals are lines with "total" for the row or column
 * (no category code is called that). One-dimensional tables leave the
 * column empty. Suppressed values are empty. */
static void
csv_table (GString              *out,
           const VpStoredReport *stored,
           const char           *name,
           JsonObject           *table)
{
  JsonArray *rows = json_object_get_array_member (table, "rows");
  JsonArray *cells = json_object_get_array_member (table, "cells");
  JsonArray *columns = json_object_has_member (table, "columns")
                       ? json_object_get_array_member (table, "columns") : NULL;
  JsonNode *total = json_object_get_member (table, "total");

  for (guint r = 0; r < json_array_get_length (rows); r++)
    {
      const char *row = json_array_get_string_element (rows, r);

      if (columns == NULL)
        {
          csv_row (out, stored, name, row, "", json_array_get_element (cells, r));
          continue;
        }
      for (guint c = 0; c < json_array_get_length (columns); c++)
        csv_row (out, stored, name, row, json_array_get_string_element (columns, c),
                 json_array_get_element (json_array_get_array_element (cells, r), c));
      csv_row (out, stored, name, row, "total",
               json_array_get_element (json_object_get_array_member (table, "row_totals"), r));
    }
  for (guint c = 0; columns != NULL && c < json_array_get_length (columns); c++)
    csv_row (out, stored, name, "total", json_array_get_string_element (columns, c),
             json_array_get_element (json_object_get_array_member (table, "column_totals"), c));
  csv_row (out, stored, name, "total", columns != NULL ? "total" : "", total);
}

static void
respond_reach_csv (SoupServerMessage *msg,
                   GPtrArray         *reports)
{
  GString *out = g_string_new ("team,installation,period,revision,table,row,column,value\n");
  gsize len;

  for (guint i = 0; i < reports->len; i++)
    {
      const VpStoredReport *stored = g_ptr_array_index (reports, i);
      g_autoptr(JsonNode) root = parse_stored (stored);
      JsonObject *tables;
      g_autoptr(GList) names = NULL;

      if (root == NULL)
        continue;
      tables = json_object_get_object_member (json_node_get_object (root), "tables");
      names = json_object_get_members (tables);
      for (const GList *l = names; l != NULL; l = l->next)
        csv_table (out, stored, l->data, json_object_get_object_member (tables, l->data));
    }
  len = out->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_string_free (out, FALSE), len);
}

static void
handle_reach (VpEndpointServer  *self,
              SoupServerMessage *msg,
              GHashTable        *query)
{
  const char *format = query != NULL ? g_hash_table_lookup (query, "format") : NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;

  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "csv"))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, _("The format must be json or csv"));
      return;
    }
  reports = vp_endpoint_db_latest_reports (self->db, &error);
  if (reports == NULL)
    {
      respond_internal_error (msg, error);
      return;
    }
  if (format != NULL && g_str_equal (format, "csv"))
    respond_reach_csv (msg, reports);
  else
    respond_reach_json (msg, reports);
}

/* The contacts total of a stored report, or -1 when it is suppressed or the
 * report has no contacts table. */
static gint64
contacts_total (const VpStoredReport *stored)
{
  g_autoptr(JsonNode) root = parse_stored (stored);
  JsonObject *tables;
  JsonNode *total;

  if (root == NULL)
    return -1;
  tables = json_object_get_object_member (json_node_get_object (root), "tables");
  if (!json_object_has_member (tables, "contacts"))
    return -1;
  total = json_object_get_member (json_object_get_object_member (tables, "contacts"), "total");
  return JSON_NODE_HOLDS_NULL (total) ? -1 : json_node_get_int (total);
}

static void
html_cell (GString    *out,
           const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append_printf (out, "<td>%s</td>", escaped);
}

static void
html_row (GString              *out,
          const VpStoredReport *stored,
          gint64                total,
          gint64                max_total)
{
  g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, stored->revision);
  g_autofree char *number = total >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, total)
                                       : g_strdup (_("suppressed"));
  int width = total > 0 && max_total > 0 ? (int) (total * 200 / max_total) : 0;

  g_string_append (out, "<tr>");
  html_cell (out, stored->team);
  html_cell (out, stored->installation);
  html_cell (out, stored->period);
  html_cell (out, revision);
  html_cell (out, stored->received_at);
  html_cell (out, number);
  g_string_append_printf (out, "<td><div class=\"bar\" style=\"width:%dpx\"></div></td></tr>\n", width);
}

static char *
overview_html (GPtrArray *reports)
{
  GString *out = g_string_new (NULL);
  g_autofree gint64 *totals = g_new (gint64, reports->len + 1);
  gint64 max_total = 0;

  for (guint i = 0; i < reports->len; i++)
    {
      totals[i] = contacts_total (g_ptr_array_index (reports, i));
      max_total = MAX (max_total, totals[i]);
    }

  g_string_append_printf (out,
                          "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>"
                          "<style>body{font-family:sans-serif;margin:2em}"
                          "td,th{padding:.2em .8em;text-align:left}"
                          ".bar{background:#3584e4;height:1em}</style></head><body>\n"
                          "<h1>%s</h1>\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                          "<th>%s</th><th>%s</th><th></th></tr>\n",
                          _("Vindplaats reach"), _("Reach reports"), _("Team"), _("Installation"),
                          _("Month"), _("Revision"), _("Received"), _("Contacts"));
  for (guint i = 0; i < reports->len; i++)
    html_row (out, g_ptr_array_index (reports, i), totals[i], max_total);
  g_string_append (out, "</table>\n</body></html>\n");
  return g_string_free (out, FALSE);
}

static void
handle_overview (VpEndpointServer  *self,
                 SoupServerMessage *msg)
{
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  char *html;

  reports = vp_endpoint_db_latest_reports (self->db, &error);
  if (reports == NULL)
    {
      respond_internal_error (msg, error);
      return;
    }
  html = overview_html (reports);
  /* The page may have come with its token in the address: keep it there. */
  set_header (msg, "Referrer-Policy", "no-referrer");
  set_header (msg, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE,
                                    html, strlen (html));
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

  set_header (msg, "Cache-Control", "no-store");
  set_header (msg, "X-Content-Type-Options", "nosniff");

  switch (route_parse (path, &parts))
    {
    case ROUTE_REPORT:
      /* The early handler checked the token already; checking again costs
       * one indexed look-up and keeps this path safe on its own. */
      if (!is_method (msg, SOUP_METHOD_PUT))
        respond_not_allowed (msg, "PUT");
      else if (authorise (self, msg, NULL, VP_TOKEN_WRITE, parts[0]))
        handle_put_report (self, msg, parts);
      break;
    case ROUTE_REACH:
      if (!reading)
        respond_not_allowed (msg, "GET");
      else if (authorise (self, msg, query, VP_TOKEN_READ, NULL))
        handle_reach (self, msg, query);
      break;
    case ROUTE_OVERVIEW:
      if (!reading)
        respond_not_allowed (msg, "GET");
      else if (authorise (self, msg, query, VP_TOKEN_READ, NULL))
        handle_overview (self, msg);
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
