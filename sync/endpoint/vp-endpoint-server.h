/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "vp-endpoint-db.h"
#include "vp-endpoint-http.h"
#include "vp-relay-routes.h"

G_BEGIN_DECLS

/* What a device must show to send a report. */
typedef enum {
  VP_CLIENT_AUTH_TOKEN, /* its team's token */
  VP_CLIENT_AUTH_CERT,  /* a client certificate registered for its team */
  VP_CLIENT_AUTH_BOTH,  /* both */
} VpClientAuth;

#define VP_TYPE_ENDPOINT_SERVER (vp_endpoint_server_get_type ())

G_DECLARE_FINAL_TYPE (VpEndpointServer, vp_endpoint_server, VP, ENDPOINT_SERVER, GObject)

VpEndpointServer *vp_endpoint_server_new     (VpEndpointDb        *db,
                                              gsize                max_body,
                                              VpClientAuth         auth);
void              vp_endpoint_server_enable_relay (VpEndpointServer         *self,
                                                   VpRelayStore             *store,
                                                   const VpRelayRouteLimits *limits);
gboolean          vp_endpoint_server_start   (VpEndpointServer    *self,
                                              const VpHttpConfig  *config,
                                              GError             **error);
char             *vp_endpoint_server_get_url (VpEndpointServer    *self);

G_END_DECLS
