/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "vp-endpoint-http.h"
#include "vp-relay-store.h"

G_BEGIN_DECLS

/* The team-sync relay's routes (#16) under /v1/relay/, on the endpoint's
 * HTTP layer; docs/team-relay.md lists them. */

/* Whether a request may create a relay team for this report team (with
 * the credential the endpoint takes for its reports): NULL when it may,
 * else the answer. */
typedef VpHttpResponse *(*VpRelayAuthoriseFunc) (VpHttpRequest *request,
                                                 const char    *report_team,
                                                 gpointer       user_data);

typedef struct {
  gsize  max_blob;        /* bytes; at most VP_BLOB_MAX_SIZE */
  guint  invite_rate;     /* invitation look-ups per minute per source */
  gsize  pull_limit;      /* bytes of blobs per pull answer */
} VpRelayRouteLimits;

#define VP_RELAY_PATH_PREFIX "/v1/relay/"

#define VP_TYPE_RELAY_ROUTES (vp_relay_routes_get_type ())

G_DECLARE_FINAL_TYPE (VpRelayRoutes, vp_relay_routes, VP, RELAY_ROUTES, GObject)

VpRelayRoutes  *vp_relay_routes_new    (VpRelayStore              *store,
                                        const VpRelayRouteLimits  *limits,
                                        VpRelayAuthoriseFunc       authorise,
                                        gpointer                   user_data);
VpHttpResponse *vp_relay_routes_early  (VpRelayRoutes             *self,
                                        VpHttpRequest             *request,
                                        gsize                     *body_limit);
VpHttpResponse *vp_relay_routes_handle (VpRelayRoutes             *self,
                                        VpHttpRequest             *request);

G_END_DECLS
