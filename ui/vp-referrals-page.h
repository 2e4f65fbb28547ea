/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_REFERRALS_PAGE (vp_referrals_page_get_type ())
G_DECLARE_FINAL_TYPE (VpReferralsPage, vp_referrals_page, VP, REFERRALS_PAGE, GtkWidget)

void  vp_referrals_page_set_store   (VpReferralsPage *self,
                                     VpStore         *store);
void  vp_referrals_page_refresh     (VpReferralsPage *self);
guint vp_referrals_page_get_n_shown (VpReferralsPage *self);
char *vp_referrals_page_to_csv      (VpReferralsPage *self);

G_END_DECLS
