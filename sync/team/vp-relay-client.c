/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-relay"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vp-https.h"
#include "vp-relay-client.h"

/* One request per call, as vp-uploader.c sends reports: certificate and
 * host name verification stay on, a CA file or pinned key only narrow
 * trust, the client certificate goes to libcurl from memory. What an
 * answer means is decided from its "kind" (the relay's word for programs)
 * and, from other servers, its status. A request that left whole and got
 * no answer is UNCONFIRMED when it changes something: it may have taken
 * effect (a push is then sent again: the relay answers a repeat with its
 * cursor). Answers are bounded: JSON to 64 KiB, a pull to what the relay
 * may send (8 MiB, or one blob of up to 64 MiB, and its framing). */

#define MAX_JSON_ANSWER (64 * 1024)
#define MAX_PULL_ANSWER (VP_BLOB_MAX_SIZE + 8 * 1024 * 1024 + 4096)
#define FRAME_HEADER_LEN 12

G_DEFINE_QUARK (vp-relay-error-quark, vp_relay_error)

void
vp_relay_blob_free (VpRelayBlob *blob)
{
  if (blob == NULL)
    return;
  g_clear_pointer (&blob->blob, g_bytes_unref);
  g_free (blob);
}

typedef enum {
  AUTH_NONE,
  AUTH_DEVICE,
  AUTH_REPORT,
} Auth;

typedef struct {
  const char   *method;
  char         *path;
  Auth          auth;
  const guint8 *body;
  gsize         body_len;
  const char   *content_type;
  gsize         max_answer;
} Request;

typedef struct {
  long        status;
  GByteArray *body;
  gsize       max;
  gboolean    overflow;
  guint64     next;
  gboolean    more;
} Answer;

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Upload;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->body, g_byte_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static size_t
read_body (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *user_data)
{
  Upload *up = user_data;
  size_t n = MIN (size * nitems, up->len - up->pos);

  memcpy (buffer, up->data + up->pos, n);
  up->pos += n;
  return n;
}

static size_t
write_answer (char   *ptr,
              size_t  size,
              size_t  nmemb,
              void   *user_data)
{
  Answer *answer = user_data;
  size_t n = size * nmemb;

  /* A relay that sends more than it may is cut off. */
  if (answer->body->len + n > answer->max)
    {
      answer->overflow = TRUE;
      return 0;
    }
  g_byte_array_append (answer->body, (const guint8 *) ptr, (guint) n);
  return n;
}

static size_t
read_header (char   *line,
             size_t  size,
             size_t  nitems,
             void   *user_data)
{
  Answer *answer = user_data;
  size_t n = size * nitems;
  g_autofree char *text = g_strndup (line, n);
  char *value = strchr (text, ':');

  if (value == NULL)
    return n;
  *value++ = '\0';
  g_strstrip (value);
  if (g_ascii_strcasecmp (text, "Vindplaats-Relay-Next") == 0)
    answer->next = g_ascii_strtoull (value, NULL, 10);
  else if (g_ascii_strcasecmp (text, "Vindplaats-Relay-More") == 0)
    answer->more = g_str_equal (value, "1");
  return n;
}

static gboolean
is_identity_failure (CURLcode code)
{
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
         code == CURLE_SSL_ISSUER_ERROR || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM;
}

/* No answer came. Identity failures need the team leader; a request that
 * changes something and left whole may have taken effect. */
static gboolean
transport_error (const Request  *request,
                 CURLcode        code,
                 gboolean        sent,
                 GError        **error)
{
  gboolean changes = !g_str_equal (request->method, "GET");

  if (is_identity_failure (code))
    g_set_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_IDENTITY,
                 _("The relay’s identity could not be verified (%s). Check the endpoint’s address, CA file and pinned key in the settings, or ask the municipality’s IT department"),
                 curl_easy_strerror (code));
  else if (changes && sent)
    g_set_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_UNCONFIRMED,
                 _("The request reached the relay, but no answer came back (%s); try again later"),
                 curl_easy_strerror (code));
  else
    g_set_error (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NETWORK,
                 _("The relay could not be reached (%s); try again later"), curl_easy_strerror (code));
  return FALSE;
}

