/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_SETUP_PAGE (vp_setup_page_get_type ())
G_DECLARE_FINAL_TYPE (VpSetupPage, vp_setup_page, VP, SETUP_PAGE, AdwBin)

void vp_setup_page_set_store_dir (VpSetupPage *self,
                                  const char  *store_dir);

G_END_DECLS
