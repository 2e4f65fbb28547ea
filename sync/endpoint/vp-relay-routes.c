/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-relay"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vp-relay-routes.h"

/* The relay's routes (#16). Every request is answered in two steps, as the
 * report routes are: once its headers are in (the route, the method, the
 * token, the rate limit and the declared length, so that nothing is read
 * from a stranger), and once its body is in. A device's token travels only
 * in "Authorization: Bearer"; the HTTP layer logs the path, which holds
 * ids and invite codes but no secret. Error answers are JSON with a reason
 * for people ("error") and a word for programs ("kind"). All of it runs in
 * the HTTP layer's one thread, so the rate limiter needs no lock.
 *
 * Invite codes are 40 bits: the two routes that take a code without a
 * token are limited per source address (an IPv6 /64) and relay-wide, so
 * that guessing codes takes far longer than an invitation lives. */

#define MAX_JSON_BODY 1024
#define RATE_WINDOW 60
#define MAX_SOURCES 10000
#define GLOBAL_RATE_FACTOR 30
#define PURGE_INTERVAL 60

typedef enum {
  RELAY_NOT_FOUND,
  RELAY_CREATE,
  RELAY_GET_INVITE,
  RELAY_JOIN,
  RELAY_GET_REVEAL,
  RELAY_PUT_INVITE,
  RELAY_GET_JOINER,
  RELAY_REVEAL,
  RELAY_DEVICES,
  RELAY_REMOVE,
  RELAY_PUT_KEY,
  RELAY_KEYS,
  RELAY_PUSH,
  RELAY_PULL,
  RELAY_ACK,
  RELAY_COMPACT,
} RelayRoute;

typedef struct {
  RelayRoute  route;
  const char *method;
  gboolean    valid;        /* every id, code and number in it is well formed */
  VpUid       team;
  VpUid       device;
  char        code[VP_INVITE_CODE_LEN + 1];
  guint32     epoch;
} RelayPath;

typedef struct {
  gint64 window;
  guint  count;
} RateEntry;

struct _VpRelayRoutes
{
  GObject               parent_instance;

  VpRelayStore         *store;
  VpRelayRouteLimits    limits;
  VpRelayAuthoriseFunc  authorise;
  gpointer              authorise_data;
  GHashTable           *sources;       /* source -> RateEntry */
  RateEntry             global;
  gint64                last_purge;
};

G_DEFINE_FINAL_TYPE (VpRelayRoutes, vp_relay_routes, G_TYPE_OBJECT)

/* ---- Answers ------------------------------------------------------------ */

static VpHttpResponse *
respond_json (guint     status,
              JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  VpHttpResponse *response;
  gsize len = 0;
  char *data;

  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &len);
  response = vp_http_response_new (status, "application/json", data, len);
  vp_http_response_add_header (response, "Cache-Control", "no-store");
  vp_http_response_add_header (response, "X-Content-Type-Options", "nosniff");
  return response;
}

static VpHttpResponse *
respond_error (guint       status,
               const char *kind,
               const char *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, reason);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return respond_json (status, root);
}

static VpHttpResponse *
respond_status (guint       status,
                const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return respond_json (status, root);
}

static VpHttpResponse *
respond_bytes (GBytes *bytes)
{
  gsize len = 0;
  gconstpointer data = g_bytes_get_data (bytes, &len);
  VpHttpResponse *response = vp_http_response_new (200, "application/octet-stream",
                                                    g_memdup2 (data, len), len);

  vp_http_response_add_header (response, "Cache-Control", "no-store");
  vp_http_response_add_header (response, "X-Content-Type-Options", "nosniff");
  return response;
}

/* The store's refusals, as HTTP; a failed database is logged (its message
 * names no device and holds no blob) and answered 500. */