static VpRelayError
code_from_status (long status)
{
  switch (status)
    {
    case 401:
    case 403:
      return VP_RELAY_ERROR_REFUSED;
    case 404:
      return VP_RELAY_ERROR_NOT_FOUND;
    case 409:
      return VP_RELAY_ERROR_CONFLICT;
    case 410:
      return VP_RELAY_ERROR_REMOVED;
    case 408:
    case 429:
    case 503:
      return VP_RELAY_ERROR_NETWORK;
    case 502:
    case 504:
      return VP_RELAY_ERROR_UNCONFIRMED;
    case 507:
      return VP_RELAY_ERROR_QUOTA;
    default:
      return status >= 500 ? VP_RELAY_ERROR_SERVER : VP_RELAY_ERROR_INVALID;
    }
}

static VpRelayError
code_from_kind (const char *kind,
                long        status)
{
  static const struct {
    const char   *kind;
    VpRelayError  code;
  } map[] = {
    { "removed", VP_RELAY_ERROR_REMOVED },
    { "expired", VP_RELAY_ERROR_EXPIRED },
    { "pending", VP_RELAY_ERROR_PENDING },
    { "old-epoch", VP_RELAY_ERROR_OLD_EPOCH },
    { "quota", VP_RELAY_ERROR_QUOTA },
    { "conflict", VP_RELAY_ERROR_CONFLICT },
    { "not-found", VP_RELAY_ERROR_NOT_FOUND },
    { "invalid", VP_RELAY_ERROR_INVALID },
    { "too-large", VP_RELAY_ERROR_INVALID },
    { "refused", VP_RELAY_ERROR_REFUSED },
    { "forbidden", VP_RELAY_ERROR_REFUSED },
    { "rate-limited", VP_RELAY_ERROR_NETWORK },
    { "server", VP_RELAY_ERROR_SERVER },
  };

  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (kind, map[i].kind))
      return map[i].code;
  return code_from_status (status);
}

/* What to do, per kind of refusal; the relay's own reason follows. */
static const char *
advice (VpRelayError code)
{
  switch (code)
    {
    case VP_RELAY_ERROR_NETWORK:
      return _("The relay is busy; try again later");
    case VP_RELAY_ERROR_UNCONFIRMED:
      return _("The relay’s answer was lost on the way; try again later");
    case VP_RELAY_ERROR_REFUSED:
      return _("The relay refused this laptop’s credential; ask the team leader to check the team sync settings");
    case VP_RELAY_ERROR_REMOVED:
      return _("This laptop was removed from the team; ask the team leader to invite it again");
    case VP_RELAY_ERROR_NOT_FOUND:
      return _("The relay does not have this; check the invite code or ask the team leader");
    case VP_RELAY_ERROR_CONFLICT:
      return _("The relay holds something else already");
    case VP_RELAY_ERROR_EXPIRED:
      return _("The invitation has expired; ask the team leader for a new code");
    case VP_RELAY_ERROR_QUOTA:
      return _("The team is full on the relay; ask the municipality’s IT department for more room");
    case VP_RELAY_ERROR_PENDING:
      return _("This laptop is waiting for the team leader to confirm it");
    case VP_RELAY_ERROR_OLD_EPOCH:
      return _("The team key has changed; this laptop must seal its changes again with the new key");
    case VP_RELAY_ERROR_INVALID:
      return _("The relay could not accept the request; update Vindplaats or tell the team leader");
    case VP_RELAY_ERROR_SERVER:
    case VP_RELAY_ERROR_IDENTITY:
    default:
      return _("The relay failed; try again later, and tell the municipality’s IT department if it lasts");
    }
}

