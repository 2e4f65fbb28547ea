/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_UNLOCK_PAGE (vp_unlock_page_get_type ())
G_DECLARE_FINAL_TYPE (VpUnlockPage, vp_unlock_page, VP, UNLOCK_PAGE, GtkWidget)

void vp_unlock_page_set_store_dir (VpUnlockPage *self,
                                   const char   *store_dir);
void vp_unlock_page_reset         (VpUnlockPage *self);
void vp_unlock_page_require_new_passphrase (VpUnlockPage *self,
                                            VpStore      *store);

G_END_DECLS
