/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_TODAY_PAGE (vp_today_page_get_type ())
G_DECLARE_FINAL_TYPE (VpTodayPage, vp_today_page, VP, TODAY_PAGE, GtkWidget)

void  vp_today_page_set_store   (VpTodayPage *self,
                                 VpStore     *store);
void  vp_today_page_refresh     (VpTodayPage *self);
guint vp_today_page_get_n_items (VpTodayPage *self);

G_END_DECLS