static VpHttpResponse *
respond_store_error (const GError *error)
{
  static const struct {
    VpRelayStoreError code;
    guint             status;
    const char       *kind;
  } map[] = {
    { VP_RELAY_STORE_ERROR_INVALID, 400, "invalid" },
    { VP_RELAY_STORE_ERROR_FORBIDDEN, 403, "forbidden" },
    { VP_RELAY_STORE_ERROR_PENDING, 403, "pending" },
    { VP_RELAY_STORE_ERROR_NOT_FOUND, 404, "not-found" },
    { VP_RELAY_STORE_ERROR_CONFLICT, 409, "conflict" },
    { VP_RELAY_STORE_ERROR_OLD_EPOCH, 409, "old-epoch" },
    { VP_RELAY_STORE_ERROR_EXPIRED, 410, "expired" },
    { VP_RELAY_STORE_ERROR_QUOTA, 507, "quota" },
  };

  if (error->domain == VP_RELAY_STORE_ERROR)
    for (guint i = 0; i < G_N_ELEMENTS (map); i++)
      if ((gint) map[i].code == error->code)
        return respond_error (map[i].status, map[i].kind, error->message);
  g_warning ("%s", error->message);
  return respond_error (500, "server", _("The relay could not handle the request; please try again later"));
}

static VpHttpResponse *
respond_invalid (const char *reason)
{
  return respond_error (400, "invalid", reason);
}

/* ---- Paths ---------------------------------------------------------------- */

static gboolean
parse_uid (const char *text,
           VpUid      *uid)
{
  char canonical[VP_UID_STRING_LEN + 1];

  if (!vp_uid_parse (text, uid, NULL))
    return FALSE;
  /* One spelling per id: lower case only. */
  vp_uid_to_string (uid, canonical);
  return g_str_equal (canonical, text);
}

static gboolean
parse_code (const char *text,
            char        out[VP_INVITE_CODE_LEN + 1])
{
  g_autofree char *code = vp_invite_code_normalize (text, NULL);

  /* Canonical only, so that one invitation has one address. */
  if (code == NULL || !g_str_equal (code, text))
    return FALSE;
  memcpy (out, code, VP_INVITE_CODE_LEN + 1);
  return TRUE;
}

/* A decimal number without sign, leading zeros or spaces, up to max. */
static gboolean
parse_number (const char *text,
              guint64     max,
              guint64    *value)
{
  if (text == NULL || *text == '\0' || strlen (text) > 20 || (text[0] == '0' && text[1] != '\0'))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL);
}

/* The routes of a team: teams/{team}/... */
static void
parse_team_path (GStrv      s,
                 guint      n,
                 RelayPath *p)
{
  guint64 epoch = 0;

  p->valid = parse_uid (s[1], &p->team);
  if (n == 3 && g_str_equal (s[2], "devices"))
    p->route = RELAY_DEVICES, p->method = "GET";
  else if (n == 3 && g_str_equal (s[2], "keys"))
    p->route = RELAY_KEYS, p->method = "GET";
  else if (n == 3 && g_str_equal (s[2], "blobs"))
    p->route = RELAY_PUSH, p->method = "GET, POST";
  else if (n == 3 && g_str_equal (s[2], "ack"))
    p->route = RELAY_ACK, p->method = "POST";
  else if (n == 3 && g_str_equal (s[2], "compact"))
    p->route = RELAY_COMPACT, p->method = "POST";
  else if (n == 4 && g_str_equal (s[2], "invites"))
    p->route = RELAY_PUT_INVITE, p->method = "PUT";
  else if (n == 5 && g_str_equal (s[2], "invites") && g_str_equal (s[4], "joiner"))
    p->route = RELAY_GET_JOINER, p->method = "GET";
  else if (n == 5 && g_str_equal (s[2], "invites") && g_str_equal (s[4], "reveal"))
    p->route = RELAY_REVEAL, p->method = "POST";
  else if (n == 4 && g_str_equal (s[2], "devices"))
    p->route = RELAY_REMOVE, p->method = "DELETE";
  else if (n == 6 && g_str_equal (s[2], "devices") && g_str_equal (s[4], "keys"))
    p->route = RELAY_PUT_KEY, p->method = "PUT";
  if (p->route == RELAY_PUT_INVITE || p->route == RELAY_GET_JOINER || p->route == RELAY_REVEAL)
    p->valid = p->valid && parse_code (s[3], p->code);
  if (p->route == RELAY_REMOVE || p->route == RELAY_PUT_KEY)
    p->valid = p->valid && parse_uid (s[3], &p->device);
  if (p->route == RELAY_PUT_KEY)
    {
      p->valid = p->valid && parse_number (s[5], G_MAXUINT32, &epoch);
      p->epoch = (guint32) epoch;
    }
}