/* An answer other than 2xx, as an error. */
static gboolean
answer_error (const Answer  *answer,
              GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  const char *kind = NULL, *reason = NULL;
  JsonNode *root;
  VpRelayError code;

  if (answer->body->len < MAX_JSON_ANSWER &&
      json_parser_load_from_data (parser, (const char *) answer->body->data, (gssize) answer->body->len, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      kind = json_object_get_string_member_with_default (object, "kind", NULL);
      reason = json_object_get_string_member_with_default (object, "error", NULL);
    }
  code = code_from_kind (kind, answer->status);
  if (reason != NULL && g_utf8_validate (reason, -1, NULL))
    g_set_error (error, VP_RELAY_ERROR, code, _("%s (the relay answered %ld: %s)"), advice (code),
                 answer->status, reason);
  else
    g_set_error (error, VP_RELAY_ERROR, code, _("%s (the relay answered %ld)"), advice (code), answer->status);
  return FALSE;
}

static void
wipe_free (char *text)
{
  if (text != NULL)
    OPENSSL_cleanse (text, strlen (text));
  g_free (text);
}

static struct curl_slist *
request_headers (const VpRelayConfig *config,
                 const Request       *request)
{
  const char *token = request->auth == AUTH_DEVICE ? config->device_token
                      : request->auth == AUTH_REPORT ? config->report_token : NULL;
  struct curl_slist *headers = NULL;

  if (token != NULL && *token != '\0')
    {
      char *auth = g_strdup_printf ("Authorization: Bearer %s", token);

      headers = curl_slist_append (headers, auth);
      wipe_free (auth);
    }
  if (request->content_type != NULL)
    {
      g_autofree char *type = g_strdup_printf ("Content-Type: %s", request->content_type);

      headers = curl_slist_append (headers, type);
    }
  return curl_slist_append (headers, "Expect:");
}

static void
setup (CURL                *curl,
       const VpRelayConfig *config,
       const Request       *request,
       const char          *url,
       Upload              *up,
       Answer              *answer)
{
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, request->method);
  if (request->body != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_body);
      curl_easy_setopt (curl, CURLOPT_READDATA, up);
      curl_easy_setopt (curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) up->len);
    }
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_answer);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, answer);
}

/* Sends one request; TRUE with answer filled in when a 2xx answer came,
 * else the error. */
static gboolean
perform (const VpRelayConfig  *config,
         const Request        *request,
         Answer               *answer,
         GError              **error)
{
  g_autofree char *base = g_strdup (config->endpoint != NULL ? config->endpoint : "");
  g_autofree char *url = NULL;
  struct curl_slist *headers;
  struct curl_blob cert_blob, key_blob;
  Upload up = { request->body, request->body_len, 0 };
  long head_size = 0;
  gboolean sent;
  CURL *curl;
  CURLcode code;

  *answer = (Answer) { 0, g_byte_array_new (), request->max_answer, FALSE, 0, FALSE };
  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_set_error_literal (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NETWORK, _("The network library could not start"));
      return FALSE;
    }
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  url = g_strconcat (base, request->path, NULL);
  headers = request_headers (config, request);
  setup (curl, config, request, url, &up, answer);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  {
    const VpHttpsTrust trust = { config->ca_file, config->pinned_key, config->client_cert, config->client_key,
                                 config->timeout };

    vp_https_setup (curl, &trust, &cert_blob, &key_blob);
  }

  code = curl_easy_perform (curl);
  if (code == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &answer->status);
  /* Whether the whole request left: its head, and all of its body. */
  curl_easy_getinfo (curl, CURLINFO_REQUEST_SIZE, &head_size);
  sent = head_size > 0 && up.pos == up.len;
  /* libcurl copied the header lines; these copies hold the token. */
  for (struct curl_slist *h = headers; h != NULL; h = h->next)
    if (g_str_has_prefix (h->data, "Authorization:"))
      OPENSSL_cleanse (h->data, strlen (h->data));
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);

  if (answer->overflow)
    {
      g_set_error_literal (error, VP_RELAY_ERROR, VP_RELAY_ERROR_SERVER,
                           _("The relay sent a longer answer than it may; try again later"));
      return FALSE;
    }
  if (code != CURLE_OK)
    return transport_error (request, code, sent, error);
  if (answer->status < 200 || answer->status > 299)
    return answer_error (answer, error);
  return TRUE;
}

static gboolean
malformed (GError **error)
{
  g_set_error_literal (error, VP_RELAY_ERROR, VP_RELAY_ERROR_SERVER,
                       _("The relay’s answer is malformed; try again later, and tell the municipality’s IT department if it lasts"));
  return FALSE;
}

/* The JSON object of a 2xx answer. */
static JsonObject *
answer_object (const Answer  *answer,
               JsonParser    *parser,
               GError       **error)
{
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) answer->body->data, (gssize) answer->body->len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      malformed (error);
      return NULL;
    }
  return json_node_get_object (root);
}

static gboolean
hex_decode (const char *text,
            guint8     *out,
            gsize       len)
{
  if (text == NULL || strlen (text) != 2 * len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]), lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static char *
hex_encode (const guint8 *data,
            gsize         len)
{
  char *hex = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", data[i]);
  return hex;
}

static gboolean
member_hex (JsonObject *object,
            const char *name,
            guint8     *out,
            gsize       len)
{
  return hex_decode (json_object_get_string_member_with_default (object, name, NULL), out, len);
}

