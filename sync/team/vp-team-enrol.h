/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"
#include "vp-team-crypto.h"

G_BEGIN_DECLS

/* Enrolment's blocking steps (#16, docs/team-sync.md "Enrolment"), for
 * VpTeamInvite and VpTeamJoin to run in worker threads, and for tests.
 * Each step is one or two requests; the objects poll them. */

/* The team leader's side of one invitation. */
typedef struct {
  VpUid        team;
  char         code[VP_INVITE_CODE_LEN + 1];
  VpEnrolShare share;          /* the leader's: revealed once */
  gboolean     joined;         /* a joiner's share arrived and ours is revealed */
  VpUid        joiner;
  VpEnrolShare joiner_share;
  char         safety_number[VP_SAFETY_NUMBER_LEN + 1];
} VpInviteSteps;

/* Makes a code and puts the commitment under it. */
gboolean _vp_invite_open    (VpStore        *store,
                             VpInviteSteps  *steps,
                             GError        **error);
/* Whether a laptop has joined; if so, reveals the leader's share (once)
 * and computes the safety number. */
gboolean _vp_invite_poll    (VpStore        *store,
                             VpInviteSteps  *steps,
                             GError        **error);
/* After the leader saw the numbers match: every team key wrapped to the
 * joiner, the joiner in the roster (its name and role follow from its
 * own first blob), the roster to be published. */
gboolean _vp_invite_confirm (VpStore        *store,
                             VpInviteSteps  *steps,
                             GError        **error);

/* The new laptop's side. */
typedef struct {
  char         code[VP_INVITE_CODE_LEN + 1];
  char        *device_name;
  VpUid        team;
  guint8       commitment[VP_ENROL_COMMITMENT_LEN];
  VpUid        device;
  VpDeviceKey *key;
  VpEnrolShare share;
  char        *token;          /* the relay's token for this laptop (pending) */
  gboolean     revealed;       /* the leader's share arrived and matches its commitment */
  VpEnrolShare inviter;
  char         safety_number[VP_SAFETY_NUMBER_LEN + 1];
  VpUid        leader;         /* the device the team's keys were wrapped by */
} VpJoinSteps;

void     _vp_join_steps_clear (VpJoinSteps  *steps);

/* Fetches the invitation and joins it with this laptop's share. */
gboolean _vp_join_open        (VpStore      *store,
                               VpJoinSteps  *steps,
                               const char   *code,
                               const char   *device_name,
                               GError      **error);
/* Whether the leader has revealed its share; if so, checks it against the
 * commitment (a mismatch is VP_TEAM_ERROR_TAMPERED) and computes the
 * safety number. */
gboolean _vp_join_poll_reveal (VpStore      *store,
                               VpJoinSteps  *steps,
                               GError      **error);
/* Whether the team key has arrived; if so, joins the store to the team
 * (*done). */
gboolean _vp_join_poll_key    (VpStore      *store,
                               VpJoinSteps  *steps,
                               gboolean     *done,
                               GError      **error);

/* The team leader's laptop's public key and device id: this laptop's own
 * on the laptop that made the team, otherwise as enrolment pinned them.
 * Only that device's rosters and snapshots count, and only keys wrapped
 * with that key open. */
gboolean _vp_team_get_leader  (VpStore      *store,
                               guint8        public_key[VP_X25519_KEY_LEN],
                               VpUid        *device,
                               GError      **error);

G_END_DECLS
