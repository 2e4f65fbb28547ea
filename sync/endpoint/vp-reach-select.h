/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-endpoint-text.h"
#include "vp-reach.h"

G_BEGIN_DECLS

#define VP_REACH_SELECT_ERROR (vp_reach_select_error_quark ())

typedef enum {
  VP_REACH_SELECT_ERROR_INVALID,
} VpReachSelectError;

/* What a reader chose to look at, resolved against what was received:
 *   period  "last12" (the default: the 12 months up to the newest report),
 *           "YYYY", "YYYY-Qn" or "YYYY-MM"
 *   scope   "all" (the default), "group:NAME" or "team:CODE"
 * teams are VpEndpointTeam, by group and name. */
typedef struct {
  VpLang         lang;
  char          *period;
  char          *scope;
  VpReachFilter  filter;
  char          *period_label;
  char          *scope_label;
  GPtrArray     *teams;          /* every team of the municipality */
  GPtrArray     *scoped_teams;   /* the teams in scope (borrowed) */
  GPtrArray     *months;         /* the months in the period, oldest first */
} VpReachSelection;

typedef struct {
  char *value;
  char *label;
} VpChoice;

void              vp_choice_free              (VpChoice *choice);

GQuark            vp_reach_select_error_quark (void);

VpReachSelection *vp_reach_select             (VpReach     *reach,
                                               GPtrArray   *teams,
                                               VpLang       lang,
                                               const char  *period,
                                               const char  *scope,
                                               GError     **error);
void              vp_reach_selection_free     (VpReachSelection *selection);
void              vp_reach_filter_clear       (VpReachFilter    *filter);
void              vp_reach_filter_for_team    (VpReachFilter    *filter,
                                               const VpReachSelection *selection,
                                               const char       *team);
void              vp_reach_filter_for_group   (VpReachFilter    *filter,
                                               const VpReachSelection *selection,
                                               const char       *group);
void              vp_reach_filter_for_month   (VpReachFilter    *filter,
                                               const VpReachSelection *selection,
                                               const char       *month);
GPtrArray        *vp_reach_period_choices     (VpReach          *reach,
                                               VpLang            lang);
GPtrArray        *vp_reach_last_months        (VpReach          *reach,
                                               const char       *last,
                                               guint             n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpReachSelection, vp_reach_selection_free)

G_END_DECLS
