/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_CLIENT (vp_client_get_type ())
G_DECLARE_FINAL_TYPE (VpClient, vp_client, VP, CLIENT, GObject)

gint64      vp_client_get_id         (VpClient *self);
const char *vp_client_get_label      (VpClient *self);
int         vp_client_get_birth_year (VpClient *self);
const char *vp_client_get_phone      (VpClient *self);

VpClient   *vp_store_get_client      (VpStore     *store,
                                      gint64       id,
                                      GError     **error);
GArray     *vp_store_search_clients  (VpStore     *store,
                                      const char  *query,
                                      GError     **error);
const char *vp_client_query_kind     (const char  *query);

/* A GListModel of the clients matching a query, for 100,000 clients and
 * more: the matching ids come from one query, the rows in pages, loaded
 * only when a list shows them. */
#define VP_TYPE_CLIENT_LIST (vp_client_list_get_type ())
G_DECLARE_FINAL_TYPE (VpClientList, vp_client_list, VP, CLIENT_LIST, GObject)

VpClientList *vp_client_list_new       (VpStore      *store);
gboolean      vp_client_list_set_query (VpClientList *self,
                                        const char   *query,
                                        GError      **error);

G_END_DECLS