static RelayPath
parse_path (VpHttpRequest *request)
{
  const char *path = vp_http_request_path (request);
  RelayPath p = { RELAY_NOT_FOUND, NULL, FALSE, { { 0 } }, { { 0 } }, "", 0 };
  g_auto(GStrv) s = NULL;
  guint n;

  if (!g_str_has_prefix (path, VP_RELAY_PATH_PREFIX) || strlen (path) > 512)
    return p;
  s = g_strsplit (path + strlen (VP_RELAY_PATH_PREFIX), "/", 8);
  n = g_strv_length (s);
  for (guint i = 0; i < n; i++)
    if (*s[i] == '\0')
      return p;
  if (n == 1 && g_str_equal (s[0], "teams"))
    p.route = RELAY_CREATE, p.method = "POST", p.valid = TRUE;
  else if (n >= 2 && n <= 3 && g_str_equal (s[0], "invites"))
    {
      p.valid = parse_code (s[1], p.code);
      if (n == 2)
        p.route = RELAY_GET_INVITE, p.method = "GET";
      else if (g_str_equal (s[2], "join"))
        p.route = RELAY_JOIN, p.method = "POST";
      else if (g_str_equal (s[2], "reveal"))
        p.route = RELAY_GET_REVEAL, p.method = "GET";
    }
  else if (n >= 3 && g_str_equal (s[0], "teams"))
    parse_team_path (s, n, &p);
  /* Blobs are sent with POST and fetched with GET. */
  if (p.route == RELAY_PUSH && g_strcmp0 (vp_http_request_method (request), "GET") == 0)
    p.route = RELAY_PULL;
  return p;
}

static gboolean
method_allowed (VpHttpRequest   *request,
                const RelayPath *p)
{
  const char *method = vp_http_request_method (request);
  g_auto(GStrv) allowed = g_strsplit (p->method, ", ", -1);

  return g_strv_contains ((const char * const *) allowed, method);
}

/* The most body bytes a route takes. */
static gsize
body_limit_for (VpRelayRoutes *self,
                RelayRoute     route)
{
  switch (route)
    {
    case RELAY_PUSH:
      return self->limits.max_blob;
    case RELAY_PUT_INVITE:
      return VP_ENROL_COMMITMENT_LEN;
    case RELAY_PUT_KEY:
      return VP_WRAPPED_KEY_LEN;
    case RELAY_CREATE:
    case RELAY_JOIN:
    case RELAY_REVEAL:
    case RELAY_ACK:
    case RELAY_COMPACT:
      return MAX_JSON_BODY;
    default:
      return 0;
    }
}

/* ---- Who asks -------------------------------------------------------------- */

static gboolean
takes_token (RelayRoute route)
{
  return route != RELAY_CREATE && route != RELAY_GET_INVITE && route != RELAY_JOIN;
}

static char *
bearer_token (VpHttpRequest *request)
{
  const char *value = vp_http_request_header (request, "Authorization");

  if (value != NULL && g_ascii_strncasecmp (value, "Bearer ", 7) == 0)
    return g_strstrip (g_strdup (value + 7));
  return NULL;
}

static void
wipe_free (char *text)
{
  if (text != NULL)
    OPENSSL_cleanse (text, strlen (text));
  g_free (text);
}

/* The device behind the request's token, for the team in its path. NULL
 * with *caller filled in, or the answer: 401 without a known token, 410
 * for a removed device, 403 for another team's token. */
static VpHttpResponse *
authenticate (VpRelayRoutes   *self,
              VpHttpRequest   *request,
              const RelayPath *p,
              VpRelayCaller   *caller)
{
  char *token = bearer_token (request);
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;
  gboolean ok = vp_relay_store_authenticate (self->store, token, caller, &found, &error);
  gboolean presented = token != NULL;
  VpHttpResponse *response;

  wipe_free (token);
  if (!ok)
    return respond_store_error (error);
  if (!found)
    {
      response = respond_error (401, "refused", presented ? _("The relay does not know this laptop’s token")
                                                          : _("A bearer token is required"));
      vp_http_response_add_header (response, "WWW-Authenticate", "Bearer");
      return response;
    }
  if (caller->state == VP_RELAY_DEVICE_REMOVED)
    return respond_error (410, "removed", _("This laptop was removed from the team"));
  if (p->route != RELAY_GET_REVEAL && !vp_uid_equal (&caller->team, &p->team))
    return respond_error (403, "refused", _("This laptop’s token is for another team"));
  /* A laptop waiting to be admitted can only fetch the team leader's share
   * and its key. */
  if (caller->state == VP_RELAY_DEVICE_PENDING && p->route != RELAY_GET_REVEAL && p->route != RELAY_KEYS)
    return respond_error (403, "pending",
                          _("This laptop is not admitted to the team yet; the team leader must confirm it first"));
  return NULL;
}

