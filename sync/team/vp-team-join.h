/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-team-sync.h"

G_BEGIN_DECLS

/* This laptop joins a team (#16) with the code the team leader's screen
 * shows and a name for this laptop. It starts at once: it joins the
 * invitation, waits for the leader's laptop, shows the safety number
 * ("safety-number", to compare with the leader's screen), waits for the
 * leader to confirm, and then joins the store to the team and runs a
 * first sync, which brings the whole team's caseload. The role is that of
 * the account that joins. Properties: "state", "safety-number",
 * "error-text". */

typedef enum {
  VP_TEAM_JOIN_CONNECTING,
  VP_TEAM_JOIN_WAITING,       /* waiting for the team leader's laptop */
  VP_TEAM_JOIN_COMPARE,       /* show the number; the leader confirms on their screen */
  VP_TEAM_JOIN_DONE,          /* in the team */
  VP_TEAM_JOIN_FAILED,        /* wrong code, expired, refused, or cancelled: see error-text */
} VpTeamJoinState;

#define VP_TYPE_TEAM_JOIN_STATE (vp_team_join_state_get_type ())
GType vp_team_join_state_get_type (void) G_GNUC_CONST;

#define VP_TYPE_TEAM_JOIN (vp_team_join_get_type ())
G_DECLARE_FINAL_TYPE (VpTeamJoin, vp_team_join, VP, TEAM_JOIN, GObject)

VpTeamJoin      *vp_team_join_new               (VpTeamSync *sync,
                                                 const char *code,
                                                 const char *device_name);
VpTeamJoinState  vp_team_join_get_state         (VpTeamJoin *self);
const char      *vp_team_join_get_safety_number (VpTeamJoin *self);
const char      *vp_team_join_get_error_text    (VpTeamJoin *self);
void             vp_team_join_cancel            (VpTeamJoin *self);

G_END_DECLS