static char *
uid_text (const VpUid *uid)
{
  char *text = g_malloc (VP_UID_STRING_LEN + 1);

  vp_uid_to_string (uid, text);
  return text;
}

/* /v1/relay/teams/{team} and what the format adds. */
static char *
team_path (const VpUid *team,
           const char  *format,
           ...)
{
  g_autofree char *t = uid_text (team);
  g_autofree char *rest = NULL;
  va_list args;

  va_start (args, format);
  rest = g_strdup_vprintf (format, args);
  va_end (args);
  return g_strconcat ("/v1/relay/teams/", t, rest, NULL);
}

/* A code as the relay takes it: canonical, so that it is one address. */
static char *
canonical_code (const char  *code,
                GError     **error)
{
  g_autoptr(GError) local = NULL;
  char *canonical = vp_invite_code_normalize (code, &local);

  if (canonical == NULL)
    g_set_error_literal (error, VP_RELAY_ERROR, VP_RELAY_ERROR_INVALID, local->message);
  return canonical;
}

/* A JSON request that answers JSON; the object, or NULL. */
static JsonObject *
json_call (const VpRelayConfig  *config,
           const char           *method,
           char                 *path,
           Auth                  auth,
           JsonBuilder          *body,
           JsonParser           *parser,
           GError              **error)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *owned_path = path;
  gsize len = 0;
  Request request = { method, owned_path, auth, NULL, 0, NULL, MAX_JSON_ANSWER };

  if (body != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = json_builder_get_root (body);

      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, &len);
      request.body = (const guint8 *) text;
      request.body_len = len;
      request.content_type = "application/json";
    }
  if (!perform (config, &request, &answer, error))
    return NULL;
  return answer_object (&answer, parser, error);
}

static gboolean
bytes_call (const VpRelayConfig  *config,
            const char           *method,
            char                 *path,
            GBytes               *body,
            GError              **error)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *owned_path = path;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (body, &len);
  Request request = { method, owned_path, AUTH_DEVICE, data != NULL ? data : (const guint8 *) "", len,
                      "application/octet-stream", MAX_JSON_ANSWER };

  return perform (config, &request, &answer, error);
}

/* The token of a 201 answer; the caller keeps it secret. */
static gboolean
take_token (JsonObject  *object,
            char       **token,
            GError     **error)
{
  const char *text = object != NULL ? json_object_get_string_member_with_default (object, "token", NULL) : NULL;

  if (object == NULL)
    return FALSE;
  if (text == NULL || *text == '\0' || strlen (text) > 256)
    return malformed (error);
  *token = g_strdup (text);
  return TRUE;
}

static void
add_hex (JsonBuilder  *builder,
         const char   *name,
         const guint8 *data,
         gsize         len)
{
  g_autofree char *hex = hex_encode (data, len);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, hex);
}

gboolean
vp_relay_create_team (const VpRelayConfig  *config,
                      const char           *report_team,
                      const VpUid          *team,
                      const VpUid          *device,
                      char                **token,
                      GError              **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  g_return_val_if_fail (config != NULL && report_team != NULL && team != NULL && device != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "report_team");
  json_builder_add_string_value (builder, report_team);
  add_hex (builder, "team", team->bytes, VP_UID_LEN);
  add_hex (builder, "device", device->bytes, VP_UID_LEN);
  json_builder_end_object (builder);
  return take_token (json_call (config, "POST", g_strdup ("/v1/relay/teams"), AUTH_REPORT, builder, parser, error),
                     token, error);
}

gboolean
vp_relay_put_invite (const VpRelayConfig  *config,
                     const VpUid          *team,
                     const char           *code,
                     const guint8          commitment[VP_ENROL_COMMITMENT_LEN],
                     GError              **error)
{
  g_autofree char *canonical = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (config != NULL && team != NULL && commitment != NULL, FALSE);

  if ((canonical = canonical_code (code, error)) == NULL)
    return FALSE;
  body = g_bytes_new (commitment, VP_ENROL_COMMITMENT_LEN);
  return bytes_call (config, "PUT", team_path (team, "/invites/%s", canonical), body, error);
}