/* Fixed windows of a minute, per source and for the whole relay; the table
 * of sources is bounded (a flood of sources is refused as a whole). */
static gboolean
rate_allows (VpRelayRoutes *self,
             VpHttpRequest *request)
{
  g_autofree char *source = vp_http_request_source (request);
  gint64 window = g_get_monotonic_time () / G_USEC_PER_SEC / RATE_WINDOW;
  RateEntry *entry;

  if (self->global.window != window)
    {
      self->global = (RateEntry) { window, 0 };
      g_hash_table_remove_all (self->sources);
    }
  if (self->global.count >= self->limits.invite_rate * GLOBAL_RATE_FACTOR)
    return FALSE;
  entry = g_hash_table_lookup (self->sources, source);
  if (entry == NULL)
    {
      if (g_hash_table_size (self->sources) >= MAX_SOURCES)
        return FALSE;
      entry = g_new0 (RateEntry, 1);
      g_hash_table_insert (self->sources, g_steal_pointer (&source), entry);
    }
  if (entry->count >= self->limits.invite_rate)
    return FALSE;
  entry->count++;
  self->global.count++;
  return TRUE;
}

static VpHttpResponse *
respond_rate_limited (void)
{
  VpHttpResponse *response = respond_error (429, "rate-limited",
                                            _("Too many invite codes were tried from here; wait a minute and try again"));
  g_autofree char *wait = g_strdup_printf ("%d", RATE_WINDOW);

  vp_http_response_add_header (response, "Retry-After", wait);
  return response;
}

static VpHttpResponse *
respond_too_large (gsize limit)
{
  g_autofree char *reason = g_strdup_printf (_("The body is larger than the limit of %lu bytes"),
                                             (unsigned long) limit);
  VpHttpResponse *response = respond_error (413, "too-large", reason);

  vp_http_response_add_header (response, "Connection", "close");
  return response;
}

/* What can be answered from the headers alone. */
static VpHttpResponse *
check_request (VpRelayRoutes   *self,
               VpHttpRequest   *request,
               const RelayPath *p,
               VpRelayCaller   *caller)
{
  VpHttpResponse *response;

  if (p->route == RELAY_NOT_FOUND)
    return respond_error (404, "not-found", _("There is nothing at this address"));
  if (!method_allowed (request, p))
    {
      g_autofree char *reason = g_strdup_printf (_("Only %s is allowed here"), p->method);

      response = respond_error (405, "invalid", reason);
      vp_http_response_add_header (response, "Allow", p->method);
      return response;
    }
  if (!p->valid)
    return respond_invalid (_("The address holds an id, invite code or number that is not well formed"));
  if (takes_token (p->route))
    return authenticate (self, request, p, caller);
  return NULL;
}

/**
 * vp_relay_routes_early:
 *
 * Called once a relay request's headers are in. Returns the answer when
 * the request is refused before its body, else NULL with *body_limit set.
 */
VpHttpResponse *
vp_relay_routes_early (VpRelayRoutes *self,
                       VpHttpRequest *request,
                       gsize         *body_limit)
{
  RelayPath p = parse_path (request);
  VpRelayCaller caller;
  VpHttpResponse *response;
  const char *length = vp_http_request_header (request, "Content-Length");
  guint64 declared = 0;

  g_return_val_if_fail (VP_IS_RELAY_ROUTES (self), NULL);

  *body_limit = 0;
  if ((response = check_request (self, request, &p, &caller)) != NULL)
    return response;
  if ((p.route == RELAY_GET_INVITE || p.route == RELAY_JOIN) && !rate_allows (self, request))
    return respond_rate_limited ();
  *body_limit = body_limit_for (self, p.route);
  if (length != NULL && (!g_ascii_string_to_unsigned (length, 10, 0, G_MAXUINT64, &declared, NULL) ||
                         declared > *body_limit))
    return respond_too_large (*body_limit);
  return NULL;
}

