/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_CLIENTS_PAGE (vp_clients_page_get_type ())
G_DECLARE_FINAL_TYPE (VpClientsPage, vp_clients_page, VP, CLIENTS_PAGE, GtkWidget)

void vp_clients_page_set_store    (VpClientsPage *self,
                                   VpStore       *store);
void vp_clients_page_set_query    (VpClientsPage *self,
                                   const char    *query);
void vp_clients_page_show_client  (VpClientsPage *self,
                                   gint64         client_id);
void vp_clients_page_focus_search (VpClientsPage *self);

G_END_DECLS