gboolean
vp_relay_get_invite (const VpRelayConfig  *config,
                     const char           *code,
                     VpUid                *team,
                     guint8                commitment[VP_ENROL_COMMITMENT_LEN],
                     GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *canonical = NULL;
  JsonObject *object;

  g_return_val_if_fail (config != NULL && team != NULL && commitment != NULL, FALSE);

  if ((canonical = canonical_code (code, error)) == NULL)
    return FALSE;
  object = json_call (config, "GET", g_strconcat ("/v1/relay/invites/", canonical, NULL), AUTH_NONE, NULL,
                      parser, error);
  if (object == NULL)
    return FALSE;
  if (!member_hex (object, "team", team->bytes, VP_UID_LEN) ||
      !member_hex (object, "commitment", commitment, VP_ENROL_COMMITMENT_LEN))
    return malformed (error);
  return TRUE;
}

static void
add_share (JsonBuilder        *builder,
           const VpEnrolShare *share)
{
  add_hex (builder, "public_key", share->public_key, VP_X25519_KEY_LEN);
  add_hex (builder, "nonce", share->nonce, VP_ENROL_NONCE_LEN);
}

gboolean
vp_relay_join (const VpRelayConfig  *config,
               const char           *code,
               const VpUid          *device,
               const VpEnrolShare   *share,
               char                **token,
               GError              **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (config != NULL && device != NULL && share != NULL && token != NULL, FALSE);

  if ((canonical = canonical_code (code, error)) == NULL)
    return FALSE;
  json_builder_begin_object (builder);
  add_hex (builder, "device", device->bytes, VP_UID_LEN);
  add_share (builder, share);
  json_builder_end_object (builder);
  return take_token (json_call (config, "POST", g_strconcat ("/v1/relay/invites/", canonical, "/join", NULL),
                                AUTH_NONE, builder, parser, error), token, error);
}

/* {"present": false} or {"present": true, ["device",] "public_key", "nonce"}. */
static gboolean
read_share (JsonObject    *object,
            gboolean      *present,
            VpUid         *device,
            VpEnrolShare  *share,
            GError       **error)
{
  JsonNode *node;

  if (object == NULL)
    return FALSE;
  node = json_object_get_member (object, "present");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return malformed (error);
  *present = json_node_get_boolean (node);
  if (!*present)
    return TRUE;
  if ((device != NULL && !member_hex (object, "device", device->bytes, VP_UID_LEN)) ||
      !member_hex (object, "public_key", share->public_key, VP_X25519_KEY_LEN) ||
      !member_hex (object, "nonce", share->nonce, VP_ENROL_NONCE_LEN))
    return malformed (error);
  return TRUE;
}

gboolean
vp_relay_get_joiner (const VpRelayConfig  *config,
                     const VpUid          *team,
                     const char           *code,
                     gboolean             *present,
                     VpUid                *device,
                     VpEnrolShare         *share,
                     GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (config != NULL && team != NULL && present != NULL && device != NULL && share != NULL, FALSE);

  if ((canonical = canonical_code (code, error)) == NULL)
    return FALSE;
  return read_share (json_call (config, "GET", team_path (team, "/invites/%s/joiner", canonical), AUTH_DEVICE,
                                NULL, parser, error), present, device, share, error);
}

gboolean
vp_relay_reveal (const VpRelayConfig  *config,
                 const VpUid          *team,
                 const char           *code,
                 const VpEnrolShare   *inviter,
                 GError              **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (config != NULL && team != NULL && inviter != NULL, FALSE);

  if ((canonical = canonical_code (code, error)) == NULL)
    return FALSE;
  json_builder_begin_object (builder);
  add_share (builder, inviter);
  json_builder_end_object (builder);
  return json_call (config, "POST", team_path (team, "/invites/%s/reveal", canonical), AUTH_DEVICE, builder,
                    parser, error) != NULL;
}

gboolean
vp_relay_get_reveal (const VpRelayConfig  *config,
                     const char           *code,
                     gboolean             *present,
                     VpEnrolShare         *inviter,
                     GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (config != NULL && present != NULL && inviter != NULL, FALSE);

  if ((canonical = canonical_code (code, error)) == NULL)
    return FALSE;
  return read_share (json_call (config, "GET", g_strconcat ("/v1/relay/invites/", canonical, "/reveal", NULL),
                                AUTH_DEVICE, NULL, parser, error), present, NULL, inviter, error);
}