/* ---- Bodies ------------------------------------------------------------------ */

static JsonObject *
read_object (VpHttpRequest   *request,
             JsonParser      *parser,
             VpHttpResponse **response)
{
  gsize len = 0;
  const char *body = vp_http_request_body (request, &len);
  JsonNode *root;

  if (!g_utf8_validate (body, (gssize) len, NULL) ||
      !json_parser_load_from_data (parser, body, (gssize) len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *response = respond_invalid (_("The body is not a JSON object"));
      return NULL;
    }
  return json_node_get_object (root);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A hexadecimal string of exactly len bytes. */
static gboolean
member_hex (JsonObject *object,
            const char *name,
            guint8     *out,
            gsize       len)
{
  const char *text = member_string (object, name);

  if (text == NULL || strlen (text) != 2 * len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]), lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0 || g_ascii_isupper (text[2 * i]) || g_ascii_isupper (text[2 * i + 1]))
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/* A non-negative JSON integer up to max. */
static gboolean
member_number (JsonObject *object,
               const char *name,
               guint64     max,
               guint64    *value)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 n;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  n = json_node_get_int (node);
  if (n < 0 || (guint64) n > max)
    return FALSE;
  *value = (guint64) n;
  return TRUE;
}

static void
add_hex (JsonBuilder  *builder,
         const char   *name,
         const guint8 *data,
         gsize         len)
{
  g_autofree char *hex = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", data[i]);
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, hex);
}

static void
add_uid (JsonBuilder *builder,
         const char  *name,
         const VpUid *uid)
{
  add_hex (builder, name, uid->bytes, VP_UID_LEN);
}

static VpHttpResponse *
respond_built (guint        status,
               JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return respond_json (status, root);
}

/* {"token": ...}; the body is never logged, and its copy here is wiped. */
static VpHttpResponse *
respond_token (char *token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  VpHttpResponse *response;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  response = respond_built (201, builder);
  wipe_free (token);
  return response;
}

/* ---- Handlers ---------------------------------------------------------------- */

static VpHttpResponse *
handle_create (VpRelayRoutes *self,
               VpHttpRequest *request)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  VpHttpResponse *response = NULL;
  JsonObject *body = read_object (request, parser, &response);
  const char *report_team;
  VpUid team, device;
  char *token = NULL;

  if (body == NULL)
    return response;
  report_team = member_string (body, "report_team");
  if (report_team == NULL || strlen (report_team) > 64 ||
      !member_hex (body, "team", team.bytes, VP_UID_LEN) || !member_hex (body, "device", device.bytes, VP_UID_LEN) ||
      vp_uid_is_nil (&team) || vp_uid_is_nil (&device))
    return respond_invalid (_("A new team needs report_team, team and device"));
  if ((response = self->authorise (request, report_team, self->authorise_data)) != NULL)
    return response;
  if (!vp_relay_store_create_team (self->store, &team, report_team, &device, &token, &error))
    return respond_store_error (error);
  return respond_token (token);
}

static VpHttpResponse *
handle_get_invite (VpRelayRoutes   *self,
                   const RelayPath *p)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  guint8 commitment[VP_ENROL_COMMITMENT_LEN];
  VpUid team;

  if (!vp_relay_store_get_invite (self->store, p->code, &team, commitment, &error))
    return respond_store_error (error);
  json_builder_begin_object (builder);
  add_uid (builder, "team", &team);
  add_hex (builder, "commitment", commitment, sizeof commitment);
  return respond_built (200, builder);
}

static gboolean
read_share (JsonObject *body,
            guint8     *share)
{
  return body != NULL && member_hex (body, "public_key", share, VP_X25519_KEY_LEN) &&
         member_hex (body, "nonce", share + VP_X25519_KEY_LEN, VP_ENROL_NONCE_LEN);
}

