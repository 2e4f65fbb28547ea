/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-endpoint-db.h"

G_BEGIN_DECLS

#define VP_TYPE_ENDPOINT_SERVER (vp_endpoint_server_get_type ())

G_DECLARE_FINAL_TYPE (VpEndpointServer, vp_endpoint_server, VP, ENDPOINT_SERVER, GObject)

VpEndpointServer *vp_endpoint_server_new     (VpEndpointDb      *db,
                                              GTlsCertificate   *certificate,
                                              gsize              max_body);
gboolean          vp_endpoint_server_listen  (VpEndpointServer  *self,
                                              GSocketAddress    *address,
                                              GError           **error);
char             *vp_endpoint_server_get_url (VpEndpointServer  *self);

G_END_DECLS
