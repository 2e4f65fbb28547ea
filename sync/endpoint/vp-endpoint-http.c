/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vp-endpoint-http.h"

/* One thread (libmicrohttpd's own, polling with epoll) runs every request,
 * so the routes need no locks. TLS is GnuTLS with versions 1.2 and 1.3
 * only. A request is answered before its body is read when the routes say
 * so (a missing token, a declared length over the limit); a body that
 * grows past its limit is cut off with 413 and the connection closed. */

#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"
#define MAX_LOGGED_PATH 200
#define MAX_LOGGED_METHOD 16

G_DEFINE_QUARK (vp-http-error-quark, vp_http_error)

struct _VpHttpRequest
{
  struct MHD_Connection *connection;
  char                  *method;
  char                  *path;
  GByteArray            *body;
  gsize                  body_limit;
  guint                  status;       /* of the response queued, 0 before */
  gboolean               subject_known;
  char                  *subject;
  VpHttpClientCert       client_cert;
  gboolean               client_certs;
};

struct _VpHttpResponse
{
  guint      status;
  char      *content_type;
  char      *body;
  gsize      length;
  GPtrArray *headers;  /* name, value, name, value... */
};

struct _VpHttpServer
{
  struct MHD_Daemon *daemon;
  VpHttpEarlyFunc    early;
  VpHttpHandleFunc   handle;
  gpointer           user_data;
  gboolean           client_certs;
};

const char *
vp_http_request_method (VpHttpRequest *request)
{
  return request->method;
}

const char *
vp_http_request_path (VpHttpRequest *request)
{
  return request->path;
}