static VpHttpResponse *
handle_join (VpRelayRoutes   *self,
             VpHttpRequest   *request,
             const RelayPath *p)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  VpHttpResponse *response = NULL;
  JsonObject *body = read_object (request, parser, &response);
  guint8 share[VP_RELAY_SHARE_LEN];
  VpUid device;
  char *token = NULL;

  if (body == NULL)
    return response;
  if (!member_hex (body, "device", device.bytes, VP_UID_LEN) || vp_uid_is_nil (&device) || !read_share (body, share))
    return respond_invalid (_("Joining needs device, public_key and nonce"));
  if (!vp_relay_store_join (self->store, p->code, &device, share, &token, &error))
    return respond_store_error (error);
  return respond_token (token);
}

static VpHttpResponse *
respond_share (gboolean      present,
               const VpUid  *device,
               const guint8 *share)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "present");
  json_builder_add_boolean_value (builder, present);
  if (present && device != NULL)
    add_uid (builder, "device", device);
  if (present)
    {
      add_hex (builder, "public_key", share, VP_X25519_KEY_LEN);
      add_hex (builder, "nonce", share + VP_X25519_KEY_LEN, VP_ENROL_NONCE_LEN);
    }
  return respond_built (200, builder);
}

static VpHttpResponse *
handle_enrolment (VpRelayRoutes       *self,
                  VpHttpRequest       *request,
                  const RelayPath     *p,
                  const VpRelayCaller *caller)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  guint8 share[VP_RELAY_SHARE_LEN] = { 0 };
  gboolean present = FALSE;
  VpUid device;
  gsize len = 0;
  const char *body;
  VpHttpResponse *response = NULL;

  switch (p->route)
    {
    case RELAY_PUT_INVITE:
      body = vp_http_request_body (request, &len);
      if (len != VP_ENROL_COMMITMENT_LEN)
        return respond_invalid (_("A commitment is 32 bytes"));
      if (!vp_relay_store_put_invite (self->store, caller, p->code, (const guint8 *) body, &error))
        return respond_store_error (error);
      return respond_status (201, "stored");
    case RELAY_GET_JOINER:
      if (!vp_relay_store_get_joiner (self->store, caller, p->code, &present, &device, share, &error))
        return respond_store_error (error);
      return respond_share (present, &device, share);
    case RELAY_REVEAL:
      if (!read_share (read_object (request, parser, &response), share))
        {
          g_clear_pointer (&response, vp_http_response_free);
          return respond_invalid (_("A share needs public_key and nonce"));
        }
      if (!vp_relay_store_reveal (self->store, caller, p->code, share, &error))
        return respond_store_error (error);
      return respond_status (201, "stored");
    case RELAY_GET_REVEAL:
    default:
      if (!vp_relay_store_get_reveal (self->store, caller, p->code, &present, share, &error))
        return respond_store_error (error);
      return respond_share (present, NULL, share);
    }
}

static VpHttpResponse *
handle_keys (VpRelayRoutes       *self,
             VpHttpRequest       *request,
             const RelayPath     *p,
             const VpRelayCaller *caller)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) keys = NULL;
  gsize len = 0;
  const char *body;

  if (p->route == RELAY_KEYS)
    {
      keys = vp_relay_store_get_keys (self->store, caller, &error);
      return keys != NULL ? respond_bytes (keys) : respond_store_error (error);
    }
  body = vp_http_request_body (request, &len);
  if (len != VP_WRAPPED_KEY_LEN)
    return respond_invalid (_("A wrapped team key does not have this length"));
  if (!vp_relay_store_put_key (self->store, caller, &p->device, p->epoch, (const guint8 *) body, len, &error))
    return respond_store_error (error);
  return respond_status (201, "stored");
}

static VpHttpResponse *
respond_cursor (guint   status,
                guint64 cursor)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cursor");
  json_builder_add_int_value (builder, (gint64) cursor);
  return respond_built (status, builder);
}

