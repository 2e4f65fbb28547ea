/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The endpoint's HTTP layer: HTTPS only, on libmicrohttpd, which is made to
 * face a network (connection limits overall and per address, timeouts on
 * idle connections and handshakes, a memory limit per connection, and an
 * answer before the body is read). The routes know nothing of it. */

#define VP_HTTP_ERROR (vp_http_error_quark ())

typedef enum {
  VP_HTTP_ERROR_FAILED,
} VpHttpError;

typedef struct _VpHttpRequest VpHttpRequest;
typedef struct _VpHttpResponse VpHttpResponse;
typedef struct _VpHttpServer VpHttpServer;

const char     *vp_http_request_method         (VpHttpRequest  *request);
const char     *vp_http_request_path           (VpHttpRequest  *request);
const char     *vp_http_request_query          (VpHttpRequest  *request,
                                                const char     *name);
const char     *vp_http_request_header         (VpHttpRequest  *request,
                                                const char     *name);
const char     *vp_http_request_cookie         (VpHttpRequest  *request,
                                                const char     *name);
const char     *vp_http_request_body           (VpHttpRequest  *request,
                                                gsize          *length);
char           *vp_http_request_source         (VpHttpRequest  *request);
/* Why a request has no usable client certificate. */
typedef enum {
  VP_HTTP_CLIENT_CERT_VALID,
  VP_HTTP_CLIENT_CERT_NONE,          /* none was sent */
  VP_HTTP_CLIENT_CERT_UNTRUSTED,     /* not from the configured CA */
  VP_HTTP_CLIENT_CERT_EXPIRED,
  VP_HTTP_CLIENT_CERT_NOT_YET_VALID,
  VP_HTTP_CLIENT_CERT_NOT_FOR_CLIENTS,
  VP_HTTP_CLIENT_CERT_INVALID,       /* revoked, malformed, or otherwise */
} VpHttpClientCert;

const char     *vp_http_request_client_subject (VpHttpRequest  *request,
                                                VpHttpClientCert *state);

VpHttpResponse *vp_http_response_new           (guint           status,
                                                const char     *content_type,
                                                char           *body,
                                                gsize           length);
void            vp_http_response_add_header    (VpHttpResponse *response,
                                                const char     *name,
                                                const char     *value);
void            vp_http_response_free          (VpHttpResponse *response);

/* Called once a request's headers are in, before any of its body: a
 * response to answer at once (the body is then never read), or NULL after
 * setting *body_limit to the most body bytes the request may bring. */
typedef VpHttpResponse *(*VpHttpEarlyFunc)  (VpHttpRequest *request,
                                             gsize         *body_limit,
                                             gpointer       user_data);
/* Called with the whole request; must answer. */
typedef VpHttpResponse *(*VpHttpHandleFunc) (VpHttpRequest *request,
                                             gpointer       user_data);

typedef struct {
  const char *address;          /* an IP address */
  guint16     port;             /* 0 picks a free one */
  const char *cert_pem;
  const char *key_pem;
  const char *client_ca_pem;    /* NULL: no client certificates asked for */
  guint       max_connections;
  guint       max_per_address;
  guint       timeout;          /* seconds a connection may stay idle */
  gsize       memory_per_connection;
} VpHttpConfig;

GQuark        vp_http_error_quark      (void);
VpHttpServer *vp_http_server_start     (const VpHttpConfig  *config,
                                        VpHttpEarlyFunc      early,
                                        VpHttpHandleFunc     handle,
                                        gpointer             user_data,
                                        GError             **error);
guint16       vp_http_server_get_port  (VpHttpServer        *self);
guint         vp_http_server_connections (VpHttpServer      *self);
void          vp_http_server_stop      (VpHttpServer        *self);

char         *vp_http_log_text         (const char          *text,
                                        gsize                max_length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpHttpResponse, vp_http_response_free)

G_END_DECLS
