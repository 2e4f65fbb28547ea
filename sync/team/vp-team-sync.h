/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"
#include "vp-team-store.h"

G_BEGIN_DECLS

/* Team sync for the window (#16): whether this laptop is in a team, how
 * its sync goes, and the team leader's and a new laptop's actions. No
 * GTK. Network and crypto run in worker threads on a store of their own;
 * results and property notifications come on the main context of the
 * thread that made the object. One operation at a time: a round, a
 * removal or turning on waits for the one before. */

typedef enum {
  VP_TEAM_SYNC_OFF,              /* not in a team */
  VP_TEAM_SYNC_IDLE,             /* in a team, nothing to do now */
  VP_TEAM_SYNC_SYNCING,
  VP_TEAM_SYNC_OFFLINE,          /* the relay could not be reached: trying again later */
  VP_TEAM_SYNC_REMOVED,          /* this laptop was removed from the team */
  VP_TEAM_SYNC_NEEDS_ATTENTION,  /* refused, or this laptop failed: see status-text */
} VpTeamSyncState;

#define VP_TYPE_TEAM_SYNC_STATE (vp_team_sync_state_get_type ())
GType vp_team_sync_state_get_type (void) G_GNUC_CONST;

/* Seconds between rounds while unlocked, after a local write, and the
 * backoff while the relay cannot be reached (doubling up to the last). */
#define VP_TEAM_SYNC_INTERVAL 300
#define VP_TEAM_SYNC_AFTER_WRITE 10
#define VP_TEAM_SYNC_RETRY_FIRST 30
#define VP_TEAM_SYNC_RETRY_MAX 1800

/* One laptop of the team, for the list of laptops. */
typedef struct {
  VpUid       device;
  char       *name;          /* "" until the laptop has said its name */
  VpTeamRole  role;
  gboolean    is_self;
  gboolean    removed;
  GDateTime  *last_synced;   /* NULL: never seen */
} VpTeamMember;

void vp_team_member_free (VpTeamMember *member);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpTeamMember, vp_team_member_free)

#define VP_TYPE_TEAM_SYNC (vp_team_sync_get_type ())
G_DECLARE_FINAL_TYPE (VpTeamSync, vp_team_sync, VP, TEAM_SYNC, GObject)

VpTeamSync     *vp_team_sync_new                 (VpStore             *store);
VpStore        *vp_team_sync_get_store           (VpTeamSync          *self);

/* Properties: "enabled", "state", "status-text", "last-sync", "busy". */
gboolean        vp_team_sync_get_enabled         (VpTeamSync          *self);
VpTeamSyncState vp_team_sync_get_state           (VpTeamSync          *self);
const char     *vp_team_sync_get_status_text     (VpTeamSync          *self);
GDateTime      *vp_team_sync_get_last_sync       (VpTeamSync          *self);
gboolean        vp_team_sync_get_busy            (VpTeamSync          *self);

/* Periodic sync: start after unlocking, stop before locking (stopping
 * also cancels a round under way; what it did so far is kept). */
void            vp_team_sync_start               (VpTeamSync          *self);
void            vp_team_sync_stop                (VpTeamSync          *self);
/* A round now (or right after the one under way). */
void            vp_team_sync_sync_now            (VpTeamSync          *self);
/* A record was written: a round shortly, so colleagues see it soon. */
void            vp_team_sync_note_local_change   (VpTeamSync          *self);
/* Emits "round-finished" (gboolean ok) after every round: for tests and
 * for pages that show records to reload them. */

/* The team leader's account turns team sync on: a team on the endpoint's
 * relay, this laptop its first member as the team leader's, and a first
 * round. */
void            vp_team_sync_turn_on_async       (VpTeamSync          *self,
                                                  const char          *device_name,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        vp_team_sync_turn_on_finish      (VpTeamSync          *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* The team's laptops (element-type VpTeamMember), with when each last
 * synced: from the relay when it can be reached (*online), else as this
 * laptop last heard. */
void            vp_team_sync_list_devices_async  (VpTeamSync          *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray      *vp_team_sync_list_devices_finish (VpTeamSync          *self,
                                                  GAsyncResult        *result,
                                                  gboolean            *online,
                                                  GError             **error);

/* The team leader removes a laptop: it loses the relay at once, the team
 * key is replaced for every other laptop, and what is written afterwards
 * cannot be opened by it. */
void            vp_team_sync_remove_device_async (VpTeamSync          *self,
                                                  const VpUid         *device,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        vp_team_sync_remove_device_finish (VpTeamSync         *self,
                                                   GAsyncResult       *result,
                                                   GError            **error);

/* For VpTeamInvite and VpTeamJoin: the state again after the store joined
 * or a laptop was enrolled, and a round. */
void            _vp_team_sync_refresh            (VpTeamSync          *self);
void            _vp_team_sync_store_joined       (VpTeamSync          *self);

G_END_DECLS