static VpHttpResponse *
handle_push (VpRelayRoutes       *self,
             VpHttpRequest       *request,
             const VpRelayCaller *caller)
{
  const char *snapshot_text = vp_http_request_query (request, "snapshot");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = NULL;
  guint64 snapshot = 0, cursor = 0;
  gboolean already = FALSE;
  gsize len = 0;
  const char *body = vp_http_request_body (request, &len);

  if (snapshot_text != NULL && (!parse_number (snapshot_text, G_MAXUINT32, &snapshot) || snapshot == 0))
    return respond_invalid (_("A snapshot number is a whole number from 1"));
  if (!vp_blob_size_is_bucket (len))
    return respond_invalid (_("This is not a sealed blob: its size is not a bucket’s"));
  blob = g_bytes_new_static (body, len);
  if (!vp_relay_store_push (self->store, caller, blob, (guint32) snapshot, &cursor, &already, &error))
    return respond_store_error (error);
  return respond_cursor (already ? 200 : 201, cursor);
}

static VpHttpResponse *
handle_pull (VpRelayRoutes       *self,
             VpHttpRequest       *request,
             const VpRelayCaller *caller)
{
  const char *after_text = vp_http_request_query (request, "after");
  const char *limit_text = vp_http_request_query (request, "limit");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frames = NULL;
  guint64 after = 0, limit = self->limits.pull_limit, next = 0;
  gboolean more = FALSE;
  g_autofree char *next_text = NULL;
  VpHttpResponse *response;

  if (after_text != NULL && !parse_number (after_text, G_MAXINT64, &after))
    return respond_invalid (_("after must be a cursor: a whole number from 0"));
  if (limit_text != NULL && (!parse_number (limit_text, G_MAXUINT32, &limit) || limit == 0))
    return respond_invalid (_("limit must be a number of bytes from 1"));
  frames = vp_relay_store_pull (self->store, caller, after, MIN (limit, self->limits.pull_limit),
                                &next, &more, &error);
  if (frames == NULL)
    return respond_store_error (error);
  response = respond_bytes (frames);
  next_text = g_strdup_printf ("%" G_GUINT64_FORMAT, next);
  vp_http_response_add_header (response, "Vindplaats-Relay-Next", next_text);
  vp_http_response_add_header (response, "Vindplaats-Relay-More", more ? "1" : "0");
  return response;
}

static VpHttpResponse *
handle_ack_compact (VpRelayRoutes       *self,
                    VpHttpRequest       *request,
                    const RelayPath     *p,
                    const VpRelayCaller *caller)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  VpHttpResponse *response = NULL;
  JsonObject *body = read_object (request, parser, &response);
  guint64 cursor = 0, snapshot = 0;

  if (body == NULL)
    return response;
  if (p->route == RELAY_ACK)
    {
      if (!member_number (body, "cursor", G_MAXINT64, &cursor))
        return respond_invalid (_("An acknowledgement needs cursor, a whole number from 0"));
      if (!vp_relay_store_ack (self->store, caller, cursor, &error))
        return respond_store_error (error);
      return respond_status (200, "stored");
    }
  if (!member_number (body, "snapshot", G_MAXUINT32, &snapshot) || snapshot == 0 ||
      !member_number (body, "covers", G_MAXINT64, &cursor))
    return respond_invalid (_("Compaction needs snapshot (from 1) and covers (a cursor)"));
  if (!vp_relay_store_compact (self->store, caller, (guint32) snapshot, cursor, &error))
    return respond_store_error (error);
  return respond_status (200, "compacted");
}

static const char *
state_text (VpRelayDeviceState state)
{
  switch (state)
    {
    case VP_RELAY_DEVICE_PENDING:
      return "pending";
    case VP_RELAY_DEVICE_ACTIVE:
      return "active";
    case VP_RELAY_DEVICE_REMOVED:
    default:
      return "removed";
    }
}

static VpHttpResponse *
handle_devices (VpRelayRoutes       *self,
                const VpRelayCaller *caller)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) devices = NULL;
  guint32 epoch = 0;
  guint64 cursor = 0;

  devices = vp_relay_store_devices (self->store, caller, &epoch, &cursor, &error);
  if (devices == NULL)
    return respond_store_error (error);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_int_value (builder, epoch);
  json_builder_set_member_name (builder, "cursor");
  json_builder_add_int_value (builder, (gint64) cursor);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < devices->len; i++)
    {
      const VpRelayDeviceInfo *info = &g_array_index (devices, VpRelayDeviceInfo, i);

      json_builder_begin_object (builder);
      add_uid (builder, "device", &info->device);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, state_text (info->state));
      json_builder_set_member_name (builder, "admin");
      json_builder_add_boolean_value (builder, info->admin);
      json_builder_set_member_name (builder, "last_seen");
      json_builder_add_int_value (builder, info->last_seen);
      json_builder_set_member_name (builder, "acked");
      json_builder_add_int_value (builder, (gint64) info->acked);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return respond_built (200, builder);
}

