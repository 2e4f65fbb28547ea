/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-team-sync.h"

G_BEGIN_DECLS

#define VP_TYPE_TEAM_SYNC_PAGE (vp_team_sync_page_get_type ())
G_DECLARE_FINAL_TYPE (VpTeamSyncPage, vp_team_sync_page, VP, TEAM_SYNC_PAGE, GtkWidget)

void vp_team_sync_page_set_sync (VpTeamSyncPage *self,
                                 VpTeamSync     *sync);
void vp_team_sync_page_refresh  (VpTeamSyncPage *self);

G_END_DECLS