const char *
vp_http_request_query (VpHttpRequest *request,
                       const char    *name)
{
  return MHD_lookup_connection_value (request->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *
vp_http_request_header (VpHttpRequest *request,
                        const char    *name)
{
  return MHD_lookup_connection_value (request->connection, MHD_HEADER_KIND, name);
}

const char *
vp_http_request_cookie (VpHttpRequest *request,
                        const char    *name)
{
  return MHD_lookup_connection_value (request->connection, MHD_COOKIE_KIND, name);
}

/* The body, NUL-terminated; empty before the whole request is in. */
const char *
vp_http_request_body (VpHttpRequest *request,
                      gsize         *length)
{
  static const char empty[] = "";

  if (request->body == NULL || request->body->len == 0)
    {
      *length = 0;
      return empty;
    }
  *length = request->body->len;
  return (const char *) request->body->data;
}

/**
 * vp_http_request_source:
 * @request: a request
 *
 * Where a request comes from, for limits per source (#16): an IPv4
 * address, or the /64 network of an IPv6 address (one household or
 * machine usually holds a whole /64). Never logged.
 *
 * Returns: (transfer full): the source as text; "" when unknown
 */
char *
vp_http_request_source (VpHttpRequest *request)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info (request->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char text[INET6_ADDRSTRLEN] = "";

  if (info == NULL || info->client_addr == NULL)
    return g_strdup ("");
  if (info->client_addr->sa_family == AF_INET)
    {
      const struct sockaddr_in *in4 = (const struct sockaddr_in *) info->client_addr;

      inet_ntop (AF_INET, &in4->sin_addr, text, sizeof text);
    }
  else if (info->client_addr->sa_family == AF_INET6)
    {
      struct in6_addr network = ((const struct sockaddr_in6 *) info->client_addr)->sin6_addr;

      memset (network.s6_addr + 8, 0, 8);
      inet_ntop (AF_INET6, &network, text, sizeof text);
    }
  return g_strdup (text);
}

static VpHttpClientCert
client_cert_problem (unsigned int status)
{
  if (status & GNUTLS_CERT_EXPIRED)
    return VP_HTTP_CLIENT_CERT_EXPIRED;
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    return VP_HTTP_CLIENT_CERT_NOT_YET_VALID;
  if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
    return VP_HTTP_CLIENT_CERT_UNTRUSTED;
  if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
    return VP_HTTP_CLIENT_CERT_NOT_FOR_CLIENTS;
  return VP_HTTP_CLIENT_CERT_INVALID;
}

/* Verifies the client certificate once: it must chain to the configured
 * CA, be valid now and be meant for TLS clients. */
static void
verify_client (VpHttpRequest *request)
{
  const union MHD_ConnectionInfo *info;
  gnutls_session_t session;
  gnutls_typed_vdata_st purpose = { GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *) GNUTLS_KP_TLS_WWW_CLIENT, 0 };
  const gnutls_datum_t *peers;
  unsigned int n_peers = 0, status = 0;
  gnutls_x509_crt_t certificate = NULL;
  gnutls_datum_t dn = { NULL, 0 };

  request->subject_known = TRUE;
  request->client_cert = VP_HTTP_CLIENT_CERT_NONE;
  info = MHD_get_connection_info (request->connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == NULL || info->tls_session == NULL)
    return;
  session = info->tls_session;
  peers = gnutls_certificate_get_peers (session, &n_peers);
  if (peers == NULL || n_peers == 0)
    return;
  if (gnutls_certificate_verify_peers (session, &purpose, 1, &status) < 0)
    status = GNUTLS_CERT_INVALID;
  if (status != 0)
    {
      request->client_cert = client_cert_problem (status);
      return;
    }
  if (gnutls_x509_crt_init (&certificate) == 0 &&
      gnutls_x509_crt_import (certificate, &peers[0], GNUTLS_X509_FMT_DER) == 0 &&
      gnutls_x509_crt_get_dn3 (certificate, &dn, 0) == 0)
    {
      request->subject = g_strndup ((const char *) dn.data, dn.size);
      request->client_cert = VP_HTTP_CLIENT_CERT_VALID;
    }
  else
    request->client_cert = VP_HTTP_CLIENT_CERT_INVALID;
  gnutls_free (dn.data);
  if (certificate != NULL)
    gnutls_x509_crt_deinit (certificate);
}

/**
 * vp_http_request_client_subject:
 * @request: a request
 * @state: (out) (optional): whether the client sent a usable certificate,
 *   or what is wrong with it
 *
 * Returns: (nullable): the subject (RFC 4514) of a usable client
 *   certificate; %NULL when there is none or no CA was configured
 */
const char *
vp_http_request_client_subject (VpHttpRequest    *request,
                                VpHttpClientCert *state)
{
  if (!request->client_certs)
    {
      if (state != NULL)
        *state = VP_HTTP_CLIENT_CERT_NONE;
      return NULL;
    }
  if (!request->subject_known)
    verify_client (request);
  if (state != NULL)
    *state = request->client_cert;
  return request->subject;
}

/**
 * vp_http_response_new:
 * @status: the HTTP status
 * @content_type: (nullable): the media type of @body
 * @body: (transfer full) (nullable): the body, freed with g_free()
 * @length: its length
 *
 * Returns: (transfer full): a response
 */
VpHttpResponse *
vp_http_response_new (guint       status,
                      const char *content_type,
                      char       *body,
                      gsize       length)
{
  VpHttpResponse *response = g_new0 (VpHttpResponse, 1);

  response->status = status;
  response->content_type = g_strdup (content_type);
  response->body = body;
  response->length = body != NULL ? length : 0;
  response->headers = g_ptr_array_new_with_free_func (g_free);
  return response;
}

void
vp_http_response_add_header (VpHttpResponse *response,
                             const char     *name,
                             const char     *value)
{
  g_ptr_array_add (response->headers, g_strdup (name));
  g_ptr_array_add (response->headers, g_strdup (value));
}

void
vp_http_response_free (VpHttpResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->content_type);
  g_free (response->body);
  g_ptr_array_unref (response->headers);
  g_free (response);
}

/**
 * vp_http_log_text:
 * @text: (nullable): text from a request
 * @max_length: the most bytes to keep
 *
 * Returns: (transfer full): @text with every byte that is not printable
 *   ASCII written as \xNN, cut to @max_length with "..." at the end
 */
char *
vp_http_log_text (const char *text,
                  gsize       max_length)
{
  GString *out = g_string_new (NULL);

  if (text == NULL)
    return g_string_free (out, FALSE);
  for (const guchar *p = (const guchar *) text; *p != '\0' && out->len < max_length; p++)
    {
      if (*p >= 0x20 && *p < 0x7f && *p != '\\')
        g_string_append_c (out, (char) *p);
      else
        g_string_append_printf (out, "\\x%02x", *p);
    }
  if (out->len >= max_length)
    {
      g_string_truncate (out, max_length > 3 ? max_length - 3 : 0);
      g_string_append (out, "...");
    }
  return g_string_free (out, FALSE);
}