static VpHttpResponse *
handle_remove (VpRelayRoutes       *self,
               const RelayPath     *p,
               const VpRelayCaller *caller)
{
  g_autoptr(GError) error = NULL;

  if (!vp_relay_store_remove_device (self->store, caller, &p->device, &error))
    return respond_store_error (error);
  return respond_status (200, "removed");
}

static void
purge_now_and_then (VpRelayRoutes *self)
{
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;

  if (self->last_purge != 0 && now - self->last_purge < PURGE_INTERVAL)
    return;
  self->last_purge = now;
  if (!vp_relay_store_purge (self->store, &error))
    g_message ("%s", error->message);
}

/**
 * vp_relay_routes_handle:
 *
 * Answers a relay request whose body is in.
 */
VpHttpResponse *
vp_relay_routes_handle (VpRelayRoutes *self,
                        VpHttpRequest *request)
{
  RelayPath p = parse_path (request);
  VpRelayCaller caller;
  VpHttpResponse *response;

  g_return_val_if_fail (VP_IS_RELAY_ROUTES (self), NULL);

  purge_now_and_then (self);
  /* Checked before the body came too; once more keeps this path safe on
   * its own (a device may have been removed meanwhile). */
  if ((response = check_request (self, request, &p, &caller)) != NULL)
    return response;
  switch (p.route)
    {
    case RELAY_CREATE:
      return handle_create (self, request);
    case RELAY_GET_INVITE:
      return handle_get_invite (self, &p);
    case RELAY_JOIN:
      return handle_join (self, request, &p);
    case RELAY_PUT_INVITE:
    case RELAY_GET_JOINER:
    case RELAY_REVEAL:
    case RELAY_GET_REVEAL:
      return handle_enrolment (self, request, &p, &caller);
    case RELAY_PUT_KEY:
    case RELAY_KEYS:
      return handle_keys (self, request, &p, &caller);
    case RELAY_REMOVE:
      return handle_remove (self, &p, &caller);
    case RELAY_PUSH:
      return handle_push (self, request, &caller);
    case RELAY_PULL:
      return handle_pull (self, request, &caller);
    case RELAY_ACK:
    case RELAY_COMPACT:
      return handle_ack_compact (self, request, &p, &caller);
    case RELAY_DEVICES:
      return handle_devices (self, &caller);
    case RELAY_NOT_FOUND:
    default:
      return respond_error (404, "not-found", _("There is nothing at this address"));
    }
}

static void
vp_relay_routes_dispose (GObject *object)
{
  VpRelayRoutes *self = VP_RELAY_ROUTES (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->sources, g_hash_table_unref);

  G_OBJECT_CLASS (vp_relay_routes_parent_class)->dispose (object);
}

static void
vp_relay_routes_class_init (VpRelayRoutesClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vp_relay_routes_dispose;
}

static void
vp_relay_routes_init (VpRelayRoutes *self)
{
  self->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * vp_relay_routes_new:
 * @store: the relay's storage
 * @limits: blob size, rate of invitation look-ups, pull size
 * @authorise: decides who may create a team for a report team
 * @user_data: for @authorise
 *
 * Returns: (transfer full): the routes
 */
VpRelayRoutes *
vp_relay_routes_new (VpRelayStore              *store,
                     const VpRelayRouteLimits  *limits,
                     VpRelayAuthoriseFunc       authorise,
                     gpointer                   user_data)
{
  VpRelayRoutes *self;

  g_return_val_if_fail (VP_IS_RELAY_STORE (store), NULL);
  g_return_val_if_fail (limits != NULL && limits->max_blob <= VP_BLOB_MAX_SIZE, NULL);
  g_return_val_if_fail (authorise != NULL, NULL);

  self = g_object_new (VP_TYPE_RELAY_ROUTES, NULL);
  self->store = g_object_ref (store);
  self->limits = *limits;
  self->authorise = authorise;
  self->authorise_data = user_data;
  return self;
}
