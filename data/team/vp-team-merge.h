/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-team-change.h"

G_BEGIN_DECLS

/* ---- The roster -------------------------------------------------------
 * Every device ever enrolled in the team, with the role it was enrolled
 * with. Rule 5 of the merge reads it: a change that only a team leader may
 * make counts only from a device enrolled as a team leader's. It is an
 * input of the view, not of the changes, so a roster that learns of a
 * device later changes the view without a new merge. */
typedef struct _VpTeamRoster VpTeamRoster;

VpTeamRoster *vp_team_roster_new    (void);
void          vp_team_roster_free   (VpTeamRoster       *roster);
void          vp_team_roster_set    (VpTeamRoster       *roster,
                                     const VpUid        *device,
                                     VpTeamRole          role);
gboolean      vp_team_roster_lookup (const VpTeamRoster *roster,
                                     const VpUid        *device,
                                     VpTeamRole         *role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpTeamRoster, vp_team_roster_free)

/* ---- The merged state -------------------------------------------------
 * What a set of changes comes to: the records as they should be in the
 * store, with only the fields that may be shown (a field hidden by consent
 * is absent; one set to nothing is present with a NULL value; a record
 * with no field left is absent), plus the tombstones of erased clients and
 * deleted records. A consent record also has the fields "category",
 * "given_at" and "withdrawn_at" from its operations. */
typedef struct {
  VpRecordRef  ref;
  GHashTable  *fields;   /* char *field -> char *value or NULL */
} VpMergedRecord;

typedef struct _VpMergeView VpMergeView;

void                  vp_merge_view_free         (VpMergeView       *view);
guint                 vp_merge_view_n_records    (const VpMergeView *view);
const VpMergedRecord *vp_merge_view_lookup       (const VpMergeView *view,
                                                  const VpRecordRef *ref);
/* The records in the order of vp_record_ref_compare(); the array holds
 * pointers into the view. */
GPtrArray            *vp_merge_view_list_records (const VpMergeView *view);
gboolean              vp_merge_view_is_erased    (const VpMergeView *view,
                                                  const VpUid       *client,
                                                  VpHlc             *when);
gboolean              vp_merge_view_is_deleted   (const VpMergeView *view,
                                                  const VpRecordRef *ref,
                                                  VpHlc             *when);
/* Every record, field and tombstone as sorted lines: for comparing views
 * in tests. It holds personal data: never log it. */
char                 *vp_merge_view_to_string    (const VpMergeView *view);
gboolean              vp_merge_view_equal        (const VpMergeView *a,
                                                  const VpMergeView *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpMergeView, vp_merge_view_free)

/* The whole-set form: the rules of docs/team-sync.md written out as they
 * read, over the whole set at once (duplicates count once). Quadratic in
 * the changes of one client: the reference, for tests and rebuilding. */
VpMergeView *vp_merge_changes (VpChange * const  *changes,
                               guint              n_changes,
                               const VpTeamRoster *roster);

/* ---- The incremental form ---------------------------------------------
 * Keeps, per record field, only the change that wins so far (and per
 * client its consent events and whether it is erased), so batches can be
 * added one at a time, in any order, any number of times; its view equals
 * vp_merge_changes() of everything added. */
typedef struct _VpMerge VpMerge;

VpMerge     *vp_merge_new        (void);
void         vp_merge_free       (VpMerge            *merge);
/* Returns how many of the changes altered the state; the clients whose
 * view may have changed are added to touched (a set of VpUid *, owned by
 * the table, g_free), if it is not NULL. */
guint        vp_merge_add        (VpMerge            *merge,
                                  VpChange * const   *changes,
                                  guint               n_changes,
                                  GHashTable         *touched);
/* The view of every client, or of one (client not NULL). */
VpMergeView *vp_merge_build_view (VpMerge            *merge,
                                  const VpTeamRoster *roster,
                                  const VpUid        *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpMerge, vp_merge_free)

G_END_DECLS