static void
free_body (void *body)
{
  g_free (body);
}

static enum MHD_Result
queue (VpHttpRequest  *request,
       VpHttpResponse *response)
{
  struct MHD_Response *mhd;
  enum MHD_Result result;

  mhd = MHD_create_response_from_buffer_with_free_callback (response->length,
                                                            g_steal_pointer (&response->body),
                                                            free_body);
  if (response->content_type != NULL)
    MHD_add_response_header (mhd, MHD_HTTP_HEADER_CONTENT_TYPE, response->content_type);
  for (guint i = 0; i + 1 < response->headers->len; i += 2)
    MHD_add_response_header (mhd, g_ptr_array_index (response->headers, i),
                             g_ptr_array_index (response->headers, i + 1));
  request->status = response->status;
  result = MHD_queue_response (request->connection, response->status, mhd);
  MHD_destroy_response (mhd);
  vp_http_response_free (response);
  return result;
}

/* A JSON string's inside: quotes and backslashes escaped, UTF-8 kept
 * (g_strescape() would write octal escapes, which JSON does not have). */
static char *
json_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static VpHttpResponse *
too_large (gsize limit)
{
  g_autofree char *reason = g_strdup_printf (_("The body is larger than the limit of %lu bytes"),
                                             (unsigned long) limit);
  g_autofree char *escaped = json_escape (reason);
  char *body = g_strdup_printf ("{\"error\":\"%s\"}", escaped);
  VpHttpResponse *response = vp_http_response_new (MHD_HTTP_CONTENT_TOO_LARGE, "application/json",
                                                    body, strlen (body));

  vp_http_response_add_header (response, MHD_HTTP_HEADER_CONNECTION, "close");
  return response;
}

/* A NUL after the body (not counted in it), so that it can be read as text. */
static void
terminate_body (VpHttpRequest *request)
{
  if (request->body == NULL)
    return;
  g_byte_array_append (request->body, (const guint8 *) "", 1);
  g_byte_array_set_size (request->body, request->body->len - 1);
}

