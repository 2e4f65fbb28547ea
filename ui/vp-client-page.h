/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_CLIENT_PAGE (vp_client_page_get_type ())
G_DECLARE_FINAL_TYPE (VpClientPage, vp_client_page, VP, CLIENT_PAGE, GtkWidget)

void   vp_client_page_show      (VpClientPage *self,
                                 VpStore      *store,
                                 gint64        client_id);
void   vp_client_page_clear     (VpClientPage *self);
gint64 vp_client_page_get_client_id (VpClientPage *self);

G_END_DECLS