gboolean
vp_relay_put_key (const VpRelayConfig  *config,
                  const VpUid          *team,
                  const VpUid          *device,
                  guint32               epoch,
                  GBytes               *wrapped,
                  GError              **error)
{
  g_autofree char *d = NULL;

  g_return_val_if_fail (config != NULL && team != NULL && device != NULL && wrapped != NULL, FALSE);

  d = uid_text (device);
  return bytes_call (config, "PUT", team_path (team, "/devices/%s/keys/%u", d, epoch), wrapped, error);
}

/* A GET that answers bytes. */
static gboolean
fetch_bytes (const VpRelayConfig  *config,
             char                 *path,
             gsize                 max,
             Answer               *answer,
             GError              **error)
{
  g_autofree char *owned_path = path;
  Request request = { "GET", owned_path, AUTH_DEVICE, NULL, 0, NULL, max };

  return perform (config, &request, answer, error);
}

GPtrArray *
vp_relay_get_keys (const VpRelayConfig  *config,
                   const VpUid          *team,
                   GError              **error)
{
  g_auto(Answer) answer = { 0 };
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_return_val_if_fail (config != NULL && team != NULL, NULL);

  if (!fetch_bytes (config, team_path (team, "/keys"), MAX_JSON_ANSWER, &answer, error))
    return NULL;
  if (answer.body->len % VP_WRAPPED_KEY_LEN != 0)
    {
      malformed (error);
      return NULL;
    }
  for (guint i = 0; i < answer.body->len; i += VP_WRAPPED_KEY_LEN)
    g_ptr_array_add (keys, g_bytes_new (answer.body->data + i, VP_WRAPPED_KEY_LEN));
  return g_steal_pointer (&keys);
}

gboolean
vp_relay_remove_device (const VpRelayConfig  *config,
                        const VpUid          *team,
                        const VpUid          *device,
                        GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *d = NULL;

  g_return_val_if_fail (config != NULL && team != NULL && device != NULL, FALSE);

  d = uid_text (device);
  return json_call (config, "DELETE", team_path (team, "/devices/%s", d), AUTH_DEVICE, NULL, parser, error) != NULL;
}

gboolean
vp_relay_push (const VpRelayConfig  *config,
               const VpUid          *team,
               GBytes               *blob,
               guint32               snapshot,
               guint64              *cursor,
               GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_auto(Answer) answer = { 0 };
  g_autofree char *path = NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (blob, &len);
  JsonObject *object;
  JsonNode *node;
  Request request = { "POST", NULL, AUTH_DEVICE, data, len, "application/octet-stream", MAX_JSON_ANSWER };

  g_return_val_if_fail (config != NULL && team != NULL && blob != NULL && cursor != NULL, FALSE);

  path = snapshot != 0 ? team_path (team, "/blobs?snapshot=%u", snapshot) : team_path (team, "/blobs");
  request.path = path;
  if (!perform (config, &request, &answer, error) || (object = answer_object (&answer, parser, error)) == NULL)
    return FALSE;
  node = json_object_get_member (object, "cursor");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 1)
    return malformed (error);
  *cursor = (guint64) json_node_get_int (node);
  return TRUE;
}

static guint64
get_be (const guint8 *p,
        guint         bytes)
{
  guint64 value = 0;

  for (guint i = 0; i < bytes; i++)
    value = value << 8 | p[i];
  return value;
}

/* Frames: cursor (8 bytes), length (4), a blob of a bucket's size; the
 * cursors after after and rising. */
static GPtrArray *
read_frames (const GByteArray  *body,
             guint64            after,
             GError           **error)
{
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_relay_blob_free);
  guint64 last = after;
  gsize pos = 0;

  while (pos < body->len)
    {
      VpRelayBlob *blob;
      guint64 cursor, len;

      if (body->len - pos < FRAME_HEADER_LEN)
        break;
      cursor = get_be (body->data + pos, 8);
      len = get_be (body->data + pos + 8, 4);
      if (cursor <= last || len > body->len - pos - FRAME_HEADER_LEN || !vp_blob_size_is_bucket (len))
        break;
      blob = g_new0 (VpRelayBlob, 1);
      blob->cursor = last = cursor;
      blob->blob = g_bytes_new (body->data + pos + FRAME_HEADER_LEN, len);
      g_ptr_array_add (blobs, blob);
      pos += FRAME_HEADER_LEN + len;
    }
  if (pos != body->len)
    {
      malformed (error);
      return NULL;
    }
  return g_steal_pointer (&blobs);
}