static enum MHD_Result
on_access (void                  *cls,
           struct MHD_Connection *connection,
           const char            *url,
           const char            *method,
           const char            *version,
           const char            *upload_data,
           size_t                *upload_data_size,
           void                 **con_cls)
{
  VpHttpServer *self = cls;
  VpHttpRequest *request = *con_cls;
  VpHttpResponse *response;

  if (request == NULL)
    {
      request = g_new0 (VpHttpRequest, 1);
      request->connection = connection;
      request->method = g_strdup (method);
      request->path = g_strdup (url);
      request->client_certs = self->client_certs;
      *con_cls = request;
      response = self->early (request, &request->body_limit, self->user_data);
      return response != NULL ? queue (request, response) : MHD_YES;
    }
  if (request->status != 0)
    {
      /* Answered already: what still comes is thrown away. */
      *upload_data_size = 0;
      return MHD_YES;
    }
  if (*upload_data_size > 0)
    {
      gsize held = request->body != NULL ? request->body->len : 0;

      if (*upload_data_size > request->body_limit || held > request->body_limit - *upload_data_size)
        {
          /* Answered at once; libmicrohttpd closes the connection after
           * the answer instead of reading the rest. Where it cannot answer
           * in the middle of a body, the connection is closed. */
          *upload_data_size = 0;
          if (queue (request, too_large (request->body_limit)) == MHD_NO)
            return MHD_NO;
          return MHD_YES;
        }
      if (request->body == NULL)
        request->body = g_byte_array_new ();
      g_byte_array_append (request->body, (const guint8 *) upload_data, (guint) *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
  terminate_body (request);
  return queue (request, self->handle (request, self->user_data));
}

/* One line per request: time, method, path (never the query, which may
 * hold secrets, nor the client's address), status; printable ASCII only,
 * each field cut to a length. */
static void
on_completed (void                            *cls,
              struct MHD_Connection           *connection,
              void                           **con_cls,
              enum MHD_RequestTerminationCode  code)
{
  VpHttpRequest *request = *con_cls;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *when = NULL;
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;

  if (request == NULL)
    return;
  now = g_date_time_new_now_utc ();
  when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  method = vp_http_log_text (request->method, MAX_LOGGED_METHOD);
  path = vp_http_log_text (request->path, MAX_LOGGED_PATH);
  g_printerr ("%s %s %s %u%s\n", when, method, path, request->status,
              code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
  g_free (request->method);
  g_free (request->path);
  g_free (request->subject);
  if (request->body != NULL)
    g_byte_array_unref (request->body);
  g_free (request);
  *con_cls = NULL;
}

/* libmicrohttpd's own messages can quote what a client sent. */
static void
on_log (void       *cls,
        const char *format,
        va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);
  g_autofree char *safe = vp_http_log_text (g_strchomp (message), 300);

  g_printerr ("libmicrohttpd: %s\n", safe);
}

static gboolean
parse_address (const char               *address,
               guint16                   port,
               struct sockaddr_storage  *storage,
               gboolean                 *ipv6,
               GError                  **error)
{
  struct sockaddr_in *in4 = (struct sockaddr_in *) storage;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) storage;

  memset (storage, 0, sizeof *storage);
  if (inet_pton (AF_INET, address, &in4->sin_addr) == 1)
    {
      in4->sin_family = AF_INET;
      in4->sin_port = htons (port);
      *ipv6 = FALSE;
      return TRUE;
    }
  if (inet_pton (AF_INET6, address, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons (port);
      *ipv6 = TRUE;
      return TRUE;
    }
  g_set_error (error, VP_HTTP_ERROR, VP_HTTP_ERROR_FAILED, _("“%s” is not an IP address"), address);
  return FALSE;
}

/**
 * vp_http_server_start:
 * @config: where to listen, the TLS material and the limits
 * @early: called when a request's headers are in
 * @handle: called with the whole request
 * @user_data: for both
 * @error: return location for an error
 *
 * Returns: (transfer full): a server answering in its own thread, or %NULL
 */
VpHttpServer *
vp_http_server_start (const VpHttpConfig  *config,
                      VpHttpEarlyFunc      early,
                      VpHttpHandleFunc     handle,
                      gpointer             user_data,
                      GError             **error)
{
  g_autofree VpHttpServer *self = g_new0 (VpHttpServer, 1);
  struct sockaddr_storage address;
  gboolean ipv6 = FALSE;
  unsigned int flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

  if (!parse_address (config->address, config->port, &address, &ipv6, error))
    return NULL;
#ifdef __linux__
  flags |= MHD_USE_EPOLL;
#endif
  if (ipv6)
    flags |= MHD_USE_IPv6;
  self->early = early;
  self->handle = handle;
  self->user_data = user_data;
  self->client_certs = config->client_ca_pem != NULL;
  self->daemon = MHD_start_daemon (flags, config->port, NULL, NULL, on_access, self,
                                   MHD_OPTION_EXTERNAL_LOGGER, on_log, self,
                                   MHD_OPTION_SOCK_ADDR, &address,
                                   MHD_OPTION_HTTPS_MEM_CERT, config->cert_pem,
                                   MHD_OPTION_HTTPS_MEM_KEY, config->key_pem,
                                   MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
                                   MHD_OPTION_CONNECTION_LIMIT, (unsigned int) config->max_connections,
                                   MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) config->max_per_address,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) config->timeout,
                                   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) config->memory_per_connection,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, self,
                                   MHD_OPTION_STRICT_FOR_CLIENT, (int) 1,
                                   /* Last, so that without a CA the list ends here. */
                                   config->client_ca_pem != NULL ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END,
                                   config->client_ca_pem,
                                   MHD_OPTION_END);
  if (self->daemon == NULL)
    {
      g_set_error (error, VP_HTTP_ERROR, VP_HTTP_ERROR_FAILED,
                   _("Could not listen on %s port %u (in use, or the certificate or key is not valid)"),
                   config->address, config->port);
      return NULL;
    }
  return g_steal_pointer (&self);
}

guint16
vp_http_server_get_port (VpHttpServer *self)
{
  const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);

  return info != NULL ? info->port : 0;
}

guint
vp_http_server_connections (VpHttpServer *self)
{
  const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

  return info != NULL ? info->num_connections : 0;
}

void
vp_http_server_stop (VpHttpServer *self)
{
  if (self == NULL)
    return;
  MHD_stop_daemon (self->daemon);
  g_free (self);
}
