/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_RECOVERY_PAGE (vp_recovery_page_get_type ())
G_DECLARE_FINAL_TYPE (VpRecoveryPage, vp_recovery_page, VP, RECOVERY_PAGE, GtkWidget)

void vp_recovery_page_show_key (VpRecoveryPage *self,
                                VpStore        *store,
                                const char     *recovery_key);
void vp_recovery_page_clear    (VpRecoveryPage *self);

G_END_DECLS