GPtrArray *
vp_relay_pull (const VpRelayConfig  *config,
               const VpUid          *team,
               guint64               after,
               guint64              *next,
               gboolean             *more,
               GError              **error)
{
  g_auto(Answer) answer = { 0 };
  g_autoptr(GPtrArray) blobs = NULL;

  g_return_val_if_fail (config != NULL && team != NULL && next != NULL && more != NULL, NULL);

  if (!fetch_bytes (config, team_path (team, "/blobs?after=%" G_GUINT64_FORMAT, after), MAX_PULL_ANSWER,
                    &answer, error) ||
      (blobs = read_frames (answer.body, after, error)) == NULL)
    return NULL;
  /* The last cursor is the last frame's; the header only confirms it. */
  *next = blobs->len > 0 ? ((VpRelayBlob *) g_ptr_array_index (blobs, blobs->len - 1))->cursor : after;
  if (blobs->len > 0 && answer.next != *next)
    {
      malformed (error);
      return NULL;
    }
  *more = answer.more && blobs->len > 0;
  return g_steal_pointer (&blobs);
}

gboolean
vp_relay_ack (const VpRelayConfig  *config,
              const VpUid          *team,
              guint64               cursor,
              GError              **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  g_return_val_if_fail (config != NULL && team != NULL && cursor <= G_MAXINT64, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cursor");
  json_builder_add_int_value (builder, (gint64) cursor);
  json_builder_end_object (builder);
  return json_call (config, "POST", team_path (team, "/ack"), AUTH_DEVICE, builder, parser, error) != NULL;
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

static VpRelayDevice *
read_device (JsonNode *node)
{
  g_autofree VpRelayDevice *device = g_new0 (VpRelayDevice, 1);
  JsonObject *object;
  const char *state;
  JsonNode *admin;
  gint64 acked = 0;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  state = json_object_get_string_member_with_default (object, "state", "");
  admin = json_object_get_member (object, "admin");
  if (!member_hex (object, "device", device->device.bytes, VP_UID_LEN) || admin == NULL ||
      json_node_get_value_type (admin) != G_TYPE_BOOLEAN ||
      !member_int (object, "last_seen", &device->last_seen) || !member_int (object, "acked", &acked))
    return NULL;
  device->admin = json_node_get_boolean (admin);
  device->acked = (guint64) acked;
  if (g_str_equal (state, "pending"))
    device->state = VP_RELAY_MEMBER_PENDING;
  else if (g_str_equal (state, "active"))
    device->state = VP_RELAY_MEMBER_ACTIVE;
  else if (g_str_equal (state, "removed"))
    device->state = VP_RELAY_MEMBER_REMOVED;
  else
    return NULL;
  return g_steal_pointer (&device);
}

GPtrArray *
vp_relay_list_devices (const VpRelayConfig  *config,
                       const VpUid          *team,
                       guint32              *epoch,
                       guint64              *last_cursor,
                       GError              **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_free);
  JsonObject *object;
  JsonArray *list;
  JsonNode *node;
  gint64 team_epoch = 0, cursor = 0;

  g_return_val_if_fail (config != NULL && team != NULL, NULL);

  object = json_call (config, "GET", team_path (team, "/devices"), AUTH_DEVICE, NULL, parser, error);
  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, "devices");
  list = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  if (list == NULL || !member_int (object, "epoch", &team_epoch) || team_epoch > G_MAXUINT32 ||
      !member_int (object, "cursor", &cursor))
    {
      malformed (error);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      VpRelayDevice *device = read_device (json_array_get_element (list, i));

      if (device == NULL)
        {
          malformed (error);
          return NULL;
        }
      g_ptr_array_add (devices, device);
    }
  if (epoch != NULL)
    *epoch = (guint32) team_epoch;
  if (last_cursor != NULL)
    *last_cursor = (guint64) cursor;
  return g_steal_pointer (&devices);
}

gboolean
vp_relay_compact (const VpRelayConfig  *config,
                  const VpUid          *team,
                  guint32               snapshot,
                  guint64               covers,
                  GError              **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  g_return_val_if_fail (config != NULL && team != NULL && covers <= G_MAXINT64, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "snapshot");
  json_builder_add_int_value (builder, snapshot);
  json_builder_set_member_name (builder, "covers");
  json_builder_add_int_value (builder, (gint64) covers);
  json_builder_end_object (builder);
  return json_call (config, "POST", team_path (team, "/compact"), AUTH_DEVICE, builder, parser, error) != NULL;
}
