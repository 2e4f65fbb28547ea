/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-store.h"
#include "vp-team-merge.h"

G_BEGIN_DECLS

/* Team sync's hooks in the store object (vp-store*.c) and for tests. */
typedef struct _VpTeamState VpTeamState;

void      _vp_team_state_free      (VpTeamState          *state);
/* When the store opens: a laptop in a team starts noting what each
 * transaction writes. */
gboolean  _vp_team_attach          (VpStore              *store,
                                    GError              **error);
/* Before each COMMIT (vp_store_commit()): the changes of what it wrote;
 * n_captured (may be NULL) gets how many. */
gboolean  _vp_team_capture         (VpStore              *store,
                                    guint                *n_captured,
                                    GError              **error);
void      _vp_team_feedback_uid    (const VpUid          *referral,
                                    VpUid                *out);
gboolean  _vp_team_record_complete (const VpMergedRecord *record);

G_END_DECLS
