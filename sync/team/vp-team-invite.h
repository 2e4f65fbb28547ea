/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-team-sync.h"

G_BEGIN_DECLS

/* One invitation of a laptop into the team, on the team leader's laptop
 * (#16). It starts at once: the code to show appears in "code", then it
 * waits for the new laptop; when one has joined, "safety-number" holds
 * the number both screens must show. Only vp_team_invite_confirm() (the
 * leader says the numbers match) gives the new laptop the team key. One
 * laptop per invitation. Properties: "state", "code", "safety-number",
 * "error-text". */

typedef enum {
  VP_TEAM_INVITE_STARTING,
  VP_TEAM_INVITE_WAITING,     /* show the code; waiting for the new laptop */
  VP_TEAM_INVITE_COMPARE,     /* compare the numbers, then confirm or cancel */
  VP_TEAM_INVITE_CONFIRMING,
  VP_TEAM_INVITE_DONE,        /* the laptop is in the team */
  VP_TEAM_INVITE_FAILED,      /* expired, refused, or cancelled: see error-text */
} VpTeamInviteState;

#define VP_TYPE_TEAM_INVITE_STATE (vp_team_invite_state_get_type ())
GType vp_team_invite_state_get_type (void) G_GNUC_CONST;

/* Seconds between looks at the relay while waiting. */
#define VP_TEAM_ENROL_POLL 2

#define VP_TYPE_TEAM_INVITE (vp_team_invite_get_type ())
G_DECLARE_FINAL_TYPE (VpTeamInvite, vp_team_invite, VP, TEAM_INVITE, GObject)

VpTeamInvite      *vp_team_invite_new               (VpTeamSync   *sync);
VpTeamInviteState  vp_team_invite_get_state         (VpTeamInvite *self);
/* "ABCD-EFGH"; NULL until the relay has it. */
const char        *vp_team_invite_get_code          (VpTeamInvite *self);
/* "1234 5678 9012"; NULL until a laptop has joined. */
const char        *vp_team_invite_get_safety_number (VpTeamInvite *self);
const char        *vp_team_invite_get_error_text    (VpTeamInvite *self);
/* The numbers match: admit the laptop. Only in the COMPARE state. */
void               vp_team_invite_confirm           (VpTeamInvite *self);
/* Stops; a laptop that joined never gets the key. */
void               vp_team_invite_cancel            (VpTeamInvite *self);

G_END_DECLS
