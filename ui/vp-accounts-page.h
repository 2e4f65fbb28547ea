/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_ACCOUNTS_PAGE (vp_accounts_page_get_type ())
G_DECLARE_FINAL_TYPE (VpAccountsPage, vp_accounts_page, VP, ACCOUNTS_PAGE, GtkWidget)

void vp_accounts_page_set_store (VpAccountsPage *self,
                                 VpStore        *store);

G_END_DECLS
